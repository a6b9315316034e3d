"""Rendering the citizen notifications: the shipped templates (web/notify_defaults.py) or the
administrators' versions (engine.notifications), in Jinja's SandboxedEnvironment (admin-authored
text never reaches Python: no attributes of internals, no eval). A saved template that fails at
send time falls back to the shipped one, so a typo never stops the messages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import escape

from engine import notifications
from integrations.notify import Rendered
from web.notify_defaults import N_, SAMPLE, default

MAX_OUTPUT = 20_000
ENV = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
_LINK = re.compile(r"(https?://[^\s<]+)")


def to_html(text: str) -> str:
    """The e-mail's HTML part: the text's paragraphs, escaped, links made clickable."""
    paragraphs = []
    for block in text.split("\n\n"):
        escaped = str(escape(block))
        linked = _LINK.sub(r'<a href="\1">\1</a>', escaped)
        paragraphs.append("<p>" + linked.replace("\n", "<br>") + "</p>")
    return '<!doctype html><html><body style="font-family:sans-serif">' + "".join(paragraphs) + "</body></html>"


def render_text(subject: str, body: str, context: dict[str, Any]) -> tuple[str, str]:
    """(subject, body) rendered; TemplateError (or a sandbox SecurityError, a TemplateError) when wrong."""
    out_subject = " ".join(ENV.from_string(subject).render(context).split())[:300] if subject else ""
    out_body = ENV.from_string(body).render(context).strip()[:MAX_OUTPUT]
    return out_subject, out_body


@dataclass(frozen=True)
class Problem:
    """Why a template cannot be used, for the administrator: a catalogue sentence (Jinja's own message is
    English), the line of a syntax error, the unknown field's name."""

    message: str
    line: int | None = None
    field: str = ""


_UNDEFINED = re.compile(r"'([^']{1,80})' is undefined")


def problem(subject: str, body: str) -> Problem | None:
    """Why the template cannot be used (rendered against the sample dossier); None when it can."""
    try:
        render_text(subject, body, SAMPLE)
    except TemplateSyntaxError as exc:
        return Problem(N_("Mẫu sai cú pháp: kiểm tra mỗi {{ … }} và {% … %} đã đóng đủ chưa."), exc.lineno)
    except SecurityError:
        return Problem(N_("Mẫu dùng một lệnh không được phép."))
    except UndefinedError as exc:
        named = _UNDEFINED.search(str(exc))
        return Problem(N_("Mẫu dùng một trường không có trong danh sách các trường dùng được."),
                       field=named.group(1) if named else "")
    except TemplateError:
        return Problem(N_("Mẫu không hiển thị được với hồ sơ mẫu."))
    return None


async def render(kind: str, channel: str, language: str, context: dict[str, Any]) -> Rendered:
    """The message of `kind` for `channel` (the integrations.notify.Render of the subscriber)."""
    mine = (await notifications.edited()).get((kind, channel, language))
    subject, body = (mine.subject, mine.body) if mine else default(kind, channel, language)
    try:
        out_subject, text = render_text(subject, body, context)
    except TemplateError:
        out_subject, text = render_text(*default(kind, channel, language), context)
    return Rendered(out_subject, text, to_html(text) if channel == "email" else None)
