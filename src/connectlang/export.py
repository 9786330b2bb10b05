"""Reading a LinkedIn data export, the archive from "Get a copy of your data".

Every row of Invitations.csv is a record (only the incoming ones by default), read
as a stream. Connections.csv and messages.csv are read first, into one small entry
per person, and joined onto each invitation by profile address, else by name
(`people.py`). The export is a folder or a `.zip` read in place. What the export
could and could not provide is kept in an `ExportReport` for the run's summary.

The facts behind the quirks handled here are in docs/cli.md ("LinkedIn exports").
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Final

from .literals import LiteralError, parse_time_cell
from .people import People, profile_key
from .records import (
    CELL_READERS,
    BadRow,
    CsvRows,
    InputError,
    InputRecord,
    Meter,
    snake_case,
    typed_cell,
)
from .types import Type

# What each file gives a record, for the summary's "could not provide" line.
FROM_INVITATIONS = frozenset({"name", "first_name", "last_name", "message", "sent_at", "direction"})
FROM_CONNECTIONS = frozenset({"already_connected", "connected_on", "company", "position",
                              "first_name", "last_name"})
FROM_MESSAGES = frozenset({"last_interaction", "messages_exchanged"})

_SPONSOR = "linkedin member"  # sponsored InMail comes from "LinkedIn Member", no address
_YES = frozenset({"yes", "true", "1"})


def is_export(path: str) -> bool:
    """A folder, or a `.zip` archive: the two shapes a LinkedIn export comes in."""
    return Path(path).is_dir() or path.lower().endswith(".zip")


def _file_key(name: str) -> str:
    """File names drift between exports: `Messages.csv`, `messages.csv`, `Member Follows.csv`."""
    return re.sub(r"[\s_]+", "", name.lower())


class ExportFiles:
    """The files of an export, folder or zip: Invitations.csv, found at most two folders
    down (archives are often unpacked into a folder of their own), and the other files
    beside it. Two Invitations.csv are two exports: which one is meant is not guessed."""

    WANTED: Final = {"invitations.csv": "Invitations.csv", "connections.csv": "Connections.csv",
                     "messages.csv": "messages.csv"}
    DEPTH: Final = 2

    def __init__(self, path: str) -> None:
        self.path = path
        self.zip: zipfile.ZipFile | None = None
        if Path(path).is_dir():
            names = self._walk(Path(path))
        elif not Path(path).exists():
            raise InputError(f"cannot read {path}: no such file")
        else:
            try:
                self.zip = zipfile.ZipFile(path)
            except (OSError, zipfile.BadZipFile) as exc:
                raise InputError(f"{path}: not a readable .zip archive ({exc})") from None
            names = [i.filename for i in self.zip.infolist()
                     if not i.is_dir() and i.filename.count("/") <= self.DEPTH]
        exports = sorted(n for n in names if _file_key(n.rsplit("/", 1)[-1]) == "invitations.csv")
        if len(exports) > 1:
            self.close()
            shown = ", ".join(exports[:3]) + (", ..." if len(exports) > 3 else "")
            raise InputError(f"{path}: holds several exports ({shown}): give the folder or "
                             "archive of one")
        folder = exports[0].rpartition("/")[0] if exports else ""
        self.found: dict[str, str] = {}
        for name in sorted(names):
            where, _, base = name.rpartition("/")
            if where == folder and _file_key(base) in self.WANTED:
                self.found.setdefault(_file_key(base), name)

    def _walk(self, root: Path) -> list[str]:
        """The files of a folder, as relative `a/b.csv` names, at most DEPTH folders down."""
        names = []
        for folder, subfolders, files in os.walk(root):
            depth = len(Path(folder).relative_to(root).parts)
            if depth >= self.DEPTH:
                subfolders.clear()
            names += [(Path(folder) / f).relative_to(root).as_posix() for f in files]
        return names

    def __contains__(self, key: str) -> bool:
        return key in self.found

    def shown(self, key: str) -> str:
        """The file as messages name it: `export/Connections.csv`, `export.zip/messages.csv`."""
        return f"{self.path.rstrip('/')}/{self.found[key]}"

    def size(self, key: str) -> int:
        if self.zip is not None:
            return self.zip.getinfo(self.found[key]).file_size
        return (Path(self.path) / self.found[key]).stat().st_size

    def open(self, key: str) -> IO[bytes]:
        try:
            if self.zip is not None:
                return self.zip.open(self.found[key])
            return open(Path(self.path) / self.found[key], "rb")
        except (OSError, zipfile.BadZipFile, RuntimeError) as exc:  # RuntimeError: encrypted
            raise InputError(f"{self.shown(key)}: cannot be read ({exc})") from None

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()


@dataclass
class ExportReport:
    """What an export held and what the joins found, filled in while it is read."""

    path: str
    direction: str
    files: list[str] = field(default_factory=list)  # the files read, as shown
    missing: list[str] = field(default_factory=list)  # Connections.csv, messages.csv absent
    addresses: bool = True  # Invitations.csv has profile addresses (exports since late 2023)
    connection_addresses: bool = True  # Connections.csv has a URL column
    records: int = 0  # the invitations given as records
    other_direction: int = 0  # left out by --direction
    already_connected: int = 0  # records whose person is in Connections.csv
    joined_by_name: int = 0
    ambiguous_names: int = 0
    connections: int = 0
    hidden_profiles: int = 0
    messages: int = 0
    people_messaged: int = 0
    sponsored: int = 0
    drafts: int = 0
    problems: list[str] = field(default_factory=list)  # FILE:LINE: ... of Connections/messages
    provides: set[str] = field(default_factory=set)  # the fields the export gives


class Export:
    """An export opened for reading: its files found, its report ready to fill."""

    def __init__(self, path: str, direction: str = "incoming") -> None:
        self.files = ExportFiles(path)
        if "invitations.csv" not in self.files:
            self.files.close()
            raise InputError(f"{path}: no Invitations.csv in this export (a LinkedIn export "
                             "holds Invitations.csv, Connections.csv and messages.csv)")
        self.report = ExportReport(self.files.shown("invitations.csv").rpartition("/")[0], direction)

    def size(self) -> int:
        """The bytes of the files a run may read, for the progress bar."""
        return sum(self.files.size(key) for key in self.files.WANTED if key in self.files)

    def records(self, schema: Mapping[str, Type], meter: Meter | None = None) -> Iterator[InputRecord]:
        """The invitations as records, after reading the files joined onto them."""
        return _records(self.files, schema, self.report, meter or Meter())


def _records(files: ExportFiles, schema: Mapping[str, Type], report: ExportReport,
             meter: Meter) -> Iterator[InputRecord]:
    try:
        report.provides |= FROM_INVITATIONS
        connections = _Connections(schema) if "connections.csv" in files else None
        messages = (_Messages("last_interaction" in schema)
                    if "messages.csv" in files and FROM_MESSAGES & schema.keys() else None)
        for table, key in ((connections, "connections.csv"), (messages, "messages.csv")):
            if key not in files:
                report.missing.append(files.WANTED[key])
            elif table is not None:
                with meter.reading(files.open(key)) as stream:
                    table.read(stream, files.shown(key), report)
        if connections is not None:
            report.provides |= {"already_connected", *connections.fields}
        if messages is not None:
            report.provides |= FROM_MESSAGES
        with meter.reading(files.open("invitations.csv")) as stream:
            yield from _Invitations(schema, report, connections, messages).read(
                stream, files.shown("invitations.csv"))
        report.ambiguous_names = connections.ambiguous_lookups if connections else 0
    finally:
        files.close()


# -- Connections.csv and messages.csv: one small entry per person ------------------

def _header(rows: Iterator[tuple[int, list[str] | None, str | None]], wanted: tuple[str, ...],
            shown: str, report: ExportReport) -> list[str] | None:
    """Skip the preamble (`Notes:` and its text) up to the row that names the columns."""
    for line, row, error in rows:
        if row is None:
            report.problems.append(f"{shown}:{_where(error, line)}")
            continue
        names = [snake_case(cell) for cell in row]
        if {snake_case(w) for w in wanted} <= set(names):
            return names
    report.problems.append(f"{shown}: no header row with the columns {', '.join(wanted)} was "
                           "found; the file is not read")
    return None


def _table(stream: IO[bytes], wanted: tuple[str, ...], shown: str,
           report: ExportReport) -> tuple[dict[str, int], Iterator[tuple[int, list[str]]]]:
    """A joined file's columns (by field name) and its rows; the rows that cannot be
    read go to the report's problems. No header: no columns and no rows."""
    rows = iter(CsvRows(stream))
    header = _header(rows, wanted, shown, report)

    def readable() -> Iterator[tuple[int, list[str]]]:
        for line, row, error in rows:
            if row is None:
                report.problems.append(f"{shown}:{_where(error, line)}")
            else:
                yield line, row

    return (_columns(header), readable()) if header is not None else ({}, iter(()))


