"""From the last build's manifest to deliveries: one per client, stage and medium.

A delivery's id is derived from the client, stage, medium, invoices and the documents'
hashes: the same documents always make the same delivery, which the journal then tells
apart as sent, failed or unknown.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from pathlib import Path

from relancegen.delivery.contract import Delivery, Recipient
from relancegen.build.manifest import Manifest, ManifestEntry
from relancegen.site.model import Client, JournalEntry, Site

DELIVERY_ID_LENGTH = 20
BODY_KINDS = ("email",)


def delivery_id(client: str, stage: str, medium: str, invoices: list[str], hashes: list[str]) -> str:
    text = "\n".join([client, stage, medium, ",".join(sorted(invoices)), ",".join(sorted(hashes))])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:DELIVERY_ID_LENGTH]


def recipient_of(client: Client) -> Recipient:
    """The debtor as channels address it: postal lines, the accounting email, cc contacts."""
    contact = client.accounting_contact
    emails = (contact.email,) if contact and contact.email else ()
    cc = tuple(c.email for c in client.contacts if c.cc and c.email and c.email not in emails)
    lines = (client.name, *client.address.lines, f"{client.address.postcode} {client.address.city}")
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


def deliveries_from_manifest(site: Site, manifest: Manifest, output: Path) -> list[Delivery]:
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


def _delivery(site: Site, client: Client, stage: str, medium: str, entries: list[ManifestEntry], output: Path, as_of: dt.date) -> Delivery:
    own = [e for e in entries if e.channel == medium]
    if medium == "email":
        # The email body, with the stage's printed documents attached.
        documents = [e for e in own if e.kind in BODY_KINDS]
        attached = [e for e in entries if e.channel != "email" and e.format == "pdf" and e.kind != "case_file"]
    elif medium == "agency":
        # The case file, with the stage's letters as exhibits.
        documents = own
        attached = [e for e in entries if e.channel != "agency" and e.format == "pdf"]
    else:
        documents = [e for e in own if e.format == "pdf"]
        attached = []
    invoices = sorted({number for e in own for number in e.invoices})
    copies = [inv.file for inv in site.invoices if inv.number in invoices and inv.file is not None]
    hashes = [e.sha256 for e in (*documents, *attached)]
    subject = next((e.subject for e in documents if e.subject), "")
    return Delivery(
        delivery_id=delivery_id(client.id, stage, medium, invoices, hashes),
        client=client.id,
        stage=stage,
        medium=medium,
        invoices=tuple(invoices),
        # a printed letter leaves with the copies of the invoices it claims (the postal
        # channel prints every document); an email and a case file attach them
        documents=tuple([output / e.path for e in documents] + (copies if medium in PRINTED_MEDIA else [])),
        recipient=recipient_of(client),
        attachments=tuple([output / e.path for e in attached] + (copies if medium in ("email", "agency") else [])),
        subject=subject,
        thread=email_thread(site.journal_of(client.id)),
        as_of=as_of,
    )


def email_thread(entries: list[JournalEntry]) -> tuple[str, ...]:
    """Message-IDs of the emails already sent to the client, oldest first."""
    return tuple(
        entry.proof["message_id"]
        for entry in sorted(entries, key=lambda e: e.time)
        if entry.status == "sent" and entry.channel == "email" and isinstance(entry.proof.get("message_id"), str)
    )
