"""Never twice, nothing lost: what the debtor receives (messages counted at a real SMTP
server, letters at the postal stand-in) and what the journal holds, across re-dated builds,
unknown outcomes, misbehaving channels, concurrent sends and a broken manifest."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from filelock import FileLock

from postal_server import PostalApi
from relancegen import Receipt, hookimpl
from relancegen.cli import main
from relancegen.plugins import get_plugin_manager
from test_postal import api as postal  # noqa: F401 - the postal stand-in, as a fixture
from test_send_smtp import credentials, journal_lines, make_site, smtp_server  # noqa: F401 - fixtures

def run(*args: str):
    return CliRunner().invoke(main, list(args))


def deliveries(site_dir: Path) -> list[dict]:
    return [e for e in journal_lines(site_dir) if e.get("delivery_id")]


def overdue_site(site_factory, smtp_port: int | None, postal: PostalApi | None = None, clients: int = 1) -> Path:
    """Clients at the overdue stage on 2026-11-02: an email, and a letter when post is configured."""
    people = [{"id": f"client-{i}", "name": f"Client {i} SAS", "address": {"lines": [f"{i} rue du Test"], "postcode": "69003", "city": "LYON"},
               "contacts": [{"name": f"Compta {i}", "role": "accounting", "email": f"compta{i}@client{i}.example"}]} for i in range(clients)]
    invoices = [{"number": f"F-{i}", "client": f"client-{i}", "issued": "2026-09-01", "due": "2026-10-01", "amount": "1200.00", "subject": "Prestation"}
                for i in range(clients)]
    journal = [{"time": "2026-10-08T09:00:00+02:00", "client": f"client-{i}", "stage": "reminder", "channel": "email", "invoices": [f"F-{i}"], "status": "sent"} for i in range(clients)]
    journal += [{"time": "2026-10-15T09:00:00+02:00", "client": f"client-{i}", "stage": "call", "channel": "phone", "invoices": [f"F-{i}"], "status": "recorded"} for i in range(clients)]
    channels = {} if smtp_port is None else {"email": {"plugin": "smtp", "host": "127.0.0.1", "port": smtp_port, "username_env": "RELANCEGEN_SMTP_USER", "password_env": "RELANCEGEN_SMTP_PASSWORD",
                          "allow_plaintext_auth": True, "from": "Atelier Test <compta@atelier-test.example>", "retries": 1, "retry_delay": 0.01,
                          "rate_per_minute": 6000, "timeout": 5}}
    if postal is not None:
        channels["post"] = {"plugin": "maileva", "base_url": postal.base_url, "auth_url": postal.auth_url, "client_id_env": "MLV_CLIENT_ID",
                            "client_secret_env": "MLV_CLIENT_SECRET", "username_env": "MLV_USER", "password_env": "MLV_PASSWORD",
                            "retries": 1, "retry_delay": 0.01, "timeout": 5}
    return site_factory(clients=people, invoices=invoices, journal=journal, channels=channels)


# -- 1. identity, unknown, resolve, retry ------------------------------------------------


def test_unknown_email_is_never_resent_on_later_days_until_resolved(site_factory, smtp_server):
    site_dir = overdue_site(site_factory, smtp_server.port)
    assert run("build", "--site", str(site_dir), "--date", "2026-11-02").exit_code == 0
    smtp_server.drop_next = True
    day1 = run("send", "--site", str(site_dir))
    assert day1.exit_code == 3, day1.output
    assert len(smtp_server.messages) == 1  # the server did get it
    (delivery_id,) = {e["delivery_id"] for e in deliveries(site_dir)}

    build2 = run("build", "--site", str(site_dir), "--date", "2026-11-03")  # re-dated documents
    assert build2.exit_code == 0 and delivery_id in build2.output and "unknown outcome" in build2.output
    day2 = run("send", "--site", str(site_dir))
    assert day2.exit_code == 3 and "0 sent" in day2.output and delivery_id in day2.output
    assert len(smtp_server.messages) == 1

    resolved = run("resolve", "--site", str(site_dir), delivery_id[:8], "--delivered", "--note", "seen in the server's log")
    assert resolved.exit_code == 0, resolved.output
    assert run("build", "--site", str(site_dir), "--date", "2026-11-04").exit_code == 0
    day3 = run("send", "--site", str(site_dir))
    assert day3.exit_code == 0, day3.output
    assert len(smtp_server.messages) == 1
    assert [e["status"] for e in deliveries(site_dir)] == ["attempt", "unknown", "resolved"]
    assert deliveries(site_dir)[-1]["resolution"] == "delivered" and deliveries(site_dir)[-1]["note"] == "seen in the server's log"


def test_not_delivered_is_attempted_again_at_the_next_send(site_factory, smtp_server):
    site_dir = overdue_site(site_factory, smtp_server.port)
    assert run("build", "--site", str(site_dir), "--date", "2026-11-02").exit_code == 0
    smtp_server.drop_next = True
    assert run("send", "--site", str(site_dir)).exit_code == 3
    smtp_server.messages.clear()  # the provider says it never went out
    (delivery_id,) = {e["delivery_id"] for e in deliveries(site_dir)}
    assert run("resolve", "--site", str(site_dir), delivery_id, "--not-delivered").exit_code == 0
    again = run("send", "--site", str(site_dir))
    assert again.exit_code == 0, again.output
    assert len(smtp_server.messages) == 1
    assert run("resolve", "--site", str(site_dir), delivery_id, "--delivered").exit_code == 1  # sent: nothing to resolve


def test_overdue_email_sent_and_letter_failed_the_letter_is_retried(site_factory, smtp_server, postal):
    site_dir = overdue_site(site_factory, smtp_server.port, postal)
    assert run("build", "--site", str(site_dir), "--date", "2026-11-02").exit_code == 0
    postal.fail_submits = 10  # Maileva refuses every submit; its status says the sending is a draft
    day1 = run("send", "--site", str(site_dir))
    assert day1.exit_code == 1 and "1 sent, 1 failed" in day1.output
    assert len(smtp_server.messages) == 1 and postal.submitted() == []

    postal.fail_submits = 0
    assert run("build", "--site", str(site_dir), "--date", "2026-11-03").exit_code == 0
    day2 = run("send", "--site", str(site_dir))
    assert day2.exit_code == 0, day2.output
    assert len(smtp_server.messages) == 1  # the email is not sent again
    (letter,) = postal.submitted()  # the letter went out, once
    statuses = [(e["channel"], e["status"]) for e in deliveries(site_dir)]
    assert statuses[-2:] == [("post", "attempt"), ("post", "sent")]
    assert run("send", "--site", str(site_dir)).exit_code == 0
    assert len(postal.submitted()) == 1


# -- 2. one send at a time ------------------------------------------------------------


def test_two_sends_started_together_deliver_each_message_once(site_factory, smtp_server):
    site_dir = make_site(site_factory, smtp_server.port, clients=4)
    config = (site_dir / "site.yml").read_text().replace("rate_per_minute: 6000", "rate_per_minute: 240")
    (site_dir / "site.yml").write_text(config)  # a quarter of a second between messages
    command = [sys.executable, "-m", "relancegen", "send", "--site", str(site_dir)]
    first, second = (subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2))
    outputs = [process.communicate(timeout=120) for process in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], outputs
    assert sorted(m["To"] for m in smtp_server.messages) == [f"compta{i}@client{i}.example" for i in range(4)]
    summaries = sorted(next(line for line in out.splitlines() if " already sent, " in line) for out, _ in outputs)
    assert summaries == ["0 sent, 0 failed, 4 already sent, 0 unknown.", "4 sent, 0 failed, 0 already sent, 0 unknown."]


def test_a_second_send_waits_then_stops_with_a_clear_message(site_factory, smtp_server):
    site_dir = make_site(site_factory, smtp_server.port, clients=1)
    with FileLock(str(site_dir / "journal" / ".send.lock")):
        result = run("send", "--site", str(site_dir), "--wait", "0.2")
    assert result.exit_code == 1
    assert "another `relancegen send` is running on this site" in result.output and "waited 0.2 s" in result.output
    assert smtp_server.messages == []


# -- 3. channels: unknown, failed, receipts, settings -------------------------------------


class Flaky:
    """A channel answering each client differently, as buggy plugins do."""

    name = "flaky"

    def send(self, deliveries, *, settings, dry_run=False):
        delivery = deliveries[0]
        answer = {"client-0": None, "client-1": [], "client-2": [Receipt("someone-else", "sent")]}.get(delivery.client)
        if delivery.client == "client-3":
            raise KeyError("boom")
        return answer


class FlakyPlugin:
    @hookimpl
    def relancegen_add_channels(self, site):
        return [Flaky()]


@pytest.fixture
def flaky_channel():
    manager = get_plugin_manager()
    plugin = FlakyPlugin()
    manager.register(plugin, name="flaky-test")
    yield
    manager.unregister(plugin)


def test_a_channel_without_a_usable_receipt_is_unknown_never_sent(site_factory, smtp_server, flaky_channel):
    site_dir = make_site(site_factory, smtp_server.port, clients=4)
    config = (site_dir / "site.yml").read_text()
    (site_dir / "site.yml").write_text(config[:config.index("channels:")] + "channels:\n  email: {plugin: flaky}\n")
    result = run("send", "--site", str(site_dir))
    assert result.exit_code == 3, result.output
    assert "4 unknown" in result.output and "Traceback" not in result.output
    outcomes = [e for e in deliveries(site_dir) if e["status"] != "attempt"]
    assert [e["status"] for e in outcomes] == ["unknown"] * 4
    errors = " | ".join(e["error"] for e in outcomes)
    assert "returned NoneType instead of a list of receipts" in errors
    assert "0 receipts for this delivery (receipts for: someone-else)" in errors
    assert "raised KeyError" in errors
    assert run("send", "--site", str(site_dir)).output.count("unknown ") >= 4  # never attempted again


def test_postal_submit_500_then_status_503_is_unknown_and_never_resubmitted(site_factory, postal):
    site_dir = overdue_site(site_factory, None, postal)
    assert run("build", "--site", str(site_dir), "--date", "2026-11-02").exit_code == 0
    postal.effective_failing_submits, postal.fail_status_reads = 1, 1
    first = run("send", "--site", str(site_dir))
    assert first.exit_code == 3, first.output
    assert len(postal.submitted()) == 1
    (outcome,) = [e for e in deliveries(site_dir) if e["status"] != "attempt"]
    assert outcome["status"] == "unknown" and "500" in outcome["error"] and "503" in outcome["error"]
    second = run("send", "--site", str(site_dir))
    assert second.exit_code == 3 and len(postal.submitted()) == 1


def test_check_and_send_validate_channel_settings_through_the_plugin(site_factory):
    site_dir = site_factory(channels={"email": {"plugin": "smtp", "host": "smtp.example.fr", "port": "abc", "username_env": "SMTP_USER",
                                                "password_env": "SMTP_PASSWORD", "from": "compta@example.fr", "startls": True},
                                      "agency": {"plugin": "agency-export", "to": "../elsewhere"}})
    for command in ("check", "send"):
        result = run(command, "--site", str(site_dir))
        assert result.exit_code == 1, result.output
        assert "channels.email.port: expected a whole number at least 1 and at most 65535, got 'abc'" in result.output
        assert "channels.email.startls: unknown setting" in result.output
        assert "channels.email.username_env: credentials would cross the network in clear text" in result.output
        assert "channels.agency.to: '../elsewhere' is outside the site" in result.output


def test_a_client_without_email_fails_naming_the_setting(site_factory, smtp_server):
    site_dir = make_site(site_factory, smtp_server.port, clients=1)
    clients = (site_dir / "data/clients.yml").read_text()
    (site_dir / "data/clients.yml").write_text(clients.replace("compta0@client0.example", "").replace("email: ''", "email: null"))
    result = run("send", "--site", str(site_dir))
    assert result.exit_code == 1
    assert "has no email address" in result.output and smtp_server.messages == []


# -- 4. evidence and the manifest -------------------------------------------------------


def test_evidence_outlives_later_builds_and_journal_verify_checks_it(site_factory, smtp_server):
    site_dir = overdue_site(site_factory, smtp_server.port)
    assert run("build", "--site", str(site_dir), "--date", "2026-11-02").exit_code == 0
    assert run("send", "--site", str(site_dir)).exit_code == 0
    attempt = next(e for e in deliveries(site_dir) if e["status"] == "attempt")
    stored = [site_dir / "journal/evidence" / d["sha256"] for d in attempt["documents"]]
    assert stored and all(path.is_file() for path in stored)
    import shutil

    shutil.rmtree(site_dir / "_site")
    assert run("build", "--site", str(site_dir), "--date", "2026-11-20", "--force").exit_code == 0
    verify = run("journal", "verify", "--site", str(site_dir))
    assert verify.exit_code == 0, verify.output
    assert "the journal is intact" in verify.output
    sent = next(e for e in deliveries(site_dir) if e["status"] == "sent")
    assert (site_dir / "journal/evidence" / sent["proof"]["sha256"]).read_bytes().startswith(b"From: ")  # the email as it went out

    stored[0].chmod(0o644)
    stored[0].write_bytes(b"forged")
    verify = run("journal", "verify", "--site", str(site_dir))
    assert verify.exit_code == 1 and "does not hold the bytes" in verify.output and "documents[0].sha256" in verify.output


def test_a_document_changed_after_the_build_is_refused(site_factory, smtp_server):
    site_dir = make_site(site_factory, smtp_server.port, clients=1)
    (email_text,) = (site_dir / "_site").rglob("email.txt")
    email_text.write_text("rewritten by a killed build", encoding="utf-8")
    result = run("send", "--site", str(site_dir))
    assert result.exit_code == 1 and "1 refused" in result.output and "its sha256 differs" in result.output
    assert smtp_server.messages == [] and deliveries(site_dir) == []


def test_a_document_removed_after_the_build_is_refused(site_factory, smtp_server):
    site_dir = make_site(site_factory, smtp_server.port, clients=1)
    (site_dir / "_site/client-0/reminder/email.html").unlink()  # a build killed after removing files, before its manifest
    result = run("send", "--site", str(site_dir))
    assert result.exit_code == 1 and "email.html cannot be read" in result.output and "run `relancegen build` again" in result.output
    assert smtp_server.messages == [] and deliveries(site_dir) == []


def test_a_manifest_path_outside_the_output_is_never_deleted_nor_sent(site_factory, smtp_server):
    site_dir = make_site(site_factory, smtp_server.port, clients=1)
    victim = site_dir.parent / "victim.txt"
    victim.write_text("keep me")
    manifest_path = site_dir / "_site/manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["documents"].append({**manifest["documents"][0], "path": "../../victim.txt", "stage": "collection"})
    manifest_path.write_text(json.dumps(manifest))
    result = run("send", "--site", str(site_dir))
    assert result.exit_code == 1 and "path: '../../victim.txt' is not a file inside the output folder" in result.output
    assert smtp_server.messages == []
    assert run("build", "--site", str(site_dir), "--date", "2026-12-20").exit_code == 0
    assert victim.read_text() == "keep me"


# -- 5. a journal that survives crashes and full disks ----------------------------------


def test_a_cut_off_last_line_is_reported_and_its_delivery_is_unknown(site_factory, smtp_server):
    site_dir = make_site(site_factory, smtp_server.port, clients=1)
    assert run("send", "--site", str(site_dir), "--dry-run").exit_code == 0
    delivery_id = next((site_dir / "_site/outbox").iterdir()).name
    from relancegen.delivery.journal import append_entry

    append_entry(site_dir / "journal", {"delivery_id": delivery_id, "client": "client-0", "stage": "reminder", "channel": "email", "invoices": ["F-0"], "status": "attempt"})
    journal_file = next((site_dir / "journal").glob("*.jsonl"))
    with journal_file.open("ab") as stream:  # the outcome line, cut off by a crash
        stream.write(b'{"time": "2026-10-07T09:00:01+02:00", "delivery_id": "' + delivery_id.encode() + b'", "client": "client-0", "stage": "remi')
    check = run("check", "--site", str(site_dir))
    assert check.exit_code == 0, check.output
    assert f"{journal_file.name}:2: warning: this entry was cut off while it was written" in check.output
    result = run("send", "--site", str(site_dir))
    assert result.exit_code == 3 and delivery_id in result.output and smtp_server.messages == []
    assert run("record", "--site", str(site_dir), "--client", "client-0", "--stage", "call", "--note", "called").exit_code == 0
    assert json.loads(journal_file.read_text().splitlines()[-1])["note"] == "called"  # a whole line of its own
    assert "broken" not in run("journal", "verify", "--site", str(site_dir)).output


FAULT = """
import resource, signal, sys
from pathlib import Path
from relancegen.delivery.journal import JournalWriteError, append_entry
journal = Path(sys.argv[1])
append_entry(journal, {"client": "c", "stage": "call", "channel": "phone", "invoices": [], "status": "recorded", "note": "first"})
size = sum(p.stat().st_size for p in journal.glob("*.jsonl"))
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (size + 100, size + 100))
try:
    append_entry(journal, {"client": "c", "stage": "call", "channel": "phone", "invoices": [], "status": "recorded", "note": "x" * 5000})
