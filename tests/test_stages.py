"""The stage engine pinned to a table of cases (spec "Stages", rules 1–8).

Each case builds one client with one invoice due on DUE and optional journal entries,
and states the stage decided on the build date.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from relancegen.law.calendar import EVERY_DAY, WorkingDays
from relancegen.site.model import DEFAULT_PROFILES, DEFAULT_SCHEDULE, Address, Client, Invoice, JournalEntry, Payment, Policy, Promise
from relancegen.law.stages import Rules, decide_stage, open_invoices, prevention_invoices

DUE = dt.date(2026, 10, 1)
PARIS = dt.timezone(dt.timedelta(hours=1))


def day(offset: int) -> dt.date:
    return DUE + dt.timedelta(days=offset)


RULES = Rules(DEFAULT_SCHEDULE, DEFAULT_PROFILES, Policy(), calendar=EVERY_DAY)


def entry(stage: str, offset: int, status: str = "sent", invoices: tuple[str, ...] = ("F-1",), **extra) -> JournalEntry:
    moment = dt.datetime.combine(day(offset), dt.time(9), tzinfo=PARIS)
    return JournalEntry(time=moment, client="c", stage=stage, channel="email", invoices=invoices, status=status, extra=extra)


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
    ("call-due-after-reminder-waits-for-a-person", 18, {}, {}, [entry("reminder", 5)], "call"),
    ("call-never-made-escalation-goes-on", 19, {}, {}, [entry("reminder", 5)], None),
    ("call-never-made-overdue-at-its-calendar-day", 20, {}, {}, [entry("reminder", 5)], "overdue"),
    ("late-reminder-call-waits-its-own-gap", 23, {}, {}, [entry("reminder", 10)], "call"),
    ("late-reminder-call-wait-counts-from-the-call-day", 24, {}, {}, [entry("reminder", 10)], "overdue"),
    ("calendar-ahead-takes-one-step", 80, {}, {}, [entry("reminder", 5), entry("call", 12, "recorded")], "overdue"),
    ("unknown-delivery-counts-as-done", 12, {}, {}, [entry("reminder", 5, "unknown")], "call"),
    ("any-manual-action-does-the-call", 20, {}, {}, [entry("reminder", 5), entry("reminder", 13, "recorded")], "overdue"),
    ("a-call-about-another-invoice-does-the-call", 20, {}, {}, [entry("reminder", 5), entry("call", 13, "recorded", invoices=("F-9",))], "overdue"),
    ("a-manual-action-before-the-call-was-due-does-not", 18, {}, {}, [entry("reminder", 5), entry("reminder", 8, "recorded")], "call"),
    ("overdue-letter-deadline-holds", 28, {}, {}, [entry("call", 12, "recorded"), entry("overdue", 20)], None),
    # A formal notice sent on day 57 is expected on day 60 (3 days' post); its 8 days run to
    # day 68 (counted from the letter's date they would have ended on day 65).
    ("formal-notice-delay-runs-from-its-expected-receipt", 66, {}, {}, [entry("formal_notice", 57)], None),
    ("formal-notice-deadline-day-itself-holds", 68, {}, {}, [entry("formal_notice", 57)], None),
    ("formal-notice-deadline-passed", 69, {}, {}, [entry("formal_notice", 57)], "collection"),
    ("formal-notice-deadline-passed-at-collection-calendar", 65, {}, {}, [entry("formal_notice", 50)], "collection"),
    ("journal-promise-holds", 25, {}, {}, [entry("reminder", 5), entry("call", 12, "recorded", promise={"date": day(30).isoformat()})], None),
    ("journal-promise-broken-resumes", 31, {}, {}, [entry("reminder", 5), entry("call", 12, "recorded", promise={"date": day(30).isoformat()})], "overdue"),
    ("journal-dispute-leaves-escalation", 40, {}, {}, [entry("call", 12, "recorded", outcome="dispute")], None),
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
    ("broken-promise-resumes-with-the-call", 40, {}, {"promise": Promise(day(36))}, [entry("reminder", 5)], "call"),
    ("broken-promise-call-never-made", 40, {}, {"promise": Promise(day(30))}, [entry("reminder", 5)], "overdue"),
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
    open_ = open_invoices([invoice(**invoice_fields)], as_of, journal)
    decision = decide_stage(the_client, open_, journal, as_of, rules=RULES)
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
    notices = prevention_invoices([invoice()], journal, as_of, DEFAULT_SCHEDULE, EVERY_DAY)
    assert [inv.number for inv in notices] == expected


def test_the_act_claims_only_the_invoices_due_for_its_stage():
    """Rule 7: an invoice two days late is mentioned, never claimed, in a formal notice."""
    old, young = invoice(), invoice(number="F-2", due=day(50))
    journal = [entry("reminder", 5), entry("call", 12, "recorded"), entry("overdue", 20), entry("penalties", 35)]
    decision = decide_stage(client(), [old, young], journal, day(52), rules=RULES)
    assert decision.stage == "formal_notice"
    assert decision.claimed == ("F-1",)
    assert "mentions F-2" in decision.reason
    later = journal + [entry("formal_notice", 52)]
    assert decide_stage(client(), [old, young], later, day(58), rules=RULES).stage is None  # the client's gap
    decision = decide_stage(client(), [old, young], later, day(59), rules=RULES)
    assert (decision.stage, decision.claimed) == ("reminder", ("F-2",))  # F-1 is still inside its delay


def test_one_act_a_day_and_one_every_minimum_gap_per_client():
    first, second = invoice(), invoice(number="F-2", due=day(3))
    journal = [entry("reminder", 5)]
    assert decide_stage(client(), [first, second], journal, day(9), rules=RULES).stage is None
    decision = decide_stage(client(), [first, second], journal, day(12), rules=RULES)
    assert (decision.stage, decision.claimed) == ("call", ("F-1",))


def test_acts_of_the_build_day_are_not_read():
    """A build run again after the morning's send decides the same act."""
    journal = [entry("reminder", 5), entry("call", 12, "recorded"), entry("overdue", 20)]
    decision = decide_stage(client(), [invoice()], journal, day(20), rules=RULES)
    assert (decision.stage, decision.claimed) == ("overdue", ("F-1",))


