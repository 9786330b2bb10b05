"""The `connectlang` command: the only module that prints. Exit codes: 0 success,
1 the input has problems, 2 the command could not run (cli.md)."""

from __future__ import annotations

import csv
import json
import json.encoder
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

if TYPE_CHECKING:  # the heavy modules load only for the commands that need them
    from . import checked as c
    from .diagnostics import Diagnostic
    from .evaluate import Decision
    from .inputs import Inputs
    from .lint.config import Settings
    from .policy import Policy
    from .records import InputRecord, Meter
    from .source import Source
    from .summary import RunSummary

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


def diagnose(path: str, settings: Settings | None = None,
             inputs: frozenset[str] | None = None) -> tuple[Source, list[Diagnostic], c.Policy | None]:
    """Parse and check one file: its source, every diagnostic, and the checked policy
    when it has no error (compiling it is left to the commands that evaluate). With
    `settings`, a policy without errors is linted too."""
    from .checker import check
    from .diagnostics import has_errors, sort_key
    from .syntax import parse
    source, diagnostics = read_source(path)
    if diagnostics:
        return source, diagnostics, None
    module, diagnostics = parse(source)
    checked, more = check(module, source)
    diagnostics = sorted(diagnostics + more, key=sort_key)
    if has_errors(diagnostics):
        return source, diagnostics, None
    if settings is not None and checked is not None:
        from .lint import lint
        diagnostics = sorted(diagnostics + lint(checked, source, module.comments, settings, path, inputs),
                             key=sort_key)
    return source, diagnostics, checked


def colour_for(stream: IO[str]) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ


# -- check -------------------------------------------------------------------------

@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github", "sarif"]),
              default="text", show_default=True,
              help="text for people, json for tools, github for Actions annotations, sarif for "
                   "code scanning.")
@click.option("--strict", is_flag=True, help="Warnings also make the exit code 1 (infos never do).")
@click.option("--select", multiple=True, metavar="RULES",
              help="Run only these lint rules: codes (L101), prefixes (L1), names, or ALL; "
                   "comma-separated, repeatable. Replaces the configured selection.")
@click.option("--ignore", multiple=True, metavar="RULES", help="Do not run these lint rules.")
@click.option("--config", metavar="FILE", type=click.Path(dir_okay=False),
              help="The connectlang.toml or pyproject.toml to use, instead of the first one "
                   "found from the current folder upwards.")
@click.option("--input", "inputs", multiple=True, metavar="FILE",
              help="An input (CSV, JSONL, JSON, LinkedIn export) the policy will read: flag the "
                   "fields it needs that no input has (L601). Repeatable.")
@click.option("--enrich", multiple=True, metavar="FILE", help="An enrichment file, as for eval: "
              "its columns count as given.")
def check(files: tuple[str, ...], fmt: str, strict: bool, select: tuple[str, ...],
          ignore: tuple[str, ...], config: str | None, inputs: tuple[str, ...],
          enrich: tuple[str, ...]) -> None:
    """Parse, type-check and lint policy FILES; report every problem in one run.

    Errors (exit 1) make a policy unusable; warnings say it is probably wrong (exit 1
    with --strict); infos suggest a plainer way to say something. `connectlang rule`
    lists the lint rules; `# connectlang: ignore[CODE]` silences one on its line.

    \b
    Example:
      connectlang check policies/*.conn --strict
      connectlang check me.conn --input export.zip --enrich crm.csv --format sarif
    """
    from .diagnostics import render_text, to_github, to_json
    from .lint import config as lint_config
    from .lint.rules import RULES
    try:
        settings = lint_config.load(RULES, config).with_options(
            lint_config.validate(lint_config.split(select), RULES, "--select"),
            lint_config.validate(lint_config.split(ignore), RULES, "--ignore"))
        given = _fields_given(inputs + enrich) if inputs or enrich else None
    except lint_config.ConfigError as exc:
        raise CannotRun(str(exc)) from None
    results = [diagnose(path, settings, given)[:2] for path in files]
    counts: Counter[str] = Counter()
    for _, diagnostics in results:
        counts.update(d.severity.value for d in diagnostics)
    if fmt == "json":
        payload = [to_json(d, source) for source, diagnostics in results for d in diagnostics]
        click.echo(json.dumps({"diagnostics": payload}, ensure_ascii=False, indent=2))
    elif fmt == "sarif":
        from . import __version__
        from .sarif import sarif
        click.echo(json.dumps(sarif(results, __version__), ensure_ascii=False, indent=2))
    elif fmt == "github":
        for source, diagnostics in results:
            for d in diagnostics:
                click.echo(to_github(d, source))
    else:
        colour = colour_for(sys.stdout)
        for source, diagnostics in results:
            for d in diagnostics:
                click.echo(render_text(d, source, colour) + "\n")
        click.echo(_summary(len(files), counts))
    failed = counts["error"] or (strict and counts["warning"])
    sys.exit(1 if failed else 0)


