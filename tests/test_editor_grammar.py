"""The TextMate grammar (editors/connectlang.tmLanguage.json) tokenised by the engine VS
Code uses (vscode-textmate with vscode-oniguruma, from the npm registry): it reads every
example and conformance policy as the Pygments lexer does, and knows every keyword."""

from __future__ import annotations

import json
import shutil
import subprocess
from functools import cache

import pytest
from pygments.token import Comment, Keyword, Name, Number, String, _TokenType

from conftest import ROOT
from connectlang.highlight import ConnectlangLexer
from connectlang.keywords import RESERVED
from test_highlight import POLICIES

EDITORS = ROOT / "editors"
pytestmark = pytest.mark.skipif(shutil.which("node") is None,
                                reason="Node.js is not installed: the TextMate engine runs on it")


@cache
def _engine_ready() -> None:
    if (EDITORS / "node_modules" / "vscode-textmate").is_dir():
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed: cannot fetch vscode-textmate")
    done = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--silent"], cwd=EDITORS,
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        pytest.skip(f"npm install failed (no registry?): {done.stderr.strip()[-300:]}")


def tokenise(texts: list[str]) -> list[list[list[tuple[str, list[str]]]]]:
    _engine_ready()
    done = subprocess.run(["node", str(EDITORS / "tokenize.mjs")], input=json.dumps(texts),
                          capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def textmate_kind(scopes: list[str]) -> str:
    for prefix, kind in (("comment", "comment"), ("string", "string"),
                         ("keyword.operator.word", "keyword"), ("keyword.operator", "other"),
                         ("keyword", "keyword"),
                         ("storage", "keyword"), ("constant.language", "keyword"),
                         ("support.type", "keyword"), ("constant", "number"),
                         ("variable", "name"), ("support", "name"), ("invalid", "invalid")):
        if any(scope.startswith(prefix) for scope in scopes[1:]):
            return kind
    return "other"


def pygments_kind(ttype: _TokenType) -> str:
    if ttype in Comment:
        return "comment"
    if ttype in String.Date:
        return "number"
    if ttype in String:
        return "string"
    if ttype in Keyword:
        return "keyword"
    if ttype in Number:
        return "number"
    if ttype in Name:
        return "name"
    return "other"


def kinds_by_character(text: str) -> tuple[list[str], list[str]]:
    ours = [pygments_kind(ttype) for ttype, value in ConnectlangLexer().get_tokens(text)
            for _ in value][:len(text)]
    theirs: list[str] = []
    for line in tokenise([text])[0]:
        for value, scopes in line:
            theirs += [textmate_kind(scopes)] * len(value)
        theirs.append("other")  # the newline
    return ours, theirs[:len(text)]


def test_every_reserved_word_is_a_keyword() -> None:
    words = sorted(RESERVED)
    lines = tokenise(["\n".join(words)])[0]
    assert [(line[0][0], textmate_kind(line[0][1])) for line in lines] == [
        (word, "keyword") for word in words]


@pytest.mark.parametrize(("name", "text"), POLICIES, ids=[name for name, _ in POLICIES])
def test_reads_every_policy_as_the_pygments_lexer_does(name: str, text: str) -> None:
    ours, theirs = kinds_by_character(text)
    assert "invalid" not in theirs
    differences = [(i, text[max(0, i - 10):i + 10], ours[i], theirs[i])
                   for i, char in enumerate(text) if not char.isspace() and ours[i] != theirs[i]]
    assert differences == []


def test_the_manifest_names_the_grammar_and_the_files() -> None:
    manifest = json.loads((EDITORS / "package.json").read_text(encoding="utf-8"))
    (language,) = manifest["contributes"]["languages"]
    (grammar,) = manifest["contributes"]["grammars"]
    assert language["extensions"] == [".conn"] and grammar["language"] == language["id"]
    assert (EDITORS / grammar["path"]).is_file()
    assert (EDITORS / language["configuration"]).is_file()
    assert json.loads((EDITORS / grammar["path"]).read_text())["scopeName"] == grammar["scopeName"]


def test_every_standard_field_and_built_in_has_its_scope() -> None:
    from connectlang.builtins import BUILTIN_VALUES, FUNCTIONS, STANDARD_FIELDS
    names = [*sorted(STANDARD_FIELDS), *sorted(FUNCTIONS), *sorted(BUILTIN_VALUES)]
    lines = tokenise(["\n".join(names)])[0]
    scopes = [line[0][1][-1] for line in lines]
    expected = (["variable.language.field.connectlang"] * len(STANDARD_FIELDS)
                + ["support.function.builtin.connectlang"] * (len(FUNCTIONS) + len(BUILTIN_VALUES)))
    assert scopes == expected
