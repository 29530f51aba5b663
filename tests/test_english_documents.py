"""English documents read back as a user reads them: every stage's PDF and email of the
example site built with ``site.language: en``, one client kept in French, one business
debtor moved to Germany (the Late Payment Directive is named for it alone)."""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from relancegen.cli import main
from relancegen.documents.kinds import STAGE_DOCUMENTS
from relancegen.documents.render import Renderer
from relancegen.law.situation import compute_situation
from relancegen.site.loader import load_site
from relancegen.testing import run_poppler

EXAMPLE = Path(__file__).parent.parent
from example_site import TEST_RATES  # noqa: E402
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
ENGLISH_DATE = re.compile(rf"\b\d{{1,2}} ({MONTHS}) 2026\b")
ENGLISH_MONEY = re.compile(r"€\d{1,3}(,\d{3})*\.\d{2}\b")
# Words and forms that betray French left in an English document. The creditor's share
# capital ("12 000 €") is the site's own data, removed before the search.
FRENCH_TELLS = [
    r"\d[\d ]*,\d{2} ?€", r"\bMadame\b", r"\bMonsieur\b", r"\b[Ff]actures?\b", r"\bpénalités\b", r"\bnovembre\b", r"\boctobre\b",
    r"\bseptembre\b", r"\bdécembre\b", r"\bObjet\b", r"\bBonjour\b", r"\bCordialement\b", r"\béchéance\b",
    r"\bÉchéance\b", r"\bMontant\b", r"\bRéférence\b", r"Pièces jointes", r"Nos références", r"\bTél\.",
    r"\bIntérêts\b", r"\bau taux\b",
]
CREDITOR_DATA = "12 000 €"

# One document per stage and kind: (path, phrases that must be there).
ENGLISH_DOCUMENTS = {
    "boulangerie-martin/prevention/email.txt": ["falls due", "Amount: €", "Reference:"],
    "cabinet-roux-avocats/reminder/email.txt": ["past its due date", "Pay online:"],
    "garage-des-brotteaux/call/call-sheet.pdf": ["Call sheet", "Call plan", "Get a promise to pay", "Overdue invoices"],
    "thomas-girard/call/follow-up.txt": ["Thank you for taking the time", "scheduled for 30 November 2026"],
    "imprimerie-saone/overdue/letter.pdf": ["Dear Ms Perrin", "Yours sincerely", "L441-10", "French Commercial Code", "D441-5"],
    "imprimerie-saone/overdue/email.txt": ["remains outstanding", "letter"],
    "restaurant-le-bouchon/penalties/letter.pdf": ["Late-payment charges now applied", "Article L441-10", "Article D441-5", "outside the scope of VAT"],
    "restaurant-le-bouchon/penalties/statement.pdf": ["Statement of late-payment charges as at 23 November 2026", "Legal basis", "French Commercial Code"],
    "transports-vial/formal_notice/letter.pdf": ["ALLEMAGNE", "Formal notice to pay", "letter before action", "governed by French law", "Article L441-10", "Directive 2011/7/EU", "Registered letter with acknowledgement of receipt"],
    "transports-vial/formal_notice/statement.pdf": ["Directive 2011/7/EU", "Articles L441-10 and D441-5"],
    "menuiserie-fabre/collection/letter.pdf": ["collection partner", "order for payment"],
    "julie-moreau/collection/letter.pdf": ["collection partner", "who will contact you"],
    "julie-moreau/collection/case-summary.pdf": ["Collection case file", "Debtor (consumer)", "The claim arises from 1 invoice left unpaid"],
    "call-list.pdf": ["Calls for 23 November 2026", "Longest delay"],
}


def _client(clients: list[dict], client_id: str) -> dict:
    return next(client for client in clients if client["id"] == client_id)


