"""The types of connectlang values, and the Python values that stand for them."""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import datetime, timedelta


class Type(enum.Enum):
    BOOL = "bool"
    INT = "int"
    STRING = "string"
    DURATION = "duration"
    TIME = "time"
    LIST = "list"
    # Not nameable by users: the type of a /regex/ literal, and of an expression
    # that already has an error (it takes part in no further checks).
    REGEX = "regex"
    ERROR = "error"

    def __str__(self) -> str:
        return self.value


# The types a `field` declaration may name.
FIELD_TYPES = {t.value: t for t in (Type.BOOL, Type.INT, Type.STRING, Type.DURATION,
                                     Type.TIME, Type.LIST)}
# Other languages' names for them, for a did-you-mean (`field tags: array`).
TYPE_SYNONYMS = {"str": "string", "text": "string", "integer": "int", "number": "int",
                 "boolean": "bool", "date": "time", "datetime": "time", "timestamp": "time",
                 "timedelta": "duration", "interval": "duration", "array": "list"}

# How each type is held in a Python record (the library's `evaluate` takes no other).
# The language's integers are 64-bit: literals, inputs and library records alike.
INT64_MAX = 2**63 - 1

PYTHON_TYPES = {Type.BOOL: "a bool", Type.INT: "an int of 64 bits", Type.STRING: "a str",
                Type.DURATION: "a timedelta", Type.TIME: "a timezone-aware datetime",
                Type.LIST: "a list of str"}


def _is_list(value: object) -> bool:
    return isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value)


# Whether a Python value is one of a type (text is not checked for encodability: see
# `encodable`). One function a type, looked up once: `evaluate` checks every record.
IS_A: dict[Type, Callable[[object], bool]] = {
    Type.BOOL: lambda value: isinstance(value, bool),
    Type.INT: lambda value: isinstance(value, int) and not isinstance(value, bool) and (
        -INT64_MAX - 1 <= value <= INT64_MAX),
    Type.STRING: lambda value: isinstance(value, str),
    Type.DURATION: lambda value: isinstance(value, timedelta),
    Type.TIME: lambda value: isinstance(value, datetime) and value.tzinfo is not None,
    Type.LIST: _is_list,
}


def has_type(value: object, ty: Type) -> bool:
    return IS_A[ty](value)


def encodable(value: object) -> bool:
    """False for text holding a lone surrogate (`"\\ud800"`, which JSON and Python
    strings allow): it is not Unicode text, and RE2 cannot take it."""
    texts = [value] if isinstance(value, str) else value if isinstance(value, (list, tuple)) else []
    try:
        for text in texts:
            if isinstance(text, str):
                text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
