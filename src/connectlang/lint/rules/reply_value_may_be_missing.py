"""L401 reply-value-may-be-missing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

from ... import checked as c
from ...diagnostics import Severity
from ...types import has_type
from ..logic import TRUE, Formula, Lit, OutOfBudget, Solver, Space, conj, disj, negate, reaching
from ..rule import Context, Finding, Rule


class ReplyValueMayBeMissing(Rule):
    """An `ask` reply that shows a value some records it is sent to do not have.

    ## What it does
    Flags a `{placeholder}` of an `ask` reply whose value can be missing on a record the
    rule fires for. A missing value renders as nothing, so `Hi {first_name},` becomes
    `Hi ,`. The rule's condition is taken into account: `ask "Hi {first_name}" if name is
    not missing` is fine, since `first_name` comes from `name` when it is not given (a
    name of no word at all, `""`, is left out of the count: no export has one). So are
    the rules before it: after `review if name is missing`, no record without a name
    reaches the `ask`. It warns only when it has built a record that the evaluator
    confirms gets the reply without the value.

    ## Why is this bad?
    The reply goes to a stranger, in your name. A gap where their name should be reads
    like a mail merge gone wrong.

    ## Example
    ```connectlang
    ask "Hi {first_name}, where did we meet?" if has_message
    else archive
    ```

    ## Use instead
    ```connectlang
    ask "Hi {first_name}, where did we meet?" if has_message and first_name is not missing
    else archive
    ```
    """

    code = "L401"
    name = "reply-value-may-be-missing"
    category = "replies"
    severity = Severity.WARNING

    def check(self, context: Context) -> Iterator[Finding]:
        space = context.space
        rules = (*context.policy.rules, context.policy.default)
        for index, rule in enumerate(rules):
            if rule.template is None:
                continue
            true = space.true(rule.condition) if rule.condition is not None else TRUE
            earlier = [space.true(r.condition) for r in rules[:index] if r.condition is not None]
            for part in rule.template.parts:
                if isinstance(part, str):
                    continue
                present = space.present(part)
                value = context.policy.unwrap(part)
                if isinstance(value, c.FieldRef) and value.name == "first_name":  # or `name`'s first word
                    present = disj([present, space.present(c.FieldRef(part.span, part.ty, "name"))])
                goal = conj([true, negate(present, space.vars)])
                if not space.exact([goal, *earlier]):
                    continue  # a record found might be one no real record matches
                solver = Solver(space, budget=20_000 + 10 * index)
                try:
                    found = _witness(context.policy, index, part, space, goal, earlier, solver)
                except OutOfBudget:
                    continue
                if found:
                    yield Finding(part.span, f"`{{{part.name}}}` is empty in the reply when "
                                  + _lacking(context.policy, part.name),
                                  f"add `and {part.name} is not missing` to the condition, or "
                                  "ignore this line if an empty value reads well"
                                  if rule.condition is not None else
                                  f"the default takes every record the rules leave: put this reply "
                                  f"in a rule above it, `ask ... if {part.name} is not missing`, and "
                                  f"give the default one without `{{{part.name}}}`")


def _lacking(policy: c.Policy, name: str) -> str:
    """When a placeholder is empty, in the record's terms: a `let` that renames a field
    is named by that field."""
    if name == "first_name":
        return "a record has neither `first_name` nor `name`"
    if name == "last_name":
        return "a record has no `last_name`, and `name` has no second word to take it from"
    if name not in {let.name for let in policy.lets}:
        return f"a record has no `{name}`"
    expr = policy.unwrap(policy.let(name).expr)
    if isinstance(expr, c.FieldRef):
        return f"a record has no `{expr.name}` (which `{name}` is)"
    read = {node.name for node in policy.walk(expr) if isinstance(node, c.FieldRef)}
    if len(read) == 1:
        return f"a record has no `{read.pop()}` (which `{name}` is computed from)"
    return f"`{name}` is missing"


# Records tried as witnesses before L401 gives up (and stays silent).
_TRIES = 8


def _witness(policy: c.Policy, index: int, part: c.FieldRef | c.LetRef, space: Space,
             goal: Formula, earlier: list[Formula], solver: Solver) -> bool:
    """Whether some record gets the reply of rule `index` (the default: the number of
    rules) without the value of `part`. The reasoning takes tests as independent
    (`count(shared_groups) > 0` and `shared_groups contains "py"`), so a record it finds
    may fail the evaluator; then it looks again, that record ruled out."""
    now = datetime.now(timezone.utc).replace(microsecond=0)  # when a run would read it
    for _ in range(_TRIES):
        box = reaching(goal, earlier, solver)
        if box is None:
            return False
        point = {var: min(regions) for var, regions in box.items()}
        if _sent_without(policy, index, part, space.record(point, now), now):
            return True
        goal = conj([goal, disj(Lit(var, space.vars[var].universe - {region})
                                for var, region in point.items())])
    return False


def _sent_without(policy: c.Policy, index: int, part: c.FieldRef | c.LetRef,
                  record: dict[str, Any] | None, now: datetime) -> bool:
    """Whether the record, as the evaluator reads it, gets the reply of rule `index`
    with `part` missing: the claim is made only on a record the evaluator confirms."""
    from ...evaluate import Env, interpret  # (a clean check does not load the evaluator)
    if record is None:
        return False
    types = policy.field_types()
    if not all(has_type(value, types[name]) for name, value in record.items()):
        return False  # not expected: a record the evaluator cannot take is no witness
    env = Env(policy, record, now)
    rules = policy.rules
    if any(interpret(rule.condition, env) is True for rule in rules[:index] if rule.condition is not None):
        return False  # decided earlier
    condition = rules[index].condition if index < len(rules) else None
    return (condition is None or interpret(condition, env) is True) and interpret(part, env) is None
