"""Reading invitations: CSV, JSONL, JSON and stdin, streamed, one record at a time.

Every input record yields exactly one `InputRecord`, in order: its typed values, or
an error naming the field, the value and the input line. Nothing is dropped: a
broken CSV quote costs the record it starts in, and reading resumes on the next
line. Only the columns a policy reads are typed (plus `name` and `profile_url`,
which every output line shows), so an unused column never fails a record.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, NamedTuple

from .literals import LiteralError, parse_duration, parse_time_cell
from .types import Type

ALIASES = {"from": "name", "inviter_profile_url": "profile_url"}
ALWAYS_READ = ("name", "profile_url")
FORMATS = ("csv", "jsonl", "json")


class InputRecord(NamedTuple):
    """One input record: its typed values, or why they cannot be read (a tuple: a run
    makes one per record, and a frozen dataclass costs 2.5 times as much to build)."""

    source: str
    line: int  # the input line the record starts on
    values: dict[str, Any] | None
    error: str | None = None


class InputError(Exception):
    """An input cannot be read at all (missing file, unknown format): exit code 2."""


_CAMEL_1 = re.compile(r"([a-z0-9])([A-Z])")
_CAMEL_2 = re.compile(r"([A-Z]+)([A-Z][a-z])")
_OTHER = re.compile(r"[^a-z0-9]+")


def snake_case(header: str) -> str:
    """`Sent At` -> `sent_at`, `inviterProfileUrl` -> `inviter_profile_url`, `VIP` -> `vip`."""
    name = header.lstrip("\ufeff")
    name = _CAMEL_1.sub(r"\1_\2", name)
    name = _CAMEL_2.sub(r"\1_\2", name)
    return _OTHER.sub("_", name.lower()).strip("_")


@functools.lru_cache(maxsize=1024)
def normalize_column(header: str) -> str:
    """A column's field name: snake case, then the aliases that make a bare
    Invitations.csv read as expected (`From` -> `name`)."""
    name = snake_case(header)
    return ALIASES.get(name, name)


def detect_format(path: str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".json":
        return "json"
    raise InputError(f"{path}: cannot tell the format from the name: use a .csv, .jsonl, "
                     ".ndjson or .json file, or `-` with --input-format")


class Meter:
    """How far a run's readers are through their input files, in bytes: the measure of
    the progress bar. The total is None when an input is a stream, such as stdin."""

    def __init__(self, total: int | None = None) -> None:
        self.total = total
        self.finished = 0
        self.stream: IO[bytes] | None = None

    @contextmanager
    def reading(self, stream: IO[bytes]) -> Iterator[IO[bytes]]:
        """Use and close `stream`, counting its bytes as they are read."""
        self.stream = stream
        try:
            with stream:
                yield stream
                self.finished += self.position() - self.finished
        finally:
            self.stream = None

    def position(self) -> int:
        try:
            return self.finished + (self.stream.tell() if self.stream is not None else 0)
        except (OSError, ValueError):  # not seekable, or already closed
            return self.finished


def read(path: str, schema: Mapping[str, Type], input_format: str | None = None,
         stdin: IO[bytes] | None = None, meter: Meter | None = None,
         seen: set[str] | None = None) -> Iterator[InputRecord]:
    """The records of one CSV, JSONL or JSON input; `-` is stdin (with `input_format`).
    `seen` collects the fields the input has columns for."""
    meter = meter or Meter()
    if path == "-":
        if input_format is None:
            raise InputError("reading stdin needs --input-format csv, jsonl or json")
        assert stdin is not None
        return _READERS[input_format](stdin, "<stdin>", schema, seen)
    reader = _READERS[input_format or detect_format(path)]
    try:
        handle = open(path, "rb")  # noqa: SIM115 (closed by the generator)
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None
    return _metered(meter, handle, reader(handle, path, schema, seen))


def _metered(meter: Meter, handle: IO[bytes], records: Iterator[InputRecord]) -> Iterator[InputRecord]:
    with meter.reading(handle):
        yield from records


# -- typed values --------------------------------------------------------------

_INT = re.compile(r"[+-]?[0-9]+")
_BOOLS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


class _BadValue(Exception):
    pass


def _cell_int(text: str) -> int:
    if not _INT.fullmatch(text.strip()):
        raise _BadValue("is not a whole number")
    return int(text)


def _cell_bool(text: str) -> bool:
    value = _BOOLS.get(text.strip().lower())
    if value is None:
        raise _BadValue("is not a yes/no value (true, false, yes, no, 1 or 0)")
    return value


def _cell_list(text: str) -> list[str]:
    text = text.strip()
    if text == "[]":
        return []
    return [item.strip() for item in text.split(";") if item.strip()]


def _literal(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    def convert(text: str) -> Any:
        try:
            return parse(text.strip())
        except LiteralError as exc:
            raise _BadValue(_short(exc.message)) from None
    return convert


def _short(message: str) -> str:
    # "`x` is not a time: ..." -> "is not a time: ...": the caller names the value.
    return message.split("` ", 1)[1] if message.startswith("`") and "` " in message else message


CELL_READERS: dict[Type, Callable[[str], Any]] = {
    Type.STRING: str,
    Type.INT: _cell_int,
    Type.BOOL: _cell_bool,
    Type.LIST: _cell_list,
    Type.TIME: _literal(parse_time_cell),
    Type.DURATION: _literal(parse_duration),
}


def _encodable(value: Any) -> bool:
    """JSON may hold lone surrogates (`"\\ud800"`), which are not text."""
    try:
        (value if isinstance(value, str) else "".join(value)).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _json_value(value: Any, ty: Type) -> Any:
    if isinstance(value, (str, list)) and not _encodable(
            [v for v in value if isinstance(v, str)] if isinstance(value, list) else value):
        raise _BadValue("is not valid Unicode text (it holds a lone surrogate)")
    if ty is Type.STRING and isinstance(value, str):
        return value
    if ty is Type.INT and isinstance(value, int) and not isinstance(value, bool):
        return value
    if ty is Type.BOOL and isinstance(value, bool):
        return value
    if ty is Type.LIST and isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    if ty in (Type.TIME, Type.DURATION) and isinstance(value, str):
        return CELL_READERS[ty](value)
    raise _BadValue(f"is not {'an' if ty is Type.INT else 'a'} {ty}"
                    + (" (a string like 2026-07-08T21:34:00Z)" if ty is Type.TIME else ""))


def _bad(field: str, raw: Any, why: str, line: int) -> str:
    shown = raw if isinstance(raw, str) else json.dumps(raw)
    shown = shown.encode("utf-8", "backslashreplace").decode("utf-8")  # printable, always
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return f"line {line}: field `{field}`: `{shown}` {why}"


# -- CSV -----------------------------------------------------------------------

CsvRow = tuple[int, "list[str] | None", "str | None"]  # line, cells or None, error

# A quoted cell may hold line breaks; one longer than this is a missing closing quote.
MAX_LINES_IN_A_ROW = 10_000


class _RowTooLong(Exception):
    pass


class CsvRows:
    """The rows of a CSV byte stream, each with the line it starts on; nothing lost.

    A row that cannot be read (a broken quote, invalid UTF-8, a cell longer than the
    csv module allows) becomes one error naming its line and column, and reading
    resumes on the line after its first: a stray quote costs one row, not the rest of
    the file. Blank lines are not rows. A BOM is dropped.
    """

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.number = 0  # lines read from the stream
        self.taken: list[tuple[int, str]] = []  # the lines of the row being read
        self.pending: deque[tuple[int, str]] = deque()  # lines to read again
        self.bad_lines: dict[int, str] = {}  # line -> why it is not UTF-8

    def _lines(self) -> Iterator[str]:
        taken, pending, readline = self.taken, self.pending, self.stream.readline
        while True:
            while pending:
                entry = pending.popleft()
                taken.append(entry)
                yield entry[1]
            raw = readline()
            if not raw:
                return
            self.number += 1
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                text = self._undecodable(raw, exc)
            if self.number == 1 and text.startswith("\ufeff"):
                text = text[1:]
            taken.append((self.number, text))
            if len(taken) > MAX_LINES_IN_A_ROW:
                raise _RowTooLong
            yield text

    def _undecodable(self, raw: bytes, exc: UnicodeDecodeError) -> str:
        column = len(raw[: exc.start].decode("utf-8", "replace")) + 1
        self.bad_lines[self.number] = (f"line {self.number}, column {column}: not valid UTF-8 "
                                       f"text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8")
        return raw.decode("utf-8", "replace")

    def __iter__(self) -> Iterator[CsvRow]:
        reader = csv.reader(self._lines(), strict=True)
        taken = self.taken
        while True:
            taken.clear()
            try:
                row = next(reader)
            except StopIteration:
                return
            except (csv.Error, _RowTooLong) as exc:
                line = taken[0][0] if taken else self.number
                yield line, None, _csv_problem(exc, taken)
                self.pending.extendleft(reversed(taken[1:]))  # resume on the next line
                reader = csv.reader(self._lines(), strict=True)
                continue
            if not row:
                continue
            line = taken[0][0]
            if self.bad_lines:
                problem = next((self.bad_lines.pop(n) for n, _ in taken if n in self.bad_lines), None)
                if problem is not None:
                    yield line, None, problem
                    continue
            yield line, row, None


def _csv_problem(exc: Exception, taken: list[tuple[int, str]]) -> str:
    """Why a row cannot be read, at the line and column of the quote at fault."""
    text = "".join(t for _, t in taken)
    first = taken[0][0] if taken else 0
    if isinstance(exc, _RowTooLong):
        where = _position(text, _scan_quotes(text)[0] or 0, first)
        return (f"{where}: a quoted cell runs over more than {MAX_LINES_IN_A_ROW:,} lines; "
                "is its closing quote missing?")
    message = str(exc)
    if "field larger than field limit" in message:
        return f"line {first}: a cell is longer than {csv.field_size_limit():,} characters"
    opened, stray = _scan_quotes(text)
    if stray is not None:
        assert opened is not None
        if "\n" in text[opened:stray]:
            return (f"{_position(text, opened, first)}: this quote opens a cell that runs on to "
                    f"{_position(text, stray, first)}, where `{text[stray]}` follows its closing "
                    "quote; is a quote missing?")
        return (f"{_position(text, stray, first)}: `{text[stray]}` right after a closing quote; "
                'a cell that starts with `"` must end with `"` before the next `,` '
                '(write a quote inside a cell as `""`)')
    if opened is not None:
        return (f"{_position(text, opened, first)}: this quote opens a cell that is never "
                f"closed; the row is skipped and reading goes on at line {first + 1}")
    return f"line {first}: this CSV row cannot be read ({message})"


def _position(text: str, offset: int, first_line: int) -> str:
    line = first_line + text.count("\n", 0, offset)
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def _scan_quotes(text: str) -> tuple[int | None, int | None]:
    """Where csv's strict reading fails: (the offset of the quote that opened the cell at
    fault, the offset of a character after its closing quote, or None if it never closes)."""
    quoted, opened, at_cell_start, i = False, 0, True, 0
    while i < len(text):
        char = text[i]
        if quoted:
            if char == '"':
                if text.startswith('"', i + 1):
                    i += 2
                    continue
                quoted = False
                if i + 1 < len(text) and text[i + 1] not in ",\r\n":
                    return opened, i + 1
            i += 1
            continue
        if char == '"' and at_cell_start:
            quoted, opened = True, i
        at_cell_start = char in ",\r\n"
        i += 1
    return (opened if quoted else None), None


class Columns:
    """Which cells of a CSV row become which typed fields, by the header."""

    def __init__(self, header: list[str], schema: Mapping[str, Type]) -> None:
        self.names = [normalize_column(h) for h in header]
        self.width = len(header)
        self.typed: list[tuple[int, str, Callable[[str], Any]]] = []
        for index, name in enumerate(self.names):
            if name in schema and all(name != n for _, n, _ in self.typed):
                self.typed.append((index, name, CELL_READERS[schema[name]]))

    def values(self, row: list[str], line: int) -> dict[str, Any]:
        """The typed values of a row; `_BadValue` names the first bad cell."""
        if len(row) > self.width:
            raise BadRow(f"line {line}: {len(row)} cells, but the header has {self.width} columns")
        values: dict[str, Any] = {}
        for index, name, convert in self.typed:
            if index < len(row) and row[index] != "":
                values[name] = typed_cell(name, convert, row[index], line)
        return values


def typed_cell(name: str, convert: Callable[[str], Any], text: str, line: int) -> Any:
    """A cell read by its field's reader; `BadRow` names the line, field and value."""
    try:
        return convert(text)
    except _BadValue as exc:
        raise BadRow(_bad(name, text, str(exc), line)) from None