def _fields_given(paths: tuple[str, ...]) -> frozenset[str]:
    from .inputs import fields_given
    from .records import InputError
    try:
        return fields_given(paths)
    except InputError as exc:
        raise CannotRun(str(exc)) from None


@cli.command()
@click.argument("code", required=False)
def rule(code: str | None) -> None:
    """Explain the lint rule CODE (`L101` or `unreachable-rule`); without CODE, list them.

    \b
    Example:
      connectlang rule L301
    """
    from .lint.docs import index, page
    from .lint.rules import BY_NAME
    if code is None:
        click.echo(index())
        return
    found = BY_NAME.get(code) or BY_NAME.get(code.upper())
    if found is None:
        raise CannotRun(f"no lint rule `{code}`: `connectlang rule` lists them")
    click.echo(page(found))


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
@click.option("--direction", type=click.Choice(["incoming", "outgoing", "all"]),
              default="incoming", show_default=True,
              help="Which invitations of a LinkedIn export to decide.")
@click.option("--enrich", multiple=True, type=click.Path(dir_okay=False), metavar="FILE",
              help="More fields per person (CSV, JSONL or JSON), joined on profile_url, else "
                   "on name. Repeatable; the first file that gives a field wins.")
@click.option("--summary", "show_summary", is_flag=True,
              help="Write the run's summary to stderr: counts per action and rule, rules that "
                   "never fired, the default's share, where missing values had a say.")
def eval_command(rules: str, inputs: tuple[str, ...], fmt: str, now: datetime, explain: bool,
                 output: str | None, input_format: str | None, direction: str,
                 enrich: tuple[str, ...], show_summary: bool) -> None:
    """Decide every invitation in INPUTS by RULES. An input is a CSV, JSONL or JSON
    file, - for stdin, or a LinkedIn data export (its folder or its .zip).

    Every input record gives exactly one output line, in input order: its decision,
    or an error naming the field, the value and the input line.

    \b
    Example:
      connectlang eval examples/selective.conn examples/linkedin-export --enrich examples/profiles.csv
      connectlang eval me.conn export.zip --format jsonl --now 2026-11-01 -o out.jsonl --summary
    """
    from .diagnostics import render_text
    from .inputs import Inputs
    from .policy import Policy, fields_read
    from .records import ALWAYS_READ, InputError
    from .summary import RunSummary
    source, diagnostics, checked = diagnose(rules)
    if checked is None:
        colour = colour_for(sys.stderr)
        for d in diagnostics:
            click.echo(render_text(d, source, colour) + "\n", err=True)
        click.echo(f"{rules}: the policy has errors, so nothing was evaluated", err=True)
        sys.exit(1)
    policy = Policy(checked)
    wanted = fields_read(policy.checked) | set(ALWAYS_READ)
    schema = {name: ty for name, ty in policy.field_types.items() if name in wanted}
    try:
        run = Inputs(inputs, schema, input_format=input_format, direction=direction,
                     enrich=enrich, stdin=sys.stdin.buffer if "-" in inputs else None)
    except InputError as exc:
        raise CannotRun(str(exc)) from None
    summary = RunSummary(checked) if fmt == "table" or show_summary else None
    with _output(output) as out:
        writer = _WRITERS[fmt](out, explain, colour_for(out))
        progress = output is not None or not sys.stdout.isatty()
        try:
            failed = _run(policy, run, now, explain, writer, summary, progress)
        except InputError as exc:  # an export without its header, a file gone meanwhile
            raise CannotRun(str(exc)) from None
        if summary is not None and fmt == "table":
            writer.close(_summary_lines(summary, run))
    problems = _input_problems(run)
    for problem in problems:
        click.echo(problem, err=True)
    if summary is not None and fmt != "table":
        click.echo("\n".join(_summary_lines(summary, run)), err=True)
    sys.exit(1 if failed or problems else 0)


def _run(policy: Policy, run: Inputs, now: datetime, explain: bool, writer: _Writer,
         summary: RunSummary | None, progress: bool) -> bool:
    """Decide every record and write it; True if a record could not be read."""
    from .evaluate import track
    decide = policy.decider(now)
    tracked = policy.tracking_decider(now) if summary is not None else None
    failed = False
    bar = _Progress(run.meter) if progress and sys.stderr.isatty() else None
    number = 0
    for number, record in enumerate(run, 1):
        values = record.values
        if values is None:
            failed = True
            writer.error(number, record)
            if summary is not None:
                summary.add_error()
            continue
        if explain:
            decision = policy.evaluate(values, now, explain=True)
            if summary is not None:
                summary.add(*track(policy.checked, decision, values)[1:], values)
        elif tracked is not None and summary is not None:
            decision, index, passed_unknown, on_missing = tracked(values)
            summary.add(index, passed_unknown, on_missing, values)
        else:
            decision = decide(values)
        writer.decision(number, record, decision)
        if bar is not None and not number & 4095:
            bar.update(number)
    if bar is not None:
        bar.done(number)
    return failed


