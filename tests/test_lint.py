"""The lint rules: each rule's documented example gives its diagnostic (golden files of
the full rendered text) and its "use instead" gives none; the docs are current; the
configuration, the options and the ignore comments choose what runs."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import NOW, ROOT
from connectlang.cli import cli
from connectlang.diagnostics import Severity
from connectlang.lint.docs import pages
from connectlang.lint.rule import Rule
from connectlang.lint.rules import RULES

GOLDEN = ROOT / "tests" / "golden" / "lint"
INPUT = "name,headline\nAnn Lee,CEO\n"  # a CSV without mutual_connections, for L601
ENRICH = "name,mutual_connections\nAnn Lee,12\n"


def example(rule: type[Rule], section: str) -> str:
    block = re.search(r"```connectlang\n(.*?)```", rule.sections()[section], re.DOTALL)
    assert block is not None, f"{rule.code}: no connectlang block under {section}"
    return block.group(1)


def check(tmp_path: Path, name: str, text: str, *args: str) -> tuple[int, str]:
    (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "in.csv").write_text(INPUT)
    (tmp_path / "crm.csv").write_text(ENRICH)
    extra = {"L601": ["--input", "in.csv"]}.get(name[:4], [])
    if "Use instead" in args:
        extra += ["--enrich", "crm.csv"] if name.startswith("L601") else []
        args = ()
    cwd = os.getcwd()
    os.chdir(tmp_path)  # file names in the output are as given: relative
    try:
        result = CliRunner().invoke(cli, ["check", name, *extra, *args], catch_exceptions=False)
    finally:
        os.chdir(cwd)
    return result.exit_code, result.stdout


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_the_example_gives_the_rules_diagnostic(rule: type[Rule], tmp_path: Path) -> None:
    selected = "ALL" if rule.after_others else rule.code  # (it reads what the others found)
    _, out = check(tmp_path, f"{rule.code}.conn", example(rule, "Example"), "--select", selected)
    golden = GOLDEN / f"{rule.code}.txt"
    if os.environ.get("CONNECTLANG_REGEN"):
        golden.write_text(out, encoding="utf-8")
    assert f"[{rule.code}]" in out
    assert out == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_use_instead_checks_clean_of_the_rule(rule: type[Rule], tmp_path: Path) -> None:
    code, out = check(tmp_path, f"{rule.code}-fixed.conn", example(rule, "Use instead"), "Use instead")
    assert code == 0 and f"[{rule.code}]" not in out and "error[" not in out


def test_every_rule_is_documented_and_the_docs_are_current() -> None:
    codes = [rule.code for rule in RULES]
    assert len(set(codes)) == len(codes) and len({rule.name for rule in RULES}) == len(codes)
    for rule in RULES:
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.name)
        assert list(rule.sections()) == ["What it does", "Why is this bad?", "Example", "Use instead"]
    folder = ROOT / "docs" / "rules"
    if os.environ.get("CONNECTLANG_REGEN"):
        for name, text in pages().items():
            (folder / name).write_text(text, encoding="utf-8")
    for name, text in pages().items():
        assert (folder / name).read_text(encoding="utf-8") == text, (
            f"docs/rules/{name} is stale: run CONNECTLANG_REGEN=1 pytest tests/test_lint.py")
    assert sorted(p.name for p in folder.iterdir()) == sorted(pages())


def test_connectlang_rule_prints_a_page_or_the_list() -> None:
    result = CliRunner().invoke(cli, ["rule", "decline"])
    assert result.exit_code == 0 and result.stdout.startswith("# L301 decline")
    assert CliRunner().invoke(cli, ["rule", "l301"]).stdout == result.stdout
    listing = CliRunner().invoke(cli, ["rule"]).stdout.splitlines()
    assert [line.split()[:3] for line in listing[:len(RULES)]] == [
        [rule.code, rule.name, rule.severity.value] for rule in RULES]
    assert "](" not in "".join(listing)  # a terminal list, not the Markdown page
    assert CliRunner().invoke(cli, ["rule", "ALL"]).stdout.splitlines() == listing
    prefix = CliRunner().invoke(cli, ["rule", "l2"]).stdout.splitlines()
    assert [line[:4] for line in prefix if line[:2] == "L2"] == ["L201", "L202", "L203"]
    missing = CliRunner().invoke(cli, ["rule", "L999"])
    assert missing.exit_code == 2 and "no lint rule `L999`: `connectlang rule`" in missing.stderr
    for near in ("unreachable", "unreachabel-rule"):
        assert "did you mean `unreachable-rule`?" in CliRunner().invoke(cli, ["rule", near]).stderr
    error = CliRunner().invoke(cli, ["rule", "e201"])
    assert error.exit_code == 0 and error.stdout == (
        "E201 (unknown-name) is an error, not a lint rule: A name that no field, `let` or built-in "
        "defines before its use.\nIts message and help say what to fix, and it cannot be ignored.\n")


def test_the_error_codes_are_documented() -> None:
    from connectlang.diagnostics import CODES
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(E\d+)` \| ([a-z0-9-]+) \| (.+) \|$", text, re.MULTILINE)
    assert rows == [(code, name, meaning) for code, (name, meaning) in CODES.items()]


POLICY = """let warm = did_business or same_school
decline if mutual_connections == 0
accept if interacted_within 2160h
else archive
"""


def codes(out: str) -> list[str]:
    return re.findall(r"(?:error|warning|info)\[(\w+)\]", out)


def test_ignore_comments_silence_their_line_only(tmp_path: Path) -> None:
    text = POLICY.replace("== 0\n", "== 0  # connectlang: ignore[L301]\n")
    assert codes(check(tmp_path, "a.conn", text)[1]) == ["L201", "L502"]
    text = POLICY.replace("2160h\n", "2160h  # connectlang: ignore\n")
    assert codes(check(tmp_path, "b.conn", text)[1]) == ["L201", "L301"]
    text = POLICY.replace("same_school\n", "same_school  # connectlang: ignore[L301, unused-let]\n")
    assert codes(check(tmp_path, "c.conn", text)[1]) == ["L702", "L301", "L502"]  # L301 is elsewhere


@pytest.mark.parametrize("selectors", ["L3", "l301", "decline", "ALL", "L999, decline"])
def test_ignore_comments_take_what_ignore_takes(tmp_path: Path, selectors: str) -> None:
    text = POLICY.replace("== 0\n", f"== 0  # connectlang: ignore[{selectors}]\n")
    found = codes(check(tmp_path, "p.conn", text)[1])
    assert sorted(found) == ["L201", "L502"] + (["L701"] if "L999" in selectors else [])


def test_select_ignore_and_strict(tmp_path: Path) -> None:
    assert codes(check(tmp_path, "p.conn", POLICY, "--select", "L3,L5")[1]) == ["L301", "L502"]
    assert codes(check(tmp_path, "p.conn", POLICY, "--ignore", "decline", "--ignore", "L2")[1]) == ["L502"]
    assert check(tmp_path, "p.conn", POLICY, "--select", "L502", "--strict")[0] == 0  # info only
    assert check(tmp_path, "p.conn", POLICY, "--select", "L301", "--strict")[0] == 1
    code, _ = check(tmp_path, "p.conn", POLICY, "--select", "L9")
    assert code == 2


@pytest.mark.parametrize(("selector", "meant"), [("unreachable", "unreachable-rule"),
                                                 ("unused-lets", "unused-let"), ("L999", None)])
def test_a_selector_naming_no_rule_gets_the_name_meant(tmp_path: Path, selector: str,
                                                       meant: str | None) -> None:
    (tmp_path / "p.conn").write_text(POLICY)
    result = CliRunner().invoke(cli, ["check", str(tmp_path / "p.conn"), "--select", selector])
    assert result.exit_code == 2 and f"`{selector}` names no rule" in result.stderr
    assert (f"did you mean `{meant}`?" in result.stderr) if meant else "codes look like" in result.stderr


@pytest.mark.parametrize("args", [("--ignore", "E201"), ("--select", "E2"), ("--ignore", "e")])
def test_an_error_code_given_as_a_lint_is_told_apart(tmp_path: Path, args: tuple[str, str]) -> None:
    (tmp_path / "p.conn").write_text(POLICY)
    result = CliRunner().invoke(cli, ["check", str(tmp_path / "p.conn"), *args])
    assert result.exit_code == 2 and "did you mean" not in result.stderr
    assert f"`{args[1]}` names an error, not a lint rule: errors are always reported" in result.stderr


@pytest.mark.parametrize("given", ["", " , "])
def test_an_option_given_no_rule_is_refused_not_taken_as_unset(tmp_path: Path, given: str) -> None:
    (tmp_path / "p.conn").write_text(POLICY)
    result = CliRunner().invoke(cli, ["check", str(tmp_path / "p.conn"), "--select", given])
    assert result.exit_code == 2 and result.stderr == (
        "Error: --select was given no rule (codes look like L101, names like unreachable-rule)\n")


def test_a_named_pyproject_without_our_table_is_refused(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.black]\nline-length = 99\n')
    (tmp_path / "p.conn").write_text(POLICY)
    result = CliRunner().invoke(cli, ["check", str(tmp_path / "p.conn"), "--config",
                                      str(tmp_path / "pyproject.toml")])
    assert result.exit_code == 2 and "no `[tool.connectlang]` table here" in result.stderr


def test_a_lookup_in_an_empty_list_is_named_as_why_a_rule_never_fires(tmp_path: Path) -> None:
    out = check(tmp_path, "p.conn", "review if company in [] and has_message\n"
                "review if not (company in []) and has_message and not has_message\nelse archive\n")[1]
    assert out.count("an empty list holds nothing") == 1  # not the cause on line 2
    assert "help: `company in []`: an empty list holds nothing, so this is never true" in out


def test_minutes_for_months_in_a_field_default_too(tmp_path: Path) -> None:
    out = check(tmp_path, "p.conn", "field window: duration = 12m\nreview if sent_within window\n"
                "else archive\n")[1]
    assert codes(out) == ["L106"] and "p.conn:1:26: warning[L106]" in out
    assert "`1y` (365 days), or `52w`" in out


def test_configuration_files(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.connectlang]\nignore = ["L201"]\n[tool.connectlang.severity]\nL301 = "error"\n'
        '[tool.connectlang.per-file-ignores]\n"legacy/*.conn" = ["odd-duration-unit"]\n')
    (tmp_path / "legacy").mkdir()
    code, out = check(tmp_path, "p.conn", POLICY)
    assert code == 1 and codes(out) == ["L301", "L502"] and "error[L301]" in out
    code, out = check(tmp_path, "legacy/p.conn", POLICY)
    assert codes(out) == ["L301"]
    (tmp_path / "connectlang.toml").write_text('select = ["L5"]\n')  # nearer wins over pyproject
    assert codes(check(tmp_path, "p.conn", POLICY)[1]) == ["L502"]
    (tmp_path / "connectlang.toml").write_text('selct = ["L5"]\n')
    (tmp_path / "p.conn").write_text(POLICY)
    result = CliRunner().invoke(cli, ["check", str(tmp_path / "p.conn"), "--config",
                                      str(tmp_path / "connectlang.toml")])
    assert result.exit_code == 2 and "unknown setting `selct`" in result.stderr
    (tmp_path / "connectlang.toml").write_text('[tool.connectlang]\nselect = ["L5"]\n')
    result = CliRunner().invoke(cli, ["check", str(tmp_path / "p.conn"), "--config",
                                      str(tmp_path / "connectlang.toml")])
    assert result.exit_code == 2 and "`[tool.connectlang]` is read from a file named pyproject.toml" \
        in result.stderr
    (tmp_path / "pyproject.bak").write_text('[project]\nname = "x"\n[tool.connectlang]\nselect = ["L5"]\n')
    result = CliRunner().invoke(cli, ["check", str(tmp_path / "p.conn"), "--config",
                                      str(tmp_path / "pyproject.bak")])
    assert "unknown setting `project` (it is read as a connectlang.toml" in result.stderr


@pytest.mark.parametrize(("pattern", "matched"), [
    ("legacy/*.conn", ["legacy/p.conn"]),
    ("legacy/**/*.conn", ["legacy/p.conn", "legacy/sub/p.conn"]),
    ("legacy/", ["legacy/p.conn", "legacy/sub/p.conn"]),
    ("./legacy/*.conn", ["legacy/p.conn"]),
    ("p.conn", ["p.conn", "legacy/p.conn", "legacy/sub/p.conn"]),  # not `[p].conn`
    ("/p.conn", ["p.conn"]),
    ("\\[p\\].conn", ["[p].conn"]),  # a .gitignore escape
])
def test_per_file_patterns_are_read_as_gitignore_lines(
        tmp_path: Path, pattern: str, matched: list[str]) -> None:
    """`*` stays within a folder and `**/` spans any number, as in .gitignore."""
    (tmp_path / "connectlang.toml").write_text(f"[per-file-ignores]\n'{pattern}' = [\"decline\"]\n")
    (tmp_path / "legacy" / "sub").mkdir(parents=True)
    silenced = [name for name in ("p.conn", "legacy/p.conn", "legacy/sub/p.conn", "[p].conn")
                if "L301" not in codes(check(tmp_path, name, POLICY)[1])]
    assert silenced == matched


def test_per_file_patterns_see_a_linked_folder_by_the_name_it_is_given(tmp_path: Path) -> None:
    (tmp_path / "outside" / "legacy").mkdir(parents=True)
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "linked").symlink_to(tmp_path / "outside" / "legacy")
    (tmp_path / "proj" / "connectlang.toml").write_text('[per-file-ignores]\n"linked/*.conn" = ["L301"]\n')
    assert "L301" not in codes(check(tmp_path / "proj", "linked/p.conn", POLICY)[1])


@pytest.mark.parametrize(("text", "message"), [
    ("severity = 5\n", "`severity` must be a table, like `[severity]` followed by lines such "
     'as `L301 = "error"`'),
    ('per-file-ignores = ["x"]\n', "`per-file-ignores` must be a table, like `[per-file-ignores]` "
     'followed by lines such as `"legacy/*.conn" = ["L101"]`'),
    ('[severity]\nL301 = 5\n', "severity of `L301` is `5`: use error, warning or info"),
    ('[severity]\nL301 = "error"\ndecline = "info"\n',
     "`L301` and `decline` both set the severity of L301 (decline), to error and info: keep one"),
    ('select = ["L1"]\n# caf\xe9\n', "not UTF-8 text (byte 22 is 0xe9); TOML files are UTF-8"),
    ('[severity]\nL301 = ["error"]\n', "severity of `L301` is `['error']`: use error, warning or info"),
    ('select = [" "]\n', "an empty rule name selects nothing (codes look like L101, names like "
     "unreachable-rule)"),
    ('[severity]\nE201 = "warning"\n', "`E201` names an error, not a lint rule: errors are always "
     "reported, and cannot be ignored or given another severity"),
    ('[per-file-ignores]\n"!legacy/*.conn" = ["L101"]\n', "the per-file pattern `!legacy/*.conn` is a "
     "negation, which matches no file: list the files to ignore instead"),
    ('[per-file-ignores]\n"legacy\\\\old.conn" = ["L101"]\n', "the per-file pattern `legacy\\old.conn` "
     "has a `\\` before a name: write folders with `/`, as on Linux and macOS"),
])
def test_a_configuration_of_the_wrong_shape_is_named_not_a_traceback(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, message: str) -> None:
    (tmp_path / "connectlang.toml").write_bytes(text.encode("latin-1"))
    (tmp_path / "p.conn").write_text(POLICY)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check", "p.conn"])
    assert result.exit_code == 2 and result.stderr == f"Error: {tmp_path / 'connectlang.toml'}: {message}\n"


def test_a_pyproject_is_read_as_toml_and_other_tools_ones_are_passed_over(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool]\nconnectlang.select = ["L5"]\n')
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "pyproject.toml").write_bytes(b'[project]\nauthors = [{name = "Ren\xe9"}]\n')
    assert codes(check(tmp_path / "sub", "p.conn", POLICY)[1]) == ["L502"]
    (tmp_path / "sub" / "pyproject.toml").write_text('[tool.black]\n# not connectlang\'s\n')
    assert codes(check(tmp_path / "sub", "p.conn", POLICY)[1]) == ["L502"]
    (tmp_path / "sub" / "pyproject.toml").write_text('[deps]\nconnectlang = "^1"\nbroken = \n')
    assert codes(check(tmp_path / "sub", "p.conn", POLICY)[1]) == ["L502"]  # another tool's, broken
    (tmp_path / "sub" / "pyproject.toml").write_text('[tool.connectlang]\nselect = \n')
    assert check(tmp_path / "sub", "p.conn", POLICY)[0] == 2  # ours, broken: said, not passed over
    (tmp_path / "sub" / "pyproject.toml").write_text('[tool]\nconnectlang = "L301"\n')
    assert check(tmp_path / "sub", "p.conn", POLICY)[0] == 2  # ours, of the wrong shape


def test_check_against_the_inputs_columns(tmp_path: Path) -> None:
    text = "accept if mutual_connections >= 10 and first_name == \"ann\"\nelse archive\n"
    (tmp_path / "p.conn").write_text(text)
    (tmp_path / "in.csv").write_text(INPUT)
    (tmp_path / "crm.csv").write_text(ENRICH)
    args = ["check", str(tmp_path / "p.conn"), "--select", "L601", "--input", str(tmp_path / "in.csv")]
    out = CliRunner().invoke(cli, args).stdout
    assert codes(out) == ["L601"] and "no input given has `mutual_connections`" in out
    out = CliRunner().invoke(cli, [*args, "--enrich", str(tmp_path / "crm.csv")]).stdout
    assert codes(out) == []
    export = ROOT / "examples" / "linkedin-export"
    out = CliRunner().invoke(cli, ["check", str(tmp_path / "p.conn"), "--select", "L601",
                                   "--input", str(export)]).stdout
    assert codes(out) == ["L601"]  # an export has names, not mutual connections
    # `connected_on` is a column of the export, but no slip for `mutual_connections`
    assert "did you mean" not in out and "add the column to the input" in out


@pytest.mark.parametrize("name", ["late.jsonl", "late.json"])
def test_a_field_first_given_late_in_a_json_input_counts(tmp_path: Path, name: str) -> None:
    """L601 says a field is missing on every record: it reads every object to say so."""
    objects = [{"name": f"P {i}"} for i in range(1500)] + [{"name": "Q", "mutual_connections": 5}]
    text = ("\n".join(json.dumps(o) for o in objects) if name.endswith("l") else json.dumps(objects))
    (tmp_path / name).write_text(text)
    (tmp_path / "p.conn").write_text("accept if mutual_connections >= 3\nelse archive\n")
    out = CliRunner().invoke(cli, ["check", str(tmp_path / "p.conn"), "--input", str(tmp_path / name)])
    assert out.exit_code == 0 and codes(out.stdout) == []


def test_a_declared_field_no_input_has_is_flagged_default_or_not(tmp_path: Path) -> None:
    """A field is declared to read a column: without one, every record gets the default,
    which is as likely a misspelt column as a missing one."""
    (tmp_path / "in.csv").write_text("name,Known From\nAnn,school\n")
    (tmp_path / "p.conn").write_text("field known_form: list = []\nfield vip: bool = false\n"
                                     "accept if count(known_form) > 0 or vip\nelse archive\n")
    out = CliRunner().invoke(cli, ["check", str(tmp_path / "p.conn"), "--input", str(tmp_path / "in.csv")])
    assert codes(out.stdout) == ["L601", "L601"]
    assert "no input given has `known_form`: every record gets its default, `[]`" in out.stdout
    assert "help: did you mean `known_from`, which the input has?" in out.stdout
    assert "no input given has `vip`: every record gets its default, `false`" in out.stdout


def test_a_rule_repeating_another_with_its_parts_swapped_is_a_duplicate(tmp_path: Path) -> None:
    text = ('accept if did_business and (same_school or has_message) because "a friend"\n'
            "review if shared_group\n"
            'accept if (has_message or same_school) and did_business because "a friend"\nelse archive\n')
    out = check(tmp_path, "p.conn", text)[1]
    assert codes(out) == ["L104"] and "p.conn:3:1: warning[L104]: this rule repeats line 1" in out


def test_an_input_of_unknown_suffix_is_read_with_input_format(tmp_path: Path) -> None:
    (tmp_path / "requests.txt").write_text(INPUT)
    (tmp_path / "p.conn").write_text("accept if did_business\nelse archive\n")
    args = ["check", str(tmp_path / "p.conn"), "--input", str(tmp_path / "requests.txt")]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert result.stderr.endswith("or give its format with --input-format\n")
    assert CliRunner().invoke(cli, [*args, "--input-format", "csv"]).exit_code == 0


@pytest.mark.parametrize(("name", "content", "message"), [
    ("arr.json", "[1, 2]", "arr.json:1:2: expected an object {...}, found a number"),
    ("obj.json", '{"a": 1}', "obj.json:1:1: a .json input must be an array of objects"),
    ("bad.jsonl", "not json\n", "bad.jsonl:1:1: not valid JSON: expected a value")])
def test_an_input_with_no_record_to_read_columns_from_stops_check(
        tmp_path: Path, name: str, content: str, message: str) -> None:
    """Not a wall of `L601: no input has ...` warnings and exit 0: exit 2, and why."""
    (tmp_path / name).write_text(content)
    (tmp_path / "p.conn").write_text("accept if did_business\nelse archive\n")
    result = CliRunner().invoke(cli, ["check", str(tmp_path / "p.conn"), "--input", str(tmp_path / name)])
    assert result.exit_code == 2 and "[L601]" not in result.stdout
    assert result.stderr.startswith(f"Error: {tmp_path / message}")


def test_regex_is_contains_says_when_contains_finds_more(tmp_path: Path) -> None:
    """`contains` folds ß to ss and the regex does not, as the rule's page says; the help
    says so where a word has `ss`."""
    import connectlang
    record = {"message": "Meet me on Hauptstraße"}
    regex = connectlang.compile("report if message matches /strasse/i\nelse archive\n")
    plain = connectlang.compile('report if message contains "strasse"\nelse archive\n')
    assert regex.evaluate(record, NOW).action == "archive"
    assert plain.evaluate(record, NOW).action == "report"
    out = check(tmp_path, "ss.conn", "report if message matches /strasse|free/i\nelse archive\n")[1]
    assert 'which also finds "ß" where the regex needs "ss"' in out
    out = check(tmp_path, "free.conn", "report if message matches /free/i\nelse archive\n")[1]
    assert "[L501]" in out and "ß" not in out


def test_check_reads_an_input_from_stdin_with_its_format(tmp_path: Path) -> None:
    (tmp_path / "p.conn").write_text("accept if mutual_connections > 3\nelse archive\n")
    args = ["check", str(tmp_path / "p.conn"), "--select", "L601", "--input", "-"]
    result = CliRunner().invoke(cli, args, input=INPUT)
    assert result.exit_code == 2 and "needs --input-format" in result.stderr
    result = CliRunner().invoke(cli, [*args, "--input-format", "csv"], input=INPUT)
    assert codes(result.stdout) == ["L601"]
    result = CliRunner().invoke(cli, [*args, "--input-format", "csv"], input=ENRICH)
    assert result.exit_code == 0 and codes(result.stdout) == []
    result = CliRunner().invoke(cli, ["check", "-", "--input", "-"], input="else archive\n")
    assert result.exit_code == 2 and "cannot both be `-`" in result.stderr


def test_a_byte_order_mark_before_a_policy_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "p.conn").write_bytes(b"\xef\xbb\xbfaccept if did_business\nelse archive\n")
    result = CliRunner().invoke(cli, ["check", str(tmp_path / "p.conn")])
    assert result.exit_code == 0 and "no problems" in result.stdout
    (tmp_path / "p.conn").write_bytes(b"\xef\xbb\xbfaccept if did_\xffbusiness\nelse archive\n")
    result = CliRunner().invoke(cli, ["check", str(tmp_path / "p.conn")])
    assert "p.conn:1:15: error[E005]" in result.stdout


def test_the_documented_configurations_load(tmp_path: Path) -> None:
    """docs/cli.md's TOML examples are configurations connectlang accepts."""
    from connectlang.lint.config import load
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", text, re.DOTALL)
    assert len(blocks) == 2
    for block in blocks:
        name = "pyproject.toml" if "[tool.connectlang]" in block else "connectlang.toml"
        (tmp_path / name).write_text(block, encoding="utf-8")
        settings = load(RULES, str(tmp_path / name))
        assert settings.ignore == ("L203",) and settings.severity == (("L301", Severity.ERROR),)


