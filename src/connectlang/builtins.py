"""The invitation record's standard fields and the built-in names (language spec §4)."""

from __future__ import annotations

from typing import NamedTuple

from .types import Type


class StandardField(NamedTuple):
    """A field every request may carry, its type and its value when absent."""

    name: str
    type: Type
    default: object = None  # the value when absent; None: missing
    doc: str = ""


STANDARD_FIELDS: dict[str, StandardField] = {f.name: f for f in (
    StandardField("name", Type.STRING, doc="the inviter's full name"),
    StandardField("first_name", Type.STRING, doc="given name (else from `name`)"),
    StandardField("last_name", Type.STRING, doc="family name (else from `name`)"),
    StandardField("profile_url", Type.STRING, doc="the inviter's profile address"),
    StandardField("message", Type.STRING, "", "the invitation's note"),
    StandardField("sent_at", Type.TIME, doc="when the invitation was sent"),
    StandardField("direction", Type.STRING, "incoming", "`incoming` or `outgoing`"),
    StandardField("headline", Type.STRING, doc="the inviter's headline"),
    StandardField("company", Type.STRING, doc="the inviter's company"),
    StandardField("position", Type.STRING, doc="the inviter's position"),
    StandardField("location", Type.STRING, doc="the inviter's location"),
    StandardField("connections", Type.INT, doc="the inviter's own number of connections"),
    StandardField("mutual_connections", Type.INT, doc="connections you share"),
    StandardField("shared_groups", Type.LIST, doc="groups you are both in"),
    StandardField("same_school", Type.BOOL, doc="you went to the same school"),
    StandardField("did_business", Type.BOOL, doc="you have done business together"),
    StandardField("last_interaction", Type.TIME, doc="your last exchange with them"),
    StandardField("already_connected", Type.BOOL, doc="they are already a connection"),
    StandardField("connected_on", Type.TIME, doc="when you connected"),
    StandardField("messages_exchanged", Type.INT, doc="messages between you two"),
)}

# Fields that take only these values (spec §4): an input with another is rejected.
FIELD_VALUES = {"direction": ("incoming", "outgoing")}

# Fields whose absent value is derived from `name` (spec §4).
DERIVED_FROM_NAME = ("first_name", "last_name")


def split_name(name: str) -> tuple[str | None, str | None]:
    """`Davina K. Brewer` -> (`Davina`, `K. Brewer`); a one-word name has no last name."""
    parts = name.split(None, 1)
    if not parts:
        return None, None
    return parts[0], parts[1].rstrip() if len(parts) > 1 else None


class Function(NamedTuple):
    """A built-in's signature; a `prefix` one may be written without parentheses."""

    name: str
    params: tuple[Type, ...]
    result: Type
    prefix: bool  # may be written `f x` as well as `f(x)`
    doc: str


FUNCTIONS: dict[str, Function] = {f.name: f for f in (
    Function("interacted_within", (Type.DURATION,), Type.BOOL, True,
             "`last_interaction within D`"),
    Function("sent_within", (Type.DURATION,), Type.BOOL, True, "`sent_at within D`"),
    Function("count", (Type.LIST,), Type.INT, False, "number of items of a list"),
    Function("length", (Type.STRING,), Type.INT, False, "number of characters of a string"),
    Function("age", (Type.TIME,), Type.DURATION, False, "`now - T`"),
)}

# The built-ins that may be written without parentheses (`interacted_within 90d`).
PREFIX_FUNCTIONS = frozenset(f.name for f in FUNCTIONS.values() if f.prefix)

# Built-in values: bool names defined by other fields.
BUILTIN_VALUES = {
    "has_message": "`length(message) > 0`",
    "shared_group": "`count(shared_groups) > 0`",
}

# Every name a `let` or `field` may not take.
PREDEFINED = frozenset(STANDARD_FIELDS) | frozenset(FUNCTIONS) | frozenset(BUILTIN_VALUES)