def _columns(header: list[str]) -> dict[str, int]:
    """Each column name's index, the first where a name repeats."""
    return {name: i for i, name in reversed(list(enumerate(header)))}


def _where(error: str | None, line: int) -> str:
    """`line 3, column 5: why` -> `3:5: why`, the FILE:LINE:COLUMN form of compilers."""
    match = re.match(r"line (\d+)(?:, column (\d+))?: ", error or "")
    if match is None:
        return f"{line}: {error}"
    where = match.group(1) + (f":{match.group(2)}" if match.group(2) else "")
    return f"{where}: {(error or '')[match.end():]}"


class _Connections(People[tuple[Any, ...]]):
    """Connections.csv: `already_connected`, `connected_on`, `company`, `position`, and
    whatever else its columns give that the policy reads; entries are their values."""

    def __init__(self, schema: Mapping[str, Type]) -> None:
        super().__init__()
        self.schema = schema
        self.fields: tuple[str, ...] = ()

    def read(self, stream: IO[bytes], shown: str, report: ExportReport) -> None:
        index, rows = _table(stream, ("First Name", "Last Name"), shown, report)
        if not index:
            return
        url, first, last = index.get("url"), index["first_name"], index["last_name"]
        typed = [(i, name, CELL_READERS[self.schema[name]]) for name, i in index.items()
                 if name in self.schema and name not in ("url", "name", "profile_url")]
        self.fields = tuple(name for _, name, _ in typed)
        for line, row in rows:
            name = " ".join(c for c in (_cell(row, first), _cell(row, last)) if c)
            key = profile_key(_cell(row, url))
            try:
                values = tuple(typed_cell(n, convert, row[i], line) if _cell(row, i) else None
                               for i, n, convert in typed)
            except BadRow as exc:
                report.problems.append(f"{shown}:{_where(str(exc), line)}")
                continue
            if key is None and not name:
                report.hidden_profiles += 1  # a hidden profile: a row with only a date
                continue
            report.connections += 1
            self.entry(key, name, values, distinct=True)
        report.connection_addresses = url is not None


