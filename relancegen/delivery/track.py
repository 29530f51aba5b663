"""``relancegen track``: ask the channels what became of the letters they sent.

For every ``sent`` journal entry of a channel that can track (``channel.track``), the new
state (deposited, delivered, returned…), the tracking number and the proofs (deposit proof,
acknowledgement of receipt, stored under ``journal/proofs/``) are appended as ``tracked``
entries, only when they changed. ``tracked`` entries never move a client to another stage.
"""

from __future__ import annotations

from typing import Any

from relancegen.delivery.channel_settings import plugin_settings
from relancegen.delivery.journal import append_entry
from relancegen.site.model import JournalEntry, Site
from relancegen.plugins import channels_for


def track_site(site: Site) -> list[dict[str, Any]]:
    """Poll every trackable delivery; returns the journal entries appended."""
    channels = channels_for(site)
    last_state = {e.delivery_id: e.proof for e in site.journal if e.status == "tracked" and e.delivery_id}
    appended = []
    for medium, settings in site.channels.items():
        channel = channels.get(settings["plugin"])
        if channel is None or not hasattr(channel, "track"):
            continue
        sent = [e for e in site.journal if e.status == "sent" and e.channel == medium and e.extra.get("plugin") == settings["plugin"]]
        if not sent:
            continue
        by_id: dict[str | None, JournalEntry] = {e.delivery_id: e for e in sent}
        channel_settings = plugin_settings(settings)
        for update in channel.track(sent, settings=channel_settings):
            entry = by_id[update["delivery_id"]]
            proof = {k: v for k, v in update.items() if k != "delivery_id"}
            if last_state.get(entry.delivery_id) == proof:
                continue
            appended.append(append_entry(site.journal_dir, {
                "client": entry.client, "stage": entry.stage, "channel": entry.channel, "invoices": list(entry.invoices),
                "status": "tracked", "delivery_id": entry.delivery_id, "plugin": settings["plugin"], "proof": proof,
            }))
    return appended
