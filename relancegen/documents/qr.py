"""The EPC "scan to pay" QR code (EPC069-12, SEPA credit transfer): an inline SVG for printed
documents, a PNG for emails (mail clients such as Gmail and Outlook drop inline SVG)."""

from __future__ import annotations

import base64
import functools
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

MAX_AMOUNT = Decimal("999999999.99")
#: The width an email's QR code aims at, in CSS pixels; the PNG's modules are whole pixels,
#: so the image comes out near this size (130 to 190 px), exactly as wide as it says.
EMAIL_QR_TARGET_PX = 160
#: The light margin a QR reader needs around the code, in modules (ISO/IEC 18004).
QUIET_ZONE = 4


@dataclass(frozen=True)
class QrImage:
    """The QR code as a PNG: its bytes and its width (= height) in pixels."""

    png: bytes
    size: int

    @property
    def src(self) -> str:
        """A ``data:`` URI of the PNG: the built email file shows the code in any browser,
        and the smtp channel sends it as an inline part that the HTML names by ``cid:``."""
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


def epc_payload(*, name: str, iban: str, amount: Decimal, remittance: str, bic: str | None = None) -> str:
    """The text a banking app reads: service tag BCD, version 002, UTF-8, SCT."""
    lines = [
        "BCD",
        "002",
        "1",
        "SCT",
        bic or "",
        name[:70],
        iban.replace(" ", ""),
        f"EUR{amount:.2f}",
        "",  # purpose
        "",  # structured reference (unused: remittance is free text)
        remittance[:140],
    ]
    return "\n".join(lines)


def epc_qr_code(*, name: str, iban: str | None, amount: Decimal, remittance: str, bic: str | None = None) -> Any:
    """The segno QR code of the payment, or None when it cannot be made (no IBAN, nothing to
    pay, or an amount beyond the standard's limit)."""
    import segno

    if not iban or amount <= 0 or amount > MAX_AMOUNT:
        return None
    payload = epc_payload(name=name, iban=iban, amount=amount, remittance=remittance, bic=bic)
    return segno.make(payload, error="m", micro=False, encoding="utf-8")


@functools.lru_cache(maxsize=64)  # a client's letter and email carry the same code
def epc_qr_svg(*, name: str, iban: str | None, amount: Decimal, remittance: str, bic: str | None = None) -> str | None:
    """The QR code as an inline ``<svg>`` element (sized by the stylesheet), or None."""
    code = epc_qr_code(name=name, iban=iban, amount=amount, remittance=remittance, bic=bic)
    return None if code is None else code.svg_inline(scale=2, border=2, omitsize=True, svgclass="epc-qr")


@functools.lru_cache(maxsize=64)
def epc_qr_png(*, name: str, iban: str | None, amount: Decimal, remittance: str, bic: str | None = None) -> QrImage | None:
    """The QR code as a black-on-white PNG for emails, with its quiet zone, each module a
    square of whole pixels (crisp at its stated size), or None."""
    code = epc_qr_code(name=name, iban=iban, amount=amount, remittance=remittance, bic=bic)
    if code is None:
        return None
    modules = code.symbol_size(scale=1, border=QUIET_ZONE)[0]
    scale = max(2, round(EMAIL_QR_TARGET_PX / modules))
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=scale, border=QUIET_ZONE, dark="#000000", light="#ffffff")
    return QrImage(buffer.getvalue(), modules * scale)
