"""Which records make a rule fire: exact reasoning under the spec's three-valued logic.

Every value a policy tests becomes a variable whose values fall into finitely many
*regions*, the classes of values no condition of the policy can tell apart: for a
number, duration or time, the intervals between the constants it is compared with;
for a string, each constant it is compared with (case-folded) and "any other" (for
`direction`, only the values it takes); for a bool, false and true; and "missing",
unless the field has a default. A test the regions cannot settle (`message matches
/free/`, `headline contains "CEO"`, two fields compared) becomes a variable of its own;
one for a comparison however it is written (`a < b` is `b > a`, and `a <= b` is its
negation on present operands).
Treating such tests as independent can only add combinations that no record has, so
every "no record can ..." conclusion drawn here holds for real records: the linter
never calls a reachable rule unreachable. Some of what tests of one text say of each
other is written in, each a plain fact about every text: a text holding "agency
recruiter" holds "recruiter", one equal to "head of sales" starts with "head of", one
holding any word is not empty, and every text holds "" and matches `/free|/`.

A condition is compiled twice, into the formula for "is true" and the one for "is
false" (Kleene logic, as the evaluator compiles it: `not a` is true when `a` is
false; a test with a missing operand is neither), in negation normal form over
literals "variable in these regions". Satisfiability is a search over boxes (a set
of regions per variable) that branches only on disjunctions and gives up, soundly
saying nothing, past a work budget. A formula too large to search is replaced by a
variable of its own (see MAX_FORMULA).
"""

from __future__ import annotations

import contextlib
import operator
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any, NamedTuple

from .. import checked as c
from ..builtins import FIELD_VALUES
from ..regex import Regex, matches_everything, sample
from ..types import Type

MISSING = 0  # region 0 of every variable that can be missing
# A number compared with more constants than this (a generated list of thresholds) has
# its tests taken as independent variables: sound, and linear in the rules, not square.
MAX_REGIONS = 1000
# A text tested for more words than this (a generated blocklist) has its tests taken as
# independent: what one says of another is left out, which is sound and stays linear.
MAX_IMPLIED = 200


# -- formulas --------------------------------------------------------------------

class Lit(NamedTuple):
    """True when variable `var` has one of `regions`."""

    var: int
    regions: frozenset[int]


class All(NamedTuple):
    parts: tuple[Formula, ...]


class AnyOf(NamedTuple):
    parts: tuple[Formula, ...]


class _Const(NamedTuple):
    value: bool


TRUE, FALSE = _Const(True), _Const(False)
Formula = Lit | All | AnyOf | _Const


def conj(parts: Iterable[Formula]) -> Formula:
    """All of the parts, each once (`a and a` is `a`); literals on one variable become
    one (their regions' overlap)."""
    flat = _gather(parts, All, FALSE, frozenset.__and__)
    return FALSE if flat is None else TRUE if not flat else flat[0] if len(flat) == 1 else All(
        tuple(flat))


def disj(parts: Iterable[Formula]) -> Formula:
    """Any of the parts, each once (`a or a` is `a`); literals on one variable become one
    (their regions together), so a generated `or` of 1,000 addresses stays one literal."""
    flat = _gather(parts, AnyOf, TRUE, frozenset.__or__)
    return TRUE if flat is None else FALSE if not flat else flat[0] if len(flat) == 1 else AnyOf(
        tuple(flat))


def _gather(parts: Iterable[Formula], nested: type[All] | type[AnyOf], absorbing: _Const,
            merge: Any) -> list[Formula] | None:
    """The parts of a conjunction (`nested` All) or a disjunction (AnyOf) flattened, each
    once, the literals on one variable merged; None when the whole is `absorbing` (FALSE
    for a conjunction: a part is false, or two literals have no region in common)."""
    neutral = FALSE if absorbing is TRUE else TRUE
    flat: list[Formula] = []
    literals: dict[int, int] = {}  # var -> its literal's place in flat
    others: set[Formula] = set()
    for part in parts:
        if part is absorbing:
            return None
        for item in part.parts if isinstance(part, nested) else (part,):
            if item is neutral:
                continue
            if isinstance(item, Lit):
                if item.var in literals:
                    at = literals[item.var]
                    regions = merge(flat[at].regions, item.regions)  # type: ignore[union-attr]
                    if not regions and absorbing is FALSE:  # (in a disjunction: a false part)
                        return None
                    flat[at] = Lit(item.var, regions)
                    continue
                literals[item.var] = len(flat)
            elif item in others:
                continue
            else:
                others.add(item)
            flat.append(item)
    return flat


# -- variables -------------------------------------------------------------------

class Var(NamedTuple):
    """A tested value: a field, a value derived from one, or a test of its own."""

    universe: frozenset[int]  # the regions a value can be in
    default: int  # the region a witness takes when nothing asks for another


_NO_CONST = object()


class _Numeric:
    """A number, duration or time: its constants, then its regions."""

    __slots__ = ("at_least", "constants", "overflow", "samples", "ty", "whole", "within_calendar")

    def __init__(self, whole: bool, ty: Type, at_least: Any = None, within_calendar: bool = False) -> None:
        self.whole = whole  # integers: no value lies strictly between n and n + 1
        self.ty = ty  # int, duration or time
        self.at_least = at_least  # counts and lengths are never negative
        # an age lies within the calendar's 10,000 years: never near the ends of its type
        self.within_calendar = within_calendar
        self.constants: set[Any] = set()
        self.samples: list[Any] = []  # a value in each region (from 1)
        self.overflow = False  # too many constants: tests on it are variables of their own


