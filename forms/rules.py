"""Clean one field's value and check its rules: raw input -> (form-js value, [problems]).

Pure; the same code serves posted HTML forms (``origin="form"``: strings as typed, lists of
strings, upload objects) and JSON (``origin="json"``: typed values). A problem is ``(code, params)``;
forms/messages.py turns it into text. The clean value is what form-js would submit: a string for
text (NFC, trimmed), a number (or a string with ``serializeToString``), a bool, the chosen option's
value or a list of them, an ISO date ``YYYY-MM-DD`` / time / date-time, or a file reference.
"""

from __future__ import annotations

import mimetypes
import re
import unicodedata
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from forms import values, vn
from forms.tree import Field, Option

Problem = tuple[str, dict[str, Any]]
Origin = Literal["form", "json"]

#: form-js's built-in email pattern
EMAIL = re.compile(r"^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
                   r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$")
_VN_TEXT = {"cccd": vn.citizen_id, "phone": vn.mobile_phone, "tax_code": vn.tax_code}


def empty_value(f: Field) -> Any:
    """The value form-js keeps for an empty field."""
    return {"text": "", "bool": False, "multi": []}.get(f.kind)


def clean(f: Field, raw: Any, origin: Origin, today: date) -> tuple[Any, list[Problem]]:
    """The clean value of ``raw`` for field ``f`` and the rules it breaks (required first)."""
    cleaner = {"text": _text, "number": _number, "bool": _bool, "choice": _choice, "multi": _multi,
               "date": _date, "file": _file}[f.kind]
    value, problems = cleaner(f, raw, origin, today)
    if problems:
        return None if f.kind != "multi" else [], problems
    if _is_empty(f, value):
        return value, ([("required", {})] if f.required else [])
    return value, []


def _is_empty(f: Field, value: Any) -> bool:
    return value is None or value == "" or value == [] or (f.kind == "bool" and value is False)


def _text(f: Field, raw: Any, origin: Origin, today: date) -> tuple[Any, list[Problem]]:
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        return None, [("type", {})]
    text = unicodedata.normalize("NFC", raw)
    if f.type == "textfield":
        text = re.sub(r"[\r\n]+", " ", text)
    text = text.strip()
    if not text:
        return "", []
    rules = f.rules
    problems: list[Problem] = []
    if "minLength" in rules and len(text) < int(rules["minLength"]):
        problems.append(("min_length", {"n": int(rules["minLength"])}))
    if "maxLength" in rules and len(text) > int(rules["maxLength"]):
        problems.append(("max_length", {"n": int(rules["maxLength"])}))
    value: Any = text
    if f.vn_type in _VN_TEXT:
        value, code = _VN_TEXT[f.vn_type](text)
        if code:
            return None, problems + [(code, {})]
    elif f.vn_type in ("date_dmy", "date_of_birth"):
        day, code = vn.parse_date(text)
        if day is None:
            return None, problems + [("date", {"problem": code})]
        problems += _date_limits(f, day, today)
        value = day.isoformat()
    if rules.get("validationType") == "email" and not EMAIL.match(text):
        problems.append(("email", {}))
    if rules.get("validationType") == "phone":
        value, code = vn.mobile_phone(text)
        if code:
            problems.append(("phone", {}))
    if f.pattern is not None and isinstance(value, str) and not f.pattern.search(value):
        problems.append(("pattern", {"message": rules.get("patternErrorMessage") or ""}))
    return value, problems


def _number(f: Field, raw: Any, origin: Origin, today: date) -> tuple[Any, list[Problem]]:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, []
    number = values.parse_number(raw, f.decimal_digits) if isinstance(raw, str) else values.json_number(raw)
    if number is None:
        return None, [("number" if isinstance(raw, str) else "type", {})]
    problems: list[Problem] = []
    if f.decimal_digits is not None and values.decimals(number) > f.decimal_digits:
        problems.append(("integer", {}) if f.decimal_digits == 0 else ("decimal_digits", {"n": f.decimal_digits}))
    if f.increment:
        step = Decimal(str(f.increment))
        offset = number % step
        if offset != 0:
            below = number - offset if number >= 0 else number - offset - step
            problems.append(("increment", {"step": f.increment, "below": values.number_out(below, True),
                                           "above": values.number_out(below + step, True)}))
    low = Decimal(str(f.rules["min"])) if f.rules.get("min") not in (None, "") else None
    high = Decimal(str(f.rules["max"])) if f.rules.get("max") not in (None, "") else None
    bounds = {"min": f.rules.get("min"), "max": f.rules.get("max")}
    if low is not None and number < low:
        problems.append(("min", bounds))
    if high is not None and number > high:
        problems.append(("max", bounds))
    return values.number_out(number, f.serialize_to_string), problems


def _bool(f: Field, raw: Any, origin: Origin, today: date) -> tuple[Any, list[Problem]]:
    if raw is None:
        return False, []
    if not isinstance(raw, bool):
        return None, [("type", {})]
    return raw, []


def _option(f: Field, raw: Any, origin: Origin) -> Option | None:
    if origin == "form":
        return f.option_for(raw) if isinstance(raw, str) else None
    for option in f.options:
        if option.value == raw and type(option.value) is type(raw):
            return option
    return None


def _choice(f: Field, raw: Any, origin: Origin, today: date) -> tuple[Any, list[Problem]]:
    if raw is None or raw == "":
        return None, []
    if isinstance(raw, list | dict):
        return None, [("type", {})]
    option = _option(f, raw, origin)
    return (option.value, []) if option else (None, [("choice", {})])


def _multi(f: Field, raw: Any, origin: Origin, today: date) -> tuple[Any, list[Problem]]:
    if raw is None or raw == "":
        return [], []
    if isinstance(raw, str) and origin == "form":
        raw = [raw]
    if not isinstance(raw, list):
        return None, [("type", {})]
    chosen: list[Option] = []
    for item in raw:
        if origin == "form" and item == "":
            continue
        option = _option(f, item, origin) if not isinstance(item, list | dict) else None
        if option is None:
            return None, [("choice", {})]
        if option not in chosen:
            chosen.append(option)
    # the options' order, whatever order they came in: a browser posts checkboxes in page order
    return [o.value for o in f.options if o in chosen], []


def _date(f: Field, raw: Any, origin: Origin, today: date) -> tuple[Any, list[Problem]]:
    if f.subtype == "date":
        return _day(f, raw, today)
    if isinstance(raw, dict) and f.subtype == "datetime":
        day_raw = {k: raw.get(k, "") for k in ("day", "month", "year")}
        time_raw = raw.get("time", "")
        if not any(str(v).strip() for v in (*day_raw.values(), time_raw)):
            return None, []
        day_value, problems = _day(f, day_raw, today)
        if day_value is None and not problems:
            problems = [("date", {"problem": "day"})]
        moment_time = values.parse_time(str(time_raw)) if str(time_raw).strip() else None
        if moment_time is None or problems or day_value is None:
            return None, problems + ([("time", {})] if moment_time is None else [])
        raw = f"{day_value}T{moment_time.hour:02d}:{moment_time.minute:02d}"
    if raw is None or raw == "":
        return None, []
    if not isinstance(raw, str):
        return None, [("type", {})]
    if f.subtype == "time":
        moment = values.parse_time(raw) if origin == "form" else values.parse_iso_time(raw)
        if moment is None and origin == "form":
            moment = values.parse_iso_time(raw)
        return (values.time_out(moment, f.time_format), []) if moment else (None, [("time", {})])
    stamp_value = values.parse_iso_datetime(raw)
    if stamp_value is None:
        return None, [("datetime", {})]
    return values.datetime_out(stamp_value, f.time_format), _date_limits(f, stamp_value.date(), today)


def _day(f: Field, raw: Any, today: date) -> tuple[Any, list[Problem]]:
    if isinstance(raw, dict):
        parts = [str(raw.get(k) or "") for k in ("day", "month", "year")]
        if not any(p.strip() for p in parts):
            return None, []
        day, code = vn.parse_date_boxes(*parts)
    elif raw is None or raw == "":
        return None, []
    elif isinstance(raw, str):
        day, code = vn.parse_date(raw)
    else:
        return None, [("type", {})]
    if day is None:
        return None, [("date", {"problem": code})]
    return day.isoformat(), _date_limits(f, day, today)


def _date_limits(f: Field, day: date, today: date) -> list[Problem]:
    if f.vn_type == "date_of_birth" and vn.not_after(day, today):
        return [("future", {})]
    if f.disallow_past and day < today:
        return [("past", {})]
    return []


def _file(f: Field, raw: Any, origin: Origin, today: date) -> tuple[Any, list[Problem]]:
    """JSON: a file reference (a non-empty string such as form-js's "files::…", or a non-empty object
    such as the web layer's {name, content_type, size, sha256}), or a list of them (one at most
    unless ``multiple``). Form: upload objects; the clean value is the list of uploads
    (forms/evaluate.py moves them out of the data)."""
    if raw is None or raw == "" or raw == []:
        return None, []
    if origin == "json":
        refs = raw if isinstance(raw, list) else [raw]
        if not all((isinstance(r, str) and r) or (isinstance(r, dict) and r) for r in refs):
            return None, [("type", {})]
        if len(refs) > 1 and not f.multiple:
            return None, [("file_count", {})]
        return raw, []
    uploads = [u for u in (raw if isinstance(raw, list) else [raw]) if has_upload(u)]
    if not uploads:
        return None, []
    if len(uploads) > 1 and not f.multiple:
        return None, [("file_count", {})]
    if f.accept and not all(accepts(f.accept, str(u.filename), getattr(u, "content_type", None)) for u in uploads):
        return None, [("file_type", {"accept": f.accept})]
    return uploads, []


def has_upload(raw: Any) -> bool:
    """Whether posted form data holds at least one chosen file (browsers post an empty part otherwise)."""
    return any(getattr(u, "filename", None) for u in (raw if isinstance(raw, list) else [raw]))


def accepts(accept: str, filename: str, content_type: str | None = None) -> bool:
    """The HTML ``accept`` rule (".pdf", "image/*", "application/pdf"), judged by the file name:
    the browser's declared type is not trusted (the web layer checks content when it stores)."""
    guessed = mimetypes.guess_type(filename)[0] or ""
    name = filename.lower()
    for item in (a.strip().lower() for a in accept.split(",")):
        if not item:
            continue
        if item.startswith(".") and name.endswith(item):
            return True
        if item.endswith("/*") and guessed.startswith(item[:-1]):
            return True
        if item == guessed:
            return True
    return False
