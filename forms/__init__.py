"""Generated forms: form-js schema (schemaVersion 19) -> WTForms -> accessible server-rendered HTML.

A leaf package: it imports nothing from engine/, web/ or designer/, and has no routes.

Public API (the web layer uses exactly these)::

    problems = check_schema(schema)       # [{"component": id, "message": text}]; [] = renderable.
                                          # Call it when an admin publishes a form.
    spec = build(schema)                  # FormSpec, cached by sha256 of canonical JSON;
                                          # raises SchemaInvalid (.problems) for a refused schema
    initial = spec.with_files(draft, {key path: [reference]})   # kept uploads placed in initial data
    bound = spec.bind(formdata, data, lang="vi", today=None)
                                          # formdata: posted MultiDict (Starlette FormData...) or None;
                                          # data: initial values (process variables, a draft)
    bound.validate() -> bool              # False too when a row button ("add row") was pressed
    bound.errors -> {key path: [messages]}   # rows as "members[0].full_name"
    bound.problems -> {key path: [(code, params)]}
    bound.data -> dict                    # clean nested data; hidden and disabled fields left out
    bound.files -> {key path: [uploads]}  # store them; data holds None at those keys until
    bound.with_files({key: reference}) -> dict   # ...this puts the stored references in (rows too)
    bound.visible(component_id, rows=()) -> bool  # rows: the row indexes inside dynamic lists
    bound.refuse({key path: [(code, params)]})   # problems found outside (the upload store)
    bound.shows_errors -> bool            # False after a row button press: answer 200, not 422
    render(bound) -> Markup               # error summary + fields; the page adds <form>, CSRF, submit
    needs_multipart(bound) -> bool        # use enctype="multipart/form-data"
    validate_data(schema, data, lang="vi", today=None) -> (clean_data, {key path: [messages]})
    check_data(schema, data, today=None) -> Outcome (.data, .errors as codes)
    forms.validation.validate(schema, data) -> {key path: [codes]}   # the old API, kept

``today`` (a date) decides "date of birth not in the future" and ``disallowPassedDates``; pure
code never reads the clock: when it is None, the API boundary uses today in Asia/Ho_Chi_Minh.
Styles: forms/static/forms/forms.css (class names ``mc-*``); templates: forms/templates/forms/.

Supported components: textfield, textarea, number, checkbox, checklist, radio, select, taglist
(shown as checkboxes), datetime (subtype date: three boxes day/month/year; time: "16:00"/"16h00";
datetime: boxes + time), filepicker (``accept``, ``multiple``), group (``path`` nests data),
dynamiclist (``path``, rows with add/remove buttons, at most 50 rows), text (a little markdown),
separator, spacer, button (submit only; rendered by the page). Properties: ``key`` (dotted
paths), label, description, defaultValue, disabled, readonly (bool or FEEL), conditional.hide
(FEEL subset, forms/feel.py), layout (ignored: one column), appearance prefix/suffix, number
decimalDigits / increment / serializeToString, static ``values``; validate: required,
minLength/maxLength (after trim), pattern (JavaScript semantics, forms/jsregex.py; a
patternErrorMessage is mandatory), min/max, validationType email or phone (phone = Vietnamese mobile,
normalised to 0XXXXXXXXX, not form-js's E.164 list).

check_schema refuses: unknown types; html, image, iframe, table, documentPreview, expression;
valuesKey, valuesExpression; properties a type does not have; FEEL or {{templates}} in labels,
descriptions, text, adorners, validate values, disabled, accept or multiple; hide rules outside the
FEEL subset or without '='; patterns JavaScript would reject or Python cannot reproduce; a pattern
without patternErrorMessage; inputs without a label; missing, duplicate or colliding keys and ids;
keys that are not dotted names; choices without static values; defaultValues that do not fit;
reset buttons; schemaVersion above 19.

Vietnamese types (form-js custom properties, set in the editor's "Custom properties" panel)::

    "properties": {"motcua:type": "cccd"}          12-digit personal ID; a 9-digit CMND is refused
                                                    with its own message; spaces and dots ignored
    "properties": {"motcua:type": "phone"}         mobile: +84/84/0084 -> 0, ^0(3|5|7|8|9)\\d{8}$
    "properties": {"motcua:type": "tax_code"}      10 digits, 13 as 0123456789-001, or a 12-digit ID
    "properties": {"motcua:type": "date_dmy"}      textfield typed dd/mm/yyyy (or ISO), stored ISO
    "properties": {"motcua:type": "date_of_birth"} date_dmy (or a datetime date) that is <= today
    "properties": {"motcua:errorName": "họ và tên"} the noun used in error messages
    "properties": {"motcua:autocomplete": "name"}   the HTML autocomplete token

The first four are textfield types; date_of_birth fits a textfield or a datetime with subtype date.

Numbers typed in an HTML form: spaces ignored; "," or "." as the decimal mark; "100.000" and
"100,000" are one hundred thousand (a single mark followed by exactly three digits is a thousands
separator, unless the field allows 3+ decimals); "1.234.567,5" works. JSON numbers are taken as is.
Dates typed: dd/mm/yyyy, d/m/yyyy, with / - . or spaces, or ISO; stored "YYYY-MM-DD".
"""

from __future__ import annotations

from forms.errors import FeelUnsupported, FormsError, SchemaInvalid
from forms.evaluate import Outcome
from forms.render import needs_multipart, render
from forms.schema import check_schema
from forms.wtf import BoundForm, FormSpec, build, check_data, validate_data

__all__ = [
    "BoundForm",
    "FeelUnsupported",
    "FormSpec",
    "FormsError",
    "Outcome",
    "SchemaInvalid",
    "build",
    "check_data",
    "check_schema",
    "needs_multipart",
    "render",
    "validate_data",
]
