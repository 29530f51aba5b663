"""The ECB and legal rate tables that ship with relancegen, extendable from site.yml.

The tables are data files (``relancegen/rates/*.yml``), each with the date it is verified
through. For a day past that, the last known value is used and
:meth:`RateTables.coverage_warnings` says so, so that every build can warn about it.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import yaml

TABLES_DIR = Path(__file__).parent / "rates"
#: What an unverified rate stops (spec "Penalties"): the coverage warnings say it.
HELD = "Registered letters (penalties, formal notice) whose interest rests on it are held"


def half_year(day: dt.date) -> str:
    """The half-year a day belongs to, as the tables name it: ``2026-S2``."""
    return f"{day.year}-S{1 if day.month <= 6 else 2}"


def half_year_start(day: dt.date) -> dt.date:
    """1 January or 1 July of the day's half-year."""
    return dt.date(day.year, 1 if day.month <= 6 else 7, 1)


def next_half_year_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 7, 1) if day.month <= 6 else dt.date(day.year + 1, 1, 1)


@dataclass(frozen=True)
class RateFixing:
    """What one half-year's rate rests on: the table value that applies, and whether the
    table (or the site's ``rates:``) covers it or only the last known value stands in.

    ``table`` is ``ecb`` (the main refinancing rate in force on ``reference_day``, 1 January
    or 1 July; ``since`` is the effective date of that rate) or ``legal`` (the legal rate
    "tous les autres cas" of the half-year).
    """

    table: str
    half_year: str  # "2026-S2"
    reference_day: dt.date
    rate: Decimal
    since: dt.date | None
    verified: bool

    def describe(self) -> str:
        """In English, for the build summary and the to-do: which rate this is."""
        if self.table == "ecb":
            return f"the ECB rate in force on {self.reference_day.isoformat()} ({self.half_year})"
        return f"the legal interest rate of {self.half_year}"

    def rates_line(self) -> str:
        """The ``rates:`` line a site adds to site.yml to give this half-year's value."""
        return rates_line(self.table, self.reference_day.isoformat() if self.table == "ecb" else self.half_year)


def rates_line(table: str, key: str) -> str:
    """The ``rates:`` line giving one value of a table: ``rates: {legal: {"2026-S2": "x.xx"}}``."""
    return f'rates: {{{table}: {{"{key}": "x.xx"}}}}'


