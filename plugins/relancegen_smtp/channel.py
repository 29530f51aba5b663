"""The ``smtp`` channel: one multipart email per delivery, threaded, with proof.

Settings (``channels.email`` in site.yml): ``host``, ``port``, ``starttls`` or ``ssl``,
``username_env`` / ``password_env`` (names of environment variables; never the secrets),
``from``, ``rate_per_minute`` (default 30), ``retries`` for 4xx answers (default 3),
``retry_delay`` seconds (default 10), ``timeout`` seconds (default 30). Credentials need
``starttls`` or ``ssl``, unless ``allow_plaintext_auth: true`` (a trusted local relay).

Outcomes: an answer refusing the message (5xx, or 4xx after the retries) and a server that
cannot be reached are ``failed``: nothing was accepted. A connection lost once the message
was handed over (during or after DATA) is unknown: the server may have accepted it.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import smtplib
import socket
import ssl
import time
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from pathlib import Path
from typing import Any

from relancegen import Delivery, DeliveryOutcomeUnknown, Receipt
from relancegen.delivery.channel_settings import boolean_problem, env_name_problem, number_problem, unknown_settings
from relancegen_smtp.inline_images import InlineImage, inline_images

SETTINGS = ("host", "port", "starttls", "ssl", "username_env", "password_env", "from", "rate_per_minute",
            "retries", "retry_delay", "timeout", "allow_plaintext_auth")


class SmtpChannel:
    name = "smtp"
    media = ("email",)

    def __init__(self) -> None:
        self._last_sent_at = 0.0

    def send(self, deliveries: list[Delivery], *, settings: dict[str, Any], dry_run: bool = False) -> list[Receipt]:
        """Send each delivery; 4xx answers are retried, 5xx answers fail the delivery, and a
        connection lost while the message was being transferred raises
        :class:`DeliveryOutcomeUnknown` (the server may have accepted it)."""
        receipts = []
        for delivery in deliveries:
            try:
                message = build_message(delivery, settings)
            except NoAddress as error:
                receipts.append(Receipt(delivery.delivery_id, "failed", error=str(error)))
                continue
            if dry_run:
                if delivery.outbox is not None:
                    (delivery.outbox / "message.eml").write_bytes(bytes(message))
                receipts.append(Receipt(delivery.delivery_id, "sent", proof={"dry_run": True, "message_id": message["Message-ID"]}))
                continue
            receipts.append(self._send_with_retries(delivery, message, settings))
        return receipts

    def _send_with_retries(self, delivery: Delivery, message: EmailMessage, settings: dict[str, Any]) -> Receipt:
        retries = int(settings.get("retries", 3))
        delay = float(settings.get("retry_delay", 10))
        for attempt in range(retries + 1):
            self._respect_rate_limit(settings)
            try:
                reply = self._transfer(message, settings)
            except smtplib.SMTPResponseException as error:
                text = _reply_text(error.smtp_code, error.smtp_error)
                if 400 <= error.smtp_code < 500 and attempt < retries:
                    time.sleep(delay * (attempt + 1))
                    continue
                return Receipt(delivery.delivery_id, "failed", error=f"the server refused the message: {text}")
            except MissingCredentials as error:
                return Receipt(delivery.delivery_id, "failed", error=str(error))
            except (OSError, smtplib.SMTPException) as error:
                if attempt < retries:
                    time.sleep(delay * (attempt + 1))
                    continue
                return Receipt(delivery.delivery_id, "failed", error=f"could not reach the SMTP server: {error}")
            data = wire_bytes(message)
            return Receipt(delivery.delivery_id, "sent", proof={
                "message_id": message["Message-ID"],
                "smtp_reply": reply,
                "sha256": hashlib.sha256(data).hexdigest(),
                "recipients": _recipients(message),
            }, evidence=(data,))
        raise AssertionError("unreachable")

    def _transfer(self, message: EmailMessage, settings: dict[str, Any]) -> str:
        """One SMTP session. Failures before DATA are plain errors (nothing was sent);
        a connection lost during DATA leaves the outcome unknown."""
        host, port = settings.get("host", "localhost"), int(settings.get("port", 25))
        timeout = float(settings.get("timeout", 30))
        context = ssl.create_default_context()
        client = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context) if settings.get("ssl") else smtplib.SMTP(host, port, timeout=timeout)
        try:
            client.ehlo()
            if settings.get("starttls"):
                client.starttls(context=context)
                client.ehlo()
            username, password = _credentials(settings)
            if username:
                client.login(username, password)
            sender = parseaddr(str(message["From"]))[1]
            code, reply = client.mail(sender)
            if code != 250:
                raise smtplib.SMTPSenderRefused(code, reply, sender)
            for recipient in _recipients(message):
                code, reply = client.rcpt(recipient)
                if code not in (250, 251):
                    raise smtplib.SMTPResponseException(code, reply)
            try:
                code, reply = client.data(wire_bytes(message))
            except (smtplib.SMTPServerDisconnected, ConnectionError, socket.timeout) as error:
                raise DeliveryOutcomeUnknown(f"the connection was lost while transferring the message: {error}") from error
            if code != 250:
                raise smtplib.SMTPDataError(code, reply)
            return _reply_text(code, reply)
        finally:
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                client.close()

    def validate_settings(self, settings: dict[str, Any]) -> list[str]:
        """Problems with ``channels.<medium>`` for this channel, each naming its setting."""
        problems = unknown_settings(settings, SETTINGS)
        if not isinstance(settings.get("host"), str) or not settings.get("host"):
            problems.append(f"host: expected the SMTP server's name, got {settings.get('host')!r}")
        problems += number_problem(settings, "port", integer=True, minimum=1, maximum=65535)
        for key in ("starttls", "ssl", "allow_plaintext_auth"):
            problems += boolean_problem(settings, key)
        if settings.get("starttls") is True and settings.get("ssl") is True:
            problems.append("ssl: choose starttls or ssl, not both")
        problems += env_name_problem(settings, "username_env") + env_name_problem(settings, "password_env")
        if ("username_env" in settings) != ("password_env" in settings):
            problems.append("password_env: username_env and password_env go together")
        if "from" not in settings or "@" not in parseaddr(str(settings.get("from") or ""))[1]:
            problems.append(f"from: expected the sender's address, such as \"Atelier <compta@example.fr>\", got {settings.get('from')!r}")
        problems += number_problem(settings, "rate_per_minute", above=True) + number_problem(settings, "retries", integer=True)
        problems += number_problem(settings, "retry_delay") + number_problem(settings, "timeout", above=True)
        plaintext = not settings.get("starttls") and not settings.get("ssl") and settings.get("allow_plaintext_auth") is not True
        if "username_env" in settings and plaintext:
            problems.append("username_env: credentials would cross the network in clear text: set starttls: true or ssl: true "
                            "(or allow_plaintext_auth: true for a trusted local relay)")
        return problems

    def _respect_rate_limit(self, settings: dict[str, Any]) -> None:
        interval = 60.0 / float(settings.get("rate_per_minute", 30))
        wait = self._last_sent_at + interval - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self._last_sent_at = time.monotonic()


class MissingCredentials(Exception):
    pass


class NoAddress(ValueError):
    """The client has no email address: nothing can be sent."""


def wire_bytes(message: EmailMessage) -> bytes:
    """The message as SMTP carries it: CRLF line endings (``smtplib`` leaves bytes as is)."""
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))


def _credentials(settings: dict[str, Any]) -> tuple[str | None, str | None]:
    username_env, password_env = settings.get("username_env"), settings.get("password_env")
    username = os.environ.get(username_env) if username_env else None
    password = os.environ.get(password_env) if password_env else None
    for name, value in ((username_env, username), (password_env, password)):
        if name and not value:
            raise MissingCredentials(f"the environment variable {name} is not set (SMTP credentials come only from the environment)")
    return username, password


def _reply_text(code: int, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return f"{code} {text}"


def _recipients(message: EmailMessage) -> list[str]:
    addresses = []
    for header in ("To", "Cc"):
        for value in message.get_all(header, []):
            addresses += [parseaddr(part)[1] for part in str(value).split(",") if parseaddr(part)[1]]
    return addresses


def build_message(delivery: Delivery, settings: dict[str, Any]) -> EmailMessage:
    """The email as it goes on the wire: text and HTML alternatives (the text first), the
    HTML's images as inline parts beside it (multipart/related, named by ``cid:``), PDFs
    attached."""
    if not delivery.recipient.emails:
        raise NoAddress(f"{delivery.client} has no email address: give its accounting contact an email (contacts[].email)")
    sender = str(settings.get("from") or "")
    domain = parseaddr(sender)[1].rpartition("@")[2] or "relancegen.invalid"
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(delivery.recipient.emails)
    if delivery.recipient.cc:
        message["Cc"] = ", ".join(delivery.recipient.cc)
    message["Subject"] = delivery.subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = f"<{delivery.delivery_id}@{domain}>"
    if delivery.thread:
        message["In-Reply-To"] = delivery.thread[-1]
        message["References"] = " ".join(delivery.thread)
    text = next((p for p in delivery.documents if p.suffix == ".txt"), None)
    html = next((p for p in delivery.documents if p.suffix == ".html"), None)
    message.set_content(text.read_text(encoding="utf-8") if text else "")
    if html:
        body, images = inline_images(html.read_text(encoding="utf-8"), domain)
        message.add_alternative(body, subtype="html")
        _add_related(message.get_payload()[-1], images)
    for path in delivery.attachments:
        _attach(message, path, delivery)
    return message


def _add_related(html_part: EmailMessage, images: list[InlineImage]) -> None:
    """The images the HTML names by ``cid:``, beside it in a multipart/related."""
    for image in images:
        html_part.add_related(image.data, maintype="image", subtype=image.subtype, cid=f"<{image.content_id}>",
                              disposition="inline", filename=image.filename)
    if images:
        html_part.set_param("type", "text/html")  # the root part's type (RFC 2387)


def _attach(message: EmailMessage, path: Path, delivery: Delivery) -> None:
    kind, _ = mimetypes.guess_type(path.name)
    maintype, subtype = (kind or "application/octet-stream").split("/", 1)
    message.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype, filename=_attachment_name(path, delivery))


def _attachment_name(path: Path, delivery: Delivery) -> str:
    """Readable attachment names: ``relance-F-2026-0142.pdf`` rather than ``letter.pdf``."""
    if path.parent.name == delivery.stage:
        return f"{path.stem}-{'-'.join(delivery.invoices)}{path.suffix}"
    return path.name
