"""The theme's fonts in the PDFs: subset once to Latin-script characters and cached, the
full fonts for a document that needs other characters, and never a system font instead."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from relancegen.cli import main
from relancegen.documents.pdf import _harfbuzz_subsets_fonts
from relancegen.testing import DEFAULT_CLIENT, run_poppler
from example_site import TEST_RATES  # the 2026-S2 rates, test values: registered letters are built, not held

OVERDUE = [{"number": "F-1", "client": "client-a", "issued": "2026-09-01", "due": "2026-10-01", "amount": "1200.00"}]
JOURNAL = [{"time": "2026-10-20T09:00:00+02:00", "client": "client-a", "stage": "penalties", "channel": "registered_post",
            "invoices": ["F-1"], "status": "sent"}]


def embedded_fonts(pdf: Path) -> set[str]:
    """Font names as pdffonts prints them, without the subset prefix (ABCDEF+)."""
    lines = run_poppler("pdffonts", str(pdf)).splitlines()[2:]
    return {line.split()[0].split("+")[-1] for line in lines}


def build(site_dir: Path) -> Path:
    result = CliRunner().invoke(main, ["build", "--site", str(site_dir)])
    assert result.exit_code == 0, result.output
    return site_dir / "_site" / "client-a" / "formal_notice" / "letter.pdf"


def build_in_new_process(site_dir: Path, cache: Path, *options: str) -> None:
    """`relancegen build` as a user runs it: a process with no fonts loaded yet."""
    command = [sys.executable, "-c", "from relancegen.cli import main; main()", "build", "--site", str(site_dir), *options]
    result = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "RELANCEGEN_CACHE_DIR": str(cache)})
    assert result.returncode == 0, result.stdout + result.stderr


def test_latin_letters_use_the_cached_subset_of_the_theme_fonts(site_factory, tmp_path):
    cache = tmp_path / "cache"
    name = "Œuvres d'Ægir & Łukasz Wójcik — Čakovec"
    site_dir = site_factory(clients=[{**DEFAULT_CLIENT, "name": name}], invoices=OVERDUE, journal=JOURNAL,
                            site={"as_of": "2026-11-23"}, rates=TEST_RATES)
    build_in_new_process(site_dir, cache)
    letter = site_dir / "_site" / "client-a" / "formal_notice" / "letter.pdf"
    assert embedded_fonts(letter) <= {"Liberation-Sans", "Liberation-Sans-Bold", "Liberation-Sans-Italic"}
    assert name in PdfReader(letter).pages[0].extract_text()
    subsets = sorted((cache / "fonts").glob("*.ttf"))
    assert len(subsets) == 3 and all(path.stat().st_size < 150_000 for path in subsets)  # the originals: ~410 KB
    if _harfbuzz_subsets_fonts():  # each PDF then embeds only the glyphs it uses
        assert letter.stat().st_size < 40_000
    first = letter.read_bytes()
    build_in_new_process(site_dir, cache, "--force")  # reads the subsets from the cache
    assert letter.read_bytes() == first
    assert sorted((cache / "fonts").glob("*.ttf")) == subsets


def test_a_name_in_another_script_gets_the_full_theme_fonts(site_factory):
    name = "Ελληνικά Ψηφιακά ΑΕ"  # Liberation Sans has Greek; the subset has not
    site_dir = site_factory(clients=[{**DEFAULT_CLIENT, "name": name}], invoices=OVERDUE, journal=JOURNAL,
                            site={"as_of": "2026-11-23"}, rates=TEST_RATES)
    letter = build(site_dir)
    assert embedded_fonts(letter) <= {"Liberation-Sans", "Liberation-Sans-Bold", "Liberation-Sans-Italic"}
    assert name in PdfReader(letter).pages[0].extract_text()


def word_boxes(pdf: Path) -> list[tuple[str, float, float]]:
    """Every word of the PDF with the position (pt) of its top-left corner."""
    xml = run_poppler("pdftotext", "-bbox", str(pdf), "-")
    return [(word, float(x), float(y)) for x, y, word in re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>', xml)]


def same_places(first: list[tuple[str, float, float]], second: list[tuple[str, float, float]]) -> bool:
    """The same words, each within 0.1 pt (0.04 mm) of the same place."""
    return len(first) == len(second) and all(
        a == b and abs(ax - bx) < 0.1 and abs(ay - by) < 0.1 for (a, ax, ay), (b, bx, by) in zip(first, second))


def differing_pixels(first: Path, second: Path) -> float:
    """The share of pixels that differ between two PGM renders of the same size."""
    a, b = first.read_bytes(), second.read_bytes()
    assert len(a) == len(b)
    return sum(x != y for x, y in zip(a, b)) / len(a)


@pytest.mark.parametrize("subsetter", ["harfbuzz", "fonttools"])
def test_subset_fonts_draw_like_the_full_fonts(site_factory, tmp_path, monkeypatch, subsetter):
    """Same words at the same places, same drawing. With fontTools, relancegen embeds the
    cached subsets whole, and glyph widths are rounded differently in the PDF (thousandths of
    a point, under 0.1 pt at the end of a line): a few anti-aliased pixels differ, nothing a
    reader can see."""
    import weasyprint.pdf.fonts
    from weasyprint import HTML

    from relancegen.documents.pdf import render_pdf
    from relancegen.documents.render import builtin_themes_dir

    if subsetter == "fonttools":
        monkeypatch.setattr(weasyprint.pdf.fonts, "harfbuzz_subset", None)
    elif not weasyprint.pdf.fonts.harfbuzz_subset:
        pytest.skip("HarfBuzz's subsetter is not installed (Debian: libharfbuzz-subset0)")

    site_dir = site_factory(invoices=OVERDUE, journal=JOURNAL, site={"as_of": "2026-11-23"}, rates=TEST_RATES)
    build(site_dir)
    html = (site_dir / "_site" / "client-a" / "formal_notice" / "letter.html").read_text(encoding="utf-8")
    base_url = str(builtin_themes_dir() / "classic")
    subset, full = tmp_path / "subset.pdf", tmp_path / "full.pdf"
    subset.write_bytes(render_pdf(html, base_url))
    full.write_bytes(HTML(string=html, base_url=base_url + "/").write_pdf())
    assert same_places(word_boxes(subset), word_boxes(full))
    for pdf in (subset, full):
        run_poppler("pdftoppm", "-r", "60", "-gray", str(pdf), str(tmp_path / pdf.stem))
    pages = sorted(path.name.removeprefix("subset") for path in tmp_path.glob("subset-*.pgm"))
    assert pages
    tolerance = 0 if subsetter == "harfbuzz" else 0.005
    for page in pages:
        assert differing_pixels(tmp_path / f"subset{page}", tmp_path / f"full{page}") <= tolerance, page
