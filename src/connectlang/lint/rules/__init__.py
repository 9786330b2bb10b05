"""The rule catalog: every lint rule, in code order. One rule per file."""

from __future__ import annotations

from ..rule import Rule
from .always_true import ConditionAlwaysTrue
from .decline import Decline
from .duplicate_rule import DuplicateRule
from .field_not_in_input import FieldNotInInput
from .ignore_names_no_rule import IgnoreNamesNoRule
from .impossible_value import ImpossibleValue
from .let_renames import LetRenames
from .minutes_for_months import MinutesForMonths
from .never_true import ConditionNeverTrue
from .odd_duration_unit import OddDurationUnit
from .regex_is_contains import RegexIsContains
from .reply_value_may_be_missing import ReplyValueMayBeMissing
from .unreachable_rule import UnreachableRule
from .unused_field import UnusedField
from .unused_ignore import UnusedIgnore
from .unused_let import UnusedLet

RULES: tuple[type[Rule], ...] = tuple(sorted((
    UnreachableRule, ConditionNeverTrue, ConditionAlwaysTrue, DuplicateRule, UnusedLet,
    UnusedField, LetRenames, Decline, ReplyValueMayBeMissing, RegexIsContains, OddDurationUnit,
    FieldNotInInput, IgnoreNamesNoRule, ImpossibleValue, MinutesForMonths, UnusedIgnore,
), key=lambda rule: rule.code))

BY_NAME = {**{rule.code: rule for rule in RULES}, **{rule.name: rule for rule in RULES}}
