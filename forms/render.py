"""Bound form -> accessible HTML (Jinja2 macros in forms/templates/forms/_macros.html).

This module builds the page context (views with ids, names, shown values, hints and error text
precomputed); the macros only format it. Output works without JavaScript: hidden components are
simply not rendered (hide rules are re-evaluated when the form posts back), dynamic lists have
"add"/"remove" submit buttons, uploads are plain ``<input type=file>`` (the page's ``<form>`` needs
``enctype="multipart/form-data"`` when ``needs_multipart(bound)``). The page supplies ``<form>``,
the CSRF token and the main submit button; styles are forms/static/forms/forms.css.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from forms import messages, values
from forms.client import Rules, field_data
from forms.evaluate import get, has, row_key
from forms.markdown import render_markdown
from forms.tree import DynamicList, Field, Group, Layout, Node
from forms.wtf import ACTION, ROW_MARKER, BoundForm

_AUTOCOMPLETE = re.compile(r"^[a-z0-9 -]{1,60}$")


@dataclass
class FieldView:
    id: str
    name: str
    widget: str
    label: str
    optional: bool
    hint: str = ""
    format_hint: str = ""
    error: str = ""
    value: str = ""
    checked: bool = False
    options: list[dict[str, Any]] = field(default_factory=list)
    parts: dict[str, str] = field(default_factory=dict)
    attrs: dict[str, str] = field(default_factory=dict)
    prefix: str = ""
    suffix: str = ""
    readonly: bool = False
    disabled: bool = False
    current_file: str = ""
    focus_id: str = ""
    multiple: bool = False
    parts_labels: dict[str, str] = field(default_factory=dict)
    replace_hint: str = ""
    hide: str = ""  # the client rule (forms/client.py), JSON text
    hidden: bool = False
    data: dict[str, str] = field(default_factory=dict)  # data-mc-* attributes hide.js reads

    @property
    def describedby(self) -> str:
        ids = [f"{self.id}-hint"] if self.hint or self.format_hint else []
        return " ".join(ids + ([f"{self.id}-error"] if self.error else []))


@dataclass
class ContainerView:
    id: str
    kind: str  # group, list, row, layout
    label: str = ""
    children: list[Any] = field(default_factory=list)
    outline: bool = True
    error: str = ""
    add: dict[str, str] | None = None
    remove: dict[str, str] | None = None
    marker: str = ""
    html: Markup = Markup("")
    type: str = ""
    height: int | None = None
    hide: str = ""
    hidden: bool = False


@dataclass
class FormView:
    lang: str
    summary_title: str
    error_prefix: str
    errors: list[dict[str, str]]
    children: list[Any]
    default_submit: bool
    texts: dict[str, str]


@cache
def environment() -> Environment:
    """The Jinja2 environment of forms/templates (autoescaped). A web layer may use its own
    environment instead: add forms/templates to its loader and import forms/_macros.html."""
    return Environment(loader=PackageLoader("forms", "templates"), autoescape=select_autoescape(default=True),
                       trim_blocks=True, lstrip_blocks=True)


def html_id(name: str) -> str:
    return "f-" + name.replace(".", "-")


def needs_multipart(bound: BoundForm) -> bool:
    return any(isinstance(n, Field) and n.kind == "file" for n in bound.spec.tree.walk())


class _Builder:
    def __init__(self, bound: BoundForm) -> None:
        self.bound = bound
        self.lang = bound.lang
        self.errors = bound.errors if bound.shows_errors else {}
        self.summary: list[dict[str, str]] = []
        self.sections: list[str] = []  # labels of the groups and rows around the current node
        self.rules = Rules(bound.spec.tree)
        self.client = self.rules.any(bound.spec.tree)
        self.shadow = False  # rendering inside a container the browser may reveal

    def summarise(self, href: str, label: str, error: str) -> None:
        """A summary entry names where the field is ("Thông tin người mẹ: Nhập họ và tên"); the field's
        label too when the message does not already name it ("Người mẹ: Số CCCD: Chưa đúng định dạng")."""
        named = not label or messages.noun(label).casefold() in error.casefold()
        self.summary.append({"href": href, "text": ": ".join([*self.sections, *([] if named else [label]), error])})

    def t(self, key: str, **params: Any) -> str:
        return messages.text(key, self.lang, **params)

    def nodes(self, nodes: tuple[Node, ...], raw: Any, initial: Any, prefix: str, name_prefix: str,
              rows: tuple[int, ...]) -> list[Any]:
        out: list[Any] = []
        for node in nodes:
            rule = self.rules.rule(node, rows)
            shown = self.bound.visible(node.id, rows)
            if not shown and not rule and not self.shadow:
                continue  # hidden, and only a post can reveal it
            shadow, self.shadow = self.shadow, self.shadow or not shown
            view = self.node(node, raw, initial, prefix, name_prefix, rows)
            self.shadow = shadow
            if view is not None:
                view.hide = rule
                view.hidden = bool(rule) if shadow else not shown  # inside a hidden container hide.js decides
                out.append(view)
        return out

    def node(self, node: Node, raw: Any, initial: Any, prefix: str, name_prefix: str,
             rows: tuple[int, ...]) -> Any:
        if isinstance(node, Group):
            self.sections += [node.label] if node.label else []
            children = self.nodes(node.children, raw, initial, prefix, name_prefix, rows)
            self.sections = self.sections[:-1] if node.label else self.sections
            return ContainerView(f"c-{node.id}{_suffix(rows)}", "group", node.label, children, node.show_outline)
        if isinstance(node, DynamicList):
            return self.dynamic_list(node, raw, initial, prefix, name_prefix, rows)
        if isinstance(node, Layout):
            return self.layout(node, rows)
        if isinstance(node, Field):
            return self.field(node, raw, initial, prefix, name_prefix, rows)
        return None

    def layout(self, node: Layout, rows: tuple[int, ...]) -> ContainerView:
        view = ContainerView(f"c-{node.id}{_suffix(rows)}", "layout", node.label, type=node.type, height=node.height)
        if node.type == "text":
            view.html = render_markdown(node.text)
        return view

    def dynamic_list(self, node: DynamicList, raw: Any, initial: Any, prefix: str, name_prefix: str,
                     rows: tuple[int, ...]) -> ContainerView:
        key = row_key(prefix, node.path)
        name = f"{name_prefix}-{'.'.join(node.path)}" if name_prefix else ".".join(node.path)
        items = get(raw, node.path)
        if not isinstance(items, list):
            items = [{} for _ in range(node.start_rows)] if not self.bound.posted else []
        start = get(initial, node.path)
        start = start if isinstance(start, list) else []
        view = ContainerView(html_id(name), "list", node.label, error=" ".join(self.errors.get(key, [])))
        if view.error:
            self.summarise(f"#{view.id}", "", view.error)
        for i, item in enumerate(items[:node.max_rows]):
            row_name = f"{name}-{i}"
            row = ContainerView(html_id(row_name), "row", self.t("ui.row", n=i + 1), marker=f"{row_name}-{ROW_MARKER}")
            self.sections.append(f"{node.label} – {row.label}" if node.label else row.label)
            row.children = self.nodes(node.children, item if isinstance(item, dict) else {},
                                      start[i] if i < len(start) else {}, f"{key}[{i}]", row_name, (*rows, i))
            self.sections.pop()
            if node.allow_add_remove:
                row.remove = {"name": ACTION, "value": f"remove:{row_name}", "text": self.t("ui.remove_row", n=i + 1)}
            view.children.append(row)
        if node.allow_add_remove and len(items) < node.max_rows:
            view.add = {"name": ACTION, "value": f"add:{name}", "text": self.t("ui.add_row")}
        return view

    def field(self, f: Field, raw: Any, initial: Any, prefix: str, name_prefix: str,
              rows: tuple[int, ...]) -> FieldView:
        key = row_key(prefix, f.path)
        name = f"{name_prefix}-{f.key}" if name_prefix else f.key
        readonly = (f.id, rows) in self.bound.outcome.readonly
        optional = not f.required and f.kind != "bool"
        view = FieldView(html_id(name), name, _widget(f), f.label or f.key, optional=optional,
                         hint=f.description, readonly=readonly, disabled=f.disabled,
                         prefix=f.appearance.get("prefixAdorner", ""), suffix=f.appearance.get("suffixAdorner", ""))
        errors = self.errors.get(key, [])
        view.error = errors[0] if errors else ""
        source_is_posted = self.bound.posted and not readonly and not f.disabled and f.kind != "file"
        if source_is_posted:
            shown = get(raw, f.path)
        elif has(initial, f.path):
            shown = get(initial, f.path)
        else:
            shown = f.default if f.has_default else None
        self.fill(view, f, shown, source_is_posted)
        if self.client and not rows:
            view.data = field_data(f)
        view.focus_id = view.id + ("-day" if view.widget in ("date", "datetime") else "")
        if view.error:
            self.summarise(f"#{view.focus_id}", f.label, view.error)
        return view

    def fill(self, view: FieldView, f: Field, shown: Any, posted: bool) -> None:
        attrs = view.attrs
        if f.kind == "bool":
            view.checked = shown is True
        elif f.kind in ("choice", "multi"):
            chosen = _tokens(f, shown, posted)
            view.options = [{"id": view.id if i == 0 else f"{view.id}-{i + 1}", "value": o.token, "label": o.label,
                             "checked": o.token in chosen} for i, o in enumerate(f.options)]
        elif f.kind == "date" and f.subtype in ("date", "datetime"):
            view.parts = _date_parts(shown, posted)
            view.format_hint = self.t("ui.date_hint")
            view.parts_labels = {p: self.t(f"ui.{p}") for p in ("day", "month", "year")}
            view.parts_labels["time"] = f.time_label or self.t("ui.time")
            if f.vn_type == "date_of_birth":
                attrs["autocomplete"] = "bday"
        elif f.kind == "date":
            view.value = _time_text(shown) if not posted else (shown if isinstance(shown, str) else "")
            view.format_hint = self.t("ui.time_hint")
        elif f.kind == "file":
            if f.accept:
                attrs["accept"] = f.accept
                view.format_hint = self.t("ui.accept", accept=f.accept)
            names = _file_names(shown, self.lang)
            if names:  # kept from an earlier post or a draft: the page says so and offers to replace it
                view.current_file = self.t("ui.current_file", name=", ".join(names))
                view.replace_hint = self.t("ui.replace_file")
        elif f.kind == "number":
            view.value = shown if posted and isinstance(shown, str) else values.show_number(shown)
            attrs["inputmode"] = "numeric" if f.decimal_digits == 0 else "decimal"
            attrs["spellcheck"] = "false"
        else:
            view.value = _text_value(f, shown, posted)
            attrs.update(_text_attrs(f))
            if f.vn_type in ("date_dmy", "date_of_birth"):
                view.format_hint = self.t("ui.dmy_hint")
        auto = f.properties.get("motcua:autocomplete", "")
        if auto and _AUTOCOMPLETE.match(auto):
            attrs["autocomplete"] = auto
        view.multiple = f.multiple
        if f.required:
            attrs["aria-required"] = "true"


def _file_names(shown: Any, lang: str) -> list[str]:
    """ "name (size)" of each stored-file reference (or form-js "files::…" string) shown."""
    refs = shown if isinstance(shown, list) else [shown] if shown else []
    names = []
    for ref in refs:
        if isinstance(ref, str) and ref:
            names.append(ref)
        elif isinstance(ref, dict) and ref.get("name"):
            size = ref.get("size")
            shown_size = f" ({values.file_size(size, lang)})" if isinstance(size, int) else ""
            names.append(f"{ref['name']}{shown_size}")
    return names




def _suffix(rows: tuple[int, ...]) -> str:
    return "".join(f"-{r}" for r in rows)


def _widget(f: Field) -> str:
    if f.kind == "date":
        return {"date": "date", "time": "time", "datetime": "datetime"}.get(f.subtype, "date")
    return {"textfield": "text", "textarea": "textarea", "number": "text", "checkbox": "checkbox",
            "checklist": "checkboxes", "taglist": "checkboxes", "radio": "radios", "select": "select",
            "filepicker": "file"}[f.type]


def _tokens(f: Field, shown: Any, posted: bool) -> set[str]:
    items = shown if isinstance(shown, list) else ([] if shown is None else [shown])
    if posted:
        return {i for i in items if isinstance(i, str)}
    out: set[str] = set()
    for item in items:
        for option in f.options:
            if option.value == item and type(option.value) is type(item):
                out.add(option.token)
    return out


def _date_parts(shown: Any, posted: bool) -> dict[str, str]:
    if isinstance(shown, dict):
        return {p: str(shown.get(p) or "") for p in ("day", "month", "year", "time")}
    if isinstance(shown, str) and shown:
        if posted:
            return {"day": shown, "month": "", "year": "", "time": ""}
        day_text, _, time_text = shown.partition("T")
        try:
            day = date.fromisoformat(day_text)
        except ValueError:
            return {"day": "", "month": "", "year": "", "time": ""}
        return {"day": str(day.day), "month": str(day.month), "year": str(day.year), "time": _time_text(time_text)}
    return {"day": "", "month": "", "year": "", "time": ""}


def _time_text(shown: Any) -> str:
    if not isinstance(shown, str) or not shown:
        return ""
    moment = values.parse_iso_time(shown)
    return f"{moment.hour:02d}:{moment.minute:02d}" if moment else shown


def _text_value(f: Field, shown: Any, posted: bool) -> str:
    if shown is None:
        return ""
    if posted:
        return shown if isinstance(shown, str) else ""
    if f.vn_type in ("date_dmy", "date_of_birth") and isinstance(shown, str):
        try:
            day = date.fromisoformat(shown)
        except ValueError:
            return shown
        return f"{day.day:02d}/{day.month:02d}/{day.year}"
    return shown if isinstance(shown, str) else str(shown)


def _text_attrs(f: Field) -> dict[str, str]:
    if f.vn_type == "cccd":
        return {"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false", "class": "mc-input--w12"}
    if f.vn_type == "phone" or f.rules.get("validationType") == "phone":
        return {"type": "tel", "inputmode": "tel", "autocomplete": "tel", "spellcheck": "false",
                "class": "mc-input--w12"}
    if f.vn_type == "tax_code":  # digits; the branch dash is optional (vn.tax_code ignores separators)
        return {"inputmode": "numeric", "spellcheck": "false", "autocomplete": "off", "class": "mc-input--w16"}
    if f.vn_type in ("date_dmy", "date_of_birth"):
        extra = {"autocomplete": "bday"} if f.vn_type == "date_of_birth" else {}
        return {"inputmode": "numeric", "spellcheck": "false", "class": "mc-input--w12", **extra}
    if f.rules.get("validationType") == "email":
        return {"type": "email", "autocomplete": "email", "spellcheck": "false"}
    return {}


def view(bound: BoundForm) -> FormView:
    """The page context of a bound form (what the macros format)."""
    builder = _Builder(bound)
    children = builder.nodes(bound.spec.tree.nodes, bound.raw, bound.initial, "", "", ())
    has_lists = any(isinstance(n, DynamicList) and n.allow_add_remove for n in bound.spec.tree.walk())
    texts = {"optional": builder.t("ui.optional"), "select": builder.t("ui.select"), "submit": builder.t("ui.submit")}
    return FormView(bound.lang, builder.t("ui.summary"), builder.t("ui.error_prefix"), builder.summary, children,
                    has_lists, texts)


def render(bound: BoundForm, extra_errors: Sequence[tuple[str, str]] = ()) -> Markup:
    """Error summary (when validate() failed) and every visible component, as safe HTML.
    `extra_errors`: (href, text) of the page's own fields outside the form (the summary lists them last)."""
    template = environment().get_template("forms/_macros.html")
    shown = view(bound)
    if extra_errors:
        shown = dataclasses.replace(shown, errors=[*shown.errors, *({"href": h, "text": t} for h, t in extra_errors)])
    return Markup(template.module.form(shown))  # type: ignore[attr-defined]
