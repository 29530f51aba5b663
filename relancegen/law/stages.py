"""The stage engine of the spec's "Stages" section (rules 1–8), as pure functions.

Dunning is a process over weeks: the journal is its memory. Given one client, its invoices,
its journal entries and a date D, :func:`decide_stage` says which *act* (one stage done for
the client) is due on D, which invoices it claims, and why. No clock, no I/O: every input is
an argument, so the rules are table-tested and property-tested, and ``relancegen plan`` runs
the same function over a simulated journal.

The engine reads only the acts dated before D: a build run again on D, after that morning's
``send``, decides the same act with the same invoices (so nothing new goes out and a failed
medium of that act is still in the manifest).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from relancegen.law.calendar import WorkingDays
from relancegen.law.limitation import is_time_barred
from relancegen.site.model import STAGE_MEDIA, STAGES, Client, Invoice, JournalEntry, Policy, ScheduleStep, resolved_as, stage_rank

#: Entries that count as done for escalation (spec "The journal": an unknown delivery may
#: have reached the debtor).
COUNTED_STATUSES = ("sent", "recorded", "unknown")
#: Stages whose documents give the debtor a deadline (the overdue letter's payment date,
#: the penalty letter's, the formal notice's): nothing escalates before it has passed.
DEADLINE_STAGES = ("overdue", "penalties", "formal_notice")
STRATEGIC_CAP = "penalties"
#: A public buyer is never handed to a collection agency: after the formal notice the route is
#: a prior written claim, then a référé-provision before the administrative court (CJA R541-1).
PUBLIC_CAP = "formal_notice"
CALL = "call"
PREVENTION = "prevention"
#: Stages whose registered letter states the interest as fact: held while an invoice's
#: interest rests on a rate no table verifies (spec "Penalties").
REGISTERED_STAGES = tuple(stage for stage, media in STAGE_MEDIA.items() if "registered_post" in media)
#: ``relancegen record --outcome`` values.
CALL_OUTCOMES = ("reached", "no-answer", "promise", "dispute")
ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Rules:
    """The site's settings the stage engine reads."""

    schedule: tuple[ScheduleStep, ...]
    profiles: dict[str, int]
    policy: Policy
    formal_notice_days: int = 8
    calendar: WorkingDays = field(default_factory=WorkingDays)
    delivery_days: int = 3  # terms.delivery_days: working days from a letter's date to its first presentation

    @classmethod
    def of(cls, site: Any) -> Rules:
        """The rules of a loaded :class:`~relancegen.site.model.Site`."""
        return cls(site.schedule, site.profiles, site.policy, site.terms.formal_notice_days, WorkingDays(site.working_days),
                   site.terms.delivery_days)

    @functools.cached_property
    def escalation(self) -> list[ScheduleStep]:
        return [step for step in self.schedule if step.days > 0]

    def deadline(self, stage: str, day: dt.date) -> dt.date | None:
        """The payment deadline a document of ``stage`` dated ``day`` prints (None for a
        stage that grants no delay): see :meth:`granted`."""
        return self.granted(day) if stage in DEADLINE_STAGES else None

    def expected_receipt(self, day: dt.date) -> dt.date:
        """When a letter dated ``day`` is expected to be first presented to the debtor:
        ``delivery_days`` working days after it."""
        return self.calendar.after(day, self.delivery_days)

    def granted(self, day: dt.date) -> dt.date:
        """The last day of the delay a letter dated ``day`` grants: ``formal_notice_days``
        from its expected receipt (the day of receipt not counted), moved to the next
        working day when it falls on a weekend or a public holiday."""
        return self.calendar.on_or_after(self.expected_receipt(day) + dt.timedelta(days=self.formal_notice_days))

    def following(self, stage: str | None) -> str | None:
        """The escalation stage after ``stage`` in the schedule (the first one after none)."""
        return self._following.get(stage)

    @functools.cached_property
    def _following(self) -> dict[str | None, str | None]:
        ranks = [(stage_rank(step.stage), step.stage) for step in self.escalation]
        return {stage: next((name for rank, name in ranks if rank > (stage_rank(stage) if stage else 0)), None) for stage in (None, *STAGES)}

    def days_of(self, stage: str) -> int | None:
        return next((step.days for step in self.schedule if step.stage == stage), None)


