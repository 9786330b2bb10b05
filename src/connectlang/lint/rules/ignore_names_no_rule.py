"""L701 ignore-names-no-rule."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from ...diagnostics import Severity, closest
from ...nodes import IGNORE_COMMENT
from ..config import ignore_comments, names_error, selects
from ..rule import Context, Finding, Rule


class IgnoreNamesNoRule(Rule):
    """An ignore comment naming a lint rule that does not exist.

    ## What it does
    Flags each code or name in `# connectlang: ignore[...]` that selects no lint rule:
    a misspelt name, a code that does not exist, an error code (errors cannot be
    ignored), and empty brackets, `ignore[]`, which name nothing. An ignore comment
    takes what `--ignore` takes: codes (`L301`), code prefixes (`L3`), names
    (`decline`) and `ALL`. An ignore comment written another way (`ignore: L301`,
    `ignore [L301]`, `ignore L301`, `CONNECTLANG: IGNORE[L301]`) silences nothing and
    is flagged too: read as a bare `ignore`, a typo would silence every lint of its line.

    ## Why is this bad?
    The comment was written to silence a lint and silences nothing: the lint it meant
    still fails the check, and the next reader is told of a rule that does not exist.

    ## Example
    ```connectlang
    decline if message contains "crypto"  # connectlang: ignore[L310]
    else archive
    ```

    ## Use instead
    ```connectlang
    decline if message contains "crypto"  # connectlang: ignore[L301]
    else archive
    ```
    """

    code = "L701"
    name = "ignore-names-no-rule"
    category = "ignores"
    severity = Severity.WARNING

    def check(self, context: Context) -> Iterator[Finding]:
        from . import RULES  # the catalog imports this module
        for ignore in ignore_comments(context.comments, context.policy.source):
            if ignore.malformed:
                text = context.policy.source.text[ignore.span.start:ignore.span.end]
                written = IGNORE_COMMENT.match(text)  # (its span starts at the `#`)
                assert written is not None
                head, rest = written["head"], written["rest"]
                named = [word for word in re.findall(r"[A-Za-z][\w-]*", rest)
                         if any(selects(word, rule) for rule in RULES)]
                how = ("`connectlang: ignore` in lowercase" if not (head.islower() and head.isascii()) else
                       "`ignore` or `ignore[CODE]`")
                yield Finding(ignore.span, f"this ignore comment is not written {how}, so it "
                              "silences nothing",
                              f"write `# connectlang: ignore[{','.join(named)}]`" if named else
                              "write `# connectlang: ignore` to silence every lint of the line")
                continue
            if ignore.selectors == ():
                yield Finding(ignore.span, "`ignore[]` names no lint rule, so this comment "
                              "silences nothing", "name the rules, as in `ignore[L301]`, or "
                              "write `ignore` alone to silence every lint of the line")
            for selector, span in ignore.selectors or ():
                if any(selects(selector, rule) for rule in RULES):
                    continue
                yield Finding(span, f"`{selector}` names no lint rule, so this comment silences "
                              "nothing", _help(selector, RULES))


def _help(selector: str, catalog: Sequence[type[Rule]]) -> str:
    if names_error(selector):
        return f"`{selector}` is an error: errors cannot be silenced, only fixed"
    close = closest(selector, [name for rule in catalog for name in (rule.code, rule.name)])
    return (f"did you mean `{close}`? " if close else "") + "`connectlang rule` lists the rules"
