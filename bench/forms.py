"""Generated-forms benchmark: render + validate a 60-field form; prints figures, it is not a test.

    python bench/forms.py [--runs N] [--fields F]

The schema is generated: mixed types (text, Vietnamese ID/phone, textarea, number, checkbox,
radio, select, checklist, date boxes, time), 3 groups, one dynamic list of 3 rows, and a few hide
rules. One request = bind the posted form, validate it, and render it again with its errors (the
worst case: an invalid post). Also timed: a valid post, a first GET render, JSON validation, and
the one-off build (parse + check + WTForms classes), which is cached per schema digest.
"""

from __future__ import annotations

# ruff: noqa: E402
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if __name__ == "__main__":  # `python bench/forms.py` puts bench/ first on sys.path, where this file
    # would shadow the `forms` package: put the repository root there instead.
    sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from forms import build, render, validate_data
from forms.schema import parse
from forms.wtf import FormSpec

TODAY = date(2026, 11, 25)
OPTIONS = [{"label": f"Lựa chọn {i}", "value": f"v{i}"} for i in range(6)]


def _field(i: int) -> tuple[dict[str, Any], Any, Any]:
    """(component, valid posted value, valid JSON value) for field number i."""
    key, label = f"f{i}", f"Trường số {i}"
    kinds: list[tuple[dict[str, Any], Any, Any]] = [
        ({"type": "textfield", "validate": {"required": True, "minLength": 2, "maxLength": 100}}, "Nguyễn Văn An",
         "Nguyễn Văn An"),
        ({"type": "textfield", "properties": {"motcua:type": "cccd"}, "validate": {"required": True}},
         "001 195 012 345", "001195012345"),
        ({"type": "textfield", "properties": {"motcua:type": "phone"}}, "+84 912 345 678", "0912345678"),
        ({"type": "textarea", "validate": {"maxLength": 2000}}, "Ghi chú\r\ndòng hai", "Ghi chú"),
        ({"type": "number", "decimalDigits": 0, "validate": {"min": 0, "max": 10**12}}, "100.000", 100000),
        ({"type": "checkbox"}, "true", True),
        ({"type": "radio", "values": OPTIONS[:3], "validate": {"required": True}}, "v1", "v1"),
        ({"type": "select", "values": OPTIONS, "validate": {"required": True}}, "v2", "v2"),
        ({"type": "checklist", "values": OPTIONS}, ["v0", "v3"], ["v0", "v3"]),
        ({"type": "datetime", "subtype": "date", "validate": {"required": True}},
         {"day": "27", "month": "3", "year": "2007"}, "2007-03-27"),
        ({"type": "textfield", "validate": {"pattern": "^[A-Z]{2}-\\d+$", "patternErrorMessage": "Dạng AB-123"}},
         "AB-123", "AB-123"),
        ({"type": "datetime", "subtype": "time"}, "16h00", "16:00"),
    ]
    comp, posted, value = kinds[i % len(kinds)]
    comp = {"id": f"Field_{i}", "key": key, "label": label, **comp}
    if i % 9 == 4:  # a few hide rules on earlier answers
        comp["conditional"] = {"hide": f"=f{i - 1} = false or f{i - 4} < 10"}
    return comp, posted, value


def workload(fields: int) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(schema, valid posted form data, valid JSON data) with ``fields`` inputs in total."""
    comps: list[dict[str, Any]] = [{"id": "Text_intro", "type": "text", "text": "# Tờ khai\n\nĐiền **đủ** thông tin."}]
    form_data: dict[str, Any] = {}
    json_data: dict[str, Any] = {}
    row_fields = 3
    top = fields - row_fields
    groups: list[list[dict[str, Any]]] = [[], [], [], []]
    for i in range(top):
        comp, posted, value = _field(i)
        groups[i * 4 // top].append(comp)
        if isinstance(posted, dict):
            form_data.update({f"f{i}-{k}": v for k, v in posted.items()})
        else:
            form_data[f"f{i}"] = posted
        json_data[f"f{i}"] = value
    comps += groups[0]
    comps += [{"id": f"Group_{g}", "type": "group", "label": f"Nhóm {g}", "components": groups[g]} for g in (1, 2, 3)]
    rows = [_field(100 + j) for j in range(row_fields)]
    comps.append({"id": "List_members", "type": "dynamiclist", "label": "Thành viên", "path": "members",
                  "isRepeating": True, "defaultRepetitions": 1,
                  "components": [{**c, "id": f"Row_{c['id']}", "conditional": {}} for c, _, _ in rows]})
    json_data["members"] = []
    for r in range(3):
        form_data[f"members-{r}-_row"] = "1"
        row: dict[str, Any] = {}
        for c, posted, value in rows:
            if isinstance(posted, dict):
                form_data.update({f"members-{r}-{c['key']}-{k}": v for k, v in posted.items()})
            else:
                form_data[f"members-{r}-{c['key']}"] = posted
            row[c["key"]] = value
        json_data["members"].append(row)
    return {"type": "default", "id": "Form_bench", "schemaVersion": 19, "components": comps}, form_data, json_data


def median_ms(fn: Callable[[], object], runs: int) -> float:
    fn()  # warm up (caches, template compilation)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--fields", type=int, default=60)
    args = parser.parse_args()
    schema, valid_post, valid_json = workload(args.fields)
    spec = build(schema)
    inputs = sum(1 for n in spec.tree.walk() if hasattr(n, "kind"))
    invalid_post = {k: ("" if isinstance(v, str) else v) for k, v in valid_post.items()}
    assert spec.bind(valid_post, None, today=TODAY).validate(), spec.bind(valid_post, None, today=TODAY).errors
    assert not spec.bind(invalid_post, None, today=TODAY).validate()

    def request(formdata: dict[str, Any]) -> Callable[[], object]:
        def run() -> object:
            bound = spec.bind(formdata, None, today=TODAY)
            bound.validate()
            return render(bound)
        return run

    figures = {
        "render + validate, invalid post (errors shown)": median_ms(request(invalid_post), args.runs),
        "render + validate, valid post": median_ms(request(valid_post), args.runs),
        "render only, first GET": median_ms(lambda: render(spec.bind(None, None, today=TODAY)), args.runs),
        "validate_data, JSON": median_ms(lambda: validate_data(schema, valid_json, today=TODAY), args.runs),
        "build uncached (parse + check + WTForms classes)": median_ms(lambda: FormSpec(parse(schema)),
                                                                      max(args.runs // 4, 5)),
    }
    print(f"{inputs} inputs ({args.fields - 3} top-level + 3 per list row x 3 rows), median of {args.runs} runs")
    for name, value in figures.items():
        print(f"  {name:50s} {value:7.2f} ms")


if __name__ == "__main__":
    main()
