"""Parsing: source text -> syntax tree and syntax diagnostics.

The parser is Lark's LALR parser, generated ahead of time into `_parser.py` by
`grammar/generate.py`: start-up loads its tables and does not import Lark. The file
is lexed once; it is then cut into items at the words that can only start one (`let`,
`accept`, `else`, ...) and each item is parsed on its own. A syntax error therefore
costs one item, not the file: every broken item gets its own diagnostic in one run,
and the rest is still checked.
Lark's exceptions never leave this module: `syntax_errors.py` turns them, and the bad
input the lexer keeps, into diagnostics in plain words.
"""

from __future__ import annotations

import functools
import gc
import heapq
import re
import threading
from bisect import bisect_left
from collections.abc import Iterator
from itertools import pairwise
from typing import Any

from . import nodes as n
from ._parser import Lark, Lark_StandAlone, Token, UnexpectedToken
from .builtins import PREFIX_FUNCTIONS
from .diagnostics import Diagnostic
from .keywords import (
    ACTION_TOKENS,
    ITEM_START_TOKENS,
    RESERVED,
    STRING_DUE,
    TEST_OPERATORS,
    c_comment,
    c_comment_opened,
    like_keyword,
    meant_item_start,
    miscased,
    string_prefix,
)
from .lower import Lowering, span_of
from .source import Source, Span

# Deeper expressions are refused: the checker and the evaluator recurse, and no
# real policy comes near this.
MAX_NESTING = 64

_KEYWORD_TYPES = {word.upper() for word in RESERVED}
_OPERAND_START = {"NOT", "TRUE", "FALSE", "LPAR", "LSQB"}  # keywords a value can start with
_VALUE_DUE = {"if", "and", "or", "not", "(", ",", "=", *TEST_OPERATORS} - {"is"}  # before a value


_lowering = Lowering()
_lock = threading.Lock()
# The lexer hands ignored tokens worth keeping (comments, bad input) to callbacks;
# whitespace is skipped without building a token.
_kept: list[Token] = []
_KEPT = ("COMMENT", "BAD_QUOTE", "BAD_OPERATOR", "BAD_COMMENT", "BAD_STRING", "BAD_REGEX",
         "BAD_CHAR")


def runtime_options() -> dict[str, Any]:
    """What the parser is loaded with (tests give the same to a parser Lark builds)."""
    return {"transformer": _lowering, "lexer_callbacks": {name: _kept.append for name in _KEPT}}


@functools.cache
def _parser() -> Lark:
    return Lark_StandAlone(**runtime_options())  # type: ignore[no-untyped-call,no-any-return]


def _spell(terminal: str) -> str | None:
    """A terminal's literal text (`==` for Lark's `__ANON_0`), None for a pattern."""
    try:
        pattern = _parser().get_terminal(terminal).pattern
    except KeyError:
        return None
    return pattern.value if pattern.type == "str" else None


def parse(source: Source) -> tuple[n.Module, list[Diagnostic]]:
    """Parse a whole file into its items; syntax errors are diagnostics, never raised."""
    with _lock, _gc_paused():
        diagnostics: list[Diagnostic] = []
        _lowering.diagnostics = diagnostics
        tokens, comments, unread = _lex(source, diagnostics)
        items: list[n.Item] = []
        broken_names: set[str] = set()
        loose_names: list[n.Name] = []
        broken_default = False
        chunks = list(_items(tokens))
        for index, chunk in enumerate(chunks):
            following = chunks[index + 1][0] if index + 1 < len(chunks) else None
            start = span_of(chunk[0]).start
            end = span_of(following).start if following is not None else len(source.text)
            # Bad input inside the item was reported already: parsing what is left
            # of it could only add a follow-on error.
            damaged = any(start <= at < end for at in unread)
            item = _parse_chunk(chunk, "item", following, source,
                                [] if damaged else diagnostics)
            if item is None or damaged:
                first = chunk[0]
                broken_default = broken_default or first.type == "ELSE" or (
                    first.type == "NAME" and _like_else(first, chunk[1] if len(chunk) > 1 else None))
                if len(chunk) > 1 and (first.type in ("LET", "FIELD") or _declares(chunk)):
                    broken_names.add(chunk[1].value)
                    if len(chunk) > 2 and source.text[chunk[1].end_pos:chunk[2].start_pos] == "-":
                        broken_names.add(f"{chunk[1].value}_{chunk[2].value}")  # `let knows-me`
                loose_names.extend(_read_names(chunk))
            else:
                items.append(item)
        module = n.Module(tuple(items), tuple(comments), frozenset(broken_names), broken_default,
                          tuple(loose_names))
        # `or Accept`: the item cut at `Accept` and the one it starts both fail there.
        return module, list(dict.fromkeys(diagnostics))


