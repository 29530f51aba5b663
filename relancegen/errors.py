"""The one error type users see: a located problem in their site.

Every check that can fail on user input reports a :class:`Problem` carrying the file,
the line and the field, so the CLI can print ``file:line: field: message`` for all of
them at once and exit 1 without a traceback.
"""

from __future__ import annotations

import reprlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True, order=True)
class Location:
    """Where a value came from: a file and a 1-based line (0 when unknown)."""

    file: str
    line: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True)
class Problem:
    """One located problem. ``severity`` is ``error`` (blocks the build) or ``warning``."""

    location: Location
    field: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        prefix = "" if self.severity == "error" else "warning: "
        field = f"{self.field}: " if self.field else ""
        return f"{self.location}: {prefix}{field}{self.message}"


class SiteError(Exception):
    """Raised when a site cannot be used; carries every problem found, in file/line order."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.location, p.field))
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple[type, tuple[list[Problem]]]:
        # Rebuilt from its problems when it crosses from a worker process.
        return (SiteError, (self.problems,))


class RelancegenError(Exception):
    """A user-facing failure that is not about site content (missing folder, bad option)."""


def not_utf8(path: Path, error: UnicodeDecodeError, what: str) -> tuple[int, str]:
    """The line where a site file stops being UTF-8 text, and the message saying so to the
    author of the ``what`` (a letter, a template, a stylesheet)."""
    line = path.read_bytes()[: error.start].count(b"\n") + 1
    return line, f"not UTF-8 text ({error.reason}): save the {what} as UTF-8"


def relative_name(path: Path, root: Path) -> str:
    """The path as the user knows it: relative to the site root when inside it."""
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


_SHORT = reprlib.Repr()
_SHORT.maxstring = 60
_SHORT.maxother = 60
_SHORT.maxlist = _SHORT.maxtuple = _SHORT.maxdict = _SHORT.maxset = 4
_SHORT.maxlevel = 2
_SHORT.maxlong = 40


def cut(text: str, limit: int = 200) -> str:
    """``text`` whole when short, else its start and end around an ellipsis."""
    return text if len(text) <= limit else f"{text[:limit // 2]}…{text[-limit // 2:]}"


def shown(value: Any) -> str:
    """A value as messages quote it: its repr, cut to a few dozen characters, so that a
    10 MB string or a deeply nested list never ends up whole in an error."""
    try:
        return _SHORT.repr(value)
    except ValueError:  # an integer past Python's 4,300-digit conversion limit
        return "(a number too long to show)"
