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

import importlib.util
import re
import traceback
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from relancegen.documents import formatting, pdf
from relancegen.documents.assets import ASSETS_DIR, AssetChain
from relancegen.documents.catalogues import Catalogues
from relancegen.documents.kinds import DEBIT_NOTE_MEDIA, DECLARATION_DOCUMENT, STAGE_DOCUMENTS, DocumentSpec, has_statement
from relancegen.documents.themes import ENTRY_POINT_GROUP, THEME_FILE, installed_theme, style_variables, theme_metadata
from relancegen.errors import Location, Problem, RelancegenError, SiteError, cut, not_utf8, relative_name, shown
from relancegen.documents.letters import Letter, choose_letter, load_letters
from relancegen.site import schema
from relancegen.site.model import DECLARATION, Client, Site
from relancegen.site.rates import RateFixing
from relancegen.site.yamlpos import load_yaml
from relancegen.documents.greetings import greeting_for
from relancegen.documents.qr import QrImage, epc_qr_png, epc_qr_svg
from relancegen.documents.typography import typeset, typeset_html
from relancegen.law.declaration import DeclaredInvoice
from relancegen.law.eu import late_payment_directive_applies
from relancegen.law.penalties import RateBasis, period_fixings, rate_basis, unverified_fixings
from relancegen.law.plan import PENALTY_STAGES
from relancegen.law.situation import ClientSituation, InvoiceLine

OVERRIDES_DIR = "overrides"
BLOCKS_TEMPLATE = "blocks.html"
TEXT_BLOCKS_TEMPLATE = "blocks.txt"
BLOCK_NAMES = ("invoice_table", "not_yet_due_table", "payment_block", "penalty_table")
#: Blocks a theme may leave out (older themes): rendered empty when its blocks lack them.
OPTIONAL_BLOCK_NAMES = ("other_overdue_table", "declaration_table")
RATES_TEMPLATE = "rates.txt"
DEFAULT_SOURCE_LANGUAGE = "fr"
CALL_LIST_TEMPLATE = "call_list.html"
DEBIT_NOTE_TEMPLATE = "debit_note.html"
#: The templates a theme (with the themes it extends and the site's overrides) must provide.
REQUIRED_TEMPLATES = tuple(sorted(
    {spec.template for specs in STAGE_DOCUMENTS.values() for spec in specs if spec.template}
    | {DECLARATION_DOCUMENT.template or "", DEBIT_NOTE_TEMPLATE}
    | {BLOCKS_TEMPLATE, TEXT_BLOCKS_TEMPLATE, CALL_LIST_TEMPLATE}
))


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
    qr_png: QrImage | None = None  # in emails: the same code as a PNG (mail clients drop SVG)


def builtin_themes_dir() -> Path:
    spec = importlib.util.find_spec("relancegen_themes")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the built-in themes (package relancegen_themes) are not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def theme_chain(site_root: Path, theme: str) -> list[Path]:
    """The theme's folder, then the folders of the themes it extends. Raises
    :class:`SiteError` for an unknown theme, a malformed ``theme.yml`` or a cycle."""
    chain: list[Path] = []
    current: str | None = theme
    where = Location("site.yml")
    while current:
        folder = _theme_folder(site_root, current, where)
        if folder in chain:
            raise SiteError([Problem(where, "extends", f"theme {current!r} extends itself")])
        chain.append(folder)
        current, where = _extends(folder, site_root)
    return chain


def _extends(folder: Path, site_root: Path) -> tuple[str | None, Location]:
    """The theme a theme folder extends (``extends:`` in its theme.yml), and where it says so."""
    path = folder / THEME_FILE
    where = Location(relative_name(path, site_root))
    if not path.is_file():
        return None, where
    meta, problems = load_yaml(path, where.file)
    if problems:
        raise SiteError(problems)
    if meta is None:
        return None, where
    if not isinstance(meta, dict):
        raise SiteError([Problem(where, "", "expected a mapping of fields (name, description, extends, fonts)")])
    extends = meta.get("extends")
    if extends is None:
        return None, where
    if not isinstance(extends, str):
        raise SiteError([Problem(where, "extends", f"expected the name of a theme, got {shown(extends)}")])
    context = schema.Context(where.file)
    if schema.SitePath().parse(extends, context, "extends", meta.line_of("extends")) is schema.INVALID:
        raise SiteError(context.problems)
    return extends.strip(), where


