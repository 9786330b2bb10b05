"""Syntax diagnostics in plain words: what the lexer could not read and where the
parser stopped, each said with the fix.

`syntax.py` lexes, cuts the tokens into items and parses them; this module turns what
went wrong into messages. The lexer keeps bad input whole (`'text'`, `&&`, `// note`)
and the parser stops at a token it cannot take: both are read here with the tokens
around them, so a mistake is named in the words of the language the user came from
(`null`, `LIKE`, `=>`) and a help is given only where applying it fixes the mistake.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from fractions import Fraction

from ._parser import Token, UnexpectedToken
from .builtins import PREFIX_FUNCTIONS
from .diagnostics import Diagnostic, closest
from .keywords import (
    ACTION_TOKENS,
    ACTIONS,
    ITEM_START_TOKENS,
    RESERVED,
    STRING_DUE,
    TEST_OPERATORS,
    c_comment,
    c_comment_opened,
    foreign_help,
    meant_item_start,
    miscased,
    miscased_message,
    string_prefix,
    value_then_value,
)
from .literals import MONTH_WORDS, UNIT_SECONDS, UNIT_WORDS, glued, months_help
from .lower import span_of
from .source import Source, Span

_EXPR_START = {"NAME", "LPAR", "INT", "STRING"}
_WORDS = {
    "NAME": "a name", "STRING": "a string", "INT": "a number", "DURATION": "a duration",
    "TIME": "a time", "REGEX": "a regex", "$END": "the end of the file", "LPAR": "`(`",
    "RPAR": "`)`", "LSQB": "`[`", "RSQB": "`]`", "COMMA": "`,`", "COLON": "`:`", "EQUAL": "`=`",
}

_THE_ACTIONS = 'the actions are accept, archive, decline, report, review and ask "..."'

# A terminal's literal text (`==` for Lark's `__ANON_0`), None for a pattern.
Spell = Callable[[str], "str | None"]


# -- what the lexer could not read ---------------------------------------------------

def lexical_errors(kept: list[Token], source: Source) -> list[Diagnostic]:
    """One diagnostic for each piece of bad input the lexer kept (comments aside)."""
    diagnostics: list[Diagnostic] = []
    covered = 0  # a pasted date's run, reported whole
    pieces = _merge_stray(kept)
    for at, (kind, text, span) in enumerate(pieces):
        if kind == "BAD_STRING" and _runs_on(pieces, at, source.text):
            closing = pieces[at + 1][2]
            covered = closing.end
            diagnostics.append(Diagnostic.error(
                "E003", "a string cannot go on to the next line", span,
                f"keep it on one line (its closing quote is on line {source.line(closing.start)});"
                " write a line break inside it as `\\n`"))
        elif span.start >= covered:
            dashed = _dashed_date(source.text, span.start) if text in _DASHES else None
            if dashed is not None:  # a date with en dashes
                covered = dashed.end()
                fixed = re.sub(f"[{_DASHES}]", "-", dashed.group())
                diagnostics.append(Diagnostic.error(
                    "E002", f"`{dashed.group()}` is written with typographic dashes",
                    Span(dashed.start(), dashed.end()), f"write `{fixed}`"))
            else:
                diagnostics.append(_lexical_error(kind, text, span, source.text))
    return diagnostics


def _runs_on(pieces: list[tuple[str, str, Span]], at: int, text: str) -> bool:
    """Whether the unclosed string at `at` is closed on the next line: that line's own
    unclosed string is a lone `"` at its end (`because "we share` / `a group"`)."""
    if at + 1 >= len(pieces) or pieces[at + 1][0] != "BAD_STRING":
        return False
    first, closing = pieces[at][2], pieces[at + 1][2]
    return pieces[at + 1][1].strip() == '"' and text.count("\n", first.start, closing.start) == 1


_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2212"
_DASHED_DATE = re.compile(f"[0-9]{{4}}[-{_DASHES}][0-9]{{1,2}}[-{_DASHES}][0-9]{{1,2}}")


def _dashed_date(text: str, dash: int) -> re.Match[str] | None:
    """The date, pasted from a word processor, that the dash at `dash` is part of."""
    start = dash
    while start > 0 and (text[start - 1].isdigit() or text[start - 1] in _DASHES + "-"):
        start -= 1
    match = _DASHED_DATE.match(text, start)
    return match if match is not None and match.end() > dash else None


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


def _operator_fix(text: str, before: str, after: str) -> str:
    """What an operator of another language is written as here, given the text before
    and after it."""
    if text == "=!" and re.fullmatch(r"\s*let\s+\w+\s*", _last_line(before)):  # `let x =!vip`
        return "= not"
    if text == "!" and after.lstrip(" \t").startswith("="):  # `x ! = 3`
        return "!="
    return _OPERATOR_FIXES[text]


def _double_quoted(text: str) -> str:
    """`'it\\'s'` or `“so”` as a string: `"it's"`, `"so"`."""
    return _quoted(text[1:-1].replace("\\'", "'"))


def _quoted(text: str) -> str:
    """`text` in double quotes, with what a string escapes escaped."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _empty_regex(before: str) -> bool:
    """Whether `//` after `before` is an empty regex (`message matches //`), not a comment."""
    line = _last_line(before)
    return re.search(r"(^|\s)matches\s*$", line) is not None and "#" not in line


