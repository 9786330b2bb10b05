"""The package: the wheel holds the generated parser, one keyword list is the truth, and
the pre-commit hooks run."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import ROOT
from connectlang.keywords import RESERVED


def test_reserved_words_are_the_grammars_keywords() -> None:
    grammar = (ROOT / "grammar" / "connectlang.lark").read_text(encoding="utf-8")
    keywords = set(re.findall(r'"([a-z_]+)"', grammar))
    assert keywords == RESERVED


def test_the_wheel_holds_the_generated_parser(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path), str(ROOT)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    (wheel,) = tmp_path.glob("connectlang-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "connectlang/_parser.py" in names
    assert "connectlang/cli.py" in names


def test_each_pre_commit_hook_runs_as_pre_commit_calls_it(tmp_path: Path) -> None:
    """pre-commit runs a hook's `entry` with the changed files after it: check passes a
    clean policy and fails a broken one; fmt rewrites a file and fails, then passes."""
    from click.testing import CliRunner

    from connectlang.cli import cli
    hooks = re.findall(r"^- id: (\S+)\n(?:  .*\n)*?  entry: connectlang (.+)$",
                       (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"), re.MULTILINE)
    assert [name for name, _ in hooks] == ["connectlang-check", "connectlang-fmt"]
    entries = dict(hooks)
    policy = tmp_path / "p.conn"
    policy.write_text("accept   if did_business\nelse archive\n")
    check = entries["connectlang-check"].split()
    assert CliRunner().invoke(cli, [*check, str(policy)]).exit_code == 0
    policy.write_text("decline if did_business\nelse archive\n")  # a warning, which --strict fails
    assert CliRunner().invoke(cli, [*check, str(policy)]).exit_code == 1
    policy.write_text("accept   if did_business  else archive\n")
    fmt = entries["connectlang-fmt"].split()
    assert CliRunner().invoke(cli, [*fmt, str(policy)]).exit_code == 0
    assert policy.read_text().splitlines()[1] == "else archive"  # rewritten: pre-commit fails it
    assert CliRunner().invoke(cli, ["fmt", "--check", str(policy)]).exit_code == 0
