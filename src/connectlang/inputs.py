"""Everything `connectlang eval` reads, as one stream of records in input order.

Each INPUT is a CSV, JSONL or JSON file, stdin (`-`), or a LinkedIn export (a
folder or a `.zip`); the enrichment files are joined onto every record. Besides the
records, a run keeps what its summary reports: the export reports, the fields the
inputs had columns for, and a byte meter for the progress bar.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from itertools import islice
from typing import IO

from .enrich import Enrichment
from .export import Export, ExportReport, is_export
from .records import InputError, InputRecord, Meter, detect_format, read
from .types import Type


class Inputs:
    """The inputs of a run, checked when made (`InputError`), read when iterated."""

    def __init__(self, paths: Sequence[str], schema: Mapping[str, Type], *,
                 input_format: str | None = None, direction: str = "incoming",
                 enrich: Sequence[str] = (), stdin: IO[bytes] | None = None) -> None:
        self.paths, self.schema = tuple(paths), schema
        self.input_format, self.stdin = input_format, stdin
        if self.paths.count("-") > 1:
            raise InputError("stdin (`-`) can be read only once")
        self.exports: list[Export | None] = []  # for each input, its export if it is one
        total: int | None = 0
        for path in self.paths:
            size = self._check(path, direction)
            total = None if total is None or size is None else total + size
        self.meter = Meter(total)
        self.columns: set[str] = set()  # the fields the plain inputs have columns for
        self.enrichment = Enrichment(enrich, schema) if enrich else None

    def _check(self, path: str, direction: str) -> int | None:
        """Fail early on an input that cannot be read; its size in bytes, if known."""
        export = Export(path, direction) if path != "-" and is_export(path) else None
        self.exports.append(export)  # (--input-format is for files and stdin)
        if export is not None:
            return export.size()
        if path == "-":
            if self.input_format is None:
                raise InputError("reading stdin (`-`) needs --input-format csv, jsonl or json")
            return None
        if self.input_format is None:
            _format_by_suffix(path)
        try:
            return os.stat(path).st_size
        except OSError as exc:
            raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None

    @property
    def reports(self) -> list[ExportReport]:
        return [export.report for export in self.exports if export is not None]

    def __iter__(self) -> Iterator[InputRecord]:
        enrich = self.enrichment.apply if self.enrichment is not None else None
        for path, export in zip(self.paths, self.exports, strict=True):
            if export is not None:
                records = export.records(self.schema, self.meter)
            else:
                records = read(path, self.schema, self.input_format, self.stdin, self.meter,
                               seen=self.columns)
            if enrich is None:
                yield from records
                continue
            for record in records:
                if record.values is not None:
                    enrich(record.values)
                yield record

    def provided(self) -> set[str]:
        """The fields some input or enrichment file gives (after the run: JSON inputs
        tell their keys only as they are read)."""
        fields = set(self.columns)
        for report in self.reports:
            fields |= report.provides
        if self.enrichment is not None:
            fields |= self.enrichment.columns
        if "name" in fields:
            fields |= {"first_name", "last_name"}
        return fields


def _format_by_suffix(path: str) -> None:
    """Fail on an input whose name does not tell its format: an input, unlike an
    enrichment file, may be given one."""
    try:
        detect_format(path)
    except InputError as exc:
        raise InputError(f"{exc}, or give its format with --input-format") from None


def fields_given(paths: Sequence[str], input_format: str | None = None,
                 enrichment: bool = False) -> frozenset[str]:
    """The fields some input has a column for: a CSV's header, the keys of every object
    of a JSON or JSONL file (any one may be the first to have a field: 50,000 lines
    take 0.2 s), the files of an export. What `check --input` holds a policy against.
    `-` is stdin."""
    from .export import FROM_CONNECTIONS, FROM_INVITATIONS, FROM_MESSAGES
    found: set[str] = set()
    for path in paths:
        if is_export(path):
            export = Export(path)
            files = export.files
            found |= FROM_INVITATIONS | ({"profile_url"} if export.gives_addresses else set())
            found |= FROM_CONNECTIONS if "connections.csv" in files else set()
            found |= FROM_MESSAGES if "messages.csv" in files else set()
            files.close()
            continue
        if input_format is None and path != "-" and not enrichment:
            _format_by_suffix(path)
        columns: set[str] = set()
        stdin = sys.stdin.buffer if path == "-" else None
        records = read(path, {}, input_format, stdin, seen=columns)
        if (input_format or (path != "-" and detect_format(path))) == "csv":
            records = islice(records, 1)  # the header names every column
        problems = [r.error for r in records if r.error is not None]
        if problems and not columns:  # `[1, 2]`, not JSON at all: no column to hold the policy to
            raise InputError(problems[0].at(path))
        found |= columns
    return frozenset(found)
