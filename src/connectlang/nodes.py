"""The syntax tree: what the user wrote, with a span on every node.

Built by `lower.py` from the parser's reductions; read by the checker, the
formatter and the linter. Literals hold their decoded value, or None when the
literal itself is invalid (its diagnostic was already reported while lowering).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from .source import Span


@dataclass(frozen=True, slots=True)
class Name:
    """An identifier as written: a field, a `let`, a function or a type."""

    span: Span
    id: str


@dataclass(frozen=True, slots=True)
class IntLit:
    """An integer; None when it is malformed or does not fit in 64 bits."""

    span: Span
    value: int | None


@dataclass(frozen=True, slots=True)
class DurationLit:
    """`90d`: `text` as written, for the formatter and the odd-unit lint."""

    span: Span
    text: str
    value: timedelta | None


@dataclass(frozen=True, slots=True)
class TimeLit:
    """`2025-01-31` or `2025-01-31T09:30:00Z`: `text` as written, for the formatter."""

    span: Span
    text: str
    value: datetime | None


@dataclass(frozen=True, slots=True)
class StringLit:
    """A quoted string; `raw` keeps its escapes, for the formatter."""

    span: Span
    raw: str  # as written, quotes included
    value: str | None


@dataclass(frozen=True, slots=True)
class BoolLit:
    """`true` or `false`."""

    span: Span
    value: bool


@dataclass(frozen=True, slots=True)
class RegexLit:
    """`/free|click here/i`: the pattern and its flags; the checker compiles it."""

    span: Span
    pattern: str  # with `\/` already turned into `/`
    flags: str


@dataclass(frozen=True, slots=True)
class ListLit:
    """`["a", "b"]`: lists hold strings only."""

    span: Span
    items: tuple[StringLit, ...]


Literal = IntLit | DurationLit | TimeLit | StringLit | BoolLit | RegexLit | ListLit


@dataclass(frozen=True, slots=True)
class Call:
    """`f(a, b)`, or `f a` (`prefix=True`) as in `interacted_within 90d`."""

    span: Span
    func: Name
    args: tuple[Expr, ...]
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class Not:
    """`not x`."""

    span: Span
    operand: Expr


@dataclass(frozen=True, slots=True)
class BoolOp:
    """`a and b and c` or `a or b`: one node for a whole chain."""

    span: Span
    op: str  # "and" | "or"
    operands: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Binary:
    """A test: a comparison, `contains`, `in`, `within`, `matches`, ..."""

    span: Span
    op: str
    op_span: Span
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class IsMissing:
    """`x is missing`, or `x is not missing` when `negated`."""

    span: Span
    operand: Expr
    negated: bool


@dataclass(frozen=True, slots=True)
class Group:
    """Parentheses, kept so the formatter can keep them."""

    span: Span
    expr: Expr


Expr = Name | Literal | Call | Not | BoolOp | Binary | IsMissing | Group


@dataclass(frozen=True, slots=True)
class PolicyDecl:
    """`policy "name"`."""

    span: Span
    name: StringLit


@dataclass(frozen=True, slots=True)
class FieldDecl:
    """`field vip: bool = false`: a column of the input the standard fields lack."""

    span: Span
    name: Name
    type_name: Name
    default: Literal | None


@dataclass(frozen=True, slots=True)
class LetDecl:
    """`let name = expr`."""

    span: Span
    name: Name
    value: Expr


@dataclass(frozen=True, slots=True)
class Action:
    """`accept`, `archive`, `decline`, `report`, `review`, or `ask "reply"`."""

    span: Span
    kind: str  # accept archive decline report review ask
    template: StringLit | None  # the reply of `ask`


@dataclass(frozen=True, slots=True)
class Rule:
    """`action if condition because "reason"`."""

    span: Span
    action: Action
    condition: Expr
    reason: StringLit | None


@dataclass(frozen=True, slots=True)
class Default:
    """`else action because "reason"`: what no rule decided."""

    span: Span
    action: Action
    reason: StringLit | None


Item = PolicyDecl | FieldDecl | LetDecl | Rule | Default


# `# connectlang: ignore` or `# connectlang: ignore[L101, unused]`, anywhere in a comment
# (up to the next `#`), and any spelling near it (`# CONNECTLANG: IGNORE[L301]`,
# `ignore: L301`), which the linter flags: `head` is what names the comment, `rest` what
# follows `ignore`.
IGNORE_COMMENT = re.compile(r"#\s*(?P<head>connectlang:\s*ignore)(?P<rest>[^#]*)", re.I)
IGNORE_SELECTORS = re.compile(r"\[([^\]\[]*)\](?:\s.*)?\s*", re.S)  # `[L101, unused]`, then a note
_EXACT_HEAD = re.compile(r"connectlang:\s*ignore")  # lowercase ASCII letters, no dotless i


def well_formed(match: re.Match[str]) -> bool:
    """Whether an ignore comment is written the way that silences: in lowercase, then
    nothing (a bare `ignore`) or its selectors in brackets."""
    rest = match["rest"]
    return _EXACT_HEAD.fullmatch(match["head"]) is not None and (
        not rest.strip() or IGNORE_SELECTORS.fullmatch(rest) is not None)


def silences(comment: str) -> bool:
    """Whether a comment holds a well-formed ignore comment: `fmt` copies only such a
    one to every line its code is laid over (copied, another would be a warning a line)."""
    return any(well_formed(match) for match in IGNORE_COMMENT.finditer(comment))


@dataclass(frozen=True, slots=True)
class Comment:
    """A `#` comment: the formatter keeps it, and it may hold an ignore comment."""

    span: Span
    text: str  # with the leading `#`


@dataclass(frozen=True, slots=True)
class Module:
    """A parsed file: its items in order, and every comment (the parser skips them).

    Items with a syntax error are left out; `broken_names` holds the names they would
    have defined and `broken_default` whether one was the default, so the checker
    does not report a follow-on error for what was already reported. `loose_names`
    are the names those items read: a misspelt one is an error of its own.
    """

    items: tuple[Item, ...]
    comments: tuple[Comment, ...]
    broken_names: frozenset[str] = frozenset()
    broken_default: bool = False
    loose_names: tuple[Name, ...] = ()


def children(expr: Expr) -> tuple[Expr, ...]:
    """The sub-expressions of an expression, in source order."""
    if isinstance(expr, Call):
        return expr.args
    if isinstance(expr, Not):
        return (expr.operand,)
    if isinstance(expr, BoolOp):
        return expr.operands
    if isinstance(expr, Binary):
        return (expr.left, expr.right)
    if isinstance(expr, IsMissing):
        return (expr.operand,)
    if isinstance(expr, Group):
        return (expr.expr,)
    return ()
