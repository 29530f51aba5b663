"""The ``relancegen`` command line: thin commands over the core modules.

Each command only parses its options, calls the core and prints. Every user-facing
failure is a :class:`SiteError` or :class:`RelancegenError`, printed once, exit code 1,
never a traceback.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import jinja2

from relancegen import __version__
from relancegen.errors import Problem, RelancegenError, SiteError
from relancegen.law.stages import CALL_OUTCOMES
from relancegen.site.model import DOCUMENT_STAGES, MEDIA

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
        _SHOWN_BROKEN.clear()
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
        except OSError as error:  # disk full, read-only file system, a folder not writable...
            click.echo(f"Error: {io_error_message(error)}", err=True)
            sys.exit(1)
        except jinja2.TemplateError as error:  # a theme's template: its file and line, no traceback
            from relancegen.documents.themecheck import problems_of

            for problem in problems_of(error):
                click.echo(str(problem), err=True)
            click.echo("`relancegen check` lists every problem of the theme and the letters.", err=True)
            sys.exit(1)
        finally:
            _echo_broken_plugins(load=False)  # those skipped while the command ran

    return wrapper


def io_error_message(error: OSError) -> str:
    """An input/output failure in one sentence: the file and what the system said."""
    reason = error.strerror or type(error).__name__
    if error.filename is None:
        return f"input/output error: {reason}"
    target = f"{error.filename} → {error.filename2}" if error.filename2 else str(error.filename)
    return f"cannot write or read {target}: {reason}"


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
    """The build date: --date, else site.as_of, else today; refused outside the rate tables'
    reach (from their first rate to 2199), where no amount could be computed."""
    day = requested.date() if requested else (site.as_of or dt.date.today())
    first, last = site.rates.first_day_with_rates(), dt.date(2199, 12, 31)
    if not first <= day <= last:
        raise RelancegenError(f"the date {day.isoformat()} is out of range: relancegen computes from {first.isoformat()} (its first known rates) to {last.isoformat()}")
    return day


def _echo_warnings(warnings: list[Any]) -> None:
    for warning in warnings:
        click.echo(str(warning), err=True)


def _echo_broken_plugins(load: bool = True) -> None:
    """Installed plugins that were skipped (they do not import, misspell a hook...), by
    name, each once a command; ``load=False`` does not load the plugins to find out."""
    if not load and "relancegen.plugins" not in sys.modules:
        return
    from relancegen.plugins import broken_plugins

    for plugin in broken_plugins():
        if plugin not in _SHOWN_BROKEN:
            _SHOWN_BROKEN.add(plugin)
            click.echo(str(plugin), err=True)


_SHOWN_BROKEN: set[Any] = set()


@main.command()
@site_option
@date_option
@reports_errors
def check(site_dir: Path, as_of: Any) -> None:
    """Validate the site, its theme and its letters: every problem at once, as file:line: field: message."""
    from relancegen.build.readiness import readiness_problems
    from relancegen.delivery.channel_settings import channel_problems
    from relancegen.documents.languages import language_problems
    from relancegen.documents.stylecheck import stylesheet_problems
    from relancegen.documents.themecheck import theme_problems as template_problems
    from relancegen.law.checks import legal_warnings
    from relancegen.plugins import channels_for, message_template_problems, plugin_problems, plugin_renderer
    from relancegen.site.journal import verify_chain
    from relancegen.site.loader import dated_after, load_site

    site = load_site(site_dir)
    _refuse_legal_errors(site, _as_of(site, as_of))
    _echo_broken_plugins()
    plugins = plugin_problems(site)
    if site.media_stages:
        plugins += message_template_problems(site, plugin_renderer(site))
    if any(p.severity == "error" for p in plugins):
        raise SiteError([*site.warnings, *plugins])
    chain = [Problem(p.location, p.field, p.message, "warning") for p in verify_chain(site.journal_dir, site.root)]
    ready = [*readiness_problems(site), *dated_after(site, _as_of(site, as_of))]
    if any(problem.severity == "error" for problem in ready):  # the checks below read the theme
        raise SiteError([*ready, *site.warnings])
    renderer = plugin_renderer(site)
    theme = [*template_problems(renderer), *stylesheet_problems(renderer)]
    problems = [*ready, *theme, *channel_problems(site, channels_for(site)), *language_problems(site), *plugins]
    warnings = [*site.warnings, *legal_warnings(site, _as_of(site, as_of)), *chain]
    if any(problem.severity == "error" for problem in problems):
        raise SiteError([*problems, *warnings])
    warnings += problems
    _echo_warnings(warnings)
    click.echo(
        f"{site_dir}: {len(site.clients)} clients, {len(site.invoices)} invoices, "
        f"{len(site.journal)} journal entries: no error, {len(warnings)} warning{'s' if len(warnings) != 1 else ''}."
    )


@main.command()
@site_option
@date_option
@click.option("--client", "client_id", default=None, help="Only this client's invoices.")
@click.option("--format", "output_format", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True,
              help="csv: for a French Excel (semicolons, decimal commas, UTF-8 with BOM).")
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
    if output_format == "csv":
        click.echo(penalty_report.to_csv(results).encode("utf-8"), nl=False)  # bytes: UTF-8 whatever the locale
    else:
        click.echo(penalty_report.to_json(results, site.rates) if output_format == "json" else penalty_report.to_table(results, day, site.rates))


@main.command()
@site_option
@date_option
@reports_errors
def balance(site_dir: Path, as_of: Any) -> None:
    """The aged balance (balance âgée) by client, as CSV for a French Excel."""
    from relancegen.documents.spreadsheet import aged_balance_csv
    from relancegen.law.aging import aged_balance
    from relancegen.law.situation import compute_situations
    from relancegen.site.loader import load_site

    site = load_site(site_dir)
    situations = compute_situations(site, _as_of(site, as_of))
    click.echo(aged_balance_csv(aged_balance(situations)).encode("utf-8"), nl=False)


@main.command()
@site_option
@date_option
@click.option("--out", "output", type=click.Path(file_okay=False, path_type=Path), default=None, help="Output folder (default: site.output).")
@click.option("--client", "client_id", default=None, help="Only this client.")
@click.option("--all-stages", is_flag=True, help="Every stage for every client: the specimen to proof-read.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes rendering PDFs (default: the number of CPUs).")
@click.option("--force", is_flag=True, help="Render every document again, even those whose inputs did not change.")
@click.option("--shard", default=None, metavar="K/N", help="Build only the K-th of N stable slices of the clients (for a CI matrix; join with merge-manifests).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True, help="json: the morning to-do as JSON, for CI.")
@reports_errors
def build(site_dir: Path, as_of: Any, output: Path | None, client_id: str | None, all_stages: bool, jobs: int | None, force: bool, shard: str | None, output_format: str) -> None:
    """Build each client's documents for its current stage, and manifest.json."""
    from relancegen.build.pipeline import BuildOptions, build_site
    from relancegen.build.summary import format_summary, format_todo
    from relancegen.site.loader import dated_after, load_site

    site = load_site(site_dir)
    late = dated_after(site, _as_of(site, as_of))
    if late:
        raise SiteError([*late, *site.warnings])
    _echo_broken_plugins()
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
    if client_id is None and options.shard is None:
        from relancegen.build.dashboard import write_index

        write_index(site, options.output, options.as_of)
    if output_format == "json":
        click.echo(json.dumps({"documents": summary.document_count, "todo": summary.todo.as_json() if summary.todo else None}, indent=2, ensure_ascii=False))
        return
    click.echo(format_summary(summary))
    if summary.todo is not None:
        click.echo(format_todo(summary.todo))


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


