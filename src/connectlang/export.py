"""Reading a LinkedIn data export, the archive from "Get a copy of your data".

Every row of Invitations.csv is a record (only the incoming ones by default), read
as a stream. Connections.csv and messages.csv are read first, into one small entry
per person, and joined onto each invitation by profile address, else by name
(`people.py`). The export is a folder or a `.zip` read in place. What the export
could and could not provide is kept in an `ExportReport` for the run's summary.

The facts behind the quirks handled here are in docs/cli.md ("LinkedIn exports").
"""

from __future__ import annotations

import io
import os
import re
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Final

from .csvrows import CsvRows, Problem
from .literals import LiteralError, parse_time_cell
from .people import Ambiguous, People, profile_key
from .records import (
    ALWAYS_READ,
    CELL_READERS,
    BadRow,
    InputError,
    InputRecord,
    Meter,
    cell_reader,
    filled,
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
# What reading a damaged archive member raises, besides OSError.
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError)


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
            names = {name: name for name in self._walk(Path(path))}
        elif not Path(path).exists():
            raise InputError(f"cannot read {path}: no such file")
        else:
            try:
                self.zip = zipfile.ZipFile(path)
            except (OSError, zipfile.BadZipFile) as exc:
                raise InputError(f"{path}: not a readable .zip archive ({exc})") from None
            # Some archivers write `folder\file.csv`: one folder either way.
            names = {i.filename.replace("\\", "/"): i.filename for i in self.zip.infolist()
                     if not i.is_dir() and i.filename.replace("\\", "/").count("/") <= self.DEPTH}
        exports = sorted(n for n in names if _file_key(n.rsplit("/", 1)[-1]) == "invitations.csv")
        if len(exports) > 1:
            self.close()
            shown = ", ".join(exports[:3]) + (", ..." if len(exports) > 3 else "")
            raise InputError(f"{path}: holds several exports ({shown}): give the folder or "
                             "archive of one")
        folder = exports[0].rpartition("/")[0] if exports else ""
        self.found: dict[str, str] = {}  # key -> the member's name as stored
        self.names: dict[str, str] = {}  # key -> its name as shown (`a/Messages.csv`)
        for name in sorted(names):
            where, _, base = name.rpartition("/")
            if where == folder and _file_key(base) in self.WANTED:
                self.found.setdefault(_file_key(base), names[name])
                self.names.setdefault(_file_key(base), name)

    def _walk(self, root: Path) -> list[str]:
        """The files of a folder, as relative `a/b.csv` names, at most DEPTH folders down."""
        names = []
        for folder, subfolders, files in os.walk(root):
            if len(Path(folder).relative_to(root).parts) >= self.DEPTH:
                subfolders.clear()
            names += [(Path(folder) / f).relative_to(root).as_posix() for f in files]
        return names

    def __contains__(self, key: str) -> bool:
        return key in self.found

    def base(self, key: str) -> str:
        """The file's own name, as this export spells it: `Messages.csv`."""
        return self.names[key].rsplit("/", 1)[-1]

    def shown(self, key: str) -> str:
        """The file as messages name it: `export/Connections.csv`, `export.zip/messages.csv`."""
        return f"{self.path.rstrip('/')}/{self.names[key]}"

    def size(self, key: str) -> int:
        if self.zip is not None:
            return self.zip.getinfo(self.found[key]).file_size
        return (Path(self.path) / self.found[key]).stat().st_size

    def open(self, key: str) -> IO[bytes]:
        try:
            if self.zip is not None:  # buffered: a zip member's own readline is Python code
                return io.BufferedReader(self.zip.open(self.found[key]), 1 << 16)  # type: ignore[type-var]
            return open(Path(self.path) / self.found[key], "rb")
        except (OSError, *_DAMAGED) as exc:  # RuntimeError: an encrypted member
            raise InputError(f"{self.shown(key)}: cannot be read ({exc})") from None

    @contextmanager
    def reading(self, key: str, meter: Meter) -> Iterator[IO[bytes]]:
        """Read one file; a damaged archive member or a failing disk stops the run
        with the file named (exit 2), never a traceback."""
        try:
            with meter.reading(self.open(key)) as stream:
                yield stream
        except (OSError, *_DAMAGED) as exc:
            raise InputError(f"{self.shown(key)}: cannot be read to the end ({exc}); is the "
                             "archive damaged?") from None

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()


