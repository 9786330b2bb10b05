"""The documentation site builds (MkDocs) and its ```conn blocks are highlighted by
connectlang's own Pygments lexer, in the colours of its style."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from pygments.formatters import HtmlFormatter

from conftest import ROOT
from connectlang.highlight import ConnectlangStyle

CSS = ROOT / "docs" / "css" / "pygments.css"


def test_the_stylesheet_is_the_highlighters_style() -> None:
    css = ("/* Generated from connectlang.highlight.ConnectlangStyle by tests/test_docs.py "
           "(CONNECTLANG_REGEN=1). */\n" + HtmlFormatter(style=ConnectlangStyle).get_style_defs(
               ".highlight") + "\n")
    if os.environ.get("CONNECTLANG_REGEN"):
        CSS.write_text(css, encoding="utf-8")
    assert CSS.read_text(encoding="utf-8") == css, "stale: run CONNECTLANG_REGEN=1 pytest tests/test_docs.py"


def test_the_site_builds_and_conn_blocks_are_highlighted(tmp_path: Path) -> None:
    site = tmp_path / "site"
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q",
                             "-f", str(ROOT / "mkdocs.yml"), "-d", str(site)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    pages = 0
    for page in sorted((ROOT / "docs").rglob("*.md")):
        blocks = page.read_text(encoding="utf-8").count("```conn")
        if not blocks:
            continue
        name = page.relative_to(ROOT / "docs").with_suffix("")
        built = site / (name.parent if name.name == "README" else name) / "index.html"
        html = built.read_text(encoding="utf-8")
        highlighted = re.findall(r'<div class="highlight"><pre>(.*?)</pre>', html, re.DOTALL)
        ours = [b for b in highlighted if "k-Action" in b or 'class="c1"' in b or 'class="kd"' in b]
        assert len(ours) >= blocks, f"{page.name}: {blocks} conn blocks, {len(ours)} highlighted"
        assert 'class="err"' not in html
        pages += 1
    assert pages >= 3
