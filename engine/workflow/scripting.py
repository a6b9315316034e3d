"""The restricted evaluator for every admin-authored expression and script SpiffWorkflow runs.

SpiffWorkflow's own environment is plain ``eval``/``exec`` with full builtins (SPIFFWORKFLOW.md §7).
We plug ``SafeEnvironment`` in at its documented extension point: expressions go through simpleeval
with a function whitelist, scripts are a sequence of assignment-like statements whose right-hand sides
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
from datetime import date, datetime, timedelta, timezone
from typing import Any

import simpleeval  # type: ignore[import-untyped]
from simpleeval import EvalWithCompoundTypes, InvalidExpression, IterableTooLong, NameNotDefined, NumberTooHigh
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine.python_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.exceptions import SpiffWorkflowException

__all__ = ["ExpressionRefused", "FUNCTIONS", "ISO_TIMER_LITERAL", "SAFE_ENGINE", "SafeEnvironment",
           "SafeScriptEngine", "check_expression", "check_script", "make_script_engine", "register_function"]

MAX_TEXT = 50_000           # characters per expression or script
MAX_DEPTH = 80              # AST nesting; simpleeval recurses ~3 frames per level
MAX_STR = simpleeval.MAX_STRING_LENGTH
MAX_INT_BITS = 10_000       # stays under CPython's 4300-digit int<->str limit, so results stay serializable
MAX_BUILT = 2_000_000       # items+characters one evaluate/execute may build (stops comprehension bombs)
MAX_VALUE = 1_000_000       # characters+items in one value written to task data (JSON size proxy)


class ExpressionRefused(Exception):
    """An expression or script uses something outside the allowed language."""

    code = "expression_refused"

    def __init__(self, reason: str, line: int | None = None) -> None:
        self.reason = reason
        self.line = line
        # Spiff builds its message from args[0], so it must be the full English text
        super().__init__(reason if line is None else f"line {line}: {reason}")


# ---------------------------------------------------------------- whitelisted functions
_VN_TZ = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")  # no DST in Vietnam since 1975: a fixed offset is exact


def _print(*args: Any, **kwargs: Any) -> None:
    """Scripts written for Spiff call print(); output must go nowhere on a server."""


def _safe_round(number: Any, ndigits: int | None = None) -> Any:
    # round(10**4000, -10**9) would build 10**(10**9) internally
    if ndigits is not None and abs(ndigits) > 30:
        raise NumberTooHigh("round() ndigits must be between -30 and 30")
    return round(number) if ndigits is None else round(number, ndigits)


def _safe_sum(items: Iterable[Any], start: Any = 0) -> Any:
    # sum(lists, []) is quadratic and can build huge lists from small ones: numbers only
    values = list(items)
    if not all(isinstance(v, (int, float)) for v in [start, *values]):
        raise TypeError("sum() only adds numbers")
    return sum(values, start)


def now_iso() -> str:
    """The current instant as an aware UTC ISO-8601 string."""
    return datetime.now(timezone.utc).isoformat()


def parse_date(value: str) -> str:
    """An ISO date (YYYY-MM-DD) from an ISO date/date-time or a Vietnamese DD/MM/YYYY text.

    An aware date-time is read in Vietnam's time, where the dossier's day is counted.
    """
    if not isinstance(value, str):
        raise TypeError("parse_date() expects a text")
    text = value.strip()
    vn = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    if vn:
        return date(int(vn[3]), int(vn[2]), int(vn[1])).isoformat()
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is not None:
        moment = moment.astimezone(_VN_TZ)
    return moment.date().isoformat()


def days_between(start: str, end: str) -> int:
    """Calendar days from start to end (negative when end is earlier)."""
    return (date.fromisoformat(parse_date(end)) - date.fromisoformat(parse_date(start))).days


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "len": len, "min": min, "max": max, "abs": abs, "round": _safe_round, "sum": _safe_sum,
    "sorted": sorted, "any": any, "all": all, "int": int, "float": float, "str": str, "bool": bool,
    "list": list, "dict": dict, "print": _print,
    "now_iso": now_iso, "parse_date": parse_date, "days_between": days_between,
}


def register_function(name: str, fn: Callable[..., Any]) -> None:
    """Add a reviewed helper (e.g. add_working_days) to the language for every later evaluation."""
    if not name.isidentifier() or name.startswith("_") or not callable(fn):
        raise ValueError(f"cannot register {name!r} as a function")
    if fn in simpleeval.DISALLOW_FUNCTIONS:
        raise ValueError(f"{name!r} is a function simpleeval forbids")
    FUNCTIONS[name] = fn
    # cached checks were made against the old whitelist
    _compiled_expression.cache_clear()
    _compiled_script.cache_clear()


# ---------------------------------------------------------------- operators and methods
def _limit(size: int) -> None:
    if size > MAX_STR:
        raise IterableTooLong(f"result would be longer than {MAX_STR}")


def _safe_power(base: Any, exp: Any) -> Any:
    if isinstance(base, int) and isinstance(exp, int) and abs(base) > 1 and exp * math.log2(abs(base)) > MAX_INT_BITS:
        raise NumberTooHigh(f"power too large: {base} ** {exp}")
    return simpleeval.safe_power(base, exp)


def _safe_mult(left: Any, right: Any) -> Any:
    if isinstance(left, int) and isinstance(right, int) and left.bit_length() + right.bit_length() > MAX_INT_BITS:
        raise NumberTooHigh("product too large")
    return simpleeval.safe_mult(left, right)


_OPERATORS: dict[type, Callable[..., Any]] = {**simpleeval.DEFAULT_OPERATORS, ast.Pow: _safe_power,
                                              ast.Mult: _safe_mult}
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


# Methods that can turn a short input into a huge output are wrapped with a size check
_STR_GUARDED: dict[str, Callable[..., str]] = {
    "join": _join, "replace": _replace, **{n: _padder(n) for n in ("center", "ljust", "rjust", "zfill")}}
# No mutating list/dict/set methods: nested task data is shared between tasks (SPIFFWORKFLOW.md P1).
# No format/format_map/translate/encode/expandtabs: attribute walks or size blow-ups.
_ALLOWED_ATTRS: dict[type, set[str]] = {
    str: {"capitalize", "casefold", "count", "endswith", "find", "index", "isalnum", "isalpha", "isascii",
          "isdecimal", "isdigit", "islower", "isnumeric", "isspace", "istitle", "isupper", "lower", "lstrip",
          "partition", "removeprefix", "removesuffix", "rfind", "rindex", "rpartition", "rsplit", "rstrip",
          "split", "splitlines", "startswith", "strip", "swapcase", "title", "upper", *_STR_GUARDED},
    dict: {"get", "keys", "values", "items", "copy"},
    list: {"index", "count", "copy"},
    tuple: {"index", "count"},
    set: {"union", "intersection", "difference", "symmetric_difference", "issubset", "issuperset", "isdisjoint",
          "copy"},
}
_METHOD_NAMES = frozenset().union(*_ALLOWED_ATTRS.values())
# Node types whose result is a freshly built object, so its size counts against MAX_BUILT
_BUILDING = (ast.BinOp, ast.Call, ast.JoinedStr, ast.ListComp, ast.DictComp, ast.GeneratorExp, ast.List,
             ast.Dict, ast.Tuple, ast.Set)


class _Evaluator(EvalWithCompoundTypes):  # type: ignore[misc]
    """simpleeval with our whitelist, stricter size limits and one allocation budget per call."""

    def __init__(self, names: Mapping[str, Any]) -> None:
        super().__init__(operators=_OPERATORS, functions=dict(FUNCTIONS), names=names,
                         allowed_attrs=_ALLOWED_ATTRS)
        for extra in ("tuple", "set"):  # EvalWithCompoundTypes adds these; keep run time == static check
            if extra not in FUNCTIONS:
                self.functions.pop(extra, None)
        for statement in (ast.Assign, ast.AugAssign, ast.Import, ast.Expr):  # statements are ours to run
            self.nodes.pop(statement, None)
        self.budget = MAX_BUILT

    def _eval(self, node: ast.AST) -> Any:
        result = super()._eval(node)
        if isinstance(node, _BUILDING) and isinstance(result, (str, list, dict, tuple, set)):
            self.budget -= len(result)
            if self.budget < 0:
                raise IterableTooLong("expression builds too much data")
        return result

    def _eval_attribute(self, node: ast.Attribute) -> Any:
        item = super()._eval_attribute(node)
        guard = _STR_GUARDED.get(node.attr)
        if guard is not None and isinstance(getattr(item, "__self__", None), str):
            return functools.partial(guard, item.__self__)
        return item


# ---------------------------------------------------------------- static checks
_REFUSED_NODES = {ast.Lambda: "lambda", ast.NamedExpr: "assignment expression (:=)", ast.Yield: "yield",
                  ast.YieldFrom: "yield", ast.Await: "await", ast.SetComp: "set comprehension",
                  ast.MatMult: "operator @"}
_ALLOWED_NODES = (ast.Expression, ast.Constant, ast.Name, ast.Load, ast.Store, ast.Attribute, ast.Subscript,
                  ast.Slice, ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp, ast.Call, ast.keyword,
                  ast.List, ast.Tuple, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.GeneratorExp,
                  ast.comprehension, ast.JoinedStr, ast.FormattedValue, ast.Starred, ast.boolop, ast.cmpop,
                  ast.unaryop, *[op for op in simpleeval.DEFAULT_OPERATORS if issubclass(op, ast.operator)])
_REFUSED_STATEMENTS = {ast.Import: "import", ast.ImportFrom: "import", ast.For: "for loops",
                       ast.AsyncFor: "for loops", ast.While: "while loops", ast.FunctionDef: "def",
                       ast.AsyncFunctionDef: "def", ast.ClassDef: "class", ast.With: "with",
                       ast.AsyncWith: "with", ast.Try: "try", ast.If: "if statements (use x = a if c else b)",
                       ast.Global: "global", ast.Nonlocal: "nonlocal", ast.AnnAssign: "annotated assignment"}
_FORMAT_SPEC = re.compile(r"[<>^=]?[+\- ]?#?0?\d{0,3}[,_]?(?:\.\d{1,2})?[bcdeEfFgGnosxX%]?")


def _fold(node: ast.AST) -> int | float | None:
    """Value of a constant numeric sub-expression (with the run-time limits), else None."""
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value  # type: ignore[no-any-return]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _fold(node.operand)
        return None if value is None else (-value if isinstance(node.op, ast.USub) else value)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Pow)):
        left, right = _fold(node.left), _fold(node.right)
        if left is None or right is None:
            return None
        try:
            return _OPERATORS[type(node.op)](left, right)  # type: ignore[no-any-return]
        except (ArithmeticError, ValueError):
            return None
    return None


def _check_tree(root: ast.AST, depth: int = 0) -> list[str]:
    reasons: list[str] = []
    callees: set[int] = set()
    stack: list[tuple[ast.AST, int, ast.AST | None]] = [(root, depth, None)]
    while stack:
        node, level, parent = stack.pop()
        kind = type(node)
        if level > MAX_DEPTH:
            reasons.append("expression nested too deeply")
            continue
        if kind in _REFUSED_NODES:
            reasons.append(f"{_REFUSED_NODES[kind]} not allowed")
        elif not isinstance(node, _ALLOWED_NODES):
            reasons.append(f"{kind.__name__} not allowed")
        elif isinstance(node, ast.Name) and node.id.startswith("_") and id(node) not in callees:
            reasons.append(f"name {node.id} not allowed")
        elif isinstance(node, ast.Attribute) and (node.attr.startswith("_") or node.attr not in _METHOD_NAMES):
            what = "attribute" if node.attr.startswith("_") else "method"
            reasons.append(f"{what} {node.attr} not allowed")
        elif isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name):
                callees.add(id(node.func))
                if node.func.id not in FUNCTIONS:
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
            if node.conversion not in (-1, ord("s")):
                reasons.append(f"f-string conversion !{chr(node.conversion)} not allowed")
            spec = node.format_spec
            if spec is not None and not (
                    isinstance(spec, ast.JoinedStr) and len(spec.values) <= 1
                    and all(isinstance(v, ast.Constant) and _FORMAT_SPEC.fullmatch(v.value) for v in spec.values)):
                reasons.append("f-string format spec not allowed")
        elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Pow, ast.Mult)):
            reasons += _static_size(node)
        stack.extend((child, level + 1, node) for child in reversed(list(ast.iter_child_nodes(node))))
    return list(dict.fromkeys(reasons))


def _static_size(node: ast.BinOp) -> list[str]:
    try:
        if isinstance(node.op, ast.Pow):
            _fold(node)
            return []
        sequences = (ast.List, ast.Tuple, ast.JoinedStr)
        for seq, count in ((node.left, node.right), (node.right, node.left)):
            is_seq = isinstance(seq, sequences) or (isinstance(seq, ast.Constant) and isinstance(seq.value, str))
            times = _fold(count)
            if is_seq and isinstance(times, int) and times > MAX_STR:
                return [f"repetition too long ({times} times)"]
    except InvalidExpression as exc:
        return [str(exc)]
    return []


def _parse(text: str, mode: str) -> ast.AST:
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
        tree = _parse(text.strip(), "eval")
    except ExpressionRefused as exc:
        return [str(exc)]
    return _check_tree(tree)


def _check_statement(stmt: ast.stmt) -> list[str]:
    kind = type(stmt)
    if kind in _REFUSED_STATEMENTS:
        return [f"{_REFUSED_STATEMENTS[kind]} not allowed"]
    targets: list[ast.expr] = []
    if isinstance(stmt, ast.Assign):
        for target in stmt.targets:
            targets += target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]
    elif isinstance(stmt, ast.AugAssign):
        if not isinstance(stmt.op, _AUG_OPERATORS):
            return [f"operator {type(stmt.op).__name__}= not allowed"]
        targets = [stmt.target]
    elif isinstance(stmt, ast.Delete):
        if not all(isinstance(t, ast.Name) for t in stmt.targets):
            return ["del only removes variables"]
        return [f"name {t.id} not allowed" for t in stmt.targets if t.id.startswith("_")]  # type: ignore[attr-defined]
    elif isinstance(stmt, ast.Expr):
        call = stmt.value
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)):
            return ["only a call of an allowed function can stand alone"]
        return _check_tree(call, 1)
    else:
        return [f"{kind.__name__.lower()} statement not allowed"]
    reasons = []
    for target in targets:
        if isinstance(target, ast.Attribute):
            reasons.append("assignment to an attribute not allowed")
        elif isinstance(target, ast.Subscript):
            reasons.append("assignment to an item not allowed (build a new value instead)")
        elif not isinstance(target, ast.Name):
            reasons.append("only plain variable names can be assigned")
        elif target.id.startswith("_"):
            reasons.append(f"name {target.id} not allowed")
        elif target.id in FUNCTIONS:
            reasons.append(f"cannot assign to function name {target.id}")
    return reasons + _check_tree(stmt.value, 1)


def check_script(text: str) -> list[str]:
    """Reasons why `text` is not an allowed script ([] when it is), each prefixed with its line."""
    try:
        tree = _parse(textwrap.dedent(text), "exec")
    except ExpressionRefused as exc:
        return [str(exc)]
    return [f"line {stmt.lineno}: {reason}" for stmt in tree.body  # type: ignore[attr-defined]
            for reason in _check_statement(stmt)]


@functools.lru_cache(maxsize=4096)
def _compiled_expression(text: str) -> ast.expr:
    reasons = check_expression(text)
    if reasons:
        raise ExpressionRefused("; ".join(reasons))
    return _parse(text.strip(), "eval").body  # type: ignore[attr-defined,no-any-return]


@functools.lru_cache(maxsize=1024)
def _compiled_script(text: str) -> tuple[tuple[ast.stmt, str], ...]:
    """Checked statements, each with its own text for simpleeval's error messages."""
    reasons = check_script(text)
    if reasons:
        raise ExpressionRefused("; ".join(reasons))
    body = _parse(textwrap.dedent(text), "exec").body  # type: ignore[attr-defined]
    return tuple((stmt, ast.unparse(stmt)) for stmt in body)