class Space:
    """The variables of one policy and the formulas of its conditions."""

    def __init__(self, policy: c.Policy) -> None:
        self.policy = policy
        self.defaults = policy.defaults()
        self.vars: list[Var] = []
        self.keys: list[tuple[Any, ...]] = []  # what each variable stands for
        self._ids: dict[tuple[Any, ...], int] = {}
        self._numeric: dict[str, _Numeric] = {}
        self._strings: dict[str, dict[str, int]] = {}  # field -> constant -> its region
        self._texts: dict[str, set[tuple[str, str]]] = {}  # field -> its text tests (kind, word)
        self._text_tests: dict[tuple[str, str, str, bool], Formula] = {}  # made once
        self._constant_of: dict[str, dict[int, str]] = {}  # field -> region -> its constant
        self._memo: dict[tuple[int, bool], Formula] = {}
        self._present: dict[str, Lit] = {}
        self._regions: dict[tuple[Any, ...], Lit] = {}  # a test's literal, made once
        self._comparisons: dict[int, tuple[tuple[str, str], str, Any] | None] = {}  # by id(op)
        self.shape = Shapes(policy)
        self.stand_ins: set[int] = set()  # variables standing for formulas too large
        self.tests: dict[int, c.Op] = {}  # a test of its own: its variable, a node of it
        for rule in policy.rules:  # constants first: they make the regions
            assert rule.condition is not None
            self._collect(rule.condition)
        self._finish_numbers()

    # constants

    def _collect(self, expr: c.Expr) -> None:
        for node in self.policy.walk(expr):
            if isinstance(node, c.Op):
                self._constants_of(node)

    def _constants_of(self, op: c.Op) -> None:
        kind = _TEXT_TESTS.get(op.op)
        if kind is not None:  # (a word of no text test: `contains ""` is always true)
            term, words = self._term(op.args[0]), self._const(op.args[1])
            if term is not None and term[0] == "string" and words is not _NO_CONST:
                self._texts.setdefault(term[1], set()).update(
                    (kind, word.casefold()) for word in _each(words) if word)
            return
        test = self._comparison(op)
        if test is None:
            return
        term, _, constant = test
        kind, name = term
        if kind == "number":
            self._numeric[name].constants.add(constant)
        elif kind == "string":
            for value in constant if isinstance(constant, tuple) else (constant,):
                regions = self._strings[name]
                regions.setdefault(value, 2 + len(regions))

    def _comparison(self, op: c.Op) -> tuple[tuple[str, str], str, Any] | None:
        """(term, operation, constant) for a test of one value against constants."""
        key = id(op)
        if key not in self._comparisons:
            self._comparisons[key] = self._compare(op)
        return self._comparisons[key]

    def _compare(self, op: c.Op) -> tuple[tuple[str, str], str, Any] | None:
        if op.op == "within" and self._const(op.args[1]) is not _NO_CONST:
            term = self._term(c.Op(op.span, Type.DURATION, "age", (op.args[0],)))
            return (term, "le", self._const(op.args[1])) if term else None
        if op.op not in ("eq", "ne", "lt", "le", "gt", "ge", "in") or len(op.args) != 2:
            return None
        left, right = op.args
        name, constant = op.op, self._const(right)
        if constant is _NO_CONST:
            name, constant, left = _FLIPPED.get(op.op, ""), self._const(left), right
            if not name or constant is _NO_CONST:
                return None
        term = self._term(left)
        if term is None or term[0] not in ("number", "string", "bool"):
            return None
        if term[0] == "string":
            constant = (tuple(v.casefold() for v in constant) if isinstance(constant, tuple)
                        else constant.casefold())
        return term, name, constant

    def _const(self, expr: c.Expr) -> Any:
        if isinstance(expr, c.Const):
            return expr.value
        if isinstance(expr, c.LetRef):
            return self._const(self.policy.let(expr.name).expr)
        return _NO_CONST

    def _term(self, expr: c.Expr) -> tuple[str, str] | None:
        """A value a variable stands for: (`number`|`string`|`bool`|`list`, its name)."""
        if isinstance(expr, c.LetRef):
            return self._term(self.policy.let(expr.name).expr)
        if isinstance(expr, c.FieldRef):
            kind = {Type.INT: "number", Type.DURATION: "number", Type.TIME: "number",
                    Type.STRING: "string", Type.BOOL: "bool", Type.LIST: "list"}[expr.ty]
            if kind == "number":
                self._numeric.setdefault(expr.name, _Numeric(expr.ty is Type.INT, expr.ty))
            if kind == "string":
                self._strings.setdefault(expr.name, {})
            return kind, expr.name
        if isinstance(expr, c.Op) and expr.op in ("count", "length", "age"):
            inner = self._term(expr.args[0])
            if inner is None:
                return None
            name = f"{expr.op}({inner[1]})"
            self._numeric.setdefault(name, _Numeric(expr.op != "age", expr.ty,
                                                    at_least=0 if expr.op != "age" else None,
                                                    within_calendar=expr.op == "age"))
            return "number", name
        return None

    def _finish_numbers(self) -> None:
        for number in self._numeric.values():
            _finish(number)

    # variables

    def var(self, key: tuple[Any, ...], regions: int, missing: bool, default: int | None = None,
            never: frozenset[int] = frozenset()) -> int:
        """The variable of `key`, with regions 0 (missing, if it can be) to `regions` - 1,
        but for those it `never` takes."""
        found = self._ids.get(key)
        if found is None:
            universe = frozenset(range(regions)) - (frozenset() if missing else {MISSING}) - never
            found = self._ids[key] = len(self.vars)
            self.keys.append(key)
            self.vars.append(Var(universe, default if default is not None
                                 else MISSING if missing else min(universe)))
        return found

    def _may_be_missing(self, name: str) -> bool:
        return name not in self.defaults

    def _field_var(self, kind: str, name: str) -> int:
        known = self._ids.get((kind, name))
        if known is not None:
            return known
        # A derived value (`count(x)`) has no missing region: it is present when x is.
        missing = "(" not in name and self._may_be_missing(name)
        if kind == "bool":
            default = self.defaults.get(name)
            return self.var(("bool", name), 3, missing,  # missing, false, true
                            None if default is None else 2 if default else 1)
        if kind == "string":  # missing, another value, then each constant
            constants = self._strings.get(name, {})
            given = self.defaults.get(name)
            region = None if given is None else constants.get(str(given).casefold(), 1)
            allowed = FIELD_VALUES.get(name)  # `direction`: no other value is read
            never = frozenset() if allowed is None else frozenset(
                {r for value, r in constants.items() if value not in allowed}
                | ({1} if set(allowed) <= constants.keys() else set()))
            return self.var(("string", name), 2 + len(constants), missing, region, never)
        if kind == "list":
            return self.var(("list", name), 2, missing)  # missing, given
        number = self._numeric[name]
        if not number.samples:  # first met after the constants were gathered: it has none
            _finish(number)
        default = None
        if "(" in name or not missing:  # derived values are present exactly when their field is
            default = 1
        return self.var(("number", name), 1 + len(number.samples), missing, default)

    def _atom(self, key: tuple[Any, ...]) -> int:
        """A test of its own: false (region 1) or true (2); its operands' presence apart."""
        return self.var(("atom", *key), 3, False, 1)

    # formulas

    def exact(self, formulas: Iterable[Formula]) -> bool:
        """Whether no variable in the formulas stands for a formula too large to write
        out. A stand-in can be true or false in combinations no record has: a search
        that finds no record still holds, one that finds a record may not."""
        if not self.stand_ins:
            return True
        stack = list(formulas)
        while stack:
            formula = stack.pop()
            if isinstance(formula, Lit):
                if formula.var in self.stand_ins:
                    return False
            elif isinstance(formula, (All, AnyOf)):
                stack.extend(formula.parts)
        return True

    def true(self, expr: c.Expr) -> Formula:
        return self._form(expr, True)

    def false(self, expr: c.Expr) -> Formula:
        return self._form(expr, False)

    def _form(self, expr: c.Expr, want: bool) -> Formula:
        key = (id(expr), want)
        found = self._memo.get(key)
        if found is None:
            found = self._build(expr, want)
            if _larger(found, MAX_FORMULA):  # `let`s that each use the one before twice
                var = self.var(("too large", self.shape(expr)), 3, True)  # missing: unknown
                self.stand_ins.add(var)
                found = Lit(var, frozenset({2 if want else 1}))
            self._memo[key] = found
        return found

    def _build(self, expr: c.Expr, want: bool) -> Formula:
        if isinstance(expr, c.Const):
            return TRUE if bool(expr.value) is want else FALSE
        if isinstance(expr, c.LetRef):
            return self._form(self.policy.let(expr.name).expr, want)
        if isinstance(expr, c.FieldRef):
            return Lit(self._field_var("bool", expr.name), frozenset({2 if want else 1}))
        if isinstance(expr, c.Not):
            return self._form(expr.operand, not want)
        if isinstance(expr, (c.And, c.Or)):
            parts = [self._form(o, want) for o in expr.operands]
            return conj(parts) if isinstance(expr, c.And) is want else disj(parts)
        assert isinstance(expr, c.Op)
        if expr.op in ("is_missing", "is_not_missing"):
            present = self.present(expr.args[0])
            return present if (expr.op == "is_not_missing") is want else negate(present, self.vars)
        constants = [self._const(a) for a in expr.args]
        if all(value is not _NO_CONST for value in constants):
            from ..evaluate import OPERATIONS  # (rare: a test of constants only)
            if expr.op in OPERATIONS:
                return TRUE if bool(OPERATIONS[expr.op](*constants)) is want else FALSE
        return conj([*(self.present(a) for a in expr.args), self._test(expr, want)])

    def present(self, expr: c.Expr) -> Formula:
        """The formula for "this value is not missing"."""
        if isinstance(expr, c.Const):
            return TRUE
        if isinstance(expr, c.LetRef):
            return self.present(self.policy.let(expr.name).expr)
        if isinstance(expr, c.FieldRef):
            if not self._may_be_missing(expr.name):
                return TRUE
            found = self._present.get(expr.name)
            if found is None:
                kind = self._term(expr)
                assert kind is not None
                var = self._field_var(kind[0], expr.name)
                found = self._present[expr.name] = Lit(var, self.vars[var].universe - {MISSING})
            return found
        if isinstance(expr, c.Op) and expr.ty is not Type.BOOL:
            return self.present(expr.args[0])  # count, length, age
        return disj([self.true(expr), self.false(expr)])

    def _test(self, op: c.Op, want: bool) -> Formula:
        """The test on present operands."""
        test = self._comparison(op)
        if test is not None and test[0][0] == "number" and self._numeric[test[0][1]].overflow:
            test = None
        if test is not None:
            (kind, name), operation, constant = test
            var = self._field_var(kind, name)
            if kind == "string" and operation in ("eq", "ne", "in"):  # (many constants: no loop)
                named = frozenset(self._strings[name][v]
                                  for v in (constant if operation == "in" else (constant,)))
                if (operation != "ne") is want:
                    return self._equal(var, name, named)
                other = Lit(var, self.vars[var].universe - {MISSING} - named)
                empty = self._strings[name].get("")  # not "": not empty either
                return other if empty not in named else conj([other, self._not_empty(name, True)])
            key = (var, operation, constant, want)
            found = self._regions.get(key)
            if found is None:
                present = self.vars[var].universe - {MISSING}
                found = self._regions[key] = Lit(var, frozenset(
                    r for r in present if _holds(operation, self._value(kind, name, r), constant) is want))
            return found
        where = _TEXT_TESTS.get(op.op) or ("item" if op.op in ("has", "has_any") else None)
        word, items = op.args if op.op == "in" and len(op.args) == 2 else (None, None)
        if word is not None and items is not None and self._const(word) is not _NO_CONST:
            where, op = "item", c.Op(op.span, op.ty, "has", (items, word))  # `"py" in shared_groups`
        if where is not None:
            words = self._const(op.args[1])
            term = self._term(op.args[0])
            if words is not _NO_CONST and term is not None:
                each = [self._text_test(where, term[1], word.casefold(), want) for word in _each(words)]
                return disj(each) if want else conj(each)
        regex = self._const(op.args[1]) if op.op == "matches" else None
        if isinstance(regex, Regex) and matches_everything(regex):  # `/free|/`, `/.*/`
            return TRUE if want else FALSE
        shape, negated = self._test_key(op)
        atom = self._atom(("test", shape))
        self.tests.setdefault(atom, op)
        return Lit(atom, frozenset({2 if want is not negated else 1}))

    def _test_key(self, op: c.Op) -> tuple[object, bool]:
        """A test of its own as one key for all the ways to write it, and whether the
        test is the key's negation: `sent_at < last_interaction` is `last_interaction >
        sent_at`, and on present operands `a <= b` is not `a > b`, `a != b` not `a == b`."""
        if op.op not in _FLIPPED or len(op.args) != 2:
            return self.shape(op), False
        left, right = (self.shape(arg) for arg in op.args)
        name = op.op
        if left > right:
            left, right, name = right, left, _FLIPPED[name]
        complement = _COMPLEMENT.get(name)
        return ("compare", complement or name, left, right), complement is not None

    def _text_test(self, kind: str, name: str, word: str, want: bool) -> Formula:
        """A present text holds `word` (`kind` within), starts (start) or ends (end) with
        it, or a present list holds it as an item (item): true or false as `want` says,
        with what that says of the field's other tests."""
        if not word and kind != "item":
            return TRUE if want else FALSE  # every text holds, starts and ends with ""
        key = (kind, name, word, want)
        found = self._text_tests.get(key)
        if found is None:
            parts: list[Formula] = [Lit(self._atom((kind, name, word)), frozenset({2 if want else 1}))]
            if kind != "item":
                parts.extend(self._implied(kind, name, word, want))
            if want:  # a text holding a word, or a list an item, is not empty
                parts.append(self._not_empty(name, kind != "item"))
            found = self._text_tests[key] = conj(parts)
        return found

    def _implied(self, kind: str, name: str, word: str, want: bool) -> list[Formula]:
        """What a text test's outcome says of the field's other ones and of its equality
        tests: `contains "agency recruiter"` holds `contains "recruiter"`; not `starts_with
        "head of"` rules out `starts_with "head of sales"` and `== "head of sales"`."""
        tests = self._related(name)
        if want:
            return [Lit(self._atom((k, name, w)), frozenset({2})) for k, w in tests
                    if (k, w) != (kind, word) and _implies(kind, word, k, w)]
        parts: list[Formula] = [Lit(self._atom((k, name, w)), frozenset({1})) for k, w in tests
                                if (k, w) != (kind, word) and _implies(k, w, kind, word)]
        ruled_out = frozenset(region for value, region in self._strings.get(name, {}).items()
                              if _implies("eq", value, kind, word))
        if ruled_out:
            var = self._field_var("string", name)
            parts.append(Lit(var, self.vars[var].universe - ruled_out))
        return parts

    def _related(self, name: str) -> set[tuple[str, str]]:
        """The text tests of a field that say something of each other: none past
        MAX_IMPLIED (a generated blocklist), whose tests are then each taken alone."""
        tests = self._texts.get(name, set())
        return tests if len(tests) <= MAX_IMPLIED else set()

    def _equal(self, var: int, name: str, named: frozenset[int]) -> Formula:
        """The text equals the constant of one of the `named` regions, with what that
        says of its other tests: `== "head of sales"` holds `starts_with "head of"`, and
        where the policy measures the text's length, `== ""` is `length(x) == 0` and
        any other constant makes it at least 1 (so `message == ""` and `has_message`
        between them decide every record)."""
        nonempty = self._not_empty(name, True)
        if not self._related(name) and nonempty is TRUE:
            return Lit(var, named)
        plain = set(named)
        parts: list[Formula] = []
        empty = self._strings[name].get("")
        if empty in plain and nonempty is not TRUE:
            plain.discard(empty)
            parts.append(negate(nonempty, self.vars))
        if self._related(name):
            if name not in self._constant_of:
                self._constant_of[name] = {region: value for value, region in self._strings[name].items()}
            for region in sorted(plain):
                implied = self._implied("eq", name, self._constant_of[name][region], True)
                if implied:
                    plain.discard(region)
                    parts.append(conj([Lit(var, frozenset({region})), nonempty, *implied]))
        if plain:
            parts.append(conj([Lit(var, frozenset(plain)), nonempty]))
        return disj(parts)

    def _not_empty(self, name: str, text: bool) -> Formula:
        """`length(name) >= 1` (a text) or `count(name) >= 1` (a list), where the policy
        measures it (`has_message`, `shared_group`): so `shared_groups contains "x"`
        implies `shared_group`, and `message contains "free"` implies `has_message`."""
        size = f"{'length' if text else 'count'}({name})"
        if size not in self._numeric or self._numeric[size].overflow:  # (its tests: independent)
            return TRUE
        var = self._field_var("number", size)
        return Lit(var, frozenset(r for r in self.vars[var].universe - {MISSING}
                                  if self._value("number", size, r) >= 1))

    def record(self, point: dict[int, int], now: datetime) -> dict[str, Any] | None:
        """A record with the values of a point, as `now` sees them. Tests taken as
        independent may not be met together by any value, and a regex or two fields
        compared get no value of their own: what the record really does is for the
        evaluator to say. None when the point needs a list or text too long to build
        (`count(shared_groups) > 100000000`)."""
        values: dict[str, Any] = {}
        other: set[str] = set()  # strings equal to none of the constants they are compared with
        words: dict[str, set[str]] = {}  # the words a text or list must hold
        ends: dict[str, tuple[str, str]] = {}  # what a text must start and end with
        sizes: dict[str, int] = {}  # the length of a text, or the count of a list, asked for
        for var, region in point.items():
            key = self.keys[var]
            if key[0] == "atom":
                if region != 2:
                    continue
                where, name, text = key[1:] if key[1] != "test" else self._piece(self.tests[var])
                if where in ("within", "item"):
                    words.setdefault(name, set()).add(text)
                elif where in ("start", "end"):  # the longer of two starts has them both
                    start, end = ends.get(name, ("", ""))
                    ends[name] = ((max(start, text, key=len), end) if where == "start"
                                  else (start, max(end, text, key=len)))
                continue
            kind, name = key
            if region == MISSING:
                continue
            if kind == "list":
                values.setdefault(name, [])
            elif kind == "string" and region == 1:
                other.add(name)
            elif kind != "number" or "(" not in name:
                values[name] = self._value(kind, name, region)
                number = self._numeric.get(name)
                if number is not None and not number.constants:  # a value of its type will do
                    values[name] = {Type.TIME: now, Type.DURATION: timedelta(0)}.get(number.ty, 0)
            elif name.startswith("age("):
                age = self._value(kind, name, region)
                values[name[4:-1]] = _ago(now, age if isinstance(age, timedelta) else timedelta(0))
            elif self._value(kind, name, region) > _LONGEST_BUILT:
                return None
            elif name.startswith("count("):
                sizes[name[6:-1]] = self._value(kind, name, region)
                values[name[6:-1]] = [f"item {i}" for i in range(sizes[name[6:-1]])]
            else:  # length(name): a text of that length, unless words must be in it
                sizes[name[7:-1]] = self._value(kind, name, region)
                values[name[7:-1]] = "x" * sizes[name[7:-1]]
        for name, has in words.items():  # the words first, then filler to the size asked
            if isinstance(values.get(name), list) or name not in self._strings:
                items = sorted(has)
                values[name] = items + [f"item {i}" for i in range(sizes.get(name, 0) - len(items))]
            elif name not in values or name in sizes:
                text = " ".join(sorted(has))
                values[name] = text + "x" * (sizes.get(name, 0) - len(text))
        for name, (start, end) in ends.items():
            if name not in values or name in words:
                values[name] = " ".join(filter(None, (start, values.get(name), end)))
        for name, allowed in FIELD_VALUES.items():  # a value no reader takes makes no record
            if name in values and str(values[name]).casefold() not in allowed:
                return None
        for name in other - values.keys():
            values[name] = next((value for value in FIELD_VALUES.get(name, ())
                                 if value not in self._strings[name]), "~")
            while values[name].casefold() in self._strings[name]:
                values[name] += "!"
        for var, op in self.tests.items():  # (a test the point leaves out is at its default: false)
            if point.get(var, self.vars[var].default) == 1:
                self._unmatched(op, values)
            if var in point:
                self._compared(self.keys[var][2], op, point[var] == 2, values)
        return values

    def _compared(self, shape: Any, op: c.Op, holds: bool, values: dict[str, Any]) -> None:
        """Two fields compared (`mutual_connections > connections`, as `_test_key` keys
        it) get values that make the test hold or not as asked: the first keeps its
        value, and the second is set one step below, at or above it."""
        if not (isinstance(shape, tuple) and shape[0] == "compare"):
            return
        _, name, left, right = shape
        terms = {self.shape(arg): self._term(arg) for arg in op.args}
        first, second = terms.get(left), terms.get(right)
        if first is None or second is None or first[1] == second[1] or "(" in first[1] + second[1] or (
                first[1] not in values or values[first[1]] is None):
            return
        base = values[first[1]]
        step: Any = (timedelta(seconds=1) if isinstance(base, (datetime, timedelta)) else
                     1 if isinstance(base, int) and not isinstance(base, bool) else None)
        try:
            if name == "eq":
                values[second[1]] = base if holds else (
                    base + step if step is not None else base + "!" if isinstance(base, str) else
                    not base if isinstance(base, bool) else base)
            elif step is not None:
                values[second[1]] = base if not holds else base - step if name == "gt" else base + step
        except OverflowError:  # at the calendar's end: the evaluator judges the record as it is
            pass

    def _unmatched(self, op: c.Op, values: dict[str, Any]) -> None:
        """A text left to its default, which a regex the record must not match matches
        (`message matches /^$/`, false: `message` is not ""), gets one it does not."""
        term = self._term(op.args[0]) if op.op == "matches" else None
        regex = self._const(op.args[1]) if term is not None else None
        default = self.defaults.get(term[1]) if term is not None else None
        if term is None or not isinstance(regex, Regex) or term[1] in values or not (
                isinstance(default, str) and regex.search(default)):
            return
        values[term[1]] = next((text for text in ("~", "x", "0", " ") if not regex.search(text)), default)

    def _piece(self, op: c.Op) -> tuple[str, str, str]:
        """For a test of its own, where its text goes in a witness, the field and the text:
        a sample of a regex goes within; ("", "", "") when there is none to give."""
        term = self._term(op.args[0]) if op.args else None
        constant = self._const(op.args[1]) if len(op.args) == 2 else _NO_CONST
        if term is None or term[0] != "string" or not isinstance(constant, Regex):
            return "", "", ""
        text = sample(constant)
        return ("", "", "") if text is None else ("within", term[1], text)

    def _value(self, kind: str, name: str, region: int) -> Any:
        if kind == "number":
            return self._numeric[name].samples[region - 1]
        if kind == "string":
            return None if region == 1 else list(self._strings[name])[region - 2]
        return region == 2  # bool