def test_a_never_true_is_missing_names_the_default(tmp_path: Path) -> None:
    text = 'field vip: bool = false\nreview if message is missing\nreview if vip is missing\nelse archive\n'
    out = check(tmp_path, "p.conn", text, "--select", "L102")[1]
    assert '= help: `message` is never missing: a record without it has ""' in out
    assert "= help: `vip` is never missing: a record without it has false" in out


def test_an_always_true_last_rule_says_the_default_never_decides(tmp_path: Path) -> None:
    """Spec section 9 flags a condition true on every record, wherever it is."""
    text = "accept if mutual_connections is missing or mutual_connections is not missing\nelse archive\n"
    code, out = check(tmp_path, "p.conn", text, "--strict")
    assert code == 1
    assert ("p.conn:1:11: warning[L103]: this condition is true on every record: the default "
            "(`else archive`) never decides") in out
    out = check(tmp_path, "p.conn", 'ask "Who  are you?"\n  if true\nelse archive\n')[1]
    assert 'help: replace it and the default with `else ask "Who  are you?"`, or narrow it' in out


def test_empty_ignore_brackets_silence_nothing_and_say_so(tmp_path: Path) -> None:
    text = "decline if did_business  # connectlang: ignore[]\nelse archive\n"
    out = check(tmp_path, "p.conn", text)[1]
    assert "p.conn:1:1: warning[L301]" in out
    assert "p.conn:1:26: warning[L701]: `ignore[]` names no lint rule" in out


