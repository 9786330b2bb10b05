"""Parsing: source text -> syntax tree and syntax diagnostics.

The parser is Lark's LALR parser, generated ahead of time into `_parser.py` by
`grammar/generate.py`: start-up loads its tables and does not import Lark. The file
is lexed once; it is then cut into items at the words that can only start one (`let`,
`accept`, `else`, ...) and each item is parsed on its own. A syntax error therefore
costs one item, not the file: every broken item gets its own diagnostic in one run,
and the rest is still checked.
Lark's exceptions never leave this module: they become diagnostics in plain words.
"""

from __future__ import annotations

import functools
import gc
import threading
from collections.abc import Callable, Iterable, Iterator
from itertools import pairwise
from typing import Any

from . import nodes as n
from ._parser import Lark, Lark_StandAlone, Token, UnexpectedToken
from .builtins import FUNCTIONS
from .diagnostics import Diagnostic, closest
from .keywords import (
    ACTIONS,
    ITEM_STARTS,
    RESERVED,
    foreign_help,
    meant_item_start,
    miscased,
    miscased_message,
    value_then_value,
)
from .literals import MONTH_WORDS, UNIT_SECONDS, months_help
from .lower import Lowering, span_of
from .source import Source, Span

# Deeper expressions are refused: the checker and the evaluator recurse, and no
# real policy comes near this.
MAX_NESTING = 64

_ITEM_START = {word.upper() for word in ITEM_STARTS}  # token types
_ACTIONS = {word.upper() for word in ACTIONS}
_EXPR_START = {"NAME", "LPAR", "INT", "STRING"}
PREFIX_FUNCTIONS = {f.name for f in FUNCTIONS.values() if f.prefix}
_KEYWORD_TYPES = {word.upper() for word in RESERVED}
_OPERAND_START = {"NOT", "TRUE", "FALSE", "LPAR", "LSQB"}  # keywords a value can start with
_TEST_OPS = {"==", "!=", "<", "<=", ">", ">=", "contains", "contains_any", "starts_with",
             "ends_with", "in", "within", "matches", "is"}
_VALUE_DUE = {"if", "and", "or", "not", "(", ",", "=", *_TEST_OPS} - {"is"}  # words before a value
_WORDS = {
    "NAME": "a name", "STRING": "a string", "INT": "a number", "DURATION": "a duration",
    "TIME": "a time", "REGEX": "a regex", "$END": "the end of the file", "LPAR": "`(`",
    "RPAR": "`)`", "LSQB": "`[`", "RSQB": "`]`", "COMMA": "`,`", "COLON": "`:`", "EQUAL": "`=`",
}


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


def parse(source: Source) -> tuple[n.Module, list[Diagnostic]]:
    """Parse a whole file into its items; syntax errors are diagnostics, never raised."""
    with _lock, _gc_paused():
        diagnostics: list[Diagnostic] = []
        _lowering.diagnostics = diagnostics
        tokens, comments = _lex(source, diagnostics)
        lexical_errors = [d.span.start for d in diagnostics]
        items: list[n.Item] = []
        broken_names: set[str] = set()
        broken_default = False
        chunks = list(_items(tokens))
        for index, chunk in enumerate(chunks):
            following = chunks[index + 1][0] if index + 1 < len(chunks) else None
            start = span_of(chunk[0]).start
            end = span_of(following).start if following is not None else len(source.text)
            # A lexical error inside the item was reported already: parsing what is
            # left of it could only add a follow-on error.
            damaged = any(start <= at < end for at in lexical_errors)
            item = _parse_chunk(chunk, "item", following, source,
                                [] if damaged else diagnostics)
            if item is None or damaged:
                first = chunk[0]
                broken_default = broken_default or first.type == "ELSE" or (
                    first.type == "NAME" and meant_item_start(first.value) == "else")
                if len(chunk) > 1 and (first.type in ("LET", "FIELD") or _declares(chunk)):
                    broken_names.add(chunk[1].value)
            else:
                items.append(item)
        module = n.Module(tuple(items), tuple(comments), frozenset(broken_names), broken_default)
        # `or Accept`: the item cut at `Accept` and the one it starts both fail there.
        return module, list(dict.fromkeys(diagnostics))


