"""The REPL's policy: pieces of source text, joined and checked as one policy.

A session's policy is a list of pieces (the header, each `field`, `let` and rule,
the default), each remembering the file or the typed input it came from and where.
The pieces are joined into one text and checked as a whole, exactly as `check`
would; diagnostics and rules are mapped back to their piece's origin, so an error
in a loaded file points into the file and one in typed input points under what was
typed. A change that would give the policy an error is refused whole, so the
session's policy always checks clean.

Typed pieces go where a reader expects: a rule just before the default, a `let` or
`field` of a name already defined in place of the old definition (as a REPL
rebinds a name), a default in place of the default. A typed `policy "NAME"` header
starts a new policy.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .. import checked as c
from .. import nodes as n
from ..analysis import Analysis, analyse
from ..diagnostics import Diagnostic
from ..source import Source, Span
from ..syntax import parse

if TYPE_CHECKING:
    from ..lint.config import Settings

# What the policy is checked with until it has a default of its own: the rules and
# lets can be tried before the policy is finished.
_STAND_IN = Source("else review\n", "<no default yet>")

Located = tuple[Diagnostic, Source]  # a diagnostic and the source its span is in
TYPED = "<input>"  # the name of a source typed at the prompt
_LINE_REFERENCE = re.compile(r"\bline (\d+)\b")  # in a diagnostic's message or help


class Rejected(Exception):
    """The change would give the policy errors: it was not made."""

    def __init__(self, found: list[Located]) -> None:
        super().__init__(f"{len(found)} problem(s)")
        self.found = found


@dataclass(frozen=True)
class Piece:
    kind: str  # header, field, let, rule, default
    name: str | None  # of a field or let
    origin: Source
    span: Span  # in the origin, with the comments above the item

    @property
    def text(self) -> str:
        return self.origin.text[self.span.start:self.span.end]


@dataclass(frozen=True)
class Layout:
    """The pieces of a policy, in the order a policy needs them."""

    header: Piece | None = None
    body: tuple[Piece, ...] = ()
    default: Piece | None = None

    def pieces(self) -> tuple[Piece, ...]:
        return ((self.header,) if self.header else ()) + self.body + (
            (self.default,) if self.default else ())

    def with_pieces(self, pieces: list[Piece]) -> tuple[Layout, list[Piece | None]]:
        """This layout with typed pieces put in (see the module's docstring), and the
        piece each one replaced."""
        layout, replaced = self, []
        for piece in pieces:
            layout, old = layout.put(piece)
            replaced.append(old)
        return layout, replaced

    def put(self, piece: Piece) -> tuple[Layout, Piece | None]:
        if piece.kind == "header":
            return replace(self, header=piece), self.header
        if piece.kind == "default":
            return replace(self, default=piece), self.default
        body = list(self.body)
        same = [i for i, old in enumerate(body) if piece.name and old.kind == piece.kind and
                old.name == piece.name]
        if not same:
            return replace(self, body=(*body, piece)), None
        old, body[same[0]] = body[same[0]], piece
        return replace(self, body=tuple(body)), old


def where(origin: Source, span: Span) -> str:
    """`selective.conn:31`, or `typed` for what was typed at the prompt."""
    return f"{origin.name}:{origin.line(span.start)}" if origin.name != TYPED else "typed"


def split(module: n.Module, source: Source) -> list[Piece]:
    """The pieces of a parsed source. A comment on its own line goes with the item
    below it; one after code stays with that code's item."""
    pieces = []
    items = module.items
    for i, item in enumerate(items):
        start = 0 if i == 0 else _boundary(source, items[i - 1].span.end, item.span.start)
        end = (len(source.text) if i == len(items) - 1
               else _boundary(source, item.span.end, items[i + 1].span.start))
        pieces.append(Piece(*_kind(item), source, Span(start, end)))
    return pieces


def _boundary(source: Source, end: int, start: int) -> int:
    newline = source.text.find("\n", end, start)
    return start if newline == -1 else newline + 1


def _kind(item: n.Item) -> tuple[str, str | None]:
    if isinstance(item, n.PolicyDecl):
        return "header", None
    if isinstance(item, (n.FieldDecl, n.LetDecl)):
        return ("field" if isinstance(item, n.FieldDecl) else "let"), item.name.id
    return ("rule" if isinstance(item, n.Rule) else "default"), None


class Assembled:
    """A layout joined into one source, checked, with the way back to each origin."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.pieces = list(layout.pieces())
        if layout.default is None:
            self.pieces.append(Piece("default", None, _STAND_IN, Span(0, len(_STAND_IN.text))))
        self.starts: list[int] = []
        parts: list[str] = []
        at = 0
        for piece in self.pieces:
            text = piece.text if piece.text.endswith("\n") else piece.text + "\n"
            self.starts.append(at)
            parts.append(text)
            at += len(text)
        self.source = Source("".join(parts), "<session>")
        self.analysis: Analysis = analyse(self.source)

    @property
    def policy(self) -> c.Policy | None:
        return self.analysis.policy

    def locate(self, span: Span) -> tuple[Source, Span]:
        """Where a span of the joined text came from (the end of the last piece, for the
        very end of a text without its stand-in default)."""
        index = max(0, bisect_right(self.starts, span.start) - 1)
        if index and self.pieces[index].origin is _STAND_IN and span.start == self.starts[index]:
            index -= 1
        piece, start = self.pieces[index], self.starts[index]
        origin_start = piece.span.start + span.start - start
        origin_end = min(piece.span.end, origin_start + span.end - span.start)
        return piece.origin, Span(origin_start, max(origin_start, origin_end))

    def located(self, diagnostics: list[Diagnostic] | None = None) -> list[Located]:
        """Diagnostics of the joined text (by default its check's), each in the source
        it points into."""
        found = []
        for d in self.analysis.diagnostics if diagnostics is None else diagnostics:
            origin, span = self.locate(d.span)
            help = self.relabel(d.help, origin) if d.help else d.help
            found.append((replace(d, span=span, message=self.relabel(d.message, origin), help=help),
                          origin))
        return found

    def relabel(self, text: str, origin: Source) -> str:
        """`line 36` of the joined text in a message, as the line of the file it is in,
        or the typed line it is."""
        def label(match: re.Match[str]) -> str:
            line = int(match.group(1))
            if not 1 <= line <= self.source.line(len(self.source.text)):
                return match.group()
            source, at = self.locate(Span(self.source.line_start(line), self.source.line_start(line)))
            if source.name == TYPED:
                return f"the typed line `{source.line_text(source.line(at.start)).strip()}`"
            where = source.line(at.start)
            return f"line {where}" if source is origin else f"{source.name}:{where}"
        return _LINE_REFERENCE.sub(label, text)

    def lint(self, settings: Settings, path: str | None) -> list[Located]:
        """What `check` says of the policy (a missing default included)."""
        return self.located(analyse(Source(self.text(), self.source.name), settings, path).diagnostics)

    def where(self, span: Span) -> str:
        """Where a span of the joined text came from, in words (see `where`)."""
        return where(*self.locate(span))

    def text(self) -> str:
        """The policy as one text, without a stand-in default."""
        stand_in = self.layout.default is None
        return self.source.text[: self.starts[-1]] if stand_in else self.source.text


class Session:
    """The policy being tried, with an undo history and the file it was loaded from."""

    def __init__(self) -> None:
        self.path: str | None = None
        self.current = Assembled(Layout())
        # Each change: the layout and file before it, and what it was.
        self.history: list[tuple[Layout, str | None, str]] = []

    @property
    def policy(self) -> c.Policy:
        assert self.current.policy is not None  # a layout with errors is never kept
        return self.current.policy

    @property
    def has_default(self) -> bool:
        return self.current.layout.default is not None

    def load(self, path: str, undoable: bool = True) -> Layout:
        """Replace the policy by a file's (what was typed is dropped). The file a session
        starts with is not undoable: it is where the session begins."""
        try:
            text = Path(path).read_bytes().decode("utf-8-sig")  # as `check` reads it
        except OSError as exc:
            raise OSError(f"cannot read {path}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise OSError(f"{path} is not UTF-8 text") from None
        layout = self._whole(Source(text, path))
        self._commit(layout, path, f"loading {path}")
        if not undoable:
            self.history.clear()
        return layout

    def add(self, source: Source) -> list[tuple[Piece, Piece | None]]:
        """Add typed items; a typed header starts a new policy. Returns the pieces, each
        with the piece it replaced."""
        module, syntax_errors = parse(source)
        if syntax_errors:
            raise Rejected([(d, source) for d in syntax_errors])
        if any(isinstance(item, n.PolicyDecl) for item in module.items):
            layout = self._whole(source, typed=True)
            self._commit(layout, None, "the new policy")
            return [(piece, None) for piece in layout.pieces()]
        # Typed items are checked as part of the policy, in their places: a rule typed
        # after a typed default is fine, it goes before it.
        pieces = split(module, source)
        named = [f"{p.kind} {p.name}" for p in pieces if p.name]
        rules = sum(p.kind == "rule" for p in pieces)
        named += ["a rule" if rules == 1 else f"{rules} rules"] if rules else []
        named += ["the default"] if any(p.kind == "default" for p in pieces) else []
        what = " and ".join(filter(None, [", ".join(named[:-1]), named[-1]]))
        layout, replaced = self.current.layout.with_pieces(pieces)
        self._commit(layout, self.path, what)
        return list(zip(pieces, replaced, strict=True))

    def undo(self) -> str | None:
        """Take back the last change; what it was, or None when there was none."""
        if not self.history:
            return None
        layout, path, what = self.history.pop()
        self.current, self.path = Assembled(layout), path
        return what

    def _whole(self, source: Source, typed: bool = False) -> Layout:
        """The layout of a whole policy, checked as a file is; a typed one may still
        lack its default."""
        analysis = analyse(source)
        module = analysis.module
        if typed and not any(isinstance(item, n.Default) for item in module.items):
            analysis = analyse(Source(source.text + "\n" + _STAND_IN.text, source.name))
        if analysis.policy is None:
            raise Rejected([(d, source) for d in analysis.diagnostics])
        return Layout().with_pieces(split(module, source))[0]

    def _commit(self, layout: Layout, path: str | None, what: str) -> None:
        assembled = Assembled(layout)
        if assembled.policy is None:
            raise Rejected(assembled.located())
        self.history.append((self.current.layout, self.path, what))
        self.current, self.path = assembled, path
