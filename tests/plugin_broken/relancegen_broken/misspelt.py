"""A hook name with a typo: pluggy would never call it."""

from relancegen import hookimpl


@hookimpl
def relancegen_add_channel(site):
    return []
