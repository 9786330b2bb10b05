"""The front half of the pipeline, shared by `check`, `eval`, the library and the REPL:
parse, check, and lint a policy that checks clean."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from . import checked as c
from . import nodes as n
from .checker import check
from .diagnostics import Diagnostic, has_errors, sort_key
from .source import Source
from .syntax import parse

if TYPE_CHECKING:
    from .lint.config import Settings


class Analysis(NamedTuple):
    module: n.Module
    diagnostics: list[Diagnostic]  # in source order
    policy: c.Policy | None  # None when a diagnostic is an error


def analyse(source: Source, settings: Settings | None = None, path: str | None = None,
            inputs: frozenset[str] | None = None) -> Analysis:
    """Every diagnostic of one policy. With `settings`, a policy without errors is linted
    too (`path` picks per-file settings; `inputs` are the fields the inputs give)."""
    module, diagnostics = parse(source)
    checked, more = check(module, source)
    diagnostics = sorted(diagnostics + more, key=sort_key)
    if has_errors(diagnostics):
        return Analysis(module, diagnostics, None)
    if settings is not None and checked is not None:
        from .lint import lint  # only the commands that lint pay for the rules
        diagnostics = sorted(diagnostics + lint(checked, module.comments, settings, path, inputs),
                             key=sort_key)
    return Analysis(module, diagnostics, checked)
