"""``relancegen send``: deliver the last build's documents, never twice, and journal every step.

One run holds the site's send lock from start to end (a second ``send`` waits a bounded
time, then stops), refuses a journal whose hash chain is broken (unless a person accepts it,
journaled), and checks every channel's settings through its plugin. Then, for each delivery
(one act of a client through one medium), it reads the journal again and:

1. skips it if the journal shows it ``sent`` (or resolved as delivered);
2. if the journal shows an ``attempt`` with no outcome, the process died mid-delivery: the
   outcome is ``unknown``, journaled once; ``unknown`` deliveries are never attempted again
   until a person answers with ``relancegen resolve``;
3. otherwise checks each document against the manifest's sha256, stores the exact bytes in
   the evidence store, journals ``attempt``, hands the channel copies of those bytes, and
   journals ``sent``, ``failed``, or ``unknown`` (the channel raised, or gave no usable
   receipt: it may have delivered).

``failed`` deliveries, and those resolved as not delivered, are attempted again at the next
``send``: with the new build's documents when the build made them again, else with the bytes
kept as evidence. A dry run writes what would be sent under ``<output>/outbox/<delivery id>/``
and journals nothing. Secrets named by ``*_env`` settings are scrubbed from anything journaled.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from relancegen.build.manifest import read_manifest
from relancegen.delivery import evidence
from relancegen.delivery.channel_settings import channel_problems, plugin_settings
from relancegen.delivery.contract import Delivery, DeliveryOutcomeUnknown, Receipt
from relancegen.delivery.deliveries import CarriedFile, PlannedDelivery, deliveries_from_manifest, email_thread, recipient_of
from relancegen.delivery.journal import JournalWriteError, append_entry
from relancegen.delivery.states import FAILED, PENDING, SENT, UNKNOWN, DeliveryJournal, DeliveryRecord
from relancegen.errors import RelancegenError, SiteError, relative_name
from relancegen.fsutil import UnsafeFile, read_inside, sha256_bytes, write_atomic
from relancegen.plugins import channels_for
from relancegen.site.journal import ACCEPTED_EVENT, EVENT_KEY, problem_key, verify_chain
from relancegen.site.model import STAGES, Site

OUTBOX = "outbox"
SECRET_WORDS = ("password", "secret", "token", "key")
PHONE = "phone"
SEND_LOCK = ".send.lock"
DEFAULT_WAIT = 60.0  # seconds a second `send` waits for the first one
OUTCOME_ROOM = 1 << 20  # free bytes kept, before an attempt, for the outcome line


@dataclass
class SendSummary:
    sent: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (delivery id, error)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (delivery id, why nothing was attempted)
    already_sent: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    not_configured: list[tuple[str, str]] = field(default_factory=list)  # (delivery id, medium)
    dry_run: list[Path] = field(default_factory=list)
    unresolved: list[DeliveryRecord] = field(default_factory=list)  # every unknown delivery of the journal, after the run

    @property
    def ok(self) -> bool:
        return not self.failed and not self.refused

    @property
    def exit_code(self) -> int:
        """3 while a delivery's outcome is unknown (a person must answer), else 1 on a
        failure, else 0."""
        if self.unresolved:
            return 3
        return 0 if self.ok else 1


def planned_deliveries(site: Site, medium: str | None = None) -> list[PlannedDelivery]:
    """The deliveries of the last build (of one medium, if given), in a stable order, then
    the failed deliveries of earlier days that no new act replaces."""
    manifest = read_manifest(site.output)
    planned = [p for p in deliveries_from_manifest(site, manifest, site.output) if medium in (None, p.delivery.medium)]
    journal = DeliveryJournal(site.journal_dir, site.root)
    return planned + retries(site, journal, planned, dt.date.fromisoformat(manifest.as_of), medium)


def retries(site: Site, journal: DeliveryJournal, planned: list[PlannedDelivery], as_of: dt.date, medium: str | None) -> list[PlannedDelivery]:
    """Failed deliveries to attempt again with the bytes kept as evidence: those the new
    build did not make again, still about an open invoice, and not overtaken by a later
    stage or by a new act of the same stage and medium."""
    ids = {p.delivery.delivery_id for p in planned}
    acts = {(p.delivery.client, p.delivery.stage, p.delivery.medium) for p in planned}
    found = []
    for record in sorted(journal.records.values(), key=lambda r: r.since):
        if record.state != FAILED or record.delivery_id in ids or medium not in (None, record.medium):
            continue
        if (record.client, record.stage, record.medium) in acts or record.client not in site.clients:
            continue
        if not _kept(site, record) or not _still_owed(site, record, as_of) or _overtaken(journal, record):
            continue
        found.append(_redelivery(site, record))
    return found


def _kept(site: Site, record: DeliveryRecord) -> bool:
    """Whether the evidence store holds every file of the delivery's last attempt (not so
    for attempts journaled before the store existed)."""
    files = record.attempt.get("documents") or []
    return bool(files) and all(evidence.evidence_path(site.journal_dir, str(item.get("sha256"))).is_file() for item in files)


def _still_owed(site: Site, record: DeliveryRecord, as_of: dt.date) -> bool:
    return any(inv.number in record.invoices and inv.outstanding(as_of) > 0 and not inv.disputed for inv in site.invoices_of(record.client))


def _overtaken(journal: DeliveryJournal, record: DeliveryRecord) -> bool:
    rank = STAGES.index(record.stage) if record.stage in STAGES else -1
    return any(
        other.client == record.client and other.state in (SENT, UNKNOWN, PENDING) and other.stage in STAGES
        and STAGES.index(other.stage) > rank and set(other.invoices) & set(record.invoices)
        for other in journal.records.values()
    )


def _redelivery(site: Site, record: DeliveryRecord) -> PlannedDelivery:
    attempt = record.attempt
    files = tuple(
        CarriedFile(evidence.evidence_path(site.journal_dir, str(item["sha256"])), str(item["sha256"]), bool(item.get("attachment")), name=str(item["path"]))
        for item in attempt["documents"]
    )
    as_of = attempt.get("as_of")
    delivery = Delivery(
        delivery_id=record.delivery_id,
        client=record.client,
        stage=record.stage,
        medium=record.medium,
        invoices=record.invoices,
        documents=tuple(f.path for f in files if not f.attachment),
        recipient=recipient_of(site.clients[record.client], record.stage),
        attachments=tuple(f.path for f in files if f.attachment),
        subject=str(attempt.get("subject") or ""),
        thread=email_thread(site.journal_of(record.client)),
        as_of=dt.date.fromisoformat(as_of) if isinstance(as_of, str) else None,
    )
    return PlannedDelivery(delivery, files)


def send_site(
    site: Site,
    *,
    medium: str | None = None,
    dry_run: bool = False,
    on_delivery: Callable[[Delivery, str], None] = lambda delivery, outcome: None,
    deliveries: list[PlannedDelivery] | None = None,
    accept_journal: bool = False,
    wait: float = DEFAULT_WAIT,
) -> SendSummary:
    """Deliver every document of the last build whose medium the site configures."""
    with contextlib.nullcontext() if dry_run else site_lock(site, wait):
        _check_journal(site, accept_journal and not dry_run)
        channels = channels_for(site)
        problems = channel_problems(site, channels)
        if problems:
            raise SiteError(problems)
        if deliveries is None:
            deliveries = planned_deliveries(site, medium)
        journal = DeliveryJournal(site.journal_dir, site.root)
        summary = SendSummary()
        for planned in deliveries:
            outcome = _deliver(site, planned, channels, journal, dry_run, summary)
            on_delivery(planned.delivery, outcome)
        summary.unresolved = journal.refresh().unresolved()
    return summary


@contextlib.contextmanager
def site_lock(site: Site, wait: float) -> Iterator[None]:
    """The site's send lock, held for a whole run; waits at most ``wait`` seconds for it."""
    site.journal_dir.mkdir(parents=True, exist_ok=True)
    path = site.journal_dir / SEND_LOCK
    lock = FileLock(str(path), timeout=wait)
    try:
        lock.acquire()
    except Timeout:
        raise RelancegenError(
            f"another `relancegen send` is running on this site (it holds {relative_name(path, site.root)}); "
            f"waited {wait:g} s for it to finish. Nothing was sent by this run: run it again once the other one is done."
        ) from None
    try:
        yield
    finally:
        lock.release()


