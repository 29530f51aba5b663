"""``relancegen send``: deliver the last build's documents and journal every step.

For each delivery (one client, stage and medium), in order:

1. skip it if the journal already shows it ``sent``;
2. if the journal shows an ``attempt`` with no outcome, the process died mid-delivery: the
   outcome is ``unknown``, journaled once, and never retried automatically;
3. otherwise journal ``attempt``, call the channel, and journal ``sent`` or ``failed``
   (``unknown`` when the channel cannot know, or raises).

A dry run writes what would be sent under ``<output>/outbox/<delivery id>/`` and journals
nothing. Secrets named by ``*_env`` settings are scrubbed from anything journaled.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from relancegen.delivery.deliveries import deliveries_from_manifest
from relancegen.delivery.contract import Delivery, DeliveryOutcomeUnknown
from relancegen.errors import RelancegenError
from relancegen.fsutil import UnsafeFile, read_inside, sha256_file, write_atomic
from relancegen.delivery.journal import append_entry
from relancegen.build.manifest import read_manifest
from relancegen.site.model import JournalEntry, Site
from relancegen.plugins import channels_for

OUTBOX = "outbox"
COPIES = ".copies"  # <output>/.copies/<delivery id>/: the invoice copies as read for sending (a dot: never a client id)
SECRET_WORDS = ("password", "secret", "token", "key")
PHONE = "phone"
OUTCOMES = ("sent", "failed", "unknown")


@dataclass
class SendSummary:
    sent: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (delivery id, error)
    already_sent: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    not_configured: list[tuple[str, str]] = field(default_factory=list)  # (delivery id, medium)
    dry_run: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


def delivery_states(journal: tuple[JournalEntry, ...]) -> dict[str, str]:
    """Per delivery id: its last outcome, or ``pending`` for an attempt with no outcome yet."""
    states: dict[str, str] = {}
    for entry in sorted(journal, key=lambda e: e.time):
        if not entry.delivery_id:
            continue
        if states.get(entry.delivery_id) == "sent":
            continue
        if entry.status == "attempt":
            states[entry.delivery_id] = "pending"
        elif entry.status in OUTCOMES:
            states[entry.delivery_id] = entry.status
    return states


def planned_deliveries(site: Site, medium: str | None = None) -> list[Delivery]:
    """The deliveries of the last build (of one medium, if given), in a stable order."""
    deliveries = deliveries_from_manifest(site, read_manifest(site.output), site.output)
    return [d for d in deliveries if medium in (None, d.medium)]


def send_site(
    site: Site,
    *,
    medium: str | None = None,
    dry_run: bool = False,
    on_delivery: Callable[[Delivery, str], None] = lambda delivery, outcome: None,
    deliveries: list[Delivery] | None = None,
) -> SendSummary:
    """Deliver every document of the last build whose medium the site configures."""
    if deliveries is None:
        deliveries = planned_deliveries(site, medium)
    channels = channels_for(site)
    missing = sorted({settings["plugin"] for settings in site.channels.values() if settings["plugin"] not in channels})
    if missing:
        raise RelancegenError(f"site.yml names channel plugin(s) that are not installed: {', '.join(missing)} (see `relancegen plugins`)")
    states = delivery_states(site.journal)
    summary = SendSummary()
    for delivery in deliveries:
        outcome = _deliver(site, delivery, channels, states.get(delivery.delivery_id), dry_run, summary)
        on_delivery(delivery, outcome)
    return summary


def _deliver(site: Site, delivery: Delivery, channels: dict[str, Any], state: str | None, dry_run: bool, summary: SendSummary) -> str:
    settings = site.channels.get(delivery.medium)
    if settings is None:
        if delivery.medium != PHONE:  # a person makes the call, with the call sheet
            summary.not_configured.append((delivery.delivery_id, delivery.medium))
        return "not configured"
    if state == "sent":
        summary.already_sent.append(delivery.delivery_id)
        return "already sent"
    if state in ("pending", "unknown"):
        if state == "pending" and not dry_run:
            _journal(site, delivery, settings, "unknown", error="an earlier attempt has no recorded outcome")
        summary.unknown.append(delivery.delivery_id)
        return "unknown"
    channel = channels[settings["plugin"]]
    channel_settings = {key: value for key, value in settings.items() if key != "plugin"}
    try:
        delivery = _with_invoice_copies_read(site, delivery)
    except UnsafeFile as error:
        summary.failed.append((delivery.delivery_id, f"invoice copy refused: {error}"))
        return "failed"
    if dry_run:
        summary.dry_run.append(_write_outbox(site, delivery, channel, channel_settings))
        return "dry run"

    _journal(site, delivery, settings, "attempt")
    try:
        receipt = channel.send([delivery], settings=channel_settings, dry_run=False)[0]
    except DeliveryOutcomeUnknown as error:
        _journal(site, delivery, settings, "unknown", error=str(error))
        summary.unknown.append(delivery.delivery_id)
        return "unknown"
    except Exception as error:  # noqa: BLE001 - a plugin bug must not stop the other deliveries
        _journal(site, delivery, settings, "unknown", error=f"{type(error).__name__}: {error}")
        summary.unknown.append(delivery.delivery_id)
        return "unknown"
    _journal(site, delivery, settings, receipt.status, proof=receipt.proof, error=receipt.error)
    if receipt.status == "sent":
        summary.sent.append(delivery.delivery_id)
    else:
        summary.failed.append((delivery.delivery_id, _scrub(receipt.error or "", _secrets(settings))))
    return receipt.status


def _journal(site: Site, delivery: Delivery, settings: dict[str, Any], status: str, *, proof: dict[str, Any] | None = None, error: str | None = None) -> None:
    entry: dict[str, Any] = {
        "client": delivery.client,
        "stage": delivery.stage,
        "channel": delivery.medium,
        "invoices": list(delivery.invoices),
        "status": status,
        "delivery_id": delivery.delivery_id,
        "plugin": settings["plugin"],
    }
    if status == "attempt":
        entry["documents"] = [{"path": _relative(path, site.root), "sha256": sha256_file(path)} for path in (*delivery.documents, *delivery.attachments)]
    if proof:
        entry["proof"] = proof
    if error:
        entry["error"] = error
    append_entry(site.journal_dir, _scrub(entry, _secrets(settings)))


def _write_outbox(site: Site, delivery: Delivery, channel: Any, settings: dict[str, Any]) -> Path:
    folder = site.output / OUTBOX / delivery.delivery_id
    folder.mkdir(parents=True, exist_ok=True)
    for path in (*delivery.documents, *delivery.attachments):
        shutil.copyfile(path, folder / path.name)
    description = {
        "delivery_id": delivery.delivery_id,
        "client": delivery.client,
        "stage": delivery.stage,
        "medium": delivery.medium,
        "invoices": list(delivery.invoices),
        "subject": delivery.subject,
        "recipient": {"name": delivery.recipient.name, "address_lines": list(delivery.recipient.address_lines), "emails": list(delivery.recipient.emails), "cc": list(delivery.recipient.cc)},
        "documents": [path.name for path in delivery.documents],
        "attachments": [path.name for path in delivery.attachments],
        "thread": list(delivery.thread),
    }
    write_atomic(folder / "delivery.json", (json.dumps(description, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    channel.send([replace(delivery, outbox=folder)], settings=settings, dry_run=True)
    return folder


def _with_invoice_copies_read(site: Site, delivery: Delivery) -> Delivery:
    """The delivery with its invoice copies read once, without following symbolic links,
    from inside the folder of invoice copies, and handed to the channel from the output
    folder: a link swapped in during ``send`` cannot make it send a file from elsewhere."""
    copies = {invoice.file for invoice in site.invoices if invoice.file is not None}
    attachments = []
    for path in delivery.attachments:
        if path in copies:
            folder = site.invoice_copies
            if folder is None or folder not in path.parents:
                raise UnsafeFile(f"{_relative(path, site.root)} is not inside the folder of invoice copies")
            target = site.output / COPIES / delivery.delivery_id / path.name
            write_atomic(target, read_inside(site.root, path.relative_to(site.root)))
            path = target
        attachments.append(path)
    return replace(delivery, attachments=tuple(attachments))


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _secrets(settings: dict[str, Any]) -> list[str]:
    """The values of the environment variables that hold secrets (``password_env``,
    ``client_secret_env``, ``api_key_env``, ``token_env``…). Identifiers such as a user name
    are not scrubbed: masking them would corrupt proofs that legitimately contain them."""
    values = [
        os.environ.get(str(name), "")
        for key, name in settings.items()
        if str(key).endswith("_env") and any(word in str(key) for word in SECRET_WORDS)
    ]
    return [value for value in values if len(value) >= 6]


def _scrub(value: Any, secrets: list[str]) -> Any:
    """Replace any secret value found in journaled data with ``***``."""
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, "***")
        return value
    if isinstance(value, dict):
        return {key: _scrub(item, secrets) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item, secrets) for item in value]
    return value
