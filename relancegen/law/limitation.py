"""Limitation (prescription) of a claim, per debtor regime (spec "Penalties", domain.md).

* Business debtors (``b2b``): 5 years from the due date (C. com. L110-4).
* Consumers (``b2c``): 2 years from the completion of the work or service (``performed``,
  else the issue date), not from the due date (C. conso L218-2; Cass. 3e civ. 1 March 2023).
* Public buyers (``public``): 4 years from 1 January of the year after the claim arose
  (the due date's year), and any written payment demand made to the buyer starts the
  4 years again from 1 January after the year of the demand (loi n° 68-1250, art. 1 and 2).

For private debtors a formal notice does not interrupt limitation (Cass. com. 18 May 2022):
only an acknowledgement by the debtor does here, and a payment is one (C. civ. 2240), which
starts the same period again from its date (C. civ. 2231). A court claim or an enforcement
measure also would, but they are outside the journal.

Pure functions: the date, the invoice and its journal entries are arguments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from relancegen.site.model import Invoice, JournalEntry

#: The years each regime's claims last, and the law that says so.
PERIODS = {
    "b2b": (5, "C. com. L110-4"),
    "b2c": (2, "C. conso L218-2"),
    "public": (4, "loi n° 68-1250"),
}
#: Journal statuses that prove a written demand reached (or may have reached) a public buyer.
WRITTEN_DEMAND_STATUSES = ("sent", "recorded", "unknown")
#: Media that are not a written demand.
NOT_WRITTEN = ("phone",)


def limitation_date(invoice: Invoice, kind: str, history: Iterable[JournalEntry] = ()) -> dt.date:
    """The first day on which the claim of ``invoice`` is time-barred."""
    years = PERIODS[kind][0]
    if kind == "public":
        demands = [
            entry.time.date() for entry in history
            if entry.status in WRITTEN_DEMAND_STATUSES and entry.channel not in NOT_WRITTEN
            and invoice.number in entry.invoices and entry.time.date() >= invoice.due
        ]
        last_event = max([invoice.due, *demands])
        return dt.date(last_event.year + 1 + years, 1, 1)
    start = invoice.due if kind == "b2b" else (invoice.performed or invoice.issued)
    acknowledgements = [payment.date for payment in invoice.payments if payment.date > start]
    return add_years(max([start, *acknowledgements]), years)


def is_time_barred(invoice: Invoice, kind: str, history: Iterable[JournalEntry], as_of: dt.date) -> bool:
    """Whether the claim can no longer be pursued on ``as_of``: escalation stops there
    (pursuing a time-barred consumer debt is a misleading practice, C. conso L121-2)."""
    return as_of >= limitation_date(invoice, kind, history)


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` later (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
