"""The morning to-do: what a person must do today, read from the situations and the journal.

``relancegen build`` and ``relancegen send`` print it after their own report (and in their
JSON output); :func:`exit_status` is the exit code they share: 0 when nothing waits for a
person, 3 when someone must act. Pure: the date and the journal are arguments.

Items, most pressing kind first:

- ``call``: calls to make today, most urgent first (:func:`call_priority`), with the number;
- ``unknown``: deliveries whose outcome nobody knows, until ``relancegen resolve`` answers;
- ``failed``: deliveries whose last attempt failed (tried again at the next ``send``);
- ``promise``: payment promises falling due today or in the next two days, and broken ones
  (escalation resumed);
- ``missed_call``: calls that were due and never made (escalation went on without them);
- ``limitation``: open claims that become time-barred within 90 days;
- ``declaration``: the claim to declare against a debtor in collective proceedings;
- ``after_judgment``: overdue invoices of such a debtor born after the opening judgment,
  which are not declared and which nothing else chases;
- ``rate``: registered letters held because a rate they would state is not verified: which
  rate, for which half-year, and the ``rates:`` line to add to site.yml.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from relancegen.law.checks import LIMITATION_NOTICE_DAYS
from relancegen.law.limitation import limitation_date
from relancegen.law.penalties import unverified_fixings
from relancegen.law.plan import PENALTY_STAGES
from relancegen.law.situation import ClientSituation, call_priority, compute_situations
from relancegen.law.stages import promises_of
from relancegen.site.model import JournalEntry, Site

KINDS = ("call", "unknown", "failed", "promise", "missed_call", "limitation", "declaration", "after_judgment", "rate")
EXIT_ALL_DONE = 0
EXIT_PERSON_MUST_ACT = 3
PROMISE_LOOKAHEAD_DAYS = 2
BROKEN_PROMISE_DAYS = 7
#: Journal statuses that settle a delivery whose outcome was unknown or failed.
SETTLING = ("sent", "resolved")


@dataclass(frozen=True)
class TodoItem:
    kind: str  # one of KINDS
    client: str
    text: str  # one line, in English
    phone: str | None = None
    delivery_id: str | None = None
    day: dt.date | None = None


@dataclass(frozen=True)
class Todo:
    as_of: dt.date
    items: tuple[TodoItem, ...] = field(default=())

    def of_kind(self, kind: str) -> list[TodoItem]:
        return [item for item in self.items if item.kind == kind]

    def as_json(self) -> dict[str, object]:
        return {
            "as_of": self.as_of.isoformat(),
            "exit_status": exit_status(self),
            "items": [{**asdict(item), "day": item.day.isoformat() if item.day else None} for item in self.items],
        }


def exit_status(todo: Todo) -> int:
    """0 when nothing waits for a person, 3 when a person must act (README, "Exit codes")."""
    return EXIT_PERSON_MUST_ACT if todo.items else EXIT_ALL_DONE


def site_todo(site: Site, as_of: dt.date) -> Todo:
    """The to-do of the whole site on ``as_of`` (every client's situation computed)."""
    return morning_todo(site, compute_situations(site, as_of), as_of)


def morning_todo(site: Site, situations: list[ClientSituation], as_of: dt.date) -> Todo:
    """Everything a person must do on ``as_of``, most pressing kind first."""
    items = _calls(situations)
    items += _deliveries(site.journal)
    items += _promises(site, as_of)
    items += [
        TodoItem("missed_call", s.client.id, f"the call due since {s.decision.call_missed_since.isoformat()} was never made; escalation went on without it", _phone(s), day=s.decision.call_missed_since)
        for s in situations if s.decision is not None and s.decision.call_missed_since is not None
    ]
    items += _limitations(site, as_of)
    items += _declarations(situations, as_of)
    items += _claims_after_judgment(situations, as_of)
    items += _rate_holds(site, situations)
    concerned = {situation.client.id for situation in situations}
    return Todo(as_of, tuple(item for item in items if item.client in concerned))


def _declarations(situations: list[ClientSituation], as_of: dt.date) -> list[TodoItem]:
    """Clients in collective proceedings who still owe: their claim is declared to the
    mandataire judiciaire within two months of the BODACC publication (C. com. L622-24)."""
    items = []
    for situation in situations:
        proceedings = situation.client.insolvency
        if proceedings is None or proceedings.judgment > as_of or situation.declaration is None:
            continue  # not in proceedings, nothing to declare, or declared (the journal says so)
        deadline = situation.declaration.deadline
        if deadline is None or proceedings.published is None:
            when = "within two months of its BODACC publication (add insolvency.published)"
        else:
            when = f"by {deadline.isoformat()} (two months from the BODACC publication of {proceedings.published.isoformat()})"
        how = ("the build writes the declaration, which `relancegen send` posts by registered letter" if proceedings.mandataire
               else "add insolvency.mandataire (name, address) and the build writes the declaration")
        items.append(TodoItem("declaration", situation.client.id, f"{proceedings.procedure} opened on {proceedings.judgment.isoformat()}: dunning stopped; declare the claim to the mandataire judiciaire {when}, interest stopped at the judgment; {how}", day=proceedings.published))
    return items


def _claims_after_judgment(situations: list[ClientSituation], as_of: dt.date) -> list[TodoItem]:
    """Overdue invoices of a debtor in collective proceedings that were born after the opening
    judgment: not declared, and no longer dunned (rule 1), though the law has them paid at
    their due date (C. com. L622-17) and keeps their priority only if they are brought to the
    administrateur's knowledge within a year of the end of the observation period (L622-17 IV;
    L641-13 in liquidation)."""
    items = []
    for situation in situations:
        proceedings = situation.client.insolvency
        if proceedings is None or proceedings.judgment > as_of:
            continue
        lines = [line for line in (*situation.overdue, *situation.other_overdue) if line.invoice.born >= proceedings.judgment]
        if not lines:
            continue
        numbers = ", ".join(line.invoice.number for line in lines)
        owed = sum((line.outstanding for line in lines), Decimal("0.00"))
        items.append(TodoItem("after_judgment", situation.client.id, (
            f"{numbers}: {owed} € overdue, born after the opening judgment of {proceedings.judgment.isoformat()}, so neither "
            "declared nor dunned; it is payable at its due date (C. com. L622-17): claim it from the administrateur judiciaire "
            "(or the debtor's management), and to keep its priority bring it to the administrateur's knowledge (failing one, "
            "the mandataire's) within a year of the end of the observation period (L622-17 IV; L641-13 in liquidation)"),
            day=min(line.invoice.due for line in lines)))
    return items


def _rate_holds(site: Site, situations: list[ClientSituation]) -> list[TodoItem]:
    """Registered stages held on an unverified rate, and penalties on invoices paid late left
    out of today's debit note for the same reason: the rate to check, where, and the
    ``rates:`` line that lets the next run claim them."""
    items = []
    for situation in situations:
        held = [state for state in (situation.decision.invoices if situation.decision else ()) if state.held]
        lines = {line.invoice.number: line for line in (*situation.overdue, *situation.other_overdue, *situation.paid_late_held)}
        waiting = [(state.number, f"{state.held} held for {state.number}") for state in held]
        if situation.stage in PENALTY_STAGES:  # a debit note leaves today: what it leaves out
            waiting += [(line.invoice.number, f"the penalties of {line.invoice.number}, paid late, left out of the debit note")
                        for line in situation.paid_late_held]
        for number, what in waiting:
            penalties = lines[number].penalties if number in lines else None
            for fixing in unverified_fixings((penalties,), site.rates) if penalties else ():
                if fixing.table == "ecb":
                    where = (f"check it in the ECB's or the Banque de France's publication of the key ECB interest rates "
                             f"({fixing.rate} % if unchanged since {fixing.since.isoformat() if fixing.since else 'the last table entry'})")
                else:
                    where = "check the arrêté fixing it, published in the Journal officiel (also on the Banque de France's site)"
                items.append(TodoItem("rate", situation.client.id, f"{what}: {fixing.describe()} is not verified; {where}, then add to site.yml `{fixing.rates_line()}` with the published value", day=fixing.reference_day))
    return items


def _phone(situation: ClientSituation) -> str | None:
    contact = situation.client.accounting_contact
    if contact and contact.phone:
        return contact.phone
    return next((c.phone for c in situation.client.contacts if c.phone), None)


def _calls(situations: list[ClientSituation]) -> list[TodoItem]:
    callers = call_priority([s for s in situations if s.stage == "call"])
    items = []
    for situation in callers:
        contact = situation.client.accounting_contact
        who = f" ({contact.name})" if contact else ""
        numbers = ", ".join(line.invoice.number for line in situation.overdue)
        items.append(TodoItem("call", situation.client.id, f"call {situation.client.name}{who} about {numbers}: {situation.principal} € overdue, then `relancegen record`", _phone(situation)))
    return items


def _deliveries(journal: tuple[JournalEntry, ...]) -> list[TodoItem]:
    """Deliveries whose last outcome is unknown or failed, and nothing settled since (the
    same delivery, or the same act sent again through the same medium)."""
    last: dict[str, JournalEntry] = {}
    delivered_acts: dict[tuple[str, str, str, frozenset[str]], dt.datetime] = {}
    for entry in sorted(journal, key=lambda e: e.time):
        if entry.delivery_id and entry.status in ("unknown", "failed", *SETTLING):
            last[entry.delivery_id] = entry
        if entry.status == "sent":
            delivered_acts[(entry.client, entry.stage, entry.channel, frozenset(entry.invoices))] = entry.time
    items = []
    for delivery_id, entry in sorted(last.items(), key=lambda item: item[1].time):
        later = delivered_acts.get((entry.client, entry.stage, entry.channel, frozenset(entry.invoices)))
        if later is not None and later > entry.time:
            continue
        if entry.status == "unknown":
            items.append(TodoItem("unknown", entry.client, f"{entry.stage} by {entry.channel} on {entry.time.date().isoformat()}: outcome unknown; ask the provider, then `relancegen resolve {delivery_id} --delivered|--not-delivered`", delivery_id=delivery_id, day=entry.time.date()))
        elif entry.status == "failed":
            error = entry.extra.get("error") or "no error given"
            items.append(TodoItem("failed", entry.client, f"{entry.stage} by {entry.channel} failed on {entry.time.date().isoformat()} ({error}); `relancegen send` tries it again while it is due (from the bytes kept as evidence)", delivery_id=delivery_id, day=entry.time.date()))
    return items


def _promises(site: Site, as_of: dt.date) -> list[TodoItem]:
    items = []
    for client_id in sorted(site.clients):
        invoices = site.invoices_of(client_id)
        open_numbers = {inv.number for inv in invoices if inv.outstanding(as_of) > 0}
        for promise in promises_of(invoices, site.journal_of(client_id)):
            still_open = sorted(open_numbers.intersection(promise.invoices) if promise.invoices else open_numbers)
            if not still_open:
                continue
            amount = f" of {promise.amount} €" if promise.amount else ""
            days = (promise.date - as_of).days
            if 0 <= days <= PROMISE_LOOKAHEAD_DAYS:
                text = f"promise{amount} for {', '.join(still_open)} falls due on {promise.date.isoformat()}: check the payment"
            elif -BROKEN_PROMISE_DAYS <= days < 0:
                text = f"promise{amount} for {', '.join(still_open)} of {promise.date.isoformat()} broken: escalation resumed"
            else:
                continue
            items.append(TodoItem("promise", client_id, text, day=promise.date))
    return items


def _limitations(site: Site, as_of: dt.date) -> list[TodoItem]:
    items = []
    for invoice in site.invoices:
        client = site.clients.get(invoice.client)
        if client is None or invoice.outstanding(as_of) <= 0 or invoice.disputed:
            continue
        limit = limitation_date(invoice, client.kind, site.journal_of(client.id))
        if as_of <= limit <= as_of + dt.timedelta(days=LIMITATION_NOTICE_DAYS):
            items.append(TodoItem("limitation", client.id, f"{invoice.number} becomes time-barred on {limit.isoformat()}: obtain an acknowledgement or bring a claim before then", day=limit))
    return items
