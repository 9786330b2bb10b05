"""Reading invitations: CSV, JSONL, JSON and stdin, streamed, one record at a time.

Every input record yields exactly one `InputRecord`, in order: its typed values, or
an error naming the field, the value and the input line. Nothing is dropped: a
broken CSV quote costs the record it starts in, and reading resumes on the next
line. Only the columns a policy reads are typed (plus `name` and `profile_url`,
which every output line shows), so an unused column never fails a record.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from .literals import LiteralError, parse_duration, parse_time_cell
from .types import Type

ALIASES = {"from": "name", "inviter_profile_url": "profile_url"}
ALWAYS_READ = ("name", "profile_url")
FORMATS = ("csv", "jsonl", "json")


@dataclass(frozen=True, slots=True)
class InputRecord:
    source: str
    line: int  # the input line the record starts on
    values: dict[str, Any] | None
    error: str | None = None


class InputError(Exception):
    """An input cannot be read at all (missing file, unknown format): exit code 2."""


_CAMEL_1 = re.compile(r"([a-z0-9])([A-Z])")
_CAMEL_2 = re.compile(r"([A-Z]+)([A-Z][a-z])")
_OTHER = re.compile(r"[^a-z0-9]+")


def normalize_column(header: str) -> str:
    """`Sent At` -> `sent_at`, `inviterProfileUrl` -> `inviter_profile_url`, then aliases."""
    name = header.lstrip("\ufeff")
    name = _CAMEL_1.sub(r"\1_\2", name)
    name = _CAMEL_2.sub(r"\1_\2", name)
    name = _OTHER.sub("_", name.lower()).strip("_")
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


def read(path: str, schema: Mapping[str, Type], input_format: str | None = None,
         stdin: IO[bytes] | None = None) -> Iterator[InputRecord]:
    """The records of one input; `-` is stdin (with `input_format`)."""
    if path == "-":
        if input_format is None:
            raise InputError("reading stdin needs --input-format csv, jsonl or json")
        assert stdin is not None
        return _read_stream(stdin, "<stdin>", schema, input_format)
    fmt = input_format or detect_format(path)
    try:
        handle = open(path, "rb")  # noqa: SIM115 (closed by the generator)
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None
    return _closing(handle, _read_stream(handle, path, schema, fmt))


def _closing(handle: IO[bytes], records: Iterator[InputRecord]) -> Iterator[InputRecord]:
    with handle:
        yield from records


def _read_stream(stream: IO[bytes], source: str, schema: Mapping[str, Type],
                 fmt: str) -> Iterator[InputRecord]:
    readers = {"csv": _read_csv, "jsonl": _read_jsonl, "json": _read_json}
    return readers[fmt](stream, source, schema)


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

class _Lines:
    """Decoded lines of a byte stream, with the ability to push lines back."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.pending: list[tuple[int, str, bool]] = []
        self.number = 0
        self.taken: list[tuple[int, str, bool]] = []  # lines of the record being read

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        if self.pending:
            entry = self.pending.pop(0)
        else:
            raw = self.stream.readline()
            if not raw:
                raise StopIteration
            self.number += 1
            if self.number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                entry = (self.number, raw.decode("utf-8"), True)
            except UnicodeDecodeError:
                entry = (self.number, raw.decode("utf-8", "replace"), False)
        self.taken.append(entry)
        return entry[1]

    def start(self) -> None:
        self.taken = []


