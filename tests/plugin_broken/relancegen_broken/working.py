"""A plugin that works, next to the broken ones: it must keep running."""

from pathlib import Path

from relancegen import hookimpl

RELANCEGEN_PLUGIN_API = 2


@hookimpl
def relancegen_build_finished(site, manifest):
    (Path(site.output) / "working-plugin-ran.txt").write_text(str(len(manifest["documents"])), encoding="utf-8")
