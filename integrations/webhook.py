"""The webhook subscriber: every dossier event POSTed as JSON to one URL (MOTCUA_WEBHOOK_URL).

Body: {"key": "<code>:<revision>:<n>", "kind": …, "event": {…}}; headers Idempotency-Key (the
same key: a receiver applies a repeated delivery once) and, with MOTCUA_WEBHOOK_SECRET,
X-Motcua-Signature = hex HMAC-SHA256 of the body. Any 2xx is success; anything else, or no answer
within `timeout`, raises, and the outbox retries with backoff (engine.outbox)."""

from __future__ import annotations

import hashlib
import hmac

from engine.outbox import Delivery
from integrations.http import HttpClient, json_bytes


class WebhookSubscriber:
    name = "webhook"
    kinds: frozenset[str] | None = None

    def __init__(self, url: str, secret: str = "", timeout: float = 10.0) -> None:
        self.url, self.secret = url, secret
        self.client = HttpClient(timeout=timeout)

    async def deliver(self, delivery: Delivery) -> None:
        body = json_bytes({"key": delivery.key, "kind": delivery.kind, "event": delivery.payload})
        headers = {"Content-Type": "application/json", "Idempotency-Key": delivery.key,
                   "X-Motcua-Attempt": str(delivery.attempt)}
        if self.secret:
            headers["X-Motcua-Signature"] = hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
        status, _answer = await self.client.post(self.url, body, headers)
        if not 200 <= status < 300:
            raise RuntimeError(f"webhook answered {status}")

    async def aclose(self) -> None:
        await self.client.aclose()
