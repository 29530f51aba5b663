"""HTML → PDF with WeasyPrint.

WeasyPrint is imported here, lazily, so that ``check``, ``penalties`` and HTML-only
work never pay for it. One font configuration is shared per process. Output is
reproducible: the document dates come from the HTML (``dcterms.created``, set from the
build date by the theme) and nothing else varies, so identical inputs give identical
bytes and the hashes in the manifest and the journal mean something.
"""

from __future__ import annotations

import functools
from typing import Any

from relancegen.hookspecs import hookimpl


@functools.lru_cache(maxsize=1)
def _font_configuration() -> Any:
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def render_pdf(html: str, base_url: str) -> bytes:
    """Render one HTML document (with its inline stylesheet) to PDF bytes."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=base_url + "/")
    return document.write_pdf(font_config=_font_configuration(), uncompressed_pdf=False)


@hookimpl(trylast=True)
def relancegen_render_pdf(html: str, base_url: str) -> bytes:
    """The default renderer, registered as the built-in plugin ``weasyprint``."""
    return render_pdf(html, base_url)
