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
                condition = context.policy.unwrap(rule.condition)
                yield Finding(rule.condition.span,
                              "this condition is never true, whatever the record: the rule never fires",
                              _cause(condition, context.policy) or (
                                  "each part of the `or` is never true: check the bounds and values"
                                  if isinstance(condition, c.Or) else
                                  "check for `and` where `or` was meant, or bounds the wrong way round"))


def _cause(condition: c.Expr, policy: c.Policy) -> str | None:
    """Why a condition that is never true is: a test it needs (the whole condition, a
    part of its `and`, every part of its `or`) that is never true for a reason a user
    can fix, or two parts of its `and` that differ only in case."""
    condition = policy.unwrap(condition)
    if isinstance(condition, c.And):
        return next(filter(None, (_cause(part, policy) for part in condition.operands)),
                    None) or _case_clash(condition, policy)
    if isinstance(condition, c.Or):
        causes = [_cause(part, policy) for part in condition.operands]
        return "; ".join(dict.fromkeys(causes)) if all(causes) else None  # type: ignore[arg-type]
    if isinstance(condition, c.Op):
        return _never_missing(condition, policy) or _needed_test(condition, policy)
    return None


def _never_missing(test: c.Op, policy: c.Policy) -> str | None:
    """`message is missing`: a field with a default, or a value read only from such
    fields (`has_message`), never is."""
    if test.op != "is_missing":
        return None
    defaults = policy.defaults()
    operand = policy.unwrap(test.args[0])
    fields = {node.name for node in policy.walk(operand) if isinstance(node, c.FieldRef)}
    if not fields or not fields <= set(defaults):
        return None
    if isinstance(operand, c.FieldRef):
        return f"`{operand.name}` is never missing: a record without it has {spell(defaults[operand.name])}"
    read = " and ".join(f"`{name}`" for name in sorted(fields))
    have = "has" if len(fields) == 1 else "have"
    return f"`{policy.text(test.args[0].span)}` is never missing: {read} always {have} a value"


def _needed_test(node: c.Op, policy: c.Policy) -> str | None:
    """A lookup in an empty list, or a comparison of a field with only values it never
    takes (L105)."""
    if node.op not in ("in", "contains_any", "has_any", "eq"):
        return None
    field, value = policy.operands(node)
    if isinstance(value, c.Const) and value.value == ():
        return f"`{policy.text(node.span)}`: an empty list holds nothing, so this is never true"
    given = value.value if isinstance(value, c.Const) else None
    words = given if isinstance(given, tuple) else (given,)
    if isinstance(field, c.FieldRef) and field.name in FIELD_VALUES and all(
            isinstance(w, str) and w.casefold() not in FIELD_VALUES[field.name] for w in words):
        allowed = " or ".join(FIELD_VALUES[field.name])
        return f"`{policy.text(node.span)}`: `{field.name}` is only {allowed}, so this is never true"
    return None


def _case_clash(condition: c.And, policy: c.Policy) -> str | None:
    """`company == "Acme" and company != "acme"`: text comparisons ignore case."""
    tests: dict[tuple[str, str], dict[str, tuple[c.Op, str]]] = {}
    for part in map(policy.unwrap, condition.operands):
        if isinstance(part, c.Op) and part.op in ("eq", "ne"):
            field, value = policy.operands(part)
            if isinstance(field, c.FieldRef) and isinstance(value, c.Const) and isinstance(value.value, str):
                tests.setdefault((field.name, value.value.casefold()), {})[part.op] = (part, value.value)
    for found in tests.values():
        if len(found) == 2 and found["eq"][1] != found["ne"][1]:
            return (f"`{policy.text(found['eq'][0].span)}` and `{policy.text(found['ne'][0].span)}` "
                    "contradict: text comparisons ignore case")
    return None
