"""Readers: header normalisation, typed cells, and nothing lost on broken input."""

from __future__ import annotations

import io

import pytest

from conftest import utc
from connectlang.records import _read_csv, _read_json, _read_jsonl, normalize_column
from connectlang.types import Type

SCHEMA = {"name": Type.STRING, "mutual_connections": Type.INT, "sent_at": Type.TIME,
          "did_business": Type.BOOL, "shared_groups": Type.LIST}


@pytest.mark.parametrize(("header", "field"), [
    ("Sent At", "sent_at"), ("inviterProfileUrl", "profile_url"), ("VIP", "vip"),
    ("profileURL", "profile_url"), ("\ufeffFrom", "name"), ("  Mutual  Connections ", "mutual_connections"),
    ("already-connected?", "already_connected"),
])
def test_column_names_are_normalised(header: str, field: str) -> None:
    assert normalize_column(header) == field


def csv_records(text: bytes) -> list:
    return list(_read_csv(io.BytesIO(text), "in.csv", SCHEMA))


@pytest.mark.parametrize(("cell", "column", "value"), [
    ("7/8/26, 9:34 PM", "Sent At", utc("2026-07-08T21:34:00Z")),
    ("09 Sep 2022", "Sent At", utc("2022-09-09T00:00:00Z")),
    ("2026-10-01", "Sent At", utc("2026-10-01T00:00:00Z")),
    ("2026-10-01T10:00:00+02:00", "Sent At", utc("2026-10-01T08:00:00Z")),
    ("YES", "Did Business", True), ("0", "Did Business", False),
    ("a; b ;;c", "Shared Groups", ["a", "b", "c"]), ("[]", "Shared Groups", []),
    ("12", "Mutual Connections", 12),
])
def test_csv_cells_are_typed_by_their_field(cell: str, column: str, value: object) -> None:
    (record,) = csv_records(f'{column}\n"{cell}"\n'.encode())
    assert record.values == {normalize_column(column): value}


def test_a_bad_value_names_field_value_and_line() -> None:
    records = csv_records(b"name,mutual_connections\nAnn,4\nBob,many\nCy,1\n")
    assert [r.line for r in records] == [2, 3, 4]
    assert records[1].error == "line 3: field `mutual_connections`: `many` is not a whole number"
    assert records[2].values == {"name": "Cy", "mutual_connections": 1}


def test_a_broken_quote_costs_only_its_record() -> None:
    records = csv_records(b'name,mutual_connections\nAnn,4\nBob,"unterminated,3\nCy,1\n'
                          b'"Di"x,3\nEve,2\n')
    assert [(r.line, r.error is None) for r in records] == [
        (2, True), (3, False), (4, True), (5, False), (6, True)]
    assert records[1].error == ("line 3, column 5: this quote opens a cell that runs on to line 5, "
                                "column 2, where `D` follows its closing quote; is a quote missing?")
    assert records[3].error is not None and records[3].error.startswith(
        "line 5, column 5: `x` right after a closing quote")


def test_ragged_rows_short_is_missing_long_is_an_error() -> None:
    records = csv_records(b"name,mutual_connections\nAnn\nBob,1,extra\n")
    assert records[0].values == {"name": "Ann"}
    assert records[1].error == "line 3: 3 cells, but the header has 2 columns"


def test_multiline_cells_and_blank_lines_and_invalid_utf8() -> None:
    records = csv_records(b'name,mutual_connections\n"Ann\nLee",1\n\nBo\xff,2\nCy,3\n')
    assert [r.line for r in records] == [2, 5, 6]
    assert records[0].values == {"name": "Ann\nLee", "mutual_connections": 1}
    assert records[1].error == ("line 5, column 3: not valid UTF-8 text (byte 0xff); "
                                "save the file as UTF-8")


def test_jsonl_blank_lines_are_not_records_and_bad_lines_are() -> None:
    data = b'{"name": "a", "mutual_connections": 2}\n\n{bad\n[1]\n{"mutual_connections": true}\n'
    records = list(_read_jsonl(io.BytesIO(data), "in.jsonl", SCHEMA))
    assert [r.line for r in records] == [1, 3, 4, 5]
    assert records[0].values == {"name": "a", "mutual_connections": 2}
    assert [r.error is None for r in records] == [True, False, False, False]
    assert "is not an int" in (records[3].error or "")


def test_json_array_is_streamed_with_lines() -> None:
    data = b'[\n {"name": "a", "sent_at": "2026-01-01"},\n {"name": null},\n 7\n]'
    records = list(_read_json(io.BytesIO(data), "in.json", SCHEMA))
    assert [r.line for r in records] == [2, 3, 4]
    assert records[0].values == {"name": "a", "sent_at": utc("2026-01-01T00:00:00Z")}
    assert records[1].values == {}
    assert "expected an object" in (records[2].error or "")


def test_json_array_larger_than_the_read_buffer() -> None:
    items = ",".join(f'{{"name": "person {i}", "mutual_connections": {i}}}' for i in range(5000))
    records = list(_read_json(io.BytesIO(f"[{items}]".encode()), "in.json", SCHEMA))
    assert len(records) == 5000 and records[-1].values == {"name": "person 4999",
                                                           "mutual_connections": 4999}


def test_json_syntax_error_is_one_error_record() -> None:
    records = list(_read_json(io.BytesIO(b'[{"name": "a"}, {"name": }]'), "in.json", SCHEMA))
    assert records[0].values == {"name": "a"}
    assert records[1].error == ("line 1, column 26: not valid JSON: Expecting value; the rest of "
                                "the file cannot be read")
