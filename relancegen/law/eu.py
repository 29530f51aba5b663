"""Which debtors the EU Late Payment Directive (2011/7/EU) concerns across a border.

The Directive harmonises late-payment interest and the 40 € fixed compensation in commercial
transactions; France transposes it in C. com. L441-10 and D441-5. A business debtor
established in another member state is told that the claim rests on that shared rule.
"""

from __future__ import annotations

EU_MEMBER_STATES = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
})


def late_payment_directive_applies(kind: str, creditor_country: str, debtor_country: str) -> bool:
    """True for a business debtor (b2b) in another EU member state than the creditor's."""
    creditor, debtor = creditor_country.upper(), debtor_country.upper()
    return kind == "b2b" and debtor in EU_MEMBER_STATES and creditor in EU_MEMBER_STATES and debtor != creditor