def _check_journal(site: Site, accept: bool) -> None:
    """Refuse a broken chain, with where it breaks; or journal that a person accepted it."""
    problems = [p for p in verify_chain(site.journal_dir, site.root) if p.severity == "error"]
    if not problems:
        return
    if not accept:
        listing = "\n".join(f"  {problem}" for problem in problems)
        raise RelancegenError(
            "the journal's hash chain is broken, so what it says was sent cannot be trusted:\n"
            f"{listing}\nLook at these lines (e.g. `git log -p {relative_name(site.journal_dir, site.root)}`) and restore them, "
            "or accept the journal as it is with `relancegen send --accept-journal` (journaled)."
        )
    append_entry(site.journal_dir, {EVENT_KEY: ACCEPTED_EVENT, "accepted": [problem_key(p) for p in problems],
                                    "note": "a person accepted the journal as it is (relancegen send --accept-journal)"})


def _deliver(site: Site, planned: PlannedDelivery, channels: dict[str, Any], journal: DeliveryJournal, dry_run: bool, summary: SendSummary) -> str:
    delivery = planned.delivery
    settings = site.channels.get(delivery.medium)
    if settings is None:
        if delivery.medium != PHONE:  # a person makes the call, with the call sheet
            summary.not_configured.append((delivery.delivery_id, delivery.medium))
        return "not configured"
    state = journal.refresh().state(delivery.delivery_id)
    if state == SENT:
        summary.already_sent.append(delivery.delivery_id)
        return "already sent"
    if state in (PENDING, UNKNOWN):
        if state == PENDING and not dry_run:
            _journal(site, delivery, settings, "unknown", error="an earlier attempt has no recorded outcome (the process stopped while delivering)")
        summary.unknown.append(delivery.delivery_id)
        return "unknown"
    try:
        contents = [_checked_bytes(site, carried) for carried in planned.files]
    except RefusedDelivery as error:
        summary.refused.append((delivery.delivery_id, str(error)))
        return "refused"
    channel = channels[settings["plugin"]]
    with tempfile.TemporaryDirectory(prefix="relancegen-send-") as folder:
        staged = _staged(planned, contents, Path(folder))
        if dry_run:
            summary.dry_run.append(_write_outbox(site, staged, channel, plugin_settings(settings)))
            return "dry run"
        for data in contents:
            evidence.store(site.journal_dir, data)
        _journal(site, delivery, settings, "attempt", files=list(zip(planned.files, contents)), reserve=OUTCOME_ROOM)
        try:
            receipt, status = _receipt_for(delivery, channel.send([staged], settings=plugin_settings(settings), dry_run=False))
        except DeliveryOutcomeUnknown as error:
            receipt, status = _unknown(delivery, str(error)), UNKNOWN
        except Exception as error:  # noqa: BLE001 - a plugin bug must not stop the other deliveries
            receipt, status = _unknown(delivery, f"the channel raised {type(error).__name__}: {error}"), UNKNOWN
    if status == SENT:
        for data in receipt.evidence:
            evidence.store(site.journal_dir, data)
    try:
        _journal(site, delivery, settings, status, proof=_plain(receipt.proof), error=receipt.error)
    except JournalWriteError as error:
        raise RelancegenError(
            f"delivery {delivery.delivery_id} ({delivery.client}, {delivery.stage}, {delivery.medium}) came back {status}, "
            f"but the journal could not record it: {error}. It stays unknown, never sent again: once the journal can be "
            f"written, answer with `relancegen resolve {delivery.delivery_id} --delivered` (or --not-delivered)."
        ) from error
    secrets = _secrets(settings)
    if status == SENT:
        summary.sent.append(delivery.delivery_id)
    elif status == FAILED:
        summary.failed.append((delivery.delivery_id, _scrub(receipt.error or "", secrets)))
    else:
        summary.unknown.append(delivery.delivery_id)
    return status


