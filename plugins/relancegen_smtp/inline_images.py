"""An email's ``data:`` images as inline parts of the message, named by ``cid:``.

The built email file carries its images inside (``<img src="data:image/png;base64,…">``), so
that a browser shows it whole. Mail clients do not show ``data:`` images (Gmail, Outlook):
the message carries each one as a part of a multipart/related next to the HTML (RFC 2387),
which names it ``cid:…``. The Content-ID is derived from the image's bytes, so the same
email makes the same message, attempt after attempt.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

DATA_IMAGE = re.compile(r"""(<img\b[^>]*?\ssrc=)(["'])data:image/(png|gif|jpeg);base64,([A-Za-z0-9+/=]+)\2""", re.IGNORECASE)
EXTENSIONS = {"png": "png", "gif": "gif", "jpeg": "jpg"}


@dataclass(frozen=True)
class InlineImage:
    """One image the HTML names by ``cid:``: its Content-ID (without angle brackets), its
    MIME subtype, its bytes, and the file name the part gives it."""

    content_id: str
    subtype: str
    data: bytes
    filename: str


def inline_images(html: str, domain: str) -> tuple[str, list[InlineImage]]:
    """The HTML with each ``data:`` image's ``src`` turned into ``cid:<id>``, and the images,
    each once, in the order the HTML first shows them. A ``data:`` URI that is not valid
    base64 is left as it is."""
    images: dict[str, InlineImage] = {}

    def to_cid(match: re.Match[str]) -> str:
        opening, quote, subtype, encoded = match.groups()
        try:
            data = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            return match.group(0)
        subtype = subtype.lower()
        content_id = f"{hashlib.sha256(data).hexdigest()[:24]}@{domain}"
        if content_id not in images:
            images[content_id] = InlineImage(content_id, subtype, data, f"image-{len(images) + 1}.{EXTENSIONS[subtype]}")
        return f"{opening}{quote}cid:{content_id}{quote}"

    return DATA_IMAGE.sub(to_cid, html), list(images.values())