def theme_problems(site_root: Path, theme: str) -> list[Problem]:
    """What makes the theme unusable: unknown, malformed ``theme.yml``, or templates that
    neither it, the themes it extends nor the site's overrides provide."""
    try:
        chain = theme_chain(site_root, theme)
    except SiteError as error:
        return list(error.problems)
    folders = [*chain, site_root / OVERRIDES_DIR]
    missing = [name for name in REQUIRED_TEMPLATES if not any((folder / name).is_file() for folder in folders)]
    if not missing:
        return []
    shown_folder = relative_name(chain[0], site_root)
    return [Problem(Location("site.yml"), "site.theme", f"the theme {shown(theme)} ({shown_folder}) lacks templates: {', '.join(missing)} (extend a theme that has them with 'extends:' in its theme.yml)")]


def theme_source_language(chain: list[Path]) -> str:
    """The language the theme's strings are written in (``source_language`` in theme.yml,
    inherited from the theme it extends; French by default)."""
    for folder in chain:
        language = theme_metadata(folder).get("source_language")
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


def _theme_folder(site_root: Path, theme: str, where: Location) -> Path:
    builtin = builtin_themes_dir() / theme
    if re.fullmatch(r"[a-z0-9][a-z0-9_-]*", theme) and builtin.is_dir():
        return builtin.resolve()
    installed = installed_theme(theme) if re.fullmatch(r"[a-z0-9][a-z0-9_-]*", theme) else None
    if installed is not None:
        return installed
    local = (site_root / theme).resolve()
    if local.is_dir() and (local == site_root or site_root in local.parents):
        return local
    builtins = ", ".join(sorted(p.name for p in builtin_themes_dir().iterdir() if p.is_dir() and not p.name.startswith(("_", "."))))
    field = "site.theme" if where.file == "site.yml" else "extends"
    raise SiteError([Problem(where, field, f"theme {shown(theme)} is neither a built-in theme ({builtins}), nor an installed one ({ENTRY_POINT_GROUP}), nor a folder of the site")])