class BadRow(Exception):
    """A row whose values cannot be read; the message names line, field and value."""


def _read_csv(stream: IO[bytes], source: str, schema: Mapping[str, Type],
              seen: set[str] | None = None) -> Iterator[InputRecord]:
    columns: Columns | None = None
    for line, row, error in CsvRows(stream):
        if row is None:
            yield InputRecord(source, line, None, error)
        elif columns is None:
            columns = Columns(row, schema)
            if seen is not None:
                seen.update(columns.names)
        else:
            try:
                yield InputRecord(source, line, columns.values(row, line))
            except BadRow as exc:
                yield InputRecord(source, line, None, str(exc))


# -- JSON ----------------------------------------------------------------------

def _typed(obj: Any, schema: Mapping[str, Type], source: str, line: int,
           seen: set[str] | None) -> InputRecord:
    if not isinstance(obj, dict):
        return InputRecord(source, line, None, f"line {line}: expected an object "
                           f"{{...}}, found {type(obj).__name__}")
    if seen is not None:
        seen.update(normalize_column(key) for key in obj)
    values: dict[str, Any] = {}
    for key, raw in obj.items():
        name = normalize_column(key)
        ty = schema.get(name)
        if ty is None or raw is None or name in values:
            continue
        try:
            values[name] = _json_value(raw, ty)
        except _BadValue as exc:
            return InputRecord(source, line, None, _bad(name, raw, str(exc), line))
    return InputRecord(source, line, values)


