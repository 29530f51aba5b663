"""Dates, money, rates and lists in the document's language; which language a client gets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from relancegen.documents import formatting
from relancegen.documents.render import Renderer, document_language
from relancegen.law.situation import compute_situation
from relancegen.law.penalties import RateBasis
from relancegen.site.loader import load_site


@pytest.mark.parametrize(("language", "expected"), [
    ("fr", ("1\u202f234,56\u00a0€", "22 novembre 2026", "1er novembre 2026", "22/11/2026", "12,15\u00a0%", "F1, F2 et F3")),
    ("en", ("€1,234.56", "22 November 2026", "1 November 2026", "22/11/2026", "12.15%", "F1, F2 and F3")),
    ("de", ("1.234,56\u00a0€", "22. November 2026", "1. November 2026", "22.11.2026", "12,15\u00a0%", "F1, F2 und F3")),
])
def test_money_dates_rates_and_lists_follow_the_language(language, expected):
    assert (
        formatting.money(D("1234.56"), language),
        formatting.date_long(dt.date(2026, 11, 22), language),
        formatting.date_long(dt.date(2026, 11, 1), language),
        formatting.date_short(dt.date(2026, 11, 22), language),
        formatting.percent(D("12.15"), language),
        formatting.join_list(["F1", "F2", "F3"], language),
    ) == expected


def test_a_client_language_wins_over_the_site_language(site_factory):
    site = load_site(site_factory(site={"language": "en"}, clients=[
        {"id": "a", "name": "A Ltd", "address": {"lines": ["1 High St"], "postcode": "EC1A 1BB", "city": "London", "country": "GB"}},
        {"id": "b", "name": "B SAS", "language": "fr", "address": {"lines": ["2 rue X"], "postcode": "69001", "city": "Lyon"}},
    ]))
    assert document_language(site, site.clients["a"]) == "en"
    assert document_language(site, site.clients["b"]) == "fr"


@pytest.mark.parametrize(("rate", "french", "english"), [
    (RateBasis("ecb", points=D("8"), fixed_on=dt.date(2025, 1, 1)), "taux BCE + 8 points, fixé au 1er janvier 2025", "ECB rate + 8 points, fixed on 1 January 2025"),
    (RateBasis("ecb", points=D("10")), "taux BCE + 10 points", "ECB rate + 10 points"),
    (RateBasis("3x-legal"), "3 × taux de l'intérêt légal", "3 × French statutory interest rate"),
    (RateBasis("fixed", annual_rate=D("12.50")), "12,5 % l'an", "12.5% a year"),
    (RateBasis("legal"), "taux de l'intérêt légal", "French statutory interest rate"),
])
def test_the_penalty_engine_rate_is_data_worded_in_each_language(site_factory, rate, french, english):
    renderer = Renderer(load_site(site_factory()))
    assert renderer.rate_label(rate, "fr") == french
    assert renderer.rate_label(rate, "en") == english


def test_what_goes_to_the_agency_is_in_the_site_language(site_factory):
    site = load_site(site_factory(clients=[
        {"id": "a", "name": "A Ltd", "language": "en", "address": {"lines": ["1 High St"], "postcode": "EC1A 1BB", "city": "London", "country": "GB"}},
    ]))
    renderer = Renderer(site)
    situation = compute_situation(site, site.clients["a"], dt.date(2026, 11, 22))
    assert renderer.context(situation, "collection", "post")["language"] == "en"
    assert renderer.context(situation, "collection", "agency")["language"] == "fr"


def test_the_agency_case_file_words_the_rate_in_the_site_language(site_factory):
    from relancegen_agency.channel import case_json

    site = load_site(site_factory(invoices=[
        {"number": "F-1", "client": "client-a", "issued": "2026-09-01", "due": "2026-10-01", "amount": "1000.00", "subject": "Travaux"},
    ]))
    situation = compute_situation(site, site.clients["client-a"], dt.date(2026, 11, 22))
    case = case_json(site, situation, [], Renderer(site))
    assert case["invoices"][0]["penalties"]["rate"] == "taux BCE + 10 points"
