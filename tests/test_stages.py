"""The stage engine pinned to a table of cases (spec "Stages", rules 1–6).

Each case builds one client with one invoice due on DUE and optional journal entries,
and states the stage decided on the build date.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from relancegen.site.model import DEFAULT_PROFILES, DEFAULT_SCHEDULE, Address, Client, Invoice, JournalEntry, Payment, Policy, Promise
from relancegen.law.stages import decide_stage, open_invoices, prevention_invoices

DUE = dt.date(2026, 10, 1)
PARIS = dt.timezone(dt.timedelta(hours=1))


def day(offset: int) -> dt.date:
    return DUE + dt.timedelta(days=offset)


def entry(stage: str, offset: int, status: str = "sent", invoices: tuple[str, ...] = ("F-1",)) -> JournalEntry:
    moment = dt.datetime.combine(day(offset), dt.time(9), tzinfo=PARIS)
    return JournalEntry(time=moment, client="c", stage=stage, channel="email", invoices=invoices, status=status)


def client(**fields) -> Client:
    return Client(id="c", name="C", address=Address(("x",), "69000", "Lyon"), **fields)


def invoice(**fields) -> Invoice:
    values = {"number": "F-1", "client": "c", "issued": DUE - dt.timedelta(days=30), "due": DUE, "amount": D("1000.00")}
    values.update(fields)
    return Invoice(**values)


CASES = [
    # (id, days after due, client fields, invoice fields, journal, expected stage)
    ("day-4-nothing-yet", 4, {}, {}, [], None),
    ("day-5-reminder", 5, {}, {}, [], "reminder"),
    ("day-11-reminder", 11, {}, {}, [], "reminder"),
    ("day-12-call-after-reminder", 12, {}, {}, [entry("reminder", 5)], "call"),
    ("day-12-nothing-sent-gives-reminder", 12, {}, {}, [], "reminder"),
    ("day-20-overdue", 20, {}, {}, [entry("reminder", 5), entry("call", 12, "recorded")], "overdue"),
    ("day-35-penalties", 35, {}, {}, [entry("reminder", 5), entry("call", 12, "recorded"), entry("overdue", 20)], "penalties"),
    ("day-50-formal-notice", 50, {}, {}, [entry("penalties", 35)], "formal_notice"),
    ("day-65-collection", 65, {}, {}, [entry("formal_notice", 50)], "collection"),
    ("day-49-calendar-caps-progression", 49, {}, {}, [entry("penalties", 35)], None),
    ("calendar-ahead-takes-one-step", 80, {}, {}, [entry("reminder", 5)], "call"),
    ("min-gap-not-met", 20, {}, {}, [entry("call", 16, "recorded")], None),
    ("min-gap-met-exactly", 23, {}, {}, [entry("call", 16, "recorded")], "overdue"),
    ("good-payer-shifted-ten-days", 14, {"payer": "good"}, {}, [], None),
    ("good-payer-reminder-at-15", 15, {"payer": "good"}, {}, [], "reminder"),
    ("bad-payer-reminder-at-2", 2, {"payer": "bad"}, {}, [], "reminder"),
    ("usual-payment-days-delays-the-anchor", 20, {"usual_payment_days": 60}, {}, [], None),
    ("usual-payment-days-then-reminder", 35, {"usual_payment_days": 60}, {}, [], "reminder"),
    ("disputed-invoice-leaves-escalation", 40, {}, {"disputed": "livraison contestée"}, [], None),
    ("future-promise-waits", 40, {}, {"promise": Promise(day(45))}, [entry("reminder", 5)], None),
    ("promise-due-today-still-waits", 40, {}, {"promise": Promise(day(40))}, [entry("reminder", 5)], None),
    ("past-promise-escalates", 40, {}, {"promise": Promise(day(30))}, [entry("reminder", 5)], "call"),
    ("paused", 40, {"paused_until": day(41)}, {}, [], None),
    ("pause-ended", 40, {"paused_until": day(40)}, {}, [], "reminder"),
    ("strategic-capped-at-penalties", 60, {"strategic": True}, {}, [entry("overdue", 20)], "penalties"),
    ("strategic-stops-after-penalties", 60, {"strategic": True}, {}, [entry("penalties", 35)], None),
    ("failed-entries-do-not-count", 12, {}, {}, [entry("reminder", 5, "failed")], "reminder"),
    ("attempt-entries-do-not-count", 12, {}, {}, [entry("reminder", 5, "attempt")], "reminder"),
    ("entries-naming-other-invoices-do-not-count", 12, {}, {}, [entry("reminder", 5, invoices=("F-OTHER",))], "reminder"),
    ("prevention-entries-are-not-escalation", 12, {}, {}, [entry("prevention", -5)], "reminder"),
    ("fully-paid-is-not-chased", 40, {}, {"payments": (Payment(day(3), D("1000.00")),)}, [], None),
]


@pytest.mark.parametrize(("after_due", "client_fields", "invoice_fields", "journal", "expected"),
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_stage_decision(after_due, client_fields, invoice_fields, journal, expected):
    as_of = day(after_due)
    the_client = client(**client_fields)
    open_ = open_invoices([invoice(**invoice_fields)], as_of)
    decision = decide_stage(the_client, open_, journal, as_of, schedule=DEFAULT_SCHEDULE, profiles=DEFAULT_PROFILES, policy=Policy())
    assert decision.stage == expected, decision.reason
    assert decision.reason


@pytest.mark.parametrize(("before_due", "journal", "expected"), [
    (8, [], []),
    (7, [], ["F-1"]),
    (1, [], ["F-1"]),
    (0, [], []),
    (3, [entry("prevention", -6)], []),
    (3, [entry("prevention", -6, "failed")], ["F-1"]),
])
def test_prevention_window(before_due, journal, expected):
    as_of = day(-before_due)
    notices = prevention_invoices([invoice()], journal, as_of, DEFAULT_SCHEDULE)
    assert [inv.number for inv in notices] == expected
