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
