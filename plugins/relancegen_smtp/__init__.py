"""The built-in ``smtp`` channel: reminder emails with their PDFs, threaded, with proof.

Registered through the ``relancegen`` entry point like any third-party plugin.
"""

from __future__ import annotations

from typing import Any

from relancegen import hookimpl

from relancegen_smtp.channel import SmtpChannel, build_message

__all__ = ["SmtpChannel", "build_message"]


@hookimpl
def relancegen_add_channels(site: Any) -> list[SmtpChannel]:
    return [SmtpChannel()]
