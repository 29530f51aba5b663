"""French working days: when acts may be dated and sent, and where printed deadlines fall.

Spec "Stages", rule 8: with ``schedule.working_days: true`` (the default) an act is dated
and sent on a working day only (Monday to Friday, not a French public holiday), and every
deadline printed in a document falls on a working day. The public holidays come from the
maintained ``holidays`` package (metropolitan France's national holidays). Pure: no clock.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

ONE_DAY = dt.timedelta(days=1)


@functools.lru_cache(maxsize=64)
def french_public_holidays(year: int) -> frozenset[dt.date]:
    """The national public holidays of France in ``year``."""
    import holidays

    return frozenset(holidays.country_holidays("FR", years=year))


@functools.lru_cache(maxsize=4096)
def _french_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in french_public_holidays(day.year)


@dataclass(frozen=True)
class WorkingDays:
    """The calendar acts follow. ``enabled=False`` makes every day a working day."""

    enabled: bool = True

    def is_working_day(self, day: dt.date) -> bool:
        return not self.enabled or _french_working_day(day)

    def on_or_after(self, day: dt.date) -> dt.date:
        """``day`` itself when it is a working day, else the next working day."""
        while not self.is_working_day(day):
            day += ONE_DAY
        return day

    def after(self, day: dt.date, working_days: int) -> dt.date:
        """The ``working_days``-th working day after ``day`` (``day`` itself, moved to a
        working day, for 0): when a letter posted on ``day`` is expected to be delivered."""
        day = self.on_or_after(day)
        for _ in range(working_days):
            day = self.on_or_after(day + ONE_DAY)
        return day

    def why_not(self, day: dt.date) -> str:
        """Why ``day`` is not a working day, in a few words (empty when it is one)."""
        if self.is_working_day(day):
            return ""
        if day in french_public_holidays(day.year):
            return "a public holiday"
        return "a weekend day"


EVERY_DAY = WorkingDays(enabled=False)