def _last_line(before: str) -> str:
    return before[before.rfind("\n") + 1:]


def _lexical_error(kind: str, text: str, span: Span, source: str) -> Diagnostic:
    if kind == "BAD_STRING":
        curly = next((char for char in text if char in "\u201c\u201d"), None)
        return Diagnostic.error("E003", "this string is not closed on its line", span,
                                f'`{curly}` is a curly quote: end the string with a straight `"`'
                                if curly else 'end it with `"`; write a quote inside a string '
                                'as `\\"`')
    if kind == "BAD_REGEX":
        return Diagnostic.error(
            "E003", "this regex is not closed on its line", span,
            "a regex is written `/pattern/flags` on one line; write `/` inside it as `\\/`")
    if kind == "BAD_QUOTE":
        return Diagnostic.error("E002", "a string is written in straight double quotes", span,
                                f"write `{_double_quoted(text)}`")
    # The text around, a little of it: a file of stray characters stays linear.
    before = source[max(0, span.start - _AROUND):span.start]
    after = source[span.end:span.end + _AROUND]
    if kind == "BAD_OPERATOR":
        return Diagnostic.error("E002", f"`{text}` is not an operator", span,
                                f"write `{_operator_fix(text, before, after)}`")
    if kind == "BAD_COMMENT":
        if _empty_regex(before):
            return Diagnostic.error("E002", "an empty regex matches every text", span,
                                    "remove the test, or write the pattern between the slashes")
        return Diagnostic.error("E002", "a comment starts with `#`", span,
                                f"write `# {text[2:].lstrip()}`")
    what = "character" if len(text) == 1 else "characters"
    shown = f"`{text}`" if text.isprintable() else f"`{repr(text)[1:-1]}`"
    if len(text) > _SPELT:  # a run pasted by the thousand: its start and its length
        start = text[:1] if len(set(text)) == 1 else text[:_SPELT] + "…"
        shown = f"`{repr(start)[1:-1]}` ({len(text):,} of them)"
    if text.isspace():  # `\xa0` means nothing to most; its code point and kind do
        codes = ", ".join(f"U+{ord(char):04X}" for char in dict.fromkeys(text))
        shown = f"{codes} (not a plain space)"
    return Diagnostic.error("E002", f"unexpected {what} {shown}", span,
                            _stray_help(text, before, after))


_AROUND = 80  # characters looked at either side of a stray one
_SPELT = 20  # characters of a run of stray ones a message spells out


# Characters pasted from word processors and web pages, and the ASCII meant.
_LOOKALIKES = {**dict.fromkeys(_DASHES, "-"), "\u2265": ">=", "\u2264": "<=", "\u2260": "!=",
               "\uff1e": ">", "\uff1c": "<", "\u201e": '"', "\u00ab": '"', "\u00bb": '"', "\u2026": "..."}
_WORD_BEFORE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)$")
_WORD_AFTER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _smaller_unit(before: str, after: str) -> str:
    """`1.5d`, cut at its `.`: the same duration in the largest unit that makes it whole."""
    whole = re.search(r"([0-9_]+)$", before)
    part = re.match(r"([0-9_]+)([A-Za-z]+)", after)
    given = UNIT_WORDS.get(part[2].lower(), part[2]) if part else ""  # `2.5wk`
    if whole and part and given in UNIT_SECONDS and len(whole[1] + part[1]) < 20:
        seconds = Fraction(f"{whole[1]}.{part[1]}".replace("_", "")) * UNIT_SECONDS[given]
        for unit in sorted(UNIT_SECONDS, key=UNIT_SECONDS.__getitem__, reverse=True):
            if UNIT_SECONDS[unit] <= UNIT_SECONDS[given] and seconds % UNIT_SECONDS[unit] == 0:
                return f"write `{seconds // UNIT_SECONDS[unit]}{unit}`"
        if given == "s":
            return "the smallest unit is the second: round it"
    return "use a smaller unit, as in `36h` for 1.5 days"


