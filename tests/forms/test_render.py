"""Server-rendered HTML: labelled, described, errors linked, escaped, and working without JS."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any

import pytest

from forms import build, needs_multipart, render
from forms.markdown import render_markdown
from forms.wtf import BoundForm
from tests.forms.factories import TODAY, comp, form, options

XSS = "<script>alert('x')</script><img src=x onerror=alert(1)>\"'"


class Page(HTMLParser):
    """The tags of a rendered form, with attributes and the text of labels and links."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.labels: dict[str, str] = {}
        self.links: list[tuple[str, str]] = []
        self._open: list[tuple[str, dict[str, str], list[str]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.tags.append((tag, values))
        if tag in ("label", "a"):
            self._open.append((tag, values, []))

    def handle_data(self, data: str) -> None:
        for _, _, text in self._open:
            text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1][0] == tag:
            _, attrs, text = self._open.pop()
            if tag == "label":
                self.labels[attrs.get("for", "")] = "".join(text).strip()
            else:
                self.links.append((attrs.get("href", ""), "".join(text).strip()))

    def ids(self) -> set[str]:
        return {a["id"] for _, a in self.tags if "id" in a}

    def controls(self) -> list[dict[str, str]]:
        return [a for t, a in self.tags if t in ("input", "select", "textarea") and a.get("type") != "hidden"]


EVERYTHING = form(
    comp("text", text="# Tiêu đề\n\nMột đoạn."),
    comp("textfield", "name", "Họ và tên", description="Như trên giấy khai sinh", validate={"required": True}),
    comp("textfield", "cccd", "Số định danh", properties={"motcua:type": "cccd"}),
    comp("textfield", "phone", "Điện thoại", properties={"motcua:type": "phone"}),
    comp("textarea", "note", "Ghi chú"),
    comp("number", "money", "Vốn", appearance={"suffixAdorner": "đồng"}, decimalDigits=0),
    comp("checkbox", "agree", "Tôi cam đoan", validate={"required": True}),
    comp("checklist", "langs", "Ngôn ngữ", values=options("vi", "en")),
    comp("taglist", "tags", "Nhãn", values=options("a", "b")),
    comp("radio", "sex", "Giới tính", values=options("nam", "nu"), validate={"required": True}),
    comp("select", "nat", "Quốc tịch", values=options("vn", "other")),
    comp("datetime", "dob", "Ngày sinh", subtype="date", properties={"motcua:type": "date_of_birth"},
         validate={"required": True}),
    comp("datetime", "at", "Giờ hẹn", subtype="time"),
    comp("datetime", "when", "Thời điểm", subtype="datetime", timeLabel="Giờ đến"),
    comp("filepicker", "scan", "Bản chụp", accept=".pdf,image/*", multiple=True),
    comp("group", label="Người mẹ", path="mother", components=[comp("textfield", "name", "Họ tên mẹ")]),
    comp("dynamiclist", label="Thành viên", path="members", defaultRepetitions=2,
         components=[comp("textfield", "name", "Họ tên thành viên", validate={"required": True})]),
    comp("separator"), comp("spacer", height=100),
)


def _bound(schema: dict[str, Any], formdata: Any = None, data: Any = None, lang: str = "vi",
           validate: bool = True) -> BoundForm:
    bound = build(schema).bind(formdata, data, lang=lang, today=TODAY)
    if validate:
        bound.validate()
    return bound


def test_every_control_has_a_label_for_its_id() -> None:
    page = Page(render(_bound(EVERYTHING, validate=False)))
    controls = page.controls()
    assert len(controls) >= 20
    for control in controls:
        if control.get("class", "").startswith("mc-visually-hidden"):
            continue
        assert control.get("id") in page.labels, control
        assert page.labels[control["id"]], control


def test_errors_are_summarised_at_the_top_and_link_to_existing_fields() -> None:
    html = render(_bound(EVERYTHING, {"members-0-_row": "1", "members-0-name": ""}))
    page = Page(html)
    assert html.index("mc-error-summary") < html.index("mc-form")
    links = [link for link in page.links if link[0].startswith("#")]
    assert ("#f-name", "Nhập họ và tên") in links
    assert ("#f-dob-day", "Nhập ngày sinh") in links
    assert ("#f-sex", "Chọn giới tính") in links
    assert ("#f-members-0-name", "Thành viên – Dòng 1: Nhập họ tên thành viên") in links
    assert {href[1:] for href, _ in links} <= page.ids()


def test_summary_entries_name_the_section_and_the_field_when_the_message_does_not() -> None:
    schema = form(comp("group", label="Thông tin người mẹ", path="mother", components=[
        comp("textfield", "full_name", "Họ và tên", validate={"required": True}),
        comp("textfield", "code", "Mã hồ sơ cũ",
             validate={"pattern": "^[A-Z]+$", "patternErrorMessage": "Chỉ chữ in hoa"})]))
    page = Page(render(_bound(schema, {"mother.full_name": "", "mother.code": "abc"})))
    links = [link for link in page.links if link[0].startswith("#")]
    assert links == [("#f-mother-full_name", "Thông tin người mẹ: Nhập họ và tên"),
                     ("#f-mother-code", "Thông tin người mẹ: Mã hồ sơ cũ: Chỉ chữ in hoa")]
    assert {href[1:] for href, _ in links} <= page.ids()


def test_phone_and_id_fields_bring_up_the_right_phone_keyboard() -> None:
    schema = form(comp("textfield", "phone", "Số điện thoại", properties={"motcua:type": "phone"}),
                  comp("textfield", "cccd", "Số định danh", properties={"motcua:type": "cccd"}),
                  comp("textfield", "tax", "Mã số thuế", properties={"motcua:type": "tax_code"}),
                  comp("textfield", "name", "Họ tên"))
    by_id = {a["id"]: a for _, a in Page(render(_bound(schema, validate=False))).tags if "id" in a}
    assert (by_id["f-phone"]["type"], by_id["f-phone"]["inputmode"], by_id["f-phone"]["autocomplete"]) == (
        "tel", "tel", "tel")
    assert by_id["f-cccd"]["inputmode"] == by_id["f-tax"]["inputmode"] == "numeric"
    assert "inputmode" not in by_id["f-name"] and by_id["f-name"]["type"] == "text"


def test_an_optional_list_starts_empty_and_its_add_button_adds_a_row_without_javascript() -> None:
    schema = form(comp("dynamiclist", label="Con chung", path="kids", components=[comp("textfield", "name", "Tên")]),
                  comp("dynamiclist", label="Thành viên", path="members", properties={"motcua:minRows": "2"},
                       components=[comp("textfield", "name", "Tên")]))
    page = Page(render(_bound(schema, validate=False)))
    ids = page.ids()
    assert "f-kids-0" not in ids and {"f-members-0", "f-members-1"} <= ids and "f-members-2" not in ids
    buttons = [a for tag, a in page.tags if tag == "button" and a.get("name") == "_action"]
    assert any(b.get("value") == "add:kids" and b.get("type") == "submit" for b in buttons)
    added = _bound(schema, {"_action": "add:kids"})
    assert "f-kids-0" in Page(render(added)).ids()
    short = _bound(schema, {"members-0-_row": "1", "members-0-name": "A"})
    assert short.errors == {"members": ["Thành viên cần có ít nhất 2 dòng"]}


def test_invalid_fields_carry_aria_invalid_and_describe_their_error() -> None:
    page = Page(render(_bound(EVERYTHING, {"name": "", "cccd": "123456789"})))
    by_id = {a["id"]: a for _, a in page.tags if "id" in a}
    assert by_id["f-name"]["aria-invalid"] == "true"
    assert by_id["f-name"]["aria-describedby"] == "f-name-hint f-name-error"
    assert by_id["f-cccd"]["aria-invalid"] == "true"
    for control in page.controls():
        for ref in control.get("aria-describedby", "").split():
            assert ref in page.ids()


def test_no_errors_are_shown_before_the_citizen_submits() -> None:
    html = render(_bound(EVERYTHING, validate=False))
    assert "mc-error-summary" not in html and "aria-invalid" not in html


def test_optional_fields_say_so_and_required_ones_are_marked_for_assistive_technology() -> None:
    page = Page(render(_bound(EVERYTHING, validate=False)))
    assert page.labels["f-note"] == "Ghi chú (không bắt buộc)"
    assert page.labels["f-name"] == "Họ và tên"
    name = next(a for _, a in page.tags if a.get("id") == "f-name")
    assert name["aria-required"] == "true" and "required" not in name


def test_an_xss_payload_in_labels_descriptions_options_text_and_values_renders_as_text() -> None:
    schema = form(
        comp("text", text=XSS + "\n\n[link](javascript:alert(1))"),
        comp("textfield", "a", XSS, description=XSS, properties={"motcua:errorName": XSS},
             validate={"required": True}),
        comp("select", "s", XSS, values=[{"label": XSS, "value": XSS}]),
        comp("group", label=XSS, components=[comp("textarea", "t", XSS)]),
        comp("dynamiclist", label=XSS, path="rows", components=[comp("textfield", "x", XSS)]),
        comp("number", "n", XSS, appearance={"prefixAdorner": XSS}),
    )
    html = str(render(_bound(schema, {"a": "", "t": XSS, "s": XSS, "n": XSS, "rows-0-_row": "1", "rows-0-x": XSS})))
    page = Page(html)
    assert {t for t, _ in page.tags}.isdisjoint({"script", "img"})
    assert not [k for _, a in page.tags for k in a if k.startswith("on")]
    assert not [a for _, a in page.tags if a.get("href", "").lower().startswith("javascript")]
    assert html.count("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;") >= 8


def test_posted_values_are_shown_again_exactly_as_typed() -> None:
    bound = _bound(EVERYTHING, {"name": "Lan", "money": "100.000 đ", "dob-day": "31", "dob-month": "2",
                                "dob-year": "2020", "langs": ["vi"], "sex": "nu"})
    page = Page(render(bound))
    by_id = {a["id"]: a for _, a in page.tags if "id" in a}
    assert by_id["f-money"]["value"] == "100.000 đ"
    assert (by_id["f-dob-day"]["value"], by_id["f-dob-month"]["value"], by_id["f-dob-year"]["value"]) == \
        ("31", "2", "2020")
    assert "checked" in by_id["f-langs"] and "checked" not in by_id["f-langs-2"]
    assert "checked" in by_id["f-sex-2"]


def test_initial_data_is_formatted_for_the_boxes() -> None:
    data = {"dob": "2007-03-27", "money": 1500000, "at": "16:30+07:00", "when": "2026-12-01T08:30+07:00",
            "nat": "vn", "agree": True, "scan": ["att-1"], "mother": {"name": "Hoa"}}
    page = Page(render(_bound(EVERYTHING, None, data, validate=False)))
    by_id = {a["id"]: a for _, a in page.tags if "id" in a}
    assert [by_id[f"f-dob-{p}"]["value"] for p in ("day", "month", "year")] == ["27", "3", "2007"]
    assert by_id["f-money"]["value"] == "1500000"
    assert by_id["f-at"]["value"] == "16:30"
    assert by_id["f-when-time"]["value"] == "08:30" and page.labels["f-when-time"] == "Giờ đến"
    assert by_id["f-mother-name"]["value"] == "Hoa"
    assert "checked" in by_id["f-agree"]
    assert any(t == "option" and "selected" in a and a["value"] == "vn" for t, a in page.tags)


def test_vietnamese_inputs_get_mobile_keyboards_and_autocomplete() -> None:
    page = Page(render(_bound(EVERYTHING, validate=False)))
    by_id = {a["id"]: a for _, a in page.tags if "id" in a}
    assert by_id["f-cccd"]["inputmode"] == "numeric" and by_id["f-cccd"]["autocomplete"] == "off"
    assert by_id["f-phone"]["type"] == "tel" and by_id["f-phone"]["autocomplete"] == "tel"
    assert by_id["f-dob-day"]["autocomplete"] == "bday-day"
    assert by_id["f-money"]["inputmode"] == "numeric"


def test_file_inputs_pass_accept_and_multiple_and_need_multipart() -> None:
    bound = _bound(EVERYTHING, validate=False)
    scan = next(a for t, a in Page(render(bound)).tags if a.get("id") == "f-scan")
    assert scan["type"] == "file" and scan["accept"] == ".pdf,image/*" and "multiple" in scan
    assert needs_multipart(bound)
    assert not needs_multipart(_bound(form(comp("textfield", "a")), validate=False))


def test_dynamic_list_renders_rows_with_add_and_remove_buttons_that_post_back() -> None:
    page = Page(render(_bound(EVERYTHING, validate=False)))
    buttons = [a for t, a in page.tags if t == "button"]
    assert {"name": "_action", "value": "add:members"}.items() <= buttons[-1].items()
    assert [b["value"] for b in buttons if b.get("value", "").startswith("remove:")] == \
        ["remove:members-0", "remove:members-1"]
    assert [a["name"] for t, a in page.tags if a.get("type") == "hidden"] == ["members-0-_row", "members-1-_row"]
    assert buttons[0]["class"] == "mc-visually-hidden" and "name" not in buttons[0]   # Enter submits, not "add"


def _wrapper(html: str, control_id: str) -> dict[str, str]:
    """The attributes of the component wrapper around a control."""
    tags = Page(html).tags
    at = next(i for i, (_, a) in enumerate(tags) if a.get("id") == control_id)
    return next(a for _, a in reversed(tags[:at]) if "mc-field" in a.get("class", "").split())


def test_hidden_components_are_not_rendered_and_reappear_when_the_post_shows_them() -> None:
    schema = form(comp("number", "n", "Số"),
                  comp("textfield", "big", "Lý do", conditional={"hide": "=n * 2 < 10"}))  # arithmetic: server only
    assert "f-big" not in render(_bound(schema, {"n": "1"}))
    assert 'id="f-big"' in render(_bound(schema, {"n": "9"}))
    assert "data-mc-hide" not in render(_bound(schema, {"n": "9"}))


def test_a_rule_the_browser_can_decide_is_rendered_hidden_with_its_json_tree() -> None:
    schema = form(comp("radio", "kind", "Loại", values=options("person", "company")),
                  comp("textfield", "company", "Tên doanh nghiệp", conditional={"hide": "=kind != \"company\""}),
                  comp("group", label="Người đại diện", path="rep", conditional={"hide": "=kind = \"person\""},
                       components=[comp("textfield", "name", "Họ tên", validate={"required": True})]))
    person = str(render(_bound(schema, {"kind": "person"})))
    wrapper = _wrapper(person, "f-company")
    assert "hidden" in wrapper and json.loads(wrapper["data-mc-hide"]) == ["!=", ["name", "kind"], ["lit", "company"]]
    assert 'id="c-' in person and "Nhập họ tên" not in person  # the hidden group is there, not validated
    assert _wrapper(person, "f-kind")["data-mc-key"] == "kind"
    assert json.loads(_wrapper(person, "f-kind")["data-mc-options"]) == {"person": "person", "company": "company"}
    company = str(render(_bound(schema, {"kind": "company"})))
    assert "hidden" not in _wrapper(company, "f-company") and "Nhập họ tên" in company


def test_no_inline_styles_or_scripts_so_a_strict_csp_holds() -> None:
    html = str(render(_bound(EVERYTHING, {"name": ""})))
    assert " style=" not in html and "<script" not in html and " on" not in html.replace(" one", "")


def test_english_interface_strings() -> None:
    html = str(render(_bound(EVERYTHING, {"name": ""}, lang="en")))
    assert "There is a problem" in html and "(optional)" in html and "Add another row" in html


def test_readonly_and_disabled_fields_render_as_such() -> None:
    schema = form(comp("textfield", "code", "Mã", readonly=True), comp("textfield", "x", "X", disabled=True),
                  comp("radio", "r", "R", values=options("a"), readonly=True))
    page = Page(render(_bound(schema, None, {"code": "HS-1", "x": "v", "r": "a"}, validate=False)))
    by_id = {a["id"]: a for _, a in page.tags if "id" in a}
    assert "readonly" in by_id["f-code"] and by_id["f-code"]["value"] == "HS-1"
    assert "disabled" in by_id["f-x"] and by_id["f-x"]["value"] == "v"
    assert "disabled" in by_id["f-r"] and "checked" in by_id["f-r"]


@pytest.mark.parametrize(("text", "html"), [
    ("# Tiêu đề", '<h2 class="mc-heading">Tiêu đề</h2>'),
    ("## Nhỏ", '<h3 class="mc-heading">Nhỏ</h3>'),
    ("a **b** *c*", "<p>a <strong>b</strong> <em>c</em></p>"),
    ("- một\n- hai", '<ul class="mc-list"><li>một</li><li>hai</li></ul>'),
    ("1. một\n2. hai", '<ol class="mc-list"><li>một</li><li>hai</li></ol>'),
    ("[Cổng](https://dichvucong.gov.vn)", '<p><a class="mc-link" href="https://dichvucong.gov.vn">Cổng</a></p>'),
    ("[x](javascript:alert(1))", "<p>[x](javascript:alert(1))</p>"),
    ("<b>x</b>", "<p>&lt;b&gt;x&lt;/b&gt;</p>"),
])
def test_text_components_render_a_little_safe_markdown(text: str, html: str) -> None:
    assert str(render_markdown(text)) == html


def test_a_kept_file_shows_its_size_with_a_decimal_comma_and_small_files_in_bytes() -> None:
    schema = form(comp("filepicker", "a", "Tệp A"), comp("filepicker", "b", "Tệp B"))
    data = {"a": [{"name": "to.pdf", "size": 1500}], "b": [{"name": "nho.pdf", "size": 30}]}
    assert "Đã tải lên: to.pdf (1,5 KB)" in render(_bound(schema, data=data, validate=False))
    assert "Đã tải lên: nho.pdf (30 B)" in render(_bound(schema, data=data, validate=False))
    assert "Already uploaded: to.pdf (1.5 KB)" in render(_bound(schema, data=data, lang="en", validate=False))
