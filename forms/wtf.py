"""Schema -> WTForms form (cached per schema digest) -> a bound form that validates and cleans.

WTForms reads the posted form data: one field per input, named by its key path
(``mother.full_name``), and ``FieldList(FormField(...))`` for dynamic lists (``members-0-full_name``;
each row also posts ``members-0-_row`` so rows of empty checkboxes still count). The posted
values then go through forms/evaluate.py, the same code as JSON validation, so both agree.
A row button posts ``_action=add:<list name>`` or ``remove:<row name>``: the form comes back with
the row added or removed, ``validate()`` returns False, and no errors are shown.
"""

from __future__ import annotations

import copy
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from wtforms import fields as wtf_fields
from wtforms.form import BaseForm

from forms import messages
from forms.evaluate import Outcome, evaluate, get, merge, put, put_key, row_key
from forms.rules import Problem
from forms.schema import digest, parse
from forms.tree import DynamicList, Field, FormTree, Group, Node
from forms.values import VN_OFFSET

ACTION = "_action"
_ROWS = re.compile(r"\[\d+\]")
ROW_MARKER = "_row"
_CACHE_SIZE = 256
_cache: OrderedDict[str, FormSpec] = OrderedDict()
_lock = threading.Lock()


def local_today() -> date:
    """Today in Việt Nam: only the API boundary calls it, when the caller gives no ``today``."""
    return datetime.now(VN_OFFSET).date()


class MultiDictAdapter:
    """A plain mapping (value or list of values) seen as the MultiDict WTForms expects."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = {k: (list(v) if isinstance(v, list | tuple) else [v]) for k, v in data.items()}

    def __iter__(self) -> Iterable[str]:
        return iter(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __len__(self) -> int:
        return len(self._data)

    def getlist(self, key: str) -> list[Any]:
        return list(self._data.get(key, []))

    def get(self, key: str, default: Any = None) -> Any:
        values = self._data.get(key)
        return values[-1] if values else default


class _DateParts(wtf_fields.Field):  # type: ignore[misc]
    """A date (and time) typed in boxes: ``<name>-day``, ``-month``, ``-year`` (and ``-time``);
    a single ``<name>`` value ("27/03/2007", ISO) is accepted as well."""

    def process(self, formdata: Any, data: Any = None, extra_filters: Any = None) -> None:
        self.raw_data = []
        self.data: dict[str, str] | str | None = None
        if formdata is None:
            return
        parts = {p: formdata.getlist(f"{self.name}-{p}") for p in ("day", "month", "year", "time")}
        if any(parts.values()):
            self.data = {p: (v[0] if v and isinstance(v[0], str) else "") for p, v in parts.items()}
        elif formdata.getlist(self.name):
            value = formdata.getlist(self.name)[0]
            self.data = value if isinstance(value, str) else None
        self.raw_data = [self.data]


class _Values(wtf_fields.Field):  # type: ignore[misc]
    """Every posted value of a name (checkboxes of a checklist or taglist); options are checked later."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = list(valuelist)


def _unbound(f: Field) -> Any:
    if f.kind == "bool":
        return wtf_fields.BooleanField(false_values=(False, "false", "", "0", "off", "n", "no"))
    if f.kind == "multi":
        return _Values()
    if f.kind == "file":
        return wtf_fields.MultipleFileField()
    if f.kind == "date" and f.subtype in ("date", "datetime"):
        return _DateParts()
    return wtf_fields.StringField()


def _unbound_fields(nodes: tuple[Node, ...]) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for node in nodes:
        if isinstance(node, Group):
            out += _unbound_fields(node.children)
        elif isinstance(node, DynamicList):
            row = _row_form_class(_unbound_fields(node.children) + [(ROW_MARKER, wtf_fields.HiddenField())])
            out.append((".".join(node.path), wtf_fields.FieldList(wtf_fields.FormField(row),
                                                                  max_entries=node.max_rows + 1)))
        elif isinstance(node, Field):
            out.append((node.key, _unbound(node)))
    return out


def _row_form_class(unbound: list[tuple[str, Any]]) -> type[BaseForm]:
    class RowForm(BaseForm):  # type: ignore[misc]
        def __init__(self, formdata: Any = None, obj: Any = None, prefix: str = "", meta: Any = None,
                     **kwargs: Any) -> None:
            super().__init__(unbound, prefix=prefix)
            self.process(formdata, obj, **kwargs)

    return RowForm


