"""The ``agency-export`` channel: one ZIP case file per client for a collection agency.

The archive holds ``case.json`` (creditor, debtor, invoices, payments, the penalty breakdown
with principal, interest and indemnity kept apart, disputes, promises, the reminder history
with its proofs, the exhibits; the invoices paid late whose penalties the debit note claims
are listed and counted in the claim, so that it equals what the collection letter claims),
``invoices.csv`` for French Excel, and the exhibits as
numbered PDFs under ``pieces/`` with a list of exhibits (``pieces/00-bordereau.pdf``).

Settings (``channels.agency``): ``to``, the folder receiving the archives (relative to the
site, inside it). The archive is reproducible: same inputs, same bytes. The exhibits are the
bytes ``send`` kept in the evidence store for this delivery (the channel gets copies of
them), and the archive itself is kept there too.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from relancegen import Delivery, Receipt
from relancegen.plugins import plugin_renderer
from relancegen.errors import shown
from relancegen.fsutil import write_atomic
from relancegen.site.model import Site
from relancegen.site.schema import NAME_MAX
from relancegen.documents.render import Renderer
from relancegen.law.situation import ClientSituation, InvoiceLine, compute_situation

ZIP_DATE = (2000, 1, 1, 0, 0, 0)  # fixed member dates: identical inputs give identical archives
EXHIBIT_LABELS = {
    "case-summary": "Synthèse du dossier de recouvrement",
    "letter": "Lettre informant le débiteur de la transmission du dossier",
    "debit-note": "Note de débit des pénalités sur factures réglées en retard",
}


class AgencyExportChannel:
    name = "agency-export"
    media = ("agency",)

    def __init__(self, site: Site):
        self.site = site

    @functools.cached_property
    def renderer(self) -> Renderer:
        """One renderer for every case file, with what plugins contribute, as in a build."""
        return plugin_renderer(self.site)

    def send(self, deliveries: list[Delivery], *, settings: dict[str, Any], dry_run: bool = False) -> list[Receipt]:
        """Write one archive per delivery into ``settings["to"]`` (the outbox on a dry run)."""
        receipts = []
        for delivery in deliveries:
            if "to" not in settings:
                receipts.append(Receipt(delivery.delivery_id, "failed", error="channels.agency needs a 'to' folder"))
                continue
            archive = build_case_file(self.site, delivery, self.renderer)
            folder = delivery.outbox if dry_run and delivery.outbox else self.site.root / settings["to"]
            path = folder / f"{delivery.client}-{delivery.as_of.isoformat() if delivery.as_of else 'case'}-{delivery.delivery_id[:8]}.zip"
            write_atomic(path, archive)
            receipts.append(Receipt(delivery.delivery_id, "sent", proof={
                "archive": path.name,
                "sha256": hashlib.sha256(archive).hexdigest(),
            }, evidence=(archive,)))
        return receipts

    def validate_settings(self, settings: dict[str, Any]) -> list[str]:
        """``to`` must name a folder inside the site."""
        problems = [f"{key}: unknown setting (known: to)" for key in settings if key != "to"]
        folder = settings.get("to")
        if not isinstance(folder, str) or not folder:
            problems.append(f"to: expected the folder receiving the case files, such as exports/, got {folder!r}")
        elif not folder.isprintable():
            problems.append(f"to: {folder!r} holds a control character; give a folder name such as exports/")
        elif any(len(name.encode("utf-8")) > NAME_MAX for name in Path(folder).parts):
            problems.append(f"to: {shown(folder)} holds a name longer than {NAME_MAX} bytes, which no file system accepts")
        elif Path(folder).is_absolute() or not (self.site.root / folder).resolve().is_relative_to(self.site.root.resolve()):
            problems.append(f"to: {folder!r} is outside the site; give a folder inside it, such as exports/")
        return problems


def build_case_file(site: Site, delivery: Delivery, renderer: Renderer) -> bytes:
    situation = compute_situation(site, site.clients[delivery.client], delivery.as_of or site.as_of)
    exhibits = _exhibits(delivery)
    context = renderer.context(situation, "collection", "agency")
    bordereau = renderer.pdf(renderer.render_page("exhibits.html", {**context, "exhibits": exhibits}))
    members: list[tuple[str, bytes]] = [
        ("case.json", (json.dumps(case_json(site, situation, exhibits, renderer), indent=2, ensure_ascii=False) + "\n").encode("utf-8")),
        ("invoices.csv", invoices_csv(situation)),
        ("pieces/00-bordereau.pdf", bordereau),
    ]
    members += [(f"pieces/{exhibit['file']}", Path(exhibit["source"]).read_bytes()) for exhibit in exhibits]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def _exhibits(delivery: Delivery) -> list[dict[str, Any]]:
    exhibits = []
    for number, path in enumerate((*delivery.documents, *delivery.attachments), start=1):
        label = EXHIBIT_LABELS.get(path.stem, f"Copie de la facture {path.stem}")
        exhibits.append({
            "number": number,
            "file": f"{number:02d}-{path.name}",
            "description": label,
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "source": str(path),
        })
    return exhibits


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def case_json(site: Site, situation: ClientSituation, exhibits: list[dict[str, Any]], renderer: Renderer) -> dict[str, Any]:
    creditor, client = site.creditor, situation.client
    invoices = []
    for line in _claimed_lines(situation):
        invoice, penalties = line.invoice, line.penalties
        invoices.append({
            "number": invoice.number,
            "issued": invoice.issued.isoformat(),
            "due": invoice.due.isoformat(),
            "subject": invoice.subject,
            "amount": _money(invoice.amount),
            "amount_excl_tax": _money(invoice.amount_excl_tax) if invoice.amount_excl_tax is not None else None,
            "outstanding": _money(line.outstanding),
            "days_late": max(line.days_late, 0),
            "payments": [{"date": p.date.isoformat(), "amount": _money(p.amount)} for p in invoice.payments],
            "paid_late": line in situation.paid_late,  # paid, but late: its penalties are the debit note's
            "penalties": None if penalties is None else {
                "rate": renderer.rate_label(penalties.rate, site.language),  # the case file is in the site's language
                "interest": _money(penalties.interest_due),
                "indemnity": _money(penalties.indemnity),
                "periods": [{"from": p.start.isoformat(), "to": p.end.isoformat(), "days": p.days, "principal": _money(p.principal), "annual_rate": _money(p.annual_rate), "interest": _money(p.interest)} for p in penalties.periods],
            },
        })
    all_invoices = site.invoices_of(client.id)
    return {
        "as_of": situation.as_of.isoformat(),
        "creditor": {"name": creditor.name, "legal_form": creditor.legal_form, "siren": creditor.siren, "vat_number": creditor.vat_number,
                     "address": _address(creditor.address), "email": creditor.email, "phone": creditor.phone, "iban": creditor.iban, "bic": creditor.bic},
        "debtor": {"id": client.id, "name": client.name, "kind": client.kind, "siren": client.siren, "address": _address(client.address),
                   "contacts": [{"name": c.name, "role": c.role, "email": c.email, "phone": c.phone} for c in client.contacts]},
        "claim": _claim(situation),
        "invoices": invoices,
        "disputes": [{"invoice": inv.number, "reason": inv.disputed} for inv in all_invoices if inv.disputed],
        "promises": [{"invoice": inv.number, "date": inv.promise.date.isoformat(), "amount": _money(inv.promise.amount) if inv.promise.amount else None}
                     for inv in all_invoices if inv.promise],
        "history": [{"time": e.time.isoformat(), "stage": e.stage, "channel": e.channel, "status": e.status, "invoices": list(e.invoices),
                     "proof": e.proof, "note": e.note, "delivery_id": e.delivery_id} for e in situation.history],
        "exhibits": [{key: value for key, value in exhibit.items() if key != "source"} for exhibit in exhibits],
    }


def _claimed_lines(situation: ClientSituation) -> tuple[InvoiceLine, ...]:
    """The invoices of the case: those claimed, those not yet due, and those paid late whose
    penalties the debit note claims."""
    return (*situation.overdue, *situation.not_yet_due, *situation.paid_late)


def _claim(situation: ClientSituation) -> dict[str, str]:
    """What the agency recovers, principal, interest and indemnity kept apart: the collection
    letter's total and its debit note (``debit_note``, counted in interest and indemnity)."""
    paid_late = [line.penalties for line in situation.paid_late if line.penalties]
    interest = situation.interest + sum((p.interest_due for p in paid_late), Decimal("0.00"))
    indemnity = situation.indemnity + sum((p.indemnity for p in paid_late), Decimal("0.00"))
    return {"currency": "EUR", "principal": _money(situation.principal), "interest": _money(interest), "indemnity": _money(indemnity),
            "debit_note": _money(situation.paid_late_total), "total": _money(situation.total + situation.paid_late_total)}


def _address(address: Any) -> dict[str, Any]:
    return {"lines": list(address.lines), "postcode": address.postcode, "city": address.city, "country": address.country}


def invoices_csv(situation: ClientSituation) -> bytes:
    """The invoices as French Excel opens them: UTF-8 with BOM, ';' separators, decimal commas."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Facture", "Date", "Échéance", "Objet", "Montant TTC", "Reste dû", "Jours de retard", "Intérêts", "Indemnité"])
    for line in _claimed_lines(situation):
        penalties = line.penalties
        writer.writerow([
            line.invoice.number,
            line.invoice.issued.strftime("%d/%m/%Y"),
            line.invoice.due.strftime("%d/%m/%Y"),
            line.invoice.subject,
            _french(line.invoice.amount),
            _french(line.outstanding),
            max(line.days_late, 0),
            _french(penalties.interest_due if penalties else Decimal("0")),
            _french(penalties.indemnity if penalties else Decimal("0")),
        ])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _french(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")
