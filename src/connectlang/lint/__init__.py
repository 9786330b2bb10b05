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
    found = []
    for rule, severity in (settings or Settings()).rules(RULES, path):
        for finding in rule().check(context):
            found.append(Diagnostic(rule.code, severity, finding.message, finding.span, finding.help))
    items = sorted((*(let.span for let in policy.lets), *(rule.span for rule in policy.rules),
                    policy.default.span), key=lambda span: span.start)
    return silenced(found, policy.source, comments, RULES, items)
