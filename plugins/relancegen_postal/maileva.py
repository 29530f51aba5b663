"""The ``maileva`` channel: simple letters (medium ``post``) and registered letters with
acknowledgement of receipt (medium ``registered_post``, LRAR) through Maileva's REST API.

Settings (``channels.post`` / ``channels.registered_post``): ``base_url`` (the product's
API: simple mail or registered mail), ``auth_url`` (the OAuth2 token endpoint),
``client_id_env``, ``client_secret_env``, ``username_env``, ``password_env`` (names of
environment variables), optional ``retries`` (default 3), ``retry_delay`` (default 5 s),
``timeout`` (default 60 s), ``color_printing``, ``duplex_printing``. See docs/postal.md for
what of the contract was verified and what is assumed.

Outcomes: an error before the sending is submitted is ``failed`` (nothing can go out).
Once a submit request has left, any answer that does not confirm the state (a dropped
connection, a 5xx whose effect the status read cannot tell) is unknown: Maileva may
produce the letter, and a second submission would send the debtor a second letter.
"""

from __future__ import annotations

import hashlib
import os
import textwrap
import time
from typing import Any

import httpx

from relancegen import Delivery, DeliveryOutcomeUnknown, Receipt
from relancegen.delivery.channel_settings import boolean_problem, env_name_problem, number_problem, unknown_settings
from relancegen.site.model import Site

LINE_LENGTH = 38  # AFNOR NF Z10-011 and Maileva: at most 38 characters per address line
ADDRESS_LINES = 6
SUBMITTED = ("PENDING", "ACCEPTED", "PROCESSING", "PROCESSED", "DEPOSITED", "DELIVERED")
PROOF_KINDS = {"deposit_proof": "download_deposit_proof", "delivery_proof": "download_delivery_proof"}
SECRET_SETTINGS = ("client_id_env", "client_secret_env", "username_env", "password_env")
SETTINGS = ("base_url", "auth_url", *SECRET_SETTINGS, "retries", "retry_delay", "timeout", "color_printing",
            "duplex_printing", "scan_acknowledgement", "postage_type")


class AddressError(ValueError):
    pass


def address_lines(name: str, lines: tuple[str, ...]) -> list[str]:
    """The recipient as six postal lines of at most 38 characters, the last one being the
    postcode and city: the name (wrapped over two lines if needed), then the street lines.
    No text is ever dropped: an address that does not fit is an :class:`AddressError`."""
    *street, city_line = lines
    name_lines = textwrap.wrap(name, LINE_LENGTH) or [""]
    if len(name_lines) > 2:
        raise AddressError(
            f"the name {name!r} needs {len(name_lines)} lines of {LINE_LENGTH} characters and a postal "
            "address gives it two: shorten the client's name (a legal form such as SAS can go), "
            "the letter was not sent"
        )
    wrapped = [part for line in street for part in textwrap.wrap(line, LINE_LENGTH)]
    if len(city_line) > LINE_LENGTH:
        raise AddressError(f"{city_line!r} is longer than {LINE_LENGTH} characters")
    body = name_lines + wrapped
    if len(body) > ADDRESS_LINES - 1:
        raise AddressError(f"the address needs {len(body) + 1} lines; at most {ADDRESS_LINES} of {LINE_LENGTH} characters are allowed")
    return body + [""] * (ADDRESS_LINES - 1 - len(body)) + [city_line]


