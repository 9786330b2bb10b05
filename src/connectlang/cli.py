"""The `connectlang` command: the only module that prints. Exit codes: 0 success,
1 the input has problems, 2 the command could not run (cli.md)."""

from __future__ import annotations

import csv
import json
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

if TYPE_CHECKING:  # the heavy modules load only for the commands that need them
    from . import checked as c
    from .diagnostics import Diagnostic
    from .evaluate import Decision
    from .policy import Policy
    from .records import InputRecord
    from .source import Source

REPORT_BUG = ("connectlang: internal error. This is a bug in connectlang, not in your input; "
              "please report it with the traceback above.")


class CannotRun(click.ClickException):
    """The command could not run (an unreadable file): exit code 2, as for bad options."""

    exit_code = 2


def main() -> None:
    """Console entry point: a bug prints its traceback and a line asking to report it."""
    try:
        cli(standalone_mode=True)
    except SystemExit:
        raise
    except Exception:
        import traceback
        traceback.print_exc()
        click.echo(REPORT_BUG, err=True)
        sys.exit(2)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="connectlang")
def cli() -> None:
    """connectlang: decide what to do with connection requests, by a policy you write once.

    \b
      connectlang check policy.conn
      connectlang eval policy.conn invitations.csv
    """


# -- reading policies ------------------------------------------------------------

def read_source(path: str) -> tuple[Source, list[Diagnostic]]:
    """A policy file as text; bytes that are not UTF-8 become a diagnostic (exit 1)."""
    from .diagnostics import Diagnostic
    from .source import Source, Span
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise CannotRun(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        return Source(raw.decode("utf-8"), path), []
    except UnicodeDecodeError as exc:
        offset = len(raw[: exc.start].decode("utf-8", "replace"))
        source = Source(raw.decode("utf-8", "replace"), path)
        return source, [Diagnostic.error(
            "E005", f"this file is not UTF-8 text: byte 0x{raw[exc.start]:02x} cannot start a "
            "character", Span(offset, offset + 1), "save the file as UTF-8")]


def diagnose(path: str) -> tuple[Source, list[Diagnostic], c.Policy | None]:
    """Parse and check one file: its source, every diagnostic, and the checked policy
    when it has no error (compiling it is left to the commands that evaluate)."""
    from .checker import check
    from .diagnostics import has_errors, sort_key
    from .syntax import parse
    source, diagnostics = read_source(path)
    if diagnostics:
        return source, diagnostics, None
    module, diagnostics = parse(source)
    checked, more = check(module, source)
    diagnostics = sorted(diagnostics + more, key=sort_key)
    return source, diagnostics, None if has_errors(diagnostics) else checked


def colour_for(stream: IO[str]) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ


# -- check -------------------------------------------------------------------------

@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text",
              show_default=True, help="How to write the problems found.")
@click.option("--strict", is_flag=True, help="Warnings also make the exit code 1.")
def check(files: tuple[str, ...], fmt: str, strict: bool) -> None:
    """Parse and type-check policy FILES; report every problem in one run.

    \b
    Example:
      connectlang check policies/*.conn --strict
    """
    from .diagnostics import render_text, to_json
    results = [diagnose(path)[:2] for path in files]
    counts: Counter[str] = Counter()
    for _, diagnostics in results:
        counts.update(d.severity.value for d in diagnostics)
    if fmt == "json":
        payload = [to_json(d, source) for source, diagnostics in results for d in diagnostics]
        click.echo(json.dumps({"diagnostics": payload}, ensure_ascii=False, indent=2))
    elif fmt == "github":
        for source, diagnostics in results:
            for d in diagnostics:
                item = to_json(d, source)
                level = {"error": "error", "warning": "warning", "info": "notice"}[item["severity"]]
                click.echo(f"::{level} file={item['file']},line={item['line']},col={item['column']},"
                           f"endLine={item['end_line']},endColumn={item['end_column']},"
                           f"title={item['code']}::{_github_escape(d.message)}")
    else:
        colour = colour_for(sys.stdout)
        for source, diagnostics in results:
            for d in diagnostics:
                click.echo(render_text(d, source, colour) + "\n")
        click.echo(_summary(len(files), counts))
    failed = counts["error"] or (strict and counts["warning"])
    sys.exit(1 if failed else 0)


def _github_escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _summary(files: int, counts: Counter[str]) -> str:
    checked = f"{files} file{'s' if files != 1 else ''} checked"
    if not counts:
        return f"{checked}: no problems"
    parts = [f"{counts[k]} {k}{'s' if counts[k] != 1 else ''}" for k in ("error", "warning", "info")
             if counts[k]]
    return f"{checked}: " + ", ".join(parts)


# -- eval ----------------------------------------------------------------------------

