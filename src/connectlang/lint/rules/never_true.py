"""L102 condition-never-true."""

from __future__ import annotations

from collections.abc import Iterator

from ... import checked as c
from ...builtins import FIELD_VALUES
from ...diagnostics import Severity
from ...literals import spell
from ..rule import Context, Finding, Rule


class ConditionNeverTrue(Rule):
    """A condition that no record can make true.

    ## What it does
    Flags a rule whose condition is false or unknown on every possible record: a
    contradiction such as `mutual_connections > 10 and mutual_connections < 5`, or a
    test that needs a value the condition also requires to be missing.

    ## Why is this bad?
    The rule never fires. It is almost always a typo: `and` where `or` was meant, a
    comparison the wrong way round, or two bounds swapped.

    ## Example
    ```connectlang
    accept  if mutual_connections > 10 and mutual_connections < 5
    else archive
    ```

    ## Use instead
    ```connectlang
    accept  if mutual_connections > 10 or mutual_connections < 5
    else archive
    ```
    """

    code = "L102"
    name = "condition-never-true"
    category = "logic"
    severity = Severity.WARNING

    def check(self, context: Context) -> Iterator[Finding]:
        for rule, facts in zip(context.policy.rules, context.analysis.facts, strict=False):
            if facts.never_true:
                assert rule.condition is not None
                yield Finding(rule.condition.span,
                              "this condition is never true, whatever the record: the rule never fires",
                              _never_missing(rule.condition, context.policy)
                              or _needed_test(rule.condition, context.policy)
                              or "check for `and` where `or` was meant, or bounds the wrong way round")


def _never_missing(condition: c.Expr, policy: c.Policy) -> str | None:
    """The likeliest cause, when the condition asks whether a field with a default is
    missing: it never is."""
    defaults = policy.defaults()
    for node in policy.walk(condition):
        if (isinstance(node, c.Op) and node.op == "is_missing"
                and isinstance(node.args[0], c.FieldRef) and node.args[0].name in defaults):
            name = node.args[0].name
            return f"`{name}` is never missing: a record without it has {spell(defaults[name])}"
    return None


def _needed_test(condition: c.Expr, policy: c.Policy) -> str | None:
    """The cause, when the condition needs a test that is never true: the whole
    condition, or one of the tests it joins with `and`, looks a value up in an empty
    list, or compares a field with only values it never takes (L105)."""
    needed = list(condition.operands) if isinstance(condition, c.And) else [condition]
    for node in map(policy.unwrap, needed):
        if not isinstance(node, c.Op) or node.op not in ("in", "contains_any", "has_any", "eq"):
            continue
        field, value = (policy.unwrap(arg) for arg in node.args)
        if isinstance(field, c.Const):
            field, value = value, field
        if isinstance(value, c.Const) and value.value == ():
            return f"`{policy.text(node.span)}`: an empty list holds nothing, so this is never true"
        given = value.value if isinstance(value, c.Const) else None
        words = given if isinstance(given, tuple) else (given,)
        if isinstance(field, c.FieldRef) and field.name in FIELD_VALUES and all(
                isinstance(w, str) and w.casefold() not in FIELD_VALUES[field.name] for w in words):
            allowed = " or ".join(FIELD_VALUES[field.name])
            return f"`{policy.text(node.span)}`: `{field.name}` is only {allowed}, so this is never true"
    return None
