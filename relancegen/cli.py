"""The ``relancegen`` command line: thin commands over the core modules.

Each command only parses its options, calls the core and prints. Every user-facing
failure is a :class:`SiteError` or :class:`RelancegenError`, printed once, exit code 1,
never a traceback.
"""

from __future__ import annotations

import datetime as dt
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


date_option = click.option(
    "--date",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The date to compute for (YYYY-MM-DD). Default: site.as_of, else today.",
)


def _as_of(site: Any, requested: Any) -> dt.date:
    return requested.date() if requested else (site.as_of or dt.date.today())


def _echo_warnings(warnings: list[Any]) -> None:
    for warning in warnings:
        click.echo(str(warning), err=True)


@main.command()
@site_option
@date_option
@reports_errors
def check(site_dir: Path, as_of: Any) -> None:
    """Validate the site: every problem at once, as file:line: field: message."""
    from relancegen.checks import legal_warnings
    from relancegen.loader import load_site

    site = load_site(site_dir)
    warnings = [*site.warnings, *legal_warnings(site, _as_of(site, as_of))]
    _echo_warnings(warnings)
    click.echo(
        f"{site_dir}: {len(site.clients)} clients, {len(site.invoices)} invoices, "
        f"{len(site.journal)} journal entries: no error, {len(warnings)} warning{'s' if len(warnings) != 1 else ''}."
    )


@main.command()
@site_option
@date_option
@click.option("--client", "client_id", default=None, help="Only this client's invoices.")
@click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table", show_default=True)
@reports_errors
def penalties(site_dir: Path, as_of: Any, client_id: str | None, output_format: str) -> None:
    """Late interest and recovery indemnities per invoice, to the cent."""
    from relancegen import penalty_report
    from relancegen.loader import load_site
    from relancegen.penalties import site_penalties

    site = load_site(site_dir)
    if client_id and client_id not in site.clients:
        raise RelancegenError(f"unknown client {client_id!r}")
    day = _as_of(site, as_of)
    _echo_warnings(site.rates.coverage_warnings(day))
    results = site_penalties(site, day, client_id)
    click.echo(penalty_report.to_json(results) if output_format == "json" else penalty_report.to_table(results, day))


@main.command()
@site_option
@date_option
@click.option("--out", "output", type=click.Path(file_okay=False, path_type=Path), default=None, help="Output folder (default: site.output).")
@click.option("--client", "client_id", default=None, help="Only this client.")
@click.option("--all-stages", is_flag=True, help="Every stage for every client: the specimen to proof-read.")
@reports_errors
def build(site_dir: Path, as_of: Any, output: Path | None, client_id: str | None, all_stages: bool) -> None:
    """Build each client's documents for its current stage, and manifest.json."""
    from relancegen.build import BuildOptions, build_site
    from relancegen.build_summary import format_summary
    from relancegen.loader import load_site

    site = load_site(site_dir)
    options = BuildOptions(
        as_of=_as_of(site, as_of),
        output=(output.resolve() if output else site.output),
        client_id=client_id,
        all_stages=all_stages,
    )
    summary = build_site(site, options)
    click.echo(format_summary(summary))


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@reports_errors
def new(directory: Path) -> None:
    """Create a small working site in DIRECTORY."""
    from relancegen.scaffold import new_site

    for path in new_site(directory):
        click.echo(f"  created {directory / path}")
    click.echo(f"Next: cd {directory} && relancegen check && relancegen build")
