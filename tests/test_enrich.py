"""`eval --enrich FILE`: more fields per person, joined on the profile address, else the name."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from connectlang.cli import cli

INPUT = """Name,Profile URL,Mutual Connections
Jürgen Müller,https://www.linkedin.com/in/jürgen-müller-4a1b,
Kwame Mensah,,
Ana Sousa,https://www.linkedin.com/in/ana-sousa,7
David Kim,https://www.linkedin.com/in/david-kim-2,
"""
ENRICH = """Profile URL,Name,Headline,Mutual Connections,Shared Groups,Known From
https://www.linkedin.com/in/j%C3%BCrgen-m%C3%BCller-4a1b/,Jürgen Müller,CMO,12,Brand Forum; CMI,Twitter
,Kwame Mensah,Founder,3,,blog comments
https://www.linkedin.com/in/ana-sousa,Ana Sousa,Designer,1,[],
https://www.linkedin.com/in/david-kim-1,David Kim,Editor,40,,
https://www.linkedin.com/in/valeria-montes,Valeria Montes,Consultant,2,,
"""
POLICY = """field known_from: list = []
accept if mutual_connections >= 10 because "many in common"
review if count(known_from) > 0
ask "Hi {first_name}, {headline}?" if mutual_connections >= 5
else archive
"""
NOW = ["--now", "2026-11-01T00:00:00Z"]


def run(tmp_path: Path, *enrich: str, policy: str = POLICY, fmt: str = "jsonl") -> tuple[int, str, str]:
    (tmp_path / "me.conn").write_text(policy, encoding="utf-8")
    (tmp_path / "in.csv").write_text(INPUT, encoding="utf-8")
    args = ["eval", str(tmp_path / "me.conn"), str(tmp_path / "in.csv"), *NOW, "--format", fmt]
    for path in enrich:
        args += ["--enrich", path]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def decisions(out: str) -> list[tuple[str, str, str | None]]:
    return [(o["name"], o["action"], o["reply"]) for o in map(json.loads, out.splitlines())]


def test_joined_on_address_else_name_and_typed_by_the_policy(tmp_path: Path) -> None:
    (tmp_path / "people.csv").write_text(ENRICH, encoding="utf-8")
    code, out, _ = run(tmp_path, str(tmp_path / "people.csv"))
    assert code == 0
    assert decisions(out) == [
        ("Jürgen Müller", "accept", None),   # percent-encoded with a trailing `/`: the same address
        ("Kwame Mensah", "review", None),    # no address on either side: joined on the name
        ("Ana Sousa", "ask", "Hi Ana, Designer?"),  # the record's own 7 is kept over the file's 1
        ("David Kim", "archive", None),      # same name, another address: another person
    ]


def test_unmatched_rows_are_counted_and_named(tmp_path: Path) -> None:
    (tmp_path / "people.csv").write_text(ENRICH, encoding="utf-8")
    _, out, _ = run(tmp_path, str(tmp_path / "people.csv"), fmt="table")
    assert f"enrichment {tmp_path}/people.csv: 5 rows, 5 people" in out
    assert (f"{tmp_path}/people.csv: 2 rows matching no record: line 5 (David Kim), "
            "line 6 (Valeria Montes)") in out


def test_the_first_file_that_gives_a_field_wins(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text('{"name": "Kwame Mensah", "mutual_connections": 11}\n')
    (tmp_path / "b.json").write_text('[{"name": "Kwame Mensah", "mutual_connections": 1, '
                                     '"known_from": ["Twitter"]}]')
    _, out, _ = run(tmp_path, str(tmp_path / "a.jsonl"), str(tmp_path / "b.json"))
    assert decisions(out)[1] == ("Kwame Mensah", "accept", None)
    _, out, _ = run(tmp_path, str(tmp_path / "b.json"), str(tmp_path / "a.jsonl"))
    assert decisions(out)[1] == ("Kwame Mensah", "review", None)


def test_a_bad_enrichment_row_is_reported_and_the_run_goes_on(tmp_path: Path) -> None:
    (tmp_path / "people.csv").write_text(ENRICH.replace(",12,", ",twelve,"), encoding="utf-8")
    code, out, err = run(tmp_path, str(tmp_path / "people.csv"))
    assert code == 1 and len(out.splitlines()) == 4
    assert (f"{tmp_path}/people.csv:2:77: field `mutual_connections`: `twelve` is not a whole "
            "number") in err


def test_a_missing_enrichment_file_cannot_run(tmp_path: Path) -> None:
    code, _, err = run(tmp_path, str(tmp_path / "nowhere.csv"))
    assert code == 2 and "nowhere.csv" in err
