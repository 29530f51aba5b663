"""The formal notice's delay runs from the letter's expected receipt, not from its date, and
ends on a working day: the date the PDF prints is the date the stage engine waits for."""

from __future__ import annotations

import json

from example_site import TEST_RATES  # test values for 2026-S2, not verified rates
from relancegen.testing import run_cli, run_poppler

CLIENT = {"id": "garage", "name": "Garage Durand SARL",
          "address": {"lines": ["4 rue des Forges"], "postcode": "69007", "city": "Lyon"},
          "contacts": [{"name": "Paul Durand", "civility": "M.", "role": "accounting", "email": "p@garage.example"}]}
# Due on 2 September 2026: the penalty letter went out on 14 October, late; its delay ended on
# Tuesday 27 October, so the formal notice is due on Thursday 29 October (and the collection
# stage's calendar day, 6 November, comes before the notice's delay ends).
INVOICE = {"number": "F-77", "client": "garage", "issued": "2026-08-03", "due": "2026-09-02", "amount": "1800.00",
           "subject": "Révision de la flotte"}


def entry(day: str, stage: str) -> dict:
    return {"time": f"{day}T09:00:00+02:00" if day < "2026-10-25" else f"{day}T09:00:00+01:00", "client": "garage",
            "stage": stage, "channel": "registered_post", "invoices": ["F-77"], "status": "sent"}


def flat(text: str) -> str:
    """The text with hyphenated line ends joined and spaces folded, for phrase searches."""
    return " ".join(text.replace("\u2010\n", "").replace("\u202f", " ").replace("\xa0", " ").split())


def test_the_printed_deadline_is_the_expected_receipt_plus_the_delay_on_a_working_day(site_factory):
    site_dir = site_factory(clients=[CLIENT], invoices=[INVOICE], journal=[entry("2026-10-14", "penalties")], rates=TEST_RATES)
    built = run_cli("build", "--site", site_dir, "--date", "2026-10-29", "--client", "garage")
    assert built.exit_code == 0, built.output
    manifest = json.loads((site_dir / "_site/manifest.json").read_text(encoding="utf-8"))
    assert {d["stage"] for d in manifest["documents"]} == {"formal_notice"}
    letter = flat(run_poppler("pdftotext", site_dir / "_site/garage/formal_notice/letter.pdf", "-"))
    # Posted on Thursday 29 October 2026, a registered letter is first presented 3 working
    # days later: Friday 30, then (the weekend, All Saints' Day on Sunday 1 November) Monday
    # 2 and Tuesday 3 November. 8 days from then is Wednesday 11 November, Armistice Day: the
    # deadline is Thursday 12 November. (Counted from the letter's date it would have been
    # Friday 6 November.)
    assert "Le 29 octobre 2026" in letter or "le 29 octobre 2026" in letter
    assert ("dans un délai de 8 jours à compter de la réception de la présente, "
            "soit au plus tard le 12 novembre 2026") in letter
    assert "6 novembre 2026" not in letter


def test_nothing_escalates_before_the_deadline_the_notice_printed(site_factory):
    journal = [entry("2026-10-14", "penalties"), entry("2026-10-29", "formal_notice")]
    site_dir = site_factory(clients=[CLIENT], invoices=[INVOICE], journal=journal, rates=TEST_RATES)
    planned = run_cli("plan", "--site", site_dir, "--date", "2026-11-02", "--until", "2026-11-30", "--format", "json")
    assert planned.exit_code == 0, planned.output
    acts = [(a["date"], a["stage"]) for a in json.loads(planned.output)["acts"]]
    assert acts[0] == ("2026-11-13", "collection"), acts  # the day after the printed deadline
    # The deadline day itself: the debtor may still pay; the build makes nothing for it.
    built = run_cli("build", "--site", site_dir, "--date", "2026-11-12", "--format", "json")
    assert built.exit_code == 0, built.output
    manifest = json.loads((site_dir / "_site/manifest.json").read_text(encoding="utf-8"))
    assert [d for d in manifest["documents"] if d["client"] == "garage"] == []
    built = run_cli("build", "--site", site_dir, "--date", "2026-11-13")
    manifest = json.loads((site_dir / "_site/manifest.json").read_text(encoding="utf-8"))
    assert {d["stage"] for d in manifest["documents"] if d["client"] == "garage"} == {"collection"}


def test_a_site_sets_the_postal_delay(site_factory):
    # Handed over in person (delivery_days: 0), the delay runs from the letter's date:
    # 29 October + 8 days = Friday 6 November.
    site_dir = site_factory(clients=[CLIENT], invoices=[INVOICE], journal=[entry("2026-10-14", "penalties")], rates=TEST_RATES,
                            terms={"payment_days": 30, "delivery_days": 0})
    built = run_cli("build", "--site", site_dir, "--date", "2026-10-29", "--client", "garage")
    assert built.exit_code == 0, built.output
    letter = flat(run_poppler("pdftotext", site_dir / "_site/garage/formal_notice/letter.pdf", "-"))
    assert "soit au plus tard le 6 novembre 2026" in letter
    bad = site_factory(clients=[CLIENT], invoices=[INVOICE], terms={"payment_days": 30, "delivery_days": -1})
    checked = run_cli("check", "--site", bad)
    assert checked.exit_code == 1 and "site.yml" in checked.output and "terms.delivery_days" in checked.output, checked.output
