"""Reading invitations: CSV, JSONL, JSON and stdin, streamed, one record at a time.

Every input record yields exactly one `InputRecord`, in order: its typed values, or
an error naming the field, the value and the input line. Nothing is dropped: a
broken CSV quote costs the record it starts in, and reading resumes on the next
line. Only the columns a policy reads are typed (plus `name` and `profile_url`,
which every output line shows), so an unused column never fails a record.
"""

from __future__ import annotations

import codecs
import functools
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, NamedTuple

from .builtins import FIELD_VALUES
from .csvrows import CsvRows, Problem, undecodable
from .literals import LiteralError, parse_duration, parse_time_cell
from .types import INT64_MAX, Type, encodable, has_type

ALIASES = {"from": "name", "inviter_profile_url": "profile_url"}
ALWAYS_READ = ("name", "profile_url")


class InputRecord(NamedTuple):
    """One input record: its typed values, or why they cannot be read (a tuple: a run
    makes one per record, and a frozen dataclass costs 2.5 times as much to build)."""

    source: str
    line: int  # the input line the record starts on
    values: dict[str, Any] | None
    error: Problem | None = None
    known: dict[str, Any] | None = None  # of an error record: what of ALWAYS_READ was read



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
                     ".ndjson or .json file")


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
                self.finished = self.position()
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


class BadValue(Exception):
    """Why a cell cannot be read as its field's type (`is not a whole number`)."""


def _cell_int(text: str) -> int:
    text = text.strip()
    if not _INT.fullmatch(text):
        raise BadValue("is not a whole number")
    return _int64(text.lstrip("+-").lstrip("0"), text.startswith("-"))


def _int64(digits: str, negative: bool) -> int:
    """The value of `digits`, which must fit in 64 bits as the language's integers do
    (checked on the length first: Python refuses int() on more than 4,300 digits)."""
    value = int(digits or "0") if len(digits) <= 19 else INT64_MAX + 1
    if value > INT64_MAX + negative:
        raise BadValue("is too large: whole numbers must fit in 64 bits")
    return -value if negative else value


def _cell_bool(text: str) -> bool:
    value = _BOOLS.get(text.strip().lower())
    if value is None:
        raise BadValue("is not a yes/no value (true, false, yes, no, 1 or 0)")
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
            # The caller names the value: "`x` is not a time: ..." -> "is not a time: ...".
            named = f"`{text.strip()}` "
            message = (exc.message[len(named):] if exc.message.startswith(named)
                       else f"is not valid: {exc.message}")
            raise BadValue(f"{message}; {exc.help}" if exc.help else message) from None
    return convert


CELL_READERS: dict[Type, Callable[[str], Any]] = {
    Type.STRING: str,
    Type.INT: _cell_int,
    Type.BOOL: _cell_bool,
    Type.LIST: _cell_list,
    Type.TIME: _literal(parse_time_cell),
    Type.DURATION: _literal(parse_duration),
}


def _cell_direction(text: str) -> str:
    way = text.strip().lower()
    if way not in FIELD_VALUES["direction"]:
        raise BadValue("is neither `incoming` nor `outgoing`")
    return way


def cell_reader(name: str, ty: Type) -> Callable[[str], Any]:
    """How a cell of field `name` is read: by its type, except that `direction` is one of
    its two values (spec section 4), in any case (LinkedIn writes `INCOMING`)."""
    return _cell_direction if name == "direction" else CELL_READERS[ty]


def _json_value(name: str, value: Any, ty: Type) -> Any:
    if not encodable(value):
        raise BadValue("is not valid Unicode text (it holds a lone surrogate)")
    if ty in (Type.TIME, Type.DURATION) or name == "direction":
        if isinstance(value, str):
            return cell_reader(name, ty)(value)
    elif ty is Type.INT and isinstance(value, int) and not isinstance(value, bool):
        return _int64(str(abs(value)), value < 0)
    elif has_type(value, ty):
        return value
    elif ty is Type.LIST and isinstance(value, list):
        item = next(item for item in value if not isinstance(item, str))
        raise BadValue(f"is not a list of strings: an item is {_json_kind(item)}")
    raise BadValue(f"is not {'an' if ty is Type.INT else 'a'} {ty}"
                    + (" (a string like 2026-07-08T21:34:00Z)" if ty is Type.TIME else ""))


def _bad(field: str, shown: str, why: str) -> str:
    """The message for a value that cannot be read: a string's text, any other JSON
    value as the file writes it."""
    shown = shown.encode("utf-8", "backslashreplace").decode("utf-8")  # printable, always
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return f"field `{field}`: `{shown}` {why}"


