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
