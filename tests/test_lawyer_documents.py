"""What a lawyer checks on every page (issue "Documents a lawyer signs"), read back from the PDFs."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from relancegen.cli import main
from relancegen.testing import DEFAULT_CREDITOR, run_poppler

CONSUMER = {"id": "conso", "name": "Mme Julie Moreau", "kind": "b2c",
            "address": {"lines": ["5 rue des Lilas"], "postcode": "69004", "city": "Lyon"},
            "contacts": [{"name": "Julie Moreau", "role": "accounting", "email": "julie@example.fr"}]}
BUSINESS = {"id": "pro", "name": "Garage SARL", "address": {"lines": ["2 rue du Garage"], "postcode": "69003", "city": "Lyon"},
            "contacts": [{"name": "Karim Benali", "civility": "M.", "role": "accounting", "email": "k@garage.example"}]}
INVOICES = [{"number": f"F-{client}", "client": client, "issued": "2026-08-01", "due": "2026-08-31", "amount": "300.00"}
            for client in ("conso", "pro")]


def flat(text: str) -> str:
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())


def test_registration_and_mediator_on_the_documents(site_factory, tmp_path):
    creditor = {**DEFAULT_CREDITOR, "rcs": "Lyon", "consumer_mediator": {"name": "CM2C", "url": "https://www.cm2c.net"}}
    site_dir = site_factory(creditor=creditor, clients=[CONSUMER, BUSINESS], invoices=INVOICES, site={"as_of": "2026-11-23"})
    result = CliRunner().invoke(main, ["build", "--site", str(site_dir), "--all-stages"])
    assert result.exit_code == 0, result.output
    consumer = flat(run_poppler("pdftotext", site_dir / "_site/conso/formal_notice/letter.pdf", "-"))
    business = flat(run_poppler("pdftotext", site_dir / "_site/pro/formal_notice/letter.pdf", "-"))
    assert "RCS Lyon 812 345 676" in consumer and "RCS Lyon 812 345 676" in business  # C. com. R123-237
    assert "médiateur de la consommation : CM2C (https://www.cm2c.net)" in consumer  # C. conso L612-1
    assert "médiateur" not in business
    assert consumer.count("Madame,") >= 1 and "Madame, Monsieur" not in consumer  # civility from the name
    email = (site_dir / "_site/conso/reminder/email.html").read_text(encoding="utf-8")
    assert "Médiateur de la consommation\u202f: CM2C" in email and "RCS Lyon 812 345 676" in email


def test_check_names_what_a_lawyer_would_miss(site_factory):
    site_dir = site_factory(clients=[CONSUMER, BUSINESS], invoices=INVOICES, site={"as_of": "2026-11-23"})
    result = CliRunner().invoke(main, ["check", "--site", str(site_dir)])
    assert result.exit_code == 0, result.output
    assert "creditor.rcs: every document must name the greffe after the SIREN" in result.output
    assert "creditor.consumer_mediator: letters to consumers must name your consumer mediator" in result.output
    assert "invoices[F-pro].file: no copy of the invoice" in result.output


def test_a_public_buyers_term_runs_from_its_receipt_of_the_invoice(site_factory):
    from relancegen.site.loader import load_site

    public = {"id": "mairie", "name": "Commune de Caluire", "kind": "public",
              "address": {"lines": ["Place du Docteur Dugoujon"], "postcode": "69300", "city": "Caluire-et-Cuire"}}
    site_dir = site_factory(clients=[public], site={"as_of": "2026-11-23"}, invoices=[
        {"number": "P-1", "client": "mairie", "issued": "2026-09-01", "received": "2026-09-10", "amount": "100.00"},
        {"number": "P-2", "client": "mairie", "issued": "2026-09-01", "amount": "100.00"},
    ])
    site = load_site(site_dir)
    assert [str(invoice.due) for invoice in site.invoices] == ["2026-10-10", "2026-10-01"]  # 30 days from receipt / issue
    result = CliRunner().invoke(main, ["check", "--site", str(site_dir)])
    assert "invoices[P-2].received: a public buyer's payment term runs from its receipt of the invoice" in result.output
    assert "invoices[P-1].received" not in result.output


def test_statements_list_each_payment_with_its_imputation_and_the_principal_the_engine_computed(site_factory):
    site_dir = site_factory(
        terms={"payment_days": 30, "late_interest": "10%", "payment_allocation": "interest_first"},
        site={"as_of": "2025-11-29"},
        invoices=[{"number": "F-1", "client": "client-a", "issued": "2025-08-31", "due": "2025-09-30", "amount": "1000.00",
                   "payments": [{"date": "2025-10-30", "amount": "500.00"}]}],
    )
    result = CliRunner().invoke(main, ["build", "--site", str(site_dir), "--all-stages", "--client", "client-a"])
    assert result.exit_code == 0, result.output
    statement = flat(run_poppler("pdftotext", site_dir / "_site/client-a/formal_notice/statement.pdf", "-"))
    # hand-computed in test_penalties.py: 8,22 € of interest settled first, 491,78 € on the principal
    assert "paiement du 30/10/2025 : 500,00 €, imputé sur les intérêts pour 8,22 € et sur le principal pour 491,78 €" in statement
    assert "Principal restant dû 508,22 €" in statement  # not 500,00 €: the payment is counted once
    letter = flat(run_poppler("pdftotext", site_dir / "_site/client-a/formal_notice/letter.pdf", "-"))
    assert "principal 508,22 €" in letter and "intérêts de retard 4,18 €" in letter


def test_a_consumer_gets_no_zero_statement_before_the_notice_and_one_amount_per_letter(site_factory):
    site_dir = site_factory(clients=[CONSUMER], invoices=[INVOICES[0]], site={"as_of": "2026-11-23"})
    result = CliRunner().invoke(main, ["build", "--site", str(site_dir), "--all-stages"])
    assert result.exit_code == 0, result.output
    assert not (site_dir / "_site/conso/penalties/statement.pdf").exists()
    letter = flat(run_poppler("pdftotext", site_dir / "_site/conso/penalties/letter.pdf", "-"))
    assert "Pièces jointes" not in letter and "Pièce jointe" not in letter and "décompte" not in letter.lower()
    amounts = set(re.findall(r"(?<!\d)(?<!\d )\d{1,3}(?: \d{3})*,\d\d €", letter))
    assert amounts == {"300,00 €"}, amounts  # the text and the payment block state one amount


def test_no_journal_code_in_french_call_sheets_and_case_files(tmp_path):
    from pathlib import Path

    example = Path(__file__).parent.parent
    result = CliRunner().invoke(main, ["build", "--site", str(example), "--out", str(tmp_path), "--all-stages", "--client", "menuiserie-fabre"])
    assert result.exit_code == 0, result.output
    for document in ("call/call-sheet.pdf", "collection/case-summary.pdf"):
        text = flat(run_poppler("pdftotext", tmp_path / "menuiserie-fabre" / document, "-"))
        for code in ("registered_post", "formal_notice", "message_id", "tracking", " sent ", " recorded ", "[{"):
            assert code not in text, (document, code)
    summary = flat(run_poppler("pdftotext", tmp_path / "menuiserie-fabre/collection/case-summary.pdf", "-"))
    assert "lettre recommandée AR" in summary and "mise en demeure" in summary and "numéro de suivi : 1A00123456999" in summary


PUBLIC = {"id": "mairie", "name": "Commune de Caluire", "kind": "public",
          "address": {"lines": ["Place du Docteur Dugoujon"], "postcode": "69300", "city": "Caluire-et-Cuire"},
          "contacts": [{"name": "Service comptabilité", "role": "accounting", "email": "finances@mairie.example"}]}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_public_buyers_get_public_law_letters(site_factory, language):
    creditor = {**DEFAULT_CREDITOR, "payment_url": "https://pay.example.fr/{invoice}"}
    site_dir = site_factory(creditor=creditor, clients=[{**PUBLIC, "language": language}], site={"as_of": "2026-11-23"}, invoices=[
        {"number": "P-1", "client": "mairie", "issued": "2026-08-01", "received": "2026-08-01", "amount": "1200.00"}])
    result = CliRunner().invoke(main, ["build", "--site", str(site_dir), "--all-stages"])
    assert result.exit_code == 0, result.output
    texts = {stage: flat(run_poppler("pdftotext", site_dir / f"_site/mairie/{stage}/letter.pdf", "-"))
             for stage in ("overdue", "penalties", "formal_notice")}
    emails = {stage: (site_dir / f"_site/mairie/{stage}/email.txt").read_text(encoding="utf-8") for stage in ("reminder", "overdue")}
    everything = " ".join([*texts.values(), *emails.values()])
    for private_law in ("L441-10", "D441-5", "conditions générales", "general terms", "injonction de payer", "order for payment",
                        "oubli", "oversight", "pay.example.fr", "Scanner pour payer", "Scan to pay"):
        assert private_law not in everything, private_law
    assert all("L2192-13" in text for text in texts.values())
    assert "R541-1" in texts["formal_notice"] and "68-1250" in texts["formal_notice"]
    assert "D2192-35" in texts["penalties"]


def test_a_debtor_in_collective_proceedings_gets_no_dunning_and_the_claim_is_to_declare(site_factory):
    insolvent = {**BUSINESS, "insolvency": {"procedure": "redressement", "judgment": "2026-10-05", "published": "2026-10-15"}}
    site_dir = site_factory(clients=[insolvent], invoices=[INVOICES[1]], site={"as_of": "2026-11-23"})
    result = CliRunner().invoke(main, ["build", "--site", str(site_dir)])
    assert result.exit_code == 0, result.output
    assert not (site_dir / "_site/pro").exists()
    assert "collective proceedings (redressement, judgment of 2026-10-05): dunning stops" in result.output
    assert "declare the claim to the mandataire judiciaire by 2026-12-15" in result.output
    plan = CliRunner().invoke(main, ["plan", "--site", str(site_dir), "--until", "2027-02-01"])
    assert plan.exit_code in (0, 3) and "pro" not in plan.output.replace("proceedings", "")


def test_under_interest_first_an_invoice_paid_exactly_its_amount_late_is_still_chased(site_factory):
    import datetime as dt
    from decimal import Decimal

    from relancegen.law.situation import compute_situation
    from relancegen.site.loader import load_site

    site_dir = site_factory(
        terms={"payment_days": 30, "late_interest": "10%", "payment_allocation": "interest_first"},
        invoices=[{"number": "F-1", "client": "client-a", "issued": "2025-08-31", "due": "2025-09-30", "amount": "1000.00",
                   "payments": [{"date": "2025-10-30", "amount": "1000.00"}]}],
    )
    site = load_site(site_dir)
    situation = compute_situation(site, site.clients["client-a"], dt.date(2025, 12, 1))
    (line,) = situation.overdue
    assert line.outstanding == Decimal("8.22")  # 8,22 € of the payment went to interest first (C. civ. 1343-1)
    assert situation.stage is not None


def test_a_public_buyer_never_reaches_the_collection_agency(site_factory):
    import datetime as dt

    from relancegen.law.situation import compute_situation
    from relancegen.site.loader import load_site

    journal = [{"time": "2026-06-01T09:00:00+02:00", "client": "mairie", "stage": "formal_notice", "channel": "registered_post",
                "invoices": ["P-1"], "status": "sent"}]
    site_dir = site_factory(clients=[PUBLIC], journal=journal, invoices=[
        {"number": "P-1", "client": "mairie", "issued": "2026-03-01", "received": "2026-03-01", "amount": "1200.00"}])
    site = load_site(site_dir)
    situation = compute_situation(site, site.clients["mairie"], dt.date(2026, 11, 23))
    assert situation.stage is None and "référé-provision" in situation.reason
    result = CliRunner().invoke(main, ["build", "--site", str(site_dir), "--all-stages", "--date", "2026-11-23"])
    assert result.exit_code == 0, result.output
    assert not (site_dir / "_site/mairie/collection").exists()
