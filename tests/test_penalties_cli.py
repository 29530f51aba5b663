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
    assert first["periods"][0] == {"from": "2026-09-25", "to": "2026-10-20", "days": 25, "principal": "8640.00", "annual_rate": "15.00", "interest": "88.77"}
    assert first["interest"] == "181.55" and first["indemnity"] == "40.00" and first["total_penalties"] == "221.55"  # on 23 November 2026


def test_table_totals_per_client_and_flags_disputed_invoices():
    result = CliRunner().invoke(main, ["penalties", "--site", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    table = result.stdout.replace("\u202f", " ").replace("\xa0", " ")
    assert "facture contestée, hors relance : Teintes non conformes au bon à tirer validé" in table
    assert "Total général" in table and "1 346,26 €" in table
    assert "the legal rate is not known for 2026-S2" in result.stderr  # the coverage warning


def test_unknown_client_is_a_clear_error():
    result = CliRunner().invoke(main, ["penalties", "--site", str(EXAMPLE), "--client", "nobody"])
    assert result.exit_code == 1 and "unknown client 'nobody'" in result.output
