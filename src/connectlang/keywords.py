"""Reserved words: one list shared by the grammar test, the checker and completion."""

from __future__ import annotations

ACTIONS = ("accept", "archive", "decline", "report", "review", "ask")

# Words that start an item; the parser resynchronises on them after a syntax error.
ITEM_STARTS = ("policy", "field", "let", "else", *ACTIONS)

RESERVED = frozenset(
    {
        "policy", "field", "let", "if", "else", "because", "and", "or", "not",
        "true", "false", "within", "matches", "contains", "contains_any",
        "starts_with", "ends_with", "in", "is", "missing", *ACTIONS,
    }
)
