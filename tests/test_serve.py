"""`relancegen serve`: a real server on loopback, read with urllib and headless Chromium."""

from __future__ import annotations

import time

from relancegen.testing import run_poppler
from serving import chromium, get, open_page, served, wait_for_title

LETTER_OVERRIDE = '{% extends "theme:letter.html" %}\n{% block title %}TITLE{% endblock %}\n'
CLIENTS = [
    {"id": "client-a", "name": "Client A SAS", "kind": "b2b",
     "address": {"lines": ["2 rue du Client"], "postcode": "69003", "city": "Lyon"},
     "contacts": [{"name": "Alice Compta", "role": "accounting", "email": "alice@client-a.example"}]},
    {"id": "client-b", "name": "Client B SARL", "kind": "b2b",
     "address": {"lines": ["3 rue du Client"], "postcode": "69003", "city": "Lyon"},
     "contacts": [{"name": "Bob Compta", "role": "accounting", "email": "bob@client-b.example"}]},
]
INVOICES = [
    {"number": "F-1", "client": "client-a", "issued": "2026-08-01", "due": "2026-08-31", "amount": "1200.00"},
    {"number": "F-2", "client": "client-b", "issued": "2026-10-10", "due": "2026-11-09", "amount": "300.00"},
]

JOURNAL = [
    {"time": "2026-10-01T09:00:00+02:00", "client": "client-a", "stage": "reminder", "channel": "email", "status": "sent", "invoices": ["F-1"]},
    {"time": "2026-10-15T09:00:00+02:00", "client": "client-a", "stage": "call", "channel": "phone", "status": "recorded", "invoices": ["F-1"], "note": "no answer"},
]


def make_site(site_factory):
    site_dir = site_factory(site={"as_of": "2026-11-23"}, clients=CLIENTS, invoices=INVOICES, journal=JOURNAL)
    (site_dir / "overrides").mkdir()
    (site_dir / "overrides" / "letter.html").write_text(LETTER_OVERRIDE.replace("TITLE", "Lettre avant"), encoding="utf-8")
    return site_dir


def test_index_links_every_document_as_html_and_pdf(site_factory, tmp_path):
    site_dir = make_site(site_factory)
    with served(site_dir) as url:
        status, body = get(url)
        index = body.decode()
        assert status == 200
        assert "Client A SAS" in index and "Client B SARL" in index and "Balance âgée" in index
        letters = [part.split('"')[0] for part in index.split('href="')[1:] if part.startswith("/doc/client-a/")]
        assert "/doc/client-a/overdue/letter.pdf" in letters and "/doc/client-a/overdue/letter.html" in letters
        status, html = get(url + "doc/client-a/overdue/letter.html")
        assert status == 200 and b"<title>Lettre avant</title>" in html and b"F-1" in html
        status, mail = get(url + "doc/client-a/overdue/email.html")  # the QR code, as the built file holds it
        assert status == 200 and b'<img src="data:image/png;base64,' in mail
        started = time.monotonic()
        status, pdf = get(url + "doc/client-a/overdue/letter.pdf")
        first = time.monotonic() - started
        assert status == 200 and pdf.startswith(b"%PDF")
        (tmp_path / "letter.pdf").write_bytes(pdf)
        assert "Client A SAS" in run_poppler("pdftotext", tmp_path / "letter.pdf", "-")
        started = time.monotonic()
        assert get(url + "doc/client-a/overdue/letter.pdf") == (200, pdf)  # cached: not printed again
        assert time.monotonic() - started < first / 2
        assert get(url + "doc/client-a/nothing/letter.html")[0] == 404
        status, font = get(url + "_assets/fonts/LiberationSans-Regular.ttf")
        assert status == 200 and len(font) > 10_000
        assert get(url + "_assets/../site.yml")[0] == 404


