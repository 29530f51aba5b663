"""What a document depends on, as one hash: the key of incremental builds.

A document is rendered again only when its key changes: the client's situation (invoices,
payments, penalties, journal history, build date), the document kind, and the site-wide
inputs (creditor, terms, theme and letter files, installed plugins, relancegen's version).
Keys are content hashes, never modification times, which ``cp``, ``git clone`` and CI lose.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from relancegen import __version__
from relancegen.site.model import Site


def site_digest(site: Site, template_dirs: Iterable[Path], plugins: Iterable[tuple[str, str]]) -> str:
    """The hash of everything every document of the site depends on."""
    digest = hashlib.sha256()
    for part in (__version__, repr(site.creditor), repr(site.terms), repr(site.extra), site.title, site.language, repr(sorted(plugins))):
        digest.update(part.encode("utf-8") + b"\0")
    for folder in template_dirs:
        if not folder.is_dir():
            continue
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(path.relative_to(folder).as_posix().encode("utf-8") + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def document_key(site_key: str, situation: Any, spec: Any) -> str:
    """The hash of one document's inputs. The situation's ``repr`` covers every invoice,
    payment, penalty period and journal entry of the client, and the build date."""
    text = "\0".join((site_key, repr(spec), repr(situation)))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