_FLIPPED = {"eq": "eq", "ne": "ne", "lt": "gt", "le": "ge", "gt": "lt", "ge": "le"}
_COMPLEMENT = {"le": "gt", "ge": "lt", "ne": "eq"}  # on present operands
# The tests of a text for a word, by where the word is.
_TEXT_TESTS = {"contains": "within", "contains_any": "within", "starts_with": "start",
               "ends_with": "end"}


def _each(words: Any) -> tuple[str, ...]:
    """The words of a test: one (`contains "x"`) or a list's (`contains_any [...]`)."""
    return words if isinstance(words, tuple) else (words,)


def _implies(k1: str, a: str, k2: str, b: str) -> bool:
    """Whether every text that `==` a (k1 `eq`), holds a (`within`), starts (`start`) or
    ends (`end`) with it passes the test (k2, b) too; words case-folded, as compared."""
    if k2 == "within":
        return b in a
    if k2 == "start":
        return k1 in ("eq", "start") and a.startswith(b)
    return k2 == "end" and k1 in ("eq", "end") and a.endswith(b)


_ORDER = {"lt": operator.lt, "le": operator.le, "gt": operator.gt, "ge": operator.ge}


def _finish(number: _Numeric) -> None:
    """Sample values, one per region: below, at and between the constants, and above.
    A count or length has 0 as a region of its own: empty or not is what a text's or
    list's other tests say of it."""
    if len(number.constants) > MAX_REGIONS:
        number.overflow, number.constants = True, set()
    elif number.at_least == 0:
        number.constants.add(0)
    points = sorted(number.constants)
    samples: list[Any] = []
    low = number.at_least
    for i, point in enumerate(points):
        gap = _between(points[i - 1] if i else None, point, number)
        if gap is not None and (low is None or gap >= low):
            samples.append(gap)
        if low is None or point >= low:
            samples.append(point)
    top = _between(points[-1], None, number) if points else low or 0
    if top is not None:
        samples.append(top)
    number.samples = samples


