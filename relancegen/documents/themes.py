"""Themes installed as Python packages, and the style variables a theme chain declares.

A package makes a theme installable by declaring an entry point in the group
``relancegen.themes`` whose name is the theme's name and whose value is the package holding
the theme's folder (``theme.yml``, templates, ``assets/``, ``fonts/``)::

    [project.entry-points."relancegen.themes"]
    cabinet = "relancegen_theme_cabinet"

after which ``site.theme: cabinet`` (or ``extends: cabinet``) finds it.

Style variables are the colours and type sizes that printed letters and emails share:
``style:`` in a ``theme.yml`` declares them, a child theme overrides some of them, and
templates read them as ``style.<name>`` (``{{ style.accent }}`` in ``style.css`` and in the
inline styles of ``email.html``).
"""

from __future__ import annotations

import importlib.util
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import yaml
from markupsafe import Markup

from relancegen.errors import RelancegenError

ENTRY_POINT_GROUP = "relancegen.themes"
THEME_FILE = "theme.yml"


def installed_theme(name: str) -> Path | None:
    """The folder of the theme an installed package declares under ``name``, or None."""
    for entry_point in entry_points(group=ENTRY_POINT_GROUP, name=name):
        spec = importlib.util.find_spec(entry_point.value)
        if spec is None or not spec.submodule_search_locations:
            raise RelancegenError(f"theme {name!r}: entry point {entry_point.value!r} ({ENTRY_POINT_GROUP}) is not an importable package")
        return Path(next(iter(spec.submodule_search_locations))).resolve()
    return None


def theme_metadata(folder: Path) -> dict[str, Any]:
    """A theme's ``theme.yml`` (empty when it has none)."""
    path = folder / THEME_FILE
    if not path.is_file():
        return {}
    try:
        meta = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise RelancegenError(f"{path}: not valid YAML: {error}") from None
    if not isinstance(meta, dict):
        raise RelancegenError(f"{path}: expected a mapping (name, extends, style...)")
    return meta


def style_variables(chain: list[Path]) -> dict[str, Any]:
    """The ``style:`` variables of a theme chain (the theme first, then those it extends):
    the nearest theme's value of each variable wins."""
    merged: dict[str, Any] = {}
    for folder in reversed(chain):
        style = theme_metadata(folder).get("style") or {}
        if not isinstance(style, dict):
            raise RelancegenError(f"{folder / THEME_FILE}: style: expected a mapping of variables")
        merged.update(style)
    # The theme's own values, written by its author: printed into CSS as they are.
    return {name: Markup(value) if isinstance(value, str) else value for name, value in merged.items()}
