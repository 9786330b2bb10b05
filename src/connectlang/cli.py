"""The `connectlang` command: the only module that prints. Exit codes: 0 success,
1 the input has problems, 2 the command could not run (cli.md)."""

from __future__ import annotations

import os
import signal
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

if TYPE_CHECKING:  # the heavy modules load only for the commands that need them
    from . import checked as c
    from .diagnostics import Diagnostic
    from .inputs import Inputs
    from .lint.config import Settings
    from .output import Writer
    from .policy import Policy
    from .records import Meter
    from .source import Source
    from .summary import RunSummary

REPORT_BUG = ("connectlang: internal error. This is a bug in connectlang, not in your input; "
              "please report it with the traceback above.")


class CannotRun(click.ClickException):
    """The command could not run (an unreadable file): exit code 2, as for bad options."""

    exit_code = 2


def main() -> None:
    """Console entry point: a bug prints its traceback and a line asking to report it.
    A reader that stops early (`| head`) ends the run quietly, as it would `cat`'s, and
    Ctrl-C exits with the shell's 130 rather than a code that means bad input."""
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        code = cli.main(standalone_mode=False)  # an int when click exits early (--help)
    except click.ClickException as exc:  # a bad option or argument: click's usage message
        exc.show()
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except SystemExit:
        raise
    except Exception:
        import traceback
        traceback.print_exc()
        click.echo(REPORT_BUG, err=True)
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="connectlang")
def cli() -> None:
    """connectlang: decide what to do with connection requests, by a policy you write once.

    \b
      connectlang check policy.conn
      connectlang eval policy.conn invitations.csv
    """


# -- reading policies ------------------------------------------------------------

def read_source(path: str, name: str | None = None) -> tuple[Source, list[Diagnostic]]:
    """A policy file as text, without the byte-order mark some Windows editors start
    UTF-8 with; bytes that are not UTF-8 become a diagnostic (exit 1). `name` is what
    the file is called in messages, if not its path (`-`, standard input)."""
    from .diagnostics import Diagnostic
    from .source import Source, Span
    try:
        raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise CannotRun(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        return Source(raw.decode("utf-8-sig"), name or path), []
    except UnicodeDecodeError as exc:
        text = exc.object  # the bytes after the mark, which the error's offsets count in
        offset = len(text[: exc.start].decode("utf-8", "replace"))
        source = Source(raw.decode("utf-8-sig", "replace"), name or path)
        return source, [Diagnostic.error(
            "E005", f"this file is not UTF-8 text: byte 0x{text[exc.start]:02x} cannot start a "
            "character", Span(offset, offset + 1), "save the file as UTF-8")]


def diagnose(path: str, settings: Settings | None = None, inputs: frozenset[str] | None = None,
             name: str | None = None) -> tuple[Source, list[Diagnostic], c.Policy | None]:
    """Parse and check one file: its source, every diagnostic, and the checked policy
    when it has no error (compiling it is left to the commands that evaluate). With
    `settings`, a policy without errors is linted too, by the per-file settings of
    `name` if given (standard input's file), else of `path`."""
    from .analysis import analyse
    source, diagnostics = read_source(path, name)
    if diagnostics:
        return source, diagnostics, None
    _, diagnostics, checked = analyse(source, settings, name or path, inputs)
    return source, diagnostics, checked


def colour_for(stream: IO[str]) -> bool:
    """Colour on a terminal, unless NO_COLOR is set to anything (https://no-color.org)."""
    return stream.isatty() and not os.environ.get("NO_COLOR")


# -- check -------------------------------------------------------------------------

@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(allow_dash=True))
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
@click.option("--input-format", type=click.Choice(["csv", "jsonl", "json"]),
              help="The format of the --input files (needed for `-`, stdin).")
@click.option("--enrich", multiple=True, metavar="FILE", help="An enrichment file, as for eval: "
              "its columns count as given.")
@click.option("--stdin-filename", metavar="NAME", help="The path of the policy read from `-` "
              "(an editor's buffer): how messages name it, and which per-file settings apply.")
