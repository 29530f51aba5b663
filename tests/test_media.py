"""A medium a plugin adds: declared by its channel, mapped and staged in site.yml, built
as a message, delivered and journaled under its own name, never counted as the call."""

from __future__ import annotations

import json
from pathlib import Path

from relancegen.testing import RecordingChannel, registered_channel, run_cli

INVOICE = {"number": "F-1", "client": "client-a", "issued": "2026-09-01", "due": "2026-10-01", "amount": "500.00", "subject": "Conseil"}
SMS_TEMPLATE = "{{ creditor.name }} : facture {{ invoice_numbers }}, {{ amount_to_pay|money }} à régler ({{ stage }}).\n"


def sms_site(site_factory, *, stages=("reminder", "overdue"), as_of="2026-10-07", journal=None, **settings):
    site_dir = site_factory(
        invoices=[INVOICE],
        journal=journal,
        channels={"sms": {"plugin": "sms-test", "stages": list(stages), **settings}},
        site={"as_of": as_of},
    )
    (site_dir / "overrides").mkdir()
    (site_dir / "overrides/sms.txt").write_text(SMS_TEMPLATE, encoding="utf-8")
    return site_dir


def journal_entries(site_dir: Path) -> list[dict]:
    return [json.loads(line) for path in sorted((site_dir / "journal").glob("*.jsonl")) for line in path.read_text(encoding="utf-8").splitlines()]


def test_a_new_medium_is_built_sent_and_journaled_under_its_name(site_factory):
    site_dir = sms_site(site_factory, sender="ATELIER")
    sms = RecordingChannel("sms-test", media=("sms",))
    with registered_channel(sms):
        built = run_cli("build", "-j", "1", "--site", site_dir)
        assert built.exit_code == 0, built.output
        message = (site_dir / "_site/client-a/reminder/sms.txt").read_text(encoding="utf-8")
        assert message.replace("\u202f", " ").replace("\xa0", " ") == "Atelier Test SARL : facture F-1, 500,00 € à régler (reminder)."
        sent = run_cli("send", "--site", site_dir, "--medium", "sms")
    assert sent.exit_code == 0, sent.output
    assert "1 sent" in sent.stdout
    (delivery,) = sms.delivered
    assert delivery.medium == "sms" and delivery.stage == "reminder" and delivery.recipient.phone == "+33 6 00 00 00 00"
    assert [path.name for path in delivery.documents] == ["sms.txt"] and delivery.attachments == ()
    # The channel gets its own settings: neither `plugin` nor the site's `stages`.
    assert sms.calls[0].settings == {"sender": "ATELIER"}
    sent_entry = next(e for e in journal_entries(site_dir) if e["status"] == "sent")
    assert sent_entry["channel"] == "sms" and sent_entry["plugin"] == "sms-test" and sent_entry["stage"] == "reminder"


def test_stages_choose_where_the_medium_is_used(site_factory):
    site_dir = sms_site(site_factory, stages=["overdue"])
    with registered_channel(RecordingChannel("sms-test", media=("sms",))):
        assert run_cli("build", "-j", "1", "--site", site_dir).exit_code == 0
    assert not (site_dir / "_site/client-a/reminder/sms.txt").exists()
    assert (site_dir / "_site/client-a/reminder/email.txt").exists()


def test_an_sms_sent_never_counts_as_the_call(site_factory):
    # The reminder went out by SMS only; twelve days on, the call is still to be made.
    journal = [{"time": "2026-10-07T09:00:00+02:00", "client": "client-a", "stage": "reminder", "channel": "sms", "invoices": ["F-1"], "status": "sent", "delivery_id": "x" * 20}]
    site_dir = sms_site(site_factory, as_of="2026-10-20", journal=journal)
    with registered_channel(RecordingChannel("sms-test", media=("sms",))):
        built = run_cli("build", "-j", "1", "--site", site_dir)
        assert built.exit_code == 0, built.output
        sent = run_cli("send", "--site", site_dir, "--medium", "sms")
    assert (site_dir / "_site/client-a/call/call-sheet.pdf").exists()
    assert not list((site_dir / "_site/client-a").glob("*/sms.txt"))
    assert "0 sent" in sent.stdout
    # An SMS channel can no longer ride the phone medium, as it had to before media existed.
    with registered_channel(RecordingChannel("sms-test", media=("sms",))):
        riding = run_cli("check", "--site", site_factory(channels={"phone": {"plugin": "sms-test"}}))
    assert riding.exit_code == 1 and "channels.phone.plugin: channel 'sms-test' carries sms, not phone" in riding.stderr
    # And the call stage cannot be given to a medium a plugin adds at all.
    site_factory_dir = sms_site(site_factory, stages=["reminder", "call"])
    checked = run_cli("check", "--site", site_factory_dir)
    assert checked.exit_code == 1
    assert "site.yml:" in checked.stderr and "channels.sms.stages: the call stage is a person on the phone" in checked.stderr