@dataclass(frozen=True)
class Act:
    """One stage done for a client on one day: its journal entries, merged over media."""

    stage: str
    day: dt.date
    invoices: frozenset[str]
    deadline: dt.date | None
    by_person: bool


@dataclass(frozen=True)
class PromiseMade:
    """A payment promise, from invoices.yml (``promise:``) or the journal (``record --promise-date``)."""

    date: dt.date
    amount: Decimal | None
    invoices: tuple[str, ...]
    source: str  # "invoices" | "journal"


@dataclass(frozen=True)
class InvoiceStage:
    """Where one overdue open invoice stands on D (rules 3–5)."""

    number: str
    anchor: dt.date
    calendar_stage: str | None
    last_stage: str | None
    last_day: dt.date | None
    deadline: dt.date | None  # the latest deadline an act naming it gave
    due_stage: str | None  # the stage it is due for on D, or None
    waiting: str  # why it is not due (empty when due)
    waits_until: dt.date | None = None  # when the reason it waits lifts, if nothing else changes
    call_due_since: dt.date | None = None  # a call is due and none was recorded yet
    call_missed_since: dt.date | None = None  # the call was due since then and never made
    held: str | None = None  # the registered stage it is due for, held: its interest rests on an unverified rate


@dataclass(frozen=True)
class StageDecision:
    stage: str | None  # the act due today, or None
    calendar_stage: str | None  # the most advanced calendar stage among the overdue invoices
    last_stage: str | None  # the client's most advanced act so far
    last_stage_date: dt.date | None
    reason: str
    claimed: tuple[str, ...] = ()  # the invoices today's act claims
    invoices: tuple[InvoiceStage, ...] = ()
    deadline: dt.date | None = None  # the deadline today's act prints
    hold: str | None = None  # pause or running promise, when escalation is held
    call_missed_since: dt.date | None = None
    #: The first day the decision may change without new data or acts (None: not before the
    #: data or the journal change; for an act other than a pending call, unknown). ``plan``
    #: skips to it.
    next_change: dt.date | None = None


def counted(entries: list[JournalEntry] | tuple[JournalEntry, ...]) -> list[JournalEntry]:
    """The entries that count as done for escalation: sent, recorded, and unknown (it may
    have reached the debtor) unless a person resolved that delivery as not delivered."""
    not_delivered = resolved_as(entries, "not-delivered")
    return [
        e for e in entries
        if e.status in COUNTED_STATUSES and not (e.status == "unknown" and e.delivery_id in not_delivered)
    ]


def open_invoices(
    invoices: list[Invoice], as_of: dt.date, entries: list[JournalEntry] | tuple[JournalEntry, ...] = (), kind: str | None = None,
    owed: Callable[[Invoice], Decimal] | None = None, with_disputed: bool = False,
) -> list[Invoice]:
    """Rule 1: invoices with something still owed on ``as_of``, not disputed (in invoices.yml,
    or by a call recorded with ``--outcome dispute``) and, given the debtor's ``kind``, not
    time-barred. ``owed`` gives the principal still owed when payments are imputed to
    interest first (:func:`relancegen.law.penalties.principal_owed`); by default, what the
    payments leave of the amount. ``with_disputed`` keeps the disputed ones: a claim declared
    in collective proceedings includes them."""
    disputed = set() if with_disputed else disputed_in_journal(entries)
    owed = owed or (lambda inv: inv.outstanding(as_of))
    return [
        inv for inv in invoices
        if owed(inv) > 0 and (with_disputed or not inv.disputed) and inv.number not in disputed
        and (kind is None or not is_time_barred(inv, kind, entries, as_of))
    ]


def disputed_in_journal(entries: list[JournalEntry] | tuple[JournalEntry, ...]) -> set[str]:
    """Invoices a person recorded as disputed by the debtor."""
    return {n for e in entries if e.status == "recorded" and e.extra.get("outcome") == "dispute" for n in e.invoices}


