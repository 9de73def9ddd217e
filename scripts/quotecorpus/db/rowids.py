"""Row ids in load order that a row added or removed elsewhere does not move.

A row's rowid matters: the search index (FTS5, contentless) is keyed by it, and the reading room and
DTS take rowid order for the TEI's document order (DTS navigation, ties in search ranking and in date
order). Numbering rows 1, 2, 3… in load order gives that order, but one quotation added near the start
renumbers every row after it and their search index entries with them: an incremental build could not
be the same as a full one for less than the cost of one.

So a row's rowid is a label computed from the sequence of its table's keys in load order, the same for
every build that loads the same rows in the same order (a full build and an incremental one alike),
increasing in load order, and local: a key added or removed changes the labels of the rows after it
only up to the next key at least as high as itself (below), about 80 rows expected, all of them with
probability 16⁻⁴.

Each key has a height h from 0 to LEVELS, from a hash of the key alone: P(h ≥ k) = 16⁻ᵏ. A row's
label is (c_LEVELS, …, c_1, c_0), packed into 62 bits (below DTS's "past every key", 2⁶²): reading
the rows in order, a row of height h adds one to c_h and sets every c below h to 0. The labels are
therefore strictly increasing, and a row's label depends only on the rows since the last row higher
than it.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator

from quotecorpus.errors import QuotecorpusError

LEVELS = 4  # c_0 .. c_3 below the top counter c_4
LOW_BITS = 12  # each of c_0 .. c_3 (a run of 4,096 rows between two higher ones: probability about 10^-115)
TOP_BITS = 62 - LEVELS * LOW_BITS  # c_4: 16,384 rows of the top height, about a thousand million rows in all
_LOW_MAX = (1 << LOW_BITS) - 1
_TOP_MAX = (1 << TOP_BITS) - 1


class RowidOverflow(QuotecorpusError):
    """A table's keys gave a label that does not fit its bits (never seen: see LOW_BITS and TOP_BITS)."""


def height(key: str) -> int:
    """0 with probability 15/16, 1 with 15/256, ...: the trailing zero hex digits of the key's CRC-32."""
    crc = zlib.crc32(key.encode("utf-8"))
    h = 0
    while h < LEVELS and not crc & 0xF:
        crc >>= 4
        h += 1
    return h


class Labeler:
    """The labels of one table's keys, given one at a time in load order."""

    __slots__ = ("counts", "table")

    def __init__(self, table: str = "") -> None:
        self.table = table
        self.counts = [0] * (LEVELS + 1)

    def next(self, key: str) -> int:
        h = height(key)
        counts = self.counts
        counts[h] += 1
        for j in range(h):
            counts[j] = 0
        if counts[h] > (_TOP_MAX if h == LEVELS else _LOW_MAX):
            raise RowidOverflow(f"table {self.table}: too many rows between two of a higher level at {key!r}; report this")
        label = counts[LEVELS]
        for j in range(LEVELS - 1, -1, -1):
            label = (label << LOW_BITS) | counts[j]
        return label


def labels(keys: Iterable[str], table: str = "") -> Iterator[int]:
    """The label of each key of a table, in load order."""
    labeler = Labeler(table)
    return (labeler.next(k) for k in keys)


def _counts(label: int) -> list[int]:
    """The counters a label packs (a Labeler's state after the row it labels)."""
    low = [(label >> (LOW_BITS * j)) & _LOW_MAX for j in range(LEVELS)]
    return [*low, label >> (LOW_BITS * LEVELS)]


def relabel(keys: list[str], old: dict[str, int], before: dict[str, str | None], table: str = "") -> list[int]:
    """labels(keys), given the labels `old` the table's keys had and the key `before` each of them then
    (None for the first): a key that follows the same key as before, which kept its label, keeps its own
    without it being computed. Labels are computed from each change until they meet the old ones again
    (a Labeler's state after a row is its label), so that a few changes cost a few computations, and a
    pass of dictionary lookups."""
    out: list[int] = []
    labeler = Labeler(table)
    prev: str | None = None
    same = True  # the state before this key is the one it had before
    for key in keys:
        label = old.get(key)
        if same and label is not None and before.get(key, "\0") == prev:
            out.append(label)
        else:
            if same:
                labeler.counts = _counts(out[-1]) if out else [0] * (LEVELS + 1)
            found = labeler.next(key)
            out.append(found)
            same = found == label
        prev = key
    return out
