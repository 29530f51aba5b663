"""What ``relancegen check`` verifies beyond the site's data: that the letters read, and
that the theme and the channel plugins the site names are there and usable, so that
``build`` and ``send`` do not fail later on something ``check`` passed."""

from __future__ import annotations

from relancegen.documents.letters import load_letters
from relancegen.documents.render import theme_problems
from relancegen.errors import Location, Problem, SiteError
from relancegen.site.model import Site
from relancegen.site.yamlpos import PosDict, load_yaml

SITE_FILE = "site.yml"


def readiness_problems(site: Site) -> list[Problem]:
    """The letters' and the theme's problems (the channels' are
    :func:`relancegen.delivery.channel_settings.channel_problems`)."""
    return [*letter_problems(site), *_at_theme_line(site, theme_problems(site.root, site.theme))]


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
