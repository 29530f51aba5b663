"""Result types of the penalty engine (kept apart so templates and plugins can import
them without the engine)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class PenaltyPeriod:
    """A stretch of days at one principal and one annual rate.

    ``start`` is the first day counted and ``end`` the last (inclusive): the spec's
    ``from`` (the due date or the previous period's end) is ``start - 1 day``.
    """

    start: dt.date
    end: dt.date
    days: int
    principal: Decimal
    annual_rate: Decimal  # percent per year, e.g. Decimal("12.15")
    interest: Decimal  # rounded half-up to the cent


@dataclass(frozen=True)
class InvoicePenalties:
    invoice: str
    client: str
    due: dt.date
    outstanding: Decimal  # principal still owed on the computation date
    days_late: int  # days from the due date (exclusive) to the end date (build date or settlement)
    interest: Decimal  # sum of the periods' interest
    indemnity: Decimal
    periods: tuple[PenaltyPeriod, ...]
    interest_paid: Decimal = Decimal("0.00")  # with interest_first: interest settled by payments
    rate_label: str = ""  # how the rate is described in letters, e.g. "taux BCE + 10 points"
    disputed: str | None = None  # the dispute's reason: such an invoice is out of the dunning

    @property
    def interest_due(self) -> Decimal:
        """Interest still owed: the sum of the periods less what payments settled."""
        return self.interest - self.interest_paid

    @property
    def total_penalties(self) -> Decimal:
        return self.interest_due + self.indemnity