@main.command()
@site_option
@date_option
@click.option("-a", "--dev-addr", "address", default="127.0.0.1:8000", show_default=True, metavar="HOST:PORT",
              help="Where to serve (loopback by default; port 0 picks a free port).")
@click.option("--all-stages", is_flag=True, help="Start with the specimen of every stage (a link on the page switches).")
@reports_errors
def serve(site_dir: Path, as_of: Any, address: str, all_stages: bool) -> None:
    """Preview the documents in a browser, rebuilt and reloaded at each edit."""
    from relancegen.serve.preview import Preview
    from relancegen.serve.server import serve as run_server

    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise RelancegenError(f"-a {address}: expected HOST:PORT, such as 127.0.0.1:8000")
    if not (site_dir / "site.yml").is_file():
        raise RelancegenError(f"no site.yml in {site_dir}: is this a relancegen site?")
    preview = Preview(site_dir, all_stages=all_stages, as_of=as_of.date() if as_of else None)
    try:
        run_server(preview, host, int(port), on_ready=lambda server: click.echo(f"Serving {server.url} (Ctrl-C to stop)"))
    except OSError as error:
        raise RelancegenError(f"cannot serve on {address}: {error.strerror or error}") from None


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
@click.option("--medium", default=None, help=f"Only this medium: {', '.join(MEDIA)}, or one a plugin adds.")
@click.option("--dry-run", is_flag=True, help="Write what would be sent under <output>/outbox/ and send nothing.")
@click.option("--wait", type=click.FloatRange(min=0), default=60, show_default=True, help="Seconds to wait for another send running on this site.")
@click.option("--accept-journal", is_flag=True, help="Send although the journal's hash chain is broken (journaled).")
@reports_errors
def send(site_dir: Path, medium: str | None, dry_run: bool, wait: float, accept_journal: bool) -> None:
    """Deliver the last build's documents through the configured channels, never twice.

    Exit status: 0 when all went well, 1 when a delivery failed or was refused, 3 while a
    delivery's outcome is unknown (answer with `relancegen resolve`)."""
    from relancegen.delivery.send import planned_deliveries, send_site
    from relancegen.delivery.states import unknown_listing
    from relancegen.law.todo import exit_status
    from relancegen.site.loader import load_site

    site = load_site(site_dir)
    _echo_broken_plugins()
    if medium is not None and medium not in (*MEDIA, *site.channels):
        raise RelancegenError(f"--medium {medium}: not a medium of this site; use {', '.join(sorted({*MEDIA, *site.channels}))}")
    options = {"medium": medium, "dry_run": dry_run, "wait": wait, "accept_journal": accept_journal}
    if sys.stdout.isatty():
        deliveries = planned_deliveries(site, medium)
        with click.progressbar(length=len(deliveries), label="Sending", show_pos=True, item_show_func=lambda d: d.client if d else "") as bar:
            summary = send_site(site, deliveries=deliveries, on_delivery=lambda delivery, _: bar.update(1, delivery), **options)
    else:

        def report(delivery: Any, outcome: str) -> None:
            click.echo(f"  {outcome:<14} {delivery.client:<24} {delivery.stage:<14} {delivery.medium:<16} {delivery.delivery_id}")

        summary = send_site(site, on_delivery=report, **options)
    parts = [f"{len(summary.sent)} sent", f"{len(summary.failed)} failed", f"{len(summary.already_sent)} already sent", f"{len(summary.unknown)} unknown"]
    if summary.refused:
        parts.append(f"{len(summary.refused)} refused")
    if summary.not_configured:
        parts.append(f"{len(summary.not_configured)} not configured ({', '.join(sorted({m for _, m in summary.not_configured}))})")
    if dry_run:
        parts = [f"dry run: {len(summary.dry_run)} deliveries written under {site.output / 'outbox'}", *parts[2:]]
    click.echo(", ".join(parts) + ".")
    for delivery_id, error in summary.failed:
        click.echo(f"failed {delivery_id}: {error}", err=True)
    for delivery_id, reason in summary.refused:
        click.echo(f"refused {delivery_id}: {reason}", err=True)
    for line in unknown_listing(summary.unresolved):
        click.echo(line, err=True)
    found = _todo_after_send(site_dir, site)
    if summary.exit_code == 1:
        sys.exit(1)
    sys.exit(max(summary.exit_code, exit_status(found)))