def _parse_now(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime:
    if value is None:
        return datetime.now(timezone.utc)
    from .literals import LiteralError, parse_time
    try:
        return parse_time(value)
    except LiteralError as exc:
        raise click.BadParameter(exc.message) from None


@cli.command(name="eval")
@click.argument("rules", type=click.Path(dir_okay=False))
@click.argument("inputs", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl", "csv"]), default="table",
              show_default=True, help="table is for people; jsonl and csv for programs.")
@click.option("--now", callback=_parse_now, metavar="TIME",
              help="The instant of the run (ISO 8601), so a run is reproducible. "
                   "Default: the current time.")
@click.option("--explain", is_flag=True, help="Add each decision's trace: every rule tried "
              "and its result, with the missing fields behind an unknown.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True),
              help="Write here instead of stdout, atomically.")
@click.option("--input-format", type=click.Choice(["csv", "jsonl", "json"]),
              help="The format of the inputs (needed for `-`, stdin).")
def eval_command(rules: str, inputs: tuple[str, ...], fmt: str, now: datetime, explain: bool,
                 output: str | None, input_format: str | None) -> None:
    """Decide every invitation in INPUTS (CSV, JSONL, JSON, or - for stdin) by RULES.

    Every input record gives exactly one output line, in input order: its decision,
    or an error naming the field, the value and the input line.

    \b
    Example:
      connectlang eval examples/selective.conn examples/invitations.csv
      connectlang eval me.conn export.csv --format jsonl --now 2026-11-01 -o out.jsonl
    """
    from .diagnostics import render_text
    from .policy import Policy, fields_read
    from .records import ALWAYS_READ, InputError, detect_format
    source, diagnostics, checked = diagnose(rules)
    if checked is None:
        colour = colour_for(sys.stderr)
        for d in diagnostics:
            click.echo(render_text(d, source, colour) + "\n", err=True)
        click.echo(f"{rules}: the policy has errors, so nothing was evaluated", err=True)
        sys.exit(1)
    policy = Policy(checked)
    for path in inputs:
        try:
            if path != "-" and input_format is None:
                detect_format(path)
        except InputError as exc:
            raise click.UsageError(str(exc)) from None
        if path != "-" and not Path(path).is_file():
            raise CannotRun(f"cannot read {path}: no such file")
    wanted = fields_read(policy.checked) | set(ALWAYS_READ)
    schema = {name: ty for name, ty in policy.field_types.items() if name in wanted}
    with _output(output) as out:
        writer = _WRITERS[fmt](out, explain, colour_for(out))
        try:
            failed = _run(policy, inputs, schema, input_format, now, explain, writer)
        except InputError as exc:
            raise click.UsageError(str(exc)) from None
        writer.close()
    sys.exit(1 if failed else 0)


def _run(policy: Policy, inputs: tuple[str, ...], schema: dict[str, Any],
         input_format: str | None, now: datetime, explain: bool, writer: _Writer) -> bool:
    from .records import records_of
    decide = policy.decider(now)
    failed = False
    progress = _Progress() if sys.stderr.isatty() else None
    stdin = sys.stdin.buffer if "-" in inputs else None
    for number, record in enumerate(records_of(inputs, schema, input_format, stdin), 1):
        if record.values is None:
            failed = True
            writer.error(number, record)
        else:
            decision = policy.evaluate(record.values, now, explain=True) if explain else decide(
                record.values)
            writer.decision(number, record, decision)
        if progress is not None and not number % 4096:
            progress.update(number)
    if progress is not None:
        progress.done()
    return failed


class _Progress:
    """A one-line count on stderr for long runs on a terminal."""

    def __init__(self) -> None:
        self.start = self.shown = time.monotonic()
        self.visible = False

    def update(self, count: int) -> None:
        now = time.monotonic()
        if now - self.shown < 0.25 or now - self.start < 1:
            return
        self.shown, self.visible = now, True
        rate = count / (now - self.start)
        click.echo(f"\r{count:,} records ({rate:,.0f}/s)", err=True, nl=False)

    def done(self) -> None:
        if self.visible:
            click.echo("\r" + " " * 40 + "\r", err=True, nl=False)


@contextmanager
def _output(path: str | None) -> Iterator[IO[str]]:
    """stdout, or a file that appears only complete: a failed run leaves nothing."""
    if path is None:
        yield sys.stdout
        return
    target = Path(path)
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 (renamed or removed below)
        "w", encoding="utf-8", newline="", dir=target.parent or ".", prefix=f".{target.name}.",
        delete=False)
    try:
        with handle:
            yield handle
        os.replace(handle.name, target)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


# -- writers -------------------------------------------------------------------------

