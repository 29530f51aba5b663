"""Money, dates, rates and lists as letters print them, in the document's language (Babel).

``language`` is a code such as ``fr``, ``en`` or ``de``. French and English use the locales a
French creditor writes in (``fr_FR``, and ``en_GB``: "22 November 2026", "€1,234.56"); any
other code is Babel's locale of that name, so a new language needs no change here.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from decimal import Decimal
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import format_currency, format_decimal, parse_pattern

LOCALES = {"fr": "fr_FR", "en": "en_GB"}


@functools.lru_cache(maxsize=None)
def locale_of(language: str) -> Locale:
    """The Babel locale a document in ``language`` is written in."""
    return Locale.parse(LOCALES.get(language, language))


def is_known_language(language: str) -> bool:
    """Whether Babel knows how to write dates and money in ``language``."""
    try:
        locale_of(language)
    except (ValueError, UnknownLocaleError):
        return False
    return True


def money(value: Decimal, language: str = "fr") -> str:
    """``Decimal("1234.56")`` → ``"1 234,56 €"`` in French, ``"€1,234.56"`` in English."""
    return format_currency(value, "EUR", locale=locale_of(language), currency_digits=True)


def date_long(day: dt.date, language: str = "fr") -> str:
    """``2026-11-22`` → ``"22 novembre 2026"``, ``"22 November 2026"``; the first of a month
    is ``"1er"`` in French."""
    if language == "fr" and day.day == 1:
        return "1er " + format_date(day, "MMMM y", locale=locale_of("fr"))
    return format_date(day, "long", locale=locale_of(language))


def date_short(day: dt.date, language: str = "fr") -> str:
    """``2026-11-22`` → ``"22/11/2026"`` (the locale's short date, always with a 4-digit year)."""
    pattern = locale_of(language).date_formats["short"].pattern
    if "yyyy" not in pattern:
        pattern = pattern.replace("yy", "y")
    return format_date(day, pattern, locale=locale_of(language))


def percent(value: Decimal, language: str = "fr") -> str:
    """``Decimal("12.15")`` (already in percent) → ``"12,15 %"`` in French, ``"12.15%"`` in English."""
    number = format_decimal(value, format="#,##0.00", locale=locale_of(language))
    pattern = parse_pattern(locale_of(language).percent_formats[None].pattern)
    prefix, suffix = (part.replace("\u202f", "\u00a0") for part in (pattern.prefix[0], pattern.suffix[0]))
    return f"{prefix}{number}{suffix}"


def plain_number(value: Decimal, language: str = "fr") -> str:
    """A rate or a count without trailing zeros: ``10`` → ``"10"``, ``12.50`` → ``"12,5"``."""
    return format_decimal(value, format="#,##0.###", locale=locale_of(language))


def join_list(items: list[str], language: str = "fr") -> str:
    """``["A", "B", "C"]`` → ``"A, B et C"`` in French, ``"A, B and C"`` in English."""
    return format_list(items, locale=locale_of(language)) if items else ""


def postal_locality(address: Any) -> str:
    """An address's last line as the post's sorting machines read it (NF Z10-011): the
    postcode and the locality in capitals, ``"69330 MEYZIEU"``. A French locality is also
    written without accents or punctuation, as La Poste's own database does
    (``"Saint-Étienne"`` → ``"SAINT ETIENNE"``); a foreign one keeps its letters."""
    city = address.city.upper()
    if address.country == "FR":
        city = "".join(c for c in unicodedata.normalize("NFKD", city) if not unicodedata.combining(c))
        city = " ".join(re.sub(r"[^0-9A-Z]+", " ", city).split())
    return f"{address.postcode} {city}".strip()


def postal_country(address: Any) -> str:
    """The country line of a letter posted from France to another country: the country's
    name in French and in capitals, last (UPU and NF Z10-011), ``"ALLEMAGNE"``; empty for
    France."""
    if address.country == "FR":
        return ""
    return (Locale("fr").territories.get(address.country) or address.country).upper()