class BadRow(Exception):
    """A row whose values cannot be read: `problem` names line, column, field and value."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


# -- CSV -----------------------------------------------------------------------

class Columns:
    """Which cells of a CSV row become which typed fields, by the header."""

    def __init__(self, header: list[str], schema: Mapping[str, Type], rows: CsvRows,
                 source: str) -> None:
        self.names = [normalize_column(h) for h in header]
        self.typed: list[tuple[int, str, Callable[[str], Any]]] = []
        first: dict[str, int] = {}
        for index, name in enumerate(self.names):
            if name not in schema:
                continue
            if name in first:  # which one to read would be a guess
                line, column = rows.position(index)
                raise InputError(f"{source}:{line}:{column}: the columns `{header[first[name]].strip()}` "
                                 f"and `{header[index].strip()}` both give the field `{name}`; rename "
                                 "or remove one")
            first[name] = index
            self.typed.append((index, name, cell_reader(name, schema[name])))

    def identity(self, row: list[str]) -> dict[str, Any]:
        """The name and address of a row another cell of which cannot be read."""
        return {name: convert(row[index]) for index, name, convert in self.typed  # strings
                if name in ALWAYS_READ and index < len(row) and filled(row[index])}

    def values(self, row: list[str], rows: CsvRows) -> dict[str, Any]:
        """The typed values of a row; `BadRow` names the first bad cell."""
        values: dict[str, Any] = {}
        for index, name, convert in self.typed:
            if index < len(row) and filled(row[index]):
                values[name] = typed_cell(name, convert, row, index, rows)
        return values


def filled(cell: str) -> bool:
    """Whether a cell holds a value: an empty one is missing (spec), and so is a blank one,
    white space only, which a reader cannot tell from an empty one."""
    return bool(cell) and not cell.isspace()


def typed_cell(name: str, convert: Callable[[str], Any], row: list[str], index: int,
               rows: CsvRows) -> Any:
    """Cell `index` read by its field's reader; `BadRow` names line, column, field, value."""
    try:
        return convert(row[index])
    except BadValue as exc:
        line, column = rows.position(index)
        raise BadRow(Problem(line, column, _bad(name, row[index], str(exc)))) from None


def _read_csv(stream: IO[bytes], source: str, schema: Mapping[str, Type],
              seen: set[str] | None = None) -> Iterator[InputRecord]:
    rows = CsvRows(stream)
    columns: Columns | None = None
    for line, row, problem in rows:
        if row is None:
            if columns is None:  # no header: nothing after it can be read
                why = "the header cannot be read, so neither can the rows"
                raise InputError(Problem(problem.line, problem.column, f"{why}: {problem.message}")
                                 .at(source) if problem else f"{source}: {why}")
            yield InputRecord(source, line, None, problem)
        elif columns is None:
            columns = Columns(row, schema, rows, source)
            rows.width = len(row)
            if seen is not None:
                seen.update(columns.names)
        else:
            try:
                yield InputRecord(source, line, columns.values(row, rows))
            except BadRow as exc:
                yield InputRecord(source, line, None, exc.problem, columns.identity(row))


# -- JSON ----------------------------------------------------------------------

def _json_kind(value: Any) -> str:
    """What a JSON value is, in JSON's words (`null`, `an array`), not Python's."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    kinds: dict[type, str] = {str: "a string", list: "an array", dict: "an object"}
    return kinds.get(type(value), "a number")


class _JsonObject(NamedTuple):
    """Where a decoded object came from: its text, the offset of its `{` there, and the
    line and column of that `{`; read again only to place an error."""

    text: str
    start: int
    line: int
    column: int

    def member(self, key: str) -> tuple[int, int, str]:
        """The line and column of member `key`'s value (its last, as JSON keeps the
        last) and the value as written (`1e3`, not `1000.0`), found by decoding the
        members in turn: an escaped key or a nested object holding the same key cannot
        mislead it. The object's `{` if it has no such key."""
        text, scan = self.text, _DECODER.raw_decode
        at = end = self.start
        pos = _past_space(text, self.start + 1)
        while text.startswith('"', pos):
            name, pos = scan(text, pos)
            pos = _past_space(text, _past_space(text, pos) + 1)  # past the `:`
            value_end = scan(text, pos)[1]
            if name == key:
                at, end = pos, value_end
            pos = _past_space(text, _past_space(text, value_end) + 1)  # past `,` or `}`
        return (*_moved(text, self.start, self.line, self.column, at), text[at:end])