def _raw(nodes: tuple[Node, ...], form: BaseForm, prefix: str, index: dict[str, Any]) -> dict[str, Any]:
    """The posted values, nested like the data, and an index error key -> WTForms field."""
    raw: dict[str, Any] = {}
    for node in nodes:
        if isinstance(node, Group):
            raw = merge(raw, _raw(node.children, form, prefix, index))
        elif isinstance(node, DynamicList):
            key = row_key(prefix, node.path)
            rows = [_raw(node.children, entry.form, f"{key}[{i}]", index)
                    for i, entry in enumerate(form[".".join(node.path)].entries)]
            put(raw, node.path, rows)
        elif isinstance(node, Field):
            field = form[node.key]
            index[row_key(prefix, node.path)] = field
            if node.kind == "bool":
                value: Any = bool(field.data)
            elif node.kind in ("multi", "file"):
                value = [v for v in field.raw_data if v is not None] if field.raw_data else []
            elif isinstance(field, _DateParts):
                value = field.data
            else:
                value = field.raw_data[0] if field.raw_data else None
            put(raw, node.path, value)
    return raw


class FormSpec:
    """A built form: the parsed tree and its WTForms fields. Build once (``build``), bind per request."""

    def __init__(self, tree: FormTree) -> None:
        self.tree = tree
        self.digest = tree.digest
        self.unbound = _unbound_fields(tree.nodes)
        self.by_key = _key_index(tree.nodes)

    def bind(self, formdata: Any = None, data: Mapping[str, Any] | None = None, lang: str = "vi",
             today: date | None = None) -> BoundForm:
        """``formdata``: the posted MultiDict (Starlette FormData, werkzeug MultiDict, or a dict),
        or None to show ``data`` (initial values: process variables, a saved draft)."""
        return BoundForm(self, formdata, data, lang, today or local_today())

    def with_files(self, data: Mapping[str, Any] | None, references: Mapping[str, Any]) -> dict[str, Any]:
        """Initial data (a draft) with kept file references put at their keys; keys inside rows are
        left out (a row may have moved since), as are keys that are not upload fields of this form."""
        out = copy.deepcopy(dict(data or {}))
        for key, value in references.items():
            node = self.by_key.get(key)
            if "[" not in key and isinstance(node, Field) and node.kind == "file":
                put_key(out, key, value)
        return out

    def wtform(self, formdata: Any = None) -> BaseForm:
        form = BaseForm(self.unbound)
        form.process(_multidict(formdata))
        return form


def _multidict(formdata: Any) -> Any:
    if formdata is None or hasattr(formdata, "getlist"):
        return formdata
    return MultiDictAdapter(formdata)


