"""Read a form-js schema (schemaVersion 19) into a FormTree, listing what we cannot honour.

``check_schema(schema)`` returns problems ``{"component": id, "message": text}`` (empty: the server
renderer honours everything in it); the engine calls it when an admin publishes a form.
``parse(schema)`` returns the FormTree or raises SchemaInvalid. Both run the same single pass.
What is supported is documented in forms/__init__.py; what each type may carry is in
forms/components.py.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from forms import components, rules
from forms.errors import FeelUnsupported, SchemaInvalid
from forms.feel import Expression, compile_expression, is_expression
from forms.jsregex import PatternUnsupported, compile_js
from forms.tree import VN_TYPES, DynamicList, Field, FormTree, Group, Layout, Node, Option, Path

SCHEMA_VERSION = 19
MAX_ROWS = 50
_SEGMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_FEEL_WORDS = {"true", "false", "null", "and", "or", "not", "if", "then", "else", "for", "in", "return", "some",
               "every", "satisfies", "between", "instance", "function"}
_TIME_FORMATS = {"utc_offset", "utc_normalized", "no_timezone"}


def digest(schema: Any) -> str:
    """sha256 of the canonical JSON (sorted keys, no spaces): the cache key of a schema."""
    canonical = json.dumps(schema, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_schema(schema: Any) -> list[dict[str, str]]:
    """Everything in ``schema`` the server renderer cannot honour, as {component, message}."""
    return _Reader(schema).read()[1]


def parse(schema: Any) -> FormTree:
    tree, problems = _Reader(schema).read()
    if problems or tree is None:
        raise SchemaInvalid(problems)
    return tree


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | str):
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


class _Reader:
    def __init__(self, schema: Any) -> None:
        self.schema = schema
        self.problems: list[dict[str, str]] = []
        self.ids: set[str] = set()

    def problem(self, component: str, message: str) -> None:
        self.problems.append({"component": component, "message": message})

    def read(self) -> tuple[FormTree | None, list[dict[str, str]]]:
        schema = self.schema
        if not isinstance(schema, dict):
            self.problem("", "the form schema must be a JSON object")
            return None, self.problems
        if schema.get("type", "default") != "default":
            self.problem("", f"the form type must be 'default', not {schema.get('type')!r}")
        version = schema.get("schemaVersion", SCHEMA_VERSION)
        if isinstance(version, bool) or not isinstance(version, int) or version > SCHEMA_VERSION:
            self.problem("", f"schemaVersion {version!r} is not supported (up to {SCHEMA_VERSION})")
        comps = schema.get("components")
        if not isinstance(comps, list):
            self.problem("", "the form schema needs a 'components' list")
            return None, self.problems
        nodes = self.read_components(comps, (), {})
        form_id = schema["id"] if isinstance(schema.get("id"), str) else ""
        return FormTree(form_id, nodes, digest(schema)), self.problems

    def read_components(self, comps: list[Any], prefix: Path, scope: dict[Path, str]) -> tuple[Node, ...]:
        nodes: list[Node] = []
        for index, comp in enumerate(comps):
            node = self.component(comp, index, prefix, scope)
            if node is not None:
                nodes.append(node)
        return tuple(nodes)

    def component(self, comp: Any, index: int, prefix: Path, scope: dict[Path, str]) -> Node | None:
        if not isinstance(comp, dict):
            self.problem("", f"component #{index + 1} is not an object")
            return None
        cid = comp.get("id")
        if not isinstance(cid, str) or not cid:
            cid = f"#{index + 1}"
            self.problem(cid, f"component #{index + 1} ({comp.get('type')!r}) has no id")
        elif cid in self.ids:
            self.problem(cid, f"the id {cid!r} is used twice")
        self.ids.add(cid)
        ctype = components.get(comp.get("type"))
        if ctype is None:
            self.problem(cid, f"unknown component type {comp.get('type')!r}")
            return None
        if ctype.role == "unsupported":
            self.problem(cid, ctype.reason)
            return None
        for prop in comp:
            if prop in components.REFUSED:
                self.problem(cid, components.REFUSED[prop])
            elif prop not in ctype.allowed():
                self.problem(cid, f"the property {prop!r} is not supported on a {ctype.name}")
        label = self.text(cid, comp, "label")
        hide = self.hide(cid, comp.get("conditional"))
        props = self.custom_properties(cid, comp.get("properties"))
        if not isinstance(comp.get("layout", {}), dict):
            self.problem(cid, "'layout' must be an object")
        if ctype.role == "layout":
            return self.layout(cid, comp, label, hide)
        if ctype.name == "group":
            path = self.path(cid, comp.get("path"), "path", optional=True)
            children = self.children(cid, comp, prefix + path, scope)
            return Group(cid, "group", label, hide, prefix + path, children, comp.get("showOutline", True) is not False)
        if ctype.name == "dynamiclist":
            return self.dynamic_list(cid, comp, label, hide, prefix, scope)
        return self.field(cid, comp, ctype, label, hide, props, prefix, scope)

    def children(self, cid: str, comp: dict[str, Any], prefix: Path, scope: dict[Path, str]) -> tuple[Node, ...]:
        comps = comp.get("components", [])
        if not isinstance(comps, list):
            self.problem(cid, "'components' must be a list")
            return ()
        return self.read_components(comps, prefix, scope)

    def dynamic_list(self, cid: str, comp: dict[str, Any], label: str, hide: Expression | None, prefix: Path,
                     scope: dict[Path, str]) -> DynamicList:
        path = self.path(cid, comp.get("path"), "path", optional=False)
        self.claim(cid, prefix + path, scope)
        if comp.get("isRepeating", True) is not True:
            self.problem(cid, "a dynamiclist must have isRepeating: true")
        rows = comp.get("defaultRepetitions", 0)  # absent: an optional list starts empty (form-js shows 1)
        if isinstance(rows, bool) or not isinstance(rows, int) or not 0 <= rows <= MAX_ROWS:
            self.problem(cid, f"defaultRepetitions must be a whole number from 0 to {MAX_ROWS}")
            rows = 0
        props = comp.get("properties")
        min_rows = props.get("motcua:minRows", "0") if isinstance(props, dict) else "0"
        if not (isinstance(min_rows, str) and min_rows.isdigit() and int(min_rows) <= MAX_ROWS):
            self.problem(cid, f"motcua:minRows must be a whole number from 0 to {MAX_ROWS}")
            min_rows = "0"
        for prop in ("allowAddRemove", "disableCollapse", "showOutline"):
            if not isinstance(comp.get(prop, True), bool):
                self.problem(cid, f"{prop!r} must be true or false")
        nested = self.children(cid, comp, (), {})
        return DynamicList(cid, "dynamiclist", label, hide, prefix + path, nested, rows,
                           comp.get("allowAddRemove", True) is not False, MAX_ROWS, int(min_rows))

    def layout(self, cid: str, comp: dict[str, Any], label: str, hide: Expression | None) -> Layout:
        text = self.text(cid, comp, "text")
        if comp["type"] == "button" and comp.get("action", "submit") != "submit":
            self.problem(cid, "only submit buttons are supported (a reset button needs JavaScript)")
        height = comp.get("height")
        if height is not None and (isinstance(height, bool) or not isinstance(height, int) or height < 0):
            self.problem(cid, "'height' must be a whole number of pixels")
            height = None
        return Layout(cid, comp["type"], label, hide, text, height)

    def field(self, cid: str, comp: dict[str, Any], ctype: components.ComponentType, label: str,
              hide: Expression | None, props: dict[str, str], prefix: Path, scope: dict[Path, str]) -> Field | None:
        key = self.path(cid, comp.get("key"), "key", optional=False)
        self.claim(cid, prefix + key, scope)
        description = self.text(cid, comp, "description")
        subtype = comp.get("subtype", "date") if ctype.name == "datetime" else ""
        if not label and ctype.name == "datetime":
            label = next((v for v in (comp.get("dateLabel"), comp.get("timeLabel")) if isinstance(v, str) and v), "")
        if not label:
            self.problem(cid, "every input needs a label (screen readers read it)")
        for flag in ("disabled",):
            if not isinstance(comp.get(flag, False), bool):
                self.problem(cid, f"{flag!r} must be true or false (FEEL is not supported there)")
        readonly: bool | Expression = False
        if is_expression(comp.get("readonly")):
            readonly = self.feel(cid, comp["readonly"], "readonly") or False
        elif not isinstance(comp.get("readonly", False), bool):
            self.problem(cid, "'readonly' must be true, false or a FEEL expression")
        else:
            readonly = bool(comp.get("readonly", False))
        validate = self.validate(cid, comp.get("validate", {}), ctype)
        vn_type = props.get("motcua:type")
        if vn_type and not (ctype.name == "textfield" or (vn_type == "date_of_birth" and subtype == "date")):
            self.problem(cid, f"motcua:type {vn_type!r} fits a textfield (date_of_birth also a date field), "
                              f"not a {ctype.name}")
        extra = self.type_properties(cid, comp, ctype.name)
        pattern = None
        if isinstance(validate.get("pattern"), str) and validate["pattern"]:
            try:
                pattern = compile_js(validate["pattern"])
            except PatternUnsupported as exc:
                self.problem(cid, f"validate.pattern: {exc}")
        appearance = comp.get("appearance", {})
        if not isinstance(appearance, dict) or not all(isinstance(v, str) for v in appearance.values()):
            self.problem(cid, "'appearance' must map prefixAdorner/suffixAdorner to text")
            appearance = {}
        for name, value in appearance.items():
            self.plain_text(cid, f"appearance.{name}", value)
        options = self.options(cid, comp) if ctype.value in ("choice", "multi") else ()
        f = Field(cid, ctype.name, label, hide, ctype, prefix + key, description, validate.get("required") is True,
                  validate, vn_type, props.get("motcua:errorName", ""), readonly, comp.get("disabled") is True,
                  options, comp.get("defaultValue"), "defaultValue" in comp, pattern, subtype, appearance=appearance,
                  properties=props, **extra)
        if "defaultValue" in comp and comp["defaultValue"] is not None:
            loose = replace(f, required=False, disallow_past=False, vn_type=None, pattern=None, rules={})
            _, bad = rules.clean(loose, comp["defaultValue"], "json", date.min)
            if bad:
                self.problem(cid, f"defaultValue {comp['defaultValue']!r} does not fit a {ctype.name} ({bad[0][0]})")
        return f

    def type_properties(self, cid: str, comp: dict[str, Any], name: str) -> dict[str, Any]:
        extra: dict[str, Any] = {}
        if name == "number":
            digits = comp.get("decimalDigits")
            if digits is not None and (isinstance(digits, bool) or not isinstance(digits, int)
                                       or not 0 <= digits <= 20):
                self.problem(cid, "decimalDigits must be a whole number from 0 to 20")
                digits = None
            increment = comp.get("increment")
            if increment not in (None, "") and ((_number(increment) or 0) <= 0):
                self.problem(cid, "increment must be a positive number")
                increment = None
            extra.update(decimal_digits=digits, increment=increment or None,
                         serialize_to_string=comp.get("serializeToString") is True)
        elif name == "datetime":
            if comp.get("subtype", "date") not in ("date", "time", "datetime"):
                self.problem(cid, "subtype must be date, time or datetime")
            fmt = comp.get("timeSerializingFormat", "utc_offset")
            if fmt not in _TIME_FORMATS:
                self.problem(cid, f"timeSerializingFormat must be one of {sorted(_TIME_FORMATS)}")
                fmt = "utc_offset"
            for prop in ("dateLabel", "timeLabel"):
                self.text(cid, comp, prop)
            extra.update(time_format=fmt, disallow_past=comp.get("disallowPassedDates") is True,
                         time_label=comp.get("timeLabel") if isinstance(comp.get("timeLabel"), str) else "")
        elif name == "filepicker":
            accept, multiple = comp.get("accept", ""), comp.get("multiple", False)
            if not isinstance(accept, str) or is_expression(accept):
                self.problem(cid, "'accept' must be plain text such as '.pdf,image/*'")
                accept = ""
            if not isinstance(multiple, bool):
                self.problem(cid, "'multiple' must be true or false (FEEL is not supported there)")
                multiple = False
            extra.update(accept=accept, multiple=multiple)
        return extra

    def validate(self, cid: str, validate: Any, ctype: components.ComponentType) -> dict[str, Any]:
        if not isinstance(validate, dict):
            self.problem(cid, "'validate' must be an object")
            return {}
        out: dict[str, Any] = {}
        for rule, value in validate.items():
            if rule not in ctype.rules:
                self.problem(cid, f"the rule validate.{rule} is not supported on a {ctype.name}")
            elif is_expression(value):
                self.problem(cid, f"FEEL in validate.{rule} is not supported")
            elif rule == "required" and not isinstance(value, bool):
                self.problem(cid, "validate.required must be true or false")
            elif rule in ("minLength", "maxLength") and (_number(value) is None or _number(value) != int(
                    _number(value) or 0) or (_number(value) or 0) < 0):
                self.problem(cid, f"validate.{rule} must be a whole number")
            elif rule in ("min", "max") and value is not None and value != "" and _number(value) is None:
                self.problem(cid, f"validate.{rule} must be a number")
            elif rule == "validationType" and value not in ("email", "phone", "custom", "", None):
                self.problem(cid, f"validate.validationType {value!r} is not supported (email or phone)")
            elif rule in ("pattern", "patternErrorMessage") and not isinstance(value, str):
                self.problem(cid, f"validate.{rule} must be text")
            else:
                out[rule] = value
        if out.get("pattern") and not str(out.get("patternErrorMessage") or "").strip():
            self.problem(cid, "validate.pattern needs a patternErrorMessage that tells the citizen what to type")
        return out

    def options(self, cid: str, comp: dict[str, Any]) -> tuple[Option, ...]:
        raw = comp.get("values")
        if "valuesKey" in comp or "valuesExpression" in comp:
            return ()
        if not isinstance(raw, list) or not raw:
            self.problem(cid, f"a {comp['type']} needs its options listed in 'values'")
            return ()
        options: list[Option] = []
        for item in raw:
            if not isinstance(item, dict) or "value" not in item or isinstance(item["value"], list | dict) \
                    or item["value"] is None:
                self.problem(cid, "each option needs a value (text or a number)")
                continue
            value = item["value"]
            token = value if isinstance(value, str) else json.dumps(value)
            if any(o.token == token for o in options):
                self.problem(cid, f"the option value {value!r} is listed twice")
                continue
            label = item.get("label", token)
            if not isinstance(label, str) or is_expression(label):
                self.problem(cid, "option labels must be plain text")
                label = token
            options.append(Option(label, value, token))
        return tuple(options)

    def path(self, cid: str, raw: Any, what: str, optional: bool) -> Path:
        if raw in (None, "") and optional:
            return ()
        if not isinstance(raw, str) or not raw:
            self.problem(cid, f"a {what} is required")
            return (f"_{cid}",)
        parts = tuple(raw.split("."))
        for part in parts:
            if not _SEGMENT.match(part) or part in _FEEL_WORDS:
                self.problem(cid, f"the {what} {raw!r} must be names of letters, digits and _ joined by dots "
                                  "(not FEEL keywords)")
                return (f"_{cid}",)
        return parts

    def claim(self, cid: str, path: Path, scope: dict[Path, str]) -> None:
        for other, owner in scope.items():
            if other == path or other[:len(path)] == path or path[:len(other)] == other:
                self.problem(cid, f"the data path {'.'.join(path)!r} collides with {owner!r} "
                                  f"({'.'.join(other)!r})")
                return
        scope[path] = cid

    def hide(self, cid: str, conditional: Any) -> Expression | None:
        if conditional in (None, {}):
            return None
        if not isinstance(conditional, dict) or set(conditional) - {"hide"}:
            self.problem(cid, "'conditional' may only hold a 'hide' rule")
            return None
        rule = conditional.get("hide")
        if rule in (None, ""):
            return None
        if not is_expression(rule):
            self.problem(cid, "the hide rule must be a FEEL expression starting with '='")
            return None
        return self.feel(cid, rule, "hide rule")

    def feel(self, cid: str, source: str, what: str) -> Expression | None:
        try:
            return compile_expression(source)
        except FeelUnsupported as exc:
            self.problem(cid, f"{what} {source!r}: {exc.message}")
            return None

    def text(self, cid: str, comp: dict[str, Any], prop: str) -> str:
        value = comp.get(prop, "")
        if value is None:
            return ""
        if not isinstance(value, str):
            self.problem(cid, f"{prop!r} must be text")
            return ""
        self.plain_text(cid, prop, value)
        return value

    def plain_text(self, cid: str, prop: str, value: str) -> None:
        if is_expression(value):
            self.problem(cid, f"FEEL in {prop!r} is not supported: write plain text")
        elif "{{" in value:
            self.problem(cid, f"templates ({{{{ … }}}}) in {prop!r} are not supported: write plain text")

    def custom_properties(self, cid: str, props: Any) -> dict[str, str]:
        if props in (None, {}):
            return {}
        if not isinstance(props, dict) or not all(isinstance(v, str) for v in props.values()):
            self.problem(cid, "custom 'properties' must map names to text")
            return {}
        vn_type = props.get("motcua:type")
        if vn_type is not None and vn_type not in VN_TYPES:
            self.problem(cid, f"motcua:type {vn_type!r} is unknown (one of {', '.join(sorted(VN_TYPES))})")
            return {k: v for k, v in props.items() if k != "motcua:type"}
        return dict(props)