class _Messages(People[list[Any]]):
    """messages.csv (or the oldest exports' Messages.csv): per person, the time of the
    last message and the number of messages; entries are [last, count]."""

    def __init__(self, times: bool) -> None:
        super().__init__()
        self.times = times  # read DATE only when the policy reads `last_interaction`

    def read(self, stream: IO[bytes], shown: str, report: ExportReport) -> None:
        index, rows = _table(stream, ("From", "Date"), shown, report)
        if not index:
            return
        sender, sender_url = index["from"], index.get("sender_profile_url")
        to, to_urls = index.get("to"), index.get("recipient_profile_urls")
        date, draft = index["date"], index.get("is_message_draft")
        for line, row in rows:
            if _cell(row, draft).lower() in _YES:
                report.drafts += 1
                continue
            from_url = _cell(row, sender_url)
            if not from_url and _cell(row, sender).lower() == _SPONSOR:
                report.sponsored += 1
                continue
            when = None
            if self.times:
                try:
                    when = parse_time_cell(_cell(row, date).strip())
                except LiteralError as exc:
                    report.problems.append(f"{shown}:{line}: column DATE: {exc.message}")
                    continue
            report.messages += 1
            self._count(from_url, _cell(row, sender), when)
            urls = _cell(row, to_urls).replace(",", " ").split()
            if urls:
                for address in urls:
                    self._count(address, "" if len(urls) > 1 else _cell(row, to), when)
            else:
                self._count("", _cell(row, to), when)
        report.people_messaged = len(self)

    def _count(self, address: str, name: str, when: datetime | None) -> None:
        entry = self.entry(profile_key(address), name, [None, 0])
        if entry is not None:
            entry[1] += 1
            if when is not None and (entry[0] is None or when > entry[0]):
                entry[0] = when


