"""The package's layout is part of its promise: a newcomer finds the pipeline's steps as
folders, imports run one way, and the plugin API does not move."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from relancegen.testing import run_poppler

ROOT = Path(__file__).resolve().parent.parent


def test_imports_run_one_way_without_cycles() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "scripts/import-graph")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 problem(s)" in result.stdout
    assert "law        → site" in result.stdout  # the law reads the site's data, nothing above it


def test_each_step_is_a_package_that_says_what_it_owns() -> None:
    import importlib

    for step in ("site", "law", "documents", "build", "delivery", "serve"):
        package = importlib.import_module(f"relancegen.{step}")
        assert package.__doc__ and "May import" in package.__doc__, step


def test_the_plugin_api_keeps_its_names() -> None:
    from relancegen import Delivery, DeliveryOutcomeUnknown, Receipt, Recipient, hookimpl  # noqa: F401
    from relancegen.hookspecs import hookspec  # noqa: F401
    from relancegen.testing import site_factory, write_site  # noqa: F401

    assert Receipt(delivery_id="x", status="sent").status == "sent"


def test_python_dash_m_runs_the_cli(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "relancegen", "--help"], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Usage: relancegen" in result.stdout and "build" in result.stdout


def test_a_missing_pdf_tool_says_what_to_install() -> None:
    with pytest.raises(pytest.fail.Exception) as failure:
        run_poppler("pdftotext-not-installed", "x.pdf", "-")
    assert "apt-get install poppler-utils" in str(failure.value)