def check(files: tuple[str, ...], fmt: str, strict: bool, select: tuple[str, ...],
          ignore: tuple[str, ...], config: str | None, inputs: tuple[str, ...],
          input_format: str | None, enrich: tuple[str, ...], stdin_filename: str | None) -> None:
    """Parse, type-check and lint policy FILES; report every problem in one run.

    A folder stands for the .conn files under it. Errors (exit 1) make a policy
    unusable; warnings say it is probably wrong (exit 1 with --strict); infos suggest a
    plainer way to say something. A file that cannot be read is named on stderr, the
    others are still checked, and the exit code is 2. `connectlang rule` lists the lint
    rules; `# connectlang: ignore[CODE]` silences one on its line.

    \b
    Example:
      connectlang check policies/ --strict
      connectlang check me.conn --input export.zip --enrich crm.csv --format sarif
    """
    import gc
    gc.disable()  # a short run whose objects all live to its end: collecting only costs
    from .diagnostics import github_data, render_text, to_github, to_json
    from .lint import config as lint_config
    from .lint.rules import RULES
    if "-" in files and "-" in inputs + enrich:
        raise CannotRun("the policy and an --input cannot both be `-`: standard input is one stream")
    if stdin_filename is not None and ("-" not in files or not stdin_filename.strip()):
        raise click.UsageError("--stdin-filename names the policy read from standard input: give "
                               "it a path, and `-` among the files")
    try:
        settings = lint_config.load(RULES, config).with_options(
            lint_config.validate(lint_config.split(select, "--select"), RULES, "--select"),
            lint_config.validate(lint_config.split(ignore, "--ignore"), RULES, "--ignore"))
        given = _fields_given(inputs, input_format, enrich) if inputs or enrich else None
    except lint_config.ConfigError as exc:
        raise CannotRun(str(exc)) from None
    results = []
    unreadable: list[tuple[str, str]] = []  # (file, why), told in every format, not only on stderr
    for path in _policy_files(files):
        try:
            results.append(diagnose(path, settings, given, stdin_filename if path == "-" else None)[:2])
        except CannotRun as exc:
            unreadable.append((path, exc.message))
    counts: Counter[str] = Counter()
    for _, diagnostics in results:
        counts.update(d.severity.value for d in diagnostics)
    if fmt in ("json", "sarif"):
        import json
    if fmt == "json":
        payload: dict[str, Any] = {"diagnostics": [
            to_json(d, source) for source, diagnostics in results for d in diagnostics]}
        if unreadable:
            payload["unreadable"] = [{"file": path, "message": why} for path, why in unreadable]
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    elif fmt == "sarif":
        from . import __version__
        from .sarif import sarif
        click.echo(json.dumps(sarif(results, unreadable, __version__), ensure_ascii=False, indent=2))
    elif fmt == "github":
        for source, diagnostics in results:
            for d in diagnostics:
                click.echo(to_github(d, source))
        for _, why in unreadable:
            click.echo(f"::error title=connectlang::{github_data(why)}")
        click.echo(_summary(len(results), counts, len(unreadable)))  # (GitHub shows 10 of a kind)
    else:
        colour = colour_for(sys.stdout)
        for source, diagnostics in results:
            for d in diagnostics:
                click.echo(render_text(d, source, colour) + "\n")
        click.echo(_summary(len(results), counts, len(unreadable)))
    for _, why in unreadable:
        click.echo(f"Error: {why}", err=True)
    failed = counts["error"] or (strict and counts["warning"])
    sys.exit(2 if unreadable else 1 if failed else 0)


def _fields_given(inputs: tuple[str, ...], input_format: str | None,
                  enrich: tuple[str, ...]) -> frozenset[str]:
    from .inputs import fields_given
    from .records import InputError
    try:
        return fields_given(inputs, input_format) | fields_given(enrich, enrichment=True)
    except InputError as exc:
        raise CannotRun(str(exc)) from None


@cli.command()
@click.argument("code", required=False)
def rule(code: str | None) -> None:
    """Explain the lint rule CODE (`L101` or `unreachable-rule`); without CODE, or with
    ALL or a code prefix (`L1`), list the rules.

    \b
    Example:
      connectlang rule L301
    """
    from .diagnostics import CODES
    from .lint.docs import page
    from .lint.rules import BY_NAME, RULES
    found = BY_NAME.get(code or "") or BY_NAME.get((code or "").upper())
    if found is not None:
        click.echo(page(found))
        return
    listed = [each for each in RULES if code is None or code.upper() == "ALL"
              or each.code.startswith(code.upper())]
    if code is not None and code.upper() in CODES:
        name, meaning = CODES[code.upper()]
        click.echo(f"{code.upper()} ({name}) is an error, not a lint rule: {meaning}\nIts message and "
                   "help say what to fix, and it cannot be ignored.")
        return
    if not listed:
        from .diagnostics import closest
        assert code is not None
        names = [each.name for each in RULES]
        near = [name for name in names if len(code) >= 3 and code.lower() in name]
        meant = near[0] if len(near) == 1 else None if near else closest(code, names)
        hint = f"did you mean `{meant}`? " if meant else ""
        raise CannotRun(f"no lint rule `{code}`: {hint}`connectlang rule` lists them")
    width = max(len(each.name) for each in listed)
    for each in listed:
        click.echo(f"{each.code}  {each.name:<{width}}  {each.severity.value:<7}  {each.summary()}")
    click.echo("\n`connectlang rule CODE` prints a rule's page. Warnings mean a policy is probably "
               "wrong and fail `check --strict`; infos are suggestions and never fail it.")


