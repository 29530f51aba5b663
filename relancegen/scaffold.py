"""``relancegen new DIR``: write a small working site to start from."""

from __future__ import annotations

import shutil
from pathlib import Path

from relancegen.errors import RelancegenError

SITE_TEMPLATE = Path(__file__).parent / "site_template"


def new_site(target: Path) -> list[Path]:
    """Copy the site template into ``target`` (which must not exist or be empty).

    Returns the files written, relative to ``target``.
    """
    if target.exists() and any(target.iterdir()):
        raise RelancegenError(f"{target} already exists and is not empty")
    shutil.copytree(SITE_TEMPLATE, target, dirs_exist_ok=True)
    return sorted(p.relative_to(target) for p in target.rglob("*") if p.is_file())
