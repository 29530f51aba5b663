"""Reading the journal: the append-only JSON Lines record of what was sent or done.

Every ``*.jsonl`` file of the journal folder is read, in name order (the order the hash
chain runs through); each line is one entry. Problems name the file and the line. A line
cut off while it was written (a crash, a full disk) is reported with its location and
skipped, never an unreadable journal; ``send`` treats the delivery it names as
``unknown`` (:func:`cut_off`). Lines with an ``event`` key (such as the acceptance of a
broken chain) are about the journal itself, not a client, and are not entries.

The chain: each line written by relancegen carries ``prev``, the SHA-256 of the line
before it (across files, in name order), and ``HEAD`` beside the journal names the last
line written, so that an edited, inserted or removed line, the last ones included, shows
(:func:`verify_chain`). Appending lives in :mod:`relancegen.delivery.journal`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from relancegen.errors import Location, Problem, relative_name, shown
from relancegen.site.model import DOCUMENT_STAGES, JOURNAL_STATUSES, JournalEntry

KNOWN_KEYS = ("time", "client", "stage", "channel", "invoices", "status", "proof", "note", "delivery_id")
REQUIRED_KEYS = ("time", "client", "stage", "channel", "invoices", "status")
HEAD_NAME = "HEAD"
EVENT_KEY = "event"
ENTRY_START = b'{"time": "'  # how every line relancegen appends begins
ACCEPTED_EVENT = "journal-accepted"
TEXT_FIELD = r'"{}":\s*"([^"\\]*)"'  # a string field, found in a line cut off after it


@dataclass(frozen=True)
class JournalLine:
    """One non-blank line of the journal, as bytes without its newline."""

    location: Location
    data: bytes
    file: str  # the file's name inside the journal folder
    number: int


#: The JSON type each key must have (``None`` allowed for the optional ones).
KEY_TYPES: dict[str, tuple[type, ...]] = {
    "time": (str,), "client": (str,), "stage": (str,), "channel": (str,), "invoices": (list,), "status": (str,),
    "proof": (dict, type(None)), "note": (str, type(None)), "delivery_id": (str, type(None)),
}
TYPE_NAMES = {str: "text", list: "a list", dict: "an object", type(None): "null"}


def journal_files(journal_dir: Path) -> list[Path]:
    """The journal's files in the one order the hash chain runs through, by name: regular
    files only (never a device or a FIFO that a symlink would make the journal read forever)."""
    return sorted(path for path in journal_dir.glob("*.jsonl") if path.is_file()) if journal_dir.is_dir() else []


def journal_lines(journal_dir: Path, site_root: Path) -> list[JournalLine]:
    """Every non-blank line of every journal file, in chain order."""
    lines = []
    for path in journal_files(journal_dir):
        name = relative_name(path, site_root)
        for number, data in enumerate(path.read_bytes().split(b"\n"), start=1):
            if data.strip():
                lines.append(JournalLine(Location(name, number), data.rstrip(b"\r"), path.name, number))
    return lines


def is_interrupted(data: bytes) -> bool:
    """Whether a line is the beginning of an entry whose write was cut off: it starts as
    relancegen writes entries, is not JSON, and its JSON (or its UTF-8) ends before the
    entry does, or lacks its final brace."""
    if not data.startswith(ENTRY_START):
        return False
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start >= len(data) - 3
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        return error.pos >= len(text.rstrip()) or not text.rstrip().endswith("}")
    return False


@dataclass(frozen=True)
class Interrupted:
    """A line cut off while it was written, and what it names, as far as it was written."""

    location: Location
    delivery_id: str | None
    fields: dict[str, str]


def cut_off(line: JournalLine) -> Interrupted:
    """A cut-off line, with the delivery it names if that much of it was written."""
    text = line.data.decode("utf-8", errors="ignore")
    fields = {}
    for name in ("delivery_id", "client", "stage", "channel", "time"):
        found = re.search(TEXT_FIELD.format(name), text)
        if found:
            fields[name] = found.group(1)
    return Interrupted(line.location, fields.get("delivery_id"), fields)


def interrupted_problem(interrupted: Interrupted) -> Problem:
    message = "this entry was cut off while it was written (a crash or a full disk) and is skipped"
    if interrupted.delivery_id:
        message += f"; delivery {interrupted.delivery_id} is treated as unknown until resolved"
    return Problem(interrupted.location, "", message, "warning")


def read_journal(journal_dir: Path, site_root: Path) -> tuple[list[JournalEntry], list[Problem]]:
    """Every entry of the journal, sorted by time, and the problems found reading it."""
    entries: list[JournalEntry] = []
    problems: list[Problem] = []
    for line in journal_lines(journal_dir, site_root):
        if is_interrupted(line.data):
            problems.append(interrupted_problem(cut_off(line)))
            continue
        if _is_event(line.data.decode("utf-8", errors="replace")):
            continue
        entry = parse_entry(line.data, line.location, problems)
        if entry is not None:
            entries.append(entry)
    entries.sort(key=lambda entry: entry.time)
    return entries, problems


def _is_event(text: str) -> bool:
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError):  # parse_entry reports the line
        return False
    return isinstance(raw, dict) and EVENT_KEY in raw


def parse_entry(text: str | bytes, location: Location, problems: list[Problem]) -> JournalEntry | None:
    """One journal line (as read, bytes or text) as a :class:`JournalEntry`, or None (with
    problems) if unusable: bytes that are not UTF-8, JSON nested too deeply, a value of the
    wrong type are problems like any other."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as error:
            problems.append(Problem(location, "", f"not UTF-8 text: byte 0x{text[error.start]:02x} at column {error.start + 1} ({error.reason})"))
            return None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        problems.append(Problem(location, "", f"not a JSON object: {error.msg}"))
        return None
    except RecursionError:
        problems.append(Problem(location, "", "not a journal entry: the JSON is nested too deeply"))
        return None
    except ValueError:  # an integer past Python's 4,300-digit conversion limit
        problems.append(Problem(location, "", "not a journal entry: a number is too long"))
        return None
    if not isinstance(raw, dict):
        problems.append(Problem(location, "", "a journal line must be a JSON object"))
        return None
    found = [Problem(location, key, "is required") for key in REQUIRED_KEYS if key not in raw]
    wrong = [key for key, types in KEY_TYPES.items() if key in raw and not isinstance(raw[key], types)]
    found += [Problem(location, key, f"expected {' or '.join(TYPE_NAMES[t] for t in KEY_TYPES[key])}, got {shown(raw[key])}") for key in wrong]
    if wrong:
        problems.extend(found)
        return None
    time = _parse_time(raw.get("time"))
    if "time" in raw and time is None:
        found.append(Problem(location, "time", f"expected an ISO 8601 time with its UTC offset, got {shown(raw['time'])}"))
    if "stage" in raw and raw["stage"] not in DOCUMENT_STAGES:
        found.append(Problem(location, "stage", f"unknown stage {shown(raw['stage'])}"))
    if "status" in raw and raw["status"] not in JOURNAL_STATUSES:
        found.append(Problem(location, "status", f"{shown(raw['status'])} is not one of {', '.join(JOURNAL_STATUSES)}"))
    invoices = raw.get("invoices", [])
    if not isinstance(invoices, list) or not all(isinstance(n, str) for n in invoices):
        found.append(Problem(location, "invoices", "expected a list of invoice numbers"))
    problems.extend(found)
    if found or time is None:
        return None
    extra: dict[str, Any] = {k: v for k, v in raw.items() if k not in KNOWN_KEYS}
    return JournalEntry(
        time=time,
        client=str(raw["client"]),
        stage=raw["stage"],
        channel=str(raw["channel"]),
        invoices=tuple(invoices),
        status=raw["status"],
        proof=raw.get("proof") or {},
        note=raw.get("note"),
        delivery_id=raw.get("delivery_id"),
        extra=extra,
        location=location,
    )


