"""The restricted evaluator for every admin-authored expression and script SpiffWorkflow runs.

SpiffWorkflow's own environment is plain ``eval``/``exec`` with full builtins (SPIFFWORKFLOW.md §7).
``SafeEnvironment`` replaces it at the documented extension point: expressions go through simpleeval
with a function whitelist; scripts are a sequence of assignment-like statements whose right-hand sides
go through the same evaluator. Nothing here calls ``compile``, ``eval`` or ``exec``.
"""
from __future__ import annotations

import ast
import functools
import math
import re
import textwrap
from collections import ChainMap
from collections.abc import Callable, Iterable, Mapping, MutableMapping, Set, ValuesView
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import simpleeval
from simpleeval import EvalWithCompoundTypes, InvalidExpression, IterableTooLong, NameNotDefined
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine.python_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.exceptions import SpiffWorkflowException

__all__ = ["ExpressionRefused", "FUNCTIONS", "ISO_TIMER_LITERAL", "SAFE_ENGINE", "SafeEnvironment",
           "CONTEXT_FUNCTIONS", "SafeScriptEngine", "check_expression", "check_script", "make_script_engine",
           "register_function"]

MAX_TEXT = 50_000        # characters per expression or script
MAX_DEPTH = 80           # AST nesting: simpleeval recurses ~3 frames per level
MAX_STR = simpleeval.MAX_STRING_LENGTH
MAX_INT_BITS = 10_000    # under CPython's 4300-digit int<->str limit, so every int stays serializable
MAX_BUILT = 2_000_000    # items + characters one evaluate/execute may build: stops comprehension bombs
MAX_VALUE = 1_000_000    # items + characters of one value written to task data: a JSON size proxy


class ExpressionRefused(Exception):
    """An expression or script uses something outside the allowed language."""

    code = "expression_refused"

    def __init__(self, reason: str, line: int | None = None) -> None:
        self.reason, self.line = reason, line
        # Spiff builds its task error from args[0], so that must be the whole English text
        super().__init__(reason if line is None else f"line {line}: {reason}")


# ---------------------------------------------------------------- whitelisted functions
_VN_TZ = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")  # no DST since 1975: a fixed offset is exact


def _print(*args: Any, **kwargs: Any) -> None:
    """Scripts written for Spiff call print(); on a server the output must go nowhere."""


def _safe_round(number: Any, ndigits: int | None = None) -> Any:
    if ndigits is not None and abs(ndigits) > 30:  # round(n, -10**9) builds 10**(10**9) internally
        raise simpleeval.NumberTooHigh("round() ndigits must be between -30 and 30")
    return round(number) if ndigits is None else round(number, ndigits)


def _safe_sum(items: Iterable[Any], start: Any = 0) -> Any:
    values = list(items)  # sum(lists, []) is quadratic and grows lists: numbers only
    if not all(isinstance(v, (int, float)) for v in [start, *values]):
        raise TypeError("sum() only adds numbers")
    return sum(values, start)


def _safe_str(value: Any = "", *args: Any) -> str:
    if not isinstance(value, (str, bytes)):  # str() of a container renders every element
        _to_data(value, strict=False, limit=MAX_STR)
    return str(value, *args)


def now_iso() -> str:
    """The current instant as an aware UTC ISO-8601 string."""
    return datetime.now(UTC).isoformat()


def parse_date(value: str) -> str:
    """YYYY-MM-DD from an ISO date/date-time or a Vietnamese DD/MM/YYYY text.

    An aware date-time is read in Vietnam's time, where the dossier's days are counted.
    """
    if not isinstance(value, str):
        raise TypeError("parse_date() expects a text")
    vn = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", value.strip())
    if vn:
        return date(int(vn[3]), int(vn[2]), int(vn[1])).isoformat()
    moment = datetime.fromisoformat(value.strip())
    return (moment.astimezone(_VN_TZ) if moment.tzinfo else moment).date().isoformat()


def days_between(start: str, end: str) -> int:
    """Calendar days from start to end (negative when end is earlier)."""
    return (date.fromisoformat(parse_date(end)) - date.fromisoformat(parse_date(start))).days


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "len": len, "min": min, "max": max, "abs": abs, "round": _safe_round, "sum": _safe_sum,
    "sorted": sorted, "any": any, "all": all, "int": int, "float": float, "str": _safe_str, "bool": bool,
    "list": list, "dict": dict, "print": _print,
    "now_iso": now_iso, "parse_date": parse_date, "days_between": days_between,
}


