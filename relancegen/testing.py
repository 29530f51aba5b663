"""Test helpers for relancegen and for plugin authors: build a site from dicts.

``write_site(root, clients=[...], invoices=[...])`` writes a valid site folder with a
sensible creditor and terms, which a test then loads, builds or sends. The ``site_factory``
fixture does the same in a fresh temporary folder::

    def test_my_channel(site_factory):
        site_dir = site_factory(clients=[...], invoices=[...])

``run_poppler("pdftotext", "-layout", pdf, "-")`` runs one of poppler's PDF tools and, where
it is not installed, fails the test with the sentence that says what to install.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

POPPLER_MISSING = (
    "{tool} is not installed: it comes with poppler-utils, which the tests use to read PDFs back "
    "(Debian/Ubuntu: apt-get install poppler-utils; ./scripts/setup installs it when run as root or with sudo)"
)


def run_poppler(tool: str, *args: Any) -> str:
    """Run a poppler tool (``pdftotext``, ``pdftoppm``, ``pdffonts``…) and return its output;
    fail the test with what to install when the tool is missing."""
    if shutil.which(tool) is None:
        pytest.fail(POPPLER_MISSING.format(tool=tool), pytrace=False)
    return subprocess.run([tool, *map(str, args)], capture_output=True, text=True, check=True).stdout


DEFAULT_CREDITOR: dict[str, Any] = {
    "name": "Atelier Test SARL",
    "legal_form": "SARL",
    "siren": "812345676",
    "address": {"lines": ["1 rue de la Paix"], "postcode": "69002", "city": "Lyon", "country": "FR"},
    "email": "compta@atelier-test.example",
    "iban": "FR7630004000000001234567845",
    "bic": "BNPAFRPP",
    "signatory": {"name": "Claire Test", "title": "Gérante"},
}

DEFAULT_CLIENT: dict[str, Any] = {
    "id": "client-a",
    "name": "Client A SAS",
    "kind": "b2b",
    "address": {"lines": ["2 rue du Client"], "postcode": "69003", "city": "Lyon", "country": "FR"},
    "contacts": [{"name": "Alice Compta", "role": "accounting", "email": "alice@client-a.example", "phone": "+33 6 00 00 00 00"}],
}


def write_site(
    root: Path,
    *,
    site: dict[str, Any] | None = None,
    creditor: dict[str, Any] | None = None,
    terms: dict[str, Any] | None = None,
    clients: list[dict[str, Any]] | None = None,
    invoices: list[dict[str, Any]] | None = None,
    journal: list[dict[str, Any]] | None = None,
    **sections: Any,
) -> Path:
    """Write a site folder under ``root`` and return it. Extra keyword arguments become
    top-level sections of site.yml (``channels=...``, ``policy=...``)."""
    root.mkdir(parents=True, exist_ok=True)
    config: dict[str, Any] = {
        "site": {"title": "Test", "language": "fr", "theme": "classic", "output": "_site", **(site or {})},
        "creditor": creditor or DEFAULT_CREDITOR,
        "terms": terms or {"payment_days": 30},
        "data": {"clients": "data/clients.yml", "invoices": "data/invoices.yml", "journal": "journal/"},
        **sections,
    }
    (root / "data").mkdir(exist_ok=True)
    (root / "journal").mkdir(exist_ok=True)
    _dump(root / "site.yml", config)
    _dump(root / "data" / "clients.yml", clients if clients is not None else [DEFAULT_CLIENT])
    _dump(root / "data" / "invoices.yml", invoices or [])
    if journal:
        lines = "".join(json.dumps(entry, ensure_ascii=False) + "\n" for entry in journal)
        (root / "journal" / "journal.jsonl").write_text(lines, encoding="utf-8")
    return root


def _dump(path: Path, data: Any) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False), encoding="utf-8")


@pytest.fixture
def site_factory(tmp_path: Path) -> Callable[..., Path]:
    """A function writing a site into a fresh temporary folder (see :func:`write_site`)."""
    counter = iter(range(1_000_000))

    def make(**kwargs: Any) -> Path:
        return write_site(tmp_path / f"site-{next(counter)}", **kwargs)

    return make