_LONGEST_BUILT = 100_000  # items of a list, characters of a text, a witness may hold


def _ago(now: datetime, age: timedelta) -> datetime:
    """The time `age` before `now`, or the calendar's end in that direction when it is
    further (an age of 10^14 seconds)."""
    try:
        return now - age
    except OverflowError:
        end: datetime = _EXTREMES[datetime][age < timedelta(0)]
        return end


def _holds(operation: str, value: Any, constant: Any) -> bool:
    if operation == "in":
        return value is not None and value in constant
    if operation in ("eq", "ne"):
        return (value == constant) is (operation == "eq")  # None: another string
    return bool(_ORDER[operation](value, constant))


def _between(low: Any, high: Any, number: _Numeric) -> Any:
    """A value strictly between two constants, or beyond one; None when there is none
    (two times a microsecond apart; nothing before the calendar's first instant)."""
    whole = number.whole
    if low is None or high is None:
        edge = high if low is None else low
        try:
            return edge - _unit(edge, whole) if low is None else edge + _unit(edge, whole)
        except OverflowError:  # a record may still hold the last value the type has
            if number.within_calendar:
                return None
            extreme = _EXTREMES[type(edge)][low is not None]
            return extreme if (extreme < edge if low is None else edge < extreme) else None
    if whole:
        return low + 1 if high - low > 1 else None
    try:
        middle = low + (high - low) / 2
    except OverflowError:  # a time near the calendar's end, counted in its offset's clock
        middle = high - (high - low) / 2
    return middle if low < middle < high else None


