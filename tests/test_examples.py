"""The bundled examples: the policies check clean and decide every bundled export."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ROOT
from connectlang.cli import cli

EXAMPLES = ROOT / "examples"
POLICIES = sorted(EXAMPLES.glob("*.conn"))
EXPORTS = sorted(p for p in EXAMPLES.glob("linkedin-export*") if p.is_dir())


def test_there_are_policies_and_exports() -> None:
    assert len(POLICIES) >= 2 and len(EXPORTS) >= 3


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.name)
def test_each_example_policy_checks_clean_under_strict(policy: Path) -> None:
    result = CliRunner().invoke(cli, ["check", "--strict", str(policy)])
    assert result.exit_code == 0 and result.stdout.endswith("no problems\n"), result.stdout


def incoming(export: Path) -> int:
    text = next(p for p in export.iterdir() if p.name.lower() == "invitations.csv").read_text(
        encoding="utf-8-sig")
    return len(re.findall(r",INCOMING(?:,|\r?$)", text, re.MULTILINE))


@pytest.mark.parametrize("export", EXPORTS, ids=lambda p: p.name)
@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.name)
def test_each_policy_decides_every_invitation_of_each_export(policy: Path, export: Path) -> None:
    args = ["eval", str(policy), str(export), "--now", "2026-11-01", "--format", "jsonl"]
    if export.name == "linkedin-export":
        args += ["--enrich", str(EXAMPLES / "profiles.csv")]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    decisions = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(decisions) == incoming(export)
    assert all("action" in d for d in decisions)
    if export.name == "linkedin-export":
        assert len({d["action"] for d in decisions}) >= 3


def test_the_readme_runs_on_the_bundled_export() -> None:
    """The README's first command (install, then eval) works as written."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first = re.search(r"```sh\n(.*?)```", readme, re.DOTALL)
    assert first is not None
    command = next(line for line in first.group(1).splitlines() if "connectlang eval" in line)
    words = shlex.split(command[command.index("connectlang eval"):])
    assert any("linkedin-export" in w for w in words)
    result = CliRunner().invoke(cli, [(str(ROOT / w) if (ROOT / w).exists() else w)
                                      for w in words[1:]], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert "already accepted" in result.stdout
