"""SMS out through an HTTP gateway, and the arithmetic of SMS segments.

`SmsGateway.send(to, text, ref)` POSTs JSON {to, text, ref, encoding, parts} to the configured URL
with `Authorization: Bearer <key>` and `X-Motcua-Signature` = hex HMAC-SHA256 of the body under the
secret; any answer but 2xx raises (the outbox retries). The gateway's id for the message comes back
in the answer's JSON `id` (else `ref` is the id). Its delivery receipts come to
POST /api/v1/sms/receipt with the same signature over {id, status} (web/notify_pages.py).

Segments: a text in the GSM 03.38 alphabet fits 160 septets in one SMS (153 per part when split;
the extension characters ^{}[]~|€\\ take two); anything else (Vietnamese with diacritics) is UCS-2,
70 UTF-16 units in one SMS, 67 per part. `unaccent` gives the variant without diacritics, for
citizens who chose it (fewer, cheaper parts)."""

from __future__ import annotations

import hashlib
import hmac
import json
import unicodedata
from dataclasses import dataclass

from integrations.http import HttpClient, json_bytes

GSM_BASIC = frozenset("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                      "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM_EXTENDED = frozenset("^{}\\[~]|€\f")
LIMITS = {"gsm7": (160, 153), "ucs2": (70, 67)}  # (one SMS, each part of a longer one)


@dataclass(frozen=True)
class Segments:
    encoding: str  # gsm7 | ucs2
    parts: tuple[str, ...]


def is_gsm(text: str) -> bool:
    return all(c in GSM_BASIC or c in GSM_EXTENDED for c in text)


def _units(char: str, encoding: str) -> int:
    if encoding == "gsm7":
        return 2 if char in GSM_EXTENDED else 1
    return 2 if ord(char) > 0xFFFF else 1  # a surrogate pair in UTF-16


def segments(text: str) -> Segments:
    """The parts the text is sent as: one SMS if it fits, else parts of 153 / 67 units, never
    splitting a two-unit character, preferring to break after a space."""
    encoding = "gsm7" if is_gsm(text) else "ucs2"
    single, each = LIMITS[encoding]
    if sum(_units(c, encoding) for c in text) <= single:
        return Segments(encoding, (text,) if text else ())
    parts: list[str] = []
    current: list[str] = []
    used = 0
    for char in text:
        size = _units(char, encoding)
        if used + size > each:
            cut = next((i for i in range(len(current) - 1, max(len(current) - 20, 0), -1) if current[i] == " "),
                       None)
            if cut is None:
                parts.append("".join(current))
                current = []
            else:
                parts.append("".join(current[:cut + 1]))
                current = current[cut + 1:]
            used = sum(_units(c, encoding) for c in current)
        current.append(char)
        used += size
    if current:
        parts.append("".join(current))
    return Segments(encoding, tuple(parts))


def unaccent(text: str) -> str:
    """Vietnamese without diacritics ("Hồ sơ đã được tiếp nhận" → "Ho so da duoc tiep nhan")."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def signature(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, sent: str) -> bool:
    """Whether `sent` is the body's signature (constant time; no secret = nothing verifies)."""
    return bool(secret) and hmac.compare_digest(signature(secret, body), sent.strip().lower())


class SmsGateway:
    def __init__(self, url: str, key: str = "", secret: str = "", timeout: float = 10.0) -> None:
        self.url, self.key, self.secret = url, key, secret
        self.client = HttpClient(timeout=timeout)

    async def send(self, to: str, text: str, ref: str) -> str:
        """Send; the gateway's id of the message. Raises when the gateway does not accept it."""
        split = segments(text)
        body = json_bytes({"to": to, "text": text, "ref": ref, "encoding": split.encoding, "parts": list(split.parts)})
        headers = {"Content-Type": "application/json", "Idempotency-Key": ref}
        if self.key:
            headers["Authorization"] = f"Bearer {self.key}"
        if self.secret:
            headers["X-Motcua-Signature"] = signature(self.secret, body)
        status, answer = await self.client.post(self.url, body, headers)
        if not 200 <= status < 300:
            raise RuntimeError(f"SMS gateway answered {status}")
        try:
            parsed = json.loads(answer) if answer else None
            found = parsed.get("id") if isinstance(parsed, dict) else None
        except ValueError:
            found = None
        return str(found or ref)

    async def aclose(self) -> None:
        await self.client.aclose()
