"""The ``sms`` channel: each delivery's ``sms.txt`` posted to an SMS gateway's HTTP API.

The gateway contract (a generic one; adapt ``_post`` to your provider's):
``POST {base_url}/messages`` with ``Authorization: Bearer <key>`` and the JSON
``{"from", "to", "text", "reference"}``, answering ``201 {"id", "segments"}``. The
``reference`` is the delivery id, which the gateway uses to refuse a duplicate.

Settings (site.yml ``channels.sms``): ``base_url``, ``api_key_env`` (the name of the
environment variable holding the API key), ``sender`` (the alphanumeric sender ID, 3 to 11
letters or digits), ``max_segments`` (default 3), ``timeout`` (seconds, default 20).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import urllib.error
import urllib.request
from typing import Any

from relancegen import Delivery, DeliveryOutcomeUnknown, Receipt

#: GSM 03.38: the characters an SMS carries in 7 bits (160 to a message), and those that
#: take two (the extension table). Any other character (ê, ç, œ...) makes the whole
#: message UCS-2: 70 characters to a message.
GSM_BASIC = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM_EXTENDED = set("^{}\\[~]|€\f")
SENDER = re.compile(r"[A-Za-z0-9]{3,11}")
FRENCH_MOBILE = re.compile(r"\+33[67]\d{8}")


class SmsChannel:
    name = "sms"
    media = ("sms",)

    def validate_settings(self, settings: dict[str, Any]) -> list[str]:
        """What is wrong with a site's ``channels.sms`` settings, one sentence a problem."""
        problems = []
        if not str(settings.get("base_url", "")).startswith(("https://", "http://")):
            problems.append("base_url: the gateway's address, https://...")
        if not settings.get("api_key_env"):
            problems.append("api_key_env: the name of the environment variable holding the API key")
        if not SENDER.fullmatch(str(settings.get("sender", ""))):
            problems.append("sender: the sender ID the debtor sees, 3 to 11 letters or digits")
        return problems

    def send(self, deliveries: list[Delivery], *, settings: dict[str, Any], dry_run: bool = False) -> list[Receipt]:
        return [self._send_one(delivery, settings, dry_run) for delivery in deliveries]

    def _send_one(self, delivery: Delivery, settings: dict[str, Any], dry_run: bool) -> Receipt:
        def failed(error: str) -> Receipt:
            return Receipt(delivery.delivery_id, "failed", error=error)

        number = mobile_number(delivery.recipient.phone)
        if number is None:
            return failed(f"no mobile number for {delivery.recipient.name} (phone: {delivery.recipient.phone or 'none'})")
        text = message_text(delivery)
        segments = segment_count(text)
        if segments > int(settings.get("max_segments", 3)):
            return failed(f"the message takes {segments} SMS, more than max_segments ({settings.get('max_segments', 3)}): shorten sms.txt")
        message = {"from": settings["sender"], "to": number, "text": text, "reference": delivery.delivery_id}
        if dry_run:
            (delivery.outbox / "sms.json").write_text(json.dumps({**message, "segments": segments}, ensure_ascii=False, indent=2), encoding="utf-8")
            return Receipt(delivery.delivery_id, "sent", proof={"dry_run": True})
        key = os.environ.get(str(settings.get("api_key_env", "")))
        if not key:
            return failed(f"the environment variable {settings.get('api_key_env')} (api_key_env) is not set")
        try:
            answer = _post(settings, key, message)
        except _Refused as error:
            return failed(str(error))
        return Receipt(delivery.delivery_id, "sent", proof={"sms_id": answer["id"], "to": number, "segments": answer.get("segments", segments)})


class _Refused(Exception):
    """The gateway certainly did not take the message: safe to try again later."""


def _post(settings: dict[str, Any], key: str, message: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        str(settings["base_url"]).rstrip("/") + "/messages",
        data=json.dumps(message).encode("utf-8"),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=float(settings.get("timeout", 20))) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:  # the gateway answered: it did not take the message
        raise _Refused(f"the gateway refused the message: HTTP {error.code} {error.read().decode('utf-8', 'replace')[:200]}") from error
    except urllib.error.URLError as error:
        if isinstance(error.reason, ConnectionRefusedError):
            raise _Refused(f"the gateway cannot be reached: {error.reason}") from error
        raise DeliveryOutcomeUnknown(f"no answer from the gateway: {error.reason}") from error
    except (http.client.HTTPException, socket.timeout, ConnectionError) as error:
        # The request went out and the answer did not come back: the SMS may be on its way.
        raise DeliveryOutcomeUnknown(f"no answer from the gateway: {type(error).__name__}: {error}") from error


def mobile_number(phone: str | None) -> str | None:
    """A phone number in the international form a gateway takes, if it can get an SMS:
    French numbers must be mobiles (06, 07); others must be written with their +code."""
    if not phone:
        return None
    digits = re.sub(r"[\s.\-()]", "", phone)
    if re.fullmatch(r"0\d{9}", digits):
        digits = "+33" + digits[1:]
    if digits.startswith("+33"):
        return digits if FRENCH_MOBILE.fullmatch(digits) else None
    return digits if re.fullmatch(r"\+\d{8,15}", digits) else None


def message_text(delivery: Delivery) -> str:
    """The message as built (``sms.txt``), on one paragraph, with plain spaces: the
    narrow no-break spaces of French amounts would make it a UCS-2 message."""
    (document,) = [path for path in delivery.documents if path.name == "sms.txt"]
    text = document.read_text(encoding="utf-8").replace("\u202f", " ").replace("\xa0", " ")
    return " ".join(text.split())


def segment_count(text: str) -> int:
    """How many SMS the text takes (concatenated messages carry 153 GSM or 67 UCS-2 characters)."""
    if set(text) <= GSM_BASIC | GSM_EXTENDED:
        length = len(text) + sum(1 for char in text if char in GSM_EXTENDED)
        return 1 if length <= 160 else -(-length // 153)
    return 1 if len(text) <= 70 else -(-len(text) // 67)
