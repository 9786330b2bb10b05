"""Source text and spans: every position in connectlang is a character offset.

Offsets are cheap to store and compare; lines and columns (1-based, in characters,
as users and editors count them) are computed only when a diagnostic is shown.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open range ``[start, end)`` of character offsets into a source."""

    start: int
    end: int

    def cover(self, other: Span) -> Span:
        """The smallest span holding both."""
        return Span(min(self.start, other.start), max(self.end, other.end))


@dataclass(frozen=True)
class Source:
    """A named text, with the line table needed to turn offsets into line:column.
    Its line ends are `\n`: CRLF (Windows) and a lone CR (old Mac) are read as one, so
    lines, columns and the lines shown under a diagnostic are the editor's."""

    text: str
    name: str = "<input>"
    _line_starts: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if "\r" in self.text:
            object.__setattr__(self, "text", self.text.replace("\r\n", "\n").replace("\r", "\n"))
        starts = [0]
        find = self.text.find
        at = find("\n")
        while at != -1:
            starts.append(at + 1)
            at = find("\n", at + 1)
        object.__setattr__(self, "_line_starts", tuple(starts))

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset."""
        offset = max(0, min(offset, len(self.text)))
        index = bisect_right(self._line_starts, offset) - 1
        return index + 1, offset - self._line_starts[index] + 1

    def line(self, offset: int) -> int:
        return self.position(offset)[0]

    def line_start(self, line: int) -> int:
        """The offset of a 1-based line's first character."""
        return self._line_starts[line - 1]

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its line break."""
        start = self._line_starts[line - 1]
        end = self.text.find("\n", start)
        return self.text[start:] if end == -1 else self.text[start:end]

    @property
    def end(self) -> Span:
        """An empty span at the end of the text, for 'unexpected end of file'."""
        return Span(len(self.text), len(self.text))
