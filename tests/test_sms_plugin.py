"""A third-party plugin that adds a medium, as a user installs and runs it: tests/plugin_sms
(relancegen-sms, the plugin docs/plugins.md is written around) pip-installed, then the real
command line in fresh processes against an SMS gateway stand-in on 127.0.0.1."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from relancegen.testing import install_plugin, run_cli_process

PLUGIN = Path(__file__).parent / "plugin_sms"
INVOICE = {"number": "F-1", "client": "client-a", "issued": "2026-09-01", "due": "2026-10-01", "amount": "500.00", "subject": "Conseil"}


@pytest.fixture(scope="module")
def sms_plugin_path(tmp_path_factory) -> Path:
    return install_plugin(PLUGIN, tmp_path_factory.mktemp("sms-plugin"))


@pytest.fixture
def gateway():
    spec = importlib.util.spec_from_file_location("sms_gateway", PLUGIN / "tests/gateway.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with module.SmsGateway() as running:
        yield running


def test_the_sms_plugin_adds_a_medium_built_and_sent_by_the_cli(sms_plugin_path, gateway, site_factory):
    listed = run_cli_process("plugins", path=[sms_plugin_path])
    assert "sms  (relancegen-sms 1.0.0)\n  channel sms: carries sms\n  hooks: relancegen_add_channels, relancegen_template_dirs" in listed.stdout

    site_dir = site_factory(
        invoices=[INVOICE],
        site={"as_of": "2026-10-07"},
        plugins=["sms"],
        channels={"sms": {"plugin": "sms", "stages": ["reminder", "overdue"], "base_url": gateway.base_url, "api_key_env": "SMS_API_KEY", "sender": "ATELIER"}},
    )
    checked = run_cli_process("check", "--site", site_dir, path=[sms_plugin_path])
    assert checked.returncode == 0, checked.stderr
    built = run_cli_process("build", "-j", "1", "--site", site_dir, path=[sms_plugin_path])
    assert built.returncode == 0, built.stderr
    manifest = json.loads((site_dir / "_site/manifest.json").read_text(encoding="utf-8"))
    (message_entry,) = [e for e in manifest["documents"] if e["channel"] == "sms"]
    assert message_entry["kind"] == "message" and message_entry["path"] == "client-a/reminder/sms.txt"

    env = {"SMS_API_KEY": "sms-key-for-tests-0042"}
    sent = run_cli_process("send", "--site", site_dir, "--medium", "sms", path=[sms_plugin_path], env=env)
    assert sent.returncode == 0, sent.stderr
    assert "1 sent" in sent.stdout
    (message,) = gateway.messages
    assert message["to"] == "+33600000000" and message["from"] == "ATELIER"
    assert message["text"] == "Atelier Test SARL : sauf erreur, la facture F-1 (500,00 €), échue le 01/10/2026, reste à régler. IBAN FR76 3000 4000 0000 0123 4567 845, réf. F-1."
    journal = [json.loads(line) for path in (site_dir / "journal").glob("*.jsonl") for line in path.read_text(encoding="utf-8").splitlines()]
    (entry,) = [e for e in journal if e["status"] == "sent"]
    assert entry["channel"] == "sms" and entry["plugin"] == "sms" and entry["proof"]["sms_id"] == "SM000001"
    again = run_cli_process("send", "--site", site_dir, path=[sms_plugin_path], env=env)
    assert "1 already sent" in again.stdout and len(gateway.messages) == 1


def test_the_sms_plugins_own_tests_pass_once_installed(sms_plugin_path):
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=PLUGIN, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(sms_plugin_path)},
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "14 passed" in run.stdout
