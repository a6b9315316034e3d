"""A FEEL subset that decides form-js hide rules exactly like form-js (feelin ``unaryTest``): a hand-written
tokenizer and Pratt parser, no ``eval``; outside the subset :class:`FeelUnsupported` is raised when *compiled*
(publish refuses it), evaluation never raises. Subset: literals, names and paths (``a.b``), parentheses,
``+ - * / **``, unary minus, ``= != < <= > >=`` (not chained), ``and``, ``or``, ``not(x)``, with FEEL's
three-valued logic (mixed types or ordering with null give null). Unary tests (FRONTEND.md §2.4): only ``true``
hides; a non-boolean result is compared with the missing input (null); a top-level ``not(x)`` is the negated
test. The context is form-js's: the form data, plus ``this``/``parent``/``i`` in rows (forms/evaluate.py).
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from forms.errors import FeelUnsupported

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<number>\d+(?:\.\d+)?|\.\d+)
    | (?P<string>"(?:[^"\\]|\\.)*")
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<op>\*\*|!=|<=|>=|[-+*/=<>().,])
    | (?P<other>\S)
    )""",
    re.VERBOSE,
)
_KEYWORDS = {"true", "false", "null", "and", "or", "not"}
_UNSUPPORTED_WORDS = {"if", "then", "else", "for", "in", "return", "some", "every", "satisfies", "between",
                      "instance", "function"}
_COMPARISON = {"=", "!=", "<", "<=", ">", ">="}
_BINDING = {"or": 10, "and": 20, **dict.fromkeys(_COMPARISON, 30), "+": 40, "-": 40, "*": 50, "/": 50, "**": 60}
_UNARY_MINUS = 70
_MATH = decimal.Context(prec=34, Emax=6144, Emin=-6143, traps=[decimal.InvalidOperation, decimal.DivisionByZero,
                                                               decimal.Overflow])
#: fixed limits checked at compile (publish) time: what passes evaluates in bounded time and stack
MAX_LENGTH = 2_000  # characters of one expression
MAX_TOKENS = 400  # tokens: bounds the tree's size, so the work of one evaluation
MAX_DEPTH = 40  # nesting of parentheses, unary operators, not(...) and right-hand operands
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "r": "\r", "t": "\t", "'": "'"}


@dataclass(frozen=True)
class _Token:
    kind: str  # number, string, name, op, end
    text: str
    pos: int


@dataclass(frozen=True)
class Node:
    """One node of a parsed expression: ``op`` is lit, name, path, neg, not, or a binary operator."""

    op: str
    args: tuple[Any, ...]


