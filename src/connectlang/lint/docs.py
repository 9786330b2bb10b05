"""Rule pages, made from each rule's docstring: `docs/rules/` and `connectlang rule CODE`."""

from __future__ import annotations

from pathlib import Path

from .rule import SECTIONS, Rule
from .rules import RULES


def page(rule: type[Rule]) -> str:
    """A rule's page, in Markdown."""
    sections = rule.sections()
    out = [f"# {rule.code} {rule.name}", "", rule.summary(), "",
           f"Category: {rule.category}. Default severity: {rule.severity.value}"
           + (" (`--strict` does not fail on it)." if rule.severity.value == "info" else "."), ""]
    for heading in SECTIONS:
        out += [f"## {heading}", "", sections[heading], ""]
    out += ["## Silencing it", "",
            f"On the line where it starts: `# connectlang: ignore[{rule.code}]`. Everywhere: "
            f"`ignore = [\"{rule.code}\"]` in `[tool.connectlang]` (pyproject.toml) or "
            f"connectlang.toml, or `connectlang check --ignore {rule.code}`.", ""]
    return "\n".join(out)


def index() -> str:
    """The catalog page: every rule, a line each."""
    out = ["# Lint rules", "",
           "Generated from the rules' docstrings (`src/connectlang/lint/rules/`); "
           "`connectlang rule CODE` prints a page. Warnings mean a policy is probably wrong "
           "and fail `connectlang check --strict`; infos are suggestions and never fail it.", "",
           "| code | name | category | severity | what it flags |", "|---|---|---|---|---|"]
    out += [f"| [{r.code}]({r.code}.md) | {r.name} | {r.category} | {r.severity.value} | "
            f"{r.summary()} |" for r in RULES]
    return "\n".join(out) + "\n"


def pages() -> dict[str, str]:
    """The files of `docs/rules/`, by name."""
    return {"README.md": index(), **{f"{rule.code}.md": page(rule) for rule in RULES}}


def write(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in pages().items():
        (folder / name).write_text(text, encoding="utf-8")