class _Repeated(dict[str, Any]):
    """A decoded object that wrote a key twice, which JSON reads as its last value."""

    twice: frozenset[str] = frozenset()


def _members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    repeated = _Repeated(obj)
    repeated.twice = frozenset(k for k, count in Counter(k for k, _ in pairs).items() if count > 1)
    return repeated


_DECODER = json.JSONDecoder(object_pairs_hook=_members)


def _moved(text: str, start: int, line: int, column: int, to: int) -> tuple[int, int]:
    """The line and column of text[to], text[start] being at `line` and `column`."""
    newlines = text.count("\n", start, to)
    if newlines:
        return line + newlines, to - text.rfind("\n", start, to)
    return line, column + to - start


def _past_space(text: str, pos: int) -> int:
    """The offset of the first character from `pos` on that is not JSON white space."""
    while pos < len(text) and text[pos] in " \t\n\r":
        pos += 1
    return pos


def _typed(obj: Any, schema: Mapping[str, Type], source: str, where: _JsonObject,
           seen: set[str] | None) -> InputRecord:
    line = where.line
    if not isinstance(obj, dict):
        return InputRecord(source, line, None, Problem(
            line, where.column, f"expected an object {{...}}, found {_json_kind(obj)}"))
    if seen is not None:
        seen.update(normalize_column(key) for key in obj)
    values: dict[str, Any] = {}
    keys: dict[str, str] = {}  # each field read, by the key that gave it
    for key, raw in obj.items():
        name = normalize_column(key)
        ty = schema.get(name)
        if ty is None:
            continue
        if name in keys or (isinstance(obj, _Repeated) and key in obj.twice):
            twice = f"the key `{key}` is written twice" if name not in keys else (
                f"the keys `{keys[name]}` and `{key}` both give the field `{name}`")
            return InputRecord(source, line, None, Problem(*where.member(key)[:2],
                                                           f"{twice}; keep one"))
        keys[name] = key
        if raw is None:
            continue
        try:
            values[name] = _json_value(name, raw, ty)
        except BadValue as exc:
            at_line, column, written = where.member(key)
            shown = raw if isinstance(raw, str) else written
            known = {field: value for written, value in obj.items()
                     if (field := normalize_column(written)) in ALWAYS_READ and field != name
                     and isinstance(value, str) and encodable(value)}
            return InputRecord(source, line, None, Problem(at_line, column,
                                                           _bad(name, shown, str(exc))), known)
    return InputRecord(source, line, values)


def _read_jsonl(stream: IO[bytes], source: str, schema: Mapping[str, Type],
                seen: set[str] | None = None) -> Iterator[InputRecord]:
    for number, raw in enumerate(stream, 1):
        try:
            text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            yield InputRecord(source, number, None, undecodable(number, raw, exc))
            continue
        if not text.strip():
            continue
        try:
            obj = _DECODER.decode(text)
        except json.JSONDecodeError as exc:
            yield InputRecord(source, number, None, Problem(number, exc.colno,
                                                            _json_message(exc.msg)))
            continue
        except (ValueError, RecursionError) as exc:
            yield InputRecord(source, number, None, Problem(number, None, _beyond_limits(exc)))
            continue
        start = _past_space(text, 0)
        yield _typed(obj, schema, source, _JsonObject(text, start, number, start + 1), seen)


# One element of a JSON array may be at most this long: a longer one is a broken file
# (an unterminated string), and reading it whole would not keep memory flat.
MAX_JSON_ELEMENT = 16 << 20


