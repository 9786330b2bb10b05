"""More fields per person from files the user gives (`eval --enrich FILE`).

No LinkedIn export holds `headline`, `mutual_connections` or `shared_groups`; a CRM
or a browser extension does. Each enrichment file (CSV, JSONL or JSON) is read
whole into one entry per person, typed like any input by the standard fields and
the policy's `field`s, and joined onto each record by profile address, else by
name (`people.py`). A value the record already has is kept; when several rows give
a field, the first wins, files in command-line order. Rows that match no record
are counted and reported, not silently dropped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .people import Ambiguous, People, profile_key
from .records import read
from .types import Type


@dataclass(slots=True)
class _Person:
    """One person's enrichment: the first row that named them, and every value given."""

    source: str
    line: int
    values: dict[str, Any] = field(default_factory=dict)
    matched: bool = False


@dataclass
class Unmatched:
    """The rows of one enrichment file that no record matched."""

    source: str
    count: int
    examples: list[str]  # `line 41 (Dana Whitfield)`


class Enrichment:
    """The enrichment files of a run, read and indexed, ready to join onto records."""

    def __init__(self, paths: Sequence[str], schema: Mapping[str, Type]) -> None:
        self.paths = tuple(paths)
        self.people: People[_Person] = People()
        self.columns: set[str] = set()  # the fields the files have columns for
        self.problems: list[str] = []  # FILE:LINE: why a row could not be read
        self.rows = 0
        self.unjoinable = 0  # rows with neither address nor name, or a name of several people
        self.ambiguous = 0  # records whose name several enrichment rows share
        for path in self.paths:
            self._read(path, schema)

    def _read(self, path: str, schema: Mapping[str, Type]) -> None:
        for record in read(path, schema, seen=self.columns):
            if record.values is None:
                assert record.error is not None
                self.problems.append(record.error.at(path))
                continue
            self.rows += 1
            values = record.values
            person = self.people.entry(profile_key(values.get("profile_url")), values.get("name"),
                                       _Person(record.source, record.line))
            if person is None:
                self.unjoinable += 1
                continue
            for name, value in values.items():
                person.values.setdefault(name, value)

    def apply(self, values: dict[str, Any]) -> None:
        """Fill in the fields this record lacks from its person's enrichment, if any."""
        person = self.people.find(profile_key(values.get("profile_url")), values.get("name"))
        if isinstance(person, Ambiguous):
            self.ambiguous += 1
        elif person is not None:
            person.matched = True
            for name, value in person.values.items():
                if values.get(name) is None:
                    values[name] = value

    def unmatched(self) -> list[Unmatched]:
        """Per file, the rows (people) no record matched, in file order."""
        missed = sorted((p for p in self.people.entries() if not p.matched), key=lambda p: p.line)
        found = []
        for path in self.paths:
            mine = [p for p in missed if p.source == path]
            if mine:
                examples = [f"line {p.line}" + (f" ({p.values['name']})" if p.values.get("name") else "")
                            for p in mine[:3]]
                found.append(Unmatched(path, len(mine), examples))
        return found
