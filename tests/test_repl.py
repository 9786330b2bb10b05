"""`connectlang repl`: the shell's answers, the prompt, and a real terminal.

Golden transcripts (tests/golden/repl/*.session) read like a session at the
prompt: a line after `conn> ` (continued after `  ... `) is typed, the lines up to
the next prompt are the answer. They are replayed against a fresh shell, in the
repository's folder, with `now` fixed. Regenerate the answers with CONNECTLANG_REGEN=1.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from prompt_toolkit.history import FileHistory
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from conftest import NOW, ROOT, SAMPLE_TESTS
from connectlang.analysis import analyse
from connectlang.cli import cli
from connectlang.repl import app
from connectlang.repl.shell import COMMANDS, Shell, needs_more
from connectlang.source import Source

GOLDEN = ROOT / "tests" / "golden" / "repl"
PROMPT, MORE = "conn> ", "  ... "


@pytest.fixture(autouse=True)
def in_repository(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Paths in the sessions are relative to the repository; history goes to tmp."""
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


def shell() -> Shell:
    fresh = Shell()
    fresh.fixed_now = NOW
    return fresh


# -- transcripts ---------------------------------------------------------------------

def inputs(transcript: str) -> Iterator[str]:
    """The inputs typed in a transcript."""
    typed: list[str] = []
    for line in transcript.splitlines():
        if line.startswith(PROMPT):
            if typed:
                yield "\n".join(typed)
            typed = [line[len(PROMPT):]]
        elif line.startswith(MORE) and typed:
            typed.append(line[len(MORE):])
        elif typed:
            yield "\n".join(typed)
            typed = []
    if typed:
        yield "\n".join(typed)


def replay(transcript: str) -> str:
    session = shell()
    out = []
    for typed in inputs(transcript):
        first, *rest = typed.split("\n")
        out.append(PROMPT + first)
        out += [MORE + line for line in rest]
        if answer := session.run(typed):
            out.append(answer)
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("path", sorted(GOLDEN.glob("*.session")), ids=lambda p: p.stem)
def test_transcript(path: Path) -> None:
    expected = path.read_text(encoding="utf-8")
    actual = replay(expected)
    if os.environ.get("CONNECTLANG_REGEN"):
        path.write_text(actual, encoding="utf-8")
    assert actual == expected


def test_transcripts_use_every_command() -> None:
    typed = "\n".join(path.read_text() for path in GOLDEN.glob("*.session"))
    unused = [name for name in COMMANDS if not re.search(rf"^conn> :{name}\b", typed, re.M)]
    assert not unused


# -- the shell -----------------------------------------------------------------------

def test_the_help_lists_every_command_and_how_to_start() -> None:
    text = shell().run(":help")
    assert all(f":{name}" in text for name in COMMANDS)
    assert ":record FILE 1" in text and ":decide" in text and ":set FIELD VALUE" in text


def test_a_user_changes_a_field_and_sees_the_decision_change() -> None:
    session = shell()
    session.run(":load examples/selective.conn")
    assert session.run(":record examples/invitations.csv 2").endswith(
        'decision: accept  examples/selective.conn:38  because "we have done business together"')
    changed = session.run(":set did_business no")
    assert "decision: accept  examples/selective.conn:39" in changed
    assert session.run(":set last_interaction 2020-01-01").startswith("last_interaction = 2020-01-01\n"
                                                                     "decision: archive")


def test_typed_rules_go_before_the_default_and_lets_are_redefined_in_place() -> None:
    session = shell()
    session.run(":load examples/selective.conn")
    session.run("let lately = 2w")
    session.run("decline if mutual_connections == 0")
    text = session.session.current.text()
    assert text.index("let lately = 2w") < text.index("let pitch")
    assert "26w" not in text
    assert text.index("decline if") < text.index("else archive")
    policy = session.session.policy
    assert [r.action for r in policy.rules][-1] == "decline"


def test_a_change_that_breaks_the_policy_is_refused_whole() -> None:
    session = shell()
    session.run(":load examples/selective.conn")
    before = session.session.current.text()
    answer = session.run('let x = 1\nlet lately = "soon"')
    assert "examples/selective.conn:39:30: error[E301]" in answer
    assert answer.endswith("the policy is unchanged")
    assert session.session.current.text() == before


def test_show_is_a_policy_that_checks_as_the_session() -> None:
    session = shell()
    session.run(":load examples/open-networker.conn")
    session.run("let friendly = mutual_connections > 2")
    session.run('review if friendly because "typed"')
    shown = session.run(":show")
    analysis = analyse(Source(shown, "shown.conn"))
    assert analysis.policy is not None
    assert [r.action for r in analysis.policy.rules] == [r.action for r in session.session.policy.rules]


