"""`relancegen build` on the example site and on small sites: the documents a user gets,
read back from the real PDFs and HTML."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from relancegen.cli import main
from relancegen.fsutil import sha256_file
from relancegen.testing import DEFAULT_CLIENT, run_poppler
from example_site import EXAMPLE, TEST_RATES, copy_example


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages).replace("\u202f", " ").replace("\xa0", " ")


def compact(text: str) -> str:
    """Text with line breaks and hyphenation folded, for phrase searches."""
    return " ".join(text.replace("\u2010\n", "").replace("-\n", "-").split())


@pytest.fixture(scope="module")
def example_build(tmp_path_factory) -> Path:
    """The example site's build, its 2026-S2 rates declared (test values): every stage's
    documents, the registered ones included."""
    site = copy_example(tmp_path_factory.mktemp("example"))
    output = tmp_path_factory.mktemp("site")
    result = CliRunner().invoke(main, ["build", "--site", str(site), "--out", str(output)])
    assert result.exit_code == 0, result.output
    return output


@pytest.fixture(scope="module")
def manifest(example_build) -> dict:
    return json.loads((example_build / "manifest.json").read_text(encoding="utf-8"))


def test_manifest_lists_every_document_with_its_hash(example_build, manifest):
    assert manifest["as_of"] == "2026-11-23"
    for entry in manifest["documents"]:
        assert set(entry) >= {"client", "stage", "kind", "format", "path", "invoices", "channel", "sha256"}
        assert entry["kind"] in {"letter", "email", "statement", "call_sheet", "case_file", "debit_note", "declaration"}
        assert sha256_file(example_build / entry["path"]) == entry["sha256"]
    stages = {entry["stage"] for entry in manifest["documents"]}
    assert stages == {"prevention", "reminder", "call", "overdue", "penalties", "formal_notice", "collection", "declaration"}
    # The formal notice claims only the invoice that reached that stage (spec rule 7).
    notice = [e["invoices"] for e in manifest["documents"] if e["client"] == "transports-vial" and e["stage"] == "formal_notice"]
    assert notice and all(invoices == ["F-2026-0178"] for invoices in notice)


def test_each_client_gets_its_stage_documents(manifest):
    by_client = {}
    for entry in manifest["documents"]:
        by_client.setdefault(entry["client"], set()).add((entry["stage"], entry["kind"], entry["format"]))
    assert by_client["boulangerie-martin"] == {("prevention", "email", "txt"), ("prevention", "email", "html")}
    assert ("formal_notice", "statement", "pdf") in by_client["transports-vial"]
    assert ("formal_notice", "letter", "pdf") in by_client["transports-vial"]
    assert ("collection", "case_file", "pdf") in by_client["menuiserie-fabre"]
    assert ("call", "email", "txt") in by_client["thomas-girard"]  # the follow-up after a promise
    assert "agence-horizon" not in by_client  # strategic: a person decides on the formal notice
    assert "lycee-ampere" not in by_client  # pays at 60 days: not chased yet


def test_formal_notice_carries_the_legal_mentions(example_build):
    text = compact(pdf_text(example_build / "transports-vial/formal_notice/letter.pdf"))
    for mention in [
        "Mise en demeure de payer",
        "LETTRE RECOMMANDÉE AVEC ACCUSÉ DE RÉCEPTION",
        "Studio Lumière SARL",
        "RCS Lyon 812 345 676",  # creditor identity in the footer (C. com. R123-237)
        "Transports Vial et Fils SARL",
        "120 avenue Henri Schneider",
        "69330 MEYZIEU",  # the debtor's exact address, its locality in capitals (NF Z10-011)
        "F-2026-0178",
        "Covering de six camions porteurs",  # origin of the claim
        # the delay runs from the expected receipt: posted Monday 23 November, presented
        # Thursday 26 (3 working days), + 8 days = Friday 4 December, a working day
        "dans un délai de 8 jours à compter de la réception de la présente, soit au plus tard le 4 décembre 2026",
        "L441-10",
        "injonction de payer",
        "FR76 3000 4000 0000 0123 4567 845",
    ]:
        assert mention in text, mention
    # Only F-2026-0178 reached the formal notice (spec rule 7): F-2026-0192, due ten days
    # later, is mentioned as not covered by the letter, and escalates on its own.
    assert "6 861,55 €" in text and "40,00 €" in text
    assert "taux de 15 % l'an" in text
    claimed, mentioned = text.split("n'est pas visée par le présent courrier")
    assert "F-2026-0192" not in claimed and "F-2026-0192" in mentioned


def test_with_its_rates_declared_an_overdue_letter_states_the_penalties_amount(example_build):
    text = compact(pdf_text(example_build / "imprimerie-saone/overdue/letter.pdf")).replace("\u202f", " ")
    assert "À ce jour, ces pénalités s'élèvent à" in text


def test_statement_details_each_period(example_build):
    text = compact(pdf_text(example_build / "transports-vial/formal_notice/statement.pdf"))
    # F-2026-0178: 8 640 until the 2 000 payment of 20 Oct, at 15 %:
    # 26 Sep → 20 Oct = 25 days: 8640 × 15 × 25 / 36500 = 88.77
    assert "du 26/09/2026 au 20/10/2026 25 8 640,00 € 15,00 % 88,77 €" in text
    assert "hors du champ d'application de la TVA" in text


def test_consumer_letters_claim_no_indemnity(example_build):
    text = compact(pdf_text(example_build / "julie-moreau/collection/letter.pdf"))
    assert "Indemnité" not in text and "40,00 €" not in text
    assert "20 octobre 2026" in text  # the formal notice the interest runs from
    case = compact(pdf_text(example_build / "julie-moreau/collection/case-summary.pdf"))
    assert "consommateur" in case and "1A00123457555" in case  # proof of the formal notice


def test_emails_have_text_and_html_and_mention_not_yet_due_invoices(example_build):
    text = (example_build / "imprimerie-saone/overdue/email.txt").read_text(encoding="utf-8")
    assert "F-2026-0233" in text and "3 900,00 €" in text.replace("\u202f", " ").replace("\xa0", " ")
    letter = compact(pdf_text(example_build / "imprimerie-saone/overdue/letter.pdf"))
    assert "F-2026-0296" in letter  # not yet due, mentioned
    html = (example_build / "cabinet-roux-avocats/reminder/email.html").read_text(encoding="utf-8")
    assert "<table" in html and "F-2026-0288" in html
    # the EPC QR code: a PNG in emails (mail clients drop SVG), an SVG in letters (WeasyPrint draws it)
    assert '<img src="data:image/png;base64,' in html and "<svg" not in html
    assert "<svg" in (example_build / "imprimerie-saone/overdue/letter.html").read_text(encoding="utf-8")


def test_every_table_cell_of_an_email_carries_its_own_padding_and_alignment(example_build):
    """Mail clients drop <style> and classes: what a cell looks like is on the cell."""
    cells = [(path, cell) for path in sorted(example_build.glob("*/*/email.html"))
             for cell in re.findall(r"<t[hd]\b[^>]*>", path.read_text(encoding="utf-8"))]
    assert len({path for path, _ in cells}) >= 2  # the prevention notice and the reminder of that day
    for path, cell in cells:
        style = re.search(r'style="([^"]*)"', cell)
        assert style and "padding:4px 8px" in style.group(1) and "border-" in style.group(1), (path, cell)
        assert 'class="amount"' not in cell or "text-align:right" in style.group(1), (path, cell)


def test_call_sheet_and_call_list(example_build):
    sheet = compact(pdf_text(example_build / "garage-des-brotteaux/call/call-sheet.pdf")).lower()
    for expected in ["Karim Benali", "+33 6 12 00 00 03", "F-2026-0270", "3 120,00 €", "Historique des relances", "Obtenir une promesse de paiement", "Notes de l'appel"]:
        assert expected.lower() in sheet, expected
    assert "Garage des Brotteaux SARL" in compact(pdf_text(example_build / "call-list.pdf"))


def test_all_stages_builds_the_specimen(tmp_path):
    result = CliRunner().invoke(main, ["build", "--site", str(EXAMPLE), "--out", str(tmp_path), "--client", "mairie-caluire", "--all-stages"])
    assert result.exit_code == 0, result.output
    stages = {p.parent.name for p in (tmp_path / "mairie-caluire").glob("*/*")}
    # no agency for a public buyer, and no prevention notice: its only invoice fell due months ago
    assert stages == {"reminder", "call", "overdue", "penalties", "formal_notice"}
    text = compact(pdf_text(tmp_path / "mairie-caluire/formal_notice/letter.pdf"))
    assert "Code de la commande publique" in text


def test_rebuild_is_byte_identical(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    site = copy_example(tmp_path / "example")
    for output in (first, second):
        assert CliRunner().invoke(main, ["build", "--site", str(site), "--out", str(output), "--client", "restaurant-le-bouchon"]).exit_code == 0
    assert (first / "restaurant-le-bouchon/penalties/letter.pdf").read_bytes() == (second / "restaurant-le-bouchon/penalties/letter.pdf").read_bytes()


def long_client_site(site_factory, name: str, invoice_count: int) -> Path:
    client = {"id": "long", "name": name, "address": {"lines": ["Bâtiment C, escalier 4, 3e étage, porte gauche", "1234 avenue du Maréchal de Lattre de Tassigny"], "postcode": "69100", "city": "Villeurbanne"},
              "contacts": [{"name": "Compta", "role": "accounting", "email": "c@long.example"}]}
    invoices = [{"number": f"F-2026-{i:04d}", "client": "long", "issued": "2026-07-01", "due": "2026-08-01", "amount": f"{1000 + i}.00",
                 "subject": f"Prestation numéro {i} avec un intitulé particulièrement long pour éprouver la mise en page"} for i in range(invoice_count)]
    journal = [{"time": "2026-10-01T09:00:00+02:00", "client": "long", "stage": "penalties", "channel": "registered_post", "invoices": ["F-2026-0000"], "status": "sent"}]
    return site_factory(clients=[client], invoices=invoices, journal=journal, site={"as_of": "2026-11-23"}, rates=TEST_RATES)


def test_long_name_and_thirty_invoices_still_lay_out(site_factory, tmp_path):
    name = "Société Coopérative d'Intérêt Collectif des Artisans Menuisiers, Ébénistes et Charpentiers du Grand Lyon et de ses Environs"
    site_dir = long_client_site(site_factory, name, 30)
    result = CliRunner().invoke(main, ["build", "--site", str(site_dir)])
    assert result.exit_code == 0, result.output
    letter = site_dir / "_site/long/formal_notice/letter.pdf"
    reader = PdfReader(letter)
    assert 2 <= len(reader.pages) <= 6
    text = compact(pdf_text(letter))
    assert all(f"F-2026-{i:04d}" in text for i in range(30))
    # Render every page and check that nothing is drawn in the right margin strip
    # (the last 12 mm of the sheet): no table or word overflows the page.
    run_poppler("pdftoppm", "-r", "40", "-gray", str(letter), str(tmp_path / "page"))
    for page in sorted(tmp_path.glob("page-*.pgm")):
        width, height, pixels = read_pgm(page)
        margin = int(width * (12 / 210))
        for row in range(height):
            strip = pixels[row * width + width - margin: (row + 1) * width]
            assert min(strip) > 200, f"{page.name}: ink in the right margin at row {row}"


def read_pgm(path: Path) -> tuple[int, int, bytes]:
    data = path.read_bytes()
    parts = data.split(maxsplit=4)
    assert parts[0] == b"P5"
    return int(parts[1]), int(parts[2]), parts[4]


def test_client_names_are_escaped_in_html(site_factory):
    hostile = '<script>alert("x")</script> & Cie'
    client = {"id": "evil", "name": hostile, "address": {"lines": ["<b>1 rue</b>"], "postcode": "69001", "city": "Lyon"},
              "contacts": [{"name": "<img src=x>", "role": "accounting", "email": "e@evil.example"}]}
    site_dir = site_factory(clients=[client], invoices=[{"number": "F-1", "client": "evil", "issued": "2026-09-01", "due": "2026-10-01", "amount": "100.00"}],
                            journal=[{"time": "2026-10-20T09:00:00+02:00", "client": "evil", "stage": "call", "channel": "phone", "invoices": ["F-1"], "status": "recorded"}],
                            site={"as_of": "2026-11-23"})
    assert CliRunner().invoke(main, ["build", "--site", str(site_dir)]).exit_code == 0
    html = (site_dir / "_site/evil/overdue/letter.html").read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<img src=x>" not in html
    email_html = (site_dir / "_site/evil/overdue/email.html").read_text(encoding="utf-8")
    assert "<img src=x>" not in email_html


def test_site_overrides_one_block_and_one_letter(site_factory):
    site_dir = site_factory(invoices=[{"number": "F-1", "client": "client-a", "issued": "2026-09-01", "due": "2026-10-01", "amount": "100.00"}],
                            journal=[{"time": "2026-10-20T09:00:00+02:00", "client": "client-a", "stage": "call", "channel": "phone", "invoices": ["F-1"], "status": "recorded"}],
                            site={"as_of": "2026-11-23"})
    (site_dir / "overrides").mkdir()
    (site_dir / "overrides/letter.html").write_text(
        '{% extends "theme:letter.html" %}{% block signature %}<p>Par délégation : Cabinet Conseil</p>{{ super() }}{% endblock %}', encoding="utf-8")
    (site_dir / "letters/overdue").mkdir(parents=True)
    (site_dir / "letters/overdue/letter-a.md").write_text("---\nstage: overdue\nmedium: post\nvariant: a\nsubject: \"Notre version\"\n---\nTexte du cabinet pour {{ client.name }}.\n", encoding="utf-8")
    (site_dir / "letters/overdue/letter-b.md").write_text("---\nstage: overdue\nmedium: post\nvariant: b\nsubject: \"Notre version\"\n---\nTexte du cabinet pour {{ client.name }}.\n", encoding="utf-8")
    assert CliRunner().invoke(main, ["build", "--site", str(site_dir)]).exit_code == 0
    html = (site_dir / "_site/client-a/overdue/letter.html").read_text(encoding="utf-8")
    assert "Par délégation\u202f: Cabinet Conseil" in html  # French spacing applied to overrides too
    assert "Claire Test" in html  # super() kept the theme's signature
    assert "Texte du cabinet pour Client A SAS." in html and "Objet\u202f:</span> Notre version" in html


def test_a_theme_can_extend_classic(site_factory):
    site_dir = site_factory(invoices=[{"number": "F-1", "client": "client-a", "issued": "2026-09-01", "due": "2026-10-01", "amount": "100.00"}],
                            site={"as_of": "2026-10-07", "theme": "mytheme"})
    theme = site_dir / "mytheme"
    theme.mkdir()
    (theme / "theme.yml").write_text("name: mytheme\nextends: classic\n", encoding="utf-8")
    (theme / "email.html").write_text('{% extends "classic:email.html" %}{% block email_footer %}<p>Pied personnalisé</p>{% endblock %}', encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--site", str(site_dir)])
    assert result.exit_code == 0, result.output
    assert "Pied personnalisé" in (site_dir / "_site/client-a/reminder/email.html").read_text(encoding="utf-8")


def test_reminder_variants_rotate_between_successive_reminders(site_factory):
    invoices = [{"number": "F-1", "client": "client-a", "issued": "2026-09-01", "due": "2026-10-01", "amount": "100.00"}]
    subjects = []
    for sent in range(3):
        journal = [{"time": f"2026-09-0{i + 1}T09:00:00+02:00", "client": "client-a", "stage": "reminder", "channel": "email", "invoices": ["F-X"], "status": "sent"} for i in range(sent)]
        site_dir = site_factory(invoices=invoices, journal=journal, site={"as_of": "2026-10-07"})
        assert CliRunner().invoke(main, ["build", "--site", str(site_dir)]).exit_code == 0
        subjects.append(json.loads((site_dir / "_site/manifest.json").read_text())["documents"][0]["subject"])
    assert len(set(subjects)) == 3


def test_new_scaffolds_a_site_that_builds(tmp_path):
    target = tmp_path / "mysite"
    assert CliRunner().invoke(main, ["new", str(target)]).exit_code == 0
    assert CliRunner().invoke(main, ["check", "--site", str(target)]).exit_code == 0
    result = CliRunner().invoke(main, ["build", "--site", str(target), "--date", "2026-03-01"])
    assert result.exit_code == 0, result.output
    assert (target / "_site/manifest.json").is_file()
    assert CliRunner().invoke(main, ["new", str(target)]).exit_code == 1  # never overwrites


def test_stale_documents_of_a_previous_build_are_removed(tmp_path):
    output = tmp_path / "out"
    shutil.rmtree(output, ignore_errors=True)
    runner = CliRunner()
    client = ["--site", str(EXAMPLE), "--out", str(output), "--client", "cabinet-roux-avocats"]
    assert runner.invoke(main, ["build", *client, "--all-stages"]).exit_code == 0
    assert (output / "cabinet-roux-avocats/formal_notice/letter.pdf").is_file()
    assert runner.invoke(main, ["build", *client]).exit_code == 0
    assert (output / "cabinet-roux-avocats/reminder/email.txt").is_file()
    assert not (output / "cabinet-roux-avocats/formal_notice/letter.pdf").exists()


def test_building_one_client_leaves_the_other_clients_output_alone(site_factory):
    second = {**DEFAULT_CLIENT, "id": "client-b", "name": "Client B SAS"}
    site_dir = site_factory(
        site={"as_of": "2026-11-23"}, clients=[DEFAULT_CLIENT, second],
        invoices=[{"number": "F-1", "client": "client-a", "issued": "2026-09-01", "due": "2026-10-01", "amount": "100.00"},
                  {"number": "F-2", "client": "client-b", "issued": "2026-09-01", "due": "2026-10-01", "amount": "100.00"}],
        journal=[{"time": "2026-11-16T09:00:00+01:00", "client": "client-a", "stage": "reminder", "channel": "email", "invoices": ["F-1"], "status": "sent"}],
    )
    output = site_dir / "_site"
    runner = CliRunner()
    assert runner.invoke(main, ["build", "--site", str(site_dir)]).exit_code == 0
    before = {p: p.read_bytes() for p in output.rglob("*") if p.is_file() and p.name != "manifest.json"}
    assert output / "call-list.pdf" in before and output / "client-a/call/call-sheet.pdf" in before
    assert runner.invoke(main, ["build", "--site", str(site_dir), "--client", "client-b"]).exit_code == 0
    assert {p: p.read_bytes() for p in before if p.is_file()} == before  # nothing removed, nothing rewritten


def test_the_specimen_lists_an_invoice_once(tmp_path):
    """A client with nothing overdue gets filled-in specimens of every stage: its invoices are
    the ones claimed, never listed a second time as "not yet due" in the same document."""
    result = CliRunner().invoke(main, ["build", "--site", str(EXAMPLE), "--out", str(tmp_path), "--client", "boulangerie-martin", "--all-stages"])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "boulangerie-martin/reminder/email.txt").read_text(encoding="utf-8")
    assert text.count("Facture F-2026-0301") == 1, text
