"""An extracted article's layout: which printed page each line stands on, and whether it is body text,
a footnote (which one) or page furniture (running heads, URLs of the publisher's footer).

The texts come from PDFs and scans (see ../shared/articles): a new page starts with a line that the
extraction indents by a space, or with a running head ("Soviet Policy Toward Germany, 1920 667",
"100 Andrzej Nowak"); the body of a page comes first, then its footnotes, each opening with its number
("1. See", "13  Документы"); a footnote that runs over the page end goes on just before the first
footnote of the next page. The page numbers are counted from the running heads that carry one (they
re-anchor the count, since a scan drops some) and from the article's first page.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

URL_LINE = re.compile(r"^\s*https?://\S+(\s+Published online.*)?\s*$")
HEAD_NUMBER_FIRST = re.compile(r"^(\d{1,4})\s+(\S.{2,60})$")
HEAD_NUMBER_LAST = re.compile(r"^(\S.{2,60}?)\s+(\d{1,4})$")
# The two ways the articles number their footnotes; an article uses one (the most frequent is taken).
NOTE_STYLES = {"dot": re.compile(r"^(\d{1,3})\.\s+\S"), "spaces": re.compile(r"^(\d{1,3})\s{2,}\S"), "asterisk": re.compile(r"^\*\s+\S")}
_FINISHED = re.compile(r"[.)\]”\"’!?]\s*$")


@dataclass
class Line:
    no: int  # 1-based line number in the article text
    start: int  # offset of the line in the raw text
    text: str
    page: int = 0
    zone: str = "body"  # body | note | furniture
    footnote: int | None = None  # the footnote this line belongs to (zone "note")


@dataclass
class Stream:
    """Body text, or one footnote, as one text across page breaks, with the raw offset of each character."""

    footnote: int | None  # None: the body
    text: str = ""
    offsets: list[int] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)

    def add(self, line: Line, raw_start: int, raw_text: str, sep: str) -> None:
        if self.text:
            self.text += sep
            self.offsets += [raw_start - 1] * len(sep)
        self.text += raw_text
        self.offsets += range(raw_start, raw_start + len(raw_text))
        self.lines.append(line)

    def raw(self, i: int) -> int:
        return self.offsets[min(i, len(self.offsets) - 1)] if self.offsets else 0


@dataclass
class Layout:
    raw: str
    lines: list[Line]
    body: Stream
    notes: dict[int, Stream]
    first_page: int
    _starts: list[int] = field(default_factory=list)

    def line_at(self, raw_offset: int) -> Line:
        if not self._starts:
            self._starts = [ln.start for ln in self.lines]
        return self.lines[max(0, bisect.bisect_right(self._starts, raw_offset) - 1)]

    def streams(self) -> list[Stream]:
        return [self.body, *self.notes.values()]


def _running_heads(lines: list[Line], author: str | None, title: str | None, first_page: int, last_page: int | None) -> dict[int, int]:
    """Line index -> printed page number, for lines that are running heads: a short line with a page
    number first or last whose words repeat in another such line or name the article's author or title."""
    found: list[tuple[int, int, str]] = []
    for i, ln in enumerate(lines):
        t = ln.text.strip()
        m = HEAD_NUMBER_FIRST.match(t)
        if m and not re.match(r"^\d", m.group(2)):
            found.append((i, int(m.group(1)), m.group(2)))
            continue
        m = HEAD_NUMBER_LAST.match(t)
        if m:
            found.append((i, int(m.group(2)), m.group(1)))
    # a page number is one of the article's pages (a title ending in a year is no running head)
    found = [f for f in found if first_page <= f[1] <= (last_page or first_page + 300)]
    words = {w.lower() for w in re.findall(r"\w{4,}", f"{author or ''} {title or ''}")}
    counts: dict[str, int] = {}
    for _, _, label in found:
        counts[label] = counts.get(label, 0) + 1
    heads = {}
    for i, number, label in found:
        own = {w.lower() for w in re.findall(r"\w{4,}", label)}
        # a name alone ("100 Andrzej Nowak"): a few capitalised words
        name_only = re.fullmatch(r"(?:[A-ZÀ-Ž][\w.'’-]*\s*){1,4}", label) is not None
        if counts[label] > 1 or (own and own <= words) or (author and author in label) or name_only:
            heads[i] = number
    return heads


def read_layout(raw: str, first_page: int = 1, last_page: int | None = None, author: str | None = None, title: str | None = None) -> Layout:
    lines: list[Line] = []
    pos = 0
    for no, text in enumerate(raw.split("\n"), 1):
        lines.append(Line(no, pos, text))
        pos += len(text) + 1
    heads = _running_heads(lines, author, title, first_page, last_page)
    for i in heads:
        lines[i].zone = "furniture"
    for ln in lines:
        if URL_LINE.match(ln.text):
            ln.zone = "furniture"
    # page starts: running heads, and lines the extraction indents
    starts = [i for i, ln in enumerate(lines) if i in heads or (ln.zone != "furniture" and ln.text[:1].isspace() and ln.text.strip())]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    pages = _number_pages(starts, heads, first_page)
    for k, i in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        for ln in lines[i:end]:
            ln.page = pages[k]
    _footnotes(lines, starts)
    return _streams(raw, lines, first_page)


