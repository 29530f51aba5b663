"""Rendering documents through the theme.

The Jinja environment searches, in order: the site's ``overrides/`` folder, the theme,
then the themes it extends (MkDocs' ``custom_dir``). The prefix ``theme:`` reaches the
theme's own template even when an override shadows it, so an override can say
``{% extends "theme:letter.html" %}`` and replace a single block; ``<name>:`` reaches a
named theme. Everything is autoescaped; an undefined variable is an error naming the
template and the variable.

Documents are written in the client's ``language``, else the site's: the template context's
``language`` picks the catalogue of the theme's strings (``{% trans %}``, see
``documents/catalogues.py``), the letters of that language, and the forms of dates, money
and rates the filters print.
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
from relancegen.documents.catalogues import Catalogues
from relancegen.documents.kinds import DocumentSpec, has_statement
from relancegen.errors import Location, Problem, RelancegenError, SiteError
from relancegen.documents.letters import Letter, choose_letter, load_letters
from relancegen.site.model import Client, Site
from relancegen.documents.greetings import greeting_for
from relancegen.documents.qr import epc_qr_svg
from relancegen.documents.typography import french_spacing, french_spacing_html
from relancegen.law.eu import late_payment_directive_applies
from relancegen.law.penalties import RateBasis, rate_basis
from relancegen.law.situation import ClientSituation, InvoiceLine

THEME_FILE = "theme.yml"
OVERRIDES_DIR = "overrides"
BLOCKS_TEMPLATE = "blocks.html"
TEXT_BLOCKS_TEMPLATE = "blocks.txt"
BLOCK_NAMES = ("invoice_table", "not_yet_due_table", "payment_block", "penalty_table")
REGISTERED_STAGES = ("penalties", "formal_notice")
RATES_TEMPLATE = "rates.txt"
DEFAULT_SOURCE_LANGUAGE = "fr"


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
        current = _theme_meta(folder).get("extends")
    return chain


def _theme_meta(folder: Path) -> dict[str, Any]:
    path = folder / THEME_FILE
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path.is_file() else {}


def theme_source_language(chain: list[Path]) -> str:
    """The language the theme's strings are written in (``source_language`` in theme.yml,
    inherited from the theme it extends; French by default)."""
    for folder in chain:
        language = _theme_meta(folder).get("source_language")
        if language:
            return str(language)
    return DEFAULT_SOURCE_LANGUAGE


def theme_catalogues(site: Site) -> Catalogues:
    """The catalogues of the theme chain and the site's ``locales/`` (the site's win)."""
    chain = theme_chain(site.root, site.theme)
    return Catalogues([*reversed(chain), site.root], theme_source_language(chain))


def document_language(site: Site, client: Client) -> str:
    """The language of a client's documents: the client's ``language``, else the site's."""
    return client.language or site.language


def _theme_folder(site_root: Path, theme: str) -> Path:
    builtin = builtin_themes_dir() / theme
    if re.fullmatch(r"[a-z0-9][a-z0-9_-]*", theme) and builtin.is_dir():
        return builtin
    local = (site_root / theme).resolve()
    if local.is_dir():
        return local
    raise RelancegenError(f"theme {theme!r} is neither a built-in theme nor a folder of the site")


def create_environment(
    site: Site, extra_filters: dict[str, Any] | None = None, extra_template_dirs: list[Path] | None = None,
    catalogues: Catalogues | None = None,
) -> jinja2.Environment:
    """The theme's Jinja environment, with overrides, prefixes, filters, the theme's
    catalogues (``jinja2.ext.i18n``), and the template folders plugins ship (searched last)."""
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
        extensions=["jinja2.ext.i18n"],
    )
    env.policies["ext.i18n.trimmed"] = True  # a {% trans %} block's whitespace is normalised
    install_catalogues(env, catalogues or theme_catalogues(site), site.language)
    env.filters.update({
        name: _in_language(function, site.language)
        for name, function in (
            ("money", formatting.money), ("date_long", formatting.date_long), ("date_short", formatting.date_short),
            ("percent", formatting.percent), ("plain_number", formatting.plain_number), ("join_list", formatting.join_list),
        )
    })
    env.filters.update(extra_filters or {})
    return env


