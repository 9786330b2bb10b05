"""LinkedIn data exports: every quirk of the real files, as a folder and as a .zip."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import utc
from connectlang.cli import cli
from connectlang.export import Export
from connectlang.people import Ambiguous, People
from connectlang.types import Type

FIXTURES = Path(__file__).parent / "fixtures"


def texts(folder: str) -> dict[str, str]:
    """The files of a fixture export: a 2026 one (`export`), a 2019 one (`export-2019`)."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted((FIXTURES / folder).iterdir())}


# Connections.csv opens with the `Notes:` preamble, has a hidden profile (a row with only a
# date) and no final newline; Invitations.csv has raw Unicode slugs, Connections.csv and
# messages.csv percent-encoded ones; Kwame's address is the bare `https://www.linkedin.com/in`.
STANDARD = texts("export")
INVITATIONS, CONNECTIONS, MESSAGES = (STANDARD[n] for n in ("Invitations.csv", "Connections.csv",
                                                             "messages.csv"))
POLICY = """field vip: bool = false
report if message contains "guaranteed" because "spam"
accept if already_connected and interacted_within 90d because "we talk"
review if already_connected
else archive
"""
NOW = ["--now", "2026-11-01T00:00:00Z"]


def export(tmp_path: Path, files: dict[str, str | bytes], as_zip: bool, inside: str = "") -> Path:
    """An export folder, or a .zip of the same files (under `inside`, like some archives)."""
    data = {name: text.encode() if isinstance(text, str) else text for name, text in files.items()}
    if as_zip:
        target = tmp_path / "Basic_LinkedInDataExport_11-01-2026.zip"
        with zipfile.ZipFile(target, "w") as archive:
            for name, content in data.items():
                archive.writestr(inside + name, content)
        return target
    target = tmp_path / "export"
    for name, content in data.items():
        (target / inside / name).parent.mkdir(parents=True, exist_ok=True)
        (target / inside / name).write_bytes(content)
    return target


def run(tmp_path: Path, path: Path, *args: str, policy: str = POLICY) -> tuple[int, list[dict], str]:
    rules = tmp_path / "me.conn"
    rules.write_text(policy, encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", str(rules), str(path), *NOW, "--format", "jsonl",
                                      "--explain", *args], catch_exceptions=False)
    return result.exit_code, [json.loads(line) for line in result.stdout.splitlines()], result.stderr


SHAPES = pytest.mark.parametrize("as_zip", [False, True], ids=["folder", "zip"])


def records(path: Path, schema: dict[str, Type], direction: str = "incoming") -> list:
    return list(Export(str(path), direction).records(schema))


ALL = {"name": Type.STRING, "profile_url": Type.STRING, "message": Type.STRING,
       "sent_at": Type.TIME, "already_connected": Type.BOOL, "connected_on": Type.TIME,
       "company": Type.STRING, "first_name": Type.STRING, "last_interaction": Type.TIME,
       "messages_exchanged": Type.INT}


@SHAPES
def test_each_incoming_invitation_is_a_record_with_its_joins(tmp_path: Path, as_zip: bool) -> None:
    found = records(export(tmp_path, STANDARD, as_zip), ALL)
    assert [r.values["name"] for r in found] == ["Jürgen Müller", "Maya Lindgren", "Kwame Mensah",
                                                 "Brandon Tate"]
    jurgen = found[0].values
    assert jurgen["sent_at"] == utc("2026-10-03T13:55:00Z")  # `10/3/26, 1:55 PM`, taken as UTC
    assert jurgen["message"].startswith("Robin, thanks again, the team is still\ntalking")
    # the raw Unicode slug joins the percent-encoded one
    assert jurgen["already_connected"] is True and jurgen["company"] == "Halvorsen Foods"
    assert jurgen["connected_on"] == utc("2026-10-04T00:00:00Z") and jurgen["first_name"] == "Jürgen"
    # the draft and the sponsored message are not interactions
    assert jurgen["last_interaction"] == utc("2026-10-21T10:00:00Z")
    assert jurgen["messages_exchanged"] == 2
    # another case and a trailing `/` in Connections.csv: the same person
    assert found[1].values["already_connected"] is True
    assert found[1].values["messages_exchanged"] == 0 and "last_interaction" not in found[1].values
    # a bare `https://www.linkedin.com/in` is a missing address: joined on the name
    kwame = found[2].values
    assert kwame["profile_url"] is None and kwame["company"] == "Mensah & Co"
    assert kwame["last_interaction"] == utc("2026-01-05T08:00:00Z")
    assert found[3].values["already_connected"] is False  # not in Connections.csv


