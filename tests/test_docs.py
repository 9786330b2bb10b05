"""The documentation site builds (MkDocs) and its ```conn blocks are highlighted by
connectlang's own Pygments lexer, in the colours of its style; every such block in the
README and the docs parses, is laid out as `connectlang fmt` lays it out, and a copy
of a bundled example is that example."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pygments.formatters import HtmlFormatter

from conftest import ROOT
from connectlang.formatter import format_source
from connectlang.highlight import ConnectlangStyle
from connectlang.source import Source

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


def _conn_blocks() -> list[tuple[str, str]]:
    """(page:line, text) of every ```conn block of the README, docs/ and docs/rules/."""
    blocks = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        text = page.read_text(encoding="utf-8")
        for match in re.finditer(r"```(?:conn|connectlang)\n(.*?)```", text, re.DOTALL):
            line = text.count("\n", 0, match.start()) + 1
            blocks.append((f"{page.relative_to(ROOT)}:{line}", match.group(1)))
    return blocks


BLOCKS = _conn_blocks()


@pytest.mark.parametrize(("where", "block"), BLOCKS, ids=[where for where, _ in BLOCKS])
def test_a_conn_block_parses_and_is_laid_out_as_fmt_does(where: str, block: str) -> None:
    formatted, errors = format_source(Source(block, where))
    assert not errors, [e.message for e in errors]
    assert block == formatted, "run `connectlang fmt` on this block"


def test_a_copy_of_an_example_in_the_docs_is_the_example() -> None:
    examples = {p.read_text(encoding="utf-8").split("\n", 1)[0]: p.read_text(encoding="utf-8")
                for p in (ROOT / "examples").glob("*.conn")}
    copies = [(where, block) for where, block in BLOCKS if block.split("\n", 1)[0] in examples]
    assert len(copies) >= 2
    for where, block in copies:
        assert block == examples[block.split("\n", 1)[0]], f"{where} differs from its example"


def test_the_summary_in_the_cli_docs_is_what_the_readme_command_prints() -> None:
    from click.testing import CliRunner

    from connectlang.cli import cli

    examples = ROOT / "examples"
    result = CliRunner().invoke(cli, [
        "eval", str(examples / "selective.conn"), str(examples / "linkedin-export"), "--enrich",
        str(examples / "profiles.csv"), "--now", "2026-11-01T00:00:00Z"])
    shown = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8").split("### The summary")[1]
    block = shown.split("```\n", 2)[1]
    printed = result.stdout[result.stdout.index("47 records:"):].replace(str(examples), "examples")
    assert block == printed