@pytest.mark.parametrize(("written", "fix"), [
    ("ignore: L301", "ignore[L301]"), ("ignore L301", "ignore[L301]"),
    ("ignore [decline]", "ignore[decline]"), ("ignore[L301", "ignore[L301]"),
    ("ignore(L301, L101)", "ignore[L301,L101]"), ("ignored", "ignore` to silence")])
def test_a_mistyped_ignore_comment_silences_nothing_and_says_so(
        tmp_path: Path, written: str, fix: str) -> None:
    """Read as a bare `ignore`, a typo would silence every lint of its line."""
    text = f"decline if did_business  # connectlang: {written}\nelse archive\n"
    out = check(tmp_path, "p.conn", text)[1]
    assert codes(out) == ["L301", "L701"]
    assert "p.conn:1:26: warning[L701]: this ignore comment is not written `ignore` or " in out
    assert f"help: write `# connectlang: {fix}" in out


def test_an_ignore_comment_on_a_rules_first_line_silences_its_lints_below(tmp_path: Path) -> None:
    """L101 points at the condition; a rule over several lines takes its ignore comment
    on any of its lines, such as its first, where the action is."""
    text = ("accept if did_business\naccept if  # connectlang: ignore[L101]\n"
            "    did_business and same_school\narchive if  # connectlang: ignore[L102]\n"
            "    has_message and did_business\nelse archive\n")
    out = check(tmp_path, "p.conn", text)[1]
    assert codes(out) == ["L702", "L101"] and "p.conn:5:5: warning[L101]" in out  # L102 was meant


