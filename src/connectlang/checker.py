"""Checking: syntax tree -> checked rule tree, with every error of the spec's §9.

One pass, top to bottom, as a reader goes: a `let` or `field` exists from its
definition on. An expression with an error gets the type ERROR and takes part in
no further checks, so one mistake gives one diagnostic; independent mistakes are
all reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

from . import checked as c
from . import nodes as n
from .builtins import BUILTIN_VALUES, FUNCTIONS, PREDEFINED, STANDARD_FIELDS
from .diagnostics import Diagnostic, closest
from .keywords import foreign_help, miscased, miscased_message, value_then_value
from .literals import LiteralError, parse_duration, parse_int, parse_time, spell, unescape
from .regex import RegexError, compile_regex
from .source import Source, Span
from .syntax import MAX_NESTING, tokens
from .types import FIELD_TYPES, TYPE_SYNONYMS, Type

_ORDERED = (Type.INT, Type.DURATION, Type.TIME)
_COMPARISONS = {c.WRITTEN[op]: op for op in ("eq", "ne", "lt", "le", "gt", "ge")}
_ERROR_SPAN = Span(0, 0)
# Lets are written out where they are used: a let may stack on others up to twice the
# nesting one expression may have (the evaluator and linter recurse through both).
MAX_LET_NESTING = 2 * MAX_NESTING


class _Symbol(NamedTuple):
    """What a `field` or `let` name stands for, while uses are resolved."""

    kind: str  # "field" | "let"
    ty: Type
    span: Span
    depth: int = 0  # a let's nesting, the lets it uses written out


def check(module: n.Module, source: Source) -> tuple[c.Policy | None, list[Diagnostic]]:
    """Check a parsed file. The policy is None when there is any error."""
    checker = _Checker(source, module)
    policy = checker.run()
    return (None if checker.diagnostics else policy), checker.diagnostics


def check_expression(expr: n.Expr, policy: c.Policy | None,
                     source: Source) -> tuple[c.Expr, list[Diagnostic]]:
    """Check an expression against a policy's names (the REPL's input)."""
    checker = _Checker(source, n.Module((), ()))
    if policy is not None:
        for field in policy.fields:
            checker.scope[field.name] = _Symbol("field", field.ty, field.span)
        for let in policy.lets:
            checker.scope[let.name] = _Symbol("let", let.expr.ty, let.span,
                                              checker.nesting(let.expr)[0])
    return checker.shallow(checker.expr(expr))[0], checker.diagnostics


class _Checker:
    def __init__(self, source: Source, module: n.Module) -> None:
        self.source = source
        self.module = module
        self.diagnostics: list[Diagnostic] = []
        self.scope: dict[str, _Symbol] = {}
        # Every name defined anywhere, to tell "used before its definition".
        self.later: dict[str, Span] = {
            item.name.id: item.name.span for item in module.items
            if isinstance(item, (n.LetDecl, n.FieldDecl))}
        # Definitions refused for taking a built-in's name: their uses meant them, and
        # reporting those too would repeat the one mistake.
        self.refused: set[str] = set()
        self.defining: str | None = None  # the let whose value is being checked

    def error(self, code: str, message: str, span: Span, help: str | None = None) -> None:
        self.diagnostics.append(Diagnostic.error(code, message, span, help))

    def wrong_case(self, word: str, span: Span) -> None:
        """A keyword in the wrong case, read as a name."""
        message, help = miscased_message(word, word.lower())
        self.error("E201", message, span, help)

    def line(self, span: Span) -> int:
        return self.source.line(span.start)

    # -- structure -----------------------------------------------------------

    def run(self) -> c.Policy:
        name: str | None = None
        fields: list[c.Field] = []
        lets: list[c.Let] = []
        rules: list[c.Rule] = []
        default: c.Rule | None = None
        after_default_reported = False
        for index, item in enumerate(self.module.items):
            if default is not None and not after_default_reported and not isinstance(
                    item, n.Default):
                after_default_reported = True
                self.error("E204", "nothing may follow the default: `else ...` must be the last "
                           "rule", item.span, f"move this above the `else` on line {default.line}")
            if isinstance(item, n.PolicyDecl):
                if index != 0 or name is not None:
                    self.error("E204", "`policy \"NAME\"` may only be the first line of a policy",
                               item.span, "keep one `policy` line, at the top")
                name = item.name.value
            elif isinstance(item, n.FieldDecl):
                field = self.field(item)
                if field is not None:
                    fields.append(field)
            elif isinstance(item, n.LetDecl):
                let = self.let(item)
                if let is not None:
                    lets.append(let)
            elif isinstance(item, n.Rule):
                rules.append(self.rule(item.action, item.span, self.condition(item.condition),
                                       item.reason))
            elif default is not None:
                self.error("E204", f"a policy has one default, and it is on line {default.line}",
                           item.span, "remove one of the `else` lines")
            else:
                default = self.rule(item.action, item.span, None, item.reason)
        if default is None and not self.module.broken_default:
            last = self.module.items[-1].span if self.module.items else Span(0, 0)
            self.error("E204", "a policy ends with a default, `else ACTION`, and this one has "
                       "none", Span(last.end, last.end),
                       "add a last line such as `else archive` for the records no rule decides")
        self.loose_names()
        if default is None:
            default = c.Rule(_ERROR_SPAN, 0, "archive", None, None, None)
        return c.Policy(self.source, name, tuple(fields), tuple(lets), tuple(rules), default,
                        tuple(comment.span for comment in self.module.comments))

    def loose_names(self) -> None:
        """A misspelt name in an item with a syntax error is an error of its own, reported
        in the same run; only one with a near match, as the item may be misread."""
        module = self.module
        known = [*self.scope, *STANDARD_FIELDS, *BUILTIN_VALUES]
        for name in module.loose_names:
            ident = name.id
            if ident in self.scope or ident in PREDEFINED or ident in module.broken_names or (
                    ident in self.refused or ident in self.later):
                continue
            close = closest(ident, known)
            if close is not None:
                self.error("E201", f"unknown name `{ident}`", name.span,
                           f"did you mean `{close}`?")

    def define(self, name: n.Name, kind: str, ty: Type, span: Span, depth: int = 0) -> bool:
        if not name.id.islower() and name.id.lower().isidentifier() and name.id != name.id.lower():
            self.error("E202", f"`{name.id}` has upper-case letters: names are lower-case",
                       name.span, f"write `{name.id.lower()}`")
        if name.id in PREDEFINED:
            what = "a standard field" if name.id in STANDARD_FIELDS else "a built-in name"
            self.error("E203", f"`{name.id}` is {what}: a `{kind}` cannot take its name",
                       name.span, "choose another name")
            self.refused.add(name.id)
            return False
        if name.id in self.scope:
            first = self.line(self.scope[name.id].span)
            self.error("E203", f"`{name.id}` is already defined on line {first}", name.span,
                       "choose another name, or remove one of the definitions")
            return False
        self.scope[name.id] = _Symbol(kind, ty, span, depth)
        # After E202, uses spelled as its help says (`foo` for `Foo`) are not errors too.
        self.scope.setdefault(name.id.lower(), self.scope[name.id])
        return True

    def field(self, item: n.FieldDecl) -> c.Field | None:
        ty = FIELD_TYPES.get(item.type_name.id)
        if ty is None:
            meant = TYPE_SYNONYMS.get(item.type_name.id.lower())
            self.error("E301", f"`{item.type_name.id}` is not a type", item.type_name.span,
                       f"did you mean `{meant}`?" if meant else self.suggest(
                           item.type_name.id, FIELD_TYPES, "the types are " + ", ".join(FIELD_TYPES)))
        default = None
        if item.default is not None and ty is not None:
            value = self.expr(item.default)
            if value.ty not in (ty, Type.ERROR):
                self.error("E301", f"the default of {_a(ty)} field must be {_a(ty)}, not {_a(value.ty)}",
                           item.default.span, self.literal_fix(item.default, ty))
            elif isinstance(value, c.Const):
                default = value.value
        if not self.define(item.name, "field", ty or Type.ERROR, item.span) or ty is None:
            return None
        return c.Field(item.span, item.name.id, item.name.span, ty, default)

    def let(self, item: n.LetDecl) -> c.Let | None:
        self.defining = item.name.id
        value, depth = self.shallow(self.expr(item.value))
        self.defining = None
        if value.ty is Type.REGEX:
            self.error("E301", "a regex is not a value: use it with `matches`", item.value.span,
                       f"write `let {item.name.id} = message matches {self.text(item.value)}`")
            value = c.Const(value.span, Type.ERROR, None)
        if not self.define(item.name, "let", value.ty, item.span, depth):
            return None
        return c.Let(item.span, item.name.id, item.name.span, value)

    def rule(self, action: n.Action, span: Span, condition: c.Expr | None,
             reason: n.StringLit | None) -> c.Rule:
        template = self.template(action.template) if action.template is not None else None
        return c.Rule(span, self.line(span), action.kind, condition,
                      reason.value if reason is not None else None, template)

    def condition(self, expr: n.Expr) -> c.Expr:
        return self.expect_bool(self.shallow(self.expr(expr))[0], expr,
                                "a condition must be a bool (true or false)")

    def shallow(self, value: c.Expr) -> tuple[c.Expr, int]:
        """`value` and its nesting, or an error when the lets it uses, written out, nest
        it too deeply: the evaluator and the linter recurse through lets as through
        parentheses."""
        depth, via = self.nesting(value)
        if depth <= MAX_LET_NESTING or via is None:
            return value, depth
        self.error("E004", f"with the `let`s it uses written out, this is nested more than "
                   f"{MAX_LET_NESTING} levels deep", via.span,
                   f"`{via.name}` alone is {self.scope[via.name].depth} levels deep: build "
                   "lets side by side (`let c = a and b`) rather than each on the one before")
        return c.Const(value.span, Type.ERROR, None), 0

    def nesting(self, expr: c.Expr) -> tuple[int, c.LetRef | None]:
        """Levels of operators and lets in `expr`, and the let on its deepest path."""
        if isinstance(expr, c.LetRef):
            return 1 + self.scope[expr.name].depth, expr
        deepest = max((self.nesting(child) for child in c.children(expr)),
                      key=lambda found: found[0], default=None)
        return (0, None) if deepest is None else (deepest[0] + 1, deepest[1])

    def expect_bool(self, value: c.Expr, expr: n.Expr, message: str,
                    test_before: n.Binary | None = None) -> c.Expr:
        """`value` if it is a bool; else an error, with a fix. A literal after a test
        (`headline contains "CEO" or "CTO"`) meant that test again."""
        if value.ty in (Type.BOOL, Type.ERROR):
            return value
        if isinstance(expr, n.Literal):  # `... or "CTO"`: the test it meant, if it says
            again = f"{self.text(test_before.left)} {test_before.op} {self.text(expr)}" if (
                test_before is not None and type(expr) is type(test_before.right)) else None
            self.error("E302", f"{message}, but this is {_a(value.ty)}: a value alone is no "
                       "test", expr.span, f"repeat the test: `{again}`" if again else None)
            return c.Const(value.span, Type.ERROR, None)
        hints = {
            Type.INT: f"compare it, as in `{self.text(expr)} > 0`",
            Type.STRING: f"test it, as in `{self.text(expr)} contains \"...\"` or "
                         f"`{self.text(expr)} is not missing`",
            Type.LIST: f"test it, as in `count({self.text(expr)}) > 0`",
            Type.TIME: f"test it, as in `{self.text(expr)} within 90d`",
        }
        self.error("E302", f"{message}, but this is {_a(value.ty)}", expr.span, hints.get(value.ty))
        return c.Const(value.span, Type.ERROR, None)

    # -- templates -----------------------------------------------------------

    def template(self, literal: n.StringLit) -> c.Template | None:
        if literal.value is None:
            return None
        value, offsets = unescape(literal.raw)

        def at(i: int, j: int) -> Span:
            start = literal.span.start + offsets[i]
            end = literal.span.start + (offsets[j] if j < len(offsets) else len(literal.raw) - 1)
            return Span(start, end)

        parts: list[str | c.FieldRef | c.LetRef] = []
        text: list[str] = []
        ok = True
        i = 0
        while i < len(value):
            char = value[i]
            if value.startswith(("{{", "}}"), i):
                text.append(char)
                i += 2
                continue
            if char == "}":
                self.error("E106", "a lone `}` in a reply", at(i, i + 1), "write `}}` for a brace")
                ok = False
                i += 1
                continue
            if char != "{":
                text.append(char)
                i += 1
                continue
            close = value.find("}", i)
            if close == -1:
                self.error("E106", "a lone `{` in a reply", at(i, i + 1),
                           "write `{{` for a brace, or close the placeholder with `}`")
                ok = False
                break
            inside = value[i + 1:close]
            ref = self.placeholder(inside, at(i, close + 1))
            if ref is None:
                ok = False
            else:
                parts.append("".join(text))
                text = []
                parts.append(ref)
            i = close + 1
        parts.append("".join(text))
        return c.Template(tuple(p for p in parts if p != "")) if ok else None

    def placeholder(self, inside: str, span: Span) -> c.FieldRef | c.LetRef | None:
        name = re.fullmatch(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*(\(.*\))?\s*", inside)
        if name is not None and name.group(1) in FUNCTIONS:  # `{count}`, `{count(x)}`
            call = inside.strip() if "(" in inside else f"{name.group(1)}(...)"
            self.error("E106", f"`{{{inside}}}` is a function: a reply may only hold `{{NAME}}` of "
                       "a field or `let`", span,
                       f"name its result first, as in `let value = {call}`, and write `{{value}}`")
            return None
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", inside):
            self.error("E106", f"`{{{inside}}}` is not a placeholder: a reply may only hold "
                       "`{NAME}` of a field or `let`", span, _placeholder_help(inside))
            return None
        ref = self.name(n.Name(span, inside))
        if ref.ty is Type.ERROR:
            return None
        if ref.ty not in (Type.STRING, Type.INT) or not isinstance(ref, (c.FieldRef, c.LetRef)):
            self.error("E106", f"`{{{inside}}}` is a {ref.ty}: a reply may only show strings and "
                       "ints", span)
            return None
        return ref

    # -- expressions ---------------------------------------------------------

    def text(self, expr: n.Expr | n.Name) -> str:
        return self.source.text[expr.span.start:expr.span.end]

    def suggest(self, word: str, candidates: Iterable[str], fallback: str | None = None) -> str | None:
        names = list(candidates)
        if word.lower() != word and word.lower() in names:
            return f"names are lower-case: write `{word.lower()}`"
        close = closest(word, names)
        return f"did you mean `{close}`?" if close else fallback

    def expr(self, expr: n.Expr) -> c.Expr:
        if isinstance(expr, n.Name):
            return self.name(expr)
        if isinstance(expr, n.Group):
            return self.expr(expr.expr)
        if isinstance(expr, n.Not):
            operand = self.expect_bool(self.expr(expr.operand), expr.operand,
                                       "`not` needs a bool condition")
            if operand.ty is Type.ERROR:
                return operand
            return c.Not(expr.span, operand)
        if isinstance(expr, n.BoolOp):
            operands = [self.expect_bool(self.expr(o), o, f"`{expr.op}` needs bool conditions",
                                         before if isinstance(before, n.Binary) else None)
                        for before, o in zip((None, *expr.operands[:-1]), expr.operands,
                                             strict=True)]
            if any(o.ty is Type.ERROR for o in operands):
                return c.Const(expr.span, Type.ERROR, None)
            return (c.And if expr.op == "and" else c.Or)(expr.span, tuple(operands))
        if isinstance(expr, n.Binary):
            return self.binary(expr)
        if isinstance(expr, n.IsMissing):
            return self.is_missing(expr)
        if isinstance(expr, n.Call):
            return self.call(expr)
        return self.literal(expr)

    def literal(self, lit: n.Literal) -> c.Expr:
        if isinstance(lit, n.RegexLit):
            try:
                flags = "".join(f for f in lit.flags if f in "ims")  # others: reported
                return c.Const(lit.span, Type.REGEX, compile_regex(lit.pattern, flags))
            except RegexError as exc:
                self.error("E105", f"invalid regex: {exc}", lit.span, exc.help)
                return c.Const(lit.span, Type.ERROR, None)
        if isinstance(lit, n.ListLit):
            values = [item.value for item in lit.items]
            if any(v is None for v in values):
                return c.Const(lit.span, Type.ERROR, None)
            return c.Const(lit.span, Type.LIST, tuple(values))
        ty = {n.IntLit: Type.INT, n.DurationLit: Type.DURATION, n.TimeLit: Type.TIME,
              n.StringLit: Type.STRING, n.BoolLit: Type.BOOL}[type(lit)]
        if lit.value is None:  # already reported while parsing
            return c.Const(lit.span, Type.ERROR, None)
        return c.Const(lit.span, ty, lit.value)

    def name(self, name: n.Name) -> c.Expr:
        ident = name.id
        symbol = self.scope.get(ident)
        if symbol is not None:
            ref = c.FieldRef if symbol.kind == "field" else c.LetRef
            return ref(name.span, symbol.ty, ident)
        if ident in self.refused:
            return c.Const(name.span, Type.ERROR, None)
        if ident in STANDARD_FIELDS:
            return c.FieldRef(name.span, STANDARD_FIELDS[ident].type, ident)
        if ident == "has_message":
            message = c.FieldRef(name.span, Type.STRING, "message")
            length = c.Op(name.span, Type.INT, "length", (message,))
            return c.Op(name.span, Type.BOOL, "gt", (length, c.Const(name.span, Type.INT, 0)))
        if ident == "shared_group":
            groups = c.FieldRef(name.span, Type.LIST, "shared_groups")
            count = c.Op(name.span, Type.INT, "count", (groups,))
            return c.Op(name.span, Type.BOOL, "gt", (count, c.Const(name.span, Type.INT, 0)))
        if ident in FUNCTIONS:
            function = FUNCTIONS[ident]
            example = f"{ident} 90d" if function.prefix else f"{ident}(...)"
            self.error("E303", f"`{ident}` is a function and needs an argument", name.span,
                       f"write `{example}`")
        elif ident in self.module.broken_names:
            pass  # its definition has a syntax error, reported already
        elif miscased(ident):  # `True`
            self.wrong_case(ident, name.span)
        elif ident == self.defining:
            self.error("E201", f"`{ident}` is used in its own definition", name.span,
                       "a `let` cannot refer to itself: build it from other names")
        elif ident in self.later:
            self.error("E201", f"`{ident}` is used before its definition on line "
                       f"{self.line(self.later[ident])}", name.span,
                       "move the definition above its first use")
        else:
            known = [*self.scope, *STANDARD_FIELDS, *BUILTIN_VALUES]
            self.error("E201", f"unknown name `{ident}`", name.span,
                       foreign_help(ident) or self.suggest(ident, known, _declare(ident)))
        return c.Const(name.span, Type.ERROR, None)

    def call(self, call: n.Call) -> c.Expr:
        ident = call.func.id
        function = FUNCTIONS.get(ident)
        if function is None:
            if call.prefix and (ident in self.scope or ident in STANDARD_FIELDS or (
                    ident in BUILTIN_VALUES)):  # `company "Acme"`, `shared_group adn`
                (argument,) = call.args
                is_name = isinstance(argument, n.Name)
                kind = "the name" if is_name else _KIND_WORDS.get(type(argument))
                found = f"{kind} `{self.text(argument)}`" if kind else f"`{self.text(argument)}`"
                message, fix = value_then_value(ident, found, self.text(argument), is_name)
                self.error("E001", message, argument.span, fix)  # as the parser says it
            elif ident in self.scope or ident in STANDARD_FIELDS or ident in BUILTIN_VALUES:
                self.error("E205", f"`{ident}` is a value, not a function", call.func.span)
            elif miscased(ident):  # `NOT did_business`
                self.wrong_case(ident, call.func.span)
            else:
                self.error("E205", f"unknown function `{ident}`", call.func.span,
                           foreign_help(ident) or self.suggest(
                               ident, FUNCTIONS, "the functions are " + ", ".join(FUNCTIONS)))
            return c.Const(call.span, Type.ERROR, None)
        if call.prefix and not function.prefix:
            self.error("E303", f"`{ident}` needs parentheses", call.span,
                       f"write `{ident}({self.text(call.args[0])})`")
            return c.Const(call.span, Type.ERROR, None)
        args = [self.expr(a) for a in call.args]
        if any(a.ty is Type.ERROR for a in args):
            return c.Const(call.span, Type.ERROR, None)
        if len(args) != len(function.params):
            self.error("E303", f"`{ident}` takes {len(function.params)} argument, "
                       f"not {len(args)}", call.span)
            return c.Const(call.span, Type.ERROR, None)
        for arg, node, param in zip(args, call.args, function.params, strict=True):
            if arg.ty is not param:
                other = _OTHER_MEASURE.get(ident) if (param, arg.ty) in _MEASURED else None
                help = (f"`{other}({self.text(node)})` {_MEASURES[other]}" if other
                        else self.literal_fix(node, param))
                self.error("E301", f"`{ident}` takes {_a(param)}, not {_a(arg.ty)}", node.span,
                           help)
                return c.Const(call.span, Type.ERROR, None)
        if ident in ("interacted_within", "sent_within"):
            field = "last_interaction" if ident == "interacted_within" else "sent_at"
            when = c.FieldRef(call.func.span, Type.TIME, field)
            return c.Op(call.span, Type.BOOL, "within", (when, args[0]))
        return c.Op(call.span, function.result, ident, tuple(args))

    def is_missing(self, expr: n.IsMissing) -> c.Expr:
        operand = expr.operand
        while isinstance(operand, n.Group):
            operand = operand.expr
        if not isinstance(operand, n.Name):
            self.error("E301", "`is missing` applies to a field or `let` name", expr.operand.span)
            return c.Const(expr.span, Type.ERROR, None)
        value = self.name(operand)
        if value.ty is Type.ERROR:
            return value
        op = "is_not_missing" if expr.negated else "is_missing"
        return c.Op(expr.span, Type.BOOL, op, (value,))

    def binary(self, expr: n.Binary) -> c.Expr:
        left, right = self.expr(expr.left), self.expr(expr.right)
        if Type.ERROR in (left.ty, right.ty):
            return c.Const(expr.span, Type.ERROR, None)
        op = self.resolve_op(expr, left.ty, right.ty)
        if op is None:
            return c.Const(expr.span, Type.ERROR, None)
        return c.Op(expr.span, Type.BOOL, op, (left, right))

    def resolve_op(self, expr: n.Binary, lt: Type, rt: Type) -> str | None:
        """The operation for these operand types, or None after reporting why not."""
        op = expr.op
        if op in _COMPARISONS:
            if lt is rt and lt is not Type.REGEX and (op in ("==", "!=") or lt in _ORDERED):
                return _COMPARISONS[op]
            if lt is rt:
                self.error("E301", f"`{op}` orders numbers, durations and times, not {lt}s",
                           expr.op_span, "use `==` or `!=`" if lt is not Type.REGEX else None)
            else:
                self.error("E301", f"cannot compare {_a(lt)} with {_a(rt)}: `{op}` needs two values "
                           "of the same type", self.odd_operand(expr), self.same_type_help(expr, lt, rt))
            return None
        if op == "matches":
            if rt is Type.REGEX and lt is Type.STRING:
                return "matches"
            if rt is not Type.REGEX:
                self.error("E301", f"`matches` takes a regex like /free/, not {_a(rt)}",
                           expr.right.span, "write the pattern between slashes, or use `contains`")
            else:
                self.error("E301", f"`matches` tests a string, not {_a(lt)}", expr.left.span)
            return None
        table = {
            "contains": {(Type.STRING, Type.STRING): "contains", (Type.LIST, Type.STRING): "has"},
            "contains_any": {(Type.STRING, Type.LIST): "contains_any",
                             (Type.LIST, Type.LIST): "has_any"},
            "starts_with": {(Type.STRING, Type.STRING): "starts_with"},
            "ends_with": {(Type.STRING, Type.STRING): "ends_with"},
            "in": {(Type.STRING, Type.LIST): "in"},
            "within": {(Type.TIME, Type.DURATION): "within"},
        }[op]
        resolved = table.get((lt, rt))
        if resolved is None:
            wanted = " or ".join(f"{_a(a)} and {_a(b)}" for a, b in table)
            lefts, rights = {a for a, _ in table}, {b for _, b in table}
            span = (expr.right.span if lt in lefts and rt not in rights else
                    expr.left.span if rt in rights and lt not in lefts else expr.span)
            self.error("E301", f"`{op}` takes {wanted}, not {_a(lt)} and {_a(rt)}", span,
                       self.operator_help(expr, lt, rt))
        return resolved

    def odd_operand(self, expr: n.Binary) -> Span:
        """Where a comparison of two types goes wrong: the literal, if one side is one
        (`company == 3`), else the whole test."""
        literals = [isinstance(side, n.Literal) for side in (expr.left, expr.right)]
        if literals == [False, True]:
            return expr.right.span
        return expr.left.span if literals == [True, False] else expr.span

    def unit_help(self, number: n.Expr) -> str:
        """The fix for a number where a duration is due: a unit, where the number is."""
        if isinstance(number, n.IntLit):
            return f"give the number a unit, as in `{self.text(number)}d`"
        if isinstance(number, n.Name) and number.id in self.scope and (
                self.scope[number.id].kind == "let"):
            return (f"`{number.id}` is a number: give it a unit where it is defined, on line "
                    f"{self.line(self.scope[number.id].span)}, as in `90d`")
        return "give the number a unit, as in `90d`"

    def literal_fix(self, node: n.Expr, want: Type) -> str | None:
        """The fix for a literal of another type where one of `want` is due: `"10"` for
        an int, `90` for a duration, `"no"` for a bool, `5` for a string."""
        if want is Type.DURATION and isinstance(node, n.IntLit):
            return self.unit_help(node)
        if want is Type.STRING and isinstance(node, n.IntLit):
            return f'write `"{self.text(node)}"` for text'
        if not isinstance(node, n.StringLit) or node.value is None:
            return None
        truth = _TRUTHS.get(node.value.strip().lower())
        if want is Type.BOOL and truth is not None:
            return f"write `{truth}`, without quotes"
        if want not in (Type.INT, Type.TIME, Type.DURATION):
            return None
        kind, parse = {Type.INT: ("INT", parse_int), Type.TIME: ("TIME", parse_time),
                       Type.DURATION: ("DURATION", parse_duration)}[want]
        lexed = tokens(node.value)  # without its quotes, is it a literal of that type?
        if [(token.type, token.value) for token in lexed] != [(kind, node.value)]:
            return None
        try:
            parse(node.value)
        except LiteralError:
            return None
        return f"write `{node.value}`, without quotes"

    def same_type_help(self, expr: n.Binary, lt: Type, rt: Type) -> str | None:
        """The one-step fix for comparing two types, where there is one."""
        if {lt, rt} == {Type.INT, Type.DURATION}:
            return self.unit_help(expr.left if lt is Type.INT else expr.right)
        if {lt, rt} == {Type.TIME, Type.DURATION}:  # `last_interaction < 90d`
            left, right = (f"age({self.text(side)})" if ty is Type.TIME else self.text(side)
                           for side, ty in ((expr.left, lt), (expr.right, rt)))
            return f"to test how long ago, write `{left} {expr.op} {right}`"
        for node, want in ((expr.right, lt), (expr.left, rt)):
            if isinstance(node, n.StringLit) and want is not Type.LIST:
                return self.literal_fix(node, want)
        if Type.LIST in (lt, rt) and Type.STRING in (lt, rt):
            listed, text = (expr.left, expr.right) if lt is Type.LIST else (expr.right, expr.left)
            if isinstance(listed, n.ListLit) and expr.op in ("==", "!="):  # `company == ["a", "b"]`
                test = f"{self.text(text)} in {self.text(listed)}"
                return (f"to test whether it is one of them, write `{test}`" if expr.op == "==" else
                        f"to test that it is none of them, write `not {test}`")
            return f"test a list with `contains`: `{self.text(listed)} contains {self.text(text)}`"
        if isinstance(expr.right, n.IntLit) and lt is Type.STRING:
            return f'write `"{self.text(expr.right)}"` to compare text'
        return None

    def operator_help(self, expr: n.Binary, lt: Type, rt: Type) -> str | None:
        """The one-step fix for an operator given the wrong types, where there is one."""
        op = expr.op
        if op == "within" and rt is Type.INT:
            return self.unit_help(expr.right)
        if op == "within" and rt is Type.TIME:
            return (f"`within` takes a duration; for a date, write "
                    f"`{self.text(expr.left)} >= {self.text(expr.right)}`")
        if op == "contains" and rt is Type.LIST and lt in (Type.STRING, Type.LIST):
            return "test a list of words with `contains_any`"
        if op == "contains_any" and isinstance(expr.right, n.StringLit) and expr.right.value is not None:
            words = _comma_separated(expr.right.value)
            if len(words) > 1:
                return f"`contains_any` takes a list: write `contains_any {spell(words)}`"
            one = self.text(expr.right)
            return f"for one word write `contains {one}`, for several a list: `contains_any [{one}]`"
        if op == "contains" and isinstance(expr.right, n.IntLit):
            return f'write `"{self.text(expr.right)}"`: lists hold strings'
        if op == "in" and isinstance(expr.right, n.IntLit):
            return f'write `["{self.text(expr.right)}"]`: `in` takes a list of strings'
        if op == "in" and (lt, rt) == (Type.STRING, Type.STRING) and not isinstance(
                expr.right, n.StringLit):  # `"free" in message`
            return (f"to look for a word in a text, write "
                    f"`{self.text(expr.right)} contains {self.text(expr.left)}`")
        if op == "in" and isinstance(expr.right, n.StringLit) and expr.right.value is not None:
            listed = spell(_comma_separated(expr.right.value))
            return f"`in` takes a list: write `{self.text(expr.left)} in {listed}`"
        return None


# What a function measures, and the one that measures the other kind of value.
_MEASURES = {"count": "counts the items of a list", "length": "counts the characters of a string"}
_OTHER_MEASURE = {"count": "length", "length": "count"}
_MEASURED = {(Type.LIST, Type.STRING), (Type.STRING, Type.LIST)}  # (wanted, given)
# Words for a bool written as text (`"yes"`), and the bool each means.
_TRUTHS = {"yes": "true", "y": "true", "true": "true", "1": "true", "on": "true",
           "no": "false", "n": "false", "false": "false", "0": "false", "off": "false"}


def _comma_separated(text: str) -> list[str]:
    """`"ux, design"` meant as a list: its words."""
    return [word.strip() for word in text.split(",") if word.strip()]


def _placeholder_help(inside: str) -> str:
    """The fix for what is between braces but is no name."""
    words = re.findall(r"[A-Za-z0-9_]+", inside)
    joined = "_".join(words)
    if re.fullmatch(r"[\sA-Za-z0-9_-]+", inside) and re.fullmatch(r"[A-Za-z_]\w*", joined):
        return f"write `{{{joined}}}`: a name has no spaces or `-`"  # `{ first-name }`
    if words and re.fullmatch(r"[A-Za-z_]\w*", words[0]):
        return (f"formats, conversions, attributes and indexes are not supported: write "
                f"`{{{words[0]}}}`")
    return "write `{{` and `}}` for literal braces"


# A literal as the parser's messages name it (`found a string "Acme"`).
_KIND_WORDS: dict[type, str] = {n.StringLit: "a string", n.IntLit: "a number",
                                n.DurationLit: "a duration", n.TimeLit: "a time",
                                n.RegexLit: "a regex"}


def _a(ty: Type) -> str:
    return f"an {ty}" if str(ty)[0] in "aeiou" else f"a {ty}"


def _declare(ident: str) -> str:
    """The help for a name nothing defines: a column of the user's own is declared."""
    return (f"if it is a column of your input, declare it first: `field {ident}: TYPE` (bool, "
            "int, string, duration, time or list)")
