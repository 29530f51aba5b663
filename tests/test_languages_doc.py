"""docs/languages.md's worked example, built from the page's own blocks: a site adds German
for one client's reminder email without touching Python."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from relancegen.cli import main

DOC = Path(__file__).parent.parent / "docs" / "languages.md"
FILE_BLOCK = re.compile(r'^```\w+ title="([^"]+)"\n(.*?)^```$', re.M | re.S)
BERLIN = {"lines": ["Hauptstraße 1"], "postcode": "10115", "city": "Berlin", "country": "DE"}


def test_the_german_worked_example(site_factory):
    client = {"id": "kunde-berlin", "name": "Kunde Berlin GmbH", "language": "de", "address": BERLIN,
              "contacts": [{"name": "Jana Keller", "role": "accounting", "email": "jana@kunde.example"}]}
    invoice = {"number": "F-1", "client": "kunde-berlin", "issued": "2026-10-01", "due": "2026-10-31", "amount": "1234.56", "subject": "Beratung"}
    site = site_factory(site={"as_of": "2026-11-22"}, clients=[client], invoices=[invoice])
    blocks = FILE_BLOCK.findall(DOC.read_text(encoding="utf-8"))
    assert [path for path, _ in blocks] == ["locales/de/LC_MESSAGES/messages.po", "letters/de/reminder/email-a.md"]
    for path, text in blocks:
        (site / path).parent.mkdir(parents=True, exist_ok=True)
        (site / path).write_text(text, encoding="utf-8")

    build = CliRunner().invoke(main, ["build", "--site", str(site), "--out", str(site / "_site")])
    assert build.exit_code == 0, build.output
    text = (site / "_site/kunde-berlin/reminder/email.txt").read_text(encoding="utf-8").replace("\u00a0", " ")
    html = (site / "_site/kunde-berlin/reminder/email.html").read_text(encoding="utf-8")
    assert "Guten Tag Jana Keller" in text and "seit dem 31. Oktober 2026 fällig" in text
    assert "Rechnung F-1 vom 01.10.2026 (Beratung): fällig am 31.10.2026, offen 1.234,56 €" in text
    assert "Betrag: 1.234,56 €" in text and "Verwendungszweck: F-1" in text
    assert '<html lang="de">' in html and "Bruttobetrag" in html and "Zum Bezahlen scannen" in html

    check = CliRunner().invoke(main, ["check", "--site", str(site)])
    assert check.exit_code == 1
    assert "statement.html" in check.output and "no 'de' letter for stage 'formal_notice'" in check.output
    assert "'Montant TTC'" not in check.output