@main.command()
@site_option
@click.argument("delivery_id")
@click.option("--delivered", "answer", flag_value="delivered", help="The debtor received it: never send it again.")
@click.option("--not-delivered", "answer", flag_value="not-delivered", help="It did not go out: the next send attempts it again.")
@click.option("--note", default=None, help="How you know, in a sentence (journaled).")
@reports_errors
def resolve(site_dir: Path, delivery_id: str, answer: str | None, note: str | None) -> None:
    """Answer for a delivery whose outcome is unknown (journaled as `resolved`)."""
    from relancegen.delivery.resolve import resolve_delivery
    from relancegen.site.loader import load_site

    if answer is None:
        raise RelancegenError("say what happened: --delivered or --not-delivered")
    written = resolve_delivery(load_site(site_dir), delivery_id, answer, note)
    then = "it will not be sent again" if answer == "delivered" else "the next `relancegen send` attempts it again"
    click.echo(f"Resolved {written['delivery_id']} ({written['client']}, {written['stage']}, {written['channel']}) as {answer}: {then}.")


@main.group()
def journal() -> None:
    """Check the journal: its hash chain, its HEAD and the evidence it names."""


@journal.command("verify")
@site_option
@reports_errors
def journal_verify(site_dir: Path) -> None:
    """Check the hash chain and HEAD, and that every sha256 in the journal resolves to stored bytes."""
    from relancegen.delivery.evidence import verify_evidence
    from relancegen.site.journal import journal_lines, verify_chain
    from relancegen.site.loader import load_site

    site = load_site(site_dir)
    chain = verify_chain(site.journal_dir, site.root)
    missing, checked = verify_evidence(site.journal_dir, site.root)
    problems = [*chain, *missing]
    for problem in problems:
        click.echo(str(problem), err=True)
    errors = [p for p in problems if p.severity == "error"]
    lines = len(journal_lines(site.journal_dir, site.root))
    click.echo(f"{lines} journal lines, {checked} hashes checked against the evidence: "
               f"{'the journal is intact' if not errors else f'{len(errors)} problem' + ('s' if len(errors) > 1 else '')}.")
    if errors:
        sys.exit(1)


