"""The Pygments lexer and `connectlang highlight`.

Golden token files (tests/golden/highlight/*.txt) are in Pygments' snippet format:
`---input---`, the policy, `---tokens---`, one token a line. Regenerate the token part
with CONNECTLANG_REGEN=1."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
from pygments.token import Error, Keyword, Token, _TokenType

from conftest import ROOT

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]
from connectlang.cli import cli
from connectlang.highlight import ConnectlangLexer
from connectlang.keywords import RESERVED

GOLDEN = ROOT / "tests" / "golden" / "highlight"
CONFORMANCE = ROOT.parent / "shared" / "conformance" / "cases"


def tokens(text: str) -> list[tuple[_TokenType, str]]:
    return list(ConnectlangLexer().get_tokens(text))


def snippet_tokens(text: str) -> str:
    """Pygments' own snippet layout: the value's repr, padded, then the type."""
    return "".join(f"{value!r:<13} {str(ttype)[len('Token.'):]}\n" for ttype, value in tokens(text))


@pytest.mark.parametrize("path", sorted(GOLDEN.glob("*.txt")), ids=lambda p: p.stem)
def test_tokens_match_golden_file(path: Path) -> None:
    content = path.read_text(encoding="utf-8")
    source, _, expected = content.partition("\n---tokens---\n")
    source = source.removeprefix("---input---\n").removesuffix("\n")
    if os.environ.get("CONNECTLANG_REGEN"):
        path.write_text(f"---input---\n{source}\n---tokens---\n{snippet_tokens(source)}",
                        encoding="utf-8")
        return
    assert snippet_tokens(source) == expected


def conformance_policies() -> Iterable[tuple[str, str]]:
    for path in sorted(CONFORMANCE.glob("*.toml")):
        cases = tomllib.loads(path.read_text(encoding="utf-8"))
        for kind in ("eval", "check"):
            for case in cases.get(kind, []):
                yield f"{path.stem}: {case['name']}", case["rules"]


POLICIES = [(p.name, p.read_text(encoding="utf-8")) for p in sorted(ROOT.glob("examples/*.conn"))]
POLICIES += list(conformance_policies())


@pytest.mark.skipif(not CONFORMANCE.is_dir(), reason="the conformance cases (../shared) are not beside "
                    "this repository")
def test_there_are_policies_to_read() -> None:
    assert len(POLICIES) > 50


@pytest.mark.parametrize(("name", "text"), POLICIES, ids=[name for name, _ in POLICIES])
def test_no_error_token_and_nothing_lost(name: str, text: str) -> None:
    found = tokens(text)
    assert [value for ttype, value in found if ttype in Error] == []
    # Pygments ends the text with a newline; otherwise every character is kept.
    assert "".join(value for _, value in found).rstrip("\n") == text.rstrip("\n")


@pytest.mark.parametrize("word", sorted(RESERVED))
def test_every_reserved_word_is_a_keyword(word: str) -> None:
    ((ttype, value), _newline) = tokens(word)
    assert value == word and ttype in Keyword


def test_names_that_start_with_a_keyword_are_names() -> None:
    for text in ("acceptance", "iffy", "contains_all", "has_messages", "missing_x", "notes"):
        assert tokens(text)[0] == (Token.Name, text)


def test_registered_with_pygments() -> None:
    assert isinstance(get_lexer_by_name("connectlang"), ConnectlangLexer)
    assert isinstance(get_lexer_by_name("conn"), ConnectlangLexer)
    assert isinstance(get_lexer_for_filename("policies/me.conn"), ConnectlangLexer)


def test_pygmentize_finds_the_lexer_by_file_name() -> None:
    pygmentize = Path(sys.executable).parent / "pygmentize"
    result = subprocess.run([str(pygmentize), "-f", "raw", str(ROOT / "examples" / "selective.conn")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Token.Keyword.Action\t'accept'" in result.stdout


# -- connectlang highlight -------------------------------------------------------------

POLICY = 'accept if shared_group and interacted_within 90d\nelse archive because "no"\n'
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture
def policy(tmp_path: Path) -> Path:
    path = tmp_path / "me.conn"
    path.write_text(POLICY, encoding="utf-8")
    return path


def test_plain_when_not_a_terminal(policy: Path) -> None:
    result = CliRunner().invoke(cli, ["highlight", str(policy)])
    assert result.exit_code == 0
    assert result.output == POLICY


def test_colour_when_asked(policy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("COLORTERM", raising=False)
    result = CliRunner().invoke(cli, ["highlight", "--color", str(policy)])
    assert "\x1b[38;5;" in result.output  # 256 colours
    assert ANSI.sub("", result.output) == POLICY
    monkeypatch.setenv("COLORTERM", "truecolor")
    result = CliRunner().invoke(cli, ["highlight", "--color", str(policy)])
    assert "\x1b[38;2;" in result.output  # 24-bit colour
    assert ANSI.sub("", result.output) == POLICY


def test_no_color_turns_colour_off_but_a_flag_wins(policy: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """no-color.org: NO_COLOR stops colour by default; an explicit flag overrides it."""
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setattr("connectlang.cli.colour_for", lambda stream: not os.environ.get("NO_COLOR"))
    assert CliRunner().invoke(cli, ["highlight", str(policy)]).output == POLICY
    assert "\x1b[" in CliRunner().invoke(cli, ["highlight", "--color", str(policy)]).output
    assert CliRunner().invoke(cli, ["highlight", "--no-color", str(policy)]).output == POLICY


def test_reads_standard_input() -> None:
    result = CliRunner().invoke(cli, ["highlight", "--format", "html", "-"], input=POLICY)
    assert result.exit_code == 0 and "<title>standard input</title>" in result.output


def test_html_is_a_standalone_page(policy: Path) -> None:
    result = CliRunner().invoke(cli, ["highlight", "--format", "html", str(policy)])
    assert result.exit_code == 0
    page = result.output
    assert page.startswith("<!DOCTYPE html") and "</html>" in page
    assert "<style" in page and ".k-Action" in page  # the CSS comes with it
    assert '<span class="k k-Action">accept</span>' in page
    assert "<title>me.conn</title>" in page


def test_highlight_in_a_real_terminal_uses_colour(policy: Path) -> None:
    """On a terminal (a pty), colour without being asked; a subprocess run of the command."""
    pytest.importorskip("pty")
    script = (f"import pty, sys; sys.exit(pty.spawn([{sys.executable!r}, '-m', 'connectlang', "
              f"'highlight', {str(policy)!r}]) >> 8)")
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60, env=env)
    assert result.returncode == 0
    assert b"\x1b[" in result.stdout and b"interacted_within" in result.stdout


def test_unreadable_file_is_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["highlight", str(tmp_path / "absent.conn")])
    assert result.exit_code == 2


def test_html_screenshot_in_headless_chromium(policy: Path, tmp_path: Path) -> None:
    """Render the page as a browser does and check the picture has colour in it."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium)")
    page = tmp_path / "page.html"
    page.write_text(CliRunner().invoke(
        cli, ["highlight", "--format", "html", str(ROOT / "examples" / "selective.conn")]).output,
        encoding="utf-8")
    shot = tmp_path / "shot.png"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,900",
                    f"--screenshot={shot}", page.as_uri()],
                   capture_output=True, timeout=120, check=False)
    assert shot.exists()
    with Image.open(shot) as image:
        # Text in the style's colours, not a blank page or black text only: count the
        # strongly coloured pixels (antialiasing alone gives few of them).
        colours = image.convert("RGB").getcolors(maxcolors=1 << 24) or []
        palette = {(r // 32, g // 32, b // 32) for _, (r, g, b) in colours
                   if max(r, g, b) - min(r, g, b) > 80}
    assert len(palette) >= 5
