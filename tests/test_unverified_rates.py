"""Unverified rates (issue "Documents a lawyer signs"): statements show the ECB base rate and
the day that fixed it; a registered letter is never sent on a rate no table verifies — the
stage is held, the to-do names the `rates:` line to add, and the next run after it escalates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import yaml

from example_site import EXAMPLE, copy_example
from relancegen.site.rates import load_rate_tables
from relancegen.testing import DEFAULT_CLIENT, run_cli, run_poppler

SHIPPED = load_rate_tables()


def flat(text: str) -> str:
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").replace("\u2010\n", "").split())


def test_each_half_year_rate_says_what_fixed_it_and_whether_it_is_verified():
    s2 = SHIPPED.ecb_fixing(dt.date(2026, 11, 23))
    assert (s2.reference_day, s2.rate, s2.since, s2.verified) == (dt.date(2026, 7, 1), D("2.15"), dt.date(2025, 6, 11), False)
    assert SHIPPED.ecb_fixing(dt.date(2026, 3, 1)).verified  # the table is verified through 2026-04-30
    assert not SHIPPED.legal_fixing(dt.date(2026, 11, 23)).verified and SHIPPED.legal_fixing(dt.date(2026, 6, 30)).verified
    assert s2.rates_line() == 'rates: {ecb: {"2026-07-01": "x.xx"}}'
    assert SHIPPED.legal_fixing(dt.date(2026, 11, 23)).rates_line() == 'rates: {legal: {"2026-S2": "x.xx"}}'
    # A site's value on 1 July covers that half-year, not the next one.
    site = load_rate_tables({dt.date(2026, 7, 1): D("2.15")}, {"2026-S2": D("2.62")})
    assert site.ecb_fixing(dt.date(2026, 11, 23)).verified and site.legal_fixing(dt.date(2026, 11, 23)).verified
    assert not site.ecb_fixing(dt.date(2027, 1, 4)).verified


def test_statements_show_the_base_rate_and_the_day_that_fixed_it(site_factory):
    """The three regimes on 15 June 2026 (inside the verified tables), one in English: each
    business debtor due for its formal notice, the consumer (already given notice) built as
    a specimen."""
    clients = [
        {**DEFAULT_CLIENT, "id": "pro"},
        {**DEFAULT_CLIENT, "id": "mairie", "name": "Commune de Caluire", "kind": "public"},
        {**DEFAULT_CLIENT, "id": "abroad", "language": "en"},
        {**DEFAULT_CLIENT, "id": "conso", "name": "Julie Moreau", "kind": "b2c"},
    ]
    invoices = [{"number": f"F-{c['id']}", "client": c["id"], "issued": "2025-11-01", "due": "2025-12-01", "amount": "1000.00"} for c in clients]
    acts = [("2025-12-08", "reminder", "email", "sent"), ("2025-12-15", "call", "phone", "recorded"),
            ("2025-12-22", "overdue", "post", "sent"), ("2026-01-12", "penalties", "registered_post", "sent")]
    journal = [{"time": f"{day}T09:00:00+01:00", "client": c["id"], "stage": stage, "channel": channel, "invoices": [f"F-{c['id']}"], "status": status}
               for day, stage, channel, status in acts for c in clients[:3]]
    journal.append({"time": "2026-02-02T09:00:00+01:00", "client": "conso", "stage": "formal_notice", "channel": "registered_post", "invoices": ["F-conso"], "status": "sent"})
    site_dir = site_factory(clients=clients, invoices=invoices, journal=journal, site={"as_of": "2026-06-15"}, terms={"payment_days": 30, "late_interest": "ecb+10"})
    result = run_cli("build", "--site", site_dir)
    assert result.exit_code == 0, result.output
    assert run_cli("build", "--site", site_dir, "--all-stages", "--client", "conso", "--out", site_dir / "_site/specimen").exit_code == 0

    def statement(client: str) -> str:
        folder = site_dir / ("_site/specimen" if client == "conso" else "_site")
        return flat(run_poppler("pdftotext", folder / client / "formal_notice/statement.pdf", "-"))

    # One period from 2 December 2025 to 15 June 2026: the rate in force on 1 July 2025 and on
    # 1 January 2026 is the same 2.15 %, applicable since 11 June 2025.
    assert ("taux BCE 2,15 % (taux des opérations principales de refinancement en vigueur au 1er juillet 2025 "
            "et au 1er janvier 2026, applicable depuis le 11 juin 2025) + 10 points = 12,15 %") in statement("pro")
    assert ("taux BCE 2,15 % (taux des opérations principales de refinancement en vigueur au 1er juillet 2025, premier jour "
            "du semestre où les intérêts ont commencé à courir, applicable depuis le 11 juin 2025) + 8 points = 10,15 %, "
            "fixe pour toute la durée du retard") in statement("mairie")
    assert "taux de l'intérêt légal du premier semestre 2026 : 2,62 %" in statement("conso")
    assert ("ECB rate 2.15% (main refinancing operations rate in force on 1 July 2025 and on 1 January 2026, "
            "applicable since 11 June 2025) + 10 points = 12.15%") in statement("abroad")
    assert all("non vérifié" not in statement(c) for c in ("pro", "mairie", "conso"))


def formal_notice_site(site_factory):
    """F-1 due for its formal notice on Monday 2 November 2026 (ECB + 10: its interest runs
    into 2026-S2, which no shipped table verifies); F-2 due for its first reminder."""
    invoices = [
        {"number": "F-1", "client": "client-a", "issued": "2026-08-01", "due": "2026-08-31", "amount": "1000.00"},
        {"number": "F-2", "client": "client-a", "issued": "2026-09-25", "due": "2026-10-25", "amount": "500.00"},
    ]
    acts = [("2026-09-07", "reminder", "email", "sent"), ("2026-09-14", "call", "phone", "recorded"),
            ("2026-09-21", "overdue", "post", "sent"), ("2026-10-08", "penalties", "registered_post", "sent")]
    journal = [{"time": f"{day}T09:00:00+02:00", "client": "client-a", "stage": stage, "channel": channel, "invoices": ["F-1"], "status": status}
               for day, stage, channel, status in acts]
    channels = {medium: {"plugin": "recording"} for medium in ("email", "post", "registered_post")}
    return site_factory(invoices=invoices, journal=journal, channels=channels, terms={"payment_days": 30, "late_interest": "ecb+10"})


def test_a_registered_stage_waits_for_the_rate_then_goes_out_once(site_factory, recording_channel):
    site_dir = formal_notice_site(site_factory)

    # Day 1: the formal notice is held (no registered letter built); the reminder goes on.
    day1 = run_cli("build", "--site", site_dir, "--date", "2026-11-02")
    assert day1.exit_code == 0, day1.output
    assert not list((site_dir / "_site/client-a").glob("formal_notice/*"))
    assert (site_dir / "_site/client-a/reminder/email.txt").exists()
    todo = flat(day1.output)
    assert ("formal_notice held for F-1: the ECB rate in force on 2026-07-01 (2026-S2) is not verified; check it in the "
            "ECB's or the Banque de France's publication of the key ECB interest rates (2.15 % if unchanged since 2025-06-11), "
            'then add to site.yml `rates: {ecb: {"2026-07-01": "x.xx"}}` with the published value') in todo
    sent = run_cli("send", "--site", site_dir)
    assert sent.exit_code == 3 and "formal_notice held for F-1" in sent.output  # send prints the to-do too
    assert [(d.stage, d.medium) for d in recording_channel.delivered] == [("reminder", "email")]

    # The person adds the published rate; a week later (the gap after the reminder), the notice goes.
    config = yaml.safe_load((site_dir / "site.yml").read_text(encoding="utf-8"))
    config["rates"] = {"ecb": {"2026-07-01": "2.15"}}  # a test value
    (site_dir / "site.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    statement = ""
    for day in ("2026-11-09", "2026-11-09", "2026-11-10"):  # built again the same day, then the next
        built = run_cli("build", "--site", site_dir, "--date", day)
        assert "formal_notice held" not in built.output, built.output
        statement = statement or flat(run_poppler("pdftotext", site_dir / "_site/client-a/formal_notice/statement.pdf", "-"))
        assert run_cli("send", "--site", site_dir).exit_code in (0, 3)
    notices = [d for d in recording_channel.delivered if d.stage == "formal_notice"]
    assert len(notices) == 1 and notices[0].medium == "registered_post"  # sent once
    assert "en vigueur au 1er juillet 2026, applicable depuis le 11 juin 2025) + 10 points = 12,15 %" in statement
    assert "non vérifié" not in statement


def test_the_example_site_holds_its_registered_letters_and_says_why(tmp_path):
    site = copy_example(tmp_path / "example", test_rates=False)
    result = run_cli("build", "--site", site)
    assert result.exit_code == 0, result.output
    assert not (site / "_site/restaurant-le-bouchon/penalties").exists()
    assert "restaurant-le-bouchon    F-2026-0205: penalties held: the ECB rate in force on 2026-07-01 (2026-S2) is not verified" in result.output
    assert 'penalties held for F-2026-0205' in result.output and '`rates: {ecb: {"2026-07-01": "x.xx"}}`' in result.output
    # Transports Vial's notice rests on its contract's fixed 15 %: it goes out.
    assert (site / "_site/transports-vial/formal_notice/letter.pdf").exists()
    # Non-registered documents: the overdue letter leaves the amount out; the collection
    # letter and the agency's case file mark it as provisional.
    overdue = flat(run_poppler("pdftotext", site / "_site/imprimerie-saone/overdue/letter.pdf", "-"))
    assert "pénalités s'élèvent à" not in overdue and "Dans le souci de préserver notre relation commerciale" in overdue
    for document in ("letter.pdf", "case-summary.pdf"):
        text = flat(run_poppler("pdftotext", site / "_site/menuiserie-fabre/collection" / document, "-"))
        assert "calculés au dernier taux connu, non encore vérifié : montant provisoire" in text, document
    check = run_cli("check", "--site", EXAMPLE)
    assert "Registered letters (penalties, formal notice) whose interest rests on it are held" in check.output
    # The plan agrees: the younger Transports Vial invoice (ECB + 10) gets no formal notice.
    plan = run_cli("plan", "--site", EXAMPLE, "--until", "+30", "--client", "transports-vial")
    assert "F-2026-0192" not in plan.output


def test_the_specimen_marks_an_unverified_rate_instead_of_holding(tmp_path):
    site = copy_example(tmp_path / "example", test_rates=False)
    assert run_cli("build", "--site", site, "--all-stages", "--client", "transports-vial").exit_code == 0
    statement = flat(run_poppler("pdftotext", site / "_site/transports-vial/formal_notice/statement.pdf", "-"))
    assert "= 12,15 % — dernier taux connu, non vérifié pour le second semestre 2026" in statement
    assert "Intérêts du second semestre 2026 calculés au dernier taux connu, non encore vérifié : montant provisoire" in statement
