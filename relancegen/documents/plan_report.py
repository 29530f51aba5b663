"""``relancegen plan`` output: a dunning calendar for a terminal, or JSON for scripts."""

from __future__ import annotations

import datetime as dt
import json

from relancegen.documents.formatting import date_short, money
from relancegen.law.plan import PlannedAct

WEEKDAYS = ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")
HEADERS = ("date", "client", "stage", "media", "invoices", "amount", "deadline")


def plan_json(acts: list[PlannedAct], start: dt.date, until: dt.date) -> str:
    """``{"from", "until", "acts": [{date, client, stage, media, invoices, amount, deadline}]}``,
    money as a string with two decimals."""
    document = {"from": start.isoformat(), "until": until.isoformat(), "acts": [act.as_json() for act in acts]}
    return json.dumps(document, indent=2, ensure_ascii=False)


def plan_table(acts: list[PlannedAct], start: dt.date, until: dt.date) -> str:
    """One line per act, by date: what a finance team and a lawyer read."""
    title = (f"Dunning plan from {start.isoformat()} to {until.isoformat()}, if nothing changes "
             "(no payment, no call recorded): {count} act{s}".format(count=len(acts), s="s" if len(acts) != 1 else ""))
    rows = [HEADERS] + [
        (
            f"{WEEKDAYS[act.day.weekday()]} {date_short(act.day)}",
            act.client,
            act.stage,
            "+".join(act.media),
            ", ".join(act.invoices),
            money(act.amount),
            date_short(act.deadline) if act.deadline else "",
        )
        for act in acts
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADERS))]
    lines = [title]
    for row in rows:
        cells = [cell.rjust(width) if index == 5 else cell.ljust(width) for index, (cell, width) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)
