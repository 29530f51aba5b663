"""The build's index.html (to-do, aged balance, stage funnel, DSO) and the CSV files an
accountant opens in a French Excel."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner

from relancegen.build.dashboard import TodoItem, render_dashboard
from relancegen.cli import main
from relancegen.law.aging import bucket, days_sales_outstanding
from relancegen.site.loader import load_site

EXAMPLE = Path(__file__).parent.parent
CLIENTS = [
    {"id": "client-a", "name": "Client A SAS", "address": {"lines": ["1 rue A"], "postcode": "69001", "city": "Lyon"},
     "contacts": [{"name": "Alice", "role": "accounting", "email": "alice@a.example"}]},
    {"id": "client-b", "name": "Client B SARL", "address": {"lines": ["1 rue B"], "postcode": "69001", "city": "Lyon"},
     "contacts": [{"name": "Bob", "role": "accounting", "email": "bob@b.example"}]},
]
INVOICES = [
    {"number": "F-1", "client": "client-a", "issued": "2026-10-31", "due": "2026-11-30", "amount": "100.00"},
    {"number": "F-2", "client": "client-a", "issued": "2026-10-08", "due": "2026-11-07", "amount": "200.00"},
    {"number": "F-3", "client": "client-b", "issued": "2026-08-21", "due": "2026-09-20", "amount": "300.00"},
    {"number": "F-4", "client": "client-b", "issued": "2026-06-01", "due": "2026-07-01", "amount": "400.00",
     "payments": [{"date": "2026-08-01", "amount": "50.00"}]},
]


def test_aged_balance_columns_bound_at_30_60_and_90_days():
    assert [bucket(days) for days in (-3, 0, 1, 30, 31, 60, 61, 90, 91)] == [
        "not_due", "not_due", "0-30", "0-30", "31-60", "31-60", "61-90", "61-90", "90+"]


def test_the_build_writes_the_dashboard_and_the_aged_balance_csv(site_factory):
    site_dir = site_factory(site={"as_of": "2026-11-23"}, clients=CLIENTS, invoices=INVOICES)
    result = CliRunner().invoke(main, ["build", "--site", str(site_dir)])
    assert result.exit_code == 0, result.output
    output = site_dir / "_site"
    page = (output / "index.html").read_text(encoding="utf-8").replace("\u202f", " ").replace("\xa0", " ")
    assert '<svg id="aged-balance-chart"' in page and '<svg id="funnel-chart"' in page
    row_b = page.split("<td>Client B SARL</td>")[1].split("</tr>")[0]
    assert [cell.split("</td>")[0] for cell in row_b.split('<td class="amount">')[1:]] == ["", "", "", "300,00 €", "350,00 €", "650,00 €"]
    assert '<p class="figure" id="dso">347 jours</p>' in page  # 950 € owed / 1 000 € invoiced × 365
    assert "envoyer l&#39;email" in page and 'href="client-a/reminder/email.html"' in page
    assert (output / "aged-balance.csv").read_bytes().decode("utf-8") == (
        "\ufeffClient;Nom;Non échu;0-30 jours;31-60 jours;61-90 jours;Plus de 90 jours;Total\r\n"
        "client-b;Client B SARL;0,00;0,00;0,00;300,00;350,00;650,00\r\n"
        "client-a;Client A SAS;100,00;200,00;0,00;0,00;0,00;300,00\r\n"
        "Total;;100,00;200,00;0,00;300,00;350,00;950,00\r\n"
    )
    balance = CliRunner().invoke(main, ["balance", "--site", str(site_dir)])
    assert balance.exit_code == 0 and balance.stdout_bytes == (output / "aged-balance.csv").read_bytes()


def test_dso_needs_sales_in_the_period(site_factory):
    site = load_site(site_factory(site={"as_of": "2026-11-22"}, clients=CLIENTS, invoices=INVOICES))
    assert days_sales_outstanding(site.invoices, Decimal("950.00"), dt.date(2026, 11, 22)) == Decimal("347")
    assert days_sales_outstanding(site.invoices, Decimal("950.00"), dt.date(2029, 1, 1)) is None


def test_the_todo_is_a_list_any_planner_can_feed(site_factory):
    site = load_site(site_factory(site={"as_of": "2026-11-22"}, clients=CLIENTS, invoices=INVOICES))
    todo = [TodoItem("client-b", "Client B SARL", "formal_notice", "rappeler le gérant <urgent>", Decimal("650.00"))]
    page = render_dashboard(site, [], dt.date(2026, 11, 22), todo, [])
    assert "rappeler le gérant &lt;urgent&gt;" in page and "mise en demeure" in page


def test_penalties_as_csv_for_a_french_excel():
    result = CliRunner().invoke(main, ["penalties", "--site", str(EXAMPLE), "--format", "csv", "--client", "transports-vial"])
    assert result.exit_code == 0, result.output
    text = result.stdout_bytes.decode("utf-8")
    assert text.startswith("\ufeffClient;Facture;Échéance;Jours de retard;Principal dû;Intérêts;Indemnité;Total pénalités;Contestée;Pénalités soldées\r\n")
    first = text.splitlines()[1].split(";")
    assert first[:2] == ["transports-vial", "F-2026-0178"] and first[6:8] == ["40,00", "221,55"]
    assert first[2].count("/") == 2  # dd/mm/yyyy
