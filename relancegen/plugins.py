"""The plugin manager: every plugin, built-in or third-party, comes through the
``relancegen`` entry-point group and is checked against the documented hooks. Also what the
plugins contribute to the pipeline: the channels and the renderer (filters, template folders,
the PDF renderer)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pluggy

from relancegen import hookspecs
from relancegen.documents.render import Renderer
from relancegen.errors import RelancegenError


@functools.lru_cache(maxsize=1)
def get_plugin_manager() -> pluggy.PluginManager:
    """The process-wide plugin manager, with every installed plugin registered.

    ``check_pending`` turns a misspelt hook name in a plugin into an error.
    """
    from relancegen.documents import pdf

    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    manager.register(pdf, name="weasyprint")  # the default PDF renderer, replaceable
    manager.load_setuptools_entrypoints(hookspecs.PROJECT)
    manager.check_pending()
    return manager


@dataclass(frozen=True)
class InstalledPlugin:
    name: str
    distribution: str
    version: str
    hooks: tuple[str, ...]


def installed_plugins() -> list[InstalledPlugin]:
    """Every registered plugin with the distribution that provides it and its hooks."""
    manager = get_plugin_manager()
    distributions = {id(plugin): dist for plugin, dist in manager.list_plugin_distinfo()}
    found = []
    for name, plugin in manager.list_name_plugin():
        if plugin is None:
            continue
        dist = distributions.get(id(plugin))
        hooks = tuple(sorted(impl.name for impl in manager.get_hookcallers(plugin) or ()))
        found.append(InstalledPlugin(
            name=name,
            distribution=dist.project_name if dist else "(built in)",
            version=dist.version if dist else "",
            hooks=hooks,
        ))
    return sorted(found, key=lambda p: p.name)


def channels_for(site: Any) -> dict[str, Any]:
    """Every channel the installed plugins provide, by name; duplicate names are an error."""
    channels: dict[str, Any] = {}
    for contributed in get_plugin_manager().hook.relancegen_add_channels(site=site):
        for channel in contributed or ():
            if channel.name in channels:
                raise RelancegenError(f"two plugins provide a channel named {channel.name!r}")
            channels[channel.name] = channel
    return channels


def plugin_renderer(site: Any) -> Renderer:
    """The renderer with everything plugins contribute: filters, template folders and the
    PDF renderer (the first that answers ``relancegen_render_pdf``)."""
    hooks = get_plugin_manager().hook
    filters: dict[str, Any] = {}
    for contributed in hooks.relancegen_template_filters(site=site):
        filters.update(contributed or {})
    folders = [Path(folder) for contributed in hooks.relancegen_template_dirs(site=site) for folder in contributed or ()]
    return Renderer(site, extra_filters=filters, render_pdf=hooks.relancegen_render_pdf, extra_template_dirs=folders)
