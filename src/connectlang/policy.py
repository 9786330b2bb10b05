"""The library's entry points: `compile` a policy once, `evaluate` records with it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timezone

from . import checked as c
from .analysis import analyse
from .builtins import FIELD_VALUES
from .diagnostics import PolicyError
from .evaluate import Decider, Decision, Record, Tracked, compile_policy, explain
from .source import Source
from .types import IS_A, PYTHON_TYPES, Type, encodable


class RecordError(ValueError):
    """A record handed to `evaluate` holds a value of the wrong type for its field."""


def compile(source: str, filename: str = "<policy>") -> Policy:
    """Parse and check a policy; raise `PolicyError` (with `.diagnostics`) on errors."""
    if not isinstance(source, str):
        raise TypeError(f"a policy is text (str), not {type(source).__name__}: decode it first")
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
        self.field_types = checked.field_types()
        self._read = _checks(self.field_types, fields_read(checked))
        self._all = _checks(self.field_types, self.field_types)

    @property
    def name(self) -> str | None:
        return self.checked.name

    def __repr__(self) -> str:
        rules = len(self.checked.rules)
        named = f" {self.name!r}" if self.name else ""
        return (f"<Policy{named} from {self.checked.source.name}: {rules} "
                f"rule{'s' if rules != 1 else ''} and the default>")

    def decider(self, now: datetime) -> Callable[[Record], Decision]:
        """The compiled decision function for one `now`: the fast path for many records.
        It trusts its records: one with a wrongly typed value may get any decision or
        raise; `evaluate` and `type_problem` check them."""
        decide = self._deciders.get(now)
        if decide is None:
            _check_now(now)  # a bad `now` is never cached, so checking new ones is enough
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
        problem = _record_problem(record, self._read)
        if problem is not None:
            raise RecordError(problem)
        try:
            if explain:
                return _explain(self.checked, record, _check_now(now))
            return self.decider(now)(record)
        except UnicodeEncodeError as exc:  # text RE2 cannot take: found only when it is met
            raise RecordError(self.type_problem(record) or str(exc)) from exc

    def type_problem(self, record: Record) -> str | None:
        """Why a record cannot be evaluated, naming the field; None if it can."""
        problem = _record_problem(record, self._all)
        if problem is None:
            for name in self.field_types:
                if not encodable(record.get(name)):
                    return f"field `{name}` is not valid Unicode text (it holds a lone surrogate)"
        return problem


_Checks = tuple[tuple[str, Type, Callable[[object], bool]], ...]


def _checks(types: dict[str, Type], names: Iterable[str]) -> _Checks:
    return tuple((name, types[name], IS_A[types[name]]) for name in names)


def _record_problem(record: object, checks: _Checks) -> str | None:
    if not isinstance(record, Mapping):
        return f"a record is a dict of field values, not {type(record).__name__}"
    get = record.get
    for name, ty, is_a in checks:
        value = get(name)
        if value is not None and not is_a(value):
            return f"field `{name}` should be {PYTHON_TYPES[ty]}, not {type(value).__name__} {value!r}"
    way = get("direction")  # as the readers take it: the linter reasons on that
    if isinstance(way, str) and way.casefold() not in FIELD_VALUES["direction"]:
        return f"field `direction` is {way!r}, which is neither `incoming` nor `outgoing`"
    return None


def _check_now(now: object) -> datetime:
    if not isinstance(now, datetime) or now.tzinfo is None:
        raise TypeError(f"`now` must be a timezone-aware datetime, such as "
                        f"datetime.now(timezone.utc), not {now!r}")
    return now


_explain = explain


def fields_read(policy: c.Policy) -> frozenset[str]:
    """The fields a policy's rules, lets and replies read (what a reader must type)."""
    return frozenset(node.name for node in policy.nodes() if isinstance(node, c.FieldRef))
