"""Benchmark `relancegen build` against the naive baseline, in the same run.

    python bench/benchmark.py 100                       # full baseline
    python bench/benchmark.py 1000 --baseline-sample 200
    python bench/benchmark.py 100 --fonttools-subsetter # as without libharfbuzz-subset0

1. Generates a synthetic site of N clients (bench/generate_site.py) under bench/_work/.
2. Baseline: the very HTML documents the build turns into PDFs, rendered one by one with
   default WeasyPrint settings in one process (with ``--baseline-sample K``, only the first
   K documents are rendered and the rate is extrapolated; the output says so).
3. `relancegen build --force` in a subprocess (``--jobs`` default: the CPU count): wall
   time, documents per second, peak memory of the build and its workers.
4. The no-op rebuild (`relancegen build` again) and `check` / `penalties` on the same site.
5. Weeks: `relancegen plan --until +90` (no rendering), then the day after: the build date's
   acts are journaled as `send` would have, and `relancegen build --date <next working day>`
   renders only the acts due that day. ``--weeks-only`` measures only this step (no
   baseline, no full build first: the next day's build does not reuse the day's documents).

``--fonttools-subsetter`` makes WeasyPrint, in the baseline and in the build, subset fonts
with fontTools as it does where HarfBuzz's subsetter is not installed (a plain Debian or
Docker image): the per-PDF cost the theme's pre-subset fonts (relancegen/fontcache.py)
remove. The font cache starts empty, so the build pays for subsetting the theme's fonts
(about a second), as on a CI machine that does not keep ~/.cache/relancegen.

Figures are ratios measured in one run on one machine; rerun to compare.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import weasyprint.pdf.fonts

sys.path.insert(0, str(Path(__file__).parent))

from generate_site import AS_OF, generate  # noqa: E402

WORK = Path(__file__).parent / "_work"
FONTTOOLS_SUBSETTER = Path(__file__).parent / "fonttools_subsetter"


def collect_pdf_html(site_dir: Path) -> tuple[list[str], str]:
    """The HTML of every client document the build turns into a PDF, captured at the PDF
    renderer (the renderer accepts any ``render_pdf`` function)."""
    from relancegen.documents.kinds import documents_for
    from relancegen.site.loader import load_site
    from relancegen.documents.render import Renderer
    from relancegen.law.situation import compute_situations

    captured: list[str] = []

    def capture(html: str, base_url: str, **_: object) -> bytes:
        captured.append(html)
        return b""

    site = load_site(site_dir)
    renderer = Renderer(site, render_pdf=capture)
    for situation in compute_situations(site, site.as_of):
        for spec in documents_for(situation):
            if "pdf" in spec.formats:
                renderer.render(spec, situation)
    return captured, str(renderer.base_url)


def naive_seconds_per_document(htmls: list[str], base_url: str) -> float:
    from weasyprint import HTML

    start = time.perf_counter()
    for html in htmls:
        HTML(string=html, base_url=base_url + "/").write_pdf()
    return (time.perf_counter() - start) / len(htmls)


# Runs a command, then prints last on stderr its wall time (s) and the peak RSS (KB) of its
# largest process. The command is started from this small wrapper, not from the benchmark
# itself: a child forked from the benchmark (which holds WeasyPrint and every document's
# HTML) would be charged the benchmark's own memory until it execs.
MEASURE = """
import resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.call(sys.argv[1:])
elapsed = time.perf_counter() - start
print(elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
sys.exit(code)
"""


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, str, float]:
    """(seconds, standard output, peak memory in MB of the command's largest process)."""
    result = subprocess.run([sys.executable, "-c", MEASURE, *command], capture_output=True, text=True, env=env)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    elapsed, peak_kb = result.stderr.splitlines()[-1].split()
    return float(elapsed), result.stdout, int(peak_kb) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("clients", type=int)
    parser.add_argument("--baseline-sample", type=int, default=0, help="render only this many documents for the baseline")
    parser.add_argument("--jobs", type=int, default=0, help="--jobs for the build (default: the CPU count)")
    parser.add_argument("--fonttools-subsetter", action="store_true", help="make WeasyPrint subset fonts with fontTools, as without libharfbuzz-subset0")
    parser.add_argument("--weeks-only", action="store_true", help="only `plan --until +90` and the next day's build")
    args = parser.parse_args()

    site_dir = generate(args.clients, WORK / f"site-{args.clients}")
    relancegen = [sys.executable, "-c", "from relancegen.cli import main; main()"]
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    if args.weeks_only:
        weeks(site_dir, relancegen, jobs, args.clients)
        return

    # The build starts with an empty font cache: it pays for subsetting the theme's fonts.
    cache_env = {**os.environ, "RELANCEGEN_CACHE_DIR": str(WORK / "cache")}
    shutil.rmtree(WORK / "cache", ignore_errors=True)
    build_env = dict(cache_env)
    if args.fonttools_subsetter:
        weasyprint.pdf.fonts.harfbuzz_subset = None
        build_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(FONTTOOLS_SUBSETTER), os.environ.get("PYTHONPATH")]))
    subsetter = "HarfBuzz" if weasyprint.pdf.fonts.harfbuzz_subset else "fontTools"

    htmls, base_url = collect_pdf_html(site_dir)
    sample = htmls[: args.baseline_sample] if args.baseline_sample else htmls
    naive = naive_seconds_per_document(sample, base_url)

    full, output, peak_mb = timed([*relancegen, "build", "--site", str(site_dir), "--force", *jobs], build_env)
    noop, _, _ = timed([*relancegen, "build", "--site", str(site_dir), *jobs], cache_env)  # renders nothing
    check, _, _ = timed([*relancegen, "check", "--site", str(site_dir)])
    penalties, _, _ = timed([*relancegen, "penalties", "--site", str(site_dir), "--format", "json"])

    documents = len(htmls)
    baseline_total = naive * documents
    print(f"clients: {args.clients}, invoices: {args.clients * 3}, PDF documents: {documents} ({output.splitlines()[0]})")
    print(f"font subsetting by WeasyPrint: {subsetter}; CPUs: {os.cpu_count()}")
    print(f"baseline (naive WeasyPrint loop, 1 process): {1 / naive:.2f} docs/s"
          + (f"  [measured on {len(sample)} documents, total extrapolated: {baseline_total:.0f} s]" if len(sample) < documents else f"  [total {baseline_total:.1f} s]"))
    print(f"relancegen build --force: {full:.1f} s, {documents / full:.2f} PDF docs/s (all files: HTML, text and PDF)")
    print(f"ratio: {baseline_total / full:.2f}x faster than the baseline")
    print(f"peak memory (largest process of the build): {peak_mb:.0f} MB")
    print(f"no-op rebuild: {noop:.2f} s = {100 * noop / full:.1f} % of the full build")
    print(f"check: {check:.2f} s, penalties: {penalties:.2f} s (on {args.clients * 3} invoices)")
    weeks(site_dir, relancegen, jobs, args.clients)


