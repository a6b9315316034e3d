"""form-js patterns keep JavaScript semantics (search, ASCII classes, strict $) in Python."""

from __future__ import annotations

import pytest

from forms.jsregex import PatternUnsupported, compile_js


@pytest.mark.parametrize(("pattern", "value", "matches"), [
    (r"abc", "xxabcxx", True),                       # test() searches, it is not anchored
    (r"^\d{12}$", "001195012345", True),
    (r"^\d{12}$", "001195012345\n", False),          # JavaScript $ is the very end
    (r"^\d{3}$", "١٢٣", False),                      # \d is ASCII without the u flag
    (r"^\w+$", "Đặng", False),                       # so is \w
    (r"\bthe\b", "the cat", True),
    (r"^a.b$", "a\rb", False),                       # . excludes \r, U+2028, U+2029
    (r"^a.b$", "a\u2028b", False),
    (r"^\s$", "\u00a0", True),                       # \s includes NBSP
    (r"^\S$", "\u00a0", False),
    (r"^[\s]$", "\ufeff", True),
    (r"^(?<y>\d{4})-\k<y>$", "2020-2020", True),     # named groups translated
    (r"^[^]$", "\n", True),                          # [^] is any character
    (r"[]", "a", False),                             # [] matches nothing
    (r"\p{L}", "p{L}", True),                        # identity escape without the u flag
    (r"a{,2}", "a{,2}", True),                       # not a quantifier in JavaScript
    (r"[[a]", "[", True),
    (r"\cJ", "\n", True),
    (r"\x41\u0042", "AB", True),
    (r"^[a\-z]$", "-", True),
    (r"^0(3|5|7|8|9)\d{8}$", "0912345678", True),
    (r"(?=a)a", "a", True),
    (r"(?<!x)b", "ab", True),
])
def test_patterns_match_like_javascript_regexp_test(pattern: str, value: str, matches: bool) -> None:
    assert bool(compile_js(pattern).search(value)) is matches


@pytest.mark.parametrize(("pattern", "fragment"), [
    (r"a*+", "quantifier cannot follow"),            # possessive: a JavaScript syntax error
    (r"a{2}{3}", "quantifier cannot follow"),
    (r"(?i)abc", "group syntax"),                    # inline flags
    (r"(?>a)", "group syntax"),                      # atomic group
    (r"(?P<x>a)", "group syntax"),                   # Python-only named group
    (r"\u{1F600}", "'u' flag"),
    (r"(?<=a+)b", "does not compile"),               # Python needs fixed-width lookbehind
    (r"[a", "not closed"),
    ("a\\", "lone backslash"),
    (r"*a", "nothing to repeat"),
    (r"(a", "does not compile"),
    (r"\2(a)", "does not compile"),
    (r"[\1]", "octal"),
])
def test_patterns_javascript_rejects_or_python_cannot_reproduce_are_refused(pattern: str, fragment: str) -> None:
    with pytest.raises(PatternUnsupported) as caught:
        compile_js(pattern)
    assert fragment in str(caught.value)
