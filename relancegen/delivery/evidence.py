"""The evidence store: the exact bytes of everything delivered, kept in the journal folder.

Before a channel is called, every document and attachment of the delivery is stored as
``<journal>/evidence/<sha256>``, content-addressed and never rewritten (read-only files), so
that each hash the journal names resolves to the bytes the debtor received, whatever later
builds write into the output folder. :func:`verify_evidence` (``relancegen journal verify``)
checks that they all do.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from relancegen.errors import Problem, RelancegenError, relative_name
from relancegen.fsutil import sha256_bytes, sha256_file
from relancegen.site.journal import journal_lines

EVIDENCE = "evidence"


class EvidenceError(RelancegenError):
    """A stored piece of evidence does not hold the bytes its name says."""


def evidence_path(journal_dir: Path, sha256: str) -> Path:
    return journal_dir / EVIDENCE / sha256


def store(journal_dir: Path, data: bytes) -> str:
    """Keep ``data`` as evidence (once: an existing copy is checked, never rewritten); returns its sha256."""
    digest = sha256_bytes(data)
    target = evidence_path(journal_dir, digest)
    if target.is_file():
        if sha256_file(target) != digest:
            raise EvidenceError(f"{target} does not hold the bytes its name says: the evidence store was altered")
        return digest
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=target.parent)
    except OSError as error:
        raise EvidenceError(f"could not store evidence in {target.parent}: {error.strerror or error}; nothing was attempted") from error
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o444)
        os.replace(temporary, target)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise EvidenceError(f"could not store evidence in {target.parent}: {error.strerror or error}; nothing was attempted") from error
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return digest


def verify_evidence(journal_dir: Path, site_root: Path) -> tuple[list[Problem], int]:
    """Every sha256 the journal names must resolve to a file with those bytes: a proof's
    ``file`` when it names one, else the evidence store. Returns the problems and the
    number of hashes checked."""
    problems = []
    checked = 0
    for line in journal_lines(journal_dir, site_root):
        try:
            raw = json.loads(line.data)
        except ValueError:
            continue
        for field, digest, named in _hashes(raw, ""):
            checked += 1
            path = site_root / named if named else evidence_path(journal_dir, digest)
            problem = _check(path, digest, site_root) if path.resolve().is_relative_to(site_root.resolve()) else f"{named} is outside the site"
            if problem:
                problems.append(Problem(line.location, field, problem))
    return problems, checked


def _hashes(value: Any, where: str) -> Iterator[tuple[str, str, str | None]]:
    """(field, sha256, file named beside it) for every ``sha256`` in an entry, ``prev`` aside."""
    if isinstance(value, dict):
        digest = value.get("sha256")
        if isinstance(digest, str):
            named = value.get("file")
            yield f"{where}sha256".lstrip("."), digest, named if isinstance(named, str) else None
        for key, item in value.items():
            if key != "sha256":
                yield from _hashes(item, f"{where}{key}.")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _hashes(item, f"{where[:-1]}[{index}].")


def _check(path: Path, digest: str, site_root: Path) -> str | None:
    name = relative_name(path, site_root)
    if not path.is_file():
        return f"{digest[:12]}… has no stored copy ({name} is missing)"
    if sha256_file(path) != digest:
        return f"{name} does not hold the bytes of {digest[:12]}… (it was changed)"
    return None
