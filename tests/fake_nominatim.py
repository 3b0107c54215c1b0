"""A small real HTTP server on 127.0.0.1 that answers like Nominatim's ``/search`` (jsonv2).

Tests set ``server.mode`` to make it succeed, hang past the client's timeout, answer HTTP 429 or
500, send a body that is not JSON, or place the match outside the Edmonton region. It records
every request (path, query, User-Agent) so tests can check what the client sent.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

# A Nominatim-shaped answer for a house in downtown Edmonton.
HOUSE = {"place_id": 1, "licence": "Data © OpenStreetMap contributors, ODbL 1.0.", "osm_type": "node",
         "lat": "53.5461", "lon": "-113.4938", "category": "building", "type": "yes", "place_rank": 30,
         "importance": 0.1, "addresstype": "building", "name": "",
         "display_name": "Test building, Edmonton, Alberta, Canada",
         "boundingbox": ["53.546", "53.5462", "-113.494", "-113.4936"]}
CALGARY = dict(HOUSE, lat="51.0447", lon="-114.0719", display_name="Somewhere, Calgary, Alberta, Canada")


class FakeNominatim(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.mode = "ok"        # ok | empty | slow | 429 | 500 | garbage | outside | flaky
        self.delay = 0.6        # seconds the "slow" mode waits
        self.requests: list[dict] = []
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: FakeNominatim

    def log_message(self, *args):  # keep test output quiet
        pass

    def _send(self, status: int, body: bytes, ctype: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802 - http.server's name
        parts = urlsplit(self.path)
        with self.server._lock:
            self.server.requests.append({"path": parts.path, "query": parse_qs(parts.query),
                                         "user_agent": self.headers.get("User-Agent"), "t": time.monotonic()})
            n = len(self.server.requests)
        mode = self.server.mode
        if parts.path != "/search":
            return self._send(404, b"[]")
        if mode == "slow":
            time.sleep(self.server.delay)
            return self._send(200, json.dumps([HOUSE]).encode())
        if mode == "429":
            return self._send(429, b'{"error": "Too Many Requests"}')
        if mode == "500":
            return self._send(500, b"internal error")
        if mode == "garbage":
            return self._send(200, b"<html>not json</html>", "text/html")
        if mode == "flaky" and n == 1:
            return self._send(500, b"try again")
        if mode == "empty":
            return self._send(200, b"[]")
        if mode == "outside":
            return self._send(200, json.dumps([CALGARY]).encode())
        return self._send(200, json.dumps([HOUSE]).encode())


def start() -> FakeNominatim:
    server = FakeNominatim()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
