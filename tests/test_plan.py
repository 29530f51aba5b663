"""`relancegen plan`: the dunning calendar of the example site, as a table and as JSON."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from relancegen.cli import main
from relancegen.law.calendar import WorkingDays
from example_site import copy_example

EXAMPLE = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def example_with_rates(tmp_path_factory) -> Path:
    """The example site with its 2026-S2 rates declared (test values): its registered
    stages are planned, not held."""
    return copy_example(tmp_path_factory.mktemp("example"))


@pytest.fixture
def plan(example_with_rates):
    def run(*args: str) -> str:
        result = CliRunner().invoke(main, ["plan", "--site", str(example_with_rates), *args])
        assert result.exit_code == 0, result.output
        return result.output

    return run


def test_plan_json_is_a_calendar_that_keeps_the_rules(plan):
    document = json.loads(plan("--until", "2027-02-28", "--format", "json"))
    assert (document["from"], document["until"]) == ("2026-11-23", "2027-02-28")
    acts = document["acts"]
    calendar = WorkingDays()
    by_client: dict[str, list[dict]] = {}
    for act in acts:
        day = dt.date.fromisoformat(act["date"])
        assert calendar.is_working_day(day), act
        if act["deadline"]:
            assert calendar.is_working_day(dt.date.fromisoformat(act["deadline"])), act
        if act["stage"] not in ("prevention", "call"):
            by_client.setdefault(act["client"], []).append(act)
    for client, escalation in by_client.items():
        days = [dt.date.fromisoformat(act["date"]) for act in escalation]
        assert all((b - a).days >= 7 for a, b in zip(days, days[1:])), client
    # Transports Vial: the formal notice for the older invoice today, the younger one a week
    # later, each collection only after the deadline its own notice gave. A notice posted on
    # Monday 23 November is expected on Thursday 26 (3 working days): 8 days from its receipt
    # run to Friday 4 December; the one of Monday 30 November, received Thursday 3 December,
    # to Friday 11 December.
    vial = [(a["date"], a["stage"], a["invoices"], a["deadline"]) for a in acts if a["client"] == "transports-vial"]
    assert vial[:2] == [
        ("2026-11-23", "formal_notice", ["F-2026-0178"], "2026-12-04"),
        ("2026-11-30", "formal_notice", ["F-2026-0192"], "2026-12-11"),
    ]
    assert vial[2][:3] == ("2026-12-07", "collection", ["F-2026-0178"]) and vial[2][0] > vial[0][3]
    assert vial[3][:3] == ("2026-12-14", "collection", ["F-2026-0192"]) and vial[3][0] > vial[1][3]
    # A strategic account stops at penalties; a paused one waits for the end of its pause.
    assert not [a for a in acts if a["client"] == "agence-horizon"]
    assert min(a["date"] for a in acts if a["client"] == "boutique-kaolin") == "2026-12-01"


def test_plan_table_for_one_client(plan):
    text = plan("--until", "+30", "--client", "transports-vial")
    lines = text.splitlines()
    assert lines[0].startswith("Dunning plan from 2026-11-23 to 2026-12-23")
    assert lines[1].split() == ["date", "client", "stage", "media", "invoices", "amount", "deadline"]
    first = lines[2].replace("\u202f", " ").replace("\xa0", " ")
    assert first.split("  ") == ["lun. 23/11/2026", "transports-vial", "formal_notice", "registered_post", "F-2026-0178", "6 861,55 €", "04/12/2026"]
    assert all("transports-vial" in line for line in lines[2:])


def test_plan_rejects_a_bad_until():
    result = CliRunner().invoke(main, ["plan", "--site", str(EXAMPLE), "--until", "2020-01-01"])
    assert result.exit_code == 1 and "before the start date" in result.output


def test_skipping_quiet_days_gives_the_plan_of_every_day():
    """`plan` evaluates a client only on the days something may change; evaluating every
    working day instead gives the same acts (example site, 150 days)."""
    from relancegen.law import plan as planning
    from relancegen.law.stages import Rules
    from relancegen.site.loader import load_site

    site = load_site(EXAMPLE)
    rules = Rules.of(site)
    start, until = dt.date(2026, 11, 23), dt.date(2027, 4, 21)
    for client in site.clients.values():
        every_day: list = []
        invoices, journal, calling, day = site.invoices_of(client.id), site.journal_of(client.id), False, start
        # collective proceedings stop dunning from the judgment (Traiteur Bellecour: none at all)
        last = min(until, client.insolvency.judgment - dt.timedelta(days=1)) if client.insolvency else until
        while day <= last:
            if rules.calendar.is_working_day(day):
                calling, _ = planning._plan_day(site, client, invoices, journal, day, rules, every_day, calling)
            day += dt.timedelta(days=1)
        dunning = [act for act in planning.plan_client(site, client, start, until, rules) if act.stage != "declaration"]
        assert dunning == every_day, client.id
