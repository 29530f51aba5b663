"""The printed letter, measured on the PDF (``pdftotext -bbox``): the address sits in the
window of a DL envelope with its locality in capitals (NF Z10-011), the signature never stands
alone on a page, and a table or the payment block never starts on the page after the sentence
introducing it."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest

from relancegen.delivery.deliveries import recipient_of
from relancegen.site.loader import load_site
from example_site import TEST_RATES  # test values for 2026-S2, not verified rates
from relancegen.testing import run_cli, run_poppler
from relancegen_postal import address_lines

MM = 25.4 / 72  # millimetres per PDF point
PAGE_HEIGHT_MM = 297
FOOTER_MM = 273  # the legal footer runs below the page area (bottom margin 24 mm)
#: Letters of 8 to 16 invoices: each invoice adds a row to two tables (about 12.5 mm), so the
#: end of the letter sweeps half a page and crosses a page break (the tests check that it did).
SWEEP = range(8, 17)
BUILD_DATE = dt.date(2026, 10, 29)  # the formal notice is due: the penalty letter of 14 October has run its delay


@dataclass(frozen=True)
class Line:
    page: int
    x_mm: float
    y_mm: float
    text: str


def lines_of(pdf) -> list[Line]:
    """The PDF's text lines in reading order, with their page and position in millimetres."""
    xml = run_poppler("pdftotext", "-bbox", pdf, "-")
    found = []
    for page, body in enumerate(xml.split("<page ")[1:], start=1):
        rows: dict[int, list[tuple[float, float, str]]] = {}
        for x, y, word in re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>', body):
            rows.setdefault(round(float(y)), []).append((float(x), float(y), word.replace("&apos;", "'")))
        for _, words in sorted(rows.items()):
            words.sort()
            found.append(Line(page, words[0][0] * MM, words[0][1] * MM, " ".join(w for _, _, w in words)))
    return found


def client(cid: str, city: str = "Lyon", postcode: str = "69007") -> dict:
    return {"id": cid, "name": f"Garage {cid.title()} SARL",
            "address": {"lines": ["4 rue des Forges"], "postcode": postcode, "city": city},
            "contacts": [{"name": "Paul Durand", "civility": "M.", "role": "accounting", "email": f"p@{cid}.example"}]}


def invoices(cid: str, count: int) -> list[dict]:
    return [{"number": f"{cid.upper()}-{i:02d}", "client": cid, "issued": "2026-08-03", "due": "2026-09-02",
             "amount": "1800.00", "subject": f"Prestation {i}"} for i in range(count)]


def penalty_letter(cid: str, numbers: list[str]) -> dict:
    return {"time": "2026-10-14T09:00:00+02:00", "client": cid, "stage": "penalties", "channel": "registered_post",
            "invoices": numbers, "status": "sent"}


@pytest.fixture(scope="module")
def letters(tmp_path_factory):
    """The formal notice of clients n08 … n16, owing 8 … 16 invoices, rendered as the build
    renders it; and the site with one more client, in Saint-Étienne, whose notice is built."""
    from relancegen.documents.kinds import STAGE_DOCUMENTS
    from relancegen.law.situation import compute_situation
    from relancegen.plugins import plugin_renderer
    from relancegen.testing import write_site

    clients, bills, journal = [], [], []
    for cid, count, city, postcode in [*((f"n{n:02d}", n, "Lyon", "69007") for n in SWEEP), ("stetienne", 1, "Saint-Étienne", "42000")]:
        clients.append(client(cid, city, postcode))
        bills += invoices(cid, count)
        journal.append(penalty_letter(cid, [b["number"] for b in bills if b["client"] == cid]))
    site_dir = write_site(tmp_path_factory.mktemp("layout") / "site", clients=clients, invoices=bills, journal=journal, rates=TEST_RATES)
    built = run_cli("build", "--site", site_dir, "--date", BUILD_DATE.isoformat(), "--client", "stetienne")
    assert built.exit_code == 0, built.output
    pdfs = {"stetienne": lines_of(site_dir / "_site/stetienne/formal_notice/letter.pdf")}
    site = load_site(site_dir)
    renderer = plugin_renderer(site)
    letter, collection = STAGE_DOCUMENTS["formal_notice"][0], STAGE_DOCUMENTS["collection"][0]
    for n in SWEEP:
        situation = compute_situation(site, site.clients[f"n{n:02d}"], BUILD_DATE)
        assert situation.stage == "formal_notice", situation.reason
        for spec, name in [(letter, f"n{n:02d}"), (collection, f"collection-n{n:02d}")]:
            pdf = site_dir / f"{name}.pdf"
            pdf.write_bytes(renderer.render(spec, situation).files["pdf"])
            pdfs[name] = lines_of(pdf)
    return site_dir, pdfs


