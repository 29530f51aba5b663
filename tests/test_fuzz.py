"""Fuzzing the real CLI with spoiled sites: never a traceback, never a file written elsewhere.

Hypothesis starts from a valid site (site.yml, clients, invoices, a journal, a letter, an
override, a stylesheet and a child theme) and spoils it: a value of another type, a huge or control-laden text, a
number past every limit, a deleted or unknown key, a list where a mapping was, then bytes
inserted, the file cut short, re-encoded in Latin-1 or UTF-16, or given YAML tags and
aliases. ``relancegen check`` runs on the result (on one of a few build dates, some out of
range), and ``relancegen penalties`` and ``relancegen build`` when check passed, in process
through click's runner. Each must exit with 0 or 1, without a
traceback, and the site folder must hold no new or changed file outside the output.

PDFs are rendered by a stand-in registered for the test (WeasyPrint takes a second per
PDF; what is fuzzed here is the handling of inputs up to the HTML). The normal suite runs
``FUZZ_EXAMPLES`` examples, the same ones at every run (derandomized, so that CI never fails
on a site no one can reproduce); set ``RELANCEGEN_FUZZ_EXAMPLES`` for a longer run on new
random sites, to look for what the fixed ones miss. A failing
example is reported as found, without shrinking (shrinking a site can take Hypothesis more
than five minutes); set ``RELANCEGEN_FUZZ_SHRINK=1`` to have it shrunk.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from relancegen.cli import main
from relancegen.hookspecs import hookimpl
from relancegen.plugins import get_plugin_manager
from relancegen.testing import DEFAULT_CLIENT, DEFAULT_CREDITOR

FUZZ_EXAMPLES = int(os.environ.get("RELANCEGEN_FUZZ_EXAMPLES", "300"))
EXPLORING = "RELANCEGEN_FUZZ_EXAMPLES" in os.environ  # new random sites at each run
FUZZ_PHASES = [Phase.explicit, Phase.generate, *([Phase.shrink] if os.environ.get("RELANCEGEN_FUZZ_SHRINK") else [])]
BUILD_DAY = "2026-03-20"
BUILD_DAYS = st.sampled_from([BUILD_DAY, BUILD_DAY, "2026-02-16", "2026-09-01", "2014-12-31", "2199-12-31", "9999-12-31"])

SITE_YML = {
    "site": {"title": "Fuzz", "language": "fr", "theme": "mytheme", "output": "_site"},
    "creditor": {**DEFAULT_CREDITOR, "vat_number": "FR19812345676", "payment_url": "https://pay.example/{invoice}"},
    "terms": {"payment_days": 30, "late_interest": "ecb+10", "recovery_indemnity": "40.00"},
    "policy": {"min_days_between_stages": 7, "minimum_balance": "0.00"},
    "data": {"clients": "data/clients.yml", "invoices": "data/invoices.yml", "journal": "journal/"},
    "rates": {"ecb": {"2026-06-11": "2.15"}},
    "channels": {"email": {"plugin": "smtp", "host": "127.0.0.1", "port": 2525, "from": "compta@atelier-test.example"}},
}
THEME = {"name": "mytheme", "extends": "classic"}
CLIENTS = [DEFAULT_CLIENT, {**DEFAULT_CLIENT, "id": "client-b", "kind": "b2c", "name": "Bernard Client"}]
INVOICES = [
    {"number": "F-1", "client": "client-a", "issued": "2026-01-10", "amount": "1200.00", "subject": "Affiches",
     "payments": [{"date": "2026-02-20", "amount": "200.00"}], "file": "invoices/F-1.pdf"},
    {"number": "F-2", "client": "client-b", "issued": "2026-02-01", "amount": "90.00", "promise": {"date": "2026-04-01"}},
]
JOURNAL = [
    {"time": "2026-02-14T09:00:00+01:00", "client": "client-a", "stage": "reminder", "channel": "email", "invoices": ["F-1"], "status": "sent", "proof": {"message_id": "<a@b>"}, "delivery_id": "d1"},
    {"time": "2026-02-21T09:00:00+01:00", "client": "client-a", "stage": "call", "channel": "phone", "invoices": ["F-1"], "status": "recorded", "note": "Rappel"},
]
LETTER = {"stage": "reminder", "medium": "email", "subject": "Relance {{ invoice_numbers }}", "variant": "z"}
LETTER_BODY = "Bonjour {{ contact.name }},\n\n{{ invoice_table }}\n\nCordialement,\n{{ creditor.name }}\n"
OVERRIDE = '{% extends "theme:email.html" %}\n'
STYLESHEET = "/* Fuzz */\nbody { color: {{ style.accent_color }}; }\n"

PATHS = ["site.yml", "data/clients.yml", "data/invoices.yml", "journal/2026.jsonl", "letters/reminder/mine.md", "overrides/email.html",
         "overrides/assets/print.css", "mytheme/theme.yml"]

TRICKY_TEXT = st.sampled_from([
    "", " ", "20260901", "2026-W36-1", "9999-12-31", "0001-01-01", "2026-02-30", "1e30", "-1", "NaN", "Infinity",
    "0.001", "1" * 50, "n" * 300, "javascript:alert(1)", "../../etc/passwd", "/etc/passwd", ".env", "site.yml",
    "invoices/../site.yml", "F-1\r\nBcc: x@y", "a\x00b", "\x1b[31m", '"a,b"@x.example', "٨١٢٣٤٥٦٧٦", "FR00812345676",
    "{{ 7 * 7 }}", "{% if %}", "{{ undefined_name }}", "<script>alert(1)</script>", "*alias", "&anchor", "!!int x",
    "smtp", "nosuch", "ecb+10", "3x-legal", "12%", "b2b", "b2c", "public", "client-a", "F-1", "reminder", "sent",
])
LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30), TRICKY_TEXT,
    st.text(min_size=1000, max_size=5000), st.dates().map(str),
)
VALUES = st.recursive(LEAVES, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)), max_leaves=6)
TEXT_MUTATIONS = st.sampled_from(["insert", "cut", "latin-1", "utf-16", "yaml-construct", "huge-number"])
YAML_CONSTRUCTS = st.sampled_from([
    "!!int abc", "!!bool maybe", "!!binary aGVsbG8=", "!!python/object:os.system x", "!!set {a, b}", "*nowhere",
    "&a [*a]", "{<<: 5}", "[[[[[[[[[[", "? [a, b]\n: c", "%YAML 1.1\n---", "--- \n---", "\t", "'unterminated",
])


class _FastPdf:
    """Stands in for WeasyPrint during the fuzz run (see the module's docstring)."""

    @hookimpl
    def relancegen_render_pdf(self, html: str, base_url: str) -> bytes:
        return b"%PDF-1.4\n% stand-in\n" + str(len(html)).encode()


#: Values a valid site could hold, so that a third of the examples pass check and get built.
PLAUSIBLE = st.one_of(
    st.sampled_from(["client-a", "client-b", "F-1", "F-2", "b2b", "b2c", "public", "email", "smtp", "reminder", "call",
                     "2026-01-15", "2026-03-01", "2026-12-31", "50.00", "1440.00", "0.01", "ecb+10", "3x-legal", "12%",
                     "Lyon", "69002", "https://pay.example/{invoice}", "alice@client-a.example", "fr", "en", "classic"]),
    st.integers(0, 365), st.booleans(), st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"]), min_size=1, max_size=40),
)


@st.composite
def mutated(draw: st.DrawFn, value: Any, leaves: st.SearchStrategy[Any] = VALUES) -> Any:
    """``value`` with one spot changed: replaced, deleted, or given an unknown key."""
    if isinstance(value, dict) and value and draw(st.booleans()):
        key = draw(st.sampled_from(sorted(value, key=str)))
        action = draw(st.sampled_from(["descend", "descend", "delete", "add"]))
        if action == "delete":
            return {k: v for k, v in value.items() if k != key}
        if action == "add":
            return {**value, draw(st.text(min_size=1, max_size=10)): draw(leaves)}
        return {**value, key: draw(mutated(value[key], leaves))}
    if isinstance(value, list) and value and draw(st.booleans()):
        index = draw(st.integers(0, len(value) - 1))
        copy = list(value)
        if draw(st.booleans()):
            copy[index] = draw(mutated(copy[index], leaves))
        else:
            copy.insert(index, copy[index])  # a duplicate item
        return copy
    return draw(leaves)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _texts(documents: dict[str, Any]) -> dict[str, str]:
    dump = lambda data: yaml.safe_dump(data, allow_unicode=True, sort_keys=False)  # noqa: E731
    front = documents["letters/reminder/mine.md"]
    return {
        "site.yml": dump(documents["site.yml"]),
        "data/clients.yml": dump(documents["data/clients.yml"]),
        "data/invoices.yml": dump(documents["data/invoices.yml"]),
        "journal/2026.jsonl": "".join(json.dumps(entry, ensure_ascii=False, default=str) + "\n" for entry in _as_list(documents["journal/2026.jsonl"])),
        "letters/reminder/mine.md": "---\n" + dump(front) + "---\n" + LETTER_BODY,
        "overrides/email.html": OVERRIDE,
        "overrides/assets/print.css": STYLESHEET,
        "mytheme/theme.yml": dump(documents["mytheme/theme.yml"]),
    }


@st.composite
def spoiled_sites(draw: st.DrawFn) -> dict[str, bytes]:
    """The files of a site, one to three of them spoiled; a third of the time only with
    plausible values and no damage to the bytes."""
    plausible = draw(st.integers(0, 2)) == 0
    documents: dict[str, Any] = {
        "site.yml": SITE_YML, "data/clients.yml": CLIENTS, "data/invoices.yml": INVOICES,
        "journal/2026.jsonl": JOURNAL, "letters/reminder/mine.md": LETTER, "mytheme/theme.yml": THEME,
    }
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(sorted(documents)))
        documents[name] = draw(mutated(documents[name], PLAUSIBLE if plausible else VALUES))
    files = {name: text.encode("utf-8") for name, text in _texts(documents).items()}
    for _ in range(0 if plausible else draw(st.sampled_from([0, 0, 0, 1, 2]))):
        name = draw(st.sampled_from(PATHS))
        files[name] = _spoil_text(draw, files[name])
    return files


