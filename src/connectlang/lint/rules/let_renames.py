"""L203 let-renames."""

from __future__ import annotations

from collections.abc import Iterator

from ... import checked as c
from ...diagnostics import Severity
from ..rule import Context, Finding, Rule


class LetRenames(Rule):
    """A `let` that only gives another name to a field or a `let`.

    ## What it does
    Flags `let NAME = OTHER` where `OTHER` is a field or a `let`: the new name adds
    nothing the old one did not say. A `let` nothing uses is L201's to report.

    ## Why is this bad?
    Two names for one value make a reader check whether they differ. Policies read
    best with the standard field names users already know.

    ## Example
    ```connectlang
    let biz = did_business
    accept  if biz
    else archive
    ```

    ## Use instead
    ```connectlang
    accept  if did_business
    else archive
    ```
    """

    code = "L203"
    name = "let-renames"
    category = "style"
    severity = Severity.INFO

    def check(self, context: Context) -> Iterator[Finding]:
        for let in context.policy.lets:
            if isinstance(let.expr, (c.FieldRef, c.LetRef)) and let.name in context.references:
                yield Finding(let.name_span, f"`{let.name}` only renames `{let.expr.name}`",
                              f"use `{let.expr.name}` where `{let.name}` is used")
