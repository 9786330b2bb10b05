"""Literal text: reading integers, durations, times and strings, and spelling values.

Shared by the parser (literals in a policy) and the record readers (cells of a CSV,
strings in JSON), so `90d` or `2026-10-01` mean the same in both places; the
formatter and the REPL write values back the way a policy would spell them.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from datetime import datetime, timedelta, timezone
from typing import Any

from .types import INT64_MAX

UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400, "y": 365 * 86400}
UNIT_WORDS = {"sec": "s", "secs": "s", "second": "s", "seconds": "s", "min": "m",
               "mins": "m", "minute": "m", "minutes": "m", "hr": "h", "hrs": "h",
               "hour": "h", "hours": "h", "day": "d", "days": "d", "wk": "w", "wks": "w",
               "week": "w", "weeks": "w", "yr": "y", "yrs": "y", "year": "y", "years": "y"}
# In whole seconds (`total_seconds()` is a float, which rounds up past the limit).
_LONGEST = timedelta.max.days * 86_400 + timedelta.max.seconds
MONTH_WORDS = frozenset({"mo", "mos", "mon", "mth", "mths", "month", "months"})


class LiteralError(Exception):
    """Why a literal cannot be read; offsets are relative to the literal's text."""

    def __init__(self, message: str, start: int = 0, end: int | None = None,
                 help: str | None = None) -> None:
        super().__init__(message)
        self.message, self.start, self.end, self.help = message, start, end, help


def parse_int(text: str) -> int:
    if text.startswith("_") or text.endswith("_") or "__" in text:
        raise LiteralError(f"`{text}` is not a number: `_` may only stand between digits",
                           help=f"write `{text.strip('_').replace('__', '_')}`")
    digits = text.replace("_", "").lstrip("0")
    # Count digits before converting: Python refuses int() on more than 4,300 of them.
    if len(digits) > len(str(INT64_MAX)) or int(digits or "0") > INT64_MAX:
        shown = text if len(text) <= 30 else f"{text[:20]}…"
        raise LiteralError(f"`{shown}` is too large: integers must fit in 64 bits",
                           help=f"the largest integer is {INT64_MAX:_}")
    return int(digits or "0")


def months_help(digits: str) -> str:
    """How to say `DIGITS` months in days or weeks, or years (there is no month unit)."""
    if len(digits) > 9:
        return "use days or weeks, counting 30 days a month"
    months = int(digits.replace("_", ""))
    if months and months % 12 == 0:
        return f"use years: `{months // 12}y` (365 days), or `{months // 12 * 52}w`"
    days = months * 30
    weeks = round(days / 7)
    return f"use days or weeks: `{days}d` (30 days a month) or `{weeks}w`"


def glued(digits: str, unit: str) -> str:
    """How to write DIGITS of a unit: `write `90d``; a few minutes in seconds, since `6m`
    reads as six months (L106)."""
    count = int(digits.replace("_", "")) if len(digits) < 10 else 0
    if unit == "m" and 1 <= count <= 24:
        return f"write `{count * 60}s` ({count} minutes: `{count}m` reads as {count} months)"
    return f"write `{digits}{unit}`"


def parse_duration(text: str) -> timedelta:
    """`90d`, `12h`, `2w`, `1_000s`: an integer glued to one unit."""
    match = re.fullmatch(r"([0-9][0-9_]*)([A-Za-z][A-Za-z0-9_]*)", text)
    if match is None:
        raise LiteralError(f"`{text}` is not a duration", help="write an integer and a unit, like `90d`")
    digits, unit = match.groups()
    count = parse_int(digits)
    if unit in UNIT_SECONDS:
        seconds = count * UNIT_SECONDS[unit]
        if seconds > _LONGEST:
            raise LiteralError(f"`{text}` is too long a duration",
                               help=f"the longest is {timedelta.max.days:_}d")
        return timedelta(seconds=seconds)
    if unit.lower() in MONTH_WORDS or unit == "M":  # (`M` is Java's and ISO 8601's month)
        raise LiteralError("months are not a duration unit: they have no fixed length"
                           + ("; `m` is minutes" if unit == "M" else ""), help=months_help(digits))
    known = UNIT_WORDS.get(unit.lower()) or (unit.lower() if unit.lower() in UNIT_SECONDS else None)
    thousands = f"for {count} thousand, write `{count * 1000:_}`: a number takes no `k`"
    hint = (glued(str(count), known) if known else thousands if unit in {"k", "K"} else
            "units are s (seconds), m (minutes), h (hours), d (days), w (weeks), y (years)")
    raise LiteralError(f"`{unit}` is not a duration unit", help=hint)