def journal_the_day(site_dir: Path, day: dt.date) -> int:
    """Journal every act of ``day`` as `relancegen send` would have (one entry per medium;
    calls are made by a person and journaled only when recorded). Returns the acts."""
    from relancegen.law.plan import plan_site
    from relancegen.site.loader import load_site

    acts = [act for act in plan_site(load_site(site_dir), day, day) if act.stage != "call"]
    lines = [
        json.dumps({"time": f"{day.isoformat()}T09:00:00+01:00", "client": act.client, "stage": act.stage, "channel": medium,
                    "invoices": list(act.invoices), "status": "sent"}) + "\n"
        for act in acts for medium in act.media
    ]
    (site_dir / "journal" / "2026-sent-by-benchmark.jsonl").write_text("".join(lines), encoding="utf-8")
    return len(acts)


def weeks(site_dir: Path, relancegen: list[str], jobs: list[str], clients: int) -> None:
    """`plan --until +90` (no rendering), and the build of the day after a day's acts were sent."""
    from relancegen.law.calendar import WorkingDays
    from relancegen.law.plan import plan_site
    from relancegen.site.loader import load_site

    plan, output, peak_mb = timed([*relancegen, "plan", "--site", str(site_dir), "--until", "+90", "--format", "json"])
    print(f"plan --until +90: {plan:.2f} s for {clients} clients, {len(json.loads(output)['acts'])} acts planned, peak memory {peak_mb:.0f} MB")
    today = AS_OF
    sent = journal_the_day(site_dir, today)
    tomorrow = WorkingDays().on_or_after(today + dt.timedelta(days=1))
    due = plan_site(load_site(site_dir), tomorrow, tomorrow)
    daily, output, _ = timed([*relancegen, "build", "--site", str(site_dir), "--date", tomorrow.isoformat(), *jobs])
    print(f"next-day build ({tomorrow.isoformat()}, after the {sent} acts of {today.isoformat()} were journaled): {daily:.1f} s, "
          f"{len(due)} acts due that day ({sum(1 for act in due if act.stage == 'call')} calls); {output.splitlines()[0]}")


if __name__ == "__main__":
    main()
