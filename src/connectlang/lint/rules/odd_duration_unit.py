"""L502 odd-duration-unit."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ... import checked as c
from ...diagnostics import Severity
from ...types import Type
from ..rule import Context, Finding, Rule

_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_LARGER = {"s": ("m", "h", "d"), "m": ("h", "d"), "h": ("d",)}


class OddDurationUnit(Rule):
    """A duration written in a small unit that a larger one says in fewer digits.

    ## What it does
    Flags durations of 100 or more seconds, minutes or hours that are a whole number of
    a larger unit: `2160h` is `90d`, `86400s` is `1d`, `1440m` is `1d`. Days are left
    as they are: `14d` and `30d` read as well as weeks or months would. So are up to 1,440
    seconds (`360s`): as minutes (`6m`) they would read as months (L106).

    ## Why is this bad?
    `interacted_within 2160h` makes the reader do arithmetic to learn it means about
    three months. The unit people think in is the one to write.

    ## Example
    ```connectlang
    accept  if interacted_within 2160h
    else archive
    ```

    ## Use instead
    ```connectlang
    accept  if interacted_within 90d
    else archive
    ```
    """

    code = "L502"
    name = "odd-duration-unit"
    category = "style"
    severity = Severity.INFO

    def check(self, context: Context) -> Iterator[Finding]:
        for const in context.policy.nodes():
            if not isinstance(const, c.Const) or const.ty is not Type.DURATION:
                continue
            text = context.text(const.span)
            match = re.fullmatch(r"([0-9_]+)([smh])", text)
            if match is None:
                continue
            count, unit = int(match.group(1).replace("_", "")), match.group(2)
            if count < 100:
                continue
            seconds = count * _SECONDS[unit]
            for larger in reversed(_LARGER[unit]):
                if seconds % _SECONDS[larger] == 0 and not (larger == "m" and seconds <= 24 * 60):
                    better = f"{seconds // _SECONDS[larger]}{larger}"
                    yield Finding(const.span, f"`{text}` is `{better}`", f"write `{better}`")
                    break
