"""The theme's message catalogues: its strings in each language, through gettext.

Templates mark their strings with ``{% trans %}…{% endtrans %}`` (``jinja2.ext.i18n``); the
strings as written are in the theme's source language (``source_language`` in theme.yml,
French for the classic theme). A translation lives in ``locales/<lang>/LC_MESSAGES/messages.po``
in a theme folder or in the site; each ``.po`` is compiled with Babel when the renderer loads
(a ``.mo`` alone is read too). The site's catalogue wins over a child theme's, which wins over
the theme it extends, string by string. A string with no translation in a document's language
is an error naming the string and the template, never the source text slipped into the page.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from relancegen.errors import Location, Problem, RelancegenError

LOCALES_DIR = "locales"
DOMAIN = "messages"


class MissingTranslation(RelancegenError):
    """A template string has no translation in the document's language."""

    def __init__(self, template: str | None, language: str, message: str):
        self.template, self.language, self.message = template or "(a letter)", language, message
        super().__init__(f"{self.template}: no {language!r} translation of {message!r} (add it to locales/{language}/LC_MESSAGES/{DOMAIN}.po)")


@dataclass
class Catalogue:
    """One language's translations, merged from every folder that has some."""

    language: str
    translations: Translations = field(default_factory=Translations)
    known: set[str] = field(default_factory=set)  # msgids with a (non-fuzzy) translation

    def add(self, catalog: Catalog) -> None:
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        self.translations.merge(Translations(buffer, domain=DOMAIN))
        self.known |= {message.id if isinstance(message.id, str) else message.id[0]
                       for message in catalog if message.id and _translated(message.string) and not message.fuzzy}


def _translated(string: str | tuple[str, ...] | None) -> bool:
    return bool(string) and (isinstance(string, str) or all(string))


class Catalogues:
    """Every language's catalogue for a theme chain and a site; gettext per language."""

    def __init__(self, folders: Iterable[Path], source_language: str):
        """``folders``: from the lowest priority (the theme extended last) to the highest (the site)."""
        self.folders = list(folders)
        self.source_language = source_language
        self._loaded: dict[str, Catalogue] = {}

    def catalogue(self, language: str) -> Catalogue:
        if language not in self._loaded:
            catalogue = Catalogue(language)
            for folder in self.folders:
                catalog = _read_catalog(folder / LOCALES_DIR / language / "LC_MESSAGES", language)
                if catalog is not None:
                    catalogue.add(catalog)
            self._loaded[language] = catalogue
        return self._loaded[language]

    def gettext(self, language: str, message: str, template: str | None) -> str:
        if language == self.source_language and message not in self.catalogue(language).known:
            return message
        self._require(language, message, template)
        return self.catalogue(language).translations.gettext(message)

    def ngettext(self, language: str, singular: str, plural: str, count: int, template: str | None) -> str:
        if language == self.source_language and singular not in self.catalogue(language).known:
            return singular if count == 1 else plural
        self._require(language, singular, template)
        return self.catalogue(language).translations.ngettext(singular, plural, count)

    def _require(self, language: str, message: str, template: str | None) -> None:
        if message not in self.catalogue(language).known:
            raise MissingTranslation(template, language, message)

    def missing(self, language: str, messages: dict[str, list[tuple[str, int]]]) -> list[Problem]:
        """One error per string (and the first template using it) with no translation."""
        if language == self.source_language:
            return []
        known = self.catalogue(language).known
        return [
            Problem(Location(places[0][0], places[0][1]), "", f"no {language!r} translation of {message!r} (locales/{language}/LC_MESSAGES/{DOMAIN}.po)")
            for message, places in messages.items() if message not in known
        ]


def _read_catalog(folder: Path, language: str) -> Catalog | None:
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    try:
        if po.is_file():
            with po.open("rb") as handle:
                return read_po(handle, locale=language.replace("-", "_"), domain=DOMAIN)
        if mo.is_file():
            with mo.open("rb") as handle:
                return read_mo(handle)
    except (OSError, ValueError) as error:
        raise RelancegenError(f"{po if po.is_file() else mo}: cannot read the catalogue: {error}") from error
    return None