def _spoil_text(draw: st.DrawFn, data: bytes) -> bytes:
    kind = draw(TEXT_MUTATIONS)
    at = draw(st.integers(0, len(data)))
    if kind == "insert":
        return data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
    if kind == "cut":
        return data[:at]
    if kind in ("latin-1", "utf-16"):
        return data.decode("utf-8", errors="replace").encode(kind, errors="replace")
    if kind == "huge-number":
        return data.replace(b"1200.00", b"9" * 5000, 1).replace(b"payment_days: 30", b"payment_days: " + b"9" * 5000, 1)
    line_start = data.rfind(b"\n", 0, at) + 1
    return data[:line_start] + draw(YAML_CONSTRUCTS).encode() + b"\n" + data[line_start:]


def _snapshot(folder: Path, output: Path) -> dict[str, tuple[int, int]]:
    return {
        str(path.relative_to(folder)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in folder.rglob("*")
        if path.is_file() and output not in path.parents
    }


def _write(folder: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    (folder / "invoices").mkdir(exist_ok=True)
    (folder / "invoices" / "F-1.pdf").write_bytes(b"%PDF-1.4 invoice")
    (folder / ".env").write_text("SMTP_PASSWORD=hunter22\n", encoding="utf-8")


def _run(runner: CliRunner, *args: str) -> int:
    result = runner.invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{' '.join(args[:1])} raised {type(result.exception).__name__}: {result.exception}\n{result.output[-2000:]}"
    )
    assert result.exit_code in (0, 1), result.output[-2000:]
    assert "Traceback" not in result.output
    assert "hunter22" not in result.output
    return result.exit_code


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, database=None, phases=FUZZ_PHASES, derandomize=not EXPLORING,
          suppress_health_check=list(HealthCheck))