def test_check_reports_a_medium_mapped_to_a_channel_that_does_not_carry_it(site_factory):
    site_dir = site_factory(channels={"sms": {"plugin": "smtp", "stages": ["reminder"]}, "email": {"plugin": "maileva"}})
    checked = run_cli("check", "--site", site_dir)
    assert checked.exit_code == 1
    lines = (site_dir / "site.yml").read_text(encoding="utf-8").splitlines()
    sms_line = lines.index("  sms:") + 1
    email_line = lines.index("  email:") + 1
    assert f"site.yml:{sms_line}: channels.sms.plugin: channel 'smtp' carries email, not sms" in checked.stderr
    assert f"site.yml:{email_line}: channels.email.plugin: channel 'maileva' carries post, registered_post, not email" in checked.stderr
    assert "Traceback" not in checked.output
    # build refuses a medium a plugin adds with no channel to carry it (its template comes
    # with the plugin); send refuses any wrong mapping before sending anything.
    built = run_cli("build", "-j", "1", "--site", site_dir)
    assert built.exit_code == 1 and "channel 'smtp' carries email, not sms" in built.stderr
    site_dir = site_factory(invoices=[INVOICE], channels={"email": {"plugin": "maileva"}}, site={"as_of": "2026-10-07"})
    assert run_cli("build", "-j", "1", "--site", site_dir).exit_code == 0
    sent = run_cli("send", "--site", site_dir)
    assert sent.exit_code == 1 and "channel 'maileva' carries post, registered_post, not email" in sent.stderr
    assert not journal_entries(site_dir)


def test_a_medium_without_a_message_template_is_an_error_not_a_traceback(site_factory):
    site_dir = sms_site(site_factory)
    (site_dir / "overrides/sms.txt").unlink()
    line = (site_dir / "site.yml").read_text(encoding="utf-8").splitlines().index("  sms:") + 1
    with registered_channel(RecordingChannel("sms-test", media=("sms",))):
        checked = run_cli("check", "--site", site_dir)
        built = run_cli("build", "-j", "1", "--site", site_dir)
    expected = f"site.yml:{line}: channels.sms: no template sms.txt for its messages: the plugin of channel 'sms-test' ships none; write overrides/sms.txt"
    assert checked.exit_code == 1 and expected in checked.stderr
    assert built.exit_code == 1 and expected in built.stderr


def test_a_channel_without_media_keeps_working_for_the_spec_media_only(site_factory):
    class OldChannel:  # written before channels declared their media (plugin API 1)
        name = "old"

        def send(self, deliveries, *, settings, dry_run=False):
            return []

    with registered_channel(OldChannel()):
        assert run_cli("check", "--site", site_factory(channels={"post": {"plugin": "old"}})).exit_code == 0
        checked = run_cli("check", "--site", site_factory(channels={"fax": {"plugin": "old", "stages": ["overdue"]}}))
    assert checked.exit_code == 1
    assert "channel 'old' does not declare the media it carries" in checked.stderr


def test_site_yml_errors_about_media_are_located(site_factory):
    site_dir = site_factory(channels={
        "sms": {"plugin": "sms"},
        "email": {"plugin": "smtp", "stages": ["reminder"]},
        "Fax!": {"plugin": "fax"},
        "pager": {"plugin": "pager", "stages": ["someday"]},
    })
    checked = run_cli("check", "--site", site_dir)
    assert checked.exit_code == 1
    errors = checked.stderr
    assert "channels.sms.stages: is required for a medium a plugin adds" in errors
    assert "channels.email.stages: the stages of email are the spec's" in errors
    assert "channels.Fax!: unknown medium" in errors
    assert "channels.pager.stages[0]: 'someday' is not one of prevention, reminder, overdue" in errors
    assert "4 errors found." in errors


def test_send_medium_names_the_media_of_the_site(site_factory):
    sent = run_cli("send", "--site", site_factory(), "--medium", "sms")
    assert sent.exit_code == 1
    assert "--medium sms: not a medium of this site; use agency, email, phone, post, registered_post" in sent.stderr