def test_an_ignore_comment_on_another_line_than_its_lint_is_told_where_it_belongs(
        tmp_path: Path) -> None:
    text = ("accept if did_business\naccept if\n    did_business and same_school\n"
            '  because "a classmate"  # connectlang: ignore[L101]\n'
            "# connectlang: ignore[L301]\ndecline if has_message\nelse archive\n")
    out = check(tmp_path, "p.conn", text)[1]
    assert codes(out) == ["L101", "L702", "L702", "L301"]
    assert "move it to the end of line 3, where the `L101` lint starts" in out
    assert "move it to the end of line 6, where the `L301` lint starts" in out


def test_an_unused_ignore_says_what_to_write_instead(tmp_path: Path) -> None:
    out = check(tmp_path, "p.conn", "accept if did_business\n"
                "review if did_business  # connectlang: ignore[L104]\n"
                "# connectlang: ignore[L301]\ndecline if has_message\nelse archive\n")[1]
    assert "help: the lint here is `L101`: write `ignore[L101]`" in out
    assert "move it to the end of line 4, where the `L301` lint starts" in out


def test_a_default_the_rules_above_always_beat_is_told_which_rule_to_drop(tmp_path: Path) -> None:
    out = check(tmp_path, "p.conn", "archive if not has_message\nreview if has_message\nelse review\n")[1]
    assert codes(out) == ["L101"] and "p.conn:3:1: warning[L101]: the default never decides" in out
    assert "help: remove line 2: the default, `else review`, decides those records the same way" in out