def _todo_after_send(site_dir: Path, site: Any) -> Any:
    """Print the to-do of the build's date, with the journal as this send left it."""
    from relancegen.build.manifest import read_manifest
    from relancegen.build.summary import format_todo
    from relancegen.law.todo import site_todo
    from relancegen.site.loader import load_site

    found = site_todo(load_site(site_dir), dt.date.fromisoformat(read_manifest(site.output).as_of))
    click.echo(format_todo(found))
    return found


@main.command()
@site_option
@click.option("--client", "client_id", required=True, help="The client concerned.")
@click.option("--stage", required=True, type=click.Choice(DOCUMENT_STAGES), help="The stage this action belongs to (declaration: the claim was declared to the mandataire).")
@click.option("--note", required=True, help="What happened, in a sentence.")
@click.option("--channel", default="phone", show_default=True, help="phone, visit, email, post...")
@click.option("--invoice", "invoices", multiple=True, help="Invoice numbers (default: the client's overdue invoices on the date).")
@click.option("--date", "action_date", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="The day it happened, e.g. a call made yesterday (default: today).")
@click.option("--outcome", type=click.Choice(CALL_OUTCOMES), default=None, help="How the call went; a dispute takes the invoices out of escalation.")
@click.option("--promise-date", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="Date of a payment promise obtained (escalation waits until then).")
@click.option("--promise-amount", default=None, help="Amount promised.")
@reports_errors
def record(site_dir: Path, client_id: str, stage: str, note: str, channel: str, invoices: tuple[str, ...], action_date: Any, outcome: str | None, promise_date: Any, promise_amount: str | None) -> None:
    """Journal a manual action: a phone call, a promise obtained, a visit."""
    from relancegen.delivery.journal import append_entry, now
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
    if promise_date and outcome not in (None, "promise"):
        raise RelancegenError(f"--promise-date goes with --outcome promise, not {outcome}")
    if outcome == "promise" and not promise_date:
        raise RelancegenError("--outcome promise needs --promise-date")
    current = now()
    day = action_date.date() if action_date else current.date()
    if day > current.date():
        raise RelancegenError(f"--date {day.isoformat()} is in the future: record what happened")
    moment = current if day == current.date() else dt.datetime.combine(day, dt.time(12), tzinfo=current.tzinfo)
    overdue = [inv.number for inv in open_invoices(site.invoices_of(client_id), day, site.journal_of(client_id)) if inv.due < day]
    numbers = list(invoices) or overdue
    entry: dict[str, Any] = {"time": moment.isoformat(), "client": client_id, "stage": stage, "channel": channel, "invoices": numbers, "status": "recorded", "note": note}
    if promise_date:
        amount = parse_money(promise_amount) if promise_amount else None
        if promise_amount and amount is None:
            raise RelancegenError(f"--promise-amount: {promise_amount!r} is not an amount")
        entry["outcome"] = "promise"
        entry["promise"] = {"date": promise_date.date().isoformat(), **({"amount": f"{amount:.2f}"} if amount else {})}
    elif outcome:
        entry["outcome"] = outcome
    written = append_entry(site.journal_dir, entry)
    click.echo(f"Recorded {stage} for {client_id} at {written['time']} ({', '.join(numbers) or 'no overdue invoice'}).")
    if outcome == "dispute":
        click.echo("These invoices leave escalation. Note the dispute in the invoices file too (disputed: \"...\").")


