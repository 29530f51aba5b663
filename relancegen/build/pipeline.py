"""The build pipeline, top to bottom.

``build_site`` walks the steps in order and fires the plugin events at each one:

1. ``relancegen_site_loaded``       the site is loaded and validated (by the caller)
2. ``relancegen_client_situation``  each client's situation on the build date is computed
3. each document of the client's stage is keyed on its inputs; a document whose key and
   file are unchanged since the last build is kept as is (incremental build)
4. ``relancegen_document_rendered`` the other documents are rendered (in ``--jobs``
   worker processes) into a staging folder, and moved into the output once all rendered:
   a build that fails writes nothing
5. the prioritised call list and ``manifest.json`` are written; documents the previous
   build listed and this one does not are removed
6. ``relancegen_build_finished``    the manifest is final
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from relancegen.documents import kinds as documents
from relancegen.build import manifest as manifest_io
from relancegen.errors import RelancegenError
from relancegen.fsutil import Staging, sha256_bytes, sha256_file, write_atomic
from relancegen.build.inputs import document_key, site_digest
from relancegen.documents.assets import ASSETS_DIR
from relancegen.documents.letters import builtin_letters_dir
from relancegen.site.model import Site
from relancegen.plugins import installed_plugins, plugin_renderer, require_plugins, site_hooks
from relancegen.documents.render import RenderedDocument, Renderer
from relancegen.law.situation import ClientSituation, call_priority, compute_situations, specimen_situations
from relancegen.law.todo import Todo, morning_todo

CALL_LIST_PATH = "call-list.pdf"
MIN_TASKS_PER_WORKER = 12


@dataclass(frozen=True)
class BuildOptions:
    as_of: dt.date
    output: Path
    client_id: str | None = None
    all_stages: bool = False
    jobs: int = 1
    force: bool = False
    shard: tuple[int, int] | None = None  # (k, n): the k-th of n shards, 1-based


@dataclass
class BuildSummary:
    """What a person reads after a build: documents per stage, clients left alone, warnings."""

    as_of: dt.date
    output: Path
    documents_per_stage: Counter[str] = field(default_factory=Counter)
    clients_per_stage: Counter[str] = field(default_factory=Counter)
    idle_clients: list[tuple[str, str]] = field(default_factory=list)  # (client id, reason)
    warnings: list[str] = field(default_factory=list)
    document_count: int = 0
    rendered: int = 0
    unchanged: int = 0
    todo: Todo | None = None  # the morning to-do of the build date (none for the specimen)


@dataclass(frozen=True)
class RenderTask:
    """One client document to render, keyed on its inputs."""

    situation: ClientSituation
    spec: documents.DocumentSpec
    key: str

    @property
    def cost(self) -> int:
        """Rough rendering cost, to hand the slowest work out first: a PDF costs a hundred
        times an HTML or text file."""
        return 1 if "pdf" in self.spec.formats else 0

    def run(self, renderer: Renderer) -> RenderedDocument:
        return renderer.render(self.spec, self.situation)


@dataclass(frozen=True)
class CallListTask:
    """The day's prioritised call list: one PDF for the whole site, the longest to render."""

    callers: list[ClientSituation]
    as_of: dt.date
    key: str
    cost = 2

    def run(self, renderer: Renderer) -> RenderedDocument:
        html = renderer.render_page("call_list.html", {"situations": self.callers, "as_of": self.as_of})
        return RenderedDocument({"pdf": renderer.pdf(html)})


def in_shard(client_id: str, shard: tuple[int, int] | None) -> bool:
    """Whether a client belongs to shard k of n: a stable hash of its id, so every machine
    of a CI matrix agrees without talking to the others."""
    if shard is None:
        return True
    k, n = shard
    return int(hashlib.sha256(client_id.encode()).hexdigest()[:8], 16) % n == k - 1