def _unit(value: Any, whole: bool) -> Any:
    return timedelta(seconds=1) if isinstance(value, (timedelta, datetime)) and not whole else 1


_EXTREMES: dict[type, tuple[Any, Any]] = {
    datetime: (datetime.min.replace(tzinfo=timezone.utc), datetime.max.replace(tzinfo=timezone.utc)),
    timedelta: (timedelta.min, timedelta.max)}


class Shapes:
    """What expressions compute, spans left out, as numbers: the same number for the
    same computation (`and` and `or` take their operands in any order). A `let`'s
    number is made once, so a chain of `let`s each using the one before twice costs
    its length, not 2 to its length."""

    def __init__(self, policy: c.Policy) -> None:
        self.policy = policy
        self._numbers: dict[tuple[Any, ...], int] = {}
        self._lets: dict[str, int] = {}

    def __call__(self, expr: c.Expr) -> int:
        if isinstance(expr, c.LetRef):
            number = self._lets.get(expr.name)
            if number is None:
                number = self._lets[expr.name] = self(self.policy.let(expr.name).expr)
            return number
        key: tuple[Any, ...]
        if isinstance(expr, c.Const):
            key = ("const", repr(expr.value))
        elif isinstance(expr, c.FieldRef):
            key = ("field", expr.name)
        elif isinstance(expr, c.Op) and expr.op in _CASELESS:  # `contains "CRYPTO"` is `"crypto"`'s
            key = (expr.op, *(self(_folded(arg)) for arg in expr.args))
        elif isinstance(expr, c.Op):
            key = (expr.op, *map(self, expr.args))
        elif isinstance(expr, (c.And, c.Or)):  # in any order, each once: `b and a` is `a and b`
            key = (type(expr).__name__, *sorted(set(map(self, expr.operands))))
        else:
            key = (type(expr).__name__, *map(self, c.children(expr)))
        return self._numbers.setdefault(key, len(self._numbers))


