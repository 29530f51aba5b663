"""``relancegen resolve``: a person's answer about a delivery whose outcome is unknown.

Journaled as ``resolved`` with the answer: ``delivered`` (never sent again; it counts as
sent) or ``not-delivered`` (the next ``send`` attempts it again).
"""

from __future__ import annotations

from typing import Any

from relancegen.delivery.journal import append_entry
from relancegen.delivery.states import DELIVERED, NOT_DELIVERED, DeliveryJournal
from relancegen.errors import RelancegenError
from relancegen.site.model import Site

ANSWERS = (DELIVERED, NOT_DELIVERED)
MIN_PREFIX = 6


def resolve_delivery(site: Site, delivery_id: str, answer: str, note: str | None) -> dict[str, Any]:
    """Journal the answer for the unknown delivery ``delivery_id`` (or a unique prefix of it)."""
    if answer not in ANSWERS:
        raise RelancegenError(f"the answer must be one of {', '.join(ANSWERS)}")
    journal = DeliveryJournal(site.journal_dir, site.root)
    if len(delivery_id) < MIN_PREFIX:
        raise RelancegenError(f"give at least {MIN_PREFIX} characters of the delivery id")
    found = journal.find(delivery_id)
    if not found:
        raise RelancegenError(f"no delivery {delivery_id!r} in the journal")
    if len(found) > 1:
        raise RelancegenError(f"{delivery_id!r} names {len(found)} deliveries: give more of the id")
    record = found[0]
    if not record.unresolved:
        raise RelancegenError(f"delivery {record.delivery_id} is {record.state}, not unknown: there is nothing to resolve")
    entry: dict[str, Any] = {
        "delivery_id": record.delivery_id,
        "client": record.client,
        "stage": record.stage,
        "channel": record.medium,
        "invoices": list(record.invoices),
        "status": "resolved",
        "resolution": answer,
    }
    if note:
        entry["note"] = note
    return append_entry(site.journal_dir, entry)
