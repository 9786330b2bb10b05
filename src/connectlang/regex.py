"""Regexes: RE2 for the linear-time guarantee, with a literal prefilter for speed.

RE2 never backtracks, so a hostile message cannot stall a run; but a call costs
about 3.5 times one of Python's `re` on short text. Most policy regexes need one
of a few literal words (`/free|click here/i`), so we extract those words once and
test them with `in` first: the common record, which holds none, never reaches RE2.
The prefilter only rules matches out, so results are RE2's exactly.
"""

from __future__ import annotations

import functools
import importlib
import re
import warnings
from dataclasses import dataclass, field
from typing import Any


class RegexError(Exception):
    """The pattern is not valid RE2: what is wrong (RE2's words, made friendlier) and
    how to write it instead."""

    def __init__(self, message: str, help: str) -> None:
        super().__init__(message)
        self.help = help


@dataclass(frozen=True)
class Regex:
    """A policy's regex, compiled by RE2, with its literal prefilter."""

    pattern: str
    flags: str
    # Any match contains one of these (casefolded when `fold`); None: no prefilter.
    required: tuple[str, ...] | None
    fold: bool
    _compiled: Any = field(repr=False, compare=False)

    def search(self, text: str) -> bool:
        """RE2 alone: does the pattern match somewhere in `text`?"""
        return self._compiled.search(text) is not None

    def matches(self, text: str) -> bool:
        """Prefilter, then RE2: the same answer as `search`, usually faster."""
        if self.required is not None:
            haystack = text.casefold() if self.fold else text
            if not any(word in haystack for word in self.required):
                return False
        return self.search(text)


# RE2's error, matched against its text (`detail`) or the pattern: what to say (with
# `{detail}`, or `{what}`: the part after its colon) and the fix. The first that
# matches wins; anything else keeps RE2's words.
_NO_LOOKAROUND = ("RE2 has no lookaround: test twice, as in `message matches /a/ and not "
                  "message matches /b/`")
_NO_BACKREFERENCES = "RE2 cannot match the same text twice; write out what may repeat"
_EXPLAINED: tuple[tuple[str, str, str, str], ...] = (
    ("detail", r"invalid perl operator: \(\?[=!]", "lookahead (`(?=...)`, `(?!...)`) is not RE2 "
     "syntax",
     _NO_LOOKAROUND),
    ("detail", r"invalid perl operator: \(\?<", "lookbehind `(?<=...)` is not RE2 syntax",
     _NO_LOOKAROUND),
    ("detail", r"invalid escape sequence: \\([1-9][0-9]*|k)$", "backreferences like `\\1` are "
     "not RE2 syntax", _NO_BACKREFERENCES),
    ("pattern", r"\(\?P=", "named backreferences `(?P=name)` are not RE2 syntax",
     _NO_BACKREFERENCES),
    ("detail", r"invalid escape sequence: \\Z", "`\\Z` is not RE2 syntax",
     "write `\\z` or `$` for the end of the text"),
    ("detail", r"invalid escape sequence: \\x", "this `\\x` escape is not a character",
     "write `\\xHH` or `\\x{HHHH}` with a code point up to 10FFFF"),
    ("detail", r"invalid escape sequence", "{detail}",
     "escape only punctuation (`\\.`, `\\/`), or use a class such as `\\d`, `\\w` or `\\s`"),
    ("detail", r"invalid repetition size", "{detail}",
     "a repeat counts up to 1000, and repeats inside repeats multiply: `(a{100}){100}` "
     "is 10,000; use `+` or `*` where any number will do"),
    ("detail", r"missing \)|unexpected \)", "{detail}",
     "pair each `(` with a `)`; write a parenthesis itself as `\\(` or `\\)`"),
    ("detail", r"missing \]", "{detail}", "end the class with `]`; write a bracket itself as "
     "`\\[`"),
    ("detail", r"invalid character class range: \\[pP]", "`{what}` is not a Unicode class RE2 knows",
     "RE2 knows classes such as `\\pL` (letters), `\\p{Lu}` and scripts like `\\p{Greek}`"),
    ("detail", r"invalid character class range", "{detail}",
     "write a range from low to high, as in `[a-z]`"),
    ("detail", r"bad repetition operator", "{detail}",
     "a repeat (`*`, `+`, `?`, `{n}`) follows one item, once; write `*` itself as `\\*`"),
)
_GENERAL_HELP = "connectlang regexes follow RE2 syntax (no backreferences, no lookaround)"