def test_reload_reads_the_edited_file(tmp_path: Path) -> None:
    policy = tmp_path / "p.conn"
    policy.write_text("accept if did_business\nelse archive\n")
    session = shell()
    session.run(f":load {policy}")
    session.run("did_business")
    policy.write_text("accept if did_business and\nelse archive\n")
    broken = session.run(":reload")
    assert f"{policy}:2:1: error[E001]" in broken and broken.endswith("fix them and `:reload`")
    assert session.run(":show").startswith("accept  if did_business\n")  # the last good one stays
    policy.write_text("review if same_school\nelse decline\n")
    assert session.run(":reload").startswith(f"loaded {policy}: 1 rule and the default")


def test_load_skips_a_byte_order_mark_as_check_does(tmp_path: Path) -> None:
    policy = tmp_path / "p.conn"
    policy.write_bytes(b"\xef\xbb\xbfaccept if did_business\nelse archive\n")
    assert shell().run(f":load {policy}").startswith(f"loaded {policy}: 1 rule and the default")


def test_a_policy_with_errors_can_be_fixed_and_reloaded_from_the_start(tmp_path: Path) -> None:
    policy = tmp_path / "p.conn"
    policy.write_text("accept if nope\nelse archive\n")
    runner = CliRunner()
    result = runner.invoke(cli, ["repl", str(policy)], input=":reload\n")
    assert result.exit_code == 1  # a script with a refused input fails
    assert result.output.count("error[E201]: unknown name `nope`") == 2


def test_save_writes_the_policy_shown(tmp_path: Path) -> None:
    session = shell()
    session.run(":load examples/selective.conn")
    session.run("let lately = 12w")
    target = tmp_path / "mine.conn"
    assert session.run(f":save {target}") == f"saved the policy to {target}"
    assert target.read_text() == session.run(":show") + "\n"
    assert analyse(Source(target.read_text(), str(target))).policy is not None
    assert "cannot write" in session.run(f":save {tmp_path / 'no' / 'such' / 'dir.conn'}")


def test_now_is_the_clock_until_fixed() -> None:
    session = Shell()
    assert "(the current time)" in session.run(":now")
    assert session.run(":now 2026-01-02T03:04:05+02:00") == "now is 2026-01-02T01:04:05Z (fixed)"
    assert "(the current time)" in session.run(":now reset")
    assert "outside the years 1 to 9999" in session.run(":now 9999-12-31T23:59:59-05:00")


@pytest.mark.parametrize(("text", "more"), [
    ("mutual_connections >= 5 and", True),
    ("count(shared_groups", True),
    ("accept if", True),
    ('ask "Hi {first_name}"', True),
    ('policy "mine"\naccept if did_business', True),
    ('policy "mine"\naccept if did_business\nelse archive', False),
    ("accept if did_business", False),
    ("mutual_connections >= 5 and\n", False),  # an empty line runs it, errors and all
    ("accept if interacted_within", True),  # its duration may come on the next line
    ("review if (did_business", True),
    ("acept if (did_business", False),  # a misspelt start: its error shows at once
    ("accept if )", False),  # an error before the end: more lines cannot mend it
    ('"abc', False),  # nor an unclosed string
    (":load", False),
    ("", False),
])
def test_enter_continues_an_unfinished_input(text: str, more: bool) -> None:
    assert needs_more(text) is more


@pytest.mark.parametrize(("typed", "said"), [
    ("acept if did_business", "did you mean `accept`?"),
    ('polcy "mine"', "did you mean `policy`?"),
    ("esle archive", "did you mean `else`?"),
    ('because "we met"', "`because` belongs to a rule"),
])
def test_a_misspelt_item_is_read_as_one_as_check_reads_it(typed: str, said: str) -> None:
    assert said in Shell().run(typed)


