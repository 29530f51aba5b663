"""A local stand-in for Maileva's REST API on 127.0.0.1, with fault injection.

It implements the contract the ``maileva`` channel relies on (docs/postal.md): OAuth2
password-grant token, sendings, document upload, recipients (38-character lines enforced),
submit, status and proof downloads; and can answer 500, expire the token, or drop the
connection after accepting a submission, take a submission then answer 500, and answer
503 to status reads.
"""

from __future__ import annotations

import itertools
import json
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

TINY_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
CREDENTIALS = {"client_id": "cid", "client_secret": "csecret-value", "username": "api-user", "password": "api-password-value"}


class PostalApi:
    def __init__(self) -> None:
        self.sendings: dict[str, dict] = {}
        self.valid_tokens: set[str] = set()
        self.ids = itertools.count(1)
        self.fail_submits = 0
        self.effective_failing_submits = 0  # submits that take effect, then answer 500
        self.fail_status_reads = 0  # status reads answered 503
        self.drop_next_submit = False
        self.expire_token_once = False
        self.token_requests = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    @property
    def auth_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/auth/token"

    def submitted(self) -> list[dict]:
        return [s for s in self.sendings.values() if s["status"] != "DRAFT"]

    def __enter__(self) -> "PostalApi":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def _reply(self, code: int, body=None, content_type="application/json"):
                data = body if isinstance(body, bytes) else json.dumps(body or {}).encode()
                self.send_response(code)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length", 0)))

            def _authorized(self) -> bool:
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                if api.expire_token_once and token in api.valid_tokens:
                    api.expire_token_once = False
                    api.valid_tokens.discard(token)
                if token not in api.valid_tokens:
                    self._reply(401, {"message": "expired or invalid token"})
                    return False
                return True

            def do_POST(self):
                body = self._body()
                if self.path == "/auth/token":
                    form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
                    api.token_requests += 1
                    if form.get("grant_type") != "password" or any(form.get(k) != v for k, v in CREDENTIALS.items()):
                        return self._reply(401, {"error": "invalid_client"})
                    token = f"token-{next(api.ids)}"
                    api.valid_tokens.add(token)
                    return self._reply(200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600})
                if not self._authorized():
                    return
                if self.path == "/api/sendings":
                    sending_id = f"s-{next(api.ids)}"
                    api.sendings[sending_id] = {"id": sending_id, "status": "DRAFT", "options": json.loads(body), "documents": [], "recipients": {}, "polls": 0}
                    return self._reply(201, {"id": sending_id, "status": "DRAFT"})
                match = re.fullmatch(r"/api/sendings/([\w-]+)/(documents|recipients|submit)", self.path)
                if not match or match.group(1) not in api.sendings:
                    return self._reply(404, {"message": "not found"})
                sending = api.sendings[match.group(1)]
                if match.group(2) == "documents":
                    if b"%PDF" not in body:
                        return self._reply(400, {"errors": [{"message": "document must be a PDF"}]})
                    sending["documents"].append(body)
                    return self._reply(201, {"id": f"d-{next(api.ids)}"})
                if match.group(2) == "recipients":
                    recipient = json.loads(body)
                    too_long = [k for k, v in recipient.items() if k.startswith("address_line_") and len(v) > 38]
                    if too_long or "address_line_6" not in recipient:
                        return self._reply(400, {"errors": [{"message": f"invalid address: {too_long or 'address_line_6 missing'}"}]})
                    recipient_id = f"r-{next(api.ids)}"
                    sending["recipients"][recipient_id] = {**recipient, "id": recipient_id, "polls": 0}
                    return self._reply(201, {"id": recipient_id})
                if api.fail_submits:
                    api.fail_submits -= 1
                    return self._reply(500, {"message": "internal error"})
                sending["status"] = "PENDING"
                if api.effective_failing_submits:
                    api.effective_failing_submits -= 1
                    return self._reply(500, {"message": "internal error"})
                if api.drop_next_submit:  # accepted, then the connection dies before the answer
                    api.drop_next_submit = False
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                return self._reply(200, {"id": sending["id"], "status": "PENDING"})

            def do_GET(self):
                if not self._authorized():
                    return
                match = re.fullmatch(r"/api/sendings/([\w-]+)(?:/recipients/([\w-]+)(?:/(download_deposit_proof|download_delivery_proof))?)?", self.path)
                if not match or match.group(1) not in api.sendings:
                    return self._reply(404, {"message": "not found"})
                sending = api.sendings[match.group(1)]
                if not match.group(2):
                    if api.fail_status_reads:
                        api.fail_status_reads -= 1
                        return self._reply(503, {"message": "service unavailable"})
                    return self._reply(200, {"id": sending["id"], "status": sending["status"]})
                recipient = sending["recipients"].get(match.group(2))
                if recipient is None:
                    return self._reply(404, {"message": "not found"})
                if match.group(3):
                    return self._reply(200, TINY_PDF, "application/pdf")
                recipient["polls"] += 1  # each poll moves the letter one step along
                steps = ["PENDING", "DEPOSITED", "DELIVERED"]
                status = steps[min(recipient["polls"] - 1, 2)] if sending["status"] != "DRAFT" else "DRAFT"
                registered = sending["options"].get("acknowledgement_of_receipt", False)
                return self._reply(200, {
                    "id": recipient["id"], "status": status,
                    "registered_number": "1A" + recipient["id"][2:].zfill(11) if registered and status != "PENDING" else None,
                    "deposit_proof_available": status in ("DEPOSITED", "DELIVERED"),
                    "delivery_proof_available": registered and status == "DELIVERED",
                })

        return Handler