def prevention_invoices(
    open_: list[Invoice], entries: list[JournalEntry], as_of: dt.date, schedule: tuple[ScheduleStep, ...],
    calendar: WorkingDays | None = None,
) -> list[Invoice]:
    """Rule 2: open invoices falling due within the prevention window, not yet notified
    (sent on working days only, rule 8)."""
    window = next((step.days for step in schedule if step.stage == PREVENTION), None)
    if window is None or (calendar is not None and not calendar.is_working_day(as_of)):
        return []
    notified = {
        number
        for entry in counted(entries)
        if entry.stage == PREVENTION and entry.time.date() < as_of
        for number in entry.invoices
    }
    return [inv for inv in open_ if window <= (as_of - inv.due).days <= -1 and inv.number not in notified]


def escalation_anchor(invoice: Invoice, client: Client, profiles: dict[str, int]) -> dt.date:
    """Rule 3: the later of the due date and issue + usual payment days, shifted by profile."""
    anchor = invoice.due
    if client.usual_payment_days is not None:
        anchor = max(anchor, invoice.issued + dt.timedelta(days=client.usual_payment_days))
    return anchor + dt.timedelta(days=profiles.get(client.payer, 0))


def acts_of(entries: list[JournalEntry] | tuple[JournalEntry, ...], rules: Rules, before: dt.date) -> list[Act]:
    """Rule 4: the client's escalation acts dated before ``before``, oldest first: the
    counted entries of one stage on one day, merged over their media."""
    grouped: dict[tuple[str, dt.date], list[JournalEntry]] = {}
    for entry in counted(entries):
        day = entry.time.date()
        if entry.stage != PREVENTION and entry.stage in STAGES and day < before:  # not a declaration
            grouped.setdefault((entry.stage, day), []).append(entry)
    return [
        Act(
            stage=stage,
            day=day,
            invoices=frozenset(n for e in group for n in e.invoices),
            deadline=rules.deadline(stage, day),
            by_person=any(e.status == "recorded" for e in group),
        )
        for (stage, day), group in sorted(grouped.items(), key=lambda item: (item[0][1], stage_rank(item[0][0])))
    ]


def promises_of(invoices: list[Invoice], entries: list[JournalEntry] | tuple[JournalEntry, ...]) -> list[PromiseMade]:
    """Rule 6: every payment promise made, from the data and from the journal."""
    found = [PromiseMade(inv.promise.date, inv.promise.amount, (inv.number,), "invoices") for inv in invoices if inv.promise]
    for entry in entries:
        raw = entry.extra.get("promise")
        if entry.status != "recorded" or not isinstance(raw, dict):
            continue
        try:
            date = dt.date.fromisoformat(str(raw.get("date")))
            amount = Decimal(str(raw["amount"])) if raw.get("amount") is not None else None
        except (ValueError, InvalidOperation):
            continue
        found.append(PromiseMade(date, amount, tuple(entry.invoices), "journal"))
    return found


def running_promise(promises: list[PromiseMade], open_numbers: set[str], as_of: dt.date) -> PromiseMade | None:
    """The promise that holds escalation on ``as_of``: dated on or after it, about an
    invoice still open (a promise naming no invoice covers them all)."""
    running = [p for p in promises if p.date >= as_of and (not p.invoices or open_numbers.intersection(p.invoices))]
    return max(running, key=lambda p: p.date) if running else None


