"""Which lint rules run, at what severity: configuration files, options, ignore comments.

Settings come from `connectlang.toml` (top-level keys) or `pyproject.toml`
(`[tool.connectlang]`), the first found from the current folder upwards, or the file
`--config` names; `--select` replaces the file's `select`, `--ignore` adds to its
`ignore`. A rule is named by its code (`L101`), a code prefix (`L1`, `L`), its name
(`unreachable-rule`) or `ALL`.

    [tool.connectlang]
    select = ["ALL"]
    ignore = ["L203"]
    [tool.connectlang.severity]
    L301 = "error"
    [tool.connectlang.per-file-ignores]     # patterns as in .gitignore
    "legacy/*.conn" = ["L101", "decline"]

`# connectlang: ignore[L301]` at the end of a line (or `ignore[L301,L101]`, or a bare
`ignore`) silences those lints on the line where they start, or where their rule does.
"""

from __future__ import annotations

import bisect
import functools
import os
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from ..diagnostics import Diagnostic, Severity, closest
from ..nodes import IGNORE_COMMENT, IGNORE_SELECTORS, Comment, well_formed
from ..source import Source, Span
from .rule import Rule

if TYPE_CHECKING:
    import pathspec

KEYS = ("select", "ignore", "severity", "per-file-ignores")


class ConfigError(Exception):
    """A configuration that cannot be used: exit code 2, as for a bad option."""


