"""Incremental, parallel and sharded builds give the documents a full build gives."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from relancegen.cli import main

EXAMPLE = Path(__file__).parent.parent


def build(*args: str) -> str:
    result = CliRunner().invoke(main, ["build", "--site", str(EXAMPLE), *args])
    assert result.exit_code == 0, result.output
    return result.output


def manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def test_a_no_op_rebuild_renders_nothing_and_a_change_renders_only_what_it_touches(tmp_path):
    out = tmp_path / "out"
    assert "(27 rendered, 0 unchanged)" in build("--out", str(out), "--jobs", "2")
    first = manifest(out)
    assert "(0 rendered, 27 unchanged)" in build("--out", str(out))
    assert manifest(out) == first
    # A document whose file was altered is rendered again, and only that one (in both of
    # its formats: the letter's PDF and HTML come from one rendering).
    victim = out / "transports-vial/formal_notice/letter.pdf"
    victim.write_bytes(b"tampered")
    assert "(2 rendered, 25 unchanged)" in build("--out", str(out))
    assert manifest(out) == first  # byte-identical again
    # Another build date changes every situation, so everything is rendered.
    assert "0 unchanged" in build("--out", str(out), "--date", "2026-11-24")
    assert "(0 rendered" not in build("--out", str(out), "--force")


def test_shards_cover_the_site_once_and_merge_into_the_full_manifest(tmp_path):
    """The shards render in-process, the full build in two workers: same files, same hashes."""
    full, shards = tmp_path / "full", [tmp_path / f"shard-{k}" for k in (1, 2, 3)]
    build("--out", str(full), "--jobs", "2")
    for k, folder in enumerate(shards, start=1):
        build("--out", str(folder), "--shard", f"{k}/3", "--jobs", "1")
    merged = tmp_path / "merged"
    result = CliRunner().invoke(main, ["merge-manifests", *(str(f / "manifest.json") for f in shards), "--out", str(merged)])
    assert result.exit_code == 0, result.output
    expected = [e for e in manifest(full)["documents"] if e["client"] is not None]  # the call list is not sharded
    assert manifest(merged)["documents"] == expected


def test_bad_shard_is_a_clear_error():
    result = CliRunner().invoke(main, ["build", "--site", str(EXAMPLE), "--shard", "4/3"])
    assert result.exit_code == 1 and "K must be between 1 and N" in result.output
