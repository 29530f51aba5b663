"""Letters: the wording of each stage, as content files with front matter.

``letters/<stage>/<name>.md`` holds YAML front matter (stage, medium, subject, variant,
optional regime and name) and a Jinja body. The built-in letters ship with relancegen; a
site's own ``letters/`` folder overrides any of them by relative path, or adds variants.

Letters in another language than French live in ``letters/<language>/<stage>/<name>.md``
(``letters/en/reminder/email-a.md``); ``letters/<stage>/`` holds the French ones. A site
overrides one language's letter by the same relative path.
"""

from __future__ import annotations

import hashlib
import importlib.util
from dataclasses import dataclass
from pathlib import Path

from relancegen import errors
from relancegen.errors import Location, Problem, SiteError, not_utf8
from relancegen.site.model import CLIENT_KINDS, DOCUMENT_STAGES, JournalEntry
from relancegen.site.yamlpos import load_yaml_text

FRONT_MATTER_KEYS = ("stage", "medium", "subject", "variant", "regime", "name")
LETTER_MEDIA = ("email", "post", "phone")
TOP_LEVEL_LANGUAGE = "fr"  # the language of letters/<stage>/<name>.md
COUNTED_STATUSES = ("sent", "recorded")


@dataclass(frozen=True)
class Letter:
    stage: str
    medium: str
    subject: str
    variant: str
    body: str
    path: Path
    name: str
    regime: str | None = None
    language: str = TOP_LEVEL_LANGUAGE
    body_line: int = 1  # line of the body's first line in the file, for template errors


def builtin_letters_dir() -> Path:
    spec = importlib.util.find_spec("relancegen_letters")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the built-in letters (package relancegen_letters) are not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def load_letters(site_root: Path) -> list[Letter]:
    """The built-in letters overlaid by the site's ``letters/`` folder (same relative path
    replaces). Raises :class:`SiteError` listing every malformed letter."""
    files: dict[str, Path] = {}
    for folder in (builtin_letters_dir(), site_root / "letters"):
        if folder.is_dir():
            for path in sorted([*folder.glob("*/*.md"), *folder.glob("*/*/*.md")]):
                files[path.relative_to(folder).as_posix()] = path
    letters, problems = [], []
    for relative, path in sorted(files.items()):
        letter = parse_letter(path, site_root, problems, language=letter_language(relative))
        if letter is not None:
            letters.append(letter)
    if problems:
        raise SiteError(problems)
    return letters


def letter_language(relative: str) -> str:
    """``en/reminder/email-a.md`` → ``en``; ``reminder/email-a.md`` → ``fr``."""
    parts = relative.split("/")
    return parts[0] if len(parts) == 3 else TOP_LEVEL_LANGUAGE


def parse_letter(path: Path, site_root: Path, problems: list[Problem], language: str = TOP_LEVEL_LANGUAGE) -> Letter | None:
    try:
        shown = path.relative_to(site_root).as_posix()
    except ValueError:
        folder = path.parent.name if language == TOP_LEVEL_LANGUAGE else f"{language}/{path.parent.name}"
        shown = f"(built-in) letters/{folder}/{path.name}"
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        line, message = not_utf8(path, error, "letter")
        problems.append(Problem(Location(shown, line), "", message))
        return None
    if not text.startswith("---\n") or "\n---\n" not in text[4:]:
        problems.append(Problem(Location(shown, 1), "", "a letter starts with front matter between two '---' lines"))
        return None
    head, body = text[4:].split("\n---\n", 1)
    meta, yaml_problems = load_yaml_text("\n" + head, shown)  # the front matter starts on line 2
    if yaml_problems:
        problems.extend(yaml_problems)
        return None
    meta = {} if meta is None else meta
    if not isinstance(meta, dict):
        problems.append(Problem(Location(shown, 2), "", f"the front matter must be a mapping of keys (stage, medium, subject…), got {errors.shown(meta)}"))
        return None
    found = [Problem(Location(shown, 2), str(key), "unknown front matter key") for key in meta if key not in FRONT_MATTER_KEYS]
    found += [Problem(Location(shown, 2), key, f"expected text, got {errors.shown(meta[key])}") for key in FRONT_MATTER_KEYS if key in meta and not isinstance(meta[key], (str, int))]
    if found:
        problems.extend(found)
        return None
    found += [Problem(Location(shown, 2), key, "is required") for key in ("stage", "medium", "subject") if key not in meta]
    if meta.get("stage") not in (*DOCUMENT_STAGES, None):
        found.append(Problem(Location(shown, 2), "stage", f"unknown stage {errors.shown(meta.get('stage'))}"))
    elif meta.get("stage") is not None and meta["stage"] != path.parent.name:
        found.append(Problem(Location(shown, 2), "stage", f"this letter is in the folder of stage {path.parent.name!r}"))
    if meta.get("medium") not in (*LETTER_MEDIA, None):
        found.append(Problem(Location(shown, 2), "medium", f"use one of {', '.join(LETTER_MEDIA)}"))
    if meta.get("regime") not in (*CLIENT_KINDS, None):
        found.append(Problem(Location(shown, 2), "regime", f"use one of {', '.join(CLIENT_KINDS)}"))
    problems.extend(found)
    if found:
        return None
    return Letter(
        stage=meta["stage"],
        medium=meta["medium"],
        subject=str(meta["subject"]),
        variant=str(meta.get("variant", "a")),
        body=body.strip("\n"),
        path=path,
        name=str(meta.get("name") or path.stem),
        regime=meta.get("regime"),
        language=language,
        # "---", the front matter's lines, "---", then the blank lines stripped off the body.
        body_line=head.count("\n") + 4 + len(body) - len(body.lstrip("\n")),
    )


def choose_letter(
    letters: list[Letter],
    *,
    stage: str,
    medium: str,
    regime: str,
    client_id: str,
    history: tuple[JournalEntry, ...],
    name: str | None = None,
    language: str = TOP_LEVEL_LANGUAGE,
) -> Letter | None:
    """The letter for this stage, medium, debtor regime and language.

    Letters written for the regime win over general ones. Among variants, the choice
    rotates with the number of documents of this stage already sent to the client, offset
    by a stable hash of its id: deterministic, and successive documents differ.
    """
    candidates = [
        letter for letter in letters
        if letter.stage == stage and letter.medium == medium and letter.language == language
        and (name is None or letter.name == name)
    ]
    specific = [letter for letter in candidates if letter.regime == regime]
    pool = specific or [letter for letter in candidates if letter.regime is None]
    if not pool:
        return None
    pool.sort(key=lambda letter: (letter.variant, letter.name))
    sent_before = sum(1 for entry in history if entry.stage == stage and entry.status in COUNTED_STATUSES)
    offset = int(hashlib.sha256(client_id.encode()).hexdigest(), 16)
    return pool[(offset + sent_before) % len(pool)]