class Settings(NamedTuple):
    """Which rules run and at what severity: the configuration file, then the command line."""

    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    severity: tuple[tuple[str, Severity], ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    root: Path | None = None  # per-file patterns are relative to it; None: the current folder

    def rules(self, catalog: Sequence[type[Rule]],
              path: str | None = None) -> list[tuple[type[Rule], Severity]]:
        """The rules that run on a file, each with its severity."""
        ignored = list(self.ignore)
        if path is not None and self.per_file_ignores:
            relative = _relative(Path(path), self.root or Path.cwd())
            for pattern, selectors in self.per_file_ignores:
                if _matcher(pattern).match_file(relative):
                    ignored += selectors
        chosen = []
        for rule in catalog:
            if any(selects(s, rule) for s in self.select) and not any(selects(s, rule) for s in ignored):
                # The most specific entry wins: `L301` or `decline` over `L3`, over `L`, over `ALL`.
                levels = [(_specificity(s, rule), v) for s, v in self.severity if selects(s, rule)]
                chosen.append((rule, max(levels, key=lambda x: x[0])[1] if levels else rule.severity))
        return chosen

    def with_options(self, select: Iterable[str], ignore: Iterable[str]) -> Settings:
        """`--select` replaces the configured selection; `--ignore` adds to it."""
        chosen = tuple(select)
        return Settings(chosen or self.select, (*self.ignore, *ignore), self.severity,
                        self.per_file_ignores, self.root)


def selects(selector: str, rule: type[Rule]) -> bool:
    return selector in ("ALL", rule.name) or rule.code.startswith(selector.upper())


def names_error(selector: str) -> bool:
    """Whether a selector that selects no lint names errors (`E201`, `E2`)."""
    from ..diagnostics import CODES
    return re.fullmatch(r"E\d*", selector.upper()) is not None and any(
        code.startswith(selector.upper()) for code in CODES)


def _specificity(selector: str, rule: type[Rule]) -> int:
    """How closely a selector that selects `rule` names it: a code prefix by its length."""
    if selector == rule.name or selector.upper() == rule.code:
        return len(rule.code) + 1
    return 0 if selector == "ALL" else len(selector)


def validate(selectors: Iterable[str], catalog: Sequence[type[Rule]], where: str) -> tuple[str, ...]:
    """The selectors, each checked to name some rule."""
    found = []
    for selector in selectors:
        selector = selector.strip()
        if not selector:
            raise ConfigError(f"{where}: an empty rule name selects nothing (codes look like L101, "
                              "names like unreachable-rule)")
        if not any(selects(selector, rule) for rule in catalog):
            if names_error(selector):
                raise ConfigError(f"{where}: `{selector}` names an error, not a lint rule: errors "
                                  "are always reported, and cannot be ignored or given another severity")
            named = [rule.name for rule in catalog if rule.name.startswith(selector.lower())]
            near = named[0] if len(named) == 1 else closest(
                selector, [word for rule in catalog for word in (rule.code, rule.name)])
            if near:
                raise ConfigError(f"{where}: `{selector}` names no rule: did you mean `{near}`?")
            raise ConfigError(f"{where}: `{selector}` names no rule (codes look like L101, names like "
                              "unreachable-rule; `connectlang rule` lists them)")
        found.append(selector)
    return tuple(found)


def split(values: Iterable[str], where: str) -> list[str]:
    """`--select L1,L3 --select decline` -> [`L1`, `L3`, `decline`]; an option given
    nothing (`--select ""`) is refused rather than taken as not given."""
    parts = []
    for value in values:
        named = [part for part in value.split(",") if part.strip()]
        if not named:
            raise ConfigError(f"{where} was given no rule (codes look like L101, names like "
                              "unreachable-rule)")
        parts += named
    return parts


def load(catalog: Sequence[type[Rule]], explicit: str | None = None, start: Path | None = None) -> Settings:
    """The settings of the configuration file in use, or the defaults."""
    if explicit is not None:
        path = Path(explicit)
        data = _read(path)
        table = _section(data, path) if path.name == "pyproject.toml" else data
        if table is None:
            raise ConfigError(f"{path}: no `[tool.connectlang]` table here, so it configures nothing "
                              "(name the file that has one, or add it)")
        return _settings(table, catalog, path)
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        own = folder / "connectlang.toml"
        if own.is_file():
            return _settings(_read(own), catalog, own)
        pyproject = folder / "pyproject.toml"
        # Most pyproject.toml files are other tools': only one with a `tool.connectlang`
        # is read, and one that cannot be is passed over unless it seems to have one.
        if pyproject.is_file() and b"connectlang" in (raw := _bytes(pyproject)):
            try:
                data = _read(pyproject)
            except ConfigError:
                if _NAMES_US.search(raw):
                    raise
                continue
            table = _section(data, pyproject)
            if table is not None:
                return _settings(table, catalog, pyproject)
    return Settings()


# `[tool.connectlang]`, `tool.connectlang.select = ...`, or `connectlang.select` under `[tool]`;
# not `connectlang = "^1.0"` among another tool's dependencies.
_NAMES_US = re.compile(rb"tool\s*\.\s*connectlang|^\s*connectlang\s*\.", re.MULTILINE)


def _bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def _read(path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):  # (loaded only when there is a file to read)
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]
    try:
        data: dict[str, Any] = tomllib.loads(_bytes(path).decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start + 1} is 0x{exc.object[exc.start]:02x}); "
                          "TOML files are UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return data


def _section(data: dict[str, Any], path: Path) -> dict[str, Any] | None:
    """`[tool.connectlang]` of a pyproject.toml, however the TOML spells it."""
    tool = data.get("tool")
    table = tool.get("connectlang") if isinstance(tool, dict) else None
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{path}: `tool.connectlang` must be a table, like `[tool.connectlang]` "
                          "followed by lines such as `ignore = [\"L203\"]`")
    return table


