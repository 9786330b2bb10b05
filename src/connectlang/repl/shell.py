"""What the REPL does with one input: a command, items for the policy, or an expression.

`Shell.run` takes the text of one prompt and returns what to print. It knows
nothing of terminals (`app.py` reads the input and prints the answer), and it never
raises for anything typed: problems are answered with the same diagnostics as
`check`, a caret under the typed text. A test feeds it random input to hold it to that.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import click

from .. import checked as c
from .. import nodes as n
from ..builtins import BUILTIN_VALUES, DERIVED_FROM_NAME, FUNCTIONS, STANDARD_FIELDS
from ..checker import check_expression
from ..diagnostics import closest, render_text
from ..evaluate import Decision, Env, explain, field_value, interpret, missing_fields
from ..keywords import ACTION_TOKENS, ITEM_STARTS, RESERVED, meant_item_start
from ..literals import LiteralError, parse_time, spell
from ..output import ACTION_COLOURS
from ..records import BadValue, InputError, cell_reader
from ..regex import Regex
from ..source import Source, Span
from ..syntax import parse, parse_expression, stops_early, tokens
from ..types import Type, has_type
from .session import TYPED, Located, Piece, Rejected, Session, where

# The first word of an input, after any comment lines: an item starts with a keyword.
_FIRST_WORD = re.compile(r"(?:\s*#[^\n]*(?:\n|$))*\s*([A-Za-z_][A-Za-z0-9_]*)")


class Refusal(Exception):
    """A command that cannot do what was asked; the message says why and what to do."""


@dataclass(frozen=True)
class Command:
    name: str
    usage: str  # the arguments, as `:help` shows them
    summary: str
    detail: str
    handler: Callable[[Shell, str], str]


COMMANDS: dict[str, Command] = {}


def command(usage: str, summary: str, detail: str = "") -> Callable[
        [Callable[[Shell, str], str]], Callable[[Shell, str], str]]:
    """Register a `:NAME` command, its method being `do_NAME`."""
    def register(handler: Callable[[Shell, str], str]) -> Callable[[Shell, str], str]:
        name = handler.__name__.removeprefix("do_")
        COMMANDS[name] = Command(name, usage, summary, detail, handler)
        return handler
    return register


def first_word(text: str) -> str | None:
    match = _FIRST_WORD.match(text)
    return match.group(1) if match else None


def needs_more(text: str) -> bool:
    """Whether Enter should open a new line rather than run the input: it is unfinished
    (like an open parenthesis or a trailing `and`), or a policy whose default has not
    come yet. An empty last line always runs it."""
    if not text.strip() or text.endswith("\n") or text.lstrip().startswith(":"):
        return False
    source = Source(text, TYPED)
    word = first_word(text)
    if word == "policy":
        module, _ = parse(source)
        if not any(isinstance(i, n.Default) for i in module.items):
            return True
    return stops_early(source, "item" if reads_as_item(text) else "expr")


def reads_as_item(text: str) -> bool:
    """Whether the input is an item (a rule, `let`, `field`, `policy`, the default)
    rather than an expression: it starts with an item's word, or with `because`, or a
    misspelling of one before what follows that word (`acept if`, `polcy "me"`,
    `esle archive`, `lett x =`), so it gets the item's error and its did-you-mean."""
    word = first_word(text)
    if word in ITEM_STARTS or word == "because":
        return True
    if word is None or meant_item_start(word) is None:
        return False
    following = [token.type for token in tokens(text)[1:3]]
    return bool(following) and (following[0] in ("IF", "STRING", *ACTION_TOKENS) or (
        following[1:] in (["EQUAL"], ["COLON"])))