def _declares(chunk: list[Token]) -> bool:
    """`lett x = 3`, `const x = 3`, `var x: int`: shaped like a declaration of chunk[1]."""
    return len(chunk) > 2 and chunk[0].type == chunk[1].type == "NAME" and (
        chunk[2].type in ("EQUAL", "COLON"))


def parse_expression(source: Source) -> tuple[n.Expr | None, list[Diagnostic]]:
    """Parse a lone expression (the REPL's input)."""
    with _lock:
        diagnostics: list[Diagnostic] = []
        _lowering.diagnostics = diagnostics
        tokens, _ = _lex(source, diagnostics)
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
        tokens, _ = _lex(source, lexical)
        if not tokens or lexical:  # a string cannot go on on the next line
            return False
        chunk = list(_items(tokens))[-1] if start == "item" else tokens
        parser = _parser().parse_interactive(start=start)
        try:
            for token in chunk:
                parser.feed_token(token)
        except UnexpectedToken:
            return False
        try:
            parser.feed_eof(chunk[-1])  # type: ignore[no-untyped-call]
        except UnexpectedToken:
            return True
        return False


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
        return _lex(Source(text, "<text>"), [])[0]


def _lex(source: Source, diagnostics: list[Diagnostic]) -> tuple[list[Token], list[n.Comment]]:
    _kept.clear()
    tokens = list(_parser().lex(source.text))
    comments: list[n.Comment] = []
    for kind, text, span in _merge_stray(_kept):
        if kind == "COMMENT":
            comments.append(n.Comment(span, text))
        else:
            diagnostics.append(_lexical_error(kind, text, span))
    _kept.clear()
    return tokens, comments


def _merge_stray(kept: list[Token]) -> list[tuple[str, str, Span]]:
    """The kept tokens as (type, text, span); stray characters side by side (`@@@`)
    are one mistake, so one piece."""
    pieces: list[tuple[str, str, Span]] = []
    for token in kept:
        span = span_of(token)
        if pieces and token.type == "BAD_CHAR" == pieces[-1][0] and (
                span.start == pieces[-1][2].end):
            pieces[-1] = ("BAD_CHAR", pieces[-1][1] + token.value, pieces[-1][2].cover(span))
        else:
            pieces.append((token.type, token.value, span))
    return pieces


# Operators of other languages, and connectlang's for each.
_OPERATOR_FIXES = {"&": "and", "&&": "and", "|": "or", "||": "or", "!": "not", "=>": ">=",
                   "==>": ">=", "=<": "<=", "==<": "<=", "<>": "!=", "=!": "!="}


def _lexical_error(kind: str, text: str, span: Span) -> Diagnostic:
    if kind == "BAD_STRING":
        return Diagnostic.error("E003", "this string is not closed on its line", span,
                                'end it with `"`; write a quote inside a string as `\\"`')
    if kind == "BAD_REGEX":
        return Diagnostic.error(
            "E003", "this regex is not closed on its line", span,
            "a regex is written `/pattern/flags` on one line; write `/` inside it as `\\/`")
    if kind == "BAD_QUOTE":
        inner = text[1:-1].replace("\\", "\\\\").replace('"', '\\"')
        return Diagnostic.error("E002", "a string is written in straight double quotes", span,
                                f'write `"{inner}"`')
    if kind == "BAD_OPERATOR":
        word = _OPERATOR_FIXES[text]
        return Diagnostic.error("E002", f"`{text}` is not an operator", span,
                                f"write `{word}`")
    if kind == "BAD_COMMENT":
        return Diagnostic.error("E002", "a comment starts with `#`", span,
                                f"write `# {text[2:].lstrip()}`")
    shown = text if text.isprintable() else repr(text)[1:-1]
    what = "character" if len(text) == 1 else "characters"
    return Diagnostic.error("E002", f"unexpected {what} `{shown}`", span,
                            "remove it" if not text.isprintable() else None)


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
        starts = kind in _ITEM_START and not (kind in _ACTIONS and previous == "ELSE") and (
            previous not in ("LET", "FIELD"))  # `let review = ...`: one error, at `review`
        if kind == "NAME" and chunk and not value_due and previous not in ("LET", "FIELD"):
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            starts = (following is not None and following.type == "IF") or (
                token.line != chunk[-1].line and chunk[-1].value not in PREFIX_FUNCTIONS
                and meant_item_start(token.value) is not None)
        if starts and chunk:
            yield chunk
            chunk = []
        if not chunk and kind == "NAME" and meant_item_start(token.value) == "else":
            kind = "ELSE"  # `esle archive` is one item, with its error at `esle`
        chunk.append(token)
        value_due = kind != "NAME" and token.value in _VALUE_DUE
        previous = kind
    if chunk:
        yield chunk


