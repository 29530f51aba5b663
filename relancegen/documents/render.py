"""Rendering documents through the theme.

The Jinja environment searches, in order: the site's ``overrides/`` folder, the theme,
then the themes it extends (MkDocs' ``custom_dir``). The prefix ``theme:`` reaches the
theme's own template even when an override shadows it, so an override can say
``{% extends "theme:letter.html" %}`` and replace a single block; ``<name>:`` reaches a
named theme. Everything is autoescaped; an undefined variable is an error naming the
template and the variable.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2
import yaml
from markupsafe import Markup

from relancegen.documents import formatting
from relancegen.documents.kinds import DocumentSpec
from relancegen.errors import Location, Problem, RelancegenError, SiteError
from relancegen.documents.letters import Letter, choose_letter, load_letters
from relancegen.site.model import LateInterestRule, Site
from relancegen.documents.greetings import greeting_for
from relancegen.documents.qr import epc_qr_svg
from relancegen.documents.typography import french_spacing, french_spacing_html
from relancegen.law.situation import ClientSituation, InvoiceLine

THEME_FILE = "theme.yml"
OVERRIDES_DIR = "overrides"
BLOCKS_TEMPLATE = "blocks.html"
TEXT_BLOCKS_TEMPLATE = "blocks.txt"
BLOCK_NAMES = ("invoice_table", "not_yet_due_table", "payment_block", "penalty_table")
REGISTERED_STAGES = ("penalties", "formal_notice")


@dataclass(frozen=True)
class RenderedDocument:
    files: dict[str, bytes]  # format → content
    subject: str | None = None


@dataclass(frozen=True)
class PaymentMeans:
    """Payment means printed on a document."""

    iban: str | None
    bic: str | None
    url: str | None
    reference: str
    qr: Markup | None


def builtin_themes_dir() -> Path:
    spec = importlib.util.find_spec("relancegen_themes")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the built-in themes (package relancegen_themes) are not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def theme_chain(site_root: Path, theme: str) -> list[Path]:
    """The theme's folder, then the folders of the themes it extends."""
    chain: list[Path] = []
    current: str | None = theme
    while current:
        folder = _theme_folder(site_root, current)
        if folder in chain:
            raise RelancegenError(f"theme {current!r} extends itself")
        chain.append(folder)
        meta = yaml.safe_load((folder / THEME_FILE).read_text(encoding="utf-8")) if (folder / THEME_FILE).is_file() else {}
        current = (meta or {}).get("extends")
    return chain


def _theme_folder(site_root: Path, theme: str) -> Path:
    builtin = builtin_themes_dir() / theme
    if re.fullmatch(r"[a-z0-9][a-z0-9_-]*", theme) and builtin.is_dir():
        return builtin
    local = (site_root / theme).resolve()
    if local.is_dir():
        return local
    raise RelancegenError(f"theme {theme!r} is neither a built-in theme nor a folder of the site")


def create_environment(
    site: Site, extra_filters: dict[str, Any] | None = None, extra_template_dirs: list[Path] | None = None
) -> jinja2.Environment:
    """The theme's Jinja environment, with overrides, prefixes, filters, and the template
    folders plugins ship (searched last)."""
    chain = theme_chain(site.root, site.theme)
    theme_loader = jinja2.FileSystemLoader([str(path) for path in chain])
    prefixes: dict[str, jinja2.BaseLoader] = {"theme": theme_loader}
    for path in chain:
        prefixes.setdefault(path.name, jinja2.FileSystemLoader([str(p) for p in chain[chain.index(path):]]))
    loaders: list[jinja2.BaseLoader] = [jinja2.PrefixLoader(prefixes, delimiter=":")]
    overrides = site.root / OVERRIDES_DIR
    if overrides.is_dir():
        loaders.append(jinja2.FileSystemLoader(str(overrides)))
    loaders.append(theme_loader)
    loaders += [jinja2.FileSystemLoader(str(folder)) for folder in extra_template_dirs or ()]
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        money=formatting.money,
        date_long=formatting.date_long,
        date_short=formatting.date_short,
        percent=formatting.percent,
    )
    env.filters.update(extra_filters or {})
    return env