# ---------------------------------------------------------------- data hygiene
def _to_data(value: Any, strict: bool) -> Any:
    """Strict: a JSON-native copy of value for task data. Lenient: value itself, vetted for size and callables."""
    remaining = MAX_VALUE

    def walk(item: Any) -> Any:
        nonlocal remaining
        remaining -= 1 + (len(item) if isinstance(item, str) else 0)
        if remaining < 0:
            raise ExpressionRefused("value too large for task data")
        if item is None or isinstance(item, (bool, int, float, str)):
            return item
        if isinstance(item, (list, tuple, Set, ValuesView)):
            copied = [walk(x) for x in item]  # tuples, sets and dict views come back from JSON as lists anyway
            return copied if strict else item
        if isinstance(item, dict):
            if strict and not all(isinstance(k, str) for k in item):
                raise ExpressionRefused("dictionary keys must be text")
            copied_dict = {k: walk(v) for k, v in item.items()}
            return copied_dict if strict else item
        if strict or callable(item):
            raise ExpressionRefused(f"a {type(item).__name__} is not JSON data")
        return item

    return walk(value)


def _translated(exc: Exception, line: int | None = None) -> Exception:
    """Turn simpleeval's errors into the ones Spiff knows how to report."""
    if isinstance(exc, NameNotDefined):  # Spiff's "Did you mean" parses this exact NameError text
        exc = NameError(f"name '{exc.name}' is not defined")
    elif isinstance(exc, InvalidExpression):
        exc = ExpressionRefused(str(exc), line)
    elif isinstance(exc, ExpressionRefused) and exc.line is None and line is not None:
        exc = ExpressionRefused(exc.reason, line)
    elif exc.args and not isinstance(exc.args[0], str):
        exc.args = (repr(exc.args[0]), *exc.args[1:])  # Spiff concatenates args[0] (KeyError(1) would crash it)
    if line is not None and not isinstance(exc, ExpressionRefused):
        exc.add_note(f"script line {line}")
    return exc


