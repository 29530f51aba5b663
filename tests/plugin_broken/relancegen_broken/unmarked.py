"""A hook without @hookimpl: pluggy would never call it."""


def relancegen_build_finished(site, manifest):
    print("never called")
