"""Appending to the journal: append-only, atomic, locked, and hash-chained.

Each entry is one JSON line written with a single ``write`` under a file lock, then
flushed to disk; nothing is ever rewritten. Every entry this module writes carries
``prev``, the SHA-256 of the previous line's bytes (across the journal's files in name
order), so that a deleted or edited line breaks the chain and ``relancegen check`` says so
(:func:`relancegen.site.journal.verify_chain`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from filelock import FileLock

from relancegen.errors import RelancegenError

from relancegen.site.journal import journal_files

LOCK_NAME = ".journal.lock"


#: The clock seam: an ISO time with its UTC offset that replaces the clock for the journal's
#: times (simulations of the daily routine, tests). Never set it in production.
CLOCK_VARIABLE = "RELANCEGEN_NOW"


def now() -> dt.datetime:
    """The current local time with its UTC offset, to the second (or ``$RELANCEGEN_NOW``)."""
    pinned = os.environ.get(CLOCK_VARIABLE)
    if pinned:
        try:
            moment = dt.datetime.fromisoformat(pinned)
        except ValueError:
            raise RelancegenError(f"{CLOCK_VARIABLE}={pinned!r}: expected an ISO time with its UTC offset") from None
        if moment.tzinfo is not None:
            return moment.replace(microsecond=0)
        raise RelancegenError(f"{CLOCK_VARIABLE}={pinned!r}: the time needs its UTC offset, e.g. +01:00")
    return dt.datetime.now().astimezone().replace(microsecond=0)


def append_entry(journal_dir: Path, entry: dict[str, Any]) -> dict[str, Any]:
    """Append one entry (``time`` filled in when missing) and return it as written."""
    journal_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(str(journal_dir / LOCK_NAME), timeout=30):
        record = {"time": now().isoformat(), **entry}
        record["prev"] = _last_line_hash(journal_dir)
        line = json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n"
        target = journal_dir / f"{record['time'][:4]}.jsonl"
        with target.open("ab") as stream:
            stream.write(line.encode("utf-8"))
            stream.flush()
            os.fsync(stream.fileno())
    return record


def _last_line_hash(journal_dir: Path) -> str | None:
    for path in reversed(journal_files(journal_dir)):
        lines = [line for line in path.read_bytes().splitlines() if line.strip()]
        if lines:
            return hashlib.sha256(lines[-1]).hexdigest()
    return None
