"""What a run did, in numbers, and what its inputs could not tell.

Filled record by record from tracked decisions (`Policy.tracking_decider`): counts
per action and per rule, the rules that never fired, the records that fell through
to the default, and where missing values had a say. Rendered as plain lines: the
end of the table output, and `eval --summary` on stderr.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Set
from typing import Any

from . import checked as c
from .builtins import DERIVED_FROM_NAME
from .enrich import Enrichment
from .evaluate import field_value, tested_fields
from .export import FROM_CONNECTIONS, FROM_INVITATIONS, FROM_MESSAGES, ExportReport
from .policy import fields_read

NOT_IN_EXPORTS = "not in a LinkedIn export"


class RunSummary:
    """The counts of one run of one policy."""

    def __init__(self, policy: c.Policy) -> None:
        self.policy = policy
        self.rules = (*policy.rules, policy.default)
        self.fired = [0] * len(self.rules)  # decisions per rule, the default last
        self.errors = 0
        self.passed_unknown = 0  # passed over a rule whose condition was unknown
        self.decided_on_missing = 0  # decided by a rule that tested a missing field
        tested = {name for rule in policy.rules for name in tested_fields(policy, rule)}
        self._derived = tuple(sorted(tested & set(DERIVED_FROM_NAME)))
        self._plain = tuple(sorted(tested - set(DERIVED_FROM_NAME)))
        self.missing: Counter[str] = Counter()  # field -> records without it

    def add(self, index: int, passed_unknown: bool, decided_on_missing: bool,
            values: Mapping[str, Any]) -> None:
        """One decision: the index of its rule, and the facts of a tracking decider."""
        self.fired[index] += 1
        if passed_unknown:
            self.passed_unknown += 1
        if decided_on_missing:
            self.decided_on_missing += 1
        get, missing = values.get, self.missing
        for name in self._plain:
            if get(name) is None:
                missing[name] += 1
        for name in self._derived:
            if field_value(values, name, {}) is None:
                missing[name] += 1

    def add_error(self) -> None:
        self.errors += 1

    @property
    def records(self) -> int:
        return sum(self.fired) + self.errors

    @property
    def actions(self) -> Counter[str]:
        counts: Counter[str] = Counter()
        for rule, count in zip(self.rules, self.fired, strict=True):
            if count:
                counts[rule.action] += count
        return counts

    def lines(self) -> list[str]:
        """The summary as people read it."""
        total = self.records
        head = _count(total, "record")
        parts = [f"{n:,} {action}" for action, n in self.actions.most_common()]
        if self.errors:
            parts.append(f"{self.errors:,} unreadable")
        out = [head + (": " + ", ".join(parts) if parts else "")]
        if total == self.errors:
            return out
        out.append("by rule:")
        for i, rule in enumerate(self.rules):
            shown = self.policy.rule_text(rule, 56)
            never = "   never fired" if not self.fired[i] and rule is not self.policy.default else ""
            out.append(f"  line {rule.line:<4} {shown:<56} {self.fired[i]:>9,}{never}")
        default = self.fired[len(self.rules) - 1]
        unfired = [r.line for i, r in enumerate(self.policy.rules) if not self.fired[i]]
        if unfired:
            out.append(f"rules that never fired on this input: line{'s' if len(unfired) > 1 else ''} "
                       + ", ".join(map(str, unfired)))
        out.append(f"fell through to the default (line {self.policy.default.line}): {default:,}")
        out.append(f"missing values: {_count(self.passed_unknown, 'record')} passed over a rule "
                   f"left unknown; {_count(self.decided_on_missing, 'decision')} came from a rule "
                   "that tested a missing value")
        if self.missing:
            most = ", ".join(f"{name} ({n:,})" for name, n in self.missing.most_common(5))
            out.append(f"  fields the rules test, most often missing: {most}")
        return out


def _count(n: int, word: str, plural: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else plural or word + 's'}"


def export_lines(report: ExportReport, wanted: Set[str]) -> list[str]:
    """What an export held and what the joins found, in a few lines; `wanted` are the
    fields the policy reads (a file it needs nothing from goes unmentioned)."""
    way = {"incoming": "incoming invitation", "outgoing": "outgoing invitation",
           "all": "invitation"}[report.direction]
    head = f"{report.path}: {_count(report.records, way)}"
    notes = []
    if report.unreadable:
        notes.append(f"{report.unreadable:,} unreadable")
    if report.other_direction:
        other = "incoming" if report.direction == "outgoing" else "outgoing"
        notes.append(f"{report.other_direction:,} {other} left out: --direction all to include them")
    head += f" ({'; '.join(notes)})" if notes else ""
    connections = report.files.get("Connections.csv", "Connections.csv")
    messages = report.files.get("messages.csv", "messages.csv")
    if connections not in report.missing:
        head += (f", {report.already_connected:,} already accepted (Invitations.csv is a history: "
                 f"they are in {connections})")
    out = [head]
    if report.connections or report.hidden_profiles:
        hidden = (f" and {_count(report.hidden_profiles, 'hidden profile')}"
                  if report.hidden_profiles else "")
        out.append(f"  {connections}: {_count(report.connections, 'person', 'people')}{hidden}")
    if report.messages or report.sponsored or report.drafts:
        left = [f"{report.sponsored:,} sponsored"] if report.sponsored else []
        left += [_count(report.drafts, "draft")] if report.drafts else []
        out.append(f"  {messages}: {_count(report.messages, 'message')} with "
                   f"{_count(report.people_messaged, 'person', 'people')}"
                   + (f" ({' and '.join(left)} left out)" if left else ""))
    if not report.addresses or not report.connection_addresses:
        which = "Invitations.csv" if not report.addresses else connections
        out.append(f"  {which} has no profile addresses (an older export): joined on names")
    elif report.joined_by_name:
        out.append(f"  {_count(report.joined_by_name, 'invitation')} joined on the name, for want "
                   "of a profile address")
    if report.ambiguous_names:
        out.append(f"  {_count(report.ambiguous_names, 'invitation')} from a name that several "
                   "connections share: not joined, so not known to be connected or not")
    for name in report.incomplete:
        out.append(f"  {name} has rows that could not be read (on stderr): someone not found in "
                   "it is unknown there, not a stranger")
    for name in report.missing:
        needed = sorted(_BY_FILE[name] & wanted - set(DERIVED_FROM_NAME))  # else from `From`
        if needed:
            out.append(f"  {name} is not in this export: {', '.join(needed)} unknown")
    return out


_BY_FILE = {"Invitations.csv": FROM_INVITATIONS, "Connections.csv": FROM_CONNECTIONS,
            "messages.csv": FROM_MESSAGES}


def unknown_fields(policy: c.Policy, provided: Iterable[str], exports: bool) -> list[str]:
    """The lines that name the fields the policy reads but no input gave (for exports,
    those no LinkedIn export has: a file missing from one is named with the export):
    missing on every record, or, for a `field` declared with a default, taken from it."""
    declared = {f.name for f in policy.fields if f.default is not None}
    absent = fields_read(policy) - set(provided) - {"message", "direction"}
    if exports:
        absent -= FROM_INVITATIONS | FROM_CONNECTIONS | FROM_MESSAGES
    where = NOT_IN_EXPORTS if exports else "in no input"
    out = []
    if absent - declared:
        names, one = _names(absent - declared)
        out.append(f"{names} {'is' if one else 'are'} {where}: {'it is' if one else 'they are'} "
                   f"missing on every record; give {'it' if one else 'them'} with --enrich FILE")
    if absent & declared:
        names, one = _names(absent & declared)
        out.append(f"{names} {'is' if one else 'are'} {where}: every record took "
                   f"{'its' if one else 'their'} default; check the column's name")
    return out


def _names(fields: Set[str]) -> tuple[str, bool]:
    return ", ".join(f"`{name}`" for name in sorted(fields)), len(fields) == 1


def enrichment_lines(enrichment: Enrichment) -> list[str]:
    """How the enrichment files joined: rows read, and the rows that matched no record."""
    files = ", ".join(enrichment.paths)
    out = [f"enrichment {files}: {_count(enrichment.rows, 'row')}, "
           f"{_count(len(enrichment.people), 'person', 'people')}"]
    if enrichment.ambiguous:
        out.append(f"  {_count(enrichment.ambiguous, 'record')} with a name that several enrichment "
                   "rows share: not joined")
    if enrichment.unjoinable:
        out.append(f"  {_count(enrichment.unjoinable, 'row')} with neither a profile_url nor a name "
                   "of one person: not joined")
    for missed in enrichment.unmatched():
        more = ", ..." if missed.count > len(missed.examples) else ""
        out.append(f"  {missed.source}: {_count(missed.count, 'row')} matching no record: "
                   + ", ".join(missed.examples) + more)
    return out
