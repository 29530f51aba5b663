"""Ninety days of the daily routine, through the real CLI, against real servers.

Every simulated morning runs `relancegen build --date D` then `relancegen send` against
aiosmtpd and the postal stand-in on 127.0.0.1 (and the agency export folder); in the
afternoon a person records calls and payments arrive. The clock is injected through the
documented seams: `--date` for build, plan and record, `RELANCEGEN_NOW` for the journal's
times. The test asserts what each debtor received, day by day, from what the servers got,
and that `relancegen plan` on day 1 predicted it up to the first event that changed the
client's course (a payment, a call, a provider fault).

By default eight clients each live one event (a payment, a dispute, a promise kept, a promise
broken, a call never made, a provider fault, collective proceedings, an invoice paid late), and the routine runs on working days only.
RELANCEGEN_LIFECYCLE=full runs it every day of the 90 (asserting that nothing goes out on
weekends and holidays) and adds six clients nobody touches (good and bad payers, strategic,
paused, a consumer, one with two invoices), whose 90 days must match the plan exactly.
"""

from __future__ import annotations

import datetime as dt
import email
import io
import email.policy
import json
import os
import socket
import zoneinfo
from collections import defaultdict
from pathlib import Path

import pytest
import yaml
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from pypdf import PdfReader

from postal_server import CREDENTIALS, PostalApi
from relancegen.cli import main
from relancegen.law.calendar import WorkingDays
from relancegen.testing import write_site
from example_site import TEST_RATES  # the 2026-S2 rates, test values: registered letters are built, not held

FULL = os.environ.get("RELANCEGEN_LIFECYCLE") == "full"
START = dt.date(2026, 10, 1)
DAYS = 90
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
ENV = {"MLV_CLIENT_ID": CREDENTIALS["client_id"], "MLV_CLIENT_SECRET": CREDENTIALS["client_secret"],
       "MLV_USER": CREDENTIALS["username"], "MLV_PASSWORD": CREDENTIALS["password"]}


def day_of(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def clock(day: dt.date, hour: int) -> str:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=PARIS).isoformat()


