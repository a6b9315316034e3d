"""FEEL subset: parity with form-js (feelin unaryTest) and refusal of everything else."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from forms.errors import FeelUnsupported
from forms.feel import compile_expression, evaluate, js_truthy, unary_test
from tests.conftest import shared_path


def _vectors() -> list[dict[str, object]]:
    return json.loads(shared_path("frontend", "feel_parity.json").read_text(encoding="utf-8"))


def test_feel_subset_agrees_with_form_js_on_all_33_parity_vectors() -> None:
    vectors = _vectors()
    disagreements = [(v["expr"], v["ctx"]) for v in vectors
                     if unary_test(str(v["expr"]), v["ctx"]) is not v["feelin_unaryTest"]]  # type: ignore[arg-type]
    assert len(vectors) == 33
    assert disagreements == []


@pytest.mark.parametrize(("expr", "ctx", "hidden"), [
    ("=n < 100", {}, True),                 # null result hides
    ("=not(flag)", {}, False),              # negated unary test, not boolean not()
    ("=not(n < 100)", {}, False),
    ("=not(n < 100)", {"n": 150}, True),
    ("=5 = \"5\"", {}, True),               # different types compare to null
    ("=flag = true", {"flag": True}, True),
    ("=flag", {"flag": 1}, False),          # a number is not null: the test is false
    ("=a.b.c = 2", {"a": {"b": {"c": 2}}}, True),
    ("=a.b = 1", {"a": "text"}, False),     # a path into a non-context is null, null = 1 is false
    ("=n * 2 > 3 and n - 1 < 5", {"n": 2.5}, True),
    ("=n / 0 = null", {"n": 1}, True),      # division by zero is null
    ("=2 ** 3 = 8", {}, True),
    ("=-(n) = -4", {"n": 4}, True),
    ("=s + \"b\" = \"ab\"", {"s": "a"}, True),
    ("=\"caf\\u00e9\" = s", {"s": "café"}, True),
    ("=kind = \"x\" or kind = \"y\"", {"kind": "y"}, True),
    ("=not(a) and b", {"a": False, "b": True}, True),   # nested not() is boolean not
    ("=not(a) and b", {"a": "x", "b": True}, True),     # not("x") is null -> null and true -> null -> hides
    ("=flag = true", {"flag": 1}, True),    # bool vs number: null: hidden
    ("=l = l", {"l": [1, 2]}, True),
    ("=0.1 + 0.2 = 0.3", {}, True),         # decimals, not floats
])
def test_hide_rule_decisions_follow_feel_null_logic(expr: str, ctx: dict[str, object], hidden: bool) -> None:
    assert unary_test(expr, ctx) is hidden


def test_numbers_from_data_are_decimals_and_bools_are_not_numbers() -> None:
    assert evaluate("=n + 1", {"n": 1.5}) == Decimal("2.5")
    assert evaluate("=b + 1", {"b": True}) is None


def test_repeating_row_context_reads_this_and_parent() -> None:
    ctx = {"this": {"age": 10}, "parent": {"kind": "x"}, "kind": "x"}
    assert unary_test("=this.age < 18 and parent.kind = \"x\"", ctx) is True


@pytest.mark.parametrize(("expr", "fragment"), [
    ("=if a then b else c", "'if' is not supported"),
    ("=a in [1, 2]", "'in' is not supported"),
    ("=[1, 2]", "lists and filters are not supported"),
    ("={a: 1}", "contexts are not supported"),
    ("=date(\"2020-01-01\") < today()", "function 'date()'"),
    ("=list contains(xs, 1)", "names with spaces"),
    ("=a < b < c", "chained comparisons"),
    ("=a between 1 and 2", "'between' is not supported"),
    ("=some x in xs satisfies x > 1", "'some' is not supported"),
    ("=x > 1 ? y", "the input '?'"),
    ("=1..5", "ranges"),
    ("=\"open", "unterminated string"),
    ("=(a", "expected ')'"),
    ("=a +", "unexpected"),
    ("=", "empty"),
    ("a = 1", "must start with '='"),
    ("=a = 'x'", "single-quoted"),
    ("=a && b", "use and"),
    ("=__import__(\"os\")", "function '__import__()'"),
])
def test_expressions_outside_the_subset_raise_feel_unsupported(expr: str, fragment: str) -> None:
    with pytest.raises(FeelUnsupported) as caught:
        compile_expression(expr)
    assert fragment in caught.value.message


def test_names_lists_every_variable_an_expression_reads() -> None:
    assert compile_expression("=a.b = 1 or c < d").names() == {"a", "c", "d"}


def test_js_truthiness_of_readonly_expressions() -> None:
    assert [js_truthy(v) for v in (None, False, Decimal(0), "", True, Decimal(2), "x", {})] == \
        [False, False, False, False, True, True, True, True]
