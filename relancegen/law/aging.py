"""The aged balance (balance âgée), the stage funnel and the DSO of a site on a date.

Pure functions over the clients' situations: what the build's ``index.html`` and
``relancegen balance`` show. Amounts are the principal still owed (TTC), to the cent.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from relancegen.law.situation import ClientSituation
from relancegen.site.model import STAGES, Invoice

#: The columns of the aged balance: not yet due, then days past the due date.
BUCKETS: tuple[str, ...] = ("not_due", "0-30", "31-60", "61-90", "90+")
DSO_DAYS = 365
ZERO = Decimal("0.00")


def bucket(days_late: int) -> str:
    """The aged-balance column of an invoice ``days_late`` days past its due date."""
    if days_late <= 0:
        return "not_due"
    if days_late <= 30:
        return "0-30"
    if days_late <= 60:
        return "31-60"
    if days_late <= 90:
        return "61-90"
    return "90+"


@dataclass(frozen=True)
class AgedRow:
    """One client's open principal per column."""

    client_id: str
    client_name: str
    amounts: dict[str, Decimal] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return sum(self.amounts.values(), ZERO)

    @property
    def overdue(self) -> Decimal:
        return self.total - self.amounts.get("not_due", ZERO)


@dataclass(frozen=True)
class AgedBalance:
    rows: tuple[AgedRow, ...]  # clients with something open, most overdue first

    @property
    def totals(self) -> dict[str, Decimal]:
        return {name: sum((row.amounts[name] for row in self.rows), ZERO) for name in BUCKETS}

    @property
    def total(self) -> Decimal:
        return sum(self.totals.values(), ZERO)


def aged_balance(situations: Iterable[ClientSituation]) -> AgedBalance:
    """Each client's open principal by age, on the situations' date."""
    rows = []
    for situation in situations:
        amounts = dict.fromkeys(BUCKETS, ZERO)
        for line in (*situation.overdue, *situation.not_yet_due):
            amounts[bucket(line.days_late)] += line.outstanding
        row = AgedRow(situation.client.id, situation.client.name, amounts)
        if row.total:
            rows.append(row)
    rows.sort(key=lambda row: (-row.overdue, -row.total, row.client_id))
    return AgedBalance(tuple(rows))


def stage_funnel(situations: Iterable[ClientSituation]) -> dict[str, int]:
    """How many clients are at each stage today, in escalation order (prevention: the
    clients with an invoice coming due that gets a prevention notice)."""
    counts: Counter[str] = Counter()
    for situation in situations:
        counts.update([situation.stage] if situation.stage else [])
        counts.update(["prevention"] if situation.prevention and situation.stage != "prevention" else [])
    return {stage: counts[stage] for stage in STAGES}


def days_sales_outstanding(invoices: Iterable[Invoice], receivables: Decimal, as_of: dt.date, days: int = DSO_DAYS) -> Decimal | None:
    """The DSO (délai moyen de paiement clients), in days: what is still owed (TTC) over
    what was invoiced (TTC) in the ``days`` days up to ``as_of``, times ``days``. None when
    nothing was invoiced in that period."""
    start = as_of - dt.timedelta(days=days)
    sales = sum((invoice.amount for invoice in invoices if start < invoice.issued <= as_of), ZERO)
    if not sales:
        return None
    return (receivables / sales * days).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
