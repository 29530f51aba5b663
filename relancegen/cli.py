"""The ``relancegen`` command line: thin commands over the core modules.

Each command only parses its options, calls the core and prints. Every user-facing
failure is a :class:`SiteError` or :class:`RelancegenError`, printed once, exit code 1,
never a traceback.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from relancegen import __version__
from relancegen.errors import Problem, RelancegenError, SiteError
from relancegen.site.model import MEDIA, STAGES

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
    from relancegen.documents.languages import language_problems
    from relancegen.law.checks import legal_warnings
    from relancegen.site.journal import verify_chain
    from relancegen.site.loader import load_site

    site = load_site(site_dir)
    _refuse_legal_errors(site, _as_of(site, as_of))
    chain = [Problem(p.location, p.field, p.message, "warning") for p in verify_chain(site.journal_dir, site.root)]
    languages = language_problems(site)
    warnings = [*site.warnings, *legal_warnings(site, _as_of(site, as_of)), *chain]
    if any(problem.severity == "error" for problem in languages):
        raise SiteError([*languages, *warnings])
    warnings += languages
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
    from relancegen.documents import penalty_report
    from relancegen.site.loader import load_site
    from relancegen.law.penalties import site_penalties

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
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes rendering PDFs (default: the number of CPUs).")
@click.option("--force", is_flag=True, help="Render every document again, even those whose inputs did not change.")
@click.option("--shard", default=None, metavar="K/N", help="Build only the K-th of N stable slices of the clients (for a CI matrix; join with merge-manifests).")
@reports_errors
def build(site_dir: Path, as_of: Any, output: Path | None, client_id: str | None, all_stages: bool, jobs: int | None, force: bool, shard: str | None) -> None:
    """Build each client's documents for its current stage, and manifest.json."""
    from relancegen.build.pipeline import BuildOptions, build_site
    from relancegen.build.summary import format_summary
    from relancegen.site.loader import load_site

    site = load_site(site_dir)
    _refuse_legal_errors(site, _as_of(site, as_of))
    options = BuildOptions(
        as_of=_as_of(site, as_of),
        output=(output.resolve() if output else site.output),
        client_id=client_id,
        all_stages=all_stages,
        jobs=jobs or os.cpu_count() or 1,
        force=force,
        shard=_parse_shard(shard),
    )
    summary = build_site(site, options)
    click.echo(format_summary(summary))


def _refuse_legal_errors(site: Any, as_of: Any) -> None:
    """Stop with every legal error of the site on the date (see ``law.checks.legal_errors``)."""
    from relancegen.law.checks import legal_errors

    errors = legal_errors(site, as_of)
    if errors:
        raise SiteError([*site.warnings, *errors])


