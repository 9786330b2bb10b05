"""L106 minutes-for-months."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ... import checked as c
from ...diagnostics import Severity
from ...literals import months_help
from ...source import Span
from ...types import Type
from ..rule import Context, Finding, Rule

# Up to two years: `6m`, `12m`, `18m` read as months. A window of minutes over
# invitations and exchanges that happen days apart is not what anyone means.
_MONTHS_LIKE = re.compile(r"0*([1-9]|1[0-9]|2[0-4])m")


class MinutesForMonths(Rule):
    """A duration of a few minutes, where months were almost certainly meant.

    ## What it does
    Flags `1m` to `24m`: `m` is minutes, so `interacted_within 6m` is "in the last
    six minutes" and `age(sent_at) > 3m` is true of an invitation three minutes old.
    connectlang has no month unit, since months have no fixed length.

    ## Why is this bad?
    Nothing else says so: the policy checks clean and every rule with it quietly
    decides the wrong records.

    ## Example
    ```connectlang
    accept  if interacted_within 6m
    else archive
    ```

    ## Use instead
    ```connectlang
    accept  if interacted_within 26w
    else archive
    ```

    Minutes that are meant can be written in seconds (`360s`), which this rule
    leaves alone.
    """

    code = "L106"
    name = "minutes-for-months"
    category = "logic"
    severity = Severity.WARNING

    def check(self, context: Context) -> Iterator[Finding]:
        spans = [const.span for const in context.policy.nodes()
                 if isinstance(const, c.Const) and const.ty is Type.DURATION]
        for field in context.policy.fields:  # a default is a value, not a node of a rule
            default = _DEFAULT.search(context.text(field.span)) if field.ty is Type.DURATION else None
            if default is not None:
                spans.append(Span(field.span.start + default.start(1), field.span.start + default.end(1)))
        for span in spans:
            text = context.text(span)
            match = _MONTHS_LIKE.fullmatch(text.replace("_", ""))
            if match is not None:
                count = match.group(1)
                yield Finding(span, f"`{text}` is {count} minute{'s' * (count != '1')}, not "
                              f"{count} month{'s' * (count != '1')}: `m` is minutes",
                              f"for months, {months_help(count)}; for minutes, write "
                              f"`{int(count) * 60}s`")


_DEFAULT = re.compile(r"=\s*([0-9][0-9_]*[A-Za-z]+)\s*$")  # `field wait: duration = 6m`
