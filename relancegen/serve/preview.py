"""The site as ``relancegen serve`` shows it: every client, stage and document.

A :class:`Preview` is rebuilt whenever a watched file changes (see ``relancegen.serve.server``):
the site is loaded again, the situations computed again, the theme parsed again. Documents
render only when a page asks for them; each PDF is kept under its document key (the same
input hash as incremental builds), so after an edit only the documents whose inputs changed
are printed again. A problem (a site error, a template or a stylesheet error) never stops
the preview: it is kept, with its file and line, for the page to show.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from pathlib import Path

from relancegen.build.dashboard import DocumentLink, dashboard_page
from relancegen.build.inputs import document_key
from relancegen.build.pipeline import BuildOptions, document_specs, site_inputs_key, situations_for
from relancegen.documents.kinds import DocumentSpec, document_path
from relancegen.documents.render import Renderer, theme_chain
from relancegen.documents.stylecheck import stylesheet_problems
from relancegen.documents.themecheck import problems_of, theme_problems
from relancegen.errors import Problem, RelancegenError
from relancegen.law.situation import ClientSituation
from relancegen.plugins import plugin_renderer
from relancegen.site.loader import load_site
from relancegen.site.model import Site

MAX_CACHED_PDFS = 256


@dataclass(frozen=True)
class PreviewDocument:
    """One document of the preview, addressed as ``<client>/<stage>/<name>``."""

    situation: ClientSituation
    spec: DocumentSpec
    key: str

    @property
    def address(self) -> str:
        return document_path(self.situation.client.id, self.spec, "x").with_suffix("").as_posix()


@dataclass
class PreviewState:
    """What one load of the site gave: the documents, or the problems that stopped it."""

    site: Site | None = None
    renderer: Renderer | None = None
    as_of: dt.date | None = None
    documents: dict[str, PreviewDocument] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


class Preview:
    """The site in ``site_dir``, loaded again by :meth:`reload`."""

    def __init__(self, site_dir: Path, *, all_stages: bool = False, as_of: dt.date | None = None):
        self.site_dir = site_dir
        self.all_stages = all_stages
        self.requested_date = as_of
        self.state = PreviewState()
        self._pdfs: dict[str, bytes] = {}
        self._print_lock = threading.Lock()  # WeasyPrint prints one document at a time; guards _pdfs
        self._reload_lock = threading.Lock()  # the watcher and the specimen switch both reload

    # -- loading ------------------------------------------------------------------------

    def reload(self) -> None:
        """Load the site, its theme and its situations again; keep the problems found."""
        with self._reload_lock:
            self._load()

    def _load(self) -> None:
        state = PreviewState()
        try:
            state.site = load_site(self.site_dir)
            state.as_of = self.requested_date or state.site.as_of or dt.date.today()
            state.renderer = plugin_renderer(state.site)
            site_key = site_inputs_key(state.site, state.renderer)
            options = BuildOptions(as_of=state.as_of, output=state.site.output, all_stages=self.all_stages)
            for situation in situations_for(state.site, options):
                for spec in document_specs(state.site, situation):
                    document = PreviewDocument(situation, spec, document_key(site_key, situation, spec))
                    state.documents[document.address] = document
            state.problems.extend(theme_problems(state.renderer))
            state.problems.extend(stylesheet_problems(state.renderer))
        except Exception as error:  # noqa: BLE001 - a site or theme error is shown, never fatal
            state.problems.extend(problems_of(error))
        self.state = state
        live = {document.key for document in state.documents.values()}
        with self._print_lock:
            self._pdfs = {key: pdf for key, pdf in self._pdfs.items() if key in live}

    def set_specimen(self, on: bool) -> None:
        if on != self.all_stages:
            self.all_stages = on
            self.reload()

    def watched_folders(self) -> list[Path]:
        """The site's folder and the folders of its theme chain (built-in themes included,
        for whoever edits them in a checkout)."""
        folders = [self.site_dir.resolve()]
        site = self.state.site
        if site is not None:
            try:
                folders += [folder for folder in theme_chain(site.root, site.theme) if not folder.is_relative_to(site.root)]
            except RelancegenError:
                pass
        return folders

    def output_folder(self) -> Path:
        site = self.state.site
        return site.output if site is not None else self.site_dir.resolve() / "_site"

    # -- pages --------------------------------------------------------------------------

    def index_html(self) -> str:
        """The dashboard, with a link to each document's HTML and PDF."""
        state = self.state
        preview = {"specimen": self.all_stages, "problems": state.problems}
        if state.site is None or state.as_of is None:
            return render_dashboard_placeholder(preview)
        links = [
            DocumentLink(
                document.situation.client.id, document.spec.stage, document.spec.name,
                tuple((fmt, f"/doc/{document.address}.{fmt}") for fmt in _viewable(document.spec)),
            )
            for document in state.documents.values()
        ]
        return dashboard_page(state.site, state.as_of, links, preview)

    def document_html(self, address: str) -> str:
        """The document's HTML (a printed document's page, or an email's HTML part)."""
        document, renderer = self._document(address)
        return renderer.render_html(document.spec, document.situation)

    def document_pdf(self, address: str) -> bytes:
        """The document's PDF, printed on first request and kept while its inputs stay the same."""
        document, renderer = self._document(address)
        with self._print_lock:
            if document.key not in self._pdfs:
                pdf = renderer.pdf(renderer.render_html(document.spec, document.situation))
                if len(self._pdfs) >= MAX_CACHED_PDFS:
                    self._pdfs.pop(next(iter(self._pdfs)))
                self._pdfs[document.key] = pdf
            return self._pdfs[document.key]

    def _document(self, address: str) -> tuple[PreviewDocument, Renderer]:
        state = self.state
        document = state.documents.get(address)
        if document is None or state.renderer is None:
            raise KeyError(address)
        return document, state.renderer


def _viewable(spec: DocumentSpec) -> tuple[str, ...]:
    """The formats the preview links to: the HTML, and the PDF of a printed document."""
    return ("html", "pdf") if "pdf" in spec.formats else ("html",)


def render_dashboard_placeholder(preview: dict) -> str:
    """The home page when the site could not be loaded: only its problems."""
    from markupsafe import escape

    items = "".join(f"<li><code>{escape(str(problem))}</code></li>" for problem in preview["problems"])
    return (
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>relancegen serve</title></head>'
        f'<body><div class="problems" id="problems"><p>Le site ne se charge pas :</p><ul>{items}</ul></div></body></html>'
    )
