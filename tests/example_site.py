"""The example site (the repository root) for tests that read its registered letters.

The example site ships no `rates:`: its penalty periods run into 2026-S2, which the shipped
tables do not verify, so its registered letters are held and its to-do says which rate to add
(the honest demo, pinned by tests/test_unverified_rates.py). Tests that read its formal
notices and statements build a copy declaring the 2026-S2 rates. These are TEST VALUES, not
facts: the ECB rate taken as unchanged (2.15 % since 11 June 2025) and the legal rate of
2026-S1 carried over.
"""

from __future__ import annotations

import shutil
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent
#: TEST VALUES for the half-year the shipped tables do not verify (never shipped as facts).
TEST_RATES = {"ecb": {"2026-07-01": "2.15"}, "legal": {"2026-S2": "2.62"}}
TEST_RATES_YAML = (
    "\n# TEST VALUES (tests/example_site.py), not verified rates: never ship them as facts.\n"
    'rates:\n  ecb: {"2026-07-01": "2.15"}\n  legal: {"2026-S2": "2.62"}\n'
)


def copy_example(destination: Path, *, test_rates: bool = True) -> Path:
    """A copy of the example site (site.yml, data, journal, invoice copies) in
    ``destination``; with ``test_rates``, its site.yml declares :data:`TEST_RATES`."""
    destination.mkdir(parents=True, exist_ok=True)
    for name in ("data", "journal", "invoices"):
        shutil.copytree(EXAMPLE / name, destination / name)
    text = (EXAMPLE / "site.yml").read_text(encoding="utf-8")
    (destination / "site.yml").write_text(text + (TEST_RATES_YAML if test_rates else ""), encoding="utf-8")
    return destination
