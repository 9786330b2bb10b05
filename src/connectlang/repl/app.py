"""The REPL on a terminal: prompt_toolkit reads the input, the shell answers.

prompt_toolkit (the library under ptpython and pgcli) gives what people expect of
a REPL: the input highlighted as it is typed, by the project's Pygments lexer;
completion of names and commands; history across sessions, in the user's data
directory; multi-line input, Ctrl-C to cancel a line and Ctrl-D to leave. When
standard input is not a terminal the shell reads lines from it instead, so a
session can be scripted: `connectlang repl policy.conn < session.txt`.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TextIO

from prompt_toolkit import PromptSession, print_formatted_text
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
from prompt_toolkit.completion import CompleteEvent, Completer, Completion, PathCompleter
from prompt_toolkit.document import Document
from prompt_toolkit.filters import completion_is_selected, has_completions
from prompt_toolkit.formatted_text import ANSI
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.input import Input
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.lexers import PygmentsLexer
from prompt_toolkit.output import Output
from prompt_toolkit.styles import style_from_pygments_cls
from pygments.token import Comment, String, is_token_subtype

from ..highlight import ConnectlangLexer, ConnectlangStyle
from ..literals import spell
from .shell import COMMANDS, Shell, needs_more

PROMPT = "conn> "
CONTINUATION = "  ... "
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_FILE_ARGUMENT = ("load", "record")
_FIELD_ARGUMENT = ("set", "unset")


def history_file() -> Path | None:
    """`history` in the user's data directory (`~/.local/share/connectlang` on Linux,
    after XDG_DATA_HOME); None when it cannot be written."""
    import platformdirs
    path = platformdirs.user_data_path("connectlang") / "history"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    except OSError:
        return None
    return path


class ShellCompleter(Completer):
    """Names where an expression goes, commands after `:`, files and fields as the
    arguments of the commands that take them; nothing inside a string or comment."""

    def __init__(self, shell: Shell) -> None:
        self.shell = shell
        self.paths = PathCompleter(expanduser=True)

    def get_completions(self, document: Document, event: CompleteEvent) -> Iterator[Completion]:
        text = document.text_before_cursor
        if text.lstrip().startswith(":"):
            yield from self.command(text.lstrip()[1:], event)
            return
        yield from self.words(text, self.shell.names(), event)

    def command(self, text: str, event: CompleteEvent) -> Iterator[Completion]:
        name, space, argument = text.partition(" ")
        if not space:
            commands = {cmd.name: cmd.summary for cmd in COMMANDS.values()}
            yield from self.words(name, commands, event)
        elif name in _FILE_ARGUMENT:
            yield from self.paths.get_completions(Document(argument.lstrip()), event)
        elif name in _FIELD_ARGUMENT and " " not in argument:
            fields = {field: f"field {ty}" for field, ty in self.shell.session.policy.field_types().items()}
            yield from self.words(argument, fields, event)
        elif name == "help":
            yield from self.words(argument, {cmd: "command" for cmd in COMMANDS}, event)
        elif name == "tree":
            yield from self.words(argument, self.shell.names(), event)

    @staticmethod
    def words(text: str, choices: dict[str, str], event: CompleteEvent) -> Iterator[Completion]:
        match = _WORD.search(text)
        word = match.group() if match else ""
        if (not word and not event.completion_requested) or _in_string_or_comment(text):
            return
        for choice, meta in choices.items():
            if choice.startswith(word) and choice != word:
                yield Completion(choice, -len(word), display_meta=meta)


def _in_string_or_comment(text: str) -> bool:
    """Whether the end of `text` is inside a string, a regex or a comment."""
    line = text.rsplit("\n", 1)[-1]
    tokens = list(ConnectlangLexer(ensurenl=False).get_tokens(line))
    return bool(tokens) and any(is_token_subtype(tokens[-1][0], kind) for kind in (String, Comment))


def key_bindings() -> KeyBindings:
    """Enter runs the input when it is finished and opens a new line when it is not;
    Escape Enter runs it as it is."""
    bindings = KeyBindings()

    @bindings.add("enter", filter=has_completions & completion_is_selected)
    def _take(event: KeyPressEvent) -> None:
        event.current_buffer.complete_state = None

    @bindings.add("enter", filter=~(has_completions & completion_is_selected))
    def _enter(event: KeyPressEvent) -> None:
        buffer = event.current_buffer
        if buffer.document.is_cursor_at_the_end and needs_more(buffer.text):
            buffer.insert_text("\n")
        else:
            buffer.validate_and_handle()

    @bindings.add("escape", filter=has_completions)
    def _close(event: KeyPressEvent) -> None:
        event.current_buffer.cancel_completion()

    @bindings.add("escape", "enter")
    def _run(event: KeyPressEvent) -> None:
        event.current_buffer.validate_and_handle()

    return bindings


def prompt_session(shell: Shell, history: History | None = None, input: Input | None = None,
                   output: Output | None = None) -> PromptSession[str]:
    return PromptSession(
        PROMPT, multiline=True, prompt_continuation=_continuation,
        lexer=PygmentsLexer(ConnectlangLexer), style=style_from_pygments_cls(ConnectlangStyle),
        include_default_pygments_style=False, completer=ShellCompleter(shell),
        complete_while_typing=True, auto_suggest=AutoSuggestFromHistory(),
        history=history or InMemoryHistory(), key_bindings=key_bindings(),
        bottom_toolbar=lambda: _toolbar(shell), input=input, output=output)


def _continuation(width: int, line_number: int, wrap_count: int) -> str:
    """`  ... ` before a line the user started, blanks before one the screen wrapped."""
    return CONTINUATION if not wrap_count else " " * len(CONTINUATION)


def _toolbar(shell: Shell) -> str:
    policy = shell.session.path or ("typed policy" if shell.session.current.layout.pieces()
                                    else "no policy")
    now = "now: the clock" if shell.fixed_now is None else f"now: {spell(shell.fixed_now)}"
    return f" {policy} · {shell.record_origin} · {now} · :help"


def run(shell: Shell, stdin: TextIO, write: Callable[[str], None]) -> None:
    """At a terminal, the prompt; else the lines of standard input, as a script."""
    if not stdin.isatty():
        script(shell, stdin, write)
        return
    path = history_file()
    if path is None:
        write("(history is not kept: the data directory cannot be written)")
    history = FileHistory(str(path)) if path else InMemoryHistory()
    interact(shell, prompt_session(shell, history))


def interact(shell: Shell, session: PromptSession[str],
             write: Callable[[str], None] | None = None) -> None:
    """Read, answer, repeat, until `:quit` or Ctrl-D."""
    def show(text: str) -> None:
        print_formatted_text(ANSI(text), output=session.output)

    write = write or show
    while not shell.done:
        try:
            text = session.prompt()
        except KeyboardInterrupt:  # Ctrl-C: the line is dropped, the session goes on
            continue
        except EOFError:  # Ctrl-D
            break
        if reply := answer(shell, text):
            write(reply)


def script(shell: Shell, lines: Iterable[str], write: Callable[[str], None]) -> None:
    """A session read from a file or a pipe: lines are joined while the input is
    unfinished, as at the prompt."""
    pending = ""
    for line in lines:
        pending += line if line.endswith("\n") else line + "\n"
        if needs_more(pending.removesuffix("\n")):
            continue
        if reply := answer(shell, pending.removesuffix("\n")):
            write(reply)
        pending = ""
        if shell.done:
            return
    if pending.strip() and (reply := answer(shell, pending)):
        write(reply)


def answer(shell: Shell, text: str) -> str:
    """The shell's answer; a bug in connectlang is reported, and the session goes on."""
    try:
        return shell.run(text)
    except Exception:
        return (traceback.format_exc() + "connectlang: internal error. This is a bug in connectlang, "
                "not in your input; please report it with the traceback above. The session goes on.")