class RefusedDelivery(Exception):
    """A file of the delivery is not the one the manifest lists: nothing is attempted."""


def _checked_bytes(site: Site, carried: CarriedFile) -> bytes:
    """The bytes a delivery carries, read once. A site file (an invoice copy) is read from
    inside the folder of invoice copies without following symbolic links, so that a link
    swapped in during ``send`` never sends a file from elsewhere; a built document must have
    the manifest's sha256."""
    try:
        if carried.sha256 is None:
            return _invoice_copy(site, carried.path)
        data = carried.path.read_bytes()
    except UnsafeFile as error:
        raise RefusedDelivery(f"invoice copy refused: {error}") from error
    except OSError as error:
        raise RefusedDelivery(f"{carried.name} cannot be read ({error.strerror or error}): run `relancegen build` again") from error
    if carried.sha256 is not None and sha256_bytes(data) != carried.sha256:
        raise RefusedDelivery(f"{carried.name} is not the file the manifest lists (its sha256 differs): "
                              "a build was interrupted or the file was changed; run `relancegen build` again")
    return data


def _invoice_copy(site: Site, path: Path) -> bytes:
    folder = site.invoice_copies
    if folder is None or folder not in path.parents:
        raise UnsafeFile(f"{relative_name(path, site.root)} is not inside the folder of invoice copies")
    return read_inside(site.root, path.relative_to(site.root))