class Shell:
    """A session's policy, its current record and `now`, and what each input does."""

    def __init__(self, colour: bool = False) -> None:
        self.session = Session()
        self.colour = colour
        self.record: dict[str, Any] = {}
        self.record_origin = "an empty record"
        self.input_path: str | None = None
        self.fixed_now: datetime | None = None
        self.done = False
        self.failed = False  # some input was refused: a script's exit code is 1
        self.loading: str | None = None  # the file `:reload` reads, loaded or not

    # -- one input -------------------------------------------------------------------

    def run(self, text: str) -> str:
        """What to print for one input. A command on the last line of an unfinished
        input runs after what came before it, not as part of it."""
        text = text.rstrip()  # an error at the end points after the last word typed
        head, _, last = text.rpartition("\n")
        if head.strip() and last.lstrip().startswith(":"):
            return "\n".join(filter(None, (self.run(head), self.run(last))))
        word = first_word(text)
        if not text.strip() or (word is None and text.lstrip().startswith("#")):
            return ""
        try:
            if text.lstrip().startswith(":"):
                return self.dispatch(text.strip())
            if reads_as_item(text):
                return self.items(text)
            return self.expression(text)
        except Rejected as exc:
            self.failed = True
            return self.problems(exc.found)
        except Refusal as exc:
            self.failed = True
            return self.style("error", fg="red", bold=True) + f": {exc}"

    def dispatch(self, text: str) -> str:
        name, _, args = text[1:].partition(" ")
        found = _command_named(name)
        if args.strip() and not found.usage:
            raise Refusal(f"`:{found.name}` takes nothing after it")
        return found.handler(self, args.strip())

    def items(self, text: str) -> str:
        before = self.decision_text()
        try:
            added = self.session.add(Source(text, TYPED))
        except Rejected as exc:
            self.failed = True
            return self.problems(exc.found) + "\n\nthe policy is unchanged"
        if any(piece.kind == "header" for piece, _ in added):
            lines = [f"a new policy: {self.contents()}"]
        else:
            rules = len(self.session.policy.rules) - sum(piece.kind == "rule" for piece, _ in added)
            lines = []
            for piece, old in added:
                rules += piece.kind == "rule"
                lines.append(self.added(piece, rules - 1) + self.replaced(old))
        return "\n".join(lines + self.refit() + self.decision_change(before))

    def added(self, piece: Piece, rule: int) -> str:
        """What a typed piece became: `let x = 3 : int`, `rule 7 added: ...`."""
        policy = self.session.policy
        if piece.kind == "let" and piece.name is not None:
            return f"let {piece.name} = {self.value(policy.let(piece.name).expr)}"
        if piece.kind == "field" and piece.name is not None:
            field = next(f for f in policy.fields if f.name == piece.name)
            return f"field {piece.name} : {field.ty}"
        if piece.kind == "default":
            return f"default: {policy.rule_text(policy.default)}"
        return f"rule {rule + 1} added: {policy.rule_text(policy.rules[rule])}"

    def replaced(self, old: Piece | None) -> str:
        """`  (replaces `let lately = 26w`, selective.conn:21)`."""
        if old is None:
            return ""
        item = next(line.strip() for line in old.text.splitlines()
                    if line.strip() and not line.lstrip().startswith("#"))
        at = old.span.start + old.text.find(item)
        return f"  (replaces `{_clip(item, 50)}`, {where(old.origin, Span(at, at))})"

    def expression(self, text: str) -> str:
        return self.value(typed_expression(text, self.session.policy))

    # -- showing values ----------------------------------------------------------------

    def env(self) -> Env:
        return Env(self.session.policy, self.record, self.now)

    @property
    def now(self) -> datetime:
        return self.fixed_now or datetime.now(timezone.utc)

    def value(self, expr: c.Expr, env: Env | None = None, leaf: bool = False) -> str:
        """`true : bool`: an expression's value against the current record and its type;
        an unknown or missing value says which missing fields are behind it (a field
        that is a `leaf` of a tree needs not say it is itself)."""
        env = env or self.env()
        value = interpret(expr, env)
        ty = self.style(str(expr.ty), fg="cyan")
        if value is not None:
            return f"{self.style(_spell(value), bold=True)} : {ty}"
        word = "unknown" if expr.ty is Type.BOOL else "missing"
        missing = () if leaf and isinstance(expr, c.FieldRef) else missing_fields(expr, env)
        why = f"  (missing: {', '.join(missing)})" if missing else ""
        return f"{self.style(word, fg='yellow', bold=True)} : {ty}{why}"

    def style(self, text: str, **kwargs: Any) -> str:
        return click.style(text, **kwargs) if self.colour else text

    def problems(self, found: list[Located]) -> str:
        return "\n\n".join(render_text(d, source, self.colour) for d, source in found)

    def contents(self) -> str:
        """`policy "x": 1 field, 4 lets, 6 rules and the default`."""
        policy = self.session.policy
        counts = [(len(policy.fields), "field"), (len(policy.lets), "let"), (len(policy.rules), "rule")]
        parts = ", ".join(_count(*count) for count in counts if count[0]) or "no rules"
        named = f'policy "{policy.name}": ' if policy.name else ""
        default = " and the default" if self.session.has_default else ", no default yet"
        return named + parts + default

    def decision_text(self) -> str | None:
        """The current record's decision in one line; None without a default."""
        if not self.session.has_default:
            return None
        decision = explain(self.session.policy, self.record, self.now)
        return self.decision_line(decision)

    def decision_line(self, decision: Decision) -> str:
        policy = self.session.policy
        assert decision.trace is not None
        fired = (policy.rules[len(decision.trace) - 1]
                 if decision.trace and decision.trace[-1].result == "true" else policy.default)
        action = self.style(decision.action, fg=ACTION_COLOURS[decision.action], bold=True)
        line = f"{action}  {self.session.current.where(fired.span)}"
        if decision.reason is not None:
            line += f'  because "{decision.reason}"'
        if decision.reply is not None:
            line += f"\n  reply: {decision.reply}"
        return line

    def refit(self) -> list[str]:
        """After the policy changed: drop the record's values that no longer have their
        field's type (a `field` declared again with another)."""
        types = self.session.policy.field_types()
        wrong = {name: value for name, value in self.record.items()
                 if name in types and not has_type(value, types[name])}
        for name in wrong:
            del self.record[name]
        if wrong:
            self.edited()
        return [f"{name} is now missing: {_spell(value)} is not of type {types[name]}"
                for name, value in wrong.items()]

    def decision_change(self, before: str | None) -> list[str]:
        """After the policy changed: the record's decision, when the change changed it."""
        after = self.decision_text()
        if after is None or after == before or not self.record:
            return []
        return [f"decision now: {after}"]

    # -- commands ----------------------------------------------------------------------

    @command("[COMMAND]", "list the commands, or explain one")
    def do_help(self, args: str) -> str:
        if args:
            found = _command_named(args.lstrip(":"))
            return "\n".join(filter(None, [f":{found.name} {found.usage}".rstrip(),
                                           f"  {found.summary}", found.detail]))
        width = max(len(f":{cmd.name} {cmd.usage}") for cmd in COMMANDS.values())
        lines = [_HELP_HEAD]
        lines += [f"  {f':{cmd.name} {cmd.usage}':{width}}  {cmd.summary}" for cmd in COMMANDS.values()]
        return "\n".join([*lines, _HELP_TAIL])

    @command("FILE", "load a policy file (what was typed before is dropped)",
             "  Its errors are shown as `connectlang check` shows them, and nothing is loaded.")
    def do_load(self, args: str) -> str:
        if not args:
            raise Refusal("which file? `:load policy.conn`")
        return self.load(_path(args))

    @command("", "read the loaded file again, after editing it")
    def do_reload(self, args: str) -> str:
        if self.loading is None:
            raise Refusal("no file is loaded: `:load FILE` first")
        return self.load(self.loading)

    def load(self, path: str, undoable: bool = True) -> str:
        """Load a policy file; a file with errors is remembered for `:reload`."""
        before = self.decision_text()
        try:
            self.session.load(path, undoable)
        except OSError as exc:
            raise Refusal(str(exc)) from None
        except Rejected as exc:
            self.failed = True
            self.loading = path
            return (self.problems(exc.found) + f"\n\n{path} has errors, so it was not loaded: "
                    "fix them and `:reload`")
        self.loading = path
        return "\n".join([f"loaded {path}: {self.contents()}", *self.refit(),
                          *self.decision_change(before)])

    @command("", "print the session's policy, formatted")
    def do_show(self, args: str) -> str:
        from ..highlight import render
        if not self.session.current.text().strip():
            return "the policy is empty: type a rule like `accept if did_business`, or `:load FILE`"
        shown = render(self.formatted(), "terminal", colour=self.colour).rstrip("\n")
        if not self.session.has_default:
            shown += "\n# no default yet: add one, like `else archive`"
        return shown

    @command("FILE", "write the session's policy to a file, formatted",
             "  An existing file is replaced. Example: `:save mine.conn`")
    def do_save(self, args: str) -> str:
        from ..output import CannotWrite, output
        if not args:
            raise Refusal("which file? `:save mine.conn`")
        if not self.session.has_default:
            raise Refusal("the policy has no default yet, so it would not check: add one, like "
                          "`else archive`")
        path = _path(args)
        try:
            with output(path) as out:
                out.write(self.formatted())
        except CannotWrite as exc:
            raise Refusal(str(exc)) from None
        return f"saved the policy to {path}"

    def formatted(self) -> str:
        from ..formatter import format_source
        text = self.session.current.text()
        formatted, errors = format_source(Source(text, "<session>"))
        return text if errors else formatted

    @command("", "take back the last change to the policy")
    def do_undo(self, args: str) -> str:
        what = self.session.undo()
        if what is None:
            return "nothing to undo"
        now = self.contents() if self.session.current.layout.pieces() else "an empty policy"
        return "\n".join([f"took back {what}: {now}", *self.refit()])

    @command("FIELD VALUE", "give the current record a value",
             "  VALUE as a policy writes it (`12`, `true`, `\"text\"`, `[\"a\", \"b\"]`, `90d`,\n"
             "  `2026-11-01`) or as a CSV cell would hold it (`yes`, `a; b`, text unquoted).\n"
             "  Example: `:set mutual_connections 12`, `:set message Hi, free webinar!`")
    def do_set(self, args: str) -> str:
        name, _, raw = args.partition(" ")
        if not name or not raw.strip():
            raise Refusal("`:set FIELD VALUE`, for example `:set mutual_connections 12`")
        ty = self.field_type(name)
        before = self.decision_text()
        self.record[name] = _read_value(name, raw.strip(), ty)
        self.edited()
        return "\n".join([f"{name} = {_spell(self.record[name])}", *self.record_decision(before)])

    @command("FIELD", "make a field of the current record missing")
    def do_unset(self, args: str) -> str:
        if not args:
            raise Refusal("`:unset FIELD`, for example `:unset mutual_connections`")
        self.field_type(args)
        before = self.decision_text()
        self.record.pop(args, None)
        self.edited()
        default = self.session.policy.defaults().get(args)
        state = "missing" if default is None else f"absent: it reads as its default, {_spell(default)}"
        return "\n".join([f"{args} is {state}", *self.record_decision(before)])

    @command("", "start over with an empty record")
    def do_clear(self, args: str) -> str:
        before = self.decision_text()
        self.record, self.record_origin = {}, "an empty record"
        return "\n".join(["the record is empty", *self.record_decision(before)])

    @command("[FILE] [N]", "show the current record, or load record N (default 1) of an input",
             "  An input is what `connectlang eval` reads: a CSV, JSONL or JSON file, or a\n"
             "  LinkedIn export (its folder or .zip). `:record 7` takes the last file named.\n"
             "  Example: `:record examples/invitations.csv 3`")
    def do_record(self, args: str) -> str:
        if not args:
            return self.show_record()
        words = args.rsplit(None, 1)
        numbered = re.fullmatch(r"[+-]?[0-9]+", words[-1]) is not None
        number = int(words[-1]) if numbered else 1
        path = _path(args if not numbered else words[0] if len(words) == 2 else self.input_path or "")
        if not path:
            raise Refusal("from which file? `:record FILE N`")
        before = self.decision_text()
        self.record = self.read_record(path, number)
        self.input_path = path
        self.record_origin = f"record {number} of {path}"
        return "\n".join([self.show_record(), *self.record_decision(before)])

    def edited(self) -> None:
        if self.record_origin == "an empty record":
            self.record_origin = "a record of your own"
        elif not self.record_origin.endswith(", changed"):
            self.record_origin += ", changed"

    def read_record(self, path: str, number: int) -> dict[str, Any]:
        from ..inputs import Inputs
        if number < 1:
            raise Refusal("records are numbered from 1")
        if path == "-":
            raise Refusal("`:record` reads a file, not standard input: name the file")
        if not Path(path).exists():
            raise Refusal(f"cannot read {path}: there is no such file or folder")
        count = 0
        try:
            for count, record in enumerate(Inputs([path], self.session.policy.field_types()), 1):
                if count == number:
                    if record.values is None:
                        raise Refusal(f"record {number} of {path} cannot be read: {record.error}")
                    return {k: v for k, v in record.values.items() if v is not None}
        except InputError as exc:
            raise Refusal(str(exc)) from None
        raise Refusal(f"{path} has {_count(count, 'record')}")

    def show_record(self) -> str:
        env = self.env()
        shown = [(name, field_value(self.record, name, env.defaults))
                 for name in self.session.policy.field_types()]
        given = [(name, value) for name, value in shown if name in self.record]
        if not given:
            return f"{self.record_origin}: every field is missing (`:set FIELD VALUE`, `:record FILE N`)"
        width = max(len(name) for name, _ in given)
        lines = [f"{self.record_origin}:"]
        lines += [f"  {name:{width}}  {_clip(_spell(value))}" for name, value in given]
        return "\n".join(lines)

    def record_decision(self, before: str | None) -> list[str]:
        """After the record changed: its decision, and whether that changed."""
        after = self.decision_text()
        if after is None:
            return []
        return [f"decision: {after}" + (" (unchanged)" if after == before else "")]

    @command("", "every field: its type, its value in the current record, what it means")
    def do_fields(self, args: str) -> str:
        env = self.env()
        declared = {f.name: f for f in self.session.policy.fields}
        rows = []
        for name, ty in self.session.policy.field_types().items():
            value = field_value(self.record, name, env.defaults)
            if value is None:
                shown = "missing"
            elif name not in self.record:
                shown = _spell(value) + (" (from name)" if name in DERIVED_FROM_NAME else " (default)")
            else:
                shown = _spell(value)
            doc = STANDARD_FIELDS[name].doc if name in STANDARD_FIELDS else \
                f"declared: {self.session.current.where(declared[name].span)}"
            rows.append((name, str(ty), _clip(shown, 30), doc))
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        return "\n".join(f"  {a:{widths[0]}}  {b:{widths[1]}}  {v:{widths[2]}}  {d}"
                         for a, b, v, d in rows)

    @command("[TIME | reset]", "show the time rules are evaluated at, or fix it",
             "  Without a fixed time it is the current time. Example: `:now 2026-11-01`")
    def do_now(self, args: str) -> str:
        before = self.decision_text()
        if args == "reset":
            self.fixed_now = None
        elif args:
            try:
                self.fixed_now = parse_time(args)
            except LiteralError as exc:
                raise Refusal(exc.message) from None
        kind = "fixed" if self.fixed_now else "the current time"
        decision = self.record_decision(before) if args else []
        return "\n".join([f"now is {spell(self.now)} ({kind})", *decision])

    @command("", "decide the current record with the policy, and show every rule tried")
    def do_decide(self, args: str) -> str:
        if not self.session.has_default:
            raise Refusal("the policy has no default yet: type one, like `else archive`, or `:load FILE`")
        policy = self.session.policy
        decision = explain(policy, self.record, self.now)
        assert decision.trace is not None
        lines = [self.decision_line(decision)]
        width = max((len(self.session.current.where(r.span)) for r in policy.rules), default=0)
        # The trace stops at the rule that fired.
        for step, rule in zip(decision.trace, policy.rules, strict=False):
            result = self.style(f"{step.result:7}", fg=_RESULT_COLOURS[step.result])
            missing = f"  (missing: {', '.join(step.missing)})" if step.missing else ""
            lines.append(f"  {result}  {self.session.current.where(rule.span):{width}}  "
                         f"{policy.rule_text(rule)}{missing}")
        if not decision.trace or decision.trace[-1].result != "true":
            lines.append(f"  {'default':7}  {self.session.current.where(policy.default.span):{width}}  "
                         f"{policy.rule_text(policy.default)}")
        return "\n".join(lines)

    @command("EXPRESSION", "show an expression's checked tree: each node's type and value",
             "  Built-in names show what they stand for: `shared_group` is\n"
             "  `count(shared_groups) > 0`. Example: `:tree shared_group or same_school`")
    def do_tree(self, args: str) -> str:
        if not args:
            raise Refusal("`:tree EXPRESSION`, for example `:tree shared_group and mutual_connections > 3`")
        lines: list[str] = []
        self.tree(typed_expression(args, self.session.policy), self.env(), "", "", lines)
        return "\n".join(lines)

    def tree(self, expr: c.Expr, env: Env, lead: str, indent: str, lines: list[str]) -> None:
        """One node a line, `label = value : type`, under its parent; a `let` shows its
        definition under it."""
        if isinstance(expr, c.Const):
            lines.append(f"{lead}{_spell(expr.value)} : {self.style(str(expr.ty), fg='cyan')}")
        else:
            lines.append(f"{lead}{_label(expr)} = {self.value(expr, env, leaf=True)}")
        kids = ((self.session.policy.let(expr.name).expr,) if isinstance(expr, c.LetRef)
                else c.children(expr))
        for i, kid in enumerate(kids):
            last = i == len(kids) - 1
            self.tree(kid, env, indent + ("└─ " if last else "├─ "), indent + ("   " if last else "│  "),
                      lines)

    @command("", "lint the session's policy, as `connectlang check` would")
    def do_lint(self, args: str) -> str:
        from ..lint import config as lint_config
        from ..lint.rules import RULES
        try:
            settings = lint_config.load(RULES, None)
        except lint_config.ConfigError as exc:
            raise Refusal(str(exc)) from None
        if not self.session.current.layout.pieces():
            return "the policy is empty: nothing to lint"
        found = self.session.current.lint(settings, self.session.path)
        return self.problems(found) if found else "no problems"

    @command("", "leave (Ctrl-D does too)")
    def do_quit(self, args: str) -> str:
        self.done = True
        return ""

    # -- names -------------------------------------------------------------------------

    def field_type(self, name: str) -> Type:
        types = self.session.policy.field_types()
        if name in types:
            return types[name]
        if name in {let.name for let in self.session.policy.lets}:
            raise Refusal(f"`{name}` is a `let`: its value comes from its definition; to change it, "
                          f"type `let {name} = ...`")
        if name in BUILTIN_VALUES:
            raise Refusal(f"`{name}` is computed from other fields, so it cannot be set")
        close = closest(name, types)
        hint = f": did you mean `{close}`?" if close else \
            f"; declare it first, like `field {name}: string`"
        raise Refusal(f"`{name}` is not a field{hint} (`:fields` lists them)")

    def names(self) -> dict[str, str]:
        """Every name an expression may use, with what it is: for completion."""
        policy = self.session.policy
        found = {word: "keyword" for word in sorted(RESERVED)}
        found.update((name, f"field {f.type}") for name, f in STANDARD_FIELDS.items())
        found.update((name, f"{f.result} function") for name, f in FUNCTIONS.items())
        found.update((name, "bool built-in") for name in BUILTIN_VALUES)
        found.update((f.name, f"field {f.ty}") for f in policy.fields)
        found.update((let.name, f"let {let.expr.ty}") for let in policy.lets)
        return found


