"""Installed plugins that cannot run are reported by name and skipped, never a crash; a site
chooses its third-party plugins; plugins declare the plugin API they need."""

from __future__ import annotations

from pathlib import Path

import pytest

import relancegen
from relancegen.hookspecs import PLUGIN_API_VERSION
from relancegen.plugins import api_version_problem
from relancegen.testing import install_plugin, run_cli_process

TESTS = Path(__file__).parent
INVOICE = {"number": "F-1", "client": "client-a", "issued": "2026-09-01", "due": "2026-10-01", "amount": "500.00", "subject": "Conseil"}


@pytest.fixture(scope="module")
def broken_plugins(tmp_path_factory) -> Path:
    return install_plugin(TESTS / "plugin_broken", tmp_path_factory.mktemp("broken-plugins"))


SKIPPED = {
    "noimport": "warning: plugin noimport (relancegen-broken 0.3.0) skipped: cannot be imported: ModuleNotFoundError: No module named 'relancegen_sms_gateway_sdk'",
    "misspelt": "warning: plugin misspelt (relancegen-broken 0.3.0) skipped: relancegen_add_channel is not a relancegen hook; did you mean relancegen_add_channels?",
    "unmarked": "warning: plugin unmarked (relancegen-broken 0.3.0) skipped: relancegen_build_finished is not marked @hookimpl",
    "future": f"warning: plugin future (relancegen-broken 0.3.0) skipped: needs plugin API 99, and this relancegen provides plugin API {PLUGIN_API_VERSION}: upgrade relancegen",
    "failing": "warning: plugin failing (relancegen-broken 0.3.0) skipped: relancegen_add_channels failed: RuntimeError: the gateway SDK needs a licence file",
    "notachannel": "warning: plugin notachannel (relancegen-broken 0.3.0) skipped: relancegen_add_channels returned 'sms', not a channel",
}


def test_broken_plugins_are_named_and_skipped_by_build_send_and_plugins(broken_plugins, site_factory):
    site_dir = site_factory(invoices=[INVOICE], site={"as_of": "2026-10-07"})
    built = run_cli_process("build", "-j", "1", "--site", site_dir, path=[broken_plugins])
    assert built.returncode == 0, built.stderr
    for warning in SKIPPED.values():
        assert warning in built.stderr
    assert "Traceback" not in built.stderr
    # The plugin that works, installed next to them, ran.
    assert (site_dir / "_site/working-plugin-ran.txt").read_text(encoding="utf-8") == "2"

    sent = run_cli_process("send", "--site", site_dir, path=[broken_plugins])
    assert sent.returncode == 0, sent.stderr
    assert SKIPPED["noimport"] in sent.stderr and SKIPPED["failing"] in sent.stderr and "0 sent" in sent.stdout
    for command in ("check", "track"):
        ran = run_cli_process(command, "--site", site_dir, path=[broken_plugins])
        assert ran.returncode == 0 and SKIPPED["misspelt"] in ran.stderr, ran.stderr

    listed = run_cli_process("plugins", path=[broken_plugins])
    assert listed.returncode == 0, listed.stderr
    assert "working  (relancegen-broken 0.3.0)\n  hooks: relancegen_build_finished" in listed.stdout
    assert "misspelt  (relancegen-broken 0.3.0)\n  SKIPPED: relancegen_add_channel is not a relancegen hook" in listed.stdout
    assert "smtp  (relancegen 0.1.0)\n  channel smtp: carries email" in listed.stdout
    assert "failing  (relancegen-broken 0.3.0)\n  SKIPPED: relancegen_add_channels failed: RuntimeError" in listed.stdout
    assert "warning: plugin" not in listed.stderr  # listed once, on stdout


def test_a_site_naming_a_broken_or_missing_plugin_gets_an_error(broken_plugins, site_factory):
    site_dir = site_factory(plugins=["misspelt", "sms"])
    line = (site_dir / "site.yml").read_text(encoding="utf-8").splitlines().index("plugins:") + 1
    checked = run_cli_process("check", "--site", site_dir, path=[broken_plugins])
    assert checked.returncode == 1
    assert f"site.yml:{line}: plugins: plugin 'misspelt' is installed but broken: relancegen_add_channel is not a relancegen hook" in checked.stderr
    assert f"site.yml:{line}: plugins: no plugin named 'sms' is installed (third-party plugins installed: failing, notachannel, working)" in checked.stderr
    built = run_cli_process("build", "-j", "1", "--site", site_dir, path=[broken_plugins])
    assert built.returncode == 1 and "no plugin named 'sms' is installed" in built.stderr
    # A site built before its list named them cannot send either.
    site_file = (site_dir / "site.yml").read_text(encoding="utf-8")
    (site_dir / "site.yml").write_text(site_file.replace("plugins:\n- misspelt\n- sms\n", ""), encoding="utf-8")
    assert run_cli_process("build", "-j", "1", "--site", site_dir, path=[broken_plugins]).returncode == 0
    (site_dir / "site.yml").write_text(site_file, encoding="utf-8")
    sent = run_cli_process("send", "--site", site_dir, path=[broken_plugins])
    assert sent.returncode == 1 and "plugin 'misspelt' is installed but broken" in sent.stderr


def test_the_plugins_list_chooses_what_runs_for_a_site(fax_plugin_path, broken_plugins, site_factory, tmp_path):
    paths = [fax_plugin_path, broken_plugins]
    only_working = site_factory(invoices=[INVOICE], site={"as_of": "2026-10-07"}, plugins=["working"])
    built = run_cli_process("build", "-j", "1", "--site", only_working, path=paths)
    assert built.returncode == 0, built.stderr
    assert (only_working / "_site/working-plugin-ran.txt").exists()
    listed = run_cli_process("plugins", "--site", only_working, path=paths)
    assert "fax  (relancegen-fax 1.2.0)\n  not running for this site: not in site.yml's plugins: list" in listed.stdout
    assert "working  (relancegen-broken 0.3.0)\n  hooks: relancegen_build_finished" in listed.stdout
    assert "smtp  (relancegen 0.1.0)\n  channel smtp" in listed.stdout  # the built-in plugins always run

    none = site_factory(invoices=[INVOICE], site={"as_of": "2026-10-07"}, plugins=[], channels={"post": {"plugin": "fax", "to": str(tmp_path / "faxes")}})
    checked = run_cli_process("check", "--site", none, path=paths)
    assert checked.returncode == 1
    assert "channels.post.plugin: no running plugin provides a channel named 'fax'" in checked.stderr
    assert "site.yml's plugins: list chooses the third-party plugins that run" in checked.stderr
    built = run_cli_process("build", "-j", "1", "--site", none, path=paths)
    assert built.returncode == 0, built.stderr
    assert not (none / "_site/working-plugin-ran.txt").exists()


def test_the_plugin_api_version():
    assert relancegen.PLUGIN_API_VERSION == PLUGIN_API_VERSION >= 2
    assert api_version_problem(1) is None and api_version_problem(PLUGIN_API_VERSION) is None
    assert "needs plugin API 3" in api_version_problem(PLUGIN_API_VERSION + 1)
    assert "must be a whole number" in api_version_problem("2")
    assert "no longer supports" in api_version_problem(0)