@SHAPES
def test_direction_chooses_the_rows_and_outgoing_rows_describe_the_invitee(
        tmp_path: Path, as_zip: bool) -> None:
    path = export(tmp_path, STANDARD, as_zip)
    (outgoing,) = records(path, ALL, "outgoing")
    assert outgoing.values["name"] == "Aoife Brennan"
    assert outgoing.values["profile_url"] == "https://www.linkedin.com/in/aoife-brennan"
    assert outgoing.values["direction"] == "outgoing" and outgoing.values["already_connected"]
    assert len(records(path, ALL, "all")) == 5


@SHAPES
def test_the_cli_decides_an_export_and_says_what_it_provided(tmp_path: Path, as_zip: bool) -> None:
    path = export(tmp_path, STANDARD, as_zip)
    code, out, _ = run(tmp_path, path)
    assert code == 0
    assert [(o["record"], o["action"]) for o in out] == [
        (1, "accept"), (2, "review"), (3, "review"), (4, "report")]
    assert out[0]["source"] == f"{path}/Invitations.csv"
    rules = tmp_path / "me.conn"
    table = CliRunner().invoke(cli, ["eval", str(rules), str(path), *NOW]).stdout
    assert f"{path}: 4 incoming invitations (1 outgoing left out: --direction all to include " \
           "them), 3 already accepted" in table
    assert "Connections.csv: 4 people and 1 hidden profile" in table
    # Robin, whose export it is, is in every message: the people are the two others.
    assert "messages.csv: 3 messages with 2 people (1 sponsored and 1 draft left out)" in table


def test_the_zip_is_read_in_place(tmp_path: Path) -> None:
    path = export(tmp_path, STANDARD, as_zip=True)
    before = {p.name for p in tmp_path.rglob("*")}
    assert run(tmp_path, path)[0] == 0
    assert {p.name for p in tmp_path.rglob("*")} == before | {"me.conn"}


@SHAPES
def test_file_names_drift_and_exports_may_sit_in_a_folder(tmp_path: Path, as_zip: bool) -> None:
    files = {"INVITATIONS.csv": INVITATIONS, "Connections.CSV": CONNECTIONS,
             "Messages.csv": MESSAGES, "Member_Follows_2.csv": "Date,Organization\n"}
    found = records(export(tmp_path, files, as_zip, inside="Basic_LinkedInDataExport/"), ALL)
    assert found[0].values["messages_exchanged"] == 2 and found[0].values["already_connected"]


@SHAPES
def test_older_exports_join_on_names_and_never_on_a_shared_name(tmp_path: Path, as_zip: bool) -> None:
    path = export(tmp_path, texts("export-2019"), as_zip)  # no addresses; `Messages.csv`
    david, ana, ravi = (r.values for r in records(path, ALL))
    assert "company" not in david and "already_connected" not in david  # two David Kims: unknown
    assert ana["company"] == "Lisboa Digital"  # case and spaces do not matter
    assert ana["last_interaction"] == utc("2019-02-04T11:00:00Z") and ana["messages_exchanged"] == 2
    assert ravi["already_connected"] is False
    table = CliRunner().invoke(cli, ["eval", str(write_policy(tmp_path)), str(path), *NOW]).stdout
    assert "Invitations.csv has no profile addresses (an older export): joined on names" in table
    assert "1 invitation from a name that several connections share: not joined" in table


def write_policy(tmp_path: Path, policy: str = POLICY) -> Path:
    rules = tmp_path / "me.conn"
    rules.write_text(policy, encoding="utf-8")
    return rules


@SHAPES
def test_files_resaved_by_excel(tmp_path: Path, as_zip: bool) -> None:
    """A BOM, CRLF line ends, the preamble lost, `9-Sep-22` dates, bare addresses."""
    invitations = ("\ufeffFrom,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl\r\n"
                   'Ana Sousa,Robin Quinn,"7/8/25, 9:34 PM",,INCOMING,https://www.linkedin.com/in,'
                   "https://www.linkedin.com/in\r\n")
    connections = ("\ufeffFirst Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"
                   "Ana,Sousa,https://www.linkedin.com/in,,Lisboa Digital,Designer,9-Sep-22\r\n")
    path = export(tmp_path, {"Invitations.csv": invitations, "Connections.csv": connections}, as_zip)
    (ana,) = records(path, ALL)
    assert ana.values["connected_on"] == utc("2022-09-09T00:00:00Z")
    assert ana.values["company"] == "Lisboa Digital" and ana.values["profile_url"] is None


