"""Compare curated texts with an article's extracted plain text.

The texts in ../shared/articles come from a PDF and a scan: ligatures broken by a space
("Th e", "aft er"), words split at line ends with or without their hyphen ("govern-"/"ment",
"gov"/"ernment"), running heads between pages. No rule can tell "aft er" (after) from "left
the" by itself, so we never repair the article: we compare *keys* in which every space and
every hyphen is dropped on both sides. A record is verbatim when its key occurs in the
article's key; the key keeps a map back to the article's lines for reports.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

# Dropped from keys: whitespace, hyphens (hard, soft, non-breaking) and zero-width characters.
_DROP = re.compile(r"[\s\-\u00ad\u2010\u2011\u200b\u200c\u200d\ufeff]")
_LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "st", "\ufb06": "st"}


def key(text: str) -> str:
    """The comparison form of a text: NFC, ligature characters spelled out, no spaces or hyphens."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(_LIGATURES.get(c, c) for c in text)
    return _DROP.sub("", text)


@dataclass
class ArticleText:
    """An article's raw text with its key and, for every key character, its offset in the raw text."""

    name: str
    raw: str
    key: str
    offsets: list[int]

    @classmethod
    def read(cls, path: Path) -> ArticleText:
        return cls.from_text(path.stem, Path(path).read_text(encoding="utf-8"))

    @classmethod
    def from_text(cls, name: str, raw: str) -> ArticleText:
        raw = unicodedata.normalize("NFC", raw)
        chars, offsets = [], []
        for i, c in enumerate(raw):
            for k in _LIGATURES.get(c, c):
                if not _DROP.match(k):
                    chars.append(k)
                    offsets.append(i)
        return cls(name, raw, "".join(chars), offsets)

    def line_of(self, raw_offset: int) -> int:
        return self.raw.count("\n", 0, raw_offset) + 1

    def find_all(self, text: str) -> list[tuple[int, int]]:
        """Every (start, end) span in key positions where `text` occurs, ignoring spaces and hyphens."""
        k = key(text)
        if not k:
            return []
        spans, start = [], self.key.find(k)
        while start != -1:
            spans.append((start, start + len(k)))
            start = self.key.find(k, start + 1)
        return spans

    def find_pieces(self, text: str, min_piece: int = 12) -> list[tuple[int, int]] | None:
        """Where `text` stands split into pieces, in order: a footnote that a page break interrupts
        with the next page's body or footnotes. Greedy longest pieces of at least `min_piece` key
        characters; None if the text cannot be found so."""
        k, pos, spans = key(text), 0, []
        while k:
            lo, hi = 0, len(k)  # longest prefix of k that occurs at or after pos
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if self.key.find(k[:mid], pos) != -1:
                    lo = mid
                else:
                    hi = mid - 1
            if lo < min(min_piece, len(k)):
                return None
            start = self.key.find(k[:lo], pos)
            spans.append((start, start + lo))
            k, pos = k[lo:], start + lo
        return spans

    def locate(self, text: str) -> list[tuple[int, int]]:
        """Every whole occurrence of `text`, or else its pieces (see find_pieces), or []."""
        return self.find_all(text) or self.find_pieces(text) or []

    def contains(self, text: str) -> bool:
        return bool(self.locate(text))

    def key_span(self, raw_start: int, raw_end: int) -> tuple[int, int]:
        """The key positions of the raw characters in [raw_start, raw_end)."""
        return bisect.bisect_left(self.offsets, raw_start), bisect.bisect_left(self.offsets, raw_end)
