"""Where `connectlang eval` writes its decisions: JSON lines, CSV or a table for
people, to stdout or to a file that appears only whole (a failed run leaves none)."""

from __future__ import annotations

import csv
import io
import json
import json.encoder
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, cast

import click
from wcwidth import wcswidth, wcwidth

from .evaluate import Decision
from .literals import visible
from .records import InputRecord


def mode_for(target: Path) -> int:
    """The permissions the output should have: those of the file it replaces, else what
    a plain `open` would give (temporary files are made private)."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


class CannotWrite(Exception):
    """The output cannot be made, written or put in place (no such folder, no
    permission, a full disk)."""


def _cannot(path: str, exc: OSError) -> CannotWrite:
    return CannotWrite(f"cannot write {path}: {exc.strerror or exc}")


class _Checked(io.TextIOBase):
    """A text stream whose failed writes are CannotWrite, naming where it goes, not a
    traceback: a full disk is the user's to fix, not a bug."""

    def __init__(self, stream: IO[str], name: str) -> None:
        super().__init__()
        self.stream, self.name = stream, name

    def write(self, text: str) -> int:
        try:
            return self.stream.write(text)
        except OSError as exc:
            raise _cannot(self.name, exc) from None

    def flush(self) -> None:
        try:
            self.stream.flush()
        except OSError as exc:
            raise _cannot(self.name, exc) from None

    def isatty(self) -> bool:
        return self.stream.isatty()


@contextmanager
def _checked(stream: IO[str], name: str) -> Iterator[IO[str]]:
    """`stream`, its write errors CannotWrite, flushed at the end while they still are."""
    out = _Checked(stream, name)
    yield cast(IO[str], out)
    out.flush()


@contextmanager
def output(path: str | None) -> Iterator[IO[str]]:
    """stdout, or a file that appears only complete: a failed run leaves nothing.

    Through a symbolic link, the file it names is replaced and the link kept; what
    is not a regular file (`/dev/null`, a named pipe) is written to as it is."""
    if path is None:
        with _checked(sys.stdout, "to standard output") as out:
            yield out
        return
    target = Path(os.path.realpath(path))
    if target.exists() and not target.is_file():
        try:
            stream = open(target, "w", encoding="utf-8", newline="")  # noqa: SIM115
        except OSError as exc:
            raise _cannot(path, exc) from None
        with stream, _checked(stream, path) as out:
            yield out
        return
    try:
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 (renamed or removed below)
            "w", encoding="utf-8", newline="", dir=target.parent,
            prefix=f".{target.name}.", delete=False)
    except OSError as exc:
        raise _cannot(path, exc) from None
    try:
        with handle, _checked(handle, path) as out:
            yield out
        try:
            os.chmod(handle.name, mode_for(target))
            os.replace(handle.name, target)
        except OSError as exc:
            raise _cannot(path, exc) from None
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


# -- writers -------------------------------------------------------------------------

# A JSON string, as `json.dumps(text, ensure_ascii=False)` writes it.
_encode: Callable[[str], str] = json.encoder.encode_basestring


def _row(number: int, record: InputRecord, decision: Decision | None) -> dict[str, Any]:
    values = record.values or record.known or {}
    row: dict[str, Any] = {"record": number, "source": record.source,
                           "name": values.get("name"), "profile_url": values.get("profile_url")}
    if decision is None:
        row["error"] = str(record.error)
        row["input_line"] = record.line
        return row
    row.update(action=decision.action, line=decision.line, reason=decision.reason,
               reply=decision.reply)
    if decision.trace is not None:
        row["trace"] = [{"line": s.line, "action": s.action, "result": s.result,
                         **({"missing": list(s.missing)} if s.missing else {})}
                        for s in decision.trace]
    return row


class Writer:
    def __init__(self, out: IO[str], explain: bool, colour: bool) -> None:
        self.out, self.explain, self.colour = out, explain, colour

    def decision(self, number: int, record: InputRecord, decision: Decision) -> None:
        raise NotImplementedError

    def error(self, number: int, record: InputRecord) -> None:
        raise NotImplementedError

    def close(self, summary: list[str]) -> None:
        """Write the run's summary after the records (the table does)."""


class _JsonlWriter(Writer):
    """One object a line. The same bytes as `json.dumps` of `_row`, built from pieces
    encoded once (the source, each rule's decision): a third of the time per record."""

    def __init__(self, out: IO[str], explain: bool, colour: bool) -> None:
        super().__init__(out, explain, colour)
        self.sources: dict[str, str] = {}
        self.decisions: dict[tuple[int, str, str | None], str] = {}

    def decision(self, number: int, record: InputRecord, decision: Decision) -> None:
        if decision.trace is not None or decision.reply is not None:
            self.out.write(json.dumps(_row(number, record, decision), ensure_ascii=False) + "\n")
            return
        source = self.sources.get(record.source)
        if source is None:
            source = self.sources[record.source] = _encode(record.source)
        key = (decision.line, decision.action, decision.reason)
        tail = self.decisions.get(key)
        if tail is None:
            tail = self.decisions[key] = json.dumps(
                {"action": decision.action, "line": decision.line, "reason": decision.reason,
                 "reply": None}, ensure_ascii=False)[1:]
        values = record.values or {}
        name, url = values.get("name"), values.get("profile_url")
        self.out.write(f'{{"record": {number}, "source": {source}, "name": '
                       f'{"null" if name is None else _encode(name)}, "profile_url": '
                       f'{"null" if url is None else _encode(url)}, {tail}\n')

    def error(self, number: int, record: InputRecord) -> None:
        self.out.write(json.dumps(_row(number, record, None), ensure_ascii=False) + "\n")


