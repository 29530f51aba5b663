"""relancegen.testing, as a plugin author uses it (docs/plugins.md, "Testing a plugin")."""

from __future__ import annotations

from relancegen import Delivery
from relancegen.testing import RecordingChannel, make_delivery, registered_channel, run_cli

INVOICE = {"number": "F-1", "client": "client-a", "issued": "2026-09-01", "due": "2026-10-01", "amount": "500.00", "subject": "Conseil"}


def test_a_delivery_as_send_hands_it_to_a_channel(delivery_factory, tmp_path):
    delivery = delivery_factory(medium="sms", stage="overdue", documents={"sms.txt": "Bonjour"})
    assert isinstance(delivery, Delivery)
    assert delivery.medium == "sms" and delivery.stage == "overdue" and delivery.invoices == ("F-1",)
    (document,) = delivery.documents
    assert document.name == "sms.txt" and document.read_text(encoding="utf-8") == "Bonjour"
    assert delivery.recipient.phone == "+33 6 00 00 00 00" and delivery.recipient.emails == ("alice@client-a.example",)
    # The same act through the same medium, the same id; another stage, another id.
    assert make_delivery(tmp_path / "a", medium="sms", stage="overdue").delivery_id == delivery.delivery_id
    assert make_delivery(tmp_path / "b", medium="sms", stage="penalties").delivery_id != delivery.delivery_id
    assert delivery_factory(subject="Facture F-1").subject == "Facture F-1"


def test_the_recording_channel_sees_what_send_delivers(recording_channel, site_factory):
    site_dir = site_factory(invoices=[INVOICE], site={"as_of": "2026-10-07"}, channels={"email": {"plugin": "recording", "from": "compta@atelier-test.example"}})
    built = run_cli("build", "-j", "1", "--site", site_dir)
    assert built.exit_code == 0, built.stderr
    dry = run_cli("send", "--site", site_dir, "--dry-run")
    assert dry.exit_code == 0 and recording_channel.calls[0].dry_run and recording_channel.delivered == []
    sent = run_cli("send", "--site", site_dir)
    assert sent.exit_code == 0, sent.stderr
    (delivery,) = recording_channel.delivered
    assert delivery.medium == "email" and [p.name for p in delivery.documents] == ["email.html", "email.txt"]
    assert recording_channel.calls[-1].settings == {"from": "compta@atelier-test.example"}
    assert "1 sent" in sent.stdout


def test_a_failing_recording_channel_and_cli_errors(site_factory):
    refusing = RecordingChannel("refusing", media=("email",), status="failed")
    assert refusing.send([], settings={}) == []
    site_dir = site_factory(invoices=[INVOICE], site={"as_of": "2026-10-07"}, channels={"email": {"plugin": "refusing"}})
    with registered_channel(refusing):
        assert run_cli("build", "-j", "1", "--site", site_dir).exit_code == 0
        sent = run_cli("send", "--site", site_dir)
    assert sent.exit_code == 1 and "refused by the recording channel" in sent.stderr
    assert [delivery.medium for delivery in refusing.delivered] == ["email"]
    # Outside the with block the channel is gone again.
    assert "no running plugin provides a channel named 'refusing'" in run_cli("check", "--site", site_dir).stderr
