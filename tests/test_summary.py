"""The run's summary: the end of the table, and `eval --summary` on stderr."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from connectlang.cli import cli

POLICY = """report if message contains "free" because "pitch"
accept if did_business or mutual_connections >= 10
review if same_school
ask "Hi {first_name}?" if has_message
else archive because "strangers"
"""
CSV = """Name,Message,Did Business,Mutual Connections,Same School
Ann Lee,Get it free,,,
Bob Stone,,yes,,
Cy Young,,no,3,no
Di Ng,,,,
Eve Moss,,,many,
"""
NOW = ["--now", "2026-11-01T00:00:00Z"]


def run(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    (tmp_path / "me.conn").write_text(POLICY)
    (tmp_path / "in.csv").write_text(CSV)
    result = CliRunner().invoke(cli, ["eval", str(tmp_path / "me.conn"), str(tmp_path / "in.csv"),
                                      *NOW, *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


EXPECTED = (Path(__file__).parent / "golden" / "summary" / "table-end.txt").read_text(encoding="utf-8")


def test_the_table_ends_with_the_summary(tmp_path: Path) -> None:
    code, out, _ = run(tmp_path)
    assert code == 1  # Eve's `many` is not a number
    assert out.endswith("\n\n" + EXPECTED)


@pytest.mark.parametrize("explain", [[], ["--explain"]], ids=["compiled", "explained"])
def test_summary_goes_to_stderr_and_leaves_jsonl_clean(tmp_path: Path, explain: list[str]) -> None:
    _, out, err = run(tmp_path, "--format", "jsonl", "--summary", *explain)
    assert [json.loads(line)["record"] for line in out.splitlines()] == [1, 2, 3, 4, 5]
    assert err == EXPECTED


def test_no_summary_unless_asked_for_machine_formats(tmp_path: Path) -> None:
    _, _, err = run(tmp_path, "--format", "csv")
    assert err == ""


def test_a_declared_field_no_input_has_is_named_with_its_default(tmp_path: Path) -> None:
    """Not silence: a rule on a misspelt column never fires, and the summary says why."""
    (tmp_path / "me.conn").write_text("field known_form: list = []\nfield vip: bool\n"
                                      "accept if count(known_form) > 0 or vip\nelse archive\n")
    (tmp_path / "in.csv").write_text("Name,Known From\nAnn Lee,school\n")
    result = CliRunner().invoke(cli, ["eval", str(tmp_path / "me.conn"), str(tmp_path / "in.csv"), *NOW])
    lines = result.stdout.splitlines()
    assert "`vip` is in no input: it is missing on every record; give it with --enrich FILE" in lines
    assert "`known_form` is in no input: every record took its default; check the column's name" in lines
