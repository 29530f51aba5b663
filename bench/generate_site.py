"""Write a synthetic relancegen site of N clients, in the spec format.

Each client has about three invoices (one driving its stage, one not yet due, one paid) and
the journal history that puts it at one stage on the build date; stages, regimes (b2b, b2c,
public) and payer profiles rotate so that all of them are represented.

    python bench/generate_site.py 1000 bench/_work/site-1000
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import yaml

from relancegen.testing import DEFAULT_CREDITOR

AS_OF = dt.date(2026, 11, 23)  # a Monday: acts go out on working days
# stage → (days past due on the build date, stages already done with their day after due)
STAGE_PLANS = {
    "prevention": (-4, []),
    "reminder": (6, []),
    "call": (14, [("reminder", 5)]),
    "overdue": (25, [("reminder", 5), ("call", 12)]),
    "penalties": (40, [("reminder", 5), ("call", 12), ("overdue", 20)]),
    "formal_notice": (55, [("reminder", 5), ("call", 12), ("overdue", 20), ("penalties", 35)]),
    "collection": (70, [("reminder", 5), ("call", 12), ("overdue", 20), ("penalties", 35), ("formal_notice", 50)]),
    "none": (-20, []),
}
KINDS = ["b2b", "b2b", "b2b", "b2c", "b2b", "public", "b2b", "b2c", "b2b", "b2b"]
CITIES = [("69002", "Lyon"), ("69100", "Villeurbanne"), ("75011", "Paris"), ("13001", "Marseille"), ("33000", "Bordeaux")]


def client(index: int) -> dict:
    postcode, city = CITIES[index % len(CITIES)]
    kind = KINDS[index % len(KINDS)]
    name = f"Client {index:05d} {'SAS' if kind == 'b2b' else ''}".strip() if kind != "b2c" else f"M. Client {index:05d}"
    return {
        "id": f"client-{index:05d}",
        "name": name,
        "kind": kind,
        "address": {"lines": [f"{index % 200 + 1} rue de la Synthèse"], "postcode": postcode, "city": city},
        "contacts": [{"name": f"Comptabilité {index}", "role": "accounting", "email": f"compta{index}@client.example", "phone": "+33 6 00 00 00 00"}],
        "payer": "average",
    }


def invoices_and_journal(index: int) -> tuple[list[dict], list[dict]]:
    stage = list(STAGE_PLANS)[index % len(STAGE_PLANS)]
    days_late, done = STAGE_PLANS[stage]
    due = AS_OF - dt.timedelta(days=days_late)
    cid = f"client-{index:05d}"
    main = {"number": f"B-{index:05d}-1", "client": cid, "issued": (due - dt.timedelta(days=30)).isoformat(), "due": due.isoformat(),
            "amount": f"{600 + (index * 37) % 5000}.00", "subject": f"Prestation de service n° {index}"}
    upcoming = {"number": f"B-{index:05d}-2", "client": cid, "issued": (AS_OF - dt.timedelta(days=10)).isoformat(),
                "due": (AS_OF + dt.timedelta(days=20)).isoformat(), "amount": "240.00", "subject": "Maintenance mensuelle"}
    paid = {"number": f"B-{index:05d}-3", "client": cid, "issued": "2026-05-04", "due": "2026-06-03", "amount": "180.00",
            "subject": "Fournitures", "payments": [{"date": "2026-06-01", "amount": "180.00"}]}
    journal = [{"time": f"{(due + dt.timedelta(days=day)).isoformat()}T09:00:00+01:00", "client": cid, "stage": done_stage,
                "channel": "email", "invoices": [main["number"]], "status": "recorded" if done_stage == "call" else "sent"}
               for done_stage, day in done]
    return [main, upcoming, paid], journal


def generate(count: int, root: Path) -> Path:
    (root / "data").mkdir(parents=True, exist_ok=True)
    (root / "journal").mkdir(exist_ok=True)
    config = {
        "site": {"title": f"Benchmark {count}", "language": "fr", "theme": "classic", "output": "_site", "as_of": AS_OF.isoformat()},
        "creditor": DEFAULT_CREDITOR,
        "terms": {"payment_days": 30},
        "data": {"clients": "data/clients.yml", "invoices": "data/invoices.yml", "journal": "journal/"},
        "rates": {"ecb": {"2026-06-17": "2.15"}, "legal": {"2026-S2": "2.62"}},  # synthetic values, to silence coverage warnings
    }
    clients, invoices, journal = [], [], []
    for index in range(count):
        clients.append(client(index))
        client_invoices, client_journal = invoices_and_journal(index)
        invoices += client_invoices
        journal += client_journal
    dump = lambda data: yaml.safe_dump(data, allow_unicode=True, sort_keys=False)  # noqa: E731
    (root / "site.yml").write_text(dump(config), encoding="utf-8")
    (root / "data" / "clients.yml").write_text(dump(clients), encoding="utf-8")
    (root / "data" / "invoices.yml").write_text(dump(invoices), encoding="utf-8")
    (root / "journal" / "2026.jsonl").write_text("".join(json.dumps(e) + "\n" for e in sorted(journal, key=lambda e: e["time"])), encoding="utf-8")
    return root


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python bench/generate_site.py N FOLDER")
    print(generate(int(sys.argv[1]), Path(sys.argv[2])))
