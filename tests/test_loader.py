"""Loading and validating a site: valid data becomes typed values; every problem in a
broken site is reported at once, located, with exit code 1 and no traceback."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from relancegen.cli import main
from relancegen.errors import SiteError
from relancegen.site.loader import load_site

BROKEN = Path(__file__).parent / "sites" / "broken"
EXAMPLE = Path(__file__).parent.parent


def test_valid_site_loads_with_decimal_money_and_defaults(site_factory):
    site_dir = site_factory(invoices=[{"number": "F-1", "client": "client-a", "issued": "2026-09-01", "amount": 1440.5,
                                       "payments": [{"date": "2026-10-01", "amount": "440.00"}]}])
    site = load_site(site_dir)
    invoice = site.invoices[0]
    assert invoice.amount == Decimal("1440.50") and isinstance(invoice.amount, Decimal)
    assert invoice.due == dt.date(2026, 10, 1)  # issued + terms.payment_days
    assert invoice.outstanding(dt.date(2026, 10, 1)) == Decimal("1000.50")
    assert site.terms.recovery_indemnity == Decimal("40.00")
    assert site.terms.late_interest.kind == "ecb" and site.terms.late_interest.points == Decimal("10")
    assert [step.stage for step in site.schedule][0] == "prevention"
    assert site.clients["client-a"].accounting_contact.email == "alice@client-a.example"


def test_invoices_and_clients_can_be_folders_read_in_name_order():
    site = load_site(EXAMPLE)
    numbers = [invoice.number for invoice in site.invoices]
    assert numbers.index("F-2026-0121") < numbers.index("F-2026-0301")  # 2026-q3.yml before 2026-q4.yml
    assert len(site.clients) == 14


def test_broken_site_reports_every_error_with_file_line_and_field():
    with pytest.raises(SiteError) as caught:
        load_site(BROKEN)
    reported = {(str(p.location), p.field) for p in caught.value.problems if p.severity == "error"}
    expected = {
        ("site.yml:5", "site.as_of"),
        ("site.yml:8", "creditor.siren"),
        ("site.yml:11", "creditor.iban"),
        ("site.yml:13", "terms.late_interest"),
        ("site.yml:18", "channels.email.password"),
        ("data/clients.yml:1", "clients[Good/Client].id"),
        ("data/clients.yml:6", "clients[acme].kind"),
        ("data/clients.yml:9", "clients[acme].contacts[0].email"),
        ("data/invoices.yml:4", "invoices[F-1].ammount"),
        ("data/invoices.yml:6", "invoices[F-2].client"),
        ("data/invoices.yml:9", "invoices[F-2].number"),
        ("data/invoices.yml:13", "invoices[F-2].payments"),
        ("data/invoices.yml:17", "invoices[F-3].issued"),
        ("data/invoices.yml:18", "invoices[F-3].amount"),
        ("journal/2026.jsonl:2", "time"),
        ("journal/2026.jsonl:3", ""),
    }
    assert expected <= reported


def test_check_prints_every_error_once_and_exits_1_without_traceback():
    result = CliRunner().invoke(main, ["check", "--site", str(BROKEN)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "data/invoices.yml:4: invoices[F-1].ammount: unknown field; did you mean 'amount'?" in result.output
    assert "site.yml:18: channels.email.password: secrets are never written in site.yml" in result.output
    assert "hunter2" not in result.output
    assert result.output.strip().endswith("errors found.")


def test_yaml_syntax_error_is_located(site_factory):
    site_dir = site_factory()
    (site_dir / "data" / "clients.yml").write_text("- id: a\n  name: [unclosed\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--site", str(site_dir)])
    assert result.exit_code == 1
    assert "data/clients.yml:" in result.output and "invalid YAML" in result.output


def test_duplicate_keys_and_duplicate_client_ids_are_errors(site_factory):
    site_dir = site_factory()
    (site_dir / "data" / "clients.yml").write_text(
        "- id: a\n  name: A\n  name: B\n  address: {lines: [x], postcode: '1', city: c}\n"
        "- id: a\n  name: C\n  address: {lines: [x], postcode: '1', city: c}\n", encoding="utf-8")
    with pytest.raises(SiteError) as caught:
        load_site(site_dir)
    messages = [str(p) for p in caught.value.problems]
    assert any("data/clients.yml:3: name: duplicate key (first at line 2)" in m for m in messages)
    assert any("data/clients.yml:5" in m and "duplicate client id" in m for m in messages)


def test_missing_site_yml_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(main, ["check", "--site", str(tmp_path)])
    assert result.exit_code == 1
    assert "no site.yml" in result.output and "Traceback" not in result.output


def test_example_site_passes_check():
    result = CliRunner().invoke(main, ["check", "--site", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert "no error" in result.output


def test_legal_warnings_do_not_fail_check(site_factory):
    site_dir = site_factory(
        terms={"payment_days": 75, "late_interest": "8%"},
        site={"as_of": "2026-03-01"},
        clients=[{"id": "x", "name": "X", "kind": "b2c", "address": {"lines": ["a"], "postcode": "1", "city": "c"}}],
        invoices=[{"number": "F-OLD", "client": "x", "issued": "2024-01-10", "amount": "100.00"}],
    )
    result = CliRunner().invoke(main, ["check", "--site", str(site_dir)])
    assert result.exit_code == 0, result.output
    assert "exceeds the 60-day maximum" in result.output
    assert "time-barred since 2026-01-10 (2 years, C. conso L218-2)" in result.output  # b2c: 2 years from the issue date
    assert "no contact has an email address" in result.output


def test_anchors_and_merge_keys_share_client_defaults(site_factory):
    """A firm factors its clients' common fields with an anchor; a merged field lands on
    every client, an explicit one wins, and errors in merged values keep a line."""
    site_dir = site_factory()
    (site_dir / "data" / "clients.yml").write_text(
        "- &lyon\n  id: a\n  name: A\n  kind: b2b\n  address: {lines: [1 rue X], postcode: '69002', city: Lyon}\n"
        "- <<: *lyon\n  id: b\n  name: B\n"
        "- <<: *lyon\n  id: c\n  name: C\n  kind: b2c\n", encoding="utf-8")
    site = load_site(site_dir)
    assert [(c.name, c.kind, c.address.city) for c in site.clients.values()] == [
        ("A", "b2b", "Lyon"), ("B", "b2b", "Lyon"), ("C", "b2c", "Lyon")]


@pytest.mark.parametrize(("text", "message"), [
    ("- id: a\n---\n- id: b\n", "data/clients.yml:2: invalid YAML: expected a single document"),
    ("- id: a\n  name: *nowhere\n", "data/clients.yml:2: invalid YAML: found undefined alias 'nowhere'"),
    ("- id: a\n  name: !python/name:os.system x\n", "data/clients.yml:2: invalid YAML: could not determine a constructor"),
])
def test_yaml_that_safe_load_refuses_is_a_located_error(site_factory, text, message):
    site_dir = site_factory()
    (site_dir / "data" / "clients.yml").write_text(text, encoding="utf-8")
    with pytest.raises(SiteError) as caught:
        load_site(site_dir)
    assert any(message in str(p) for p in caught.value.problems), [str(p) for p in caught.value.problems]


@pytest.mark.parametrize("command", ["check", "build"])
def test_a_rate_below_the_legal_floor_or_another_indemnity_stops_check_and_build(site_factory, command):
    site_dir = site_factory(
        terms={"payment_days": 30, "late_interest": "5%", "recovery_indemnity": "60.00"},
        site={"as_of": "2026-03-01"},
        invoices=[{"number": "F-1", "client": "client-a", "issued": "2025-12-01", "amount": "100.00"}],
    )
    result = CliRunner().invoke(main, [command, "--site", str(site_dir)])
    assert result.exit_code == 1, result.output
    assert "site.yml: terms.late_interest: 5% gives 5 %, below 3 × the legal rate (7.86 %)" in result.output  # 3 × 2.62 (2026-S1)
    assert "terms.recovery_indemnity: 60.00 €: the recovery indemnity is fixed at 40 €" in result.output
    assert not (site_dir / "_site").exists()  # no letter states the clause
    # in 2026-S2, past the legal-rate table: the floor is the last known one, and it says so
    (site_dir / "site.yml").write_text((site_dir / "site.yml").read_text(encoding="utf-8").replace("as_of: '2026-03-01'", "as_of: '2026-11-23'"), encoding="utf-8")
    later = CliRunner().invoke(main, [command, "--site", str(site_dir)])
    assert "below 3 × the legal rate (7.86 % (3 × the last known legal rate: the one of 2026-S2 is not verified; add it under `rates: {legal: {\"2026-S2\": \"x.xx\"}}`))" in later.output, later.output