#: Functions the language knows whose implementation depends on the installation (the working
#: calendar): accepted by the checks everywhere, supplied per script engine by the runtime
#: (`make_script_engine(functions=…)`); an engine without them refuses the call at run time.
CONTEXT_FUNCTIONS: frozenset[str] = frozenset({"add_working_days", "add_working_hours", "working_days_between"})


def _known(name: str) -> bool:
    return name in FUNCTIONS or name in CONTEXT_FUNCTIONS


def register_function(name: str, fn: Callable[..., Any]) -> None:
    """Add a reviewed helper (e.g. add_working_days) to the language; call it at start-up."""
    if not (name.isidentifier() and not name.startswith("_") and callable(fn)) \
            or fn in simpleeval.DISALLOW_FUNCTIONS:
        raise ValueError(f"cannot register {name!r} as an expression function")
    FUNCTIONS[name] = fn
    _compiled_expression.cache_clear()  # cached checks were made against the old whitelist
    _compiled_script.cache_clear()


# ---------------------------------------------------------------- operators and methods
def _limit(size: int) -> None:
    if size > MAX_STR:
        raise IterableTooLong(f"result would be longer than {MAX_STR}")


def _safe_power(base: Any, exp: Any) -> Any:
    if isinstance(base, int) and isinstance(exp, int) and abs(base) > 1 \
            and exp * math.log2(abs(base)) > MAX_INT_BITS:
        raise simpleeval.NumberTooHigh(f"power too large: {base} ** {exp}")
    return simpleeval.safe_power(base, exp)


def _safe_mult(left: Any, right: Any) -> Any:
    if isinstance(left, int) and isinstance(right, int) \
            and left.bit_length() + right.bit_length() > MAX_INT_BITS:
        raise simpleeval.NumberTooHigh("product too large")
    return simpleeval.safe_mult(left, right)


_PERCENT = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d*)(?:\.(\*|\d*))?")


def _safe_mod(left: Any, right: Any) -> Any:
    if isinstance(left, str):  # '%999999999d' % 1 would allocate a gigabyte
        for width, precision in _PERCENT.findall(left):
            if "*" in (width, precision) or len(width) > 5 or len(precision) > 5:
                raise IterableTooLong("%-format width or precision too large")
        _to_data(right, strict=False, limit=MAX_STR)
    return left % right


_OPERATORS: dict[type, Callable[..., Any]] = {
    **simpleeval.DEFAULT_OPERATORS, ast.Pow: _safe_power, ast.Mult: _safe_mult, ast.Mod: _safe_mod}
_AUG_OPERATORS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod)


def _join(sep: str, items: Iterable[Any]) -> str:
    parts = list(items)
    _limit(sum(len(p) for p in parts if isinstance(p, str)) + len(sep) * max(len(parts) - 1, 0))
    return sep.join(parts)


def _replace(text: str, old: str, new: str, count: int = -1) -> str:
    hits = text.count(old) if old else len(text) + 1
    _limit(len(text) + (hits if count < 0 else min(hits, count)) * (len(new) - len(old)))
    return text.replace(old, new, count)


def _padder(name: str) -> Callable[..., str]:
    def pad(text: str, width: int, *rest: Any) -> str:
        _limit(width)
        return getattr(str, name)(text, width, *rest)  # type: ignore[no-any-return]
    return pad


# str methods that turn a short input into a huge output get a size check first
_STR_GUARDED: dict[str, Callable[..., str]] = {
    "join": _join, "replace": _replace, **{n: _padder(n) for n in ("center", "ljust", "rjust", "zfill")}}
