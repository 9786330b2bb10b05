"""Highlighting: the Pygments lexer for `.conn` files, and `connectlang highlight`.

The lexer is registered under the `pygments.lexers` entry point, so `pygmentize`,
Sphinx and MkDocs find it by the alias `connectlang` (or `conn`) and by `*.conn`.
Its word lists come from `keywords.py` and `builtins.py`, the lists the grammar test,
the checker and REPL completion use, so a new keyword or built-in is highlighted
without touching this file.

Like the grammar's lexer, it is loose on purpose: a policy with mistakes in it (an
upper-case name, an unknown unit, an unclosed string) is still coloured sensibly and
never yields an `Error` token, because people read broken files too.
"""

from __future__ import annotations

import os
from typing import ClassVar, cast

from pygments import highlight as pygments_highlight
from pygments.formatters import HtmlFormatter, Terminal256Formatter, TerminalTrueColorFormatter
from pygments.lexer import RegexLexer, bygroups, include, words
from pygments.style import Style
from pygments.token import (
    Comment,
    Keyword,
    Name,
    Number,
    Operator,
    Punctuation,
    String,
    Text,
    Whitespace,
    _TokenType,
)

from .builtins import BUILTIN_VALUES, FUNCTIONS, STANDARD_FIELDS
from .keywords import ACTIONS, RESERVED
from .types import FIELD_TYPES

# Token types of our own, below Pygments' standard ones: styles colour them as their
# parents (an action as a keyword, a duration as a number), and a style may single
# them out.
Action = Keyword.Action
Duration = Number.Duration

_DECLARATIONS = ("policy", "field", "let")
_CONSTANTS = ("true", "false", "missing")
_WORDS = sorted(RESERVED - set(ACTIONS) - set(_DECLARATIONS) - set(_CONSTANTS))
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"


class ConnectlangLexer(RegexLexer):
    """Lexer for connectlang policies (`.conn`): rules that decide what to do with
    connection requests."""

    name = "connectlang"
    aliases: ClassVar[list[str]] = ["connectlang", "conn"]
    filenames: ClassVar[list[str]] = ["*.conn"]
    mimetypes: ClassVar[list[str]] = ["text/x-connectlang"]
    url = "https://github.com/connectlang/connectlang"

    tokens: ClassVar[dict[str, list]] = {  # type: ignore[type-arg]
        "root": [
            (r"[ \t\r\f]+", Whitespace),
            (r"\n", Whitespace),
            (r"#[^\n]*", Comment.Single),
            # `field NAME: TYPE`: the type names are reserved only here.
            (rf"(field)(\s+)({_NAME})(\s*)(:)(\s*)({'|'.join(FIELD_TYPES)})\b",
             bygroups(Keyword.Declaration, Whitespace, Name.Attribute, Whitespace,
                      Punctuation, Whitespace, Keyword.Type)),
            (rf"(let)(\s+)({_NAME})\b", bygroups(Keyword.Declaration, Whitespace, Name.Variable)),
            (r'(ask)(\s*)(")', bygroups(Action, Whitespace, String.Double), "template"),
            (words(_DECLARATIONS, suffix=r"\b"), Keyword.Declaration),
            (words(ACTIONS, suffix=r"\b"), Action),
            (words(_CONSTANTS, suffix=r"\b"), Keyword.Constant),
            (words(_WORDS, suffix=r"\b"), Keyword),
            (words(sorted(FUNCTIONS) + sorted(BUILTIN_VALUES), suffix=r"\b"), Name.Builtin),
            (words(sorted(STANDARD_FIELDS), suffix=r"\b"), Name.Attribute),
            (_NAME, Name),
            # Times before numbers: `2025-01-31` starts with an integer.
            (r"\d{4}-\d{1,2}-\d{1,2}(T\d{1,2}:\d{1,2}(:\d{1,2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?", String.Date),
            (r"\d[\d_]*[A-Za-z][A-Za-z0-9_]*", Duration),
            (r"\d[\d_]*", Number.Integer),
            (r'"', String.Double, "string"),
            (r"/", String.Regex, "regex"),
            (r"==|!=|<=|>=|<|>|=", Operator),
            (r"[()\[\],:]", Punctuation),
            (r".", Text),  # anything else: a mistake the checker reports, shown plainly
        ],
        "string": [
            (r'"', String.Double, "#pop"),
            (r"\n", Whitespace, "#pop"),  # not closed on its line
            (r"\\u\{[0-9A-Fa-f]*\}?|\\[^\n]", String.Escape),
            (r'[^"\\\n]+', String.Double),
        ],
        # An `ask` template: `{name}` placeholders, `{{` and `}}` for braces.
        "template": [
            (r"\{\{|\}\}", String.Escape),
            (r"\{[^{}\"\n]*\}", String.Interpol),
            (r'[{}]', String.Double),  # a lone brace: the checker says why
            (r'[^"\\{}\n]+', String.Double),
            include("string"),
        ],
        "regex": [
            (r"(/)([A-Za-z]*)", bygroups(String.Regex, String.Affix), "#pop"),
            (r"\n", Whitespace, "#pop"),  # not closed on its line
            (r"\\[^\n]", String.Escape),
            (r"[^/\\\n]+", String.Regex),
        ],
    }


class ConnectlangStyle(Style):
    """Light, GitHub-like colours; the words that decide (actions) stand out most."""

    name = "connectlang"
    background_color = "#ffffff"
    highlight_color = "#fff8c5"
    styles: ClassVar[dict[_TokenType, str]] = {
        Comment: "italic #6a737d",
        Keyword: "#d73a49",
        Keyword.Declaration: "bold #d73a49",
        Keyword.Constant: "#005cc5",
        Keyword.Type: "#e36209",
        Action: "bold #6f42c1",
        Operator: "#d73a49",
        Name.Builtin: "#005cc5",
        Name.Attribute: "#0a7b83",
        Name.Variable: "bold #24292e",
        Number: "#005cc5",
        String: "#032f62",
        String.Date: "#005cc5",
        String.Escape: "bold #22863a",
        String.Interpol: "bold #22863a",
        String.Regex: "#032f62",
        String.Affix: "bold #d73a49",
    }


def true_colour() -> bool:
    """Terminals that draw 24-bit colour say so in COLORTERM."""
    return os.environ.get("COLORTERM", "").lower() in ("truecolor", "24bit")


def render(text: str, fmt: str, *, colour: bool = True, title: str = "") -> str:
    """The policy highlighted: `terminal` (ANSI 256 or true colour; plain text when
    `colour` is false) or `html` (a standalone UTF-8 page with its CSS)."""
    lexer = ConnectlangLexer()
    if fmt == "html":
        formatter = HtmlFormatter(full=True, title=title, linenos="table", encoding="utf-8",
                                  style=ConnectlangStyle, cssstyles=_PAGE_CSS, wrapcode=True)
        page = cast(bytes, pygments_highlight(text, lexer, formatter))  # bytes, given an encoding
        return page.decode("utf-8")
    if not colour:
        return text
    terminal = TerminalTrueColorFormatter if true_colour() else Terminal256Formatter
    return pygments_highlight(text, lexer, terminal(style=ConnectlangStyle))


_PAGE_CSS = ("font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; "
             "margin: 2em; font-size: 15px; line-height: 1.45")