FRENCH = Rules(DEFAULT_SCHEDULE, DEFAULT_PROFILES, Policy(), calendar=WorkingDays())


@pytest.mark.parametrize(("date", "expected"), [
    (dt.date(2026, 10, 6), "reminder"),   # Tuesday, day 5
    (dt.date(2026, 10, 10), None),        # Saturday
    (dt.date(2026, 10, 11), None),        # Sunday
    (dt.date(2026, 10, 12), "reminder"),  # Monday
])
def test_acts_on_working_days_only(date, expected):
    assert decide_stage(client(), [invoice()], [], date, rules=FRENCH).stage == expected


@pytest.mark.parametrize(("dated", "received", "deadline"), [
    # Tuesday 20 October 2026: expected on Friday 23; 8 days later is Saturday 31 October,
    # then Sunday 1 November (All Saints' Day): the deadline is Monday 2 November.
    (dt.date(2026, 10, 20), dt.date(2026, 10, 23), dt.date(2026, 11, 2)),
    # Thursday 29 October: Friday 30, (weekend, All Saints' Day) Monday 2, Tuesday 3 November;
    # 8 days later is Wednesday 11 November (Armistice Day): Thursday 12 November.
    (dt.date(2026, 10, 29), dt.date(2026, 11, 3), dt.date(2026, 11, 12)),
    # Thursday 24 December: Christmas Day and the weekend are no postal days: Wednesday 30
    # December, then Thursday 7 January 2027.
    (dt.date(2026, 12, 24), dt.date(2026, 12, 30), dt.date(2027, 1, 7)),
])
def test_a_delay_runs_from_the_letters_expected_receipt_to_a_working_day(dated, received, deadline):
    assert FRENCH.expected_receipt(dated) == received
    assert FRENCH.deadline("formal_notice", dated) == deadline
    assert FRENCH.deadline("penalties", dated) == FRENCH.deadline("overdue", dated) == deadline


def test_deadlines_fall_on_working_days():
    # With no postal delay, 8 days after Friday 23 October 2026 is Saturday 31 October; Sunday
    # 1 November is All Saints' Day.
    by_hand = Rules(DEFAULT_SCHEDULE, DEFAULT_PROFILES, Policy(), calendar=WorkingDays(), delivery_days=0)
    assert by_hand.deadline("formal_notice", dt.date(2026, 10, 23)) == dt.date(2026, 11, 2)
    assert FRENCH.deadline("reminder", dt.date(2026, 10, 23)) is None
    assert WorkingDays().on_or_after(dt.date(2026, 12, 25)) == dt.date(2026, 12, 28)
    assert WorkingDays().after(dt.date(2026, 12, 26), 0) == dt.date(2026, 12, 28)  # posted on a Saturday


