"""CSV for a French Excel: what an accountant opens with a double click.

French Excel reads a CSV as Windows-1252 with ``;`` between fields unless the file starts
with a UTF-8 byte order mark, and takes ``1234,56`` (not ``1234.56``) for a number and
``22/11/2026`` for a date. So: a BOM, semicolons, decimal commas without thousands
separators, dd/mm/yyyy dates, CRLF line ends.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from relancegen.law.aging import BUCKETS, AgedBalance

BOM = "\ufeff"
AGED_BALANCE_HEADER = ("Client", "Nom", "Non échu", "0-30 jours", "31-60 jours", "61-90 jours", "Plus de 90 jours", "Total")


def cell(value: Any) -> str:
    """One value as French Excel reads it."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def excel_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """The table as CSV text, BOM first."""
    output = io.StringIO()
    writer = csv.writer(output, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([cell(value) for value in row] for row in rows)
    return BOM + output.getvalue()


def aged_balance_csv(balance: AgedBalance) -> str:
    """The aged balance: one line per client, then the totals."""
    rows = [(row.client_id, row.client_name, *(row.amounts[name] for name in BUCKETS), row.total) for row in balance.rows]
    rows.append(("Total", "", *(balance.totals[name] for name in BUCKETS), balance.total))
    return excel_csv(AGED_BALANCE_HEADER, rows)