# No mutating list/dict/set methods: nested task data is shared between tasks (SPIFFWORKFLOW.md P1).
# No format/format_map (attribute walks), translate/encode/expandtabs (size blow-ups, bytes).
_ALLOWED_ATTRS: dict[type, set[str]] = {
    str: {"capitalize", "casefold", "count", "endswith", "find", "index", "isalnum", "isalpha", "isascii",
          "isdecimal", "isdigit", "islower", "isnumeric", "isspace", "istitle", "isupper", "lower", "lstrip",
          "partition", "removeprefix", "removesuffix", "rfind", "rindex", "rpartition", "rsplit", "rstrip",
          "split", "splitlines", "startswith", "strip", "swapcase", "title", "upper", *_STR_GUARDED},
    dict: {"get", "keys", "values", "items", "copy"},
    list: {"index", "count", "copy"},
    tuple: {"index", "count"},
    set: {"union", "intersection", "difference", "symmetric_difference", "issubset", "issuperset",
          "isdisjoint"},
}
_METHOD_NAMES = frozenset().union(*_ALLOWED_ATTRS.values())
# results of these nodes are freshly built, so their size counts against MAX_BUILT
_BUILDING = (ast.BinOp, ast.Call, ast.JoinedStr, ast.ListComp, ast.DictComp, ast.GeneratorExp, ast.List,
             ast.Dict, ast.Tuple, ast.Set)


def _unavailable(name: str) -> Callable[..., Any]:
    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise ExpressionRefused(f"function {name} needs the installation's working calendar")

    return refuse


class _Evaluator(EvalWithCompoundTypes):  # type: ignore[misc]
    """simpleeval with our whitelist, stricter size limits and one allocation budget per call.

    One instance per evaluate/execute: simpleeval keeps per-evaluation state on the instance.
    """

    def __init__(self, names: Mapping[str, Any], context: Mapping[str, Callable[..., Any]] | None = None) -> None:
        functions = dict(FUNCTIONS)
        for name in CONTEXT_FUNCTIONS:
            functions[name] = (context or {}).get(name) or _unavailable(name)
        super().__init__(operators=_OPERATORS, functions=functions, names=names,
                         allowed_attrs=_ALLOWED_ATTRS)
        for extra in ("tuple", "set"):  # EvalWithCompoundTypes adds these; run time must match the check
            if extra not in FUNCTIONS:
                self.functions.pop(extra, None)
        for statement in (ast.Assign, ast.AugAssign, ast.Import, ast.Expr):  # statements are ours to run
            self.nodes.pop(statement, None)
        self.budget = MAX_BUILT
        self.vetted: dict[int, Any] = {}

    def _check_disallowed_items(self, item: Any) -> None:
        # simpleeval re-walks a container on every use: `[i in xs for i in xs]` took 6 s for 10 000 items.
        # A container is walked once per evaluation; holding it here keeps its id from being reused.
        if isinstance(item, (list, tuple, dict, set)) and len(item) >= 32:
            if id(item) not in self.vetted:
                super()._check_disallowed_items(item)
                self.vetted[id(item)] = item
            return
        super()._check_disallowed_items(item)

    def _eval(self, node: ast.AST) -> Any:
        result = super()._eval(node)
        if isinstance(node, _BUILDING) and isinstance(result, (str, list, dict, tuple, set)):
            self.budget -= len(result)
            if self.budget < 0:
                raise IterableTooLong("expression builds too much data")
        return result

    def _eval_formattedvalue(self, node: ast.FormattedValue) -> Any:
        value = super()._eval_formattedvalue(node)
        _to_data(value, strict=False, limit=MAX_STR)  # simpleeval calls str() on it next
        return value

    def _eval_attribute(self, node: ast.Attribute) -> Any:
        item = super()._eval_attribute(node)
        if node.attr in _STR_GUARDED and isinstance(getattr(item, "__self__", None), str):
            return functools.partial(_STR_GUARDED[node.attr], item.__self__)
        return item


# ---------------------------------------------------------------- static checks
_REFUSED_NODES = {ast.Lambda: "lambda", ast.NamedExpr: "assignment expression (:=)", ast.Yield: "yield",
                  ast.YieldFrom: "yield", ast.Await: "await", ast.SetComp: "set comprehension",
                  ast.MatMult: "operator @"}
_ALLOWED_NODES = (ast.Expression, ast.Constant, ast.Name, ast.Load, ast.Store, ast.Attribute, ast.Subscript,
                  ast.Slice, ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp, ast.Call,
                  ast.keyword, ast.List, ast.Tuple, ast.Dict, ast.Set, ast.ListComp, ast.DictComp,
                  ast.GeneratorExp, ast.comprehension, ast.JoinedStr, ast.FormattedValue, ast.Starred,
                  ast.boolop, ast.cmpop, ast.unaryop,
                  *(op for op in _OPERATORS if issubclass(op, ast.operator)))