def _read_names(chunk: list[Token]) -> list[n.Name]:
    """The names a broken item reads as values: not its first two words (an item start
    and a declared name), a type, a callee or a word like a keyword (`adn`), which the
    syntax error is about."""
    names: list[n.Name] = []
    if chunk[0].type == "FIELD":
        return names
    declared = chunk[0].type == "LET" or _declares(chunk)  # its value is after its `=`
    first = next((at + 1 for at, token in enumerate(chunk) if token.type == "EQUAL"),
                 len(chunk)) if declared else 2
    for at in range(first, len(chunk)):
        token = chunk[at]
        after = chunk[at + 1].type if at + 1 < len(chunk) else ""
        if token.type != "NAME" or chunk[at - 1].type == "COLON" or after in ("LPAR", "IF"):
            continue
        if miscased(token.value) or meant_item_start(token.value) or like_keyword(token.value):
            continue
        names.append(n.Name(span_of(token), token.value))
    return names


def _declares(chunk: list[Token]) -> bool:
    """`lett x = 3`, `const x = 3`, `var x: int`: shaped like a declaration of chunk[1]."""
    return len(chunk) > 2 and chunk[0].type == chunk[1].type == "NAME" and (
        chunk[2].type in ("EQUAL", "COLON"))


def parse_expression(source: Source) -> tuple[n.Expr | None, list[Diagnostic]]:
    """Parse a lone expression (the REPL's input)."""
    with _lock:
        diagnostics: list[Diagnostic] = []
        _lowering.diagnostics = diagnostics
        tokens, _, _ = _lex(source, diagnostics)
        if not tokens:
            diagnostics.append(Diagnostic.error("E001", "expected an expression", source.end))
            return None, diagnostics
        expr: n.Expr | None = _parse_chunk(tokens, "expr", None, source, diagnostics)
        return expr, diagnostics


def stops_early(source: Source, start: str = "item") -> bool:
    """Whether the text's last item (or the expression) is cut short: the parser took
    each of its tokens and wanted more, as after an open `(` or a trailing `and`. The
    REPL then reads another line."""
    with _lock:
        lexical: list[Diagnostic] = []
        _lowering.diagnostics = []
        tokens, _, _ = _lex(source, lexical)
        if not tokens or lexical:  # a string cannot go on on the next line
            return False
        chunk = list(_items(tokens))[-1] if start == "item" else tokens
        _, error, index = _feed(chunk, start)
        if error is not None:
            return index == len(chunk)
        return chunk[-1].value in PREFIX_FUNCTIONS  # `interacted_within`, its duration to come


class _gc_paused:
    """Parsing allocates many small objects that all live: the collector only costs."""

    def __enter__(self) -> None:
        self.was_enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: object) -> None:
        if self.was_enabled:
            gc.enable()


def tokens(text: str) -> list[Token]:
    """The tokens of `text`, comments and stray characters left out."""
    with _lock:  # the lexer's callbacks share one list
        return _lex_raw(text)[0]


def _lex(source: Source, diagnostics: list[Diagnostic]) -> tuple[list[Token], list[n.Comment], list[int]]:
    """The tokens the parser is given, the comments, and where bad input starts that
    could not be read as its fix (`syntax_errors.repair`)."""
    tokens, kept = _lex_raw(source.text)
    blocks = _block_comments(source.text, tokens, kept)
    if blocks:  # lexed again without them, for what follows one on its last line
        tokens, kept = _lex_raw(_blanked(source.text, blocks))
        tokens = sorted([*tokens, *blocks], key=lambda token: token.start_pos or 0)
    comments = [n.Comment(span_of(token), token.value) for token in kept
                if token.type == "COMMENT"]
    bad = [token for token in kept if token.type != "COMMENT"]
    if bad or _slipped(tokens):  # (a clean file does not load the module that words errors)
        from .syntax_errors import repair
        tokens, unread = repair(tokens, bad, source, _terminals(), diagnostics)
        return tokens, comments, unread
    return tokens, comments, []