def decide_stage(
    client: Client,
    open_: list[Invoice],
    entries: list[JournalEntry],
    as_of: dt.date,
    *,
    rules: Rules,
    all_invoices: list[Invoice] | None = None,
    unverified: dict[str, str] | None = None,
) -> StageDecision:
    """Rules 3 to 8: the act due for the client on ``as_of``, the invoices it claims, and why.

    ``unverified`` names the invoices whose interest rests on a rate no table verifies (with
    what is missing): a registered stage is held for them, lesser stages go on."""
    acts = acts_of(entries, rules, as_of)
    last_act = max(acts, key=lambda a: (stage_rank(a.stage), a.day), default=None)
    last_stage, last_date = (last_act.stage, last_act.day) if last_act else (None, None)
    overdue = [inv for inv in open_ if inv.due < as_of]
    if not overdue or not rules.escalation:
        return StageDecision(None, None, last_stage, last_date, "nothing overdue")

    promises = promises_of(all_invoices if all_invoices is not None else open_, entries)
    hold_end = _hold_end(client, promises, as_of)
    client_ready = acts[-1].day + dt.timedelta(days=max(rules.policy.min_days_between_stages, 1)) if acts else None
    states = tuple(_invoice_stage(inv, client, acts, as_of, rules, client_ready, hold_end) for inv in sorted(overdue, key=lambda i: (i.due, i.number)))
    states = tuple(_held_on_rate(state, (unverified or {}).get(state.number)) for state in states)
    calendar = max((s.calendar_stage for s in states if s.calendar_stage), key=stage_rank, default=None)
    missed = min((s.call_missed_since for s in states if s.call_missed_since), default=None)

    def none(reason: str, until: dt.date | None, hold: str | None = None) -> StageDecision:
        return StageDecision(None, calendar, last_stage, last_date, reason, (), states, None, hold, missed, until)

    if client.paused_until is not None and client.paused_until > as_of:
        return none(f"paused until {client.paused_until.isoformat()}", client.paused_until, "paused")
    promise = running_promise(promises, {inv.number for inv in open_}, as_of)
    if promise is not None:
        about = f" for {', '.join(promise.invoices)}" if promise.invoices else ""
        return none(f"promise of payment on {promise.date.isoformat()}{about}", promise.date + ONE_DAY, "promise")
    due = [s for s in states if s.due_stage]
    if not due:
        waiting = max(states, key=lambda s: (stage_rank(s.calendar_stage) if s.calendar_stage else -1, s.number))
        return none(waiting.waiting, min((s.waits_until for s in states if s.waits_until), default=None))
    stage = max((s.due_stage for s in due), key=stage_rank)  # type: ignore[arg-type]
    if not rules.calendar.is_working_day(as_of):
        return none(f"{stage} due, but {as_of.isoformat()} is {rules.calendar.why_not(as_of)}: acts go out on working days", as_of + ONE_DAY)
    if client_ready is not None and as_of < client_ready:
        return none(f"next act ({stage}) allowed from {client_ready.isoformat()}, {rules.policy.min_days_between_stages} days after the {acts[-1].stage} of {acts[-1].day.isoformat()}", client_ready)
    claimed = tuple(s.number for s in due if s.due_stage == stage)
    reason = f"{stage} for {', '.join(claimed)}"
    pending = [s for s in due if s.due_stage == CALL]
    next_change = None
    if stage == CALL and pending:
        since = min(s.call_due_since for s in pending if s.call_due_since)  # type: ignore[type-var]
        goes_on = since + dt.timedelta(days=rules.policy.call_wait_days)
        reason += f": call due since {since.isoformat()}; without a call recorded, escalation goes on from {goes_on.isoformat()}"
        # The same call is due every day until then, unless another invoice's wait ends first.
        next_change = min([goes_on, *(s.waits_until for s in states if s.waits_until)])
    elif missed is not None:
        reason += f" (the call due since {missed.isoformat()} was never made)"
    others = [s.number for s in states if s.number not in claimed]
    if others:
        reason += f"; mentions {', '.join(others)}"
    return StageDecision(stage, calendar, last_stage, last_date, reason, claimed, states, rules.deadline(stage, as_of), None, missed, next_change)


def _held_on_rate(state: InvoiceStage, missing: str | None) -> InvoiceStage:
    """A registered stage is not sent on an unverified rate: the invoice waits for the site
    to add the rate under ``rates:`` (a data change: no date is known when it lifts)."""
    if missing is None or state.due_stage not in REGISTERED_STAGES:
        return state
    why = f"{state.number}: {state.due_stage} held: {missing} is not verified; add it under `rates:` in site.yml"
    return dataclasses.replace(state, due_stage=None, waiting=why, waits_until=None, held=state.due_stage)


def _hold_end(client: Client, promises: list[PromiseMade], as_of: dt.date) -> dt.date | None:
    """The day the last hold before ``as_of`` ended: escalation (and the call's wait)
    starts again from there."""
    ends = [p.date + ONE_DAY for p in promises if p.date < as_of]
    if client.paused_until is not None and client.paused_until <= as_of:
        ends.append(client.paused_until)
    return max(ends, default=None)