def test_the_open_page_reloads_itself_when_a_template_changes(site_factory, tmp_path):
    site_dir = make_site(site_factory)
    override = site_dir / "overrides" / "letter.html"
    with served(site_dir) as url:
        # Chromium renders the dashboard, script and SVG included.
        dom = chromium(tmp_path / "dump", "--dump-dom", url)
        assert 'id="aged-balance-chart"' in dom and "Client A SAS" in dom
        with open_page(tmp_path / "browser", url + "doc/client-a/overdue/letter.html") as devtools:
            wait_for_title(devtools, "Lettre avant")
            time.sleep(0.5)  # the page's long poll is waiting
            override.write_text(LETTER_OVERRIDE.replace("TITLE", "Lettre après"), encoding="utf-8")
            seconds = wait_for_title(devtools, "Lettre après")
            print(f"edit to reloaded page: {seconds:.2f} s")
            assert seconds < 15


def wait_for_page(url: str, predicate, timeout: float = 60) -> tuple[int, str]:
    """GET ``url`` until ``predicate(status, text)`` holds (the watcher polls, then reloads)."""
    deadline = time.monotonic() + timeout
    while True:
        status, body = get(url)
        if predicate(status, body.decode()):
            return status, body.decode()
        assert time.monotonic() < deadline, body.decode()[-2000:]
        time.sleep(0.2)


def test_a_template_error_is_shown_with_its_file_and_line_and_the_server_keeps_running(site_factory):
    site_dir = make_site(site_factory)
    override = site_dir / "overrides" / "letter.html"
    letter = "doc/client-a/overdue/letter.html"
    with served(site_dir) as url:
        override.write_text('{% extends "theme:letter.html" %}\n{% block subject %}{{ creditor.nmae }}{% endblock %}\n', encoding="utf-8")
        status, text = wait_for_page(url + letter, lambda status, text: status == 500)
        assert "overrides/letter.html:2: template error: &#39;relancegen.site.model.Creditor object&#39; has no attribute &#39;nmae&#39;" in text
        override.write_text('{% extends "theme:letter.html" %}\n{% block subject %}Objet{% endblock %\n', encoding="utf-8")
        wait_for_page(url, lambda status, text: "overrides/letter.html:2: template syntax error" in text)
        override.write_text('{% extends "theme:letter.html" %}\n{% block subjet %}Objet{% endblock %}\n', encoding="utf-8")
        wait_for_page(url, lambda status, text: "overrides/letter.html:2: block &#39;subjet&#39; is not a block of theme:letter.html" in text)
        site_yml = (site_dir / "site.yml").read_text(encoding="utf-8")
        (site_dir / "site.yml").write_text(site_yml.replace("payment_days: 30", "payment_days: trente"), encoding="utf-8")
        wait_for_page(url, lambda status, text: "site.yml:" in text and "terms.payment_days" in text)
        (site_dir / "site.yml").write_text(site_yml, encoding="utf-8")
        override.write_text(LETTER_OVERRIDE.replace("TITLE", "Réparée"), encoding="utf-8")
        status, text = wait_for_page(url + letter, lambda status, text: "<title>Réparée</title>" in text and 'id="problems"' not in text)
        assert status == 200


def test_a_stylesheet_error_is_shown_on_the_document_page(site_factory):
    site_dir = make_site(site_factory)
    with served(site_dir) as url:
        (site_dir / "overrides" / "style.css").write_text(
            '{% include "theme:style.css" %}\n.subject { color: bleu; }\n.letterhead { font-weight: bold;\n', encoding="utf-8")
        status, text = wait_for_page(url + "doc/client-a/overdue/letter.html", lambda status, text: "never closed" in text)
        assert status == 200
        assert "overrides/style.css:3: &#39;{&#39; is never closed" in text
        assert "overrides/style.css:2: warning: WeasyPrint: Ignored `color: bleu`" in text


def test_the_specimen_switch_shows_every_stage_of_every_client(site_factory):
    site_dir = make_site(site_factory)
    with served(site_dir) as url:
        assert b"/doc/client-b/formal_notice/letter.pdf" not in get(url)[1]
        status, index = get(url + "_specimen?on=1")
        assert status == 200 and b"/doc/client-b/formal_notice/letter.pdf" in index
        assert get(url + "doc/client-b/formal_notice/letter.html")[0] == 200
        assert b"/doc/client-b/formal_notice/letter.pdf" not in get(url + "_specimen?on=0")[1]
    with served(site_dir, "--all-stages") as url:
        assert b"/doc/client-b/collection/case-summary.pdf" in get(url)[1]