def build_site(site: Site, options: BuildOptions) -> BuildSummary:
    """Build every document of the site on ``options.as_of`` into ``options.output``."""
    hooks = site_hooks(site)
    hooks.relancegen_site_loaded(site=site)
    if options.client_id and options.client_id not in site.clients:
        raise RelancegenError(f"unknown client {options.client_id!r} (see data.clients in site.yml)")

    summary = BuildSummary(as_of=options.as_of, output=options.output)
    summary.warnings.extend(site.rates.coverage_warnings(options.as_of))
    renderer = plugin_renderer(site)
    require_plugins(site, renderer)
    site_key = site_inputs_key(site, renderer)
    previous = {} if options.force else _previous_entries(options.output)

    situations = situations_for(site, options)
    if not options.all_stages:
        summary.todo = morning_todo(site, situations, options.as_of)
    entries: list[dict[str, Any]] = []
    tasks: list[RenderTask | CallListTask] = []
    for situation in situations:
        hooks.relancegen_client_situation(site=site, situation=situation)
        specs = document_specs(site, situation)
        _note_situation(summary, situation, specs)
        for spec in specs:
            key = document_key(site_key, situation, spec)
            kept = _unchanged(previous, options.output, situation.client.id, spec, key)
            if kept:
                entries.extend(kept)
                summary.unchanged += len(kept)
            else:
                tasks.append(RenderTask(situation, spec, key))

    callers = call_priority([s for s in situations if s.stage == "call"])
    if callers and options.shard is None and options.client_id is None:
        call_list = CallListTask(callers, options.as_of, _call_list_key(site_key, callers))
        kept_list = _kept_entry(previous, options.output, CALL_LIST_PATH, call_list.key)
        if kept_list:
            entries.append(kept_list)
            summary.unchanged += 1
        else:
            tasks.append(call_list)

    # Everything is rendered into a staging folder first, and moved into the output only
    # when every document rendered: a failing build writes nothing.
    staging = Staging(options.output)
    written: list[dict[str, Any]] = []
    try:
        for task, rendered in _render_all(renderer, site, tasks, options.jobs):
            summary.rendered += len(rendered.files)
            if isinstance(task, CallListTask):
                entries.append(_write_call_list(staging.folder, task, rendered.files["pdf"]))
                continue
            for file_format, content in rendered.files.items():
                written.append(_write_document(staging.folder, task, file_format, content, rendered.subject))
    except BaseException:
        staging.discard()
        raise
    staging.commit()
    entries.extend(written)
    for entry in written:
        hooks.relancegen_document_rendered(site=site, document=entry, path=options.output / entry["path"])

    entries.sort(key=lambda entry: entry["path"])
    manifest = {"as_of": options.as_of.isoformat(), "documents": entries}
    _remove_stale_outputs(options, previous, entries)
    manifest_io.write_manifest(options.output, manifest)
    summary.document_count = len(entries)
    hooks.relancegen_build_finished(site=site, manifest=manifest)
    return summary


def site_inputs_key(site: Site, renderer: Renderer) -> str:
    """The hash of what every document of the site depends on (see :mod:`relancegen.build.inputs`)."""
    folders = [*renderer.template_dirs, site.root / ASSETS_DIR, builtin_letters_dir(), site.root / "letters"]
    return site_digest(site, folders, [(p.name, p.version) for p in installed_plugins(site)])


def situations_for(site: Site, options: BuildOptions) -> list[ClientSituation]:
    """The situations to build documents for: each client's on the build date, or every
    stage of each client (``--all-stages``), within the shard."""
    if not options.all_stages:
        situations = compute_situations(site, options.as_of, options.client_id)
    else:
        clients = [site.clients[options.client_id]] if options.client_id else list(site.clients.values())
        # A client without an open invoice has nothing to show at any stage.
        situations = [s for client in clients for s in specimen_situations(site, client, options.as_of) if s.overdue or s.prevention]
        if options.client_id and not situations:
            raise RelancegenError(f"client {options.client_id!r} has no open invoice: there is nothing to show at any stage")
    return [s for s in situations if in_shard(s.client.id, options.shard)]


def document_specs(site: Site, situation: ClientSituation) -> list[documents.DocumentSpec]:
    """The documents of a client's situation: its stage's, and those plugins add."""
    specs = documents.documents_for(situation) + documents.messages_for(situation, site.media_stages)
    for extra in site_hooks(site).relancegen_extra_documents(site=site, situation=situation):
        specs.extend(extra)
    return specs


def _note_situation(summary: BuildSummary, situation: ClientSituation, specs: list[Any]) -> None:
    if not specs:
        summary.idle_clients.append((situation.client.id, situation.reason))
        return
    for stage in {spec.stage for spec in specs}:
        summary.clients_per_stage[stage] += 1
    for spec in specs:
        summary.documents_per_stage[spec.stage] += len(spec.formats)
        if spec.medium == "email" and not any(c.email for c in situation.client.contacts):
            summary.warnings.append(
                f"{situation.client.id}: {spec.stage} goes out by email but the client has no "
                "contact with an email address"
            )


# -- incremental builds ---------------------------------------------------------------


def _previous_entries(output: Path) -> dict[str, dict[str, Any]]:
    """The last build's manifest entries, by path (empty when there is none)."""
    try:
        previous = manifest_io.read_manifest(output)
    except RelancegenError:
        return {}
    return {entry.path: entry.raw for entry in previous.documents}