def _tokenize(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(source):
        match = _TOKEN.match(source, pos)
        if match is None:  # only trailing whitespace is left
            break
        kind = match.lastgroup or "other"
        text = match.group(kind)
        start = match.start(kind)
        if kind == "other":
            hint = {"[": "lists and filters are", "{": "contexts are", "?": "the input '?' is", ":": "contexts are",
                    "'": "single-quoted strings are", '"': "an unterminated string is", "!": "'!' (use != or not()) is",
                    "&": "'&' (use and) is", "|": "'|' (use or) is"}.get(text, f"the character {text!r} is")
            raise FeelUnsupported(f"{hint} not supported in form rules", position=start)
        if kind == "name" and text in _UNSUPPORTED_WORDS:
            raise FeelUnsupported(f"'{text}' is not supported in form rules", position=start)
        if text.startswith(".") and tokens and tokens[-1].text == ".":
            raise FeelUnsupported("ranges ('..') are not supported in form rules", position=start)
        tokens.append(_Token(kind, text, start))
        pos = match.end()
    tokens.append(_Token("end", "", len(source)))
    return tokens


def _unquote(text: str, pos: int) -> str:
    out: list[str] = []
    i = 1
    while i < len(text) - 1:
        ch = text[i]
        if ch == "\\":
            nxt = text[i + 1]
            if nxt == "u" and re.fullmatch(r"[0-9A-Fa-f]{4}", text[i + 2:i + 6]):
                out.append(chr(int(text[i + 2:i + 6], 16)))
                i += 6
                continue
            if nxt not in _ESCAPES:
                raise FeelUnsupported(f"unknown escape '\\{nxt}' in a string", position=pos + i)
            out.append(_ESCAPES[nxt])
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


class _Parser:
    def __init__(self, source: str) -> None:
        self.tokens = _tokenize(source)
        if len(self.tokens) > MAX_TOKENS + 1:  # + the end token
            raise FeelUnsupported(f"the expression has more than {MAX_TOKENS} parts", limit="tokens",
                                  maximum=MAX_TOKENS)
        self.i = 0
        self.depth = 0

    def peek(self) -> _Token:
        return self.tokens[self.i]

    def take(self) -> _Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def expect(self, text: str) -> None:
        token = self.take()
        if token.text != text:
            raise FeelUnsupported(f"expected '{text}' at position {token.pos}, found {token.text or 'the end'!r}",
                                  position=token.pos)

    def parse(self) -> Node:
        node = self.expression(0)
        token = self.peek()
        if token.kind != "end":
            raise FeelUnsupported(f"unexpected {token.text!r} at position {token.pos}", position=token.pos)
        return node

    def expression(self, min_binding: int) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FeelUnsupported(f"the expression is nested more than {MAX_DEPTH} levels deep", limit="depth",
                                  maximum=MAX_DEPTH)
        try:
            return self._expression(min_binding)
        finally:
            self.depth -= 1

    def _expression(self, min_binding: int) -> Node:
        left = self.prefix()
        while True:
            token = self.peek()
            binding = _BINDING.get(token.text) if token.kind in ("op", "name") else None
            if binding is None or binding <= min_binding:
                return left
            self.take()
            # ** is right-associative; comparisons do not chain
            right = self.expression(binding - 1 if token.text == "**" else binding)
            if token.text in _COMPARISON and right.op in _COMPARISON:
                raise FeelUnsupported("chained comparisons are not supported", position=token.pos)
            if token.text in _COMPARISON and left.op in _COMPARISON:
                raise FeelUnsupported("chained comparisons are not supported", position=token.pos)
            left = Node(token.text, (left, right))

    def prefix(self) -> Node:
        token = self.take()
        if token.kind == "number":
            node = Node("lit", (Decimal(token.text),))
        elif token.kind == "string":
            node = Node("lit", (_unquote(token.text, token.pos),))
        elif token.text == "(":
            node = self.expression(0)
            self.expect(")")
        elif token.text == "-":
            return Node("neg", (self.expression(_UNARY_MINUS),))
        elif token.kind == "name" and token.text in ("true", "false", "null"):
            node = Node("lit", ({"true": True, "false": False, "null": None}[token.text],))
        elif token.kind == "name" and token.text == "not":
            self.expect("(")
            args = [self.expression(0)]
            while self.peek().text == ",":
                self.take()
                args.append(self.expression(0))
            self.expect(")")
            node = Node("not", tuple(args))
        elif token.kind == "name" and token.text not in _KEYWORDS:
            if self.peek().text == "(":
                raise FeelUnsupported(f"the function '{token.text}()' is not supported in form rules",
                                      position=token.pos)
            if self.peek().kind == "name" and self.peek().text not in _KEYWORDS:
                raise FeelUnsupported(f"names with spaces ('{token.text} {self.peek().text}') are not supported",
                                      position=token.pos)
            node = Node("name", (token.text,))
        else:
            raise FeelUnsupported(f"unexpected {token.text or 'end of expression'!r} at position {token.pos}",
                                  position=token.pos)
        while self.peek().text == ".":
            self.take()
            name = self.take()
            if name.kind != "name" or name.text in _KEYWORDS:
                raise FeelUnsupported(f"expected a name after '.' at position {name.pos}", position=name.pos)
            node = Node("path", (node, name.text))
        return node


@dataclass(frozen=True)
class Expression:
    """A compiled FEEL expression (the text after '=')."""

    source: str
    tree: Node

    def evaluate(self, ctx: Mapping[str, Any]) -> Any:
        """The FEEL value (None, bool, Decimal, str, or data from ctx)."""
        return _eval(self.tree, ctx)

    def unary_test(self, ctx: Mapping[str, Any]) -> bool:
        """form-js's decision: True only when the unary test is true (see the module docstring)."""
        if self.tree.op == "not":
            return not any(_test(_eval(arg, ctx)) for arg in self.tree.args)
        return _test(_eval(self.tree, ctx))

    def names(self) -> set[str]:
        """Top-level names the expression reads (for publish-time lints)."""
        found: set[str] = set()

        def walk(node: Node) -> None:
            if node.op == "name":
                found.add(node.args[0])
            for arg in node.args:
                if isinstance(arg, Node):
                    walk(arg)

        walk(self.tree)
        return found


def is_expression(value: Any) -> bool:
    """form-js's rule: a string starting with '=' is FEEL."""
    return isinstance(value, str) and value.startswith("=")


@lru_cache(maxsize=1024)
def compile_expression(source: str) -> Expression:
    """Parse ``=<FEEL>`` (the leading '=' is required); raises FeelUnsupported."""
    if not is_expression(source):
        raise FeelUnsupported("a FEEL expression must start with '='")
    body = source[1:]
    if len(body) > MAX_LENGTH:
        raise FeelUnsupported(f"the expression is longer than {MAX_LENGTH} characters", limit="length",
                              maximum=MAX_LENGTH)
    if not body.strip():
        raise FeelUnsupported("the FEEL expression is empty")
    return Expression(source, _Parser(body).parse())


def unary_test(source: str, ctx: Mapping[str, Any]) -> bool:
    """Hide decision for a ``conditional.hide`` string."""
    return compile_expression(source).unary_test(ctx)


def evaluate(source: str, ctx: Mapping[str, Any]) -> Any:
    return compile_expression(source).evaluate(ctx)


def js_truthy(value: Any) -> bool:
    """JavaScript truthiness of a FEEL value (form-js reads ``readonly`` expressions this way)."""
    if value is None or value is False:
        return False
    if isinstance(value, Decimal):
        return value != 0 and not value.is_nan()
    if isinstance(value, str):
        return value != ""
    return True


def _test(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return value is None  # compared with the missing input (null)


def _data(value: Any) -> Any:
    """Data from the context, as FEEL sees it: numbers become Decimal."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if value == value and value not in (float("inf"), float("-inf")) else None
    return value


def _kind(value: Any) -> str | None:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, Decimal):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "context"
    if isinstance(value, list | tuple):
        return "list"
    return None


def _equal(a: Any, b: Any) -> bool | None:
    if a is None or b is None:
        return a is None and b is None
    kind = _kind(a)
    if kind is None or kind != _kind(b):
        return None
    if kind == "list":
        if len(a) != len(b):
            return False
        results = [_equal(_data(x), _data(y)) for x, y in zip(a, b, strict=True)]
        return None if None in results else all(results)
    if kind == "context":
        if set(a) != set(b):
            return False
        results = [_equal(_data(a[k]), _data(b[k])) for k in a]
        return None if None in results else all(results)
    return bool(a == b)


def _order(op: str, a: Any, b: Any) -> bool | None:
    kind = _kind(a)
    if a is None or b is None or kind not in ("number", "string") or kind != _kind(b):
        return None
    if op == "<":
        return bool(a < b)
    if op == "<=":
        return bool(a <= b)
    if op == ">":
        return bool(a > b)
    return bool(a >= b)


def _arith(op: str, a: Any, b: Any) -> Any:
    if isinstance(a, str) and isinstance(b, str) and op == "+":
        return a + b
    if not isinstance(a, Decimal) or not isinstance(b, Decimal):
        return None
    try:
        if op == "+":
            return _MATH.add(a, b)
        if op == "-":
            return _MATH.subtract(a, b)
        if op == "*":
            return _MATH.multiply(a, b)
        if op == "/":
            return _MATH.divide(a, b)
        if abs(b) > 10_000:
            return None
        return _MATH.power(a, b)
    except (ArithmeticError, ValueError):
        return None


def _logic(op: str, a: Any, b: Any) -> bool | None:
    a = a if isinstance(a, bool) else None
    b = b if isinstance(b, bool) else None
    if op == "and":
        if a is False or b is False:
            return False
        return True if a is True and b is True else None
    if a is True or b is True:
        return True
    return False if a is False and b is False else None


def _eval(node: Node, ctx: Mapping[str, Any]) -> Any:
    op, args = node.op, node.args
    if op == "lit":
        return args[0]
    if op == "name":
        return _data(ctx.get(args[0])) if isinstance(ctx, Mapping) else None
    if op == "path":
        base = _eval(args[0], ctx)
        return _data(base.get(args[1])) if isinstance(base, Mapping) else None
    if op == "neg":
        value = _eval(args[0], ctx)
        return -value if isinstance(value, Decimal) else None
    if op == "not":
        if len(args) != 1:
            return None
        value = _eval(args[0], ctx)
        return (not value) if isinstance(value, bool) else None
    left, right = _eval(args[0], ctx), _eval(args[1], ctx)
    if op in ("and", "or"):
        return _logic(op, left, right)
    if op == "=":
        return _equal(left, right)
    if op == "!=":
        same = _equal(left, right)
        return None if same is None else not same
    if op in _COMPARISON:
        return _order(op, left, right)
    return _arith(op, left, right)
