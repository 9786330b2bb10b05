"""`connectlang check` for tools and CI: json, github annotations, SARIF 2.1.0 (validated
against the schema), and a real process run of each."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft4Validator

from conftest import ROOT

POLICY = """let warm = did_business or same_school
accept if shared_grp
else decline
"""
CLEAN_ERRORS = """report if message matches /free/i
accept if interacted_within 2160h
else archive
"""


def run(tmp_path: Path, *args: str, text: str = POLICY, name: str = "me.conn"
        ) -> subprocess.CompletedProcess[str]:
    """`connectlang check NAME ARGS` as a process, in `tmp_path`, NAME holding `text`."""
    (tmp_path / name).write_text(text)
    exe = Path(sys.executable).with_name("connectlang")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "connectlang"]
    return subprocess.run([*command, "check", name, *args], capture_output=True, text=True,
                          cwd=tmp_path, timeout=60)


def test_sarif_is_valid_and_holds_every_result(tmp_path: Path) -> None:
    schema = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())
    for text, exit_code in ((POLICY, 1), (CLEAN_ERRORS, 0)):
        result = run(tmp_path, "--format", "sarif", text=text)
        assert result.returncode == exit_code, result.stderr
        log = json.loads(result.stdout)
        Draft4Validator(schema).validate(log)
        run_ = log["runs"][0]
        rules = run_["tool"]["driver"]["rules"]
        for item in run_["results"]:
            assert rules[item["ruleIndex"]]["id"] == item["ruleId"]
            region = item["locations"][0]["physicalLocation"]["region"]
            assert item["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "me.conn"
            assert region["startLine"] >= 1 and region["startColumn"] >= 1
        for rule in rules:  # what code scanning shows of a rule, errors included
            assert {"shortDescription", "fullDescription", "help", "helpUri"} <= set(rule), rule
    log = json.loads(run(tmp_path, "--format", "sarif").stdout)
    found = {(r["ruleId"], r["level"]) for r in log["runs"][0]["results"]}
    assert found == {("E201", "error")}  # a policy with errors is not linted
    log = json.loads(run(tmp_path, "--format", "sarif", text=CLEAN_ERRORS).stdout)
    assert {(r["ruleId"], r["level"]) for r in log["runs"][0]["results"]} == {
        ("L501", "note"), ("L502", "note")}


def test_sarif_fingerprints_follow_a_result_when_lines_above_it_move(tmp_path: Path) -> None:
    """Uploads that do not go through GitHub's action get no fingerprints from it: without
    ours, every run would open new alerts for the same problems."""
    text = ("let a = did_business\nlet b = did_business\naccept if did_business\n"
            "review if did_business\nelse archive\n")  # (L101's message names line 3)

    def prints(text: str) -> list[str]:
        results = json.loads(run(tmp_path, "--format", "sarif", text=text).stdout)["runs"][0]["results"]
        return [r["partialFingerprints"]["connectlang/v1"] for r in results]
    first = prints(text)
    assert len(set(first)) == 3
    assert prints("# a new note\n\n" + text) == first
    renamed = prints(text.replace("let b", "let c"))
    assert renamed[0] == first[0] and renamed[1] != first[1]


def test_github_annotations(tmp_path: Path) -> None:
    result = run(tmp_path, "--format", "github", text=POLICY.replace("shared_grp", "shared_group"))
    lines = result.stdout.splitlines()
    assert lines == [
        "::warning file=me.conn,line=1,col=5,endLine=1,endColumn=9,title=L201::`warm` is never used "
        "(help: use it in a rule, or remove `let warm`)",
        "::warning file=me.conn,line=3,col=6,endLine=3,endColumn=13,title=L301::`decline` tells "
        "LinkedIn you do not know the sender, which can get them restricted (help: use `archive` to "
        "set the invitation aside quietly, or `report` for spam)",
        "1 file checked: 2 warnings"]  # (the log's count: GitHub shows ten annotations of a kind)
    assert result.returncode == 0


@pytest.mark.parametrize(("args", "code"), [
    ([], 0), (["--strict"], 1), (["--strict", "--ignore", "L2,L3"], 0)])
def test_json_and_exit_codes(tmp_path: Path, args: list[str], code: int) -> None:
    result = run(tmp_path, "--format", "json", *args, text=POLICY.replace("shared_grp", "shared_group"))
    assert result.returncode == code
    found = [(d["code"], d["severity"], d["line"]) for d in json.loads(result.stdout)["diagnostics"]]
    expected = [("L201", "warning", 1), ("L301", "warning", 3)]
    assert found == [d for d in expected if "--ignore" not in args]


def test_github_annotations_escape_the_file_name(tmp_path: Path) -> None:
    """GitHub ends a property at `,` or `:`, and unescapes `%`: a file name with them
    must still name the file."""
    result = run(tmp_path, "--format", "github", text="let warm = did_business\nelse archive\n",
                 name="we,ird:name %.conn")
    assert result.stdout.startswith("::warning file=we%2Cird%3Aname %25.conn,line=1,col=5,")


def test_sarif_names_files_by_uri_and_counts_characters(tmp_path: Path) -> None:
    """A file in the workspace is a URI relative to it, percent-encoded, and one outside
    it a `file:` URI; columns are characters (SARIF's default would be UTF-16 code units)."""
    text = 'let x = "🙂"\nlet y = x\nelse archive\n'
    (tmp_path / "repo").mkdir()
    relative = json.loads(run(tmp_path / "repo", "--format", "sarif", text=text, name="a b%.conn").stdout)
    inside = json.loads(run(tmp_path / "repo", "--format", "sarif", text=text,
                            name=str(tmp_path / "repo" / "a b%.conn")).stdout)
    outside = json.loads(run(tmp_path / "repo", "--format", "sarif", text=text,
                             name=str(tmp_path / "a b%.conn")).stdout)
    assert relative["runs"][0]["columnKind"] == "unicodeCodePoints"
    assert relative["runs"][0]["originalUriBaseIds"] == {
        "%SRCROOT%": {"uri": (tmp_path / "repo").as_uri() + "/"}}
    locations = [log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
                 for log in (relative, inside, outside)]
    assert locations == [{"uri": "a%20b%25.conn", "uriBaseId": "%SRCROOT%"}] * 2 + [
        {"uri": (tmp_path / "a b%.conn").as_uri()}]


def test_ci_formats_name_files_from_the_workspace(tmp_path: Path) -> None:
    """GitHub drops annotations whose path starts with `./` or `../`: `check .` and a
    check run in a subfolder name files from the workspace (GITHUB_WORKSPACE)."""
    text = "let warm = did_business\nelse archive\n"
    (tmp_path / "policies" / "team").mkdir(parents=True)
    (tmp_path / "policies" / "team" / "me.conn").write_text(text)
    exe = Path(sys.executable).with_name("connectlang")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "connectlang"]
    for cwd, args in ((tmp_path, ["."]), (tmp_path / "policies", ["./team"]),
                      (tmp_path / "policies" / "team", ["../team/me.conn"])):
        env = {**os.environ, "GITHUB_WORKSPACE": str(tmp_path)}
        result = subprocess.run([*command, "check", "--format", "github", *args], capture_output=True,
                                text=True, cwd=cwd, env=env, timeout=60)
        assert result.stdout.startswith("::warning file=policies/team/me.conn,line=1,"), (cwd, result)
    (tmp_path / "link").symlink_to(tmp_path)  # the workspace as GitHub names it, through a link
    result = subprocess.run([*command, "check", "--format", "github", "policies/team/me.conn"],
                            capture_output=True, text=True, cwd=tmp_path, timeout=60,
                            env={**os.environ, "GITHUB_WORKSPACE": str(tmp_path / "link")})
    assert result.stdout.startswith("::warning file=policies/team/me.conn,line=1,"), result
    text_output = subprocess.run([*command, "check", "."], capture_output=True, text=True,
                                 cwd=tmp_path / "policies", timeout=60).stdout
    assert text_output.startswith("team/me.conn:1:5: warning[L201]")


