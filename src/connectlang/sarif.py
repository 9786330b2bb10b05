"""SARIF 2.1.0, the format GitHub code scanning reads: `connectlang check --format sarif`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .diagnostics import CODES, Diagnostic, to_json
from .lint.docs import page
from .lint.rules import RULES
from .source import Source

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def sarif(results: Sequence[tuple[Source, Sequence[Diagnostic]]], version: str) -> dict[str, Any]:
    """One run of connectlang over some files: every rule it knows, every result."""
    descriptors = [_lint_rule(rule) for rule in RULES]
    used = sorted({d.code for _, diagnostics in results for d in diagnostics if d.code in CODES})
    descriptors += [{"id": code, "name": CODES[code], "shortDescription": {"text": CODES[code]},
                     "defaultConfiguration": {"level": "error"}} for code in used]
    index = {descriptor["id"]: i for i, descriptor in enumerate(descriptors)}
    found = []
    for source, diagnostics in results:
        for d in diagnostics:
            item = to_json(d, source)
            text = d.message + (f" (help: {d.help})" if d.help else "")
            found.append({
                "ruleId": d.code, "ruleIndex": index[d.code], "level": _LEVELS[item["severity"]],
                "message": {"text": text},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": _uri(item["file"])},
                    "region": {"startLine": item["line"], "startColumn": item["column"],
                               "endLine": item["end_line"], "endColumn": item["end_column"]}}}],
            })
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [{
        "tool": {"driver": {"name": "connectlang", "version": version,
                            "informationUri": "https://github.com/connectlang/connectlang",
                            "rules": descriptors}},
        "columnKind": "unicodeCodePoints",  # connectlang counts characters, not UTF-16 units
        "results": found}]}


def _uri(path: str) -> str:
    """A file name as the URI reference SARIF wants: `file:` for an absolute path,
    else relative (to the folder the check ran in), percent-encoded either way."""
    return Path(path).as_uri() if Path(path).is_absolute() else quote(path.replace("\\", "/"))


def _lint_rule(rule: Any) -> dict[str, Any]:
    return {"id": rule.code, "name": rule.name,
            "shortDescription": {"text": rule.summary()},
            "fullDescription": {"text": rule.sections()["What it does"].replace("\n", " ")},
            "help": {"text": rule.sections()["Why is this bad?"].replace("\n", " "),
                     "markdown": page(rule)},
            "defaultConfiguration": {"level": _LEVELS[rule.severity.value]},
            "properties": {"tags": [rule.category]}}
