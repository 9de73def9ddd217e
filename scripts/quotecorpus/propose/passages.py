"""Candidate passages of an article: every quoted passage, every Cyrillic run, every block quotation,
in the body or a footnote, with where it stands (page, footnote, line) and the footnote it cites."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from quotecorpus.propose.cleanup import clean
from quotecorpus.propose.layout import Layout, Stream
from quotecorpus.records.audit import CYRILLIC_RUN, QUOTES, straight_quotes
from quotecorpus.text.chars import CYRILLIC

_TRIM = " \t\n"
# A footnote reference in the body: digits right after a word, a quotation mark or punctuation.
_REF = re.compile(r"(?<=[^\s\d(\[/–-])(\d{1,2})(?=[\s—–,.;:)]|$)")
_SENTENCE_END = re.compile(r"[.!?…](?:[”\"’)]|\d{1,2})*\s+(?=[A-Z“‘\"(])")


@dataclass
class Passage:
    stream: Stream
    start: int  # the passage in its stream, quotation marks excluded
    end: int
    mark: str  # “” ‘’ "" «» „“ () block cyrillic term
    text: str  # cleaned as a record holds it
    page: int
    footnote: int | None
    line: int
    joined: list[str] = field(default_factory=list)  # line-end hyphens joined
    outer: Passage | None = None  # the quoted passage this one stands in
    ref: int | None = None  # the footnote the passage cites

    @property
    def cyrillic(self) -> bool:
        letters = [c for c in self.text if c.isalpha()]
        return bool(letters) and sum(1 for c in letters if CYRILLIC.match(c)) >= len(letters) / 2

    @property
    def words(self) -> int:
        return len(re.findall(r"[^\W\d_]+", self.text))


def make(layout: Layout, stream: Stream, start: int, end: int, mark: str) -> Passage | None:
    inner = stream.text[start:end]
    lead = len(inner) - len(inner.lstrip(_TRIM))
    start, end = start + lead, end - (len(inner) - len(inner.rstrip(_TRIM)))
    if end <= start or not re.search(r"[^\W\d_]", stream.text[start:end]):
        return None
    text, joined = clean(stream.text[start:end])
    line = layout.line_at(stream.raw(start))
    return Passage(stream, start, end, mark, text, line.page, stream.footnote, line.no, joined)


def footnote_refs(layout: Layout) -> list[tuple[int, int]]:
    """(position in the body, footnote number) of each footnote reference, in order. A scan misreads some
    ("them.0" for 6, "80" for 60, "58" for 56): a number that is not the next one is taken as printed only
    when the reference after it follows it; otherwise it stands for the next footnote."""
    found = [m for m in _REF.finditer(layout.body.text)]
    refs: list[tuple[int, int]] = []
    last = 0
    for k, m in enumerate(found):
        n = int(m.group(1))
        following = int(found[k + 1].group(1)) if k + 1 < len(found) else None
        if n == last + 1 and n in layout.notes:
            pass
        elif last + 1 < n <= last + 3 and n in layout.notes and following == n + 1:
            pass
        elif last + 1 in layout.notes and _plausible_misread(m, layout.body.text) and (n > last or n < 10):
            n = last + 1
        else:
            continue
        refs.append((m.start(), n))
        last = n
    return refs


def _plausible_misread(m: re.Match, text: str) -> bool:
    # a misread reference still stands where a reference does: after a word's end and before a space
    before = text[m.start() - 1]
    return before in '.,;:”"’)' or before.isalpha() and text[m.end() : m.end() + 1].isspace()


def quoted(layout: Layout) -> list[Passage]:
    """Every quoted passage and every Cyrillic run outside quotation marks, in every stream; a passage
    inside another quoted passage knows it (outer)."""
    found: list[Passage] = []
    refs = footnote_refs(layout)
    for stream in layout.streams():
        spans: list[tuple[int, int, str]] = []
        for mark, pattern in QUOTES:
            if mark != "“”":
                spans += [(m.start(1), m.end(1), mark) for m in pattern.finditer(stream.text)]
        spans += [(s, e, "“”") for s, e in _mixed(stream.text, nested_spans(stream.text, "“", "”"))]
        spans += [(s, e, '""') for s, e in straight_quotes(stream.text)]
        passages = [p for s, e, mark in spans if (p := make(layout, stream, s, e, mark))]
        for m in CYRILLIC_RUN.finditer(stream.text):
            if not any(p.start - 1 <= m.start() and m.end() <= p.end + 1 for p in passages):
                mark = "()" if _in_parentheses(stream.text, m.start(), m.end()) else "cyrillic"
                p = make(layout, stream, m.start(), m.end(), mark)
                if p:
                    passages.append(p)
        for p in passages:
            p.outer = min(
                (
                    o
                    for o in passages
                    if o is not p
                    and o.mark not in ("cyrillic", "()")
                    and o.start <= p.start
                    and p.end <= o.end
                    and (o.end - o.start) > (p.end - p.start)
                ),
                key=lambda o: o.end - o.start,
                default=None,
            )
            if stream.footnote is None:
                p.ref = _ref_after(stream.text, p.end, refs)
        found += passages
    return sorted(found, key=lambda p: p.stream.offsets[p.start] if p.stream.offsets else 0)


def nested_spans(text: str, opening: str, closing: str) -> list[tuple[int, int]]:
    """Inner spans of quotation marks that nest (a Russian quotation holds “…” inside “…”); a mark left
    open at a paragraph's end is dropped."""
    spans, stack = [], []
    for m in re.finditer(f"[{opening}{closing}]|\n\n", text):
        if m.group() == opening:
            stack.append(m.end())
        elif m.group() == closing and stack:
            spans.append((stack.pop(), m.start()))
        elif m.group() == "\n\n":
            stack.clear()
    return spans


