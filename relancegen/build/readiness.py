"""What ``relancegen check`` verifies beyond the site's data: that the letters read, and
that the theme and the channel plugins the site names are there and usable, so that
``build`` and ``send`` do not fail later on something ``check`` passed."""

from __future__ import annotations

from relancegen.documents.letters import load_letters
from relancegen.documents.render import theme_problems
from relancegen.errors import Location, Problem, SiteError, shown
from relancegen.plugins import channels_for
from relancegen.site.model import Site
from relancegen.site.yamlpos import PosDict, load_yaml

SITE_FILE = "site.yml"


def readiness_problems(site: Site) -> list[Problem]:
    """The letters' and the theme's problems, and every channel whose plugin is not installed."""
    return [*letter_problems(site), *_at_theme_line(site, theme_problems(site.root, site.theme)), *channel_problems(site)]


def _at_theme_line(site: Site, problems: list[Problem]) -> list[Problem]:
    """The theme's problems reported against site.yml, given the line of ``site.theme``."""
    if not any(p.location == Location(SITE_FILE) for p in problems):
        return problems
    raw, _ = load_yaml(site.root / SITE_FILE, SITE_FILE)
    section = raw.get("site") if isinstance(raw, PosDict) else None
    line = section.line_of("theme") if isinstance(section, PosDict) else 0
    return [Problem(Location(SITE_FILE, line), p.field, p.message, p.severity) if p.location == Location(SITE_FILE) else p for p in problems]


def letter_problems(site: Site) -> list[Problem]:
    """Letter files that cannot be read (encoding, front matter)."""
    try:
        load_letters(site.root)
    except SiteError as error:
        return list(error.problems)
    return []


def channel_problems(site: Site) -> list[Problem]:
    """``channels.<medium>.plugin`` naming a channel no installed plugin provides."""
    if not site.channels:
        return []
    available = channels_for(site)
    problems = []
    for medium, settings in site.channels.items():
        name = settings.get("plugin")
        if name not in available:
            line = settings.line_of("plugin") if isinstance(settings, PosDict) else 0
            problems.append(Problem(
                Location(SITE_FILE, line), f"channels.{medium}.plugin",
                f"no installed plugin provides a channel named {shown(name)} (installed: {', '.join(sorted(available)) or 'none'}; "
                "`relancegen plugins` lists them)",
            ))
    return problems
