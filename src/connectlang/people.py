"""Who is who across files: profile-address and name keys, and an index that joins on them.

A LinkedIn export writes the same profile address differently in different files
(raw Unicode slugs in Invitations.csv, percent-encoded ones in Connections.csv, a
trailing `/` here and there), and older exports have no addresses at all. Joins go
by the address when both sides have one, else by the name; a name shared by two
people joins to neither, since a policy must not act on someone else's data.
"""

from __future__ import annotations

import re
from typing import Final, Generic, TypeVar, cast
from urllib.parse import unquote

# `https://www.linkedin.com/in/ann-lee-1a2b/?trk=x` and `linkedin.com/in/Ann-Lee-1a2b` are
# one person: the key is the slug. Any other address is keyed by its whole text.
_LINKEDIN = re.compile(r"(?:https?://)?(?:[a-z0-9-]+\.)?linkedin\.com/in(?:/+([^/?#\s]*))?/*"
                       r"(?:[?#].*)?", re.IGNORECASE)


_USUAL = "https://www.linkedin.com/in/"


def profile_key(url: str | None) -> str | None:
    """The join key of a profile address: percent-decoded, lower-case, no trailing `/`;
    None for no address, including the bare `https://www.linkedin.com/in` some exports
    hold in every cell."""
    if not url:
        return None
    text = url.strip()
    if text.startswith(_USUAL):  # the usual form, checked without the regex
        slug = text[len(_USUAL):]
        if slug and "/" not in slug and "%" not in slug and "?" not in slug and "#" not in slug:
            return "in/" + slug.lower()
    if "%" in text:
        text = unquote(text)
    match = _LINKEDIN.fullmatch(text)
    if match:
        slug = match.group(1)
        return "in/" + slug.lower() if slug else None
    text = text.rstrip("/").lower()
    return text or None


def name_key(name: str | None) -> str | None:
    """Names compare case-insensitively with runs of white space made one space."""
    if not name:
        return None
    key = " ".join(name.split()).casefold()
    return key or None


class _Ambiguous:
    def __repr__(self) -> str:
        return "AMBIGUOUS"


AMBIGUOUS: Final = _Ambiguous()

Entry = TypeVar("Entry")


class People(Generic[Entry]):
    """One small entry per person, found by address key, else by name key.

    `find` answers with the entry of the same address; failing that, of the same
    name, unless the name belongs to several people or both sides have addresses
    that differ (two people, one name).
    """

    def __init__(self) -> None:
        self.by_key: dict[str, Entry] = {}
        self.by_name: dict[str, Entry | _Ambiguous] = {}  # people with an address, by name
        self.nameless: dict[str, Entry | _Ambiguous] = {}  # people known only by name
        self.ambiguous_lookups = 0  # finds that met a name shared by several people

    def __len__(self) -> int:
        return len(self.by_key) + len(self.nameless)

    def entries(self) -> list[Entry]:
        return [*self.by_key.values(),
                *(e for e in self.nameless.values() if not isinstance(e, _Ambiguous))]

    def entry(self, key: str | None, name: str | None, new: Entry,
              distinct: bool = False) -> Entry | None:
        """This person's entry, `new` on first sight; None when the person
        cannot be told apart (neither address nor name, or a name of several people).
        `distinct`: every row is another person (Connections.csv), so a name without
        an address seen twice belongs to two people, and joins to neither."""
        named = name_key(name)
        if key is not None:
            found = self.by_key.get(key)
            if found is None:
                found = self.by_key[key] = new
                if named is not None:
                    known = self.by_name.get(named)
                    self.by_name[named] = found if known is None else AMBIGUOUS
            return found
        if named is None:
            return None
        known = self.by_name.get(named)
        if isinstance(known, _Ambiguous):
            return None
        if known is not None:
            return known  # the person with an address, in a row that lacks it
        seen = self.nameless.get(named)
        if seen is None:
            self.nameless[named] = new
            return new
        if distinct:
            self.nameless[named] = AMBIGUOUS
        return None if distinct or isinstance(seen, _Ambiguous) else seen

    def find(self, key: str | None, name: str | None) -> Entry | None:
        """The entry of the person with this address, else this name; None if unknown."""
        if key is not None:
            found = self.by_key.get(key)
            if found is not None or not self.nameless:
                return found  # (the usual case: no one is known by name alone)
        named = name_key(name)
        if named is None:
            return None
        without = self.nameless.get(named)
        # A record with an address of its own is nobody with another address.
        with_address = self.by_name.get(named) if key is None else None
        if without is AMBIGUOUS or with_address is AMBIGUOUS or (
                without is not None and with_address is not None):
            self.ambiguous_lookups += 1
            return None
        return cast("Entry | None", with_address if with_address is not None else without)
