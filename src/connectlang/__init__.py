"""connectlang: decide what to do with connection requests, by a policy you write once.

    import connectlang
    policy = connectlang.compile(source, filename="me.conn")   # raises PolicyError
    decision = policy.evaluate(record, now=now)                 # .action .line .reason .reply
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .diagnostics import Diagnostic, PolicyError, Severity
    from .evaluate import Decision, TraceStep
    from .policy import Policy, RecordError, compile

__all__ = ["Decision", "Diagnostic", "Policy", "PolicyError", "RecordError", "Severity",
           "TraceStep", "compile"]
__version__ = "0.1.0"

# Loaded on first use, so `connectlang --help` does not pay for the parser and RE2.
_HOMES = {"Diagnostic": "diagnostics", "PolicyError": "diagnostics", "Severity": "diagnostics",
          "Decision": "evaluate", "TraceStep": "evaluate", "Policy": "policy",
          "RecordError": "policy", "compile": "policy"}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'connectlang' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)