def _read_json(stream: IO[bytes], source: str, schema: Mapping[str, Type],
               seen: set[str] | None = None) -> Iterator[InputRecord]:
    """A JSON array of objects, decoded element by element (memory stays flat). A syntax
    error ends the file with one error record at its line and column. An empty file has
    no records, as an empty CSV or JSONL file has none."""
    text = _JsonText(stream)
    try:
        first = text.skip_space()
        if first == "" and text.bad_at is None:
            return
        if first != "[":
            raise text.fail("a .json input must be an array of objects, `[{...}, ...]`", text.pos)
        text.advance(text.pos + 1)
        separator = text.skip_space()
        while separator != "]":
            start = (text.line, text.column)
            size = 1 << 16
            while True:
                try:
                    obj, end = _DECODER.raw_decode(text.buffer, text.pos)
                    break
                except json.JSONDecodeError as exc:
                    # More text helps only if the element was cut off by the buffer's end.
                    cut = exc.pos >= len(text.buffer) - 64 or exc.msg.startswith("Unterminated")
                    if len(text.buffer) - text.pos > MAX_JSON_ELEMENT:
                        raise text.fail(f"an element longer than {MAX_JSON_ELEMENT >> 20} MB; is a "
                                        "string not closed?", text.pos) from None
                    if not cut or not text.fill(size):
                        raise text.fail(_json_message(exc.msg), exc.pos, cut) from None
                    size *= 2
                except (ValueError, RecursionError) as exc:
                    raise text.fail(_beyond_limits(exc), text.pos, cut=False) from None
            where = _JsonObject(text.buffer, text.pos, *start)
            text.advance(end)
            yield _typed(obj, schema, source, where, seen)
            separator = text.skip_space()
            if separator == ",":
                text.advance(text.pos + 1)
                text.skip_space()
            elif separator != "]":
                raise text.fail("expected `,` or `]` after an element", text.pos)
        text.advance(text.pos + 1)
        if text.skip_space() != "":
            raise text.fail("text after the end of the array", text.pos)
    except _BadJson as exc:
        line, column, message = exc.args
        yield InputRecord(source, line, None, Problem(
            line, column, f"{message}; the rest of the file cannot be read"))


_JSON_WORDS = {
    "Expecting value": "expected a value",
    "Invalid control character": "a tab or line break inside a string; write it as `\\t` or `\\n`",
    "Unterminated string": "a string that is never closed",
    "Extra data": "text after the line's value; each line of a .jsonl file holds one object",
}


def _json_message(message: str) -> str:
    """The decoder's message without its dangling "at" ("Unterminated string starting
    at"), in plainer words where they help."""
    message = message.removesuffix(" at").removesuffix(" starting")
    return f"not valid JSON: {_JSON_WORDS.get(message, message)}"


def _beyond_limits(exc: ValueError | RecursionError) -> str:
    """Valid JSON that Python will not decode: too deep, or a number too long."""
    if isinstance(exc, RecursionError):
        return "JSON nested too deeply to read"
    return "a JSON number too long to read (more than 4,300 digits)"


class _JsonText:
    """The text of a JSON file read a chunk at a time, with the line and column of
    `buffer[pos]`. Text stops at the first bytes that are not UTF-8 (`bad_at`)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.utf8 = codecs.getincrementaldecoder("utf-8-sig")()
        self.buffer, self.pos, self.line, self.column = "", 0, 1, 1
        self.bad_at: int | None = None  # the buffer offset where bad bytes begin
        self.bad_byte = 0
        self.started = False

    def fill(self, size: int = 1 << 16) -> bool:
        """Read more text; False at the end of the file or at bytes that are not UTF-8.
        The buffer moves (dropping what is before `pos`) only when text is added."""
        if self.bad_at is not None:
            return False
        raw = self.stream.read(size)
        first, self.started = not self.started, True
        try:
            chunk = self.utf8.decode(raw, final=not raw)
        except UnicodeDecodeError as exc:  # keep the text before the bad bytes
            chunk = exc.object[: exc.start].decode("utf-8-sig" if first else "utf-8")
            self.bad_byte = exc.object[exc.start]
            self.bad_at = len(self.buffer) - self.pos + len(chunk)
        if chunk:
            self.buffer, self.pos = self.buffer[self.pos:] + chunk, 0
        elif self.bad_at is not None:
            self.bad_at += self.pos  # the buffer did not move
        return bool(chunk)

    def where(self, to: int) -> tuple[int, int]:
        """The line and column of buffer[to]."""
        return _moved(self.buffer, self.pos, self.line, self.column, to)

    def advance(self, to: int) -> None:
        (self.line, self.column), self.pos = self.where(to), to

    def skip_space(self) -> str:
        """Move past white space; the next character, or "" at the end."""
        while True:
            self.advance(_past_space(self.buffer, self.pos))
            if self.pos < len(self.buffer):
                return self.buffer[self.pos]
            if not self.fill():
                return ""

    def fail(self, message: str, at: int, cut: bool = True) -> _BadJson:
        """The error to report: a syntax error, or, where the text was cut short by
        bytes that are not UTF-8, those bytes."""
        if self.bad_at is not None and (cut or at >= self.bad_at):
            return _BadJson(*self.where(self.bad_at), f"not valid UTF-8 text (byte "
                            f"0x{self.bad_byte:02x}); save the file as UTF-8")
        return _BadJson(*self.where(at), message)


class _BadJson(Exception):
    pass


_READERS = {"csv": _read_csv, "jsonl": _read_jsonl, "json": _read_json}
