"""Theme errors that point: a template or stylesheet problem as ``file:line: message``.

``theme_problems(renderer)`` compiles every template of the site's overrides and theme
chain and every letter, and reports syntax errors, variables no context provides and
blocks an override fills that its parent template does not have (content that would
silently vanish). ``problems_of(error)`` turns what rendering raised (a Jinja syntax error, an undefined
variable, a letter's error) into located problems, for ``relancegen serve``.
The stylesheets are checked by :mod:`relancegen.documents.stylecheck`.
"""

from __future__ import annotations

import difflib
import functools
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta, nodes

from relancegen.errors import Location, Problem, RelancegenError, SiteError, not_utf8, relative_name


def problems_of(error: BaseException) -> list[Problem]:
    """Located problems for an error raised while rendering a document."""
    if isinstance(error, SiteError):
        return list(error.problems)
    if isinstance(error, jinja2.TemplateSyntaxError):
        return [Problem(Location(error.filename or error.name or "template", error.lineno or 0), "", f"template syntax error: {error.message}")]
    if isinstance(error, jinja2.TemplateError):
        return [Problem(_template_location(error), "", f"template error: {error}")]
    if isinstance(error, RelancegenError):
        return [Problem(Location("site"), "", str(error))]
    return [Problem(Location("site"), "", f"{type(error).__name__}: {error}")]


def _template_location(error: BaseException) -> Location:
    """The template file and line a runtime error happened at (Jinja rewrites its
    tracebacks so that template frames carry the template's path and line)."""
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if _is_template(frame.filename)]
    if not frames:
        return Location("template")
    return Location(frames[-1].filename, frames[-1].lineno or 0)


def _is_template(filename: str) -> bool:
    return not filename.endswith(".py") and not filename.startswith("<")


#: Every variable a document's context provides (``Renderer.context``, tested to match).
CONTEXT_VARIABLES = frozenset({
    "creditor", "site_title", "terms", "signatory", "extra", "style",
    "client", "contact", "stage", "medium", "regime", "registered", "as_of", "invoices", "not_yet_due",
    "prevention", "invoice_numbers", "principal", "interest", "indemnity", "total", "balance",
    "amount_to_pay", "late_interest_text", "recovery_indemnity", "deadline", "formal_notice_date",
    "history", "payment", "situation", "rate_bases", "unverified_rates", "unverified_note", "invoice_table", "not_yet_due_table", "payment_block", "penalty_table",
    "subject", "letter_variant", "body", "language", "late_payment_directive", "other_overdue", "other_overdue_table",
    "greeting", "courtesy", "sign_off", "registration", "enclosed_invoices", "enclosed_numbers", "encloses_statement",
    "paid_late", "paid_late_total", "encloses_debit_note", "penalties_settled", "penalties_all_settled", "declaration", "declaration_table",
})
#: What whole-site pages add: the call list's callers, the agency's exhibits.
PAGE_VARIABLES = frozenset({"situations", "exhibits"})
TEMPLATE_SUFFIXES = (".html", ".txt", ".css", ".xml")


def theme_problems(renderer: Any) -> list[Problem]:
    """Every template and letter compiled; the problems found, in file order."""
    problems: list[Problem] = []
    known = CONTEXT_VARIABLES | PAGE_VARIABLES | set(renderer.env.globals)
    for folder in renderer.assets.folders:
        for path in template_files(folder):
            name = relative_name(path, renderer.site.root)
            try:
                tree = parse(renderer.env, path.read_text(encoding="utf-8"))
            except UnicodeDecodeError as error:  # located like the renderer's TemplateFolder does
                line, message = not_utf8(path, error, "template")
                problems.append(Problem(Location(name, line), "", message))
                continue
            except jinja2.TemplateSyntaxError as error:
                problems.append(Problem(Location(name, error.lineno or 0), "", f"template syntax error: {error.message}"))
                continue
            problems += _unknown_variables(tree, known, name)
            problems += _unknown_blocks(renderer.env, tree, name)
    problems += letter_problems(renderer, known)
    return sorted(problems, key=lambda problem: problem.location)


