"""Lark reductions -> syntax tree nodes (`nodes.py`).

The callbacks run inside the LALR parser as each rule is reduced, so the tree is
built bottom-up with no recursion: thousands of nested parentheses cost nothing
here. Spans come from the tokens (Lark keeps the keyword tokens named in the
grammar). Invalid literals become nodes with no value plus one diagnostic.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import nodes as n
from ._parser import Token, Transformer
from .diagnostics import Diagnostic
from .literals import LiteralError, parse_duration, parse_int, parse_time, unescape
from .source import Span


def span_of(item: Any) -> Span:
    if isinstance(item, Token):
        return Span(item.start_pos or 0, item.end_pos or 0)
    return item.span  # type: ignore[no-any-return]


def _cover(children: list[Any]) -> Span:
    present = [c for c in children if c is not None]
    return span_of(present[0]).cover(span_of(present[-1]))


class Lowering(Transformer[Token, Any]):
    """One instance serves every parse; `diagnostics` is reset by the caller."""

    def __init__(self) -> None:
        super().__init__()
        self.diagnostics: list[Diagnostic] = []

    def _literal_error(self, code: str, token: Token, error: LiteralError) -> None:
        base = token.start_pos or 0
        start = base + error.start
        end = base + (error.end if error.end is not None else len(token.value))
        self.diagnostics.append(Diagnostic.error(code, error.message, Span(start, end), error.help))

    # -- literals ------------------------------------------------------------

    def _parsed(self, code: str, token: Token, parse: Callable[[str], Any]) -> Any:
        """The literal's value, or None after reporting why it cannot be read."""
        try:
            return parse(token.value)
        except LiteralError as error:
            self._literal_error(code, token, error)
            return None

    def int_lit(self, c: list[Token]) -> n.IntLit:
        return n.IntLit(span_of(c[0]), self._parsed("E103", c[0], parse_int))

    def duration_lit(self, c: list[Token]) -> n.DurationLit:
        return n.DurationLit(span_of(c[0]), c[0].value, self._parsed("E102", c[0], parse_duration))

    def time_lit(self, c: list[Token]) -> n.TimeLit:
        return n.TimeLit(span_of(c[0]), c[0].value, self._parsed("E104", c[0], parse_time))

    def string(self, token: Token) -> n.StringLit:
        value = self._parsed("E101", token, lambda raw: unescape(raw)[0])
        return n.StringLit(span_of(token), token.value, value)

    def string_lit(self, c: list[Token]) -> n.StringLit:
        return self.string(c[0])

    def bool_lit(self, c: list[Token]) -> n.BoolLit:
        return n.BoolLit(span_of(c[0]), c[0].value == "true")

    def regex_lit(self, c: list[Token]) -> n.RegexLit:
        text: str = c[0].value
        close = text.rindex("/")
        flags = text[close + 1:]
        for i, flag in enumerate(flags):
            if flag not in "ims" or flags.index(flag) != i:
                self._literal_error("E105", c[0], LiteralError(
                    f"`{flag}` is not a regex flag here" if flag not in "ims"
                    else f"the flag `{flag}` is given twice",
                    close + 1 + i, close + 2 + i, "regex flags are i (ignore case), "
                    "m (^ and $ match at line breaks) and s (. matches a line break)"))
        return n.RegexLit(span_of(c[0]), text[1:close].replace("\\/", "/"), flags)

    def list_lit(self, c: list[Any]) -> n.ListLit:
        items = tuple(self.string(t) for t in c[1:-1] if t is not None)
        return n.ListLit(_cover(c), items)

    # -- expressions ---------------------------------------------------------

    def name(self, c: list[Token]) -> n.Name:
        return n.Name(span_of(c[0]), c[0].value)

    def group(self, c: list[Any]) -> n.Group:
        return n.Group(_cover(c), c[1])

    def call(self, c: list[Any]) -> n.Call:
        args = tuple(a for a in c[2:-1] if a is not None)
        return n.Call(_cover(c), n.Name(span_of(c[0]), c[0].value), args)

    def prefix_call(self, c: list[Any]) -> n.Call:
        return n.Call(_cover(c), n.Name(span_of(c[0]), c[0].value), (c[1],), prefix=True)

    def test_op(self, c: list[Token]) -> Token:
        return c[0]

    def binary(self, c: list[Any]) -> n.Binary:
        left, op, right = c
        return n.Binary(_cover(c), op.value, span_of(op), left, right)

    def is_missing(self, c: list[Any]) -> n.IsMissing:
        return n.IsMissing(_cover(c), c[0], negated=len(c) == 4)

    def not_expr(self, c: list[Any]) -> n.Not:
        return n.Not(_cover(c), c[1])

    def _bool_op(self, op: str, c: list[Any]) -> n.BoolOp:
        return n.BoolOp(_cover(c), op, tuple(c[::2]))

    def and_expr(self, c: list[Any]) -> n.BoolOp:
        return self._bool_op("and", c)

    def or_expr(self, c: list[Any]) -> n.BoolOp:
        return self._bool_op("or", c)

    # -- items ---------------------------------------------------------------

    def action(self, c: list[Token]) -> n.Action:
        template = self.string(c[1]) if len(c) > 1 else None
        return n.Action(_cover(c), c[0].value, template)

    def policy_decl(self, c: list[Token]) -> n.PolicyDecl:
        return n.PolicyDecl(_cover(c), self.string(c[1]))

    def field_decl(self, c: list[Any]) -> n.FieldDecl:
        default = c[3] if len(c) > 3 else None
        return n.FieldDecl(_cover(c), self.name([c[1]]), self.name([c[2]]), default)

    def let_decl(self, c: list[Any]) -> n.LetDecl:
        return n.LetDecl(_cover(c), self.name([c[1]]), c[2])

    def rule(self, c: list[Any]) -> n.Rule:
        reason = self.string(c[2]) if len(c) > 2 and c[2] is not None else None
        return n.Rule(_cover(c), c[0], c[1], reason)

    def default(self, c: list[Any]) -> n.Default:
        reason = self.string(c[2]) if len(c) > 2 and c[2] is not None else None
        return n.Default(_cover(c), c[1], reason)