@pytest.mark.parametrize("text", [
    'accept if has_message\narchive if message == ""\nreview if did_business\nelse archive\n',
    'accept if has_message\narchive if message == "" because "no note"\nelse archive\n',
], ids=["a rule after it would take its records", "another reason"])
def test_a_default_is_not_said_to_decide_the_same_way_when_it_would_not(tmp_path: Path, text: str) -> None:
    """Removing the last rule sends its records on: to a rule after it, or to a default
    that gives them another reason."""
    out = check(tmp_path, "p.conn", text)[1]
    assert "the default never decides" in out and "remove line" not in out
    assert "help: if some records should reach the default, narrow one of these rules" in out


@pytest.mark.parametrize(("text", "help"), [
    ("archive if true\naccept if did_business\nelse archive\n",
     "narrow it, or remove it and line 2: the default does the same"),
    ("accept if true\naccept if did_business\nreview if same_school\nelse archive\n",
     "narrow it, or replace it, lines 2 to 3 and the default with `else accept`"),
    ('archive if true because "x"\nelse archive\n', 'replace it and the default with '
     '`else archive because "x"`, or narrow it'),
    ("archive if true\nelse archive\n", "remove it, as the default does the same, or narrow it"),
])
def test_an_always_true_rule_is_told_a_fix_that_keeps_the_decisions(tmp_path: Path, text: str,
                                                                     help: str) -> None:
    assert f"help: {help}\n" in check(tmp_path, "p.conn", text)[1]