def _settings(table: dict[str, Any], catalog: Sequence[type[Rule]], path: Path) -> Settings:
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        hint = ("it is read as a connectlang.toml, whose settings stand at the top level: "
                "`[tool.connectlang]` is read from a file named pyproject.toml"
                if unknown[0] in ("tool", "project", "build-system") else
                f"the settings are {', '.join(KEYS)}")
        raise ConfigError(f"{path}: unknown setting `{unknown[0]}` ({hint})")
    where = str(path)
    select = validate(_strings(table.get("select", ["ALL"]), where, "select"), catalog, where)
    ignore = validate(_strings(table.get("ignore", []), where, "ignore"), catalog, where)
    levels = {level.value: level for level in Severity}
    severity = []
    for selector, level in _table(table, "severity", where).items():
        validate([selector], catalog, where)
        if not isinstance(level, str) or level not in levels:
            raise ConfigError(f"{where}: severity of `{selector}` is `{level}`: use error, "
                              "warning or info")
        severity.append((selector, levels[level]))
    _no_ties(severity, catalog, where)
    per_file = tuple((_pattern(pattern, where), validate(_strings(codes, where, pattern), catalog, where))
                     for pattern, codes in _table(table, "per-file-ignores", where).items())
    return Settings(select, ignore, tuple(severity), per_file, path.parent)


def _pattern(pattern: str, where: str) -> str:
    """A per-file pattern that can match a file: not empty, a negation (which in a
    `.gitignore` only takes files back) or a comment, and with folders written with `/`."""
    first = pattern.strip()[:1]
    problem = ("is empty" if not first else
               "is a negation, which matches no file: list the files to ignore instead" if first == "!"
               else "starts with `#`, which a .gitignore line reads as a comment" if first == "#"
               else "has a `\\` before a name: write folders with `/`, as on Linux and macOS"
               if re.search(r"\\[\w.-]", pattern) else None)  # (`\#`, `\[` escape, as in .gitignore)
    if problem:
        raise ConfigError(f"{where}: the per-file pattern `{pattern}` {problem}")
    return pattern


