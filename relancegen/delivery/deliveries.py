"""From the last build's manifest to deliveries: one per client, stage and medium.

A delivery's id is derived from the client, the stage, the medium and the invoices the act
claims, never from the documents' bytes or date: a letter re-dated by the next build is the
same delivery, which the journal tells apart as sent, failed or unknown. Each delivery
keeps the files it carries with the sha256 the manifest lists, checked before sending.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from relancegen.build.manifest import Manifest, ManifestEntry
from relancegen.delivery.contract import Delivery, Recipient
from relancegen.documents.formatting import postal_locality
from relancegen.errors import relative_name
from relancegen.site.model import DECLARATION, MEDIA, Client, JournalEntry, Site

DELIVERY_ID_LENGTH = 20
BODY_KINDS = ("email",)
EXHIBIT_MEDIA = ("email", "agency")  # media that carry a copy of the invoices


def delivery_id(client: str, stage: str, medium: str, invoices: list[str] | tuple[str, ...]) -> str:
    """The id of one act's delivery through one medium: the same act, the same id."""
    text = "\n".join([client, stage, medium, ",".join(sorted(set(invoices)))])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:DELIVERY_ID_LENGTH]


@dataclass(frozen=True)
class CarriedFile:
    """A file a delivery carries: where its bytes are, the sha256 the manifest lists for it
    (None for a site file such as an invoice copy), whether it is an attachment, and its
    name as the journal gives it (its path from the site's root)."""

    path: Path
    sha256: str | None
    attachment: bool = False
    name: str = ""


@dataclass(frozen=True)
class PlannedDelivery:
    """A delivery as the send step plans it: the channel's view, and the files to check."""

    delivery: Delivery
    files: tuple[CarriedFile, ...]


def recipient_of(client: Client, stage: str | None = None) -> Recipient:
    """The debtor as channels address it: postal lines, the accounting email, cc contacts;
    for the declaration of a claim, the mandataire judiciaire it is declared to."""
    mandataire = client.insolvency.mandataire if client.insolvency and stage == DECLARATION else None
    if mandataire is not None:
        address = mandataire.address
        lines = (mandataire.name, *address.lines, postal_locality(address))
        return Recipient(name=mandataire.name, address_lines=lines, emails=(), cc=(), phone=None, country=address.country)
    contact = client.accounting_contact
    emails = (contact.email,) if contact and contact.email else ()
    cc = tuple(c.email for c in client.contacts if c.cc and c.email and c.email not in emails)
    lines = (client.name, *client.address.lines, postal_locality(client.address))
    return Recipient(
        name=client.name,
        address_lines=lines,
        emails=emails,
        cc=cc,
        phone=contact.phone if contact else None,
        country=client.address.country,
    )


#: Media whose documents a postal channel prints and posts.
PRINTED_MEDIA = ("post", "registered_post")


def deliveries_from_manifest(site: Site, manifest: Manifest, output: Path) -> list[PlannedDelivery]:
    """Group the manifest's documents into deliveries, in a stable order."""
    groups: dict[tuple[str, str], list[ManifestEntry]] = defaultdict(list)
    for entry in manifest.documents:
        if entry.client is not None:
            groups[(entry.client, entry.stage)].append(entry)
    as_of = dt.date.fromisoformat(manifest.as_of)
    deliveries = []
    for (client_id, stage), entries in sorted(groups.items()):
        client = site.clients.get(client_id)
        if client is None:
            continue
        for medium in sorted({entry.channel for entry in entries}):
            deliveries.append(_delivery(site, client, stage, medium, entries, output, as_of))
    return deliveries


def _delivery(site: Site, client: Client, stage: str, medium: str, entries: list[ManifestEntry], output: Path, as_of: dt.date) -> PlannedDelivery:
    own = [e for e in entries if e.channel == medium]
    if medium == "email":
        # The email body, with the stage's printed documents attached.
        documents = [e for e in own if e.kind in BODY_KINDS]
        attached = [e for e in entries if e.channel != "email" and e.format == "pdf" and e.kind != "case_file"]
    elif medium == "agency":
        # The case file, with the stage's letters as exhibits.
        documents = own
        attached = [e for e in entries if e.channel != "agency" and e.format == "pdf"]
    elif medium not in MEDIA:
        # A medium a plugin adds (sms...): its own messages, as they were built.
        documents = own
        attached = []
    else:
        documents = [e for e in own if e.format == "pdf"]
        attached = []
    claimed = sorted({number for e in entries for number in e.invoices})  # the act's invoices
    # invoices paid late are listed in the debit note, without their copies
    copied = {number for e in entries if e.kind != "debit_note" for number in e.invoices}
    copies = [inv.file for inv in site.invoices if inv.number in copied and inv.file is not None] if medium in (*EXHIBIT_MEDIA, *PRINTED_MEDIA) else []
    files = (
        *(CarriedFile(output / e.path, e.sha256, False, relative_name(output / e.path, site.root)) for e in documents),
        *(CarriedFile(output / e.path, e.sha256, True, relative_name(output / e.path, site.root)) for e in attached),
        # a printed letter leaves with the copies of the invoices it claims (the postal
        # channel prints every document); an email and a case file attach them
        *(CarriedFile(path, None, medium not in PRINTED_MEDIA, relative_name(path, site.root)) for path in copies),
    )
    delivery = Delivery(
        delivery_id=delivery_id(client.id, stage, medium, claimed),
        client=client.id,
        stage=stage,
        medium=medium,
        invoices=tuple(claimed),
        documents=tuple(f.path for f in files if not f.attachment),
        recipient=recipient_of(client, stage),
        attachments=tuple(f.path for f in files if f.attachment),
        subject=next((e.subject for e in documents if e.subject), ""),
        thread=email_thread(site.journal_of(client.id)),
        as_of=as_of,
    )
    return PlannedDelivery(delivery, files)


def email_thread(entries: list[JournalEntry]) -> tuple[str, ...]:
    """Message-IDs of the emails already sent to the client, oldest first."""
    return tuple(
        entry.proof["message_id"]
        for entry in sorted(entries, key=lambda e: e.time)
        if entry.status == "sent" and entry.channel == "email" and isinstance(entry.proof.get("message_id"), str)
    )