def _parse_chunk(chunk: list[Token], start: str, following: Token | None, source: Source,
                 diagnostics: list[Diagnostic]) -> Any:
    parser = _parser().parse_interactive(start=start)
    index = 0
    try:
        for index, token in enumerate(chunk):  # noqa: B007 (index is read on error)
            parser.feed_token(token)
        index = len(chunk)
        result = parser.feed_eof(chunk[-1])  # type: ignore[no-untyped-call]
    except UnexpectedToken as error:
        diagnostics.append(_syntax_error(error, chunk, index, following, source))
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


def _describe(token: Token | None) -> str:
    if token is None or token.type == "$END":
        return "the end of the file"
    if token.type == "NAME":
        return f"the name `{token.value}`"
    if token.type in ("STRING", "INT", "DURATION", "TIME", "REGEX"):
        return f"{_WORDS[token.type]} `{token.value}`"
    return f"`{token.value}`"


# What the expected words are listed as, in this order: the tests grouped under one
# phrase, then the joining words, the closing brackets, and the end last.
_OPERATOR_WORDS = {f"`{op}`" for op in _TEST_OPS}
_OPERATOR_GROUP = "an operator (`==`, `<`, `contains`, `in`, `matches`, ...)"
_ORDER = ("`and`", "`or`", "`because`", "`is`", "`=`", "`:`", "`,`", "`)`", "`]`")
_END_OF = {"LET": "the end of the `let`", "FIELD": "the end of the `field`",
           "ELSE": "the end of the default", "POLICY": "the end of the line"}


def _expected_words(expected: set[str], end: str) -> str:
    words = {_terminal_words(name) or "" for name in expected} - {""}
    operators = _OPERATOR_WORDS - {"`is`"}
    if len(words & operators) >= 6:
        words = (words - operators) | {_OPERATOR_GROUP}
    if "the end of the file" in words:
        words = (words - {"the end of the file"}) | {end}
    rank = {word: place for place, word in enumerate((_OPERATOR_GROUP, *_ORDER))}
    ordered = sorted(words, key=lambda word: (word == end, rank.get(word, len(rank)), word))
    if not ordered:
        return "something else"
    return ", ".join(ordered[:-1]) + (" or " if len(ordered) > 1 else "") + ordered[-1]


def _terminal_words(name: str) -> str | None:
    """A terminal as users write it: `a name`, `==` (Lark calls it `__ANON_0`), `<`."""
    if name in _WORDS:
        return _WORDS[name]
    try:
        pattern = _parser().get_terminal(name).pattern
    except KeyError:
        return None
    return f"`{pattern.value}`" if pattern.type == "str" else None


def _did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    close = closest(word, choices)
    return f"did you mean `{close}`?" if close else None


def _test_done(chunk: list[Token], index: int) -> bool:
    """Whether the test before `index` has its operator already (`a == b`), looking
    back past whole groups to the `if`, `and`, `(` ... that starts it."""
    depth = 0
    for token in reversed(chunk[:index]):
        if token.type in ("RPAR", "RSQB"):
            depth += 1
        elif token.type in ("LPAR", "LSQB"):
            if depth == 0:
                return False
            depth -= 1
        elif depth == 0 and token.type in ("IF", "AND", "OR", "NOT", "COMMA", "EQUAL"):
            return False
        elif depth == 0 and token.type != "NAME" and token.value in _TEST_OPS:
            return True
    return False


