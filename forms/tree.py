"""The parsed form: a typed tree of fields, groups, repeating lists and layout elements.

forms/schema.py builds it from form-js JSON (and checks it); forms/evaluate.py walks it. A field's
``path`` is its data path relative to its scope (the form, or one row of a dynamiclist), with the
``path`` of enclosing groups already prepended.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from forms.components import ComponentType
from forms.feel import Expression

Path = tuple[str, ...]
#: Vietnamese field types, set with ``properties: {"motcua:type": …}`` (see forms/__init__.py)
VN_TYPES = {"cccd", "phone", "tax_code", "date_dmy", "date_of_birth"}


@dataclass(frozen=True)
class Option:
    label: str
    value: Any
    token: str  # what the HTML form posts for it


@dataclass(frozen=True)
class Node:
    id: str
    type: str
    label: str
    hide: Expression | None


@dataclass(frozen=True)
class Layout(Node):
    text: str = ""
    height: int | None = None


@dataclass(frozen=True)
class Field(Node):
    ctype: ComponentType
    path: Path
    description: str = ""
    required: bool = False
    rules: dict[str, Any] = field(default_factory=dict)
    vn_type: str | None = None
    error_name: str = ""
    readonly: bool | Expression = False
    disabled: bool = False
    options: tuple[Option, ...] = ()
    default: Any = None
    has_default: bool = False
    pattern: re.Pattern[str] | None = None
    subtype: str = ""  # datetime: date, time, datetime
    time_format: str = "utc_offset"
    time_label: str = ""
    decimal_digits: int | None = None
    increment: Any = None
    serialize_to_string: bool = False
    accept: str = ""
    multiple: bool = False
    disallow_past: bool = False
    appearance: dict[str, str] = field(default_factory=dict)
    properties: dict[str, str] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        """Value kind: text, number, bool, choice, multi, date, file."""
        return self.ctype.value

    @property
    def key(self) -> str:
        return ".".join(self.path)

    def option_for(self, token: str) -> Option | None:
        for option in self.options:
            if option.token == token:
                return option
        return None


@dataclass(frozen=True)
class Group(Node):
    path: Path
    children: tuple[Node, ...]
    show_outline: bool = True


@dataclass(frozen=True)
class DynamicList(Node):
    path: Path
    children: tuple[Node, ...]
    default_rows: int = 0
    allow_add_remove: bool = True
    max_rows: int = 50
    min_rows: int = 0

    @property
    def start_rows(self) -> int:
        """Rows a fresh form shows: an optional list starts empty (its "add" button adds a row), a
        list with ``motcua:minRows`` starts with that many, an explicit defaultRepetitions wins."""
        return max(self.default_rows, self.min_rows)


@dataclass(frozen=True)
class FormTree:
    """A whole form: its components, the schema digest and every field by component id."""

    form_id: str
    nodes: tuple[Node, ...]
    digest: str

    def walk(self) -> list[Node]:
        out: list[Node] = []

        def visit(nodes: tuple[Node, ...]) -> None:
            for node in nodes:
                out.append(node)
                if isinstance(node, Group | DynamicList):
                    visit(node.children)

        visit(self.nodes)
        return out
