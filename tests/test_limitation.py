"""Limitation per regime (spec "Penalties", domain.md), pinned to dates worked out by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from relancegen.law.limitation import is_time_barred, limitation_date
from relancegen.site.model import Invoice, JournalEntry, Payment


def invoice(**overrides) -> Invoice:
    fields = {"number": "F-1", "client": "c", "issued": dt.date(2022, 3, 1), "due": dt.date(2022, 3, 31), "amount": Decimal("500.00")}
    return Invoice(**{**fields, **overrides})


def sent(day: dt.date, channel: str = "registered_post", numbers: tuple[str, ...] = ("F-1",)) -> JournalEntry:
    return JournalEntry(time=dt.datetime(day.year, day.month, day.day, 9, tzinfo=dt.timezone.utc), client="c",
                        stage="formal_notice", channel=channel, invoices=numbers, status="sent")


@pytest.mark.parametrize(("overrides", "kind", "expected"), [
    ({}, "b2b", dt.date(2027, 3, 31)),                                     # 5 years from the due date
    ({}, "b2c", dt.date(2024, 3, 1)),                                      # 2 years from the issue date
    ({"performed": dt.date(2022, 2, 10)}, "b2c", dt.date(2024, 2, 10)),    # ... or from completion
    ({}, "public", dt.date(2027, 1, 1)),                                   # 4 years from 1 Jan 2023
    ({"due": dt.date(2024, 2, 29)}, "b2b", dt.date(2029, 2, 28)),          # 29 February
    ({"payments": (Payment(dt.date(2023, 6, 15), Decimal("100.00")),)}, "b2c", dt.date(2025, 6, 15)),  # a payment acknowledges
])
def test_limitation_date_per_regime(overrides, kind, expected):
    assert limitation_date(invoice(**overrides), kind) == expected


def test_a_written_demand_interrupts_only_a_public_buyers_limitation():
    history = [sent(dt.date(2024, 5, 2))]
    assert limitation_date(invoice(), "public", history) == dt.date(2029, 1, 1)   # 4 years from 1 Jan 2025
    assert limitation_date(invoice(), "b2b", history) == dt.date(2027, 3, 31)     # a formal notice does not interrupt
    assert limitation_date(invoice(), "public", [sent(dt.date(2024, 5, 2), channel="phone")]) == dt.date(2027, 1, 1)
    assert limitation_date(invoice(), "public", [sent(dt.date(2024, 5, 2), numbers=("F-2",))]) == dt.date(2027, 1, 1)


def test_time_barred_from_the_limitation_date_on():
    consumer = invoice()
    assert not is_time_barred(consumer, "b2c", [], dt.date(2024, 2, 29))
    assert is_time_barred(consumer, "b2c", [], dt.date(2024, 3, 1))
