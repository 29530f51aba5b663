"""Imports, then fails when asked for its channels."""

from relancegen import hookimpl


@hookimpl
def relancegen_add_channels(site):
    raise RuntimeError("the gateway SDK needs a licence file")
