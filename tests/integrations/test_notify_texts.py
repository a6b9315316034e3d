"""Pure parts of the notifications: SMS segments (GSM-7 / UCS-2), the unaccented variant, masking,
and the sandboxed templates (shipped ones render; admin text cannot reach Python)."""

from __future__ import annotations

import pytest

from engine import notifications
from engine.notifications import mask
from integrations.sms import segments, signature, unaccent, verify
from web.notify_defaults import MESSAGES, SAMPLE, default
from web.notify_templates import problem, render, render_text, to_html


def test_gsm_text_fits_160_in_one_sms_and_153_per_part_beyond() -> None:
    assert segments("a" * 160).parts == ("a" * 160,) and segments("a" * 160).encoding == "gsm7"
    split = segments("a" * 161)
    assert [len(p) for p in split.parts] == [153, 8]
    # the extension characters take two septets: 80 braces fill one SMS, the 81st makes two parts
    assert len(segments("{" * 80).parts) == 1 and len(segments("{" * 81).parts) == 2
    assert all(sum(2 if c == "{" else 1 for c in p) <= 153 for p in segments("{" * 81).parts)


def test_vietnamese_with_diacritics_is_ucs2_70_in_one_sms_and_67_per_part() -> None:
    text = "Hồ sơ đã được tiếp nhận. "
    assert segments(text).encoding == "ucs2"
    assert len(segments("ồ" * 70).parts) == 1
    parts = segments((text * 10).strip()).parts
    assert len(parts) == 4 and all(len(p) <= 67 for p in parts) and "".join(parts) == (text * 10).strip()
    assert all(p.endswith(" ") for p in parts[:-1])  # broken after a word, not inside one
    emoji = segments("😀" * 40)  # two UTF-16 units each: never cut in half
    assert [len(p) for p in emoji.parts] == [33, 7]


def test_the_unaccented_variant_is_plain_gsm() -> None:
    assert unaccent("Hồ sơ đã được tiếp nhận. Đề nghị bổ sung") == "Ho so da duoc tiep nhan. De nghi bo sung"
    assert segments(unaccent("Hồ sơ đã được tiếp nhận")).encoding == "gsm7"


def test_signatures_verify_only_with_the_secret() -> None:
    body = b'{"id":"x","status":"delivered"}'
    assert verify("s", body, signature("s", body)) and not verify("s", body, signature("t", body))
    assert not verify("", body, signature("", body))  # no secret configured: nothing is believed


def test_addresses_are_masked() -> None:
    assert mask("le.van.nam@example.vn") == "l***@example.vn"
    assert mask("0912345678") == "091****678" and mask("12") == "***"


@pytest.mark.parametrize("kind", notifications.KINDS)
def test_every_shipped_template_renders_on_the_sample_in_both_languages(kind: str) -> None:
    for language in ("vi", "en"):
        for channel in ("email", "sms"):
            subject, body = render_text(*default(kind, channel, language), SAMPLE)
            assert SAMPLE["code"] in body and "{{" not in body
            assert (subject != "") == (channel == "email")
    assert set(MESSAGES) == set(notifications.KINDS)


def test_the_supplement_message_says_what_is_missing_by_when_and_where() -> None:
    _s, text = render_text(*default("supplement_requested", "sms", "vi"), SAMPLE)
    assert "Bản sao CCCD; Hợp đồng thuê nhà" in text and "20/03/2026" in text and SAMPLE["link"] in text


def test_admin_templates_cannot_reach_python_internals() -> None:
    refused = problem("", "{{ code.__class__.__mro__[1].__subclasses__() }}")  # sandbox: refused
    assert refused and refused.message == "Mẫu dùng một lệnh không được phép."
    typo = problem("", "{{ nonexistent }}")  # a typo is refused too, not sent blank
    assert typo and typo.field == "nonexistent" and "trường" in typo.message
    syntax = problem("{{ code", "x")
    assert syntax and syntax.line == 1 and "cú pháp" in syntax.message
    assert problem("Hồ sơ {{ code }}", "Xin chào {{ name }}") is None


def test_the_html_part_escapes_the_text() -> None:
    html = to_html("a <b> https://x.example/t?ma=1&b=2")
    assert "&lt;b&gt;" in html and '<a href="https://x.example/t?ma=1&amp;b=2">' in html


async def test_a_saved_template_that_fails_falls_back_to_the_shipped_one(db: object) -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 3, 2, tzinfo=UTC)
    await notifications.save_template("accepted", "sms", "vi", "", "Hẹn {{ due }} — {{ code }}", "admin", now)
    assert (await render("accepted", "sms", "vi", SAMPLE)).text == f"Hẹn 09/03/2026 — {SAMPLE['code']}"
    await notifications.save_template("accepted", "sms", "vi", "", "{{ missing }}", "admin", now)
    assert (await render("accepted", "sms", "vi", SAMPLE)).text.startswith(f"Hồ sơ {SAMPLE['code']} đã được tiếp")
