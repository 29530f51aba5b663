"""The built-in ``maileva`` postal channel: simple letters and registered letters with
acknowledgement of receipt (LRAR), with deposit and delivery proofs.

Registered through the ``relancegen`` entry point like any third-party plugin.
"""

from __future__ import annotations

from typing import Any

from relancegen import hookimpl

from relancegen_postal.maileva import MailevaChannel, address_lines

__all__ = ["MailevaChannel", "address_lines"]


@hookimpl
def relancegen_add_channels(site: Any) -> list[MailevaChannel]:
    return [MailevaChannel(site)]