@functools.cache
def _options() -> Any:
    import re2

    options = re2.Options()
    options.log_errors = False  # errors become diagnostics, not lines on stderr
    return options


def compile_regex(pattern: str, flags: str) -> Regex:
    # RE2 loads with the first regex: checking a policy without one never pays for it.
    import re2

    inline = "".join(sorted(set(flags)))
    full = f"(?{inline}){pattern}" if inline else pattern
    try:
        compiled = re2.compile(full, _options())
    except re2.error as exc:
        detail = exc.args[0].decode() if isinstance(exc.args[0], bytes) else str(exc.args[0])
        detail = detail.replace(full, pattern) if inline else detail  # not our `(?i)`
        raise _explained(detail, pattern) from None
    required, fold = _required_words(pattern, "i" in flags)
    return Regex(pattern, flags, required, fold, compiled)


def _explained(detail: str, pattern: str) -> RegexError:
    for where, test, message, help in _EXPLAINED:
        if re.search(test, detail if where == "detail" else pattern):
            return RegexError(message.format(detail=detail, what=detail.partition(": ")[2]), help)
    return RegexError(detail, _GENERAL_HELP)


_SPECIAL = set("\\.[](){}|*+?^$")
_QUANTIFIERS = set("*+?{")
# Alphanumeric escapes that are a whole atom in two characters: classes and assertions.
# Any other (`\x41`, `\p{Greek}`, `\123`, `\Q...\E`) ends a scan, which is always safe.
_SHORT_ESCAPES = set("dDwWsSbBAzCfnrtv")


def _required_words(pattern: str, ignore_case: bool) -> tuple[tuple[str, ...] | None, bool]:
    """For each top-level alternative, its longest run of literal text that every
    match of that alternative contains; None when some alternative has none."""
    if "(?" in pattern or "\\Q" in pattern:
        return None, False  # inline flags change what a literal means; \Q can hide a `|`
    branches = _top_level_branches(pattern)
    if branches is None:
        return None, False
    words = []
    for branch in branches:
        run = _longest_required_run(branch)
        if run is None or len(run) < 2:
            return None, False
        if ignore_case and not run.isascii():
            return None, False  # full and simple case folding agree only on ASCII
        words.append(run.lower() if ignore_case else run)
    return (tuple(words) if words else None), ignore_case


def _top_level_branches(pattern: str) -> list[str] | None:
    """Split at the `|`s outside groups and classes; None when a class is beyond us."""
    branches, depth, start, i = [], 0, 0, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            end = _class_end(pattern, i)
            if end is None:
                return None
            i = end
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            branches.append(pattern[start:i])
            start = i + 1
        i += 1
    branches.append(pattern[start:])
    return branches


def _class_end(pattern: str, i: int) -> int | None:
    """The index after the class opening at `i`: a `]` first (after any `^`) is a
    member; None for a `[` inside, such as `[[:alpha:]]`, to stay on the safe side."""
    i += 1
    if pattern[i:i + 1] == "^":
        i += 1
    if pattern[i:i + 1] == "]":
        i += 1
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
        elif char == "[":
            return None
        elif char == "]":
            return i + 1
        else:
            i += 1
    return None


