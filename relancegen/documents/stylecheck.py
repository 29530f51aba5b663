"""Stylesheets as WeasyPrint reads them: what it would silently drop, with file and line.

``stylesheet_problems(renderer)`` reads every ``.css`` file of the site's overrides and of
the theme chain and reports an unclosed ``{`` (which swallows the rest of the file), a
``}`` closing nothing, a ``url()`` naming no asset, and, as warnings, the declarations
WeasyPrint rejects. For ``relancegen check`` and ``relancegen serve``.
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jinja2

from relancegen.errors import Location, Problem, not_utf8, relative_name
from relancegen.documents.themecheck import is_template

INCLUDE = re.compile(r"{%-?\s*include\b.*?%}", re.S)
WEASYPRINT_AT = re.compile(r" at (\d+):(\d+)")
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+?)['\"]?\s*\)")
STRING_OR_COMMENT = re.compile(r"/\*.*?\*/|\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'", re.S)


def stylesheets(renderer: Any) -> list[Path]:
    """Every ``.css`` file of the site's overrides and of the theme chain."""
    return [path for folder in renderer.assets.folders if folder.is_dir() for path in sorted(folder.rglob("*.css"))]


def stylesheet_problems(renderer: Any) -> list[Problem]:
    """What WeasyPrint would silently drop from each stylesheet, with file and line.

    A stylesheet is a template: each file is rendered on its own (its ``{% include %}``
    lines left out, line breaks kept) with the site's context, so lines match the file."""
    env = renderer.env.overlay(trim_blocks=False, lstrip_blocks=False)
    problems: list[Problem] = []
    for path in stylesheets(renderer):
        name = relative_name(path, renderer.site.root)
        try:
            source = INCLUDE.sub(lambda match: "\n" * match.group().count("\n"), path.read_text(encoding="utf-8"))
        except UnicodeDecodeError as error:
            reported = any(path.is_relative_to(folder) and is_template(path, folder) for folder in renderer.assets.folders)
            if not reported:  # a template's is reported by the template check
                line, message = not_utf8(path, error, "stylesheet")
                problems.append(Problem(Location(name, line), "", message))
            continue
        try:
            text = env.from_string(source).render(renderer.site_context())
        except jinja2.TemplateSyntaxError as error:
            problems.append(Problem(Location(name, error.lineno or 0), "", f"template syntax error: {error.message}"))
            continue
        except jinja2.TemplateError as error:
            frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == "<template>"]
            problems.append(Problem(Location(name, frames[-1].lineno if frames else 0), "", f"template error: {error}"))
            continue
        problems += css_problems(text, name, renderer.assets, path.parent)
    return problems


def css_problems(text: str, name: str, assets: Any, folder: Path) -> list[Problem]:
    """Unclosed blocks, rejected declarations and missing assets of one stylesheet."""
    problems = [Problem(Location(name, line), "", message) for line, message in _unclosed_blocks(text)]
    with _weasyprint_warnings() as messages:
        from weasyprint import CSS

        CSS(string=text, base_url=folder.as_uri() + "/", url_fetcher=_no_fetch)
    for message in messages:
        if "without a base URI" in message or "Failed to load" in message:
            continue
        at = WEASYPRINT_AT.search(message)
        # A warning: WeasyPrint also drops screen-only properties a stylesheet may mean for browsers.
        problems.append(Problem(Location(name, int(at.group(1)) if at else 0), "", f"WeasyPrint: {message}", "warning"))
    for number, line in enumerate(text.splitlines(), start=1):
        for url in CSS_URL.findall(line):
            if not url.startswith(("data:", "http:", "https:", "#")) and assets.locate((folder / url).as_uri()) is None and assets.find(url) is None:
                problems.append(Problem(Location(name, number), "", f"url({url}): no such asset in the site's assets/, overrides/ or the theme chain"))
    return problems


def _unclosed_blocks(text: str) -> list[tuple[int, str]]:
    """The lines of ``{`` never closed and of ``}`` never opened (comments and strings skipped)."""
    blanked = STRING_OR_COMMENT.sub(lambda match: re.sub(r"[^\n]", " ", match.group()), text)
    open_lines: list[int] = []
    found: list[tuple[int, str]] = []
    line = 1
    for character in blanked:
        if character == "\n":
            line += 1
        elif character == "{":
            open_lines.append(line)
        elif character == "}":
            if open_lines:
                open_lines.pop()
            else:
                found.append((line, "'}' closes no block"))
    found += [(opened, "'{' is never closed: WeasyPrint ignores everything after it") for opened in open_lines]
    return sorted(found)


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> Any:
    raise ValueError("the check fetches nothing")


@contextmanager
def _weasyprint_warnings() -> Iterator[list[str]]:
    """Collect what WeasyPrint logs while parsing a stylesheet."""
    messages: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(record.getMessage())

    logger = logging.getLogger("weasyprint")
    handler = Collect(logging.WARNING)
    logger.addHandler(handler)
    propagate, logger.propagate = logger.propagate, False
    try:
        yield messages
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
