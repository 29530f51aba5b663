"""Theme authors' assets: fonts and images found through the same chain as templates
(site assets/, overrides/, the theme, the themes it extends), style variables, `extra:`,
and themes installed as packages."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import segno
import yaml
from click.testing import CliRunner

from relancegen.cli import main
from relancegen.documents.assets import AssetChain
from relancegen.testing import DEFAULT_CLIENT, run_poppler

OVERDUE = [{"number": "F-1", "client": "client-a", "issued": "2026-09-01", "due": "2026-10-01", "amount": "1200.00"}]
JOURNAL = [
    {"time": "2026-10-05T09:00:00+02:00", "client": "client-a", "stage": "reminder", "channel": "email", "invoices": ["F-1"], "status": "sent"},
    {"time": "2026-10-20T09:00:00+02:00", "client": "client-a", "stage": "call", "channel": "phone", "invoices": ["F-1"], "status": "recorded", "note": "no answer"},
]
SYSTEM_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf")


def overdue_site(site_factory, **kwargs):
    """A client at the overdue stage: a letter (PDF and HTML) and an email."""
    return site_factory(clients=[DEFAULT_CLIENT], invoices=OVERDUE, journal=JOURNAL, site={"as_of": "2026-11-23", **kwargs.pop("site", {})}, **kwargs)


def build_in_new_process(site_dir: Path, cache: Path) -> Path:
    """`relancegen build` with an empty font cache; the client's letter folder."""
    command = [sys.executable, "-m", "relancegen", "build", "--site", str(site_dir)]
    result = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "RELANCEGEN_CACHE_DIR": str(cache)})
    assert result.returncode == 0, result.stdout + result.stderr
    return site_dir / "_site" / "client-a" / "overdue"


def embedded_fonts(pdf: Path) -> set[str]:
    return {line.split()[0].split("+")[-1] for line in run_poppler("pdffonts", pdf).splitlines()[2:]}


def test_fonts_of_the_parent_theme_and_of_the_site_and_a_logo_resolve_and_are_embedded(site_factory, tmp_path):
    # A child theme that only says `extends: classic` keeps classic's fonts...
    site_dir = overdue_site(site_factory, site={"theme": "firm"})
    (site_dir / "firm").mkdir()
    (site_dir / "firm" / "theme.yml").write_text("name: firm\nextends: classic\n", encoding="utf-8")
    # ...a font in overrides/fonts/ and a logo in the site's assets/ resolve too.
    (site_dir / "overrides" / "fonts").mkdir(parents=True)
    shutil.copy(SYSTEM_FONT, site_dir / "overrides" / "fonts" / "Firm-Bold.ttf")
    (site_dir / "assets").mkdir()
    segno.make("logo").save(site_dir / "assets" / "logo.png", kind="png", scale=4)
    (site_dir / "overrides" / "style.css").write_text(
        '{% include "theme:style.css" %}\n'
        '@font-face { font-family: "Firm"; src: url(fonts/Firm-Bold.ttf); font-weight: bold; }\n'
        '.letterhead .name { font-family: "Firm"; }\n', encoding="utf-8")
    (site_dir / "overrides" / "letter.html").write_text(
        '{% extends "theme:letter.html" %}\n'
        '{% block letterhead %}<img src="assets/logo.png" alt="LOGO-ALT" style="width: 20mm">{{ super() }}{% endblock %}\n',
        encoding="utf-8")
    folder = build_in_new_process(site_dir, tmp_path / "cache")
    assert {"Liberation-Sans", "Liberation-Sans-Bold"} <= embedded_fonts(folder / "letter.pdf")
    # The fonts' files were read through the chain and cut down into the font cache (the
    # machine's own Liberation fonts would not be): classic's two and the site's one.
    assert len(list((tmp_path / "cache" / "fonts").glob("*.ttf"))) >= 3
    assert any(name.startswith("Firm-") for name in embedded_fonts(folder / "letter.pdf"))  # the file in overrides/fonts/
    assert "LOGO-ALT" not in run_poppler("pdftotext", folder / "letter.pdf", "-")
    images = run_poppler("pdfimages", "-list", folder / "letter.pdf").splitlines()[2:]
    assert len(images) >= 1
    # The check finds nothing wrong with either.
    result = CliRunner().invoke(main, ["check", "--site", str(site_dir)])
    assert result.exit_code == 0, result.output


