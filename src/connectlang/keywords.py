"""Reserved words: one list shared by the grammar test, the checker and completion."""

from __future__ import annotations

from .diagnostics import closest

ACTIONS = ("accept", "archive", "decline", "report", "review", "ask")

# Words that start an item; the parser resynchronises on them after a syntax error.
ITEM_STARTS = ("policy", "field", "let", "else", *ACTIONS)

# Words other tools use for an item start, and the connectlang word for each.
SYNONYMS = {"ignore": "archive", "reject": "archive", "deny": "archive", "skip": "archive",
            "spam": "report", "block": "report", "flag": "review", "approve": "accept",
            "allow": "accept", "otherwise": "else", "default": "else", "const": "let",
            "var": "let", "define": "let", "elif": "else"}

RESERVED = frozenset(
    {
        "policy", "field", "let", "if", "else", "because", "and", "or", "not",
        "true", "false", "within", "matches", "contains", "contains_any",
        "starts_with", "ends_with", "in", "is", "missing", *ACTIONS,
    }
)


def miscased(word: str) -> str | None:
    """The keyword a name is in the wrong case (`AND` is `and`), if it is one: it reads
    as a name, and the parse or the check fails at it or just after it."""
    lower = word.lower()
    return lower if lower != word and lower in RESERVED else None


def miscased_message(word: str, keyword: str) -> tuple[str, str]:
    """The message and help for a keyword in the wrong case."""
    return (f"`{word}` is read as a name, not the keyword `{keyword}`: keywords are lower-case",
            f"write `{keyword}`")


def meant_item_start(word: str) -> str | None:
    """The word starting an item that `word` (a name) most likely meant: `Else`,
    `esle`, `acept`, `ignore` (archive), `const` (let); None if none is close."""
    return miscased(word) if miscased(word) in ITEM_STARTS else (
        SYNONYMS.get(word.lower()) or closest(word, ITEM_STARTS))


# The words that go between two values; a misspelt one (`adn`, `containz`) lexes as a
# name, and the parser reads `shared_group adn` as a call without parentheses.
JOINING_WORDS = ("and", "or", "not", "is", "missing", "because", "contains", "contains_any",
                 "starts_with", "ends_with", "in", "within", "matches")


def value_then_value(value: str, found: str, argument: str, is_name: bool) -> tuple[str, str]:
    """The message and help for a value followed by another (`company "Acme"`, `x adn`):
    `found` describes the second, `argument` is its text."""
    close = closest(argument, JOINING_WORDS) if is_name else None
    if close:
        help = f"did you mean `{close}`?"
    elif is_name:
        help = "did you forget `and` or `or` between two conditions?"
    else:
        help = f"compare with an operator, as in `{value} == {argument}`"
    return f"expected an operator, `and` or `or` after `{value}`, found {found}", help
