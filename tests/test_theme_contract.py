"""docs/themes.md is the theme author's contract: every block it documents exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parent.parent
CLASSIC = ROOT / "themes" / "classic"


def documented_blocks() -> dict[str, list[str]]:
    rows = {}
    for line in (ROOT / "docs" / "themes.md").read_text(encoding="utf-8").splitlines():
        match = re.match(r"\| `([a-z_]+\.(?:html|txt))` \|[^|]*\| (.*) \|$", line)
        if match and "`" in match.group(2):
            rows[match.group(1)] = re.findall(r"`([a-z_]+)`", match.group(2))
    return rows


def test_every_documented_block_exists_in_the_classic_theme():
    rows = documented_blocks()
    assert {"base.html", "letter.html", "statement.html", "call_sheet.html", "blocks.html"} <= set(rows)
    for template, names in rows.items():
        source = (CLASSIC / template).read_text(encoding="utf-8")
        for name in names:
            pattern = rf"{{% (block|macro) {name}\b"
            assert re.search(pattern, source), f"{template} has no block or macro {name!r}"


def test_every_block_of_the_classic_theme_is_documented():
    documented = {name for names in documented_blocks().values() for name in names}
    for template in CLASSIC.glob("*.html"):
        for name in re.findall(r"{% block ([a-z_]+)", template.read_text(encoding="utf-8")):
            assert name in documented, f"block {name!r} of {template.name} is not in docs/themes.md"
