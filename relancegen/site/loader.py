"""Load a site folder into a validated :class:`relancegen.site.model.Site`.

Everything is read and checked before anything is returned: every problem in every file
is collected, and a single :class:`SiteError` lists them all, each with file, line and
field. Warnings (legal or data oddities that do not block a build) travel in
``Site.warnings``.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from relancegen.site import schema
from relancegen.errors import Location, Problem, RelancegenError, SiteError, relative_name
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
    Invoice,
    Payment,
    Policy,
    Promise,
    ScheduleStep,
    Signatory,
    Site,
    Terms,
    stage_rank,
)
from relancegen.site.rates import load_rate_tables
from relancegen.site.yamlpos import PosList, load_yaml

SITE_FILE = "site.yml"


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
    invoices = _build_invoices(raw_invoices, known_ids, terms, root, problems)
    journal_dir = root / data["journal"]
    journal, journal_problems = read_journal(journal_dir, root)
    problems.extend(journal_problems)
    for entry in journal:
        if entry.client not in known_ids:
            problems.append(Problem(entry.location, "client", f"journal names unknown client {entry.client!r}", "warning"))
    schedule = _build_schedule(config["schedule"], problems)

    if any(problem.severity == "error" for problem in problems):
        raise SiteError(problems)

    site_section = config["site"]
    rates_section = config["rates"] or {}
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
        rates=load_rate_tables(
            {dt.date.fromisoformat(k): v for k, v in (rates_section.get("ecb") or {}).items()},
            dict(rates_section.get("legal") or {}),
        ),
        channels=dict(config["channels"] or {}),
        warnings=tuple(p for p in problems if p.severity == "warning"),
    )


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
    problems.extend(context.problems)
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
        problems.append(Problem(Location("site.yml"), f"data.{what}", f"{configured!r} is neither a file nor a folder"))
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
        label = f"{collection}[{raw.get(key, index) if isinstance(raw, dict) else index}]"
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
        fields["insolvency"] = Insolvency(**_fields(fields["insolvency"])) if fields["insolvency"] else None
        clients[record["id"]] = Client(**fields, location=location)
    return clients


def _build_invoices(
    raw_invoices: list[tuple[Any, int, str]],
    known_ids: set[str],
    terms: Terms,
    root: Path,
    problems: list[Problem],
) -> list[Invoice]:
    invoices: list[Invoice] = []
    first_seen: dict[str, Location] = {}
    for record, raw, label, location in _valid_records(raw_invoices, schema.INVOICE, "invoices", "number", problems):
        invoice = _invoice(record, terms, root, location)
        problems.extend(_invoice_problems(invoice, record, label, known_ids, first_seen, raw, root))
        first_seen.setdefault(invoice.number, location)
        invoices.append(invoice)
    return invoices


def _invoice(record: dict[str, Any], terms: Terms, root: Path, location: Location) -> Invoice:
    fields = _fields(record)
    # a public buyer's term runs from its receipt of the invoice (CCP R2192-12)
    fields["due"] = fields["due"] or (fields["received"] or fields["issued"]) + dt.timedelta(days=terms.payment_days)
    fields["payments"] = tuple(Payment(**_fields(p)) for p in fields["payments"])
    fields["promise"] = Promise(**_fields(fields["promise"])) if fields["promise"] else None
    fields["file"] = root / fields["file"] if fields["file"] else None
    return Invoice(**fields, location=location)


def _invoice_problems(
    invoice: Invoice,
    record: dict[str, Any],
    label: str,
    known_ids: set[str],
    first_seen: dict[str, Location],
    raw: Any,
    root: Path,
) -> list[Problem]:
    def at(key: str) -> Location:
        line = raw.line_of(key) if hasattr(raw, "line_of") else invoice.location.line
        return Location(invoice.location.file, line)

    found = []
    if invoice.client not in known_ids:
        hint = _closest(invoice.client, known_ids)
        found.append(Problem(at("client"), f"{label}.client", f"unknown client {invoice.client!r}{hint}"))
    if invoice.number in first_seen:
        found.append(Problem(at("number"), f"{label}.number", f"duplicate invoice number (first at {first_seen[invoice.number]})"))
    if invoice.due < invoice.issued:
        found.append(Problem(at("due"), f"{label}.due", "the due date is before the issue date"))
    paid = sum((p.amount for p in invoice.payments), Decimal("0.00"))
    if paid > invoice.amount:
        found.append(Problem(at("payments"), f"{label}.payments", f"payments ({paid}) exceed the invoice amount ({invoice.amount})"))
    if any(p.date < invoice.issued for p in invoice.payments):
        found.append(Problem(at("payments"), f"{label}.payments", "a payment is dated before the invoice was issued", "warning"))
    if invoice.file is not None and not invoice.file.is_file():
        found.append(Problem(at("file"), f"{label}.file", f"no such file: {record['file']}"))
    if invoice.file is not None and root not in invoice.file.resolve().parents:
        found.append(Problem(at("file"), f"{label}.file", "the invoice copy must be inside the site folder"))
    if invoice.promise and invoice.promise.amount and invoice.promise.amount > invoice.amount - paid:
        found.append(Problem(at("promise"), f"{label}.promise.amount", "the promised amount exceeds what is still owed", "warning"))
    return found


def _closest(name: str, known: set[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _build_schedule(raw: Any, problems: list[Problem]) -> tuple[ScheduleStep, ...]:
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