@dataclass
class ExportReport:
    """What an export held and what the joins found, filled in while it is read."""

    path: str
    direction: str
    files: dict[str, str] = field(default_factory=dict)  # Connections.csv -> its name here
    missing: list[str] = field(default_factory=list)  # Connections.csv, messages.csv absent
    addresses: bool = True  # Invitations.csv has profile addresses (exports since late 2023)
    connection_addresses: bool = True  # Connections.csv has a URL column
    records: int = 0  # the invitations given as records, readable or not
    unreadable: int = 0  # of which could not be read
    other_direction: int = 0  # left out by --direction
    already_connected: int = 0  # records whose person is in Connections.csv
    joined_by_name: int = 0
    ambiguous_names: int = 0  # records whose name several connections share
    connections: int = 0
    hidden_profiles: int = 0
    messages: int = 0
    people_messaged: int = 0
    sponsored: int = 0
    drafts: int = 0
    incomplete: list[str] = field(default_factory=list)  # files with rows that could not be read
    problems: list[str] = field(default_factory=list)  # FILE:LINE:COLUMN: ... of those rows
    provides: set[str] = field(default_factory=set)  # the fields the export gives


class Export:
    """An export opened for reading: its files found, its Invitations.csv header read
    (so that an export that cannot be read stops the command before it starts)."""

    def __init__(self, path: str, direction: str = "incoming") -> None:
        self.files = ExportFiles(path)
        if "invitations.csv" not in self.files:
            self.files.close()
            raise InputError(f"{path}: no Invitations.csv in this export (a LinkedIn export "
                             "holds Invitations.csv, Connections.csv and messages.csv)")
        self.report = ExportReport(self.files.shown("invitations.csv").rpartition("/")[0], direction,
                                   {self.files.WANTED[k]: self.files.base(k) for k in self.files.found})
        with self.files.reading("invitations.csv", Meter()) as stream:
            header = _header(CsvRows(stream), ("From",), self.files.shown("invitations.csv"), None)
        # Older and Excel exports have no profile addresses: `check --input` says so.
        self.gives_addresses = "inviter_profile_url" in (header or ())

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
                with files.reading(key, meter) as stream:
                    table.read(stream, files.shown(key), report)
                if not table.complete:
                    report.incomplete.append(files.base(key))
        if connections is not None:
            report.provides |= {"already_connected", *connections.fields}
        if messages is not None:
            report.provides |= FROM_MESSAGES
        with files.reading("invitations.csv", meter) as stream:
            yield from _Invitations(schema, report, connections, messages).read(
                stream, files.shown("invitations.csv"))
    finally:
        files.close()


# -- Connections.csv and messages.csv: one small entry per person ------------------

def _header(rows: CsvRows, wanted: tuple[str, ...], shown: str,
            report: ExportReport | None) -> list[str] | None:
    """Skip the preamble (`Notes:` and its text) up to the row that names the columns.
    Without one, the file is not read: a problem in the report, or with no report (for
    Invitations.csv, whose rows are the records) an `InputError`."""
    first: Problem | None = None
    needed = {snake_case(w) for w in wanted}
    for _, row, problem in rows:
        if row is None:
            first = first or problem
            continue
        names = [snake_case(cell) for cell in row]
        if needed <= set(names):
            rows.width = len(row)
            return names
    why = f" (the first problem: {first})" if first else ""
    message = f"{shown}: no header row with the columns {', '.join(wanted)}{why}"
    if report is None:
        raise InputError(message)
    report.problems.append(message + "; the file is not read")
    return None