def _number_pages(starts: list[int], heads: dict[int, int], first_page: int) -> list[int]:
    """A page number per page start: counted back from the first running head that carries one (clamped
    at the article's first page), forward from each such head after it."""
    anchors = [(k, heads[i]) for k, i in enumerate(starts) if i in heads]
    pages = [0] * len(starts)
    if not anchors:
        return [first_page + k for k in range(len(starts))]
    k0, p0 = anchors[0]
    for k in range(k0 + 1):
        pages[k] = max(first_page, p0 - (k0 - k))
    current = p0
    for k in range(k0 + 1, len(starts)):
        current = heads.get(starts[k], current + 1)
        pages[k] = current
    return pages


def _footnotes(lines: list[Line], starts: list[int]) -> None:
    """Mark each page's footnotes: from the first line that opens the next footnote number (in the
    article's numbering style) to the page end; a footnote left unfinished at a page end goes on in the
    paragraph just before the next page's first footnote."""
    style_counts = {name: sum(1 for ln in lines if p.match(ln.text)) for name, p in NOTE_STYLES.items() if name != "asterisk"}
    style = NOTE_STYLES[max(style_counts, key=style_counts.__getitem__)]
    expected = 1
    unfinished: int | None = None
    bounds = [*starts, len(lines)]
    for k in range(len(starts)):
        page = [ln for ln in lines[bounds[k] : bounds[k + 1]] if ln.zone != "furniture"]
        first_note = None
        for j, ln in enumerate(page):
            m = style.match(ln.text)
            if m and expected <= int(m.group(1)) <= expected + 2:
                first_note = j
                break
            if NOTE_STYLES["asterisk"].match(ln.text) and j > 0 and not page[j - 1].text.strip():
                first_note = j
                break
        if unfinished is not None:
            end = first_note if first_note is not None else len(page)
            j = end - 1
            while j > 0 and not page[j].text.strip():
                j -= 1
            while j > 0 and page[j - 1].text.strip():
                j -= 1
            if j > 0:  # not the whole page
                for ln in page[j:end]:
                    ln.zone, ln.footnote = "note", unfinished
        current: int | None = unfinished
        if first_note is not None:
            for ln in page[first_note:]:
                m = style.match(ln.text)
                if m and expected <= int(m.group(1)) <= expected + 2:
                    current = int(m.group(1))
                    expected = current + 1
                elif NOTE_STYLES["asterisk"].match(ln.text):
                    current = 0  # an unnumbered note (the publisher's acknowledgement): no footnote number
                ln.zone, ln.footnote = "note", current
        last = [ln for ln in page if ln.zone == "note" and ln.text.strip()]
        unfinished = current if last and first_note is not None and not _FINISHED.search(last[-1].text) else None
        if unfinished is not None and last and last[-1].footnote != unfinished:
            unfinished = None


_SENTENCE_DONE = re.compile(r"(?:[.!?…]|[.!?…]?[”\"’)])\d{0,2}\s*$|:\s*$|\bthat\s*$")


def _streams(raw: str, lines: list[Line], first_page: int) -> Layout:
    """The body and each footnote as one text. A blank line is a paragraph break on its page; across a
    page break (where the page's footnotes stood) a paragraph ends only where a sentence ends, or a
    quotation is introduced (":", "that"), and the next page starts with a capital."""
    body = Stream(None)
    notes: dict[int, Stream] = {}
    prev: dict[int | None, Line] = {}
    blank: dict[int | None, bool] = {}
    for ln in lines:
        if ln.zone == "furniture":
            continue
        key = ln.footnote if ln.zone == "note" else None
        stream = body if key is None else notes.setdefault(key, Stream(key))
        text = ln.text.rstrip()
        if not text.strip():
            blank[key] = True
            continue
        before = prev.get(key)
        sep = "\n"
        if before is not None:
            if before.page == ln.page:
                sep = "\n\n" if blank.get(key) else "\n"
            elif key is None and _SENTENCE_DONE.search(before.text) and (text.lstrip()[:1].isupper() or _INTRO.search(before.text)):
                sep = "\n\n"
        lead = len(text) - len(text.lstrip())
        stream.add(ln, ln.start + lead, text.strip(), sep)
        prev[key] = ln
        blank[key] = False
    notes.pop(0, None)
    return Layout(raw, lines, body, notes, first_page)


_INTRO = re.compile(r"(?::|\bthat)\s*$")
