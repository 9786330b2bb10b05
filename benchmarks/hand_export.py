"""The export benchmark's policy, written by hand: the yardstick for `connectlang eval`.

    python benchmarks/hand_export.py EXPORT_FOLDER --now 2026-11-01 -o decisions.jsonl

What a Python programmer would write to do the same job as

    connectlang eval benchmarks/export-policy.conn EXPORT_FOLDER --format jsonl --now ...

with the standard library: read Connections.csv and messages.csv into dicts, stream
Invitations.csv with the csv module, join, decide with `if`s (three-valued: a rule
whose test meets a missing value does not fire), and write one JSON object a line.
It reads only the quirks the generated exports have (`make_export.py`), and writes
exactly the bytes connectlang writes, which `bench_export.py` checks before timing.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import unquote

BARE = "https://www.linkedin.com/in"
PITCH = re.compile(r"free|click here|limited offer", re.IGNORECASE)


def key(url: str) -> str | None:
    url = unquote(url.strip()).lower().rstrip("/")
    return None if not url or url == BARE else url


def name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def add_name(index: dict[str, object], name: str, value: object) -> None:
    """A name shared by two people joins to neither."""
    index[name] = None if name in index and index[name] is not value else value


def read_connections(path: Path) -> tuple[dict[str, tuple[str, ...]], dict[str, object]]:
    by_url: dict[str, tuple[str, ...]] = {}
    by_name: dict[str, object] = {}
    with open(path, encoding="utf-8", newline="") as f:
        rows = csv.reader(f)
        for row in rows:
            if row[:2] == ["First Name", "Last Name"]:
                break
        for first, last, url, _email, _company, _position, _on in rows:
            k = key(url)
            name = f"{first} {last}".strip()
            if k is None and not name:
                continue
            entry = (first, last)
            if k is not None:
                by_url.setdefault(k, entry)
            add_name(by_name, name_key(name), by_url.get(k, entry) if k else entry)
    return by_url, by_name


def read_messages(path: Path) -> tuple[dict[str, list], dict[str, object]]:
    by_url: dict[str, list] = {}
    by_name: dict[str, object] = {}
    with open(path, encoding="utf-8", newline="") as f:
        rows = csv.reader(f)
        next(rows)
        for _c, _t, sender, sender_url, to, to_url, date, _s, _body, _f, _a, draft in rows:
            if draft == "Yes" or (sender == "LinkedIn Member" and not sender_url):
                continue
            when = datetime.strptime(date, "%Y-%m-%d %H:%M:%S UTC").replace(tzinfo=timezone.utc)
            for url, name in ((sender_url, sender), (to_url, to)):
                k = key(url)
                if k is None:
                    continue
                entry = by_url.get(k)
                if entry is None:
                    entry = by_url[k] = [None, 0]
                    add_name(by_name, name_key(name), entry)
                entry[1] += 1
                if entry[0] is None or when > entry[0]:
                    entry[0] = when
    return by_url, by_name


def lookup(by_url: dict[str, object], by_name: dict[str, object], k: str | None, name: str) -> object:
    if k is not None:
        return by_url.get(k)
    return by_name.get(name_key(name))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("export", type=Path)
    parser.add_argument("--now", required=True)
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args()
    now = datetime.fromisoformat(args.now).replace(tzinfo=timezone.utc)
    talked_since, sent_since = now - timedelta(days=180), now - timedelta(days=365)
    conn_url, conn_name = read_connections(args.export / "Connections.csv")
    msg_url, msg_name = read_messages(args.export / "messages.csv")
    source = str(args.export / "Invitations.csv")
    with open(args.export / "Invitations.csv", encoding="utf-8", newline="") as f, \
            open(args.output, "w", encoding="utf-8") as out:
        rows = csv.reader(f)
        next(rows)
        number = 0
        for sender, _to, sent, message, direction, url, _invitee in rows:
            if direction != "INCOMING":
                continue
            number += 1
            k = key(url)
            connection = lookup(conn_url, conn_name, k, sender)
            talk = lookup(msg_url, msg_name, k, sender)
            sent_at = datetime.strptime(sent, "%m/%d/%y, %I:%M %p").replace(tzinfo=timezone.utc)
            last = talk[0] if talk else None
            exchanged = talk[1] if talk else 0
            # report if pitch / accept if already_connected and interacted_within 180d /
            # accept if messages_exchanged >= 3 / ask ... if has_message and sent_within 365d
            reply = None
            if PITCH.search(message):
                action, line, reason = "report", 3, "sales pitch"
            elif connection and last is not None and last >= talked_since:
                action, line, reason = "accept", 4, "a connection we talk to"
            elif exchanged >= 3:
                action, line, reason = "accept", 5, "we talk"
            elif message and sent_at >= sent_since:
                first = connection[0] if connection else sender.split(None, 1)[0]
                action, line, reason, reply = "ask", 6, None, f"Hi {first}, where did we meet?"
            else:
                action, line, reason = "archive", 7, "we have not met"
            out.write(json.dumps({"record": number, "source": source, "name": sender or None,
                                  "profile_url": url if k else None, "action": action, "line": line,
                                  "reason": reason, "reply": reply}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