def _table(stream: IO[bytes], wanted: tuple[str, ...], shown: str, report: ExportReport,
           table: _Table) -> tuple[dict[str, int], CsvRows, Iterator[tuple[int, list[str]]]]:
    """A joined file's columns (by field name), its CsvRows and its readable rows; the rows
    that cannot be read go to the report, and make the table incomplete."""
    rows = CsvRows(stream)
    header = _header(rows, wanted, shown, report)

    def readable() -> Iterator[tuple[int, list[str]]]:
        for line, row, problem in rows:
            if row is None:
                assert problem is not None
                report.problems.append(problem.at(shown))
                table.complete = False
            else:
                yield line, row

    if header is None:
        table.complete = False
        return {}, rows, iter(())
    return _columns(header), rows, readable()


def _columns(header: list[str]) -> dict[str, int]:
    """Each column name's index, the first where a name repeats."""
    return {name: i for i, name in reversed(list(enumerate(header)))}


class _Table(People[Any]):
    """A joined file: one entry per person. `complete` when every row could be read, so
    that a person missing from it is known to be missing (not connected, no messages)."""

    complete = True


class _Connections(_Table):
    """Connections.csv: `already_connected`, `connected_on`, `company`, `position`, and
    whatever else its columns give that the policy reads; entries are their values."""

    def __init__(self, schema: Mapping[str, Type]) -> None:
        super().__init__(distinct=True)
        self.schema = schema
        self.fields: tuple[str, ...] = ()

    def read(self, stream: IO[bytes], shown: str, report: ExportReport) -> None:
        index, rows, readable = _table(stream, ("First Name", "Last Name"), shown, report, self)
        if not index:
            return
        url, first, last = index.get("url"), index["first_name"], index["last_name"]
        typed = [(i, name, cell_reader(name, self.schema[name])) for name, i in index.items()
                 if name in self.schema and name not in ("url", "name", "profile_url")]
        self.fields = tuple(name for _, name, _ in typed)
        for _, row in readable:
            name = " ".join(c for c in (_cell(row, first), _cell(row, last)) if c)
            key = profile_key(_cell(row, url))
            if key is None and not name:
                report.hidden_profiles += 1  # a hidden profile: a row with only a date
                continue
            values = []
            for i, field_name, convert in typed:
                try:
                    values.append(typed_cell(field_name, convert, row, i, rows) if _cell(row, i) else None)
                except BadRow as exc:  # the person is still a connection; this value is missing
                    report.problems.append(exc.problem.at(shown))
                    values.append(None)
            self.entry(key, name, tuple(values))
        report.connections = len(self)
        report.connection_addresses = url is not None


class _Messages(_Table):
    """messages.csv (or the oldest exports' Messages.csv): per person, the time of the
    last message and the number of messages; entries are [last, count]."""

    def __init__(self, times: bool) -> None:
        super().__init__()
        self.times = times  # read DATE only when the policy reads `last_interaction`

    def read(self, stream: IO[bytes], shown: str, report: ExportReport) -> None:
        index, rows, readable = _table(stream, ("From", "Date"), shown, report, self)
        if not index:
            return
        sender, sender_url = index["from"], index.get("sender_profile_url")
        to, to_urls = index.get("to"), index.get("recipient_profile_urls")
        date, draft = index["date"], index.get("is_message_draft")
        for _, row in readable:
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
                except LiteralError as exc:  # the message still counts; its time is unknown
                    report.problems.append(Problem(*rows.position(date), exc.message).at(shown))
                    self.complete = False
            report.messages += 1
            self._count(from_url, _cell(row, sender), when)
            urls = _cell(row, to_urls).replace(",", " ").split()
            if urls:
                for address in urls:
                    self._count(address, "" if len(urls) > 1 else _cell(row, to), when)
            else:
                self._count("", _cell(row, to), when)
        # You are in every message you sent or got: the people are the others.
        you = any(entry[1] == report.messages for entry in self.entries())
        report.people_messaged = len(self) - (1 if report.messages and you else 0)

    def _count(self, address: str, name: str, when: datetime | None) -> None:
        entry = self.entry(profile_key(address), name, [None, 0])
        if entry is not None:
            entry[1] += 1
            if when is not None and (entry[0] is None or when > entry[0]):
                entry[0] = when