def _parse_shard(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    try:
        k, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise RelancegenError(f"--shard {text}: expected K/N, such as 2/4") from None
    if not 1 <= k <= n:
        raise RelancegenError(f"--shard {text}: K must be between 1 and N")
    return k, n


@main.command("merge-manifests")
@click.argument("manifests", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--out", "output", required=True, type=click.Path(file_okay=False, path_type=Path), help="Folder receiving the joined manifest.json.")
@reports_errors
def merge_manifests(manifests: tuple[Path, ...], output: Path) -> None:
    """Join the manifest.json files of sharded builds into one."""
    from relancegen.build import manifest as manifest_io

    merged = manifest_io.merge_manifests(list(manifests))
    path = manifest_io.write_manifest(output, merged)
    click.echo(f"{path}: {len(merged['documents'])} documents from {len(manifests)} shards.")


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@reports_errors
def new(directory: Path) -> None:
    """Create a small working site in DIRECTORY."""
    from relancegen.scaffold import new_site

    for path in new_site(directory):
        click.echo(f"  created {directory / path}")
    click.echo(f"Next: cd {directory} && relancegen check && relancegen build")


@main.command()
@site_option
@click.option("--medium", type=click.Choice(MEDIA), default=None, help="Only this medium.")
@click.option("--dry-run", is_flag=True, help="Write what would be sent under <output>/outbox/ and send nothing.")
@reports_errors
def send(site_dir: Path, medium: str | None, dry_run: bool) -> None:
    """Deliver the last build's documents through the configured channels."""
    from relancegen.site.loader import load_site
    from relancegen.delivery.send import planned_deliveries, send_site

    site = load_site(site_dir)
    if sys.stdout.isatty():
        deliveries = planned_deliveries(site, medium)
        with click.progressbar(length=len(deliveries), label="Sending", show_pos=True, item_show_func=lambda d: d.client if d else "") as bar:
            summary = send_site(site, dry_run=dry_run, deliveries=deliveries, on_delivery=lambda delivery, _: bar.update(1, delivery))
    else:

        def report(delivery: Any, outcome: str) -> None:
            click.echo(f"  {outcome:<14} {delivery.client:<24} {delivery.stage:<14} {delivery.medium:<16} {delivery.delivery_id}")

        summary = send_site(site, medium=medium, dry_run=dry_run, on_delivery=report)
    parts = [f"{len(summary.sent)} sent", f"{len(summary.failed)} failed", f"{len(summary.already_sent)} already sent", f"{len(summary.unknown)} unknown"]
    if summary.not_configured:
        parts.append(f"{len(summary.not_configured)} not configured ({', '.join(sorted({m for _, m in summary.not_configured}))})")
    if dry_run:
        parts = [f"dry run: {len(summary.dry_run)} deliveries written under {site.output / 'outbox'}", *parts[2:]]
    click.echo(", ".join(parts) + ".")
    for delivery_id, error in summary.failed:
        click.echo(f"failed {delivery_id}: {error}", err=True)
    if summary.unknown:
        click.echo("Deliveries with an unknown outcome are never retried automatically: check with the "
                   "provider, then journal what happened with `relancegen record`.", err=True)
    if not summary.ok:
        sys.exit(1)


@main.command()
@site_option
@click.option("--client", "client_id", required=True, help="The client concerned.")
@click.option("--stage", required=True, type=click.Choice(STAGES), help="The stage this action belongs to.")
@click.option("--note", required=True, help="What happened, in a sentence.")
@click.option("--channel", default="phone", show_default=True, help="phone, visit, email, post...")
@click.option("--invoice", "invoices", multiple=True, help="Invoice numbers (default: the client's open invoices).")
@click.option("--promise-date", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="Date of a payment promise obtained.")
@click.option("--promise-amount", default=None, help="Amount promised.")
@reports_errors
def record(site_dir: Path, client_id: str, stage: str, note: str, channel: str, invoices: tuple[str, ...], promise_date: Any, promise_amount: str | None) -> None:
    """Journal a manual action: a phone call, a promise obtained, a visit."""
    from relancegen.delivery.journal import append_entry
    from relancegen.site.loader import load_site
    from relancegen.site.schema import parse_money
    from relancegen.law.stages import open_invoices

    site = load_site(site_dir)
    if client_id not in site.clients:
        raise RelancegenError(f"unknown client {client_id!r}")
    known = {inv.number for inv in site.invoices_of(client_id)}
    unknown = [number for number in invoices if number not in known]
    if unknown:
        raise RelancegenError(f"not invoices of {client_id}: {', '.join(unknown)}")
    numbers = list(invoices) or [inv.number for inv in open_invoices(site.invoices_of(client_id), _as_of(site, None))]
    entry: dict[str, Any] = {"client": client_id, "stage": stage, "channel": channel, "invoices": numbers, "status": "recorded", "note": note}
    if promise_date:
        amount = parse_money(promise_amount) if promise_amount else None
        if promise_amount and amount is None:
            raise RelancegenError(f"--promise-amount: {promise_amount!r} is not an amount")
        entry["promise"] = {"date": promise_date.date().isoformat(), **({"amount": f"{amount:.2f}"} if amount else {})}
    written = append_entry(site.journal_dir, entry)
    click.echo(f"Recorded {stage} for {client_id} at {written['time']} ({', '.join(numbers) or 'no open invoice'}).")


@main.command()
@reports_errors
def plugins() -> None:
    """List installed plugins, their versions and the hooks they implement."""
    from relancegen.plugins import installed_plugins

    for plugin in installed_plugins():
        click.echo(f"{plugin.name:<20} {plugin.distribution} {plugin.version:<10} {', '.join(plugin.hooks) or '(no hooks)'}")


@main.command()
@site_option
@reports_errors
def track(site_dir: Path) -> None:
    """Poll the status of sent letters and store their proofs in the journal."""
    from relancegen.site.loader import load_site
    from relancegen.delivery.track import track_site

    appended = track_site(load_site(site_dir))
    for entry in appended:
        proofs = ", ".join(entry["proof"].get("proofs", {})) or "no proof yet"
        click.echo(f"  {entry['client']:<24} {entry['stage']:<14} {entry['proof'].get('status')}  ({proofs})")
    click.echo(f"{len(appended)} update{'s' if len(appended) != 1 else ''} journaled.")