def test_a_file_that_cannot_be_read_is_told_in_every_format(tmp_path: Path) -> None:
    """Not only on stderr: an empty SARIF upload would close that file's alerts."""
    schema = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())
    result = run(tmp_path, "--format", "json", "gone.conn")
    assert result.returncode == 2
    assert json.loads(result.stdout)["unreadable"] == [
        {"file": "gone.conn", "message": "cannot read gone.conn: No such file or directory"}]
    result = run(tmp_path, "--format", "sarif", "gone.conn")
    log = json.loads(result.stdout)
    Draft4Validator(schema).validate(log)
    (invocation,) = log["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    assert invocation["toolExecutionNotifications"][0]["locations"][0]["physicalLocation"][
        "artifactLocation"] == {"uri": "gone.conn", "uriBaseId": "%SRCROOT%"}
    assert len(log["runs"][0]["results"]) == 1  # me.conn's
    result = run(tmp_path, "--format", "github", "gone.conn")
    assert result.stdout.splitlines()[-2:] == [
        "::error title=connectlang::cannot read gone.conn: No such file or directory",
        "1 file checked: 1 error; 1 could not be read"]
    assert json.loads(run(tmp_path, "--format", "sarif").stdout)["runs"][0]["invocations"] == [
        {"executionSuccessful": True, "toolExecutionNotifications": []}]


def test_a_policy_on_stdin_is_named_by_stdin_filename(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                      ) -> None:
    """An editor pipes its buffer: the output names the file, and its per-file settings apply."""
    from click.testing import CliRunner

    from connectlang.cli import cli
    monkeypatch.chdir(tmp_path)
    (tmp_path / "connectlang.toml").write_text('[per-file-ignores]\n"legacy/" = ["decline"]\n')
    text = "decline if did_business\nelse archive\n"
    named = CliRunner().invoke(cli, ["check", "--format", "github", "-", "--stdin-filename",
                                     "policies/me.conn"], input=text)
    assert named.stdout.startswith("::warning file=policies/me.conn,line=1,col=1,")
    ignored = CliRunner().invoke(cli, ["check", "-", "--stdin-filename", "legacy/old.conn"], input=text)
    assert ignored.stdout == "1 file checked: no problems\n"
    alone = CliRunner().invoke(cli, ["check", "me.conn", "--stdin-filename", "x.conn"])
    assert alone.exit_code == 2 and "give it a path, and `-` among the files" in alone.stderr
