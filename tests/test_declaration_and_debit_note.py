"""The déclaration de créance to the mandataire judiciaire, and the note de débit claiming the
penalties on invoices paid late (issue "Documents a lawyer signs"), read back from the PDFs."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from test_postal import api  # noqa: F401  (the fixture: the postal stand-in, its credentials in the environment)
from relancegen.cli import main
from relancegen.law.penalties import compute_penalties
from relancegen.site.loader import load_site
from relancegen.testing import DEFAULT_CREDITOR, run_poppler

CREDITOR = {**DEFAULT_CREDITOR, "rcs": "Lyon"}
MANDATAIRE = {"name": "SELARL Mandataires Associés", "address": {"lines": ["8 quai Jules Courmont"], "postcode": "69002", "city": "Lyon"}}  # the window and the postal API print "69002 LYON"
PROCEEDINGS = {"procedure": "redressement", "judgment": "2026-10-05", "published": "2026-10-15",
               "court": "Tribunal de commerce de Lyon", "mandataire": MANDATAIRE}
DEBTOR = {"id": "pro", "name": "Garage SARL", "siren": "552100554", "address": {"lines": ["2 rue du Garage"], "postcode": "69003", "city": "Lyon"},
          "contacts": [{"name": "Karim Benali", "civility": "M.", "role": "accounting", "email": "k@garage.example"}],
          "insolvency": PROCEEDINGS}
CLAIMED = [
    # paid late before the judgment: its penalties are declared too
    {"number": "F-0", "client": "pro", "issued": "2026-03-01", "due": "2026-03-31", "amount": "500.00", "subject": "Diagnostic",
     "payments": [{"date": "2026-04-30", "amount": "500.00"}]},
    # late before the judgment: interest up to 4 October 2026, and the 40 € indemnity
    {"number": "F-1", "client": "pro", "issued": "2026-07-01", "due": "2026-07-31", "amount": "1200.00", "subject": "Révision", "file": "invoices/F-1.pdf"},
    # falling due after the judgment: principal only
    {"number": "F-2", "client": "pro", "issued": "2026-09-01", "due": "2026-10-20", "amount": "600.00", "subject": "Pneus"},
    # born after the judgment: not declared (C. com. L622-17)
    {"number": "F-3", "client": "pro", "issued": "2026-10-10", "due": "2026-11-09", "amount": "100.00", "subject": "Vidange"},
]


def flat(text: str) -> str:
    """The text on one line, without the hyphenation of line ends."""
    return " ".join(text.replace("\u2010\n", "").replace("\u202f", " ").replace("\xa0", " ").split())


def money(amount: Decimal) -> str:
    whole, cents = f"{amount:.2f}".split(".")
    return f"{int(whole):,}".replace(",", " ") + f",{cents} €"


def insolvent_site(site_factory, late_interest: str = "10%", **kwargs):
    site_dir = site_factory(creditor=CREDITOR, clients=[DEBTOR], invoices=CLAIMED, terms={"payment_days": 30, "late_interest": late_interest}, **kwargs)
    (site_dir / "invoices").mkdir(exist_ok=True)
    (site_dir / "invoices" / "F-1.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    return site_dir


def test_the_declaration_claims_what_was_owed_the_day_before_the_judgment(site_factory):
    site_dir = insolvent_site(site_factory, site={"as_of": "2026-11-23"})
    result = CliRunner().invoke(main, ["build", "--site", str(site_dir)])
    assert result.exit_code == 0 and "declare the claim to the mandataire judiciaire by 2026-12-15" in result.output, result.output
    assert "(déclaration de créance)" in result.output  # the build's summary counts it
    text = flat(run_poppler("pdftotext", site_dir / "_site/pro/declaration/declaration.pdf", "-"))

    site = load_site(site_dir)
    paid, first = [inv for inv in site.invoices if inv.number in ("F-0", "F-1")]
    eve = compute_penalties(first, kind="b2b", terms=site.terms, rates=site.rates, as_of=dt.date(2026, 10, 4))
    assert eve is not None and eve.interest == Decimal("21.37")  # 1 200 € × 10 % × 65 days / 365, to the judgment's eve
    late = compute_penalties(paid, kind="b2b", terms=site.terms, rates=site.rates, as_of=dt.date(2026, 10, 4))
    assert late is not None and late.interest == Decimal("4.11")  # 500 € × 10 % × 30 days / 365, up to the payment
    assert f"F-0 01/03/2026 31/03/2026 0,00 € 4,11 € 40,00 € 44,11 €" in text
    assert f"F-1 {'01/07/2026'} 31/07/2026 1 200,00 € {money(eve.interest)} 40,00 € {money(Decimal('1200') + eve.interest + 40)}" in text
    assert "F-2 01/09/2026 20/10/2026 600,00 € 0,00 € 0,00 € 600,00 €" in text  # due after the judgment: no interest, no indemnity
    assert "F-3" not in text  # a claim born after the judgment is not declared
    total = Decimal("1800.00") + eve.interest + late.interest + 80
    assert f"1 800,00 € {money(eve.interest + late.interest)} 80,00 € {money(total)}" in text and "Total déclaré" in text
    assert f"Le montant déclaré s'élève à {money(total)}" in text
    assert "jusqu'à son paiement ou, au plus tard, jusqu'au 4 octobre 2026, veille du jugement d'ouverture" in text and "L622-28" in text
    assert "à titre chirographaire" in text
    assert "le jugement ayant été publié le 15 octobre 2026, ce délai expire le 15 décembre 2026" in text  # R622-24: two months
    # the creditor, the debtor, the proceedings, the addressee
    assert "RCS Lyon 812 345 676" in text and "SIREN 552100554" in text
    assert "Tribunal de commerce de Lyon" in text and "redressement judiciaire" in text
    assert text.index("SELARL Mandataires Associés") < text.index("8 quai Jules Courmont") < text.index("69002 LYON")
    assert "Garage SARL 2 rue du Garage" not in text  # not the debtor's address in the window
    # exhibits: announced exactly as enclosed
    assert "La copie de la facture F-1 est jointe" in text and "Les copies des autres factures vous seront adressées sur simple demande" in text
    assert "Je certifie sincère et véritable la présente déclaration" in text and "Claire Test" in text
    manifest = json.loads((site_dir / "_site/manifest.json").read_text())
    (entry,) = [d for d in manifest["documents"] if d["stage"] == "declaration"]
    assert entry["kind"] == "declaration" and entry["channel"] == "registered_post" and entry["invoices"] == ["F-0", "F-1", "F-2"]


def test_disputed_invoices_and_sums_falling_due_are_declared_as_such(site_factory):
    """A claim the debtor disputes is declared all the same (one that is not declared is lost
    to the proceedings, L622-26; the juge-commissaire rules on the dispute); an invoice not
    yet due on the day of the judgment is declared as a sum falling due, with its due date
    (L622-25); an invoice issued after the judgment for work performed before it is a claim
    born before it."""
    invoices = [
        {**CLAIMED[1], "disputed": "Le client conteste la révision."},
        CLAIMED[2],
        {"number": "F-4", "client": "pro", "issued": "2026-08-01", "due": "2026-08-31", "amount": "300.00", "subject": "Freins"},
        {"number": "F-5", "client": "pro", "issued": "2026-10-12", "due": "2026-11-11", "performed": "2026-09-30", "amount": "250.00", "subject": "Carrosserie"},
        CLAIMED[3],
    ]
    site_dir = site_factory(creditor=CREDITOR, clients=[DEBTOR], invoices=invoices, terms={"payment_days": 30, "late_interest": "10%"},
                            site={"as_of": "2026-11-23"})
    (site_dir / "invoices").mkdir()
    (site_dir / "invoices" / "F-1.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    recorded = CliRunner().invoke(main, ["record", "--site", str(site_dir), "--client", "pro", "--stage", "call", "--date", "2026-09-20",
                                         "--invoice", "F-4", "--outcome", "dispute", "--note", "Conteste la facture des freins"])
    assert recorded.exit_code == 0, recorded.output
    result = CliRunner().invoke(main, ["build", "--site", str(site_dir)])
    assert result.exit_code == 0, result.output
    pdf = site_dir / "_site/pro/declaration/declaration.pdf"
    text = flat(run_poppler("pdftotext", pdf, "-"))
    rows = [line.split() for line in run_poppler("pdftotext", "-layout", pdf, "-").splitlines() if line.strip()]
    marks = {row[0]: next_row for row, next_row in zip(rows, rows[1:]) if row[0].startswith("F-")}
    assert marks["F-1"] == ["contestée"] and marks["F-4"] == ["contestée"]  # under the number
    assert marks["F-2"] == ["à", "échoir"] and marks["F-5"] == ["à", "échoir"]  # under the due date
    assert "Les factures F-1, F-4 sont contestées par le débiteur. Elles sont néanmoins déclarées pour leur montant" in text
    assert "juge-commissaire" in text and "L624-2" in text
    # F-2 (due 20 October) and F-5 (due 11 November) were not yet due on 5 October
    assert "Elle comprend 850,00 € à échoir au jour du jugement (article L622-25 du Code de commerce), au titre des factures " \
           "F-2, payable le 20 octobre 2026 (600,00 €) ; F-5, payable le 11 novembre 2026 (250,00 €)." in text
    (f5,) = [row for row in rows if row[0] == "F-5"]
    assert f5[1:3] == ["12/10/2026", "11/11/2026"] and "F-3" not in text  # performed before the judgment: declared; born after it: not
    manifest = json.loads((site_dir / "_site/manifest.json").read_text())
    (entry,) = [d for d in manifest["documents"] if d["stage"] == "declaration"]
    assert entry["invoices"] == ["F-1", "F-2", "F-4", "F-5"]


def test_an_invoice_born_after_the_judgment_is_neither_declared_nor_forgotten(site_factory):
    """F-3 was issued after the opening judgment: it is not declared, not dunned (rule 1),
    and once overdue the to-do says what the law makes of it until it is paid."""
    site_dir = insolvent_site(site_factory)
    todo = lambda day: CliRunner().invoke(main, ["todo", "--site", str(site_dir), "--date", day])  # noqa: E731
    assert "F-3" not in todo("2026-11-09").output  # due that day: not overdue yet
    result = todo("2026-11-10")
    assert result.exit_code == 3, result.output
    assert "Invoices born after an opening judgment, overdue (collective proceedings):" in result.output
    assert ("F-3: 100.00 € overdue, born after the opening judgment of 2026-10-05, so neither declared nor dunned; "
            "it is payable at its due date (C. com. L622-17)") in result.output
    assert "within a year of the end of the observation period (L622-17 IV; L641-13 in liquidation)" in result.output
    build = CliRunner().invoke(main, ["build", "--site", str(site_dir), "--date", "2026-11-10"])
    assert build.exit_code == 0 and not (site_dir / "_site/pro/reminder").exists(), build.output
    text = flat(run_poppler("pdftotext", site_dir / "_site/pro/declaration/declaration.pdf", "-"))
    assert "F-3" not in text
    # paid: nothing left to do about it
    import yaml

    invoices = yaml.safe_load((site_dir / "data/invoices.yml").read_text(encoding="utf-8"))
    invoices[3]["payments"] = [{"date": "2026-11-12", "amount": "100.00"}]
    (site_dir / "data/invoices.yml").write_text(yaml.safe_dump(invoices, allow_unicode=True), encoding="utf-8")
    assert "F-3" not in todo("2026-11-13").output


def test_without_a_publication_the_deadline_is_not_invented(site_factory):
    unpublished = {**DEBTOR, "insolvency": {k: v for k, v in PROCEEDINGS.items() if k != "published"} | {"security": "nantissement du fonds de commerce"}}
    site_dir = site_factory(creditor=CREDITOR, clients=[unpublished], invoices=CLAIMED[2:3], site={"as_of": "2026-11-23"})
    result = CliRunner().invoke(main, ["build", "--site", str(site_dir)])
    assert "within two months of its BODACC publication (add insolvency.published)" in result.output
    text = flat(run_poppler("pdftotext", site_dir / "_site/pro/declaration/declaration.pdf", "-"))
    assert "deux mois à compter de la publication du jugement" in text and "expire" not in text
    assert "à titre privilégié (nantissement du fonds de commerce)" in text
    assert "Les copies des factures vous seront adressées sur simple demande" in text and "jointe" not in text


def test_without_a_mandataire_the_todo_asks_for_one_and_nothing_is_built(site_factory):
    no_mandataire = {**DEBTOR, "insolvency": {k: v for k, v in PROCEEDINGS.items() if k != "mandataire"}}
    site_dir = site_factory(creditor=CREDITOR, clients=[no_mandataire], invoices=CLAIMED[2:3], site={"as_of": "2026-11-23"})
    result = CliRunner().invoke(main, ["build", "--site", str(site_dir)])
    assert "add insolvency.mandataire (name, address) and the build writes the declaration" in result.output
    assert not (site_dir / "_site/pro").exists()


def test_the_declaration_is_posted_once_to_the_mandataire_over_days_of_build_and_send(site_factory, api):
    settings = {"plugin": "maileva", "base_url": api.base_url, "auth_url": api.auth_url, "client_id_env": "MLV_CLIENT_ID",
                "client_secret_env": "MLV_CLIENT_SECRET", "username_env": "MLV_USER", "password_env": "MLV_PASSWORD",
                "retries": 2, "retry_delay": 0.01, "timeout": 5}
    site_dir = insolvent_site(site_factory, channels={"registered_post": settings, "post": settings})
    built = []
    for day in ("2026-11-23", "2026-11-24", "2026-11-25"):
        result = CliRunner().invoke(main, ["build", "--site", str(site_dir), "--date", day])
        assert result.exit_code in (0, 3), result.output
        built.append((site_dir / "_site/pro/declaration/declaration.pdf").exists())
        sent = CliRunner().invoke(main, ["send", "--site", str(site_dir)])
        assert sent.exit_code in (0, 3), sent.output
    assert built == [True, False, False]  # the journal's declaration stops it
    (sending,) = api.submitted()
    assert sending["options"]["acknowledgement_of_receipt"] is True
    (recipient,) = sending["recipients"].values()
    assert recipient["address_line_1"] == "SELARL Mandataires Associés" and recipient["address_line_6"] == "69002 LYON"
    assert len(sending["documents"]) == 2  # the declaration, then the copy of F-1 (the only one that exists)
    entries = [json.loads(line) for path in (site_dir / "journal").glob("*.jsonl") for line in path.read_text(encoding="utf-8").splitlines()]
    assert [(e["stage"], e["status"], e["invoices"]) for e in entries if e["status"] == "sent"] == [("declaration", "sent", ["F-0", "F-1", "F-2"])]
    final = CliRunner().invoke(main, ["build", "--site", str(site_dir), "--date", "2026-11-26"])
    assert "declare the claim" not in final.output  # declared: the to-do no longer asks for it


PAYER = {"id": "pro", "name": "Garage SARL", "address": {"lines": ["2 rue du Garage"], "postcode": "69003", "city": "Lyon"},
         "contacts": [{"name": "Karim Benali", "role": "accounting", "email": "k@garage.example"}]}
PAID_LATE = {"number": "F-0", "client": "pro", "issued": "2026-03-01", "due": "2026-03-31", "amount": "2400.00", "subject": "Carrosserie",
             "payments": [{"date": "2026-05-15", "amount": "2400.00"}]}
OPEN = {"number": "F-9", "client": "pro", "issued": "2026-08-01", "due": "2026-08-31", "amount": "300.00", "subject": "Entretien"}


@pytest.mark.parametrize("kind", ["b2b", "public"])
def test_the_debit_note_claims_the_penalties_of_invoices_paid_late(site_factory, kind):
    client = {**PAYER, "kind": kind}
    site_dir = site_factory(creditor=CREDITOR, clients=[client], invoices=[PAID_LATE, OPEN], terms={"payment_days": 30, "late_interest": "10%"},
                            site={"as_of": "2026-11-23"})
    result = CliRunner().invoke(main, ["build", "--site", str(site_dir), "--all-stages"])
    assert result.exit_code == 0, result.output
    site = load_site(site_dir)
    penalties = compute_penalties(site.invoices[0], kind=kind, terms=site.terms, rates=site.rates, as_of=dt.date(2026, 11, 23))
    assert penalties is not None and penalties.days_late == 45
    note = flat(run_poppler("pdftotext", "-layout", site_dir / "_site/pro/penalties/debit-note.pdf", "-"))
    row = f"F-0 2 400,00 € 31/03/2026 15/05/2026 45 j {money(penalties.interest_due)} 40,00 € {money(penalties.total_penalties)}"
    assert row in note, note
    assert f"Total de la note de débit {money(penalties.total_penalties)}" in note
    assert "hors du champ d'application de la TVA" in note
    if kind == "public":
        assert "D2192-35" in note and "R2192-31" in note and "conditions générales" not in note and "L441-10" not in note
    else:
        assert "L441-10" in note and "D441-5" in note
    for stage in ("penalties", "formal_notice"):
        letter = flat(run_poppler("pdftotext", site_dir / f"_site/pro/{stage}/letter.pdf", "-"))
        assert f"la facture F-0, réglée après son échéance, s'élèvent à {money(penalties.total_penalties)}" in letter
        assert "Joint également : note de débit" in letter
    assert (site_dir / "_site/pro/formal_notice/debit-note.pdf").exists()
    if kind == "b2b":
        assert (site_dir / "_site/pro/collection/debit-note.pdf").exists()
    assert not list((site_dir / "_site/pro").glob("overdue/debit-note.pdf"))  # only from the penalties stage on
    manifest = json.loads((site_dir / "_site/manifest.json").read_text())
    (entry,) = [d for d in manifest["documents"] if d["kind"] == "debit_note" and d["stage"] == "penalties"]
    assert entry["invoices"] == ["F-0"] and entry["channel"] == "registered_post"


def test_no_debit_note_when_the_site_does_not_claim_paid_late_penalties(site_factory):
    site_dir = site_factory(creditor=CREDITOR, clients=[PAYER], invoices=[PAID_LATE, OPEN],
                            terms={"payment_days": 30, "late_interest": "10%", "claim_paid_late": False}, site={"as_of": "2026-11-23"})
    result = CliRunner().invoke(main, ["build", "--site", str(site_dir), "--all-stages"])
    assert result.exit_code == 0, result.output
    assert not list(Path(site_dir / "_site").rglob("debit-note.pdf"))
    letter = flat(run_poppler("pdftotext", site_dir / "_site/pro/penalties/letter.pdf", "-"))
    assert "note de débit" not in letter


def test_a_declaration_made_by_hand_is_recorded_and_the_build_stops_writing_it(site_factory):
    site_dir = insolvent_site(site_factory, site={"as_of": "2026-11-23"})
    recorded = CliRunner().invoke(main, ["record", "--site", str(site_dir), "--client", "pro", "--stage", "declaration",
                                         "--note", "déclarée sur le portail des mandataires"])
    assert recorded.exit_code == 0, recorded.output
    result = CliRunner().invoke(main, ["build", "--site", str(site_dir)])
    assert result.exit_code == 0, result.output
    assert not (site_dir / "_site/pro/declaration").exists() and "declare the claim" not in result.output
    # the proceedings over (the field removed), the journal's declaration is no escalation act
    import yaml

    clients = yaml.safe_load((site_dir / "data/clients.yml").read_text(encoding="utf-8"))
    del clients[0]["insolvency"]
    (site_dir / "data/clients.yml").write_text(yaml.safe_dump(clients, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(main, ["plan", "--site", str(site_dir), "--until", "2026-12-31"])
    assert result.exit_code in (0, 3), result.output
    assert "reminder" in result.output or "relance" in result.output


def test_check_warns_about_proceedings_it_cannot_declare(site_factory):
    consumer = {**DEBTOR, "id": "conso", "kind": "b2c", "name": "M. Paul Durand", "siren": None}
    consumer = {k: v for k, v in consumer.items() if v is not None}
    no_mandataire = {**DEBTOR, "insolvency": {k: v for k, v in PROCEEDINGS.items() if k != "mandataire"}}
    site_dir = site_factory(creditor=CREDITOR, clients=[consumer, no_mandataire], site={"as_of": "2026-11-23"})
    result = CliRunner().invoke(main, ["check", "--site", str(site_dir)])
    assert "clients[conso].insolvency: the collective proceedings of the Code de commerce concern businesses" in result.output
    assert "clients[pro].insolvency.mandataire: without the mandataire judiciaire" in result.output


def test_the_declaration_in_english(site_factory):
    site_dir = site_factory(creditor=CREDITOR, clients=[{**DEBTOR, "language": "en"}], invoices=CLAIMED[2:3], site={"as_of": "2026-11-23"})
    result = CliRunner().invoke(main, ["build", "--site", str(site_dir)])
    assert result.exit_code == 0, result.output
    text = flat(run_poppler("pdftotext", site_dir / "_site/pro/declaration/declaration.pdf", "-"))
    assert "Proof of claim — Garage SARL" in text and "an unsecured claim" in text and "ends on 15 December 2026" in text
    assert "Creditors' representative" in text and "Total claimed" in text
    assert "It includes €600.00 not yet due on the day of the judgment (article L622-25 of the Commercial Code), on invoice F-2, payable on 20 October 2026." in text


def test_a_consumer_owes_no_penalty_on_an_invoice_paid_late_without_a_formal_notice(site_factory):
    from relancegen.law.situation import compute_situation

    consumer = {**PAYER, "kind": "b2c", "name": "Mme Julie Moreau"}
    site_dir = site_factory(creditor=CREDITOR, clients=[consumer], invoices=[PAID_LATE, OPEN], terms={"payment_days": 30})
    site = load_site(site_dir)
    situation = compute_situation(site, site.clients["pro"], dt.date(2026, 11, 23))
    assert situation.paid_late == ()  # interest runs only from a notice naming the invoice; no indemnity


def test_an_unverified_rate_is_declared_as_an_estimate_not_held(site_factory):
    """The declaration's two-month delay runs: interest resting on a rate the tables do not
    verify is declared as an estimate, said so, rather than waiting for the rate."""
    site_dir = insolvent_site(site_factory, late_interest="ecb+10", site={"as_of": "2026-11-23"})
    result = CliRunner().invoke(main, ["build", "--site", str(site_dir)])
    assert result.exit_code == 0, result.output
    text = flat(run_poppler("pdftotext", site_dir / "_site/pro/declaration/declaration.pdf", "-"))
    assert "dernier taux connu, non encore vérifié : montant provisoire" in text and "sauf à parfaire" in text


def test_penalties_of_an_invoice_paid_late_on_an_unverified_rate_wait_for_it(site_factory):
    """A debit note never states an unverified rate's figure as fact: the invoice paid late is
    left out of it and the to-do says which rate to add; with the rate, it is claimed."""
    paid_in_s2 = {**PAID_LATE, "issued": "2026-06-01", "due": "2026-07-01", "payments": [{"date": "2026-08-14", "amount": "2400.00"}]}
    open_ = {**OPEN, "issued": "2026-07-01", "due": "2026-07-31", "late_interest": "10%"}  # a fixed rate: its formal notice goes
    journal = [{"time": f"2026-{month}T09:00:00+02:00", "client": "pro", "stage": stage, "channel": channel, "invoices": ["F-9"], "status": "sent"}
               for month, stage, channel in (("08-10", "reminder", "email"), ("09-01", "overdue", "post"), ("10-01", "penalties", "registered_post"))]
    for rates, claimed in (({}, False), ({"rates": {"ecb": {"2026-07-01": "2.15"}}}, True)):  # a test value, not a verified rate
        site_dir = site_factory(creditor=CREDITOR, clients=[PAYER], invoices=[paid_in_s2, open_], journal=journal,
                                terms={"payment_days": 30, "late_interest": "ecb+10"}, site={"as_of": "2026-11-23"}, **rates)
        result = CliRunner().invoke(main, ["build", "--site", str(site_dir)])
        assert result.exit_code == 0, result.output
        note = site_dir / "_site/pro/formal_notice/debit-note.pdf"
        assert note.exists() == claimed, result.output
        mention = "the penalties of F-0, paid late, left out of the debit note: the ECB rate"
        assert (mention in result.output) != claimed, result.output
        if claimed:
            assert "F-0" in flat(run_poppler("pdftotext", note, "-"))


def test_the_plan_shows_the_declaration_once_until_it_is_made(site_factory):
    site_dir = insolvent_site(site_factory, site={"as_of": "2026-11-23"})
    plan = json.loads(CliRunner().invoke(main, ["plan", "--site", str(site_dir), "--until", "2027-01-31", "--format", "json"]).stdout)
    acts = [(act["date"], act["stage"], act["invoices"], act["deadline"]) for act in plan["acts"]]
    assert acts == [("2026-11-23", "declaration", ["F-0", "F-1", "F-2"], "2026-12-15")]  # no dunning act after the judgment
    recorded = CliRunner().invoke(main, ["record", "--site", str(site_dir), "--client", "pro", "--stage", "declaration", "--date", "2026-11-23",
                                         "--note", "déclarée sur le portail"])
    assert recorded.exit_code == 0, recorded.output
    plan = json.loads(CliRunner().invoke(main, ["plan", "--site", str(site_dir), "--date", "2026-11-24", "--until", "2027-01-31", "--format", "json"]).stdout)
    assert plan["acts"] == []
