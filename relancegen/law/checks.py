"""Legal warnings for ``relancegen check``: things that do not block a build but that a
lawyer or an accountant wants to hear about (severity "warning", exit code 0)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

from relancegen.errors import Location, Problem
from relancegen.law.limitation import PERIODS, limitation_date
from relancegen.law.penalties import compute_penalties, formal_notice_dates
from relancegen.site.model import Invoice, LateInterestRule, Site
from relancegen.site.rates import RateTables

MAX_PAYMENT_DAYS = 60  # C. com. L441-10: 60 days from the invoice date at most
LIMITATION_INTERRUPTION = {
    "b2b": "a formal notice does not interrupt limitation, only an acknowledgement by the debtor (a payment) or a court claim does",
    "b2c": "counted from the completion of the work (performed:), else the issue date; a formal notice does not interrupt it",
    "public": "any written payment demand starts the 4 years again from 1 January after its year",
}
LIMITATION_NOTICE_DAYS = 90
RECOVERY_INDEMNITY = Decimal("40.00")  # C. com. D441-5, CCP D2192-35


def legal_warnings(site: Site, as_of: dt.date) -> list[Problem]:
    """Every legal warning about the site on ``as_of``."""
    warnings = [Problem(Location("site.yml"), "rates", text, "warning") for text in site.rates.coverage_warnings(as_of)]
    if site.terms.payment_days > MAX_PAYMENT_DAYS:
        warnings.append(Problem(Location("site.yml"), "terms.payment_days", f"{site.terms.payment_days} days exceeds the 60-day maximum of C. com. L441-10 for business debtors", "warning"))
    warnings += _limitation_warnings(site, as_of)
    warnings += _document_warnings(site, as_of)
    for client in site.clients.values():
        if not any(contact.email for contact in client.contacts):
            warnings.append(Problem(client.location, f"clients[{client.id}].contacts", "no contact has an email address: email stages cannot be sent", "warning"))
    return warnings


def annual_rate_on(rule: LateInterestRule, rates: RateTables, day: dt.date) -> Decimal:
    """The b2b rate a rule gives on ``day``, in percent."""
    if rule.kind == "ecb":
        return rates.ecb_half_year_rate(day) + rule.points
    if rule.kind == "3x-legal":
        return 3 * rates.legal_rate(day)
    return rule.annual_rate or Decimal("0")


def legal_errors(site: Site, as_of: dt.date) -> list[Problem]:
    """What must stop ``check`` and ``build`` on ``as_of``: a contractual rate below the legal
    floor of three times the legal rate (C. com. L441-10 II). Printing such a clause in a
    signed letter is evidence of the creditor's own offence (L441-16), so no letter is built."""
    found = _rate_floor_errors(site, as_of)
    if site.terms.recovery_indemnity != RECOVERY_INDEMNITY:
        found.append(Problem(Location("site.yml"), "terms.recovery_indemnity", f"{site.terms.recovery_indemnity} €: the recovery indemnity is fixed at 40 € per late invoice (C. com. D441-5, CCP D2192-35); a site cannot set another amount, and costs above it are claimed only as a justified additional indemnity"))
    return found


def _rate_floor_errors(site: Site, as_of: dt.date) -> list[Problem]:
    floor = 3 * site.rates.legal_rate(as_of)
    legal = site.rates.legal_fixing(as_of)
    # past the table, the floor is 3 × the last known legal rate: say so, and how to settle it
    caveat = "" if legal.verified else f" (3 × the last known legal rate: the one of {legal.half_year} is not verified; add it under `{legal.rates_line()}`)"
    found = []
    rules = [(Location("site.yml"), "terms.late_interest", site.terms.late_interest)]
    rules += [(inv.location, f"invoices[{inv.number}].late_interest", inv.late_interest) for inv in site.invoices if inv.late_interest]
    for location, field, rule in rules:
        rate = annual_rate_on(rule, site.rates, as_of)
        if rate < floor:
            found.append(Problem(location, field, f"{rule} gives {rate} %, below 3 × the legal rate ({floor} %{caveat}), the floor of C. com. L441-10 II: a letter must never state it (L441-16); raise the clause to at least {floor} % or use 3x-legal"))
    return found


