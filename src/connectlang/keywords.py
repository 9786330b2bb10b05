"""Reserved words: one list shared by the grammar test, the checker and completion."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .diagnostics import closest

if TYPE_CHECKING:
    from ._parser import Token

ACTIONS = ("accept", "archive", "decline", "report", "review", "ask")

# Words that start an item; the parser resynchronises on them after a syntax error.
ITEM_STARTS = ("policy", "field", "let", "else", *ACTIONS)

# The same words as the parser's token types (`ACCEPT`).
ACTION_TOKENS = frozenset(word.upper() for word in ACTIONS)
ITEM_START_TOKENS = frozenset(word.upper() for word in ITEM_STARTS)

# Words other tools use for an item start, and the connectlang word for each.
SYNONYMS = {"ignore": "archive", "reject": "archive", "deny": "archive", "skip": "archive",
            "spam": "report", "block": "report", "flag": "review", "approve": "accept",
            "allow": "accept", "otherwise": "else", "default": "else", "const": "let",
            "var": "let", "define": "let"}

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
    keyword = miscased(word)
    return keyword if keyword in ITEM_STARTS else (
        SYNONYMS.get(word.lower()) or closest(word, ITEM_STARTS))


# The operators of a test: `a == b`, `a contains b`, `a is missing`.
TEST_OPERATORS = frozenset({"==", "!=", "<", "<=", ">", ">=", "contains", "contains_any",
                            "starts_with", "ends_with", "in", "within", "matches", "is"})

# The words that go between two values; a misspelt one (`adn`, `containz`) lexes as a
# name, and the parser reads `shared_group adn` as a call without parentheses.
JOINING_WORDS = ("and", "or", "not", "is", "missing", "because", "contains", "contains_any",
                 "starts_with", "ends_with", "in", "within", "matches")


# Words of other languages that read as names here, and what connectlang writes.
_NO_NULL = "connectlang has no null: test `x is missing` or `x is not missing`"
_TEXT_TESTS = "test text with `contains`, `starts_with`, `ends_with` or `matches`"
_FOREIGN = {"null": _NO_NULL, "none": _NO_NULL, "nil": _NO_NULL, "undefined": _NO_NULL,
            "like": _TEXT_TESTS, "ilike": _TEXT_TESTS,
            "between": "write two tests, as in `x >= 3 and x <= 10`",
            "isnt": "write `is not`", "isnot": "write `is not`",
            "any": "`contains_any` is one word, as in `headline contains_any [\"CEO\", \"CTO\"]`",
            **dict.fromkeys(("elif", "elseif", "elsif"), "each rule starts with its action, as in "
                            "`review if ...`, on a line of its own"),
            "empty": 'write `== ""` for an empty text, or `is missing` for no value',
            "now": "there is no date arithmetic: test how long ago with `age(sent_at) < 90d` "
                   "or `sent_within 90d`",
            "then": "a rule reads `accept if CONDITION`, with no `then`"}


def like_keyword(word: str) -> bool:
    """Whether a name is a word between values misspelt (`adn`) or another language's
    (`null`): the parser's error is about it, so it is not also an unknown name."""
    return foreign_help(word) is not None or closest(word, JOINING_WORDS) is not None


def foreign_help(word: str) -> str | None:
    """The fix for a word another language has and connectlang does not (`null`)."""
    return _FOREIGN.get(word.lower())


def value_then_value(value: str, found: str, argument: str, is_name: bool) -> tuple[str, str]:
    """The message and help for a value followed by another (`company "Acme"`, `x adn`):
    `found` describes the second, `argument` is its text."""
    if argument.startswith("/*"):  # read as a regex
        help = "a comment starts with `#` and runs to the end of the line"
    elif not is_name:
        help = f"compare with an operator, as in `{value} == {argument}`"
    else:
        close = closest(argument, JOINING_WORDS)
        help = foreign_help(argument) or (f"did you mean `{close}`?" if close else
                                          "did you forget `and` or `or` between two conditions?")
    return f"expected an operator, `and` or `or` after `{value}`, found {found}", help


# -- tokens that are another language's habit ------------------------------------

# What a string is due after (its terminal), and what that string is.
STRING_DUE = {"BECAUSE": "the reason", "ASK": "the reply", "POLICY": "the policy's name"}
_PREFIXES = {"f", "r", "b", "u", "rb", "br", "fr", "rf"}  # Python's, before a quote


def string_prefix(token: Token, following: Token) -> bool:
    """Whether `token` is Python's prefix of the string `following`: `f` in `f"Hi"` or
    `f'Hi'`."""
    return token.type == "NAME" and token.value.lower() in _PREFIXES and (
        following.type in ("STRING", "BAD_QUOTE") and token.end_pos == following.start_pos)


def c_comment(token: Token) -> bool:
    """Whether a token is C's comment, `/* note */`, which lexes as a regex."""
    return token.type == "REGEX" and len(token.value) > 3 and token.value.startswith("/*") and (
        token.value.endswith("*/"))


def c_comment_opened(token: Token) -> bool:
    """Whether a token starts C's comment without closing it on its line: `/* note`
    lexes as an unclosed regex, `/* for accept/archive` as a regex up to its `/`."""
    return token.type in ("REGEX", "BAD_REGEX") and token.value.startswith("/*") and (
        not c_comment(token))
