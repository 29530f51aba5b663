"""The morning to-do (`relancegen todo`, and after `build` and `send`) and its exit status."""

from __future__ import annotations

import json

from click.testing import CliRunner

from relancegen.cli import main
from relancegen.testing import DEFAULT_CLIENT

MONDAY = "2026-11-23"


def client(cid: str, phone: str, **fields) -> dict:
    return {**DEFAULT_CLIENT, "id": cid, "name": cid.title(), "contacts": [{"name": f"Compta {cid}", "role": "accounting", "email": f"{cid}@example.fr", "phone": phone}], **fields}


def invoice(number: str, cid: str, due: str, amount: str = "1000.00", **fields) -> dict:
    return {"number": number, "client": cid, "issued": "2021-01-01", "due": due, "amount": amount, "subject": "Travaux", **fields}


def sent(cid: str, stage: str, day: str, numbers: list[str], status: str = "sent", **fields) -> dict:
    return {"time": f"{day}T09:00:00+01:00", "client": cid, "stage": stage, "channel": "email", "invoices": numbers, "status": status, **fields}


def busy_site(site_factory):
    clients = [client(c, f"+33 6 00 00 00 0{i}") for i, c in enumerate(["small-call", "big-call", "missed", "unknown", "failed", "promised", "old"], start=1)]
    invoices = [
        invoice("S-1", "small-call", "2026-11-05", "500.00"),
        invoice("B-1", "big-call", "2026-11-04", "9000.00"),
        invoice("M-1", "missed", "2026-11-03"),
        invoice("U-1", "unknown", "2026-12-20"),
        invoice("F-1", "failed", "2026-12-20"),
        invoice("P-1", "promised", "2026-10-01", promise={"date": "2026-11-24", "amount": "1000.00"}),
        invoice("O-1", "old", "2021-12-15"),
    ]
    journal = [
        sent("small-call", "reminder", "2026-11-10", ["S-1"]),
        sent("big-call", "reminder", "2026-11-10", ["B-1"]),
        sent("missed", "reminder", "2026-11-08", ["M-1"]),
        sent("unknown", "prevention", "2026-11-20", ["U-1"], "unknown", delivery_id="u0000000000000000001"),
        sent("failed", "prevention", "2026-11-20", ["F-1"], "failed", delivery_id="f0000000000000000001", error="550 mailbox unavailable"),
        sent("old", "collection", "2022-03-01", ["O-1"]),
    ]
    return site_factory(clients=clients, invoices=invoices, journal=journal, site={"as_of": MONDAY})


def test_the_busy_morning_lists_what_a_person_must_do(site_factory):
    site_dir = busy_site(site_factory)
    result = CliRunner().invoke(main, ["todo", "--site", str(site_dir), "--format", "json"])
    assert result.exit_code == 3, result.output
    items = [(item["kind"], item["client"]) for item in json.loads(result.output)["items"]]
    assert items == [
        ("call", "big-call"),  # 9 000 € before 500 €
        ("call", "small-call"),
        ("unknown", "unknown"),
        ("failed", "failed"),
        ("promise", "promised"),
        ("missed_call", "missed"),
        ("limitation", "old"),
    ]
    text = CliRunner().invoke(main, ["todo", "--site", str(site_dir)]).output
    assert "1. big-call  +33 6 00 00 00 02  call Big-Call" in text
    assert "relancegen resolve u0000000000000000001 --delivered|--not-delivered" in text
    assert "550 mailbox unavailable" in text
    assert "falls due on 2026-11-24: check the payment" in text
    assert "the call due since 2026-11-16 was never made" in text
    assert "O-1 becomes time-barred on 2026-12-15" in text


def test_a_quiet_morning_exits_zero(site_factory):
    site_dir = site_factory(invoices=[invoice("Q-1", "client-a", "2027-03-01")], site={"as_of": MONDAY})
    result = CliRunner().invoke(main, ["todo", "--site", str(site_dir)])
    assert result.exit_code == 0
    assert result.output.strip() == f"To do on {MONDAY}: nothing waits for a person."


def test_build_prints_the_todo_and_its_json(site_factory):
    site_dir = site_factory(
        clients=[client("small-call", "+33 6 00 00 00 01")],
        invoices=[invoice("S-1", "small-call", "2026-11-05", "500.00")],
        journal=[sent("small-call", "reminder", "2026-11-10", ["S-1"])],
        site={"as_of": MONDAY},
    )
    result = CliRunner().invoke(main, ["build", "--site", str(site_dir), "-j", "1"])
    assert result.exit_code == 0, result.output  # the build succeeded: `build && send` goes on
    assert "Calls to make, most urgent first:\n    1. small-call  +33 6 00 00 00 01" in result.output
    as_json = json.loads(CliRunner().invoke(main, ["build", "--site", str(site_dir), "--format", "json"]).output)
    assert as_json["todo"]["exit_status"] == 3
    assert [item["kind"] for item in as_json["todo"]["items"]] == ["call"]


def test_a_failed_medium_of_an_act_that_went_out_otherwise_asks_for_a_person(site_factory):
    journal = [
        sent("client-a", "overdue", "2026-11-20", ["Q-1"], delivery_id="e0000000000000000001"),
        {**sent("client-a", "overdue", "2026-11-20", ["Q-1"], "failed", delivery_id="p0000000000000000001", error="500 from the provider"), "channel": "post"},
    ]
    site_dir = site_factory(invoices=[invoice("Q-1", "client-a", "2026-10-20")], journal=journal, site={"as_of": MONDAY})
    text = CliRunner().invoke(main, ["todo", "--site", str(site_dir)]).output
    assert "overdue by post failed on 2026-11-20 (500 from the provider); `relancegen send` tries it again while it is due" in text