def _limitation_warnings(site: Site, as_of: dt.date) -> list[Problem]:
    found = []
    for invoice in site.invoices:
        if invoice.outstanding(as_of) <= 0:
            continue
        kind = site.clients[invoice.client].kind
        limit = limitation_date(invoice, kind, site.journal_of(invoice.client))
        if as_of >= limit - dt.timedelta(days=LIMITATION_NOTICE_DAYS):
            state = "is time-barred since" if as_of >= limit else "becomes time-barred on"
            years, law = PERIODS[kind]
            how = LIMITATION_INTERRUPTION[kind]
            found.append(Problem(invoice.location, f"invoices[{invoice.number}]", f"the claim {state} {limit.isoformat()} ({years} years, {law}); {how}", "warning"))
    return found


def _document_warnings(site: Site, as_of: dt.date) -> list[Problem]:
    """What a lawyer would miss in the documents, though nothing blocks the build."""
    found = []
    if site.creditor.siren and not site.creditor.rcs:
        found.append(Problem(Location("site.yml"), "creditor.rcs", "every document must name the greffe after the SIREN, \"RCS <city>\" (C. com. R123-237): add the city of your registry", "warning"))
    if not site.creditor.consumer_mediator and any(client.kind == "b2c" for client in site.clients.values()):
        found.append(Problem(Location("site.yml"), "creditor.consumer_mediator", "letters to consumers must name your consumer mediator (C. conso L612-1, L616-1): add consumer_mediator: {name, url}", "warning"))
    for client in site.clients.values():
        contact = client.accounting_contact
        if client.kind == "b2c" and (contact is None or contact.civility is None) and client.name.split(" ")[0] not in ("Mme", "M.", "Madame", "Monsieur"):
            found.append(Problem(client.location, f"clients[{client.id}].contacts", "a consumer without a civility is greeted \"Madame, Monsieur\": add civility: Mme or M. to the contact", "warning"))
        if client.insolvency is not None and client.kind != "b2b":
            found.append(Problem(client.location, f"clients[{client.id}].insolvency", "the collective proceedings of the Code de commerce concern businesses (C. com. L620-2): a consumer's debts go to the overindebtedness procedure, and a public person is never subject to them; check the debtor's kind", "warning"))
        elif client.insolvency is not None and client.insolvency.mandataire is None:
            found.append(Problem(client.location, f"clients[{client.id}].insolvency.mandataire", "without the mandataire judiciaire (name, address), the build cannot write the declaration of the claim", "warning"))
    for invoice in site.invoices:
        kind = site.clients[invoice.client].kind
        if invoice.received is not None and kind != "public":
            found.append(Problem(invoice.location, f"invoices[{invoice.number}].received", "received: is for public buyers, whose term runs from their receipt of the invoice; a business or consumer term runs from the invoice (or the due date you give)", "warning"))
        if kind == "public" and invoice.received is None and invoice.outstanding(as_of) > 0:
            found.append(Problem(invoice.location, f"invoices[{invoice.number}].received", "a public buyer's payment term runs from its receipt of the invoice (CCP R2192-12, the Chorus Pro notification): add received: YYYY-MM-DD, else the term runs from the issue date", "warning"))
        if invoice.penalties_settled is not None and _owed_no_penalty(site, invoice, kind, invoice.penalties_settled.date):
            found.append(Problem(invoice.location, f"invoices[{invoice.number}].penalties_settled", f"on {invoice.penalties_settled.date.isoformat()} the invoice owed no penalty (not yet late, paid on time, or a consumer's invoice before any formal notice naming it): there was nothing to pay or waive; check the date, or remove penalties_settled", "warning"))
        if invoice.file is None and invoice.due < as_of and invoice.outstanding(as_of) > 0 and not invoice.disputed:
            found.append(Problem(invoice.location, f"invoices[{invoice.number}].file", "no copy of the invoice: the registered letters (penalties, formal notice) will go without it; add file: invoices/<the PDF>", "warning"))
    return found


def _owed_no_penalty(site: Site, invoice: Invoice, kind: str, settled_on: dt.date) -> bool:
    """Whether an invoice owed no penalty on ``settled_on``, the day its penalties are said
    to be settled."""
    notices = formal_notice_dates(site.journal_of(invoice.client))
    return compute_penalties(invoice, kind=kind, terms=replace(site.terms, claim_paid_late=True), rates=site.rates,
                             as_of=settled_on, formal_notice_date=notices.get(invoice.number), with_settled=True) is None