_HELP_HEAD = """\
Type an expression to see its type and its value for the current record
(`mutual_connections >= 5`), or a `let`, `field` or rule to add it to the policy
(`accept if did_business`). Commands:
"""
_HELP_TAIL = """
`:help COMMAND` says more, like the forms `:set` takes a VALUE in.
Tab completes names and commands; an unfinished line continues on the next one
(an empty line runs it). Ctrl-C cancels the input, Ctrl-D leaves.
Try: `:record FILE 1`, then `:decide`, then `:set FIELD VALUE` and `:decide` again."""

_RESULT_COLOURS = {"true": "green", "false": "red", "unknown": "yellow"}


def _command_named(name: str) -> Command:
    """A command by its name or a prefix of it only it has (`:q`, `:rel`)."""
    if name in COMMANDS:
        return COMMANDS[name]
    matches = [cmd for cmd in COMMANDS if cmd.startswith(name)] if name else []
    if len(matches) == 1:
        return COMMANDS[matches[0]]
    if matches:
        raise Refusal(f"`:{name}` could be " + ", ".join(f"`:{m}`" for m in matches))
    close = closest(name, COMMANDS)
    hint = f"did you mean `:{close}`? " if close else ""
    raise Refusal(f"there is no command `:{name}`: {hint}`:help` lists them")


