"""The package: the wheel holds the generated parser, and one keyword list is the truth."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import ROOT
from connectlang.keywords import RESERVED


def test_reserved_words_are_the_grammars_keywords() -> None:
    grammar = (ROOT / "grammar" / "connectlang.lark").read_text(encoding="utf-8")
    keywords = set(re.findall(r'"([a-z_]+)"', grammar))
    assert keywords == RESERVED


def test_the_wheel_holds_the_generated_parser(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path), str(ROOT)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    (wheel,) = tmp_path.glob("connectlang-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "connectlang/_parser.py" in names
    assert "connectlang/cli.py" in names
