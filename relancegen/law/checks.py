"""Legal warnings for ``relancegen check``: things that do not block a build but that a
lawyer or an accountant wants to hear about (severity "warning", exit code 0)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from relancegen.errors import Location, Problem
from relancegen.site.model import Invoice, LateInterestRule, Site
from relancegen.site.rates import RateTables

MAX_PAYMENT_DAYS = 60  # C. com. L441-10: 60 days from the invoice date at most
LIMITATION_YEARS = {"b2b": 5, "public": 5, "b2c": 2}  # C. com. L110-4, C. conso L218-2
LIMITATION_NOTICE_DAYS = 90


def legal_warnings(site: Site, as_of: dt.date) -> list[Problem]:
    """Every legal warning about the site on ``as_of``."""
    warnings = [Problem(Location("site.yml"), "rates", text, "warning") for text in site.rates.coverage_warnings(as_of)]
    warnings += _rate_floor_warnings(site, as_of)
    if site.terms.payment_days > MAX_PAYMENT_DAYS:
        warnings.append(Problem(Location("site.yml"), "terms.payment_days", f"{site.terms.payment_days} days exceeds the 60-day maximum of C. com. L441-10 for business debtors", "warning"))
    warnings += _limitation_warnings(site, as_of)
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


def _rate_floor_warnings(site: Site, as_of: dt.date) -> list[Problem]:
    floor = 3 * site.rates.legal_rate(as_of)
    found = []
    rules = [(Location("site.yml"), "terms.late_interest", site.terms.late_interest)]
    rules += [(inv.location, f"invoices[{inv.number}].late_interest", inv.late_interest) for inv in site.invoices if inv.late_interest]
    for location, field, rule in rules:
        rate = annual_rate_on(rule, site.rates, as_of)
        if rate < floor:
            found.append(Problem(location, field, f"{rule} gives {rate} %, below 3 × the legal rate ({floor} %), the floor of C. com. L441-10", "warning"))
    return found


def _limitation_warnings(site: Site, as_of: dt.date) -> list[Problem]:
    found = []
    for invoice in site.invoices:
        if invoice.outstanding(as_of) <= 0:
            continue
        years = LIMITATION_YEARS[site.clients[invoice.client].kind]
        limit = limitation_date(invoice, site.clients[invoice.client].kind)
        if as_of >= limit - dt.timedelta(days=LIMITATION_NOTICE_DAYS):
            state = "is time-barred since" if as_of >= limit else "becomes time-barred on"
            found.append(Problem(invoice.location, f"invoices[{invoice.number}].due", f"the claim {state} {limit.isoformat()} ({years} years); a formal notice does not interrupt limitation, only an acknowledgement by the debtor or a court claim does", "warning"))
    return found


def limitation_date(invoice: Invoice, kind: str) -> dt.date:
    """The day the claim becomes time-barred, as ``check`` warns of it."""
    return _add_years(invoice.due, LIMITATION_YEARS[kind])


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
