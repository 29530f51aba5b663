"""Properties of the penalty engine that must hold for any invoice."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from relancegen.site.model import Invoice, LateInterestRule, Payment, Terms
from relancegen.law.penalties import compute_penalties, period_interest
from relancegen.site.rates import load_rate_tables

RATES = load_rate_tables()
amounts = st.decimals(min_value=D("0.01"), max_value=D("500000"), places=2)
due_dates = st.dates(min_value=dt.date(2016, 1, 1), max_value=dt.date(2026, 3, 31))
rules = st.sampled_from(
    [
        LateInterestRule("ecb", D("10"), text="ecb+10"),
        LateInterestRule("3x-legal", text="3x-legal"),
        LateInterestRule("fixed", annual_rate=D("12.5"), text="12.5%"),
    ]
)
kinds = st.sampled_from(["b2b", "public", "b2c"])


@settings(max_examples=150, deadline=None)
@given(amount=amounts, due=due_dates, rule=rules, kind=kinds, first=st.integers(1, 900), extra=st.integers(0, 400),
       day_count=st.sampled_from(["actual/365", "actual/actual"]), paid_share=st.integers(0, 99), paid_after=st.integers(1, 300))
def test_interest_never_decreases_with_time(amount, due, rule, kind, first, extra, day_count, paid_share, paid_after):
    paid = (amount * paid_share / 100).quantize(D("0.01"))
    payments = (Payment(due + dt.timedelta(days=paid_after), paid),) if paid > 0 else ()
    invoice = Invoice(number="F", client="c", issued=due, due=due, amount=amount, payments=payments)
    terms = Terms(late_interest=rule, day_count=day_count)
    notice = due + dt.timedelta(days=5)

    def interest(as_of: dt.date) -> D:
        result = compute_penalties(invoice, kind=kind, terms=terms, rates=RATES, as_of=as_of, formal_notice_date=notice)
        return result.interest if result else D("0")

    earlier = due + dt.timedelta(days=first)
    assert interest(earlier) <= interest(earlier + dt.timedelta(days=extra))


@settings(max_examples=300, deadline=None)
@given(principal=amounts, rate=st.decimals(min_value=D("0"), max_value=D("30"), places=2),
       start=st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2026, 1, 1)),
       length=st.integers(2, 400), cut=st.integers(1, 399))
def test_splitting_a_period_changes_the_total_by_at_most_the_rounding(principal, rate, start, length, cut):
    cut = min(cut, length - 1)
    end = start + dt.timedelta(days=length - 1)
    middle = start + dt.timedelta(days=cut - 1)
    whole = period_interest(principal, rate, start, end, "actual/365")
    halves = period_interest(principal, rate, start, middle, "actual/365") + period_interest(principal, rate, middle + dt.timedelta(days=1), end, "actual/365")
    # Each rounded period is within half a cent of its exact value; one extra period
    # therefore moves the total by at most one cent.
    assert abs(whole - halves) <= D("0.01")
