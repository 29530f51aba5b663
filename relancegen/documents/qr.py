"""The EPC "scan to pay" QR code (EPC069-12, SEPA credit transfer), as inline SVG."""

from __future__ import annotations

import functools
from decimal import Decimal

MAX_AMOUNT = Decimal("999999999.99")


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


@functools.lru_cache(maxsize=64)  # a client's letter and email carry the same code
def epc_qr_svg(*, name: str, iban: str | None, amount: Decimal, remittance: str, bic: str | None = None) -> str | None:
    """The QR code as an inline ``<svg>`` element, or None when it cannot be made (no IBAN,
    nothing to pay, or an amount beyond the standard's limit)."""
    import segno

    if not iban or amount <= 0 or amount > MAX_AMOUNT:
        return None
    payload = epc_payload(name=name, iban=iban, amount=amount, remittance=remittance, bic=bic)
    code = segno.make(payload, error="m", micro=False, encoding="utf-8")
    return code.svg_inline(scale=2, border=2, omitsize=True, svgclass="epc-qr")
