"""A dossier's data as the application form shows it: labels, groups, choice labels, dd/mm/yyyy
dates, Có/Không, file names (pure: the schema and the data in, page lines out)."""

from __future__ import annotations

import gettext
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from web.documents import LOCAL_TZ

YesNo = tuple[str, str]
CHOICES = ("select", "radio", "checklist", "taglist")
LAYOUT = ("text", "separator", "spacer", "html", "image", "button", "iframe", "table")


@dataclass(frozen=True)
class Fact:
    label: str
    value: str
    key: str


@dataclass
class FactGroup:
    label: str | None  # None: the form's top-level fields (and data the form does not know)
    facts: list[Fact] = field(default_factory=list)


def _day(value: Any) -> str | None:
    try:
        if isinstance(value, datetime):
            parsed: date | datetime = value
        elif isinstance(value, date):
            parsed = value
        else:
            text = str(value)
            parsed = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
    except ValueError:
        return None
    if isinstance(parsed, datetime):
        local = parsed.astimezone(LOCAL_TZ) if parsed.tzinfo else parsed
        return local.strftime("%d/%m/%Y %H:%M")
    return parsed.strftime("%d/%m/%Y")


def _plain(value: Any, yes_no: YesNo) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return yes_no[0] if value else yes_no[1]
    if isinstance(value, dict):
        return str(value.get("name") or ", ".join(f"{k}: {_plain(v, yes_no)}" for k, v in value.items()))
    if isinstance(value, list):
        return ", ".join(_plain(v, yes_no) for v in value) or "—"
    return str(value)


def format_value(component: dict[str, Any], value: Any, yes_no: YesNo = ("Có", "Không")) -> str:
    """One value as the form's component shows it."""
    kind = component.get("type")
    if value is None or value == "" or value == []:
        return "—"
    if kind in CHOICES and component.get("values"):
        labels = {str(v.get("value")): str(v.get("label", v.get("value"))) for v in component["values"]}
        items = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(str(v), str(v)) for v in items)
    if kind == "checkbox" or isinstance(value, bool):
        return yes_no[0] if value else yes_no[1]
    if kind == "datetime" or (kind is None and isinstance(value, str) and _day(value)):
        return _day(value) or str(value)
    if kind == "filepicker":
        items = value if isinstance(value, list) else [value]
        return ", ".join(str(v.get("name", "?")) if isinstance(v, dict) else str(v) for v in items)
    return _plain(value, yes_no)


def _label(component: dict[str, Any]) -> str:
    return str(component.get("label") or component.get("dateLabel") or component.get("key") or "")


def _walk(components: list[dict[str, Any]], data: dict[str, Any], group: FactGroup, groups: list[FactGroup],
          used: set[str], prefix: str, yes_no: YesNo) -> None:
    for c in components:
        kind, key, path = c.get("type"), c.get("key"), c.get("path")
        if kind in ("group", "dynamiclist") or c.get("components"):
            inner_data = data.get(path, {}) if path else data
            if path:
                used.add(prefix + path)
            sub = FactGroup(_label(c) or None)
            groups.append(sub)
            if kind == "dynamiclist" and isinstance(inner_data, list):
                for i, item in enumerate(inner_data, start=1):
                    row = FactGroup(f"{sub.label or path} ({i})")
                    groups.append(row)
                    _walk(c.get("components", []), item if isinstance(item, dict) else {}, row, groups,
                          set(), f"{prefix}{path}[{i}].", yes_no)
            elif isinstance(inner_data, dict):
                _walk(c.get("components", []), inner_data, sub, groups, used if not path else set(),
                      f"{prefix}{path}." if path else prefix, yes_no)
            continue
        if not key or kind in LAYOUT:
            continue
        used.add(prefix + key)
        if key in data:
            group.facts.append(Fact(_label(c), format_value(c, data[key], yes_no), prefix + key))


def facts(schema: dict[str, Any] | None, data: dict[str, Any], tr: gettext.NullTranslations,
          step_forms: Sequence[dict[str, Any]] = ()) -> list[FactGroup]:
    """The data grouped and labelled by `schema` (the application form); what the steps' forms
    recorded (`step_forms`: decisions, opinions) next, with their labels; keys no form knows last."""
    yes_no = (tr.pgettext("answer", "Có"), tr.pgettext("answer", "Không"))
    top = FactGroup(None)
    groups: list[FactGroup] = [top]
    used: set[str] = set()
    if schema:
        _walk(schema.get("components", []), data, top, groups, used, "", yes_no)
    seen, answers = set(used), []
    for form in step_forms:
        for c in form.get("components", []):
            if c.get("key") and c["key"] not in seen and c.get("type") not in LAYOUT:
                seen.add(c["key"])
                answers.append(c)
    if answers:
        steps = FactGroup(tr.gettext("Kết quả xử lý các bước"))
        groups.append(steps)
        _walk(answers, data, steps, groups, used, "", yes_no)
    rest = FactGroup(tr.gettext("Dữ liệu khác") if schema else None)
    for key, value in data.items():
        if key not in used:
            rest.facts.append(Fact(key, _plain(value, yes_no), key))
    groups.append(rest)
    return [g for g in groups if g.facts]