def _invoice_stage(
    invoice: Invoice, client: Client, acts: list[Act], as_of: dt.date, rules: Rules,
    client_ready: dt.date | None, hold_end: dt.date | None,
) -> InvoiceStage:
    """Rules 3–5 for one overdue open invoice."""
    anchor = escalation_anchor(invoice, client, rules.profiles)
    elapsed = (as_of - anchor).days
    reached = [step for step in rules.escalation if step.days <= elapsed]
    calendar = reached[-1].stage if reached else None
    mine = [act for act in acts if invoice.number in act.invoices]
    last = max(mine, key=lambda a: (stage_rank(a.stage), a.day), default=None)
    deadline = max((act.deadline for act in mine if act.deadline), default=None)
    ready = max(
        [day for day in (last and last.day + dt.timedelta(days=rules.policy.min_days_between_stages), deadline and deadline + ONE_DAY) if day],
        default=None,
    )
    state = {"number": invoice.number, "anchor": anchor, "calendar_stage": calendar,
             "last_stage": last.stage if last else None, "last_day": last.day if last else None, "deadline": deadline}

    def waiting(why: str, until: dt.date | None, **more: Any) -> InvoiceStage:
        return InvoiceStage(**state, due_stage=None, waiting=f"{invoice.number}: {why}", waits_until=until, **more)

    following = rules.following(last.stage if last else None)
    call_days = rules.days_of(CALL)
    missed: dict[str, dt.date] = {}
    manual = [a for a in acts if a.by_person and call_days is not None and a.day >= anchor + dt.timedelta(days=call_days)]
    if following == CALL and manual:
        # Rule 5: any manual action recorded for the client once the call was due does it.
        following = rules.following(CALL)
        ready = max(day for day in (ready, manual[-1].day + dt.timedelta(days=rules.policy.min_days_between_stages)) if day)
    elif following == CALL and call_days is not None:
        call_from = rules.calendar.on_or_after(max(day for day in (anchor + dt.timedelta(days=call_days), ready, client_ready, hold_end) if day))
        if as_of < call_from:
            return waiting(f"call from {call_from.isoformat()}", call_from)
        if as_of < call_from + dt.timedelta(days=rules.policy.call_wait_days):
            return InvoiceStage(**state, due_stage=CALL, waiting="", call_due_since=call_from)
        missed = {"call_missed_since": call_from}
        following = rules.following(CALL)
        ready = max(day for day in (ready, call_from + dt.timedelta(days=rules.policy.call_wait_days)) if day)
    if following is None:
        return waiting(f"{last.stage if last else 'nothing'} done: the last stage of the schedule", None, **missed)
    if client.strategic and stage_rank(following) > stage_rank(STRATEGIC_CAP):
        return waiting("strategic account: escalation stops at penalties until a person decides on the formal notice", None, **missed)
    if client.kind == "public" and stage_rank(following) > stage_rank(PUBLIC_CAP):
        return waiting("public buyer: no collection agency; after the formal notice, a prior claim then a référé-provision before the administrative court (a person's decision)", None, **missed)
    if calendar is None or stage_rank(calendar) < stage_rank(following):
        starts = anchor + dt.timedelta(days=rules.days_of(following) or 0)
        return waiting(f"{following} from {starts.isoformat()} (anchor {anchor.isoformat()})", starts, **missed)
    if deadline is not None and as_of <= deadline:
        return waiting(f"inside the delay granted until {deadline.isoformat()} by the {last.stage if last else ''} letter", deadline + ONE_DAY, **missed)
    if ready is not None and as_of < ready:
        return waiting(f"{following} allowed from {ready.isoformat()} ({rules.policy.min_days_between_stages} days after {last.stage if last else 'the call'})", ready, **missed)
    return InvoiceStage(**state, due_stage=following, waiting="", **missed)


def below_minimum(open_: list[Invoice], as_of: dt.date, minimum: Decimal) -> bool:
    """Rule 1: a client owing less than the policy's minimum balance is not chased."""
    return sum((inv.outstanding(as_of) for inv in open_), Decimal("0.00")) < minimum