def _lex_raw(text: str) -> tuple[list[Token], list[Token]]:
    """The tokens as lexed, and the comments and bad input the lexer kept aside."""
    _kept.clear()
    tokens = list(_parser().lex(text))
    kept = list(_kept)
    _kept.clear()
    return tokens, kept


def _block_comments(text: str, tokens: list[Token], kept: list[Token]) -> list[Token]:
    """C's `/* note */` over several lines, each as the one token (a regex, to
    `syntax_errors`) it would be on one line. The lexer reads its `/*` as a regex, closed
    or not on its line, and its `*/` as a stray `*`: one inside a string or a regex
    (`/a*/`) closes nothing. Not after `matches`, where `/*` is a broken regex. What
    follows a block on its last line was lexed as part of it, so is lexed again for
    another `/*`."""
    closes = [token.start_pos or 0 for token in kept if token.type == "BAD_CHAR" and (
        token.value == "*" and text.startswith("*/", token.start_pos or 0))]
    starts = [token.start_pos or 0 for token in [*tokens, *kept] if c_comment_opened(token)]
    heapq.heapify(starts)
    blocks: list[Token] = []
    while starts:
        start = heapq.heappop(starts)
        at = bisect_left(closes, start)
        line_start = text.rfind("\n", 0, start) + 1
        if at == len(closes) or (blocks and start < (blocks[-1].end_pos or 0)) or (
                _AFTER_MATCHES.search(text, line_start, start)):
            continue
        end = closes[at] + 2
        line, column = text.count("\n", 0, start) + 1, start - line_start + 1
        blocks.append(Token("REGEX", text[start:end], start, line, column,
                            line + text.count("\n", start, end), end - text.rfind("\n", 0, end), end))
        line_end = text.find("\n", end)
        rest = text[end:len(text) if line_end < 0 else line_end]
        if "/*" in rest:
            lexed, aside = _lex_raw(rest)
            for token in [*lexed, *aside]:
                if c_comment_opened(token):
                    heapq.heappush(starts, end + (token.start_pos or 0))
    return blocks


_AFTER_MATCHES = re.compile(r"\bmatches\s*$")


def _blanked(text: str, blocks: list[Token]) -> str:
    """`text` with each block's characters but its line breaks as spaces: every other
    token keeps its place."""
    parts: list[str] = []
    done = 0
    for block in blocks:
        start, end = block.start_pos or 0, block.end_pos or 0
        parts += [text[done:start], re.sub(r"[^\n]", " ", text[start:end])]
        done = end
    return "".join([*parts, text[done:]])


def _slipped(tokens: list[Token]) -> bool:
    """Whether clean tokens hold a slip the parser is given the fix of: words where a
    string is due (`because we met`), a string with a prefix (`f"Hi"`), or a C comment
    (`/* note */`, or `/* for accept/archive` unclosed, read as a regex to its `/`)."""
    return any(string_prefix(token, following) or (
        token.type in STRING_DUE and following.line == token.line
        and following.type not in ("STRING", "IF")) for token, following in pairwise(tokens)) or (
        any(c_comment(token) or c_comment_opened(token) for token in tokens))


@functools.cache
def _terminals() -> dict[str, str]:
    """Each keyword's and operator's terminal, by its text (`>=` is `__ANON_3`)."""
    return {t.pattern.value: t.name for t in _parser().terminals if t.pattern.type == "str"}


