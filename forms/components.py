"""The registry of form-js component types (house rule 9): what each type is and may carry.

A :class:`ComponentType` says whether a type is an input (has a ``key`` and a value), a container
(``group``, ``dynamiclist``) or a layout element, which kind of value it holds, and which schema
properties and ``validate`` rules we honour for it (from the form-js JSON schema, v19). Types that
form-js knows but the server renderer cannot honour are registered as ``unsupported`` with the
reason, so check_schema can say why. Register a new type with :func:`register`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Role = Literal["input", "container", "layout", "unsupported"]
ValueKind = Literal["text", "number", "bool", "choice", "multi", "date", "file", "none"]

#: properties every component may carry
COMMON = frozenset({"id", "type", "label", "layout", "properties", "conditional"})
#: properties every input may carry
INPUT_COMMON = frozenset({"key", "description", "defaultValue", "readonly", "disabled", "validate"})
#: properties form-js defines that we refuse everywhere, with the reason
REFUSED = {
    "valuesKey": "options from input data (valuesKey) are not supported: list them in 'values'",
    "valuesExpression": "options from a FEEL expression (valuesExpression) are not supported",
    "expression": "computed values (expression) are not supported",
    "computeOn": "computed values (computeOn) are not supported",
}


@dataclass(frozen=True)
class ComponentType:
    """One component type: its role, its value kind and the properties/rules we honour."""

    name: str
    role: Role
    value: ValueKind = "none"
    properties: frozenset[str] = field(default_factory=frozenset)
    rules: frozenset[str] = field(default_factory=frozenset)
    reason: str = ""

    def allowed(self) -> frozenset[str]:
        base = COMMON | self.properties
        return base | INPUT_COMMON if self.role == "input" else base


_REGISTRY: dict[str, ComponentType] = {}


def register(component: ComponentType) -> ComponentType:
    _REGISTRY[component.name] = component
    return component


def get(name: object) -> ComponentType | None:
    return _REGISTRY.get(name) if isinstance(name, str) else None


def names(role: Role | None = None) -> list[str]:
    return sorted(n for n, c in _REGISTRY.items() if role is None or c.role == role)


_TEXT_RULES = frozenset({"required", "minLength", "maxLength"})
_OPTIONS = frozenset({"values"})

register(ComponentType("textfield", "input", "text", frozenset({"appearance"}),
                       _TEXT_RULES | {"pattern", "patternErrorMessage", "validationType"}))
register(ComponentType("textarea", "input", "text", frozenset(), _TEXT_RULES))
register(ComponentType("number", "input", "number",
                       frozenset({"decimalDigits", "increment", "serializeToString", "appearance"}),
                       frozenset({"required", "min", "max"})))
register(ComponentType("checkbox", "input", "bool", frozenset(), frozenset({"required"})))
register(ComponentType("checklist", "input", "multi", _OPTIONS, frozenset({"required"})))
register(ComponentType("taglist", "input", "multi", _OPTIONS, frozenset({"required"})))
register(ComponentType("radio", "input", "choice", _OPTIONS, frozenset({"required"})))
register(ComponentType("select", "input", "choice", _OPTIONS | {"searchable"}, frozenset({"required"})))
register(ComponentType("datetime", "input", "date",
                       frozenset({"subtype", "dateLabel", "timeLabel", "use24h", "timeSerializingFormat",
                                  "timeInterval", "disallowPassedDates"}),
                       frozenset({"required"})))
register(ComponentType("filepicker", "input", "file", frozenset({"accept", "multiple"}), frozenset({"required"})))
register(ComponentType("group", "container", properties=frozenset({"components", "path", "showOutline",
                                                                   "verticalAlignment"})))
register(ComponentType("dynamiclist", "container",
                       properties=frozenset({"components", "path", "showOutline", "verticalAlignment", "isRepeating",
                                             "defaultRepetitions", "allowAddRemove", "disableCollapse",
                                             "nonCollapsedItems"})))
register(ComponentType("text", "layout", properties=frozenset({"text"})))
register(ComponentType("separator", "layout"))
register(ComponentType("spacer", "layout", properties=frozenset({"height"})))
register(ComponentType("button", "layout", properties=frozenset({"action"})))
for _name, _reason in {
    "html": "raw HTML (html) is not supported: use a text component (plain text and a little markdown)",
    "image": "images are not supported: the server form loads nothing from other sites",
    "iframe": "embedded pages (iframe) are not supported",
    "table": "tables are not supported",
    "documentPreview": "document previews are not supported",
    "expression": "computed values (expression) are not supported",
}.items():
    register(ComponentType(_name, "unsupported", reason=_reason))