def _staged(planned: PlannedDelivery, contents: list[bytes], folder: Path) -> Delivery:
    """The delivery as the channel gets it: files holding exactly the bytes kept as evidence,
    under their usual names, whatever a build writes meanwhile."""
    paths = []
    for carried, data in zip(planned.files, contents):
        target = folder / carried.name.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        paths.append(target)
    documents = tuple(p for p, c in zip(paths, planned.files) if not c.attachment)
    attachments = tuple(p for p, c in zip(paths, planned.files) if c.attachment)
    return replace(planned.delivery, documents=documents, attachments=attachments)


def _receipt_for(delivery: Delivery, answer: Any) -> tuple[Receipt, str]:
    """The channel's receipt for this delivery and the status to journal. Anything but one
    well-formed receipt for this delivery is ``unknown``: the channel was called and may
    have delivered."""
    if not isinstance(answer, (list, tuple)):
        return _unknown(delivery, f"the channel returned {type(answer).__name__} instead of a list of receipts"), UNKNOWN
    own = [r for r in answer if isinstance(r, Receipt) and r.delivery_id == delivery.delivery_id]
    if len(own) != 1:
        others = ", ".join(str(getattr(r, "delivery_id", r))[:40] for r in answer) or "none"
        return _unknown(delivery, f"the channel returned {len(own)} receipts for this delivery (receipts for: {others})"), UNKNOWN
    receipt = own[0]
    if not isinstance(receipt.proof, dict):
        return _unknown(delivery, f"the channel's proof is a {type(receipt.proof).__name__}, not a mapping"), UNKNOWN
    return receipt, receipt.status


def _unknown(delivery: Delivery, error: str) -> Receipt:
    """What is journaled for a delivery whose outcome nobody knows (its status is ``unknown``)."""
    return Receipt(delivery.delivery_id, "failed", error=error)


def _plain(proof: dict[str, Any]) -> dict[str, Any]:
    """The proof as JSON can hold it (values it cannot are written as text)."""
    return json.loads(json.dumps(proof, ensure_ascii=False, default=str))


def _journal(site: Site, delivery: Delivery, settings: dict[str, Any], status: str, *, proof: dict[str, Any] | None = None,
             error: str | None = None, files: list[tuple[CarriedFile, bytes]] | None = None, reserve: int = 0) -> None:
    entry: dict[str, Any] = {
        "delivery_id": delivery.delivery_id,
        "client": delivery.client,
        "stage": delivery.stage,
        "channel": delivery.medium,
        "invoices": list(delivery.invoices),
        "status": status,
        "plugin": settings["plugin"],
    }
    if files is not None:
        entry["documents"] = [{"path": carried.name, "sha256": sha256_bytes(data), **({"attachment": True} if carried.attachment else {})}
                              for carried, data in files]
        entry["subject"] = delivery.subject
        entry["as_of"] = delivery.as_of.isoformat() if delivery.as_of else None
    if proof:
        entry["proof"] = proof
    if error:
        entry["error"] = error
    append_entry(site.journal_dir, _scrub(entry, _secrets(settings)), reserve=reserve)


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