def _in_language(function: Any, default: str) -> Any:
    """A formatting function as a filter writing in the template context's ``language``."""

    @jinja2.pass_context
    def in_language(context: jinja2.runtime.Context, value: Any) -> str:
        return function(value, context.get("language") or default)

    in_language.__doc__ = function.__doc__
    return in_language


def install_catalogues(env: jinja2.Environment, catalogues: Catalogues, default: str) -> None:
    """``gettext`` and ``ngettext`` for ``{% trans %}``, translating into the context's language."""

    @jinja2.pass_context
    def gettext(context: jinja2.runtime.Context, message: str) -> str:
        return catalogues.gettext(context.get("language") or default, message, context.name)

    @jinja2.pass_context
    def ngettext(context: jinja2.runtime.Context, singular: str, plural: str, count: int) -> str:
        return catalogues.ngettext(context.get("language") or default, singular, plural, count, context.name)

    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]


class Renderer:
    """Renders a client's documents through the site's theme and letters."""

    def __init__(
        self, site: Site, extra_filters: dict[str, Any] | None = None, render_pdf: Any = None,
        extra_template_dirs: list[Path] | None = None,
    ):
        self.site = site
        self.render_pdf = render_pdf or _default_pdf_renderer
        self.catalogues = theme_catalogues(site)
        self.env = create_environment(site, extra_filters, extra_template_dirs, self.catalogues)
        self.template_dirs = [*theme_chain(site.root, site.theme), site.root / OVERRIDES_DIR, *(extra_template_dirs or ())]
        # The same loaders and filters without HTML escaping, for plain-text email parts.
        self.text_env = self.env.overlay(autoescape=False)
        # Letter bodies keep their line breaks exactly as written (no trim_blocks).
        self.letter_env = self.env.overlay(trim_blocks=False, lstrip_blocks=False)
        self.letter_text_env = self.text_env.overlay(trim_blocks=False, lstrip_blocks=False)
        self.letters = load_letters(site.root)
        self._letter_templates: dict[tuple[str, bool], jinja2.Template] = {}
        self._rate_wording: dict[str, Any] = {}
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
        french = context["language"] == "fr"
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
            "signatory": self.site.creditor.signatory, "language": self.site.language,
            "registration": registration(self.site.creditor),
        }

    def context(self, situation: ClientSituation, stage: str, medium: str) -> dict[str, Any]:
        """Every variable a letter or a template can use (documented in docs/themes.md)."""
        client = situation.client
        lines = situation.prevention if stage == "prevention" else situation.overdue
        terms = self.site.terms
        # What goes to the agency is in the site's language; what goes to the debtor, in theirs.
        language = self.site.language if medium == "agency" else document_language(self.site, client)
        amount = sum((line.outstanding for line in lines), Decimal("0.00"))
        if stage in ("penalties", "formal_notice", "collection"):
            amount = situation.total
        greeting = greeting_for(client, client.accounting_contact, language)
        context = {
            **self.site_context(),
            "client": client,
            "language": language,
            "contact": client.accounting_contact,
            "greeting": greeting.email if medium == "email" else greeting.letter,
            "courtesy": greeting.courtesy,
            "sign_off": greeting.sign_off,
            "stage": stage,
            "medium": medium,
            "regime": client.kind,
            "registered": medium == "registered_post",
            "as_of": situation.as_of,
            "invoices": list(lines),
            "not_yet_due": [line for line in situation.not_yet_due if line not in situation.prevention] if stage == "prevention" else list(situation.not_yet_due),
            "prevention": list(situation.prevention),
            "invoice_numbers": formatting.join_list([line.invoice.number for line in lines], language),
            "principal": situation.principal if stage != "prevention" else amount,
            "interest": situation.interest,
            "indemnity": situation.indemnity,
            "total": situation.total if stage != "prevention" else amount,
            "balance": situation.balance,
            "amount_to_pay": amount,
            "late_interest_text": self.late_interest_text(client.kind, lines, language),
            "late_payment_directive": late_payment_directive_applies(client.kind, self.site.creditor.address.country, client.address.country),
            "recovery_indemnity": None if client.kind == "b2c" else terms.recovery_indemnity,
            "deadline": situation.as_of + dt.timedelta(days=terms.formal_notice_days),
            "formal_notice_date": situation.formal_notice_date,
            "history": list(situation.history),
            # what leaves with the document, so that it announces only that: the invoice
            # copies that exist (file:) and, at the registered stages, the penalty statement
            "enclosed_invoices": [line.invoice.number for line in lines if line.invoice.file is not None],
            "enclosed_numbers": formatting.join_list([line.invoice.number for line in lines if line.invoice.file is not None], language),
            "encloses_statement": medium == "registered_post" and has_statement(situation, stage),
            "payment": self._payment(lines, amount, online=client.kind != "public"),
            "situation": situation,
        }
        context.update(self._blocks(context))
        return context

    def _payment(self, lines: list[InvoiceLine], amount: Decimal, *, online: bool = True) -> PaymentMeans:
        """How to pay: bank details and reference; with ``online``, the payment link and the
        scan-to-pay QR code too (a public buyer pays by a payment order of its accounting
        officer, to the bank details: it is offered neither)."""
        creditor = self.site.creditor
        reference = " ".join(line.invoice.number for line in lines)[:140]
        if not online:
            return PaymentMeans(iban=_group(creditor.iban), bic=creditor.bic, url=None, reference=reference, qr=None)
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

    # -- rates -------------------------------------------------------------------------

    def late_interest_text(self, kind: str, lines: list[InvoiceLine], language: str) -> str:
        """How a letter names the rate this debtor owes (after "au"/"at the"); when the
        invoices carry different contractual rates, each invoice's rate is named."""
        terms_rule = self.site.terms.late_interest
        bases = [(line.invoice.number, rate_basis(kind, line.invoice.late_interest or terms_rule)) for line in lines]
        return str(self._rates(language).late_interest_text(bases or [("", rate_basis(kind, terms_rule))])).strip()

    def rate_label(self, rate: RateBasis, language: str) -> str:
        """The short description of a rate applied by the penalty engine, e.g. "taux BCE + 10 points"."""
        return str(self._rates(language).rate_label(rate)).strip()

    def _rates(self, language: str) -> Any:
        """The theme's rate wording (rates.txt), in ``language``."""
        if language not in self._rate_wording:
            self._rate_wording[language] = self.text_env.get_template(RATES_TEMPLATE).make_module({"language": language})
        return self._rate_wording[language]

    # -- letters ----------------------------------------------------------------------

    def _letter(self, spec: DocumentSpec, situation: ClientSituation) -> Letter:
        letter = choose_letter(
            self.letters, stage=spec.stage, medium=spec.letter or "", regime=situation.client.kind,
            client_id=situation.client.id, history=situation.history, name=spec.letter_name,
            language=document_language(self.site, situation.client),
        )
        if letter is None:
            language = document_language(self.site, situation.client)
            raise RelancegenError(f"no {language!r} letter for stage {spec.stage!r} and medium {spec.letter!r} in letters/")
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


def registration(creditor: Any) -> str:
    """The creditor's registration as every document prints it (C. com. R123-237):
    "RCS Lyon 812 345 676", or "SIREN 812 345 676" while ``creditor.rcs`` is not set."""
    if not creditor.siren:
        return ""
    number = f"{creditor.siren[:3]} {creditor.siren[3:6]} {creditor.siren[6:]}"
    return f"RCS {creditor.rcs} {number}" if creditor.rcs else f"SIREN {number}"


def _group(iban: str | None) -> str | None:
    return " ".join(iban[i:i + 4] for i in range(0, len(iban), 4)) if iban else None