class MailevaChannel:
    name = "maileva"
    media = ("post", "registered_post")

    def __init__(self, site: Site):
        self.site = site
        self._tokens: dict[tuple[str, str], str] = {}

    # -- sending ----------------------------------------------------------------------

    def send(self, deliveries: list[Delivery], *, settings: dict[str, Any], dry_run: bool = False) -> list[Receipt]:
        receipts = []
        for delivery in deliveries:
            try:
                lines = address_lines(delivery.recipient.name, delivery.recipient.address_lines[1:])
            except AddressError as error:
                receipts.append(Receipt(delivery.delivery_id, "failed", error=str(error)))
                continue
            if dry_run:
                receipts.append(Receipt(delivery.delivery_id, "sent", proof={"dry_run": True, "address_lines": lines}))
                continue
            receipts.append(self._send_one(delivery, lines, settings))
        return receipts

    def _send_one(self, delivery: Delivery, lines: list[str], settings: dict[str, Any]) -> Receipt:
        registered = delivery.medium == "registered_post" or delivery.stage == "formal_notice"
        with self._client(settings) as api:
            try:
                sending = api.request("POST", "/sendings", json=self._sending(delivery, registered, settings)).json()
                uploaded = []
                for priority, path in enumerate(delivery.documents, start=1):
                    data = path.read_bytes()
                    api.request("POST", f"/sendings/{sending['id']}/documents",
                                files={"document": (path.name, data, "application/pdf"),
                                       "metadata": ("metadata", f'{{"priority": {priority}, "name": "{path.name}"}}', "application/json")})
                    uploaded.append({"name": path.name, "sha256": hashlib.sha256(data).hexdigest()})
                recipient_fields = {f"address_line_{i}": line for i, line in enumerate(lines, start=1) if line}
                recipient = api.request("POST", f"/sendings/{sending['id']}/recipients",
                                        json={**recipient_fields, "country_code": delivery.recipient.country, "custom_id": delivery.client}).json()
                status = self._submit(api, sending["id"], settings)
            except MailevaError as error:
                return Receipt(delivery.delivery_id, "failed", error=str(error))
            except MissingSecret as error:
                return Receipt(delivery.delivery_id, "failed", error=str(error))
            except httpx.HTTPError as error:  # before the submit: nothing can go out
                return Receipt(delivery.delivery_id, "failed", error=f"could not reach Maileva: {error}")
        return Receipt(delivery.delivery_id, "sent", proof={
            "sending_id": sending["id"],
            "recipient_id": recipient["id"],
            "product": "registered_mail_with_acknowledgement" if registered else "simple_mail",
            "status": status,
            "documents": uploaded,
        })

    def _sending(self, delivery: Delivery, registered: bool, settings: dict[str, Any]) -> dict[str, Any]:
        creditor = self.site.creditor
        sender = address_lines(creditor.name, (*creditor.address.lines, f"{creditor.address.postcode} {creditor.address.city}"))
        body: dict[str, Any] = {
            "name": f"{delivery.stage} {delivery.client}"[:100],
            "custom_id": delivery.delivery_id,
            "color_printing": bool(settings.get("color_printing", False)),
            "duplex_printing": bool(settings.get("duplex_printing", True)),
            "optional_address_sheet": False,
            **{f"sender_address_line_{i}": line for i, line in enumerate(sender, start=1) if line},
            "sender_country_code": creditor.address.country,
        }
        if registered:
            body["acknowledgement_of_receipt"] = True
            # Maileva receives and scans the acknowledgement, so that it can be downloaded.
            body["acknowledgement_of_receipt_scanning"] = bool(settings.get("scan_acknowledgement", True))
        else:
            body["postage_type"] = str(settings.get("postage_type", "FAST")).upper()
        return body

    def _submit(self, api: _Api, sending_id: str, settings: dict[str, Any]) -> str:
        """Submit the sending. After a server error, ask the API whether the submission took
        effect before trying again, so a letter is never produced twice; when nobody can
        tell, the outcome is unknown."""
        retries, delay = int(settings.get("retries", 3)), float(settings.get("retry_delay", 5))
        for attempt in range(retries + 1):
            try:
                api.request("POST", f"/sendings/{sending_id}/submit")
                return "PENDING"
            except httpx.ConnectError as error:
                if attempt == 0:
                    raise  # the first submit never left: nothing can go out
                raise DeliveryOutcomeUnknown(f"Maileva could not be reached to submit sending {sending_id} again, "
                                             f"after an error whose effect is unknown: {error}") from error
            except httpx.HTTPError as error:
                raise DeliveryOutcomeUnknown(f"the connection to Maileva was lost while submitting sending {sending_id}: {error}") from error
            except ServerError as error:
                status = self._status_after(api, sending_id, error)
                if status in SUBMITTED:
                    return status
                if attempt == retries:
                    raise
                time.sleep(delay * (attempt + 1))
        raise AssertionError("unreachable")

    def _status_after(self, api: _Api, sending_id: str, error: ServerError) -> str:
        """The sending's status after a submit answered with a server error; unknown when it cannot be read."""
        try:
            return str(api.request("GET", f"/sendings/{sending_id}").json().get("status", ""))
        except (MailevaError, httpx.HTTPError, ValueError) as failure:
            raise DeliveryOutcomeUnknown(f"{error}, then its status could not be read ({failure}): "
                                         "the letter may have been submitted; check in Maileva") from failure

    def validate_settings(self, settings: dict[str, Any]) -> list[str]:
        """Problems with ``channels.<medium>`` for this channel, each naming its setting."""
        problems = unknown_settings(settings, SETTINGS)
        for key in ("base_url", "auth_url"):
            value = settings.get(key)
            if not isinstance(value, str) or not value.startswith(("https://", "http://")):
                problems.append(f"{key}: expected the API's URL (https://...), got {value!r}")
        for key in SECRET_SETTINGS:
            problems += env_name_problem(settings, key)
        problems += number_problem(settings, "retries", integer=True) + number_problem(settings, "retry_delay")
        problems += number_problem(settings, "timeout", above=True)
        for key in ("color_printing", "duplex_printing", "scan_acknowledgement"):
            problems += boolean_problem(settings, key)
        return problems

    # -- tracking ---------------------------------------------------------------------

    def track(self, entries: list[Any], *, settings: dict[str, Any]) -> list[dict[str, Any]]:
        """Poll the status of sent letters; download deposit and delivery proofs once
        available into ``journal/proofs/``. Returns one update per entry whose state changed."""
        proof_dir = self.site.journal_dir / "proofs"
        updates = []
        with self._client(settings) as api:
            for entry in entries:
                sending_id, recipient_id = entry.proof.get("sending_id"), entry.proof.get("recipient_id")
                if not sending_id or not recipient_id:
                    continue
                recipient = api.request("GET", f"/sendings/{sending_id}/recipients/{recipient_id}").json()
                update: dict[str, Any] = {"delivery_id": entry.delivery_id, "status": recipient.get("status"), "proofs": {}}
                if recipient.get("registered_number"):
                    update["tracking_number"] = recipient["registered_number"]
                for kind, endpoint in PROOF_KINDS.items():
                    if not recipient.get(f"{kind}_available"):
                        continue
                    target = proof_dir / f"{entry.delivery_id}-{kind}.pdf"
                    if not target.is_file():
                        proof_dir.mkdir(parents=True, exist_ok=True)
                        target.write_bytes(api.request("GET", f"/sendings/{sending_id}/recipients/{recipient_id}/{endpoint}").content)
                    update["proofs"][kind] = {"file": target.relative_to(self.site.root).as_posix(), "sha256": hashlib.sha256(target.read_bytes()).hexdigest()}
                updates.append(update)
        return updates

    # -- HTTP -------------------------------------------------------------------------

    def _client(self, settings: dict[str, Any]) -> _Api:
        return _Api(self, settings)

    def token(self, settings: dict[str, Any], *, refresh: bool = False) -> str:
        key = (str(settings.get("auth_url")), str(settings.get("client_id_env")))
        if refresh or key not in self._tokens:
            form = {"grant_type": "password", **{name: _secret(settings, f"{name}_env") for name in ("client_id", "client_secret", "username", "password") if f"{name}_env" in settings}}
            response = httpx.post(str(settings["auth_url"]), data=form, timeout=float(settings.get("timeout", 60)))
            if response.status_code != 200:
                raise MailevaError(f"authentication refused ({response.status_code})")
            self._tokens[key] = response.json()["access_token"]
        return self._tokens[key]


