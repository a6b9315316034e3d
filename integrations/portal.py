"""The national public-service portal (Cổng Dịch vụ công quốc gia) subscriber: every dossier and
status change synced as the portal's dossier record (Decision 766 fields, RULES §4.1 and §8.3).

Delivery: the outbox (engine/outbox.py) calls `PortalSubscriber.deliver` for each event of a kind in
`KINDS`, in order per dossier, at least once, retrying with backoff and dead-lettering after its
tries: this module keeps no queue. `deliver` reads the dossier as it is now (one SQL statement:
`portal_sync.dossier_facts`), maps it with `record(...)` and POSTs it with the delivery's
idempotency key (`PortalClient.send`, on the outbox subscribers' HTTP client, integrations/http.py);
a 2xx answer is recorded in `portal_sync` (engine/portal_sync.py: KPI 1.4, reconcile). The record is
a full snapshot (the portal upserts by `MaHoSo`, newest `PhienBan` wins), so a retried or re-sent
delivery is harmless and the portal ends equal to Motcua.

Portal API (MOTCUA_PORTAL_URL = base URL; MOTCUA_PORTAL_TOKEN as `Authorization: Bearer`):
``POST {base}/dossiers`` body = the record, header Idempotency-Key → 2xx ``{"id": remote id}``;
``GET {base}/counts?day=YYYY-MM-DD`` → ``{"count": n}``: dossiers it holds submitted that local day.

Fields (instants ISO 8601 in Asia/Ho_Chi_Minh, null when not yet):
  MaHoSo code · MaTTHC procedure's national code · NgayNopHoSo submitted · NgayTiepNhan accepted ·
  NgayHenTra appointment (re-appointed due, else original) · NgayKetThucXuLy end of processing (result
  issued, else ended refused/withdrawn/stopped) · NgayTraKetQua result returned · KenhThucHien 1
  counter, 2 online, 3 post · TrangThaiHoSo national status 1–10 · MaKetQua result outcome (1 granted,
  2 refused) · DuocSoHoa 1 when components were filed as files and a result exists ·
  HoSoCoThanhPhanSoHoa 1 when a component was reused from stored data · PhienBan dossier revision.
Not mapped yet, no source in Motcua (sent as null / 0, documented for the portal team):
  DuongDanTepTinKetQua (results have no published file link yet), DuocThanhToanTrucTuyen (no online
  payment), TaiKhoanDuocXacThucVoiVNeID (no VNeID sign-in), DuocLayTuKhoDMQG (no e-document store),
  applicant fields (personal data is not sent until the data-sharing agreement names them).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from engine import portal_sync
from engine.outbox import Delivery
from engine.workdays import LOCAL_TZ
from integrations.http import HttpClient, json_bytes

#: the events that change a synced field ("resend": `motcua portal reconcile`)
KINDS = frozenset({"submitted", "status_changed", "accepted", "reappointed", "refused", "result_ready", "returned",
                   "withdrawn", "stopped", "attachments_added", "supplement_received", "resend"})
CHANNEL_CODES = {"counter": 1, "online": 2, "post": 3}
RESULT_CODES = {"granted": 1, "refused": 2}
ENDED_WITHOUT_RESULT = (3, 7, 8)

def _local(moment: datetime | None) -> str | None:
    return moment.astimezone(ZoneInfo(LOCAL_TZ)).isoformat(timespec="seconds") if moment else None


def record(facts: dict[str, Any]) -> dict[str, Any]:
    """The portal's dossier record from `portal_sync.dossier_facts` (pure)."""
    status = int(facts["lifecycle_status"])
    ended = facts["result_at"] or (facts["completed_at"] if status in ENDED_WITHOUT_RESULT else None)
    outcome = facts["outcome"]
    return {
        "MaHoSo": facts["code"], "MaTTHC": facts["procedure_code"], "PhienBan": int(facts["revision"]),
        "NgayNopHoSo": _local(facts["created_at"]), "NgayTiepNhan": _local(facts["accepted_at"]),
        "NgayHenTra": _local(facts["due_adjusted_at"] or facts["due_original_at"]),
        "NgayKetThucXuLy": _local(ended), "NgayTraKetQua": _local(facts["returned_at"]),
        "KenhThucHien": CHANNEL_CODES.get(facts["channel"], 1), "TrangThaiHoSo": status,
        "MaKetQua": RESULT_CODES.get(outcome) if outcome else None, "DuongDanTepTinKetQua": None,
        "DuocThanhToanTrucTuyen": 0, "DuocSoHoa": int(bool(facts["files"]) and outcome is not None),
        "HoSoCoThanhPhanSoHoa": int(bool(facts["reused"])), "TaiKhoanDuocXacThucVoiVNeID": 0,
    }


class PortalError(RuntimeError):
    """The portal did not acknowledge (the outbox retries)."""


class PortalClient:
    """HTTP client of the portal (integrations/http.py: keep-alive connections, a timeout on every call),
    with bearer credentials. Raises PortalError on an answer it does not accept, aiohttp.ClientError or
    TimeoutError when there is no answer."""

    def __init__(self, url: str, token: str = "", timeout: float = 10.0) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.base = url.rstrip("/")
        self.http = HttpClient(timeout=timeout, headers=headers)

    async def send(self, body: dict[str, Any], key: str) -> str:
        """POST one record; the portal's id of the dossier. Raises PortalError unless 2xx."""
        status, answer = await self.http.post(f"{self.base}/dossiers", json_bytes(body),
                                              {"Content-Type": "application/json", "Idempotency-Key": key})
        if not 200 <= status < 300:
            raise PortalError(f"portal answered {status}")
        try:
            return str(json.loads(answer).get("id") or "")
        except ValueError:
            return ""

    async def counts(self, day: date) -> int:
        """How many dossiers submitted on `day` (local) the portal holds."""
        status, answer = await self.http.get(f"{self.base}/counts", params={"day": day.isoformat()})
        if status != 200:
            raise PortalError(f"portal answered {status} to counts({day})")
        return int(json.loads(answer)["count"])

    async def aclose(self) -> None:
        await self.http.aclose()


class PortalSubscriber:
    name = portal_sync.SUBSCRIBER
    kinds: frozenset[str] | None = KINDS

    def __init__(self, client: PortalClient) -> None:
        self.client = client

    async def deliver(self, delivery: Delivery) -> None:
        facts = await portal_sync.dossier_facts(str(delivery.payload.get("dossier_code", "")))
        if facts is None:
            raise LookupError(f"no dossier {delivery.payload.get('dossier_code')!r}")
        body = record(facts)
        remote_id = await self.client.send(body, delivery.key)
        await portal_sync.acknowledge(int(facts["id"]), body["PhienBan"], body["TrangThaiHoSo"], delivery.key,
                                      remote_id, datetime.now(UTC))

    async def aclose(self) -> None:
        await self.client.aclose()