# -- fmt ---------------------------------------------------------------------------

@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(allow_dash=True))
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if a file would change.")
@click.option("--diff", is_flag=True, help="Change nothing; print the changes as a unified diff.")
def fmt(files: tuple[str, ...], check: bool, diff: bool) -> None:
    """Rewrite policy FILES in the one canonical layout, keeping every comment.

    A folder stands for the `.conn` files in it; `-` reads standard input and writes
    the result to standard output. A file with syntax errors is left as it is and
    its errors are printed (exit 1).

    \b
    Examples:
      connectlang fmt policies/
      connectlang fmt --check policies/      # in CI
      connectlang fmt - < me.conn
    """
    from .diagnostics import render_text
    from .formatter import format_source
    from .output import CannotWrite, output
    paths = _policy_files(files)
    changed = broken = 0
    for path in paths:
        source, diagnostics = read_source(path)
        formatted, errors = (source.text, diagnostics) if diagnostics else format_source(source)
        if errors:
            broken += 1
            for d in errors:
                click.echo(render_text(d, source, colour_for(sys.stderr)) + "\n", err=True)
            continue
        if formatted == source.text:
            if path == "-" and not (check or diff):
                click.echo(formatted, nl=False)
            continue
        changed += 1
        if diff:
            click.echo(_unified_diff(source.text, formatted, path), nl=False)
        elif check:
            click.echo(f"would reformat {path}", err=True)
        elif path == "-":
            click.echo(formatted, nl=False)
        else:
            try:
                with output(path) as out:
                    out.write(formatted)
            except CannotWrite as exc:
                raise CannotRun(str(exc)) from None
            click.echo(f"reformatted {path}", err=True)
    if path_count := len(paths) - (len(paths) == 1 and paths[0] == "-"):
        done = "would be reformatted" if check or diff else "reformatted"
        click.echo(f"{changed} of {path_count} file{'s' if path_count != 1 else ''} {done}"
                   + (f", {broken} with syntax errors left as they are" if broken else ""),
                   err=True)
    sys.exit(1 if broken or ((check or diff) and changed) else 0)


# Folders a folder argument does not descend into: environments, caches, hidden ones.
_SKIPPED = frozenset({"node_modules", "__pycache__", "site-packages", "venv"})


def _policy_files(given: tuple[str, ...]) -> list[str]:
    """The files named, with each folder replaced by the `.conn` files under it (not
    in hidden folders, virtual environments or node_modules), each once however its
    path is spelt."""
    paths: dict[str, str] = {}  # the file itself: the path as first given
    for name in given:
        if name != "-" and Path(name).is_dir():
            found = sorted(_conn_files(name))
            if not found:
                raise CannotRun(f"no .conn files in {name}")
        else:
            found = [name]
        for path in found:
            paths.setdefault(path if path == "-" else os.path.realpath(path), path)
    return list(paths.values())


def _conn_files(folder: str) -> Iterator[str]:
    for root, folders, files in os.walk(folder):
        folders[:] = [f for f in folders if not f.startswith(".") and f not in _SKIPPED]
        yield from (os.path.normpath(os.path.join(root, f)) for f in files if f.endswith(".conn"))


def _unified_diff(before: str, after: str, path: str) -> str:
    import difflib
    return "".join(difflib.unified_diff(before.splitlines(keepends=True),
                                        after.splitlines(keepends=True),
                                        fromfile=f"{path} (before)", tofile=f"{path} (formatted)"))


# -- highlight ---------------------------------------------------------------------

@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--format", "fmt", type=click.Choice(["terminal", "html"]), default="terminal",
              show_default=True, help="ANSI colours for a terminal, or a standalone HTML page.")
@click.option("--color/--no-color", "color", default=None,
              help="Colour even when the output is not a terminal, or never. By default, "
                   "colour only on a terminal and when NO_COLOR is not set.")
def highlight(file: str, fmt: str, color: bool | None) -> None:
    """Print the policy FILE (or `-`, standard input) highlighted.

    \b
    Examples:
      connectlang highlight --color policy.conn | less -R
      connectlang highlight --format html policy.conn > policy.html
    """
    from .highlight import render
    source, _ = read_source(file)  # text that is not UTF-8 is shown with U+FFFD
    colour = colour_for(sys.stdout) if color is None else color
    title = "standard input" if file == "-" else Path(file).name
    click.echo(render(source.text, fmt, colour=colour, title=title), nl=False, color=colour)


def _summary(files: int, counts: Counter[str], unreadable: int) -> str:
    checked = f"{files} file{'s' if files != 1 else ''} checked"
    parts = [f"{counts[k]} {k}{'s' if counts[k] != 1 else ''}" for k in ("error", "warning", "info")
             if counts[k]]
    found = ", ".join(parts) or "no problems"
    missed = f"; {unreadable} could not be read" if unreadable else ""
    return f"{checked}: {found}{missed}"


