"""L103 condition-always-true."""

from __future__ import annotations

from collections.abc import Iterator

from ...diagnostics import Severity
from ..rule import Context, Finding, Rule


class ConditionAlwaysTrue(Rule):
    """A condition that every record makes true.

    ## What it does
    Flags a rule whose condition is true on every possible record, missing values
    included (`true`, `did_business is missing or did_business or not did_business`).
    A tautology that only looks complete, like `did_business or not did_business`, is
    not flagged: it is unknown when `did_business` is missing.

    ## Why is this bad?
    The rule decides every record, so no rule after it, and not the default, ever does.
    As the last rule it still hides the default: the `else` line reads as if it applied
    to some records, and it applies to none.

    ## Example
    ```connectlang
    accept  if true
    review  if did_business
    else archive
    ```

    ## Use instead
    ```connectlang
    review  if did_business
    else accept
    ```
    """

    code = "L103"
    name = "condition-always-true"
    category = "logic"
    severity = Severity.WARNING

    def check(self, context: Context) -> Iterator[Finding]:
        rules = context.policy.rules
        default = context.policy.default.action
        for index, facts in enumerate(context.analysis.facts):
            if facts.always_true:
                condition = rules[index].condition
                assert condition is not None
                after = list(dict.fromkeys(rule.line for rule in rules[index + 1:]))  # (a line, several)
                lines = (f"line {after[0]}" if len(after) == 1 else
                         f"lines {after[0]} to {after[-1]}" if after else "")
                hidden = (f"the rules after it ({lines}) and the default never decide" if after
                          else f"the default (`else {default}`) never decides")
                action = context.policy.outcome(rules[index])
                if action == context.policy.outcome(context.policy.default):
                    fix = (f"narrow it, or remove it and {lines}: the default does the same" if after
                           else "remove it, as the default does the same, or narrow it")
                else:
                    fix = (f"narrow it, or replace it, {lines} and the default with `else {action}`"
                           if after else f"replace it and the default with `else {action}`, or narrow it")
                yield Finding(condition.span,
                              f"this condition is true on every record: {hidden}", fix)

