"""``relancegen check`` for languages: every language the site's documents use has its theme
strings translated and its letters written.

* error: a theme string (``{% trans %}``) with no translation in a language in use, named
  with the template and line that use it, so no source-language text slips into a document;
* error: a language in use that Babel does not know (dates and money could not be written);
* error: a stage whose documents need a letter that does not exist in a language in use, for
  a debtor regime a client of that language has;
* warning: a letter that exists in one language and not in another.
"""

from __future__ import annotations

from pathlib import Path

import jinja2

from relancegen.documents.formatting import is_known_language
from relancegen.documents.kinds import CALL_FOLLOW_UP, STAGE_DOCUMENTS
from relancegen.documents.letters import TOP_LEVEL_LANGUAGE, Letter, choose_letter, load_letters
from relancegen.documents.render import create_environment, document_language, theme_catalogues
from relancegen.errors import Location, Problem, relative_name
from relancegen.site.model import Site

TEMPLATE_SUFFIXES = (".html", ".txt")


def languages_in_use(site: Site) -> dict[str, set[str]]:
    """Each language the documents are written in → the debtor regimes of its clients."""
    languages: dict[str, set[str]] = {site.language: set()}
    for client in site.clients.values():
        languages.setdefault(document_language(site, client), set()).add(client.kind)
    return languages


def language_problems(site: Site) -> list[Problem]:
    """Every language problem of the site, errors and warnings (see the module's docstring)."""
    in_use = languages_in_use(site)
    problems = [
        Problem(Location("site.yml"), "language", f"{language!r} is not a language Babel knows (use a code such as fr, en, de)")
        for language in sorted(in_use) if not is_known_language(language)
    ]
    catalogues = theme_catalogues(site)
    messages = theme_messages(site)
    for language in sorted(in_use):
        problems += catalogues.missing(language, messages)
    letters = load_letters(site.root)
    problems += missing_letters(letters, in_use)
    problems += unmatched_letters(letters, site.root)
    return problems


def theme_messages(site: Site) -> dict[str, list[tuple[str, int]]]:
    """Each string the theme's templates translate → where it is used (file, line)."""
    env = create_environment(site)
    messages: dict[str, list[tuple[str, int]]] = {}
    for name in env.list_templates(filter_func=lambda name: ":" not in name and name.endswith(TEMPLATE_SUFFIXES)):
        source, filename, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
        try:
            found = list(env.extract_translations(source))  # type: ignore[attr-defined]
        except jinja2.TemplateSyntaxError:
            continue  # reported where templates are compiled
        shown = relative_name(Path(filename), site.root) if filename else name
        for line, _function, message in found:
            singular = message if isinstance(message, str) else message[0]
            if isinstance(singular, str):
                messages.setdefault(singular, []).append((shown, line))
    return messages


def missing_letters(letters: list[Letter], in_use: dict[str, set[str]]) -> list[Problem]:
    """A stage's letter that a client's documents would need and that no file provides."""
    specs = [spec for specs in STAGE_DOCUMENTS.values() for spec in specs if spec.letter] + [CALL_FOLLOW_UP]
    problems = []
    for language, regimes in sorted(in_use.items()):
        for spec in specs:
            for regime in sorted(regimes):
                found = choose_letter(letters, stage=spec.stage, medium=spec.letter or "", regime=regime, client_id="",
                                      history=(), name=spec.letter_name, language=language)
                if found is None:
                    folder = f"letters/{spec.stage}/" if language == TOP_LEVEL_LANGUAGE else f"letters/{language}/{spec.stage}/"
                    named = f", file {spec.letter_name}.md" if spec.letter_name else ""
                    problems.append(Problem(Location(folder), "", f"no {language!r} letter for stage {spec.stage!r} (medium {spec.letter}{named}) for a {regime} debtor"))
    return sorted(set(problems), key=lambda p: (p.location, p.message))


def unmatched_letters(letters: list[Letter], site_root: Path) -> list[Problem]:
    """Warnings for letters that exist in one language and not in another."""
    by_language: dict[str, dict[str, Letter]] = {}
    for letter in letters:
        by_language.setdefault(letter.language, {})[f"{letter.stage}/{letter.path.name}"] = letter
    problems = []
    for language, present in sorted(by_language.items()):
        for other, theirs in sorted(by_language.items()):
            for key in sorted(set(theirs) - set(present)):
                folder = "letters" if language == TOP_LEVEL_LANGUAGE else f"letters/{language}"
                problems.append(Problem(Location(f"{folder}/{key}"), "", f"this letter exists in {other!r} ({relative_name(theirs[key].path, site_root)}) but not in {language!r}", "warning"))
    return problems