# ---------------------------------------------------------------- Spiff integration
class SafeEnvironment(BasePythonScriptEngineEnvironment):  # type: ignore[misc]
    """Drop-in for TaskDataEnvironment: same data semantics for legitimate code, no eval/exec."""

    def __init__(self) -> None:
        super().__init__(None)

    def evaluate(self, expression: str, context: Mapping[str, Any],
                 external_context: Mapping[str, Any] | None = None) -> Any:
        try:
            node = _compiled_expression(expression)
            # task data shadows data objects, as in TaskDataEnvironment
            evaluator = _Evaluator(ChainMap(context, external_context or {}))  # type: ignore[arg-type]
            return _to_data(evaluator.eval(expression, previously_parsed=node), strict=False)
        except Exception as exc:
            raise _translated(exc) from None

    def execute(self, script: str, context: MutableMapping[str, Any],
                external_context: Mapping[str, Any] | None = None) -> bool:
        external = dict(external_context or {})
        clash = set(external).intersection(context)
        if clash:  # same fail-fast as TaskDataEnvironment.check_for_overwrite
            raise ValueError(f"You have task data that overwrites a predefined function(s). Please change the "
                             f"following variable or field name(s) to something else: {clash}")
        statements = _compiled_script(script or "")
        evaluator = _Evaluator(ChainMap(context, external))  # type: ignore[arg-type]
        try:
            for stmt, text in statements:
                try:
                    _run(stmt, text, evaluator, context)
                except Exception as exc:
                    raise _translated(exc, stmt.lineno) from None
        finally:
            for name in external:  # Spiff drops data-object names a script (re)assigned
                context.pop(name, None)
        return True

    def call_service(self, context: Mapping[str, Any], **kwargs: Any) -> Any:
        raise ExpressionRefused("service tasks are dispatched by the engine, not by scripts")


