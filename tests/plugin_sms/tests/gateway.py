"""A stand-in for an SMS gateway's HTTP API on 127.0.0.1, as the sms channel expects it.

It keeps every message it accepted, refuses a second message with the same reference (as
real gateways do with an idempotency key), answers 401 to a wrong key, and can be told to
refuse (``refuse_next``) or to drop the connection after taking a message (``drop_next``).
"""

from __future__ import annotations

import itertools
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_KEY = "sms-key-for-tests-0042"


class SmsGateway:
    def __init__(self) -> None:
        self.messages: list[dict] = []
        self.refuse_next = False
        self.drop_next = False
        self.ids = itertools.count(1)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> SmsGateway:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                message = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if self.path != "/v1/messages":
                    return self._answer(404, {"error": "not found"})
                if self.headers.get("Authorization") != f"Bearer {API_KEY}":
                    return self._answer(401, {"error": "bad API key"})
                if gateway.refuse_next:
                    gateway.refuse_next = False
                    return self._answer(422, {"error": "number blocked"})
                if any(m["reference"] == message["reference"] for m in gateway.messages):
                    return self._answer(409, {"error": "duplicate reference"})
                gateway.messages.append(message)
                if gateway.drop_next:  # taken, and the answer never comes back
                    gateway.drop_next = False
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return None
                return self._answer(201, {"id": f"SM{next(gateway.ids):06d}", "segments": 1 + len(message["text"]) // 160})

            def _answer(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler
