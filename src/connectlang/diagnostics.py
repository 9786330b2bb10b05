"""Diagnostics: the one type every stage reports problems with, and its renderings.

Stages return lists of diagnostics; only the API boundary raises (`PolicyError`).
Codes are stable: `E0xx` syntax, `E1xx` literals, `E2xx` names and structure,
`E3xx` types. Lint codes (warnings) have their own catalog.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import click

from .source import Source, Span


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


# Each error's code, name, and what it means (SARIF's description of it): errors have
# no page of their own, their message and help say what to fix.
CODES: dict[str, tuple[str, str]] = {
    "E001": ("syntax-error", "The text does not read as connectlang: a word or sign is missing "
             "or out of place."),
    "E002": ("invalid-character", "A character connectlang does not use, or another language's "
             "way of writing something (`&&`, `'text'`, `// note`)."),
    "E003": ("unterminated-literal", "A string or regex that is not closed on its line."),
    "E004": ("nesting-too-deep", "An expression nested more than 64 levels deep, or 128 with the "
             "`let`s it uses written out."),
    "E005": ("invalid-utf8", "The file is not UTF-8 text."),
    "E101": ("invalid-escape", "An escape a string does not have, or a `\\u{...}` that is no "
             "character."),
    "E102": ("invalid-duration", "A duration with a unit connectlang does not have, or too long."),
    "E103": ("invalid-integer", "An integer too large for 64 bits, or with a `_` that does not "
             "stand between digits."),
    "E104": ("invalid-time", "A time that is no real date and time."),
    "E105": ("invalid-regex", "A regex that RE2 cannot compile, or one that needs what RE2 does "
             "not have (look-around, back-references)."),
    "E106": ("invalid-template", "An `ask` reply with a lone brace, or a placeholder that is no "
             "string or int name."),
    "E201": ("unknown-name", "A name that no field, `let` or built-in defines before its use."),
    "E202": ("upper-case-name", "A name with an upper-case letter: names are lower case."),
    "E203": ("duplicate-definition", "A `field` or `let` defined twice, or named as a standard "
             "field or built-in."),
    "E204": ("policy-structure", "The parts of the policy out of place: the header first, one "
             "default, last."),
    "E205": ("unknown-function", "A call of a function connectlang does not have."),
    "E301": ("type-mismatch", "A value of the wrong type for its operator, function or field."),
    "E302": ("condition-not-bool", "A condition that is not a bool."),
    "E303": ("wrong-arguments", "A function called with the wrong arguments, or without "
             "parentheses."),
}


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A problem at a place in a source: what is wrong, and how to fix it if we know."""

    code: str
    severity: Severity
    message: str
    span: Span
    help: str | None = None

    @classmethod
    def error(cls, code: str, message: str, span: Span, help: str | None = None) -> Diagnostic:
        return cls(code, Severity.ERROR, message, span, help)


def sort_key(diagnostic: Diagnostic) -> tuple[int, int, str]:
    return diagnostic.span.start, diagnostic.span.end, diagnostic.code


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)


class PolicyError(Exception):
    """Raised by `connectlang.compile` when a policy has errors. Its text lists every
    error at its FILE:LINE:COLUMN; `render()` and `to_json()` give what `check` prints."""

    def __init__(self, diagnostics: Sequence[Diagnostic], source: Source) -> None:
        self.diagnostics = list(diagnostics)
        self.source = source
        count = len(self.diagnostics)
        lines = [f"{count} error{'s' if count != 1 else ''} in {source.name}"]
        lines += [f"{format_location(d, source)}: {d.severity.value}[{d.code}]: {d.message}"
                  for d in self.diagnostics]
        super().__init__("\n".join(lines))

    def render(self, colour: bool = False) -> str:
        """Every error as `connectlang check` shows it: the source line, carets, help."""
        return "\n\n".join(render_text(d, self.source, colour) for d in self.diagnostics)

    def to_json(self) -> list[dict[str, Any]]:
        """Every error as a `check --format json` object: file, line, column, end, code..."""
        return [to_json(d, self.source) for d in self.diagnostics]


