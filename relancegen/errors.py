"""The one error type users see: a located problem in their site.

Every check that can fail on user input reports a :class:`Problem` carrying the file,
the line and the field, so the CLI can print ``file:line: field: message`` for all of
them at once and exit 1 without a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


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


class RelancegenError(Exception):
    """A user-facing failure that is not about site content (missing folder, bad option)."""


def relative_name(path: Path, root: Path) -> str:
    """The path as the user knows it: relative to the site root when inside it."""
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
