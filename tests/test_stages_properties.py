"""Property tests of the stage engine over random histories (spec "Stages", rules 4–8).

Each example is one client with a few invoices (random due dates, payments, promises),
random policy knobs, and a person who records some of the calls. The daily routine is
simulated for 150 days with the engine itself: every act it decides is journaled, as
`relancegen send` would. Whatever the history, a client never gets two acts less than
`min_days_between_stages` apart, never an act claiming an invoice before a deadline it was
given for it, never a stage for an invoice lower than or equal to one it already had, and
acts fall on working days only.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from hypothesis import HealthCheck, given, settings, strategies as st

from relancegen.law.calendar import WorkingDays
from relancegen.law.stages import Rules, decide_stage, open_invoices
from relancegen.site.model import (
    DEFAULT_PROFILES, DEFAULT_SCHEDULE, Address, Client, Invoice, JournalEntry, Payment, Policy, Promise, stage_rank,
)

START = dt.date(2026, 9, 1)
PARIS = dt.timezone(dt.timedelta(hours=2))
DAYS = 150


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=PARIS)


@st.composite
def invoices(draw, count: int) -> list[Invoice]:
    found = []
    for index in range(count):
        due = START + dt.timedelta(days=draw(st.integers(-40, 60)))
        amount = D(draw(st.integers(100, 5000)))
        payments = ()
        if draw(st.booleans()):
            payments = (Payment(due + dt.timedelta(days=draw(st.integers(1, 120))), amount),)
        promise = Promise(due + dt.timedelta(days=draw(st.integers(5, 60)))) if draw(st.integers(0, 4)) == 0 else None
        found.append(Invoice(f"F-{index}", "c", due - dt.timedelta(days=30), due, amount, payments=payments, promise=promise))
    return found


@st.composite
def histories(draw):
    client = Client(
        "c", "C", Address(("x",), "69000", "Lyon"),
        payer=draw(st.sampled_from(("good", "average", "bad"))),
        strategic=draw(st.booleans()),
        paused_until=START + dt.timedelta(days=draw(st.integers(0, 60))) if draw(st.booleans()) else None,
    )
    rules = Rules(
        DEFAULT_SCHEDULE, DEFAULT_PROFILES,
        Policy(min_days_between_stages=draw(st.integers(0, 10)), call_wait_days=draw(st.integers(0, 10))),
        formal_notice_days=draw(st.integers(1, 15)),
        calendar=WorkingDays(draw(st.booleans())),
    )
    # The person answers some call sheets after a few days, sometimes with a promise.
    answers = draw(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 30) | st.none()), min_size=0, max_size=6))
    return client, draw(invoices(draw(st.integers(1, 4)))), rules, answers


def simulate(client, all_invoices, rules, answers):
    """The daily routine: build (decide), send (journal the act); calls answered as drawn."""
    journal: list[JournalEntry] = []
    engine_acts = []  # (day, stage, claimed)
    pending_call = None
    for offset in range(DAYS):
        day = START + dt.timedelta(days=offset)
        if pending_call is not None and day >= pending_call[0]:
            _, invoices_, promise = pending_call
            extra = {"promise": {"date": (day + dt.timedelta(days=promise)).isoformat()}} if promise is not None else {}
            journal.append(JournalEntry(at(day, 15), "c", "call", "phone", invoices_, "recorded", extra=extra))
            pending_call = None
        open_ = open_invoices(all_invoices, day, journal)
        decision = decide_stage(client, open_, journal, day, rules=rules, all_invoices=all_invoices)
        if decision.stage is None:
            continue
        engine_acts.append((day, decision.stage, decision.claimed))
        if decision.stage == "call":
            if pending_call is None and answers:
                delay, promise = answers.pop(0)
                pending_call = (day + dt.timedelta(days=delay), decision.claimed, promise)
            continue
        journal.append(JournalEntry(at(day), "c", decision.stage, "email", decision.claimed, "sent"))
    return journal, engine_acts


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories())
def test_escalation_keeps_its_promises_over_any_history(history):
    client, all_invoices, rules, answers = history
    journal, engine_acts = simulate(client, all_invoices, rules, answers)
    gap = max(rules.policy.min_days_between_stages, 1)
    done = [(e.time.date(), e.stage, e.invoices) for e in journal]
    for day, stage, claimed in engine_acts:
        assert rules.calendar.is_working_day(day), (day, stage)
        earlier = [(d, s, inv) for d, s, inv in done if d < day]
        if stage == "call":
            continue  # a call sheet is not journaled until a person records the call
        # One act every min_days_between_stages (and at most one a day).
        if earlier:
            assert (day - max(d for d, _, _ in earlier)).days >= gap, (day, stage, earlier[-1])
        for number in claimed:
            mine = [(d, s) for d, s, inv in earlier if number in inv]
            # Never a stage lower than or equal to one the invoice already had.
            assert all(stage_rank(stage) > stage_rank(s) for _, s in mine), (number, stage, mine)
            # Never an act before a deadline given for the invoice.
            for d, s in mine:
                deadline = rules.deadline(s, d)
                assert deadline is None or day > deadline, (number, stage, day, s, deadline)
        if client.strategic:
            assert stage_rank(stage) <= stage_rank("penalties")