def _stray_help(text: str, before: str, after: str) -> str | None:
    """What a stray character was probably meant as, from the text around it."""
    if text.isspace():  # U+00A0, U+2028: pasted from a web page
        return "write plain spaces instead"
    if text in _LOOKALIKES:
        return f"write `{_LOOKALIKES[text]}`"
    if not text.isprintable():
        return "remove it" if len(text) == 1 else "remove them"
    digit_before, digit_after = before[-1:].isdigit(), after[:1].isdigit()
    if text == "." and digit_before and digit_after:  # `1.5d`, `3.5`
        if re.match(r"[0-9_]+[A-Za-z]", after):
            return "durations are whole numbers: " + _smaller_unit(before, after)
        return "numbers are whole: connectlang has no fractions"
    if text == "-" and re.search(r"\bnow\s*$", before):  # `sent_at > now - 90d`
        return foreign_help("now")
    if text == "-" and digit_after and not digit_before:
        return "numbers have no sign: counts and durations are never below 0"
    name, method = _WORD_BEFORE.search(before), _WORD_AFTER.match(after)
    if text == "-" and name and method:  # `let knows-me`
        return f"a name joins its words with `_`: write `{name.group(1)}_{method.group()}`"
    if text == "." and name and method:  # `message.contains("hi")`
        return (f"connectlang has no methods: write `{name.group(1)} {method.group()} ...`"
                if method.group() in TEST_OPERATORS else "connectlang has no methods or attributes")
    if text == ";":
        return "remove it: an item ends with its line, with no punctuation"
    if text.isalpha():
        return "names use the letters a to z, digits and `_`"
    return None


# -- what the parser reads instead ------------------------------------------------
#
# A slip with a sure fix (`&&`, `'spam'`, `because we met` without quotes, Python's
# `f"..."`, SQL's `-- note` and `'it''s'`, C's `/* note */`) is reported, then read as
# its fix: the rest of its item is still parsed and checked, so the mistakes after it
# are reported in the same run. Bad input with no sure fix (a stray `@`) costs its
# item, whose other errors would only follow from it.

Terminals = dict[str, str]  # a keyword's or an operator's terminal, by its text


def repair(tokens: list[Token], bad: list[Token], source: Source, terminals: Terminals,
           diagnostics: list[Diagnostic]) -> tuple[list[Token], list[int]]:
    """The tokens the parser is given, each slip with a sure fix read as that fix, and
    where the bad input with none starts; a diagnostic for each."""
    stream = sorted([*tokens, *bad], key=lambda token: token.start_pos or 0)
    stream = _uncommented(stream, source, diagnostics)
    stream = _joined_sql_quotes(stream)
    stream = _unprefixed(stream, diagnostics)
    stream = _unquoted(stream, source, diagnostics)
    diagnostics.extend(lexical_errors([token for token in stream if token.type in _BAD], source))
    repaired: list[Token] = []
    unread: list[int] = []
    for token in stream:
        fix = _fix(token, source, terminals) if token.type in _BAD else [token]
        if fix is None:
            unread.append(token.start_pos or 0)
        else:
            repaired.extend(fix)
    return repaired, unread


_BAD = {"BAD_QUOTE", "BAD_OPERATOR", "BAD_COMMENT", "BAD_STRING", "BAD_REGEX", "BAD_CHAR"}


def _uncommented(stream: list[Token], source: Source, diagnostics: list[Diagnostic]) -> list[Token]:
    """The stream without other languages' comments: SQL's `-- note` to the end of its
    line (connectlang has no `-`), and C's `/* note */` (which lexes as a regex; one
    never closed, as an unclosed one, is taken to run to the end of its line)."""
    kept: list[Token] = []
    rest_of_line = None  # (a comment running to its line's end)
    for at, token in enumerate(stream):
        if token.line == rest_of_line:
            continue
        following = stream[at + 1] if at + 1 < len(stream) else None
        dashes = token.value == "-" == (following.value if following else "") and (
            token.type == "BAD_CHAR" == (following.type if following else "")) and (
            token.end_pos == (following.start_pos if following else None))
        unclosed = c_comment_opened(token)
        if not (dashes or unclosed or c_comment(token)) or (
                kept and kept[-1].type == "MATCHES"):  # `matches /*x*/`
            kept.append(token)
            continue
        start = token.start_pos or 0
        end = source.text.find("\n", start) if dashes or unclosed else token.end_pos or 0
        end = len(source.text) if end < 0 else end
        note = source.text[start:end][2:].removesuffix("*/" if not dashes else "").strip()
        line_end = source.text.find("\n", end)
        code_after = source.text[end:len(source.text) if line_end < 0 else line_end].strip()
        code_after = code_after if not code_after.startswith("#") else ""
        several = "\n" in source.text[start:end]
        fix = ("remove it, and keep its note on lines of their own, each starting with `#`: a `#` "
               "comment runs to the line's end" if several and code_after else
               "start each of its lines with `#` instead" if several else
               f"remove it, or write `# {note}` at the end of the line: a `#` comment runs to the "
               "line's end" if code_after and note else
               "remove it" if code_after else f"write `# {note}`" if note else "write `#`")
        diagnostics.append(Diagnostic.error("E002", "a comment starts with `#`", Span(start, end), fix))
        if dashes or unclosed:
            rest_of_line = token.line
    return kept


