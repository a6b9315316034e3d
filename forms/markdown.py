"""The little markdown of form-js ``text`` components, rendered safely: escaped first, always.

Headings (``#`` becomes ``<h2>``: the page owns the ``<h1>``), paragraphs, ``-``/``*``/``1.`` lists,
``**bold**``, ``*italic*``, and ``[links](https://…)`` to http(s), mailto, tel or relative URLs.
Everything else is shown as text.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d+[.)]\s+(.*)$")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_SAFE_URL = re.compile(r"^(https?://|mailto:|tel:|/|#)", re.IGNORECASE)


def _inline(text: str) -> str:
    html = str(escape(text))
    html = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", html)
    html = re.sub(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?![*\w])", r"<em>\1</em>", html)

    def link(match: re.Match[str]) -> str:
        url = match.group(2).replace("&amp;", "&")
        if not _SAFE_URL.match(url):
            return match.group(0)
        return f'<a class="mc-link" href="{escape(url)}">{match.group(1)}</a>'

    return _LINK.sub(link, html)


def render_markdown(text: str, heading_offset: int = 1) -> Markup:
    blocks: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []
    list_tag = ""

    def flush() -> None:
        nonlocal list_tag
        if paragraph:
            blocks.append("<p>" + "<br>".join(_inline(line) for line in paragraph) + "</p>")
            paragraph.clear()
        if items:
            blocks.append(f'<{list_tag} class="mc-list">' + "".join(f"<li>{i}</li>" for i in items) + f"</{list_tag}>")
            items.clear()
            list_tag = ""

    for line in text.replace("\r\n", "\n").split("\n"):
        heading, bullet, numbered = _HEADING.match(line), _BULLET.match(line), _NUMBERED.match(line)
        if not line.strip():
            flush()
        elif heading:
            flush()
            level = min(6, len(heading.group(1)) + heading_offset)
            blocks.append(f'<h{level} class="mc-heading">{_inline(heading.group(2).strip())}</h{level}>')
        elif bullet or numbered:
            tag = "ul" if bullet else "ol"
            if paragraph or (items and list_tag != tag):
                flush()
            list_tag = tag
            items.append(_inline((bullet or numbered).group(1)))  # type: ignore[union-attr]
        else:
            if items:
                flush()
            paragraph.append(line.strip())
    flush()
    return Markup("\n".join(blocks))