except JournalWriteError as error:
    print("refused:", error)
"""


def test_a_write_that_fails_half_way_is_truncated_back(tmp_path):
    journal = tmp_path / "journal"
    result = subprocess.run([sys.executable, "-c", FAULT, str(journal)], capture_output=True, text=True, timeout=60)
    assert "refused: could not write to" in result.stdout and "the entry was not written" in result.stdout, result.stderr
    (journal_file,) = journal.glob("*.jsonl")
    lines = journal_file.read_bytes().split(b"\n")
    assert lines[-1] == b"" and len(lines) == 2 and json.loads(lines[0])["note"] == "first"


@pytest.fixture
def small_disk(tmp_path):
    """A 4 MiB tmpfs inside the site that site_factory makes next (a journal must be in the
    site), where the machine allows mounting one (root, no container restriction)."""
    mount = tmp_path / "site-0" / "disk"
    mount.mkdir(parents=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip() or 'not root'}); the RLIMIT_FSIZE test covers a failing write")
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


def test_a_full_disk_refuses_the_attempt_and_keeps_the_journal_whole(site_factory, smtp_server, small_disk):
    site_dir = make_site(site_factory, smtp_server.port, clients=1)
    config = (site_dir / "site.yml").read_text().replace("journal: journal/", "journal: disk/journal")
    (site_dir / "site.yml").write_text(config)
    (small_disk / "journal").mkdir()
    (small_disk / "filler").write_bytes(b"\0" * (3500 * 1024))  # leaves less than the room an outcome needs (1 MiB)
    result = run("send", "--site", str(site_dir))
    assert result.exit_code == 1 and "not enough free space for the journal" in result.output
    assert smtp_server.messages == []  # nothing attempted, so nothing can be lost
    assert list((small_disk / "journal").glob("*.jsonl")) == [] or all(p.read_bytes().endswith(b"\n") for p in (small_disk / "journal").glob("*.jsonl"))
    (small_disk / "filler").unlink()
    assert run("send", "--site", str(site_dir)).exit_code == 0 and len(smtp_server.messages) == 1


class DiskFiller:
    """A channel that delivers, and while it does, the disk fills up."""

    name = "filler"
    calls = 0

    def send(self, deliveries, *, settings, dry_run=False):
        DiskFiller.calls += 1
        folder = Path(settings["disk"])
        free = os.statvfs(folder).f_bavail * os.statvfs(folder).f_frsize
        (folder / "filler").write_bytes(b"\0" * max(free - 2048, 0))
        return [Receipt(d.delivery_id, "sent", proof={"fax_id": "F-1"}) for d in deliveries]


class DiskFillerPlugin:
    @hookimpl
    def relancegen_add_channels(self, site):
        return [DiskFiller()]


def test_a_disk_full_between_attempt_and_outcome_loses_nothing_and_sends_nothing_twice(site_factory, smtp_server, small_disk):
    manager = get_plugin_manager()
    plugin = DiskFillerPlugin()
    manager.register(plugin, name="filler-test")
    try:
        site_dir = make_site(site_factory, smtp_server.port, clients=1)
        config = (site_dir / "site.yml").read_text().replace("journal: journal/", "journal: disk/journal")
        (site_dir / "site.yml").write_text(config[:config.index("channels:")] + f"channels:\n  email: {{plugin: filler, disk: '{small_disk}'}}\n")
        (small_disk / "journal").mkdir()
        result = run("send", "--site", str(site_dir))
        assert result.exit_code == 1 and "came back sent, but the journal could not record it" in result.output
        assert "relancegen resolve" in result.output and DiskFiller.calls == 1
        (journal_file,) = (small_disk / "journal").glob("*.jsonl")
        assert journal_file.read_bytes().endswith(b"\n") and json.loads(journal_file.read_text().splitlines()[-1])["status"] == "attempt"
        (small_disk / "filler").unlink()
        again = run("send", "--site", str(site_dir))
        assert again.exit_code == 3 and "1 unknown" in again.output and DiskFiller.calls == 1  # never delivered twice
    finally:
        manager.unregister(plugin)


# -- 6. tamper evidence ------------------------------------------------------------------


def test_a_journal_split_over_files_raises_no_false_alarm(site_factory):
    site_dir = site_factory(journal=[{"time": "2026-10-15T09:00:00+02:00", "client": "client-a", "stage": "call", "channel": "phone", "invoices": [], "status": "recorded"}])
    (site_dir / "journal/2025.jsonl").write_text(json.dumps({"time": "2025-12-01T09:00:00+01:00", "client": "client-a", "stage": "call", "channel": "phone",
                                                             "invoices": [], "status": "recorded"}) + "\n")
    for note in ("first", "second", "third"):
        assert run("record", "--site", str(site_dir), "--client", "client-a", "--stage", "call", "--note", note).exit_code == 0
    verify = run("journal", "verify", "--site", str(site_dir))
    assert verify.exit_code == 0 and "broken" not in verify.output, verify.output
    assert "broken" not in run("check", "--site", str(site_dir)).output


def test_removing_lines_shows_and_send_refuses_until_the_journal_is_accepted(site_factory, smtp_server):
    site_dir = make_site(site_factory, smtp_server.port, clients=2)
    assert run("send", "--site", str(site_dir)).exit_code == 0
    journal_file = next((site_dir / "journal").glob("*.jsonl"))
    lines = journal_file.read_text().splitlines(keepends=True)
    journal_file.write_text("".join(lines[:-1]))  # the last `sent` line removed
    verify = run("journal", "verify", "--site", str(site_dir))
    assert verify.exit_code == 1 and "journal/HEAD: names" in verify.output and "lines were removed or changed" in verify.output

    journal_file.write_text("".join(lines[2:]))  # the first delivery's attempt and sent lines removed
    refused = run("send", "--site", str(site_dir))
    assert refused.exit_code == 1 and len(smtp_server.messages) == 2
    assert f"{journal_file.name}:1: prev: the hash chain is broken" in refused.output and "--accept-journal" in refused.output

    accepted = run("send", "--site", str(site_dir), "--accept-journal")
    assert accepted.exit_code == 0, accepted.output  # a person decided: the removed delivery goes again
    assert len(smtp_server.messages) == 3
    assert any(e.get("event") == "journal-accepted" for e in journal_lines(site_dir))
    assert run("journal", "verify", "--site", str(site_dir)).exit_code == 0
    assert run("send", "--site", str(site_dir)).exit_code == 0


# -- 7. a killed build --------------------------------------------------------------------


def children_of(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process table from /proc")
def test_a_killed_build_leaves_no_worker_running(site_factory):
    import signal
    import time

    people = [{"id": f"client-{i}", "name": f"Client {i}", "address": {"lines": ["1 rue"], "postcode": "69003", "city": "Lyon"},
               "contacts": [{"name": "C", "role": "accounting", "email": f"c{i}@example.fr"}]} for i in range(15)]
    invoices = [{"number": f"F-{i}", "client": f"client-{i}", "issued": "2026-09-01", "due": "2026-10-01", "amount": "100.00"} for i in range(15)]
    journal = [{"time": "2026-10-15T09:00:00+02:00", "client": f"client-{i}", "stage": "call", "channel": "phone", "invoices": [f"F-{i}"], "status": "recorded"} for i in range(15)]
    site_dir = site_factory(clients=people, invoices=invoices, journal=journal, site={"as_of": "2026-11-02"})
    build = subprocess.Popen([sys.executable, "-m", "relancegen", "build", "--site", str(site_dir), "--jobs", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    while time.monotonic() < deadline and len(workers) < 2 and build.poll() is None:
        workers = children_of(build.pid)
        time.sleep(0.1)
    if build.poll() is not None:
        pytest.fail("the build finished before its workers could be seen")
    os.kill(build.pid, signal.SIGKILL)
    build.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() and "Z" not in (Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[:1]) for pid in workers):
        time.sleep(0.2)
    alive = [pid for pid in workers if Path(f"/proc/{pid}").exists() and (Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z")]
    assert alive == [], f"workers still running after the build was killed: {alive}"
    assert not (site_dir / "_site/manifest.json").exists()  # the manifest comes last
