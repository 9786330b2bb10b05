"""SARIF 2.1.0, the format GitHub code scanning reads: `connectlang check --format sarif`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .diagnostics import CODES, Diagnostic, to_json, workspace_path, workspace_root
from .lint.docs import page
from .lint.rules import RULES
from .source import Source

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVELS = {"error": "error", "warning": "warning", "info": "note"}
_HOME = "https://github.com/connectlang/connectlang"


def sarif(results: Sequence[tuple[Source, Sequence[Diagnostic]]], unreadable: Sequence[tuple[str, str]],
          version: str) -> dict[str, Any]:
    """One run of connectlang over some files: every rule it knows, every result, and
    the files it could not read (the run did not succeed: code scanning must not take
    their alerts for fixed)."""
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
                    "artifactLocation": _location(item["file"]),
                    "region": {"startLine": item["line"], "startColumn": item["column"],
                               "endLine": item["end_line"], "endColumn": item["end_column"]}}}],
            })
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [{
        "tool": {"driver": {"name": "connectlang", "version": version,
                            "informationUri": _HOME,
                            "rules": descriptors}},
        "invocations": [{"executionSuccessful": not unreadable, "toolExecutionNotifications": [
            {"level": "error", "message": {"text": why},
             "locations": [{"physicalLocation": {"artifactLocation": _location(path)}}]}
            for path, why in unreadable]}],
        "columnKind": "unicodeCodePoints",  # connectlang counts characters, not UTF-16 units
        "originalUriBaseIds": {_ROOT: {"uri": _folder_uri(workspace_root())}},
        "results": found}]}


_ROOT = "%SRCROOT%"


def _folder_uri(folder: str) -> str:
    """A folder's `file:` URI, ending in `/` as SARIF wants a base's (once, even for `/`)."""
    uri = Path(folder).as_uri()
    return uri if uri.endswith("/") else uri + "/"


def _location(name: str) -> dict[str, str]:
    """Where a file is, as SARIF wants it: relative to the workspace (so code scanning
    finds it in the repository), else a `file:` URI; percent-encoded either way."""
    path = workspace_path(name)
    if Path(path).is_absolute():
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(path), "uriBaseId": _ROOT}


def _lint_rule(rule: Any) -> dict[str, Any]:
    return {"id": rule.code, "name": rule.name, "helpUri": f"{_HOME}/blob/main/docs/rules/{rule.code}.md",
            "shortDescription": {"text": rule.summary()},
            "fullDescription": {"text": rule.sections()["What it does"].replace("\n", " ")},
            "help": {"text": rule.sections()["Why is this bad?"].replace("\n", " "),
                     "markdown": page(rule)},
            "defaultConfiguration": {"level": _LEVELS[rule.severity.value]},
            "properties": {"tags": [rule.category]}}