TYPED = st.one_of(
    st.text(max_size=40),
    st.sampled_from([*SAMPLE_TESTS, "let x = ", "accept if", "else", "policy", ":", "(", "[", '"',
                     "/", "{", "#", "\n", "field x: int", "field x: string", "field x: list", ":set x",
                     "x > 3", ":undo"]),
    st.sampled_from(sorted(COMMANDS)).map(lambda name: f":{name} "),
    st.sampled_from(["examples/selective.conn", "examples/invitations.csv 0", "tests", "-1", "1e9",
                     "mutual_connections", "message", "sent_at", "9999999999999w", "[]"]),
)


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with a copy of the examples: random input may `:save` anywhere."""
    folder = tmp_path_factory.mktemp("sandbox")
    shutil.copytree(ROOT / "examples", folder / "examples")
    return folder


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(TYPED, min_size=1, max_size=5).map(" ".join), min_size=1, max_size=6))
def test_nothing_typed_raises(sandbox: Path, lines: list[str]) -> None:
    os.chdir(sandbox)  # the autouse fixture moves back after the test
    session = shell()
    session.run(":load examples/selective.conn")
    for line in lines:
        assert isinstance(session.run(line), str)


# -- the prompt ----------------------------------------------------------------------

def converse(*chunks: str, shell_: Shell | None = None) -> list[str]:
    """Type at a prompt_toolkit prompt reading a pipe, a chunk of keys at a time (a
    completion comes in the time a person takes to type on); what the shell answered."""
    session = shell_ or shell()
    answers: list[str] = []
    with create_pipe_input() as pipe:
        def typist() -> None:
            for chunk in chunks:
                pipe.send_text(chunk)
                time.sleep(0.3)

        thread = threading.Thread(target=typist)
        thread.start()
        prompt = app.prompt_session(session, input=pipe, output=DummyOutput())
        app.interact(session, prompt, answers.append)
        thread.join()
    return answers


def test_the_prompt_runs_finished_lines_and_continues_unfinished_ones() -> None:
    answers = converse(":load examples/selective.conn\r:set mutual_connections 3\r"
                       "mutual_connections > 2 and\r  shared_group\r\x04")
    assert answers[0].startswith("loaded examples/selective.conn")
    assert answers[-1] == "unknown : bool  (missing: shared_groups)"


def test_ctrl_c_drops_the_line_and_ctrl_d_leaves() -> None:
    session = shell()
    answers = converse("mutual_connections >\x03did_business\r\x04:help\r", shell_=session)
    assert answers == ["unknown : bool  (missing: did_business)"]


def test_escape_enter_runs_an_unfinished_input() -> None:
    answers = converse("accept if (\x1b\r\x04")
    assert "error[E001]: expected a value after `(`" in answers[0]


def test_tab_completes_a_name() -> None:
    answers = converse(":set mutual_connections 7\rmutual_conn", "\t", "\r", "\r\x04")
    assert answers[-1] == "7 : int"


def test_quit_leaves() -> None:
    assert converse(":q\rdid_business\r") == []


def test_a_bug_is_reported_and_the_session_goes_on(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: Shell, args: str) -> str:
        raise RuntimeError("boom")

    monkeypatch.setitem(COMMANDS, "fields", COMMANDS["fields"].__class__(
        "fields", "", "", "", broken))
    answers = converse(":fields\rtrue\r\x04")
    assert "RuntimeError: boom" in answers[0] and "The session goes on." in answers[0]
    assert answers[1] == "true : bool"


def completions(text: str, session: Shell | None = None) -> dict[str, str]:
    """The inputs each completion offered for `text` makes, and what it says of them."""
    completer = app.ShellCompleter(session or shell())
    found = completer.get_completions(Document(text), CompleteEvent())
    return {text[:len(text) + c.start_position] + c.text: c.display_meta_text for c in found}


def test_completion_knows_the_language_and_the_session() -> None:
    session = shell()
    session.run(":load examples/selective.conn")
    assert completions("mutual_c", session) == {"mutual_connections": "field int"}
    assert completions("accept if comm", session) == {"accept if common_ground": "let bool"}
    assert completions("kno", session) == {"known_from": "field list"}
    assert completions("interacted", session) == {"interacted_within": "bool function"}
    assert completions("contains", session) == {"contains_any": "keyword"}
    assert completions("shared_gr", session) == {"shared_group": "bool built-in",
                                                 "shared_groups": "field list"}


def test_completion_of_commands_and_their_arguments() -> None:
    assert set(completions(":re")) == {":reload", ":record"}
    assert completions(":set mutual_c") == {":set mutual_connections": "field int"}
    assert completions(":set mutual_connections 1") == {}
    assert completions(":help de") == {":help decide": "command"}
    assert ":load examples/selective.conn" in completions(":load examples/sel")
    assert completions(":tree same_sc") == {":tree same_school": "field bool"}


def test_no_completion_inside_strings_and_comments() -> None:
    assert completions('message contains "mutual_c') == {}
    assert completions("accept if x # mutual_c") == {}
    assert completions("message matches /mutual_c") == {}


def test_history_is_kept_in_the_data_directory(tmp_path: Path) -> None:
    path = app.history_file()
    assert path == tmp_path / "data" / "connectlang" / "history"
    history = FileHistory(str(path))
    with create_pipe_input() as pipe:
        pipe.send_text("did_business\r\x04")
        session = shell()
        app.interact(session, app.prompt_session(session, history, pipe, DummyOutput()), print)
    assert "did_business" in list(FileHistory(str(path)).load_history_strings())


def test_history_is_skipped_when_the_data_directory_cannot_be_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker))
    assert app.history_file() is None


# -- the command -----------------------------------------------------------------------

def test_cli_runs_standard_input_as_a_session() -> None:
    result = CliRunner().invoke(cli, ["repl", "examples/selective.conn", "--now", "2026-11-01"],
                                input=":record examples/invitations.csv 2\n:set did_business no\n"
                                      "accept if\n  mutual_connections > 3\n\n:decide\n")
    assert result.exit_code == 0, result.output
    assert "rule 7 added: accept if mutual_connections > 3" in result.output
    assert "  true     examples/selective.conn:39  accept if interacted_within lately" in result.output


def test_the_file_a_session_starts_with_is_not_undone() -> None:
    """`:undo` takes back what was done in the session; a `:load` typed in it is such a
    change, the file named on the command line is where it starts."""
    result = CliRunner().invoke(cli, ["repl", "examples/selective.conn", "--now", "2026-11-01"],
                                input=":undo\n:load examples/open-networker.conn\n:undo\n:show\n")
    lines = result.output.splitlines()
    assert "nothing to undo" in lines
    assert any(line.startswith("took back loading examples/open-networker.conn: policy "
                               '"selective networker"') for line in lines)
    assert 'policy "selective networker"' in result.output.split("took back")[1]


def test_cli_refuses_a_missing_file() -> None:
    result = CliRunner().invoke(cli, ["repl", "nothing.conn"], input="")
    assert result.exit_code == 2 and "cannot read nothing.conn" in result.output


def test_process_repl_reads_a_script() -> None:
    script = ":record examples/invitations.csv 1\n:decide\n:q\n"
    result = subprocess.run([sys.executable, "-m", "connectlang", "repl", "examples/selective.conn"],
                            input=script, capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "record 1 of examples/invitations.csv:" in result.stdout
    assert "Traceback" not in result.stderr
    failing = subprocess.run([sys.executable, "-m", "connectlang", "repl"], input="nope\ntrue\n",
                             capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert failing.returncode == 1 and failing.stdout.endswith("true : bool\n")


# -- a real terminal -----------------------------------------------------------------------

@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_a_session_in_a_real_terminal(tmp_path: Path) -> None:
    """Type the tour of `:help` in tmux and read the screen."""
    name = f"connectlang-{os.getpid()}"
    command = (f"env XDG_DATA_HOME={tmp_path} TERM=xterm-256color {sys.executable} -m connectlang "
               "repl examples/selective.conn --now 2026-11-01")
    tmux = ["tmux", "-L", name]
    subprocess.run([*tmux, "new-session", "-d", "-s", name, "-x", "120", "-y", "50", "-c", str(ROOT),
                    command], check=True)
    try:
        screen = _wait(tmux, name, "Ctrl-D leaves")
        for keys, expected in [  # `\r` is Enter
            (":record examples/invitations.csv 2\r", "decision: accept  examples/selective.conn:38"),
            (":set did_b", "did_business  field bool"),  # the menu, as one types
            ("\t", ":set did_business"),
            (" no\r", "decision: accept  examples/selective.conn:39"),
            ("mutual_connections >= 5 or\r", "  ..."),
            ("did_business\r", "false : bool"),
            (":decide\r", "  true     examples/selective.conn:39  accept if interacted_within lately"),
        ]:
            subprocess.run([*tmux, "send-keys", "-t", name, "-l", keys.removesuffix("\r")], check=True)
            if keys.endswith("\r"):
                subprocess.run([*tmux, "send-keys", "-t", name, "Enter"], check=True)
            screen = _wait(tmux, name, expected)
        assert "Traceback" not in screen
        _wait(tmux, name, "examples/selective.conn · record 2 of examples/invitations.csv, changed")
        subprocess.run([*tmux, "send-keys", "-t", name, "C-d"], check=True)
        deadline = time.monotonic() + 10
        while subprocess.run([*tmux, "has-session", "-t", name], capture_output=True).returncode == 0:
            assert time.monotonic() < deadline, "Ctrl-D did not leave"
            time.sleep(0.1)
        assert "did_business" in (tmp_path / "connectlang" / "history").read_text()
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)


def _wait(tmux: list[str], name: str, text: str, timeout: float = 15) -> str:
    deadline = time.monotonic() + timeout
    while True:
        screen = subprocess.run([*tmux, "capture-pane", "-p", "-t", name], capture_output=True,
                                text=True).stdout
        if text in screen:
            return screen
        if time.monotonic() > deadline:
            pytest.fail(f"{text!r} never showed; the screen:\n{screen}")
        time.sleep(0.1)


def test_tree_labels_a_test_on_a_list_as_it_is_written() -> None:
    shown = Shell().run(':tree shared_groups contains_any ["a"] or shared_groups contains "b"')
    lines = shown.splitlines()
    assert lines[1].startswith("├─ contains_any = ") and lines[4].startswith("└─ contains = ")
