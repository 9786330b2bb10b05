"""CSV rows that lose nothing: each row with its line, or a `Problem` naming line and column.

Every CSV that connectlang reads (inputs, the files of a LinkedIn export, enrichment
files) goes through `CsvRows`. A row that cannot be read (a broken quote, invalid
UTF-8, a cell longer than the csv module allows, more cells than the header) is one
problem at the line and column at fault, and reading goes on: a stray quote costs
its row, not the rest of the file. Rows of nothing but blanks are not rows (Excel
writes `,,,,`). Files whose lines end with a lone CR (old Excel for Mac) read too, and
so do files whose cells are split by `;` (Excel where the decimal mark is a comma) or
tabs: the header says which (`,` if it splits there).
"""

from __future__ import annotations

import csv
import io
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any, Protocol

# A quoted cell may hold line breaks; one running longer than this lacks its closing quote.
MAX_LINES_IN_A_ROW = 10_000


@dataclass(frozen=True, slots=True)
class Problem:
    """Why some input cannot be read, and where: 1-based line and column (characters)."""

    line: int
    column: int | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"

    def at(self, source: str) -> str:
        """`FILE:LINE:COLUMN: message`, the form of compilers and editors."""
        where = f"{source}:{self.line}" + (f":{self.column}" if self.column else "")
        return f"{where}: {self.message}"


CsvRow = tuple[int, "list[str] | None", "Problem | None"]  # line, cells or None, why not


class _Lines(Protocol):
    def readline(self) -> bytes: ...


class _RowTooLong(Exception):
    pass


class CsvRows:
    """The rows of a CSV byte stream, each with the line it starts on.

    After a row that cannot be read, reading resumes on the line after its first. A
    row that broke over several lines may have been a real multi-line cell, so the
    rows re-read from inside it must have exactly as many cells as the header
    (`width`, set by the reader once it has the header) or they are problems too,
    never records made of a cell's fragments.
    """

    def __init__(self, stream: IO[bytes]) -> None:
        buffered: Any = stream if hasattr(stream, "peek") else io.BufferedReader(stream)
        head: bytes = buffered.peek(1 << 16)[: 1 << 16]
        # Lines that end with a lone CR (old Excel for Mac) are split there.
        lone_cr = b"\r" in head and b"\n" not in head
        self.stream: _Lines = _CarriageReturnLines(buffered) if lone_cr else buffered
        # Excel may write `sep=;` as the first line: the delimiter, not a header.
        sep = re.match(rb"(?:\xef\xbb\xbf)?sep=([,;\t|])(?:\r\n|\r|\n)", head)
        self.sep_line = sep is not None
        self.delimiter = sep.group(1).decode("latin-1") if sep else _delimiter(head)
        self.width: int | None = None
        self.number = 0  # lines read from the stream
        self.taken: list[tuple[int, str]] = []  # the lines of the row being read
        self.pending: deque[tuple[int, str]] = deque()  # lines to read again
        self.bad_lines: dict[int, Problem] = {}  # line -> why it is not UTF-8
        self.broken: tuple[int, int] | None = None  # the lines of the last broken row

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
        self.bad_lines[self.number] = undecodable(self.number, raw, exc, " (in Excel: CSV UTF-8)")
        return raw.decode("utf-8", "replace")

    def __iter__(self) -> Iterator[CsvRow]:
        reader = csv.reader(self._lines(), strict=True, delimiter=self.delimiter)
        taken = self.taken
        while True:
            taken.clear()
            try:
                row = next(reader)
            except StopIteration:
                return
            except (csv.Error, _RowTooLong) as exc:
                first = taken[0][0] if taken else self.number
                yield first, None, _csv_problem(exc, taken, self.delimiter)
                if len(taken) > 1:
                    self.broken = (first, taken[-1][0])
                self.pending.extendleft(reversed(taken[1:]))  # resume on the next line
                reader = csv.reader(self._lines(), strict=True, delimiter=self.delimiter)
                continue
            if not row or (not row[0].strip() and not any(cell.strip() for cell in row)):
                continue  # a blank line, or a row of blank cells
            line = taken[0][0]
            if line == 1 and self.sep_line:
                continue
            problem = self._problem(row, line)
            if problem is not None:
                yield line, None, problem
            else:
                yield line, row, None

    def _problem(self, row: list[str], line: int) -> Problem | None:
        """Why a row parsed by csv still cannot be a row: bad UTF-8, too many cells, or
        a fragment of the broken row before it."""
        if self.bad_lines:
            problem = next((self.bad_lines.pop(n) for n, _ in self.taken if n in self.bad_lines), None)
            if problem is not None:
                return problem
        width = self.width
        if width is None:
            return None
        if len(row) > width:
            if any(cell.strip() for cell in row[width:]):
                line_at, column = self.position(width)
                return Problem(line_at, column, f"{len(row)} cells where the header has {width} "
                               f"columns; is a `{self.delimiter}` inside a cell that is not "
                               "quoted?")
            del row[width:]  # empty cells past the header (spreadsheets add them)
        if self.broken is not None and self.broken[0] < line <= self.broken[1] and len(row) != width:
            return Problem(line, None, f"this line seems to belong to the broken row at line "
                           f"{self.broken[0]}, so it is not read as a row of its own")
        return None

    def position(self, cell: int) -> tuple[int, int | None]:
        """The line and column where cell number `cell` (0-based) of the row just read
        starts, for messages about a bad value."""
        if not self.taken:
            return self.number, None
        text = "".join(t for _, t in self.taken)
        return _place(text, _cell_start(text, cell, self.delimiter), self.taken[0][0])


