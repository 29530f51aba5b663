"""Each configured channel's settings, checked by the plugin that carries the medium.

A channel may have ``validate_settings(settings) -> list[str]``: one message per problem,
written ``"<setting>: <what is wrong>"`` so that the message names the setting.
``relancegen check`` and ``relancegen send`` report them as ``site.yml: channels.<medium>.<setting>``.
"""

from __future__ import annotations

import re
from typing import Any

from relancegen.errors import Location, Problem, shown

SETTING_NAME = re.compile(r"[a-z_][a-z0-9_]*")
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def plugin_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """A medium's settings as its plugin gets them (without ``plugin``)."""
    return {key: value for key, value in settings.items() if key != "plugin"}


def channel_problems(site: Any, channels: dict[str, Any]) -> list[Problem]:
    """Every problem with the site's ``channels:``: plugins not installed, settings a plugin refuses."""
    problems = []
    for medium, settings in sorted(site.channels.items()):

        def where(key: str, settings: Any = settings) -> Location:
            line = settings.line_of(key) if hasattr(settings, "line_of") else 0
            return Location("site.yml", line or (settings.line_of("plugin") if hasattr(settings, "line_of") else 0))

        name = settings.get("plugin")
        channel = channels.get(name)
        if channel is None:
            problems.append(Problem(
                where("plugin"), f"channels.{medium}.plugin",
                f"no installed plugin provides a channel named {shown(name)} (installed: {', '.join(sorted(channels)) or 'none'}; "
                "`relancegen plugins` lists them)",
            ))
            continue
        validate = getattr(channel, "validate_settings", None)
        if validate is None:
            continue
        try:
            messages = list(validate(plugin_settings(settings)) or ())
        except Exception as error:  # noqa: BLE001 - a plugin bug is reported, not a traceback
            messages = [f"the {name} plugin could not check its settings ({type(error).__name__}: {error})"]
        for message in messages:
            setting, colon, text = str(message).partition(": ")
            if colon and SETTING_NAME.fullmatch(setting):
                problems.append(Problem(where(setting), f"channels.{medium}.{setting}", text))
            else:
                problems.append(Problem(where("plugin"), f"channels.{medium}", str(message)))
    return problems


# -- helpers for plugins' validate_settings ----------------------------------------------


def unknown_settings(settings: dict[str, Any], known: tuple[str, ...]) -> list[str]:
    return [f"{key}: unknown setting (known: {', '.join(known)})" for key in settings if key not in known]


def number_problem(settings: dict[str, Any], key: str, *, integer: bool = False, minimum: float = 0, maximum: float | None = None, above: bool = False) -> list[str]:
    """A problem if ``settings[key]`` is present and not a number in range (YAML may give
    it as text, such as ``"0.5"``; true and false are not numbers)."""
    if key not in settings:
        return []
    value = settings[key]
    number = _number(value, integer)
    in_range = number is not None and (number > minimum if above else number >= minimum) and (maximum is None or number <= maximum)
    if in_range:
        return []
    kind = "a whole number" if integer else "a number"
    bound = f"above {minimum:g}" if above else f"at least {minimum:g}"
    limit = f" and at most {maximum:g}" if maximum is not None else ""
    return [f"{key}: expected {kind} {bound}{limit}, got {value!r}"]


def _number(value: Any, integer: bool) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    if integer and not number.is_integer() or number != number:
        return None
    return number


def boolean_problem(settings: dict[str, Any], key: str) -> list[str]:
    if key in settings and not isinstance(settings[key], bool):
        return [f"{key}: expected true or false, got {settings[key]!r}"]
    return []


def env_name_problem(settings: dict[str, Any], key: str) -> list[str]:
    """``*_env`` settings name an environment variable; the secret itself never goes in site.yml."""
    if key in settings and not (isinstance(settings[key], str) and ENV_NAME.fullmatch(settings[key])):
        return [f"{key}: expected the name of an environment variable (such as RELANCEGEN_SMTP_PASSWORD), got {settings[key]!r}"]
    return []