def _cell(row: list[str], index: int | None) -> str:
    """A cell, or "" for a column the file lacks or a short row."""
    return row[index] if index is not None and index < len(row) else ""


# -- Invitations.csv: the records --------------------------------------------------

class _Invitations:
    """Rows of Invitations.csv as records, the other person's data joined on.

    For an incoming row the other person is the sender (`From`, `inviterProfileUrl`);
    for an outgoing one, the invitee (`To`, `inviteeProfileUrl`).
    """

    def __init__(self, schema: Mapping[str, Type], report: ExportReport,
                 connections: _Connections | None, messages: _Messages | None) -> None:
        self.schema, self.report = schema, report
        self.connections, self.messages = connections, messages
        self.has_message = "message" in schema
        self.sent_at = "sent_at" in schema
        self.exchanged = "messages_exchanged" in schema

    def read(self, stream: IO[bytes], shown: str) -> Iterator[InputRecord]:
        report = self.report
        rows = iter(CsvRows(stream))
        header = _header(rows, ("From",), shown, report)
        if header is None:
            raise InputError(report.problems.pop())
        width = len(header)
        index = _columns(header)

        def at(name: str) -> int:  # a column the file lacks reads the blank added to each row
            return index.get(name, width)

        columns = {"incoming": (at("from"), at("inviter_profile_url")),
                   "outgoing": (at("to"), at("invitee_profile_url"))}
        report.addresses = "inviter_profile_url" in index
        message, sent, direction = at("message"), at("sent_at"), at("direction")
        others = [(i, n, CELL_READERS[self.schema[n]]) for n, i in index.items()
                  if n in self.schema and n not in FROM_INVITATIONS and n != "profile_url"]
        read_time = CELL_READERS[Type.TIME]
        wanted = report.direction
        for line, row, error in rows:
            if row is None:
                yield InputRecord(shown, line, None, error)
                continue
            if len(row) != width:
                if len(row) > width:
                    yield InputRecord(shown, line, None, f"line {line}: {len(row)} cells, but the "
                                      f"header has {width} columns")
                    continue
                row.extend([""] * (width - len(row)))
            row.append("")
            way = row[direction].strip().lower() or "incoming"
            if way not in columns:
                yield InputRecord(shown, line, None, f"line {line}: column Direction: "
                                  f"`{row[direction]}` is neither INCOMING nor OUTGOING")
                continue
            if way != wanted and wanted != "all":
                report.other_direction += 1
                continue
            name_at, url_at = columns[way]
            name = row[name_at].strip() or None
            url = row[url_at].strip()
            key = profile_key(url)
            values: dict[str, Any] = {"name": name, "profile_url": url if key else None,
                                      "direction": way}
            if self.has_message:
                values["message"] = row[message]
            try:
                if self.sent_at and row[sent]:
                    values["sent_at"] = typed_cell("sent_at", read_time, row[sent], line)
                for i, n, convert in others:
                    if row[i]:
                        values[n] = typed_cell(n, convert, row[i], line)
            except BadRow as exc:
                yield InputRecord(shown, line, None, str(exc))
                continue
            self.join(values, key, name)
            report.records += 1
            yield InputRecord(shown, line, values)

    def join(self, values: dict[str, Any], key: str | None, name: str | None) -> None:
        """Fill in what Connections.csv and messages.csv know of this person."""
        connections, messages = self.connections, self.messages
        if connections is not None:
            entry = connections.find(key, name)  # (already_connected also marks the table)
            if entry is None:
                values["already_connected"] = False
            else:
                self.report.already_connected += 1
                self.report.joined_by_name += key is None or key not in connections.by_key
                values["already_connected"] = True
                for field_name, value in zip(connections.fields, entry, strict=True):
                    if value is not None and values.get(field_name) is None:
                        values[field_name] = value
        if messages is not None:
            exchange = messages.find(key, name)
            if exchange is not None:
                if exchange[0] is not None:
                    values["last_interaction"] = exchange[0]
                if self.exchanged:
                    values["messages_exchanged"] = exchange[1]
            elif self.exchanged:
                values["messages_exchanged"] = 0
