"""``relancegen plan``: the dunning calendar if nothing changes (spec "Stages", rule 8).

From the site's data and journal on D, run the stage engine day by day up to D2 on a
simulated journal: each act it decides is journaled as sent, as the daily ``build && send``
would; no payment arrives and no call is recorded. Nothing is rendered or sent. The same
:func:`relancegen.law.stages.decide_stage` decides, so the plan agrees with what the daily
routine then does. Pure: the dates are arguments.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from relancegen.law import stages
from relancegen.law.limitation import limitation_date
from relancegen.law.penalties import compute_penalties, formal_notice_dates, rates_missing
from relancegen.law.situation import compute_situation, debit_note_lines, debit_note_total
from relancegen.site.model import DECLARATION, DOCUMENT_STAGES, STAGE_MEDIA, Client, JournalEntry, Site

#: Stages whose documents claim the penalties as well as the principal.
PENALTY_STAGES = ("penalties", "formal_notice", "collection")
SIMULATED = "simulated"


@dataclass(frozen=True)
class PlannedAct:
    """One act a client will receive: a document set on a day, or a call to make."""

    day: dt.date
    client: str
    stage: str
    media: tuple[str, ...]
    invoices: tuple[str, ...]
    amount: Decimal  # what the act claims: the principal, plus penalties from the penalty letter on
    deadline: dt.date | None  # the payment deadline the documents print

    def as_json(self) -> dict[str, object]:
        return {
            "date": self.day.isoformat(), "client": self.client, "stage": self.stage, "media": list(self.media),
            "invoices": list(self.invoices), "amount": f"{self.amount:.2f}",
            "deadline": self.deadline.isoformat() if self.deadline else None,
        }


def plan_site(site: Site, start: dt.date, until: dt.date, client_id: str | None = None) -> list[PlannedAct]:
    """Every act from ``start`` to ``until`` (both included), by date then client."""
    rules = stages.Rules.of(site)
    ids = [client_id] if client_id else sorted(site.clients)
    acts = [act for cid in ids for act in plan_client(site, site.clients[cid], start, until, rules)]
    return sorted(acts, key=lambda act: (act.day, act.client, DOCUMENT_STAGES.index(act.stage)))  # the declaration after the escalation's stages


def plan_client(site: Site, client: Client, start: dt.date, until: dt.date, rules: stages.Rules) -> list[PlannedAct]:
    """One client's acts: the engine run on its simulated journal each working day on which
    something may change (the day after an act, the day a wait ends, a date in the data)."""
    invoices = site.invoices_of(client.id)
    journal = site.journal_of(client.id)
    data_dates = _data_dates(site, client, invoices)
    planned: list[PlannedAct] = []
    calling = False  # a call is pending: it is listed on its first day only
    day = start
    dunning_until = until
    if client.insolvency is not None:  # collective proceedings stop dunning from the judgment
        dunning_until = min(until, client.insolvency.eve)
        planned.extend(_declaration(site, client, start, until, rules))
    while day <= dunning_until:
        if not rules.calendar.is_working_day(day):
            day = rules.calendar.on_or_after(day)
            continue
        calling, next_change = _plan_day(site, client, invoices, journal, day, rules, planned, calling)
        tomorrow = day + dt.timedelta(days=1)
        day = tomorrow if next_change is None else min([next_change, *(d for d in data_dates if d >= tomorrow)])
        day = max(day, tomorrow)
    return planned


def _declaration(site: Site, client: Client, start: dt.date, until: dt.date, rules: stages.Rules) -> list[PlannedAct]:
    """The declaration of the claim to the mandataire judiciaire, on the first working day
    the build writes it (from the judgment, once the site names the mandataire), unless the
    journal says it was declared."""
    proceedings = client.insolvency
    if proceedings is None or proceedings.mandataire is None:
        return []
    day = rules.calendar.on_or_after(max(start, proceedings.judgment))
    declaration = compute_situation(site, client, day).declaration if day <= until else None
    if declaration is None:
        return []
    numbers = tuple(line.invoice.number for line in declaration.invoices)
    return [PlannedAct(day, client.id, DECLARATION, ("registered_post",), numbers, declaration.total, declaration.deadline)]


def _data_dates(site: Site, client: Client, invoices: list) -> list[dt.date]:
    """The days on which the client's data alone may change a decision: an invoice enters
    the prevention window or falls due, a payment, a settlement of its penalties, a promise
    ending, the end of a pause, limitation."""
    window = next((step.days for step in site.schedule if step.stage == stages.PREVENTION), 0)
    dates = [client.paused_until] if client.paused_until else []
    for invoice in invoices:
        dates += [invoice.due + dt.timedelta(days=window), invoice.due + dt.timedelta(days=1), limitation_date(invoice, client.kind)]
        dates += [payment.date for payment in invoice.payments]
        if invoice.penalties_settled:  # from then on no act claims its penalties
            dates.append(invoice.penalties_settled.date)
        if invoice.promise:
            dates.append(invoice.promise.date + dt.timedelta(days=1))
    return sorted(set(dates))


def _plan_day(site: Site, client: Client, invoices: list, journal: list[JournalEntry], day: dt.date,
              rules: stages.Rules, planned: list[PlannedAct], calling: bool) -> tuple[bool, dt.date | None]:
    """Decide one day like a build, journal what a send would. Returns whether a call is
    pending, and the next day something may change (None: look again tomorrow)."""
    open_ = stages.open_invoices(invoices, day, journal, client.kind)
    if not open_ or stages.below_minimum(open_, day, site.policy.minimum_balance):
        return False, dt.date.max
    coming_due = tuple(inv.number for inv in stages.prevention_invoices(open_, journal, day, site.schedule, rules.calendar))
    if coming_due:
        planned.append(_act(site, client, open_, journal, day, stages.PREVENTION, coming_due, None))
        journal.append(_entry(client.id, stages.PREVENTION, "email", coming_due, day))
    decision = stages.decide_stage(client, open_, journal, day, rules=rules, all_invoices=invoices,
                                   unverified=_rates_missing(site, client, open_, journal, day))
    if decision.stage is None:
        return False, decision.next_change or dt.date.max
    if decision.stage == stages.CALL:
        if not calling:
            planned.append(_act(site, client, open_, journal, day, decision.stage, decision.claimed, None))
        return True, decision.next_change
    numbers, debit_note = decision.claimed, Decimal("0.00")
    if decision.stage in PENALTY_STAGES:  # the debit note leaves with the letter: its invoices are the act's too
        paid_late, _ = debit_note_lines(site, client, invoices, {inv.number for inv in open_}, journal, day)
        numbers = tuple(sorted({*numbers, *(line.invoice.number for line in paid_late)}))
        debit_note = debit_note_total(paid_late)
    planned.append(_act(site, client, open_, journal, day, decision.stage, numbers, decision.deadline, debit_note))
    for medium in STAGE_MEDIA[decision.stage]:
        journal.append(_entry(client.id, decision.stage, medium, numbers, day))
    return False, day + dt.timedelta(days=max(rules.policy.min_days_between_stages, 1))  # the client's gap


def _rates_missing(site: Site, client: Client, open_: list, journal: list[JournalEntry], day: dt.date) -> dict[str, str]:
    """The open invoices whose interest on ``day`` rests on an unverified rate: the daily
    build holds their registered stages, so the plan does too."""
    notices = formal_notice_dates(journal)
    results = (
        compute_penalties(invoice, kind=client.kind, terms=site.terms, rates=site.rates, as_of=day,
                          formal_notice_date=notices.get(invoice.number))
        for invoice in open_
    )
    return rates_missing((penalties for penalties in results if penalties is not None), site.rates)


def _act(site: Site, client: Client, open_: list, journal: list[JournalEntry], day: dt.date, stage: str,
         numbers: tuple[str, ...], deadline: dt.date | None, debit_note: Decimal = Decimal("0.00")) -> PlannedAct:
    claimed = [inv for inv in open_ if inv.number in numbers]
    amount = debit_note + sum((inv.outstanding(day) for inv in claimed), Decimal("0.00"))
    if stage in PENALTY_STAGES:
        notices = formal_notice_dates(journal)
        for invoice in claimed:
            notice = day if stage == "formal_notice" else notices.get(invoice.number)
            penalties = compute_penalties(invoice, kind=client.kind, terms=site.terms, rates=site.rates, as_of=day, formal_notice_date=notice)
            if penalties is not None:
                amount += penalties.interest_due + penalties.indemnity
    return PlannedAct(day, client.id, stage, STAGE_MEDIA[stage], tuple(numbers), amount, deadline)


def _entry(client_id: str, stage: str, medium: str, numbers: tuple[str, ...], day: dt.date) -> JournalEntry:
    moment = dt.datetime.combine(day, dt.time(9), tzinfo=dt.timezone.utc)
    return JournalEntry(time=moment, client=client_id, stage=stage, channel=medium, invoices=numbers, status="sent", proof={SIMULATED: True})