def _cell(row: list[str], index: int | None) -> str:
    """A cell without the spaces around it, or "" for a column the file lacks or a short
    row."""
    return row[index].strip() if index is not None and index < len(row) else ""


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
        rows = CsvRows(stream)
        header = _header(rows, ("From",), shown, None)
        assert header is not None
        width = len(header)
        index = _columns(header)

        def at(name: str) -> int:  # a column the file lacks reads the blank added to each row
            return index.get(name, width)

        columns = {"incoming": (at("from"), at("inviter_profile_url")),
                   "outgoing": (at("to"), at("invitee_profile_url"))}
        report.addresses = "inviter_profile_url" in index
        message, sent, direction = at("message"), at("sent_at"), at("direction")
        others = [(i, n, cell_reader(n, self.schema[n])) for n, i in index.items()
                  if n in self.schema and n not in FROM_INVITATIONS and n != "profile_url"]
        read_time = CELL_READERS[Type.TIME]
        wanted = report.direction
        for line, row, problem in rows:
            if row is None:
                report.records += 1
                report.unreadable += 1
                yield InputRecord(shown, line, None, problem)
                continue
            if len(row) < width:
                row.extend([""] * (width - len(row)))
            row.append("")
            way = row[direction].strip().lower() or "incoming"
            if way not in columns:
                report.records += 1
                report.unreadable += 1
                yield InputRecord(shown, line, None, Problem(
                    *rows.position(direction), f"Direction `{row[direction]}` is neither INCOMING "
                    "nor OUTGOING"))
                continue
            if way != wanted and wanted != "all":
                report.other_direction += 1
                continue
            report.records += 1
            name_at, url_at = columns[way]
            name = row[name_at].strip() or None
            url = row[url_at].strip()
            key = profile_key(url)
            values: dict[str, Any] = {"name": name, "profile_url": url if key else None,
                                      "direction": way}
            if self.has_message:
                values["message"] = row[message]
            try:
                if self.sent_at and filled(row[sent]):
                    values["sent_at"] = typed_cell("sent_at", read_time, row, sent, rows)
                for i, n, convert in others:
                    if filled(row[i]):
                        values[n] = typed_cell(n, convert, row, i, rows)
            except BadRow as exc:
                report.unreadable += 1
                known = {field: values[field] for field in ALWAYS_READ if values[field] is not None}
                yield InputRecord(shown, line, None, exc.problem, known)
                continue
            self.join(values, key, name)
            yield InputRecord(shown, line, values)

    def join(self, values: dict[str, Any], key: str | None, name: str | None) -> None:
        """Fill in what Connections.csv and messages.csv know of this person. Someone
        missing from a file read whole is known not to be there; from a file with rows
        that could not be read, or under a name several people share, is unknown."""
        connections, messages = self.connections, self.messages
        if connections is not None:
            entry = connections.find(key, name)  # (already_connected also marks the table)
            if isinstance(entry, Ambiguous):
                self.report.ambiguous_names += 1
            elif entry is None:
                if connections.complete:
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
            if exchange is None:
                if self.exchanged and messages.complete:
                    values["messages_exchanged"] = 0
            elif not isinstance(exchange, Ambiguous):
                if exchange[0] is not None:
                    values["last_interaction"] = exchange[0]
                if self.exchanged:
                    values["messages_exchanged"] = exchange[1]
