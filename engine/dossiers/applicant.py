"""The applicant/contact projection of a submission (the procedure's applicant mapping) and the
attachment rows of the files its data references."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from engine.catalogue import fold
from engine.versions import VersionInfo

if TYPE_CHECKING:
    from engine.runtime import Runtime


def digits(value: object) -> str:
    text = re.sub(r"\D", "", str(value or ""))
    return "0" + text[2:] if text.startswith("84") and len(text) == 11 else text  # +84 912… = 0912…


def id_hash(rt: Runtime, id_number: object) -> str:
    """Keyed hash of an ID number (lookups without keeping the number in a column)."""
    number = digits(id_number)
    if not number:
        return ""
    key = (rt.settings.secret_key or "motcua").encode()
    return hmac.new(key, number.encode(), hashlib.sha256).hexdigest()


def dig(data: dict[str, Any], path: str | None) -> Any:
    value: Any = data
    for part in (path or "").split("."):
        if not part or not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def applicant_columns(rt: Runtime, version: VersionInfo, data: dict[str, Any]) -> dict[str, Any]:
    mapping = version.applicant
    name = str(dig(data, mapping.get("name")) or "")[:200]
    return {"applicant_name": name, "applicant_name_folded": fold(name)[:200],
            "applicant_id_hash": id_hash(rt, dig(data, mapping.get("id_number"))),
            "applicant_phone": digits(dig(data, mapping.get("phone")))[:20],
            "applicant_email": str(dig(data, mapping.get("email")) or "")[:254]}


#: the applicant mapping key (procedure.toml [applicant]) that each notification channel sends to
NOTIFY_ADDRESS = {"email": "email", "sms": "phone", "ascii": "phone"}


def unreachable(version: VersionInfo, data: dict[str, Any], notify: Sequence[str]) -> dict[str, str]:
    """The chosen notification channels that `data` gives no address for: channel -> the data key to
    fill ("" when the procedure's form has none). Nothing would ever be sent to them."""
    found = {"email": str(dig(data, version.applicant.get("email")) or "").strip(),
             "phone": digits(dig(data, version.applicant.get("phone")))}
    return {c: str(version.applicant.get(NOTIFY_ADDRESS[c]) or "") for c in notify
            if c in NOTIFY_ADDRESS and not found[NOTIFY_ADDRESS[c]]}


def attachment_rows(version: VersionInfo, data: dict[str, Any], now: datetime, source: str,
                    dossier_id: int = 0) -> list[dict[str, Any]]:
    """One row per stored file referenced by the data (uploads are lists of {name, sha256, …})."""
    out: list[dict[str, Any]] = []

    def walk(value: Any, key: str) -> None:
        if isinstance(value, list):
            for item in value:
                if isinstance(item, dict) and isinstance(item.get("sha256"), str) and len(item["sha256"]) == 64:
                    out.append({"dossier_id": dossier_id, "component": key[:200], "name": str(item.get("name",
                                                                                                       ""))[:255],
                                "sha256": item["sha256"], "size": int(item.get("size") or 0),
                                "content_type": str(item.get("content_type", ""))[:100], "source": source,
                                "at": now})
                else:
                    walk(item, key)
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(v, f"{key}.{k}" if key else k)

    walk(data, "")
    return out
