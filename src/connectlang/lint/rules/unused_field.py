"""L202 unused-field."""

from __future__ import annotations

from collections.abc import Iterator

from ...diagnostics import Severity
from ..rule import Context, Finding, Rule


class UnusedField(Rule):
    """A `field` declaration that nothing reads.

    ## What it does
    Flags a `field` whose name no rule, reply or `let` uses.

    ## Why is this bad?
    A declared field is a column the policy promises to read: the input is typed for it
    and a bad value in it fails a record. If nothing reads it, the promise is empty, and
    a rule meant to use it is probably missing.

    ## Example
    ```connectlang
    field vip: bool = false
    accept  if did_business
    else archive
    ```

    ## Use instead
    ```connectlang
    field vip: bool = false
    accept  if vip or did_business
    else archive
    ```
    """

    code = "L202"
    name = "unused-field"
    category = "unused"
    severity = Severity.WARNING

    def check(self, context: Context) -> Iterator[Finding]:
        for field in context.policy.fields:
            if field.name not in context.references:
                yield Finding(field.name_span, f"the field `{field.name}` is never used",
                              f"use it in a rule, or remove `field {field.name}`")