def _run(stmt: ast.stmt, text: str, evaluator: _Evaluator, data: MutableMapping[str, Any]) -> None:
    def value_of(node: ast.expr) -> Any:
        return evaluator.eval(text, previously_parsed=node)

    def store(name: str, value: Any) -> None:
        if name in FUNCTIONS:  # a data key shadowing a function would be refused on the next check anyway
            raise ExpressionRefused(f"cannot assign to function name {name}")
        data[name] = _to_data(value, strict=True)

    if isinstance(stmt, ast.Assign):
        value = value_of(stmt.value)
        for target in stmt.targets:
            if isinstance(target, ast.Name):
                store(target.id, value)
                continue
            items = list(value)
            names = [t.id for t in target.elts]  # type: ignore[attr-defined]
            if len(items) != len(names):
                raise ValueError(f"cannot unpack {len(items)} values into {len(names)} names")
            for name, item in zip(names, items):
                store(name, item)
    elif isinstance(stmt, ast.AugAssign):
        name = stmt.target.id  # type: ignore[attr-defined]
        if name not in evaluator.names:
            raise NameNotDefined(name, text)
        # a new value, never list.__iadd__: nested data is shared with earlier tasks
        store(name, _OPERATORS[type(stmt.op)](evaluator.names[name], value_of(stmt.value)))
    elif isinstance(stmt, ast.Delete):
        for target in stmt.targets:
            if target.id not in data:  # type: ignore[attr-defined]
                raise NameNotDefined(target.id, text)  # type: ignore[attr-defined]
            del data[target.id]  # type: ignore[attr-defined]
    elif isinstance(stmt, ast.Expr):
        value_of(stmt.value)