def _joined_sql_quotes(stream: list[Token]) -> list[Token]:
    """SQL's `'it''s'`, lexed as two single-quoted strings side by side, as one: `'it\\'s'`."""
    joined: list[Token] = []
    for token in stream:
        previous = joined[-1] if joined else None
        if previous is not None and token.type == previous.type == "BAD_QUOTE" and (
                previous.value[:1] == token.value[:1] == "'" and previous.end_pos == token.start_pos):
            joined[-1] = _spanning("BAD_QUOTE", previous.value[:-1] + "\\'" + token.value[1:],
                                   previous, token)
        else:
            joined.append(token)
    return joined


def _unprefixed(stream: list[Token], diagnostics: list[Diagnostic]) -> list[Token]:
    """The stream without Python's string prefixes. A raw string means its backslashes:
    after `matches` it is a regex (`/\\d+/`), elsewhere they are doubled (`"\\\\d"`)."""
    kept: list[Token] = []
    for at, token in enumerate(stream):
        if at + 1 < len(stream) and string_prefix(token, stream[at + 1]):
            continue
        prefix = stream[at - 1] if at > 0 and string_prefix(stream[at - 1], token) else None
        if prefix is not None:
            raw, inner = "r" in prefix.value.lower(), token.value[1:-1]
            regex = raw and at > 1 and stream[at - 2].type == "MATCHES"
            fixed = ("/" + _INNER_SLASH.sub(lambda m: "\\/" if m[0] == "/" else m[0], inner) + "/"
                     if regex else _quoted(inner) if raw
                     else _double_quoted(token.value) if token.type == "BAD_QUOTE" else token.value)
            placeholders = "f" in prefix.value.lower() and "{" in fixed
            diagnostics.append(Diagnostic.error(
                "E001", f"a string takes no `{prefix.value}` before its quote: that is Python",
                span_of(prefix), f"write `{fixed}`" + (
                    ": a reply fills in its `{placeholders}` by itself" if placeholders else "")))
            token = token.update("REGEX" if regex else "STRING", fixed)
        kept.append(token)
    return kept


def _unquoted(stream: list[Token], source: Source, diagnostics: list[Diagnostic]) -> list[Token]:
    """The stream with the words written where a string is due (`because we met at
    school`, `ask Hi there if ...`) read as that string: the bad input among them is
    part of the words (`don't`), and a word like a field or keyword is no name."""
    read: list[Token] = []
    at = 0
    while at < len(stream):
        token = stream[at]
        read.append(token)
        at += 1
        if token.type not in STRING_DUE:
            continue
        end = _words_end(stream, at, token)
        if end == at:
            continue
        first, last = stream[at], stream[end - 1]
        text = source.text[first.start_pos:last.end_pos]
        quoted = _quoted(text)
        diagnostics.append(Diagnostic.error(
            "E001", f"expected {STRING_DUE[token.type]}, a string in double quotes, after "
            f"`{token.value}`, found {_describe(first)}", span_of(first).cover(span_of(last)),
            f"put it in double quotes: `{token.value} {quoted}`"))
        # Its quotes stand on the characters around the words, so that a place inside
        # it (a misspelt `{placeholder}`) is where the user wrote it.
        read.append(_spanning("STRING", quoted, first, last, around=1))
        at = end
    return read


def _spanning(kind: str, value: str, first: Token, last: Token, around: int = 0) -> Token:
    """A token from `first` to `last`, and `around` characters either side of them."""
    return type(first)(kind, value, (first.start_pos or 0) - around, first.line,
                       (first.column or 0) - around, last.end_line, (last.end_column or 0) + around,
                       (last.end_pos or 0) + around)


