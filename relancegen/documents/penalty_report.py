"""``relancegen penalties`` output: the spec's JSON shape, a table for a terminal, or CSV
for a French Excel."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from itertools import groupby

from relancegen.documents.formatting import date_short, money, percent
from relancegen.documents.spreadsheet import excel_csv
from relancegen.law.penalties import InvoicePenalties, PenaltyPeriod, period_fixings
from relancegen.site.model import PenaltiesSettled
from relancegen.site.rates import RateTables

ZERO = Decimal("0.00")


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


def _unverified(result: InvoicePenalties, period: PenaltyPeriod, rates: RateTables | None) -> bool:
    """Whether the period's rate rests on a value no table verifies (the last known one stands in)."""
    return rates is not None and any(not fixing.verified for fixing in period_fixings(result.rate, period, rates))


def to_json(results: list[InvoicePenalties], rates: RateTables | None = None) -> str:
    """The spec's shape: money as strings with 2 decimals; ``from`` is the first day of
    interest and ``to`` the last, both counted, as in the printed statement. A period whose
    rate no table verifies carries ``"verified": false``. ``interest`` is
    the interest still owed, like the table's column, so that ``interest + indemnity =
    total_penalties``; with ``interest_first``, ``interest_accrued`` and ``interest_paid``
    show how payments were imputed (the periods add up to ``interest_accrued``). An invoice
    whose penalties were paid or waived carries ``settled`` (``date``, ``how``, ``note``): its
    figures are those of that date, and none of it is owed."""
    items = []
    for result in results:
        item = {
            "invoice": result.invoice,
            "client": result.client,
            "due": result.due.isoformat(),
            "outstanding": _amount(result.outstanding),
            "days_late": result.days_late,
            "interest": _amount(result.interest_due),
            "indemnity": _amount(result.indemnity),
            "total_penalties": _amount(result.total_penalties),
            "periods": [
                {
                    "from": period.start.isoformat(),
                    "to": period.end.isoformat(),
                    "days": period.days,
                    "principal": _amount(period.principal),
                    "annual_rate": _amount(period.annual_rate),
                    "interest": _amount(period.interest),
                    **({"verified": False} if _unverified(result, period, rates) else {}),
                }
                for period in result.periods
            ],
        }
        if result.interest_paid:
            item["interest_accrued"] = _amount(result.interest)
            item["interest_paid"] = _amount(result.interest_paid)
        if result.disputed:
            item["disputed"] = result.disputed
        if result.settled:
            item["settled"] = {"date": result.settled.date.isoformat(), "how": result.settled.how,
                               **({"note": result.settled.note} if result.settled.note else {})}
        items.append(item)
    return json.dumps(items, indent=2, ensure_ascii=False)


def to_table(results: list[InvoicePenalties], as_of: dt.date, rates: RateTables | None = None) -> str:
    """One line per invoice with its periods beneath, a total per client and a grand total;
    a period whose rate no table verifies is marked; penalties paid or waived are marked and
    left out of the totals."""
    header = f"{'Facture':<14}{'Échéance':>11}{'Retard':>8}{'Dû (principal)':>17}{'Intérêts':>13}{'Indemnité':>12}{'Total pénalités':>17}"
    lines = [f"Pénalités de retard au {date_short(as_of)}", "", header, "─" * len(header)]
    grand = {"interest": ZERO, "indemnity": ZERO, "total": ZERO}
    for client, group in groupby(sorted(results, key=lambda r: (r.client, r.due, r.invoice)), key=lambda r: r.client):
        invoices = list(group)
        lines.append(client)
        for result in invoices:
            lines.append(
                f"{result.invoice:<14}{date_short(result.due):>11}{result.days_late:>6} j"
                f"{money(result.outstanding):>17}{money(result.interest_due):>13}{money(result.indemnity):>12}{money(result.total_penalties):>17}"
            )
            for period in result.periods:
                lines.append(
                    f"    du {date_short(period.start)} au {date_short(period.end)}  {period.days:>4} j"
                    f"  sur {money(period.principal):>12} à {percent(period.annual_rate):>8}  = {money(period.interest):>10}"
                    + ("  (dernier taux connu, non vérifié)" if _unverified(result, period, rates) else "")
                )
            if result.interest_paid:
                lines.append(f"    intérêts déjà réglés par imputation (C. civ. 1343-1) : {money(result.interest_paid)}")
            if result.disputed:
                lines.append(f"    facture contestée, hors relance : {result.disputed}")
            if result.settled:
                lines.append(f"    {_settled_words(result.settled)}, hors totaux" + (f" : {result.settled.note}" if result.settled.note else ""))
        owed = [r for r in invoices if not r.settled]
        subtotal = [sum((getattr(r, f) for r in owed), ZERO) for f in ("interest_due", "indemnity", "total_penalties")]
        lines.append(f"{'  total ' + client:<50}{money(subtotal[0]):>13}{money(subtotal[1]):>12}{money(subtotal[2]):>17}")
        lines.append("")
        for key, value in zip(("interest", "indemnity", "total"), subtotal):
            grand[key] += value
    lines.append("─" * len(header))
    lines.append(f"{'Total général':<50}{money(grand['interest']):>13}{money(grand['indemnity']):>12}{money(grand['total']):>17}")
    return "\n".join(lines)


def _settled_words(settled: PenaltiesSettled) -> str:
    """ "pénalités réglées le 10/12/2026" (paid) or "pénalités abandonnées le 10/12/2026" (waived)."""
    return f"pénalités {'réglées' if settled.how == 'paid' else 'abandonnées'} le {date_short(settled.date)}"


CSV_HEADER = ("Client", "Facture", "Échéance", "Jours de retard", "Principal dû", "Intérêts", "Indemnité", "Total pénalités", "Contestée", "Pénalités soldées")


def to_csv(results: list[InvoicePenalties]) -> str:
    """One line per invoice, for a spreadsheet (see :mod:`relancegen.documents.spreadsheet`);
    the last column says when penalties were paid or waived (their figures are then not owed)."""
    rows = [
        (r.client, r.invoice, r.due, r.days_late, r.outstanding, r.interest_due, r.indemnity, r.total_penalties, r.disputed or "",
         _settled_words(r.settled) if r.settled else "")
        for r in sorted(results, key=lambda r: (r.client, r.due, r.invoice))
    ]
    return excel_csv(CSV_HEADER, rows)