_REFUSED_STATEMENTS = {ast.Import: "import", ast.ImportFrom: "import", ast.For: "for loops",
                       ast.AsyncFor: "for loops", ast.While: "while loops", ast.FunctionDef: "def",
                       ast.AsyncFunctionDef: "def", ast.ClassDef: "class", ast.With: "with",
                       ast.AsyncWith: "with", ast.Try: "try", ast.If: "if statements (use x = a if c else b)",
                       ast.Global: "global", ast.Nonlocal: "nonlocal", ast.AnnAssign: "annotated assignment"}
_FORMAT_SPEC = re.compile(r"[<>^=]?[+\- ]?#?0?\d{0,3}[,_]?(?:\.\d{1,2})?[bcdeEfFgGnosxX%]?")


def _fold(node: ast.AST) -> Any:
    """Value of a constant numeric sub-expression, computed with the run-time limits; else None."""
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        value = _fold(node.operand)
        return None if value is None else -value
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Pow)):
        left, right = _fold(node.left), _fold(node.right)
        try:
            return None if left is None or right is None else _OPERATORS[type(node.op)](left, right)
        except (ArithmeticError, ValueError):
            return None
    return None


def _static_size(node: ast.BinOp) -> list[str]:
    try:
        if isinstance(node.op, ast.Pow):
            _fold(node)
        for seq, count in ((node.left, node.right), (node.right, node.left)):
            literal = isinstance(seq, (ast.List, ast.Tuple, ast.JoinedStr)) or (
                isinstance(seq, ast.Constant) and isinstance(seq.value, str))
            times = _fold(count) if isinstance(node.op, ast.Mult) and literal else None
            if isinstance(times, int) and times > MAX_STR:
                return [f"repetition too long ({times} times)"]
    except InvalidExpression as exc:
        return [str(exc)]
    except RecursionError:
        return ["expression nested too deeply"]
    return []


def _check_tree(root: ast.AST, depth: int = 0) -> list[str]:
    """Every reason the expression tree is outside the language (iterative: deep trees cannot crash it)."""
    reasons: list[str] = []
    callees: set[int] = set()
    stack: list[tuple[ast.AST, int, ast.AST | None]] = [(root, depth, None)]
    while stack:
        node, level, parent = stack.pop()
        if level > MAX_DEPTH:
            reasons.append("expression nested too deeply")
            continue
        if type(node) in _REFUSED_NODES or not isinstance(node, _ALLOWED_NODES):
            reasons.append(f"{_REFUSED_NODES.get(type(node), type(node).__name__)} not allowed")
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, bytes):  # b'%99999999d' % 1; not JSON
            reasons.append("bytes literals not allowed")
        elif isinstance(node, ast.Name) and node.id.startswith("_") and id(node) not in callees:
            reasons.append(f"name {node.id} not allowed")
        elif isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            reasons.append(f"attribute {node.attr} not allowed")
        elif isinstance(node, ast.Attribute) and node.attr not in _METHOD_NAMES:
            reasons.append(f"method {node.attr} not allowed")
        elif isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name):
                callees.add(id(node.func))
                if not _known(node.func.id):
                    reasons.append(f"function {node.func.id} not allowed")
            elif not isinstance(node.func, ast.Attribute):
                reasons.append("only named functions and methods can be called")
            if any(k.arg is None for k in node.keywords):
                reasons.append("**kwargs not allowed")
        elif isinstance(node, ast.Starred) and not isinstance(parent, ast.List):
            reasons.append("* unpacking only allowed inside a list")
        elif isinstance(node, ast.comprehension) and node.is_async:
            reasons.append("async comprehension not allowed")
        elif isinstance(node, ast.FormattedValue):
            if node.conversion not in (-1, ord("s")):  # simpleeval would silently ignore !r and !a
                reasons.append(f"f-string conversion !{chr(node.conversion)} not allowed")
            spec = node.format_spec  # a dynamic or wide spec is str.format by the back door
            if spec is not None and not (isinstance(spec, ast.JoinedStr) and all(
                    isinstance(v, ast.Constant) and isinstance(v.value, str)
                    and _FORMAT_SPEC.fullmatch(v.value) for v in spec.values)):
                reasons.append("f-string format spec not allowed")
        elif isinstance(node, ast.BinOp):
            reasons += _static_size(node)
        stack.extend((child, level + 1, node) for child in reversed(list(ast.iter_child_nodes(node))))
    return list(dict.fromkeys(reasons))