def _table(table: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = table.get(key, {})
    if not isinstance(value, dict):
        example = 'L301 = "error"' if key == "severity" else '"legacy/*.conn" = ["L101"]'
        raise ConfigError(f"{where}: `{key}` must be a table, like `[{key}]` followed by lines "
                          f"such as `{example}`")
    return value


def _no_ties(severity: list[tuple[str, Severity]], catalog: Sequence[type[Rule]], where: str) -> None:
    """Two equally specific entries that set a rule's severity differently (`L301` and
    `decline`) would leave the choice to their order in the file."""
    for rule in catalog:
        levels = [(_specificity(s, rule), s, v) for s, v in severity if selects(s, rule)]
        if not levels:
            continue
        top = max(rank for rank, _, _ in levels)
        tied = [(s, v) for rank, s, v in levels if rank == top]
        if len({v for _, v in tied}) > 1:
            (first, one), (second, other) = tied[0], next(t for t in tied if t[1] != tied[0][1])
            raise ConfigError(f"{where}: `{first}` and `{second}` both set the severity of "
                              f"{rule.code} ({rule.name}), to {one.value} and {other.value}: keep one")


def _strings(value: Any, where: str, key: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: `{key}` must be a list of rule codes or names")
    return list(value)


def _relative(path: Path, root: Path) -> str:
    """The path per-file patterns see: from the configuration's folder, or for a file
    outside it its name, which only patterns without a `/` (`old.conn`, `*.conn`) match."""
    for mine, base in ((Path(os.path.abspath(path)), Path(os.path.abspath(root))),
                       (path.resolve(), root.resolve())):  # as written, then through links
        try:
            return mine.relative_to(base).as_posix()
        except ValueError:
            continue
    return path.name


@functools.cache
def _matcher(pattern: str) -> pathspec.GitIgnoreSpec:
    """A per-file pattern read as a line of `.gitignore`: `*` stays within a folder,
    `**/` spans any number of them, `legacy/` is everything in that folder, and a name
    without `/` matches at any depth. A leading `./` is how a path is often written."""
    import pathspec  # loaded only for a configuration that has per-file patterns

    return pathspec.GitIgnoreSpec.from_lines([pattern.removeprefix("./")])


class IgnoreComment(NamedTuple):
    """`# connectlang: ignore[...]`: the line it silences, its span, and its selectors
    with their spans in the comment (None for a bare `ignore`, which silences every
    lint). A `malformed` one (`ignore: L101`, `ignore [L101]`, `IGNORE[L101]`) silences
    nothing: read as a bare `ignore`, a typo would silence every lint of its line."""

    line: int
    span: Span
    selectors: tuple[tuple[str, Span], ...] | None
    malformed: bool = False




def ignore_comments(comments: Iterable[Comment], source: Source) -> Iterator[IgnoreComment]:
    for comment in comments:
        # `fmt` may join two comments into one (`# note  # connectlang: ignore[L102]`).
        for match in IGNORE_COMMENT.finditer(comment.text):
            line = source.line(comment.span.start)
            start = comment.span.start + match.start()
            span = Span(start, start + len(match.group().rstrip()))
            if not well_formed(match):
                yield IgnoreComment(line, span, (), malformed=True)
                continue
            listed = IGNORE_SELECTORS.fullmatch(match["rest"])
            if listed is None:  # nothing after `ignore`
                yield IgnoreComment(line, span, None)
                continue
            inside = comment.span.start + match.start("rest") + listed.start(1)
            yield IgnoreComment(line, span, tuple(
                (part.group(), Span(inside + part.start(), inside + part.end()))
                for part in re.finditer(r"[^,\s]+", listed.group(1))))


def silenced(diagnostics: Iterable[Diagnostic], source: Source, comments: Iterable[Comment],
             catalog: Sequence[type[Rule]], items: Sequence[Span] = ()) -> list[Diagnostic]:
    """The diagnostics no ignore comment silences (see `Ignores`)."""
    ignores = Ignores(source, comments, catalog, items)
    return [d for d in diagnostics if not ignores.silencing(d)]


Silencer = tuple[IgnoreComment, "str | None"]  # an ignore comment and one of its selectors


class Ignores:
    """A file's well-formed ignore comments, and what each silences: a diagnostic on its
    line, or in the item (`items`, in order) whose first line it is on, so that a rule
    written over several lines takes its comment where its action is too (but not a
    lint of a comment, such as a misspelt code in another ignore comment). A comment's selectors are those
    of `--ignore`: codes, code prefixes, names, ALL. A rule `named_only` (L702, which
    says a comment silences nothing) is silenced only by a selector naming it."""

    def __init__(self, source: Source, comments: Iterable[Comment], catalog: Sequence[type[Rule]],
                 items: Sequence[Span] = ()) -> None:
        self.source = source
        self.comments = tuple(comments)
        self.by_line: dict[int, list[IgnoreComment]] = {}
        for ignore in ignore_comments(self.comments, source):
            if not ignore.malformed:
                self.by_line.setdefault(ignore.line, []).append(ignore)
        self.rules = {rule.code: rule for rule in catalog}
        self.items = items
        self._starts = [item.start for item in items]

    def silencing(self, d: Diagnostic) -> list[Silencer]:
        """The comments, and their selectors (None: a bare `ignore`), that silence `d`."""
        if not self.by_line:
            return []
        rule = self.rules[d.code]
        found: list[Silencer] = []
        for line in self._lines(d):
            for ignore in self.by_line.get(line, ()):
                if ignore.selectors is None:
                    if not rule.named_only:
                        found.append((ignore, None))
                    continue
                found.extend((ignore, selector) for selector, _ in ignore.selectors
                             if (selector in (rule.code, rule.name) if rule.named_only
                                 else selects(selector, rule)))
        return found

    def _lines(self, d: Diagnostic) -> set[int]:
        """The lines whose comments may silence `d`: its own, and its item's first."""
        lines = {self.source.line(d.span.start)}
        at = self.item_of(d.span.start)
        if at is not None and not any(c.span.start <= d.span.start < c.span.end for c in self.comments):
            lines.add(self.source.line(self.items[at].start))
        return lines

    def item_of(self, offset: int) -> int | None:
        """The index of the item `offset` is in, if any; an item's last line is all its
        own, the comment at its end included."""
        at = bisect.bisect_right(self._starts, offset) - 1
        if at < 0:
            return None
        end = self.source.text.find("\n", self.items[at].end)
        return at if offset < end or end < 0 else None

