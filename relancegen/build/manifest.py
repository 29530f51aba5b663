"""``<output>/manifest.json``: every document of the last build, with its hash.

Shape (spec "The manifest"): ``{"as_of": ..., "documents": [{client, stage, kind, format,
path, invoices, channel, sha256}]}``; email entries also carry ``subject``. Channel plugins
and CI read it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from relancegen.errors import RelancegenError
from relancegen.fsutil import write_atomic

MANIFEST_NAME = "manifest.json"
ENTRY_KEYS = ("client", "stage", "kind", "format", "path", "invoices", "channel", "sha256")


@dataclass(frozen=True)
class ManifestEntry:
    client: str | None
    stage: str
    kind: str
    format: str
    path: str
    invoices: tuple[str, ...]
    channel: str
    sha256: str
    subject: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)  # every field, as written


@dataclass(frozen=True)
class Manifest:
    as_of: str
    documents: tuple[ManifestEntry, ...]


def write_manifest(output_dir: Path, manifest: dict[str, Any]) -> Path:
    """Write the manifest atomically; returns its path."""
    path = output_dir / MANIFEST_NAME
    text = json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    write_atomic(path, text.encode("utf-8"))
    return path


def read_manifest(output_dir: Path) -> Manifest:
    """The last build's manifest; a clear error when it is missing or malformed."""
    path = output_dir / MANIFEST_NAME
    if not path.is_file():
        raise RelancegenError(f"no {MANIFEST_NAME} in {output_dir}: run `relancegen build` first")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        documents = tuple(
            ManifestEntry(**{key: entry[key] for key in ENTRY_KEYS}, subject=entry.get("subject"), raw=entry)
            for entry in raw["documents"]
        )
        return Manifest(as_of=raw["as_of"], documents=documents)
    except (ValueError, KeyError, TypeError) as error:
        raise RelancegenError(f"{path} is not a relancegen manifest ({error})") from error


def merge_manifests(paths: list[Path]) -> dict[str, Any]:
    """Join the manifests of a sharded build (``build --shard K/N`` on N machines) into one.

    The shards must share the build date and must not list the same file twice.
    """
    merged: list[dict[str, Any]] = []
    dates = set()
    seen: dict[str, Path] = {}
    for path in paths:
        manifest = read_manifest(path.parent if path.name == MANIFEST_NAME else path)
        dates.add(manifest.as_of)
        for entry in manifest.documents:
            if entry.path in seen:
                raise RelancegenError(f"{entry.path} is listed by both {seen[entry.path]} and {path}")
            seen[entry.path] = path
            merged.append(entry.raw)
    if len(dates) > 1:
        raise RelancegenError(f"the shards were built for different dates: {', '.join(sorted(dates))}")
    return {"as_of": dates.pop() if dates else None, "documents": sorted(merged, key=lambda e: e["path"])}