class MailevaError(Exception):
    pass


class ServerError(MailevaError):
    pass


class MissingSecret(Exception):
    pass


def _secret(settings: dict[str, Any], key: str) -> str:
    name = str(settings[key])
    value = os.environ.get(name)
    if not value:
        raise MissingSecret(f"the environment variable {name} is not set (Maileva credentials come only from the environment)")
    return value


class _Api:
    """An authenticated session: refreshes an expired token once, maps errors."""

    def __init__(self, channel: MailevaChannel, settings: dict[str, Any]):
        self.channel, self.settings = channel, settings
        self.http = httpx.Client(base_url=str(settings["base_url"]).rstrip("/"), timeout=float(settings.get("timeout", 60)))

    def __enter__(self) -> _Api:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.http.close()

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        for refresh in (False, True):
            headers = {"Authorization": f"Bearer {self.channel.token(self.settings, refresh=refresh)}"}
            response = self.http.request(method, path, headers=headers, **kwargs)
            if response.status_code != 401:
                break
        if response.status_code >= 500:
            raise ServerError(f"Maileva answered {response.status_code} to {method} {path}")
        if response.status_code >= 400:
            raise MailevaError(f"Maileva refused {method} {path} ({response.status_code}): {_error_text(response)}")
        return response


def _error_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    errors = body.get("errors") if isinstance(body, dict) else None
    if errors:
        return "; ".join(str(e.get("message", e)) for e in errors)
    return str(body.get("message", body))[:200] if isinstance(body, dict) else str(body)[:200]

