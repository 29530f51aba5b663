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
    if target.exists() and not target.is_dir():
        raise RelancegenError(f"{target} already exists and is not a folder")
    if target.is_dir() and any(target.iterdir()):
        raise RelancegenError(f"{target} already exists and is not empty")
    try:
        shutil.copytree(SITE_TEMPLATE, target, dirs_exist_ok=True)
    except shutil.Error as error:  # copytree gathers the failure of each file
        first = error.args[0][0] if error.args and error.args[0] else ("", "", str(error))
        raise RelancegenError(f"cannot create the site in {target}: {first[2]}") from None
    except OSError as error:
        raise RelancegenError(f"cannot create the site in {target}: {error.strerror or error}") from None
    return sorted(p.relative_to(target) for p in target.rglob("*") if p.is_file())
