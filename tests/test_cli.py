"""The command line, through click's CliRunner and as real processes."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ROOT
from connectlang.cli import cli

POLICY = """policy "test"
report if message matches /free|click here/i because "sales pitch"
accept if shared_group and interacted_within 90d
ask "Hi {first_name}, where did we meet?" if has_message
review if mutual_connections >= 10
else archive because "we have not met"
"""
CSV = """Name,Message,Shared Groups,Last Interaction,Mutual Connections
Ann Lee,,PyData,2026-10-20T00:00:00Z,3
Bob Stone,Get FREE leads,,,1
Cy Young,"Hello, we met at PyCon",,,
Di Ng,,,,many
Eve Moss,,,,
"""
NOW = ["--now", "2026-11-01T00:00:00Z"]


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    policy = tmp_path / "me.conn"
    policy.write_text(POLICY, encoding="utf-8")
    data = tmp_path / "in.csv"
    data.write_text(CSV, encoding="utf-8")
    return policy, data


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_check_clean_file_exits_0(files: tuple[Path, Path]) -> None:
    code, out, _ = run("check", str(files[0]))
    assert code == 0 and out.endswith("1 file checked: 1 warning, 1 info\n")  # lints, no errors
    code, out, _ = run("check", str(files[0]), "--ignore", "L401,L501")
    assert code == 0 and "1 file checked: no problems" in out


def test_check_reports_every_file_and_exits_1(tmp_path: Path, files: tuple[Path, Path]) -> None:
    bad = tmp_path / "bad.conn"
    bad.write_text("accept if shared_grp\nreview if mutual_connections > \"x\"\nelse archive\n")
    code, out, _ = run("check", str(files[0]), str(bad))
    assert code == 1
    assert f"{bad}:1:11: error[E201]: unknown name `shared_grp`" in out
    assert "= help: did you mean `shared_group`?" in out
    assert out.strip().endswith("2 files checked: 2 errors, 1 warning, 1 info")


def test_check_json_has_the_fields_of_the_spec(tmp_path: Path) -> None:
    bad = tmp_path / "bad.conn"
    bad.write_text("accept if shared_grp\nelse archive\n")
    code, out, _ = run("check", str(bad), "--format", "json")
    (item,) = json.loads(out)["diagnostics"]
    assert code == 1
    assert item == {"file": str(bad), "line": 1, "column": 11, "end_line": 1, "end_column": 21,
                    "severity": "error", "code": "E201", "message": "unknown name `shared_grp`",
                    "help": "did you mean `shared_group`?"}


def test_check_github_format(tmp_path: Path) -> None:
    bad = tmp_path / "bad.conn"
    bad.write_text("accept if shared_grp\nelse archive\n")
    _, out, _ = run("check", str(bad), "--format", "github")
    assert out.startswith(f"::error file={bad},line=1,col=11,endLine=1,endColumn=21,title=E201::")


def test_check_a_missing_file_exits_2_after_checking_the_others(tmp_path: Path,
                                                                files: tuple[Path, Path]) -> None:
    code, out, err = run("check", str(tmp_path / "nope.conn"), str(files[0]))
    assert code == 2 and f"cannot read {tmp_path / 'nope.conn'}: No such file" in err
    assert "error" not in out and "[L401]" in out
    assert out.endswith("1 file checked: 1 warning, 1 info; 1 could not be read\n")


def test_check_takes_folders_and_each_file_once(tmp_path: Path, files: tuple[Path, Path]) -> None:
    (tmp_path / "team").mkdir()
    (tmp_path / "team" / "bad.conn").write_text("accept if shared_grp\nelse archive\n")
    code, out, _ = run("check", str(tmp_path), str(files[0]))
    assert code == 1 and out.count("[L401]") == 1 and "bad.conn:1:11: error[E201]" in out
    assert out.endswith("2 files checked: 1 error, 1 warning, 1 info\n")
    spelt = [str(files[0]), str(files[0].parent / "." / files[0].name),
             str(files[0].parent / ".." / files[0].parent.name / files[0].name)]
    assert run("check", *spelt)[1].endswith("1 file checked: 1 warning, 1 info\n")


def test_a_folder_leaves_out_hidden_folders_and_environments(tmp_path: Path) -> None:
    for folder in (".venv/lib", "node_modules/x", ".git", "venv", "src/__pycache__"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "broken.conn").write_text("accept if\n")
    (tmp_path / "src" / "me.conn").write_text("accept if did_business\nelse archive\n")
    assert run("check", str(tmp_path))[1] == "1 file checked: no problems\n"


def test_eval_jsonl_one_line_per_record_in_order(files: tuple[Path, Path]) -> None:
    code, out, _ = run("eval", str(files[0]), str(files[1]), *NOW, "--format", "jsonl")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 1  # Di's mutual_connections cannot be read
    assert [r["record"] for r in rows] == [1, 2, 3, 4, 5]
    assert [r.get("action") for r in rows] == ["accept", "report", "ask", None, "archive"]
    assert rows[1]["reason"] == "sales pitch" and rows[1]["line"] == 2
    assert rows[2]["reply"] == "Hi Cy, where did we meet?"
    assert rows[3]["error"] == "line 5, column 10: field `mutual_connections`: `many` is not a whole number"
    assert rows[3]["name"] == "Di Ng"  # an error line still says whose record it is
    assert rows[0]["source"] == str(files[1]) and rows[0]["profile_url"] is None


def test_eval_csv_has_the_same_columns(files: tuple[Path, Path]) -> None:
    _, out, _ = run("eval", str(files[0]), str(files[1]), *NOW, "--format", "csv")
    lines = out.splitlines()
    assert lines[0] == "record,source,name,profile_url,action,line,reason,reply,error,input_line"
    assert len(lines) == 6


def test_eval_csv_makes_formula_cells_text(tmp_path: Path) -> None:
    """A name a spreadsheet would run (`=HYPERLINK(...)`) is written as text; jsonl
    keeps it as it is."""
    policy, data = tmp_path / "p.conn", tmp_path / "in.csv"
    policy.write_text('ask "Hi {name}" if true\nelse archive\n')
    data.write_text('name\n"=HYPERLINK(""http://x"",""go"")"\n-1+2\nAnn\n')
    rows = list(csv.DictReader(io.StringIO(run("eval", str(policy), str(data), "--format",
                                                "csv")[1])))
    assert [r["name"] for r in rows] == ["'=HYPERLINK(\"http://x\",\"go\")", "'-1+2", "Ann"]
    assert rows[0]["reply"] == "Hi =HYPERLINK(\"http://x\",\"go\")"  # inside: not a formula
    jsonl = run("eval", str(policy), str(data), "--format", "jsonl")[1].splitlines()
    assert json.loads(jsonl[1])["name"] == "-1+2"


def test_output_named_csv_without_format_gets_the_table_and_a_note(
        tmp_path: Path, files: tuple[Path, Path]) -> None:
    out = tmp_path / "decisions.csv"
    result = CliRunner().invoke(cli, ["eval", str(files[0]), str(files[1]), *NOW, "-o", str(out)])
    assert f"note: {out} gets the table; for csv, give --format csv" in result.stderr
    explicit = CliRunner().invoke(cli, ["eval", str(files[0]), str(files[1]), *NOW, "-o",
                                        str(out), "--format", "table"])
    assert "note:" not in explicit.stderr


def test_eval_table_has_reasons_and_a_summary(files: tuple[Path, Path]) -> None:
    _, out, _ = run("eval", str(files[0]), str(files[1]), *NOW)
    assert "report    " in out and "sales pitch" in out
    assert "5 records: " in out and "1 unreadable" in out
    assert "  line 2    report if message matches /free|click here/i " in out
    assert "came from a rule that tested a missing value" in out


def test_an_input_of_unknown_suffix_is_read_with_input_format(tmp_path: Path,
                                                              files: tuple[Path, Path]) -> None:
    data = tmp_path / "requests.txt"
    data.write_text(files[1].read_text())
    code, _, err = run("eval", str(files[0]), str(data), *NOW)
    assert code == 2 and err.endswith("or give its format with --input-format\n")
    code, out, _ = run("eval", str(files[0]), str(data), *NOW, "--input-format", "csv")
    assert "5 records" in out
    code, _, err = run("eval", str(files[0]), str(files[1]), *NOW, "--enrich", str(data))
    assert code == 2 and "--input-format" not in err  # enrichment is told by its suffix


def test_eval_of_no_records_shows_only_the_summary(tmp_path: Path,
                                                  files: tuple[Path, Path]) -> None:
    """An empty file of each format is no records, not an error; the table has no
    header, so no legend under it either."""
    for name in ("empty.csv", "empty.jsonl", "empty.json"):
        (tmp_path / name).write_text("")
        code, out, _ = run("eval", str(files[0]), str(tmp_path / name), *NOW)
        assert code == 0 and out.startswith("0 records\n"), name


def test_eval_table_shows_hostile_and_wide_text_on_one_aligned_line(tmp_path: Path) -> None:
    """Escape sequences, newlines and bidi overrides from a stranger's invitation are
    shown, not obeyed; wide names keep the columns in line."""
    from wcwidth import wcswidth
    policy = tmp_path / "p.conn"
    policy.write_text('ask "Hi {name}: {message}" if has_message\nelse archive\n')
    data = tmp_path / "in.csv"
    data.write_text('name,message\n"Evil\x1b[31mRED","hi \x1b]0;pwned\x07"\n"Bo\nSmith","l1\nl2"\n'
                    '山田太郎,\n😀😀 Emoji Person With A Long Name,\n"Ann \u202eLee",\n', encoding="utf-8")
    _, out, _ = run("eval", str(policy), str(data), *NOW)
    lines = out.splitlines()[1:6]
    assert [line.split()[0] for line in lines] == ["1", "2", "3", "4", "5"]
    assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out
    assert "Evil\\u{1B}[31mRED" in lines[0] and "\\u{7}" in lines[0]
    assert "Bo\\nSmith" in lines[1] and "l1\\nl2" in lines[1]
    assert "Ann \\u{202E}Lee" in lines[4]
    columns = {wcswidth(line[:line.index(action)]) for line, action in zip(
        lines, ["ask", "ask", "archive", "archive", "archive"], strict=True)}
    assert len(columns) == 1  # every decision starts in the same terminal column
    assert "…" in lines[3]  # the long wide name was cut to its column


def test_eval_types_only_the_columns_the_policy_reads(tmp_path: Path, files: tuple[Path, Path]) -> None:
    simple = tmp_path / "simple.conn"
    simple.write_text("accept if did_business\nelse archive\n")
    code, out, _ = run("eval", str(simple), str(files[1]), *NOW, "--format", "jsonl")
    assert code == 0 and len(out.splitlines()) == 5


def test_eval_explain_adds_traces(files: tuple[Path, Path]) -> None:
    _, out, _ = run("eval", str(files[0]), str(files[1]), *NOW, "--format", "jsonl", "--explain")
    last = json.loads(out.splitlines()[-1])
    assert last["trace"] == [
        {"line": 2, "action": "report", "result": "false"},
        {"line": 3, "action": "accept", "result": "unknown",
         "missing": ["shared_groups", "last_interaction"]},
        {"line": 4, "action": "ask", "result": "false"},
        {"line": 5, "action": "review", "result": "unknown", "missing": ["mutual_connections"]}]


def test_eval_output_is_written_whole(files: tuple[Path, Path], tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    run("eval", str(files[0]), str(files[1]), *NOW, "--format", "jsonl", "-o", str(target))
    assert len(target.read_text().splitlines()) == 5
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []
    umask = os.umask(0o022)
    try:
        target.unlink()
        run("eval", str(files[0]), str(files[1]), *NOW, "--format", "jsonl", "-o", str(target))
        assert target.stat().st_mode & 0o777 == 0o644  # as `open` makes it, not private
        target.chmod(0o640)
        run("eval", str(files[0]), str(files[1]), *NOW, "--format", "jsonl", "-o", str(target))
        assert target.stat().st_mode & 0o777 == 0o640  # a replaced file keeps its mode
    finally:
        os.umask(umask)


def test_eval_output_into_a_missing_folder_is_a_clear_error(files: tuple[Path, Path],
                                                           tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "out.jsonl"
    code, out, err = run("eval", str(files[0]), str(files[1]), "-o", str(target))
    assert code == 2 and f"cannot write {target}: No such file or directory" in err
    assert "Traceback" not in out + err


def test_eval_output_through_a_link_replaces_the_file_it_names(files: tuple[Path, Path],
                                                              tmp_path: Path) -> None:
    target, link = tmp_path / "target.jsonl", tmp_path / "link.jsonl"
    target.write_text("old\n")
    link.symlink_to(target.name)
    run("eval", str(files[0]), str(files[1]), *NOW, "--format", "jsonl", "-o", str(link))
    assert link.is_symlink() and len(target.read_text().splitlines()) == 5


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_eval_output_into_a_named_pipe_goes_to_its_reader(files: tuple[Path, Path],
                                                          tmp_path: Path) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    reader = subprocess.Popen(["cat", str(pipe)], stdout=subprocess.PIPE, text=True)
    run("eval", str(files[0]), str(files[1]), *NOW, "--format", "jsonl", "-o", str(pipe))
    assert len(reader.communicate(timeout=30)[0].splitlines()) == 5
    assert pipe.is_fifo()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_is_a_clear_error_not_a_traceback(files: tuple[Path, Path]) -> None:
    exe = Path(sys.executable).with_name("connectlang")
    with open("/dev/full", "w") as full:
        result = subprocess.run([str(exe), "eval", str(files[0]), str(files[1]), *NOW],
                                stdout=full, stderr=subprocess.PIPE, text=True, check=False)
    assert result.returncode == 2
    assert result.stderr == "Error: cannot write to standard output: No space left on device\n"


def test_eval_policy_with_errors_is_not_evaluated(tmp_path: Path, files: tuple[Path, Path]) -> None:
    bad = tmp_path / "bad.conn"
    bad.write_text("accept if shared_grp\nelse archive\n")
    code, out, err = run("eval", str(bad), str(files[1]))
    assert code == 1 and out == "" and "unknown name `shared_grp`" in err


@pytest.mark.parametrize(("args", "message"), [
    (["--now", "yesterday"], "is not a valid time"),
    (["--format", "xml"], "xml"),
])
def test_eval_bad_options_exit_2(files: tuple[Path, Path], args: list[str], message: str) -> None:
    code, _, err = run("eval", str(files[0]), str(files[1]), *args)
    assert code == 2 and message in err


def test_eval_unknown_input_format_exits_2(files: tuple[Path, Path], tmp_path: Path) -> None:
    other = tmp_path / "in.txt"
    other.write_text("x")
    code, _, err = run("eval", str(files[0]), str(other))
    assert code == 2 and "--input-format" in err


def test_eval_reads_stdin(files: tuple[Path, Path]) -> None:
    result = CliRunner().invoke(cli, ["eval", str(files[0]), "-", "--input-format", "jsonl",
                                      *NOW, "--format", "jsonl"],
                                input='{"name": "A", "did_business": true}\n')
    assert json.loads(result.stdout)["action"] == "archive"


def test_every_command_has_help_with_an_example() -> None:
    for command in ("check", "eval"):
        code, out, _ = run(command, "--help")
        assert code == 0 and "Example:" in out


# -- real processes ----------------------------------------------------------------

def process(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("connectlang")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "connectlang"]
    return subprocess.run([*command, *args], capture_output=True, text=True, cwd=cwd,
                          timeout=60)


def test_process_check_and_eval(files: tuple[Path, Path]) -> None:
    check = process("check", str(files[0]))
    assert check.returncode == 0, check.stderr
    result = process("eval", str(files[0]), str(files[1]), *NOW, "--format", "jsonl")
    assert result.returncode == 1 and len(result.stdout.splitlines()) == 5
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="no SIGPIPE")
def test_a_reader_that_stops_early_ends_the_run_quietly(files: tuple[Path, Path],
                                                        tmp_path: Path) -> None:
    """`connectlang eval ... | head -1`: no traceback, no exit code 1 ("bad input")."""
    import signal
    many = tmp_path / "many.jsonl"
    many.write_text('{"name": "A", "did_business": true}\n' * 20_000)
    exe = Path(sys.executable).with_name("connectlang")
    with subprocess.Popen([str(exe), "eval", str(files[0]), str(many), "--format", "jsonl"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE) as child:
        assert child.stdout is not None and child.stderr is not None
        assert json.loads(child.stdout.readline())["action"] == "archive"
        child.stdout.close()
        err = child.stderr.read()
    assert child.returncode == -signal.SIGPIPE and err == b""


def test_python_dash_m_and_help() -> None:
    result = subprocess.run([sys.executable, "-m", "connectlang", "--help"], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0 and "check" in result.stdout and "eval" in result.stdout


def test_help_does_not_load_the_parser() -> None:
    code = ("import sys; from connectlang.cli import cli\n"
            "try: cli(['--help'])\nexcept SystemExit: pass\n"
            "print('connectlang._parser' in sys.modules, 're2' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip().splitlines()[-1] == "False False"


def modules_loaded_by_check(policy: Path, path: str = "") -> set[str]:
    """The modules a `check` of `policy` imports, with `path` first on the module path."""
    code = (f"import sys; sys.path.insert(0, {path!r}) if {path!r} else None\n"
            "from connectlang.cli import cli\n"
            f"try: cli(['check', {str(policy)!r}])\n"
            "except SystemExit: pass\n"
            "print(*sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    return set(result.stdout.strip().splitlines()[-1].split())


def test_check_runs_on_the_generated_parser_without_lark_or_the_repl() -> None:
    """Lark is a build and test tool: an installed connectlang never imports it; and
    `check` does not pay for the REPL's prompt_toolkit."""
    loaded = modules_loaded_by_check(ROOT / "examples" / "selective.conn")
    assert "connectlang._parser" in loaded
    assert loaded & {"lark", "prompt_toolkit"} == set()


