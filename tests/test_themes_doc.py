"""docs/themes.md's worked example, built exactly as written: a firm's theme with its logo,
its typeface, its colours, its RCS and two signatories."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from relancegen.testing import DEFAULT_CLIENT, DEFAULT_CREDITOR, run_poppler, write_site

DOC = Path(__file__).parent.parent / "docs" / "themes.md"
FENCE = re.compile(r"```[a-z]*\n(.*?)```", re.S)
MARKER = re.compile(r"^(?:#|/\*|\{#|<!--) file: (\S+)")
FONTS = Path("/usr/share/fonts/truetype/dejavu")  # stand-ins for the firm's font files
JOURNAL = [
    {"time": "2026-10-05T09:00:00+02:00", "client": "client-a", "stage": "reminder", "channel": "email", "invoices": ["F-1"], "status": "sent"},
    {"time": "2026-10-20T09:00:00+02:00", "client": "client-a", "stage": "call", "channel": "phone", "invoices": ["F-1"], "status": "recorded", "note": "no answer"},
]


def example_files() -> dict[str, str]:
    """The worked example's files, by path, as the documentation shows them."""
    section = DOC.read_text(encoding="utf-8").split("## A worked example")[1].split("\n## ")[0]
    files = {}
    for block in FENCE.findall(section):
        first, _, rest = block.partition("\n")
        if match := MARKER.match(first):
            files[match.group(1)] = rest
    return files


def test_the_worked_example_of_a_firm_theme_builds_as_documented(tmp_path):
    files = example_files()
    assert set(files) == {"site.yml", "cabinet/theme.yml", "cabinet/style.css", "cabinet/base.html", "cabinet/letter.html", "cabinet/assets/logo.svg"}
    added = yaml.safe_load(files.pop("site.yml"))
    site_dir = write_site(
        tmp_path / "site", site={"as_of": "2026-11-23", **added["site"]}, extra=added["extra"],
        creditor={**DEFAULT_CREDITOR, "share_capital": "10 000 €", "vat_number": "FR19812345676"},
        clients=[DEFAULT_CLIENT], journal=JOURNAL,
        invoices=[{"number": "F-1", "client": "client-a", "issued": "2026-09-01", "due": "2026-10-01", "amount": "1200.00"}],
    )
    for path, text in files.items():
        (site_dir / path).parent.mkdir(parents=True, exist_ok=True)
        (site_dir / path).write_text(text, encoding="utf-8")
    (site_dir / "cabinet" / "fonts").mkdir()
    shutil.copy(FONTS / "DejaVuSansCondensed.ttf", site_dir / "cabinet" / "fonts" / "Cabinet-Regular.ttf")
    shutil.copy(FONTS / "DejaVuSansCondensed-Bold.ttf", site_dir / "cabinet" / "fonts" / "Cabinet-Bold.ttf")

    for command in (["check"], ["build"]):
        result = subprocess.run([sys.executable, "-m", "relancegen", *command, "--site", str(site_dir)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "cabinet/" not in result.stderr  # no problem in the theme, not even a warning

    letter = site_dir / "_site" / "client-a" / "overdue" / "letter.pdf"
    fonts = {line.split()[0].split("+")[-1] for line in run_poppler("pdffonts", letter).splitlines()[2:]}
    assert {"Cabinet-Sans", "Cabinet-Sans-Bold"} <= {re.sub(r"-Semi-Condensed|-Condensed", "", name) for name in fonts}
    text = " ".join(run_poppler("pdftotext", letter, "-").split())
    assert "RCS Lyon B 812 345 676" in text
    assert "Hélène Lefort" in text and "Marc Aubert" in text and "Expert-comptable associée" in text
    assert "CABINET LEFORT" in text  # the SVG logo, drawn (its alt text is not printed)
    html = (site_dir / "_site" / "client-a" / "overdue" / "letter.html").read_text(encoding="utf-8")
    assert "color: #1f4e79" in html
    email = (site_dir / "_site" / "client-a" / "overdue" / "email.html").read_text(encoding="utf-8")
    assert "font-family:Georgia, serif" in email and "#1f4e79" in email