class _CsvWriter(Writer):
    COLUMNS = ("record", "source", "name", "profile_url", "action", "line", "reason", "reply",
               "error", "input_line")

    def __init__(self, out: IO[str], explain: bool, colour: bool) -> None:
        super().__init__(out, explain, colour)
        columns = [*self.COLUMNS, *(["trace"] if explain else [])]
        self.csv = csv.DictWriter(out, columns, lineterminator="\n")
        self.csv.writeheader()

    def write(self, row: dict[str, Any]) -> None:
        if "trace" in row:
            row["trace"] = json.dumps(row["trace"], ensure_ascii=False)
        self.csv.writerow({key: _inert(value) for key, value in row.items()})

    def decision(self, number: int, record: InputRecord, decision: Decision) -> None:
        self.write(_row(number, record, decision))

    def error(self, number: int, record: InputRecord) -> None:
        self.write(_row(number, record, None))


ACTION_COLOURS = {"accept": "green", "archive": "bright_black", "decline": "red",
                   "report": "magenta", "review": "yellow", "ask": "cyan"}


class _TableWriter(Writer):
    """Aligned columns for people: who, what, which rule, why; then a summary."""

    NAME_WIDTH = 28

    def __init__(self, out: IO[str], explain: bool, colour: bool) -> None:
        super().__init__(out, explain, colour)
        self.header = False
        self.marked: set[str] = set()  # the marks used, for the legend

    def style(self, text: str, **kwargs: Any) -> str:
        return click.style(text, **kwargs) if self.colour else text

    def line(self, number: int, name: str, action: str, rule: str, why: str,
             prefix: str = "", suffix: str = "", **style: Any) -> None:
        if not self.header:
            self.header = True
            self.line(0, "name", "decision", "line", "why", bold=True)
        shown = prefix + _fit(visible(name), self.NAME_WIDTH - len(prefix) - len(suffix)) + suffix
        padding = " " * (self.NAME_WIDTH - wcswidth(shown))
        first = f"{number:>6}" if number else f"{'#':>6}"
        action_text = f"{action:<8}"
        action_text = self.style(action_text, **style) if style else self.style(
            action_text, fg=ACTION_COLOURS.get(action), bold=True)
        self.out.write(f"{first}  {shown}{padding}  {action_text}  {rule:>5}  {visible(why)}\n")

    def decision(self, number: int, record: InputRecord, decision: Decision) -> None:
        values = record.values or {}
        name = values.get("name") or values.get("profile_url") or "?"
        why = decision.reply if decision.reply is not None else decision.reason or ""
        if decision.reply is not None:
            why = f"reply: {why}"
        prefix = "to " if values.get("direction") == "outgoing" else ""
        suffix = " *" if values.get("already_connected") else ""
        self.marked.update(m for m in (prefix, suffix) if m)
        self.line(number, name, decision.action, str(decision.line), why, prefix, suffix)
        if decision.trace is not None:
            for step in decision.trace:
                missing = f" (missing: {', '.join(step.missing)})" if step.missing else ""
                self.out.write(self.style(f"{'':>8}  line {step.line} {step.action}: "
                                          f"{step.result}{missing}\n", dim=True))

    def error(self, number: int, record: InputRecord) -> None:
        known = record.known or {}
        name = known.get("name") or known.get("profile_url") or f"({record.source})"
        self.line(number, name, "error", "", str(record.error), fg="red", bold=True)

    def close(self, summary: list[str]) -> None:
        """The legend, under a table that has rows, then the summary."""
        if self.header:
            legend = ["line: the line of the rule that decided"]
            if " *" in self.marked:
                legend.append("*: already connected")
            if "to " in self.marked:
                legend.append("to NAME: an invitation you sent")
            self.out.write(self.style(f"{'':>8}{'; '.join(legend)}", dim=True) + "\n\n")
        self.out.write(self.style(summary[0], bold=True) + "\n")
        self.out.writelines(line + "\n" for line in summary[1:])


def _fit(text: str, room: int) -> str:
    """`text` cut to `room` terminal columns, with `…` where it was cut: a wide character
    (山, 😀) takes two columns and a combining mark none."""
    if wcswidth(text) <= room:
        return text
    width = 0
    for end, char in enumerate(text):
        width += max(wcwidth(char), 0)
        if width > room - 1:
            return text[:end] + "…"
    return text


def _inert(value: Any) -> Any:
    """A text a spreadsheet would run as a formula (`=HYPERLINK(...)` as someone's
    name) gets a leading `'`, which spreadsheets show as text (OWASP's advice for
    CSV injection); jsonl keeps every value as it is."""
    if isinstance(value, str) and value[:1] in _FORMULA_STARTS:
        return "'" + value
    return value


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


WRITERS: dict[str, type[Writer]] = {"jsonl": _JsonlWriter, "csv": _CsvWriter,
                                      "table": _TableWriter}
