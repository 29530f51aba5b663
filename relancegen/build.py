"""The build pipeline, top to bottom.

``build_site`` walks the steps in order and fires the plugin events at each one:

1. ``relancegen_site_loaded``      the site is loaded and validated (by the caller)
2. ``relancegen_client_situation`` each client's situation on the build date is computed
3. ``relancegen_document_rendered`` each document of the client's stage is rendered and written
4. the prioritised call list and ``manifest.json`` are written
5. ``relancegen_build_finished``   the manifest is final

Everything is read and validated before anything is written; each file is written
atomically; files that a previous build listed and this one does not are removed.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from relancegen import documents, manifest as manifest_io
from relancegen.errors import RelancegenError
from relancegen.fsutil import sha256_bytes, write_atomic
from relancegen.model import Site
from relancegen.plugins import get_plugin_manager
from relancegen.render import Renderer
from relancegen.situation import call_priority, compute_situations, specimen_situations
from relancegen.situation_types import ClientSituation

CALL_LIST_NAME = "call-list"


@dataclass(frozen=True)
class BuildOptions:
    as_of: dt.date
    output: Path
    client_id: str | None = None
    all_stages: bool = False


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


def build_date(site: Site, requested: dt.date | None, today: dt.date) -> dt.date:
    """The build date: the --date option, else ``site.as_of``, else today."""
    return requested or site.as_of or today


def build_site(site: Site, options: BuildOptions) -> BuildSummary:
    """Build every document of the site on ``options.as_of`` into ``options.output``."""
    plugin_manager = get_plugin_manager()
    hooks = plugin_manager.hook
    hooks.relancegen_site_loaded(site=site)

    if options.client_id and options.client_id not in site.clients:
        raise RelancegenError(f"unknown client {options.client_id!r} (see data.clients in site.yml)")

    summary = BuildSummary(as_of=options.as_of, output=options.output)
    summary.warnings.extend(site.rates.coverage_warnings(options.as_of))
    renderer = Renderer(site, extra_filters=_plugin_filters(hooks, site), render_pdf=hooks.relancegen_render_pdf)

    situations = _situations(site, options)
    entries: list[dict[str, Any]] = []
    for situation in situations:
        hooks.relancegen_client_situation(site=site, situation=situation)
        specs = documents.documents_for(situation)
        for extra in hooks.relancegen_extra_documents(site=site, situation=situation):
            specs.extend(extra)
        _note_situation(summary, situation, specs)
        for spec in specs:
            rendered = renderer.render(spec, situation)
            for file_format, content in rendered.files.items():
                entry = _write_document(options.output, situation, spec, file_format, content)
                if rendered.subject and spec.kind == "email":
                    entry["subject"] = rendered.subject
                entries.append(entry)
                hooks.relancegen_document_rendered(
                    site=site, document=entry, path=options.output / entry["path"]
                )

    callers = call_priority([s for s in situations if s.stage == "call"])
    if callers:
        entries.append(_write_call_list(renderer, options, callers))

    manifest = {"as_of": options.as_of.isoformat(), "documents": entries}
    _remove_stale_outputs(options.output, entries)
    manifest_io.write_manifest(options.output, manifest)
    summary.document_count = len(entries)
    hooks.relancegen_build_finished(site=site, manifest=manifest)
    return summary


def _situations(site: Site, options: BuildOptions) -> list[ClientSituation]:
    if not options.all_stages:
        return compute_situations(site, options.as_of, options.client_id)
    clients = [site.clients[options.client_id]] if options.client_id else list(site.clients.values())
    return [s for client in clients for s in specimen_situations(site, client, options.as_of)]


def _plugin_filters(hooks: Any, site: Site) -> dict[str, Any]:
    filters: dict[str, Any] = {}
    for contributed in hooks.relancegen_template_filters(site=site):
        filters.update(contributed or {})
    return filters


def _note_situation(summary: BuildSummary, situation: ClientSituation, specs: list[Any]) -> None:
    if not specs:
        summary.idle_clients.append((situation.client.id, situation.reason))
        return
    for stage in {spec.stage for spec in specs}:
        summary.clients_per_stage[stage] += 1
    for spec in specs:
        summary.documents_per_stage[spec.stage] += len(spec.formats)
        if spec.medium == "email" and not _client_emails(situation):
            summary.warnings.append(
                f"{situation.client.id}: {spec.stage} goes out by email but the client has no "
                "contact with an email address"
            )


def _client_emails(situation: ClientSituation) -> list[str]:
    return [c.email for c in situation.client.contacts if c.email]


def _write_document(
    output: Path, situation: ClientSituation, spec: Any, file_format: str, content: bytes
) -> dict[str, Any]:
    relative = documents.document_path(situation.client.id, spec, file_format)
    write_atomic(output / relative, content)
    return {
        "client": situation.client.id,
        "stage": spec.stage,
        "kind": spec.kind,
        "format": file_format,
        "path": relative.as_posix(),
        "invoices": sorted(line.invoice.number for line in spec_invoices(situation, spec)),
        "channel": spec.medium,
        "sha256": sha256_bytes(content),
    }


def spec_invoices(situation: ClientSituation, spec: Any) -> list[Any]:
    """The invoice lines a document is about: the prevention notice names the invoices
    coming due, every other document the client's overdue open invoices."""
    return list(situation.prevention if spec.stage == "prevention" else situation.overdue)


def _write_call_list(
    renderer: Renderer, options: BuildOptions, callers: list[ClientSituation]
) -> dict[str, Any]:
    html = renderer.render_page("call_list.html", {"situations": callers, "as_of": options.as_of})
    content = renderer.render_pdf(html=html, base_url=str(renderer.base_url))
    relative = Path(f"{CALL_LIST_NAME}.pdf")
    write_atomic(options.output / relative, content)
    return {
        "client": None,
        "stage": "call",
        "kind": "call_sheet",
        "format": "pdf",
        "path": relative.as_posix(),
        "invoices": sorted(line.invoice.number for s in callers for line in s.overdue),
        "channel": "phone",
        "sha256": sha256_bytes(content),
    }


def _remove_stale_outputs(output: Path, entries: list[dict[str, Any]]) -> None:
    """Delete documents the previous manifest listed and this build no longer produces."""
    try:
        previous = manifest_io.read_manifest(output)
    except RelancegenError:
        return
    current = {entry["path"] for entry in entries}
    for old in previous.documents:
        if old.path not in current:
            (output / old.path).unlink(missing_ok=True)