@pytest.fixture(scope="module")
def mixed_site(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("mixed")
    for name in ("data", "journal", "invoices"):
        shutil.copytree(EXAMPLE / name, site / name)
    config = yaml.safe_load((EXAMPLE / "site.yml").read_text(encoding="utf-8"))
    config["site"]["language"] = "en"
    config["rates"] = TEST_RATES  # test values: the registered letters are built, not held
    (site / "site.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    clients = yaml.safe_load((site / "data/clients.yml").read_text(encoding="utf-8"))
    _client(clients, "mairie-caluire")["language"] = "fr"
    _client(clients, "transports-vial")["address"]["country"] = "DE"
    (site / "data/clients.yml").write_text(yaml.safe_dump(clients, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return site


@pytest.fixture(scope="module")
def mixed_build(mixed_site, tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("out")
    result = CliRunner().invoke(main, ["build", "--site", str(mixed_site), "--out", str(output)])
    assert result.exit_code == 0, result.output
    return output


def read_back(path: Path) -> str:
    """The document's text, line breaks and hyphenation folded, spaces made plain."""
    text = run_poppler("pdftotext", path, "-") if path.suffix == ".pdf" else path.read_text(encoding="utf-8")
    text = text.replace("\u2010\n", "").replace("-\n", "-").replace("\u202f", " ").replace("\u00a0", " ")
    return " ".join(text.split())


@pytest.mark.parametrize("document", sorted(ENGLISH_DOCUMENTS))
def test_every_stage_reads_in_english(mixed_build, document):
    text = read_back(mixed_build / document)
    for phrase in ENGLISH_DOCUMENTS[document]:
        assert phrase.casefold() in text.casefold(), f"{document}: {phrase!r} missing"
    assert ENGLISH_DATE.search(text) or "/2026" in text, document
    assert ENGLISH_MONEY.search(text), document
    ours = re.sub(r"https://\S+", "", text.replace(CREDITOR_DATA, ""))  # the payment link is the site's
    french = [tell for tell in FRENCH_TELLS if re.search(tell, ours)]
    assert not french, f"{document}: French left: {french}"


def test_every_stage_and_document_kind_is_covered():
    kinds = {(spec.stage, spec.kind) for specs in STAGE_DOCUMENTS.values() for spec in specs}
    covered = {(path.split("/")[1], {"txt": "email", "letter": "letter", "statement": "statement", "call-sheet": "call_sheet",
                                     "case-summary": "case_file"}[Path(path).stem if Path(path).suffix == ".pdf" else "txt"])
               for path in ENGLISH_DOCUMENTS if path.count("/") == 2}
    assert kinds <= covered | {("call", "email")}


def test_a_french_client_in_an_english_site_keeps_french(mixed_build):
    letter = read_back(mixed_build / "mairie-caluire/overdue/letter.pdf")
    assert "Madame, Monsieur" in letter and "23 novembre 2026" in letter and "Code de la commande publique" in letter
    assert '<html lang="fr">' in (mixed_build / "mairie-caluire/overdue/email.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in (mixed_build / "imprimerie-saone/overdue/email.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in (mixed_build / "imprimerie-saone/overdue/letter.html").read_text(encoding="utf-8")


def test_the_directive_is_named_only_for_a_business_debtor_in_another_eu_country(mixed_build):
    assert "2011/7/EU" not in read_back(mixed_build / "restaurant-le-bouchon/penalties/letter.pdf")
    assert "2011/7/EU" not in read_back(mixed_build / "restaurant-le-bouchon/penalties/statement.pdf")
    consumer = read_back(mixed_build / "julie-moreau/collection/letter.pdf")
    assert "2011/7/EU" not in consumer and "Commercial Code" not in consumer


def test_the_qr_payload_and_the_postal_address_do_not_depend_on_the_language(mixed_site):
    site = load_site(mixed_site)
    renderer = Renderer(site, render_pdf=lambda html, base_url, assets=None: b"")
    client = site.clients["imprimerie-saone"]
    spec = STAGE_DOCUMENTS["overdue"][0]
    rendered = {}
    for language in ("fr", "en"):
        situation = compute_situation(site, dataclasses.replace(client, language=language), site.as_of)
        context = renderer.context(situation, "overdue", "post")
        html = renderer.render(spec, situation).files["html"].decode("utf-8")
        recipient = re.search(r'<div class="recipient">.*?</div>', html, re.S).group(0)
        rendered[language] = (context["payment"].qr, context["payment"].reference, recipient)
    assert rendered["fr"] == rendered["en"]


def test_an_english_letter_lists_the_overdue_invoices_it_does_not_claim(site_factory, tmp_path):
    """Like a French one, an English formal notice names the client's other overdue invoices,
    which it does not claim, in a table with English headings."""
    from example_site import TEST_RATES  # test values for 2026-S2, not verified rates

    client = {"id": "acme", "name": "Acme Ltd", "language": "en", "address": {"lines": ["1 Main Street"], "postcode": "69003", "city": "Lyon"},
              "contacts": [{"name": "Jane Smith", "civility": "Mme", "role": "accounting", "email": "jane@acme.example"}]}
    invoices = [{"number": "F-1", "client": "acme", "issued": "2026-08-01", "due": "2026-08-31", "amount": "1000.00", "subject": "Design"},
                {"number": "F-2", "client": "acme", "issued": "2026-10-01", "due": "2026-10-31", "amount": "500.00", "subject": "Printing"}]
    journal = [{"time": "2026-10-26T09:00:00+01:00", "client": "acme", "stage": "penalties", "channel": "registered_post", "invoices": ["F-1"], "status": "sent"}]
    site_dir = site_factory(clients=[client], invoices=invoices, journal=journal, rates=TEST_RATES, site={"as_of": "2026-11-23"})
    result = CliRunner().invoke(main, ["build", "--site", str(site_dir)])
    assert result.exit_code == 0, result.output
    text = " ".join(run_poppler("pdftotext", "-layout", site_dir / "_site/acme/formal_notice/letter.pdf", "-").split())
    assert "the following invoice, also overdue, is not covered by this letter; it is followed up separately:" in text, text
    table = text[text.index("followed up separately"):]
    assert "F-2" in table and not re.search(r"\b(Facture|Échéance|Reste dû)\b", table), table