class Renderer:
    """Renders a client's documents through the site's theme and letters."""

    def __init__(
        self, site: Site, extra_filters: dict[str, Any] | None = None, render_pdf: Any = None,
        extra_template_dirs: list[Path] | None = None,
    ):
        self.site = site
        self.render_pdf = render_pdf or _default_pdf_renderer
        self.env = create_environment(site, extra_filters, extra_template_dirs)
        self.template_dirs = [*theme_chain(site.root, site.theme), site.root / OVERRIDES_DIR, *(extra_template_dirs or ())]
        # The same loaders and filters without HTML escaping, for plain-text email parts.
        self.text_env = self.env.overlay(autoescape=False)
        # Letter bodies keep their line breaks exactly as written (no trim_blocks).
        self.letter_env = self.env.overlay(trim_blocks=False, lstrip_blocks=False)
        self.letter_text_env = self.text_env.overlay(trim_blocks=False, lstrip_blocks=False)
        self.letters = load_letters(site.root)
        self._letter_templates: dict[tuple[str, bool], jinja2.Template] = {}
        self.base_url = theme_chain(site.root, site.theme)[0]

    # -- public API -------------------------------------------------------------------

    def render(self, spec: DocumentSpec, situation: ClientSituation) -> RenderedDocument:
        """Render one document in each of its formats."""
        context = self.context(situation, spec.stage, spec.medium)
        letter = self._letter(spec, situation) if spec.letter else None
        subject = None
        if letter is not None:
            subject = self._render_string(letter.subject, context, letter, text=True).strip()
            context.update(subject=subject, letter_variant=letter.variant, body=self._body_html(letter, context))
        files: dict[str, bytes] = {}
        french = (situation.client.language or self.site.language) == "fr"
        spaced, spaced_html = (french_spacing, french_spacing_html) if french else (str, str)
        if spec.kind == "email":
            files["txt"] = spaced(self._email_text(letter, context)).encode("utf-8")
            files["html"] = spaced_html(self.env.get_template(spec.template).render(context)).encode("utf-8")
            return RenderedDocument(files, spaced(subject) if subject else subject)
        html = spaced_html(self.env.get_template(spec.template).render(context))
        if "html" in spec.formats:
            files["html"] = html.encode("utf-8")
        if "pdf" in spec.formats:
            files["pdf"] = self.render_pdf(html=html, base_url=str(self.base_url))
        return RenderedDocument(files, spaced(subject) if subject else subject)

    def render_page(self, template_name: str, context: dict[str, Any]) -> str:
        """Render a whole-site page (the call list, the build summary)."""
        html = self.env.get_template(template_name).render(self.site_context(), **context)
        return french_spacing_html(html) if self.site.language == "fr" else html

    # -- context ----------------------------------------------------------------------

    def site_context(self) -> dict[str, Any]:
        return {
            "creditor": self.site.creditor, "site_title": self.site.title, "terms": self.site.terms,
            "signatory": self.site.creditor.signatory, "registration": registration(self.site.creditor),
        }

    def context(self, situation: ClientSituation, stage: str, medium: str) -> dict[str, Any]:
        """Every variable a letter or a template can use (documented in docs/themes.md)."""
        client = situation.client
        lines = situation.prevention if stage == "prevention" else situation.overdue
        terms = self.site.terms
        amount = sum((line.outstanding for line in lines), Decimal("0.00"))
        if stage in ("penalties", "formal_notice", "collection"):
            amount = situation.total
        greeting = greeting_for(client, client.accounting_contact)
        context = {
            **self.site_context(),
            "client": client,
            "contact": client.accounting_contact,
            "greeting": greeting.email if medium == "email" else greeting.letter,
            "courtesy": greeting.courtesy,
            "stage": stage,
            "medium": medium,
            "regime": client.kind,
            "registered": medium == "registered_post",
            "as_of": situation.as_of,
            "invoices": list(lines),
            "not_yet_due": [line for line in situation.not_yet_due if line not in situation.prevention] if stage == "prevention" else list(situation.not_yet_due),
            "prevention": list(situation.prevention),
            "invoice_numbers": french_list([line.invoice.number for line in lines]),
            "principal": situation.principal if stage != "prevention" else amount,
            "interest": situation.interest,
            "indemnity": situation.indemnity,
            "total": situation.total if stage != "prevention" else amount,
            "balance": situation.balance,
            "amount_to_pay": amount,
            "late_interest_text": late_interest_text(client.kind, lines, self.site),
            "recovery_indemnity": None if client.kind == "b2c" else terms.recovery_indemnity,
            "deadline": situation.as_of + dt.timedelta(days=terms.formal_notice_days),
            "formal_notice_date": situation.formal_notice_date,
            "history": list(situation.history),
            # what leaves with the document, so that it announces only that: the invoice
            # copies that exist (file:) and, at the registered stages, the penalty statement
            "enclosed_invoices": [line.invoice.number for line in lines if line.invoice.file is not None],
            "encloses_statement": stage in STATEMENT_STAGES and medium == "registered_post",
            "payment": self._payment(lines, amount),
            "situation": situation,
        }
        context.update(self._blocks(context))
        return context

    def _payment(self, lines: list[InvoiceLine], amount: Decimal) -> PaymentMeans:
        creditor = self.site.creditor
        reference = " ".join(line.invoice.number for line in lines)[:140]
        url = None
        if creditor.payment_url and lines:
            url = creditor.payment_url.replace("{invoice}", lines[0].invoice.number if len(lines) == 1 else "+".join(line.invoice.number for line in lines)).replace("{amount}", f"{amount:.2f}")
        qr = epc_qr_svg(name=creditor.name, iban=creditor.iban, amount=amount, remittance=reference, bic=creditor.bic)
        return PaymentMeans(iban=_group(creditor.iban), bic=creditor.bic, url=url, reference=reference, qr=Markup(qr) if qr else None)

    def _blocks(self, context: dict[str, Any]) -> dict[str, Any]:
        html_blocks = self.env.get_template(BLOCKS_TEMPLATE).make_module(context)
        return {name: Markup(getattr(html_blocks, name)()) for name in BLOCK_NAMES}

    def _text_blocks(self, context: dict[str, Any]) -> dict[str, str]:
        text_blocks = self.text_env.get_template(TEXT_BLOCKS_TEMPLATE).make_module(context)
        return {name: str(getattr(text_blocks, name)()).strip("\n") for name in BLOCK_NAMES}

    # -- letters ----------------------------------------------------------------------

    def _letter(self, spec: DocumentSpec, situation: ClientSituation) -> Letter:
        letter = choose_letter(
            self.letters, stage=spec.stage, medium=spec.letter or "", regime=situation.client.kind,
            client_id=situation.client.id, history=situation.history, name=spec.letter_name,
        )
        if letter is None:
            raise RelancegenError(f"no letter for stage {spec.stage!r} and medium {spec.letter!r} in letters/")
        return letter

    def _render_string(self, source: str, context: dict[str, Any], letter: Letter, *, text: bool) -> str:
        try:
            return self._compiled(source, text).render(context)
        except jinja2.TemplateError as error:
            line = letter.body_line + (getattr(error, "lineno", 1) or 1) - 1
            raise SiteError([Problem(Location(str(letter.path), line), "", f"letter template error: {error}")]) from error

    def _compiled(self, source: str, text: bool) -> jinja2.Template:
        """A letter's subject or body, compiled once per renderer."""
        key = (source, text)
        if key not in self._letter_templates:
            self._letter_templates[key] = (self.letter_text_env if text else self.letter_env).from_string(source)
        return self._letter_templates[key]

    def _body_html(self, letter: Letter, context: dict[str, Any]) -> Markup:
        rendered = self._render_string(letter.body, context, letter, text=False)
        return Markup("\n".join(_paragraph_html(chunk) for chunk in _paragraphs(rendered)))

    def _email_text(self, letter: Letter | None, context: dict[str, Any]) -> str:
        if letter is None:
            return ""
        text_context = {**context, **self._text_blocks(context)}
        rendered = self._render_string(letter.body, text_context, letter, text=True)
        return "\n\n".join(_paragraphs(rendered)) + "\n"


