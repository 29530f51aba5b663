"""French (and English) forms of money, dates and rates, as letters print them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

LOCALES = {"fr": "fr_FR", "en": "en_GB"}


def money(value: Decimal, language: str = "fr") -> str:
    """``Decimal("1234.56")`` → ``"1 234,56 €"`` (French separators, two decimals)."""
    return format_currency(value, "EUR", locale=LOCALES[language], currency_digits=True)


def date_long(day: dt.date, language: str = "fr") -> str:
    """``2026-11-22`` → ``"22 novembre 2026"``; the first of a month is ``"1er"`` in French."""
    if language == "fr" and day.day == 1:
        return "1er " + format_date(day, "MMMM y", locale="fr_FR")
    return format_date(day, "d MMMM y", locale=LOCALES[language])


def date_short(day: dt.date, language: str = "fr") -> str:
    """``2026-11-22`` → ``"22/11/2026"``."""
    return format_date(day, "dd/MM/y", locale=LOCALES[language])


def percent(value: Decimal, language: str = "fr") -> str:
    """``Decimal("12.15")`` (already in percent) → ``"12,15 %"``."""
    number = format_decimal(value, format="#,##0.00", locale=LOCALES[language])
    return f"{number}\u00a0%" if language == "fr" else f"{number}%"


def plain_number(value: Decimal, language: str = "fr") -> str:
    """A rate or a count without trailing zeros: ``10`` → ``"10"``, ``12.50`` → ``"12,5"``."""
    text = format(value.normalize(), "f")
    return text.replace(".", ",") if language == "fr" else text