def _check_statement(stmt: ast.stmt) -> list[str]:
    if type(stmt) in _REFUSED_STATEMENTS:
        return [f"{_REFUSED_STATEMENTS[type(stmt)]} not allowed"]
    if isinstance(stmt, ast.Delete):
        names = [t.id for t in stmt.targets if isinstance(t, ast.Name)]
        if len(names) < len(stmt.targets):
            return ["del only removes variables"]
        return [f"name {n} not allowed" for n in names if n.startswith("_")]
    if isinstance(stmt, ast.Expr):
        if not (isinstance(stmt.value, ast.Call) and isinstance(stmt.value.func, ast.Name)):
            return ["only a call of an allowed function can stand alone"]
        return _check_tree(stmt.value, 1)
    if isinstance(stmt, ast.AugAssign) and not isinstance(stmt.op, _AUG_OPERATORS):
        return [f"operator {type(stmt.op).__name__}= not allowed"]
    if not isinstance(stmt, (ast.Assign, ast.AugAssign)):
        return [f"{type(stmt).__name__.lower()} statement not allowed"]
    reasons = []
    for target in stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]:
        for name in target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]:
            if isinstance(name, ast.Attribute):
                reasons.append("assignment to an attribute not allowed")
            elif isinstance(name, ast.Subscript):
                reasons.append("assignment to an item not allowed (build a new value instead)")
            elif not isinstance(name, ast.Name):
                reasons.append("only plain variable names can be assigned")
            elif name.id.startswith("_"):
                reasons.append(f"name {name.id} not allowed")
            elif _known(name.id):
                reasons.append(f"cannot assign to function name {name.id}")
    return reasons + _check_tree(stmt.value, 1)


def _parse(text: str, mode: str) -> Any:
    if len(text) > MAX_TEXT:
        raise ExpressionRefused(f"longer than {MAX_TEXT} characters")
    try:
        return ast.parse(text, mode=mode)
    except SyntaxError as exc:
        raise ExpressionRefused(f"syntax error: {exc.msg}", exc.lineno) from None
    except (RecursionError, MemoryError):
        raise ExpressionRefused("expression nested too deeply") from None


def check_expression(text: str) -> list[str]:
    """Reasons why `text` is not an allowed expression ([] when it is). Never runs anything."""
    try:
        return _check_tree(_parse(text.strip(), "eval"))
    except ExpressionRefused as exc:
        return [str(exc)]


def check_script(text: str) -> list[str]:
    """Reasons why `text` is not an allowed script ([] when it is), each prefixed with its line."""
    try:
        body = _parse(textwrap.dedent(text), "exec").body
    except ExpressionRefused as exc:
        return [str(exc)]
    return [f"line {stmt.lineno}: {reason}" for stmt in body for reason in _check_statement(stmt)]


@functools.lru_cache(maxsize=4096)
def _compiled_expression(text: str) -> ast.expr:
    reasons = check_expression(text)
    if reasons:
        raise ExpressionRefused("; ".join(reasons))
    return _parse(text.strip(), "eval").body  # type: ignore[no-any-return]


@functools.lru_cache(maxsize=1024)
def _compiled_script(text: str) -> tuple[tuple[ast.stmt, str], ...]:
    """Checked statements, each with its text for simpleeval's error messages."""
    reasons = check_script(text)
    if reasons:
        raise ExpressionRefused("; ".join(reasons))
    return tuple((stmt, ast.unparse(stmt)) for stmt in _parse(textwrap.dedent(text), "exec").body)


