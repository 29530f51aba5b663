"""The ``relancegen`` command line: thin commands over the core modules.

Each command only parses its options, calls the core and prints. Every user-facing
failure is a :class:`SiteError` or :class:`RelancegenError`, printed once, exit code 1,
never a traceback.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from relancegen import __version__
from relancegen.errors import RelancegenError, SiteError

site_option = click.option(
    "--site",
    "site_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The site folder (the one holding site.yml).",
)


def reports_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the project's errors into a clean message on stderr and exit code 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except SiteError as error:
            for problem in error.problems:
                click.echo(str(problem), err=True)
            count = sum(1 for p in error.problems if p.severity == "error")
            click.echo(f"{count} error{'s' if count != 1 else ''} found.", err=True)
            sys.exit(1)
        except RelancegenError as error:
            click.echo(f"Error: {error}", err=True)
            sys.exit(1)

    return wrapper


@click.group()
@click.version_option(__version__, prog_name="relancegen")
def main() -> None:
    """Build French dunning documents from a YAML site and deliver them."""
