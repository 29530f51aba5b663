"""Reading the journal: the append-only JSON Lines record of what was sent or done.

Every ``*.jsonl`` file of the journal folder is read (in name order); each line is one
entry. Problems name the file and the line. Appending lives in
:mod:`relancegen.delivery.journal`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

from relancegen.errors import Location, Problem, relative_name, shown
from relancegen.site.model import JOURNAL_STATUSES, STAGES, JournalEntry

KNOWN_KEYS = ("time", "client", "stage", "channel", "invoices", "status", "proof", "note", "delivery_id")
REQUIRED_KEYS = ("time", "client", "stage", "channel", "invoices", "status")
#: The JSON type each key must have (``None`` allowed for the optional ones).
KEY_TYPES: dict[str, tuple[type, ...]] = {
    "time": (str,), "client": (str,), "stage": (str,), "channel": (str,), "invoices": (list,), "status": (str,),
    "proof": (dict, type(None)), "note": (str, type(None)), "delivery_id": (str, type(None)),
}
TYPE_NAMES = {str: "text", list: "a list", dict: "an object", type(None): "null"}


def journal_files(journal_dir: Path) -> list[Path]:
    """The journal's files in name order: regular files only (never a device or a FIFO
    that a symlink would make the journal read forever)."""
    return sorted(path for path in journal_dir.glob("*.jsonl") if path.is_file()) if journal_dir.is_dir() else []


def read_journal(journal_dir: Path, site_root: Path) -> tuple[list[JournalEntry], list[Problem]]:
    """Every entry of the journal, sorted by time, and the problems found reading it."""
    entries: list[JournalEntry] = []
    problems: list[Problem] = []
    for path in journal_files(journal_dir):
        name = relative_name(path, site_root)
        with path.open("rb") as stream:
            for number, text in enumerate(stream, start=1):
                if not text.strip():
                    continue
                entry = parse_entry(text, Location(name, number), problems)
                if entry is not None:
                    entries.append(entry)
    entries.sort(key=lambda entry: entry.time)
    return entries, problems


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
    if "stage" in raw and raw["stage"] not in STAGES:
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


def verify_chain(journal_dir: Path, site_root: Path) -> list[Problem]:
    """Problems where an entry's ``prev`` does not match the line before it."""
    problems = []
    previous: bytes | None = None
    for path in journal_files(journal_dir):
        name = relative_name(path, site_root)
        for number, line in enumerate(path.read_bytes().splitlines(), start=1):
            if not line.strip():
                continue
            try:
                recorded = json.loads(line).get("prev", "absent")
            except (ValueError, AttributeError):
                recorded = "absent"
            if recorded != "absent":
                expected = hashlib.sha256(previous).hexdigest() if previous is not None else None
                if recorded != expected:
                    problems.append(Problem(Location(name, number), "prev", "the hash chain is broken: a line before this one was changed, removed or inserted"))
            previous = line
    return problems