def letter_problems(renderer: Any, known: set[str]) -> list[Problem]:
    """Each letter's subject and body compiled, with the variables they use."""
    problems: list[Problem] = []
    for letter in renderer.letters:
        name = relative_name(letter.path, renderer.site.root)
        for source, first_line in ((letter.subject, 0), (letter.body, letter.body_line)):
            try:
                tree = parse(renderer.env, source)
            except jinja2.TemplateSyntaxError as error:
                line = first_line + (error.lineno or 1) - 1 if first_line else 0
                problems.append(Problem(Location(name, line), "", f"letter template syntax error: {error.message}"))
                continue
            for problem in _unknown_variables(tree, known, name):
                line = first_line + problem.location.line - 1 if first_line else 0
                problems.append(Problem(Location(name, line), "", problem.message))
    return problems


_TREES: dict[tuple[str, frozenset[str], frozenset[str]], nodes.Template] = {}


def parse(env: jinja2.Environment, source: str) -> nodes.Template:
    """A template's syntax tree, kept per source text (and the environment's filters and
    tests): ``serve`` checks the whole theme at each edit, and most files did not change."""
    key = (source, frozenset(env.filters), frozenset(env.tests))
    if key not in _TREES:
        if len(_TREES) > 4096:
            _TREES.clear()
        _TREES[key] = env.parse(source)
    return _TREES[key]


@functools.lru_cache(maxsize=1024)
def _undeclared(tree: nodes.Template) -> frozenset[str]:
    return frozenset(meta.find_undeclared_variables(tree))


def template_files(folder: Path) -> list[Path]:
    """The templates of a theme or overrides folder that the check compiles."""
    return sorted(path for path in folder.rglob("*") if is_template(path, folder) and path.is_file())


def is_template(path: Path, folder: Path) -> bool:
    """Whether a file of a theme or overrides folder is a template the check compiles (not
    one of its assets or fonts)."""
    return path.suffix in TEMPLATE_SUFFIXES and path.relative_to(folder).parts[0] not in ("assets", "fonts")


def _unknown_variables(tree: nodes.Template, known: set[str], name: str) -> list[Problem]:
    unknown = _undeclared(tree) - known
    problems = []
    reported: set[str] = set()
    for node in tree.find_all(nodes.Name):
        if node.ctx == "load" and node.name in unknown and node.name not in reported:
            reported.add(node.name)
            hint = difflib.get_close_matches(node.name, sorted(known), n=1)
            problems.append(Problem(Location(name, node.lineno), "", f"unknown variable {node.name!r}" + (f" (did you mean {hint[0]!r}?)" if hint else "")))
    return problems


def _unknown_blocks(env: jinja2.Environment, tree: nodes.Template, name: str) -> list[Problem]:
    """Blocks a template fills that the template it extends never shows."""
    extends = next(tree.find_all(nodes.Extends), None)
    if extends is None or not isinstance(extends.template, nodes.Const):
        return []
    parent = extends.template.value
    try:
        available = _blocks_of(env, parent, set())
    except jinja2.TemplateError as error:
        return [Problem(Location(name, extends.lineno), "", f"extends {parent!r}: {error}")]
    problems = []
    for block in _outer_blocks(tree):
        if block.name not in available:
            hint = difflib.get_close_matches(block.name, sorted(available), n=1)
            problems.append(Problem(
                Location(name, block.lineno), "",
                f"block {block.name!r} is not a block of {parent}: its content is never shown" + (f" (did you mean {hint[0]!r}?)" if hint else ""),
            ))
    return problems


def _outer_blocks(node: nodes.Node) -> Iterator[nodes.Block]:
    """The blocks of a child template that replace its parent's (those not nested in
    another block: a nested block is new content of the block around it)."""
    for child in node.iter_child_nodes():
        if isinstance(child, nodes.Block):
            yield child
        else:
            yield from _outer_blocks(child)


def _blocks_of(env: jinja2.Environment, template: str, seen: set[str]) -> set[str]:
    """The block names a template and the templates it extends define."""
    if template in seen:
        return set()
    seen.add(template)
    source, _, _ = env.loader.get_source(env, template)
    tree = parse(env, source)
    blocks = {block.name for block in tree.find_all(nodes.Block)}
    extends = next(tree.find_all(nodes.Extends), None)
    if extends is not None and isinstance(extends.template, nodes.Const):
        blocks |= _blocks_of(env, extends.template.value, seen)
    return blocks