def _default_pdf_renderer(html: str, base_url: str) -> bytes:
    from relancegen.documents.pdf import render_pdf

    return render_pdf(html, base_url)


def _paragraphs(text: str) -> list[str]:
    return [chunk.strip("\n") for chunk in re.split(r"\n\s*\n", text) if chunk.strip()]


#: Stages whose registered letter leaves with the penalty statement (documents/kinds.py).
STATEMENT_STAGES = ("penalties", "formal_notice")

BLOCK_START = re.compile(r"^\s*<(table|div|ul|ol|section|figure|h[1-6]|p)\b")


def _paragraph_html(chunk: str) -> str:
    """A paragraph of a letter body as HTML: blocks stay blocks, ``- `` lines become a list,
    other lines stay lines of one ``<p>``."""
    if BLOCK_START.match(chunk):
        return chunk
    lines = [line.strip() for line in chunk.splitlines() if line.strip()]
    if all(line.startswith("- ") for line in lines):
        return "<ul>" + "".join(f"<li>{line[2:]}</li>" for line in lines) + "</ul>"
    return f"<p>{'<br>'.join(lines)}</p>"


def french_list(items: list[str]) -> str:
    """``["A", "B", "C"]`` → ``"A, B et C"``."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " et " + items[-1]


def late_interest_text(kind: str, lines: list[InvoiceLine], site: Site) -> str:
    """How a letter names the rate that applies to this debtor; when the invoices carry
    different contractual rates, each invoice's rate is named."""
    if kind == "b2c":
        return "taux de l'intérêt légal"
    if kind == "public":
        return "taux de refinancement de la Banque centrale européenne majoré de 8 points"
    rules = {line.invoice.number: line.invoice.late_interest or site.terms.late_interest for line in lines}
    if len(set(rules.values())) > 1:
        parts = [f"{number} : {_rule_text(rule)}" for number, rule in rules.items()]
        return "taux propre à chaque facture (" + " ; ".join(parts) + ")"
    return _rule_text(next(iter(rules.values()), site.terms.late_interest))


def _rule_text(rule: LateInterestRule) -> str:
    """The rate as a phrase that follows "au": "taux de 12 % l'an"."""
    if rule.kind == "ecb":
        return f"taux de refinancement de la Banque centrale européenne majoré de {formatting.plain_number(rule.points)} points"
    if rule.kind == "3x-legal":
        return "taux égal à trois fois le taux de l'intérêt légal"
    return f"taux de {formatting.plain_number(rule.annual_rate or Decimal('0'))}\u00a0% l'an"


def registration(creditor: Any) -> str:
    """The creditor's registration as every document prints it (C. com. R123-237):
    "RCS Lyon 812 345 676", or "SIREN 812 345 676" while ``creditor.rcs`` is not set."""
    if not creditor.siren:
        return ""
    number = f"{creditor.siren[:3]} {creditor.siren[3:6]} {creditor.siren[6:]}"
    return f"RCS {creditor.rcs} {number}" if creditor.rcs else f"SIREN {number}"


def _group(iban: str | None) -> str | None:
    return " ".join(iban[i:i + 4] for i in range(0, len(iban), 4)) if iban else None