def _read_csv(stream: IO[bytes], source: str, schema: Mapping[str, Type]) -> Iterator[InputRecord]:
    lines = _Lines(stream)
    reader = csv.reader(lines, strict=True)
    header: list[str] | None = None
    columns: list[tuple[int, str, Callable[[str], Any]]] = []
    while True:
        lines.start()
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            taken = lines.taken
            line = taken[0][0] if taken else lines.number
            yield InputRecord(source, line, None, f"line {line}: this CSV row cannot be read "
                              f"({exc}); check its quotes")
            lines.pending = taken[1:] + lines.pending  # resume on the next line
            reader = csv.reader(lines, strict=True)
            continue
        line = lines.taken[0][0] if lines.taken else lines.number
        if not row:
            continue  # a blank line is not a record
        if header is None:
            header = [normalize_column(h) for h in row]
            seen: set[str] = set()
            for index, name in enumerate(header):
                if name in schema and name not in seen:
                    seen.add(name)
                    columns.append((index, name, CELL_READERS[schema[name]]))
            continue
        if not all(ok for _, _, ok in lines.taken):
            yield InputRecord(source, line, None, f"line {line}: not valid UTF-8 text")
            continue
        if len(row) > len(header):
            yield InputRecord(source, line, None, f"line {line}: {len(row)} cells, but the "
                              f"header has {len(header)} columns")
            continue
        values: dict[str, Any] = {}
        error = None
        for index, name, convert in columns:
            if index >= len(row) or row[index] == "":
                continue
            try:
                values[name] = convert(row[index])
            except _BadValue as exc:
                error = _bad(name, row[index], str(exc), line)
                break
        yield InputRecord(source, line, None if error else values, error)


# -- JSON ----------------------------------------------------------------------

def _typed(obj: Any, schema: Mapping[str, Type], source: str, line: int) -> InputRecord:
    if not isinstance(obj, dict):
        return InputRecord(source, line, None, f"line {line}: expected an object "
                           f"{{...}}, found {type(obj).__name__}")
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


def _read_jsonl(stream: IO[bytes], source: str, schema: Mapping[str, Type]) -> Iterator[InputRecord]:
    for number, raw in enumerate(stream, 1):
        try:
            text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            yield InputRecord(source, number, None, f"line {number}: not valid UTF-8 text")
            continue
        if not text.strip():
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            yield InputRecord(source, number, None, f"line {number}: not valid JSON: "
                              f"{exc.msg} at column {exc.colno}")
            continue
        yield _typed(obj, schema, source, number)


def _read_json(stream: IO[bytes], source: str, schema: Mapping[str, Type]) -> Iterator[InputRecord]:
    """A JSON array of objects, decoded element by element (memory stays flat)."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="strict")
    decoder = json.JSONDecoder()
    buffer, pos, line = "", 0, 1

    def fill() -> bool:
        nonlocal buffer, pos
        try:
            chunk = text.read(1 << 16)
        except UnicodeDecodeError:
            raise _BadJson("not valid UTF-8 text") from None
        buffer, pos = buffer[pos:] + chunk, 0
        return bool(chunk)

    def skip_space() -> str:
        nonlocal pos, line
        while True:
            while pos < len(buffer) and buffer[pos] in " \t\r\n":
                line += buffer[pos] == "\n"
                pos += 1
            if pos < len(buffer) or not fill():
                return buffer[pos] if pos < len(buffer) else ""

    try:
        if skip_space() != "[":
            raise _BadJson("a .json input must be an array of objects, `[{...}, ...]`")
        pos += 1
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
                    if not fill():
                        raise _BadJson(f"not valid JSON: {exc.msg}") from None
            line += buffer.count("\n", pos, end)
            pos = end
            yield _typed(obj, schema, source, start_line)
            separator = skip_space()
            pos += 1
            if separator == "]":
                return
            if separator != ",":
                raise _BadJson("expected `,` or `]` after an element")
    except _BadJson as exc:
        yield InputRecord(source, line, None, f"line {line}: {exc}; the rest of the file "
                          "cannot be read")


class _BadJson(Exception):
    pass


def records_of(paths: Iterable[str], schema: Mapping[str, Type], input_format: str | None,
               stdin: IO[bytes] | None = None) -> Iterator[InputRecord]:
    for path in paths:
        yield from read(path, schema, input_format, stdin)
