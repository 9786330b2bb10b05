"""Evaluation: decisions from a checked policy, in two backends with one meaning.

`interpret` walks the checked tree with three-valued logic (None is unknown). It is
the reference semantics, and it explains itself: traces and the REPL use it.

`compile_policy` turns the same tree into Python source, compiled once, so that a
rule costs what a hand-written `if` costs. Kleene logic is compiled as two plain
boolean forms per condition, "is true" and "is false" (`not a` is true when `a` is
false; `a and b` is false when either is), so no unknown value is ever built on
the fast path. Fields, lets and case-folded text are loaded into locals just
before the first rule that needs them: at most once per record, and never for a
record an earlier rule already decided. Tests check both backends agree.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, NamedTuple, cast

from . import checked as c
from .builtins import DERIVED_FROM_NAME, split_name
from .regex import Regex
from .types import Type

Record = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class TraceStep:
    """One rule tried: its line, action and result (`true`, `false`, `unknown`)."""

    line: int
    action: str
    result: str
    missing: tuple[str, ...] = ()  # the missing fields behind an unknown


@dataclass(frozen=True, slots=True)
class Decision:
    action: str
    line: int
    reason: str | None
    reply: str | None
    trace: tuple[TraceStep, ...] | None = None


# -- the meaning of each operation on present values ---------------------------

def _fold_all(items: Iterable[str]) -> list[str]:
    return [item.casefold() for item in items]


def _eq(a: Any, b: Any) -> bool:
    if isinstance(a, str):
        return bool(a.casefold() == b.casefold())
    if isinstance(a, (list, tuple)):
        return _fold_all(a) == _fold_all(b)
    return bool(a == b)


OPERATIONS: dict[str, Callable[..., Any]] = {
    "eq": _eq,
    "ne": lambda a, b: not _eq(a, b),
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
    "contains": lambda s, x: x.casefold() in s.casefold(),
    "has": lambda items, x: x.casefold() in _fold_all(items),
    "contains_any": lambda s, xs: any(x.casefold() in s.casefold() for x in xs),
    "has_any": lambda items, xs: not set(_fold_all(items)).isdisjoint(_fold_all(xs)),
    "starts_with": lambda s, x: s.casefold().startswith(x.casefold()),
    "ends_with": lambda s, x: s.casefold().endswith(x.casefold()),
    "in": lambda s, xs: s.casefold() in _fold_all(xs),
    "matches": lambda s, regex: regex.matches(s),
    "count": len,
    "length": len,
}


def field_value(record: Record, name: str, defaults: Mapping[str, Any]) -> Any:
    """A field's value in a record: given, derived from `name`, defaulted, or None."""
    value = record.get(name)
    if value is None and name in DERIVED_FROM_NAME:
        full = record.get("name")
        if full is not None:
            value = split_name(full)[DERIVED_FROM_NAME.index(name)]
    return defaults.get(name) if value is None else value


# -- the interpreter -------------------------------------------------------------

class Env:
    """One record being decided: field values and `let`s, each computed once."""

    def __init__(self, policy: c.Policy, record: Record, now: datetime) -> None:
        self.policy = policy
        self.record = record
        self.now = now
        self.defaults = policy.defaults()
        self.lets: dict[str, Any] = {}

    def field(self, name: str) -> Any:
        return field_value(self.record, name, self.defaults)

    def let(self, name: str) -> Any:
        if name not in self.lets:
            self.lets[name] = interpret(self.policy.let(name).expr, self)
        return self.lets[name]


def interpret(expr: c.Expr, env: Env) -> Any:
    """The value of an expression; None is missing (for a condition: unknown)."""
    if isinstance(expr, c.Const):
        return expr.value
    if isinstance(expr, c.FieldRef):
        return env.field(expr.name)
    if isinstance(expr, c.LetRef):
        return env.let(expr.name)
    if isinstance(expr, c.Not):
        value = interpret(expr.operand, env)
        return None if value is None else not value
    if isinstance(expr, (c.And, c.Or)):
        decisive = isinstance(expr, c.Or)  # the value that settles the connective
        unknown = False
        for operand in expr.operands:
            value = interpret(operand, env)
            if value is decisive:
                return decisive
            unknown = unknown or value is None
        return None if unknown else not decisive
    args = [interpret(arg, env) for arg in expr.args]
    if expr.op == "is_missing":
        return args[0] is None
    if expr.op == "is_not_missing":
        return args[0] is not None
    if any(arg is None for arg in args):
        return None
    if expr.op == "within":
        return cutoff(env.now, args[1]) <= args[0]
    if expr.op == "age":
        return env.now - args[0]
    return OPERATIONS[expr.op](*args)