# The tests that compare text ignoring case (`length` and `matches` do not).
_CASELESS = {"eq", "ne", "contains", "has", "contains_any", "has_any", "starts_with", "ends_with", "in"}


def _folded(expr: c.Expr) -> c.Expr:
    """A text constant, or a list of them, case-folded; anything else as it is."""
    if isinstance(expr, c.Const) and isinstance(expr.value, str):
        return c.Const(expr.span, expr.ty, expr.value.casefold())
    if isinstance(expr, c.Const) and isinstance(expr.value, tuple) and all(
            isinstance(item, str) for item in expr.value):
        return c.Const(expr.span, expr.ty, tuple(item.casefold() for item in expr.value))
    return expr


# A formula larger than this, written out as a tree, is replaced by a variable of its
# own (a stand-in): true, false or unknown in any combination with the rest. That can
# hide a "no record can ..." finding, never make a false one; a rule that claims some
# record exists (L401) checks `Space.exact` first. Conditions people write, generated
# lists of words included, are far smaller; the lets that reach it each use the one
# before twice.
MAX_FORMULA = 20_000


def _larger(formula: Formula, limit: int) -> bool:
    """Whether the formula, written out as a tree, has more than `limit` nodes."""
    stack, count = [formula], 0
    while stack:
        node = stack.pop()
        count += 1
        if count > limit:
            return True
        if isinstance(node, (All, AnyOf)):
            stack.extend(node.parts)
    return False


