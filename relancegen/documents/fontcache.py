"""Theme fonts subset once, then reused by every PDF.

WeasyPrint embeds in each PDF only the glyphs it uses, which means reading the whole font
file at every document. Without HarfBuzz's subsetter (``libharfbuzz-subset0`` on Debian)
it falls back to fontTools, and a 400 KB font then costs most of a letter's rendering
time. So the theme's fonts are first cut down to the characters that French and other
Latin-script letters use (``SUBSET_CHARACTERS``, a few dozen kilobytes per font); a
document that contains any other character is rendered with the full fonts. Without
HarfBuzz, ``relancegen.documents.pdf`` embeds these subsets whole rather than subset them again.

The subsets are cached in memory and on disk, keyed on the font's bytes, the character set
and the fontTools version, in ``$RELANCEGEN_CACHE_DIR``, else ``$XDG_CACHE_HOME/relancegen``,
else ``~/.cache/relancegen``. A CI job may keep that folder between runs; nothing breaks if
it is empty, stale or read-only.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import tempfile
from pathlib import Path


def _characters(*ranges: tuple[int, int]) -> frozenset[str]:
    return frozenset(chr(code) for start, end in ranges for code in range(start, end + 1))


SUBSET_CHARACTERS = _characters(
    (0x09, 0x0A), (0x0D, 0x0D),  # tab and line breaks, in the HTML source only
    (0x20, 0x7E),  # Basic Latin
    (0xA0, 0x24F),  # Latin-1 Supplement, Latin Extended-A and B
    (0x300, 0x36F),  # combining accents (names typed in decomposed form)
    (0x2000, 0x206F),  # general punctuation: dashes, quotes, ellipsis, narrow no-break space
    (0x20AC, 0x20AC), (0x2116, 0x2116), (0x2122, 0x2122),  # € № ™
)
CHARSET_KEY = hashlib.sha256("".join(sorted(SUBSET_CHARACTERS)).encode("utf-8", "surrogatepass")).hexdigest()[:12]


def covers(text: str) -> bool:
    """Whether every character of ``text`` is in the subset fonts."""
    return SUBSET_CHARACTERS.issuperset(text)


@functools.lru_cache(maxsize=32)
def subset_font(data: bytes) -> bytes:
    """The font ``data`` (TrueType or OpenType) cut down to ``SUBSET_CHARACTERS``."""
    from fontTools import version as fonttools_version

    key = hashlib.sha256(data + CHARSET_KEY.encode() + fonttools_version.encode()).hexdigest()[:32]
    cached = _cache_dir() / "fonts" / f"{key}.ttf"
    try:
        return cached.read_bytes()
    except OSError:
        pass
    subset = _subset(data)
    _store(cached, subset)
    return subset


def _subset(data: bytes) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    # A fixed 'head.modified' keeps the bytes, and so the PDFs, identical from run to run.
    font = TTFont(io.BytesIO(data), recalcTimestamp=False)
    options = subset.Options()
    options.layout_features = ["*"]  # keep kerning, ligatures and every other feature
    options.hinting = False  # as in WeasyPrint's own subsetting: PDF viewers do not use it
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.drop_tables += ["FFTM"]  # FontForge's timestamps: nothing a PDF needs
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(character) for character in SUBSET_CHARACTERS])
    subsetter.subset(font)
    output = io.BytesIO()
    font.save(output)
    return output.getvalue()


def _cache_dir() -> Path:
    if configured := os.environ.get("RELANCEGEN_CACHE_DIR"):
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "relancegen"


def _store(path: Path, data: bytes) -> None:
    """Write atomically; a cache that cannot be written is only a missed speed-up."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as temporary:
            temporary.write(data)
        os.replace(temporary.name, path)
    except OSError:
        pass