def _words_end(stream: list[Token], at: int, opener: Token) -> int:
    """Where the words meant as a string after `opener` end: at the end of its line or
    a `//` comment, at an `if` after `ask`, or where an item plainly starts (`else
    archive`; `report if` after a reason; `let` after a policy's name). `at` itself
    when a string, or nothing, is there."""
    if at == len(stream) or stream[at].line != opener.line or stream[at].type in (
            "STRING", "BAD_QUOTE", "BAD_STRING", "IF"):
        return at
    end = at
    while end < len(stream) and stream[end].line == opener.line:
        kind = stream[end].type
        following = stream[end + 1].type if end + 1 < len(stream) else None
        ask, policy = opener.type == "ASK", opener.type == "POLICY"
        item_starts = (kind == "ELSE" and following in ACTION_TOKENS) or (
            not ask and kind in ACTION_TOKENS and following == "IF") or (policy and kind in ("LET", "FIELD"))
        if kind == "BAD_COMMENT" or (kind == "IF" and ask) or item_starts:
            break
        end += 1
    return end


def _fix(token: Token, source: Source, terminals: Terminals) -> list[Token] | None:
    """What the parser reads for a piece of bad input: the tokens of its fix, none for
    a `//` comment, or None when it has no sure fix."""
    at = token.start_pos or 0
    before = source.text[max(0, at - _AROUND):at]
    if token.type == "BAD_QUOTE":
        return [token.update("STRING", _double_quoted(token.value))]
    if token.type == "BAD_COMMENT":
        return None if _empty_regex(before) else []
    if token.type == "BAD_OPERATOR":
        after = source.text[token.end_pos:(token.end_pos or 0) + _AROUND]
        words = _operator_fix(token.value, before, after)
        if token.value == "!" and words == "!=":  # `x ! = 3`: its `=` is a token already
            return None
        return [token.update(terminals[word], word) for word in words.split()]
    return None


# -- where the parser stopped ----------------------------------------------------

