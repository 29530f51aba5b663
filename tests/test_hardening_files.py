"""Files: what documents may read, what `send` attaches, and the permissions of outputs."""

from __future__ import annotations

import http.server
import os
import stat
import threading
from pathlib import Path, PurePath

import pytest
from click.testing import CliRunner

from relancegen.cli import main
from relancegen.fsutil import UnsafeFile, read_inside
from relancegen.testing import run_poppler, write_site

INVOICE = {"number": "F-1", "client": "client-a", "issued": "2026-01-10", "amount": "100.00"}
OVERDUE_DAY = "2026-03-02"  # a Monday; F-1 is due 2026-02-09: after a reminder and a call, the overdue letter
OVERDUE_HISTORY = [
    {"time": "2026-02-14T09:00:00+01:00", "client": "client-a", "stage": "reminder", "channel": "email", "invoices": ["F-1"], "status": "sent"},
    {"time": "2026-02-21T09:00:00+01:00", "client": "client-a", "stage": "call", "channel": "phone", "invoices": ["F-1"], "status": "recorded"},
]
REMINDER_DAY = "2026-02-16"  # the reminder email only


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the standard library's name
        type(self).requests.append(self.path)
        body = b".legal-footer::after { content: 'LEAKEDHTTP'; }"
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def web_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _CountingHandler)
    _CountingHandler.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_documents_read_only_the_theme_overrides_assets_and_data_uris(tmp_path, web_server):
    secret = tmp_path / "outside"
    secret.mkdir()
    (secret / "leak.css").write_text(".letterhead::after { content: 'LEAKEDFILE'; }", encoding="utf-8")
    folder = write_site(tmp_path / "site", invoices=[INVOICE], journal=OVERDUE_HISTORY)
    (folder / "assets").mkdir()
    (folder / "assets" / "ok.css").write_text(".letterhead::before { content: 'ASSETOK'; }", encoding="utf-8")
    port = web_server.server_address[1]
    (folder / "overrides").mkdir()
    (folder / "overrides" / "letter.html").write_text(
        '{% extends "theme:letter.html" %}\n{% block head %}'
        f'<link rel="stylesheet" href="file://{secret}/leak.css">'
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/leak.css">'
        f'<link rel="stylesheet" href="file://{folder}/assets/ok.css">'
        '<style>.letterhead::after { content: url("data:text/plain,x"); }</style>'
        "{% endblock %}\n",
        encoding="utf-8",
    )
    previous = os.umask(0o022)
    try:
        result = CliRunner().invoke(main, ["build", "--site", str(folder), "--date", OVERDUE_DAY])
    finally:
        os.umask(previous)
    assert result.exit_code == 0, result.output
    text = run_poppler("pdftotext", folder / "_site" / "client-a" / "overdue" / "letter.pdf", "-")
    assert "ASSETOK" in text
    assert "LEAKEDFILE" not in text and "LEAKEDHTTP" not in text
    assert web_server.RequestHandlerClass.requests == []
    # Outputs get the umask's permissions (0644 under 022), not mkstemp's 0600.
    for path in (folder / "_site" / "manifest.json", folder / "_site" / "client-a" / "overdue" / "letter.pdf"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path


def _site_with_copy(root: Path) -> Path:
    folder = write_site(
        root,
        invoices=[{**INVOICE, "file": "invoices/F-1.pdf"}],
        channels={"email": {"plugin": "smtp", "host": "127.0.0.1", "port": 1, "from": "compta@atelier-test.example"}},
    )
    (folder / "invoices").mkdir()
    (folder / "invoices" / "F-1.pdf").write_bytes(b"%PDF-1.4 the invoice")
    (folder / "invoices" / "other.pdf").write_bytes(b"%PDF-1.4 another file")
    result = CliRunner().invoke(main, ["build", "--site", str(folder), "--date", REMINDER_DAY])
    assert result.exit_code == 0, result.output
    return folder


def test_send_attaches_the_invoice_copy_as_read_from_its_folder(tmp_path):
    folder = _site_with_copy(tmp_path / "site")
    result = CliRunner().invoke(main, ["send", "--site", str(folder), "--dry-run"])
    assert result.exit_code == 0, result.output
    [outbox] = (folder / "_site" / "outbox").iterdir()
    assert (outbox / "F-1.pdf").read_bytes() == b"%PDF-1.4 the invoice"


def test_send_refuses_an_invoice_copy_swapped_for_a_symlink(tmp_path):
    """A link swapped in after the build (here to a file `check` would accept) is refused:
    copies are opened without following links, whatever they point to."""
    folder = _site_with_copy(tmp_path / "site")
    (folder / "invoices" / "F-1.pdf").unlink()
    (folder / "invoices" / "F-1.pdf").symlink_to(folder / "invoices" / "other.pdf")
    result = CliRunner().invoke(main, ["send", "--site", str(folder), "--dry-run"])
    assert result.exit_code == 1
    assert "invoice copy refused: invoices/F-1.pdf passes through a symbolic link (F-1.pdf)" in result.output
    assert not (folder / "_site" / "outbox").exists()


def test_read_inside_never_follows_a_link_in_any_folder(tmp_path):
    (tmp_path / "site" / "invoices").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "F-1.pdf").write_bytes(b"secret")
    (tmp_path / "site" / "copies").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(UnsafeFile, match="passes through a symbolic link"):
        read_inside(tmp_path / "site", PurePath("copies/F-1.pdf"))
    with pytest.raises(UnsafeFile, match="is not a path inside"):
        read_inside(tmp_path / "site", PurePath("../elsewhere/F-1.pdf"))
