"""A real local HTTP server that receives webhook deliveries (threaded, stdlib): records each
request, can fail the first N on demand, be slow, and notices overlapping deliveries of a key."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Sink:
    def __init__(self, fail_first: int = 0, delay: float = 0.0) -> None:
        self.fail_first, self.delay = fail_first, delay
        self.received: list[dict[str, Any]] = []  # successful deliveries, in arrival order
        self.attempts = 0
        self.in_flight: set[str] = set()
        self.overlaps: list[str] = []  # keys delivered twice at the same time (must stay empty)
        self.lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                key = self.headers.get("Idempotency-Key", "")
                with sink.lock:
                    sink.attempts += 1
                    fail = sink.attempts <= sink.fail_first
                    if key in sink.in_flight:
                        sink.overlaps.append(key)
                    sink.in_flight.add(key)
                try:
                    if sink.delay:
                        time.sleep(sink.delay)
                    if not fail:
                        with sink.lock:
                            sink.received.append({**json.loads(body), "headers": dict(self.headers)})
                finally:
                    with sink.lock:
                        sink.in_flight.discard(key)
                self.send_response(503 if fail else 204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/events"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Sink:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def keys(self) -> list[str]:
        with self.lock:
            return [r["key"] for r in self.received]

    def effective(self) -> dict[str, dict[str, Any]]:
        """What an idempotent receiver keeps: the first delivery of each key."""
        out: dict[str, dict[str, Any]] = {}
        with self.lock:
            for r in self.received:
                out.setdefault(r["key"], r)
        return out


class FakePortal:
    """A real local HTTP server standing in for the national portal (integrations/portal.py's API).

    POST /dossiers applies a record once per Idempotency-Key (a repeated key is answered 200 and not
    applied again) and keeps the newest PhienBan per MaHoSo; GET /counts?day=YYYY-MM-DD counts held
    dossiers by NgayNopHoSo's day. Faults on demand, consumed one request each: `fail` (answer 500
    unapplied), `hang` (apply after `hang_seconds`, after the client gave up), `drop` (apply, then
    close the connection without an answer); `down` answers 500 while set. `receipts` counts raw
    POSTs, `applied` how many times each key was applied (must stay 1), `history` the statuses held
    per dossier, in the order they were applied."""

    def __init__(self, hang_seconds: float = 1.0) -> None:
        self.fail = self.hang = self.drop = 0
        self.down = False
        self.hang_seconds = hang_seconds
        self.receipts = 0
        self.applied: dict[str, int] = {}
        self.records: dict[str, dict[str, Any]] = {}  # MaHoSo -> newest record
        self.stale = 0  # records older than the one held (arrived out of order)
        self.history: dict[str, list[int]] = {}  # MaHoSo -> TrangThaiHoSo of each record applied, in order
        self.lock = threading.Lock()
        portal = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the client uses it

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                key = self.headers.get("Idempotency-Key", "")
                with portal.lock:
                    portal.receipts += 1
                    fault = "down" if portal.down else next(
                        (f for f in ("fail", "hang", "drop") if getattr(portal, f) > 0), "")
                    if fault and fault != "down":
                        setattr(portal, fault, getattr(portal, fault) - 1)
                if fault in ("down", "fail"):
                    return self._answer(500, {"error": "unavailable"})
                if fault == "hang":
                    time.sleep(portal.hang_seconds)
                portal.apply(key, body)
                if fault == "drop":
                    self.close_connection = True  # committed, but the answer never leaves
                    return
                self._answer(200, {"id": "DVC-" + body["MaHoSo"]})

            def do_GET(self) -> None:
                day = self.path.partition("day=")[2][:10]
                with portal.lock:
                    count = sum(1 for r in portal.records.values() if (r["NgayNopHoSo"] or "")[:10] == day)
                self._answer(200, {"day": day, "count": count})

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)  # (headers are buffered: written with end_headers)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
                    self.close_connection = True

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def apply(self, key: str, record: dict[str, Any]) -> None:
        with self.lock:
            if key in self.applied:
                return
            self.applied[key] = 1
            held = self.records.get(record["MaHoSo"])
            if held is not None and held["PhienBan"] > record["PhienBan"]:
                self.stale += 1
                return
            self.records[record["MaHoSo"]] = record
            self.history.setdefault(record["MaHoSo"], []).append(record["TrangThaiHoSo"])

    def forget(self, code: str) -> None:
        """The portal loses a dossier (for reconcile)."""
        with self.lock:
            self.records.pop(code, None)

    def __enter__(self) -> FakePortal:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
