"""The plugin manager: every plugin, built-in or third-party, comes through the
``relancegen`` entry-point group and is checked against the documented hooks. Also what the
plugins contribute to the pipeline: the channels and the renderer (filters, template folders,
the PDF renderer).

A plugin that cannot be used (it does not import, implements a hook that does not exist,
or needs a newer plugin API) is skipped and listed by :func:`broken_plugins`, so that one
broken package never stops a build or a send. A site may choose the third-party plugins
that run for it (site.yml ``plugins:``); the plugins shipped with relancegen always run.
"""

from __future__ import annotations

import difflib
import functools
import inspect
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any

import pluggy

from relancegen import hookspecs
from relancegen.documents.render import Renderer
from relancegen.errors import Location, Problem, RelancegenError, SiteError
from relancegen.site.model import MEDIA, Site

BUILT_IN = "relancegen"  # the distribution whose plugins always run
API_ATTRIBUTE = "RELANCEGEN_PLUGIN_API"


@dataclass(frozen=True)
class BrokenPlugin:
    """An installed plugin that was skipped, and why."""

    name: str
    distribution: str
    reason: str

    def __str__(self) -> str:
        return f"warning: plugin {self.name} ({self.distribution}) skipped: {self.reason}"


@dataclass
class _Registry:
    manager: pluggy.PluginManager
    distributions: dict[str, tuple[str, str]] = field(default_factory=dict)  # plugin name → (distribution, version)
    broken: list[BrokenPlugin] = field(default_factory=list)


@functools.lru_cache(maxsize=1)
def _registry() -> _Registry:
    from relancegen.documents import pdf

    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    manager.register(pdf, name="weasyprint")  # the default PDF renderer, replaceable
    registry = _Registry(manager)
    for entry_point in sorted(entry_points(group=hookspecs.PROJECT), key=lambda ep: ep.name):
        if manager.has_plugin(entry_point.name):
            continue  # the same distribution seen twice on the path
        _load(registry, entry_point)
    return registry


def _load(registry: _Registry, entry_point: EntryPoint) -> None:
    """Register one entry point's plugin, or note why it is skipped."""
    dist = entry_point.dist
    distribution = (dist.name, dist.version) if dist else ("(unknown distribution)", "")
    label = " ".join(part for part in distribution if part)

    def skip(reason: str) -> None:
        registry.broken.append(BrokenPlugin(entry_point.name, label, reason))

    try:
        plugin = entry_point.load()
    except Exception as error:  # noqa: BLE001 - any error of a plugin's import is the plugin's
        return skip(f"cannot be imported: {type(error).__name__}: {error}")
    refused = api_version_problem(getattr(plugin, API_ATTRIBUTE, 1))
    if refused:
        return skip(refused)
    try:
        registry.manager.register(plugin, name=entry_point.name)
    except Exception as error:  # noqa: BLE001 - pluggy rejects a hook with arguments its spec does not have
        return skip(str(error))
    unknown = [caller.name for caller in registry.manager.get_hookcallers(plugin) or () if not caller.has_spec()]
    unmarked = _unmarked_hooks(plugin)
    if unknown or unmarked:
        registry.manager.unregister(plugin)
        return skip("; ".join([*map(_unknown_hook_message, unknown), *map(_unmarked_hook_message, unmarked)]))
    registry.distributions[entry_point.name] = distribution


def api_version_problem(needed: Any) -> str | None:
    """Why a plugin declaring ``RELANCEGEN_PLUGIN_API = needed`` cannot run here, or None."""
    if isinstance(needed, bool) or not isinstance(needed, int):
        return f"{API_ATTRIBUTE} must be a whole number such as {hookspecs.PLUGIN_API_VERSION}, not {needed!r}"
    if needed > hookspecs.PLUGIN_API_VERSION:
        return (f"needs plugin API {needed}, and this relancegen provides plugin API {hookspecs.PLUGIN_API_VERSION}: "
                "upgrade relancegen (pip install -U relancegen)")
    if needed < hookspecs.OLDEST_PLUGIN_API:
        return (f"was written for plugin API {needed}, which this relancegen no longer supports "
                f"(oldest: {hookspecs.OLDEST_PLUGIN_API}): upgrade the plugin")
    return None


def _hook_names() -> list[str]:
    return [name for name in dir(hookspecs) if name.startswith(f"{hookspecs.PROJECT}_")]


def _unknown_hook_message(name: str) -> str:
    close = difflib.get_close_matches(name, _hook_names(), n=1)
    return f"{name} is not a relancegen hook" + (f"; did you mean {close[0]}?" if close else "")


def _unmarked_hooks(plugin: Any) -> list[str]:
    """Functions named like a hook but not marked ``@hookimpl``: pluggy would ignore them."""
    names = [name for name in dir(plugin) if name in _hook_names()]
    return [name for name in names if inspect.isroutine(getattr(plugin, name)) and not hasattr(getattr(plugin, name), f"{hookspecs.PROJECT}_impl")]