class Mailbox:
    """Stores what the SMTP server accepted; refuses once the addresses in ``refuse_once``."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.refuse_once: set[str] = set()

    async def handle_DATA(self, server, session, envelope):
        refused = self.refuse_once.intersection(envelope.rcpt_tos)
        if refused:
            self.refuse_once -= refused
            return "554 5.7.1 Service unavailable; client host blocked"
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 2.0.0 Ok"


def client(cid: str, **fields) -> dict:
    return {"id": cid, "name": f"{cid.replace('-', ' ').title()} SAS",
            "address": {"lines": ["1 rue du Test"], "postcode": "69003", "city": "Lyon", "country": "FR"},
            "contacts": [{"name": "Compta", "role": "accounting", "email": f"compta@{cid}.example", "phone": "+33 6 00 00 00 00"}],
            **fields}


def invoice(number: str, cid: str, due: str, amount: str = "1200.00") -> dict:
    issued = (day_of(due) - dt.timedelta(days=30)).isoformat()
    return {"number": number, "client": cid, "issued": issued, "due": due, "amount": amount, "subject": "Prestations"}


# The eventful clients, and what happens to each (afternoon events, by day).
EVENTFUL = [
    (client("paiement"), [invoice("P-1", "paiement", "2026-09-28")]),
    (client("litige"), [invoice("L-1", "litige", "2026-09-24")]),
    (client("promesse-tenue"), [invoice("T-1", "promesse-tenue", "2026-09-20")]),
    (client("promesse-rompue"), [invoice("R-1", "promesse-rompue", "2026-09-18", "2400.00")]),
    (client("appel-oublie"), [invoice("A-1", "appel-oublie", "2026-09-22")]),
    (client("panne"), [invoice("F-1", "panne", "2026-10-02")]),
    (client("faillite"), [invoice("B-1", "faillite", "2026-09-23", "1500.00")]),
    # paid one invoice 29 days late: its penalties leave with each registered letter, as a debit note
    (client("paye-tard"), [{**invoice("D-1", "paye-tard", "2026-09-01"), "payments": [{"date": "2026-09-30", "amount": "1200.00"}]},
                           invoice("D-2", "paye-tard", "2026-09-21")]),
]
# Redressement opened on 20 October, learnt on the 21st: dunning stops (its overdue letter's
# penalty stage never comes) and the claim is declared, once, to the mandataire.
MANDATAIRE = {"name": "SELARL Mandataire Test", "address": {"lines": ["2 quai du Tribunal"], "postcode": "69005", "city": "Lyon"}}
PROCEEDINGS = {"procedure": "redressement", "judgment": "2026-10-20", "published": "2026-10-30", "mandataire": MANDATAIRE}
EVENTS = {
    # day: [(kind, client, details)]
    "2026-10-07": [("refuse", "panne", None)],  # before the morning's send: the provider refuses
    "2026-10-08": [("call", "litige", ["--outcome", "dispute", "--note", "Conteste la qualité"]),
                   ("call", "promesse-tenue", ["--promise-date", "2026-10-20", "--note", "Virement le 20"]),
                   ("call", "promesse-rompue", ["--promise-date", "2026-10-16", "--note", "Chèque le 16"])],
    "2026-10-09": [("pay", "paiement", "P-1")],
    "2026-10-13": [("pay", "panne", "F-1")],
    "2026-10-20": [("pay", "promesse-tenue", "T-1")],
    "2026-10-21": [("insolvency", "faillite", PROCEEDINGS)],
}
# Nobody touches these: their 90 days must be exactly what `plan` said on day 1.
UNTOUCHED = [
    (client("bon-payeur", payer="good"), [invoice("G-1", "bon-payeur", "2026-09-25")]),
    (client("mauvais-payeur", payer="bad"), [invoice("M-1", "mauvais-payeur", "2026-10-06")]),
    (client("strategique", strategic=True), [invoice("S-1", "strategique", "2026-09-10")]),
    (client("en-pause", paused_until="2026-10-26"), [invoice("E-1", "en-pause", "2026-09-15")]),
    (client("particulier", kind="b2c"), [invoice("C-1", "particulier", "2026-09-21", "640.00")]),
    (client("plusieurs"), [invoice("N-1", "plusieurs", "2026-09-08", "3000.00"), invoice("N-2", "plusieurs", "2026-10-14", "800.00")]),
]

# What each eventful debtor received (day, stage, media), as the servers saw it.
EXPECTED = {
    "paiement": [("2026-10-05", "reminder", ("email",))],
    "litige": [("2026-10-01", "reminder", ("email",))],
    "promesse-tenue": [("2026-10-01", "reminder", ("email",)), ("2026-10-09", "call", ("email",))],  # the call's follow-up
    "promesse-rompue": [
        ("2026-10-01", "reminder", ("email",)), ("2026-10-09", "call", ("email",)),
        # Each letter's delay runs 8 days from its expected receipt, 3 working days after it:
        # overdue Mon 19/10 -> received Thu 22 -> deadline Fri 30/10; then the weekend and All
        # Saints' Day: penalties Mon 2/11 -> Thu 5 -> Fri 13/11; formal notice Mon 16/11 ->
        # Thu 19 -> Fri 27/11; collection Mon 30/11.
        ("2026-10-19", "overdue", ("email", "post")), ("2026-11-02", "penalties", ("registered_post",)),
        ("2026-11-16", "formal_notice", ("registered_post",)), ("2026-11-30", "collection", ("agency", "post")),
    ],
    "appel-oublie": [
        # overdue Thu 15/10 -> received Tue 20 -> Wed 28/10; penalties Thu 29/10 -> Tue 3/11 ->
        # Wed 11/11 (Armistice Day) -> Thu 12/11; formal notice Fri 13/11 -> Wed 18 -> Thu 26/11;
        # collection Fri 27/11.
        ("2026-10-01", "reminder", ("email",)), ("2026-10-15", "overdue", ("email", "post")),
        ("2026-10-29", "penalties", ("registered_post",)), ("2026-11-13", "formal_notice", ("registered_post",)),
        ("2026-11-27", "collection", ("agency", "post")),
    ],
    "panne": [("2026-10-01", "prevention", ("email",)), ("2026-10-08", "reminder", ("email",))],  # refused on the 7th
    # dunned until the judgment; then only the declaration to the mandataire, once
    "paye-tard": [("2026-10-01", "reminder", ("email",)), ("2026-10-15", "overdue", ("email", "post")),
                  ("2026-10-29", "penalties", ("registered_post",)), ("2026-11-13", "formal_notice", ("registered_post",)),
                  ("2026-11-27", "collection", ("agency", "post"))],
    "faillite": [("2026-10-01", "reminder", ("email",)), ("2026-10-15", "overdue", ("email", "post")),
                 ("2026-10-22", "declaration", ("registered_post",))],
}


@pytest.fixture
def servers(monkeypatch):
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    mailbox = Mailbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with PostalApi() as postal:
            yield mailbox, port, postal
    finally:
        controller.stop()


def make_site(root: Path, smtp_port: int, postal: PostalApi, cast) -> tuple[Path, list[dict]]:
    postal_settings = {"plugin": "maileva", "base_url": postal.base_url, "auth_url": postal.auth_url,
                       "client_id_env": "MLV_CLIENT_ID", "client_secret_env": "MLV_CLIENT_SECRET",
                       "username_env": "MLV_USER", "password_env": "MLV_PASSWORD", "retries": 0, "retry_delay": 0.01, "timeout": 5}
    channels = {
        "email": {"plugin": "smtp", "host": "127.0.0.1", "port": smtp_port, "starttls": False, "retries": 0, "rate_per_minute": 6000,
                  "from": "Atelier Test <compta@atelier-test.example>"},
        "post": postal_settings, "registered_post": postal_settings,
        "agency": {"plugin": "agency-export", "to": "exports/"},
    }
    invoices = [inv for _, invs in cast for inv in invs]
    site_dir = write_site(root, clients=[c for c, _ in cast], invoices=invoices, channels=channels, rates=TEST_RATES)
    return site_dir, invoices


def run(*args: str, now: str | None = None):
    env = {"RELANCEGEN_NOW": now} if now else None
    return CliRunner().invoke(main, list(args), env=env)


def received_today(mailbox: Mailbox, postal: PostalApi, exports: Path, seen: dict, names: dict[str, str]) -> set[tuple[str, str]]:
    """(client, medium) of everything the servers got since the last call."""
    got = set()
    for message in mailbox.messages[seen["mail"]:]:
        got.add((message["To"].split("@")[1].removesuffix(".example"), "email"))
    seen["mail"] = len(mailbox.messages)
    for sending_id in sorted(set(postal.sendings) - seen["postal"]):
        sending = postal.sendings[sending_id]
        if sending["status"] == "DRAFT":
            continue
        seen["postal"].add(sending_id)
        lines = " ".join(v for r in sending["recipients"].values() for k, v in r.items() if k.startswith("address_line_")).upper()
        (cid,) = [cid for cid, name in names.items() if name.upper() in lines] or ["faillite"] * (MANDATAIRE["name"].upper() in lines)
        got.add((cid, "registered_post" if sending["options"].get("acknowledgement_of_receipt") else "post"))
    for archive in sorted(set(exports.glob("*.zip")) - seen["agency"]) if exports.is_dir() else []:
        seen["agency"].add(archive)
        got.add((next(cid for cid in names if archive.name.startswith(cid + "-")), "agency"))
    return got


def journal_acts(site_dir: Path) -> dict[str, list[tuple[str, str, tuple[str, ...], tuple[str, ...]]]]:
    """Per client: (day, stage, media, invoices) of every sent act, merged over media."""
    acts: dict[tuple[str, str, str], dict] = {}
    for path in (site_dir / "journal").glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            if entry["status"] == "sent":
                key = (entry["client"], entry["time"][:10], entry["stage"])
                act = acts.setdefault(key, {"media": set(), "invoices": set()})
                act["media"].add(entry["channel"])
                act["invoices"].update(entry["invoices"])
    timeline: dict[str, list] = defaultdict(list)
    for (cid, day, stage), act in sorted(acts.items(), key=lambda item: (item[0][1], item[0][2])):
        timeline[cid].append((day, stage, tuple(sorted(act["media"])), tuple(sorted(act["invoices"]))))
    return timeline


def test_ninety_days_of_build_and_send(tmp_path, servers):
    mailbox, smtp_port, postal = servers
    cast = EVENTFUL + (UNTOUCHED if FULL else [])
    site_dir, invoices = make_site(tmp_path / "site", smtp_port, postal, cast)
    names = {c["id"]: c["name"] for c, _ in cast}
    plan = json.loads(run("plan", "--site", str(site_dir), "--date", START.isoformat(), "--until", f"+{DAYS - 1}", "--format", "json").output)
    calendar = WorkingDays()
    seen = {"mail": 0, "postal": set(), "agency": set()}
    received: dict[str, list] = defaultdict(list)
    todos: dict[str, str] = {}

    for offset in range(DAYS):
        day = START + dt.timedelta(days=offset)
        if not FULL and not calendar.is_working_day(day):
            continue  # the fast mode skips the (silent) weekends and holidays; the full mode runs them
        events = EVENTS.get(day.isoformat(), [])
        for kind, cid, _ in events:
            if kind == "refuse":
                mailbox.refuse_once.add(f"compta@{cid}.example")
        built = run("build", "--site", str(site_dir), "--date", day.isoformat(), "-j", "1")
        assert built.exit_code == 0, built.output
        todos[day.isoformat()] = built.output
        sent = run("send", "--site", str(site_dir), now=clock(day, 9))
        assert sent.exit_code in (0, 1, 3), sent.output
        got = received_today(mailbox, postal, site_dir / "exports", seen, names)
        assert not got or calendar.is_working_day(day), (day, got)  # nothing goes out on weekends and holidays
        for cid, medium in sorted(got):
            received[cid].append((day.isoformat(), medium))
        for kind, cid, details in events:
            if kind == "call":
                recorded = run("record", "--site", str(site_dir), "--client", cid, "--stage", "call", "--date", day.isoformat(), *details, now=clock(day, 15))
                assert recorded.exit_code == 0, recorded.output
            elif kind == "insolvency":
                clients = [{**c, "insolvency": details} if c["id"] == cid else c for c, _ in cast]
                (site_dir / "data" / "clients.yml").write_text(yaml.safe_dump(clients, allow_unicode=True, sort_keys=False), encoding="utf-8")
            elif kind == "pay":
                for inv in invoices:
                    if inv["number"] == details:
                        inv["payments"] = [{"date": day.isoformat(), "amount": inv["amount"]}]
                (site_dir / "data" / "invoices.yml").write_text(yaml.safe_dump(invoices, allow_unicode=True, sort_keys=False), encoding="utf-8")

    acts = journal_acts(site_dir)
    # What the servers got is what the journal says was sent, day by day, medium by medium.
    for cid in names:
        journaled = sorted((day, medium) for day, _, media, _ in acts.get(cid, []) for medium in media)
        assert sorted(received.get(cid, [])) == journaled, cid
    print_timeline(acts, names)
    for busy in ("2026-10-08", "2026-10-15"):
        print(todos[busy][todos[busy].index("To do on"):])
    for cid, expected in EXPECTED.items():
        assert [(day, stage, media) for day, stage, media, _ in acts.get(cid, [])] == list(expected), cid

    # Plan on day 1 predicted every act up to the first event that changed the client's course.
    first_event = {cid: day for day, events in sorted(EVENTS.items(), reverse=True) for _, cid, _ in events}
    predicted: dict[str, list] = defaultdict(list)
    for act in plan["acts"]:
        if act["stage"] != "call":  # a call is made by a person, not sent
            predicted[act["client"]].append((act["date"], act["stage"], tuple(sorted(act["media"])), tuple(act["invoices"])))
    for cid in names:
        cut = first_event.get(cid, "9999")
        before = [act for act in acts.get(cid, []) if act[0] < cut]
        assert before == [act for act in predicted[cid] if act[0] < cut], cid

    # The morning to-do named the calls, the call never made and the provider's refusal.
    assert "appel-oublie" in todos["2026-10-08"].split("Calls to make")[1]
    assert "appel-oublie" in todos["2026-10-15"].split("Calls never made")[1]
    assert "panne" in todos["2026-10-08"].split("Failed deliveries")[1]
    assert "promesse-rompue" in todos["2026-10-16"].split("Payment promises")[1]
    # The invoice paid late: its debit note left inside each registered letter (penalties,
    # formal notice), and the journal names it with the act, as the plan said.
    registered = [sending for sending in postal.sendings.values() if sending["options"].get("acknowledgement_of_receipt")
                  and "PAYE TARD" in " ".join(str(v) for r in sending["recipients"].values() for v in r.values()).upper()]
    assert len(registered) == 2
    for sending in registered:
        texts = [" ".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages) for document in sending["documents"]]
        assert any("Note de débit" in text and "D-1" in text for text in texts)
    # and the claim to declare, until the declaration went out that morning
    assert "faillite" in todos["2026-10-22"].split("Claims to declare")[1]
    assert "Claims to declare" not in todos["2026-10-23"]


def print_timeline(acts, names) -> None:
    """The per-client timeline (shown with pytest -s)."""
    for cid in names:
        print(f"{cid}:")
        for day, stage, media, invoices in acts.get(cid, []):
            print(f"  {day} {dt.date.fromisoformat(day).strftime('%a')}  {stage:<14} {'+'.join(media):<16} {', '.join(invoices)}")