# ---------------------------------------------------------------- running
def _to_data(value: Any, strict: bool, limit: int = MAX_VALUE) -> Any:
    """strict: a fresh JSON-native copy for task data. Lenient: the value itself, vetted for callables.

    Both refuse a value whose printed form would exceed about `limit` characters, before anything
    prints it: a list can hold the same 100 kB string 100 000 times.
    """
    remaining = limit

    def walk(item: Any) -> Any:
        nonlocal remaining
        remaining -= 2 + (len(item) if isinstance(item, str) else item.bit_length() // 3
                          if isinstance(item, int) else 20 if isinstance(item, float) else 0)
        if remaining < 0:
            raise ExpressionRefused(f"value too large (over {limit} characters)")
        if item is None or isinstance(item, (bool, int, float, str)):
            return item
        if isinstance(item, (list, tuple, Set, ValuesView)):  # JSON returns tuples, sets, views as lists
            copied = [walk(x) for x in item]
            return copied if strict else item
        if isinstance(item, dict):
            if strict and not all(isinstance(k, str) for k in item):
                raise ExpressionRefused("dictionary keys must be text")
            copied_dict = {walk(k): walk(v) for k, v in item.items()}
            return copied_dict if strict else item
        if strict or callable(item):
            raise ExpressionRefused(f"a {type(item).__name__} is not JSON data")
        return item

    return walk(value)


def _translated(exc: Exception, line: int | None = None) -> Exception:
    """simpleeval's errors as the ones Spiff knows how to report."""
    if isinstance(exc, NameNotDefined):  # Spiff's "Did you mean" parses exactly this NameError text
        exc = NameError(f"name '{exc.name}' is not defined")
    elif isinstance(exc, InvalidExpression):
        exc = ExpressionRefused(str(exc), line)
    elif isinstance(exc, ExpressionRefused) and exc.line is None and line is not None:
        exc = ExpressionRefused(exc.reason, line)
    elif exc.args and not isinstance(exc.args[0], str):
        # Spiff concatenates args[0] to its message: KeyError(1) would crash it
        exc.args = (repr(exc.args[0]), *exc.args[1:])
    if line is not None and not isinstance(exc, ExpressionRefused):
        exc.add_note(f"script line {line}")
    return exc


def _restricted(evaluator: _Evaluator, text: str, node: ast.AST) -> Any:
    """simpleeval's own walk of a checked AST (its method is named `eval`; it is not Python's eval)."""
    return getattr(evaluator, "eval")(text, previously_parsed=node)  # noqa: B009


def _run(stmt: ast.stmt, text: str, evaluator: _Evaluator, data: MutableMapping[str, Any]) -> None:
    def value_of(node: ast.expr) -> Any:
        return _restricted(evaluator, text, node)

    def store(name: str, value: Any) -> None:
        if _known(name):  # a function registered after the check was cached
            raise ExpressionRefused(f"cannot assign to function name {name}")
        data[name] = _to_data(value, strict=True)

    if isinstance(stmt, ast.Assign):
        value = value_of(stmt.value)
        for target in stmt.targets:
            if isinstance(target, ast.Name):
                store(target.id, value)
                continue
            assert isinstance(target, (ast.Tuple, ast.List))  # guaranteed by _check_statement
            items, names = list(value), [t.id for t in target.elts if isinstance(t, ast.Name)]
            if len(items) != len(names):
                raise ValueError(f"cannot unpack {len(items)} values into {len(names)} names")
            for name, item in zip(names, items, strict=True):
                store(name, item)
    elif isinstance(stmt, ast.AugAssign):
        assert isinstance(stmt.target, ast.Name)  # guaranteed by _check_statement
        name = stmt.target.id
        if name not in evaluator.names:
            raise NameNotDefined(name, text)
        # always a new value, never list.__iadd__: nested data is shared with earlier tasks
        store(name, _OPERATORS[type(stmt.op)](evaluator.names[name], value_of(stmt.value)))
    elif isinstance(stmt, ast.Delete):
        for target in stmt.targets:
            assert isinstance(target, ast.Name)  # guaranteed by _check_statement
            if target.id not in data:
                raise NameNotDefined(target.id, text)
            del data[target.id]
    elif isinstance(stmt, ast.Expr):
        value_of(stmt.value)