def syntax_error(error: UnexpectedToken, chunk: list[Token], index: int,
                 following: Token | None, source: Source, spell: Spell) -> Diagnostic:
    """The diagnostic for the parser stopping at `chunk[index]` (`len(chunk)`: at the
    item's end, where `following` starts the next one)."""
    at_end = error.token.type == "$END"
    found = following if at_end else error.token
    span = span_of(found) if found is not None else source.end
    previous = chunk[index - 1] if index > 0 else None
    found_text = _describe(found)
    opened = _unclosed(chunk[:index])
    expected = _possible(set(error.expected), opened, chunk)
    if _test_done(chunk, index):  # `a == b` takes no second operator
        expected -= {name for name in expected
                     if _terminal_words(name, spell) in _OPERATOR_WORDS}
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
        if error.token.type == "BECAUSE":  # the REPL: a reason typed after its rule
            return fail("`because` belongs to a rule: it comes after the rule's condition",
                        'write the rule and its reason together: `accept if ... because "..."`')
        if error.token.type == "IF":  # `if shared_group: accept`
            return fail("a rule starts with its action, then `if`",
                        "write the action first, as in `accept if CONDITION`")
        if error.token.type != "NAME":
            return fail(f"expected a rule, `let`, `field` or `else` here, found {found_text}")
        meant = meant_item_start(error.token.value)
        if len(chunk) > 1 and chunk[1].type == "IF":  # `acept if ...`
            return fail(f"`{error.token.value}` is not an action, and a rule starts with one",
                        f"did you mean `{meant}`?" if meant in ACTIONS else _THE_ACTIONS)
        if meant is None and len(chunk) > 1 and chunk[1].type in ACTION_TOKENS:
            meant = f"else {chunk[1].value}"  # `foo archive`: a default, misspelt
        return fail(f"expected a rule, `let`, `field` or `else` here, found {found_text}",
                    f"did you mean `{meant}`?" if meant else
                    "a rule starts with an action: `accept if ...`, `archive if ...`")
    prev = previous.value
    if previous.type == "INT" and not at_end and error.token.type == "NAME":
        word = error.token.value.lower()
        duration = None  # `3 months`, `90 d`: the duration's code, as for `3months`
        if word in MONTH_WORDS:
            duration = ("months are not a duration unit: they have no fixed length",
                        months_help(prev))
        elif word in UNIT_SECONDS or word in UNIT_WORDS:
            unit = UNIT_WORDS.get(word, word)
            duration = ("a duration is written with its unit glued to the number",
                        glued(prev, unit) if word != "m" else  # `6 m`: minutes, or months?
                        f"{glued(prev, unit)}; for months, {months_help(prev)}")
        if duration is not None:
            return Diagnostic.error("E102", duration[0], span, duration[1])
    header = _declaration_error(chunk, index, found_text, fail)
    if header is not None:
        return header
    bracket = _bracket_error(chunk, index, found, opened, expected, source, fail)
    if bracket is not None:
        return bracket
    slip = _slip(chunk, index, found, following, source)
    if slip is not None:
        return fail(*slip)
    if not at_end and error.token.type == "NOT" and index + 1 < len(chunk) and (
            chunk[index + 1].value in TEST_OPERATORS):
        test = (f"{prev} is not missing" if chunk[index + 1].type == "IS" else
                f"not {prev} {chunk[index + 1].value} ...") if previous.type == "NAME" else None
        return fail("`not` goes before the whole test, not before its operator",
                    f"write `{test}`" if test else "write `not` before the test's first value")
    if found is not None and found.type == "EQUAL":
        return fail("`=` is not a comparison", "write `==` to test that two values are equal")
    misused = _argument_of_a_value(chunk, index)
    if misused is not None:
        return misused
    if not at_end and error.token.value in TEST_OPERATORS and previous.type not in ITEM_START_TOKENS:
        return fail(f"{found_text} cannot follow a test: comparisons do not chain",
                    "join two tests with `and`, as in `a < b and b < c`")
    if expected >= _EXPR_START:
        what = "a condition" if prev in ("if", "and", "or", "not") else "a value"
        return fail(f"expected {what} after `{prev}`, found {found_text}")
    if expected == {"IF"} or ("IF" in expected and previous.type in ACTION_TOKENS | {"STRING"}):
        return fail(f"expected `if` after `{prev}`, found {found_text}",
                    "a rule reads `accept if CONDITION`; the default reads `else archive`")
    if previous.type == "ELSE":
        meant = meant_item_start(found.value) if found is not None and (
            found.type == "NAME") else None
        return fail(f"expected an action after `else`, found {found_text}",
                    f"did you mean `{meant}`?" if meant in ACTIONS else _THE_ACTIONS)
    if "STRING" in expected and previous.type in STRING_DUE:  # (words on its line: `repair`)
        return fail(f"expected {STRING_DUE[previous.type]}, a string in double quotes, after "
                    f"`{prev}`, found {found_text}")
    end = _END_OF.get(chunk[0].type, "the end of the rule")
    words = _expected_words(expected, end, spell)
    near = None  # `becuase`, `null`
    if found is not None and found.type == "NAME":
        near = foreign_help(found.value) or _did_you_mean(found.value, _keywords(expected, spell))
    return fail(f"expected {words}, found {found_text}", near)


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
_OPERATOR_WORDS = {f"`{op}`" for op in TEST_OPERATORS}
_OPERATOR_GROUP = "an operator (`==`, `<`, `contains`, `in`, `matches`, ...)"
_ORDER = ("`and`", "`or`", "`because`", "`is`", "`=`", "`:`", "`,`", "`)`", "`]`")
_END_OF = {"LET": "the end of the `let`", "FIELD": "the end of the `field`",
           "ELSE": "the end of the default", "POLICY": "the end of the line"}


def _expected_words(expected: set[str], end: str, spell: Spell) -> str:
    words = {_terminal_words(name, spell) or "" for name in expected} - {""}
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


def _terminal_words(name: str, spell: Spell) -> str | None:
    """A terminal as users write it: `a name`, `==` (Lark calls it `__ANON_0`), `<`."""
    if name in _WORDS:
        return _WORDS[name]
    text = spell(name)
    return f"`{text}`" if text is not None else None


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
        elif depth == 0 and token.type != "NAME" and token.value in TEST_OPERATORS:
            return True
    return False


def _unclosed(tokens: list[Token]) -> list[int]:
    """Where the `(` and `[` of `tokens` not closed in them are, innermost last."""
    opened: list[int] = []
    for at, token in enumerate(tokens):
        if token.type in ("LPAR", "LSQB"):
            opened.append(at)
        elif token.type in ("RPAR", "RSQB") and opened:
            opened.pop()
    return opened


def _possible(expected: set[str], opened: list[int], tokens: list[Token]) -> set[str]:
    """Lark's expected terminals less those the open brackets rule out (its merged LALR
    states offer `)` and `,` outside any parentheses, and the item's end inside them)."""
    inner = tokens[opened[-1]].type if opened else None
    in_call = inner == "LPAR" and opened[-1] > 0 and tokens[opened[-1] - 1].type == "NAME"
    drop = {"RPAR"} if inner != "LPAR" else set()
    drop |= {"RSQB"} if inner != "LSQB" else set()
    drop |= {"COMMA"} if not (inner == "LSQB" or in_call) else set()
    drop |= {"BECAUSE", "$END"} if inner is not None else set()  # an item ends outside them
    return expected - drop


