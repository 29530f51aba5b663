"""``<output>/manifest.json``: every document of the last build, with its hash.

Shape (spec "The manifest"): ``{"as_of": ..., "documents": [{client, stage, kind, format,
path, invoices, channel, sha256}]}``; email entries also carry ``subject``. Channel plugins
and CI read it.

A manifest is input like any other: :func:`read_manifest` accepts only paths that stay
inside the output folder, ids of the validated form, known stages and media, and sha256
digests, so that neither a build (removing stale files) nor a send (attaching them) touches
a file outside the output.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from relancegen.errors import RelancegenError
from relancegen.fsutil import write_atomic
from relancegen.site.model import DOCUMENT_STAGES, MEDIA
from relancegen.site.schema import MEDIUM_PATTERN

MANIFEST_NAME = "manifest.json"
ENTRY_KEYS = ("client", "stage", "kind", "format", "path", "invoices", "channel", "sha256")
IDENTIFIER = re.compile(r"[a-z0-9][a-z0-9-]*")
SHA256 = re.compile(r"[0-9a-f]{64}")


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
        manifest = Manifest(as_of=raw["as_of"], documents=documents)
    except (ValueError, KeyError, TypeError) as error:
        raise RelancegenError(f"{path} is not a relancegen manifest ({error})") from error
    problems = [f"documents[{index}]: {problem}" for index, entry in enumerate(documents) for problem in entry_problems(entry, output_dir)]
    if problems:
        raise RelancegenError(f"{path} cannot be trusted:\n  " + "\n  ".join(problems))
    return manifest


def entry_problems(entry: ManifestEntry, output_dir: Path) -> list[str]:
    """What is wrong with one manifest entry, each naming its field."""
    problems = []
    if entry.client is not None and not (isinstance(entry.client, str) and IDENTIFIER.fullmatch(entry.client)):
        problems.append(f"client: {entry.client!r} is not a client id")
    if entry.stage not in DOCUMENT_STAGES:
        problems.append(f"stage: {entry.stage!r} is not a stage")
    if entry.channel not in MEDIA and not (isinstance(entry.channel, str) and MEDIUM_PATTERN.fullmatch(entry.channel)):
        problems.append(f"channel: {entry.channel!r} is not a medium")  # the spec's, or a name a plugin's medium may have
    if not isinstance(entry.sha256, str) or not SHA256.fullmatch(entry.sha256):
        problems.append(f"sha256: {entry.sha256!r} is not a sha256 digest")
    if not isinstance(entry.invoices, (list, tuple)) or not all(isinstance(n, str) for n in entry.invoices):
        problems.append("invoices: expected a list of invoice numbers")
    if not _inside(output_dir, entry.path):
        problems.append(f"path: {entry.path!r} is not a file inside the output folder")
    return problems


def _inside(output_dir: Path, relative: object) -> bool:
    if not isinstance(relative, str) or not relative or "\\" in relative or Path(relative).is_absolute() or ".." in Path(relative).parts:
        return False
    return (output_dir / relative).resolve().is_relative_to(output_dir.resolve())


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
