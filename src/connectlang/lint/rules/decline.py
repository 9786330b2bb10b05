"""L301 decline."""

from __future__ import annotations

from collections.abc import Iterator

from ...diagnostics import Severity
from ..rule import Context, Finding, Rule


class Decline(Rule):
    """Any use of `decline`, LinkedIn's "I don't know this person".

    ## What it does
    Flags every rule and default whose action is `decline`.

    ## Why is this bad?
    Declining tells LinkedIn you do not know the sender, and senders declined often get
    restricted or warned: a heavy penalty for someone who only wanted to connect.
    `archive` sets an invitation aside quietly, without tainting the sender's profile;
    `report` is there for spam.

    ## Example
    ```connectlang
    decline if mutual_connections == 0
    else archive
    ```

    ## Use instead
    ```connectlang
    archive if mutual_connections == 0
    report  if message matches /guaranteed (income|returns)/i
    else archive
    ```
    """

    code = "L301"
    name = "decline"
    category = "etiquette"
    severity = Severity.WARNING

    def check(self, context: Context) -> Iterator[Finding]:
        for rule in (*context.policy.rules, context.policy.default):
            if rule.action == "decline":
                yield Finding(context.keyword(rule),
                              "`decline` tells LinkedIn you do not know the sender, which can get "
                              "them restricted",
                              "use `archive` to set the invitation aside quietly, or `report` for spam")