def test_a_clean_check_loads_only_what_it_uses(tmp_path: Path) -> None:
    """Start-up is most of a small `check` (docs/performance.md): Lark's runtime
    without its logging and pickle, did-you-mean and the wording of syntax errors only
    for errors, RE2 only for a regex, and none of evaluating."""
    policy = tmp_path / "p.conn"
    policy.write_text("accept if did_business\nelse archive\n")
    assert modules_loaded_by_check(policy) & {
        "logging", "pickle", "difflib", "re2", "connectlang.evaluate", "connectlang.policy",
        "connectlang.syntax_errors"} == set()
    assert "re2" in modules_loaded_by_check(ROOT / "examples" / "selective.conn")
    (tmp_path / "regex.py").write_text("")  # the third-party `regex`, which Lark imports if it can
    assert "regex" not in modules_loaded_by_check(policy, str(tmp_path))


def _eval_on_a_terminal(tmp_path: Path, records: int,
                        interrupt: bool = False) -> tuple[int, str]:
    """Run `eval` on a large CSV with stderr on a terminal and the decisions in a file;
    its exit code and what the terminal showed. With `interrupt`, Ctrl-C (SIGINT) once
    the progress bar shows."""
    policy = tmp_path / "p.conn"
    policy.write_text('accept if name contains "7"\nelse archive\n')
    data = tmp_path / "big.csv"
    data.write_text("name\n" + "".join(f"Person {i}\n" for i in range(records)))
    leader, follower = os.openpty()
    exe = Path(sys.executable).with_name("connectlang")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "connectlang"]
    child = subprocess.Popen([*command, "eval", str(policy), str(data), *NOW, "--format", "jsonl",
                              "-o", str(tmp_path / "out.jsonl")], stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=follower)
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        shown += chunk
        if interrupt and b"deciding" in shown:
            child.send_signal(signal.SIGINT)
            interrupt = False
    return child.wait(timeout=120), shown.decode()


def test_long_runs_show_a_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    code, text = _eval_on_a_terminal(tmp_path, 150_000)
    assert code == 0
    assert "deciding" in text and "%" in text and " records (" in text
    assert len((tmp_path / "out.jsonl").read_text().splitlines()) == 150_000


def test_ctrl_c_during_the_progress_bar_gives_the_cursor_back(tmp_path: Path) -> None:
    code, text = _eval_on_a_terminal(tmp_path, 2_000_000, interrupt=True)
    assert code == 130
    assert "Interrupted." in text
    assert sorted(path.name for path in tmp_path.iterdir()) == ["big.csv", "p.conn"]
    hidden, shown = "\033[?25l", "\033[?25h"
    assert hidden in text and text.rindex(shown) > text.rindex(hidden)
    assert "Traceback" not in text
