"""The loopback HTTP server of ``relancegen serve`` and its reload loop.

Routes:

- ``/``: the dashboard with every client, stage and document (``relancegen.build.dashboard``);
- ``/doc/<client>/<stage>/<name>.html`` and ``.pdf``: one document, rendered on demand;
- ``/_assets/<name>``: an asset found through the theme chain (documents get
  ``<base href="/_assets/">``, so their relative URLs resolve as in a PDF);
- ``/_reload?since=N``: a long poll answering ``{"version": M}`` as soon as the site was
  reloaded (M > N), or after ``POLL_SECONDS``; every page's script reloads itself then;
- ``/_specimen?on=1``: switch the specimen of every stage (``--all-stages``) on or off.

A watcher thread polls the site's and the theme's files (``relancegen.serve.watch``) and
reloads the preview when one changes. Problems never stop the server: they are shown on
every page, with their file and line, until the next edit fixes them.
"""

from __future__ import annotations

import json
import mimetypes
import re
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from markupsafe import escape

from relancegen.documents.themecheck import problems_of
from relancegen.errors import Problem
from relancegen.serve import watch
from relancegen.serve.preview import Preview

POLL_SECONDS = 25
WATCH_INTERVAL = 0.2
RELOAD_SCRIPT = """<script>
(function () {
  var version = %d;
  function poll() {
    fetch("/_reload?since=" + version, {cache: "no-store"})
      .then(function (response) { return response.json(); })
      .then(function (answer) { if (answer.version !== version) { location.reload(); } else { poll(); } },
            function () { setTimeout(poll, 1000); });
  }
  poll();
})();
</script>"""
PROBLEMS_BOX = (
    '<div id="problems" style="position:fixed;z-index:9999;left:0;right:0;bottom:0;max-height:45%%;overflow:auto;'
    'background:#fde8e8;border-top:3px solid #b00;color:#1a1a1a;font:13px/1.4 monospace;padding:8px 12px;white-space:pre-wrap">'
    "<strong>relancegen serve: %s</strong>\n%s</div>"
)
#: On screen, a printed document sits on an A4 sheet with the print margins.
SHEET_STYLE = (
    "<style>@media screen { html { background: #8a8a8a; } body { position: relative; box-sizing: border-box; "
    "width: 210mm; min-height: 297mm; margin: 8mm auto; padding: 15mm 18mm 24mm 20mm; background: #fff; "
    "box-shadow: 0 2px 10px rgba(0,0,0,.4); } }</style>"
)
HEAD = re.compile(r"<head[^>]*>", re.I)
BODY_END = re.compile(r"</body\s*>", re.I)


class PreviewServer(ThreadingHTTPServer):
    """The HTTP server, holding the preview and the version its pages wait on."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], preview: Preview):
        super().__init__(address, PreviewHandler)
        self.preview = preview
        self.version = 0
        self.changed = threading.Condition()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/"

    def reloaded(self) -> None:
        """Tell the waiting pages that the preview changed."""
        with self.changed:
            self.version += 1
            self.changed.notify_all()

    def wait_for_change(self, since: int, timeout: float) -> int:
        with self.changed:
            self.changed.wait_for(lambda: self.version != since, timeout)
            return self.version


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        """Quiet: the terminal shows reloads and problems, not every request."""

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        path = url.path
        if path == "/":
            self._page(self.server.preview.index_html(), [])
        elif path.startswith("/doc/") and path.endswith((".html", ".pdf")):
            self._document(path[len("/doc/"):])
        elif path.startswith("/_assets/"):
            self._asset(path[len("/_assets/"):])
        elif path == "/_reload":
            since = int((query.get("since") or ["0"])[0] or 0)
            version = self.server.wait_for_change(since, POLL_SECONDS)
            self._send(HTTPStatus.OK, "application/json", json.dumps({"version": version}).encode())
        elif path == "/_specimen":
            self.server.preview.set_specimen((query.get("on") or ["1"])[0] == "1")
            self.server.reloaded()
            self.send_response(HTTPStatus.SEE_OTHER)
            self.send_header("Location", "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self._send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"not found\n")

    def _document(self, name: str) -> None:
        preview = self.server.preview
        address, _, file_format = name.rpartition(".")
        try:
            if file_format == "pdf":
                self._send(HTTPStatus.OK, "application/pdf", preview.document_pdf(address))
            else:
                self._page(preview.document_html(address), preview.state.problems, document=True)
        except KeyError:
            self._page(f"<!DOCTYPE html><html><head><title>relancegen serve</title></head><body><p>No document {escape(address)} today. "
                       '<a href="/">Back to the index</a></p></body></html>', [], status=HTTPStatus.NOT_FOUND)
        except Exception as error:  # noqa: BLE001 - a template error is shown, never fatal
            problems = [*problems_of(error), *preview.state.problems]
            self._page("<!DOCTYPE html><html><head><title>relancegen serve: error</title></head><body></body></html>",
                       problems, status=HTTPStatus.INTERNAL_SERVER_ERROR)

    def _asset(self, name: str) -> None:
        site_state = self.server.preview.state
        found = site_state.renderer.assets.find(name) if site_state.renderer is not None else None
        if found is None:
            self._send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"no such asset\n")
            return
        content_type = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
        self._send(HTTPStatus.OK, content_type, found.read_bytes())

    def _page(self, html: str, problems: list[Problem], *, document: bool = False, status: HTTPStatus = HTTPStatus.OK) -> None:
        """An HTML page with the reload script, and the problems box when there are any."""
        if document:
            html = HEAD.sub(lambda match: match.group() + '<base href="/_assets/">', html, count=1)
            html = html.replace("</head>", SHEET_STYLE + "</head>", 1) if "@page" in html else html
        tail = RELOAD_SCRIPT % self.server.version
        if problems:
            count = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
            tail = PROBLEMS_BOX % (count, escape("\n".join(str(problem) for problem in problems))) + tail
        html = BODY_END.sub(lambda match: tail + match.group(), html, count=1) if BODY_END.search(html) else html + tail
        self._send(status, "text/html; charset=utf-8", html.encode("utf-8"))

    def _send(self, status: HTTPStatus, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


def watched_files(preview: Preview) -> watch.Snapshot:
    return watch.snapshot(preview.watched_folders(), skip=[preview.output_folder()])


def watch_and_reload(server: PreviewServer, before: watch.Snapshot, stop: threading.Event, interval: float = WATCH_INTERVAL) -> None:
    """Poll the watched files (``before``: as the preview was loaded); on a change, reload
    the preview and the pages."""
    preview = server.preview
    while not stop.wait(interval):
        after = watched_files(preview)
        changed = watch.changed_files(before, after)
        if not changed:
            continue
        started = time.monotonic()
        preview.reload()
        server.reloaded()
        before = after  # an edit made while reloading shows at the next poll
        names = ", ".join(changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
        print(f"changed: {names}; reloaded in {time.monotonic() - started:.2f} s", file=sys.stderr, flush=True)
        for problem in preview.state.problems:
            print(f"  {problem}", file=sys.stderr, flush=True)


def serve(preview: Preview, host: str, port: int, on_ready: Any = None) -> None:
    """Load the preview, then serve it until interrupted."""
    before = watched_files(preview)
    preview.reload()
    server = PreviewServer((host, port), preview)
    stop = threading.Event()
    watcher = threading.Thread(target=watch_and_reload, args=(server, before, stop), name="relancegen-watch", daemon=True)
    watcher.start()
    if on_ready is not None:
        on_ready(server)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()