class BoundForm:
    """One request's form: posted or initial values, hide rules applied, validated on demand."""

    def __init__(self, spec: FormSpec, formdata: Any, data: Mapping[str, Any] | None, lang: str,
                 today: date) -> None:
        self.spec = spec
        self.lang = lang if lang in messages.LANGUAGES else "vi"
        self.today = today
        self.initial: Mapping[str, Any] = data if isinstance(data, Mapping) else {}
        self.posted = formdata is not None
        self.row_action: str | None = None
        self.fields: dict[str, Any] = {}
        self.wtform: BaseForm | None = None
        if self.posted:
            self.wtform = spec.wtform(formdata)
            self.raw: dict[str, Any] = _raw(spec.tree.nodes, self.wtform, "", self.fields)
            action = _multidict(formdata).get(ACTION)
            if isinstance(action, str) and action:
                self.row_action = action
                _apply_row_action(spec.tree.nodes, self.raw, "", action)
        else:
            self.raw = dict(self.initial)
        self.outcome: Outcome = evaluate(spec.tree, self.raw, "form" if self.posted else "json", self.initial,
                                         today)
        self._validated = False
        self._errors: dict[str, list[str]] | None = None

    def validate(self) -> bool:
        """True when the data is valid and complete (a row button press is never a submit)."""
        self._validated = True
        for key, messages_ in self.errors.items():
            field = self.fields.get(key)
            if field is not None:
                field.errors = list(messages_)
        return not self.outcome.errors and self.row_action is None

    @property
    def shows_errors(self) -> bool:
        return self._validated and self.row_action is None

    @property
    def problems(self) -> dict[str, list[Problem]]:
        """Errors as codes: ``{key path: [(code, params)]}``."""
        return self.outcome.errors

    def failed_rules(self) -> list[tuple[str, str]]:
        """Each failed (field key without row indexes, rule code), once: what failed, never the value."""
        return sorted({(_ROWS.sub("", key), code) for key, found in self.outcome.errors.items() for code, _ in found})

    @property
    def errors(self) -> dict[str, list[str]]:
        """Errors as text in ``lang``: ``{key path: [message]}``."""
        if self._errors is None:
            self._errors = {key: [self._message(key, p) for p in problems]
                            for key, problems in self.outcome.errors.items()}
        return self._errors

    @property
    def data(self) -> dict[str, Any]:
        """The clean nested data form-js would submit; hidden and disabled fields left out."""
        return self.outcome.data

    @property
    def files(self) -> dict[str, list[Any]]:
        """Uploads by key path (the data holds None there until the web layer stores them)."""
        return self.outcome.files

    def with_files(self, references: Mapping[str, Any]) -> dict[str, Any]:
        """A copy of ``data`` with stored-file references put at their ``files`` keys (rows too)."""
        data = copy.deepcopy(self.outcome.data)
        for key, value in references.items():
            put_key(data, key, value)
        return data

    def refuse(self, problems: Mapping[str, list[Problem]]) -> None:
        """Add problems found outside the form (an upload whose content the store refused), by key
        path; they show inline and in the summary like the form's own, and ``validate()`` fails."""
        for key, found in problems.items():
            self.outcome.errors.setdefault(key, []).extend(found)
        self._errors = None

    def visible(self, component_id: str, rows: tuple[int, ...] = ()) -> bool:
        return self.outcome.visible(component_id, rows)

    def _message(self, key: str, problem: Problem) -> str:
        node = self.spec.by_key.get(_ROWS.sub("", key))
        label = node.label if node else ""
        kind = node.kind if isinstance(node, Field) else "text"
        name = node.error_name if isinstance(node, Field) else ""
        return messages.message(problem[0], problem[1], kind=kind, label=label, error_name=name, lang=self.lang)


def _key_index(nodes: tuple[Node, ...], prefix: str = "") -> dict[str, Field | DynamicList]:
    """Fields and lists by error key with the rows' indexes left out (``members.name``)."""
    index: dict[str, Field | DynamicList] = {}
    for node in nodes:
        if isinstance(node, Group):
            index.update(_key_index(node.children, prefix))
        elif isinstance(node, Field | DynamicList):
            key = prefix + ".".join(node.path)
            index[key] = node
            if isinstance(node, DynamicList):
                index.update(_key_index(node.children, key + "."))
    return index


def _apply_row_action(nodes: tuple[Node, ...], raw: dict[str, Any], prefix: str, action: str) -> None:
    verb, _, target = action.partition(":")
    for node in nodes:
        if isinstance(node, Group):
            _apply_row_action(node.children, raw, prefix, action)
        elif isinstance(node, DynamicList):
            name = f"{prefix}-{'.'.join(node.path)}" if prefix else ".".join(node.path)
            rows = get(raw, node.path)
            rows = rows if isinstance(rows, list) else []
            if verb == "add" and target == name and node.allow_add_remove and len(rows) < node.max_rows:
                rows.append({})
            for i, row in enumerate(list(rows)):
                if verb == "remove" and target == f"{name}-{i}" and node.allow_add_remove:
                    rows.pop(i)
                    break
                _apply_row_action(node.children, row, f"{name}-{i}", action)
            put(raw, node.path, rows)


def build(schema: Any) -> FormSpec:
    """The FormSpec of a schema, cached by its digest; raises SchemaInvalid (see check_schema)."""
    key = digest(schema)
    with _lock:
        spec = _cache.get(key)
        if spec is not None:
            _cache.move_to_end(key)
            return spec
    spec = FormSpec(parse(schema))
    with _lock:
        _cache[key] = spec
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return spec


def check_data(schema: Any, data: Mapping[str, Any], today: date | None = None) -> Outcome:
    """Validate JSON ``data`` (typed values, as form-js submits) against ``schema``."""
    spec = build(schema)
    return evaluate(spec.tree, data if isinstance(data, Mapping) else {}, "json", data, today or local_today())


def validate_data(schema: Any, data: Mapping[str, Any], lang: str = "vi",
                  today: date | None = None) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """JSON API validation: ``(clean nested data, {key path: [messages in lang]})``."""
    spec = build(schema)
    bound = BoundForm(spec, None, data if isinstance(data, Mapping) else {}, lang, today or local_today())
    return bound.data, bound.errors
