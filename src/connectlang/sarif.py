"""SARIF 2.1.0, the format GitHub code scanning reads: `connectlang check --format sarif`."""

from __future__ import annotations

import hashlib
from collections import Counter
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
    descriptors += [_error_rule(code) for code in used]
    index = {descriptor["id"]: i for i, descriptor in enumerate(descriptors)}
    found = []
    for source, diagnostics in results:
        seen: Counter[str] = Counter()
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
                "partialFingerprints": {"connectlang/v1": _fingerprint(d, source, seen)},
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


def _fingerprint(diagnostic: Diagnostic, source: Source, seen: Counter[str]) -> str:
    """What identifies a result across commits, so code scanning keeps one alert for it
    however the lines above it move: its rule, the source it points at and the line that
    starts there (spaces aside; not the message, which may name line numbers), and how
    many results of the file had all three before it."""
    pointed = " ".join(source.text[diagnostic.span.start:diagnostic.span.end].split())
    line = " ".join(source.line_text(source.position(diagnostic.span.start)[0]).split())
    key = hashlib.sha256("\0".join((diagnostic.code, pointed, line)).encode()).hexdigest()[:32]
    seen[key] += 1
    return f"{key}:{seen[key]}"


def _error_rule(code: str) -> dict[str, Any]:
    """An error as a SARIF rule: its own message and help say what to fix."""
    name, meaning = CODES[code]
    return {"id": code, "name": name, "helpUri": f"{_HOME}/blob/main/docs/cli.md#errors",
            "shortDescription": {"text": meaning}, "fullDescription": {"text": meaning},
            "help": {"text": f"{meaning} The policy cannot run until it is fixed: the result's "
                     "message says how."},
            "defaultConfiguration": {"level": "error"}, "properties": {"tags": ["error"]}}


def _lint_rule(rule: Any) -> dict[str, Any]:
    return {"id": rule.code, "name": rule.name, "helpUri": f"{_HOME}/blob/main/docs/rules/{rule.code}.md",
            "shortDescription": {"text": rule.summary()},
            "fullDescription": {"text": rule.sections()["What it does"].replace("\n", " ")},
            "help": {"text": rule.sections()["Why is this bad?"].replace("\n", " "),
                     "markdown": page(rule)},
            "defaultConfiguration": {"level": _LEVELS[rule.severity.value]},
            "properties": {"tags": [rule.category]}}