def parse_time(text: str) -> datetime:
    """ISO 8601: `2025-01-31` (midnight UTC) or with a time and optional offset (UTC)."""
    value = _iso_time(text)
    if value is None:
        short = _SHORT_PARTS.match(text)
        if short:  # `2025-2-3T9:30`: ISO 8601 writes each part after the year with two digits
            fixed = _two_digits(short) + text[short.end():]
            wrong = _out_of_range(fixed)
            if wrong:
                raise LiteralError(f"`{text}` is not a valid time: {wrong}")
            if _iso_time(fixed) is not None:  # else more than the digits is wrong
                parts = [name for name, part in zip(_PART_NAMES, short.groups()[1:], strict=True)
                         if part is not None and len(part) < 2]
                named = " and ".join(filter(None, (", ".join(parts[:-1]), parts[-1])))
                raise LiteralError(f"`{text}` is not a valid time: {named} take two digits",
                                   help=f"write `{fixed}`")
        raise LiteralError(f"`{text}` is not a valid time: expected a form like 2025-01-31T09:30:00Z")
    return value


_SHORT_PARTS = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"
                          r"(?:T(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?)?"
                          r"(?=[.Zz+-]|$)")
_PART_NAMES = ("months", "days", "hours", "minutes", "seconds")


def _two_digits(short: re.Match[str]) -> str:
    """`2025-2-3T9:30` -> `2025-02-03T09:30`: the matched parts, padded."""
    year, month, day, hour, minute, second = short.groups()
    date = f"{year}-{int(month):02}-{int(day):02}"
    if hour is None:
        return date
    return date + f"T{int(hour):02}:{int(minute):02}" + (f":{int(second):02}" if second else "")


def _iso_time(text: str) -> datetime | None:
    """An ISO 8601 time; None when `text` has another form, an error when a part is out
    of range (also when the offset moves it out of the calendar, seen from UTC)."""
    iso = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    try:
        value: datetime | None = datetime.fromisoformat(iso)
    except ValueError:
        value = None
    # Python reads an offset of `+02:60` (or `+0260`, `+02:00:60`) as 03:00.
    offset = _OFFSET.search(iso) if value is not None and value.tzinfo is not None else None
    if offset is not None and any(part and int(part) > 59 for part in offset.groups()):
        raise LiteralError(f"`{text}` is not a valid time: an offset's minutes and seconds are "
                           "00 to 59")
    if value is None:
        wrong = _out_of_range(text)
        if wrong:
            raise LiteralError(f"`{text}` is not a valid time: {wrong}")
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    try:
        value.astimezone(timezone.utc)  # every time must have a UTC instant to compare
    except OverflowError:
        raise LiteralError(f"`{text}` is not a valid time: in UTC it falls outside the years "
                           "1 to 9999") from None
    return value


_OFFSET = re.compile(r"[+-][0-9]{2}:?([0-9]{2})(?::?([0-9]{2}))?(?:\.[0-9]+)?$")
_ISO_PARTS = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?"
                        r"(?:\.\d+)?(?:[+-](\d{2}):(\d{2}))?")
_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")


