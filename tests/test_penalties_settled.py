"""Penalties paid or waived (`penalties_settled` on an invoice): once the site records them, no
later document claims them again (issue "penalties settled").

Days of `relancegen build --date D` then `relancegen send` run against the postal stand-in on
127.0.0.1; what the debtor receives is read back from the PDFs the stand-in was given.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from example_site import TEST_RATES  # 2026-S2 test values: registered letters are built, not held
from postal_server import PostalApi
from test_postal import api  # noqa: F401  (the fixture: the postal stand-in, its credentials in the environment)
from relancegen.cli import main
from relancegen.law.situation import compute_situation
from relancegen.site.loader import load_site
from relancegen.testing import DEFAULT_CREDITOR, run_poppler
from relancegen_agency.channel import case_json
from relancegen.plugins import plugin_renderer

CREDITOR = {**DEFAULT_CREDITOR, "rcs": "Lyon"}
TERMS = {"payment_days": 30, "late_interest": "10%"}


def client(client_id: str, name: str, **fields) -> dict:
    return {"id": client_id, "name": name, "address": {"lines": ["2 rue du Garage"], "postcode": "69003", "city": "Lyon"},
            "contacts": [{"name": "Karim Benali", "civility": "M.", "role": "accounting", "email": f"k@{client_id}.example"}], **fields}


# "pro" paid F-0 45 days late and still owes F-9; "geste" owes W-1, whose penalties the creditor will waive.
PRO, GESTE = client("pro", "Garage SARL"), client("geste", "Atelier Geste SARL")
PAID_LATE = {"number": "F-0", "client": "pro", "issued": "2026-07-01", "due": "2026-07-31", "amount": "2400.00", "subject": "Carrosserie",
             "payments": [{"date": "2026-09-14", "amount": "2400.00"}]}
OPEN = {"number": "F-9", "client": "pro", "issued": "2026-08-31", "due": "2026-09-30", "amount": "300.00", "subject": "Entretien"}
WAIVED = {"number": "W-1", "client": "geste", "issued": "2026-08-31", "due": "2026-09-30", "amount": "500.00", "subject": "Peinture"}


def history(client_id: str, number: str) -> list[dict]:
    """The acts before the simulated days: reminder, call, overdue letter."""
    return [{"time": f"2026-{day}T09:00:00+02:00", "client": client_id, "stage": stage, "channel": channel, "invoices": [number], "status": status}
            for day, stage, channel, status in (("10-05", "reminder", "email", "sent"), ("10-12", "call", "phone", "recorded"),
                                                ("10-20", "overdue", "post", "sent"))]


def flat(text: str) -> str:
    """The text on one line, without the hyphenation of line ends and with plain spaces."""
    return " ".join(text.replace("\u2010\n", "").replace("\u202f", " ").replace("\xa0", " ").split())


def pdf_text(data: bytes, folder: Path) -> str:
    path = folder / "read-back.pdf"
    path.write_bytes(data)
    return flat(run_poppler("pdftotext", path, "-"))


def settle(site_dir: Path, number: str, settled: dict) -> None:
    """What a person writes in the site when the penalties are paid or waived."""
    path = site_dir / "data/invoices.yml"
    invoices = yaml.safe_load(path.read_text(encoding="utf-8"))
    for invoice in invoices:
        if invoice["number"] == number:
            invoice["penalties_settled"] = settled
    path.write_text(yaml.safe_dump(invoices, allow_unicode=True, sort_keys=False), encoding="utf-8")


def postal_site(site_factory, api: PostalApi) -> Path:
    settings = {"plugin": "maileva", "base_url": api.base_url, "auth_url": api.auth_url, "client_id_env": "MLV_CLIENT_ID",
                "client_secret_env": "MLV_CLIENT_SECRET", "username_env": "MLV_USER", "password_env": "MLV_PASSWORD",
                "retries": 2, "retry_delay": 0.01, "timeout": 5}
    return site_factory(creditor=CREDITOR, clients=[PRO, GESTE], invoices=[PAID_LATE, OPEN, WAIVED], terms=TERMS,
                        journal=history("pro", "F-9") + history("geste", "W-1"),
                        channels={"registered_post": settings, "post": settings}, rates=TEST_RATES)


def working_days(first: dt.date, last: dt.date) -> list[dt.date]:
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    return [day for day in days if day.weekday() < 5 and day != dt.date(2026, 11, 11)]  # 11 November: a public holiday


def test_settled_penalties_leave_the_acts_that_follow(site_factory, api, tmp_path, monkeypatch):
    """The debit note goes with the penalty letter; the debtor pays it and the site records it:
    the formal notice leaves without it and no longer names it. The penalties of W-1 are waived
    after its penalty letter: its formal notice claims the principal only."""
    site_dir = postal_site(site_factory, api)
    posted: dict[tuple[str, str], list[str]] = {}  # (client, day) → the text of each document posted
    for day in working_days(dt.date(2026, 11, 2), dt.date(2026, 11, 20)):
        monkeypatch.setenv("RELANCEGEN_NOW", f"{day.isoformat()}T09:00:00+01:00")
        built = CliRunner().invoke(main, ["build", "--site", str(site_dir), "--date", day.isoformat()])
        assert built.exit_code == 0, built.output
        before = set(api.sendings)
        sent = CliRunner().invoke(main, ["send", "--site", str(site_dir)])
        assert sent.exit_code in (0, 3), sent.output
        for key in set(api.sendings) - before:
            sending = api.sendings[key]
            (recipient,) = sending["recipients"].values()
            name = recipient["address_line_1"]
            posted[(name, day.isoformat())] = [pdf_text(document, tmp_path) for document in sending["documents"]]
        if day == dt.date(2026, 11, 10):  # in the afternoon: the debit note paid, the penalties of W-1 waived
            settle(site_dir, "F-0", {"date": "2026-11-10", "how": "paid"})
            settle(site_dir, "W-1", {"date": "2026-11-10", "how": "waived", "note": "geste commercial, accord du 10/11"})

    acts = sorted((day, name) for name, day in posted)
    assert acts == [("2026-11-04", "Atelier Geste SARL"), ("2026-11-04", "Garage SARL"),
                    ("2026-11-19", "Atelier Geste SARL"), ("2026-11-19", "Garage SARL")], acts

    # 4 November, the penalty letters: F-0's debit note leaves with F-9's letter
    documents = posted[("Garage SARL", "2026-11-04")]
    (letter,) = [text for text in documents if "Application des pénalités de retard" in text]
    assert "la facture F-0, réglée après son échéance, s'élèvent à 69,59 €" in letter  # 2 400 € × 10 % × 45 / 365 = 29,59 € + 40 €
    assert "Joint également : note de débit" in letter
    assert any("Note de débit du 4 novembre 2026" in text and "Total de la note de débit 69,59 €" in text for text in documents)
    (waived_letter,) = [text for text in posted[("Atelier Geste SARL", "2026-11-04")] if "Application des pénalités de retard" in text]
    assert "40,00 €" in waived_letter and "Nous avons renoncé" not in waived_letter  # claimed: not waived yet

    # 19 November, the formal notices: nothing of the settled penalties any more
    documents = posted[("Garage SARL", "2026-11-19")]
    (notice,) = [text for text in documents if "nous vous mettons en demeure" in text]
    assert "F-9" in notice and "note de débit" not in notice.lower() and "F-0" not in notice
    assert not any("Note de débit" in text for text in documents)
    documents = posted[("Atelier Geste SARL", "2026-11-19")]
    (waived_notice,) = [text for text in documents if "nous vous mettons en demeure" in text]
    assert "nous vous mettons en demeure de nous régler la somme de 500,00 €" in waived_notice
    assert "Nous avons renoncé le 10 novembre 2026 aux pénalités de retard de la facture W-1 : seul son principal est réclamé." in waived_notice
    assert "portent intérêts" not in waived_notice and "indemnité forfaitaire" not in waived_notice
    assert "Les intérêts continuent de courir" not in waived_notice
    assert len(documents) == 1  # no penalty statement at 0 €, no debit note
    manifest = json.loads((site_dir / "_site/manifest.json").read_text())
    assert not [d for d in manifest["documents"] if d["kind"] in ("debit_note", "statement")]

    # the law, asked about a day before the settlement (a replay), claims the penalties as before
    site = load_site(site_dir)
    before, after = (compute_situation(site, site.clients["pro"], dt.date(2026, 11, day)) for day in (9, 10))
    assert [line.invoice.number for line in before.paid_late] == ["F-0"] and after.paid_late == ()
    before, after = (compute_situation(site, site.clients["geste"], dt.date(2026, 11, day)) for day in (9, 10))
    assert before.indemnity == Decimal("40.00") and after.indemnity == after.interest == Decimal("0.00")
    assert after.overdue[0].settled is not None and after.principal == Decimal("500.00")


def test_relancegen_penalties_marks_what_was_paid_or_waived(site_factory):
    paid = {**PAID_LATE, "penalties_settled": {"date": "2026-11-10", "how": "paid"}}
    waived = {**WAIVED, "penalties_settled": {"date": "2026-11-12", "how": "waived", "note": "geste commercial"}}
    site_dir = site_factory(creditor=CREDITOR, clients=[PRO, GESTE], invoices=[paid, OPEN, waived], terms=TERMS, site={"as_of": "2026-11-23"})
    result = CliRunner().invoke(main, ["penalties", "--site", str(site_dir), "--format", "json"])
    assert result.exit_code == 0, result.output
    items = {item["invoice"]: item for item in json.loads(result.stdout)}
    assert items["F-0"]["settled"] == {"date": "2026-11-10", "how": "paid"} and items["F-0"]["total_penalties"] == "69.59"
    # the figures are those of the day it was waived: 500 € × 10 % × 43 days / 365 = 5,89 €, and 40 €
    assert items["W-1"]["settled"] == {"date": "2026-11-12", "how": "waived", "note": "geste commercial"}
    assert items["W-1"]["days_late"] == 43 and items["W-1"]["interest"] == "5.89"
    assert "settled" not in items["F-9"]
    table = CliRunner().invoke(main, ["penalties", "--site", str(site_dir)]).stdout
    assert "pénalités réglées le 10/11/2026, hors totaux" in table
    assert "pénalités abandonnées le 12/11/2026, hors totaux : geste commercial" in table
    owed = Decimal(items["F-9"]["total_penalties"])
    assert table.splitlines()[-1].split()[-2:] == [f"{owed:.2f}".replace(".", ","), "€"]  # the grand total: F-9 alone
    csv = CliRunner().invoke(main, ["penalties", "--site", str(site_dir), "--format", "csv"]).stdout_bytes.decode("utf-8")
    assert ";pénalités abandonnées le 12/11/2026\r\n" in csv and ";pénalités réglées le 10/11/2026\r\n" in csv


def test_the_plan_claims_no_settled_penalty(site_factory):
    paid = {**PAID_LATE, "penalties_settled": {"date": "2026-11-10", "how": "paid"}}
    waived = {**WAIVED, "penalties_settled": {"date": "2026-11-12", "how": "waived"}}
    site_dir = site_factory(creditor=CREDITOR, clients=[PRO, GESTE], invoices=[paid, OPEN, waived], terms=TERMS,
                            journal=history("pro", "F-9") + history("geste", "W-1"), site={"as_of": "2026-11-23"}, rates=TEST_RATES)
    result = CliRunner().invoke(main, ["plan", "--site", str(site_dir), "--until", "2026-11-30", "--format", "json"])
    assert result.exit_code in (0, 3), result.output
    acts = {(act["client"], act["stage"]): act for act in json.loads(result.stdout)["acts"]}
    assert acts[("pro", "penalties")]["invoices"] == ["F-9"]  # no debit note for F-0 any more
    assert acts[("pro", "penalties")]["amount"] == "344.44"  # F-9 and its own penalties only: 300 € × 10 % × 54 / 365 = 4,44 €, and 40 €
    assert acts[("geste", "penalties")]["amount"] == "500.00"  # the principal alone


def test_the_agency_claims_what_the_collection_letter_claims(site_factory):
    """The case file counts the debit note (F-0 paid late) with F-9, as the collection letter
    does, unless the penalties were paid."""
    site_dir = site_factory(creditor=CREDITOR, clients=[PRO], invoices=[PAID_LATE, OPEN], terms=TERMS, site={"as_of": "2026-11-23"})
    for settled, debit_note in ((None, Decimal("69.59")), ({"date": "2026-11-20", "how": "paid"}, Decimal("0.00"))):
        if settled:
            settle(site_dir, "F-0", settled)
        site = load_site(site_dir)
        situation = compute_situation(site, site.clients["pro"], dt.date(2026, 11, 23))
        case = case_json(site, situation, [], plugin_renderer(site))
        assert case["claim"]["debit_note"] == f"{debit_note:.2f}"
        assert Decimal(case["claim"]["total"]) == situation.total + debit_note
        assert Decimal(case["claim"]["principal"]) + Decimal(case["claim"]["interest"]) + Decimal(case["claim"]["indemnity"]) == situation.total + debit_note
        assert [i["number"] for i in case["invoices"]] == (["F-9", "F-0"] if not settled else ["F-9"])


@pytest.mark.parametrize("language, subject, sentence, left_out", [
    ("fr", "Dernier rappel avant mise en demeure",
     "Nous avons renoncé le 12 novembre 2026 aux pénalités de retard de la facture W-1 : seul son principal est réclamé.",
     ("Les intérêts continuent de courir", "indemnité forfaitaire", "Application des pénalités")),
    ("en", "Final reminder before formal notice",
     "On 12 November 2026 we waived the late-payment charges on invoice W-1: only its principal is claimed.",
     ("Interest continues to run", "fixed compensation", "now applied")),
])
def test_the_penalty_letter_of_an_invoice_whose_penalties_were_waived(site_factory, language, subject, sentence, left_out):
    waived = {**WAIVED, "penalties_settled": {"date": "2026-11-12", "how": "waived"}}
    site_dir = site_factory(creditor=CREDITOR, clients=[{**GESTE, "language": language}], invoices=[waived], terms=TERMS,
                            journal=history("geste", "W-1"), site={"as_of": "2026-11-19"}, rates=TEST_RATES)
    result = CliRunner().invoke(main, ["build", "--site", str(site_dir), "--client", "geste"])
    assert result.exit_code == 0, result.output
    text = flat(run_poppler("pdftotext", site_dir / "_site/geste/penalties/letter.pdf", "-"))
    assert subject in text and sentence in text and ("500,00 €" in text or "€500.00" in text)
    assert not any(words in text for words in left_out), text
    assert not (site_dir / "_site/geste/penalties/statement.pdf").exists()


@pytest.mark.parametrize("kind, left_out", [
    ("b2b", ("ces pénalités s'élèvent", "nous ne les appliquons pas encore", "conditions générales de vente prévoient")),
    ("public", ("intérêts moratoires",)),
])
def test_the_overdue_letter_of_an_invoice_whose_penalties_were_waived(site_factory, kind, left_out):
    """Waived before the overdue letter, the penalties are neither counted nor held out as a
    goodwill gesture still to come: the letter says they were waived."""
    waived = {**WAIVED, "penalties_settled": {"date": "2026-10-15", "how": "waived"}}
    site_dir = site_factory(creditor=CREDITOR, clients=[{**GESTE, "kind": kind}], invoices=[waived], terms=TERMS,
                            journal=history("geste", "W-1")[:2], site={"as_of": "2026-10-22"}, rates=TEST_RATES)
    result = CliRunner().invoke(main, ["build", "--site", str(site_dir), "--client", "geste"])
    assert result.exit_code == 0, result.output
    (pdf,) = (site_dir / "_site/geste/overdue").glob("letter*.pdf")
    text = flat(run_poppler("pdftotext", pdf, "-"))
    assert "Nous avons renoncé le 15 octobre 2026 aux pénalités de retard de la facture W-1 : seul son principal est réclamé." in text
    assert not any(words in text for words in left_out), text
    email = next((site_dir / "_site/geste/overdue").glob("email*.txt")).read_text(encoding="utf-8")
    assert "500,00" in email and "pénalités prévues" not in email and "intérêts moratoires courent" not in email


def test_with_interest_first_a_settlement_leaves_every_payment_on_the_principal(site_factory):
    """Paid exactly its amount, late, under interest_first, an invoice still owes the part of
    the payment imputed to interest; once the penalties are waived nothing is owed."""
    invoice = {**WAIVED, "payments": [{"date": "2026-11-09", "amount": "500.00"}]}
    for settled, owed in ((None, True), ({"date": "2026-11-12", "how": "waived"}, False)):
        site_dir = site_factory(creditor=CREDITOR, clients=[GESTE], invoices=[{**invoice, "penalties_settled": settled} if settled else invoice],
                                terms={**TERMS, "payment_allocation": "interest_first"}, site={"as_of": "2026-11-19"})
        site = load_site(site_dir)
        situation = compute_situation(site, site.clients["geste"], dt.date(2026, 11, 19))
        assert bool(situation.overdue) == owed
        if owed:
            assert situation.principal == Decimal("5.48")  # 500 € × 10 % × 40 / 365, imputed to interest first


@pytest.mark.parametrize("settled, message", [
    ({"date": "2026-13-01", "how": "paid"}, "penalties_settled.date: expected a date YYYY-MM-DD"),
    ({"date": "2026-11-10", "how": "forgiven"}, "penalties_settled.how: 'forgiven' is not one of paid, waived"),
    ({"date": "2026-07-01", "how": "paid", "amount": "10"}, "penalties_settled.amount: unknown"),
    ({"date": "2026-06-30", "how": "waived"}, "penalties_settled.date: the penalties are settled before the invoice was issued"),
    ({"date": "2026-11-24", "how": "paid"}, "penalties_settled.date: the penalties are settled on 2026-11-24, after the build date 2026-11-23"),
])
def test_a_bad_settlement_is_a_located_error(site_factory, settled, message):
    site_dir = site_factory(creditor=CREDITOR, clients=[PRO], invoices=[{**PAID_LATE, "penalties_settled": settled}], terms=TERMS,
                            site={"as_of": "2026-11-23"})
    for command in ("check", "build"):
        result = CliRunner().invoke(main, [command, "--site", str(site_dir)])
        assert result.exit_code == 1 and message in result.output, result.output
        assert "data/invoices.yml:" in result.output and "Traceback" not in result.output
    assert not (site_dir / "_site").exists()


def test_check_warns_about_a_settlement_of_penalties_never_owed(site_factory):
    """Paid on time, or a consumer's invoice no formal notice named: there was nothing to pay
    or waive, so the date is likely wrong; a real settlement raises no warning."""
    on_time = {**OPEN, "number": "F-8", "payments": [{"date": "2026-09-15", "amount": "300.00"}],
               "penalties_settled": {"date": "2026-10-01", "how": "waived"}}
    consumer = client("conso", "Mme Julie Moreau", kind="b2c")
    unnoticed = {**WAIVED, "number": "C-1", "client": "conso", "penalties_settled": {"date": "2026-11-02", "how": "paid"}}
    settled = {**PAID_LATE, "penalties_settled": {"date": "2026-11-10", "how": "paid"}}
    site_dir = site_factory(creditor={**CREDITOR, "consumer_mediator": {"name": "Médiateur", "url": "https://mediateur.example"}},
                            clients=[PRO, consumer], invoices=[settled, on_time, unnoticed], terms=TERMS, site={"as_of": "2026-11-23"})
    result = CliRunner().invoke(main, ["check", "--site", str(site_dir)])
    assert result.exit_code == 0, result.output
    warned = [line for line in result.output.splitlines() if ".penalties_settled:" in line]
    assert len(warned) == 2, result.output
    assert "invoices[F-8].penalties_settled: on 2026-10-01 the invoice owed no penalty" in warned[0]
    assert "invoices[C-1].penalties_settled: on 2026-11-02 the invoice owed no penalty" in warned[1]
    assert "check the date, or remove penalties_settled" in warned[0]
