"""Which hide rules the browser may decide (forms/client.py), and the JSON trees it gets."""

from __future__ import annotations

import pytest

from forms import build
from forms.client import Rules, tree_of
from forms.feel import compile_expression
from tests.forms.factories import comp, form, options


@pytest.mark.parametrize(("expr", "tree"), [
    ('=kind = "company"', ["=", ["name", "kind"], ["lit", "company"]]),
    ("=not(flag)", ["not", ["name", "flag"]]),
    ("=a.b >= -2.5 or x = null", ["or", [">=", ["path", ["name", "a"], "b"], ["num", "-2.5"]],
                                   ["=", ["name", "x"], ["lit", None]]]),
    ("=n < 100 and true", ["and", ["<", ["name", "n"], ["num", "100"]], ["lit", True]]),
])
def test_comparisons_logic_literals_and_names_become_json_trees(expr: str, tree: list[object]) -> None:
    assert tree_of(compile_expression(expr).tree) == tree


@pytest.mark.parametrize("expr", ["=n * 2 > 5", "=-n < 0", '=a + "x" = "yx"', "=not(a, b)", "=n ** 2 = 4"])
def test_arithmetic_and_oddities_stay_with_the_server(expr: str) -> None:
    assert tree_of(compile_expression(expr).tree) is None


def test_rules_reading_names_no_field_gives_or_inside_rows_get_no_client_behaviour() -> None:
    schema = form(
        comp("radio", "kind", values=options("a", "b")),
        comp("textfield", "x", conditional={"hide": '=kind = "a"'}),
        comp("textfield", "y", conditional={"hide": '=status = "supplement"'}),  # a process variable
        comp("group", label="G", path="g", conditional={"hide": '=kind = "b"'},
             components=[comp("textfield", "z", conditional={"hide": "=kind * 1 = 1"})]),
        comp("dynamiclist", label="L", path="rows",
             components=[comp("textfield", "w", conditional={"hide": '=this.kind = "a"'})]))
    tree = build(schema).tree
    rules = Rules(tree)
    by_key = {getattr(n, "key", None) or n.label: n for n in tree.walk()}
    assert rules.rule(by_key["x"], ()) == '["=",["name","kind"],["lit","a"]]'
    assert rules.rule(by_key["y"], ()) == ""
    assert rules.rule(by_key["G"], ()) == ""  # holds a rule only the server can decide
    assert rules.rule(by_key["w"], (0,)) == ""