def _unchanged(previous: dict[str, dict[str, Any]], output: Path, client_id: str, spec: Any, key: str) -> list[dict[str, Any]]:
    """The previous entries of this document if its inputs and its files are unchanged."""
    kept = []
    for file_format in spec.formats:
        entry = _kept_entry(previous, output, documents.document_path(client_id, spec, file_format).as_posix(), key)
        if entry is None:
            return []
        kept.append(entry)
    return kept


def _kept_entry(previous: dict[str, dict[str, Any]], output: Path, relative: str, key: str) -> dict[str, Any] | None:
    """The previous entry of the file at ``relative`` if it was built from the same inputs
    and the file on disk is still the one it lists."""
    entry = previous.get(relative)
    path = output / relative
    if entry is None or entry.get("inputs") != key or not path.is_file() or sha256_file(path) != entry["sha256"]:
        return None
    return entry


def _remove_stale_outputs(options: BuildOptions, previous: dict[str, dict[str, Any]], entries: list[dict[str, Any]]) -> None:
    """Delete documents the previous manifest listed and this build no longer produces,
    within what this build covers: its shard (shards sharing a folder do not remove each
    other's), or its one client (``--client`` leaves the other clients' files alone)."""
    current = {entry["path"] for entry in entries}
    for path, old in previous.items():
        if path not in current and _covered(old.get("client"), options):
            (options.output / path).unlink(missing_ok=True)


def _covered(client_id: str | None, options: BuildOptions) -> bool:
    """Whether a build with ``options`` produces the documents of ``client_id`` (None: the
    site-wide files, such as the call list)."""
    if options.client_id is not None:
        return client_id == options.client_id
    return client_id is None or in_shard(client_id, options.shard)


# -- rendering ------------------------------------------------------------------------


def _render_all(
    renderer: Renderer, site: Site, tasks: list[RenderTask | CallListTask], jobs: int,
) -> Iterator[tuple[RenderTask | CallListTask, RenderedDocument]]:
    """Render in this process, or in up to ``jobs`` worker processes, each with one parsed
    theme and one font configuration for all its documents. Starting a worker costs about
    half a second (it imports WeasyPrint and parses the theme), so small builds stay in
    this process.
    The costliest tasks go first and one at a time, so that no worker is left with a long
    tail while the others wait."""
    tasks = sorted(tasks, key=lambda task: -task.cost)
    jobs = min(jobs, len(tasks) // MIN_TASKS_PER_WORKER)
    if jobs <= 1:
        for task in tasks:
            yield task, task.run(renderer)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from relancegen.build import workers

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=workers.start, initargs=(site.without_data(),)) as pool:
        yield from zip(tasks, pool.map(workers.render, tasks))


def _write_document(output: Path, task: RenderTask, file_format: str, content: bytes, subject: str | None) -> dict[str, Any]:
    situation, spec = task.situation, task.spec
    relative = documents.document_path(situation.client.id, spec, file_format)
    write_atomic(output / relative, content)
    entry = {
        "client": situation.client.id,
        "stage": spec.stage,
        "kind": spec.kind,
        "format": file_format,
        "path": relative.as_posix(),
        "invoices": sorted(line.invoice.number for line in spec_invoices(situation, spec)),
        "channel": spec.medium,
        "sha256": sha256_bytes(content),
        "inputs": task.key,
    }
    if subject and spec.kind == "email":
        entry["subject"] = subject
    return entry


def spec_invoices(situation: ClientSituation, spec: Any) -> list[Any]:
    """The invoice lines a document is about: the prevention notice names the invoices
    coming due, the declaration the invoices declared, the debit note the invoices paid
    late, every other document the client's overdue open invoices."""
    if spec.kind == "declaration" and situation.declaration is not None:
        return list(situation.declaration.invoices)
    if spec.kind == "debit_note":
        return list(situation.paid_late)
    return list(situation.prevention if spec.stage == "prevention" else situation.overdue)


def _call_list_key(site_key: str, callers: list[ClientSituation]) -> str:
    return hashlib.sha256((site_key + "\0" + repr(callers)).encode("utf-8")).hexdigest()


def _write_call_list(output: Path, task: CallListTask, content: bytes) -> dict[str, Any]:
    write_atomic(output / CALL_LIST_PATH, content)
    return {
        "client": None,
        "stage": "call",
        "kind": "call_sheet",
        "format": "pdf",
        "path": CALL_LIST_PATH,
        "invoices": sorted(line.invoice.number for s in task.callers for line in s.overdue),
        "channel": "phone",
        "sha256": sha256_bytes(content),
        "inputs": task.key,
    }
