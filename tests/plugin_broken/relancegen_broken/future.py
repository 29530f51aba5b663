"""Written for a plugin API this relancegen does not provide yet."""

from relancegen import hookimpl

RELANCEGEN_PLUGIN_API = 99


@hookimpl
def relancegen_build_finished(site, manifest):
    print("never called")
