"""The plugin hooks: every point where a plugin can take part in a build or a send.

Plugins are pluggy plugins found through the ``relancegen`` entry-point group; the
built-in channels are registered the same way. Each hook below documents when it is
called, its arguments and what its return value means. Implement a hook with
``@relancegen.hookimpl`` and a function of the same name; you may accept only the
arguments you use.
"""

from __future__ import annotations

from typing import Any

import pluggy

PROJECT = "relancegen"

#: The version of the plugin API this relancegen provides: the hooks below, the channel
#: contract (``relancegen.Delivery``, ``Receipt``...) and ``relancegen.testing``. It goes up
#: when something is added; a plugin declares the version it needs with a module-level
#: ``RELANCEGEN_PLUGIN_API = 2`` and is refused, with a message, by an older relancegen.
#: 1: channels, build events, template filters and folders, extra documents, PDF renderer.
#: 2: channels declare ``media`` and may carry a medium a plugin adds (``channels.sms``);
#:    ``relancegen_add_channels`` may get ``site=None``; ``relancegen.testing`` helpers.
PLUGIN_API_VERSION = 2
#: The oldest plugin API still supported: a plugin declaring an older one is refused.
OLDEST_PLUGIN_API = 1

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def relancegen_add_channels(site: Any) -> list[Any]:
    """Return the channel objects this plugin provides.

    Called once per ``relancegen check`` / ``build`` / ``send`` / ``track`` after the site is
    loaded, and by ``relancegen plugins`` to list the channels.

    :param site: the loaded :class:`relancegen.site.model.Site`, or None when
        ``relancegen plugins`` lists the channels without a site.
    :return: a list of channel objects. A channel has a unique ``name`` (the value a site
        writes as ``channels.<medium>.plugin``), ``media``, the media it carries (e.g.
        ``("sms",)``: a site may map only those to it; a medium that is not the spec's is
        one this plugin adds, and the site says which stages use it), and a method
        ``send(deliveries, *, settings, dry_run=False) -> list[Receipt]`` returning one
        :class:`relancegen.Receipt` per delivery, without raising for a single failed
        delivery. It may also have ``track(entries, *, settings) -> list[dict]`` to poll
        the status of earlier deliveries, and ``validate_settings(settings) -> list[str]``
        returning problems with its settings.
    """


@hookspec
def relancegen_site_loaded(site: Any) -> None:
    """Called after the site is loaded and validated, before anything is computed.

    :param site: the loaded :class:`relancegen.site.model.Site` (read-only).
    """


@hookspec
def relancegen_client_situation(site: Any, situation: Any) -> None:
    """Called once per client after its situation (stage, invoices, penalties) is computed.

    :param site: the loaded site.
    :param situation: the :class:`relancegen.law.situation.ClientSituation` (read-only); a
        plugin can use it to collect figures or to log a decision.
    """


@hookspec
def relancegen_template_filters(site: Any) -> dict[str, Any]:
    """Return Jinja filters to add to the template environment, as ``{name: function}``.

    Called once per build when the theme environment is created, and once in each
    ``--jobs`` worker process; there ``site`` has its settings but not its clients,
    invoices or journal (:meth:`relancegen.site.model.Site.without_data`): a filter gets a
    document's data from its arguments. Later plugins override earlier ones for the same
    name; built-in filters (``money``, ``date_long``...) can be overridden this way.
    """


@hookspec
def relancegen_template_dirs(site: Any) -> list[Any]:
    """Return folders of templates this plugin ships, as :class:`pathlib.Path` objects.

    Called when the theme environment is created, like ``relancegen_template_filters``
    (in the worker processes, ``site`` has no clients, invoices or journal). The folders
    are searched after the site's ``overrides/`` and the theme chain, so a site or a theme
    can still override a plugin's template by name. Use it for the templates of the document kinds
    a plugin adds with ``relancegen_extra_documents``.
    """


@hookspec
def relancegen_extra_documents(site: Any, situation: Any) -> list[Any]:
    """Return additional documents to build for one client's situation.

    :param site: the loaded site.
    :param situation: the client's :class:`relancegen.law.situation.ClientSituation`.
    :return: a list of :class:`relancegen.documents.kinds.DocumentSpec`; each is rendered through
        the theme like the built-in kinds and listed in the manifest.
    """


@hookspec
def relancegen_document_rendered(site: Any, document: Any, path: Any) -> None:
    """Called after each document file is written.

    :param document: the manifest entry (a dict with client, stage, kind, format, path,
        invoices, channel, sha256).
    :param path: the absolute :class:`pathlib.Path` of the written file.
    """


@hookspec
def relancegen_build_finished(site: Any, manifest: dict[str, Any]) -> None:
    """Called once after ``manifest.json`` is written, with the manifest as a dict."""


@hookspec(firstresult=True)
def relancegen_render_pdf(html: str, base_url: str, assets: Any) -> bytes | None:
    """Render one HTML document (stylesheet inline) to PDF bytes; the first non-None result wins.

    :param html: the complete HTML document produced by the theme.
    :param base_url: the theme folder, against which fonts and images resolve.
    :param assets: a :class:`relancegen.documents.assets.AssetChain`: ``assets.locate(url)``
        maps a ``file:`` URL under ``base_url`` to the file the site's overrides, its assets
        or the themes it extends provide. A renderer may leave this argument out.
    :return: the PDF bytes, or None to leave the document to the next renderer. The
        built-in WeasyPrint renderer (plugin name ``weasyprint``) is registered
        ``trylast``, so a plugin that returns bytes replaces it without patching.
    """