def _unclosed(tokens: list[Token]) -> list[Token]:
    """The `(` and `[` of `tokens` not closed in them, innermost last."""
    opened: list[Token] = []
    for token in tokens:
        if token.type in ("LPAR", "LSQB"):
            opened.append(token)
        elif token.type in ("RPAR", "RSQB") and opened:
            opened.pop()
    return opened


def _possible(expected: set[str], opened: list[Token], tokens: list[Token]) -> set[str]:
    """Lark's expected terminals less the closing ones no open bracket allows (its
    merged LALR states offer `)` and `,` outside any parentheses)."""
    inner = opened[-1] if opened else None
    in_list = inner is not None and inner.type == "LSQB"
    in_call = inner is not None and inner.type == "LPAR" and tokens.index(inner) > 0 and (
        tokens[tokens.index(inner) - 1].type == "NAME")
    drop = {"RPAR"} if inner is None or inner.type != "LPAR" else set()
    drop |= {"RSQB"} if not in_list else set()
    drop |= {"COMMA"} if not (in_list or in_call) else set()
    return expected - drop


_ARGUMENT_TYPES = {"NAME", "INT", "DURATION", "TIME", "STRING", "REGEX", "TRUE", "FALSE"}


def _syntax_error(error: UnexpectedToken, chunk: list[Token], index: int,
                  following: Token | None, source: Source) -> Diagnostic:
    at_end = error.token.type == "$END"
    found = following if at_end else error.token
    span = span_of(found) if found is not None else source.end
    previous = chunk[index - 1] if index > 0 else None
    found_text = _describe(found)
    opened = _unclosed(chunk[:index])
    expected = _possible(set(error.expected), opened, chunk)
    if _test_done(chunk, index):  # `a == b` takes no second operator
        expected -= {name for name in expected if _terminal_words(name) in _OPERATOR_WORDS}
    if previous is not None and previous.type == "NAME" and previous.value not in PREFIX_FUNCTIONS:
        expected -= _ARGUMENT_TYPES | {"LPAR", "LSQB"}  # only two built-ins take `f x`

    def fail(message: str, help: str | None = None) -> Diagnostic:
        return Diagnostic.error("E001", message, span, help)

    for token in (previous, found):  # `AND`, `Else`: at the keyword, not after it
        keyword = miscased(token.value) if token is not None and token.type == "NAME" else None
        if keyword is not None:
            assert token is not None
            wrong, fix = miscased_message(token.value, keyword)
            return Diagnostic.error("E001", wrong, span_of(token), fix)
    if previous is not None and previous.type in ("LET", "FIELD") and found is not None and (
            found.value in RESERVED):
        return fail(f"`{found.value}` is a keyword: a `{previous.value}` cannot take its name",
                    "choose another name")
    if previous is None:
        if error.token.type != "NAME":
            return fail(f"expected a rule, `let`, `field` or `else` here, found {found_text}")
        meant = meant_item_start(error.token.value)
        if len(chunk) > 1 and chunk[1].type == "IF":  # `acept if ...`
            return fail(f"`{error.token.value}` is not an action, and a rule starts with one",
                        f"did you mean `{meant}`?" if meant in ACTIONS else "the actions are "
                        "accept, archive, decline, report, review and ask \"...\"")
        return fail(f"expected a rule, `let`, `field` or `else` here, found {found_text}",
                    f"did you mean `{meant}`?" if meant else
                    "a rule starts with an action: `accept if ...`, `archive if ...`")
    prev = previous.value
    if previous.type == "INT" and not at_end and error.token.type == "NAME":
        word = error.token.value.lower()
        if word in MONTH_WORDS:
            return fail("months are not a duration unit: they have no fixed length",
                        months_help(prev))
        unit = word[0] if word[:1] in UNIT_SECONDS and word.rstrip("s") in (
            "sec", "second", "min", "minute", "hour", "day", "week", "year") else None
        if unit:
            return fail("a duration is written with its unit glued to the number",
                        f"write `{prev}{unit}`")
    header = _declaration_error(chunk, index, found_text, fail)
    if header is not None:
        return header
    if at_end and opened and expected & {"RPAR", "RSQB"}:  # the item ended inside ( or [
        bracket = opened[-1]
        close = "]" if bracket.type == "LSQB" else ")"
        line, column = source.position(bracket.start_pos or 0)
        return fail(f"expected `{close}` to close the `{bracket.value}` at {line}:{column}, "
                    f"found {found_text}", f"add `{close}` where the "
                    + ("list" if close == "]" else "parenthesis") + " ends")
    if not at_end and error.token.type == "NOT" and index + 1 < len(chunk) and (
            chunk[index + 1].value in _TEST_OPS):
        test = f"not {prev} {chunk[index + 1].value} ..." if previous.type == "NAME" else None
        return fail("`not` goes before the whole test, not before its operator",
                    f"write `{test}`" if test else "write `not` before the test's first value")
    if found is not None and found.type == "EQUAL":
        return fail("`=` is not a comparison", "write `==` to test that two values are equal")
    misused = _argument_of_a_value(chunk, index)
    if misused is not None:
        return misused
    if not at_end and error.token.value in _TEST_OPS and previous.type not in _ITEM_START:
        return fail(f"{found_text} cannot follow a test: comparisons do not chain",
                    "join two tests with `and`, as in `a < b and b < c`")
    if expected >= _EXPR_START:
        what = "a condition" if prev in ("if", "and", "or", "not") else "a value"
        return fail(f"expected {what} after `{prev}`, found {found_text}")
    if expected == {"IF"} or ("IF" in expected and previous.type in _ACTIONS | {"STRING"}):
        return fail(f"expected `if` after `{prev}`, found {found_text}",
                    "a rule reads `accept if CONDITION`; the default reads `else archive`")
    if previous.type == "ELSE":
        meant = meant_item_start(found.value) if found is not None and (
            found.type == "NAME") else None
        return fail(f"expected an action after `else`, found {found_text}",
                    f"did you mean `{meant}`?" if meant in ACTIONS else "the actions are "
                    "accept, archive, decline, report, review and ask \"...\"")
    if "STRING" in expected and prev in ("ask", "because", "policy"):
        what = {"ask": "the reply", "because": "the reason", "policy": "the policy's name"}[prev]
        return fail(f"expected {what}, a string in double quotes, after `{prev}`, found {found_text}")
    end = _END_OF.get(chunk[0].type, "the end of the rule")
    words = _expected_words(expected, end)
    near = None  # `becuase`, `null`
    if found is not None and found.type == "NAME":
        near = foreign_help(found.value) or _did_you_mean(found.value, _keywords(expected))
    return fail(f"expected {words}, found {found_text}", near)