def _items(tokens: list[Token]) -> Iterator[list[Token]]:
    """Cut the token stream where an item must start (an action after `else` does not).

    `let archive = ...` is one error, at `archive`; where a value is due, a later
    `archive` is that let's use, read as a name (which the checker then passes over)
    rather than an item start that cuts the rule in two. A misspelt item start also
    starts one, so the item before it is not blamed and the one after is still
    checked: a name before `if` (`acept if`), or a name like one (`esle`) first on its
    line where no value is due.
    """
    refused = {token.value for before, token in pairwise(tokens)
               if before.type in ("LET", "FIELD") and token.type in _KEYWORD_TYPES}
    chunk: list[Token] = []
    previous = ""
    value_due = False
    for index, token in enumerate(tokens):
        kind = token.type
        if value_due and token.value in refused and kind not in _OPERAND_START:
            token = token.update(type="NAME")
            kind = "NAME"
        if kind == "NAME":  # `Else archive`: an item starts, with an error at `Else`
            kind = (miscased(token.value) or "NAME").upper()
        # An action after `else` is its action; after a `:` (`if c: accept`), a slip's.
        owned = kind in ACTION_TOKENS and (previous == "ELSE" or (
            previous == "COLON" and chunk[0].type != "FIELD" and token.line == chunk[-1].line))
        starts = kind in ITEM_START_TOKENS and not owned and (
            previous not in ("LET", "FIELD"))  # `let review = ...`: one error, at `review`
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if kind == "NAME" and chunk and not value_due and previous not in ("LET", "FIELD"):
            starts = _misspelt_start(token, following, chunk)
        if starts and chunk:
            yield chunk
            chunk = []
        if not chunk and kind == "NAME" and _like_else(token, following):
            kind = "ELSE"  # `esle archive` is one item, with its error at `esle`
        chunk.append(token)
        value_due = kind != "NAME" and token.value in _VALUE_DUE
        previous = previous if kind == "COLON" and previous == "ELSE" else kind  # `else: x`
    if chunk:
        yield chunk


def _misspelt_start(name: Token, following: Token | None, chunk: list[Token]) -> bool:
    """Whether `name`, where no value is due, starts an item: before `if` (`acept if`),
    unless the item so far is a rule still waiting for its `if` (`ask Hi there if`); or
    first on its line and like an item start (`esle`), unless it may be a built-in's
    argument (`sent_within` then `lately` on the next line)."""
    if following is not None and following.type == "IF":
        return chunk[0].type not in ACTION_TOKENS or any(token.type == "IF" for token in chunk)
    return name.line != chunk[-1].line and chunk[-1].value not in PREFIX_FUNCTIONS and (
        meant_item_start(name.value) is not None or _like_else(name, following))


def _like_else(name: Token, following: Token | None) -> bool:
    """Whether a name stands where `else` would: `esle archive`, or any name followed by
    an action on its line (`otherwise: archive` aside, `default archive`, `foo archive`)."""
    return meant_item_start(name.value) == "else" or (
        following is not None and following.type in ACTION_TOKENS and following.line == name.line)


def _feed(chunk: list[Token], start: str) -> tuple[Any, UnexpectedToken | None, int]:
    """Parse `chunk`: its tree, or the parser's error and the index of the token it
    failed at (`len(chunk)`: at the end, wanting more)."""
    parser = _parser().parse_interactive(start=start)
    index = 0
    try:
        for index, token in enumerate(chunk):  # noqa: B007 (index is read on error)
            parser.feed_token(token)
        index = len(chunk)
        return parser.feed_eof(chunk[-1]), None, index  # type: ignore[no-untyped-call]
    except UnexpectedToken as error:
        return None, error, index


def _parse_chunk(chunk: list[Token], start: str, following: Token | None, source: Source,
                 diagnostics: list[Diagnostic]) -> Any:
    result, error, index = _feed(chunk, start)
    if error is not None:
        from .syntax_errors import syntax_error
        diagnostics.append(syntax_error(error, chunk, index, following, source, _spell))
        return None
    too_deep = _too_deep(result) if len(chunk) > MAX_NESTING else None  # (fewer tokens: shallow)
    if too_deep is not None:
        diagnostics.append(Diagnostic.error(
            "E004", f"this expression is nested more than {MAX_NESTING} levels deep", too_deep,
            "name parts of it with `let` and combine the names"))
        return None
    return result


def _too_deep(item: object) -> Span | None:
    """The first place nested more than MAX_NESTING levels (a level is an operator
    or a pair of parentheses; the names and literals inside do not count)."""
    stack: list[tuple[object, int]] = [
        (getattr(item, attr), 0) for attr in ("condition", "value") if hasattr(item, attr)]
    if not stack:
        stack.append((item, 0))  # a bare expression
    while stack:
        expr, depth = stack.pop()
        inner = n.children(expr)  # type: ignore[arg-type]
        if inner and depth >= MAX_NESTING:
            span: Span = expr.span  # type: ignore[attr-defined]
            return Span(span.start, span.start + 1)
        stack.extend((child, depth + 1) for child in inner)
    return None