def test_a_repeated_rule_is_unreachable_when_duplicates_are_not_told(tmp_path: Path) -> None:
    text = ('report if message contains "crypto"\naccept if did_business\n'
            'report if message contains "crypto"\nelse archive\n')
    assert codes(check(tmp_path, "p.conn", text)[1]) == ["L104"]
    assert codes(check(tmp_path, "p.conn", text, "--ignore", "L104")[1]) == ["L101"]


def test_rules_that_differ_only_in_the_case_of_their_text_are_duplicates(tmp_path: Path) -> None:
    text = ('report if message contains "crypto"\nreport if message contains "CRYPTO"\n'
            "report if message matches /crypto/\nreport if message matches /CRYPTO/\n"
            'review if length(headline) == length("ß")\nreview if length(headline) == length("SS")\n'
            "else archive\n")
    out = check(tmp_path, "p.conn", text, "--select", "L104")[1]
    assert codes(out) == ["L104"]  # not the regexes, which do not ignore case, nor 1 and 2 letters
    assert "p.conn:2:1: warning[L104]: this rule repeats line 1" in out


def test_a_rule_quoted_in_a_message_leaves_its_comments_out(tmp_path: Path) -> None:
    text = ("accept if did_business   # we worked together\n    or same_school\n"
            "archive if same_school\nelse archive\n")
    assert "by line 1 (`accept if did_business or same_school`)" in check(tmp_path, "p.conn", text)[1]


