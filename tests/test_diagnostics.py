"""Golden files: each `.conn` under golden/diagnostics has the full text `connectlang
check` prints for it beside it (`.txt`). Regenerate with CONNECTLANG_REGEN=1."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import ROOT
from connectlang.analysis import analyse
from connectlang.cli import diagnose
from connectlang.diagnostics import render_text
from connectlang.lint.config import Settings
from connectlang.source import Source

GOLDEN = ROOT / "tests" / "golden" / "diagnostics"
CASES = sorted(GOLDEN.glob("*.conn"))


def rendered(path: Path) -> str:
    """Every diagnostic of a file in the folder it runs in (names stay relative)."""
    source, diagnostics, _ = diagnose(path.name)
    return "\n\n".join(render_text(d, source) for d in diagnostics) + "\n"


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_diagnostics_match_golden_file(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(GOLDEN)
    text = rendered(path)
    expected = path.with_suffix(".txt")
    if os.environ.get("CONNECTLANG_REGEN"):
        expected.write_text(text, encoding="utf-8")
    assert text == expected.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_every_bad_file_has_an_error(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(GOLDEN)
    _, diagnostics, policy = diagnose(path.name)
    assert policy is None and diagnostics


@pytest.mark.parametrize("end", ["\r\n", "\r"])
def test_windows_and_old_mac_line_ends_are_lines(end: str) -> None:
    """The snippet under a diagnostic shows the line, not a `\\r` or the whole file."""
    text = f"accept if did_business{end}review if did_busines{end}else archive{end}"
    source = Source(text, "p.conn")
    (diagnostic,) = analyse(source, Settings()).diagnostics
    assert render_text(diagnostic, source).splitlines()[:2] == [
        "p.conn:2:11: error[E201]: unknown name `did_busines`", "  2 | review if did_busines"]


@pytest.mark.parametrize("filler", ["\x1b" * 300, "\u200b" * 1_000_000, "日" * 300, "a\u0301" * 500])
def test_a_long_line_is_cut_to_the_terminal_columns_around_the_problem(filler: str) -> None:
    """Control characters shown as symbols take a column each, zero-width ones none:
    either way the line shown stays within 120 columns and a few hundred characters."""
    from wcwidth import wcswidth
    text = f'accept if message contains "{filler}" and nosuch\nelse archive\n'
    source = Source(text, "p.conn")
    at = text.index("nosuch")
    (diagnostic,) = [d for d in analyse(source, Settings()).diagnostics if d.span.start == at]
    shown = render_text(diagnostic, source).splitlines()[1]
    assert wcswidth(shown) <= 130 and len(shown) < 1000 and shown.endswith("and nosuch")
    carets = render_text(diagnostic, source).splitlines()[2]
    assert wcswidth(carets) == wcswidth(shown)  # the carets end under `nosuch`'s end
