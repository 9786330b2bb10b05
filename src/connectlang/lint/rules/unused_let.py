"""L201 unused-let."""

from __future__ import annotations

from collections.abc import Iterator

from ...diagnostics import Severity
from ..rule import Context, Finding, Rule


class UnusedLet(Rule):
    """A `let` that nothing reads.

    ## What it does
    Flags a `let` whose name no rule, reply or other `let` uses.

    ## Why is this bad?
    It looks like part of the policy and is not: either a rule that should use it is
    missing, or it is left over and misleads the next reader.

    ## Example
    ```connectlang
    let warm = did_business or same_school
    accept  if shared_group
    else archive
    ```

    ## Use instead
    ```connectlang
    let warm = did_business or same_school
    accept  if shared_group or warm
    else archive
    ```
    """

    code = "L201"
    name = "unused-let"
    category = "unused"
    severity = Severity.WARNING

    def check(self, context: Context) -> Iterator[Finding]:
        for let in context.policy.lets:
            if let.name not in context.references:
                yield Finding(let.name_span, f"`{let.name}` is never used",
                              f"use it in a rule, or remove `let {let.name}`")