def _out_of_range(text: str) -> str | None:
    """Which part of an ISO 8601 time is out of range, in words (`2025-02-30`: February
    2025 has days 01 to 28); None when none is, or `text` has another form. Python's own
    messages differ between versions and give no day counts."""
    import calendar

    match = _ISO_PARTS.fullmatch(text[:-1] if text.endswith(("Z", "z")) else text)
    if match is None:
        return None
    year, month, day, hour, minute, second, offset_hours, offset_minutes = (
        int(part) if part is not None else 0 for part in match.groups())
    if year == 0:
        return "years start at 0001"
    if not 1 <= month <= 12:
        return f"there is no month {month:02}: months are 01 to 12"
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return f"{_MONTH_NAMES[month - 1]} {year} has days 01 to {days}"
    for value, unit, top in ((hour, "hours", 23), (minute, "minutes", 59),
                             (second, "seconds", 59), (offset_minutes, "offset minutes", 59)):
        if value > top:
            return f"{unit} are 00 to {top}"
    if offset_hours > 23:
        return "an offset from UTC is less than 24 hours"
    return None


# Forms found in LinkedIn exports and in files re-saved by spreadsheets, read by
# patterns rather than `strptime`, which costs 8 to 60 µs a cell in a loop of formats.
_US_TIME = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})"  # month first, then a time or not
                      r"(?:,? +(\d{1,2}):(\d{2})(?::(\d{2}))? *([AaPp][Mm])?)?")
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})[ -]([A-Za-z]{3,9})\.?[ -](\d{4}|\d{2})")
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")
_MONTH_NUMBERS = {**{m[:3]: i for i, m in enumerate(_MONTHS, 1)},
                  **{m: i for i, m in enumerate(_MONTHS, 1)}, "sept": 9}


def _year(digits: str) -> int:
    """Two-digit years as `strptime` reads them: 69-99 are 1900s, 00-68 are 2000s."""
    year = int(digits)
    return year if len(digits) == 4 else year + (1900 if year >= 69 else 2000)


def _export_time(text: str) -> datetime | None:
    """`7/8/26, 9:34 PM`, `7/8/2026 21:34`, `9/9/2022` (month first, as LinkedIn writes
    dates), `09 Sep 2022`, `9-Sep-22`, `2026-03-21 14:03:12 UTC`; None when the text has
    none of these forms. Out-of-range parts raise ValueError."""
    if text.endswith(" UTC"):
        try:
            return datetime.fromisoformat(text[:-4]).replace(tzinfo=timezone.utc)
        except ValueError as exc:
            if "out of range" in str(exc):
                raise
            return None
    match = _US_TIME.fullmatch(text)
    if match:
        month, day, year, hour, minute, second, half = match.groups()
        if int(month) > 12:  # `13/8/26`: a day-first date, re-saved by a European sheet
            iso = f"{_year(year):04}-{int(day):02}-{int(month):02}"
            shown = f" ({iso})" if _out_of_range(iso) is None and int(day) <= 12 else ""
            raise ValueError(f"dates with `/` are month first, as LinkedIn writes them, and "
                             f"there is no month {month}; re-save the file with month-first "
                             f"or ISO dates{shown}")
        hours = int(hour or 0)
        if half is not None:
            if not 1 <= hours <= 12:
                raise ValueError("the hour of a time with AM or PM must be 1 to 12")
            hours = hours % 12 + (12 if half in ("PM", "pm", "Pm", "pM") else 0)
        return datetime(_year(year), int(month), int(day), hours, int(minute or 0),
                        int(second or 0), tzinfo=timezone.utc)
    match = _DAY_MONTH_YEAR.fullmatch(text)
    if match:
        month_number = _MONTH_NUMBERS.get(match.group(2).lower())
        if month_number is None:
            raise ValueError(f"`{match.group(2)}` is not a month")
        return datetime(_year(match.group(3)), month_number, int(match.group(1)),
                        tzinfo=timezone.utc)
    return None


@functools.lru_cache(maxsize=4096)
def parse_time_cell(text: str) -> datetime:
    """A time as found in input files: ISO 8601 or a LinkedIn export form (UTC when no
    zone is given). Cached: a column of dates repeats the same few thousand cells."""
    try:
        value = _export_time(text)
    except ValueError as exc:
        raise LiteralError(f"`{text}` is not a valid time: {exc}") from None
    value = value or _iso_time(text)
    if value is not None:
        return value
    raise LiteralError(f"`{text}` is not a time: expected ISO 8601 like 2026-07-08T21:34:00Z "
                       "or a LinkedIn form like `7/8/26, 9:34 PM` or `09 Sep 2022`")


