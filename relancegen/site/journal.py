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

from relancegen.errors import Location, Problem, relative_name
from relancegen.site.model import JOURNAL_STATUSES, STAGES, JournalEntry

KNOWN_KEYS = ("time", "client", "stage", "channel", "invoices", "status", "proof", "note", "delivery_id")
REQUIRED_KEYS = ("time", "client", "stage", "channel", "invoices", "status")


def journal_files(journal_dir: Path) -> list[Path]:
    return sorted(journal_dir.glob("*.jsonl")) if journal_dir.is_dir() else []


def read_journal(journal_dir: Path, site_root: Path) -> tuple[list[JournalEntry], list[Problem]]:
    """Every entry of the journal, sorted by time, and the problems found reading it."""
    entries: list[JournalEntry] = []
    problems: list[Problem] = []
    for path in journal_files(journal_dir):
        name = relative_name(path, site_root)
        with path.open(encoding="utf-8") as stream:
            for number, text in enumerate(stream, start=1):
                if not text.strip():
                    continue
                entry = parse_entry(text, Location(name, number), problems)
                if entry is not None:
                    entries.append(entry)
    entries.sort(key=lambda entry: entry.time)
    return entries, problems


def parse_entry(text: str, location: Location, problems: list[Problem]) -> JournalEntry | None:
    """One journal line as a :class:`JournalEntry`, or None (with problems) if unusable."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        problems.append(Problem(location, "", f"not a JSON object: {error.msg}"))
        return None
    if not isinstance(raw, dict):
        problems.append(Problem(location, "", "a journal line must be a JSON object"))
        return None
    found = [Problem(location, key, "is required") for key in REQUIRED_KEYS if key not in raw]
    time = _parse_time(raw.get("time"))
    if "time" in raw and time is None:
        found.append(Problem(location, "time", f"expected an ISO 8601 time with its UTC offset, got {raw['time']!r}"))
    if "stage" in raw and raw["stage"] not in STAGES:
        found.append(Problem(location, "stage", f"unknown stage {raw['stage']!r}"))
    if "status" in raw and raw["status"] not in JOURNAL_STATUSES:
        found.append(Problem(location, "status", f"{raw['status']!r} is not one of {', '.join(JOURNAL_STATUSES)}"))
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