def _inside(p: Passage, o: Passage) -> bool:
    return o.start <= p.start and p.end <= o.end and (o.end - o.start) > (p.end - p.start)


def _mixed(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A print that closes “… with ’ and opens the next with ‘ (“play the same role as in Russia’, ushering
    in a turn towards ‘proletarian Soviet rule in Germany”): two quotations, not one."""
    out = []
    for s, e in spans:
        m = re.fullmatch(r"([^‘’]+)’([^‘’“”]+)‘([^‘’]+)", text[s:e], re.S)
        if m and not re.match(r"\w", m.group(2)):
            out += [(s, s + len(m.group(1))), (e - len(m.group(3)), e)]
        else:
            out.append((s, e))
    return out


def _in_parentheses(text: str, start: int, end: int) -> bool:
    before, after = text[max(0, start - 3) : start], text[end : end + 3]
    return "(" in before and ")" in after


def _ref_after(text: str, end: int, refs: list[tuple[int, int]]) -> int | None:
    """The first footnote reference after a passage, in its paragraph."""
    stop = text.find("\n\n", end)
    stop = len(text) if stop == -1 else stop
    for pos, n in refs:
        if end <= pos < stop:
            return n
    return None


def sentence_around(text: str, start: int, end: int, before: int = 1) -> tuple[int, int]:
    """The span of the sentence holding [start, end) and `before` sentences ahead of it, in its paragraph."""
    para_start = text.rfind("\n\n", 0, start)
    para_start = 0 if para_start == -1 else para_start + 2
    ends = [m.end() for m in _SENTENCE_END.finditer(text, para_start, start)]
    s = ends[-1 - before] if len(ends) > before else para_start
    m = _SENTENCE_END.search(text, end)
    para_end = text.find("\n\n", end)
    para_end = len(text) if para_end == -1 else para_end
    e = min(m.end() if m else len(text), para_end)
    return s, e


def paragraphs(stream: Stream) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for m in re.finditer(r"\n\n+", stream.text):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(stream.text)))
    return [(s, e) for s, e in spans if stream.text[s:e].strip()]


_FIRST_SECOND = re.compile(r"\b(?:I|we|us|our|you|your|me|my)\b")
_PRESENT = re.compile(r"\b(?:is|are|am|has|have|will|can|must|should|shall|do|does|see|need|want|cannot)\b", re.I)
_PAST = re.compile(r"\b(?:was|were|had|did)\b|\b\w{3,}ed\b", re.I)


def speech_like(text: str) -> bool:
    """Words spoken or written in their own time, not the author's narrative: the first or second person
    and the present tense outweigh the narrative past."""
    return len(_FIRST_SECOND.findall(text)) + len(_PRESENT.findall(text)) > len(_PAST.findall(text))


_INTRODUCED = re.compile(r"(?::|\bthat|\bas follows)\s*$")
_ENDS_WITH_REF = re.compile(r"[.!?…”\"’\]]\s*\d{1,2}\s*$")


def block_quotes(layout: Layout) -> list[Passage]:
    """Quotations set off as paragraphs of their own: a paragraph after one that ends by introducing it
    ("…excerpt:", "…reported … that"), itself ending with a footnote reference; or paragraphs before the
    first one that says where they come from (an epigraph at the head of the article)."""
    stream, refs = layout.body, footnote_refs(layout)
    paras = paragraphs(stream)
    found = []
    for k in range(1, len(paras)):
        prev = stream.text[paras[k - 1][0] : paras[k - 1][1]]
        s, e = paras[k]
        if _INTRODUCED.search(prev.rstrip()) and _ENDS_WITH_REF.search(stream.text[s:e]) and speech_like(stream.text[s:e]):
            m = re.search(r"\s*\d{1,2}\s*$", stream.text[s:e])
            p = make(layout, stream, s, e - len(m.group(0)), "block")
            if p:
                p.ref = _ref_after(stream.text, p.end, refs)
                found.append(p)
    # an epigraph: speech ahead of the article's first footnote reference, which names its source; the
    # extraction may run it into the paragraph before, so an indented line (a new block) may start it too
    first_ref = next((pos for pos, n in refs if n == min(layout.notes, default=0)), None)
    if first_ref is not None:
        starts = sorted({s for s, _ in paras} | {stream.text.find(ln.text.strip()) for ln in stream.lines if ln.text[:1].isspace()})
        for start in (s for s in starts if 0 <= s < first_ref):
            text = stream.text[start:first_ref]
            if ":" not in text[:60] and len(text) > 200 and speech_like(text) and _FIRST_SECOND.search(text[:80]):
                p = make(layout, stream, start, first_ref, "block")
                if p:
                    p.ref = min(layout.notes)
                    found.append(p)
                break
    return found
