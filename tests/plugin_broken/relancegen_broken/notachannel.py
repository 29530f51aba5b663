"""Returns something that is not a channel."""

from relancegen import hookimpl


@hookimpl
def relancegen_add_channels(site):
    return ["sms"]
