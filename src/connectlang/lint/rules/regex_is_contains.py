"""L501 regex-is-contains."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ... import checked as c
from ...diagnostics import Severity
from ...regex import Regex
from ..rule import Context, Finding, Rule

# Letters, digits, spaces, and a few marks that mean themselves in a regex.
_PLAIN = re.compile(r"[A-Za-z0-9 '_,:;!@%&=~-]+")


class RegexIsContains(Rule):
    """A regex that only looks for plain words, where `contains` says the same.

    ## What it does
    Flags `text matches /free/i` and `text matches /free|click here/i`: a regex with
    the `i` flag that is only literal words (ASCII letters, digits, spaces and marks
    that stand for themselves, such as `-`, `'` or `@`), one or an alternation, which
    `contains "free"` or `contains_any ["free", "click here"]` says more plainly.
    Without `i` the regex tells upper from lower case and `contains` does not, so it is
    left alone.

    ## Why is this bad?
    `contains` reads as what it does; a regex makes the reader look for what else it
    might match. The two decide alike on all but rare text: `contains` compares with
    full case folding, as `==` does, so it also finds a word in text where a letter
    folds to two (`ß` to `ss`, the ligature `ﬁ` to `fi`, Turkish `İ` to `i` and a
    combining dot), which RE2 does not: `contains "strasse"` finds "Hauptstraße" and
    `/strasse/i` does not, and `contains "i"` finds "İ". The help says so when a word
    has `ss`, the case German text meets; the others are rare enough that a note on
    every `i` would be noise.

    ## Example
    ```connectlang
    report  if message matches /free trial|click here/i
    else archive
    ```

    ## Use instead
    ```connectlang
    report  if message contains_any ["free trial", "click here"]
    else archive
    ```
    """

    code = "L501"
    name = "regex-is-contains"
    category = "style"
    severity = Severity.INFO

    def check(self, context: Context) -> Iterator[Finding]:
        for op in context.policy.nodes():
            if not isinstance(op, c.Op) or op.op != "matches" or not isinstance(op.args[1], c.Const):
                continue
            regex = op.args[1].value
            assert isinstance(regex, Regex)
            words = _plain_words(regex)
            if words is None:
                continue
            once: dict[str, str] = {}  # `/free|Free/i` is one word: the first spelling
            for word in words:
                once.setdefault(word.casefold(), word)
            words = list(once.values())
            subject = context.text(op.args[0].span)
            better = (f'{subject} contains "{words[0]}"' if len(words) == 1 else
                      f"{subject} contains_any [{', '.join(f'{chr(34)}{w}{chr(34)}' for w in words)}]")
            also = (', which also finds "ß" where the regex needs "ss"'
                    if any("ss" in word.lower() for word in words) else "")
            yield Finding(op.span, "this regex only looks for plain words", f"write `{better}`{also}")


def _plain_words(regex: Regex) -> list[str] | None:
    if "i" not in regex.flags:
        return None
    words = regex.pattern.split("|")
    return words if all(_PLAIN.fullmatch(w) for w in words) else None
