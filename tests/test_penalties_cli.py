"""`relancegen penalties` as an accountant and a CI job read it."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from relancegen.cli import main

EXAMPLE = Path(__file__).parent.parent


def test_json_has_the_spec_shape_with_money_as_strings():
    result = CliRunner().invoke(main, ["penalties", "--site", str(EXAMPLE), "--format", "json", "--client", "transports-vial"])
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)
    assert [item["invoice"] for item in items] == ["F-2026-0178", "F-2026-0192"]
    first = items[0]
    assert set(first) >= {"invoice", "client", "due", "outstanding", "days_late", "interest", "indemnity", "total_penalties", "periods"}
    assert first["periods"][0] == {"from": "2026-09-26", "to": "2026-10-20", "days": 25, "principal": "8640.00", "annual_rate": "15.00", "interest": "88.77"}
    assert first["interest"] == "181.55" and first["indemnity"] == "40.00" and first["total_penalties"] == "221.55"  # on 23 November 2026


def test_table_totals_per_client_and_flags_disputed_invoices():
    result = CliRunner().invoke(main, ["penalties", "--site", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    table = result.stdout.replace("\u202f", " ").replace("\xa0", " ")
    assert "facture contestée, hors relance : Teintes non conformes au bon à tirer validé" in table
    assert "Total général" in table and "1 469,64 €" in table
    # a debtor in collective proceedings: interest stopped on the eve of the judgment (L622-28)
    assert "du 04/10/2026 au 03/11/2026    31 j  sur   2 160,00 € à  12,15 %  =    22,29 €" in table
    assert "the legal rate is not known for 2026-S2" in result.stderr  # the coverage warning


def test_unknown_client_is_a_clear_error():
    result = CliRunner().invoke(main, ["penalties", "--site", str(EXAMPLE), "--client", "nobody"])
    assert result.exit_code == 1 and "unknown client 'nobody'" in result.output


def test_json_periods_count_both_ends_and_interest_first_matches_the_table(site_factory):
    import datetime as dt
    from decimal import Decimal

    site_dir = site_factory(
        terms={"payment_days": 30, "late_interest": "10%", "payment_allocation": "interest_first"},
        invoices=[{"number": "F-1", "client": "client-a", "issued": "2025-08-31", "due": "2025-09-30", "amount": "1000.00",
                   "payments": [{"date": "2025-10-30", "amount": "500.00"}]}],
    )
    result = CliRunner().invoke(main, ["penalties", "--site", str(site_dir), "--date", "2025-11-29", "--format", "json"])
    assert result.exit_code == 0, result.output
    (item,) = json.loads(result.stdout)
    for period in item["periods"]:
        days = (dt.date.fromisoformat(period["to"]) - dt.date.fromisoformat(period["from"])).days + 1
        assert days == period["days"]
    assert item["periods"][0]["from"] == "2025-10-01"  # the day after the due date, the first day of interest
    # 8.22 accrued then paid by imputation, 4.18 still owed (hand-computed in test_penalties.py)
    assert (item["interest_accrued"], item["interest_paid"], item["interest"]) == ("12.40", "8.22", "4.18")
    assert Decimal(item["interest"]) + Decimal(item["indemnity"]) == Decimal(item["total_penalties"])
    assert item["outstanding"] == "508.22"
    table = CliRunner().invoke(main, ["penalties", "--site", str(site_dir), "--date", "2025-11-29"]).stdout.replace("\u202f", " ").replace("\xa0", " ")
    assert "508,22 €" in table and "4,18 €" in table and "44,18 €" in table


def test_a_period_on_an_unverified_rate_is_marked_until_the_site_gives_the_rate(tmp_path):
    from example_site import copy_example

    for test_rates in (False, True):
        site = copy_example(tmp_path / str(test_rates), test_rates=test_rates)
        table = CliRunner().invoke(main, ["penalties", "--site", str(site), "--client", "restaurant-le-bouchon"]).stdout.replace("\u202f", " ").replace("\xa0", " ")
        items = json.loads(CliRunner().invoke(main, ["penalties", "--site", str(site), "--client", "restaurant-le-bouchon", "--format", "json"]).stdout)
        (period,) = items[0]["periods"]  # 11/10 to 23/11/2026 at ECB + 10: the ECB rate of 1 July 2026
        if test_rates:
            assert "non vérifié" not in table and "verified" not in period
        else:
            assert "à  12,15 %  =    31,64 €  (dernier taux connu, non vérifié)" in table and period["verified"] is False