def _parse_time(value: Any) -> dt.datetime | None:
    try:
        time = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return time if time.tzinfo is not None else None


def line_hash(data: bytes) -> str:
    """The chain's hash of one line: SHA-256 of its bytes, without the newline."""
    return hashlib.sha256(data).hexdigest()


def verify_chain(journal_dir: Path, site_root: Path) -> list[Problem]:
    """Where the chain is broken: a line whose ``prev`` is not the hash of the line before
    it, and a ``HEAD`` that does not name the journal's last line. Breaks that a person
    accepted (``send --accept-journal``) are not reported again."""
    lines = journal_lines(journal_dir, site_root)
    problems = []
    previous: bytes | None = None
    for line in lines:
        recorded = _field(line.data, "prev", "absent")
        if recorded != "absent":
            expected = line_hash(previous) if previous is not None else None
            if recorded != expected:
                problems.append(Problem(line.location, "prev", "the hash chain is broken: a line before this one was changed, removed or inserted"))
        previous = line.data
    problems += _head_problems(journal_dir, site_root, lines)
    accepted = _accepted(lines)
    return [problem for problem in problems if problem_key(problem) not in accepted]


def _field(data: bytes, name: str, default: Any) -> Any:
    try:
        raw = json.loads(data)
    except ValueError:
        return default
    return raw.get(name, default) if isinstance(raw, dict) else default


def _head_problems(journal_dir: Path, site_root: Path, lines: list[JournalLine]) -> list[Problem]:
    head_path = journal_dir / HEAD_NAME
    where = Location(relative_name(head_path, site_root))
    chained = any(_field(line.data, "prev", "absent") != "absent" for line in lines)
    if not head_path.is_file():
        if not chained:
            return []  # a journal from before HEAD, or written by hand
        return [Problem(where, "", "is missing: the end of the journal cannot be checked (restore it, e.g. from git)")]
    try:
        head = json.loads(head_path.read_text(encoding="utf-8"))
        file, number, digest = str(head["file"]), int(head["line"]), str(head["sha256"])
    except (ValueError, KeyError, TypeError):
        return [Problem(where, "", "is not a journal head (expected file, line and sha256)")]
    position = next((i for i, line in enumerate(lines) if line.file == file and line.number == number), None)
    if position is None or line_hash(lines[position].data) != digest:
        return [Problem(where, "", f"names {file}:{number} (sha256 {digest[:12]}…) as the last line written, "
                                  "and the journal no longer holds that line: lines were removed or changed")]
    after = len(lines) - position - 1
    if after:
        return [Problem(where, "", f"{after} line{'s' if after > 1 else ''} after the last line relancegen wrote "
                                   f"({file}:{number}): added by hand, or the last write was interrupted", "warning")]
    return []


def problem_key(problem: Problem) -> str:
    """How an accepted problem is journaled, and recognised later."""
    return f"{problem.location}: {problem.field}: {problem.message}"


def _accepted(lines: list[JournalLine]) -> set[str]:
    """The problems a person accepted with ``send --accept-journal``, as journaled."""
    accepted: set[str] = set()
    for line in lines:
        if b'"event"' not in line.data:
            continue
        try:
            raw = json.loads(line.data)
        except ValueError:
            continue
        if isinstance(raw, dict) and raw.get(EVENT_KEY) == ACCEPTED_EVENT:
            accepted.update(str(item) for item in raw.get("accepted", []))
    return accepted
