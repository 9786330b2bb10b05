"""L101 unreachable-rule."""

from __future__ import annotations

from collections.abc import Iterator

from ... import checked as c
from ...diagnostics import Severity
from ..rule import Context, Finding, Rule


class UnreachableRule(Rule):
    """A rule that can never fire, because earlier rules decide every record it would.

    ## What it does
    Flags a rule whose condition is true only on records that an earlier rule (or
    several together) already decides, and names those rules. The reasoning follows
    the three-valued logic of the language: a record with a missing value can slip
    past two complementary tests (`mutual_connections > 5`, `mutual_connections <= 5`),
    so they do not make a later rule unreachable. Text tests are read for what they
    say of each other: `headline contains "agency recruiter"` after `headline contains
    "recruiter"` never fires, nor does `starts_with "Head of Sales"` after `starts_with
    "Head of"`. It also flags the default when the rules above decide every record
    between them (`message == ""`, then `has_message`), which no single one does.

    ## Why is this bad?
    Rules are tried top to bottom and the first true one decides. A rule that no record
    can reach is dead text: it was probably meant to come first, or its condition is
    narrower than intended. Readers assume every rule matters.

    ## Example
    ```connectlang
    accept  if did_business
    review  if did_business and same_school  # every such record was accepted above
    else archive
    ```

    ## Use instead
    ```connectlang
    review  if did_business and same_school
    accept  if did_business
    else archive
    ```
    """

    code = "L101"
    name = "unreachable-rule"
    category = "logic"
    severity = Severity.WARNING

    def check(self, context: Context) -> Iterator[Finding]:
        rules = context.policy.rules
        duplicates_told = any(rule.code == "L104" for rule in context.ran)  # (else told here)
        for index, facts in enumerate(context.analysis.facts):
            if not facts.covered_by or facts.never_true or (
                    duplicates_told and index in context.duplicates):
                continue
            rule = rules[index]
            assert rule.condition is not None
            covers = [rules[i] for i in facts.covered_by]
            first = covers[0].line
            yield Finding(rule.condition.span,
                          f"this rule can never fire: every record that makes its condition true is "
                          f"decided earlier, by {_lines(context, covers)}",
                          f"move it above line {first} if it should win, or remove it")
        if context.analysis.default_cover:
            covers = [rules[i] for i in context.analysis.default_cover]
            default = context.policy.default
            last = covers[-1]
            # Without the last rule, its records fall to the default: the same decision
            # only if no rule comes between them and both give the same reason.
            same = last is rules[-1] and context.policy.outcome(last) == context.policy.outcome(default)
            yield Finding(default.span, "the default never decides: the rules above decide every "
                          f"record between them, {_lines(context, covers)}",
                          f"remove line {last.line}: the default, `{context.rule_text(default)}`, "
                          "decides those records the same way" if same
                          else "if some records should reach the default, narrow one of these rules")


def _lines(context: Context, rules: list[c.Rule]) -> str:
    """`line 1 (`accept if ...`) and line 3 (...)`: the first three, and how many more."""
    lines = " and ".join(f"line {r.line} (`{context.rule_text(r, 50)}`)" for r in rules[:3])
    return lines + (f" and {len(rules) - 3} more" if len(rules) > 3 else "")
