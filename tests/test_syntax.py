"""The generated parser (`_parser.py`) is the grammar's: fresh, and parsing as Lark would."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

from conftest import ROOT
from connectlang import _parser, lower, syntax
from connectlang.source import Source


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate", ROOT / "grammar" / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("generate", module)
    spec.loader.exec_module(module)
    return module


generate = _generator()

# Every policy at hand, well-formed or not: examples, golden diagnostics, and a few
# broken snippets that exercise error recovery.
TEXTS = [p.read_text(encoding="utf-8") for p in sorted(
    [*(ROOT / "examples").glob("*.conn"), *(ROOT / "tests" / "golden").rglob("*.conn")])]
TEXTS += ["accept if", "accept if a ==", "let = 3", "else else", 'ask "x {y}" if (a or',
          "accept if a in [1, 2", "report if b /x/ because", "field f: int = 1\nelse archive"]


def test_the_generated_parser_is_from_the_current_grammar() -> None:
    recorded = re.search(r"^# grammar sha256: (\w+)$", Path(_parser.__file__).read_text(
        encoding="utf-8"), re.MULTILINE)
    grammar = generate.GRAMMAR.read_text(encoding="utf-8")
    assert recorded and recorded.group(1) == generate.grammar_digest(grammar), (
        "grammar/connectlang.lark changed: run `python grammar/generate.py`")


def test_the_generated_parser_parses_as_lark_does(monkeypatch: pytest.MonkeyPatch) -> None:
    assert len(TEXTS) > 20
    generated = [syntax.parse(Source(text)) for text in TEXTS]
    import lark

    built = generate.lark_parser(**syntax.runtime_options())
    monkeypatch.setattr(syntax, "_parser", lambda: built)
    monkeypatch.setattr(syntax, "UnexpectedToken", lark.exceptions.UnexpectedToken)
    monkeypatch.setattr(lower, "Token", lark.Token)
    assert [syntax.parse(Source(text)) for text in TEXTS] == generated


@pytest.mark.parametrize(("text", "message", "help"), [
    ("2025-02-30", "February 2025 has days 01 to 28", None),
    ("2025-13-1", "there is no month 13: months are 01 to 12", None),
    ("2025-01-31T25:00", "hours are 00 to 23", None),
    ("2025-01-31T10:00:00+02:60", "an offset's minutes and seconds are 00 to 59", None),
    ("2025-1-31T09:30Z", "months take two digits", "write `2025-01-31T09:30Z`"),
    ("2025-1-31T9:30Z", "months and hours take two digits", "write `2025-01-31T09:30Z`"),
    ("2025-01-31T9:5:7+02:00", "hours, minutes and seconds take two digits",
     "write `2025-01-31T09:05:07+02:00`"),
])
def test_a_bad_time_says_which_part_is_wrong_and_helps_only_with_a_fix(
        text: str, message: str, help: str | None) -> None:
    from connectlang.literals import LiteralError, parse_time

    with pytest.raises(LiteralError) as caught:
        parse_time(text)
    assert str(caught.value).endswith(message) and caught.value.help == help


def test_an_unquoted_reason_is_quoted_up_to_the_next_item_on_its_line() -> None:
    _, diagnostics = syntax.parse(Source('accept if did_business because we met else archive\n'))
    assert [d.help for d in diagnostics] == ['put it in double quotes: `because "we met"`']


@pytest.mark.parametrize(("text", "read_as"), [
    ("accept if did_business because in my network", 'accept if did_business because "in my network"'),
    ("accept if x because we don't report spam", 'accept if x because "we don\'t report spam"'),
    ('accept if x because he said "hi" else archive', 'accept if x because "he said \\"hi\\"" else archive'),
    ("ask Hi {first_name}, ok? if x", 'ask "Hi {first_name}, ok?" if x'),
    ('ask f"Hi {first_name}" if x', 'ask "Hi {first_name}" if x'),
    ('review if message matches R"a/b"', "review if message matches /a\\/b/"),
    ('review if message contains r"\\d"', 'review if message contains "\\\\d"'),
    ("review if a && b || !c", "review if a and b or not c"),
    ("let x =!vip", "let x = not vip"),
    ("review if company == 'Acme' // a note", 'review if company == "Acme"'),
    ("ask Please review if x", 'ask "Please review" if x'),
    ("ask f'Hi {first_name}' if x", 'ask "Hi {first_name}" if x'),
    ('review if message matches r"a\\/b"', "review if message matches /a\\/b/"),
    ("policy my rules let x = y", 'policy "my rules" let x = y'),
    ("accept if x because we met // at school", 'accept if x because "we met"'),
    ("-- a note\nreview if x /* old */ and y", "review if x and y"),
    ("/* my policy,\n   for 2026 */\nreview if x and y", "review if x and y"),
    ("review if x /* was: or vip\n */ and y", "review if x and y"),
    ("/* a note never closed\nreview if x", "review if x"),
    ("/* for accept/archive\n   decisions */\nreview if x", "review if x"),  # its first line a regex
    ("/* for accept/archive, never closed\nreview if x", "review if x"),
    ("/* one\n*/ review if x /* two\nlines */", "review if x"),  # a second where the first ends
    ("/* never closed\nreview if x\nreview if message matches /a*/",
     "review if x\nreview if message matches /a*/"),  # a `*/` in a regex closes nothing
    ("review if message contains 'it''s free'", 'review if message contains "it\'s free"'),
])
def test_a_slip_with_a_sure_fix_is_parsed_as_that_fix(text: str, read_as: str) -> None:
    module, diagnostics = syntax.parse(Source(text + "\n"))
    fixed, clean = syntax.parse(Source(read_as + "\n"))
    assert diagnostics and not clean
    assert [type(item).__name__ for item in module.items] == [type(item).__name__ for item in fixed.items]
    assert syntax.tokens(read_as) == [token.value for token in _read(text)]


def _read(text: str) -> list[str]:
    """The token values the parser is given for `text`."""
    with syntax._lock:
        return syntax._lex(Source(text), [])[0]


def test_a_regex_after_matches_is_never_read_as_a_c_comment() -> None:
    module, diagnostics = syntax.parse(Source("review if message matches /*x*/\nelse archive\n"))
    assert diagnostics == [] and len(module.items) == 2  # (RE2 then says what is wrong with it)
    from connectlang.analysis import analyse
    found = analyse(Source('accept if message matches /*spam\nreview if headlin == "x"\n'
                           "decline if headline matches /ceo*/\nelse archive\n")).diagnostics
    assert [d.code for d in found] == ["E003", "E201"]  # the lines up to the next `*/` still read


def test_a_place_inside_words_read_as_a_string_is_where_it_was_written() -> None:
    from connectlang.analysis import analyse

    source = Source('ask Hi {frist_name}, where did we meet? if has_message\nelse archive\n')
    found = [d for d in analyse(source).diagnostics if d.code == "E201"]
    assert [source.position(d.span.start) for d in found] == [(1, 8)]


def test_bad_input_without_a_sure_fix_still_costs_its_item_and_nothing_else() -> None:
    module, diagnostics = syntax.parse(Source('accept if @ mutual_connections > "ten"\nelse archive\n'))
    assert [d.code for d in diagnostics] == ["E002"] and len(module.items) == 1  # the default


@pytest.mark.parametrize(("regex", "fixed"), [
    ("/https?://bit\\.ly/i", "/https?:\\/\\/bit\\.ly/i"),  # the flag kept
    ("/a/b/ and has_message  # x/y", "/a\\/b/"),  # up to the first end a space follows
    ("/a\\\\/b/c/ and has_message", "/a\\\\\\/b\\/c/"),  # `\\` is an escaped backslash
])
def test_a_slash_inside_a_regex_gets_the_whole_regex_escaped(regex: str, fixed: str) -> None:
    _, diagnostics = syntax.parse(Source(f"report if message matches {regex}\nelse archive\n"))
    assert [d.help for d in diagnostics] == [f"write a `/` inside a regex as `\\/`: `{fixed}`"]


@pytest.mark.parametrize("cell", ["2026-07-08T09:30:00+0260", "2026-07-08T09:30:00+02:00:60"])
def test_an_offset_minute_past_59_is_an_error_not_the_next_hour(cell: str) -> None:
    from connectlang.literals import LiteralError, parse_time_cell

    with pytest.raises(LiteralError, match="an offset's minutes and seconds are 00 to 59"):
        parse_time_cell(cell)


def test_a_name_before_an_action_is_a_misspelt_default_and_one_error() -> None:
    module, diagnostics = syntax.parse(Source("accept if did_business\nfoo archive\n"))
    assert [(d.code, d.help) for d in diagnostics] == [("E001", "did you mean `else archive`?")]
    assert module.broken_default  # so no "the policy has no default" as well


def test_a_run_of_pasted_characters_is_named_by_its_start_and_length() -> None:
    _, diagnostics = syntax.parse(Source("accept if did_business" + "\u200b" * 100_000 + "\nelse archive\n"))
    assert [d.message for d in diagnostics] == ["unexpected characters `\\u200b` (100,000 of them)"]
