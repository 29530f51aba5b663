"""The penalty engine pinned to examples computed by hand.

Every expected figure is worked out in the comment above it:
interest = principal × rate% × days / 36 500 (actual/365), rounded half-up per period.
Rates come from the shipped tables (relancegen/rates/*.yml).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from relancegen.site.model import Invoice, LateInterestRule, Payment, Terms
from relancegen.law.penalties import RateBasis, compute_penalties
from relancegen.site.rates import load_rate_tables

RATES = load_rate_tables()


def invoice(amount: str, due: dt.date, payments: tuple[tuple[dt.date, str], ...] = (), rule: LateInterestRule | None = None) -> Invoice:
    return Invoice(
        number="F-1",
        client="c",
        issued=due - dt.timedelta(days=30),
        due=due,
        amount=D(amount),
        payments=tuple(Payment(day, D(value)) for day, value in payments),
        late_interest=rule,
    )


def periods(result) -> list[tuple[str, str, int, str, str, str]]:
    return [
        (p.start.isoformat(), p.end.isoformat(), p.days, str(p.principal), str(p.annual_rate), str(p.interest))
        for p in result.periods
    ]


def test_b2b_ecb_plus_ten_single_half_year():
    # 2026-S2: ECB rate in force on 1 July 2026 = 2.15 (last known) → 12.15 %.
    # 3 Sep → 22 Nov = 28 + 31 + 22 = 81 days; 1440 × 12.15 × 81 / 36500 = 38.8267 → 38.83
    result = compute_penalties(invoice("1440.00", dt.date(2026, 9, 2)), kind="b2b", terms=Terms(), rates=RATES, as_of=dt.date(2026, 11, 22))
    assert periods(result) == [("2026-09-03", "2026-11-22", 81, "1440.00", "12.15", "38.83")]
    assert result.interest == D("38.83")
    assert result.indemnity == D("40.00")
    assert result.total_penalties == D("78.83")
    assert result.days_late == 81


def test_half_year_split_uses_each_half_years_rate():
    # S1 2025: ECB on 1 Jan 2025 = 3.15 → 13.15 %; 16 May → 30 Jun = 46 days:
    #   1000 × 13.15 × 46 / 36500 = 16.5726 → 16.57
    # S2 2025: ECB on 1 Jul 2025 = 2.15 → 12.15 %; 1 Jul → 30 Sep = 92 days:
    #   1000 × 12.15 × 92 / 36500 = 30.6247 → 30.62
    result = compute_penalties(invoice("1000.00", dt.date(2025, 5, 15)), kind="b2b", terms=Terms(), rates=RATES, as_of=dt.date(2025, 9, 30))
    assert periods(result) == [
        ("2025-05-16", "2025-06-30", 46, "1000.00", "13.15", "16.57"),
        ("2025-07-01", "2025-09-30", 92, "1000.00", "12.15", "30.62"),
    ]
    assert result.interest == D("47.19")


def test_partial_payment_lowers_the_principal_from_the_next_day():
    # Payment of 400 on 10 Aug 2025: the 10th still counts on 1000.
    #   16 May → 30 Jun, 46 d, 1000 at 13.15 %: 16.57
    #   1 Jul → 10 Aug, 41 d, 1000 at 12.15 %: 1000 × 12.15 × 41 / 36500 = 13.6479 → 13.65
    #   11 Aug → 30 Sep, 51 d, 600 at 12.15 %: 600 × 12.15 × 51 / 36500 = 10.1860 → 10.19
    result = compute_penalties(
        invoice("1000.00", dt.date(2025, 5, 15), payments=((dt.date(2025, 8, 10), "400.00"),)),
        kind="b2b", terms=Terms(), rates=RATES, as_of=dt.date(2025, 9, 30),
    )
    assert [p[-1] for p in periods(result)] == ["16.57", "13.65", "10.19"]
    assert result.interest == D("40.41")
    assert result.outstanding == D("600.00")


def test_public_buyer_rate_is_fixed_at_the_start_half_year():
    # Interest starts 16 May 2025 (S1): ECB on 1 Jan 2025 = 3.15 + 8 = 11.15 %, kept in S2.
    #   16 May → 10 Aug, 87 d on 1000: 1000 × 11.15 × 87 / 36500 = 26.5767 → 26.58
    #   11 Aug → 30 Sep, 51 d on 600: 600 × 11.15 × 51 / 36500 = 9.3477 → 9.35
    result = compute_penalties(
        invoice("1000.00", dt.date(2025, 5, 15), payments=((dt.date(2025, 8, 10), "400.00"),)),
        kind="public", terms=Terms(), rates=RATES, as_of=dt.date(2025, 9, 30),
    )
    assert periods(result) == [
        ("2025-05-16", "2025-08-10", 87, "1000.00", "11.15", "26.58"),
        ("2025-08-11", "2025-09-30", 51, "600.00", "11.15", "9.35"),
    ]
    assert result.indemnity == D("40.00")
    assert result.rate == RateBasis("ecb", points=D("8"), fixed_on=dt.date(2025, 1, 1))


def test_consumer_owes_legal_interest_from_the_formal_notice_and_no_indemnity():
    # Formal notice on 10 Jun 2025. Legal rate 2025-S1 = 3.71, 2025-S2 = 2.76.
    #   11 Jun → 30 Jun, 20 d: 2000 × 3.71 × 20 / 36500 = 4.0658 → 4.07
    #   1 Jul → 31 Aug, 62 d: 2000 × 2.76 × 62 / 36500 = 9.3764 → 9.38
    result = compute_penalties(
        invoice("2000.00", dt.date(2025, 3, 31)), kind="b2c", terms=Terms(), rates=RATES,
        as_of=dt.date(2025, 8, 31), formal_notice_date=dt.date(2025, 6, 10),
    )
    assert periods(result) == [
        ("2025-06-11", "2025-06-30", 20, "2000.00", "3.71", "4.07"),
        ("2025-07-01", "2025-08-31", 62, "2000.00", "2.76", "9.38"),
    ]
    assert result.indemnity == D("0.00")
    assert result.total_penalties == D("13.45")
    assert result.days_late == 153  # lateness still counts from the due date


def test_consumer_without_formal_notice_owes_nothing_yet():
    assert compute_penalties(invoice("2000.00", dt.date(2025, 3, 31)), kind="b2c", terms=Terms(), rates=RATES, as_of=dt.date(2025, 8, 31)) is None


def test_three_times_legal_rate_follows_each_half_year():
    # S1 2025: 3 × 3.71 = 11.13 %; 16 → 30 Jun, 15 d: 1000 × 11.13 × 15 / 36500 = 4.5740 → 4.57
    # S2 2025: 3 × 2.76 = 8.28 %; 1 → 31 Jul, 31 d: 1000 × 8.28 × 31 / 36500 = 7.0323 → 7.03
    terms = Terms(late_interest=LateInterestRule("3x-legal", text="3x-legal"))
    result = compute_penalties(invoice("1000.00", dt.date(2025, 6, 15)), kind="b2b", terms=terms, rates=RATES, as_of=dt.date(2025, 7, 31))
    assert [(p[4], p[5]) for p in periods(result)] == [("11.13", "4.57"), ("8.28", "7.03")]


def test_per_invoice_fixed_rate_overrides_the_cgv():
    # 12 % fixed; 1 Feb → 2 Mar 2026 = 28 + 2 = 30 d: 1000 × 12 × 30 / 36500 = 9.8630 → 9.86
    rule = LateInterestRule("fixed", annual_rate=D("12"), text="12%")
    result = compute_penalties(invoice("1000.00", dt.date(2026, 1, 31), rule=rule), kind="b2b", terms=Terms(), rates=RATES, as_of=dt.date(2026, 3, 2))
    assert periods(result) == [("2026-02-01", "2026-03-02", 30, "1000.00", "12", "9.86")]
    assert result.rate == RateBasis("fixed", annual_rate=D("12"))


def test_invoice_paid_late_still_owes_interest_to_the_payment_and_the_indemnity():
    # Paid in full on 25 Sep 2025, due 31 Aug: 25 d at 12.15 %:
    #   2400 × 12.15 × 25 / 36500 = 19.9726 → 19.97
    late = invoice("2400.00", dt.date(2025, 8, 31), payments=((dt.date(2025, 9, 25), "2400.00"),))
    result = compute_penalties(late, kind="b2b", terms=Terms(), rates=RATES, as_of=dt.date(2025, 11, 1))
    assert periods(result) == [("2025-09-01", "2025-09-25", 25, "2400.00", "12.15", "19.97")]
    assert result.outstanding == D("0.00")
    assert result.days_late == 25
    assert compute_penalties(late, kind="b2b", terms=Terms(claim_paid_late=False), rates=RATES, as_of=dt.date(2025, 11, 1)) is None


def test_invoice_paid_on_time_or_not_yet_due_owes_nothing():
    on_time = invoice("500.00", dt.date(2025, 8, 31), payments=((dt.date(2025, 8, 31), "500.00"),))
    assert compute_penalties(on_time, kind="b2b", terms=Terms(), rates=RATES, as_of=dt.date(2025, 11, 1)) is None
    assert compute_penalties(invoice("500.00", dt.date(2025, 8, 31)), kind="b2b", terms=Terms(), rates=RATES, as_of=dt.date(2025, 8, 31)) is None


@pytest.mark.parametrize(
    ("day_count", "expected_periods", "expected_total"),
    [
        # actual/actual: split at 1 January; 2024 is a leap year (366 days).
        #   16 → 31 Dec 2023, 16 d: 1000 × 10 × 16 / 36500 = 4.3836 → 4.38
        #   1 Jan → 15 Mar 2024, 31 + 29 + 15 = 75 d: 1000 × 10 × 75 / 36600 = 20.4918 → 20.49
        ("actual/actual", [("2023-12-16", "2023-12-31", 16, "4.38"), ("2024-01-01", "2024-03-15", 75, "20.49")], "24.87"),
        # actual/365: one period of 91 d: 1000 × 10 × 91 / 36500 = 24.9315 → 24.93
        ("actual/365", [("2023-12-16", "2024-03-15", 91, "24.93")], "24.93"),
    ],
)
def test_leap_year_day_count(day_count, expected_periods, expected_total):
    terms = Terms(late_interest=LateInterestRule("fixed", annual_rate=D("10"), text="10%"), day_count=day_count)
    result = compute_penalties(invoice("1000.00", dt.date(2023, 12, 15)), kind="b2b", terms=terms, rates=RATES, as_of=dt.date(2024, 3, 15))
    assert [(p[0], p[1], p[2], p[5]) for p in periods(result)] == expected_periods
    assert result.interest == D(expected_total)


def test_interest_first_allocation_pays_accrued_interest_before_principal():
    # 10 % fixed. 1 → 30 Oct 2025, 30 d on 1000: 1000 × 10 × 30 / 36500 = 8.2192 → 8.22
    # Payment of 500 on 30 Oct: 8.22 to interest, 491.78 to principal → 508.22 left.
    # 31 Oct → 29 Nov, 30 d on 508.22: 508.22 × 10 × 30 / 36500 = 4.1771 → 4.18
    terms = Terms(late_interest=LateInterestRule("fixed", annual_rate=D("10"), text="10%"), payment_allocation="interest_first")
    partly_paid = invoice("1000.00", dt.date(2025, 9, 30), payments=((dt.date(2025, 10, 30), "500.00"),))
    result = compute_penalties(partly_paid, kind="b2b", terms=terms, rates=RATES, as_of=dt.date(2025, 11, 29))
    assert [p[-1] for p in periods(result)] == ["8.22", "4.18"]
    assert result.interest_paid == D("8.22")
    assert result.interest_due == D("4.18")
    assert result.outstanding == D("508.22")
    # The default allocation puts the whole payment on the principal:
    # 31 Oct → 29 Nov on 500: 500 × 10 × 30 / 36500 = 4.1096 → 4.11
    default = compute_penalties(partly_paid, kind="b2b", terms=Terms(late_interest=terms.late_interest), rates=RATES, as_of=dt.date(2025, 11, 29))
    assert [p[-1] for p in periods(default)] == ["8.22", "4.11"]
    assert default.outstanding == D("500.00")


@pytest.mark.parametrize(
    ("day", "ecb_on_day", "ecb_half_year", "legal"),
    [
        (dt.date(2025, 6, 10), "2.40", "3.15", "3.71"),  # the day before the 11 June 2025 cut
        (dt.date(2025, 6, 11), "2.15", "3.15", "3.71"),  # effective date: new rate, same half-year rate
        (dt.date(2025, 6, 30), "2.15", "3.15", "3.71"),
        (dt.date(2025, 7, 1), "2.15", "2.15", "2.76"),   # 1 July: the half-year rate is re-fixed
        (dt.date(2024, 1, 1), "4.50", "4.50", "5.07"),
        (dt.date(2024, 12, 31), "3.15", "4.25", "4.92"),  # S2 2024 fixed on 1 July 2024 (4.25)
    ],
)
def test_rate_table_lookups_at_boundaries(day, ecb_on_day, ecb_half_year, legal):
    assert RATES.ecb_rate_on(day) == D(ecb_on_day)
    assert RATES.ecb_half_year_rate(day) == D(ecb_half_year)
    assert RATES.legal_rate(day) == D(legal)


def test_rates_past_the_tables_use_the_last_value_and_warn():
    warnings = RATES.coverage_warnings(dt.date(2026, 11, 22))
    assert any("2026-S2" in w and "legal" in w for w in warnings)
    assert any("ECB" in w for w in warnings)
    assert RATES.legal_rate(dt.date(2026, 11, 22)) == D("2.62")
    assert RATES.coverage_warnings(dt.date(2026, 3, 1)) == []


def test_site_rates_extend_the_shipped_tables():
    extended = load_rate_tables({dt.date(2026, 6, 17): D("2.40")}, {"2026-S2": D("2.50")})
    assert extended.ecb_half_year_rate(dt.date(2026, 11, 22)) == D("2.40")
    assert extended.legal_rate(dt.date(2026, 11, 22)) == D("2.50")
    assert extended.coverage_warnings(dt.date(2026, 11, 22)) == []


def test_interest_first_an_invoice_paid_exactly_its_amount_late_still_owes_principal():
    # 10 % fixed. 1 → 30 Oct 2025, 30 d on 1000: 8.22 (as above). Payment of 1000 on 30 Oct:
    # 8.22 to interest, 991.78 to principal → 8.22 of principal left.
    # 31 Oct → 29 Nov, 30 d on 8.22: 8.22 × 10 × 30 / 36500 = 0.0676 → 0.07
    from relancegen.law.penalties import principal_owed

    terms = Terms(late_interest=LateInterestRule("fixed", annual_rate=D("10"), text="10%"), payment_allocation="interest_first")
    paid_in_full = invoice("1000.00", dt.date(2025, 9, 30), payments=((dt.date(2025, 10, 30), "1000.00"),))
    result = compute_penalties(paid_in_full, kind="b2b", terms=terms, rates=RATES, as_of=dt.date(2025, 11, 29))
    assert result.outstanding == D("8.22")
    assert [p[-1] for p in periods(result)] == ["8.22", "0.07"]
    assert result.interest_due == D("0.07")
    assert result.days_late == 60  # not settled: interest runs to the build date
    assert principal_owed(paid_in_full, kind="b2b", terms=terms, rates=RATES, as_of=dt.date(2025, 11, 29)) == D("8.22")
    # Under the default allocation the same payment settles the invoice on 30 Oct.
    default_terms = Terms(late_interest=terms.late_interest)
    assert principal_owed(paid_in_full, kind="b2b", terms=default_terms, rates=RATES, as_of=dt.date(2025, 11, 29)) == D("0.00")
    settled = compute_penalties(paid_in_full, kind="b2b", terms=default_terms, rates=RATES, as_of=dt.date(2025, 11, 29))
    assert settled.days_late == 30 and settled.outstanding == D("0.00")


def test_consumer_interest_runs_per_invoice_from_the_notice_that_named_it():
    import datetime as _dt

    from relancegen.law.penalties import formal_notice_dates
    from relancegen.site.model import JournalEntry

    def notice(day: dt.date, numbers: tuple[str, ...]) -> JournalEntry:
        return JournalEntry(
            time=_dt.datetime(day.year, day.month, day.day, 9, tzinfo=_dt.timezone.utc), client="c", stage="formal_notice",
            channel="registered_post", invoices=numbers, status="sent",
        )

    entries = [notice(dt.date(2026, 3, 2), ("F-1",)), notice(dt.date(2026, 5, 4), ("F-1", "F-2"))]
    assert formal_notice_dates(entries) == {"F-1": dt.date(2026, 3, 2), "F-2": dt.date(2026, 5, 4)}
    assert "F-3" not in formal_notice_dates(entries)  # never named: a consumer owes it no interest


def test_a_consumer_owes_no_interest_from_a_notice_that_may_never_have_left():
    """A formal notice whose delivery is unknown (the SMTP or postal call broke) starts no
    interest until a person resolves it as delivered; one resolved as not delivered never does.
    The stage engine still counts it as done, so that it is not sent twice."""
    import datetime as _dt

    from relancegen.law.penalties import formal_notice_dates
    from relancegen.law.stages import counted
    from relancegen.site.model import JournalEntry

    def entry(status: str, day: dt.date, **extra: str) -> JournalEntry:
        return JournalEntry(
            time=_dt.datetime(day.year, day.month, day.day, 9, tzinfo=_dt.timezone.utc), client="c", stage="formal_notice",
            channel="registered_post", invoices=("F-1",), status=status, delivery_id="d1", extra=extra,
        )

    unknown = entry("unknown", dt.date(2026, 3, 2))
    assert formal_notice_dates([unknown]) == {}
    assert counted([unknown]) == [unknown]  # never sent twice
    assert formal_notice_dates([unknown, entry("resolved", dt.date(2026, 3, 5), resolution="delivered")]) == {"F-1": dt.date(2026, 3, 2)}
    assert formal_notice_dates([unknown, entry("resolved", dt.date(2026, 3, 5), resolution="not-delivered")]) == {}
