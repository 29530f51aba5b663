"""The built-in ``agency-export`` channel: a ZIP case file per client for a collection agency.

Registered through the ``relancegen`` entry point like any third-party plugin.
"""

from __future__ import annotations

from typing import Any

from relancegen import hookimpl

from relancegen_agency.channel import AgencyExportChannel

__all__ = ["AgencyExportChannel"]


@hookimpl
def relancegen_add_channels(site: Any) -> list[AgencyExportChannel]:
    return [AgencyExportChannel(site)]