def index(lines: list[Line], fragment: str, start: int = 0) -> int:
    return next(i for i, line in enumerate(lines) if i >= start and fragment in line.text)


def test_the_address_sits_in_the_envelope_window_with_the_locality_in_capitals(letters):
    site_dir, pdfs = letters
    lines = pdfs["stetienne"]
    first = index(lines, "LETTRE RECOMMANDÉE")
    last = index(lines, "42000")
    block = lines[first:last + 1]
    assert [line.text for line in block] == [
        "LETTRE RECOMMANDÉE AVEC ACCUSÉ DE RÉCEPTION", "Garage Stetienne SARL", "À l'attention de Paul Durand",
        "4 rue des Forges", "42000 SAINT ETIENNE",
    ]
    for line in block:
        assert line.page == 1
        assert 100 <= line.x_mm <= 110, line  # NF Z10-011: from 100 mm from the left edge
        assert 45 <= line.y_mm <= 95, line  # in the window, 50 mm from the top, 45 mm high
    # The postal channel gets the same last line: the API prints it on the envelope.
    client = load_site(site_dir).clients["stetienne"]
    recipient = recipient_of(client)
    assert recipient.address_lines[-1] == "42000 SAINT ETIENNE"
    assert address_lines(recipient.name, recipient.address_lines[1:])[-1] == "42000 SAINT ETIENNE"


def near_a_page_top(lines: list[Line], at: int) -> bool:
    """Whether line ``at`` is among the first lines of a page after the first: a page break
    fell just before it (the sweep checks that it reached one)."""
    previous = [line for line in lines[:at] if line.page == lines[at].page and line.y_mm < FOOTER_MM]
    return lines[at].page > 1 and len(previous) <= 4


def test_the_signature_never_stands_alone_on_a_page(letters):
    _, pdfs = letters
    moved = []
    for n in SWEEP:
        lines = pdfs[f"n{n:02d}"]
        closing = index(lines, "Nous vous prions")
        name = index(lines, "Claire Test", closing)
        title = index(lines, "Gérante", name)
        assert lines[closing].page == lines[name].page == lines[title].page, (n, lines[closing], lines[name])
        body_above = [line for line in lines[:closing] if line.page == lines[closing].page]
        assert body_above, f"{n} invoices: the closing formula opens page {lines[closing].page} with no body text"
        # Room to sign under the name and title, on the same page.
        below = next((line for line in lines[title + 1:] if line.page == lines[title].page and line.y_mm < FOOTER_MM), None)
        room = (below.y_mm if below else FOOTER_MM) - lines[title].y_mm
        assert room >= 15, (n, room)
        if lines[closing].page > 1 and len(body_above) <= 3:
            moved.append(n)
    # The sweep did reach a page break at the end of a letter: the rule moved its last lines.
    assert moved, "no letter of the sweep ended near a page break: widen SWEEP"


def test_a_table_starts_on_the_page_of_the_sentence_introducing_it(letters):
    _, pdfs = letters
    moved = []
    for n in SWEEP:
        lines = pdfs[f"n{n:02d}"]
        prefix = f"N{n:02d}-"
        for intro, header in [("malgré nos relances", "Facture Objet"), ("comme suit (détail joint)", "Facture Échéance Retard")]:
            said = index(lines, intro)
            head = index(lines, header, said)
            rows = [index(lines, f"{prefix}00", head), index(lines, f"{prefix}01", head)]
            pages = {lines[i].page for i in (said, head, *rows)}
            assert len(pages) == 1, (n, intro, [lines[i] for i in (said, head, *rows)])
            if near_a_page_top(lines, said):
                moved.append((n, intro))
    assert moved, "no table of the sweep fell at a page break: widen SWEEP"


def test_the_payment_block_starts_on_the_page_of_the_sentence_introducing_it(letters):
    """The collection letter ends its last paragraph with "…directement auprès de nous :" and
    the bank details follow: never the colon at the foot of one page and the details on the next."""
    _, pdfs = letters
    moved = []
    for n in SWEEP:
        lines = pdfs[f"collection-n{n:02d}"]
        said = index(lines, "auprès de nous :")
        block = index(lines, "Montant", said)
        assert block == said + 1 and lines[said].page == lines[block].page, (n, lines[said], lines[block])
        if near_a_page_top(lines, said):
            moved.append(n)
    assert moved, "no payment block of the sweep fell at a page break: widen SWEEP"
