"""The stage decision of the spec's "Stages" section, as pure functions.

Given one client, its open invoices, its journal entries and the build date D, decide
which escalation stage's documents are due today, and which invoices get a prevention
notice. No clock, no I/O: every input is an argument, so the rules are table-tested.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from relancegen.site.model import Client, Invoice, JournalEntry, Policy, ScheduleStep, stage_rank

COUNTED_STATUSES = ("sent", "recorded")
STRATEGIC_CAP = "penalties"


@dataclass(frozen=True)
class StageDecision:
    stage: str | None
    calendar_stage: str | None
    last_stage: str | None
    last_stage_date: dt.date | None
    reason: str


def open_invoices(invoices: list[Invoice], as_of: dt.date) -> list[Invoice]:
    """Rule 1: invoices with something still owed on ``as_of`` and not disputed."""
    return [inv for inv in invoices if inv.outstanding(as_of) > 0 and not inv.disputed]


def prevention_invoices(
    open_: list[Invoice], entries: list[JournalEntry], as_of: dt.date, schedule: tuple[ScheduleStep, ...]
) -> list[Invoice]:
    """Rule 2: open invoices falling due within the prevention window, not yet notified."""
    window = next((step.days for step in schedule if step.stage == "prevention"), None)
    if window is None:
        return []
    notified = {
        number
        for entry in entries
        if entry.stage == "prevention" and entry.status in COUNTED_STATUSES
        for number in entry.invoices
    }
    return [
        inv
        for inv in open_
        if window <= (as_of - inv.due).days <= -1 and inv.number not in notified
    ]


def escalation_anchor(invoice: Invoice, client: Client, profiles: dict[str, int]) -> dt.date:
    """Rule 3: the later of the due date and issue + usual payment days, shifted by profile."""
    anchor = invoice.due
    if client.usual_payment_days is not None:
        anchor = max(anchor, invoice.issued + dt.timedelta(days=client.usual_payment_days))
    return anchor + dt.timedelta(days=profiles.get(client.payer, 0))


def decide_stage(
    client: Client,
    open_: list[Invoice],
    entries: list[JournalEntry],
    as_of: dt.date,
    *,
    schedule: tuple[ScheduleStep, ...],
    profiles: dict[str, int],
    policy: Policy,
) -> StageDecision:
    """Rules 3 to 5: the escalation stage whose documents are built on ``as_of``, if any."""
    escalation = [step for step in schedule if step.days > 0]
    overdue = [inv for inv in open_ if inv.due < as_of]
    last_stage, last_date = _last_recorded(entries, {inv.number for inv in open_})

    def none(calendar: str | None, reason: str) -> StageDecision:
        return StageDecision(None, calendar, last_stage, last_date, reason)

    if not overdue or not escalation:
        return none(None, "nothing overdue")
    earliest = min(escalation_anchor(inv, client, profiles) for inv in overdue)
    elapsed = (as_of - earliest).days
    reached = [step for step in escalation if step.days <= elapsed]
    if not reached:
        first = earliest + dt.timedelta(days=escalation[0].days)
        return none(None, f"not chased yet: {escalation[0].stage} from {first.isoformat()} (anchor {earliest.isoformat()})")
    calendar = reached[-1].stage

    if client.paused_until is not None and client.paused_until > as_of:
        return none(calendar, f"paused until {client.paused_until.isoformat()}")
    promised = [inv for inv in open_ if inv.promise is not None and inv.promise.date >= as_of]
    if promised:
        inv = promised[0]
        return none(calendar, f"promise of payment on {inv.promise.date.isoformat()} for {inv.number}")  # type: ignore[union-attr]

    order = [step.stage for step in escalation]
    if last_stage is None or last_stage not in order:
        following = order[0]
    else:
        position = order.index(last_stage)
        following = order[position + 1] if position + 1 < len(order) else None
    if following is None:
        return none(calendar, f"{last_stage} already done: the last stage of the schedule")
    stage = calendar if stage_rank(calendar) <= stage_rank(following) else following

    if client.strategic and stage_rank(stage) > stage_rank(STRATEGIC_CAP):
        stage = STRATEGIC_CAP
        if last_stage is not None and stage_rank(last_stage) >= stage_rank(STRATEGIC_CAP):
            return none(calendar, "strategic account: stops at penalties until a person decides on the formal notice")
    if last_stage is not None and stage_rank(stage) <= stage_rank(last_stage):
        return none(calendar, f"{last_stage} already done; the calendar is at {calendar}")
    if last_date is not None:
        allowed = last_date + dt.timedelta(days=policy.min_days_between_stages)
        if as_of < allowed:
            return none(calendar, f"next stage {stage} allowed from {allowed.isoformat()} ({policy.min_days_between_stages} days after {last_stage})")
    reason = f"{stage}: {elapsed} days past the anchor {earliest.isoformat()}"
    if stage != calendar:
        reason += f" (calendar: {calendar}; one step after {last_stage or 'nothing sent'})"
    return StageDecision(stage, calendar, last_stage, last_date, reason)


def _last_recorded(entries: list[JournalEntry], open_numbers: set[str]) -> tuple[str | None, dt.date | None]:
    """Rule 4: the most advanced escalation stage sent or recorded for the open invoices,
    dated by its latest entry."""
    counted = [
        entry
        for entry in entries
        if entry.stage != "prevention"
        and entry.status in COUNTED_STATUSES
        and open_numbers.intersection(entry.invoices)
    ]
    if not counted:
        return None, None
    top = max(counted, key=lambda entry: (stage_rank(entry.stage), entry.time))
    return top.stage, top.time.date()


def below_minimum(open_: list[Invoice], as_of: dt.date, minimum: Decimal) -> bool:
    """Rule 1: a client owing less than the policy's minimum balance is not chased."""
    return sum((inv.outstanding(as_of) for inv in open_), Decimal("0.00")) < minimum
