"""What the journal says of each delivery: sent, failed, unknown, or not yet attempted.

Read from the journal's lines in the order they were appended (the chain's order), not
from the loaded site: ``send`` reads it again, under its lock, before each attempt, so that
what another process journaled in the meantime counts. A delivery's state:

- ``sent`` once an entry says ``sent``, or a person resolved it as delivered: final;
- ``pending`` after an ``attempt`` with no outcome (the process died): unknown;
- ``unknown`` after an ``unknown`` entry, or a cut-off line naming it, until resolved;
- ``failed`` after ``failed``, or a person resolved it as not delivered: attempted again.

Entries are matched on the id derived from their client, stage, channel and invoices, so
that entries written before that id existed keep counting.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from relancegen.delivery.deliveries import delivery_id
from relancegen.site.journal import JournalLine, cut_off, is_interrupted, journal_lines

SENT, FAILED, UNKNOWN, PENDING = "sent", "failed", "unknown", "pending"
DELIVERED, NOT_DELIVERED = "delivered", "not-delivered"
DELIVERY_STATUSES = ("attempt", "sent", "failed", "unknown", "resolved")


@dataclass
class DeliveryRecord:
    """One delivery as the journal tells it."""

    delivery_id: str
    client: str
    stage: str
    medium: str
    invoices: tuple[str, ...]
    state: str
    since: str  # time of the entry that set the state
    error: str | None = None
    attempt: dict[str, Any] = field(default_factory=dict)  # the last attempt entry: files, subject, as_of

    @property
    def unresolved(self) -> bool:
        return self.state in (UNKNOWN, PENDING)


def entry_delivery_id(raw: dict[str, Any]) -> str:
    """The id of the delivery an entry is about, derived from its fields (so that entries
    journaled under an earlier id scheme still match), or as written when it names no invoice."""
    if not raw.get("invoices"):
        return str(raw["delivery_id"])
    return delivery_id(str(raw.get("client")), str(raw.get("stage")), str(raw.get("channel")), [str(n) for n in raw.get("invoices") or []])


class DeliveryJournal:
    """The delivery states of one journal, read again on :meth:`refresh` (only new lines are parsed)."""

    def __init__(self, journal_dir: Path, site_root: Path):
        self.journal_dir, self.site_root = journal_dir, site_root
        self.records: dict[str, DeliveryRecord] = {}
        self._seen: set[tuple[str, int]] = set()
        self.refresh()

    def refresh(self) -> DeliveryJournal:
        for line in journal_lines(self.journal_dir, self.site_root):
            key = (line.file, line.number)
            if key in self._seen:
                continue
            try:
                raw = json.loads(line.data)
            except ValueError:
                if is_interrupted(line.data):
                    self._cut_off(line)
                continue  # other problems are reported by the loader
            self._seen.add(key)
            if isinstance(raw, dict) and raw.get("status") in DELIVERY_STATUSES and raw.get("delivery_id"):
                self._apply(raw)
        return self

    def _cut_off(self, line: JournalLine) -> None:
        interrupted = cut_off(line)
        if interrupted.delivery_id is None:
            return  # cut off before naming a delivery: no channel was called for it
        fields = interrupted.fields
        record = self.records.setdefault(interrupted.delivery_id, DeliveryRecord(
            interrupted.delivery_id, fields.get("client", "?"), fields.get("stage", "?"), fields.get("channel", "?"), (), UNKNOWN, fields.get("time", "?")))
        if record.state != SENT:
            record.state, record.error = UNKNOWN, f"the journal line {interrupted.location} was cut off while it was written"

    def _apply(self, raw: dict[str, Any]) -> None:
        key = entry_delivery_id(raw)
        record = self.records.get(key)
        if record is None:
            record = self.records[key] = DeliveryRecord(
                key, str(raw["client"]), str(raw["stage"]), str(raw["channel"]), tuple(raw.get("invoices") or ()), PENDING, str(raw.get("time")))
        if record.state == SENT:
            return
        status = raw["status"]
        if status == "attempt":
            record.attempt = raw
        state = {"attempt": PENDING, "resolved": SENT if raw.get("resolution") == DELIVERED else FAILED}.get(status, status)
        record.state, record.since, record.error = state, str(raw.get("time")), raw.get("error") or raw.get("note")

    def state(self, key: str) -> str | None:
        record = self.records.get(key)
        return record.state if record else None

    def unresolved(self) -> list[DeliveryRecord]:
        """Deliveries whose outcome nobody knows, oldest first."""
        return sorted((r for r in self.records.values() if r.unresolved), key=lambda r: r.since)

    def find(self, prefix: str) -> list[DeliveryRecord]:
        return [r for key, r in self.records.items() if key.startswith(prefix)]


def unknown_listing(records: list[DeliveryRecord]) -> list[str]:
    """The lines listing unknown deliveries, for ``build`` and ``send``."""
    if not records:
        return []
    lines = [f"{len(records)} deliver{'ies' if len(records) > 1 else 'y'} with an unknown outcome (it may have reached the debtor; "
             "check with the provider, then answer with `relancegen resolve ID --delivered` or `--not-delivered`):"]
    for record in records:
        lines.append(f"  {record.delivery_id}  {record.client:<24} {record.stage:<14} {record.medium:<16} "
                     f"{', '.join(record.invoices)}  since {record.since}")
        if record.error:
            lines.append(f"      {record.error}")
    return lines