@pytest.mark.parametrize(("condition", "help"), [
    ("(message is missing or did_business) and mutual_connections > 5 and mutual_connections < 3",
     "check for `and` where `or` was meant, or bounds the wrong way round"),
    ("has_message is missing", "`has_message` is never missing: `message` always has a value"),
    ('company == "Acme" and company != "acme"',
     '`company == "Acme"` and `company != "acme"` contradict: text comparisons ignore case'),
    ("message contains_any [] or mutual_connections > 3 and mutual_connections < 2",
     "each part of the `or` is never true: check the bounds and values"),
    ("message contains_any [] or headline contains_any []",
     "`message contains_any []`: an empty list holds nothing, so this is never true; "
     "`headline contains_any []`: an empty list holds nothing, so this is never true"),
])
def test_a_condition_never_true_is_told_its_cause(tmp_path: Path, condition: str, help: str) -> None:
    out = check(tmp_path, "p.conn", f"accept if {condition}\nelse archive\n", "--select", "L102")[1]
    assert f"help: {help}\n" in out


def test_a_value_already_in_the_list_is_not_suggested(tmp_path: Path) -> None:
    out = check(tmp_path, "p.conn", 'accept if direction in ["incoming", "inbound"]\nelse archive\n')[1]
    assert "help: remove `inbound`: `incoming` is in the list already" in out


def test_a_default_reply_is_not_told_to_change_a_condition(tmp_path: Path) -> None:
    out = check(tmp_path, "p.conn", 'accept if did_business\nelse ask "Hi {first_name}"\n')[1]
    assert "help: the default takes every record the rules leave: put this reply in a rule above " \
        "it, `ask ... if first_name is not missing`, and give the default one without " \
        "`{first_name}`" in out


def test_a_comment_naming_a_rule_not_run_is_not_judged(tmp_path: Path) -> None:
    text = "accept if did_business  # connectlang: ignore[L301]\nelse archive\n"
    assert codes(check(tmp_path, "p.conn", text, "--select", "L1,L7")[1]) == []
    assert codes(check(tmp_path, "q.conn", text)[1]) == ["L702"]
    text = "accept if true  # connectlang: ignore[L1]\nelse archive\n"  # for L103
    assert codes(check(tmp_path, "r.conn", text, "--ignore", "L103")[1]) == []
    # L601 runs only with --input, and a bare ignore is judged only when every rule ran
    text = "accept if mutual_connections >= 10  # connectlang: ignore[L601]\nelse archive\n"
    assert codes(check(tmp_path, "s.conn", text)[1]) == []
    (tmp_path / "in.csv").write_text("name\nAnn\n")
    text = "accept if mutual_connections >= 10  # connectlang: ignore\nelse archive\n"
    assert codes(check(tmp_path, "t.conn", text)[1]) == []
    assert codes(check(tmp_path, "t.conn", text, "--input", str(tmp_path / "in.csv"))[1]) == []
    text = 'accept if name == "Ann"  # connectlang: ignore\nelse archive\n'
    assert codes(check(tmp_path, "u.conn", text, "--input", str(tmp_path / "in.csv"))[1]) == ["L702"]


def test_a_bare_ignore_on_a_rules_first_line_leaves_a_misspelt_code_below_reported(tmp_path: Path) -> None:
    text = ("accept if did_business  # connectlang: ignore\n"
            "  # connectlang: ignore[L9999]\n  and same_school\nelse archive\n")
    assert codes(check(tmp_path, "p.conn", text)[1]) == ["L701"]


