"""The library's entry points: `compile` a policy once, `evaluate` records with it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

from . import checked as c
from .analysis import analyse
from .diagnostics import PolicyError
from .evaluate import Decider, Decision, Record, Tracked, compile_policy, explain
from .source import Source
from .types import Type


class RecordError(ValueError):
    """A record handed to `evaluate` holds a value of the wrong type for its field."""


def compile(source: str, filename: str = "<policy>") -> Policy:
    """Parse and check a policy; raise `PolicyError` (with `.diagnostics`) on errors."""
    text = Source(source, filename)
    _, diagnostics, checked = analyse(text)
    if checked is None:
        raise PolicyError([d for d in diagnostics if d.severity.value == "error"], text)
    return Policy(checked)


class Policy:
    """A checked, compiled policy. Evaluating it never raises on a well-typed record."""

    def __init__(self, checked: c.Policy) -> None:
        self.checked = checked
        self._factory = compile_policy(checked)
        self._tracking_factory: Callable[[datetime], Callable[[Record], Tracked]] | None = None
        self._deciders: dict[datetime, Decider] = {}
        self.field_types = _field_types(checked)

    @property
    def name(self) -> str | None:
        return self.checked.name

    def decider(self, now: datetime) -> Callable[[Record], Decision]:
        """The compiled decision function for one `now`: the fast path for many records."""
        decide = self._deciders.get(now)
        if decide is None:
            if len(self._deciders) > 8:
                self._deciders.clear()
            decide = self._deciders[now] = self._factory(now)
        return decide

    def tracking_decider(self, now: datetime) -> Callable[[Record], Tracked]:
        """A decider that also tells, for a run's summary, whether the record passed over
        a rule it left unknown and whether the deciding rule tested a missing field."""
        if self._tracking_factory is None:
            self._tracking_factory = compile_policy(self.checked, tracking=True)
        return self._tracking_factory(now)

    def evaluate(self, record: Record, now: datetime | None = None,
                 explain: bool = False) -> Decision:
        """Decide one record. `now` defaults to the current time; pass one `now` for a
        whole run so it is reproducible. `explain=True` adds the trace of rules tried."""
        now = datetime.now(timezone.utc) if now is None else now
        try:
            if explain:
                return _explain(self.checked, record, now)
            return self.decider(now)(record)
        except (TypeError, AttributeError, UnicodeEncodeError) as exc:
            problem = self.type_problem(record)
            if problem is None:
                raise
            raise RecordError(problem) from exc

    def type_problem(self, record: Record) -> str | None:
        """Why a record cannot be evaluated, naming the field; None if it can."""
        for name, ty in self.field_types.items():
            value = record.get(name)
            if value is not None and not has_type(value, ty):
                return f"field `{name}` should be {_PYTHON_TYPES[ty]}, not {type(value).__name__} {value!r}"
        return None


_explain = explain

_PYTHON_TYPES = {Type.BOOL: "a bool", Type.INT: "an int", Type.STRING: "a str",
                 Type.DURATION: "a timedelta", Type.TIME: "a timezone-aware datetime",
                 Type.LIST: "a list of str"}


def has_type(value: object, ty: Type) -> bool:
    """Whether a Python value is one of type `ty` (`evaluate` takes no other)."""
    from datetime import timedelta
    if ty is Type.BOOL:
        return isinstance(value, bool)
    if ty is Type.INT:
        return isinstance(value, int) and not isinstance(value, bool)
    if ty is Type.STRING:
        return isinstance(value, str) and _encodable(value)
    if ty is Type.DURATION:
        return isinstance(value, timedelta)
    if ty is Type.TIME:
        return isinstance(value, datetime) and value.tzinfo is not None
    return isinstance(value, (list, tuple)) and all(
        isinstance(v, str) and _encodable(v) for v in value)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _field_types(policy: c.Policy) -> dict[str, Type]:
    from .builtins import STANDARD_FIELDS
    types = {name: f.type for name, f in STANDARD_FIELDS.items()}
    types.update((f.name, f.ty) for f in policy.fields)
    return types


def fields_read(policy: c.Policy) -> frozenset[str]:
    """The fields a policy's rules, lets and replies read (what a reader must type)."""
    return frozenset(node.name for node in policy.nodes() if isinstance(node, c.FieldRef))
