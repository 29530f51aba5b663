"""`relancegen check` for languages, and a site's own letters and strings per language."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from relancegen.cli import main
from relancegen.documents.letters import load_letters

LONDON = {"lines": ["1 High Street"], "postcode": "EC1A 1BB", "city": "London", "country": "GB"}
BERLIN = {"lines": ["Hauptstraße 1"], "postcode": "10115", "city": "Berlin", "country": "DE"}
OVERDUE_INVOICE = {"number": "F-1", "client": "client-a", "issued": "2026-10-01", "due": "2026-10-31", "amount": "1234.56", "subject": "Consulting"}


def english_site(site_factory, **kwargs) -> Path:
    client = {"id": "client-a", "name": "Client A Ltd", "language": "en", "address": LONDON}
    return site_factory(site={"as_of": "2026-11-23"}, clients=[client], invoices=[OVERDUE_INVOICE], **kwargs)


def site_with_new_string(site_factory) -> Path:
    """An English site whose email footer override adds a French string."""
    site = english_site(site_factory)
    (site / "overrides").mkdir()
    (site / "overrides" / "email.html").write_text(
        '{% extends "theme:email.html" %}\n{% block email_footer %}\n<p>{% trans %}Merci de votre confiance{% endtrans %}</p>\n{% endblock %}\n',
        encoding="utf-8",
    )
    return site


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_builtin_languages_are_complete(site_factory):
    result = run("check", "--site", str(english_site(site_factory)))
    assert result.exit_code == 0, result.output
    assert "translation" not in result.output and " letter for stage" not in result.output and "this letter exists" not in result.output


def test_an_untranslated_string_is_an_error_naming_it_and_its_template(site_factory):
    site = site_with_new_string(site_factory)
    result = run("check", "--site", str(site))
    assert result.exit_code == 1
    assert "overrides/email.html:3: no 'en' translation of 'Merci de votre confiance'" in result.output
    build = run("build", "--site", str(site), "--out", str(site / "_site"))
    assert build.exit_code == 1
    assert "email.html: no 'en' translation of 'Merci de votre confiance'" in build.output
    assert not (site / "_site/client-a/reminder/email.html").exists()


def test_a_site_catalogue_adds_the_missing_string(site_factory):
    site = site_with_new_string(site_factory)
    catalogue = site / "locales" / "en" / "LC_MESSAGES"
    catalogue.mkdir(parents=True)
    (catalogue / "messages.po").write_text('msgid "Merci de votre confiance"\nmsgstr "Thank you for your business"\n', encoding="utf-8")
    assert run("check", "--site", str(site)).exit_code == 0
    assert run("build", "--site", str(site), "--out", str(site / "_site")).exit_code == 0
    assert "Thank you for your business" in (site / "_site/client-a/reminder/email.html").read_text(encoding="utf-8")


def test_a_letter_in_one_language_only_is_reported(site_factory):
    site = english_site(site_factory)
    (site / "letters" / "reminder").mkdir(parents=True)
    (site / "letters" / "reminder" / "email-d.md").write_text(
        "---\nstage: reminder\nmedium: email\nvariant: d\nsubject: Petit rappel\n---\nBonjour,\n", encoding="utf-8")
    result = run("check", "--site", str(site))
    assert result.exit_code == 0
    assert "letters/en/reminder/email-d.md: warning: this letter exists in 'fr' (letters/reminder/email-d.md) but not in 'en'" in result.output


def test_a_site_overrides_one_language_letter(site_factory):
    site = english_site(site_factory)
    (site / "letters" / "en" / "reminder").mkdir(parents=True)
    ours = site / "letters" / "en" / "reminder" / "email-a.md"
    ours.write_text("---\nstage: reminder\nmedium: email\nvariant: a\nsubject: Our own reminder\n---\nHello,\n", encoding="utf-8")
    letters = {(letter.language, letter.stage, letter.path.name): letter for letter in load_letters(site)}
    assert letters[("en", "reminder", "email-a.md")].path == ours
    assert letters[("fr", "reminder", "email-a.md")].subject.startswith("{% if")


def test_a_language_without_catalogue_or_letters_is_refused_by_check(site_factory):
    client = {"id": "client-a", "name": "Client A GmbH", "language": "de", "address": BERLIN}
    site = site_factory(clients=[client], invoices=[OVERDUE_INVOICE])
    result = run("check", "--site", str(site))
    assert result.exit_code == 1
    assert "no 'de' translation of 'Montant TTC'" in result.output
    assert "letters/de/reminder/: no 'de' letter for stage 'reminder' (medium email) for a b2b debtor" in result.output


def test_a_language_babel_does_not_know_is_an_error(site_factory):
    client = {"id": "client-a", "name": "Client A", "language": "xq", "address": BERLIN}
    result = run("check", "--site", str(site_factory(clients=[client])))
    assert result.exit_code == 1
    assert "'xq' is not a language Babel knows" in result.output
