"""Translate a form-js ``validate.pattern`` (JavaScript ``new RegExp(p).test(v)``, no flags) to Python.

The result is used with ``re.search`` (JavaScript ``test`` searches; it is not anchored). Without the
``u`` flag JavaScript differs from Python ``re`` in ways that matter for ID numbers and codes:

* ``\\d``, ``\\w``, ``\\b`` are ASCII-only: we compile with ``re.ASCII`` (Python's are Unicode);
* ``\\s`` also matches NBSP, U+2028/2029, U+FEFF and other Unicode spaces: added explicitly;
* ``$`` matches only at the very end (Python also before a final newline): becomes ``\\Z``;
* ``.`` excludes \\r, U+2028 and U+2029 too;
* ``(?<name>…)`` / ``\\k<name>`` become ``(?P<name>…)`` / ``(?P=name)``; ``[^]`` is any character,
  ``[]`` matches nothing; ``\\cX`` is a control character; an unknown letter escape (``\\p``, ``\\A``)
  is the letter itself; ``{,n}`` is literal text.

Syntax that JavaScript rejects, or that we cannot reproduce (possessive and atomic groups, inline
flags, ``\\u{…}``, lookbehinds Python cannot compile), raises :class:`PatternUnsupported`. One
difference remains: ``\\S`` *inside* a class is ASCII-only.
"""

from __future__ import annotations

import re
import warnings
from functools import lru_cache

_JS_SPACES = "\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
_DOT = "[^\\n\\r\\u2028\\u2029]"
_KNOWN_LETTERS = set("dDwWsSbBnrtvfxuck")
_QUANTIFIER = re.compile(r"\{\d+(,\d*)?\}")


class PatternUnsupported(ValueError):
    """The pattern is not valid JavaScript, or cannot be reproduced in Python exactly."""


@lru_cache(maxsize=512)
def compile_js(pattern: str) -> re.Pattern[str]:
    """Compile a JavaScript pattern for ``re.search``; raises PatternUnsupported."""
    translated = translate(pattern)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            return re.compile(translated, re.ASCII)
    except (re.error, FutureWarning, RecursionError) as exc:
        raise PatternUnsupported(f"the pattern does not compile: {exc}") from None


def translate(pattern: str) -> str:
    out: list[str] = []
    i, n = 0, len(pattern)
    in_class = False
    after_atom = False  # a quantifier may follow
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            if i + 1 >= n:
                raise PatternUnsupported("the pattern ends with a lone backslash")
            text, i = _escape(pattern, i, in_class)
            out.append(text)
            after_atom = True
            continue
        if in_class:
            if ch == "]":
                in_class = False
                out.append("]")
                after_atom = True
            elif ch in "[&~|":
                out.append("\\" + ch)  # literal in a JavaScript class; Python warns about set syntax
            else:
                out.append(ch)
            i += 1
            continue
        if ch == "[":
            if pattern.startswith("[^]", i):
                out.append("[\\s\\S]")
                i += 3
            elif pattern.startswith("[]", i):
                out.append("(?!)")
                i += 2
            else:
                in_class = True
                start = i + (2 if pattern.startswith("[^", i) else 1)
                out.append(pattern[i:start])
                i = start
            after_atom = True
            continue
        if ch == "(":
            i = _group(pattern, i, out)
            after_atom = False
            continue
        if ch in "*+?":
            if not after_atom:
                raise PatternUnsupported(f"nothing to repeat before {ch!r} at position {i}")
            out.append(ch)
            i += 1
            if i < n and pattern[i] == "?":  # lazy
                out.append("?")
                i += 1
            if i < n and pattern[i] in "*+":
                raise PatternUnsupported(f"a quantifier cannot follow another at position {i}")
            after_atom = False
            continue
        if ch == "{":
            match = _QUANTIFIER.match(pattern, i)
            if match and after_atom:
                out.append(match.group())
                i = match.end()
                if i < n and pattern[i] == "?":
                    out.append("?")
                    i += 1
                if i < n and pattern[i] in "*+{":
                    raise PatternUnsupported(f"a quantifier cannot follow another at position {i}")
                after_atom = False
                continue
            if match:
                raise PatternUnsupported(f"nothing to repeat before '{{' at position {i}")
            out.append("\\{")
            i += 1
            after_atom = True
            continue
        if ch == "$":
            out.append("\\Z")
        elif ch == ".":
            out.append(_DOT)
        elif ch == "}":
            out.append("\\}")
        else:
            out.append(ch)
        after_atom = ch not in "^$|"
        i += 1
    if in_class:
        raise PatternUnsupported("a character class is not closed")
    return "".join(out)


def _group(pattern: str, i: int, out: list[str]) -> int:
    rest = pattern[i:]
    for prefix in ("(?:", "(?=", "(?!", "(?<=", "(?<!"):
        if rest.startswith(prefix):
            out.append(prefix)
            return i + len(prefix)
    named = re.match(r"\(\?<([A-Za-z_][A-Za-z0-9_]*)>", rest)
    if named:
        out.append(f"(?P<{named.group(1)}>")
        return i + named.end()
    if rest.startswith("(?"):
        raise PatternUnsupported(f"the group syntax {rest[:4]!r} at position {i} is not JavaScript we support")
    out.append("(")
    return i + 1


def _escape(pattern: str, i: int, in_class: bool) -> tuple[str, int]:
    nxt = pattern[i + 1]
    if nxt == "s":
        return ("\\s" + _JS_SPACES if in_class else f"[\\s{_JS_SPACES}]"), i + 2
    if nxt == "S" and not in_class:
        return f"[^\\s{_JS_SPACES}]", i + 2
    if nxt == "c":
        letter = pattern[i + 2:i + 3]
        if letter.isascii() and letter.isalpha():
            return f"\\x{ord(letter) % 32:02x}", i + 3
        return "\\\\c", i + 2  # JavaScript: a literal backslash followed by c
    if nxt == "u":
        if pattern.startswith("{", i + 2):
            raise PatternUnsupported("\\u{…} needs the JavaScript 'u' flag, which form-js does not set")
        if re.fullmatch(r"[0-9A-Fa-f]{4}", pattern[i + 2:i + 6]):
            return pattern[i:i + 6], i + 6
        return "u", i + 2
    if nxt == "x":
        if re.fullmatch(r"[0-9A-Fa-f]{2}", pattern[i + 2:i + 4]):
            return pattern[i:i + 4], i + 4
        return "x", i + 2
    if nxt == "k":
        named = re.match(r"<([A-Za-z_][A-Za-z0-9_]*)>", pattern[i + 2:])
        if named and not in_class:
            return f"(?P={named.group(1)})", i + 2 + named.end()
        return "k", i + 2
    if nxt == "0" and not pattern[i + 2:i + 3].isdigit():
        return "\\x00", i + 2
    if nxt.isdigit():
        if in_class:
            raise PatternUnsupported("octal escapes in a character class are not supported")
        digits = re.match(r"\d+", pattern[i + 1:])
        assert digits is not None
        return "\\" + digits.group(), i + 1 + digits.end()
    if nxt == "b" and in_class:
        return "\\x08", i + 2
    if nxt.isascii() and nxt.isalpha() and nxt not in _KNOWN_LETTERS:
        return nxt, i + 2  # identity escape: \p is "p" without the u flag
    if nxt.isascii() and nxt.isalnum():
        return "\\" + nxt, i + 2
    return re.escape(nxt), i + 2