class SafeEnvironment(BasePythonScriptEngineEnvironment):  # type: ignore[misc]
    """Drop-in for TaskDataEnvironment: the same data semantics for legitimate code, without eval/exec."""

    def __init__(self, functions: Mapping[str, Callable[..., Any]] | None = None) -> None:
        super().__init__(None)
        self.functions = dict(functions or {})

    def evaluate(self, expression: str, context: Mapping[str, Any],
                 external_context: Mapping[str, Any] | None = None) -> Any:
        try:
            node = _compiled_expression(expression)
            evaluator = _Evaluator(ChainMap(context, external_context or {}), self.functions)  # type: ignore[arg-type]
            return _to_data(_restricted(evaluator, expression, node), strict=False)
        except Exception as exc:
            raise _translated(exc) from None

    def execute(self, script: str, context: MutableMapping[str, Any],
                external_context: Mapping[str, Any] | None = None) -> bool:
        external = dict(external_context or {})
        clash = set(external).intersection(context)
        if clash:  # the fail-fast of TaskDataEnvironment.check_for_overwrite
            raise ValueError(f"You have task data that overwrites a predefined function(s). Please change "
                             f"the following variable or field name(s) to something else: {clash}")
        evaluator = _Evaluator(ChainMap(context, external), self.functions)
        try:
            for stmt, text in _compiled_script(script or ""):
                try:
                    _run(stmt, text, evaluator, context)
                except Exception as exc:
                    raise _translated(exc, stmt.lineno) from None
        finally:
            for name in external:  # like Spiff, names of the external context never stay in task data
                context.pop(name, None)
        return True

    def call_service(self, context: Mapping[str, Any], **kwargs: Any) -> Any:
        raise ExpressionRefused("service tasks are dispatched by the engine, not by scripts")


class SafeScriptEngine(PythonScriptEngine):  # type: ignore[misc]
    """PythonScriptEngine whose expression errors say why, and whose call_service error path works."""

    def evaluate(self, task: Any, expression: str, external_context: Mapping[str, Any] | None = None) -> Any:
        try:
            return self.environment.evaluate(expression, task.data, external_context)
        except SpiffWorkflowException as exc:
            exc.add_note(f"Error evaluating expression '{expression}'")
            raise
        except Exception as exc:  # Spiff's own message drops the cause; the modeler needs to know why
            reason = exc.reason if isinstance(exc, ExpressionRefused) else f"{type(exc).__name__}: {exc}"
            raise WorkflowTaskException(f"Error evaluating expression '{expression}': {reason}",
                                        task=task, exception=exc) from exc

    def call_service(self, task: Any, **kwargs: Any) -> Any:
        try:  # Spiff 3.2.0 references an undefined `script` while wrapping this error
            return self.environment.call_service(task.data, **kwargs)
        except Exception as exc:
            raise WorkflowTaskException(f"{type(exc).__name__}: {exc}", task=task, exception=exc) from exc


def make_script_engine(functions: Mapping[str, Callable[..., Any]] | None = None) -> PythonScriptEngine:
    """A script engine that evaluates through SafeEnvironment; `functions` implement the
    CONTEXT_FUNCTIONS (the runtime binds them to its calendar)."""
    unknown = set(functions or {}) - CONTEXT_FUNCTIONS
    if unknown:
        raise ValueError(f"not context functions of the language: {sorted(unknown)}")
    return SafeScriptEngine(environment=SafeEnvironment(functions))


SAFE_ENGINE: PythonScriptEngine = make_script_engine()

# ---------------------------------------------------------------- ISO-8601 timer literals
_NUM = r"\d+(?:[.,]\d+)?"
_DURATION = (rf"P(?=\d|T\d)(?:{_NUM}Y)?(?:{_NUM}M)?(?:{_NUM}W)?(?:{_NUM}D)?"
             rf"(?:T(?=\d)(?:{_NUM}H)?(?:{_NUM}M)?(?:{_NUM}S)?)?")
_DATETIME = r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?"
_POINT = rf"(?:{_DURATION}|{_DATETIME})"
# the whole text: a duration (PT5M), a date-time (2026-03-01T10:00:00+07:00) or R[n]/start-or-duration[/end]
ISO_TIMER_LITERAL: re.Pattern[str] = re.compile(rf"\A(?:R\d*/{_POINT}(?:/{_POINT})?|{_POINT})\Z")