def test_assets_never_leave_the_chain(tmp_path):
    (tmp_path / "site" / "assets").mkdir(parents=True)
    (tmp_path / "site" / "assets" / "logo.svg").write_text("<svg/>")
    (tmp_path / "site" / "site.yml").write_text("site: {}")
    (tmp_path / "theme" / "assets").mkdir(parents=True)
    (tmp_path / "theme" / "assets" / "logo.svg").write_text("<svg/>")
    (tmp_path / "theme" / "assets" / "seal.svg").write_text("<svg/>")
    chain = AssetChain(tmp_path / "site" / "assets", (tmp_path / "site" / "overrides", tmp_path / "theme"))
    assert chain.find("assets/logo.svg") == tmp_path / "site" / "assets" / "logo.svg"  # the site's first
    assert chain.find("assets/seal.svg") == tmp_path / "theme" / "assets" / "seal.svg"
    assert chain.locate((tmp_path / "theme" / "assets" / "logo.svg").as_uri()) == tmp_path / "site" / "assets" / "logo.svg"
    for outside in ("../site/site.yml", "assets/../../site/site.yml", "/etc/passwd", "assets\\..\\x"):
        assert chain.find(outside) is None
    assert chain.locate((tmp_path / "theme" / ".." / "site" / "site.yml").as_uri()) is None
    assert chain.locate("https://example.com/logo.svg") is None


def test_style_variables_and_extra_reach_letters_and_emails(site_factory, tmp_path):
    site_dir = overdue_site(site_factory, site={"theme": "firm"}, extra={"rcs": "RCS Lyon B 812 345 676", "signatories": ["A", "B"]})
    (site_dir / "firm").mkdir()
    (site_dir / "firm" / "theme.yml").write_text(
        yaml.safe_dump({"extends": "classic", "style": {"text_color": "#223344", "email_font_family": "Georgia, serif"}}), encoding="utf-8")
    (site_dir / "firm" / "letter.html").write_text(
        '{% extends "classic:letter.html" %}\n{% block footer %}{{ super() }}<div class="rcs">{{ extra.rcs }} — {{ extra.signatories|join(" & ") }}</div>{% endblock %}\n',
        encoding="utf-8")
    build_in_new_process(site_dir, tmp_path / "cache")
    letter = (site_dir / "_site/client-a/overdue/letter.html").read_text(encoding="utf-8")
    email = (site_dir / "_site/client-a/overdue/email.html").read_text(encoding="utf-8")
    assert "color: #223344" in letter and "color:#223344" in email and "font-family:Georgia, serif" in email
    assert '"Liberation Sans", sans-serif' in letter  # classic's value, not escaped
    assert '<div class="rcs">RCS Lyon B 812 345 676 — A &amp; B</div>' in letter


def test_extra_must_be_a_mapping(site_factory):
    site_dir = site_factory(extra=["rcs"])
    result = CliRunner().invoke(main, ["check", "--site", str(site_dir)])
    assert result.exit_code == 1
    assert "site.yml:" in result.output and "extra: expected a mapping" in result.output


def test_a_theme_installed_as_a_package_is_found_by_its_entry_point(site_factory, tmp_path, monkeypatch):
    packages = tmp_path / "packages"
    theme = packages / "relancegen_theme_cabinet"
    theme.mkdir(parents=True)
    (theme / "__init__.py").write_text("")
    (theme / "theme.yml").write_text("name: cabinet\nextends: classic\nstyle: {text_color: '#654321'}\n", encoding="utf-8")
    info = packages / "relancegen_theme_cabinet-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: relancegen-theme-cabinet\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[relancegen.themes]\ncabinet = relancegen_theme_cabinet\n")
    monkeypatch.syspath_prepend(str(packages))
    site_dir = site_factory(site={"theme": "cabinet", "as_of": "2026-11-23"}, invoices=OVERDUE)
    result = CliRunner().invoke(main, ["build", "--site", str(site_dir)])
    assert result.exit_code == 0, result.output
    assert "color:#654321" in (site_dir / "_site/client-a/reminder/email.html").read_text(encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--site", str(site_factory(site={"theme": "cabinett"}))])
    assert result.exit_code == 1 and "relancegen.themes" in result.output