def _summary_lines(summary: RunSummary, run: Inputs) -> list[str]:
    from .policy import fields_read
    from .summary import enrichment_lines, export_lines, unknown_fields
    lines = summary.lines()
    for report in run.reports:
        lines += export_lines(report, fields_read(summary.policy))
    if run.enrichment is not None:
        lines += enrichment_lines(run.enrichment)
    return lines + unknown_fields(summary.policy, run.provided(), bool(run.reports))


def _input_problems(run: Inputs) -> list[str]:
    """Rows of the joined files (Connections.csv, messages.csv, enrichment) that could
    not be read: FILE:LINE:COLUMN lines for stderr, at most a screenful per file."""
    groups = [report.problems for report in run.reports]
    if run.enrichment is not None:
        groups.append(run.enrichment.problems)
    shown = []
    for problems in groups:
        shown += problems[:20]
        if len(problems) > 20:
            shown.append(f"... and {len(problems) - 20:,} more problems in that file")
    return shown


class _Progress:
    """A progress bar on stderr: the share of input bytes read, and the records decided."""

    def __init__(self, meter: Meter) -> None:
        self.meter = meter
        self.start = time.monotonic()
        self.bar: Any = None
        self.shown = 0  # the bytes the bar shows as read

    def update(self, count: int, finished: bool = False) -> None:
        now = time.monotonic()
        if now - self.start < 0.25 and not self.bar:  # short runs stay quiet
            return
        total = self.meter.total
        if self.bar is None:
            self.bar = click.progressbar(length=total or 1, label="deciding", file=sys.stderr,
                                         show_eta=total is not None, show_percent=total is not None,
                                         item_show_func=lambda item: item)
            self.bar.__enter__()
        position = (total if finished else self.meter.position()) if total else 0
        rate = count / max(now - self.start, 1e-9)
        self.bar.update(position - self.shown, f"{count:,} records ({rate:,.0f}/s)")
        self.shown = position

    def done(self, count: int) -> None:
        if self.bar is not None:
            self.update(count, finished=True)
            self.bar.__exit__(None, None, None)


def _mode_for(target: Path) -> int:
    """The permissions the output should have: those of the file it replaces, else what
    a plain `open` would give (temporary files are made private)."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


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
        os.chmod(handle.name, _mode_for(target))
        os.replace(handle.name, target)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


# -- writers -------------------------------------------------------------------------

# A JSON string, as `json.dumps(text, ensure_ascii=False)` writes it.
_encode: Callable[[str], str] = json.encoder.encode_basestring


def _row(number: int, record: InputRecord, decision: Decision | None) -> dict[str, Any]:
    values = record.values or {}
    row: dict[str, Any] = {"record": number, "source": record.source}
    if decision is None:
        row["error"] = str(record.error)
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

    def close(self, summary: list[str]) -> None:
        """Write the run's summary after the records (the table does)."""


class _JsonlWriter(_Writer):
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
        self.header = False
        self.marked: set[str] = set()  # the marks used, for the legend

    def style(self, text: str, **kwargs: Any) -> str:
        return click.style(text, **kwargs) if self.colour else text

    def line(self, number: int, name: str, action: str, rule: str, why: str,
             prefix: str = "", suffix: str = "", **style: Any) -> None:
        if not self.header:
            self.header = True
            self.line(0, "name", "decision", "line", "why", bold=True)
        room = self.NAME_WIDTH - len(prefix) - len(suffix)
        shown = prefix + (name if len(name) <= room else name[: room - 1] + "…") + suffix
        first = f"{number:>6}" if number else f"{'#':>6}"
        action_text = f"{action:<8}"
        action_text = self.style(action_text, **style) if style else self.style(
            action_text, fg=_ACTION_COLOURS.get(action), bold=True)
        self.out.write(f"{first}  {shown:<{self.NAME_WIDTH}}  {action_text}  {rule:>5}  {why}\n")

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
        self.line(number, f"({record.source})", "error", "", str(record.error),
                  fg="red", bold=True)

    def close(self, summary: list[str]) -> None:
        legend = ["line: the line of the rule that decided"]
        if " *" in self.marked:
            legend.append("*: already connected")
        if "to " in self.marked:
            legend.append("to NAME: an invitation you sent")
        self.out.write(self.style(f"{'':>8}{'; '.join(legend)}", dim=True) + "\n")
        self.out.write("\n" + self.style(summary[0], bold=True) + "\n")
        self.out.writelines(line + "\n" for line in summary[1:])


_WRITERS: dict[str, type[_Writer]] = {"jsonl": _JsonlWriter, "csv": _CsvWriter,
                                      "table": _TableWriter}
