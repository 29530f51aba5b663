"""`relancegen send` through the smtp channel, against a real SMTP server (aiosmtpd) on
127.0.0.1: what the server receives, what the journal says, and that nothing is sent twice."""

from __future__ import annotations

import base64
import email
import email.policy
import io
import json
import re
import socket
from decimal import Decimal
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner
from PIL import Image

from relancegen.cli import main
from relancegen.delivery.evidence import evidence_path
from relancegen.documents.qr import QUIET_ZONE, epc_qr_code
from relancegen.testing import DEFAULT_CREDITOR
from relancegen_smtp import build_message
from serving import chromium

USER, PASSWORD = "relance-bot", "s3cr3t-Pa55word-never-logged"


class Mailbox:
    """An SMTP handler that stores messages, and can be told to misbehave."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.answers: list[str] = []  # answers to give to the next DATA commands, then 250
        self.drop_next = False

    async def handle_DATA(self, server, session, envelope):
        if self.drop_next:  # accept the message, then drop the connection without answering
            self.drop_next = False
            self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
            server.transport.close()
            return "250 never heard"
        if self.answers:
            return self.answers.pop(0)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 2.0.0 Ok: queued as TEST"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() in (USER, "compta") and auth_data.password.decode() == PASSWORD
    return AuthResult(success=ok)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(mailbox: Mailbox, port: int) -> Controller:
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, authenticator=authenticator, auth_require_tls=False)
    controller.start()
    mailbox.controller = controller
    return controller


@pytest.fixture
def smtp_server():
    mailbox = Mailbox()
    mailbox.port = free_port()
    start_server(mailbox, mailbox.port)
    yield mailbox
    if mailbox.controller.server is not None:
        mailbox.controller.stop()


@pytest.fixture(autouse=True)
def credentials(monkeypatch):
    monkeypatch.setenv("RELANCEGEN_SMTP_USER", USER)
    monkeypatch.setenv("RELANCEGEN_SMTP_PASSWORD", PASSWORD)


def make_site(site_factory, port: int, clients: int = 3, overdue: bool = False, kinds: tuple[str, ...] = ()) -> Path:
    people = [{"id": f"client-{i}", "name": f"Client {i} SAS", "address": {"lines": [f"{i} rue du Test"], "postcode": "69003", "city": "Lyon"},
               "contacts": [{"name": f"Compta {i}", "role": "accounting", "email": f"compta{i}@client{i}.example"},
                            {"name": f"Projet {i}", "role": "project", "email": f"projet{i}@client{i}.example", "cc": True}]}
              for i in range(clients)]
    for person, kind in zip(people, kinds):  # b2b unless told
        person["kind"] = kind
    invoices = [{"number": f"F-{i}", "client": f"client-{i}", "issued": "2026-09-01", "due": "2026-10-01", "amount": "1200.00", "subject": "Prestation"}
                for i in range(clients)]
    journal = []
    if overdue:  # a reminder went out by email, then a call: the overdue letter is next
        journal = [{"time": "2026-10-08T09:00:00+02:00", "client": f"client-{i}", "stage": "reminder", "channel": "email", "invoices": [f"F-{i}"], "status": "sent",
                    "proof": {"message_id": f"<first-{i}@atelier-test.example>"}} for i in range(clients)]
        journal += [{"time": "2026-10-15T09:00:00+02:00", "client": f"client-{i}", "stage": "call", "channel": "phone", "invoices": [f"F-{i}"], "status": "recorded"} for i in range(clients)]
    channels = {"email": {"plugin": "smtp", "host": "127.0.0.1", "port": port, "username_env": "RELANCEGEN_SMTP_USER", "password_env": "RELANCEGEN_SMTP_PASSWORD",
                          "from": "Atelier Test <compta@atelier-test.example>", "allow_plaintext_auth": True, "retries": 2, "retry_delay": 0.01, "rate_per_minute": 6000, "timeout": 5}}
    site_dir = site_factory(clients=people, invoices=invoices, journal=journal, channels=channels, site={"as_of": "2026-11-02" if overdue else "2026-10-07"})
    result = CliRunner().invoke(main, ["build", "--site", str(site_dir)])
    assert result.exit_code == 0, result.output
    return site_dir


def journal_lines(site_dir: Path) -> list[dict]:
    return [json.loads(line) for path in sorted((site_dir / "journal").glob("*.jsonl")) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def send(site_dir: Path, *args: str):
    return CliRunner().invoke(main, ["send", "--site", str(site_dir), *args])


def test_emails_arrive_threaded_with_attachments_and_are_journaled(site_factory, smtp_server):
    site_dir = make_site(site_factory, smtp_server.port, clients=1, overdue=True)
    result = send(site_dir)
    assert result.exit_code == 0, result.output
    assert "1 sent" in result.output
    (message,) = smtp_server.messages
    assert message["To"] == "compta0@client0.example"
    assert message["Cc"] == "projet0@client0.example"
    assert message["Subject"].startswith("Relance")
    assert message["In-Reply-To"] == "<first-0@atelier-test.example>"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "F-0" in body and "1 200,00" in body.replace("\u202f", " ")
    assert message.get_body(preferencelist=("html",)) is not None
    attachments = [part.get_filename() for part in message.iter_attachments()]
    assert attachments == ["letter-F-0.pdf"]
    assert next(message.iter_attachments()).get_content()[:5] == b"%PDF-"
    entries = [e for e in journal_lines(site_dir) if e.get("delivery_id")]
    assert [e["status"] for e in entries] == ["attempt", "sent"]
    assert entries[1]["proof"]["message_id"] == message["Message-ID"]
    assert entries[1]["proof"]["smtp_reply"].startswith("250")
    assert entries[1]["stage"] == "overdue"


def test_sending_again_sends_nothing(site_factory, smtp_server):
    site_dir = make_site(site_factory, smtp_server.port)
    assert send(site_dir).exit_code == 0
    assert len(smtp_server.messages) == 3
    again = send(site_dir)
    assert again.exit_code == 0
    assert "0 sent" in again.output and "3 already sent" in again.output
    assert len(smtp_server.messages) == 3


def test_server_killed_half_way_then_rerun_sends_exactly_the_rest(site_factory, smtp_server):
    site_dir = make_site(site_factory, smtp_server.port)
    from relancegen.site.loader import load_site
    from relancegen.delivery.send import send_site

    def kill_after_first(delivery, outcome):
        if outcome == "sent":
            smtp_server.controller.stop()

    summary = send_site(load_site(site_dir), on_delivery=kill_after_first)
    assert len(summary.sent) == 1 and len(summary.failed) == 2
    assert len(smtp_server.messages) == 1

    start_server(smtp_server, smtp_server.port)  # the server is back
    result = send(site_dir)
    assert result.exit_code == 0, result.output
    assert "2 sent" in result.output and "1 already sent" in result.output
    recipients = sorted(m["To"] for m in smtp_server.messages)
    assert recipients == ["compta0@client0.example", "compta1@client1.example", "compta2@client2.example"]


def test_temporary_refusal_is_retried(site_factory, smtp_server):
    site_dir = make_site(site_factory, smtp_server.port, clients=1)
    smtp_server.answers = ["451 4.3.0 try again later"]
    result = send(site_dir)
    assert result.exit_code == 0, result.output
    assert len(smtp_server.messages) == 1


def test_permanent_refusal_fails_and_is_journaled(site_factory, smtp_server):
    site_dir = make_site(site_factory, smtp_server.port, clients=1)
    smtp_server.answers = ["554 5.7.1 rejected by policy"]
    result = send(site_dir)
    assert result.exit_code == 1
    assert "554 5.7.1 rejected by policy" in result.output
    statuses = [e["status"] for e in journal_lines(site_dir) if e.get("delivery_id")]
    assert statuses == ["attempt", "failed"]


def test_dropped_connection_is_unknown_and_never_resent(site_factory, smtp_server):
    site_dir = make_site(site_factory, smtp_server.port, clients=1)
    smtp_server.drop_next = True
    first = send(site_dir)
    assert "1 unknown" in first.output
    assert len(smtp_server.messages) == 1  # the server did get it
    second = send(site_dir)
    assert "1 unknown" in second.output and "0 sent" in second.output
    assert len(smtp_server.messages) == 1  # and it was not sent twice
    statuses = [e["status"] for e in journal_lines(site_dir) if e.get("delivery_id")]
    assert statuses == ["attempt", "unknown"]


def test_a_crash_between_attempt_and_outcome_is_reported_unknown(site_factory, smtp_server):
    site_dir = make_site(site_factory, smtp_server.port, clients=1)
    assert send(site_dir, "--dry-run").exit_code == 0
    delivery_id = next((site_dir / "_site/outbox").iterdir()).name
    from relancegen.delivery.journal import append_entry

    append_entry(site_dir / "journal", {"client": "client-0", "stage": "reminder", "channel": "email", "invoices": ["F-0"], "status": "attempt", "delivery_id": delivery_id})
    result = send(site_dir)
    assert "1 unknown" in result.output
    assert smtp_server.messages == []
    assert [e["status"] for e in journal_lines(site_dir) if e.get("delivery_id")] == ["attempt", "unknown"]


def test_dry_run_writes_the_outbox_and_sends_nothing(site_factory, smtp_server):
    site_dir = make_site(site_factory, smtp_server.port, clients=2)
    before = journal_lines(site_dir)
    result = send(site_dir, "--dry-run")
    assert result.exit_code == 0, result.output
    assert smtp_server.messages == []
    assert journal_lines(site_dir) == before
    outboxes = sorted((site_dir / "_site/outbox").iterdir())
    assert len(outboxes) == 2
    message = email.message_from_bytes((outboxes[0] / "message.eml").read_bytes(), policy=email.policy.default)
    assert message["Message-ID"] == f"<{outboxes[0].name}@atelier-test.example>"
    assert json.loads((outboxes[0] / "delivery.json").read_text())["medium"] == "email"


def test_missing_credentials_fail_clearly(site_factory, smtp_server, monkeypatch):
    site_dir = make_site(site_factory, smtp_server.port, clients=1)
    monkeypatch.delenv("RELANCEGEN_SMTP_PASSWORD")
    result = send(site_dir)
    assert result.exit_code == 1
    assert "RELANCEGEN_SMTP_PASSWORD is not set" in result.output


def test_no_secret_reaches_any_output_journal_or_outbox(site_factory, smtp_server):
    site_dir = make_site(site_factory, smtp_server.port, clients=2)
    smtp_server.answers = [f"554 denied for {PASSWORD}"]  # even a server echoing it back
    outputs = [send(site_dir, "--dry-run").output, send(site_dir).output, send(site_dir).output]
    assert all(PASSWORD not in output and USER not in output for output in outputs)
    for path in site_dir.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert PASSWORD.encode() not in data, path
            assert USER.encode() not in data, path


def test_a_user_name_that_appears_in_proofs_is_not_masked(site_factory, smtp_server, monkeypatch):
    monkeypatch.setenv("RELANCEGEN_SMTP_USER", "compta")  # also the local part of the From address
    site_dir = make_site(site_factory, smtp_server.port, clients=1)
    assert send(site_dir).exit_code == 0
    sent = [e for e in journal_lines(site_dir) if e["status"] == "sent"][0]
    assert sent["proof"]["message_id"] == smtp_server.messages[0]["Message-ID"]
    assert "***" not in json.dumps(sent)


# -- the HTML part as a mail client shows it ------------------------------------------


def expected_modules(invoice: str) -> list[list[bool]]:
    """The modules of the EPC code for one 1 200,00 € invoice of the test site (True: dark)."""
    code = epc_qr_code(name=DEFAULT_CREDITOR["name"], iban=DEFAULT_CREDITOR["iban"], amount=Decimal("1200.00"),
                       remittance=invoice, bic=DEFAULT_CREDITOR["bic"])
    return [[bool(module) for module in row] for row in code.matrix]


def modules_of(picture: Image.Image, count: int) -> list[list[bool]]:
    """The modules a QR picture shows (its quiet zone left out), read at each module's
    centre; the picture is ``count`` modules wide, quiet zone included."""
    grey = picture.convert("L")
    scale = grey.width // count
    assert grey.width == grey.height == count * scale, "modules are not whole pixels"
    inner = range(QUIET_ZONE, count - QUIET_ZONE)
    return [[grey.getpixel((x * scale + scale // 2, y * scale + scale // 2)) < 128 for x in inner] for y in inner]


def test_the_qr_code_travels_as_an_inline_png_part_that_the_html_names(site_factory, smtp_server):
    site_dir = make_site(site_factory, smtp_server.port, clients=2, kinds=("b2b", "public"))
    assert send(site_dir).exit_code == 0
    business, public = sorted(smtp_server.messages, key=lambda message: message["To"])
    alternative = next(part for part in business.walk() if part.get_content_type() == "multipart/alternative")
    text, related = alternative.iter_parts()  # a client without HTML reads the text, first
    assert text.get_content_type() == "text/plain" and related.get_content_type() == "multipart/related"
    assert related.get_param("type") == "text/html"
    html, image = related.iter_parts()
    assert image.get_content_type() == "image/png" and image.get_content_disposition() == "inline"
    source = html.get_content()
    img = re.search(r'<img src="cid:([^"]+)" width="(\d+)" height="(\d+)" alt="([^"]+)"', source)
    assert img, source
    assert f"<{img.group(1)}>" == image["Content-ID"]
    assert img.group(4) == "QR code"  # shown where images are blocked, before "Scanner pour payer"
    assert "data:" not in source and "<svg" not in source  # what mail clients do not show
    picture = Image.open(io.BytesIO(image.get_content()))
    assert picture.format == "PNG" and picture.size == (int(img.group(2)), int(img.group(3)))
    # the picture is the EPC code of this payment, module for module
    modules = expected_modules("F-0")
    assert modules_of(picture, len(modules) + 2 * QUIET_ZONE) == modules
    # a public buyer is offered no QR code
    assert [part.get_content_type() for part in public.walk() if part.get_content_maintype() == "image"] == []
    assert "<img" not in public.get_body(preferencelist=("html",)).get_content()
    # what is kept as evidence is the message that went out, image included
    sent = next(e for e in journal_lines(site_dir) if e["status"] == "sent" and e["client"] == "client-0")
    kept = email.message_from_bytes(evidence_path(site_dir / "journal", sent["proof"]["sha256"]).read_bytes(), policy=email.policy.default)
    kept_image = next(part for part in kept.walk() if part["Content-ID"] == image["Content-ID"])
    assert kept_image.get_content() == image.get_content()


def runs(row: bytes, low: int, high: int) -> list[tuple[int, int]]:
    """The (start, end) of each run of pixels whose grey level is in [low, high) in a row."""
    marks = bytes(1 if low <= level < high else 0 for level in row)
    return [match.span() for match in re.finditer(b"\\x01+", marks)]


def line_at(row: bytes, low: int, high: int) -> tuple[int, int] | None:
    """The longest run of [low, high) grey levels in a row when it spans over 400 px: a rule."""
    longest = max(runs(row, low, high), key=lambda run: run[1] - run[0], default=(0, 0))
    return longest if longest[1] - longest[0] > 400 else None


def ink_columns(rows: list[bytes]) -> list[int]:
    """The columns where these rows have text (grey levels under 160), left to right."""
    return sorted({x for row in rows for start, end in runs(row, 0, 160) for x in range(start, end)})


def test_a_browser_shows_the_received_email_with_its_qr_code_and_padded_table_cells(site_factory, smtp_server, tmp_path):
    site_dir = make_site(site_factory, smtp_server.port, clients=1)
    assert send(site_dir).exit_code == 0
    (message,) = smtp_server.messages
    html = message.get_body(preferencelist=("html",)).get_content()
    folder = tmp_path / "received"
    folder.mkdir()
    for number, part in enumerate(p for p in message.walk() if p["Content-ID"]):  # cid: as a mail client resolves it
        (folder / f"part-{number}.png").write_bytes(part.get_content())
        html = html.replace(f"cid:{part['Content-ID'].strip('<>')}", f"part-{number}.png")
    (folder / "email.html").write_text(html, encoding="utf-8")
    screenshot = folder / "screenshot.png"
    chromium(tmp_path / "chromium", f"--screenshot={screenshot}", "--window-size=800,1400", "--force-device-scale-factor=1",
             (folder / "email.html").as_uri())
    page = Image.open(screenshot).convert("L")
    rows = [page.tobytes()[y * page.width:(y + 1) * page.width] for y in range(page.height)]

    # The QR code is on the page at its stated size, every module where it should be.
    modules = expected_modules("F-0")
    count = len(modules) + 2 * QUIET_ZONE
    size = int(re.search(r'<img src="part-0.png" width="(\d+)"', html).group(1))
    scale = size // count
    finder = 7 * scale  # the top edge of the top-left finder pattern: the first dark run of that length
    found = [(x - QUIET_ZONE * scale, y - QUIET_ZONE * scale) for y, row in enumerate(rows)
             for x, end in runs(row, 0, 128) if end - x == finder]
    assert found, "no QR code on the page"
    left, top = found[0]
    assert modules_of(page.crop((left, top, left + size, top + size)), count) == modules

    # The invoice table: under its headings a dark rule, under its row a light grey one.
    header_rule = next(y for y, row in enumerate(rows) if line_at(row, 0, 60))
    table_left, table_right = line_at(rows[header_rule], 0, 60)
    row_rule = next(y for y in range(header_rule + 3, page.height) if line_at(rows[y], 170, 230))
    columns = ink_columns(rows[header_rule + 3:row_rule])
    cells = [[columns[0], columns[0]]]
    for x in columns[1:]:  # characters closer than 10 px belong to one cell's text
        if x - cells[-1][1] < 10:
            cells[-1][1] = x
        else:
            cells.append([x, x])
    assert len(cells) == 6, cells  # invoice, subject, issued, due, amount, still owed: none run together
    gaps = [right[0] - left_cell[1] for left_cell, right in zip(cells, cells[1:])]
    assert min(gaps) >= 14, gaps  # two cells' padding between any two texts
    assert cells[0][0] - table_left >= 6 and table_right - cells[-1][1] >= 6, (table_left, cells, table_right)
    assert abs(ink_columns(rows[header_rule - 20:header_rule])[-1] - cells[-1][1]) <= 2  # amounts right-aligned under their heading


def test_each_data_image_becomes_one_inline_part_and_the_message_is_the_same_at_each_attempt(delivery_factory):
    png = base64.b64encode(_png_bytes()).decode()
    html = (f'<p><img src="data:image/png;base64,{png}" alt="a"> <img alt="b" src=\'data:image/png;base64,{png}\'>'
            '<img src="data:image/png;base64,%%%"></p>')  # the same image twice, and one that is not base64
    delivery = delivery_factory(documents={"email.txt": "Bonjour", "email.html": html})
    settings = {"from": "Atelier <compta@atelier-test.example>"}
    first, second = build_message(delivery, settings), build_message(delivery, settings)
    (image,) = [part for part in first.walk() if part.get_content_maintype() == "image"]
    source = first.get_body(preferencelist=("html",)).get_content()
    assert source.count(f"cid:{image['Content-ID'].strip('<>')}") == 2 and image["Content-ID"].endswith("@atelier-test.example>")
    assert 'src="data:image/png;base64,%%%"' in source  # left as it was
    assert image.get_content() == _png_bytes() and image.get_filename() == "image-1.png"
    assert [part["Content-ID"] for part in second.walk() if part["Content-ID"]] == [image["Content-ID"]]


def _png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("1", (8, 8), 1).save(buffer, format="PNG")
    return buffer.getvalue()