def test_a_dotless_i_silences_nothing_and_a_pasted_space_is_a_space(tmp_path: Path) -> None:
    text = "decline if did_business  # connectlang: \u0131gnore\nelse archive\n"
    assert codes(check(tmp_path, "p.conn", text)[1]) == ["L301", "L701"]
    text = "decline if did_business  # connectlang:\u00a0ignore[L301]\nelse archive\n"
    assert codes(check(tmp_path, "p.conn", text)[1]) == []


@pytest.mark.parametrize("written", ["CONNECTLANG: IGNORE[L301]", "Connectlang: ignore[L301]",
                                     "connectlang: IGNORE[L301]"])
def test_an_ignore_comment_not_in_lowercase_silences_nothing_and_says_so(
        tmp_path: Path, written: str) -> None:
    out = check(tmp_path, "p.conn", f"decline if did_business  # {written}\nelse archive\n")[1]
    assert codes(out) == ["L301", "L701"]
    assert "warning[L701]: this ignore comment is not written `connectlang: ignore` in lowercase" in out
    assert "help: write `# connectlang: ignore[L301]`" in out


def test_unused_and_renaming_names_are_pointed_at_exactly() -> None:
    """The caret sits under the name defined, however the line is spaced (not under
    the `d` of `field` for a field named `d`)."""
    from connectlang.analysis import analyse
    from connectlang.lint.config import Settings
    from connectlang.source import Source
    text = "field d: bool\nfield   dd :  int\nlet   e = did_business\nlet f = e\nelse archive\n"
    found = {(d.code, text[d.span.start:d.span.end])
             for d in analyse(Source(text, "p.conn"), Settings()).diagnostics}
    # `f` renames `e` but nothing uses it: L201 says so, and L203's "use `e` where `f` is
    # used" would make no sense
    assert found == {("L202", "d"), ("L202", "dd"), ("L203", "e"), ("L201", "f")}


@pytest.mark.parametrize("table", ['L = "info"\nL301 = "error"', 'L301 = "error"\nL = "info"',
                                   'ALL = "info"\ndecline = "error"\nL3 = "warning"'])
def test_the_most_specific_severity_wins_whatever_the_order(tmp_path: Path, table: str) -> None:
    (tmp_path / "connectlang.toml").write_text(f"[severity]\n{table}\n")
    text = "decline if did_business\naccept if interacted_within 2160h\nelse archive\n"
    code, out = check(tmp_path, "p.conn", text)
    assert "error[L301]" in out and code == 1
    assert "info[L502]" in out


@pytest.mark.parametrize(("text", "help_"), [
    ('report if true because "x"\nelse archive\n',
     'replace it and the default with `else report because "x"`'),
    ("accept if true\nelse accept\n", "remove it, as the default does the same"),
    ('ask "hi {name}" if has_message\nask "yo {name}" if has_message\nelse archive\n',
     '(`ask "hi {name}" if has_message`)'),
    ("report if message matches /free|FREE|click/i\nelse archive\n",
     'write `message contains_any ["free", "click"]`'),
])
def test_a_lints_words_quote_the_policy_as_written(tmp_path: Path, text: str, help_: str) -> None:
    assert help_ in check(tmp_path, "p.conn", text)[1]


def test_an_older_export_without_addresses_does_not_give_profile_url(tmp_path: Path) -> None:
    (tmp_path / "p.conn").write_text('review if profile_url is not missing\nelse archive\n')
    for export, warned in (("linkedin-export", False), ("linkedin-export-2019", True)):
        result = CliRunner().invoke(cli, ["check", str(tmp_path / "p.conn"), "--input",
                                          str(ROOT / "examples" / export)])
        assert ("no input given has `profile_url`" in result.stdout) is warned


def test_l401_names_the_field_a_let_renames(tmp_path: Path) -> None:
    text = ('let who = company\nlet n = length(headline)\n'
            'ask "How is {who}? {n}" if has_message\nelse archive\n')
    out = check(tmp_path, "p.conn", text, "--select", "L401")[1]
    assert "`{who}` is empty in the reply when a record has no `company` (which `who` is)" in out
    assert "`{n}` is empty in the reply when a record has no `headline` (which `n` is computed " \
        "from)" in out


def test_l105_sees_through_lets_and_tells_a_value_once(tmp_path: Path) -> None:
    text = ('let out = "outbound"\nlet way = direction\naccept if way == out\n'
            'review if direction != out and has_message\narchive if "Incoming" == direction\nelse archive\n')
    out = check(tmp_path, "p.conn", text, "--select", "L105")[1]
    assert codes(out) == ["L105"] and "p.conn:1:11: warning[L105]" in out


@pytest.mark.parametrize("comment", ["# a note about it # CONNECTLANG: IGNORE",
                                     "# connectlang: ignore[L101] (why) # Connectlang: Ignore[L203]",
                                     "# a note # connectlang: ignore[]"])
def test_an_ignore_comment_after_a_note_is_pointed_at_exactly(tmp_path: Path, comment: str) -> None:
    """The caret starts at the ignore comment, not at the comment's `#`: a slip after a
    note crashed L701."""
    out = check(tmp_path, "p.conn", f"accept if did_business  {comment}\nelse archive\n")[1]
    at = comment.rindex("#")
    assert f"p.conn:1:{25 + at}: warning[L701]" in out
    assert "^" * len(comment[at:].rstrip()) in out