def _row(number: int, record: InputRecord, decision: Decision | None) -> dict[str, Any]:
    values = record.values or {}
    row: dict[str, Any] = {"record": number, "source": record.source}
    if decision is None:
        row["error"] = record.error
        row["input_line"] = record.line
        return row
    row.update(name=values.get("name"), profile_url=values.get("profile_url"),
               action=decision.action, line=decision.line, reason=decision.reason,
               reply=decision.reply)
    if decision.trace is not None:
        row["trace"] = [{"line": s.line, "action": s.action, "result": s.result,
                         **({"missing": list(s.missing)} if s.missing else {})}
                        for s in decision.trace]
    return row


class _Writer:
    def __init__(self, out: IO[str], explain: bool, colour: bool) -> None:
        self.out, self.explain, self.colour = out, explain, colour

    def decision(self, number: int, record: InputRecord, decision: Decision) -> None:
        raise NotImplementedError

    def error(self, number: int, record: InputRecord) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Write whatever comes after the records."""


class _JsonlWriter(_Writer):
    def decision(self, number: int, record: InputRecord, decision: Decision) -> None:
        self.out.write(json.dumps(_row(number, record, decision), ensure_ascii=False) + "\n")

    def error(self, number: int, record: InputRecord) -> None:
        self.out.write(json.dumps(_row(number, record, None), ensure_ascii=False) + "\n")


class _CsvWriter(_Writer):
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
        self.csv.writerow(row)

    def decision(self, number: int, record: InputRecord, decision: Decision) -> None:
        self.write(_row(number, record, decision))

    def error(self, number: int, record: InputRecord) -> None:
        self.write(_row(number, record, None))


_ACTION_COLOURS = {"accept": "green", "archive": "bright_black", "decline": "red",
                   "report": "magenta", "review": "yellow", "ask": "cyan"}


class _TableWriter(_Writer):
    """Aligned columns for people: who, what, which rule, why; then a summary."""

    NAME_WIDTH = 28

    def __init__(self, out: IO[str], explain: bool, colour: bool) -> None:
        super().__init__(out, explain, colour)
        self.actions: Counter[str] = Counter()
        self.rules: Counter[tuple[int, str]] = Counter()
        self.errors = 0
        self.total = 0
        self.header = False

    def style(self, text: str, **kwargs: Any) -> str:
        return click.style(text, **kwargs) if self.colour else text

    def line(self, number: int, name: str, action: str, rule: str, why: str,
             **style: Any) -> None:
        if not self.header:
            self.header = True
            self.line(0, "name", "decision", "rule", "why", bold=True)
        shown = name if len(name) <= self.NAME_WIDTH else name[: self.NAME_WIDTH - 1] + "…"
        first = f"{number:>6}" if number else f"{'#':>6}"
        action_text = f"{action:<8}"
        action_text = self.style(action_text, **style) if style else self.style(
            action_text, fg=_ACTION_COLOURS.get(action), bold=True)
        self.out.write(f"{first}  {shown:<{self.NAME_WIDTH}}  {action_text}  {rule:>5}  {why}\n")

    def decision(self, number: int, record: InputRecord, decision: Decision) -> None:
        self.total += 1
        self.actions[decision.action] += 1
        self.rules[(decision.line, decision.action)] += 1
        name = (record.values or {}).get("name") or (record.values or {}).get("profile_url") or "?"
        why = decision.reply if decision.reply is not None else decision.reason or ""
        if decision.reply is not None:
            why = f"reply: {why}"
        self.line(number, name, decision.action, f"L{decision.line}", why)
        if decision.trace is not None:
            for step in decision.trace:
                missing = f" (missing: {', '.join(step.missing)})" if step.missing else ""
                self.out.write(self.style(f"{'':>8}  line {step.line} {step.action}: "
                                          f"{step.result}{missing}\n", dim=True))

    def error(self, number: int, record: InputRecord) -> None:
        self.total += 1
        self.errors += 1
        self.line(number, f"({record.source})", "error", "", record.error or "",
                  fg="red", bold=True)

    def close(self) -> None:
        out = self.out
        out.write("\n" + self.style(f"{self.total} record{'s' if self.total != 1 else ''}",
                                    bold=True))
        if self.total:
            parts = [f"{count} {action}" for action, count in self.actions.most_common()]
            if self.errors:
                parts.append(self.style(f"{self.errors} unreadable", fg="red"))
            out.write(": " + ", ".join(parts))
        out.write("\n")
        if self.rules:
            out.write("by rule:\n")
            for (line, action), count in sorted(self.rules.items()):
                out.write(f"  line {line:<4} {action:<8} {count:>6}\n")


_WRITERS: dict[str, type[_Writer]] = {"jsonl": _JsonlWriter, "csv": _CsvWriter,
                                      "table": _TableWriter}
