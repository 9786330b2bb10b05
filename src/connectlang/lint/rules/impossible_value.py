"""L105 impossible-value."""

from __future__ import annotations

from collections.abc import Iterator

from ... import checked as c
from ...builtins import FIELD_VALUES
from ...diagnostics import Severity, closest
from ..rule import Context, Finding, Rule


class ImpossibleValue(Rule):
    """A field that takes only a few values, compared with one it never takes.

    ## What it does
    Flags `direction == "incomming"` and `direction in ["inbound", "outgoing"]`:
    `direction` is always `incoming` or `outgoing` (inputs with another value are
    rejected, and a record without one is `incoming`), so a test for another value is
    never true and `!=` it is always true. Text compares ignoring case, so `"Incoming"`
    is not flagged.

    ## Why is this bad?
    It is almost always a typo or another tool's word (`inbound`, `sent`), and the rule
    it is in silently never fires as meant: nothing in a run says so.

    ## Example
    ```connectlang
    accept  if direction == "outbound"
    else archive
    ```

    ## Use instead
    ```connectlang
    accept  if direction == "outgoing"
    else archive
    ```
    """

    code = "L105"
    name = "impossible-value"
    category = "logic"
    severity = Severity.WARNING

    def check(self, context: Context) -> Iterator[Finding]:
        told = set()  # a `let`'s value, used in several tests, is told of once
        for op in context.policy.nodes():
            if not isinstance(op, c.Op) or op.op not in ("eq", "ne", "in") or len(op.args) != 2:
                continue
            field, value = context.policy.operands(op)
            if not isinstance(field, c.FieldRef) or not isinstance(value, c.Const):
                continue
            allowed = FIELD_VALUES.get(field.name)
            if allowed is None:
                continue
            given = value.value if isinstance(value.value, (list, tuple)) else [value.value]
            wrong = [text for text in given
                     if isinstance(text, str) and text.casefold() not in allowed]
            if not wrong or value.span in told:
                continue
            told.add(value.span)
            values = " or ".join(f"`{each}`" for each in allowed)
            meant = _OTHER_WORDS.get(wrong[0].casefold()) or closest(wrong[0], allowed)
            shown = wrong[0] or '""'
            listed = meant is not None and meant in {text.casefold() for text in given
                                                     if isinstance(text, str)}
            yield Finding(value.span, f"`{field.name}` is {values}, never `{shown}`",
                          f"remove `{shown}`: `{meant}` is in the list already" if listed else
                          f"did you mean `{meant}`?" if meant else f"write {values}")


# Other tools' words for a direction.
_OTHER_WORDS = {"inbound": "incoming", "received": "incoming", "in": "incoming",
                "outbound": "outgoing", "sent": "outgoing", "out": "outgoing"}
