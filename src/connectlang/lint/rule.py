"""What a lint rule is, and what it may look at.

A rule is a class in a file of its own under `lint/rules/`: a stable code, a
kebab-case name, a category, a default severity, and a docstring in fixed sections
(What it does / Why is this bad? / Example / Use instead) from which `docs/rules/`
and `connectlang rule CODE` are made. `check` yields findings; the engine turns
them into diagnostics, applies the configuration and the ignore comments.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cached_property
from typing import ClassVar, NamedTuple

from .. import checked as c
from ..diagnostics import Diagnostic, Severity
from ..nodes import Comment
from ..source import Span
from .logic import Analysis, Space, analyse

SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead")


class Finding(NamedTuple):
    """What a rule found; the linter adds the rule's code and severity."""

    span: Span
    message: str
    help: str | None = None


class Rule:
    """The base of every lint rule."""

    code: ClassVar[str]
    name: ClassVar[str]
    category: ClassVar[str]  # logic, unused, etiquette, replies, style, inputs, ignores
    severity: ClassVar[Severity]
    # Runs once the others have, on what they found (`Context.found`): L702.
    after_others: ClassVar[bool] = False
    # Silenced only by an ignore comment naming it, not by a bare `ignore`.
    named_only: ClassVar[bool] = False
    # Says something only of the inputs given (`--input`): without them it has not run.
    needs_inputs: ClassVar[bool] = False

    def check(self, context: Context) -> Iterator[Finding]:
        raise NotImplementedError

    @classmethod
    def summary(cls) -> str:
        """The docstring's first line: what the rule flags, in a sentence."""
        return (cls.__doc__ or "").strip().splitlines()[0]

    @classmethod
    def sections(cls) -> dict[str, str]:
        """The docstring's sections, by heading."""
        text = (cls.__doc__ or "").strip("\n")
        lines = text.splitlines()
        indent = min((len(line) - len(line.lstrip()) for line in lines[1:] if line.strip()), default=0)
        text = "\n".join([lines[0], *(line[indent:] for line in lines[1:])])
        parts = re.split(r"^## (.+)$", text, flags=re.MULTILINE)
        return {heading.strip(): body.strip("\n") for heading, body in zip(parts[1::2], parts[2::2],
                                                                             strict=True)}


class Context:
    """A checked policy as the rules see it, with what they share computed once."""

    def __init__(self, policy: c.Policy, inputs: frozenset[str] | None = None,
                 comments: tuple[Comment, ...] = ()) -> None:
        self.policy = policy
        self.inputs = inputs  # the fields the inputs named on the command line have, if any
        self.comments = comments
        # For a rule that runs after the others: what they found (before ignore comments
        # are applied), and which rules ran.
        self.found: list[Diagnostic] = []
        self.ran: tuple[type[Rule], ...] = ()

    @cached_property
    def items(self) -> list[Span]:
        """The spans of the `let`s, rules and default, in order."""
        policy = self.policy
        return sorted((*(let.span for let in policy.lets), *(rule.span for rule in policy.rules),
                       policy.default.span), key=lambda span: span.start)

    @cached_property
    def space(self) -> Space:
        return Space(self.policy)

    @cached_property
    def analysis(self) -> Analysis:
        return analyse(self.policy, self.space)

    @cached_property
    def duplicates(self) -> dict[int, int]:
        """Rule index -> the index of an earlier rule it repeats (condition and outcome)."""
        seen: dict[tuple[object, ...], int] = {}
        found = {}
        for index, rule in enumerate(self.policy.rules):
            assert rule.condition is not None
            reply = None if rule.template is None else tuple(
                part if isinstance(part, str) else ("value", part.name) for part in rule.template.parts)
            key = (self.space.shape(rule.condition), rule.action, rule.reason, reply)
            if key in seen:
                found[index] = seen[key]
            else:
                seen[key] = index
        return found

    def text(self, span: Span) -> str:
        return self.policy.text(span)

    def rule_text(self, rule: c.Rule, width: int = 60) -> str:
        return self.policy.rule_text(rule, width)

    def keyword(self, rule: c.Rule) -> Span:
        """The span of a rule's action keyword (`decline`), the default's included."""
        start = rule.span.start if rule.condition is not None else self.policy.source.text.index(
            rule.action, rule.span.start + len("else"))
        return Span(start, start + len(rule.action))

    @cached_property
    def references(self) -> dict[str, list[Span]]:
        """Every field and `let` a rule, a `let` or a reply reads: where it is read."""
        found: dict[str, list[Span]] = {}
        for node in self.policy.nodes():
            if isinstance(node, (c.FieldRef, c.LetRef)):
                found.setdefault(node.name, []).append(node.span)
        for spans in found.values():
            spans.sort(key=lambda span: span.start)
        return found