_ARGUMENT_TYPES = {"NAME", "INT", "DURATION", "TIME", "STRING", "REGEX", "TRUE", "FALSE"}


def _bracket_error(chunk: list[Token], index: int, found: Token | None, opened: list[int],
                   expected: set[str], source: Source,
                   fail: Callable[[str, str | None], Diagnostic]) -> Diagnostic | None:
    """An item that ends inside `(` or `[`, a bracket that closes nothing or the
    wrong one, and a list written in parentheses."""
    inner = chunk[opened[-1]] if opened else None
    kind = chunk[index].type if index < len(chunk) else "$END"
    if inner is None and kind in ("RPAR", "RSQB"):
        return fail(f"this `{chunk[index].value}` closes nothing",
                    "remove it, or add the bracket it closes")
    if inner is None or not ((kind == "$END" and expected & {"RPAR", "RSQB"}) or (
            kind in ("RPAR", "RSQB") and kind != _CLOSES[inner.type]) or (
            kind == "COMMA" and inner.type == "LPAR")):
        return None
    line, column = source.position(inner.start_pos or 0)
    close = "]" if inner.type == "LSQB" else ")"
    if kind == "COMMA":  # `company in ("Acme", "Globex")`: at the `(`
        return Diagnostic.error("E001", "a list is written in square brackets, not parentheses",
                                span_of(inner), "write `[` here and `]` at its end")
    return fail(f"expected `{close}` to close the `{inner.value}` at {line}:{column}, "
                f"found {_describe(found)}", f"add `{close}` where the "
                + ("list" if close == "]" else "parenthesis") + " ends")


_CLOSES = {"LPAR": "RPAR", "LSQB": "RSQB"}


# The regex meant, up to the first `/` that its flags and a space or the line's end
# follow; the slashes inside it that need a backslash.
_WHOLE_REGEX = re.compile(r"/([^\n]*?)/([A-Za-z]*)(?=[ \t)]|$)", re.MULTILINE)
_INNER_SLASH = re.compile(r"\\.|/")  # an escape (`\\`, `\/`) is kept whole


def _slip(chunk: list[Token], index: int, found: Token | None, following: Token | None,
          source: Source) -> tuple[str, str] | None:
    """A habit or slip recognised by the tokens around the error (`following` starts the
    next item): the message and the fix."""
    if found is None or index >= len(chunk):
        return None
    found_text = _describe(found)
    previous = chunk[index - 1]
    after = chunk[index + 1] if index + 1 < len(chunk) else None
    touching = after is not None and after.start_pos == found.end_pos
    if found.type == "COLON" and chunk[0].type != "FIELD":  # `else: archive`, `if c:`
        return "a `:` does not belong here", "remove it: an item needs no punctuation"
    if previous.type == "REGEX" and previous.value.startswith("/*"):  # `/* note */`
        return "`/* ... */` is read as a regex", "a comment starts with `#`, to the line's end"
    if previous.type == "REGEX" and found.start_pos == previous.end_pos:  # `/https?://x/`
        meant = _WHOLE_REGEX.match(source.text, previous.start_pos or 0)
        escaped = _INNER_SLASH.sub(lambda m: "\\/" if m[0] == "/" else m[0], meant[1]) if meant else ""
        return ("a `/` ends the regex before this", "write a `/` inside a regex as `\\/`" + (
            f": `/{escaped}/{meant[2]}`" if meant else ""))
    if chunk[0].type == "FIELD" and found.value == "==":  # `field vip: bool == false`
        return f"expected `=` before the default, found {found_text}", "write `=`"
    if previous.type in ("AND", "OR") and found.value in TEST_OPERATORS and found.type != "NAME":
        left = _left_of_test(chunk, index - 1, source)  # `x > 3 and < 10`
        return (f"{found_text} needs a value on its left",
                f"repeat it: `{left} {found.value} ...`" if left else "write both values")
    if chunk[0].type == "ELSE" and found.type == "BECAUSE" and index == 1:  # `else because "x"`
        return ("expected an action after `else`, found `because`",
                "write the action first, as in `else archive because ...`")
    if chunk[0].type == "ELSE" and found.type == "IF":  # `else archive if c`, `else if c accept`
        rest = [*chunk[index:], *([following] if following and following.line == found.line else [])]
        action = _item_text(chunk[1:index], source) if index > 1 else next(
            (token.value for token in rest if token.type in ACTION_TOKENS), "archive")
        return ("the default takes no condition: it decides every record no rule did",
                f"make it a rule, `{action} if ...`, above the `else`")
    if previous.value in ("==", "!=") and found.type == "MISSING":  # `company == missing`
        test = "is missing" if previous.value == "==" else "is not missing"
        return ("`missing` is not a value to compare with", f"write `{test}` in place of "
                f"`{previous.value} missing`")
    negated = previous.type == "NOT" and index > 1 and chunk[index - 2].type == "IS"
    if (previous.type == "IS" or negated) and found.type in _VALUE_TYPES:  # `company is "Acme"`
        return ("`is` only tests `is missing` and `is not missing`",
                f"compare values with `{'!=' if negated else '=='}`")
    if found.type == "BECAUSE" and not any(token.type == "IF" for token in chunk[:index]):
        return (f"expected `if` and the condition before `because`, found {found_text}",
                "a rule reads `accept if CONDITION because \"REASON\"`")
    listed = _unbracketed(chunk, index) if found.type == "COMMA" else None
    if listed is not None:  # `contains_any "sales", "marketing"`
        return "a list is written in brackets", f"write `{listed}`"
    if previous.type == "INT" and found.type == "COMMA" and touching and (
            after is not None and after.type == "INT"):  # `1,000`
        return "a number is written without `,`", f"write `{previous.value}_{after.value}`"
    if previous.type == "TIME" and found.type == "INT" and after is not None and (
            after.type == "COLON"):  # `2025-01-31 09:30`
        return (f"expected `T` between a date and its time, found {found_text}",
                f"write `{previous.value}T{found.value}:...`, as in `2025-01-31T09:30:00Z`")
    if previous.type == "INT" and found.type == "REGEX" and (  # `2025/01/31`, `7/8/26`
            re.fullmatch(r"/[0-9]+/", found.value)):
        date = _slashed_date(previous.value, found.value[1:-1], after)
        return ("a date in a policy is written year first, with `-`",
                f"write `{date}`" if date else "write it as `2025-01-31`")
    if chunk[0].type == "FIELD" and found.type == "LSQB":  # `field z: list[string]`
        return (f"expected `=` or the end of the `field`, found {found_text}",
                "a list holds strings: write `list`")
    return None


