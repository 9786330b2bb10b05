"""Write a synthetic LinkedIn data export of any size, with the quirks of real ones.

    python benchmarks/make_export.py /tmp/export --invitations 1000000 --messages 200000
    python benchmarks/make_export.py /tmp/export.zip --invitations 10000     # a .zip

The export is a folder (or a .zip) with `Invitations.csv`, `Connections.csv` and
`messages.csv` as LinkedIn writes them in 2026: a `Notes:` preamble and no final
newline in Connections.csv, `Sent At` like `7/8/26, 9:34 PM`, raw Unicode profile
slugs in Invitations.csv but percent-encoded ones (sometimes with another case and a
trailing `/`) elsewhere, a few bare `https://www.linkedin.com/in` address cells,
hidden profiles (rows with only a date), notes and message bodies with commas,
quotes and line breaks, sponsored "LinkedIn Member" messages and drafts. Names
repeat, as real names do. The same seed gives the same bytes.

Connections.csv holds the senders of the newest incoming invitations, up to
`--connections` people (default: 90% of the incoming ones, at most 30,000, which is
LinkedIn's limit); messages go between the owner and those connections.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import zipfile
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import IO
from urllib.parse import quote

OWNER = ("Robin", "Quinn", "https://www.linkedin.com/in/robinquinn")
FIRST = ["Ann", "Bob", "Priya", "Marcus", "Jenna", "Tom", "Li", "Ana", "David", "Sofia", "Omar",
         "Zoë", "Jürgen", "Łukasz", "Hà", "Søren", "José Ángel", "Chloé", "Fatima", "Kwame",
         "Yusuf", "Elif", "Mateo", "Aoife", "Kenji", "Imani", "Olivia", "Gabriel", "Meiling", "Rosa"]
LAST = ["Lee", "Stone", "Raman", "Whitfield", "Okafor", "Brennan", "Na", "Sousa", "Kim", "Rossi",
        "Haddad", "Laurent", "Müller", "Wróbel", "Nguyễn", "Ødegaard", "Ruiz", "Besson", "Benali",
        "Mensah", "Demir", "Yıldız", "Ibáñez", "Morimoto", "Walker", "Hart", "Santos", "Tang",  # noqa: RUF001
        "Delgado", "Novák", "Thornton", "Chang"]
NOTES = [
    "Hi {owner}, great meeting you at the Content Marketing World panel. Would love to stay in touch!",
    "{owner}, thanks again for your help with the Q3 launch. Let's connect here too.",
    'Hi {owner}, we swapped notes under your "Hey Stranger" post, would be good to connect!',
    "We're both in the Social Media Club group, and I enjoyed your answer on editorial calendars.",
    "Hi {owner},\nwe met at the meetup last week.\nLet's keep in touch, about the live-shopping pilot.",
    "LION here, I accept all invites! Let's grow our networks together.",
]
PITCHES = [
    "Hi {owner}, I'd like to offer you a FREE trial of our social listening platform, no card needed.",
    "Click here to book a demo: we grow your business with done-for-you outreach.",
    "Limited offer for marketers like you: 20% off, this week only.",
]
BODIES = ["Thanks, talk soon!", "Sure! In short:\n1. onboarding\n2. replies within 24h",
          'Loved the "activation" metric you showed, can you share the deck?',
          "Robin, are you free for a call on Tuesday, 3pm?"]
PREAMBLE = ('Notes:\n"When exporting your connection data, you may notice that some of the email '
            "addresses are missing. You will only see email addresses for connections who have "
            "allowed their connections to see or download their email address using this setting "
            "https://www.linkedin.com/psettings/privacy/email. You can learn more here "
            'https://www.linkedin.com/help/linkedin/answer/261"\n\n')
END = datetime(2026, 10, 31, 23, 0, tzinfo=timezone.utc)


class Person:
    __slots__ = ("first", "last", "slug")

    def __init__(self, rng: random.Random, number: int) -> None:
        self.first, self.last = rng.choice(FIRST), rng.choice(LAST)
        base = f"{self.first}-{self.last}".lower().replace(" ", "-")
        self.slug = f"{base}-{number:x}"

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    def url(self, encoded: bool, rng: random.Random | None = None) -> str:
        """Invitations keep raw slugs; Connections and messages percent-encode them, and
        now and then capitalise them and add a trailing `/`."""
        slug = quote(self.slug, safe="-") if encoded else self.slug
        if rng is not None and rng.random() < 0.02:
            slug = slug.capitalize() + "/"
        return f"https://www.linkedin.com/in/{slug}"


def linkedin_time(when: datetime) -> str:
    hour = when.hour % 12 or 12
    return f"{when.month}/{when.day}/{when.year % 100:02d}, {hour}:{when.minute:02d} " \
           f"{'AM' if when.hour < 12 else 'PM'}"


def invitations(rng: random.Random, people: list[Person], count: int) -> Iterator[list[str]]:
    """Newest first; 92% incoming; 45% with a note, a tenth of those a pitch."""
    owner_name, owner_url = f"{OWNER[0]} {OWNER[1]}", OWNER[2]
    step = timedelta(days=3 * 365) / max(count, 1)
    for i in range(count):
        person = people[i]
        sent = END - step * i - timedelta(seconds=rng.randrange(60))
        note = ""
        if rng.random() < 0.45:
            note = rng.choice(PITCHES if rng.random() < 0.1 else NOTES).format(owner=OWNER[0])
        url = "https://www.linkedin.com/in" if rng.random() < 0.005 else person.url(False)
        if rng.random() < 0.92:
            yield [person.name, owner_name, linkedin_time(sent), note, "INCOMING", url, owner_url]
        else:
            yield [owner_name, person.name, linkedin_time(sent), note, "OUTGOING", owner_url, url]


def connections(rng: random.Random, people: list[Person], count: int) -> Iterator[list[str]]:
    for i in range(count):
        if rng.random() < 0.005:
            yield ["", "", "", "", "", "", "09 Sep 2022"]  # a hidden profile
            continue
        person = people[i]
        day = END - timedelta(days=i * 3 * 365 / max(count, 1) - 1)
        yield [person.first, person.last, person.url(True, rng), "", rng.choice(["Acme", "Brightline",
               "Halvorsen Foods", ""]), rng.choice(["Editor", "VP Marketing", "Founder"]),
               day.strftime("%d %b %Y")]


def messages(rng: random.Random, people: list[Person], known: int, count: int) -> Iterator[list[str]]:
    owner_name, owner_url = f"{OWNER[0]} {OWNER[1]}", OWNER[2]
    header_extra = ["", "No"]
    for _ in range(count):
        when = END - timedelta(seconds=rng.randrange(2 * 365 * 86400))
        date = when.strftime("%Y-%m-%d %H:%M:%S UTC")
        conversation = f"2-{rng.getrandbits(64):016x}XzAxMA=="
        if rng.random() < 0.01:
            yield [conversation, "Sponsored Conversation", "LinkedIn Member", "", owner_name, owner_url,
                   date, "", "Robin, boost your pipeline with our webinar", "INBOX", *header_extra]
            continue
        person = people[rng.randrange(max(known, 1))]
        body = rng.choice(BODIES)
        draft = "Yes" if rng.random() < 0.005 else "No"
        if rng.random() < 0.5:
            yield [conversation, "", person.name, person.url(True), owner_name, owner_url, date, "",
                   body, "INBOX", "", draft]
        else:
            yield [conversation, "", owner_name, owner_url, person.name, person.url(True), date, "",
                   body, "SENT", "", draft]


def write_csv(handle: IO[bytes], rows: Iterator[list[str]], header: list[str], preamble: str = "",
              final_newline: bool = True) -> None:
    """Stream rows to a binary handle; without a final newline (Connections.csv), the
    last line is held back and written without one."""
    text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
    text.write(preamble)
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    if final_newline:
        writer.writerows(rows)
    else:
        last = io.StringIO()
        for row in rows:
            text.write(last.getvalue())
            last.seek(0)
            last.truncate()
            csv.writer(last, lineterminator="\n").writerow(row)
        text.write(last.getvalue().rstrip("\n"))
    text.flush()
    text.detach()


def make_export(target: Path, count: int, message_count: int, connection_count: int | None,
                seed: int = 20261101) -> None:
    rng = random.Random(seed)
    people = [Person(rng, n) for n in range(count)]
    incoming = round(count * 0.92)
    known = connection_count if connection_count is not None else min(round(incoming * 0.9), 30_000)
    known = min(known, count)
    files: list[tuple[str, Callable[[IO[bytes]], None]]] = [
        ("Connections.csv", lambda out: write_csv(out, connections(rng, people, known), [
            "First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"],
            PREAMBLE, final_newline=False)),
        ("messages.csv", lambda out: write_csv(out, messages(rng, people, known, message_count), [
            "CONVERSATION ID", "CONVERSATION TITLE", "FROM", "SENDER PROFILE URL", "TO",
            "RECIPIENT PROFILE URLS", "DATE", "SUBJECT", "CONTENT", "FOLDER", "ATTACHMENTS",
            "IS MESSAGE DRAFT"])),
        ("Invitations.csv", lambda out: write_csv(out, invitations(rng, people, count), [
            "From", "To", "Sent At", "Message", "Direction", "inviterProfileUrl", "inviteeProfileUrl"])),
    ]
    if target.suffix == ".zip":
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, write in files:
                with archive.open(name, "w") as out:
                    write(out)
        return
    target.mkdir(parents=True, exist_ok=True)
    for name, write in files:
        with open(target / name, "wb") as out:
            write(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", type=Path, help="a folder to write, or a path ending in .zip")
    parser.add_argument("--invitations", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=None, help="default: a fifth of the invitations")
    parser.add_argument("--connections", type=int, default=None)
    parser.add_argument("--seed", type=int, default=20261101)
    args = parser.parse_args()
    message_count = args.messages if args.messages is not None else args.invitations // 5
    make_export(args.target, args.invitations, message_count, args.connections, args.seed)


if __name__ == "__main__":
    main()
