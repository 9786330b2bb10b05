"""connectlang: decide what to do with connection requests, by a policy you write once.

    import connectlang
    policy = connectlang.compile(source, filename="me.conn")   # raises PolicyError
    decision = policy.evaluate(record, now=now)                 # .action .line .reason .reply
"""

from .diagnostics import Diagnostic, PolicyError, Severity
from .evaluate import Decision, TraceStep
from .policy import Policy, RecordError, compile

__all__ = ["Decision", "Diagnostic", "Policy", "PolicyError", "RecordError", "Severity",
           "TraceStep", "compile"]
__version__ = "0.1.0"
