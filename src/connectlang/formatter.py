"""`connectlang fmt`: one canonical layout for a policy, comments kept.

The layout (docs/format.md says it for users):

- items in their order; a run of blank lines becomes one, none at the start or end;
- rule actions padded to one width, so conditions start in one column and `if` sits
  at column 8; `because` clauses in one column for the file;
- consecutive `let`s aligned on `=`;
- a condition too long for the line is broken before `or` (then `and`), the
  continuation lines under `if`; lists break one item a line;
- one space around operators; strings re-escaped one way; lists without a trailing
  comma; every other literal as written.

Conditions are laid out with the Wadler-Lindig algorithm (the `wadler_lindig`
package): each chain of `or`/`and` is a group that stays on one line if it fits and
otherwise puts each operand on its own line.

The formatter works on the syntax tree, so it never changes what a policy means:
only a file that parses cleanly is formatted (a file with syntax errors is returned
untouched, with its diagnostics). Comments are not in the tree; they are put back by
position: a comment on its own line stays before the item that follows it, and a
comment after code goes to the end of the output line that holds the code its line
started with, matched token by token. A problem starts at code, so an
`# connectlang: ignore[...]` comment keeps silencing what it silenced; an item whose
layout would bring it code from other lines is laid out broken, or kept as written.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import wadler_lindig as wl

from . import nodes as n
from ._parser import Token
from .diagnostics import Diagnostic, has_errors
from .keywords import ACTIONS
from .literals import quote
from .source import Source
from .syntax import parse, tokens

WIDTH = 100
ACTION_WIDTH = max(len(a) for a in ACTIONS if a != "ask")  # `archive`, `decline`: 7
CONDITION_INDENT = ACTION_WIDTH + 1  # continuation lines start under `if`
ASK_INDENT = 4  # `if` on its own line after a long `ask` template
REASON_HEAD_MAX = 40  # a longer rule puts its `because` on the next line


def format_source(source: Source) -> tuple[str, list[Diagnostic]]:
    """The formatted text, or the text unchanged with the syntax errors that stop it."""
    module, diagnostics = parse(source)
    if has_errors(diagnostics):
        return source.text, diagnostics
    return _Layout(source, module).text(), []


# -- expressions -----------------------------------------------------------------------

def _expr(expr: n.Expr, source: Source) -> wl.AbstractDoc:
    if isinstance(expr, n.BoolOp):
        # One ConcatDoc of all parts: `a + b` copies a's, so `+` in a loop is quadratic.
        # An `and` chain inside an `or` breaks four columns further in, so that it does
        # not read as `(a or b) and c`.
        parts = [_expr(operand, source) for operand in expr.operands]
        parts = [part.nest(4) if isinstance(operand, n.BoolOp) else part
                 for part, operand in zip(parts, expr.operands, strict=True)]
        chain = [parts[0]]
        for part in parts[1:]:
            chain += [wl.BreakDoc(" "), wl.TextDoc(f"{expr.op} "), part]
        return _concat(chain).group()
    if isinstance(expr, n.Group):
        return wl.TextDoc("(") + _expr(expr.expr, source).nest(4) + wl.TextDoc(")")
    if isinstance(expr, n.Not):
        return wl.TextDoc("not ") + _expr(expr.operand, source)
    if isinstance(expr, n.Binary):
        return _expr(expr.left, source) + wl.TextDoc(f" {expr.op} ") + _expr(expr.right, source)
    if isinstance(expr, n.IsMissing):
        word = " is not missing" if expr.negated else " is missing"
        return _expr(expr.operand, source) + wl.TextDoc(word)
    if isinstance(expr, n.Call):
        if expr.prefix:
            return wl.TextDoc(f"{expr.func.id} ") + _expr(expr.args[0], source)
        return wl.TextDoc(f"{expr.func.id}(") + _joined(
            [_expr(a, source) for a in expr.args], wl.TextDoc(", ")) + wl.TextDoc(")")
    if isinstance(expr, n.ListLit):
        if not expr.items:
            return wl.TextDoc("[]")
        items = _joined([wl.TextDoc(_string(i)) for i in expr.items], wl.TextDoc(",") + wl.BreakDoc(" "))
        return (wl.TextDoc("[") + (wl.BreakDoc("") + items).nest(4) + wl.BreakDoc("")
                + wl.TextDoc("]")).group()
    return wl.TextDoc(_literal(expr, source))


def _joined(docs: Sequence[wl.AbstractDoc], separator: wl.AbstractDoc) -> wl.AbstractDoc:
    joined: list[wl.AbstractDoc] = [wl.TextDoc("")]  # a call may have no arguments
    for i, doc in enumerate(docs):
        joined += [separator, doc] if i else [doc]
    return _concat(joined)


def _concat(docs: list[wl.AbstractDoc]) -> wl.AbstractDoc:
    """The docs one after another, in one ConcatDoc (its `__init__` has no annotations)."""
    return wl.ConcatDoc(*docs)  # type: ignore[no-untyped-call]


def _literal(expr: n.Expr, source: Source) -> str:
    """A name or a literal: strings re-escaped, the rest as written."""
    if isinstance(expr, n.Name):
        return expr.id
    if isinstance(expr, n.StringLit):
        return _string(expr)
    if isinstance(expr, n.BoolLit):
        return "true" if expr.value else "false"
    return source.text[expr.span.start:expr.span.end]  # integers, durations, times, regexes


def _string(lit: n.StringLit) -> str:
    assert lit.value is not None  # a bad literal is a syntax error: no formatting then
    return quote(lit.value)


def _render(doc: wl.AbstractDoc, width: int = WIDTH) -> list[str]:
    return wl.pformat(doc, width=width).split("\n")


# -- items -------------------------------------------------------------------------

@dataclass
class _Entry:
    """An item laid out: its lines, the reason to add, and the comments that go with it."""

    item: n.Item
    lines: list[str]  # the reason joins them before the comments are placed
    reason: str | None = None
    trailing: dict[int, list[str]] = field(default_factory=dict)  # line index: comments


class _Layout:
    def __init__(self, source: Source, module: n.Module) -> None:
        self.source = source
        self.module = module
        self._tokens: list[Token] | None = None  # the source's, lexed when first needed
        self._starts: list[int] = []  # where each of them starts
        self.reason_column = CONDITION_INDENT  # where `because` goes, set by text()

    def text(self) -> str:
        entries = [self._entry(item) for item in self.module.items]
        self.reason_column = self._reason_column(entries)
        for entry in entries:
            self._add_reason(entry, self.reason_column)
        pieces = list(self._stream(entries))
        self._align_lets(pieces)
        out: list[str] = []
        for piece in pieces:
            if piece is None:  # a blank line
                if out and out[-1] != "":
                    out.append("")
            elif isinstance(piece, str):  # a comment on its own line
                out.append(piece.rstrip())
            else:
                out.extend(self._with_comments(piece))
        while out and out[-1] == "":
            out.pop()
        return "\n".join(out) + "\n" if out else ""

    def _stream(self, entries: list[_Entry]) -> Iterator[_Entry | str | None]:
        """Items and own-line comments in source order, None where a blank line goes."""
        source = self.source
        comments = sorted(self.module.comments, key=lambda c: c.span.start)
        ci = 0
        previous_end_line = None
        for entry in entries:
            item = entry.item
            first = source.line(item.span.start)
            last = source.line(max(item.span.start, item.span.end - 1))
            inside: list[n.Comment] = []
            while ci < len(comments) and source.line(comments[ci].span.start) <= last:
                comment = comments[ci]
                line = source.line(comment.span.start)
                if line < first:
                    yield from self._gap(previous_end_line, line)
                    yield comment.text
                    previous_end_line = line
                else:
                    inside.append(comment)
                ci += 1
            yield from self._gap(previous_end_line, first)
            entry, placed = self._placed(entry, inside)
            for comment, lines in zip(inside, placed, strict=True):
                if lines is None:
                    yield comment.text
                    continue
                # An ignore comment covers its line's code wherever the layout puts it.
                top, bottom = lines
                for index in range(top, bottom + 1 if n.silences(comment.text) else top + 1):
                    entry.trailing.setdefault(index, []).append(comment.text.rstrip())
            yield entry
            previous_end_line = last
        for comment in comments[ci:]:
            line = source.line(comment.span.start)
            yield from self._gap(previous_end_line, line)
            yield comment.text
            previous_end_line = line

    def _gap(self, previous: int | None, line: int) -> Iterator[None]:
        """A blank line where the source had at least one between two things."""
        if previous is None or line <= previous + 1:
            return
        for between in range(previous + 1, line):
            if not self.source.line_text(between).strip():
                yield None
                return

    def _entry(self, item: n.Item, width: int = WIDTH) -> _Entry:
        if isinstance(item, n.PolicyDecl):
            return _Entry(item, [f"policy {_string(item.name)}"])
        if isinstance(item, n.FieldDecl):
            head = f"field {item.name.id}: {item.type_name.id}"
            if item.default is None:
                return _Entry(item, [head])
            return _Entry(item, self._headed(f"{head} = ", item.default, 4, width))
        if isinstance(item, n.LetDecl):
            return _Entry(item, self._headed(f"let {item.name.id} = ", item.value, 4, width))
        reason = _string(item.reason) if item.reason is not None else None
        if isinstance(item, n.Default):
            template = item.action.template
            action = f"ask {_string(template)}" if template is not None else item.action.kind
            return _Entry(item, [f"else {action}"], reason)
        if item.action.template is None:
            head = f"{item.action.kind:<{ACTION_WIDTH}} if "
            return _Entry(item, self._headed(head, item.condition, CONDITION_INDENT, width), reason)
        ask = f"ask {_string(item.action.template)}"
        lines = self._headed(f"{ask} if ", item.condition, CONDITION_INDENT, width)
        if len(lines) > 1 or len(lines[0]) > WIDTH:  # the whole rule does not fit on its line
            lines = [ask, *self._headed(" " * ASK_INDENT + "if ", item.condition, ASK_INDENT, width)]
        return _Entry(item, lines, reason)

    def _headed(self, head: str, expr: n.Expr, indent: int, width: int) -> list[str]:
        """`head` then the expression, its continuation lines indented by `indent`."""
        doc = (wl.TextDoc(head) + _expr(expr, self.source)).nest(indent)
        return _render(doc, width)

    @staticmethod
    def _align_lets(pieces: list[_Entry | str | None]) -> None:
        """Pad the names of `let`s that follow each other (no comment or blank line
        between them in the output) so their `=` line up."""
        run: list[_Entry] = []
        for piece in [*pieces, None]:
            if isinstance(piece, _Entry) and isinstance(piece.item, n.LetDecl):
                run.append(piece)
                continue
            if len(run) > 1:
                width = max(len(e.item.name.id) for e in run)  # type: ignore[union-attr]
                for e in run:
                    name = e.item.name.id  # type: ignore[union-attr]
                    e.lines[0] = e.lines[0].replace(f"let {name} =", f"let {name:<{width}} =", 1)
            run = []

    @staticmethod
    def _reason_column(entries: list[_Entry]) -> int:
        heads = [len(e.lines[-1]) for e in entries
                 if e.reason is not None and len(e.lines[-1]) <= REASON_HEAD_MAX]
        return max(heads) + 2 if heads else CONDITION_INDENT

    @staticmethod
    def _add_reason(entry: _Entry, column: int) -> None:
        if entry.reason is None:
            return
        because = f"because {entry.reason}"
        if len(entry.lines[-1]) < column - 1:
            entry.lines[-1] = f"{entry.lines[-1]:<{column}}{because}"
        else:
            entry.lines.append(" " * column + because)

    def _placed(self, entry: _Entry, comments: list[n.Comment]
                ) -> tuple[_Entry, list[tuple[int, int] | None]]:
        """The entry and where each comment inside its item goes (`_output_lines`).

        An ignore comment silences the lints that start on its line, so it must not
        land on a line that also holds code from another source line: the layout
        would silence more than the source did. Such an item is laid out with every
        chain broken, and if that is not enough, kept as written."""
        placed, widened = self._output_lines(entry, comments)
        if widened:
            entry = self._relaid(entry, width=0)
            placed, widened = self._output_lines(entry, comments)
        if widened:
            entry = self._as_written(entry)
            placed, _ = self._output_lines(entry, comments)
        return entry, placed

    def _relaid(self, entry: _Entry, width: int) -> _Entry:
        relaid = self._entry(entry.item, width)
        self._add_reason(relaid, self.reason_column)
        return relaid

    def _as_written(self, entry: _Entry) -> _Entry:
        """The item's own lines, its comments taken out (they are placed again)."""
        span, text = entry.item.span, self.source.text
        parts, at = [], span.start
        for comment in self.module.comments:
            if span.start <= comment.span.start < span.end:
                parts.append(text[at:comment.span.start])
                at = comment.span.end
        parts.append(text[at:span.end])
        lines = [line.rstrip() for line in "".join(parts).split("\n") if line.strip()]
        return _Entry(entry.item, lines)

    def _output_lines(self, entry: _Entry, comments: list[n.Comment]
                      ) -> tuple[list[tuple[int, int] | None], bool]:
        """For each comment's source line, the first and last laid-out lines (indexes)
        holding its code, None for a line without code; and whether an ignore comment
        would reach code from another source line there. Matched by counting tokens,
        commas aside (a trailing one is dropped)."""
        if not comments:
            return [], False
        span = entry.item.span
        if self._tokens is None:
            self._tokens = [t for t in tokens(self.source.text) if t.type != "COMMA"]
            self._starts = [t.start_pos or 0 for t in self._tokens]
        before = self._tokens[bisect_left(self._starts, span.start):
                              bisect_left(self._starts, span.end)]
        after = [t for t in tokens("\n".join(entry.lines)) if t.type != "COMMA"]
        if len(after) != len(before):  # not expected; the item as written is safe
            return [None] * len(comments), True
        placed: list[tuple[int, int] | None] = []
        widened = False
        for comment in comments:
            line = self.source.line(comment.span.start)
            on_line = [i for i, t in enumerate(before) if t.line == line]
            if not on_line:
                placed.append(None)
                continue
            top, bottom = (after[on_line[0]].line or 1) - 1, (after[on_line[-1]].line or 1) - 1
            placed.append((top, bottom))
            if n.silences(comment.text):
                widened = widened or any(top <= (a.line or 1) - 1 <= bottom and b.line != line
                                         for a, b in zip(after, before, strict=True))
        return placed, widened

    @staticmethod
    def _with_comments(entry: _Entry) -> list[str]:
        lines = list(entry.lines)
        for index, comments in entry.trailing.items():
            lines[index] += "  " + "  ".join(comments)
        return lines
