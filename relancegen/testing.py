"""Test helpers for relancegen and for plugin authors (part of the plugin API, see
docs/plugins.md). Load them in a test suite with ``pytest_plugins = ["relancegen.testing"]``.

- ``write_site(root, clients=[...], invoices=[...])`` writes a valid site folder with a
  sensible creditor and terms, which a test then loads, builds or sends; the
  ``site_factory`` fixture does the same in a fresh temporary folder.
- ``run_cli("build", "--site", site_dir)`` runs the command line in this process;
  ``run_cli_process(...)`` in a fresh process, where plugins are discovered anew, and
  ``install_plugin(package_dir, target)`` installs a plugin package there the way users do.
- ``make_delivery(folder, medium="sms", documents={...})`` (fixture ``delivery_factory``)
  makes the :class:`relancegen.Delivery` a channel is handed, to test ``send`` alone.
- ``RecordingChannel`` delivers nothing and remembers what it was handed;
  ``registered_channel(channel)`` makes it available to sites in this process, and the
  ``recording_channel`` fixture does both for every medium of the spec.
- ``run_poppler("pdftotext", "-layout", pdf, "-")`` runs one of poppler's PDF tools and,
  where it is not installed, fails the test with the sentence that says what to install.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from relancegen.delivery.contract import Delivery, Receipt, Recipient
from relancegen.delivery.deliveries import delivery_id
from relancegen.hookspecs import hookimpl
from relancegen.plugins import get_plugin_manager
from relancegen.site.model import MEDIA

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


# -- the command line ---------------------------------------------------------------------


def run_cli(*args: str | Path, env: dict[str, str] | None = None) -> Any:
    """Run ``relancegen ARGS`` in this process and return click's result: ``exit_code``,
    ``stdout``, ``stderr`` and ``output`` (both). Plugins are those installed when the
    process first loaded them, plus the channels of :func:`registered_channel`."""
    from click.testing import CliRunner

    from relancegen.cli import main

    return CliRunner().invoke(main, [str(arg) for arg in args], env=env, catch_exceptions=False)


def run_cli_process(*args: str | Path, path: Iterable[Path] = (), env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``relancegen ARGS`` in a fresh Python process, as a user's shell or CI does;
    ``path`` folders come first on its ``PYTHONPATH`` (where :func:`install_plugin` put a
    package). Returns the finished process: ``returncode``, ``stdout``, ``stderr``."""
    environment = {**os.environ, **(env or {})}
    folders = [*map(str, path), *filter(None, [environment.get("PYTHONPATH")])]
    if folders:
        environment["PYTHONPATH"] = os.pathsep.join(folders)
    return subprocess.run([sys.executable, "-m", "relancegen", *map(str, args)], capture_output=True, text=True, env=environment)


def install_plugin(package: Path, target: Path) -> Path:
    """``pip install`` a plugin package (a folder with its pyproject.toml) into ``target``,
    entry points included, and return ``target`` for :func:`run_cli_process`'s ``path``."""
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--target", str(target), str(package)],
        check=True,
    )
    return target


# -- deliveries and channels --------------------------------------------------------------

DEFAULT_RECIPIENT = Recipient(
    name=DEFAULT_CLIENT["name"],
    address_lines=(DEFAULT_CLIENT["name"], *DEFAULT_CLIENT["address"]["lines"], "69003 LYON"),
    emails=(DEFAULT_CLIENT["contacts"][0]["email"],),
    phone=DEFAULT_CLIENT["contacts"][0]["phone"],
)
DEFAULT_MESSAGE = "Bonjour, sauf erreur de notre part, la facture F-1 de 500,00 € reste à régler.\n"


def make_delivery(
    folder: Path,
    *,
    medium: str = "email",
    stage: str = "reminder",
    client: str = DEFAULT_CLIENT["id"],
    invoices: tuple[str, ...] = ("F-1",),
    documents: dict[str, str | bytes] | None = None,
    recipient: Recipient = DEFAULT_RECIPIENT,
    **fields: Any,
) -> Delivery:
    """A delivery as ``relancegen send`` hands it to a channel: ``documents`` (file name →
    text or bytes; default one ``<medium>.txt``) are written under ``folder``, and the id is
    derived from client, stage, medium and invoices. Other :class:`relancegen.Delivery` fields (``subject``,
    ``attachments``, ``as_of``...) pass through ``fields``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, content in (documents if documents is not None else {f"{medium}.txt": DEFAULT_MESSAGE}).items():
        path = folder / name
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        paths.append(path)
    identifier = delivery_id(client, stage, medium, list(invoices))
    return Delivery(identifier, client, stage, medium, tuple(invoices), tuple(paths), recipient, **fields)


@pytest.fixture
def delivery_factory(tmp_path: Path) -> Callable[..., Delivery]:
    """:func:`make_delivery` writing each delivery's documents in a fresh folder."""
    counter = iter(range(1_000_000))
    return lambda **kwargs: make_delivery(tmp_path / f"delivery-{next(counter)}", **kwargs)


@dataclass(frozen=True)
class SendCall:
    """One call of a channel's ``send``: what it was handed."""

    deliveries: tuple[Delivery, ...]
    settings: dict[str, Any]
    dry_run: bool


class RecordingChannel:
    """A channel that delivers nothing and remembers every ``send`` call. It answers
    ``status`` (``sent`` or ``failed``) for every delivery, with the names of the documents
    it was handed as proof."""

    def __init__(self, name: str = "recording", media: Iterable[str] = MEDIA, *, status: str = "sent"):
        self.name = name
        self.media = tuple(media)
        self.status = status
        self.calls: list[SendCall] = []

    @property
    def delivered(self) -> list[Delivery]:
        """The deliveries of every call that was not a dry run, in order."""
        return [delivery for call in self.calls if not call.dry_run for delivery in call.deliveries]

    def send(self, deliveries: list[Delivery], *, settings: dict[str, Any], dry_run: bool = False) -> list[Receipt]:
        self.calls.append(SendCall(tuple(deliveries), dict(settings), dry_run))
        error = None if self.status == "sent" else "refused by the recording channel"
        return [Receipt(d.delivery_id, self.status, proof={"documents": [p.name for p in d.documents]}, error=error) for d in deliveries]


class _ChannelPlugin:
    def __init__(self, channels: tuple[Any, ...]):
        self.channels = channels

    @hookimpl
    def relancegen_add_channels(self, site: Any) -> list[Any]:
        return list(self.channels)


@contextlib.contextmanager
def registered_channel(*channels: Any) -> Iterator[None]:
    """Make channels available to every site of this process (``run_cli``, ``send_site``)
    for the duration of a ``with`` block."""
    plugin = _ChannelPlugin(channels)
    manager = get_plugin_manager()
    manager.register(plugin, name=f"testing-channels-{id(plugin)}")
    try:
        yield
    finally:
        manager.unregister(plugin)


@pytest.fixture
def recording_channel() -> Iterator[RecordingChannel]:
    """A :class:`RecordingChannel` named ``recording``, carrying every medium of the spec,
    registered for the test: a site maps media to it (``email: {plugin: recording}``)."""
    channel = RecordingChannel()
    with registered_channel(channel):
        yield channel
