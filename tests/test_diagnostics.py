"""Golden files: each `.conn` under golden/diagnostics has the full text `connectlang
check` prints for it beside it (`.txt`). Regenerate with CONNECTLANG_REGEN=1."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import ROOT
from connectlang.cli import diagnose
from connectlang.diagnostics import render_text

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