def _read_jsonl(stream: IO[bytes], source: str, schema: Mapping[str, Type],
                seen: set[str] | None = None) -> Iterator[InputRecord]:
    for number, raw in enumerate(stream, 1):
        try:
            text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            column = len(raw[: exc.start].decode("utf-8", "replace")) + 1
            yield InputRecord(source, number, None, f"line {number}, column {column}: not valid "
                              f"UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8")
            continue
        if not text.strip():
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            yield InputRecord(source, number, None, f"line {number}, column {exc.colno}: not "
                              f"valid JSON: {exc.msg}")
            continue
        yield _typed(obj, schema, source, number, seen)


def _read_json(stream: IO[bytes], source: str, schema: Mapping[str, Type],
               seen: set[str] | None = None) -> Iterator[InputRecord]:
    """A JSON array of objects, decoded element by element (memory stays flat)."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="strict")
    decoder = json.JSONDecoder()
    buffer, pos, line, column = "", 0, 1, 1  # line and column of buffer[pos]

    def fill() -> bool:
        nonlocal buffer, pos
        try:
            chunk = text.read(1 << 16)
        except UnicodeDecodeError:
            raise _BadJson("not valid UTF-8 text; save the file as UTF-8", None) from None
        buffer, pos = buffer[pos:] + chunk, 0
        return bool(chunk)

    def where(to: int) -> tuple[int, int]:
        """The line and column of buffer[to]."""
        newlines = buffer.count("\n", pos, to)
        return line + newlines, (to - buffer.rfind("\n", pos, to)) if newlines else column + to - pos

    def advance(to: int) -> None:
        nonlocal pos, line, column
        (line, column), pos = where(to), to

    def skip_space() -> str:
        while True:
            end = pos
            while end < len(buffer) and buffer[end] in " \t\r\n":
                end += 1
            advance(end)
            if pos < len(buffer) or not fill():
                return buffer[pos] if pos < len(buffer) else ""

    try:
        if skip_space() != "[":
            raise _BadJson("a .json input must be an array of objects, `[{...}, ...]`", where(pos))
        advance(pos + 1)
        if skip_space() == "]":
            return
        while True:
            skip_space()
            start_line = line
            while True:
                try:
                    obj, end = decoder.raw_decode(buffer, pos)
                    break
                except json.JSONDecodeError as exc:
                    at = where(exc.pos)  # before `fill` moves the buffer
                    if not fill():
                        raise _BadJson(f"not valid JSON: {exc.msg}", at) from None
            advance(end)
            yield _typed(obj, schema, source, start_line, seen)
            separator = skip_space()
            if separator == "]":
                return
            if separator != ",":
                raise _BadJson("expected `,` or `]` after an element", where(pos))
            advance(pos + 1)
    except _BadJson as exc:
        message, at = exc.args
        place = f"line {at[0]}, column {at[1]}" if at else f"line {line}"
        yield InputRecord(source, at[0] if at else line, None, f"{place}: {message}; the rest of "
                          "the file cannot be read")


class _BadJson(Exception):
    pass


_READERS = {"csv": _read_csv, "jsonl": _read_jsonl, "json": _read_json}
