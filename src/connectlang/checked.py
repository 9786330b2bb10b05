"""The checked rule tree: names resolved, built-ins expanded, every node typed.

This is what the evaluator compiles and the linter reasons about. Built-ins are
expanded into their definitions (`shared_group` is `count(shared_groups) > 0`), so
every consumer handles a handful of node kinds. Spans point back at the source.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property

from .builtins import STANDARD_FIELDS
from .literals import quote
from .source import Source, Span
from .types import Type


@dataclass(frozen=True, slots=True)
class Const:
    """A literal, or a value a built-in stands for, with its type."""

    span: Span
    ty: Type
    value: object


@dataclass(frozen=True, slots=True)
class FieldRef:
    """A standard field or a declared `field`."""

    span: Span
    ty: Type
    name: str


@dataclass(frozen=True, slots=True)
class LetRef:
    """A use of a `let`, kept as a name so the evaluator computes each `let` once."""

    span: Span
    ty: Type
    name: str


@dataclass(frozen=True, slots=True)
class Not:
    """`not x`: unknown stays unknown."""

    span: Span
    operand: Expr
    ty: Type = Type.BOOL


@dataclass(frozen=True, slots=True)
class And:
    """A chain of `and`: false wins over unknown, unknown over true."""

    span: Span
    operands: tuple[Expr, ...]
    ty: Type = Type.BOOL


@dataclass(frozen=True, slots=True)
class Or:
    """A chain of `or`: true wins over unknown, unknown over false."""

    span: Span
    operands: tuple[Expr, ...]
    ty: Type = Type.BOOL


@dataclass(frozen=True, slots=True)
class Op:
    """A test or function on typed operands; `op` names the operation exactly.

    eq ne lt le gt ge (operands of one type); contains (string, string);
    has (list, string); contains_any (string, list); has_any (list, list);
    starts_with ends_with (string, string); in (string, list); matches (string,
    regex); within (time, duration); count length age (one operand);
    is_missing is_not_missing (one operand, never unknown).
    """

    span: Span
    ty: Type
    op: str
    args: tuple[Expr, ...]


Expr = Const | FieldRef | LetRef | Not | And | Or | Op

# How an operation is written in a policy, where that is not its name (`gt` is `>`).
WRITTEN = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">=",
           "is_missing": "is missing", "is_not_missing": "is not missing",
           "has": "contains", "has_any": "contains_any"}  # on a list


def children(expr: Expr) -> tuple[Expr, ...]:
    if isinstance(expr, Not):
        return (expr.operand,)
    if isinstance(expr, (And, Or)):
        return expr.operands
    if isinstance(expr, Op):
        return expr.args
    return ()


@dataclass(frozen=True, slots=True)
class Template:
    """An `ask` reply: literal text and `{name}` values, in order."""

    parts: tuple[str | FieldRef | LetRef, ...]


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule, or the default (no condition); `line` is what decisions name."""

    span: Span
    line: int
    action: str
    condition: Expr | None  # None for the default
    reason: str | None
    template: Template | None


@dataclass(frozen=True, slots=True)
class Field:
    """A `field` declaration; `default` None means missing."""

    span: Span
    name: str
    name_span: Span
    ty: Type
    default: object


@dataclass(frozen=True, slots=True)
class Let:
    """A `let` with its checked expression."""

    span: Span
    name: str
    name_span: Span
    expr: Expr


