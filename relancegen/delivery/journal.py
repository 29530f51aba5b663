"""Appending to the journal: whole lines or nothing, locked, hash-chained, with its HEAD.

Each entry is one JSON line written with a single ``write`` under a file lock, then
flushed to disk; nothing is ever rewritten. Before writing, the free space is checked; a
write that fails half-way (a full disk) is truncated back, so that the journal never keeps
half a line of ours. Every entry carries ``prev``, the SHA-256 of the line before it (across
the journal's files in name order), and ``HEAD`` beside the journal names the line just
written, so that a changed, removed or inserted line shows
(:func:`relancegen.site.journal.verify_chain`).

Entries go to the journal's last file in name order, or to ``<year>.jsonl`` when that name
sorts after it: the chain and the files then run in the same order, however a person split
the journal.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import shutil
from pathlib import Path
from typing import Any

from filelock import FileLock

from relancegen.errors import RelancegenError
from relancegen.fsutil import write_atomic
from relancegen.site.journal import HEAD_NAME, journal_files, line_hash

LOCK_NAME = ".journal.lock"
LOCK_TIMEOUT = 30
TAIL = 1 << 16  # bytes read from the end of a file to find its last line
HEAD_ROOM = 4096  # what HEAD needs on disk besides the line


class JournalWriteError(RelancegenError):
    """The journal could not take an entry; nothing of it was kept."""


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


def append_entry(journal_dir: Path, entry: dict[str, Any], *, reserve: int = 0) -> dict[str, Any]:
    """Append one entry (``time`` filled in when missing) and return it as written.

    ``reserve``: bytes that must stay free after this line (``send`` keeps room for the
    outcome of the delivery it is about to attempt). Raises :class:`JournalWriteError`
    when the line cannot be written whole; the journal is then as it was.
    """
    journal_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(str(journal_dir / LOCK_NAME), timeout=LOCK_TIMEOUT):
        record = {"time": now().isoformat(), **entry}
        files = journal_files(journal_dir)
        last = _last_line(files)
        record["prev"] = line_hash(last) if last is not None else None
        target = _target(journal_dir, files, record["time"][:4])
        line = json.dumps(record, ensure_ascii=False, sort_keys=False).encode("utf-8")
        number = _write_whole(target, line, reserve)
        try:
            head = {"file": target.name, "line": number, "sha256": line_hash(line)}
            write_atomic(journal_dir / HEAD_NAME, (json.dumps(head) + "\n").encode("utf-8"))
        except OSError:
            pass  # the entry is written; verify_chain reports a HEAD that lags behind it
    return record


def _target(journal_dir: Path, files: list[Path], year: str) -> Path:
    yearly = journal_dir / f"{year}.jsonl"
    if not files or yearly.name >= files[-1].name:
        return yearly
    return files[-1]


def _last_line(files: list[Path]) -> bytes | None:
    """The journal's last non-blank line, read from the end of the last file that has one."""
    for path in reversed(files):
        with path.open("rb") as stream:
            size = stream.seek(0, os.SEEK_END)
            chunk = TAIL
            while True:
                stream.seek(max(0, size - chunk))
                lines = [line.rstrip(b"\r") for line in stream.read().split(b"\n") if line.strip()]
                if len(lines) > 1 or chunk >= size:
                    break
                chunk *= 2
            if lines:
                return lines[-1]
    return None


def _write_whole(target: Path, line: bytes, reserve: int) -> int:
    """Append ``line`` in one write, or nothing; returns its line number in the file."""
    free, needed = shutil.disk_usage(target.parent).free, len(line) + 2 + HEAD_ROOM + reserve
    if free < needed:
        raise JournalWriteError(f"not enough free space for the journal in {target.parent} ({free} bytes free, {needed} needed): nothing was written")
    created = not target.exists()
    fd = os.open(target, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        size = os.fstat(fd).st_size
        content = os.pread(fd, size, 0) if size else b""
        # A line of ours cut off by a crash stays as it is (append-only): ours starts on a new line.
        data = (b"\n" if content and not content.endswith(b"\n") else b"") + line + b"\n"
        try:
            written = os.write(fd, data)
            if written != len(data):
                raise OSError(errno.ENOSPC, f"only {written} of {len(data)} bytes could be written")
            os.fsync(fd)
        except OSError as error:
            _truncate(fd, size)
            raise JournalWriteError(f"could not write to {target}: {error.strerror or error}; the entry was not written") from error
    finally:
        os.close(fd)
    if created:
        _sync_folder(target.parent)
    return content.count(b"\n") + data.count(b"\n")


def _truncate(fd: int, size: int) -> None:
    try:
        os.ftruncate(fd, size)
        os.fsync(fd)
    except OSError:
        pass  # the reader reports a cut-off line with its location


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
