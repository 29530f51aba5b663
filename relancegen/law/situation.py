"""Each client's situation on the build date: open invoices, stage and penalties.

Combines the stage decision (:mod:`relancegen.law.stages`) with the penalty engine
(:mod:`relancegen.law.penalties`) into one :class:`ClientSituation` per client.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from relancegen.law import stages
from relancegen.law.declaration import Declaration, declaration_of, declared
from relancegen.law.limitation import is_time_barred
from relancegen.site.model import STAGES, Client, Invoice, JournalEntry, PenaltiesSettled, Site
from relancegen.law.penalties import InvoicePenalties, compute_penalties, formal_notice_date, formal_notice_dates, principal_owed, rates_missing, settlement_of

@dataclass(frozen=True)
class InvoiceLine:
    """One open invoice as a document shows it."""

    invoice: Invoice
    outstanding: Decimal
    days_late: int  # build date minus due date; negative when not yet due
    penalties: InvoicePenalties | None = None
    settled: PenaltiesSettled | None = None  # its penalties were paid or waived: only its principal is claimed


@dataclass(frozen=True)
class ClientSituation:
    client: Client
    as_of: dt.date
    stage: str | None  # the escalation stage whose documents are built today, or None
    calendar_stage: str | None  # what the calendar alone would say
    last_stage: str | None  # the most advanced escalation stage sent or recorded
    last_stage_date: dt.date | None
    reason: str  # one sentence in English for the build summary: why this stage / why none
    overdue: tuple[InvoiceLine, ...]  # what the documents claim: on an act day the invoices the act
    # claims (spec rule 7), otherwise every open invoice with due < as_of
    not_yet_due: tuple[InvoiceLine, ...]  # open invoices with due >= as_of
    prevention: tuple[InvoiceLine, ...]  # invoices that get a prevention notice today
    history: tuple[JournalEntry, ...]  # the client's journal entries, oldest first
    formal_notice_date: dt.date | None  # date of the formal_notice entry, if any
    other_overdue: tuple[InvoiceLine, ...] = ()  # overdue open invoices today's act mentions but does not claim
    deadline: dt.date | None = None  # the payment deadline a document dated as_of prints (stages.Rules.granted)
    decision: stages.StageDecision | None = None  # the stage engine's full answer, per invoice
    working_day: bool = True  # documents are dated and sent on working days only (rule 8)
    paid_late: tuple[InvoiceLine, ...] = ()  # invoices paid, but late, whose penalties are claimed (claim_paid_late)
    # invoices paid late whose penalties rest on an unverified rate: not claimed until the site gives it
    paid_late_held: tuple[InvoiceLine, ...] = ()
    declaration: Declaration | None = None  # in collective proceedings: the claim still to declare

    @property
    def paid_late_total(self) -> Decimal:
        """The penalties owed on invoices paid late: what the debit note claims."""
        return debit_note_total(self.paid_late)

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


#: How much a payer profile weighs in the call priority.
PAYER_RISK = {"bad": Decimal("1.5"), "average": Decimal("1.0"), "good": Decimal("0.7")}


def compute_situation(site: Site, client: Client, as_of: dt.date) -> ClientSituation:
    """The client's situation on ``as_of``, following the spec's stage rules."""
    invoices = site.invoices_of(client.id)
    history = site.journal_of(client.id)
    rules = stages.Rules.of(site)
    notices = formal_notice_dates(history)
    def owed(invoice: Invoice) -> Decimal:
        return principal_owed(invoice, kind=client.kind, terms=site.terms, rates=site.rates, as_of=as_of,
                              formal_notice_date=notices.get(invoice.number))

    open_ = stages.open_invoices(invoices, as_of, history, client.kind, owed=owed)
    notice = formal_notice_date(history)
    lines = [_line(site, client, inv, as_of, notices.get(inv.number)) for inv in open_]
    overdue = tuple(line for line in lines if line.invoice.due < as_of)
    not_yet_due = tuple(line for line in lines if line.invoice.due >= as_of)

    proceedings = client.insolvency if client.insolvency and client.insolvency.judgment <= as_of else None
    if proceedings is not None:
        # Rule 1: collective proceedings stop individual actions (C. com. L622-21)
        decision = stages.StageDecision(None, None, None, None, f"collective proceedings ({proceedings.procedure}, judgment of {proceedings.judgment.isoformat()}): dunning stops; the claim is declared to the mandataire judiciaire")
        prevention: tuple[InvoiceLine, ...] = ()
    elif not open_ or stages.below_minimum(open_, as_of, site.policy.minimum_balance):
        reason = "nothing open" if not open_ else f"balance below the minimum of {site.policy.minimum_balance} €"
        decision = stages.StageDecision(None, None, None, None, reason)
        prevention = ()
    else:
        unverified = rates_missing((line.penalties for line in lines if line.penalties), site.rates)
        decision = stages.decide_stage(client, open_, history, as_of, rules=rules, all_invoices=invoices, unverified=unverified)
        noticed = {inv.number for inv in stages.prevention_invoices(open_, history, as_of, site.schedule, rules.calendar)}
        prevention = tuple(line for line in not_yet_due if line.invoice.number in noticed)
    claimed = tuple(line for line in overdue if line.invoice.number in decision.claimed) if decision.stage else overdue
    paid_late, paid_late_held = debit_note_lines(site, client, invoices, {inv.number for inv in open_}, history, as_of)
    return ClientSituation(
        client=client,
        as_of=as_of,
        stage=decision.stage,
        calendar_stage=decision.calendar_stage,
        last_stage=decision.last_stage,
        last_stage_date=decision.last_stage_date,
        reason=decision.reason,
        overdue=claimed,
        not_yet_due=not_yet_due,
        prevention=prevention,
        history=tuple(history),
        formal_notice_date=notice,
        other_overdue=tuple(line for line in overdue if line not in claimed),
        deadline=rules.granted(as_of),
        decision=decision,
        working_day=rules.calendar.is_working_day(as_of),
        paid_late=paid_late,
        paid_late_held=paid_late_held,
        declaration=declaration_of(site, client, [inv.number for inv in (
            *stages.open_invoices(invoices, as_of, history, client.kind, owed=owed, with_disputed=True),
            *(line.invoice for line in (*paid_late, *paid_late_held)))])
        if proceedings and not declared(history) else None,
    )


def compute_situations(site: Site, as_of: dt.date, client_id: str | None = None) -> list[ClientSituation]:
    """Every client's situation (or one client's), in client id order."""
    ids = [client_id] if client_id else sorted(site.clients)
    return [compute_situation(site, site.clients[cid], as_of) for cid in ids]


def specimen_situations(site: Site, client: Client, as_of: dt.date) -> list[ClientSituation]:
    """One situation per stage, the stage forced: the specimen of ``build --all-stages``.

    A client with nothing overdue still gets every stage, with its open invoices treated as
    overdue so that a proof-reader sees filled-in documents. The prevention notice, which
    announces a coming due date, is shown only for invoices not yet due: never for an
    invoice due months ago.
    """
    base = compute_situation(site, client, as_of)
    overdue = (base.overdue + base.other_overdue) or base.not_yet_due
    prevention = base.not_yet_due
    return [
        dataclasses.replace(
            base,
            stage=stage if stage != "prevention" else None,
            overdue=overdue,
            other_overdue=(),
            not_yet_due=() if overdue == base.not_yet_due else base.not_yet_due,  # never listed twice
            paid_late=base.paid_late + base.paid_late_held,  # a specimen marks an unverified rate, never holds
            paid_late_held=(),
            prevention=prevention if stage == "prevention" else (),
            reason="specimen",
            declaration=base.declaration if stage == "reminder" else None,  # shown once, beside the first act
        )
        for stage in STAGES
        if not (client.kind == "public" and stage == "collection")  # never an agency for a public buyer
        and not (stage == "prevention" and not prevention)
    ]


def call_priority(situations: list[ClientSituation]) -> list[ClientSituation]:
    """Clients to phone, most urgent first.

    The score is the overdue principal × the payer-profile weight (bad 1.5, average 1,
    good 0.7) × (1 + days late of the oldest invoice / 30): a large, old debt of a bad
    payer comes first.
    """

    def score(situation: ClientSituation) -> Decimal:
        oldest = max((line.days_late for line in situation.overdue), default=0)
        weight = PAYER_RISK.get(situation.client.payer, Decimal("1"))
        return situation.principal * weight * (1 + Decimal(oldest) / 30)

    return sorted(situations, key=lambda s: (-score(s), s.client.id))


def debit_note_lines(site: Site, client: Client, invoices: list[Invoice], open_numbers: set[str],
                     history: list[JournalEntry], as_of: dt.date) -> tuple[tuple[InvoiceLine, ...], tuple[InvoiceLine, ...]]:
    """What a debit note claims on ``as_of`` (the invoices paid late), and what it leaves out
    until the site gives a rate no table verifies."""
    lines = _paid_late(site, client, invoices, open_numbers, history, as_of)
    unverified = rates_missing((line.penalties for line in lines if line.penalties), site.rates)
    return (tuple(line for line in lines if line.invoice.number not in unverified),
            tuple(line for line in lines if line.invoice.number in unverified))


def debit_note_total(lines: Iterable[InvoiceLine]) -> Decimal:
    """What a debit note claims on these invoices paid late: their penalties."""
    return sum((line.penalties.total_penalties for line in lines if line.penalties), Decimal("0.00"))


def _paid_late(site: Site, client: Client, invoices: list[Invoice], open_numbers: set[str],
               history: list[JournalEntry], as_of: dt.date) -> tuple[InvoiceLine, ...]:
    """The invoices paid, but late, that still owe penalties (``terms.claim_paid_late``):
    neither open, disputed, time-barred, nor with their penalties paid or waived since."""
    if not site.terms.claim_paid_late:
        return ()
    lines = []
    notices = formal_notice_dates(history)
    for invoice in invoices:
        if invoice.number in open_numbers or invoice.disputed or is_time_barred(invoice, client.kind, history, as_of):
            continue
        line = _line(site, client, invoice, as_of, notices.get(invoice.number))
        if line.outstanding <= 0 and line.penalties is not None and line.penalties.total_penalties > 0:
            lines.append(dataclasses.replace(line, days_late=line.penalties.days_late))  # late until its payment
    return tuple(lines)


def _line(site: Site, client: Client, invoice: Invoice, as_of: dt.date, notice: dt.date | None) -> InvoiceLine:
    penalties = compute_penalties(
        invoice, kind=client.kind, terms=site.terms, rates=site.rates, as_of=as_of, formal_notice_date=notice
    )
    return InvoiceLine(
        invoice=invoice,
        # the principal still owed: with interest_first, payments settled interest first
        outstanding=penalties.outstanding if penalties else invoice.outstanding(as_of),
        days_late=(as_of - invoice.due).days,
        penalties=penalties,
        settled=settlement_of(invoice, as_of),
    )
