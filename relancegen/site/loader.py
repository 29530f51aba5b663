"""Load a site folder into a validated :class:`relancegen.site.model.Site`.

Everything is read and checked before anything is returned: every problem in every file
is collected, and a single :class:`SiteError` lists them all, each with file, line and
field. Warnings (legal or data oddities that do not block a build) travel in
``Site.warnings``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from relancegen.site import schema
from relancegen.errors import Location, Problem, RelancegenError, SiteError, relative_name, shown
from relancegen.site.journal import read_journal
from relancegen.site.model import (
    DEFAULT_PROFILES,
    DEFAULT_SCHEDULE,
    Address,
    Client,
    ConsumerMediator,
    Contact,
    Creditor,
    Insolvency,
    Mandataire,
    Invoice,
    Payment,
    Policy,
    PenaltiesSettled,
    Promise,
    ScheduleStep,
    Signatory,
    Site,
    Terms,
    stage_rank,
)
from relancegen.site.rates import load_rate_tables
from relancegen.site.yamlpos import PosDict, PosList, load_yaml

SITE_FILE = "site.yml"
LABEL_KEY = re.compile(r"[^\s\x00-\x1f\x7f\[\]]{1,60}")  # an id or number fit to name an item in messages


def load_site(site_dir: Path) -> Site:
    """Read and validate the site in ``site_dir``; raise :class:`SiteError` listing every error."""
    root = site_dir.resolve()
    site_file = root / SITE_FILE
    if not site_file.is_file():
        raise RelancegenError(f"no {SITE_FILE} in {site_dir}: is this a relancegen site? (`relancegen new DIR` creates one)")

    problems: list[Problem] = []
    config = _read_site_file(site_file, root, problems)
    data = config["data"]
    raw_clients = _read_list(root, data["clients"], "clients", problems)
    raw_invoices = _read_list(root, data["invoices"], "invoices", problems)
    clients = _build_clients(raw_clients, problems)
    # Clients that failed validation are still known by id, so their invoices are not
    # also reported as naming an unknown client.
    known_ids = set(clients) | {raw["id"] for raw, _, _ in raw_clients if isinstance(raw, dict) and isinstance(raw.get("id"), str)}
    terms = _build_terms(config["terms"])
    rates_section = config["rates"] or {}
    rates = load_rate_tables(
        {dt.date.fromisoformat(k): v for k, v in (rates_section.get("ecb") or {}).items()},
        dict(rates_section.get("legal") or {}),
    )
    has_copies = any(isinstance(raw, dict) and raw.get("file") for raw, _, _ in raw_invoices)
    copies_dir = _site_folder(root, data, "invoice_copies", problems) if has_copies else None
    invoices = _build_invoices(raw_invoices, known_ids, terms, root, copies_dir, problems)
    problems.extend(_rate_problems(invoices, rates))
    journal_dir = root / data["journal"]
    has_journal = _site_folder(root, data, "journal", problems) is not None
    journal, journal_problems = read_journal(journal_dir, root) if has_journal else ([], [])
    problems.extend(journal_problems)
    for entry in journal:
        if entry.client not in known_ids:
            problems.append(Problem(entry.location, "client", f"journal names unknown client {shown(entry.client)}", "warning"))
    schedule = _build_schedule(config["schedule"], problems)

    if any(problem.severity == "error" for problem in problems):
        raise SiteError(problems)

    site_section = config["site"]
    return Site(
        root=root,
        title=site_section["title"],
        language=site_section["language"],
        theme=site_section["theme"],
        output=root / site_section["output"],
        as_of=site_section["as_of"],
        creditor=_build_creditor(config["creditor"]),
        terms=terms,
        schedule=schedule,
        profiles={**DEFAULT_PROFILES, **{k: v["shift_days"] for k, v in (config["profiles"] or {}).items()}},
        policy=Policy(**_fields(config["policy"])) if config["policy"] else Policy(),
        clients=clients,
        invoices=tuple(invoices),
        journal=tuple(journal),
        journal_dir=journal_dir,
        rates=rates,
        channels={medium: _channel_settings(settings) for medium, settings in (config["channels"] or {}).items()},
        warnings=tuple(p for p in problems if p.severity == "warning"),
        working_days=config["schedule"]["working_days"] if config["schedule"] else True,
        invoice_copies=copies_dir,
        media_stages={medium: settings["stages"] for medium, settings in (config["channels"] or {}).items() if settings["stages"]},
        plugins=config["plugins"],
        lines=_checked_later_lines(config),
        extra=config["extra"] or {},
    )


def dated_after(site: Site, as_of: dt.date) -> list[Problem]:
    """Payments dated after the build date: the build would count money not yet received; and
    penalties settled after it (a settlement not made yet)."""
    return [
        Problem(invoice.location, f"invoices[{invoice.number}].payments", f"a payment is dated {payment.date.isoformat()}, after the build date {as_of.isoformat()}")
        for invoice in site.invoices
        for payment in invoice.payments
        if payment.date > as_of
    ] + [
        Problem(invoice.location, f"invoices[{invoice.number}].penalties_settled.date",
                f"the penalties are settled on {invoice.penalties_settled.date.isoformat()}, after the build date {as_of.isoformat()}")
        for invoice in site.invoices
        if invoice.penalties_settled and invoice.penalties_settled.date > as_of
    ]


def _site_folder(root: Path, data: dict[str, Any], key: str, problems: list[Problem]) -> Path | None:
    """The folder ``data.<key>`` names, or None with a problem when it is missing or outside the site."""
    configured = data[key]
    folder = (root / configured).resolve()
    if folder != root and root not in folder.parents:
        problems.append(Problem(Location(SITE_FILE, data["_line"]), f"data.{key}", f"{shown(configured)} is outside the site folder"))
        return None
    if not folder.is_dir():
        problems.append(Problem(Location(SITE_FILE, data["_line"]), f"data.{key}", f"the folder {shown(configured)} does not exist: create it (it may stay empty) or correct the path"))
        return None
    return folder


def _rate_problems(invoices: list[Invoice], rates: Any) -> list[Problem]:
    """Invoices late before the first rate the tables know (those paid in full by their due
    date are never late): their interest cannot be computed."""
    first = rates.first_day_with_rates()
    return [
        Problem(invoice.location, f"invoices[{invoice.number}].due", f"late from {invoice.due.isoformat()}, before the first rate the tables know ({first.isoformat()}): add the ECB and legal rates of that time under rates: in site.yml")
        for invoice in invoices
        if invoice.due < first and sum((p.amount for p in invoice.payments if p.date <= invoice.due), Decimal("0")) < invoice.amount
    ]


def _channel_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """A medium's settings as its channel gets them (with ``plugin``): without the stages a
    medium a plugin adds is used for, which are the site's business, not the channel's."""
    kept = PosDict({key: value for key, value in _fields(settings).items() if key != "stages"})
    kept.line, kept.key_lines = getattr(settings, "line", 0), dict(getattr(settings, "key_lines", {}))
    return kept


def _checked_later_lines(config: dict[str, Any]) -> dict[str, int]:
    """The lines of what is checked against the installed plugins after loading."""
    lines = {f"channels.{medium}": settings["_line"] for medium, settings in (config["channels"] or {}).items()}
    return {**lines, "plugins": config["_plugins_line"]}


def _fields(record: dict[str, Any]) -> dict[str, Any]:
    """A validated record without its bookkeeping keys."""
    return {key: value for key, value in record.items() if not key.startswith("_")}


def _read_site_file(path: Path, root: Path, problems: list[Problem]) -> dict[str, Any]:
    """site.yml, section by section: a broken section falls back to its defaults so that
    the data files are still read and checked (every error at once)."""
    name = relative_name(path, root)
    raw, yaml_problems = load_yaml(path, name)
    problems.extend(yaml_problems)
    context = schema.Context(name)
    sections = schema.SITE_FILE.parse_sections(raw if raw is not None else {}, context)
    if raw is not None or not yaml_problems:  # unreadable YAML: its problem says it all
        problems.extend(context.problems)
    sections["_plugins_line"] = raw.line_of("plugins") if isinstance(raw, PosDict) else 0
    return sections


def _read_list(root: Path, configured: str, what: str, problems: list[Problem]) -> list[tuple[Any, int, str]]:
    """The items of a data file, or of every *.yml in a folder (name order), with their
    line and file name."""
    target = root / configured
    if target.is_dir():
        files = sorted(target.glob("*.yml")) + sorted(target.glob("*.yaml"))
    elif target.is_file():
        files = [target]
    else:
        problems.append(Problem(Location("site.yml"), f"data.{what}", f"{shown(configured)} is neither a file nor a folder"))
        return []
    items = []
    for path in files:
        name = relative_name(path, root)
        raw, yaml_problems = load_yaml(path, name)
        problems.extend(yaml_problems)
        if raw is None:
            continue
        if not isinstance(raw, list):
            problems.append(Problem(Location(name, getattr(raw, "line", 1)), "", f"expected a list of {what}"))
            continue
        for index, item in enumerate(raw):
            line = raw.line_of(index) if isinstance(raw, PosList) else 0
            items.append((item, line, name))
    return items


def _valid_records(
    raw_items: list[tuple[Any, int, str]], declared: schema.Record, collection: str, key: str, problems: list[Problem]
) -> Iterator[tuple[dict[str, Any], Any, str, Location]]:
    """Validate each item of a data file; yield (record, raw item, label, location) for the
    valid ones. Labels name the item by its key: ``invoices[F-2026-0142]``."""
    for index, (raw, line, file) in enumerate(raw_items):
        context = schema.Context(file)
        named = raw.get(key) if isinstance(raw, dict) else None
        label = f"{collection}[{named if isinstance(named, str) and LABEL_KEY.fullmatch(named) else index}]"
        record = declared.parse(raw, context, label, line)
        problems.extend(context.problems)
        if record is not schema.INVALID:
            yield record, raw, label, Location(file, line)


def _build_clients(raw_clients: list[tuple[Any, int, str]], problems: list[Problem]) -> dict[str, Client]:
    clients: dict[str, Client] = {}
    for record, _, label, location in _valid_records(raw_clients, schema.CLIENT, "clients", "id", problems):
        if record["id"] in clients:
            first = clients[record["id"]].location
            problems.append(Problem(location, f"{label}.id", f"duplicate client id (first at {first})"))
            continue
        fields = _fields(record)
        fields["address"] = _address(fields["address"])
        fields["contacts"] = tuple(Contact(**_fields(c)) for c in fields["contacts"])
        fields["insolvency"] = _insolvency(fields["insolvency"]) if fields["insolvency"] else None
        clients[record["id"]] = Client(**fields, location=location)
    return clients


def _insolvency(record: dict[str, Any]) -> Insolvency:
    fields = _fields(record)
    mandataire = _fields(fields["mandataire"]) if fields["mandataire"] else None
    fields["mandataire"] = Mandataire(mandataire["name"], _address(mandataire["address"])) if mandataire else None
    return Insolvency(**fields)


def _build_invoices(
    raw_invoices: list[tuple[Any, int, str]],
    known_ids: set[str],
    terms: Terms,
    root: Path,
    copies_dir: Path | None,
    problems: list[Problem],
) -> list[Invoice]:
    invoices: list[Invoice] = []
    first_seen: dict[str, Location] = {}
    for record, raw, label, location in _valid_records(raw_invoices, schema.INVOICE, "invoices", "number", problems):
        invoice = _invoice(record, terms, root, location)
        problems.extend(_invoice_problems(invoice, record, label, known_ids, first_seen, raw, copies_dir))
        first_seen.setdefault(invoice.number, location)
        invoices.append(invoice)
    return invoices


def _invoice(record: dict[str, Any], terms: Terms, root: Path, location: Location) -> Invoice:
    fields = _fields(record)
    # a public buyer's term runs from its receipt of the invoice (CCP R2192-12)
    fields["due"] = fields["due"] or (fields["received"] or fields["issued"]) + dt.timedelta(days=terms.payment_days)
    fields["payments"] = tuple(Payment(**_fields(p)) for p in fields["payments"])
    fields["promise"] = Promise(**_fields(fields["promise"])) if fields["promise"] else None
    fields["penalties_settled"] = PenaltiesSettled(**_fields(fields["penalties_settled"])) if fields["penalties_settled"] else None
    fields["file"] = root / fields["file"] if fields["file"] else None
    return Invoice(**fields, location=location)


def _invoice_problems(
    invoice: Invoice,
    record: dict[str, Any],
    label: str,
    known_ids: set[str],
    first_seen: dict[str, Location],
    raw: Any,
    copies_dir: Path | None,
) -> list[Problem]:
    def at(key: str) -> Location:
        line = raw.line_of(key) if hasattr(raw, "line_of") else invoice.location.line
        return Location(invoice.location.file, line)

    found = []
    if invoice.client not in known_ids:
        hint = _closest(invoice.client, known_ids)
        found.append(Problem(at("client"), f"{label}.client", f"unknown client {shown(invoice.client)}{hint}"))
    if invoice.number in first_seen:
        found.append(Problem(at("number"), f"{label}.number", f"duplicate invoice number (first at {first_seen[invoice.number]})"))
    if invoice.due < invoice.issued:
        found.append(Problem(at("due"), f"{label}.due", "the due date is before the issue date"))
    paid = sum((p.amount for p in invoice.payments), Decimal("0.00"))
    if paid > invoice.amount:
        found.append(Problem(at("payments"), f"{label}.payments", f"payments ({paid}) exceed the invoice amount ({invoice.amount})"))
    if any(p.date < invoice.issued for p in invoice.payments):
        found.append(Problem(at("payments"), f"{label}.payments", "a payment is dated before the invoice was issued", "warning"))
    if invoice.file is not None and copies_dir is not None:
        if copies_dir not in invoice.file.resolve().parents:
            found.append(Problem(at("file"), f"{label}.file", f"the invoice copy must be inside the folder of invoice copies ({copies_dir.name}/, data.invoice_copies in site.yml)"))
        elif not invoice.file.is_file():
            found.append(Problem(at("file"), f"{label}.file", f"no such file: {record['file']}"))
    if invoice.promise and invoice.promise.amount and invoice.promise.amount > invoice.amount - paid:
        found.append(Problem(at("promise"), f"{label}.promise.amount", "the promised amount exceeds what is still owed", "warning"))
    if invoice.penalties_settled and invoice.penalties_settled.date < invoice.issued:
        found.append(Problem(at("penalties_settled"), f"{label}.penalties_settled.date", "the penalties are settled before the invoice was issued"))
    return found


def _closest(name: str, known: set[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _build_schedule(section: Any, problems: list[Problem]) -> tuple[ScheduleStep, ...]:
    raw = section["steps"] if section else None
    if not raw:
        return DEFAULT_SCHEDULE
    steps = tuple(ScheduleStep(step["stage"], step["days"]) for step in raw)
    for before, after in zip(steps, steps[1:]):
        if stage_rank(after.stage) <= stage_rank(before.stage) or after.days <= before.days:
            problems.append(
                Problem(Location(SITE_FILE, raw[0]["_line"]), "schedule", f"stages must follow the escalation order with increasing days ({before.stage} {before.days} → {after.stage} {after.days})")
            )
    return steps


def _address(record: dict[str, Any]) -> Address:
    fields = _fields(record)
    return Address(lines=tuple(fields["lines"]), postcode=fields["postcode"], city=fields["city"], country=fields["country"])


def _build_creditor(record: dict[str, Any]) -> Creditor:
    fields = _fields(record)
    fields["address"] = _address(fields["address"])
    fields["signatory"] = Signatory(**_fields(fields["signatory"])) if fields["signatory"] else None
    fields["consumer_mediator"] = ConsumerMediator(**_fields(fields["consumer_mediator"])) if fields["consumer_mediator"] else None
    return Creditor(**fields)


def _build_terms(record: dict[str, Any] | None) -> Terms:
    return Terms(**_fields(record)) if record else Terms()