def undecodable(line: int, raw: bytes, exc: UnicodeDecodeError, how: str = "") -> Problem:
    """A line of bytes that is not UTF-8, at the column of the first bad byte."""
    column = len(raw[: exc.start].decode("utf-8", "replace")) + 1
    return Problem(line, column, f"not valid UTF-8 text (byte 0x{raw[exc.start]:02x}); save the "
                   f"file as UTF-8{how}")


def _place(text: str, offset: int, first_line: int) -> tuple[int, int]:
    """The line and column of an offset into lines of text that start at `first_line`."""
    return (first_line + text.count("\n", 0, offset),
            offset - (text.rfind("\n", 0, offset) + 1) + 1)


def _delimiter(head: bytes) -> str:
    """The delimiter the header splits on: `,` if it splits there, else `;` or tab, the
    one giving more cells. The header is the first line; when that line is one cell
    whichever way it is split and a blank line follows (Connections.csv's `Notes:`
    preamble), it is the first line after the blank one."""
    lines = head.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    header = lines[0]
    if max(map(len, _cells(header).values())) < 2 and "" in lines[1:10]:
        after = lines[lines.index("", 1) + 1:]
        header = next((line for line in after if line.strip()), header)
    cells = _cells(header)
    if len(cells[","]) > 1:
        return ","
    best = max((";", "\t"), key=lambda delimiter: len(cells[delimiter]))
    return best if len(cells[best]) > 1 else ","


def _cells(line: str) -> dict[str, list[str]]:
    """A line split as CSV by each candidate delimiter."""
    return {delimiter: next(csv.reader([line], delimiter=delimiter), [])
            for delimiter in (",", ";", "\t")}


class _CarriageReturnLines:
    def __init__(self, stream: IO[bytes]) -> None:
        self.stream, self.buffer = stream, b""

    def readline(self) -> bytes:
        while b"\r" not in self.buffer:
            chunk = self.stream.read(1 << 16)
            if not chunk:
                line, self.buffer = self.buffer, b""
                return line
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\r")
        return line + b"\n"


def _csv_problem(exc: Exception, taken: list[tuple[int, str]], delimiter: str) -> Problem:
    """Why a row cannot be read, at the line and column of the quote at fault."""
    text = "".join(t for _, t in taken)
    first = taken[0][0] if taken else 0

    def at(offset: int, message: str) -> Problem:
        return Problem(*_place(text, offset, first), message)

    if isinstance(exc, _RowTooLong):
        return at(_scan_quotes(text, delimiter)[0] or 0, f"a quoted cell runs over more than "
                  f"{MAX_LINES_IN_A_ROW:,} lines; is its closing quote missing?")
    if "field larger than field limit" in str(exc):
        limit = csv.field_size_limit()
        return at(_long_cell(text, limit, delimiter), f"a cell is longer than {limit:,} characters")
    opened, stray = _scan_quotes(text, delimiter)
    if stray is not None:
        assert opened is not None
        if "\n" in text[opened:stray]:
            line, column = _place(text, stray, first)
            return at(opened, f"this quote opens a cell that runs on to line {line}, column "
                      f"{column}, where `{text[stray]}` follows its closing quote; is a quote "
                      "missing?")
        return at(stray, f'`{text[stray]}` right after a closing quote; a cell that starts with `"` '
                  f'must end with `"` before the next `{delimiter}` (write a quote inside a cell '
                  'as `""`)')
    if opened is not None:
        return at(opened, "this quote opens a cell that is never closed; is a quote missing?")
    return Problem(first, None, f"this CSV row cannot be read ({exc})")


def _scan_quotes(text: str, delimiter: str) -> tuple[int | None, int | None]:
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
                if i + 1 < len(text) and text[i + 1] not in (delimiter, "\r", "\n"):
                    return opened, i + 1
            i += 1
            continue
        if char == '"' and at_cell_start:
            quoted, opened = True, i
        at_cell_start = char in (delimiter, "\r", "\n")
        i += 1
    return (opened if quoted else None), None


def _long_cell(text: str, limit: int, delimiter: str) -> int:
    """The offset where the first cell longer than `limit` characters starts."""
    quoted, start = False, 0
    for i, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif not quoted and char in (delimiter, "\n"):
            if i - start > limit:
                break
            start = i + 1
    return start


def _cell_start(text: str, cell: int, delimiter: str) -> int:
    """The offset where cell number `cell` of a well-formed row starts."""
    quoted, count, i = False, 0, 0
    while i < len(text) and count < cell:
        char = text[i]
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            count += 1
        i += 1
    return i
