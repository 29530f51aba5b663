"""Worker processes of ``relancegen build --jobs N``.

Each worker gets the site's settings once (not its clients, invoices or journal: each task
carries its client's situation), creates one renderer (one parsed theme, one WeasyPrint
font configuration) and renders the documents it is handed. Workers are started with
``spawn``, so nothing of the parent's state (or of WeasyPrint) leaks in through ``fork``.
A worker whose build process is gone (killed, even with SIGKILL) stops within a second:
a killed build never leaves workers running.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from relancegen.site.model import Site
from relancegen.documents.render import RenderedDocument, Renderer

_renderer: Renderer | None = None


def start(site: Site) -> None:
    """Process-pool initializer: build this worker's renderer for the site's settings."""
    global _renderer
    from relancegen.plugins import plugin_renderer

    _watch_parent()

    _renderer = plugin_renderer(site)


def render(task: Any) -> RenderedDocument:
    """Run one render task of the build (``relancegen.build.pipeline.RenderTask`` or ``CallListTask``)."""
    assert _renderer is not None, "workers.start was not called"
    return task.run(_renderer)


def _watch_parent() -> None:
    """Exit this worker as soon as the build process that started it is gone: the
    parent's sentinel (a pipe end the parent holds) becomes ready when it dies, even when
    it died before this worker finished starting."""
    import multiprocessing.connection

    parent = multiprocessing.parent_process()
    if parent is None or parent.sentinel is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
