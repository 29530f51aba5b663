"""`relancegen check` compiles the theme chain and the letters and points at each problem."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from click.testing import CliRunner

from relancegen.cli import main
from relancegen.documents.kinds import documents_for
from relancegen.documents.themecheck import CONTEXT_VARIABLES
from relancegen.law.situation import compute_situations
from relancegen.plugins import plugin_renderer
from relancegen.site.loader import load_site

EXAMPLE = Path(__file__).parent.parent


def test_the_example_site_and_the_classic_theme_pass_the_check():
    result = CliRunner().invoke(main, ["check", "--site", str(EXAMPLE)])
    assert result.exit_code == 0, result.output


def test_check_reports_every_theme_and_letter_problem_with_file_and_line(site_factory):
    site_dir = site_factory()
    overrides = site_dir / "overrides"
    overrides.mkdir()
    (overrides / "letter.html").write_text(
        '{% extends "theme:letter.html" %}\n'
        '{% block signatur %}<p>Par délégation</p>{% endblock %}\n'
        '{% block subject %}{{ creditor.name }} {{ cliant.name }}{% endblock %}\n', encoding="utf-8")
    (overrides / "email.html").write_text('{% extends "theme:email.html" %}\n{% block email_body %}{{ body }{% endblock %}\n', encoding="utf-8")
    (overrides / "style.css").write_text(
        '{% include "theme:style.css" %}\n@font-face { font-family: X; src: url(fonts/Nope.ttf); }\np { margin: 0 } }\n.subject { color: red;\n', encoding="utf-8")
    (site_dir / "letters" / "reminder").mkdir(parents=True)
    (site_dir / "letters" / "reminder" / "email.md").write_text(
        '---\nstage: reminder\nmedium: email\nsubject: "Facture {{ invoice_numbers }}"\nvariant: a\n---\n'
        'Bonjour,\n\nVotre solde est de {{ montant }}.\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--site", str(site_dir)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    expected = [
        "letters/reminder/email.md:9: unknown variable 'montant'",
        "overrides/email.html:2: template syntax error: unexpected '}'",
        "overrides/letter.html:2: block 'signatur' is not a block of theme:letter.html: its content is never shown (did you mean 'signature'?)",
        "overrides/letter.html:3: unknown variable 'cliant' (did you mean 'client'?)",
        "overrides/style.css:2: url(fonts/Nope.ttf): no such asset in the site's assets/, overrides/ or the theme chain",
        "overrides/style.css:3: '}' closes no block",
        "overrides/style.css:4: '{' is never closed: WeasyPrint ignores everything after it",
    ]
    for line in expected:
        assert any(output.startswith(line) for output in lines), (line, result.output)
    assert "Traceback" not in result.output


def test_the_documented_context_is_what_templates_get():
    """CONTEXT_VARIABLES, which the check trusts, lists exactly what a document's context holds."""
    site = load_site(EXAMPLE)
    renderer = plugin_renderer(site)
    situation = next(s for s in compute_situations(site, dt.date(2026, 11, 23)) if s.stage == "overdue")
    spec = next(spec for spec in documents_for(situation) if spec.kind == "letter")
    context, _ = renderer._document_context(spec, situation)
    assert set(context) == CONTEXT_VARIABLES


def test_build_reports_a_template_error_with_its_file_and_line_not_a_traceback(site_factory):
    site_dir = site_factory(site={"as_of": "2026-11-23"},
                            invoices=[{"number": "F-1", "client": "client-a", "issued": "2026-09-01", "due": "2026-10-01", "amount": "100.00"}])
    (site_dir / "overrides").mkdir()
    (site_dir / "overrides" / "email.html").write_text('{% extends "theme:email.html" %}\n\n{% block email_body %}{{ cliant.name }}{% endblock %}\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--site", str(site_dir), "--jobs", "1"])
    assert result.exit_code == 1
    assert "overrides/email.html:3: template error: 'cliant' is undefined" in result.output
    assert "Traceback" not in result.output


def test_a_template_override_that_is_not_utf8_is_a_located_error(site_factory):
    """Found by the fuzz test: an override saved as UTF-16 stopped `check` with a traceback."""
    site_dir = site_factory()
    (site_dir / "overrides").mkdir()
    (site_dir / "overrides/email.html").write_bytes('{% extends "theme:email.html" %}\n'.encode("utf-16"))
    result = CliRunner().invoke(main, ["check", "--site", str(site_dir)])
    assert result.exit_code == 1 and "overrides/email.html:1:" in result.output and "not UTF-8 text" in result.output, result.output
