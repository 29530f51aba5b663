"""The plugin manager: every plugin, built-in or third-party, comes through the
``relancegen`` entry-point group and is checked against the documented hooks."""

from __future__ import annotations

import functools

import pluggy

from relancegen import hookspecs


@functools.lru_cache(maxsize=1)
def get_plugin_manager() -> pluggy.PluginManager:
    """The process-wide plugin manager, with every installed plugin registered.

    ``check_pending`` turns a misspelt hook name in a plugin into an error.
    """
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    manager.load_setuptools_entrypoints(hookspecs.PROJECT)
    manager.check_pending()
    return manager