def negate(formula: Formula, universes: Sequence[Var] | None = None) -> Formula:
    """The formula's negation, in negation normal form (literals take the other regions)."""
    if formula is TRUE:
        return FALSE
    if formula is FALSE:
        return TRUE
    if isinstance(formula, Lit):
        assert universes is not None
        return Lit(formula.var, universes[formula.var].universe - formula.regions)
    if isinstance(formula, All):
        return disj(negate(p, universes) for p in formula.parts)
    assert isinstance(formula, AnyOf)
    return conj(negate(p, universes) for p in formula.parts)


# -- search ----------------------------------------------------------------------

class OutOfBudget(Exception):
    """The search took more steps than allowed: no conclusion may be drawn."""


Box = dict[int, frozenset[int]]


class Solver:
    """Satisfiability of conjunctions of formulas over one space's variables."""

    def __init__(self, space: Space, budget: int = 200_000) -> None:
        self.vars = space.vars
        self.budget = budget

    def negate(self, formula: Formula) -> Formula:
        return negate(formula, self.vars)

    def solve(self, parts: Sequence[Formula], box: Box | None = None) -> Box | None:
        """A box in which every part can be true at once, or None if there is none."""
        return self._solve(list(parts), dict(box or {}))

    def _solve(self, parts: list[Formula], box: Box) -> Box | None:
        vars_ = self.vars
        while True:
            self.budget -= len(parts)  # the budget is work: each part is looked at
            if self.budget < 0:
                raise OutOfBudget
            # Literals and single options first: they only narrow the box.
            choices: list[AnyOf] = []
            for part in parts:
                if part is FALSE:
                    return None
                if part is TRUE:
                    continue
                if isinstance(part, All):
                    parts.extend(part.parts)
                    continue
                if isinstance(part, Lit):
                    narrowed = box.get(part.var, vars_[part.var].universe) & part.regions
                    if not narrowed:
                        return None
                    box[part.var] = narrowed
                    continue
                assert isinstance(part, AnyOf)
                choices.append(part)
            open_choices = []
            forced: list[Formula] = []
            for choice in choices:
                self.budget -= len(choice.parts)
                options = [o for o in choice.parts if not _dead(o, box, vars_)]
                if not options:
                    return None
                if len(options) == 1:
                    forced.append(options[0])
                elif not any(_holds_in(o, box, vars_) for o in options):
                    open_choices.append(AnyOf(tuple(options)))
            if forced:
                parts = [*forced, *open_choices]
                continue
            if not open_choices:
                return box
            open_choices.sort(key=lambda choice: len(choice.parts))
            first, rest = open_choices[0], open_choices[1:]
            for option in first.parts:
                found = self._solve([option, *rest], dict(box))
                if found is not None:
                    return found
            return None


def _dead(formula: Formula, box: Box, vars_: Sequence[Var]) -> bool:
    """Cannot be true in the box (a quick look: literals only)."""
    if isinstance(formula, Lit):
        return not (box.get(formula.var, vars_[formula.var].universe) & formula.regions)
    if isinstance(formula, All):
        return any(_dead(p, box, vars_) for p in formula.parts)
    return formula is FALSE


def _holds_in(formula: Formula, box: Box, vars_: Sequence[Var]) -> bool:
    """True everywhere in the box (a quick look: literals only)."""
    if isinstance(formula, Lit):
        return box.get(formula.var, vars_[formula.var].universe) <= formula.regions
    if isinstance(formula, All):
        return all(_holds_in(p, box, vars_) for p in formula.parts)
    return formula is TRUE


def evaluate(formula: Formula, point: dict[int, int], vars_: Sequence[Var]) -> bool:
    """The formula at one point (a region per variable; the default where not given)."""
    if isinstance(formula, Lit):
        return point.get(formula.var, vars_[formula.var].default) in formula.regions
    if isinstance(formula, All):
        return all(evaluate(p, point, vars_) for p in formula.parts)
    if isinstance(formula, AnyOf):
        return any(evaluate(p, point, vars_) for p in formula.parts)
    return formula.value


def points(box: Box, vars_: Sequence[Var]) -> Iterator[dict[int, int]]:
    """A few points of a box, to try as records: the defaults where the box allows them,
    then its lowest and its highest regions."""
    def pick(var: int, regions: frozenset[int], how: int) -> int:
        if how == 0 and vars_[var].default in regions:
            return vars_[var].default
        return min(regions) if how < 2 else max(regions)
    seen: set[tuple[tuple[int, int], ...]] = set()
    for how in range(3):
        point = {var: pick(var, regions, how) for var, regions in box.items()}
        frozen = tuple(sorted(point.items()))
        if frozen not in seen:
            seen.add(frozen)
            yield point


# -- what a policy's rules can do ----------------------------------------------------