class TemplateFolder(jinja2.FileSystemLoader):
    """Templates from folders; a file that is not UTF-8 is a template error naming it."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str | None, Any]:
        try:
            return super().get_source(environment, template)
        except UnicodeDecodeError as error:
            path = next(p for p in (Path(folder, *template.split("/")) for folder in self.searchpath) if p.is_file())
            line, message = not_utf8(path, error, "template")
            raise jinja2.TemplateSyntaxError(message, line, template, str(path)) from None


def create_environment(
    site: Site, extra_filters: dict[str, Any] | None = None, extra_template_dirs: list[Path] | None = None,
    catalogues: Catalogues | None = None,
) -> jinja2.Environment:
    """The theme's Jinja environment, with overrides, prefixes, filters, the theme's
    catalogues (``jinja2.ext.i18n``), and the template folders plugins ship (searched last)."""
    chain = theme_chain(site.root, site.theme)
    theme_loader = TemplateFolder([str(path) for path in chain])
    prefixes: dict[str, jinja2.BaseLoader] = {"theme": theme_loader}
    for path in chain:
        prefixes.setdefault(path.name, TemplateFolder([str(p) for p in chain[chain.index(path):]]))
    loaders: list[jinja2.BaseLoader] = [jinja2.PrefixLoader(prefixes, delimiter=":")]
    overrides = site.root / OVERRIDES_DIR
    if overrides.is_dir():
        loaders.append(TemplateFolder(str(overrides)))
    loaders.append(theme_loader)
    loaders += [TemplateFolder(str(folder)) for folder in extra_template_dirs or ()]
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
    env.filters["postal_locality"] = formatting.postal_locality
    env.filters["postal_country"] = formatting.postal_country
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
        problems = theme_problems(site.root, site.theme)
        if problems:
            raise SiteError(problems)
        self.site = site
        self.render_pdf = render_pdf or _default_pdf_renderer
        self.catalogues = theme_catalogues(site)
        self.env = create_environment(site, extra_filters, extra_template_dirs, self.catalogues)
        self.template_dirs = [*theme_chain(site.root, site.theme), site.root / OVERRIDES_DIR, *(extra_template_dirs or ())]
        pdf.allow_folders([*self.template_dirs, site.root / ASSETS_DIR])
        # The same loaders and filters without HTML escaping, for plain-text email parts.
        self.text_env = self.env.overlay(autoescape=False)
        # Letter bodies keep their line breaks exactly as written (no trim_blocks).
        self.letter_env = self.env.overlay(trim_blocks=False, lstrip_blocks=False)
        self.letter_text_env = self.text_env.overlay(trim_blocks=False, lstrip_blocks=False)
        self.letters = load_letters(site.root)
        self._letter_templates: dict[tuple[str, bool], jinja2.Template] = {}
        self._rate_wording: dict[str, Any] = {}
        chain = theme_chain(site.root, site.theme)
        self.base_url = chain[0]
        self.assets = AssetChain(site.root / ASSETS_DIR, (site.root / OVERRIDES_DIR, *chain))
        self.style = style_variables(chain)

    # -- public API -------------------------------------------------------------------

    def render(self, spec: DocumentSpec, situation: ClientSituation) -> RenderedDocument:
        """Render one document in each of its formats; a template error is a
        :class:`SiteError` naming the template, its line and the problem."""
        try:
            return self._render(spec, situation)
        except jinja2.TemplateError as error:
            raise self.template_error(error) from None

    def _render(self, spec: DocumentSpec, situation: ClientSituation) -> RenderedDocument:
        context, letter = self._document_context(spec, situation)
        subject = context.get("subject")
        files: dict[str, bytes] = {}
        language = context["language"]
        if spec.kind == "email":
            files["txt"] = typeset(self._email_text(letter, context), language).encode("utf-8")
            files["html"] = typeset_html(self.env.get_template(spec.template).render(context), language).encode("utf-8")
            return RenderedDocument(files, typeset(subject, language) if subject else subject)
        if spec.formats == ("txt",):  # a plain-text message, such as an SMS: no narrow spaces,
            # which are outside the GSM alphabet and would double the message's cost
            files["txt"] = self.text_env.get_template(spec.template).render(context).encode("utf-8")
            return RenderedDocument(files, subject)
        html = typeset_html(self.env.get_template(spec.template).render(context), language)
        if "html" in spec.formats:
            files["html"] = html.encode("utf-8")
        if "pdf" in spec.formats:
            files["pdf"] = self.pdf(html)
        return RenderedDocument(files, typeset(subject, language) if subject else subject)

    def render_html(self, spec: DocumentSpec, situation: ClientSituation) -> str:
        """A document's HTML alone: the page its PDF is printed from, or an email's HTML part
        (what ``relancegen serve`` shows)."""
        context, _ = self._document_context(spec, situation)
        html = self.env.get_template(spec.template).render(context)
        return typeset_html(html, context["language"])

    def _document_context(self, spec: DocumentSpec, situation: ClientSituation) -> tuple[dict[str, Any], Letter | None]:
        """The template context of one document, with its letter's subject and body."""
        context = self.context(situation, spec.stage, spec.medium)
        letter = self._letter(spec, situation) if spec.letter else None
        if letter is not None:
            subject = self._render_string(letter.subject, context, letter, text=True).strip()
            context.update(subject=subject, letter_variant=letter.variant, body=self._body_html(letter, context))
        return context, letter

    def pdf(self, html: str) -> bytes:
        """Print a rendered HTML page to PDF, its assets found through the theme chain."""
        return self.render_pdf(html=html, base_url=str(self.base_url), assets=self.assets)

    def render_page(self, template_name: str, context: dict[str, Any]) -> str:
        """Render a whole-site page (the call list, the build summary)."""
        try:
            html = self.env.get_template(template_name).render(self.site_context(), **context)
        except jinja2.TemplateError as error:
            raise self.template_error(error) from None
        return typeset_html(html, self.site.language)

    def template_error(self, error: jinja2.TemplateError) -> SiteError:
        """The error as ``template:line: message``: the line of a syntax error, or of the
        innermost template frame of the traceback (an undefined variable, a missing include)."""
        file, line = getattr(error, "filename", None), getattr(error, "lineno", None)
        if not isinstance(error, jinja2.TemplateSyntaxError):
            file, line = None, None
            for frame in traceback.extract_tb(error.__traceback__):
                if self._is_template(frame.filename):
                    file, line = frame.filename, frame.lineno
        shown_file = self._template_name(file) if file else "(template)"
        message = error.message if isinstance(error, jinja2.TemplateSyntaxError) else str(error)
        kind = "template syntax error" if isinstance(error, jinja2.TemplateSyntaxError) else "template error"
        return SiteError([Problem(Location(shown_file, line or 0), "", f"{kind}: {cut(str(message))}")])

    def _is_template(self, filename: str) -> bool:
        path = Path(filename)
        return path.suffix != ".py" and any(folder in path.parents for folder in self.template_dirs)

    def _template_name(self, filename: str) -> str:
        """A template as the user knows it: relative to the site, or ``(theme classic) x.html``."""
        path = Path(filename)
        if self.site.root in path.parents:
            return path.relative_to(self.site.root).as_posix()
        for folder in self.template_dirs:
            if folder in path.parents:
                return f"(theme {folder.name}) {path.relative_to(folder).as_posix()}"
        return filename

    # -- context ----------------------------------------------------------------------

    def site_context(self) -> dict[str, Any]:
        return {
            "creditor": self.site.creditor, "site_title": self.site.title, "terms": self.site.terms,
            "signatory": self.site.creditor.signatory, "language": self.site.language, "extra": self.site.extra,
            "style": self.style, "registration": registration(self.site.creditor),
        }

    def context(self, situation: ClientSituation, stage: str, medium: str) -> dict[str, Any]:
        """Every variable a letter or a template can use (documented in docs/themes.md)."""
        client = situation.client
        lines = situation.prevention if stage == "prevention" else situation.overdue
        terms = self.site.terms
        # What goes to the agency is in the site's language; what goes to the debtor, in theirs.
        language = self.site.language if medium == "agency" else document_language(self.site, client)
        amount = sum((line.outstanding for line in lines), Decimal("0.00"))
        if stage in PENALTY_STAGES:
            amount = situation.total
        greeting = greeting_for(client, client.accounting_contact, language)
        # the invoices whose copies leave with the document: the declaration's exhibits, or the act's invoices
        declared = situation.declaration if stage == DECLARATION else None
        exhibits = [line.invoice for line in declared.invoices] if declared else [line.invoice for line in lines]
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
            # worded only where a penalty table or statement shows them (a theme's language
            # needs their strings there only)
            "rate_bases": self.rate_bases(lines, language) if stage in PENALTY_STAGES else {},
            # the declaration states interest too: it declares it as an estimate rather than wait
            # (its two-month delay runs), the other documents are held or marked provisional
            "unverified_rates": (unverified := self.unverified_rates(declared.invoices if declared else lines)),
            "unverified_note": str(self._rates(language).unverified_note(unverified)).strip() if unverified and (stage in PENALTY_STAGES or declared) else "",
            "late_payment_directive": late_payment_directive_applies(client.kind, self.site.creditor.address.country, client.address.country),
            "recovery_indemnity": None if client.kind == "b2c" else terms.recovery_indemnity,
            "deadline": situation.deadline,
            "other_overdue": list(situation.other_overdue) if stage != "prevention" else [],
            "formal_notice_date": situation.formal_notice_date,
            "history": list(situation.history),
            # what leaves with the document, so that it announces only that: the invoice
            # copies that exist (file:) and, at the registered stages, the penalty statement
            "enclosed_invoices": [invoice.number for invoice in exhibits if invoice.file is not None],
            "enclosed_numbers": formatting.join_list([invoice.number for invoice in exhibits if invoice.file is not None], language),
            "encloses_statement": medium == "registered_post" and has_statement(situation, stage),
            "payment": self._payment(lines, amount, online=client.kind != "public", email=medium == "email"),
            "situation": situation,
            # the penalties on invoices paid late (claim_paid_late), claimed by the debit note
            # that leaves with the penalties, formal notice and collection letters
            "paid_late": list(situation.paid_late),
            "paid_late_total": situation.paid_late_total,
            "encloses_debit_note": bool(situation.paid_late) and DEBIT_NOTE_MEDIA.get(stage) == medium,
            # the claimed invoices whose penalties were paid or waived (penalties_settled): their
            # principal only is claimed; when that is every one, the letter claims no penalty
            "penalties_settled": (settled := [line for line in lines if line.settled]),
            "penalties_all_settled": bool(settled) and len(settled) == len(lines),
            "declaration": declared,
        }
        context.update(self._blocks(context))
        return context

    def _payment(self, lines: list[InvoiceLine], amount: Decimal, *, online: bool = True, email: bool = False) -> PaymentMeans:
        """How to pay: bank details and reference; with ``online``, the payment link and the
        scan-to-pay QR code too (a public buyer pays by a payment order of its accounting
        officer, to the bank details: it is offered neither). In an ``email``, the QR code is
        also a PNG (``qr_png``)."""
        creditor = self.site.creditor
        reference = " ".join(line.invoice.number for line in lines)[:140]
        if not online:
            return PaymentMeans(iban=_group(creditor.iban), bic=creditor.bic, url=None, reference=reference, qr=None)
        url = None
        if creditor.payment_url and lines:
            url = creditor.payment_url.replace("{invoice}", lines[0].invoice.number if len(lines) == 1 else "+".join(line.invoice.number for line in lines)).replace("{amount}", f"{amount:.2f}")
        code = {"name": creditor.name, "iban": creditor.iban, "amount": amount, "remittance": reference, "bic": creditor.bic}
        qr = epc_qr_svg(**code)
        return PaymentMeans(iban=_group(creditor.iban), bic=creditor.bic, url=url, reference=reference, qr=Markup(qr) if qr else None,
                            qr_png=epc_qr_png(**code) if email else None)

    def _blocks(self, context: dict[str, Any]) -> dict[str, Any]:
        html_blocks = self.env.get_template(BLOCKS_TEMPLATE).make_module(context)
        return {name: Markup(getattr(html_blocks, name)()) for name in BLOCK_NAMES} | _optional_blocks(html_blocks, Markup)

    def _text_blocks(self, context: dict[str, Any]) -> dict[str, str]:
        text_blocks = self.text_env.get_template(TEXT_BLOCKS_TEMPLATE).make_module(context)
        return {name: str(getattr(text_blocks, name)()).strip("\n") for name in BLOCK_NAMES} | _optional_blocks(text_blocks, lambda text: str(text).strip("\n"))

    # -- rates -------------------------------------------------------------------------

    def late_interest_text(self, kind: str, lines: list[InvoiceLine], language: str) -> str:
        """How a letter names the rate this debtor owes (after "au"/"at the"); when the
        invoices carry different contractual rates, each invoice's rate is named."""
        terms_rule = self.site.terms.late_interest
        bases = [(line.invoice.number, rate_basis(kind, line.invoice.late_interest or terms_rule)) for line in lines]
        return str(self._rates(language).late_interest_text(bases or [("", rate_basis(kind, terms_rule))])).strip()

    def rate_bases(self, lines: list[InvoiceLine], language: str) -> dict[str, list[str]]:
        """For each invoice with penalties, one sentence per period (in the periods' order):
        the table rate the period's rate rests on, the day that fixed it and how the period's
        rate follows from it; empty for a fixed contractual rate."""
        wording = self._rates(language)
        bases = {}
        for line in lines:
            if line.penalties is None:
                continue
            rate = line.penalties.rate
            fixings = [period_fixings(rate, period, self.site.rates) for period in line.penalties.periods]
            bases[line.invoice.number] = [
                str(wording.rate_base(rate, found, period.annual_rate)).strip() if found else ""
                for period, found in zip(line.penalties.periods, fixings)
            ]
        return bases

    def unverified_rates(self, lines: Iterable[InvoiceLine | DeclaredInvoice]) -> list[RateFixing]:
        """The unverified rates the lines' interest rests on (a registered letter is held on
        them; another document marks its interest as provisional)."""
        return list(unverified_fixings((line.penalties for line in lines if line.penalties), self.site.rates))

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
            lineno = getattr(error, "lineno", None) or next(
                (frame.lineno for frame in reversed(traceback.extract_tb(error.__traceback__)) if frame.filename == "<template>"), 1
            )
            name = self._template_name(str(letter.path)) if self.site.root in letter.path.parents else f"(built-in) letters/{letter.path.parent.name}/{letter.path.name}"
            first_line = letter.body_line if source == letter.body else 2  # else the subject, in the front matter
            raise SiteError([Problem(Location(name, first_line + lineno - 1), "", f"letter template error: {cut(str(error))}")]) from None

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


def _optional_blocks(module: Any, wrap: Any) -> dict[str, Any]:
    """The optional blocks a theme's blocks module defines; empty text for the others."""
    return {name: wrap(getattr(module, name)()) if hasattr(module, name) else wrap("") for name in OPTIONAL_BLOCK_NAMES}


def _default_pdf_renderer(html: str, base_url: str, assets: AssetChain | None = None) -> bytes:
    from relancegen.documents.pdf import render_pdf

    return render_pdf(html, base_url, assets)


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