def _longest_required_run(branch: str) -> str | None:
    """Scan atoms; literal characters not made optional by a quantifier form runs."""
    runs: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(branch):
        char = branch[i]
        literal: str | None = None
        if char == "\\":
            escaped = branch[i + 1:i + 2]
            if escaped.isalnum() and escaped not in _SHORT_ESCAPES:
                break
            literal = None if escaped.isalnum() else escaped
            i += 2
        elif char in "([":
            break  # groups and classes end the scan safely
        elif char in _SPECIAL:
            i += 1
        else:
            literal = char
            i += 1
        quantified = branch[i:i + 1] in _QUANTIFIERS
        if literal is None or quantified:
            kept = literal if literal is not None and _required_once(branch, i) else ""
            runs.append("".join(current) + kept)
            current = []
            if quantified:
                i = _skip_quantifier(branch, i)
        else:
            current.append(literal)
    return _join(runs, current)


def _required_once(branch: str, i: int) -> bool:
    """Does the quantifier at `i` keep its atom at least once (`+`, `{2}`, not `{0,1}`)?"""
    return branch[i] == "+" or (branch[i] == "{" and branch[i + 1:i + 2] not in ("0", ""))


def _skip_quantifier(branch: str, i: int) -> int:
    if branch[i] == "{":
        close = branch.find("}", i)
        i = len(branch) if close == -1 else close + 1
    else:
        i += 1
    return i + 1 if branch[i:i + 1] == "?" else i


def _join(runs: list[str], current: list[str]) -> str | None:
    candidates = [*runs, "".join(current)]
    best = max(candidates, key=len)
    return best or None


# What could stop a regex that matches the empty text from matching at the start of
# every other: an anchor or a word boundary. Looked for anywhere, escaped or in a class
# too, so a pattern that only seems to hold one is passed over: never a false "always".
_ASSERTION = re.compile(r"[\^$]|\\[bBAz]")


def matches_everything(regex: Regex) -> bool:
    """Whether every text matches: `/free|/` and `/.*/` match the empty text at its
    start, so they match every text anywhere."""
    return _ASSERTION.search(regex.pattern) is None and regex.search("")


def sample(regex: Regex) -> str | None:
    """A short text the pattern may match (its first alternatives, its fewest
    repeats), or None for a pattern this does not read: a guess for the linter to
    try, which RE2 then confirms or refuses."""
    parser = importlib.import_module("re._parser")  # Python's own, reads most RE2 patterns
    try:
        with warnings.catch_warnings():  # ("possible nested set": RE2's `[[:digit:]]`)
            warnings.simplefilter("ignore")
            items = parser.parse(regex.pattern)
        return _sample(items, importlib.import_module("re._constants"))
    except (re.error, ValueError, StopIteration, OverflowError, RecursionError):
        return None  # syntax RE2 has and Python lacks, or a class with no such character


def _sample(items: Any, k: Any) -> str:
    out = []
    for op, arg in items:
        if op is k.LITERAL:
            out.append(chr(arg))
        elif op in (k.NOT_LITERAL, k.ANY):
            out.append("~" if op is k.ANY or arg != ord("~") else "=")
        elif op is k.IN:
            out.append(_member(arg, k))
        elif op is k.BRANCH:
            out.append(_sample(arg[1][0], k))
        elif op is k.SUBPATTERN:
            out.append(_sample(arg[3], k))
        elif op in (k.MAX_REPEAT, k.MIN_REPEAT, k.POSSESSIVE_REPEAT):
            out.append(_sample(arg[2], k) * arg[0])
        elif op is not k.AT:  # anchors take no text; anything else has no guess
            raise ValueError(op)
    return "".join(out)


def _member(items: Any, k: Any) -> str:
    """A character of a class `[...]`."""
    if items and items[0][0] is k.NEGATE:
        excluded = {chr(arg) for op, arg in items if op is k.LITERAL}
        return next(char for char in "~=a0 " if char not in excluded)
    op, arg = items[0]
    if op is k.LITERAL:
        return chr(arg)
    if op is k.RANGE:
        return chr(arg[0])
    return {k.CATEGORY_DIGIT: "0", k.CATEGORY_SPACE: " "}.get(arg, "a")

