"""relancegen-sms's own tests, written with relancegen.testing. Run them as its author does:
``pip install -e . && pytest`` in the plugin's folder."""

from __future__ import annotations

import json

import pytest

from relancegen import DeliveryOutcomeUnknown
from relancegen.testing import run_cli
from relancegen_sms.channel import SmsChannel, mobile_number, segment_count

REMINDER = "Atelier Test SARL : sauf erreur, la facture F-1 (500,00\u202f€) reste à régler.\n"


# -- the channel alone, with the deliveries send would hand it ------------------------------


def test_a_message_goes_to_the_gateway_with_its_proof(gateway, settings, delivery_factory):
    delivery = delivery_factory(medium="sms", documents={"sms.txt": REMINDER})
    (receipt,) = SmsChannel().send([delivery], settings=settings)
    assert receipt.status == "sent", receipt.error
    assert receipt.proof == {"sms_id": "SM000001", "to": "+33600000000", "segments": 1}
    (message,) = gateway.messages
    # One line, plain spaces: the narrow no-break space would have made it a 70-character SMS.
    assert message == {"from": "ATELIER", "to": "+33600000000", "text": "Atelier Test SARL : sauf erreur, la facture F-1 (500,00 €) reste à régler.", "reference": delivery.delivery_id}


def test_what_cannot_be_sent_fails_with_a_reason(gateway, settings, delivery_factory, monkeypatch):
    from relancegen import Recipient

    landline = Recipient(name="Client A SAS", address_lines=("Client A SAS",), phone="04 78 00 00 00")
    long_text = "Message " * 80
    receipts = SmsChannel().send(
        [delivery_factory(medium="sms", recipient=landline), delivery_factory(medium="sms", documents={"sms.txt": long_text})],
        settings=settings,
    )
    assert [r.status for r in receipts] == ["failed", "failed"]
    assert receipts[0].error == "no mobile number for Client A SAS (phone: 04 78 00 00 00)"
    assert receipts[1].error == "the message takes 5 SMS, more than max_segments (3): shorten sms.txt"
    gateway.refuse_next = True
    (refused,) = SmsChannel().send([delivery_factory(medium="sms")], settings=settings)
    assert refused.status == "failed" and "HTTP 422" in refused.error and "number blocked" in refused.error
    monkeypatch.delenv("SMS_API_KEY")
    (no_key,) = SmsChannel().send([delivery_factory(medium="sms")], settings=settings)
    assert no_key.error == "the environment variable SMS_API_KEY (api_key_env) is not set"
    assert gateway.messages == []


def test_a_message_taken_without_an_answer_is_an_unknown_outcome(gateway, settings, delivery_factory):
    gateway.drop_next = True
    with pytest.raises(DeliveryOutcomeUnknown):
        SmsChannel().send([delivery_factory(medium="sms")], settings=settings)
    assert len(gateway.messages) == 1  # it did go out: send must never try it again by itself


def test_a_dry_run_writes_the_message_and_sends_nothing(gateway, settings, delivery_factory, tmp_path):
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    (receipt,) = SmsChannel().send([delivery_factory(medium="sms", outbox=outbox)], settings=settings, dry_run=True)
    assert receipt.status == "sent" and receipt.proof == {"dry_run": True}
    written = json.loads((outbox / "sms.json").read_text(encoding="utf-8"))
    assert written["to"] == "+33600000000" and written["segments"] == 1 and gateway.messages == []


def test_settings_are_checked():
    assert SmsChannel().validate_settings({"base_url": "https://sms.example.fr", "api_key_env": "K", "sender": "ATELIER"}) == []
    problems = SmsChannel().validate_settings({"base_url": "sms.example.fr", "sender": "Atelier Dubois"})
    assert [p.split(":")[0] for p in problems] == ["base_url", "api_key_env", "sender"]


@pytest.mark.parametrize(("phone", "number"), [
    ("06 12 34 56 78", "+33612345678"), ("+33 7 12 34 56 78", "+33712345678"), ("07.12.34.56.78", "+33712345678"),
    ("04 78 00 00 00", None), ("+32 470 12 34 56", "+32470123456"), ("", None), (None, None),
])
def test_mobile_numbers(phone, number):
    assert mobile_number(phone) == number


def test_segments():
    assert segment_count("é" * 160) == 1 and segment_count("é" * 161) == 2  # é is GSM
    assert segment_count("€" * 80) == 1 and segment_count("€" * 81) == 2  # € takes two
    assert segment_count("ê" * 70) == 1 and segment_count("ê" * 71) == 2  # ê is not: UCS-2


# -- the plugin in relancegen: built and sent by the command line ---------------------------


INVOICE = {"number": "F-1", "client": "client-a", "issued": "2026-09-01", "due": "2026-10-01", "amount": "500.00", "subject": "Conseil"}


def test_built_and_sent_by_relancegen(gateway, site_factory):
    site_dir = site_factory(
        invoices=[INVOICE],
        site={"as_of": "2026-10-07"},
        channels={"sms": {"plugin": "sms", "stages": ["reminder", "overdue"], "base_url": gateway.base_url, "api_key_env": "SMS_API_KEY", "sender": "ATELIER"}},
    )
    built = run_cli("build", "-j", "1", "--site", site_dir)
    assert built.exit_code == 0, built.output
    text = (site_dir / "_site/client-a/reminder/sms.txt").read_text(encoding="utf-8")
    assert "Atelier Test SARL : sauf erreur, la facture F-1 (500,00" in text and "échue le 01/10/2026" in text
    sent = run_cli("send", "--site", site_dir, "--medium", "sms")
    assert sent.exit_code == 0, sent.output
    assert "1 sent" in sent.stdout
    (message,) = gateway.messages
    assert message["to"] == "+33600000000" and message["text"].startswith("Atelier Test SARL : sauf erreur")
    again = run_cli("send", "--site", site_dir, "--medium", "sms")
    assert "0 sent" in again.stdout and "1 already sent" in again.stdout and len(gateway.messages) == 1