@main.command()
@site_option
@date_option
@click.option("--until", "until", default="+30", show_default=True, metavar="D2", help="The last day planned: YYYY-MM-DD, or +N days after the date.")
@click.option("--client", "client_id", default=None, help="Only this client.")
@click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table", show_default=True)
@reports_errors
def plan(site_dir: Path, as_of: Any, until: str, client_id: str | None, output_format: str) -> None:
    """The acts each client will receive until D2 if nothing changes (nothing rendered or sent)."""
    from relancegen.documents.plan_report import plan_json, plan_table
    from relancegen.law.plan import plan_site
    from relancegen.site.loader import load_site

    site = load_site(site_dir)
    if client_id and client_id not in site.clients:
        raise RelancegenError(f"unknown client {client_id!r}")
    start = _as_of(site, as_of)
    end = _until(start, until)
    acts = plan_site(site, start, end, client_id)
    click.echo(plan_json(acts, start, end) if output_format == "json" else plan_table(acts, start, end))


def _until(start: dt.date, text: str) -> dt.date:
    """``--until``: a date, or ``+N`` days after ``start``."""
    try:
        end = start + dt.timedelta(days=int(text[1:])) if text.startswith("+") else dt.date.fromisoformat(text)
    except ValueError:
        raise RelancegenError(f"--until {text}: expected a date YYYY-MM-DD or +N days") from None
    if end < start:
        raise RelancegenError(f"--until {text}: before the start date {start.isoformat()}")
    return end


@main.command()
@site_option
@date_option
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@reports_errors
def todo(site_dir: Path, as_of: Any, output_format: str) -> None:
    """The morning to-do: calls to make, deliveries to resolve, promises, limitation.

    Exit status 0 when nothing waits for a person, 3 when someone must act."""
    from relancegen.build.summary import format_todo
    from relancegen.law.todo import exit_status, site_todo
    from relancegen.site.loader import load_site

    site = load_site(site_dir)
    found = site_todo(site, _as_of(site, as_of))
    click.echo(json.dumps(found.as_json(), indent=2, ensure_ascii=False) if output_format == "json" else format_todo(found))
    sys.exit(exit_status(found))


@main.command()
@click.option("--site", "site_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="A site folder: list the plugins that run for it (its plugins: list), with its channels.")
@reports_errors
def plugins(site_dir: Path | None) -> None:
    """List installed plugins: version, the channels they provide with the media each
    carries (what a site writes as channels.<medium>.plugin), and their hooks."""
    from relancegen.hookspecs import PLUGIN_API_VERSION
    from relancegen.plugins import broken_plugins, channel_media, installed_plugins, provided_channels

    site = None
    if site_dir is not None:
        from relancegen.site.loader import load_site

        site = load_site(site_dir)
    click.echo(f"relancegen {__version__}, plugin API {PLUGIN_API_VERSION}")
    channels = provided_channels(site)
    for plugin in installed_plugins(site):
        click.echo(f"{plugin.name}  ({plugin.distribution} {plugin.version}".rstrip() + ")")
        for channel in channels.get(plugin.name, ()):
            media = channel_media(channel)
            click.echo(f"  channel {channel.name}: carries {', '.join(media) if media is not None else 'any medium of the spec (media not declared)'}")
        click.echo(f"  hooks: {', '.join(plugin.hooks) or '(none)'}")
    if site is not None:
        running = {plugin.name for plugin in installed_plugins(site)}
        for plugin in installed_plugins():
            if plugin.name not in running:
                click.echo(f"{plugin.name}  ({plugin.distribution} {plugin.version})\n  not running for this site: not in site.yml's plugins: list")
    for broken in broken_plugins():
        click.echo(f"{broken.name}  ({broken.distribution})\n  SKIPPED: {broken.reason}")
        _SHOWN_BROKEN.add(broken)


@main.command()
@site_option
@reports_errors
def track(site_dir: Path) -> None:
    """Poll the status of sent letters and store their proofs in the journal."""
    from relancegen.site.loader import load_site
    from relancegen.delivery.track import track_site

    site = load_site(site_dir)
    _echo_broken_plugins()
    appended = track_site(site)
    for entry in appended:
        proofs = ", ".join(entry["proof"].get("proofs", {})) or "no proof yet"
        click.echo(f"  {entry['client']:<24} {entry['stage']:<14} {entry['proof'].get('status')}  ({proofs})")
    click.echo(f"{len(appended)} update{'s' if len(appended) != 1 else ''} journaled.")