@dataclass(frozen=True)
class RateTables:
    """ECB rates by effective date and legal rates by half-year, with their coverage."""

    ecb: tuple[tuple[dt.date, Decimal], ...]  # sorted by effective date
    ecb_verified_through: dt.date
    legal: dict[str, Decimal]  # "tous les autres cas", by half-year
    legal_verified_through: str

    def ecb_rate_on(self, day: dt.date) -> Decimal:
        """The ECB main refinancing rate in force on ``day`` (last known value past the table)."""
        dates = [effective for effective, _ in self.ecb]
        index = bisect.bisect_right(dates, day) - 1
        if index < 0:
            raise ValueError(f"no ECB rate is known before {self.ecb[0][0].isoformat()}")
        return self.ecb[index][1]

    def ecb_half_year_rate(self, day: dt.date) -> Decimal:
        """The ECB rate in force on the first day of ``day``'s half-year (1 January or 1 July)."""
        return self.ecb_rate_on(half_year_start(day))

    def legal_rate(self, day: dt.date) -> Decimal:
        """The legal rate ("tous les autres cas") of ``day``'s half-year; last known past the table."""
        key = half_year(day)
        if key in self.legal:
            return self.legal[key]
        earlier = [k for k in self.legal if k <= key]
        if not earlier:
            raise ValueError(f"no legal rate is known for {key} or before")
        return self.legal[max(earlier)]

    @property
    def ecb_covered_through(self) -> dt.date:
        """The last day the ECB table is known to hold every rate change."""
        return max(self.ecb_verified_through, self.ecb[-1][0])

    def ecb_fixing(self, day: dt.date) -> RateFixing:
        """The ECB rate of ``day``'s half-year: the one in force on its first day, with the
        effective date of the change that set it."""
        reference = half_year_start(day)
        dates = [effective for effective, _ in self.ecb]
        index = max(bisect.bisect_right(dates, reference) - 1, 0)
        while index > 0 and self.ecb[index - 1][1] == self.ecb[index][1]:
            index -= 1  # a site's entry confirming an unchanged rate: in force since the change
        since = self.ecb[index][0]
        return RateFixing("ecb", half_year(day), reference, self.ecb_rate_on(reference), since,
                          verified=reference <= self.ecb_covered_through)

    def legal_fixing(self, day: dt.date) -> RateFixing:
        """The legal rate of ``day``'s half-year; unverified when the last known one stands in."""
        key = half_year(day)
        return RateFixing("legal", key, half_year_start(day), self.legal_rate(day), None, verified=key in self.legal)

    def first_day_with_rates(self) -> dt.date:
        """The first day whose half-year has both an ECB rate and a legal rate."""
        first_ecb = self.ecb[0][0]
        ecb_start = _first_half_year_start_from(first_ecb)
        return max(ecb_start, self._first_legal_day())

    def coverage_warnings(self, up_to: dt.date) -> list[str]:
        """One sentence per table that does not cover the half-year of ``up_to``."""
        warnings = []
        last_ecb_date = self.ecb[-1][0]
        covered_through = self.ecb_covered_through
        if up_to > covered_through and half_year_start(up_to) > covered_through:
            fixing = self.ecb_fixing(up_to)
            warnings.append(
                f"the ECB rate table is verified through {covered_through.isoformat()}: for "
                f"{half_year(up_to)} the last known rate ({self.ecb[-1][1]} % from "
                f"{last_ecb_date.isoformat()}) stands in, unverified. {HELD} until site.yml gives "
                f"{fixing.describe()}, from the ECB's or the Banque de France's publication: "
                f"`{fixing.rates_line()}`."
            )
        missing = [key for key in _half_years_between(self._first_legal_day(), up_to) if key not in self.legal]
        if missing:
            last = max(self.legal)
            warnings.append(
                f"the legal rate is not known for {', '.join(missing)}: the last known rate "
                f"({self.legal[last]} % for {last}) stands in, unverified. {HELD} until site.yml "
                f"gives the rate published by arrêté in the Journal officiel: "
                f"`{rates_line('legal', missing[-1])}`."
            )
        return warnings

    def _first_legal_day(self) -> dt.date:
        year, semester = min(self.legal).split("-S")
        return dt.date(int(year), 1 if semester == "1" else 7, 1)


def _first_half_year_start_from(day: dt.date) -> dt.date:
    """1 January or 1 July: ``day`` itself when it is one, else the next one."""
    return day if day == half_year_start(day) else next_half_year_start(day)


def _half_years_between(start: dt.date, end: dt.date) -> list[str]:
    keys = []
    day = half_year_start(start)
    while day <= end:
        keys.append(half_year(day))
        day = next_half_year_start(day)
    return keys


@functools.lru_cache(maxsize=1)
def _shipped_tables() -> RateTables:
    ecb_data = yaml.safe_load((TABLES_DIR / "ecb.yml").read_text(encoding="utf-8"))
    legal_data = yaml.safe_load((TABLES_DIR / "legal.yml").read_text(encoding="utf-8"))
    ecb = tuple(sorted((_as_date(day), Decimal(rate)) for day, rate in ecb_data["rates"].items()))
    legal = {str(key): Decimal(values["other"]) for key, values in legal_data["rates"].items()}
    return RateTables(
        ecb=ecb,
        ecb_verified_through=_as_date(ecb_data["verified_through"]),
        legal=legal,
        legal_verified_through=str(legal_data["verified_through"]),
    )


def _as_date(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def load_rate_tables(
    ecb_overrides: dict[dt.date, Decimal] | None = None,
    legal_overrides: dict[str, Decimal] | None = None,
) -> RateTables:
    """The shipped tables, extended (or corrected) by a site's ``rates:`` values.

    A site's ECB value counts as verified through the first 1 January or 1 July on or after
    its effective date (it fixes that half-year's rate: ``"2026-07-01": "2.15"`` says the rate
    in force on 1 July 2026); a site's legal value covers its half-year.
    """
    shipped = _shipped_tables()
    if not ecb_overrides and not legal_overrides:
        return shipped
    ecb = dict(shipped.ecb)
    ecb.update(ecb_overrides or {})
    legal = dict(shipped.legal)
    legal.update(legal_overrides or {})
    ecb_verified = max([shipped.ecb_verified_through, *map(_first_half_year_start_from, ecb_overrides or {})])
    return RateTables(
        ecb=tuple(sorted(ecb.items())),
        ecb_verified_through=ecb_verified,
        legal=legal,
        legal_verified_through=max(legal),
    )
