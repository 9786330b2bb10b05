"""L104 duplicate-rule."""

from __future__ import annotations

from collections.abc import Iterator

from ...diagnostics import Severity
from ..rule import Context, Finding, Rule


class DuplicateRule(Rule):
    """A rule that repeats an earlier one: the same condition and the same outcome.

    ## What it does
    Flags a rule with the same condition, action, reason and reply as an earlier rule.
    Conditions are compared by what they compute, so `let` names are seen through, the
    order of the parts of an `and` or `or` and spacing do not matter, nor the case of
    the text a comparison that ignores case is given (`contains "CRYPTO"` repeats
    `contains "crypto"`; two regexes differing in case do not repeat each other).

    ## Why is this bad?
    The second copy never fires. It is usually left over from an edit, and the next
    edit will change one copy and not the other.

    ## Example
    ```connectlang
    report  if message contains "crypto"  because "spam"
    accept  if did_business
    report  if message contains "crypto"  because "spam"
    else archive
    ```

    ## Use instead
    ```connectlang
    report  if message contains "crypto"  because "spam"
    accept  if did_business
    else archive
    ```
    """

    code = "L104"
    name = "duplicate-rule"
    category = "logic"
    severity = Severity.WARNING

    def check(self, context: Context) -> Iterator[Finding]:
        rules = context.policy.rules
        for index, first in sorted(context.duplicates.items()):
            yield Finding(context.keyword(rules[index]), f"this rule repeats line {rules[first].line}",
                          "remove one of the two")