_VALUE_TYPES = {"STRING", "INT", "DURATION", "TIME", "TRUE", "FALSE", "LSQB"}


def _unbracketed(chunk: list[Token], index: int) -> str | None:
    """`contains_any "a", "b"` or `in "a", "b"` as it is meant, with the strings in
    brackets, when the `,` at `index` follows the first of them."""
    if index < 2 or chunk[index - 1].type != "STRING" or chunk[index - 2].value not in (
            "contains_any", "in"):
        return None
    end = index - 1
    while end + 2 < len(chunk) and chunk[end + 1].type == "COMMA" and chunk[end + 2].type == "STRING":
        end += 2
    words = ", ".join(token.value for token in chunk[index - 1:end + 1:2])
    return f"{chunk[index - 2].value} [{words}]"

def _slashed_date(first: str, middle: str, last: Token | None) -> str | None:
    """`2025/01/31` or `7/8/26` (month first, as LinkedIn writes it) as ISO 8601."""
    if last is None or last.type != "INT":
        return None
    if len(first) == 4:
        year, month, day = int(first), int(middle), int(last.value)
    else:
        year = int(last.value) + (2000 if len(last.value) == 2 else 0)
        month, day = int(first), int(middle)
    return f"{year:04}-{month:02}-{day:02}" if 1 <= month <= 12 and 1 <= day <= 31 else None


def _left_of_test(chunk: list[Token], end: int, source: Source) -> str | None:
    """The text of the left value of the test before `chunk[end]` (an `and` or `or`):
    `mutual_connections` in `mutual_connections > 3 and`."""
    operator = next((at for at in range(end - 1, 0, -1) if chunk[at].value in TEST_OPERATORS
                     and chunk[at].type != "NAME"), None)
    if operator is None:
        return None
    start, depth = operator, 0
    while start > 0:
        kind = chunk[start - 1].type
        if depth == 0 and kind in ("IF", "AND", "OR", "NOT", "LPAR", "LSQB"):
            break
        depth += (kind in ("RPAR", "RSQB")) - (kind in ("LPAR", "LSQB"))
        start -= 1
    return _item_text(chunk[start:operator], source) if start < operator else None


def _item_text(tokens: list[Token], source: Source) -> str:
    return source.text[tokens[0].start_pos:tokens[-1].end_pos] if tokens else "archive"


def _keywords(expected: set[str], spell: Spell) -> list[str]:
    """The words among `expected` (`and`, `contains`, ...), for a did-you-mean."""
    words = (_terminal_words(name, spell) for name in expected)
    return [word.strip("`") for word in words if word and word.strip("`").isidentifier()]


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
