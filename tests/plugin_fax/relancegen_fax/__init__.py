"""A complete small channel plugin, as docs/plugins.md shows it: each delivery's PDFs are
'faxed' by copying them into the folder named by the ``to`` setting."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from relancegen import Receipt, hookimpl


class FaxChannel:
    name = "fax"

    def send(self, deliveries, *, settings, dry_run=False):
        receipts = []
        for delivery in deliveries:
            if dry_run:
                receipts.append(Receipt(delivery.delivery_id, "sent", proof={"dry_run": True}))
                continue
            if not delivery.recipient.address_lines:
                receipts.append(Receipt(delivery.delivery_id, "failed", error="no address"))
                continue
            folder = Path(settings["to"]) / delivery.delivery_id
            folder.mkdir(parents=True, exist_ok=True)
            for document in delivery.documents:
                shutil.copyfile(document, folder / document.name)
            fax_id = "FAX-" + hashlib.sha256(delivery.delivery_id.encode()).hexdigest()[:8]
            receipts.append(Receipt(delivery.delivery_id, "sent", proof={"fax_id": fax_id, "pages": len(delivery.documents)}))
        return receipts


@hookimpl
def relancegen_add_channels(site):
    return [FaxChannel()]


@hookimpl
def relancegen_template_filters(site):
    return {"shout": lambda text: str(text).upper() + " !"}


@hookimpl
def relancegen_template_dirs(site):
    return [Path(__file__).parent / "templates"]


@hookimpl
def relancegen_extra_documents(site, situation):
    """A fax cover page, a document kind of this plugin's own, for every posted letter."""
    from relancegen.documents.kinds import DocumentSpec

    if situation.stage != "overdue":
        return []
    return [DocumentSpec(kind="fax_cover", stage="overdue", medium="post", name="fax-cover", formats=("html",), template="fax_cover.html")]
