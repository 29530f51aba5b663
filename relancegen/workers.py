"""Worker processes of ``relancegen build --jobs N``.

Each worker loads the site once, creates one renderer (one parsed theme, one WeasyPrint
font configuration) and renders the documents it is handed. Workers are started with
``spawn``, so nothing of the parent's state (or of WeasyPrint) leaks in through ``fork``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from relancegen.render import RenderedDocument, Renderer

_renderer: Renderer | None = None


def start(site_root: Path) -> None:
    """Process-pool initializer: load the site and build this worker's renderer."""
    global _renderer
    from relancegen.build import plugin_renderer
    from relancegen.loader import load_site

    _renderer = plugin_renderer(load_site(site_root))


def render(task: Any) -> RenderedDocument:
    """Run one render task of the build (``relancegen.build.RenderTask`` or ``CallListTask``)."""
    assert _renderer is not None, "workers.start was not called"
    return task.run(_renderer)
