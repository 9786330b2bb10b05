"""Decisions: one table of (policy, record, decision) run against both backends, and
property tests that the compiled evaluator and the interpreter always agree."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import connectlang
from conftest import NOW, conditions, utc
from connectlang import checked
from connectlang.evaluate import Decision, Record, explain, track
from connectlang.regex import RegexError, compile_regex, sample


def interpret_decision(policy: checked.Policy, record: Record, now: datetime) -> Decision:
    """The interpreter's decision, without the trace: the reference the compiled
    decider is held to."""
    decision = explain(policy, record, now)
    return Decision(decision.action, decision.line, decision.reason, decision.reply)

# (policy, record, expected action, expected line)
CASES = [
    ("accept if mutual_connections > 5\nelse archive", {"mutual_connections": 6}, "accept", 1),
    ("accept if mutual_connections > 5\nelse archive", {}, "archive", 2),
    ("accept if not (mutual_connections > 5)\nelse archive", {}, "archive", 2),
    ("accept if did_business or mutual_connections > 5\nelse archive", {"did_business": True},
     "accept", 1),
    ("accept if did_business and mutual_connections > 5\nelse archive",
     {"did_business": False}, "archive", 2),
    ("accept if not (did_business and mutual_connections > 5)\nelse archive",
     {"did_business": False}, "accept", 1),
    ("accept if not (did_business or mutual_connections > 5)\nelse archive",
     {"did_business": False}, "archive", 2),
    ("accept if last_interaction is missing\nelse archive", {}, "accept", 1),
    ("accept if not has_message\nelse archive", {}, "accept", 1),
    ("accept if shared_group\nelse archive", {"shared_groups": []}, "archive", 2),
    ("accept if company == \"STRASSE\"\nelse archive", {"company": "Straße"}, "accept", 1),
    ("accept if message matches /straße/i\nelse archive", {"message": "STRASSE"}, "archive", 2),
    ("accept if message matches /^Buy/\nelse archive", {"message": "buy now"}, "archive", 2),
    ("accept if message matches /^Buy/\nelse archive", {"message": "Buy now"}, "accept", 1),
    ("accept if location in [\"Berlin\"]\nelse archive", {"location": "BERLIN"}, "accept", 1),
    ("accept if shared_groups contains \"py\"\nelse archive", {"shared_groups": ["python"]},
     "archive", 2),
    ("accept if headline contains \"py\"\nelse archive", {"headline": "Happy"}, "accept", 1),
    ("accept if shared_groups contains_any [\"A\", \"b\"]\nelse archive",
     {"shared_groups": ["x", "B"]}, "accept", 1),
    ("accept if sent_at within 2d\nelse archive", {"sent_at": utc("2026-12-01T00:00:00Z")},
     "accept", 1),
    ("accept if age(sent_at) > 4w\nelse archive", {"sent_at": utc("2026-09-01T00:00:00Z")},
     "accept", 1),
    ("field vip: bool = true\naccept if vip\nelse archive", {}, "accept", 2),
    ("field vip: bool = true\naccept if vip\nelse archive", {"vip": False}, "archive", 3),
    ("field wait: duration\naccept if sent_at within wait\nelse archive",
     {"wait": timedelta(days=3), "sent_at": utc("2026-10-30T00:00:00Z")}, "accept", 2),
    ("let w = 30d\naccept if interacted_within(w)\nelse archive",
     {"last_interaction": utc("2026-10-20T00:00:00Z")}, "accept", 2),
    ("accept if direction == \"incoming\"\nelse archive", {}, "accept", 1),
    ("accept if first_name == \"ann\"\nelse archive", {"name": "Ann Lee"}, "accept", 1),
    ("accept if last_name == \"lee jr.\"\nelse archive", {"name": " Ann  Lee Jr.\t"}, "accept", 1),
]


@pytest.mark.parametrize(("now", "sent_at", "within"), [
    ("0001-01-01T18:00:00-11:00", "0001-01-01T06:00:00Z", True),  # 23 hours before now
    ("2026-01-01T00:00:00-05:00", "0001-01-01T00:00:00Z", False),  # the first instant there is
    ("2026-01-01T00:00:00+05:00", "2025-12-30T18:00:00Z", False),  # 25 hours before now
])
def test_within_counts_instants_whatever_the_offset_of_now(now: str, sent_at: str, within: bool) -> None:
    """`now - d` is counted in UTC: in now's own clock, a cutoff past the calendar's
    first day was clamped to that day's start in now's offset, hours after the first
    instant, and `age(sent_at) <= d` and `sent_within d` disagreed."""
    policy = connectlang.compile("accept if sent_within 1d or sent_within 999999999d and "
                                 "age(sent_at) > 1d\nelse archive")
    now_, record = utc(now), {"sent_at": utc(sent_at)}
    assert policy.evaluate(record, now=now_).action == "accept"  # in one window or the other
    one_day = connectlang.compile("accept if sent_within 1d\nelse archive")
    assert (one_day.evaluate(record, now=now_).action == "accept") is within
    assert interpret_decision(one_day.checked, record, now_) == one_day.evaluate(record, now=now_)


@pytest.mark.parametrize(("source", "record", "action", "line"), CASES,
                         ids=[c[0].split("\n")[-2][:50] for c in CASES])
def test_decision_table_on_both_backends(source: str, record: dict, action: str,
                                         line: int) -> None:
    policy = connectlang.compile(source)
    compiled = policy.evaluate(record, now=NOW)
    assert (compiled.action, compiled.line) == (action, line)
    assert interpret_decision(policy.checked, record, NOW) == compiled


def test_ask_reply_and_reason() -> None:
    policy = connectlang.compile(
        'ask "Hi {first_name}, {{braces}} {mutual_connections}" if has_message because "unsure"\n'
        "else archive")
    decision = policy.evaluate({"name": "Ann Lee", "message": "hi"}, now=NOW)
    assert decision.reply == "Hi Ann, {braces} "
    assert decision.reason == "unsure"


def test_explain_lists_each_rule_and_the_missing_fields() -> None:
    policy = connectlang.compile("accept if did_business\nreview if mutual_connections > 3\n"
                                 "else archive")
    decision = policy.evaluate({"did_business": False}, now=NOW, explain=True)
    assert decision.trace is not None
    assert [(s.line, s.result, s.missing) for s in decision.trace] == [
        (1, "false", ()), (2, "unknown", ("mutual_connections",))]


def test_a_let_is_computed_at_most_once_per_record() -> None:
    policy = connectlang.compile("let k = company contains \"x\"\naccept if k and did_business\n"
                                 "review if k\nelse archive")
    source = policy._factory.__doc__ or ""
    assert source.count("l_k =") == 1


@pytest.mark.parametrize("explain", [False, True])
@pytest.mark.parametrize(("record", "field"), [
    ({"mutual_connections": "many"}, "mutual_connections"),
    ({"mutual_connections": True}, "mutual_connections"),
    ({"mutual_connections": 1.0}, "mutual_connections"),
    ({"mutual_connections": 2**63}, "mutual_connections"),  # the CLI's readers refuse it too
    ({"did_business": "no"}, "did_business"),  # truthy: would have been accepted
    ({"did_business": 1}, "did_business"),
    ({"shared_groups": "abc"}, "shared_groups"),  # `contains` would test a substring
    ({"last_interaction": datetime(2026, 1, 1)}, "last_interaction"),  # no time zone
])
def test_wrong_python_types_raise_a_record_error_naming_the_field(
        record: dict, field: str, explain: bool) -> None:
    policy = connectlang.compile("accept if mutual_connections > 3 or did_business or "
                                 "shared_groups contains \"a\" or interacted_within 9d\n"
                                 "else archive")
    with pytest.raises(connectlang.RecordError, match=f"field `{field}` should be"):
        policy.evaluate(record, now=NOW, explain=explain)


def test_the_library_refuses_what_is_not_a_record_a_time_or_a_policy() -> None:
    policy = connectlang.compile("accept if did_business\nelse archive")
    with pytest.raises(connectlang.RecordError, match="a record is a dict"):
        policy.evaluate(None, now=NOW)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="timezone-aware datetime"):
        policy.evaluate({}, now=datetime(2026, 1, 1))
    with pytest.raises(TypeError, match="timezone-aware datetime"):
        policy.decider("2026-01-01")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="a policy is text"):
        connectlang.compile(b"else archive")  # type: ignore[arg-type]


def test_a_policy_with_errors_raises_policy_error_with_diagnostics() -> None:
    """Its text names every error, not only the first; render() is what `check` shows."""
    with pytest.raises(connectlang.PolicyError) as info:
        connectlang.compile("accept if shared_grp\nreview if mutual_connections > \"x\"\n"
                            "else archive", filename="me.conn")
    assert [d.code for d in info.value.diagnostics] == ["E201", "E301"]
    assert str(info.value).splitlines() == [
        "2 errors in me.conn", "me.conn:1:11: error[E201]: unknown name `shared_grp`",
        "me.conn:2:32: error[E301]: cannot compare an int with a string: `>` needs two values of "
        "the same type"]
    assert "  1 | accept if shared_grp\n    |           ^^^^^^^^^^\n" in info.value.render()
    assert "did you mean `shared_group`?" in info.value.render()
    assert [(e["line"], e["column"], e["end_column"]) for e in info.value.to_json()] == [
        (1, 11, 21), (2, 32, 35)]


# -- property: both backends agree on random policies and records -------------

FIELDS = {
    "mutual_connections": st.integers(0, 12),
    "did_business": st.booleans(),
    "same_school": st.booleans(),
    "company": st.sampled_from(["Acme", "ACME", "Straße", "strasse", "", "Initech"]),
    "message": st.sampled_from(["", "free stuff", "Click HERE", "hello", "Buy now"]),
    "shared_groups": st.lists(st.sampled_from(["Py", "py", "Rust", "Go"]), max_size=3),
    "last_interaction": st.sampled_from(
        [utc("2026-10-30T00:00:00Z"), utc("2026-01-01T00:00:00Z"), utc("2027-01-01T00:00:00Z")]),
}

TESTS = st.sampled_from([
    "mutual_connections > 3", "mutual_connections <= 5", "mutual_connections == 0",
    "did_business", "same_school", "did_business == false", "company == \"acme\"",
    "company != \"strasse\"", "company in [\"ACME\", \"Initech\"]", "company starts_with \"st\"",
    "message contains \"free\"", "message matches /free|click here/i", "message matches /^Buy/",
    "message contains_any [\"hello\", \"buy\"]", "shared_groups contains \"py\"",
    "shared_groups contains_any [\"go\", \"rust\"]", "shared_group", "has_message",
    "interacted_within 30d", "last_interaction is missing", "company is not missing",
    "count(shared_groups) >= 2", "length(company) > 4", "age(last_interaction) > 1w",
    "known", "true", "false",
])


@st.composite
def policies(draw: st.DrawFn) -> str:
    known = draw(conditions(TESTS, 1)).replace("known", "did_business")
    rules = draw(st.lists(conditions(TESTS), min_size=1, max_size=4))
    actions = ["accept", "archive", "review", "report", 'ask "hi {first_name} {mutual_connections}"']
    lines = [f"let known = {known}"]
    lines += [f"{draw(st.sampled_from(actions))} if {rule}" for rule in rules]
    return "\n".join([*lines, "else archive"])


records = st.fixed_dictionaries({}, optional={**FIELDS, "name": st.sampled_from(["Ann Lee", "Bo"])})


@settings(max_examples=300, deadline=None)
@given(policies(), st.lists(records, min_size=1, max_size=5))
def test_compiled_and_interpreted_evaluation_agree(source: str, batch: list[dict]) -> None:
    policy = connectlang.compile(source)
    for record in batch:
        assert policy.evaluate(record, now=NOW) == interpret_decision(policy.checked, record, NOW)


ATOMS = st.sampled_from(["ab", "k", "ss", "x", "free", ".", r"\d", r"\w", r"\s", r"\b", r"\.",
                         r"\|", r"\x41", r"\x{41}", r"\pL", r"\p{Greek}", r"\PN", r"\Qa|b\E",
                         "[a-c]", "[^]|]", "[[:digit:]|]", "(ab|c)", "(?i:k)", "^", "$"])
QUANTIFIERS = st.sampled_from(["", "", "*", "+", "?", "{2}", "{0,2}", "{1,}", "+?", "{3}"])
PATTERNS = st.lists(st.lists(st.tuples(ATOMS, QUANTIFIERS).map("".join), min_size=1, max_size=4)
                    .map("".join), min_size=1, max_size=3).map("|".join)
TEXT = st.lists(st.sampled_from([*"abcdefklorsuxyzBFCKS ſK\u212a/-|.]0123456789ßẞAαΓ\n",  # noqa: RUF001
                                 "ab", "free", "ss", "a|b", "123"]), max_size=15).map("".join)


@settings(max_examples=2000, deadline=None)
@given(PATTERNS, st.sampled_from(["", "i", "is", "m"]), TEXT)
def test_regex_prefilter_never_hides_a_match(pattern: str, flags: str, text: str) -> None:
    try:
        regex = compile_regex(pattern, flags)
    except RegexError:
        assume(False)
    assert regex.matches(text) == regex.search(text)


@pytest.mark.parametrize(("pattern", "text"), [
    (r"\d{3}", "call 555"), (r"\w{2,}x", "abx"), (r"\x{41}bc", "Abc"), (r"\p{Greek}bc", "\u03b1bc"),
    (r"\Qab\E*", "a"), (r"a.{10}bc", "a0123456789bc"), (r"ab|[^]|]cd", "xcd"),
])
def test_regex_prefilter_keeps_these_matches(pattern: str, text: str) -> None:
    """Quantifiers and escapes that an early prefilter misread as required text."""
    assert compile_regex(pattern, "").matches(text)


@settings(max_examples=200, deadline=None)
@given(policies(), st.lists(records, min_size=1, max_size=5))
def test_the_tracking_decider_agrees_with_the_trace(source: str, batch: list[dict]) -> None:
    """What a run's summary counts (a rule left unknown was passed over; the deciding
    rule tested a missing value) is the same whether compiled or read off a trace."""
    policy = connectlang.compile(source)
    tracked = policy.tracking_decider(NOW)
    for record in batch:
        explained = policy.evaluate(record, now=NOW, explain=True)
        decision, *facts = tracked(record)
        assert decision == policy.evaluate(record, now=NOW)
        assert tuple(facts) == track(policy.checked, explained, record)[1:]


@pytest.mark.parametrize(("source", "record", "facts"), [
    ("accept if did_business\nelse archive", {}, (True, False)),
    ("accept if did_business or mutual_connections > 3\nelse archive", {"did_business": True},
     (False, True)),
    ("accept if mutual_connections is missing\nelse archive", {}, (False, False)),
    ("accept if did_business\nreview if same_school\nelse archive",
     {"did_business": False, "same_school": True}, (False, False)),
    ("review if did_business\naccept if same_school\nelse archive", {"same_school": True},
     (True, False)),
], ids=["default after unknown", "fired with a missing value", "is missing never unknown",
        "all known", "passed over one unknown"])
def test_tracking_facts(source: str, record: dict, facts: tuple[bool, bool]) -> None:
    assert connectlang.compile(source).tracking_decider(NOW)(record)[2:] == facts


@pytest.mark.parametrize(("record", "missing"), [
    ({"mutual_connections": 5}, ("last_interaction",)),  # the `or` is true already
    ({"mutual_connections": 1}, ("did_business", "last_interaction")),
    ({"mutual_connections": 1, "did_business": False}, ()),  # false, not unknown
])
def test_the_trace_names_only_the_missing_fields_that_leave_a_rule_unknown(
        record: dict, missing: tuple[str, ...]) -> None:
    policy = connectlang.compile("accept if (did_business or mutual_connections >= 3) and "
                                 "interacted_within 90d\nelse archive")
    trace = policy.evaluate(record, now=NOW, explain=True).trace
    assert trace is not None and trace[0].missing == missing


@pytest.mark.parametrize(("pattern", "flags"), [
    ("free|click here", "i"), ("^hi (there|you)$", ""), ("[^a-z]+x\\d{3}", ""),
    ("\\bcrypto\\b", "i"), ("(?P<n>ab)*c", ""), ("(?i)webinar.*free", "")])
def test_a_regex_sample_is_a_text_it_matches(pattern: str, flags: str) -> None:
    regex = compile_regex(pattern, flags)
    text = sample(regex)
    assert text is not None and regex.search(text)


@pytest.mark.parametrize("pattern", ["\\pL+", "[[:digit:]]{2}", "\\C", "a{2,1000}"])
def test_a_regex_sample_is_only_a_guess_for_what_python_reads_otherwise(pattern: str) -> None:
    """The linter tries a sample as a record's text and RE2 has the last word: RE2
    syntax Python reads differently gives no sample or one RE2 refuses, never an error."""
    text = sample(compile_regex(pattern, ""))
    assert text is None or isinstance(text, str)


def test_a_policy_shows_its_name_file_and_rules() -> None:
    policy = connectlang.compile('policy "me"\naccept if did_business\nelse archive',
                                 filename="me.conn")
    assert repr(policy) == "<Policy 'me' from me.conn: 1 rule and the default>"
