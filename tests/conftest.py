"""Shared helpers for the tests."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 1, tzinfo=timezone.utc)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def conditions(tests: Any, depth: int = 0, max_depth: int = 3) -> Any:
    """A hypothesis strategy for random conditions: `tests` combined with and, or, not."""
    from hypothesis import strategies as st

    @st.composite
    def build(draw: Any, depth: int) -> str:
        if depth >= max_depth or draw(st.booleans()):
            return str(draw(tests))
        kind = draw(st.sampled_from(["and", "or", "not"]))
        if kind == "not":
            return f"not ({draw(build(depth + 1))})"
        parts = draw(st.lists(build(depth + 1), min_size=2, max_size=3))
        return "(" + f" {kind} ".join(parts) + ")"

    return build(depth)


# Tests that type-check, for random policies: comparisons, strings, lists, times.
SAMPLE_TESTS = [
    *(f"mutual_connections {op} {n}" for op in ("<", "<=", ">", ">=", "==", "!=") for n in (0, 2, 3, 5)),
    "connections > 500", "did_business", "same_school", "did_business == false",
    'company == "acme"', 'company != "Acme"', 'company in ["ACME", "Initech"]',
    'company starts_with "st"', 'company contains "me"', 'shared_groups contains "py"',
    'shared_groups contains_any ["go", "rust"]', "shared_group", "count(shared_groups) >= 2",
    'message contains "free"', "message matches /free|click/i", "has_message",
    "interacted_within 30d", "interacted_within 90d", "age(last_interaction) > 1w",
    "last_interaction is missing", "company is not missing", "mutual_connections is missing",
    "known", "true", "false", "length(message) < 0", "length(message) > 4",
    "sent_at < 0001-01-01T00:00:00.5Z", "sent_at > 9999-12-31T23:59:59Z",
    "sent_at <= 2025-01-01T00:00:00Z", "sent_at > 2025-01-01T00:00:00.000001Z",
    # text tests that say something of each other, and of a text's length
    'headline contains "recruiter"', 'headline contains "agency recruiter"',
    'headline starts_with "head of"', 'headline starts_with "Head of Sales"',
    'headline ends_with "sales"', 'headline == "head of sales"', 'headline == ""',
    'headline in ["Agency Recruiter", "x"]', "length(headline) > 0", 'headline contains ""',
    'headline contains_any ["", "ceo"]', "message matches /free|/", "message matches /^$/",
    'message == ""', 'direction == "outgoing"', 'direction in ["incoming", "inbound"]',
    'direction != "incoming"',
    # two values compared, in either order
    "mutual_connections > connections", "connections >= mutual_connections",
    "connections < mutual_connections", "last_interaction <= sent_at", "sent_at < last_interaction",
    "company == headline", "headline != company", '"PY" in shared_groups',
]


def random_policies() -> Any:
    """A hypothesis strategy for small well-typed policies: a `let` and some rules."""
    from hypothesis import strategies as st

    @st.composite
    def build(draw: Any) -> str:
        tests = st.sampled_from(SAMPLE_TESTS)
        known = draw(conditions(tests, 1, max_depth=2)).replace("known", "did_business")
        rules = draw(st.lists(conditions(tests, max_depth=2), min_size=1, max_size=6))
        lines = [f"let known = {known}", *(f"review if {rule}" for rule in rules), "else archive"]
        return "\n".join(lines)

    return build()
