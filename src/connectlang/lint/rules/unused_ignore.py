"""L702 unused-ignore."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ...diagnostics import Severity
from ..config import IgnoreComment, Ignores, ignore_comments, selects
from ..rule import Context, Finding, Rule


class UnusedIgnore(Rule):
    """An ignore comment that silences nothing.

    ## What it does
    Flags an ignore comment, or one rule it names, that silences no lint: the lint was
    fixed, the comment names another rule than the one reported, or it is on another
    line than the lint (a rule over several lines takes it on its first line too); the
    help names the line to move it to. A selector is judged only when every rule it
    names ran (not left out by `--select` or the configuration; L601 runs only with
    `--input`), a bare `ignore` only when every rule ran, and a name that is no rule is
    L701's. `ignore[L702]` keeps a comment this rule would
    flag. The copies `fmt` makes of a comment on the parts of a line it breaks count as
    one.

    ## Why is this bad?
    A stale comment tells the next reader that a lint fires where none does, and it
    will silence a new, real one on its line without anyone having decided so.

    ## Example
    ```connectlang
    archive if message contains "crypto"  # connectlang: ignore[L301]
    else archive
    ```

    ## Use instead
    ```connectlang
    archive if message contains "crypto"
    else archive
    ```
    """

    code = "L702"
    name = "unused-ignore"
    category = "ignores"
    severity = Severity.INFO
    after_others = True
    named_only = True

    def check(self, context: Context) -> Iterator[Finding]:
        from . import RULES  # the catalog imports this module
        source = context.policy.source
        ignores = Ignores(source, context.comments, RULES, context.items)
        # A selector is judged by the item its comment is in: `fmt` repeats a comment on
        # each part of a line it breaks, and one copy silencing its lint is enough.
        used = {(self._place(ignores, ignore), selector)
                for d in context.found for ignore, selector in ignores.silencing(d)}
        told: set[tuple[object, str | None]] = set()
        for ignore in ignore_comments(context.comments, source):
            if ignore.malformed:
                continue
            place = self._place(ignores, ignore)
            alone = not source.text[source.line_start(ignore.line):ignore.span.start].strip()
            if ignore.selectors is None:  # judged only when every other rule ran
                if (place, None) not in used | told and len(context.ran) == len(RULES):
                    told.add((place, None))
                    yield Finding(ignore.span, "this ignore comment silences nothing: no lint is "
                                  "reported on its line", _move(context, ignores, place, None, alone))
                continue
            selectors = dict(ignore.selectors)  # (`ignore[L101, L101]`: once)
            idle = [(selector, span) for selector, span in selectors.items()
                    if _judged(selector, context, RULES) and selector not in (self.code, self.name)
                    and (place, selector) not in used | told]
            told.update((place, selector) for selector, _ in idle)
            if idle and len(idle) == len(selectors):
                yield Finding(ignore.span, f"this ignore comment silences nothing: no "
                              f"{_names(idle)} lint is reported on its line",
                              _move(context, ignores, place, idle[0][0], alone))
            else:
                for selector, span in idle:
                    yield Finding(span, f"`{selector}` silences nothing here: no such lint is "
                                  "reported on this line",
                                  _move(context, ignores, place, selector, alone, f"remove `{selector}`"))

    @staticmethod
    def _place(ignores: Ignores, ignore: IgnoreComment) -> object:
        """The item a comment is in, or the comment itself when it is in none."""
        at = ignores.item_of(ignore.span.start)
        return ignore if at is None else at


def _move(context: Context, ignores: Ignores, place: object, selector: str | None, alone: bool,
          remove: str = "remove it") -> str:
    """Where the comment would silence a lint of its item that it names, if one is
    reported there; otherwise how to drop it."""
    from . import RULES  # the catalog imports this module
    rules = {rule.code: rule for rule in RULES}
    source = context.policy.source
    found = sorted(context.found, key=lambda d: d.span.start)
    named = [d for d in found if selector is None or selects(selector, rules[d.code])]
    for d in named:
        if ignores.item_of(d.span.start) == place:
            return f"move it to the end of line {source.line(d.span.start)}, where the `{d.code}` lint starts"
    others = [d for d in found if ignores.item_of(d.span.start) == place]
    if selector is not None and others:  # it names another rule than the one reported
        return f"the lint here is `{others[0].code}`: write `ignore[{others[0].code}]`"
    if alone and named:
        return (f"an ignore comment silences the line it ends: move it to the end of line "
                f"{source.line(named[0].span.start)}, where the `{named[0].code}` lint starts")
    return remove


def _judged(selector: str, context: Context, catalog: Sequence[type[Rule]]) -> bool:
    """Whether every rule a selector names ran (`L1` with L103 ignored: not judged)."""
    named = [rule for rule in catalog if selects(selector, rule)]
    return bool(named) and all(rule in context.ran for rule in named)


def _names(selectors: Sequence[tuple[str, object]]) -> str:
    return " or ".join(f"`{selector}`" for selector, _ in selectors)