class SafeScriptEngine(PythonScriptEngine):  # type: ignore[misc]
    """PythonScriptEngine whose expression errors name their reason, and whose call_service works."""

    def evaluate(self, task: Any, expression: str, external_context: Mapping[str, Any] | None = None) -> Any:
        try:
            return self.environment.evaluate(expression, task.data, external_context)
        except SpiffWorkflowException as exc:
            exc.add_note(f"Error evaluating expression '{expression}'")
            raise
        except Exception as exc:
            # Spiff's own message drops the cause; the modeler needs to know *why* it was refused
            reason = exc.reason if isinstance(exc, ExpressionRefused) else f"{type(exc).__name__}: {exc}"
            raise WorkflowTaskException(f"Error evaluating expression '{expression}': {reason}",
                                        task=task, exception=exc) from exc

    def call_service(self, task: Any, **kwargs: Any) -> Any:
        # Spiff 3.2.0's version references an undefined `script` while wrapping the error
        try:
            return self.environment.call_service(task.data, **kwargs)
        except Exception as exc:
            raise WorkflowTaskException(f"{type(exc).__name__}: {exc}", task=task, exception=exc) from exc


def make_script_engine() -> PythonScriptEngine:
    """A script engine that evaluates through SafeEnvironment."""
    return SafeScriptEngine(environment=SafeEnvironment())


SAFE_ENGINE: PythonScriptEngine = make_script_engine()

# ---------------------------------------------------------------- ISO-8601 timer literals
_NUM = r"\d+(?:[.,]\d+)?"
_DURATION = (rf"P(?=\d|T\d)(?:{_NUM}Y)?(?:{_NUM}M)?(?:{_NUM}W)?(?:{_NUM}D)?"
             rf"(?:T(?=\d)(?:{_NUM}H)?(?:{_NUM}M)?(?:{_NUM}S)?)?")
_DATETIME = r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?"
_POINT = rf"(?:{_DURATION}|{_DATETIME})"
# Whole text only: a duration (PT5M), a date-time (2026-03-01T10:00:00+07:00) or R[n]/start-or-duration[/end]
ISO_TIMER_LITERAL: re.Pattern[str] = re.compile(rf"\A(?:R\d*/{_POINT}(?:/{_POINT})?|{_POINT})\Z")
