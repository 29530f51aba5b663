"""relancegen-sms: adds the ``sms`` medium to relancegen.

A site maps it and says which stages use it::

    channels:
      sms: {plugin: sms, stages: [reminder, overdue], base_url: ..., api_key_env: ..., sender: ...}

The build then writes ``<client>/<stage>/sms.txt`` from this package's ``sms.txt`` template
(a site's ``overrides/sms.txt`` replaces it), and ``relancegen send`` hands it to
:class:`SmsChannel`, which posts it to the gateway.
"""

from __future__ import annotations

from pathlib import Path

from relancegen import hookimpl

from relancegen_sms.channel import SmsChannel

RELANCEGEN_PLUGIN_API = 2  # channels that carry a medium of their own

__all__ = ["SmsChannel"]


@hookimpl
def relancegen_add_channels(site):
    return [SmsChannel()]


@hookimpl
def relancegen_template_dirs(site):
    return [Path(__file__).parent / "templates"]