def _keywords(expected: set[str]) -> list[str]:
    """The words among `expected` (`and`, `contains`, ...), for a did-you-mean."""
    return [word.strip("`") for word in map(_terminal_words, expected)
            if word and word.strip("`").isidentifier()]


def _declaration_error(chunk: list[Token], index: int, found_text: str,
                       fail: Callable[[str, str | None], Diagnostic]) -> Diagnostic | None:
    """`let x == 5`, `field x int`: the word after the declared name is wrong."""
    kind = chunk[0].type
    if kind not in ("LET", "FIELD") or index != 2 or chunk[1].type != "NAME":
        return None
    name = chunk[1].value
    if kind == "LET":
        return fail(f"expected `=` after `let {name}`, found {found_text}",
                    f"a let reads `let {name} = VALUE`")
    return fail(f"expected `:` after `field {name}`, found {found_text}",
                f"a field reads `field {name}: TYPE`, with `= DEFAULT` if it has one")


def _argument_of_a_value(chunk: list[Token], index: int) -> Diagnostic | None:
    """`shared_group adn x`, `message containz "hi"`: the parser read a name and the
    word after it as a call without parentheses, which only two built-ins allow, and
    failed one word later. The mistake is that word: point at it."""
    if index < 2 or chunk[0].type in ("FIELD", "POLICY"):
        return None
    callee, argument = chunk[index - 2], chunk[index - 1]
    if callee.type != "NAME" or argument.type not in _ARGUMENT_TYPES or (
            callee.value in PREFIX_FUNCTIONS):
        return None
    message, help = value_then_value(callee.value, _describe(argument), argument.value,
                                     argument.type == "NAME")
    return Diagnostic.error("E001", message, span_of(argument), help)