# -- eval ----------------------------------------------------------------------------

def _parse_now(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
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
def eval_command(rules: str, inputs: tuple[str, ...], fmt: str, now: datetime | None, explain: bool,
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
    from .output import WRITERS, CannotWrite
    from .output import output as write_to
    from .policy import Policy, fields_read
    from .records import ALWAYS_READ, InputError
    from .summary import RunSummary
    now = now or datetime.now(timezone.utc)
    suffix = Path(output).suffix.lower() if output else ""
    if fmt == "table" and suffix in (".csv", ".jsonl", ".json") and (
            click.get_current_context().get_parameter_source("fmt")
            is click.core.ParameterSource.DEFAULT):
        click.echo(f"note: {output} gets the table; for {suffix[1:]}, give --format "
                   + ("jsonl" if suffix == ".json" else suffix[1:]), err=True)
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
    try:
        with write_to(output) as out:
            writer = WRITERS[fmt](out, explain, colour_for(out))
            progress = output is not None or not sys.stdout.isatty()
            try:
                failed = _run(policy, run, now, explain, writer, summary, progress)
            except InputError as exc:  # an export without its header, a file gone meanwhile
                raise CannotRun(str(exc)) from None
            if summary is not None and fmt == "table":
                writer.close(_summary_lines(summary, run))
    except CannotWrite as exc:
        raise CannotRun(str(exc)) from None
    problems = _input_problems(run)
    for problem in problems:
        click.echo(problem, err=True)
    if summary is not None and fmt != "table":
        click.echo("\n".join(_summary_lines(summary, run)), err=True)
    sys.exit(1 if failed or problems else 0)


def _run(policy: Policy, run: Inputs, now: datetime, explain: bool, writer: Writer,
         summary: RunSummary | None, progress: bool) -> bool:
    """Decide every record and write it; True if a record could not be read."""
    from .evaluate import track
    decide = policy.decider(now)
    tracked = policy.tracking_decider(now) if summary is not None else None
    failed = False
    number = 0
    with _Progress(run.meter, progress and sys.stderr.isatty()) as bar:
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
            if not number & 4095:
                bar.update(number)
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
    not be read: FILE:LINE:COLUMN lines for stderr, at most 20 an export or enrichment."""
    groups = [report.problems for report in run.reports]
    if run.enrichment is not None:
        groups.append(run.enrichment.problems)
    shown = []
    for problems in groups:
        shown += problems[:20]
        if len(problems) > 20:
            shown.append(f"... and {len(problems) - 20:,} more problems in those files")
    return shown


class _Progress:
    """A progress bar on stderr: the share of input bytes read, and the records decided.

    A context manager, so that a run stopped by Ctrl-C still ends the bar's line and
    shows the terminal's cursor again."""

    def __init__(self, meter: Meter, enabled: bool) -> None:
        self.meter = meter
        self.enabled = enabled
        self.start = time.monotonic()
        self.bar: Any = None
        self.shown = 0  # the bytes the bar shows as read

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)

    def update(self, count: int, finished: bool = False) -> None:
        now = time.monotonic()
        if not self.enabled or (now - self.start < 0.25 and not self.bar):  # short runs stay quiet
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
        """Show the finished run on a bar that is showing."""
        if self.bar is not None:
            self.update(count, finished=True)


# -- repl ------------------------------------------------------------------------------

@cli.command()
@click.argument("rules", required=False, type=click.Path(dir_okay=False))
@click.option("--now", callback=_parse_now, metavar="TIME",
              help="The instant rules are evaluated at (ISO 8601). Default: the current time.")
def repl(rules: str | None, now: datetime | None) -> None:
    """Try policies interactively: type expressions, rules and `let`s and see their
    values for a record you set up or load; `:help` lists the commands.

    With standard input not a terminal, runs the lines it reads as a session (exit
    code 1 if one of them was refused).

    \b
    Example:
      connectlang repl examples/selective.conn
      conn> :record examples/invitations.csv 2
      conn> :decide
    """
    from .repl.app import run
    from .repl.shell import Refusal, Shell
    shell = Shell(colour=colour_for(sys.stdout))
    shell.fixed_now = now
    interactive = sys.stdin.isatty()
    if rules is not None:
        try:
            click.echo(shell.load(rules, undoable=False))
        except Refusal as exc:
            raise CannotRun(str(exc)) from None
    if interactive:
        click.echo("Type an expression, a rule, or :help. Ctrl-D leaves.")
    run(shell, sys.stdin, click.echo)
    if not interactive and shell.failed:
        sys.exit(1)  # a script with a refused input fails, as `check` would
