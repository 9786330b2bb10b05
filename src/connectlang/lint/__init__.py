"""The linter: what is probably wrong (warnings) or could read better (info) in a
policy that checks clean. `lint` runs the rules of the catalog that the settings
select, on a checked policy, and drops what ignore comments silence.
"""

from __future__ import annotations

from collections.abc import Iterable

from .. import checked as c
from ..diagnostics import Diagnostic
from ..nodes import Comment
from .config import Settings, silenced
from .rule import Context
from .rules import RULES


def lint(policy: c.Policy, comments: Iterable[Comment], settings: Settings | None = None,
         path: str | None = None, inputs: frozenset[str] | None = None) -> list[Diagnostic]:
    """Every lint of the policy, in no particular order."""
    comments = tuple(comments)
    context = Context(policy, inputs, comments)
    selected = list((settings or Settings()).rules(RULES, path))
    found: list[Diagnostic] = []
    for last in (False, True):  # (a rule after the others reads what they found)
        context.found = list(found)
        context.ran = tuple(rule for rule, _ in selected if inputs is not None or not rule.needs_inputs)
        for rule, severity in selected:
            if rule.after_others is last:
                found.extend(Diagnostic(rule.code, severity, finding.message, finding.span, finding.help)
                             for finding in rule().check(context))
    return silenced(found, policy.source, comments, RULES, context.items)
