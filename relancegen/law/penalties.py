"""The French late-penalty engine: pure functions over the site model.

Rules (spec "Penalties (France)", C. com. L441-10 and D441-5, CCP R2192-31, C. civ. 1231-6):

* Interest runs from the day after the start date (the due date; for consumers, the formal
  notice) to the end date inclusive (the build date, or the payment that settles the
  invoice), on the principal still owed: simple interest ``principal × rate × days / 365``.
* A period is split at every half-year boundary where the rate changes, at every payment
  (a payment on day P lowers the principal from day P+1) and, with ``actual/actual``, at
  every 1 January (each year's days are divided by that year's length).
* Each period's interest is rounded half-up to the cent; the invoice's interest is the sum.
* Business and public debtors owe the fixed recovery indemnity once per late invoice;
  consumers owe none.

Nothing here reads the clock or a file: the build date and the tables are arguments.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable
from typing import NamedTuple
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from relancegen.site.model import Invoice, JournalEntry, LateInterestRule, PenaltiesSettled, Site, Terms, resolved_as
from relancegen.site.rates import RateFixing, RateTables, half_year_start, next_half_year_start


@dataclass(frozen=True)
class PenaltyPeriod:
    """A stretch of days at one principal and one annual rate.

    ``start`` is the first day counted and ``end`` the last (inclusive): the spec's
    ``from`` (the due date or the previous period's end) is ``start - 1 day``.
    """

    start: dt.date
    end: dt.date
    days: int
    principal: Decimal
    annual_rate: Decimal  # percent per year, e.g. Decimal("12.15")
    interest: Decimal  # rounded half-up to the cent


@dataclass(frozen=True)
class RateBasis:
    """What the late-interest rate is, as data; ``documents/`` words it in each language.

    ``kind`` is ``legal`` (the legal interest rate), ``ecb`` (the ECB main refinancing rate
    plus ``points``), ``3x-legal`` (three times the legal rate) or ``fixed`` (``annual_rate``
    percent a year). ``fixed_on`` is set for public buyers: the first day of the half-year
    whose ECB rate applies to the whole delay (CCP R2192-31).
    """

    kind: str
    points: Decimal | None = None
    annual_rate: Decimal | None = None
    fixed_on: dt.date | None = None


@dataclass(frozen=True)
class Imputation:
    """A payment and what it settled: interest first under ``interest_first`` (C. civ.
    1343-1), else all of it on the principal."""

    date: dt.date
    amount: Decimal
    to_interest: Decimal

    @property
    def to_principal(self) -> Decimal:
        return self.amount - self.to_interest


@dataclass(frozen=True)
class InvoicePenalties:
    invoice: str
    client: str
    due: dt.date
    outstanding: Decimal  # principal still owed on the computation date
    days_late: int  # days from the due date (exclusive) to the end date (build date or settlement)
    interest: Decimal  # sum of the periods' interest
    indemnity: Decimal
    periods: tuple[PenaltyPeriod, ...]
    interest_paid: Decimal = Decimal("0.00")  # with interest_first: interest settled by payments
    rate: RateBasis = RateBasis("legal")  # the rate applied, worded by documents/ per language
    disputed: str | None = None  # the dispute's reason: such an invoice is out of the dunning
    imputations: tuple[Imputation, ...] = ()  # each payment, and what it settled
    settled: PenaltiesSettled | None = None  # paid or waived: the figures are those on its date, none owed

    @property
    def interest_due(self) -> Decimal:
        """Interest still owed: the sum of the periods less what payments settled."""
        return self.interest - self.interest_paid

    @property
    def total_penalties(self) -> Decimal:
        return self.interest_due + self.indemnity

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
PUBLIC_POINTS = Decimal("8")
ESCALATION_COUNTED = ("sent", "recorded")

RateOfDay = Callable[[dt.date], Decimal]


def formal_notice_dates(entries: Iterable[JournalEntry]) -> dict[str, dt.date]:
    """For each invoice, the date of the earliest formal notice that named it and is known to
    have gone out: sent, recorded, or unknown and then resolved as delivered. A consumer owes
    interest on an invoice only from a notice naming it (C. civ. 1231-6, 1344): a notice about
    one invoice starts nothing on another, and one that may never have left starts nothing.
    (The stage engine counts an unresolved unknown notice as done, so as not to send it twice;
    interest is a claim, so it waits for the notice to be known.)"""
    entries = list(entries)
    delivered = resolved_as(entries, "delivered")
    dates: dict[str, dt.date] = {}
    for entry in entries:
        known = entry.status in ESCALATION_COUNTED or (entry.status == "unknown" and entry.delivery_id in delivered)
        if entry.stage == "formal_notice" and known:
            for number in entry.invoices:
                day = entry.time.date()
                dates[number] = min(dates.get(number, day), day)
    return dates


def formal_notice_date(entries: Iterable[JournalEntry]) -> dt.date | None:
    """The date of the client's earliest formal notice known to have gone out (see
    :func:`formal_notice_dates`)."""
    return min(formal_notice_dates(entries).values(), default=None)


def compute_penalties(
    invoice: Invoice,
    *,
    kind: str,
    terms: Terms,
    rates: RateTables,
    as_of: dt.date,
    formal_notice_date: dt.date | None = None,
    with_settled: bool = False,
) -> InvoicePenalties | None:
    """Late interest and recovery indemnity of one invoice on ``as_of``.

    Returns None when the invoice owes no penalty: not yet late, paid on time, paid late
    while ``terms.claim_paid_late`` is off, a consumer's invoice before any formal notice, or
    its penalties settled (paid or waived) on or before ``as_of``: from then on its payments
    all count against its principal. ``with_settled`` returns what such a settlement covered
    instead: the penalties on its date, marked ``settled`` (none of it is owed).
    """
    settled = settlement_of(invoice, as_of)
    if settled is not None:
        if not with_settled:
            return None
        as_of = settled.date
    if as_of <= invoice.due or invoice.outstanding(invoice.due) <= 0:
        return None

    indemnity = ZERO if kind == "b2c" else terms.recovery_indemnity
    start = invoice.due
    if kind == "b2c":
        if formal_notice_date is None or formal_notice_date >= as_of:
            return None
        start = max(invoice.due, formal_notice_date)

    rate_of_day, basis = _rate_rule(invoice, kind, terms, rates, start)
    periods, interest_paid, principal, settled_on, imputations = _accrue(invoice, start, as_of, rate_of_day, terms)
    if settled_on is not None and not terms.claim_paid_late:
        return None
    end = settled_on or as_of
    if not periods and indemnity == ZERO:
        return None
    return InvoicePenalties(
        invoice=invoice.number,
        client=invoice.client,
        due=invoice.due,
        outstanding=principal,
        days_late=(end - invoice.due).days,
        interest=sum((p.interest for p in periods), ZERO),
        indemnity=indemnity,
        periods=tuple(periods),
        interest_paid=interest_paid,
        imputations=tuple(imputations),
        rate=basis,
        disputed=invoice.disputed,
        settled=settled,
    )


def settlement_of(invoice: Invoice, as_of: dt.date) -> PenaltiesSettled | None:
    """The settlement of the invoice's penalties in force on ``as_of`` (``penalties_settled``
    dated on or before it), or None: before that date they are claimed as ever."""
    settled = invoice.penalties_settled
    return settled if settled is not None and settled.date <= as_of else None


def principal_owed(
    invoice: Invoice,
    *,
    kind: str,
    terms: Terms,
    rates: RateTables,
    as_of: dt.date,
    formal_notice_date: dt.date | None = None,
) -> Decimal:
    """The principal still owed on ``as_of``. With ``payment_allocation: interest_first`` a
    late payment settles interest before principal, so this can exceed what the invoice's
    payments leave of its amount (an invoice paid exactly its amount, late, still owes)."""
    owed = invoice.outstanding(as_of)
    if terms.payment_allocation != "interest_first":
        return owed
    penalties = compute_penalties(
        invoice, kind=kind, terms=replace(terms, claim_paid_late=True), rates=rates, as_of=as_of,
        formal_notice_date=formal_notice_date,
    )
    return penalties.outstanding if penalties else owed


def site_penalties(site: Site, as_of: dt.date, client_id: str | None = None) -> list[InvoicePenalties]:
    """Every invoice of the site (or of one client) that owes penalties on ``as_of``, and
    those whose penalties were settled by then (marked ``settled``)."""
    results = []
    notices = {cid: formal_notice_dates(site.journal_of(cid)) for cid in site.clients}
    for invoice in site.invoices:
        if client_id is not None and invoice.client != client_id:
            continue
        client = site.clients[invoice.client]
        proceedings = client.insolvency
        # collective proceedings stop the interest of claims born before the judgment (C. com. L622-28)
        stopped = proceedings is not None and proceedings.judgment <= as_of and invoice.born < proceedings.judgment
        penalties = compute_penalties(
            invoice,
            kind=client.kind,
            terms=site.terms,
            rates=site.rates,
            as_of=proceedings.eve if stopped and proceedings else as_of,
            formal_notice_date=notices[client.id].get(invoice.number),
            with_settled=True,
        )
        if penalties is not None:
            results.append(penalties)
    return results


def rate_basis(kind: str, rule: LateInterestRule) -> RateBasis:
    """The rate a debtor of this regime owes under ``rule`` (the invoice's or the terms')."""
    if kind == "b2c":
        return RateBasis("legal")
    if kind == "public":
        return RateBasis("ecb", points=PUBLIC_POINTS)
    if rule.kind == "ecb":
        return RateBasis("ecb", points=rule.points)
    if rule.kind == "3x-legal":
        return RateBasis("3x-legal")
    return RateBasis("fixed", annual_rate=rule.annual_rate or ZERO)


def period_fixings(basis: RateBasis, period: PenaltyPeriod, rates: RateTables) -> tuple[RateFixing, ...]:
    """The table values a period's rate rests on, one per half-year it spans (a period is
    cut only where the rate changes, so it may span several): the ECB rate of each
    half-year, the public buyer's one fixed rate, or the legal rate; none for a fixed
    contractual rate."""
    if basis.kind == "ecb" and basis.fixed_on is not None:
        return (rates.ecb_fixing(basis.fixed_on),)
    lookup = {"ecb": rates.ecb_fixing, "legal": rates.legal_fixing, "3x-legal": rates.legal_fixing}.get(basis.kind)
    if lookup is None:
        return ()
    fixings = []
    day = period.start
    while day <= period.end:
        fixings.append(lookup(day))
        day = next_half_year_start(day)
    return tuple(fixings)


def unverified_fixings(results: Iterable[InvoicePenalties], rates: RateTables) -> tuple[RateFixing, ...]:
    """The half-year rates the invoices' interest rests on that no table (shipped, or the
    site's ``rates:``) covers, each once: the last known value stands in for them, so the
    figure is not a fact a registered letter may state."""
    found: dict[tuple[str, str], RateFixing] = {}
    for penalties in results:
        for period in penalties.periods:
            for fixing in period_fixings(penalties.rate, period, rates):
                if not fixing.verified:
                    found.setdefault((fixing.table, fixing.half_year), fixing)
    return tuple(found.values())


def rates_missing(results: Iterable[InvoicePenalties], rates: RateTables) -> dict[str, str]:
    """Invoice → the unverified rates its interest rests on, in words (for the stage engine's hold)."""
    missing = {}
    for penalties in results:
        fixings = unverified_fixings((penalties,), rates)
        if fixings:
            missing[penalties.invoice] = " and ".join(fixing.describe() for fixing in fixings)
    return missing


def _rate_rule(
    invoice: Invoice, kind: str, terms: Terms, rates: RateTables, start: dt.date
) -> tuple[RateOfDay, RateBasis]:
    """The annual rate (percent) applying to each late day, and what that rate is."""
    basis = rate_basis(kind, invoice.late_interest or terms.late_interest)
    if kind == "public":
        first_day = start + dt.timedelta(days=1)
        fixed = rates.ecb_half_year_rate(first_day) + PUBLIC_POINTS
        return (lambda _day: fixed), dataclasses.replace(basis, fixed_on=half_year_start(first_day))
    if basis.kind == "legal":
        return rates.legal_rate, basis
    if basis.kind == "ecb":
        points = basis.points or ZERO
        return (lambda day: rates.ecb_half_year_rate(day) + points), basis
    if basis.kind == "3x-legal":
        return (lambda day: 3 * rates.legal_rate(day)), basis
    annual = basis.annual_rate or ZERO
    return (lambda _day: annual), basis


class _Accrual(NamedTuple):
    periods: list[PenaltyPeriod]
    interest_paid: Decimal  # interest settled by payments (interest_first)
    principal: Decimal  # principal left
    settled_on: dt.date | None  # the day the principal was paid off
    imputations: list[Imputation]


def _accrue(
    invoice: Invoice, start: dt.date, as_of: dt.date, rate_of_day: RateOfDay, terms: Terms
) -> _Accrual:
    """Walk the late days once, cutting a period at each rate change, payment and (with
    actual/actual) year start, and impute each payment. With ``interest_first`` a payment
    settles the interest accrued so far before the principal (C. civ. 1343-1), so an invoice
    paid exactly its amount, late, still owes principal.
    """
    imputations = [Imputation(p.date, p.amount, ZERO) for p in sorted(invoice.payments, key=lambda p: p.date) if p.date <= start]
    principal = invoice.amount - invoice.paid_by(start)
    if principal <= 0:
        return _Accrual([], ZERO, ZERO, start, imputations)
    first_day = start + dt.timedelta(days=1)
    payments_by_day: dict[dt.date, Decimal] = {}
    for payment in invoice.payments:
        if start < payment.date <= as_of:
            payments_by_day[payment.date] = payments_by_day.get(payment.date, ZERO) + payment.amount

    cuts = _rate_cuts(first_day, as_of, rate_of_day)
    if terms.day_count == "actual/actual":
        cuts |= {dt.date(year, 1, 1) for year in range(first_day.year + 1, as_of.year + 1)}
    cuts |= {day + dt.timedelta(days=1) for day in payments_by_day if day < as_of}

    periods: list[PenaltyPeriod] = []
    interest_paid = ZERO
    period_start = first_day
    for boundary in sorted(cut for cut in cuts if cut > first_day) + [as_of + dt.timedelta(days=1)]:
        period_end = boundary - dt.timedelta(days=1)
        if principal > 0:
            periods.append(_period(period_start, period_end, principal, rate_of_day(period_start), terms))
        paid = payments_by_day.get(period_end, ZERO)
        if paid:
            to_interest = ZERO
            if terms.payment_allocation == "interest_first":
                unpaid_interest = sum((p.interest for p in periods), ZERO) - interest_paid
                to_interest = min(paid, unpaid_interest)
                interest_paid += to_interest
            imputations.append(Imputation(period_end, paid, to_interest))
            principal = max(principal - (paid - to_interest), ZERO)
        if principal <= 0:
            return _Accrual(periods, interest_paid, ZERO, period_end, imputations)
        period_start = boundary
    return _Accrual(periods, interest_paid, principal, None, imputations)


def _rate_cuts(first_day: dt.date, last_day: dt.date, rate_of_day: RateOfDay) -> set[dt.date]:
    """Half-year starts within the late days where the rate differs from the day before."""
    cuts = set()
    boundary = next_half_year_start(first_day)
    while boundary <= last_day:
        if rate_of_day(boundary) != rate_of_day(boundary - dt.timedelta(days=1)):
            cuts.add(boundary)
        boundary = next_half_year_start(boundary)
    return cuts


def period_interest(principal: Decimal, rate: Decimal, start: dt.date, end: dt.date, day_count: str) -> Decimal:
    """Simple interest from ``start`` to ``end`` inclusive (one calendar year at most under
    actual/actual), rounded half-up to the cent."""
    days = (end - start).days + 1
    year_length = 366 if day_count == "actual/actual" and calendar.isleap(start.year) else 365
    return (principal * rate * days / (100 * year_length)).quantize(CENT, rounding=ROUND_HALF_UP)


def _period(start: dt.date, end: dt.date, principal: Decimal, rate: Decimal, terms: Terms) -> PenaltyPeriod:
    return PenaltyPeriod(
        start=start,
        end=end,
        days=(end - start).days + 1,
        principal=principal,
        annual_rate=rate,
        interest=period_interest(principal, rate, start, end, terms.day_count),
    )
