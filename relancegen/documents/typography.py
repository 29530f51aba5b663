"""French typography, applied once to every rendered document rather than typed by hand.

French sets a narrow no-break space (U+202F) before ``; : ! ?`` and inside ``« »``, so that a
line never starts with a colon or a closing guillemet. :func:`french_spacing` does it on text
and :func:`french_spacing_html` on the text of an HTML document, leaving tags, attributes,
character references and ``<style>``/``<script>`` alone. Only the spacing a writer typed is
turned narrow and unbreakable before ``:`` and ``;`` (``https://`` and ``&amp;`` keep theirs);
before ``!`` and ``?`` a missing space is added after a word, unless a URL goes on after it.
"""

from __future__ import annotations

import re

NARROW_NBSP = "\u202f"
_SPACE = r"[ \t\u00a0\u202f]"
_RULES = (
    (re.compile(rf"{_SPACE}+([;:!?])"), NARROW_NBSP + r"\1"),
    (re.compile(r"(\w)([!?]+)(?=[\s<»)\]]|$)"), r"\1" + NARROW_NBSP + r"\2"),
    (re.compile(rf"«{_SPACE}*"), "«" + NARROW_NBSP),
    (re.compile(rf"{_SPACE}*»"), NARROW_NBSP + "»"),
)
_TAG_OR_RAW = re.compile(r"(<(style|script)\b.*?</\2\s*>|<!--.*?-->|<[^>]*>)", re.DOTALL | re.IGNORECASE)


def french_spacing(text: str) -> str:
    """Text with French spacing before high punctuation and inside guillemets."""
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


def french_spacing_html(html: str) -> str:
    """An HTML document with :func:`french_spacing` applied to its text only."""
    parts = []
    position = 0
    for match in _TAG_OR_RAW.finditer(html):
        parts.append(french_spacing(html[position:match.start()]))
        parts.append(match.group(0))
        position = match.end()
    parts.append(french_spacing(html[position:]))
    return "".join(parts)


def typeset(text: str, language: str) -> str:
    """Text with the typography of its language (French spacing for ``fr``, else as is)."""
    return french_spacing(text) if language == "fr" else text


def typeset_html(html: str, language: str) -> str:
    """An HTML document with the typography of its language, on its text only."""
    return french_spacing_html(html) if language == "fr" else html