@dataclass(frozen=True)
class Policy:
    """The checked policy: its declarations, its rules in order, and the default."""

    source: Source
    name: str | None
    fields: tuple[Field, ...]
    lets: tuple[Let, ...]
    rules: tuple[Rule, ...]
    default: Rule
    comments: tuple[Span, ...] = ()  # in source order: quoted rules leave them out

    def defaults(self) -> dict[str, object]:
        """The value a record has for a field it lacks, for the fields that have one
        (`message` is `""`): such a field is never missing."""
        defaults = {f.name: f.default for f in STANDARD_FIELDS.values() if f.default is not None}
        defaults.update((f.name, f.default) for f in self.fields if f.default is not None)
        return defaults

    def field_types(self) -> dict[str, Type]:
        """The type of every field a record may have: the standard ones and those declared."""
        types = {name: f.type for name, f in STANDARD_FIELDS.items()}
        types.update((f.name, f.ty) for f in self.fields)
        return types

    def let(self, name: str) -> Let:
        return self._lets[name]

    def unwrap(self, expr: Expr) -> Expr:
        """What an expression stands for through `let`s (`let way = direction`)."""
        while isinstance(expr, LetRef):
            expr = self.let(expr.name).expr
        return expr

    def operands(self, test: Op) -> tuple[Expr, Expr]:
        """A two-operand test's operands through `let`s, a constant second: `"x" in
        shared_groups` and `way == out` read as (the value tested, what it is tested by)."""
        first, second = (self.unwrap(arg) for arg in test.args)
        return (second, first) if isinstance(first, Const) else (first, second)

    @cached_property
    def _lets(self) -> dict[str, Let]:
        return {let.name: let for let in self.lets}

    def walk(self, expr: Expr, below: Callable[[Expr], Iterable[Expr]] = children
             ) -> Iterator[Expr]:
        """The nodes of `expr` depth first, in source order, with each `let` it uses
        written out once: a `let` used twice, or a chain of them each using the one
        before twice, costs its size once, not once per use. `below(node)` gives the
        nodes to visit under a node that is not a `let`'s use."""
        seen: set[str] = set()
        stack = [expr]
        while stack:
            node = stack.pop()
            yield node
            if not isinstance(node, LetRef):
                stack.extend(reversed(tuple(below(node))))
            elif node.name not in seen:
                seen.add(node.name)
                stack.append(self.let(node.name).expr)

    def nodes(self) -> Iterator[Expr]:
        """Every expression node of the `let`s, the rules' conditions and the replies'
        values, each `let` once."""
        roots: list[Expr] = [let.expr for let in self.lets]
        for rule in (*self.rules, self.default):
            if rule.condition is not None:
                roots.append(rule.condition)
            if rule.template is not None:
                roots.extend(p for p in rule.template.parts if not isinstance(p, str))
        while roots:
            node = roots.pop()
            yield node
            roots.extend(children(node))

    def text(self, span: Span) -> str:
        """The source text of a span without its comments (quoted on one line, a `#`
        would comment out the rest), its runs of white space made one space."""
        parts, at = [], span.start
        for comment in self.comments[bisect_left(self.comments, span.start, key=_start):]:
            if comment.start >= span.end:
                break
            parts.append(self.source.text[at:comment.start])
            at = comment.end
        parts.append(self.source.text[at:span.end])
        return " ".join("".join(parts).split())

    def outcome(self, rule: Rule) -> str:
        """The action as written, with its reason: `archive because "spam"`."""
        action = self.action_text(rule)
        return action if rule.reason is None else f"{action} because {quote(rule.reason)}"

    def action_text(self, rule: Rule) -> str:
        """The action as written, an `ask` with its reply: `ask "Who are you?"`."""
        if rule.template is None:
            return rule.action
        found = _ASK.match(self.source.text, rule.span.start)
        return f"ask {found.group(1)}" if found else rule.action

    def rule_text(self, rule: Rule, width: int = 60) -> str:
        """`accept if did_business`, `else archive`: a rule in a few words (a long
        reply cut short first, so the condition shows), cut after a word if it must be."""
        action = self.action_text(rule)
        if rule.condition is None:
            return f"else {action}"
        text = f"{action} if {self.text(rule.condition.span)}"
        if len(text) > width and len(action) > 24:
            action = action[:22] + '…"'
            text = f"{action} if {self.text(rule.condition.span)}"
        if len(text) <= width:
            return text
        cut = text[: width - 1]
        space = cut.rfind(" ")  # a whole word, unless that leaves too little
        return (cut[:space] + " …" if space >= width // 2 else cut + "…")


def _start(span: Span) -> int:
    return span.start


_ASK = re.compile(r'(?:else\s+)?ask\s+("(?:[^"\\\n]|\\.)*")')
