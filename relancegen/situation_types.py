"""A client's situation on the build date: what it owes, which stage it is at, and why.

This is the single object the stage engine produces and the renderer, the manifest and
plugins consume.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from relancegen.model import Client, Invoice, JournalEntry
from relancegen.penalties_types import InvoicePenalties


@dataclass(frozen=True)
class InvoiceLine:
    """One open invoice as a document shows it."""

    invoice: Invoice
    outstanding: Decimal
    days_late: int  # build date minus due date; negative when not yet due
    penalties: InvoicePenalties | None = None


@dataclass(frozen=True)
class ClientSituation:
    client: Client
    as_of: dt.date
    stage: str | None  # the escalation stage whose documents are built today, or None
    calendar_stage: str | None  # what the calendar alone would say
    last_stage: str | None  # the most advanced escalation stage sent or recorded
    last_stage_date: dt.date | None
    reason: str  # one sentence in English for the build summary: why this stage / why none
    overdue: tuple[InvoiceLine, ...]  # open invoices with due < as_of
    not_yet_due: tuple[InvoiceLine, ...]  # open invoices with due >= as_of
    prevention: tuple[InvoiceLine, ...]  # invoices that get a prevention notice today
    history: tuple[JournalEntry, ...]  # the client's journal entries, oldest first
    formal_notice_date: dt.date | None  # date of the formal_notice entry, if any

    @property
    def principal(self) -> Decimal:
        return sum((line.outstanding for line in self.overdue), Decimal("0.00"))

    @property
    def interest(self) -> Decimal:
        return sum((line.penalties.interest_due for line in self.overdue if line.penalties), Decimal("0.00"))

    @property
    def indemnity(self) -> Decimal:
        return sum((line.penalties.indemnity for line in self.overdue if line.penalties), Decimal("0.00"))

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest + self.indemnity

    @property
    def balance(self) -> Decimal:
        """Everything still owed in principal, due or not."""
        return self.principal + sum((line.outstanding for line in self.not_yet_due), Decimal("0.00"))
