"""Readers: header normalisation, typed cells, and nothing lost on broken input."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from conftest import utc
from connectlang.records import InputError, _read_csv, _read_json, _read_jsonl, normalize_column
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
    assert str(records[1].error) == ("line 3, column 5: field `mutual_connections`: `many` is not a "
                                     "whole number")
    assert records[2].values == {"name": "Cy", "mutual_connections": 1}


def test_a_broken_quote_costs_only_its_record() -> None:
    records = csv_records(b'name,mutual_connections\nAnn,4\nBob,"unterminated,3\nCy,1\n'
                          b'"Di"x,3\nEve,2\n')
    assert [(r.line, r.error is None) for r in records] == [
        (2, True), (3, False), (4, True), (5, False), (6, True)]
    assert str(records[1].error) == ("line 3, column 5: this quote opens a cell that runs on to line 5, "
                                "column 2, where `D` follows its closing quote; is a quote missing?")
    assert str(records[3].error).startswith(
        "line 5, column 5: `x` right after a closing quote")


def test_ragged_rows_short_is_missing_long_is_an_error() -> None:
    records = csv_records(b"name,mutual_connections\nAnn\nBob,1,extra\n")
    assert records[0].values == {"name": "Ann"}
    assert str(records[1].error) == ("line 3, column 7: 3 cells where the header has 2 columns; is a "
                                     "`,` inside a cell that is not quoted?")


def test_multiline_cells_and_blank_lines_and_invalid_utf8() -> None:
    records = csv_records(b'name,mutual_connections\n"Ann\nLee",1\n\nBo\xff,2\nCy,3\n')
    assert [r.line for r in records] == [2, 5, 6]
    assert records[0].values == {"name": "Ann\nLee", "mutual_connections": 1}
    assert str(records[1].error) == ("line 5, column 3: not valid UTF-8 text (byte 0xff); "
                                     "save the file as UTF-8 (in Excel: CSV UTF-8)")


def test_jsonl_blank_lines_are_not_records_and_bad_lines_are() -> None:
    data = b'{"name": "a", "mutual_connections": 2}\n\n{bad\n[1]\n{"mutual_connections": true}\n'
    records = list(_read_jsonl(io.BytesIO(data), "in.jsonl", SCHEMA))
    assert [r.line for r in records] == [1, 3, 4, 5]
    assert records[0].values == {"name": "a", "mutual_connections": 2}
    assert [r.error is None for r in records] == [True, False, False, False]
    assert "is not an int" in str(records[3].error)


def test_json_array_is_streamed_with_lines() -> None:
    data = b'[\n {"name": "a", "sent_at": "2026-01-01"},\n {"name": null},\n 7\n]'
    records = list(_read_json(io.BytesIO(data), "in.json", SCHEMA))
    assert [r.line for r in records] == [2, 3, 4]
    assert records[0].values == {"name": "a", "sent_at": utc("2026-01-01T00:00:00Z")}
    assert records[1].values == {}
    assert str(records[2].error) == "line 4, column 2: expected an object {...}, found a number"


def test_json_array_larger_than_the_read_buffer() -> None:
    items = ",".join(f'{{"name": "person {i}", "mutual_connections": {i}}}' for i in range(5000))
    records = list(_read_json(io.BytesIO(f"[{items}]".encode()), "in.json", SCHEMA))
    assert len(records) == 5000 and records[-1].values == {"name": "person 4999",
                                                           "mutual_connections": 4999}


def test_json_syntax_error_is_one_error_record() -> None:
    records = list(_read_json(io.BytesIO(b'[{"name": "a"}, {"name": }]'), "in.json", SCHEMA))
    assert records[0].values == {"name": "a"}
    assert str(records[1].error) == ("line 1, column 26: not valid JSON: expected a value; the rest of "
                                "the file cannot be read")


def test_rows_of_blank_cells_and_empty_cells_past_the_header_are_harmless() -> None:
    records = csv_records(b"name,mutual_connections\n,\n  ,  \nAnn,1,,\n")
    assert [(r.line, r.values) for r in records] == [(4, {"name": "Ann", "mutual_connections": 1})]


def test_a_blank_cell_is_missing_like_an_empty_one() -> None:
    records = csv_records(b'name,mutual_connections,did_business\n"  ",\t, \nAnn,3,yes\n')
    assert [r.values for r in records] == [{"name": "Ann", "mutual_connections": 3,
                                            "did_business": True}]
    records = csv_records(b'name,mutual_connections\n"   ",3\n')
    assert [r.values for r in records] == [{"mutual_connections": 3}]


def test_lines_ending_in_a_lone_cr_are_read() -> None:
    records = csv_records(b"name,mutual_connections\rAnn,1\rBob,2\r")
    assert [r.values for r in records] == [{"name": "Ann", "mutual_connections": 1},
                                           {"name": "Bob", "mutual_connections": 2}]


@pytest.mark.parametrize("sep", [";", "\t"], ids=["semicolons", "tabs"])
def test_a_header_without_commas_but_semicolons_or_tabs_sets_the_delimiter(sep: str) -> None:
    """Excel where the decimal mark is a comma saves CSV with `;`; a list cell still
    splits on `;` inside its quotes."""
    records = csv_records(f'name{sep}shared_groups{sep}mutual_connections\nAnn{sep}"a;b"{sep}2\n'
                          f'Bob{sep}{sep}x\n'.encode())
    assert records[0].values == {"name": "Ann", "shared_groups": ["a", "b"],
                                 "mutual_connections": 2}
    assert str(records[1].error).startswith("line 3, column 6: field `mutual_connections`")


@pytest.mark.parametrize("end", ["\r\n", "\r", "\n"], ids=["crlf", "cr", "lf"])
def test_excels_sep_line_names_the_delimiter_and_is_no_header(end: str) -> None:
    records = csv_records(f"sep=;{end}name;mutual_connections{end}Ann;2{end}".encode())
    assert [(r.line, r.values) for r in records] == [(3, {"name": "Ann", "mutual_connections": 2})]


@pytest.mark.parametrize("text", [
    b'name,mutual_connections,shared_groups\nAnn,7,\nBob,3,"a;\nb; c;\nd; e"\nCy,1,"x;\ny;z"\n',
    b'name,mutual_connections,shared_groups\nAnn,7,"Hi,\n\tone\n\ttwo\n\tthree"\n',
], ids=["semicolons", "tabs"])
def test_a_comma_header_keeps_commas_whatever_quoted_cells_hold(text: bytes) -> None:
    """Only the header decides: lines inside a quoted cell are no rows."""
    records = csv_records(text)
    assert [r.values["mutual_connections"] for r in records][:1] == [7]
    assert all(r.error is None for r in records)


def test_a_one_column_file_with_semicolons_in_its_cells_stays_one_column() -> None:
    records = csv_records(b"name\nAnn; Lee\nBob; Ray\n")
    assert [r.values for r in records] == [{"name": "Ann; Lee"}, {"name": "Bob; Ray"}]


def test_a_day_first_date_says_dates_with_slashes_are_month_first() -> None:
    (record,) = csv_records(b"name,sent_at\nAnn,13/8/25\n")
    assert "month first, as LinkedIn writes them, and there is no month 13" in str(record.error)
    assert "(2025-08-13)" in str(record.error)
    (impossible,) = csv_records(b"name,sent_at\nAnn,31/02/26\n")  # no such day either way
    assert str(impossible.error).endswith("month-first or ISO dates")


def test_a_header_with_commas_keeps_them_as_the_delimiter() -> None:
    records = csv_records(b'name,shared_groups\nAnn;Lee,"a;b"\n')
    assert records[0].values == {"name": "Ann;Lee", "shared_groups": ["a", "b"]}


def test_an_unreadable_header_stops_the_file() -> None:
    with pytest.raises(InputError, match=r"in.csv:1:10: the header cannot be read, so neither can "
                                         r"the rows: not valid UTF-8 text"):
        csv_records(b"name,mess\xe9ge\nAnn,hi\n")
    with pytest.raises(InputError, match=r"^in.csv:1:6: the header cannot be read, so neither can "
                                         r"the rows: this quote opens a cell that is never closed; "
                                         r"is a quote missing\?$"):
        csv_records(b'name,"mess\nAnn,hi\n')


def test_fragments_of_a_broken_multiline_row_are_not_records() -> None:
    """The cell `"hello / world"x` is broken after a line break: `world"x` is not a person."""
    records = csv_records(b'name,mutual_connections\nAnn,"hello\r\nworld"x\nBob,2\n')
    assert [(r.line, r.values) for r in records] == [(2, None), (3, None), (4, {
        "name": "Bob", "mutual_connections": 2})]
    assert "seems to belong to the broken row at line 2" in str(records[1].error)


def test_json_text_after_the_array_and_bad_bytes_are_placed() -> None:
    (first, second) = list(_read_json(io.BytesIO(b'[{"name":"a"}]\n[{"name":"b"}]'), "f", SCHEMA))
    assert first.values == {"name": "a"}
    assert str(second.error).startswith("line 2, column 1: text after the end of the array")
    data = b'[{"name": "a"},\n {"name": "caf\xe9"}]'
    assert str(list(_read_json(io.BytesIO(data), "f", SCHEMA))[-1].error).startswith(
        "line 2, column 15: not valid UTF-8 text (byte 0xe9)")


def test_a_json_string_left_open_costs_one_error_not_the_memory() -> None:
    data = b'[{"name": "a"}, {"name": "open' + b"x" * 3_000_000 + b"]"
    records = list(_read_json(io.BytesIO(data), "f", SCHEMA))
    assert [r.values for r in records[:1]] == [{"name": "a"}]
    assert str(records[1].error) == ("line 1, column 26: not valid JSON: a string that is never closed; the "
                                     "rest of the file cannot be read")


@pytest.mark.parametrize(("cell", "error"), [
    ("2w3d", "`2w3d` is not valid: `w3d` is not a duration unit; units are s (seconds)"),
    ("3mo", "`3mo` is not valid: months are not a duration unit: they have no fixed length; "
            "use days or weeks: `90d`"),
    ("3 months", "`3 months` is not a duration; write an integer and a unit, like `90d`"),
])
def test_a_bad_duration_cell_says_what_is_wrong_with_it(cell: str, error: str) -> None:
    schema = {"lately": Type.DURATION}
    (record,) = _read_csv(io.BytesIO(f"lately\n{cell}\n".encode()), "in.csv", schema)
    assert f"field `lately`: {error}" in str(record.error)


def test_a_jsonl_line_that_is_no_object_is_named_in_json_words() -> None:
    data = b'null\n"text"\n[1]\n3\ntrue\n'
    records = list(_read_jsonl(io.BytesIO(data), "in.jsonl", SCHEMA))
    assert [str(r.error).split("found ")[1] for r in records] == [
        "null", "a string", "an array", "a number", "true"]


def test_an_empty_json_file_has_no_records_like_an_empty_csv_or_jsonl() -> None:
    for data in (b"", b" \n\t\n"):
        assert list(_read_json(io.BytesIO(data), "in.json", SCHEMA)) == []
        assert list(_read_jsonl(io.BytesIO(data), "in.jsonl", SCHEMA)) == []
    assert csv_records(b"") == []


def test_a_bad_json_value_is_placed_at_the_value_itself() -> None:
    """Found by key, past a nested object holding the same key and through an escape."""
    data = (b'[\n  {"name": "a", "x": {"mutual_connections": 1},\n   "mutual_connections": "many"},'
            b'\n  {"n\\u0061me": 5}]')
    first, second = _read_json(io.BytesIO(data), "in.json", SCHEMA)
    assert str(first.error) == ("line 3, column 26: field `mutual_connections`: `many` is not an "
                                "int")
    assert str(second.error) == "line 4, column 17: field `name`: `5` is not a string"
    (line,) = _read_jsonl(io.BytesIO(b'  {"name":"a",  "did_business" : "no"}\n'), "f", SCHEMA)
    assert str(line.error).startswith("line 1, column 34: field `did_business`: `no` is not a bool")


def test_a_list_with_an_item_that_is_not_a_string_says_so() -> None:
    data = b'{"shared_groups": ["warm", 3]}\n{"shared_groups": "warm"}\n'
    first, second = _read_jsonl(io.BytesIO(data), "f", SCHEMA)
    assert str(first.error).endswith("is not a list of strings: an item is a number")
    assert str(second.error).endswith("`warm` is not a list")


def test_two_columns_or_keys_giving_one_field_are_an_error_not_a_guess() -> None:
    with pytest.raises(InputError, match=r"^in.csv:1:10: the columns `From` and `Name` both give "
                                         r"the field `name`; rename or remove one$"):
        csv_records(b"From,x,y,  Name\nAnn,1,2,Bo\n")
    assert csv_records(b"From,Mutual,Mutual\nAnn,1,2\n")[0].values == {"name": "Ann"}  # not read
    data = b'{"from": "a", "name": null}\n{"name": "b"}\n'
    first, second = _read_jsonl(io.BytesIO(data), "in.jsonl", SCHEMA)
    assert str(first.error) == ("line 1, column 23: the keys `from` and `name` both give the field "
                                "`name`; keep one")
    assert second.values == {"name": "b"}


def test_a_key_written_twice_is_an_error_not_its_last_value() -> None:
    data = b'[{"name": "Ann", "mutual_connections": 3, "name": "Bo"}, {"name": "Cy", "x": 1, "x": 2}]'
    first, second = _read_json(io.BytesIO(data), "in.json", SCHEMA)
    assert str(first.error) == "line 1, column 51: the key `name` is written twice; keep one"
    assert second.values == {"name": "Cy"}  # `x` is not read
    (jsonl,) = _read_jsonl(io.BytesIO(b'{"name": "Ann", "name": "Bo"}\n'), "in.jsonl", SCHEMA)
    assert str(jsonl.error) == "line 1, column 25: the key `name` is written twice; keep one"


def test_a_bad_json_value_is_quoted_as_the_file_writes_it() -> None:
    data = b'{"mutual_connections": 1e3}\n{"mutual_connections": 1e400}\n{"name": "a\tb"}\n'
    errors = [str(r.error) for r in _read_jsonl(io.BytesIO(data), "in.jsonl", SCHEMA)]
    assert errors == [
        "line 1, column 24: field `mutual_connections`: `1e3` is not an int",
        "line 2, column 24: field `mutual_connections`: `1e400` is not an int",
        "line 3, column 12: not valid JSON: a tab or line break inside a string; write it as "
        "`\\t` or `\\n`"]


def test_direction_is_incoming_or_outgoing_in_any_case() -> None:
    schema = {"direction": Type.STRING}
    read = list(_read_csv(io.BytesIO(b"Direction\nINCOMING\n Outgoing\nsideways\n"), "f", schema))
    assert [r.values for r in read[:2]] == [{"direction": "incoming"}, {"direction": "outgoing"}]
    assert str(read[2].error) == ("line 4, column 1: field `direction`: `sideways` is neither "
                                  "`incoming` nor `outgoing`")
    data = b'{"direction": "OUTGOING"}\n{"direction": "up"}\n{"direction": 1}\n'
    read = list(_read_jsonl(io.BytesIO(data), "f", schema))
    assert read[0].values == {"direction": "outgoing"}
    assert "`up` is neither `incoming` nor `outgoing`" in str(read[1].error)
    assert "`1` is not a string" in str(read[2].error)


def test_a_cell_over_the_csv_limit_is_an_error_at_its_column() -> None:
    data = b"name,message\nAnn,hi\nBob," + b"x" * 140_000 + b"\nCy,ok\n"
    records = list(_read_csv(io.BytesIO(data), "in.csv", SCHEMA))
    assert [r.values and r.values["name"] for r in records] == ["Ann", None, "Cy"]
    assert str(records[1].error) == "line 3, column 5: a cell is longer than 131,072 characters"


def test_a_duration_one_day_past_the_longest_is_an_error_record_not_a_crash() -> None:
    schema = {"wait": Type.DURATION}
    data = b"wait\n999999999d\n1000000000d\n86400000000000s\n"
    first, *rest = _read_csv(io.BytesIO(data), "in.csv", schema)
    assert first.values == {"wait": timedelta(days=999_999_999)}
    assert [str(r.error).split(": ", 1)[1] for r in rest] == [
        "field `wait`: `1000000000d` is too long a duration; the longest is 999_999_999d",
        "field `wait`: `86400000000000s` is too long a duration; the longest is 999_999_999d"]
