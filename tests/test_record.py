"""`relancegen record`: a call made yesterday, its outcome, the invoices it names, and what
the stage engine does with it the next morning. The clock is pinned with RELANCEGEN_NOW."""

from __future__ import annotations

import json

from click.testing import CliRunner

from relancegen.cli import main

TUESDAY_NOW = "2026-11-24T10:15:00+01:00"


def site_with_a_call_due(site_factory):
    invoices = [
        {"number": "F-1", "client": "client-a", "issued": "2026-10-01", "due": "2026-11-05", "amount": "800.00"},
        {"number": "F-2", "client": "client-a", "issued": "2026-11-10", "due": "2026-12-10", "amount": "300.00"},
    ]
    journal = [{"time": "2026-11-10T09:00:00+01:00", "client": "client-a", "stage": "reminder", "channel": "email", "invoices": ["F-1"], "status": "sent"}]
    return site_factory(invoices=invoices, journal=journal)


def record(site_dir, *args):
    return CliRunner().invoke(main, ["record", "--site", str(site_dir), "--client", "client-a", "--stage", "call", *args],
                              env={"RELANCEGEN_NOW": TUESDAY_NOW})


def journal(site_dir):
    entries = [json.loads(line) for path in (site_dir / "journal").glob("*.jsonl") for line in path.read_text(encoding="utf-8").splitlines()]
    return sorted(entries, key=lambda entry: entry["time"])


def todo(site_dir, day):
    return json.loads(CliRunner().invoke(main, ["todo", "--site", str(site_dir), "--date", day, "--format", "json"]).output)


def test_a_call_made_yesterday_with_a_promise_holds_escalation_until_then(site_factory):
    site_dir = site_with_a_call_due(site_factory)
    assert [i["kind"] for i in todo(site_dir, "2026-11-23")["items"]] == ["call"]
    result = record(site_dir, "--date", "2026-11-23", "--note", "Promet le virement le 27", "--outcome", "promise", "--promise-date", "2026-11-27", "--promise-amount", "800")
    assert result.exit_code == 0, result.output
    entry = journal(site_dir)[-1]
    assert entry["time"] == "2026-11-23T12:00:00+01:00"
    assert entry["invoices"] == ["F-1"]  # the overdue invoice, not F-2 which is not yet due
    assert (entry["outcome"], entry["promise"]) == ("promise", {"date": "2026-11-27", "amount": "800.00"})
    assert todo(site_dir, "2026-11-24")["items"] == []  # the call is made, the promise runs
    assert [(i["kind"], i["text"][:40]) for i in todo(site_dir, "2026-11-26")["items"]] == [("promise", "promise of 800.00 € for F-1 falls due on")]
    plan = json.loads(CliRunner().invoke(main, ["plan", "--site", str(site_dir), "--date", "2026-11-24", "--until", "+20", "--format", "json"]).output)
    # The promise broken on the 27th, escalation resumes at once, on the next working day.
    assert [(a["date"], a["stage"], a["invoices"]) for a in plan["acts"]][:2] == [("2026-11-30", "overdue", ["F-1"]), ("2026-12-03", "prevention", ["F-2"])]


def test_outcomes_no_answer_and_dispute(site_factory):
    site_dir = site_with_a_call_due(site_factory)
    assert record(site_dir, "--note", "Répondeur", "--outcome", "no-answer").exit_code == 0
    assert journal(site_dir)[-1]["time"] == TUESDAY_NOW and journal(site_dir)[-1]["outcome"] == "no-answer"
    result = record(site_dir, "--note", "Conteste la livraison", "--outcome", "dispute", "--invoice", "F-1")
    assert "leave escalation" in result.output
    plan = json.loads(CliRunner().invoke(main, ["plan", "--site", str(site_dir), "--date", "2026-11-25", "--until", "+60", "--format", "json"]).output)
    assert "F-1" not in {number for act in plan["acts"] for number in act["invoices"]}


def test_record_refuses_what_cannot_be(site_factory):
    site_dir = site_with_a_call_due(site_factory)
    assert "in the future" in record(site_dir, "--date", "2026-11-30", "--note", "x").output
    assert "needs --promise-date" in record(site_dir, "--outcome", "promise", "--note", "x").output
    assert "goes with --outcome promise" in record(site_dir, "--outcome", "dispute", "--promise-date", "2026-12-01", "--note", "x").output
    assert all(entry["status"] != "recorded" for entry in journal(site_dir))