_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r"}
_UNICODE_ESCAPE = re.compile(r"u\{([0-9A-Fa-f]{1,6})\}")


def unescape(raw: str) -> tuple[str, list[int]]:
    """Decode a string literal's text (quotes included).

    Returns the value and, for each character of it, its offset in `raw`, so a
    `{placeholder}` of an `ask` template can be pointed at exactly.
    """
    body_end = len(raw) - 1
    if "\\" not in raw:
        return raw[1:body_end], list(range(1, body_end))
    out: list[str] = []
    offsets: list[int] = []
    i = 1
    while i < body_end:
        char = raw[i]
        if char != "\\":
            out.append(char)
            offsets.append(i)
            i += 1
            continue
        nxt = raw[i + 1] if i + 1 < body_end else ""
        if nxt in _ESCAPES and nxt:
            out.append(_ESCAPES[nxt])
            offsets.append(i)
            i += 2
            continue
        match = _UNICODE_ESCAPE.match(raw, i + 1, body_end)
        if match:
            code = int(match.group(1), 16)
            if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                raise LiteralError(f"`\\u{{{match.group(1)}}}` is not a Unicode scalar value",
                                   i, match.end())
            out.append(chr(code))
            offsets.append(i)
            i = match.end()
            continue
        shown = "\\" + nxt
        digits = re.match(r"[0-9A-Fa-f]{1,6}", raw[i + 2:body_end]) if nxt == "u" else None
        hint = ('escapes are \\" \\\\ \\n \\t \\r and \\u{1F600}' if nxt != "u" else
                f"write `\\u{{{digits.group()}}}`, in braces" if digits else
                "write a Unicode escape as `\\u{1F600}`")
        raise LiteralError(f"unknown escape `{shown}` in a string", i, i + 1 + len(nxt), hint)
    return "".join(out), offsets


_SHORT = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}
_QUOTED = {'"': '\\"', "\\": "\\\\", **_SHORT}


def quote(text: str) -> str:
    """A string literal in its one spelling: printable characters as themselves; quotes,
    backslashes and the usual controls by their short escapes; anything else unseen
    (other controls, zero-width and unusual spaces) as `\\u{...}`."""
    return '"' + visible(text, _QUOTED) + '"'


def visible(text: str, short: dict[str, str] = _SHORT) -> str:
    """`text` with what a reader cannot see, or a terminal would obey (newlines, escape
    sequences, bidi overrides), spelled as escapes: `\\n`, `\\u{1B}`."""
    if short is _SHORT and text.isprintable():
        return text
    out = []
    for at, char in enumerate(text):
        if char in short:
            out.append(short[char])
        elif char.isprintable() and not (at == 0 and unicodedata.combining(char)):
            out.append(char)
        else:  # (a combining mark with nothing before it would sit on the quote)
            out.append(f"\\u{{{ord(char):X}}}")
    return "".join(out)


def spell(value: Any) -> str:
    """A value as a policy would write it: `true`, `12`, `"text"`, `["a", "b"]`, `26w`,
    `2026-11-01T09:30:00Z`. A duration takes the largest unit it is a whole number of."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(spell(item) for item in value) + "]"
    if isinstance(value, timedelta):
        seconds = int(value.total_seconds())
        sign, seconds = ("-", -seconds) if seconds < 0 else ("", seconds)
        unit = next((u for u in reversed(UNIT_SECONDS) if seconds and seconds % UNIT_SECONDS[u] == 0), "s")
        return f"{sign}{seconds // UNIT_SECONDS[unit]}{unit}"
    if isinstance(value, datetime):
        utc = value.astimezone(timezone.utc).replace(microsecond=0, tzinfo=None)
        return utc.date().isoformat() if utc == utc.replace(hour=0, minute=0, second=0) \
            else utc.isoformat() + "Z"
    return str(value)
