"""Noticing that a site file, a letter, a theme file or an override changed.

Polling, with the standard library only: every file under the watched folders is listed
with its modification time and size, and two listings that differ mean a change. A few
hundred files cost a millisecond or two per poll.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

Snapshot = dict[str, tuple[int, int]]


def snapshot(folders: Iterable[Path], skip: Iterable[Path] = ()) -> Snapshot:
    """Every file under ``folders`` (hidden ones and those under ``skip`` left out), with
    its modification time and size."""
    skipped = {str(path) for path in skip}
    found: Snapshot = {}
    for folder in folders:
        for directory, subdirectories, files in os.walk(folder):
            subdirectories[:] = [d for d in subdirectories if not d.startswith(".") and os.path.join(directory, d) not in skipped]
            for name in files:
                if name.startswith("."):
                    continue
                path = os.path.join(directory, name)
                try:
                    status = os.stat(path)
                except OSError:
                    continue
                found[path] = (status.st_mtime_ns, status.st_size)
    return found


def changed_files(before: Snapshot, after: Snapshot) -> list[str]:
    """The files added, removed or modified between two snapshots."""
    return sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))
