"""The build's ``index.html``, also the home page of ``relancegen serve``: the day's to-do,
the aged balance (balance âgée) by client and by age, the stage funnel and the DSO, with
hand-drawn SVG charts, and a link to every document.

The page is self-contained (inline CSS and SVG, no script): it opens from the output folder
with a double click. ``render_dashboard`` takes the to-do as a list of :class:`TodoItem`, so
whatever computes the day's actions can feed it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2

from relancegen.build.manifest import read_manifest
from relancegen.build.pipeline import document_specs
from relancegen.build.summary import STAGE_LABELS
from relancegen.documents import formatting
from relancegen.documents.kinds import DocumentSpec
from relancegen.documents.spreadsheet import aged_balance_csv
from relancegen.fsutil import write_atomic
from relancegen.law.aging import BUCKETS, aged_balance, days_sales_outstanding, stage_funnel
from relancegen.law.situation import ClientSituation, compute_situations
from relancegen.site.model import Site

INDEX_NAME = "index.html"
AGED_BALANCE_NAME = "aged-balance.csv"
BUCKET_LABELS = {"not_due": "non échu", "0-30": "0–30 j", "31-60": "31–60 j", "61-90": "61–90 j", "90+": "plus de 90 j"}
MEDIUM_ACTIONS = {
    "email": "envoyer l'email",
    "post": "poster la lettre",
    "registered_post": "envoyer en recommandé avec AR",
    "phone": "appeler",
    "agency": "transmettre le dossier à l'agence",
}


@dataclass(frozen=True)
class TodoItem:
    """One action of the day."""

    client_id: str
    client_name: str
    stage: str
    action: str  # what to do, in a few words: "appeler", "poster la lettre"
    amount: Decimal  # what is at stake


@dataclass(frozen=True)
class DocumentLink:
    """A document of the index, with the URL of each of its formats."""

    client_id: str
    stage: str
    name: str
    formats: tuple[tuple[str, str], ...]  # (format, url)


@dataclass(frozen=True)
class Bar:
    """One bar of a chart: its label, its value as printed, its length from 0 to 1."""

    label: str
    text: str
    fraction: float


def todo_from_documents(situations: Iterable[ClientSituation], specs: Mapping[str, list[DocumentSpec]]) -> list[TodoItem]:
    """A to-do with one line per client and medium: what today's documents ask for."""
    items = []
    for situation in situations:
        media = dict.fromkeys(spec.medium for spec in specs.get(situation.client.id, ()))
        for medium in media:
            stage = situation.stage or "prevention"
            amount = situation.total if situation.stage else situation.balance
            items.append(TodoItem(situation.client.id, situation.client.name, stage, MEDIUM_ACTIONS.get(medium, medium), amount))
    return items


def bars(values: Mapping[str, Any], labels: Mapping[str, str], text: Any = str) -> list[Bar]:
    """Chart bars for ``values`` (by key, in order), the longest bar the largest value."""
    largest = max((value for value in values.values()), default=0) or 1
    return [Bar(labels.get(key, key), text(value), float(value / largest)) for key, value in values.items()]


def render_dashboard(
    site: Site, situations: list[ClientSituation], as_of: dt.date, todo: list[TodoItem],
    documents: list[DocumentLink], preview: Mapping[str, Any] | None = None,
) -> str:
    """The page. ``situations`` are the clients' real situations on ``as_of`` (the figures
    never come from a specimen); ``preview`` is what ``relancegen serve`` adds (its
    specimen toggle and its problems)."""
    balance = aged_balance(situations)
    funnel = stage_funnel(situations)
    by_client: dict[str, list[DocumentLink]] = {}
    for document in documents:
        by_client.setdefault(document.client_id, []).append(document)
    return _environment().get_template("dashboard.html").render(
        site=site,
        as_of=as_of,
        todo=todo,
        balance=balance,
        buckets=BUCKETS,
        bucket_labels=BUCKET_LABELS,
        balance_bars=bars(balance.totals, BUCKET_LABELS, formatting.money),
        funnel_bars=bars(funnel, STAGE_LABELS),
        stage_labels=STAGE_LABELS,
        dso=days_sales_outstanding(site.invoices, balance.total, as_of),
        clients={client_id: client.name for client_id, client in site.clients.items()},
        documents=by_client,
        preview=preview,
    )


def dashboard_page(site: Site, as_of: dt.date, documents: list[DocumentLink], preview: Mapping[str, Any] | None = None,
                   situations: list[ClientSituation] | None = None) -> str:
    """The page for the site on ``as_of``: figures from the clients' situations (computed
    when not given), the to-do from the documents their stages call for."""
    situations = compute_situations(site, as_of) if situations is None else situations
    specs = {situation.client.id: document_specs(site, situation) for situation in situations}
    return render_dashboard(site, situations, as_of, todo_from_documents(situations, specs), documents, preview)


def write_index(site: Site, output: Path, as_of: dt.date) -> None:
    """Write ``index.html`` and ``aged-balance.csv`` next to the last build's manifest."""
    links: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
    for entry in read_manifest(output).documents:
        stem = Path(entry.path).stem
        links.setdefault((entry.client or "", entry.stage, stem), []).append((entry.format, entry.path))
    documents = [DocumentLink(client, stage, name, tuple(formats)) for (client, stage, name), formats in links.items()]
    situations = compute_situations(site, as_of)
    write_atomic(output / INDEX_NAME, dashboard_page(site, as_of, documents, situations=situations).encode("utf-8"))
    write_atomic(output / AGED_BALANCE_NAME, aged_balance_csv(aged_balance(situations)).encode("utf-8"))


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )
    env.filters.update(money=formatting.money, date_long=formatting.date_long, date_short=formatting.date_short)
    return env
