"""Bad inputs and faults, each a located message and exit 1, never a traceback.

Each case of ``CASES`` is one row of docs/errors.md: a small valid site is spoiled in one
way, the real command runs (in process, through click), and the test asserts the message
a user reads, the exit code 1, no traceback and nothing written to the output folder.
``test_errors_table_matches_the_cases`` keeps the documentation and the cases together.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from relancegen.cli import main
from relancegen.testing import DEFAULT_CLIENT, DEFAULT_CREDITOR, write_site

ERRORS_TABLE = Path(__file__).parent.parent / "docs" / "errors.md"
INVOICE = {"number": "F-1", "client": "client-a", "issued": "2026-01-10", "amount": "100.00"}
ENTRY = {"time": "2026-02-01T10:00:00+01:00", "client": "client-a", "stage": "reminder", "channel": "email", "invoices": ["F-1"], "status": "sent"}
REMINDER_DAY = "2026-02-16"  # F-1 is due 2026-02-09: only a reminder email, no PDF to wait for


@dataclass(frozen=True)
class Case:
    make: Callable[[Path], Path]  # writes the spoiled site under the given folder
    expect: str  # what the user reads (docs/errors.md quotes it)
    command: str = "check"


def site(root: Path, **kwargs: object) -> Path:
    kwargs.setdefault("invoices", [INVOICE])
    return write_site(root, **kwargs)


def edited(file: str, old: str, new: str | bytes, **kwargs: object) -> Callable[[Path], Path]:
    """A site whose ``file`` has ``old`` replaced by ``new``."""

    def make(root: Path) -> Path:
        folder = site(root, **kwargs)
        path = folder / file
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {file}"
        if isinstance(new, bytes):
            path.write_bytes(text.replace(old, "\0").encode("utf-8").replace(b"\0", new))
        else:
            path.write_text(text.replace(old, new), encoding="utf-8")
        return folder

    return make


def with_file(relative: str, content: str | bytes, **kwargs: object) -> Callable[[Path], Path]:
    """A valid site plus one file."""

    def make(root: Path) -> Path:
        folder = site(root, **kwargs)
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        return folder

    return make


def with_invoice(**fields: object) -> Callable[[Path], Path]:
    return lambda root: site(root, invoices=[{**INVOICE, **fields}])


def with_creditor(**fields: object) -> Callable[[Path], Path]:
    return lambda root: site(root, creditor={**DEFAULT_CREDITOR, **fields})


def with_journal(**fields: object) -> Callable[[Path], Path]:
    return lambda root: site(root, journal=[{**ENTRY, **fields}])


def alias_bomb(root: Path) -> Path:
    """Nine levels of nine aliases, 387 million values from a few hundred bytes, given to a
    field whose error message used to quote the whole value."""
    folder = site(root)
    lines = ['  - &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"  - &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    text = (folder / "site.yml").read_text(encoding="utf-8").replace("payment_days: 30", "payment_days: *a8")
    (folder / "site.yml").write_text("laughs:\n" + "\n".join(lines) + "\n" + text, encoding="utf-8")
    return folder


def without_journal_folder(root: Path) -> Path:
    folder = site(root)
    shutil.rmtree(folder / "journal")
    return folder


def invoice_copy(path: str, content: bytes = b"%PDF-1.4 copy") -> Callable[[Path], Path]:
    def make(root: Path) -> Path:
        folder = site(root, invoices=[{**INVOICE, "file": path}])
        (folder / "invoices").mkdir()
        (folder / "invoices" / "F-1.pdf").write_bytes(content)
        (folder / ".env").write_text("SMTP_PASSWORD=secret\n", encoding="utf-8")
        return folder

    return make


def symlinked_copy(root: Path) -> Path:
    folder = invoice_copy("invoices/F-1.pdf")(root)
    (folder / "invoices" / "F-1.pdf").unlink()
    (folder / "invoices" / "F-1.pdf").symlink_to(folder / "site.yml")
    return folder


def theme(files: dict[str, str]) -> Callable[[Path], Path]:
    def make(root: Path) -> Path:
        folder = site(root, site={"theme": "mytheme"})
        (folder / "mytheme").mkdir()
        for name, text in files.items():
            (folder / "mytheme" / name).write_text(text, encoding="utf-8")
        return folder

    return make


LETTER_HEAD = "---\nstage: reminder\nmedium: email\nsubject: Relance\n---\n"

CASES: dict[str, Case] = {
    # YAML itself
    "yaml-int-tag": Case(edited("data/invoices.yml", "amount: '100.00'", "amount: !!int abc"), "data/invoices.yml:4: amount: 'abc' is not a valid !!int value"),
    "yaml-bool-tag": Case(edited("data/clients.yml", "kind: b2b", "kind: b2b\n  strategic: !!bool maybe"), "data/clients.yml:4: strategic: 'maybe' is not a valid !!bool value"),
    "yaml-nul-byte": Case(edited("site.yml", "title: Test", "title: Te\0st"), "site.yml:2: invalid YAML: control characters are not allowed, found U+0000"),
    "yaml-esc-byte": Case(edited("site.yml", "title: Test", "title: Te\x1bst"), "site.yml:2: invalid YAML: control characters are not allowed, found U+001B"),
    "yaml-alias-bomb": Case(alias_bomb, "invalid YAML: the aliases of this file stand for more than 1,000,000 values"),
    "yaml-alias-cycle": Case(edited("site.yml", "    lines:\n    - 1 rue de la Paix\n", "    lines: &l\n    - *l\n"), "site.yml:12: invalid YAML: the alias *l is inside the value it names (a cycle)"),
    "site-yml-a-list": Case(lambda root: with_file("site.yml", "- a\n- b\n")(root), "site.yml:1: expected a mapping of sections"),
    "clients-latin1": Case(lambda root: with_file("data/clients.yml", "- id: a\n  name: caf\xe9\n".encode("latin-1"))(root), "data/clients.yml: not UTF-8 text (invalid continuation byte)"),
    # numbers, dates, text
    "amount-1e30": Case(with_invoice(amount="1e30"), "invoices[F-1].amount: '1e30' is too large: amounts go up to 999999999999.99"),
    "amount-4301-digits": Case(edited("data/invoices.yml", "amount: '100.00'", "amount: " + "9" * 4301), "invoices[F-1].amount: '999999999999999999999999999...9999999999999999999999999999' is too large"),
    "integer-4301-digits": Case(edited("site.yml", "payment_days: 30", "payment_days: " + "9" * 4301), "site.yml:23: terms.payment_days: expected a whole number, got '99999"),
    "date-9999": Case(with_invoice(issued="9999-12-31"), "invoices[F-1].issued: 9999-12-31 is out of range: dates go from 1970-01-01 to 2199-12-31"),
    "date-compact": Case(with_invoice(issued="20260901"), "invoices[F-1].issued: expected a date YYYY-MM-DD, got '20260901'"),
    "date-week": Case(with_invoice(issued="2026-W36-1"), "invoices[F-1].issued: expected a date YYYY-MM-DD, got '2026-W36-1'"),
    "before-first-rate": Case(with_invoice(issued="1990-01-10"), "invoices[F-1].due: late from 1990-02-09, before the first rate the tables know (2015-01-01)"),
    "payment-after-build-date": Case(with_invoice(payments=[{"date": "2026-12-01", "amount": "10.00"}]), "invoices[F-1].payments: a payment is dated 2026-12-01, after the build date 2026-06-01"),
    "crlf-invoice-number": Case(with_invoice(number="F-1\r\nBcc: x@y.example"), "invoices[0].number: 'F-1\\r\\nBcc: x@y.example' must be a single line"),
    "subject-10-mb": Case(edited("data/invoices.yml", "amount: '100.00'", "amount: '100.00'\n  subject: " + "x" * 10_000_000), "invoices[F-1].subject: is 10,000,000 characters long; at most 1,000 are accepted"),
    # identifiers and addresses
    "siren-arabic-digits": Case(with_creditor(siren="٨١٢٣٤٥٦٧٦"), "creditor.siren: a SIREN has 9 digits 0-9, got '٨١٢٣٤٥٦٧٦'"),
    "vat-check-digits": Case(with_creditor(vat_number="FR00812345676"), "creditor.vat_number: VAT number 'FR00812345676' is not valid (the number's checksum or check digit is invalid)"),
    "payment-url-javascript": Case(with_creditor(payment_url="javascript:alert(1)"), "creditor.payment_url: 'javascript:alert(1)' is not a web address: it must start with https:// (or http://)"),
    "email-quoted-comma": Case(lambda root: site(root, clients=[{**DEFAULT_CLIENT, "contacts": [{"name": "A", "email": '"a,b"@x.example'}]}]), "contacts[0].email: '\"a,b\"@x.example' is not an email address"),
    # files the site names
    "invoice-file-dotenv": Case(invoice_copy(".env"), "invoices[F-1].file: '.env' must be a path inside the site, without '..' or hidden files"),
    "invoice-file-site-yml": Case(invoice_copy("site.yml"), "invoices[F-1].file: 'site.yml' is not a PDF or an image (.pdf, .png, .jpg, .jpeg)"),
    "invoice-file-outside-copies": Case(invoice_copy("data/F-1.pdf"), "invoices[F-1].file: the invoice copy must be inside the folder of invoice copies (invoices/, data.invoice_copies in site.yml)"),
    "invoice-file-symlink-out": Case(symlinked_copy, "invoices[F-1].file: the invoice copy must be inside the folder of invoice copies"),
    "journal-folder-missing": Case(without_journal_folder, "data.journal: the folder 'journal/' does not exist: create it (it may stay empty) or correct the path"),
    # the journal
    "journal-latin1": Case(with_file("journal/j.jsonl", b'{"note": "caf\xe9"}\n'), "journal/j.jsonl:1: not UTF-8 text: byte 0xe9 at column 14 (invalid continuation byte)"),
    "journal-cut-utf8": Case(with_file("journal/j.jsonl", '{"note": "caf'.encode() + "é".encode()[:1] + b'"}\n'), "journal/j.jsonl:1: not UTF-8 text: byte 0xc3 at column 14 (invalid continuation byte)"),
    "journal-nested-100000": Case(with_file("journal/j.jsonl", "[" * 100_000 + "\n"), "journal/j.jsonl:1: not a journal entry: the JSON is nested too deeply"),
    "journal-proof-text": Case(with_journal(proof="abc"), "journal/journal.jsonl:1: proof: expected an object or null, got 'abc'"),
    "journal-delivery-id-list": Case(with_journal(delivery_id=[1, 2]), "journal/journal.jsonl:1: delivery_id: expected text or null, got [1, 2]"),
    # letters, overrides, themes, plugins
    "letter-latin1": Case(with_file("letters/reminder/mine.md", (LETTER_HEAD + "Caf\xe9\n").encode("latin-1")), "letters/reminder/mine.md:6: not UTF-8 text (invalid continuation byte): save the letter as UTF-8"),
    "letter-front-matter-list": Case(with_file("letters/reminder/mine.md", "---\n- a\n- b\n---\nBody\n"), "letters/reminder/mine.md:2: the front matter must be a mapping of keys (stage, medium, subject…), got ['a', 'b']"),
    "letter-front-matter-number": Case(with_file("letters/reminder/mine.md", "---\n42\n---\nBody\n"), "letters/reminder/mine.md:2: the front matter must be a mapping of keys (stage, medium, subject…), got 42"),
    "override-syntax-error": Case(with_file("overrides/email.html", "<p>\n{% if %}\n"), "overrides/email.html:2: template syntax error: Expected an expression, got 'end of statement block'", "build"),
    "override-undefined-variable": Case(with_file("overrides/email.html", "<p>\n{{ clinet.name }}\n"), "overrides/email.html:2: template error: 'clinet' is undefined", "build"),
    "override-utf16": Case(with_file("overrides/email.html", "<p>Relance</p>".encode("utf-16")), "overrides/email.html:1: template syntax error: not UTF-8 text (invalid start byte): save the template as UTF-8", "build"),
    "letter-undefined-variable": Case(with_file("letters/reminder/mine.md", "---\nstage: reminder\nmedium: email\nsubject: Relance\nregime: b2b\n---\n\nBonjour,\n\nVous devez {{ montant }}.\n"), "letters/reminder/mine.md:10: letter template error: 'montant' is undefined", "build"),
    "stylesheet-latin1": Case(with_file("overrides/assets/print.css", "/* Café */\nbody { color: #222; }\n".encode("latin-1")), "overrides/assets/print.css:1: not UTF-8 text (invalid continuation byte): save the stylesheet as UTF-8"),
    "theme-unknown": Case(lambda root: site(root, site={"theme": "nosuch"}), "site.yml:4: site.theme: theme 'nosuch' is neither a built-in theme (classic), nor an installed one (relancegen.themes), nor a folder of the site"),
    "theme-without-templates": Case(theme({}), "site.yml:4: site.theme: the theme 'mytheme' (mytheme) lacks templates: blocks.html, blocks.txt, call_list.html"),
    "theme-yml-malformed": Case(theme({"theme.yml": "extends: [classic\n"}), "mytheme/theme.yml:2: invalid YAML: did not find expected ',' or ']'"),
    "theme-yml-a-list": Case(theme({"theme.yml": "- classic\n"}), "mytheme/theme.yml: expected a mapping of fields (name, description, extends, fonts)"),
    "theme-extends-control-character": Case(theme({"theme.yml": 'extends: "classic\\0"\n'}), "mytheme/theme.yml:1: extends: 'classic\\x00' contains a control character"),
    "path-name-too-long": Case(lambda root: site(root, site={"output": "_" * 300}), "site.yml:5: site.output: '" + "_" * 27 + "..." + "_" * 28 + "' holds a name longer than 255 bytes, which no file system accepts"),
    "channel-folder-control-character": Case(lambda root: site(root, channels={"agency": {"plugin": "agency-export", "to": "exp\0orts"}}), "channels.agency.to: 'exp\\x00orts' holds a control character; give a folder name such as exports/"),
    "channel-folder-name-too-long": Case(lambda root: site(root, channels={"agency": {"plugin": "agency-export", "to": "x" * 300}}), "channels.agency.to: '" + "x" * 27 + "..." + "x" * 28 + "' holds a name longer than 255 bytes, which no file system accepts"),
    "channel-plugin-missing": Case(lambda root: site(root, channels={"email": {"plugin": "smpt"}}), "channels.email.plugin: no running plugin provides a channel named 'smpt'"),
}


def run(folder: Path, command: str, *extra: str):
    day = REMINDER_DAY if command == "build" else "2026-06-01"
    return CliRunner().invoke(main, [command, "--site", str(folder), "--date", day, *extra])


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_a_located_error_and_nothing_is_written(name, tmp_path):
    case = CASES[name]
    folder = case.make(tmp_path / "site")
    result = run(folder, case.command)
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), f"a traceback: {result.exception!r}"
    assert case.expect in result.output
    assert re.search(r"error(s)? found\.$", result.output.strip()), result.output
    assert not (folder / "_site").exists() or not any(p.is_file() for p in (folder / "_site").rglob("*"))


@pytest.mark.parametrize("name", ["yaml-alias-bomb", "subject-10-mb"])
def test_huge_inputs_are_refused_quickly_and_quoted_short(name, tmp_path):
    import time

    folder = CASES[name].make(tmp_path / "site")
    start = time.monotonic()
    result = run(folder, "check")
    assert time.monotonic() - start < 5
    assert max(len(line) for line in result.output.splitlines()) < 400


#: The faults of the system rather than of the site, each with the message its test asserts.
FAULTS = {
    "fault-new-unwritable": "Error: cannot create the site in <path>: Not a directory",
    "fault-out-unwritable": "Error: cannot write or read <path>: Not a directory",
    "fault-disk-full": "Error: could not write to <path>: No space left on device; the entry was not written",
    "fault-out-disk-full": "Error: cannot write or read <path>: No space left on device",
    "fault-journal-read-only": "Error: cannot write or read <path>: Read-only file system",
    "fault-build-fails-midway": "letters/reminder/b2c.md:7: letter template error: 'nope' is undefined",
    "fault-date-out-of-range": "Error: the date <date> is out of range: relancegen computes from 2015-01-01 (its first known rates) to 2199-12-31",
    "fault-all-stages-no-invoice": "client 'client-b' has no open invoice: there is nothing to show at any stage",
}


def test_errors_table_matches_the_cases():
    """Every row of docs/errors.md names a case or a fault of this file and quotes its message."""
    rows = re.findall(r"^\| `([a-z0-9-]+)` \| .+? \| `(.+)` \|$", ERRORS_TABLE.read_text(encoding="utf-8"), re.MULTILINE)
    documented = dict(rows)
    assert set(CASES) | set(FAULTS) == set(documented)
    for case, message in documented.items():
        assert message == (CASES[case].expect if case in CASES else FAULTS[case]), case


# -- faults: the system, not the site -------------------------------------------------


@pytest.mark.parametrize("command", ["check", "penalties", "build"])
@pytest.mark.parametrize("day", ["9999-12-31", "1969-01-01"])
def test_a_build_date_out_of_reach_is_one_message(tmp_path, command, day):
    folder = site(tmp_path / "site")
    result = CliRunner().invoke(main, [command, "--site", str(folder), "--date", day])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert FAULTS["fault-date-out-of-range"].replace("<date>", day) in result.output


def test_new_on_an_unwritable_path_is_one_message(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    result = CliRunner().invoke(main, ["new", str(blocker / "site")])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert FAULTS["fault-new-unwritable"].replace("<path>", str(blocker / "site")) in result.output


def test_build_into_an_unwritable_out_is_one_message(tmp_path):
    folder = site(tmp_path / "site")
    result = run(folder, "build", "--out", str(folder / "site.yml" / "out"))
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert re.search(re.escape(FAULTS["fault-out-unwritable"]).replace("<path>", r".*site\.yml/out\S*"), result.output)


def test_a_full_disk_while_journaling_is_one_message(tmp_path):
    """The journal's file is /dev/full: the kernel answers ENOSPC as on a full disk."""
    folder = site(tmp_path / "site")
    journal_file = folder / "journal" / f"{dt.date.today().year}.jsonl"
    journal_file.symlink_to("/dev/full")
    result = CliRunner().invoke(main, ["record", "--site", str(folder), "--client", "client-a", "--stage", "call", "--note", "Appel"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert FAULTS["fault-disk-full"].replace("<path>", str(journal_file)) in result.output


def test_build_all_stages_with_a_client_without_invoice(tmp_path):
    """The specimen skips a client without open invoice (its empty call sheet used to crash
    the call list); asked for by name, it is a clear message."""
    folder = site(tmp_path / "site", clients=[{**DEFAULT_CLIENT, "id": "client-b"}], invoices=[])
    result = CliRunner().invoke(main, ["build", "--site", str(folder), "--date", "2026-06-01", "--all-stages"])
    assert result.exit_code == 0, result.output
    assert not (folder / "_site" / "client-b").exists()
    only_b = CliRunner().invoke(main, ["build", "--site", str(folder), "--all-stages", "--client", "client-b"])
    assert only_b.exit_code == 1
    assert FAULTS["fault-all-stages-no-invoice"] in only_b.output


@pytest.fixture
def small_disk(tmp_path):
    """A 256 KB tmpfs, mounted when the tests run as root (in CI containers); skipped otherwise."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount_point)], capture_output=True).returncode:
        pytest.skip("mounting a small file system needs root")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_build_onto_a_full_disk_is_one_message(tmp_path, small_disk):
    (small_disk / "filler").write_bytes(b"\0" * (256 * 1024 - 4096))
    folder = site(tmp_path / "site")
    result = run(folder, "build", "--out", str(small_disk / "out"))
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert re.search(re.escape(FAULTS["fault-out-disk-full"]).replace("<path>", re.escape(str(small_disk)) + r"/out/\S+"), result.output)


def test_a_read_only_journal_is_one_message(tmp_path, small_disk):
    folder = site(small_disk / "site")
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    result = CliRunner().invoke(main, ["record", "--site", str(folder), "--client", "client-a", "--stage", "call", "--note", "Appel"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert re.search(re.escape(FAULTS["fault-journal-read-only"]).replace("<path>", re.escape(str(folder)) + r"/journal/\S+"), result.output)


def test_a_build_failing_midway_writes_nothing(tmp_path):
    """client-a's email renders, client-b's letter has an undefined variable: the build
    fails and the output is exactly what the previous build left (or absent)."""
    client_b = {**DEFAULT_CLIENT, "id": "client-b", "kind": "b2c", "name": "Bernard Client"}
    folder = site(tmp_path / "site", clients=[DEFAULT_CLIENT, client_b], invoices=[INVOICE, {**INVOICE, "number": "F-2", "client": "client-b"}])
    assert run(folder, "build").exit_code == 0
    before = {path: path.read_bytes() for path in (folder / "_site").rglob("*") if path.is_file()}
    letter = folder / "letters" / "reminder" / "b2c.md"
    letter.parent.mkdir(parents=True)
    letter.write_text("---\nstage: reminder\nmedium: email\nsubject: Relance\nregime: b2c\n---\nBonjour {{ nope }}\n", encoding="utf-8")
    failed = run(folder, "build", "--force")
    assert failed.exit_code == 1 and FAULTS["fault-build-fails-midway"] in failed.output
    assert {path: path.read_bytes() for path in (folder / "_site").rglob("*") if path.is_file()} == before
    shutil.rmtree(folder / "_site")
    assert run(folder, "build").exit_code == 1
    assert not (folder / "_site").exists()


def test_a_site_error_crosses_from_a_worker_process_whole():
    """Worker processes send their exceptions back pickled: a SiteError keeps its problems."""
    import pickle

    from relancegen.errors import Location, Problem, SiteError

    error = SiteError([Problem(Location("overrides/letter.html", 3), "", "template error: 'x' is undefined")])
    assert [str(p) for p in pickle.loads(pickle.dumps(error)).problems] == ["overrides/letter.html:3: template error: 'x' is undefined"]
