"""Theme and site assets: the images, fonts and other files templates and stylesheets name
by relative URL (``<img src="assets/logo.svg">``, ``url(fonts/Firm-Regular.ttf)``).

An asset is found like a template, first match wins: the site's ``assets/`` folder (for
URLs starting with ``assets/``), the site's ``overrides/`` folder, the site's theme, then
the themes it extends. So a child theme that only says ``extends: classic`` keeps classic's
fonts, and a font or logo dropped into ``overrides/`` replaces the theme's. Nothing outside
these folders is ever served as an asset.

Documents resolve relative URLs against the theme's folder (the ``base_url`` given to the
PDF renderer); :meth:`AssetChain.locate` maps the resulting ``file:`` URL back to its
relative name and looks that up through the chain.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlparse

ASSETS_DIR = "assets"


@dataclass(frozen=True)
class AssetChain:
    """Where a site's documents find their assets, in search order."""

    site_assets: Path  # <site>/assets, for URLs starting with "assets/"
    folders: tuple[Path, ...]  # <site>/overrides, the theme, the themes it extends

    def find(self, relative: str) -> Path | None:
        """The file a relative URL such as ``assets/logo.svg`` names, or None when no folder
        of the chain has it (or the name tries to leave the folders)."""
        name = PurePosixPath(unquote(relative.split("?")[0].split("#")[0]))
        if name.is_absolute() or not name.parts or ".." in name.parts or "\\" in relative:
            return None
        candidates = [folder / name for folder in self.folders]
        if name.parts[0] == ASSETS_DIR:
            candidates.insert(0, self.site_assets.joinpath(*name.parts[1:]))
        return next((path for path in candidates if path.is_file()), None)

    def locate(self, url: str) -> Path | None:
        """The asset a ``file:`` URL inside one of the chain's folders stands for, looked up
        through the whole chain; None for any other URL."""
        parsed = urlparse(url)
        if parsed.scheme != "file":
            return None
        path = Path(unquote(parsed.path))
        for folder, prefix in ((self.site_assets, (ASSETS_DIR,)), *((folder, ()) for folder in self.folders)):
            if path.is_relative_to(folder):
                return self.find(PurePosixPath(*prefix, *path.relative_to(folder).parts).as_posix())
        return None