def typed_expression(text: str, policy: c.Policy | None) -> c.Expr:
    """A typed expression, parsed and checked against the policy's names."""
    source = Source(text, TYPED)
    expr, diagnostics = parse_expression(source)
    if expr is None or diagnostics:
        raise Rejected([(d, source) for d in diagnostics])
    checked, diagnostics = check_expression(expr, policy, source)
    if diagnostics:
        raise Rejected([(d, source) for d in diagnostics])
    return checked


def _read_value(name: str, raw: str, ty: Type) -> Any:
    """A typed value: a literal of the language, else what a CSV cell would give;
    `direction` is one of its two values either way, as when a file is read."""
    try:
        literal = typed_expression(raw, None)
    except Rejected:
        literal = None
    if isinstance(literal, c.Const) and literal.ty is ty:
        if name != "direction":
            return list(literal.value) if isinstance(literal.value, tuple) else literal.value
        raw = str(literal.value)
    try:
        return cell_reader(name, ty)(raw)
    except BadValue as exc:
        raise Refusal(f"`{raw}` {exc}") from None


def _spell(value: Any) -> str:
    if isinstance(value, Regex):
        return f"/{value.pattern}/{value.flags}"
    return spell(value)


def _label(expr: c.Expr) -> str:
    if isinstance(expr, c.FieldRef):
        return expr.name
    if isinstance(expr, c.LetRef):
        return f"let {expr.name}"
    if isinstance(expr, c.Op):
        return c.WRITTEN.get(expr.op, expr.op)
    return type(expr).__name__.lower()  # not, and, or


def _path(text: str) -> str:
    """A file argument, quotes allowed around a name with spaces."""
    if "\0" in text:
        raise Refusal("a file name cannot hold a NUL character")
    return text[1:-1] if len(text) > 1 and text[0] == text[-1] and text[0] in "'\"" else text


def _clip(text: str, width: int = 70) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number != 1 else ''}"