def cutoff(now: datetime, duration: timedelta) -> datetime:
    """The earliest time `within duration` of now: `now - duration`, or the first or
    last instant there is when that lies beyond them (`sent_within 9999999w`). Counted
    in UTC: in `now`'s own clock (`-11:00`) the calendar's first day ends hours early."""
    with contextlib.suppress(OverflowError):  # (an instant UTC has no room for: its own clock)
        now = now.astimezone(timezone.utc)
    try:
        return now - duration
    except OverflowError:
        first = datetime.min if duration > timedelta(0) else datetime.max
        return first.replace(tzinfo=timezone.utc)


def missing_fields(expr: c.Expr, env: Env) -> tuple[str, ...]:
    """The missing fields that leave an unknown expression unknown, through `let`s, in
    order of first use. Only the unknown operands of `and`, `or` and `not` are followed:
    in `(did_business or mutual_connections >= 3)` with 5 connections, a missing
    `did_business` changes nothing."""

    def unknown_operands(node: c.Expr) -> Iterable[c.Expr]:
        if isinstance(node, (c.And, c.Or, c.Not)):
            return [child for child in c.children(node) if interpret(child, env) is None]
        return c.children(node)

    return tuple(dict.fromkeys(node.name for node in env.policy.walk(expr, unknown_operands)
                               if isinstance(node, c.FieldRef) and env.field(node.name) is None))


def render_reply(template: c.Template | None, value: Callable[[c.Expr], Any]) -> str | None:
    if template is None:
        return None
    return "".join(part if isinstance(part, str) else _show(value(part))
                   for part in template.parts)


def _show(value: Any) -> str:
    return "" if value is None else str(value)


def explain(policy: c.Policy, record: Record, now: datetime) -> Decision:
    """Decide with the interpreter, recording every rule tried."""
    env = Env(policy, record, now)
    steps = []
    for rule in policy.rules:
        assert rule.condition is not None
        value = interpret(rule.condition, env)
        result = "unknown" if value is None else "true" if value else "false"
        missing = missing_fields(rule.condition, env) if value is None else ()
        steps.append(TraceStep(rule.line, rule.action, result, missing))
        if value:
            return _decision(rule, env, tuple(steps))
    return _decision(policy.default, env, tuple(steps))


def _decision(rule: c.Rule, env: Env, trace: tuple[TraceStep, ...]) -> Decision:
    reply = render_reply(rule.template, lambda e: interpret(e, env))
    return Decision(rule.action, rule.line, rule.reason, reply, trace)


def tested_fields(policy: c.Policy, rule: c.Rule) -> tuple[str, ...]:
    """The fields a rule's condition tests, through its `let`s, that can be missing
    (no default; `is missing` tests left out: they never see an unknown)."""
    if rule.condition is None:
        return ()
    defaults = policy.defaults()
    return tuple(dict.fromkeys(node.name for node in policy.walk(rule.condition, _tests)
                               if isinstance(node, c.FieldRef) and node.name not in defaults))


def _tests(node: c.Expr) -> tuple[c.Expr, ...]:
    """The operands whose missing values can make a node unknown."""
    if isinstance(node, c.Op) and node.op in ("is_missing", "is_not_missing"):
        return ()
    return c.children(node)


# What a tracking decider returns: the decision; the index of the rule that made it
# (the number of rules for the default); whether the record passed over a rule whose
# condition was unknown; whether the deciding rule tested a missing field.
Tracked = tuple[Decision, int, bool, bool]


def track(policy: c.Policy, decision: Decision, record: Record) -> Tracked:
    """The tracking facts of an explained decision (the trace holds what they need)."""
    trace = decision.trace
    assert trace is not None
    fired = bool(trace) and trace[-1].result == "true"
    passed = trace[:-1] if fired else trace
    defaults = policy.defaults()
    missing = fired and any(field_value(record, name, defaults) is None
                            for name in tested_fields(policy, policy.rules[len(trace) - 1]))
    index = len(trace) - 1 if fired else len(policy.rules)
    return decision, index, any(step.result == "unknown" for step in passed), missing


