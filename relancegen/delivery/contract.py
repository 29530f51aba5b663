"""What the send step hands to channels, and what channels hand back.

These types are part of the stable plugin API (spec "Channels and the plugin API").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RECEIPT_STATUSES = ("sent", "failed")


@dataclass(frozen=True)
class Recipient:
    """Who a delivery goes to: the debtor's name, postal address lines (the last one the
    postcode and the locality in capitals, ``"69330 MEYZIEU"``, NF Z10-011) and emails."""

    name: str
    address_lines: tuple[str, ...]
    emails: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    phone: str | None = None
    country: str = "FR"


@dataclass(frozen=True)
class Delivery:
    """One stage's documents for one client through one medium.

    ``delivery_id`` is derived from client, stage, medium and the invoices the act claims
    (never from the documents' bytes or date), so the same act is never delivered twice.
    ``documents`` and ``attachments`` hold the exact bytes kept as evidence.
    """

    delivery_id: str
    client: str
    stage: str
    medium: str
    invoices: tuple[str, ...]
    documents: tuple[Path, ...]
    recipient: Recipient
    attachments: tuple[Path, ...] = ()
    subject: str = ""
    thread: tuple[str, ...] = ()  # Message-IDs of earlier emails to this client, oldest first
    as_of: dt.date | None = None  # the build date of the documents
    outbox: Path | None = None  # set on a dry run: the folder where the channel writes what it would send


class DeliveryOutcomeUnknown(Exception):
    """Raised by a channel when it cannot know whether a delivery went out (the connection
    dropped after the provider accepted the request). The delivery is journaled ``unknown``
    and never retried automatically: better a person checks than a debtor gets two letters."""


@dataclass(frozen=True)
class Receipt:
    """A channel's answer for one delivery: ``sent`` with proof, or ``failed`` with an error.

    ``evidence``: bytes the channel made and delivered besides the documents (the email as
    it went on the wire, an archive), kept in the evidence store like the documents; a
    ``sha256`` in ``proof`` should name one of them.
    """

    delivery_id: str
    status: str
    proof: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    evidence: tuple[bytes, ...] = field(default=(), repr=False)

    def __post_init__(self) -> None:
        if self.status not in RECEIPT_STATUSES:
            raise ValueError(f"Receipt.status must be one of {RECEIPT_STATUSES}, not {self.status!r}")