def _unmarked_hook_message(name: str) -> str:
    return f"{name} is not marked @hookimpl (from relancegen import hookimpl), so it would never be called"


def get_plugin_manager() -> pluggy.PluginManager:
    """The process-wide plugin manager, with every installed plugin that could be loaded."""
    return _registry().manager


def broken_plugins() -> list[BrokenPlugin]:
    """The installed plugins that were skipped, with the reason (printed as warnings)."""
    return list(_registry().broken)


def is_built_in(name: str) -> bool:
    """Plugins shipped with relancegen (and those registered at run time, such as a test's)."""
    distribution = _registry().distributions.get(name)
    return distribution is None or distribution[0] == BUILT_IN


def _excluded(site: Site | None) -> list[Any]:
    """The third-party plugins the site's ``plugins:`` list leaves out."""
    manager = get_plugin_manager()
    if site is None or site.plugins is None:
        return []
    return [plugin for name, plugin in manager.list_name_plugin() if plugin is not None and not is_built_in(name) and name not in site.plugins]


class SiteHooks:
    """The hooks of the plugins that run for one site: ``site_hooks(site).relancegen_x(...)``."""

    def __init__(self, site: Site | None):
        self._excluded = _excluded(site)

    def __getattr__(self, name: str) -> Any:
        manager = get_plugin_manager()
        if not self._excluded:
            return getattr(manager.hook, name)
        return manager.subset_hook_caller(name, remove_plugins=self._excluded)


def site_hooks(site: Site | None) -> SiteHooks:
    """The hooks to call for ``site``: every loaded plugin, less those its ``plugins:`` omits."""
    return SiteHooks(site)


@dataclass(frozen=True)
class InstalledPlugin:
    name: str
    distribution: str
    version: str
    hooks: tuple[str, ...]
    built_in: bool


def installed_plugins(site: Site | None = None) -> list[InstalledPlugin]:
    """Every loaded plugin (with a site: those that run for it), with the distribution that
    provides it and its hooks."""
    manager = get_plugin_manager()
    excluded = {id(plugin) for plugin in _excluded(site)}
    found = []
    for name, plugin in manager.list_name_plugin():
        if plugin is None or id(plugin) in excluded:
            continue
        distribution, version = _registry().distributions.get(name, ("built in", ""))
        hooks = tuple(sorted(caller.name for caller in manager.get_hookcallers(plugin) or ()))
        found.append(InstalledPlugin(name, distribution, version, hooks, is_built_in(name)))
    return sorted(found, key=lambda p: p.name)


def channel_media(channel: Any) -> tuple[str, ...] | None:
    """The media a channel declares it carries (``media = ("sms",)``); None for a channel
    written before media were declared (plugin API 1), taken to carry any of the spec's."""
    media = getattr(channel, "media", None)
    return None if media is None else tuple(media)


def provided_channels(site: Site | None) -> dict[str, list[Any]]:
    """The channels each running plugin provides, by plugin name. ``site`` is None when
    ``relancegen plugins`` lists them without a site. A plugin whose hook fails, or returns
    something that is not a channel, is skipped like a plugin that does not import."""
    manager = get_plugin_manager()
    hook = site_hooks(site).relancegen_add_channels
    provided: dict[str, list[Any]] = {}
    for implementation in hook.get_hookimpls():
        name = manager.get_name(implementation.plugin) or "?"
        arguments = {"site": site}
        try:
            channels = list(implementation.function(*[arguments[arg] for arg in implementation.argnames]) or ())
        except Exception as error:  # noqa: BLE001 - a plugin's bug is reported as the plugin's
            _skip_at_run_time(name, f"relancegen_add_channels failed: {type(error).__name__}: {error}")
            continue
        wrong = [channel for channel in channels if not _is_channel(channel)]
        if wrong:
            _skip_at_run_time(name, f"relancegen_add_channels returned {wrong[0]!r}, not a channel (a name, a send method, media as a tuple of names)")
            continue
        provided[name] = channels
    return provided


def _is_channel(channel: Any) -> bool:
    media = getattr(channel, "media", ())
    return (
        isinstance(getattr(channel, "name", None), str)
        and callable(getattr(channel, "send", None))
        and isinstance(media, (tuple, list))
        and all(isinstance(medium, str) for medium in media)
    )


def _skip_at_run_time(name: str, reason: str) -> None:
    registry = _registry()
    distribution = " ".join(part for part in registry.distributions.get(name, ("built in", "")) if part)
    registry.broken.append(BrokenPlugin(name, distribution, reason))
    registry.manager.unregister(name=name)


def running_channels(site: Site) -> dict[str, Any]:
    """The channels of the plugins running for the site, by name; two with one name are an error."""
    channels: dict[str, Any] = {}
    for contributed in provided_channels(site).values():
        for channel in contributed:
            if channel.name in channels:
                raise RelancegenError(f"two plugins provide a channel named {channel.name!r}")
            channels[channel.name] = channel
    return channels


