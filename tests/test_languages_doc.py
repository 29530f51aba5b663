"""docs/languages.md's worked example, built from the page's own blocks: a site adds German
for one client's reminder email without touching Python."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from babel.messages.pofile import read_po

from relancegen.cli import main

DOC = Path(__file__).parent.parent / "docs" / "languages.md"
FILE_BLOCK = re.compile(r'^```\w+ title="([^"]+)"\n(.*?)^```$', re.M | re.S)
BERLIN = {"lines": ["Hauptstraße 1"], "postcode": "10115", "city": "Berlin", "country": "DE"}


def test_the_german_worked_example(site_factory):
    client = {"id": "kunde-berlin", "name": "Kunde Berlin GmbH", "language": "de", "address": BERLIN,
              "contacts": [{"name": "Jana Keller", "role": "accounting", "email": "jana@kunde.example"}]}
    invoice = {"number": "F-1", "client": "kunde-berlin", "issued": "2026-10-01", "due": "2026-10-31", "amount": "1234.56", "subject": "Beratung"}
    site = site_factory(site={"as_of": "2026-11-23"}, clients=[client], invoices=[invoice])
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


def test_the_catalogue_commands_keep_the_shipped_catalogues_current(tmp_path):
    """The page's two pybabel commands, run on a copy of the theme's catalogues: the shipped
    template of strings already holds every string of the templates, and the English
    catalogue translates each of them, none fuzzy."""
    root = Path(__file__).parent.parent
    commands = re.search(r"^```sh\n(pybabel extract .*?)^```$", DOC.read_text(encoding="utf-8"), re.M | re.S).group(1).splitlines()
    locales = tmp_path / "locales"
    subprocess.run(["cp", "-r", str(root / "themes/classic/locales"), str(locales)], check=True)
    pybabel = str(Path(sys.executable).parent / "pybabel")
    for command in commands:
        words = [str(locales) + word[len("themes/classic/locales"):] if word.startswith("themes/classic/locales") else word
                 for word in shlex.split(command)[1:]]
        subprocess.run([pybabel, *words], cwd=root, check=True, capture_output=True)
    shipped = (root / "themes/classic/locales/messages.pot").read_text(encoding="utf-8")
    extracted = (locales / "messages.pot").read_text(encoding="utf-8")
    strip = lambda text: [line for line in text.splitlines() if not line.startswith('"POT-Creation-Date')]  # noqa: E731
    assert strip(extracted) == strip(shipped), "the templates changed: run the extract command of docs/languages.md"
    with (locales / "en/LC_MESSAGES/messages.po").open("rb") as stream:
        english = read_po(stream)
    untranslated = [m.id for m in english if m.id and (not m.string or m.fuzzy)]
    assert not untranslated and not english.obsolete, (untranslated, list(english.obsolete))
