"""Plugins the way users run them: a third-party package installed through its entry
point, used by the real command line in a fresh process."""

from __future__ import annotations

import json
from pathlib import Path

import relancegen.hookspecs as hookspecs
from relancegen.plugins import get_plugin_manager
from relancegen.testing import run_cli_process


def relancegen(args: list[str], plugin_path: Path):
    return run_cli_process(*args, path=[plugin_path])


def test_a_third_party_channel_is_listed_and_delivers(fax_plugin_path, site_factory, tmp_path):
    listed = relancegen(["plugins"], fax_plugin_path)
    assert listed.returncode == 0, listed.stderr
    assert "fax" in listed.stdout and "relancegen-fax 1.2.0" in listed.stdout and "relancegen_add_channels" in listed.stdout
    # Written for plugin API 1, its channel declares no media: it carries the spec's.
    assert "fax  (relancegen-fax 1.2.0)\n  channel fax: carries any medium of the spec (media not declared)" in listed.stdout

    faxes = tmp_path / "faxes"
    site_dir = site_factory(
        invoices=[{"number": "F-1", "client": "client-a", "issued": "2026-09-01", "due": "2026-10-01", "amount": "500.00", "subject": "Conseil"}],
        journal=[{"time": "2026-10-15T09:00:00+02:00", "client": "client-a", "stage": "call", "channel": "phone", "invoices": ["F-1"], "status": "recorded"}],
        channels={"post": {"plugin": "fax", "to": str(faxes)}},
        site={"as_of": "2026-11-02"},
    )
    built = relancegen(["build", "--site", str(site_dir)], fax_plugin_path)
    assert built.returncode == 0, built.stderr
    # The plugin added a document kind, with its own template and template filter.
    cover = (site_dir / "_site/client-a/overdue/fax-cover.html").read_text(encoding="utf-8")
    spaced = cover.replace("\u202f", " ").replace("\xa0", " ")
    assert "TÉLÉCOPIE !" in spaced and "500,00" in spaced
    kinds = {e["kind"] for e in json.loads((site_dir / "_site/manifest.json").read_text())["documents"]}
    assert "fax_cover" in kinds
    sent = relancegen(["send", "--site", str(site_dir), "--medium", "post"], fax_plugin_path)
    assert sent.returncode == 0, sent.stderr
    assert "1 sent" in sent.stdout
    (folder,) = faxes.iterdir()
    assert (folder / "letter.pdf").read_bytes()[:5] == b"%PDF-"
    entries = [json.loads(line) for path in sorted((site_dir / "journal").glob("*.jsonl")) for line in path.read_text().splitlines()]
    sent_entry = next(e for e in entries if e["status"] == "sent")
    assert sent_entry["plugin"] == "fax" and sent_entry["proof"]["fax_id"].startswith("FAX-")
    assert sent_entry["channel"] == "post" and sent_entry["stage"] == "overdue"


def test_every_hook_is_documented():
    for name in dir(hookspecs):
        if name.startswith("relancegen_"):
            doc = getattr(hookspecs, name).__doc__ or ""
            assert len(doc.strip()) > 40, f"{name} needs a docstring stating when it is called and its arguments"
            assert name in (Path(__file__).parent.parent / "docs/plugins.md").read_text(encoding="utf-8"), f"{name} is missing from docs/plugins.md"


def test_a_plugin_can_replace_the_pdf_renderer():
    class StubRenderer:
        @hookspecs.hookimpl
        def relancegen_render_pdf(self, html, base_url):
            return b"%PDF-stub"

    manager = get_plugin_manager()
    stub = StubRenderer()
    manager.register(stub)
    try:
        assert manager.hook.relancegen_render_pdf(html="<p>x</p>", base_url=".", assets=None) == b"%PDF-stub"
    finally:
        manager.unregister(stub)