def channels_for(site: Site) -> dict[str, Any]:
    """The channels running for the site, by name, for ``send`` and ``track``: stops with
    every error of :func:`plugin_problems` first."""
    channels = running_channels(site)
    problems = [p for p in [*plugin_list_problems(site), *channel_problems(site, channels)] if p.severity == "error"]
    if problems:
        raise SiteError(problems)
    return channels


def plugin_problems(site: Site) -> list[Problem]:
    """What ``relancegen check`` reports about the site's plugins: its ``plugins:`` list and
    its ``channels`` against the plugins that run for it."""
    return [*plugin_list_problems(site), *channel_problems(site, running_channels(site))]


def channel_problems(site: Site, channels: dict[str, Any]) -> list[Problem]:
    """site.yml's ``channels`` against the running channels: each medium's plugin must be
    there and carry that medium."""
    problems = []
    for medium, settings in site.channels.items():
        where = Location("site.yml", site.lines.get(f"channels.{medium}", 0))
        name = settings["plugin"]
        channel = channels.get(name)
        if channel is None:
            problems.append(Problem(where, f"channels.{medium}.plugin", f"no running plugin provides a channel named {name!r}{_why_missing(site, channels)}"))
            continue
        media = channel_media(channel)
        if media is None and medium not in MEDIA:
            problems.append(Problem(where, f"channels.{medium}.plugin", f"channel {name!r} does not declare the media it carries (media = (...)): it can only carry {', '.join(MEDIA)}"))
        elif media is not None and medium not in media:
            problems.append(Problem(where, f"channels.{medium}.plugin", f"channel {name!r} carries {', '.join(media) or 'no medium'}, not {medium}"))
    return problems


def _why_missing(site: Site, channels: dict[str, Any]) -> str:
    hints = [f"; channels available: {', '.join(sorted(channels)) or 'none'} (see `relancegen plugins`)"]
    if site.plugins is not None:
        hints.append("; site.yml's plugins: list chooses the third-party plugins that run")
    if broken_plugins():
        hints.append(f"; skipped because broken: {', '.join(b.name for b in broken_plugins())}")
    return "".join(hints)


def plugin_list_problems(site: Site) -> list[Problem]:
    """site.yml's ``plugins:`` against the installed plugins: each name must be loaded."""
    if site.plugins is None:
        return []
    where = Location("site.yml", site.lines.get("plugins", 0))
    manager = get_plugin_manager()
    broken = {plugin.name: plugin.reason for plugin in broken_plugins()}
    problems = []
    for name in site.plugins:
        if name in broken:
            problems.append(Problem(where, "plugins", f"plugin {name!r} is installed but broken: {broken[name]}"))
        elif not manager.has_plugin(name):
            installed = ", ".join(p.name for p in installed_plugins() if not p.built_in) or "none"
            problems.append(Problem(where, "plugins", f"no plugin named {name!r} is installed (third-party plugins installed: {installed})"))
        elif is_built_in(name):
            problems.append(Problem(where, "plugins", f"{name!r} is shipped with relancegen and always runs: list only third-party plugins", "warning"))
    return problems


def message_template_problems(site: Site, renderer: Renderer) -> list[Problem]:
    """Each medium a plugin adds needs its message template, ``<medium>.txt``: shipped by
    the plugin (``relancegen_template_dirs``) or in the site's ``overrides/``."""
    problems = []
    for medium in site.media_stages:
        if f"{medium}.txt" not in renderer.env.list_templates():
            where = Location("site.yml", site.lines.get(f"channels.{medium}", 0))
            problems.append(Problem(where, f"channels.{medium}", f"no template {medium}.txt for its messages: the plugin of channel {site.channels[medium]['plugin']!r} ships none; write overrides/{medium}.txt"))
    return problems


def require_plugins(site: Site, renderer: Renderer) -> None:
    """Stop before a build when the site needs plugins that are not running: its
    ``plugins:`` list names one that is missing, or a medium a plugin adds has no channel
    to carry it or no template for its messages."""
    problems = [
        problem for problem in [*plugin_problems(site), *message_template_problems(site, renderer)]
        if problem.severity == "error" and (problem.field == "plugins" or problem.field.split(".")[1] in site.media_stages)
    ]
    if problems:
        raise SiteError(problems)


def plugin_renderer(site: Any) -> Renderer:
    """The renderer with everything plugins contribute: filters, template folders and the
    PDF renderer (the first that answers ``relancegen_render_pdf``)."""
    hooks = site_hooks(site)
    filters: dict[str, Any] = {}
    for contributed in hooks.relancegen_template_filters(site=site):
        filters.update(contributed or {})
    folders = [Path(folder) for contributed in hooks.relancegen_template_dirs(site=site) for folder in contributed or ()]
    return Renderer(site, extra_filters=filters, render_pdf=hooks.relancegen_render_pdf, extra_template_dirs=folders)