@given(files=spoiled_sites(), day=BUILD_DAYS)
def test_spoiled_sites_never_crash_nor_write_outside_the_output(files, day):
    runner = CliRunner()
    fast_pdf = _FastPdf()
    manager = get_plugin_manager()
    manager.register(fast_pdf, name="fuzz-fast-pdf")
    try:
        with tempfile.TemporaryDirectory() as temporary:
            parent = Path(temporary)
            folder = parent / "site"
            output = folder / "_site"
            _write(folder, files)
            before = _snapshot(parent, output)
            if _run(runner, "check", "--site", str(folder), "--date", day) == 0:
                _run(runner, "penalties", "--site", str(folder), "--date", day, "--format", "json")
                _run(runner, "build", "--site", str(folder), "--date", day, "--out", str(output), "--jobs", "1")
            assert _snapshot(parent, output) == before
    finally:
        manager.unregister(fast_pdf)


def test_the_valid_site_builds():
    """The starting point is valid: the fuzz test spoils a site that works."""
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary) / "site"
        _write(folder, {name: text.encode("utf-8") for name, text in _texts({
            "site.yml": SITE_YML, "data/clients.yml": CLIENTS, "data/invoices.yml": INVOICES,
            "journal/2026.jsonl": JOURNAL, "letters/reminder/mine.md": LETTER, "mytheme/theme.yml": THEME,
        }).items()})
        manager = get_plugin_manager()
        fast_pdf = _FastPdf()
        manager.register(fast_pdf, name="fuzz-fast-pdf")
        try:
            checked = CliRunner().invoke(main, ["check", "--site", str(folder), "--date", BUILD_DAY])
            assert checked.exit_code == 0, checked.output
            result = CliRunner().invoke(main, ["build", "--site", str(folder), "--date", BUILD_DAY, "--jobs", "1"])
        finally:
            manager.unregister(fast_pdf)
        assert result.exit_code == 0, result.output
        assert (folder / "_site" / "manifest.json").is_file()