def closest(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The choice a misspelt `word` most likely meant, if one is close enough (difflib's
    ratio, 0 to 1); case does not count."""
    import difflib  # needed only for errors; a clean `check` does not load it

    by_lower = {choice.lower(): choice for choice in choices}
    close = difflib.get_close_matches(word.lower(), list(by_lower), n=1, cutoff=cutoff)
    return by_lower[close[0]] if close else None


def format_location(diagnostic: Diagnostic, source: Source) -> str:
    line, column = source.position(diagnostic.span.start)
    return f"{source.name}:{line}:{column}"


_COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def render_text(diagnostic: Diagnostic, source: Source, colour: bool = False) -> str:
    """The block users read: location, message, the source line with carets, help."""

    def style(text: str, **kwargs: Any) -> str:
        return click.style(text, **kwargs) if colour else text

    line, column = source.position(diagnostic.span.start)
    kind = style(f"{diagnostic.severity.value}[{diagnostic.code}]",
                 fg=_COLOURS[diagnostic.severity], bold=True)
    out = [f"{style(format_location(diagnostic, source), bold=True)}: {kind}: {diagnostic.message}"]
    text = source.line_text(line)
    end_line, end_column = source.position(diagnostic.span.end)
    last = end_column if end_line == line else len(text) + 1
    width = max(1, last - column)
    gutter = " " * len(str(line))
    shown, pad, width = _window(text.expandtabs(4).translate(_VISIBLE),
                                len(text[: column - 1].expandtabs(4)), width)
    if not shown.isascii():  # a wide character (山, 😀) takes two columns, a combining mark none
        pad, width = _columns(shown[:pad]), max(1, _columns(shown[pad:pad + width]))
    out.append(f"  {style(str(line), fg='blue')} | {shown}")
    carets = style("^" * width, fg=_COLOURS[diagnostic.severity], bold=True)
    out.append(f"  {gutter} | {' ' * pad}{carets}")
    if diagnostic.help:
        out.append(f"  {gutter} = {style('help', bold=True)}: {diagnostic.help}")
    return "\n".join(out)


# Control characters as the symbols Unicode has for them (`\x08` as ␈), one column each:
# echoed raw, they would move the cursor or set colours in the reader's terminal.
_VISIBLE = {**{code: 0x2400 + code for code in range(0x20)}, 0x7F: 0x2421,
            **dict.fromkeys(range(0x80, 0xA0), 0xFFFD)}


def _columns(text: str) -> int:
    """The terminal columns `text` takes."""
    from wcwidth import wcwidth  # only for lines that are not ASCII

    return sum(max(wcwidth(char), 0) for char in text)


_SHOWN = 120  # terminal columns of a source line; a longer one (generated, minified) is cut


def _window(line: str, pad: int, width: int) -> tuple[str, int, int]:
    """A long line cut to the part around the carets, at most `_SHOWN` columns, with `…`
    where text is left out; the carets' new offset and width, in characters."""
    if len(line) <= _SHOWN and (line.isascii() or _columns(line) <= _SHOWN):
        return line, pad, width
    if line.isascii():
        start = max(0, min(pad - _SHOWN // 3, len(line) - _SHOWN))
        end = start + _SHOWN
    else:  # measured around the carets only: a line may be a megabyte
        start, unused = _reach(line, pad, -1, _SHOWN // 3)
        end, room = _reach(line, pad, 1, _SHOWN - _SHOWN // 3 + unused)
        start = _reach(line, start, -1, room)[0]
    head, tail = ("…" if start else ""), ("…" if end < len(line) else "")
    return head + line[start:end] + tail, pad - start + len(head), max(1, min(width, end - pad))


def _reach(line: str, edge: int, step: int, room: int) -> tuple[int, int]:
    """How far from `edge` the characters to its left (`step` -1) or right (+1) fill
    `room` terminal columns, and at most four times as many characters (a run of
    zero-width ones takes no room): the new edge, and the columns left over."""
    from wcwidth import wcwidth

    for _ in range(4 * _SHOWN):
        if not (edge > 0 if step < 0 else edge < len(line)):
            break
        columns = max(wcwidth(line[edge if step > 0 else edge - 1]), 0)
        if columns > room:
            break
        room, edge = room - columns, edge + step
    return edge, room


def to_json(diagnostic: Diagnostic, source: Source) -> dict[str, Any]:
    """The `--format json` object of cli.md."""
    line, column = source.position(diagnostic.span.start)
    end_line, end_column = source.position(diagnostic.span.end)
    return {
        "file": source.name,
        "line": line,
        "column": column,
        "end_line": end_line,
        "end_column": end_column,
        "severity": diagnostic.severity.value,
        "code": diagnostic.code,
        "message": diagnostic.message,
        "help": diagnostic.help,
    }


def to_github(diagnostic: Diagnostic, source: Source) -> str:
    """A GitHub Actions workflow command: the problem as an annotation on the pull request."""
    item = to_json(diagnostic, source)
    level = {"error": "error", "warning": "warning", "info": "notice"}[item["severity"]]
    text = diagnostic.message + (f" (help: {diagnostic.help})" if diagnostic.help else "")
    return (f"::{level} file={_github_property(workspace_path(item['file']))},line={item['line']},"
            f"col={item['column']},endLine={item['end_line']},endColumn={item['end_column']},"
            f"title={item['code']}::{github_data(text)}")


def workspace_root() -> str:
    """The folder CI paths are written from: GitHub's `GITHUB_WORKSPACE`, else the
    current one."""
    return os.path.abspath(os.environ.get("GITHUB_WORKSPACE") or os.curdir)


def workspace_path(name: str) -> str:
    """A file's path as CI maps it onto the repository: from the workspace when the
    file is in it (as written, or through links: `/var` is `/private/var` on macOS),
    with `/`; else absolute. GitHub drops an annotation whose path starts with `./` or
    `../`."""
    if name == "-":
        return name
    root = workspace_root()
    for full, base in ((os.path.abspath(name), root), (os.path.realpath(name), os.path.realpath(root))):
        try:
            relative = os.path.relpath(full, base)
        except ValueError:  # on another drive
            continue
        if relative != os.pardir and not relative.startswith(os.pardir + os.sep):
            return relative.replace(os.sep, "/")
    return os.path.abspath(name)


def github_data(text: str) -> str:
    """Escaped as the runner unescapes a workflow command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _github_property(text: str) -> str:
    """Escaped as the runner unescapes a property, which `,` or `:` would end."""
    return github_data(text).replace(":", "%3A").replace(",", "%2C")
