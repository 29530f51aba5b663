"""HTML → PDF with WeasyPrint.

WeasyPrint is imported here, lazily, so that ``penalties`` and HTML-only work never pay
for it (``check`` imports it in ``relancegen.documents.stylecheck``, to read stylesheets). Each process keeps one font configuration per font set: the
theme's fonts subset to Latin-script characters (``relancegen.documents.fontcache``), used whenever
a document's characters allow it, and the full fonts otherwise. Output is reproducible:
the document dates come from the HTML (``dcterms.created``, set from the build date by
the theme) and nothing else varies, so identical inputs give identical bytes and the
hashes in the manifest and the journal mean something.

A document reads nothing but the files of its theme and of the site's ``overrides/`` and
``assets/`` folders (the folders the renderer allows, :func:`allow_folders`) and ``data:``
URIs: a letter or an override cannot put ``file:///etc/passwd`` or an ``http://`` fetch
into a PDF.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from relancegen.documents import fontcache
from relancegen.documents.assets import AssetChain
from relancegen.hookspecs import hookimpl

FONT_SUFFIXES = (".ttf", ".otf")

#: The folders documents may read files from; set by the renderer of this process.
_allowed_folders: tuple[Path, ...] = ()


def allow_folders(folders: list[Path]) -> None:
    """Let documents read files from these folders (the theme chain, the site's overrides/
    and assets/, the template folders plugins ship), and from nowhere else."""
    global _allowed_folders
    _allowed_folders = tuple(folder.resolve() for folder in folders)


def allowed_url(url: str) -> bool:
    """``data:`` URIs, and ``file:`` URLs whose real path is inside an allowed folder."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "data":
        return True
    if scheme != "file" or parts.netloc not in ("", "localhost"):
        return False
    path = Path(unquote(parts.path)).resolve()
    return any(folder == path or folder in path.parents for folder in _allowed_folders)


@functools.lru_cache(maxsize=2)
def _font_configuration(subset: bool) -> Any:
    """One font configuration per font set, shared by the process's PDFs."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def _url_fetcher(assets: AssetChain | None, subset: bool) -> Any:
    """WeasyPrint's URL fetcher, finding assets through the theme chain (``assets``) and
    serving local fonts as their cached Latin subsets (``subset``)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class AssetFetcher(URLFetcher):  # type: ignore[misc]
        """Finds a relative URL through the asset chain, refuses every URL but the allowed
        files and data URIs (WeasyPrint then renders without the resource and logs why), and
        serves local fonts as their cached subsets."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            found = assets.locate(url) if assets is not None else None
            if found is not None:
                url = found.as_uri()
            if not allowed_url(url):
                raise ValueError(f"relancegen documents read only their theme, overrides/, assets/ and data: URIs, not {url[:80]}")
            if subset and url.startswith("file:") and url.lower().endswith(FONT_SUFFIXES):
                response = super().fetch(url, headers)
                try:
                    data = response.read()
                finally:
                    response.close()
                return URLFetcherResponse(url, fontcache.subset_font(data))
            return super().fetch(url, headers)

    return AssetFetcher()


def render_pdf(html: str, base_url: str, assets: AssetChain | None = None) -> bytes:
    """Render one HTML document (with its inline stylesheet) to PDF bytes; relative URLs
    resolve against ``base_url``, then through ``assets`` (see :mod:`relancegen.documents.assets`)."""
    from weasyprint import HTML

    subset = fontcache.covers(html)
    document = HTML(string=html, base_url=base_url + "/", url_fetcher=_url_fetcher(assets, subset))
    # Without HarfBuzz's subsetter, WeasyPrint cuts every PDF's fonts down with fontTools,
    # which parses each font again at each PDF. The cached Latin subsets are small enough
    # to embed whole instead: about 60 KB more per PDF, 40 % less time.
    full_fonts = subset and not _harfbuzz_subsets_fonts()
    return document.write_pdf(font_config=_font_configuration(subset), full_fonts=full_fonts, uncompressed_pdf=False)


def _harfbuzz_subsets_fonts() -> bool:
    """Whether WeasyPrint found HarfBuzz's subsetter (Debian: libharfbuzz-subset0)."""
    import weasyprint.pdf.fonts

    return bool(getattr(weasyprint.pdf.fonts, "harfbuzz_subset", None))


@hookimpl(trylast=True)
def relancegen_render_pdf(html: str, base_url: str, assets: AssetChain | None) -> bytes:
    """The default renderer, registered as the built-in plugin ``weasyprint``."""
    return render_pdf(html, base_url, assets)