def test_an_export_resaved_with_semicolons_decides_as_the_original(tmp_path: Path) -> None:
    """Excel where the decimal mark is a comma saves CSV with `;`, the Notes preamble's
    commas left unquoted: the delimiter is the one that splits the rows alike."""
    def semicolons(text: str) -> str:
        out = io.StringIO()
        csv.writer(out, delimiter=";", lineterminator="\n").writerows(csv.reader(io.StringIO(text)))
        return out.getvalue()
    files = {"Invitations.csv": INVITATIONS, "Connections.csv": CONNECTIONS, "messages.csv": MESSAGES}
    original = run(tmp_path, export(tmp_path / "a", files, False))[1]
    resaved = run(tmp_path, export(tmp_path / "b", {n: semicolons(t) for n, t in files.items()},
                                   False))[1]
    assert len(original) > 1
    assert [(r["action"], r["trace"]) for r in resaved] == [
        (r["action"], r["trace"]) for r in original]


def test_a_broken_row_of_a_joined_file_is_reported_and_nothing_is_lost(tmp_path: Path) -> None:
    connections = CONNECTIONS.replace('Maya,Lindgren,', 'Maya,"Lindgren"x,')
    messages = MESSAGES.replace("2026-01-05 08:00:00 UTC", "last Tuesday")
    path = export(tmp_path, {**STANDARD, "Connections.csv": connections, "messages.csv": messages}, False)
    code, out, err = run(tmp_path, path)
    assert code == 1 and len(out) == 4 and all("action" in o for o in out)
    assert f"{path}/Connections.csv:6:16: `x` right after a closing quote" in err
    assert f"{path}/messages.csv:7:114: `last Tuesday` is not a time" in err
    assert all("already_connected" not in o for o in out)


def test_bad_invitation_rows_are_error_lines_naming_line_and_column(tmp_path: Path) -> None:
    invitations = INVITATIONS.replace('"7/20/26, 12:44 PM"', '"7/32/26, 12:44 PM"').replace(
        "Guaranteed profits!,INCOMING", "Guaranteed profits!,SIDEWAYS")
    path = export(tmp_path, {**STANDARD, "Invitations.csv": invitations}, False)
    code, out, _ = run(tmp_path, path, policy="accept if sent_within 365d\nelse archive\n")
    assert code == 1 and len(out) == 4
    assert out[2]["error"] == ("line 6, column 26: field `sent_at`: `7/32/26, 12:44 PM` is not a "
                               "valid time: day is out of range for month") and out[2]["input_line"] == 6
    assert out[2]["name"] is not None  # whose invitation could not be read
    assert out[3]["error"] == "line 7, column 64: Direction `SIDEWAYS` is neither INCOMING nor OUTGOING"


def test_an_export_without_invitations_cannot_run(tmp_path: Path) -> None:
    path = export(tmp_path, {"Connections.csv": CONNECTIONS}, False)
    result = CliRunner().invoke(cli, ["eval", str(write_policy(tmp_path)), str(path)])
    assert result.exit_code == 2 and "no Invitations.csv in this export" in result.stderr
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04 not really")
    result = CliRunner().invoke(cli, ["eval", str(write_policy(tmp_path)), str(tmp_path / "broken.zip")])
    assert result.exit_code == 2 and "not a readable .zip archive" in result.stderr


def test_what_the_export_cannot_provide_is_said(tmp_path: Path) -> None:
    path = export(tmp_path, {"Invitations.csv": INVITATIONS}, False)
    policy = "accept if mutual_connections > 3 or interacted_within 30d\nelse archive\n"
    table = CliRunner().invoke(cli, ["eval", str(write_policy(tmp_path, policy)), str(path), *NOW]).stdout
    assert "messages.csv is not in this export: last_interaction unknown" in table
    assert ("`mutual_connections` is not in a LinkedIn export: it is missing on every record; give "
            "it with --enrich FILE") in table
    named = 'ask "Hi {first_name}" if company == "Acme"\nelse archive\n'  # first_name: from From
    table = CliRunner().invoke(cli, ["eval", str(write_policy(tmp_path, named)), str(path), *NOW]).stdout
    assert "Connections.csv is not in this export: company unknown\n" in table


@SHAPES
def test_two_exports_in_one_folder_are_not_guessed_between(tmp_path: Path, as_zip: bool) -> None:
    files = {f"{year}/{name}": text for year in ("2019", "2026") for name, text in STANDARD.items()}
    path = export(tmp_path, files, as_zip)
    result = CliRunner().invoke(cli, ["eval", str(write_policy(tmp_path)), str(path)])
    assert result.exit_code == 2
    assert "holds several exports (2019/Invitations.csv, 2026/Invitations.csv)" in result.stderr


def test_joined_files_come_from_the_folder_of_invitations(tmp_path: Path) -> None:
    path = export(tmp_path, {"new/Invitations.csv": INVITATIONS, "old/Connections.csv": CONNECTIONS},
                  False)
    (first, *_) = records(path, ALL)
    assert "already_connected" not in first.values  # no Connections.csv beside Invitations.csv


