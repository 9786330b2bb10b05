"""The types of connectlang values."""

from __future__ import annotations

import enum


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
