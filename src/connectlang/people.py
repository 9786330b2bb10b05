"""Who is who across files: profile-address and name keys, and an index that joins on them.

A LinkedIn export writes the same profile address differently in different files
(raw Unicode slugs in Invitations.csv, percent-encoded ones in Connections.csv, a
trailing `/` here and there), and older exports have no addresses at all. Joins go
by the address when both sides have one, else by the name; a name shared by two
people joins to neither, since a policy must not act on someone else's data.
"""

from __future__ import annotations

import re
from typing import Final, Generic, TypeVar
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


class Ambiguous:
    def __repr__(self) -> str:
        return "AMBIGUOUS"


AMBIGUOUS: Final = Ambiguous()

Entry = TypeVar("Entry")


class People(Generic[Entry]):
    """One small entry per person, found by address key, else by name key.

    `find` answers with the entry of the same address; failing that, of the same
    name, unless the name belongs to several people (then `AMBIGUOUS`) or both sides
    have addresses that differ (two people, one name: None).
    """

    def __init__(self, distinct: bool = False) -> None:
        # `distinct`: every row is another person (Connections.csv), so a name seen twice
        # belongs to two people, and joins to neither. Otherwise rows of one name without
        # an address are one person's (messages, enrichment rows).
        self.distinct = distinct
        self.by_key: dict[str, Entry] = {}
        self.by_name: dict[str, Entry | Ambiguous] = {}  # people with an address, by name
        self.nameless: dict[str, Entry | Ambiguous] = {}  # people known only by name

    def __len__(self) -> int:
        return len(self.entries())

    def entries(self) -> list[Entry]:
        return [*self.by_key.values(),
                *(e for e in self.nameless.values() if not isinstance(e, Ambiguous))]

    def entry(self, key: str | None, name: str | None, new: Entry) -> Entry | None:
        """This person's entry, `new` on first sight; None when the person cannot be
        told apart (neither address nor name, or a name of several people)."""
        named = name_key(name)
        if key is not None:
            found = self.by_key.get(key)
            if found is None:
                found = self.by_key[key] = self._adopt(named, new)
            return found
        if named is None:
            return None
        known = self.by_name.get(named)
        if known is not None and not self.distinct:
            return None if isinstance(known, Ambiguous) else known  # a row without the address
        seen = self.nameless.get(named)
        if seen is None and known is None:
            self.nameless[named] = new
            return new
        if self.distinct:  # a second person of this name: neither joins by name
            self.nameless[named] = AMBIGUOUS
            return None
        return None if isinstance(seen, Ambiguous) else seen

    def _adopt(self, named: str | None, new: Entry) -> Entry:
        """The entry for a new address: the one its name had without an address, if the
        rows are not distinct people; `new` otherwise. Its name now has an address."""
        if named is None:
            return new
        seen = self.nameless.get(named)
        if seen is not None and not isinstance(seen, Ambiguous) and not self.distinct:
            del self.nameless[named]
            new = seen
        known = self.by_name.get(named)
        self.by_name[named] = new if known is None else AMBIGUOUS
        return new

    def find(self, key: str | None, name: str | None) -> Entry | Ambiguous | None:
        """The entry of the person with this address, else this name; `AMBIGUOUS` when
        the name is several people's; None when the person is not known."""
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
            return AMBIGUOUS
        return with_address if with_address is not None else without