# -- the compiler ----------------------------------------------------------------

Decider = Callable[[Record], Decision]


def compile_policy(policy: c.Policy, tracking: bool = False) -> Callable[[datetime], Any]:
    """Python source for the policy, compiled; returns a factory taking `now`. The
    factory makes a `Decider`, or with `tracking` one that returns `Tracked` facts."""
    compiler = _Compiler(policy, tracking)
    source = compiler.generate()
    namespace = dict(compiler.constants)
    code = compile(source, f"<connectlang policy {policy.source.name}>", "exec")
    exec(code, namespace)
    factory: Callable[[datetime], Any] = namespace["_factory"]
    factory.__doc__ = source  # kept for `repr` and for debugging a policy
    return factory


def _field_local(name: str) -> str:
    """The local a field's value is loaded into (`ensure` loads every field a rule tests)."""
    return f"f_{name}"


def _simple(code: str) -> bool:
    return code.isidentifier() or code in ("True", "False", "None")


class _Compiler:
    def __init__(self, policy: c.Policy, tracking: bool = False) -> None:
        self.policy = policy
        self.tracking = tracking
        self.defaults = policy.defaults()
        self.constants: dict[str, Any] = {"_Decision": Decision, "_split_name": split_name,
                                          "_show": _show, "_OPS": OPERATIONS,
                                          "_cutoff": cutoff}
        self.names: dict[int, str] = {}
        self.cutoffs: list[str] = []  # factory lines computed from `now`
        self.body: list[str] = []
        self.ready: set[str] = set()
        self.temps = 0

    # constants and temporaries

    def const(self, value: Any, prefix: str = "K") -> str:
        if isinstance(value, bool) or value is None:
            return repr(value)
        if isinstance(value, (int, str)) and not isinstance(value, bool):
            return repr(value)
        key = id(value)
        if key not in self.names:
            self.names[key] = f"_{prefix}{len(self.names)}"
            self.constants[self.names[key]] = value
        return self.names[key]

    def temp(self) -> str:
        self.temps += 1
        return f"t{self.temps}"

    # locals: fields, lets and case-folded text, each emitted once

    def local(self, expr: c.FieldRef | c.LetRef, folded: bool = False) -> str:
        base = _field_local(expr.name) if isinstance(expr, c.FieldRef) else f"l_{expr.name}"
        return ("c" + base) if folded else base

    def ensure(self, expr: c.FieldRef | c.LetRef, folded: bool, out: list[str]) -> None:
        name = self.local(expr, folded)
        if name in self.ready:
            return
        if folded:
            self.ensure(expr, False, out)
            raw = self.local(expr)
            fold = ("{0}.casefold()" if expr.ty is Type.STRING
                    else "tuple([i.casefold() for i in {0}])").format(raw)
            out.append(f"{name} = None if {raw} is None else {fold}")
        elif isinstance(expr, c.FieldRef):
            out.append(f"{name} = get({expr.name!r})")
            if expr.name in DERIVED_FROM_NAME:
                index = DERIVED_FROM_NAME.index(expr.name)
                out.append(f"if {name} is None and (n := get('name')) is not None: "
                           f"{name} = _split_name(n)[{index}]")
            if expr.name in self.defaults:
                out.append(f"if {name} is None: {name} = {self.const(self.defaults[expr.name])}")
        else:
            let_expr = self.policy.let(expr.name).expr
            self.prepare(let_expr, out)
            out.append(f"{name} = {self.value(let_expr)[0]}")
        self.ready.add(name)

    def prepare(self, expr: c.Expr, out: list[str]) -> None:
        """Emit every local an expression reads (case-folded where text ops need it)."""
        stack = [expr]
        while stack:
            node = stack.pop()
            if isinstance(node, (c.FieldRef, c.LetRef)):
                self.ensure(node, False, out)
            elif isinstance(node, c.Op) and (node.op in _FOLDING or _folded_regex(node)):
                for arg in node.args:
                    if isinstance(arg, (c.FieldRef, c.LetRef)) and arg.ty in _TEXT:
                        self.ensure(arg, True, out)
            stack.extend(c.children(node))

    def maybe_missing(self, expr: c.Expr) -> bool:
        return any(isinstance(node, c.FieldRef) and node.name not in self.defaults
                   for node in self.policy.walk(expr, _tests))

    # expressions: values, and the two boolean forms of conditions

    def value(self, expr: c.Expr) -> tuple[str, bool]:
        """Python code for the value (None when missing), and whether it may be None."""
        maybe = self.maybe_missing(expr)
        if isinstance(expr, c.Const):
            return self.const(expr.value), False
        if isinstance(expr, (c.FieldRef, c.LetRef)):
            return self.local(expr), maybe
        if isinstance(expr, c.Op) and expr.ty is not Type.BOOL:
            (arg, arg_maybe), = [self.operand(a) for a in expr.args]
            code = f"NOW - {arg.use}" if expr.op == "age" else f"len({arg.use})"
            if arg_maybe:
                return f"({code} if {arg.guard} else None)", True
            return code, False
        if not maybe:
            return self.true(expr), False
        return f"(True if {self.true(expr)} else False if {self.false(expr)} else None)", True

    def operand(self, expr: c.Expr, folded: bool = False) -> tuple[_Operand, bool]:
        folded = folded and expr.ty in _TEXT
        if folded and isinstance(expr, (c.FieldRef, c.LetRef)):
            maybe = self.maybe_missing(expr)
            return _Operand(f"{self.local(expr)} is not None", self.local(expr, True)), maybe
        if folded and isinstance(expr, c.Const):
            value = (expr.value.casefold() if isinstance(expr.value, str)
                     else tuple(v.casefold() for v in cast("tuple[str, ...]", expr.value)))
            return _Operand("True", self.const(value)), False
        if isinstance(expr, c.Op) and expr.ty is not Type.BOOL:
            # count/length/age: present exactly when their operand is.
            inner, maybe = self.operand(expr.args[0])
            use = f"NOW - {inner.use}" if expr.op == "age" else f"len({inner.use})"
            return _Operand(inner.guard, use), maybe
        code, maybe = self.value(expr)
        if not maybe:
            return _Operand("True", code if _simple(code) else f"({code})"), False
        if _simple(code):
            return _Operand(f"{code} is not None", code), maybe
        name = self.temp()
        return _Operand(f"({name} := {code}) is not None", name), maybe

    def true(self, expr: c.Expr) -> str:
        """Code that is True exactly when the condition is true."""
        return self.form(expr, True)

    def false(self, expr: c.Expr) -> str:
        """Code that is True exactly when the condition is false."""
        return self.form(expr, False)

    def form(self, expr: c.Expr, want: bool) -> str:
        if isinstance(expr, c.Const):
            return repr(expr.value is want)
        if isinstance(expr, (c.FieldRef, c.LetRef)):
            return f"{self.local(expr)} is {want}"
        if isinstance(expr, c.Not):
            return self.form(expr.operand, not want)
        if isinstance(expr, (c.And, c.Or)):
            joiner = " and " if isinstance(expr, c.And) is want else " or "
            return "(" + joiner.join(self.form(o, want) for o in expr.operands) + ")"
        assert isinstance(expr, c.Op)
        if expr.op in ("is_missing", "is_not_missing"):
            code, _ = self.value(expr.args[0])
            present = (expr.op == "is_not_missing") is want
            return f"({code} is {'not ' if present else ''}None)"
        folded = expr.op in _FOLDING
        operands = [self.operand(a, folded) for a in expr.args]
        guards = [o.guard for o, maybe in operands if maybe]
        test = self.test(expr, [o.use for o, _ in operands])
        return "(" + " and ".join([*guards, test if want else f"not {test}"]) + ")"

    def test(self, expr: c.Op, uses: list[str]) -> str:
        """The operation on present operands (text operands already case-folded)."""
        a, b = uses[0], uses[-1]
        op, right = expr.op, expr.args[-1]
        inline = {"lt": "<", "le": "<=", "gt": ">", "ge": ">="}
        if op in inline:
            return f"({a} {inline[op]} {b})"
        if op in ("eq", "ne") and expr.args[0].ty is not Type.LIST:
            return f"({a} {'==' if op == 'eq' else '!='} {b})"
        if op == "contains" or (op == "has" and isinstance(right, c.Const)):
            return f"({b} in {a})"
        if op == "starts_with":
            return f"{a}.startswith({b})"
        if op == "ends_with":
            return f"{a}.endswith({b})"
        if op in ("contains_any", "has_any", "in") and isinstance(right, c.Const):
            words = [w.casefold() for w in cast("tuple[str, ...]", right.value)]
            if op == "in":
                return f"({a} in {self.const(frozenset(words))})"
            if op == "has_any":
                return f"(not {self.const(frozenset(words))}.isdisjoint({a}))"
            return "(" + " or ".join(f"{w!r} in {a}" for w in words) + ")" if words else "False"
        if op == "matches":
            return self.matches(expr, a)
        if op == "within":
            if isinstance(right, c.Const):
                cutoff = self.const(right.value, "D")
                name = f"cut{len(self.cutoffs)}"
                self.cutoffs.append(f"{name} = _cutoff(NOW, {cutoff})")
                return f"({a} >= {name})"
            return f"({a} >= _cutoff(NOW, {b}))"
        return f"_OPS[{op!r}]({', '.join(uses)})"

    def matches(self, expr: c.Op, text: str) -> str:
        regex = expr.args[1].value if isinstance(expr.args[1], c.Const) else None
        assert isinstance(regex, Regex)
        search = self.const(regex.search, "R")
        subject = expr.args[0]
        if regex.required is None:
            return f"{search}({text})"
        if regex.fold and isinstance(subject, (c.FieldRef, c.LetRef)):
            haystack = self.local(subject, True)
        elif regex.fold:
            haystack = f"{text}.casefold()"
        else:
            haystack = text
        words = " or ".join(f"{w!r} in {haystack}" for w in regex.required)
        return f"(({words}) and {search}({text}))"

    # rules

    def decision(self, rule: c.Rule, index: int, out: list[str], indent: str) -> None:
        facts = ""
        if self.tracking:
            tested = [f"{_field_local(name)} is None" for name in tested_fields(self.policy, rule)]
            facts = f", {index}, u, " + (" or ".join(tested) or "False")
        if rule.template is None:
            decision = self.const(Decision(rule.action, rule.line, rule.reason, None))
            out.append(f"{indent}return {decision}{facts}")
            return
        body: list[str] = []
        parts = []
        for part in rule.template.parts:
            if isinstance(part, str):
                parts.append(repr(part))
                continue
            self.ensure(part, False, body)
            parts.append(f"_show({self.local(part)})")
        out.extend(indent + line for line in body)
        reply = " + ".join(parts) if parts else "''"
        out.append(f"{indent}return _Decision({rule.action!r}, {rule.line}, {rule.reason!r}, "
                   f"{reply}){facts}")

    def generate(self) -> str:
        body = self.body
        for index, rule in enumerate(self.policy.rules):
            assert rule.condition is not None
            self.prepare(rule.condition, body)
            body.append(f"if {self.true(rule.condition)}:")
            ready = set(self.ready)
            self.decision(rule, index, body, "    ")
            self.ready = ready  # locals made inside the branch do not exist after it
            if self.tracking and self.maybe_missing(rule.condition):  # else never unknown
                body.append(f"if not {self.false(rule.condition)}: u = True")
        self.decision(self.policy.default, len(self.policy.rules), body, "")
        lines = ["def _factory(NOW):"]
        lines += [f"    {line}" for line in self.cutoffs]
        lines += ["    def decide(r):", "        get = r.get"]
        lines += ["        u = False"] if self.tracking else []
        lines += [f"        {line}" for line in body]
        lines += ["    return decide"]
        return "\n".join(lines) + "\n"


# Operations that compare text ignoring case: their operands are case-folded once.
_FOLDING = {"eq", "ne", "contains", "has", "contains_any", "has_any", "starts_with",
            "ends_with", "in"}
_TEXT = (Type.STRING, Type.LIST)


def _folded_regex(op: c.Op) -> bool:
    """A `matches` whose prefilter reads the case-folded text."""
    regex = op.args[-1].value if op.op == "matches" and isinstance(op.args[-1], c.Const) else None
    return isinstance(regex, Regex) and regex.required is not None and regex.fold


class _Operand(NamedTuple):
    guard: str  # code that binds the operand (when needed) and is True if it is present
    use: str  # code for the present value
