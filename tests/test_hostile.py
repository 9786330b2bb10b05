"""Hostile input: each gives a clear error or works; never a traceback, nothing lost."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from connectlang.cli import cli


def check(tmp_path: Path, content: bytes) -> tuple[int, str]:
    path = tmp_path / "p.conn"
    path.write_bytes(content)
    result = CliRunner().invoke(cli, ["check", str(path), "--format", "json"],
                                catch_exceptions=False)
    return result.exit_code, result.stdout


def codes(out: str) -> list[str]:
    return [d["code"] for d in json.loads(out)["diagnostics"]]


@pytest.mark.parametrize(("content", "expected"), [
    (b"", ["E204"]),
    (b"# only a comment\n# and another\n", ["E204"]),
    (b"accept if " + b"(" * 10_000 + b"did_business" + b")" * 10_000 + b"\nelse archive\n",
     ["E004"]),
    (b"accept if " + b"not " * 10_000 + b"did_business\nelse archive\n", ["E004"]),
    (b"accept if did_business\x00\nelse archive\n", ["E002"]),
    (b'accept if company == "caf\xe9"\nelse archive\n', ["E005"]),
    (b"accept if did_business\nelse archive\n\xff\xfe", ["E005"]),
    (b"accept if sent_within 9999999999999w\nelse archive\n", ["E102"]),
    (b"accept if mutual_connections > " + b"1" * 5_000 + b"\nelse archive\n", ["E103"]),
    (b"accept if sent_within " + b"1" * 5_000 + b" months\nelse archive\n", ["E102"]),
], ids=["empty", "only-comments", "10k-parentheses", "10k-nots", "nul-byte", "latin-1",
        "trailing-garbage", "duration-beyond-timedelta", "5000-digit-integer", "5000-digit-months"])
def test_bad_files_get_one_clear_error(tmp_path: Path, content: bytes,
                                       expected: list[str]) -> None:
    code, out = check(tmp_path, content)
    assert code == 1 and codes(out) == expected


@pytest.mark.parametrize("content", [
    b"".join(b'review if mutual_connections == %d because "r%d"\n' % (i, i)
             for i in range(50_000)) + b"else archive\n",
    b'report if message contains "' + b"x" * 1_000_000 + b'"\nelse archive\n',
    b"accept if " + b" and ".join([b"did_business"] * 10_000) + b"\nelse archive\n",
], ids=["50k-rules", "1MB-string", "10k-and-chain"])
def test_huge_files_work(tmp_path: Path, content: bytes) -> None:
    code, out = check(tmp_path, content)
    assert code == 0 and codes(out) == []


def test_a_50k_rule_policy_evaluates(tmp_path: Path) -> None:
    policy = tmp_path / "p.conn"
    policy.write_text("".join(f"review if mutual_connections == {i}\n" for i in range(50_000))
                      + "else archive\n")
    data = tmp_path / "in.jsonl"
    data.write_text('{"mutual_connections": 49999}\n{}\n')
    result = CliRunner().invoke(cli, ["eval", str(policy), str(data), "--format", "jsonl"])
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["action"], r["line"]) for r in rows] == [("review", 50_000), ("archive", 50_001)]


def test_a_hostile_message_is_matched_in_linear_time(tmp_path: Path) -> None:
    policy = tmp_path / "p.conn"
    policy.write_text("report if message matches /(a+)+$/\nelse archive\n")
    data = tmp_path / "in.jsonl"
    data.write_text(json.dumps({"message": "a" * 100_000 + "!"}) + "\n")
    result = CliRunner().invoke(cli, ["eval", str(policy), str(data), "--format", "jsonl"])
    assert json.loads(result.stdout)["action"] == "archive"


def test_broken_csv_loses_nothing(tmp_path: Path) -> None:
    policy = tmp_path / "p.conn"
    policy.write_text("accept if mutual_connections > 3\nelse archive\n")
    data = tmp_path / "in.csv"
    data.write_bytes(b'name,mutual_connections\nAnn,4\nBob,1,extra,cells\nCy,"5\nDi,\xff\n'
                     b"\x00Eve,9\n")
    result = CliRunner().invoke(cli, ["eval", str(policy), str(data), "--format", "jsonl"])
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.exit_code == 1
    assert [r["record"] for r in rows] == [1, 2, 3, 4, 5]
    assert [("error" in r) for r in rows] == [False, True, True, True, False]


@pytest.mark.parametrize("explain", [False, True])
def test_a_duration_longer_than_the_calendar_reaches_back_to_its_start(explain: bool) -> None:
    """`now - 100000000w` is before year 1: every present time is within it."""
    import connectlang
    from conftest import NOW, utc
    policy = connectlang.compile("accept if sent_within 100000000w\nelse archive\n")
    for sent, action in [(utc("0001-01-01T00:00:00Z"), "accept"), (None, "archive")]:
        assert policy.evaluate({"sent_at": sent}, NOW, explain=explain).action == action


def test_the_deepest_allowed_expression_compiles_and_evaluates() -> None:
    import connectlang
    expr = "did_business"
    for level in range(31):  # parentheses, `and`/`or`, `not`: 62 levels, 64 innermost
        expr = f"(not same_school {'and' if level % 2 else 'or'} {expr})"
    policy = connectlang.compile(f"accept if {expr}\nelse archive\n")
    record = {"did_business": True, "same_school": False}
    assert policy.evaluate(record).action == "accept"
    assert policy.evaluate(record, explain=True).action == "accept"
    assert policy.evaluate({"did_business": True}).action == "archive"  # unknown: not acted on
    too_deep = "accept if " + "(" * 65 + "did_business" + ")" * 65 + "\nelse archive\n"
    with pytest.raises(connectlang.PolicyError, match="more than 64 levels"):
        connectlang.compile(too_deep)


def test_a_lone_surrogate_is_a_bad_value_not_a_crash(tmp_path: Path) -> None:
    import connectlang
    policy = tmp_path / "p.conn"
    policy.write_text("report if message matches /free.*offer/\nelse archive\n")
    data = tmp_path / "in.jsonl"
    data.write_text('{"message": "free \\ud800 offer"}\n{"message": "free offer"}\n')
    result = CliRunner().invoke(cli, ["eval", str(policy), str(data), "--format", "jsonl"])
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.exit_code == 1 and "surrogate" in rows[0]["error"]
    assert rows[1]["action"] == "report"
    compiled = connectlang.compile(policy.read_text())
    with pytest.raises(connectlang.RecordError, match="message"):
        compiled.evaluate({"message": "free \ud800 offer"})


BIG = "1" * 5_000
DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize(("name", "content", "errors"), [
    ("in.csv", f"name,mutual_connections\nA,{BIG}\nB,99999999999999999999\nC,4\n"
               "D,-9223372036854775808\n", ["too large", "too large", None, None]),
    ("in.jsonl", f'{{"mutual_connections": {BIG}}}\n{{"mutual_connections": 1e400}}\n'
                 f'{{"x": {DEEP}}}\n{{"mutual_connections": 4}}\n',
     ["more than 4,300 digits", "is not an int", "nested too deeply", None]),
    ("in.csv", "name,mutual_connections,sent_at\nA,4,9999-12-31T23:59:59-05:00\nB,4,\n",
     ["outside the years 1 to 9999", None]),
    ("in.json", f'[{{"mutual_connections": 4}}, {{"x": {DEEP}}}]',
     [None, "nested too deeply to read; the rest of the file cannot be read"]),
], ids=["csv", "jsonl", "csv-time", "json"])
def test_values_beyond_limits_are_record_errors(
        tmp_path: Path, name: str, content: str, errors: list[str | None]) -> None:
    policy = tmp_path / "p.conn"
    policy.write_text("accept if mutual_connections > 3 and sent_within 30d\nelse archive\n")
    data = tmp_path / name
    data.write_text(content)
    result = CliRunner().invoke(cli, ["eval", str(policy), str(data), "--format", "jsonl"],
                                catch_exceptions=False)
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == len(errors)
    for row, error in zip(rows, errors, strict=True):
        assert (error in row["error"]) if error else "action" in row


def test_a_long_chain_of_lets_is_one_error_at_the_let_too_deep() -> None:
    import connectlang
    lets = [f"let a{i} = a{i - 1} and did_business" for i in range(1, 400)]
    source = "\n".join(["let a0 = same_school", *lets, "accept if a399", "else archive"])
    with pytest.raises(connectlang.PolicyError) as caught:
        connectlang.compile(source)
    [error] = caught.value.diagnostics
    assert error.code == "E004" and "more than 128 levels" in error.message
    assert source[error.span.start:error.span.end] == "a64"  # each let adds `and` and a use
    assert error.help is not None and "`a64` alone is 128 levels deep" in error.help  # allowed


def test_the_deepest_allowed_lets_evaluate_and_lint() -> None:
    """Three lets of 31 levels each, used 31 levels deep: 127 levels written out."""
    import connectlang
    from connectlang.analysis import analyse
    from connectlang.source import Source

    def wrap(inner: str) -> str:
        for level in range(31):
            inner = f"(not same_school {'and' if level % 2 else 'or'} {inner})"
        return inner
    source = "\n".join([f"let a0 = {wrap('did_business')}", f"let a1 = {wrap('a0')}",
                        f"let a2 = {wrap('a1')}", f"accept if {wrap('a2')}", "else archive"])
    policy = connectlang.compile(source)
    record = {"did_business": True, "same_school": False}
    assert policy.evaluate(record).action == policy.evaluate(record, explain=True).action
    assert analyse(Source(source, "p.conn")).diagnostics == []


@pytest.mark.parametrize("doubling", [
    "a{i} = a{j} or a{j}",
    "a{i} = (a{j} and mutual_connections > {i}) or (a{j} and not same_school)",
], ids=["or-itself", "two-branches"])
def test_lets_that_each_use_the_one_before_twice_cost_their_length(doubling: str,
                                                                    tmp_path: Path) -> None:
    """A `let` is computed once (spec section 8), and reasoned about once: 40 such lets,
    2**40 nodes written out, are checked, evaluated and explained at once."""
    lets = [f"let {doubling.format(i=i, j=i - 1)}" for i in range(1, 40)]
    source = "\n".join(["let a0 = did_business", *lets, "accept if a39",
                        "review if a39 or not a39  # unknown when did_business is missing",
                        "report if a39", "else archive", ""])
    path = tmp_path / "p.conn"
    path.write_text(source)
    result = CliRunner().invoke(cli, ["check", str(path), "--format", "json", "--select", "L1"],
                                catch_exceptions=False)
    lints = json.loads(result.stdout)["diagnostics"]
    assert [(d["code"], d["line"]) for d in lints] == [("L101", 43)]  # `report if a39`
    data = tmp_path / "in.csv"
    data.write_text("name,did_business,mutual_connections\nAnn,yes,70\nBob,,\n")
    result = CliRunner().invoke(cli, ["eval", str(path), str(data), "--explain",
                                      "--now", "2026-11-01T00:00:00Z"], catch_exceptions=False)
    assert "Ann" in result.stdout and "Bob" in result.stdout and "2 records" in result.stdout