def test_a_time_barred_claim_leaves_escalation():
    old = invoice(due=dt.date(2021, 9, 30))
    assert open_invoices([old], dt.date(2026, 9, 29), kind="b2b") == [old]
    assert open_invoices([old], dt.date(2026, 9, 30), kind="b2b") == []


@pytest.mark.parametrize(("schedule", "working_days", "first_reminder"), [
    ([{"stage": "reminder", "days": 5}], True, "2026-10-12"),
    ({"steps": [{"stage": "reminder", "days": 5}]}, True, "2026-10-12"),
    ({"working_days": False, "steps": [{"stage": "reminder", "days": 5}]}, False, "2026-10-10"),
    ({"working_days": False}, False, "2026-10-10"),
])
def test_schedule_as_a_list_or_a_mapping(site_factory, schedule, working_days, first_reminder):
    from relancegen.law.plan import plan_site
    from relancegen.site.loader import load_site

    site_dir = site_factory(invoices=[{"number": "F-1", "client": "client-a", "issued": "2026-09-05", "due": "2026-10-05", "amount": "100.00"}], schedule=schedule)
    site = load_site(site_dir)
    assert site.working_days is working_days
    acts = plan_site(site, dt.date(2026, 10, 6), dt.date(2026, 10, 14))
    assert [(a.day.isoformat(), a.stage) for a in acts][0] == (first_reminder, "reminder")


def test_a_bad_schedule_names_the_field(site_factory):
    from relancegen.errors import SiteError
    from relancegen.site.loader import load_site

    site_dir = site_factory(schedule={"working_days": "yes", "step": []})
    with pytest.raises(SiteError) as caught:
        load_site(site_dir)
    messages = [str(problem) for problem in caught.value.problems]
    assert any("schedule.working_days" in m and "expected true or false" in m for m in messages), messages
    assert any("schedule.step" in m and "did you mean 'steps'" in m for m in messages), messages


def test_a_consumer_owes_interest_only_on_invoices_a_formal_notice_named(site_factory):
    from relancegen.law.situation import compute_situation
    from relancegen.site.loader import load_site

    consumer = {"id": "client-a", "name": "Mme A", "kind": "b2c", "address": {"lines": ["1 rue"], "postcode": "69003", "city": "Lyon"},
                "contacts": [{"name": "Mme A", "email": "a@example.fr"}]}
    site_dir = site_factory(
        clients=[consumer],
        invoices=[{"number": "A-1", "client": "client-a", "issued": "2026-06-01", "due": "2026-07-01", "amount": "1000.00"},
                  {"number": "A-2", "client": "client-a", "issued": "2026-08-01", "due": "2026-09-01", "amount": "1000.00"}],
        journal=[{"time": "2026-09-01T09:00:00+02:00", "client": "client-a", "stage": "formal_notice", "channel": "registered_post", "invoices": ["A-1"], "status": "sent"}],
    )
    site = load_site(site_dir)
    situation = compute_situation(site, site.clients["client-a"], dt.date(2026, 10, 1))
    interest = {line.invoice.number: (line.penalties.interest_due if line.penalties else D("0")) for line in (*situation.overdue, *situation.other_overdue)}
    assert interest["A-1"] > 0 and interest["A-2"] == 0


def test_an_unknown_delivery_resolved_as_not_delivered_no_longer_counts_as_done():
    import dataclasses

    unknown = dataclasses.replace(entry("reminder", 5, "unknown"), delivery_id="d1")
    assert decide_stage(client(), [invoice()], [unknown], day(12), rules=RULES).stage == "call"
    answered = dataclasses.replace(entry("reminder", 6, "resolved", resolution="not-delivered"), delivery_id="d1")
    assert decide_stage(client(), [invoice()], [unknown, answered], day(12), rules=RULES).stage == "reminder"
    delivered = dataclasses.replace(answered, extra={"resolution": "delivered"})
    assert decide_stage(client(), [invoice()], [unknown, delivered], day(12), rules=RULES).stage == "call"