class RuleFacts(NamedTuple):
    """What no record can escape: a rule's condition is never true, always true, or
    only true on records an earlier rule decides (`covered_by`, their indices)."""

    never_true: bool = False
    always_true: bool = False
    covered_by: tuple[int, ...] = ()


class Analysis(NamedTuple):
    """What the rules' conditions can do, as far as the work budget let it be found."""

    facts: list[RuleFacts]  # one a rule
    # The rules that between them decide every record, so the default never does; ()
    # when some record reaches it, when one rule alone is always true (which says so),
    # or when it was too costly to tell.
    default_cover: tuple[int, ...] = ()


# The work (parts of formulas looked at, about a microsecond each) one rule's facts may
# take, and all rules' together: a costly rule goes without facts, the rules after it
# still get theirs, and no policy keeps `check` busy for more than a few seconds. Past
# the total, each rule is still looked at alone (is its condition ever true?).
RULE_BUDGET = 50_000
TOTAL_BUDGET = 2_000_000
ALONE_BUDGET = 1_000


def analyse(policy: c.Policy, space: Space | None = None, budget: int = TOTAL_BUDGET) -> Analysis:
    """The facts of every rule, in order, while the work budget lasts."""
    space = space or Space(policy)
    solver = Solver(space, 0)
    trues: list[Formula] = []
    facts: list[RuleFacts] = []
    keyed: dict[int, dict[int, list[int]]] = {}  # var -> region -> rules that need it
    general: list[int] = []  # rules any record may make true
    for index, rule in enumerate(policy.rules):
        assert rule.condition is not None
        true = space.true(rule.condition)
        trues.append(true)
        solver.budget = given = min(RULE_BUDGET, budget) if budget > 0 else ALONE_BUDGET
        try:
            found = (_facts(index, true, trues, keyed, general, solver) if budget > 0
                     else RuleFacts(never_true=solver.solve([true]) is None))
        except OutOfBudget:
            found = RuleFacts()  # too costly to tell: nothing is claimed
        budget -= given - max(solver.budget, 0)
        facts.append(found)
        if not found.never_true:
            _index(index, true, space.vars, keyed, general)
    default_cover: tuple[int, ...] = ()
    if budget > 0 and not any(found.always_true for found in facts):
        solver.budget = min(RULE_BUDGET, budget)
        with contextlib.suppress(OutOfBudget):  # (then nothing is claimed)
            default_cover = _cover(len(trues), TRUE, {}, trues, keyed, general, solver)
    return Analysis(facts, default_cover)


def _facts(index: int, true: Formula, trues: list[Formula], keyed: dict[int, dict[int, list[int]]],
           general: list[int], solver: Solver) -> RuleFacts:
    """What no record escapes about rule `index`, whose condition is `true`. Raises
    OutOfBudget."""
    box = solver.solve([true])
    if box is None:
        return RuleFacts(never_true=True)
    # Always true only if true on the record of defaults (missing, mostly): a cheap look
    # that spares most rules the search.
    always = (evaluate(true, {}, solver.vars)
              and solver.solve([solver.negate(true)]) is None)
    return RuleFacts(always_true=always,
                     covered_by=_cover(index, true, box, trues, keyed, general, solver))


def reaching(goal: Formula, earlier: Sequence[Formula], solver: Solver) -> Box | None:
    """Records that make `goal` true and none of `earlier` (the conditions of the rules
    before, which would decide them first): a box of them, or None when no record can.
    Raises OutOfBudget."""
    box = solver.solve([goal])
    if box is None:
        return None
    vars_ = solver.vars
    for point in points(box, vars_):  # a record of the box usually passes them all
        if not any(evaluate(true, point, vars_) for true in earlier):
            return {var: frozenset({region}) for var, region in point.items()}
    relevant = [true for true in earlier if solver.solve([goal, true]) is not None]
    return solver.solve([goal, *(solver.negate(true) for true in relevant)])


def _cover(index: int, true: Formula, box: Box, trues: list[Formula],
           keyed: dict[int, dict[int, list[int]]], general: list[int], solver: Solver) -> tuple[int, ...]:
    """The earlier rules that decide every record making this rule's condition true;
    () when some record reaches it (found fast by trying a few points as records)."""
    vars_ = solver.vars
    for point in points(box, vars_):
        candidates = set(general)
        for var, region in point.items():
            candidates.update(keyed.get(var, {}).get(region, ()))
        if not any(evaluate(trues[i], point, vars_) for i in candidates if i < index):
            return ()
    relevant = [i for i in range(index) if solver.solve([true, trues[i]]) is not None]
    if solver.solve([true, *(solver.negate(trues[i]) for i in relevant)]) is not None:
        return ()
    cover = list(relevant)
    if len(cover) <= 24:  # name the fewest rules that still cover it
        for i in reversed(relevant):
            rest = [k for k in cover if k != i]
            if solver.solve([true, *(solver.negate(trues[k]) for k in rest)]) is None:
                cover = rest
    return tuple(cover)


def _index(index: int, true: Formula, vars_: Sequence[Var],
           keyed: dict[int, dict[int, list[int]]], general: list[int]) -> None:
    """File a rule under a literal it needs (the narrowest), so a point finds the rules
    it could make true without trying them all."""
    needed = [p for p in (true.parts if isinstance(true, All) else (true,)) if isinstance(p, Lit)]
    # A literal allowing most regions narrows little: only small ones make keys.
    needed = [lit for lit in needed if len(lit.regions) <= 64 and vars_[lit.var].default not in lit.regions]
    if not needed:
        general.append(index)
        return
    def crowd(lit: Lit) -> int:  # the rules filed under this literal's regions already
        regions = keyed.get(lit.var, {})
        return sum(len(regions.get(region, ())) for region in lit.regions)

    best = min(needed, key=lambda lit: (crowd(lit), len(lit.regions)))
    for region in best.regions:
        keyed.setdefault(best.var, {}).setdefault(region, []).append(index)