def test_the_table_marks_connections_and_sent_invitations(tmp_path: Path) -> None:
    path = export(tmp_path, STANDARD, False)
    table = CliRunner().invoke(cli, ["eval", str(write_policy(tmp_path)), str(path), *NOW,
                                     "--direction", "all"]).stdout
    assert "  Jürgen Müller *  " in table and "  to Aoife Brennan *  " in table
    assert "  Brandon Tate  " in table
    assert "*: already connected; to NAME: an invitation you sent" in table


def test_a_damaged_archive_member_stops_the_run_with_its_name(tmp_path: Path) -> None:
    path = export(tmp_path, STANDARD, as_zip=True)
    data = bytearray(path.read_bytes())
    at = data.index("Jürgen,Müller".encode())  # stored uncompressed: flip a byte, break the CRC
    data[at] ^= 0x20
    path.write_bytes(bytes(data))
    result = CliRunner().invoke(cli, ["eval", str(write_policy(tmp_path)), str(path), *NOW])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"{path}/Connections.csv: cannot be read to the end (Bad CRC-32" in result.stderr


def test_a_bad_cell_keeps_the_connection_and_a_bad_row_makes_strangers_unknown(tmp_path: Path) -> None:
    bad_cell = CONNECTIONS.replace("04 Oct 2026", "sometime in October")
    (jurgen, _, _, brandon) = (r.values for r in records(
        export(tmp_path / "a", {**STANDARD, "Connections.csv": bad_cell}, False), ALL))
    assert jurgen["already_connected"] is True and "connected_on" not in jurgen
    assert brandon["already_connected"] is False  # every row was read: not a connection
    bad_row = CONNECTIONS.replace("Kwame,Mensah,", 'Kwame,"Mensah"x,')
    (*_, brandon) = (r.values for r in records(
        export(tmp_path / "b", {**STANDARD, "Connections.csv": bad_row}, False), ALL))
    assert "already_connected" not in brandon  # he may be the row that could not be read


def test_excel_dates_without_a_time_read_month_first(tmp_path: Path) -> None:
    path = export(tmp_path, {**STANDARD, "Connections.csv": CONNECTIONS.replace("04 Oct 2026", "10/4/2026")},
                  False)
    assert records(path, ALL)[0].values["connected_on"] == utc("2026-10-04T00:00:00Z")


def test_the_same_export_twice_is_read_twice(tmp_path: Path) -> None:
    path = export(tmp_path, STANDARD, as_zip=True)
    rules = write_policy(tmp_path)
    result = CliRunner().invoke(cli, ["eval", str(rules), str(path), str(path), *NOW, "--format",
                                      "jsonl", "--summary"], catch_exceptions=False)
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 8
    assert result.stderr.count("4 incoming invitations (1 outgoing left out") == 2
    twice = CliRunner().invoke(cli, ["eval", str(rules), "-", "-", "--input-format", "json"])
    assert twice.exit_code == 2 and "can be read only once" in twice.stderr


def test_an_export_that_cannot_be_read_stops_before_any_output(tmp_path: Path) -> None:
    plain = tmp_path / "in.csv"
    plain.write_text("name\nAnn\n")
    empty = export(tmp_path, {**STANDARD, "Invitations.csv": ""}, False)
    result = CliRunner().invoke(cli, ["eval", str(write_policy(tmp_path)), str(plain), str(empty), *NOW])
    assert result.exit_code == 2 and result.stdout == ""
    assert "Invitations.csv: no header row with the columns From" in result.stderr
    utf16 = export(tmp_path / "u", {**STANDARD, "Invitations.csv": INVITATIONS.encode("utf-16")}, False)
    result = CliRunner().invoke(cli, ["eval", str(write_policy(tmp_path)), str(utf16)])
    assert "(the first problem: line 1, column 1: not valid UTF-8 text (byte 0xff)" in result.stderr


def test_archive_members_named_with_backslashes(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in STANDARD.items():
            archive.writestr(f"Basic_LinkedInDataExport\\{name}", text)
    assert len(records(path, ALL)) == 4


@pytest.mark.parametrize("order", ["address first", "name first"])
def test_name_joins_do_not_depend_on_row_order(order: str) -> None:
    """Two David Kims, one with an address: a David Kim without one is neither of them."""
    rows = [("in/david-kim-1", "David Kim"), (None, "David Kim")]
    connections: People[str] = People(distinct=True)
    for key, name in rows if order == "address first" else rows[::-1]:
        connections.entry(key, name, f"{key}")
    assert isinstance(connections.find(None, "david  KIM"), Ambiguous)
    assert connections.find("in/david-kim-1", "David Kim") == "in/david-kim-1"
    same: People[str] = People()  # rows of one person (messages, enrichment) merge instead
    for key, name in rows if order == "address first" else rows[::-1]:
        same.entry(key, name, f"{order}: {key}")
    assert same.find(None, "David Kim") == same.find("in/david-kim-1", None)
    assert len(same) == 1
