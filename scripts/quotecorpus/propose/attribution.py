"""Speaker, addressee, date and document suggested from the registers where the article's words name
them: the footnote the quotation cites ("Kopp’s report for Chicherin … of 16 Sept. 1920", "Kopp to
Chicherin, July 21, 1920", "Note by Trotsky, August 15, 1920") and the sentence around it ("chided
Chicherin"). Each suggestion carries the lines it came from and a confidence; nothing is suggested
where the text names nobody."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from quotecorpus.propose.cleanup import clean
from quotecorpus.propose.layout import Layout, Stream
from quotecorpus.propose.pairing import Candidate
from quotecorpus.propose.passages import sentence_around
from quotecorpus.records.corpus import Corpus

MONTHS = {
    m[:3].lower(): i
    for i, m in enumerate("January February March April May June July August September October November December".split(), 1)
}
_MONTH = r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?"
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})\s+{_MONTH}\s+(\d{{4}})")
_MONTH_DAY_YEAR = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}}),\s+(\d{{4}})")
_DOCUMENT = r"(?:report|letter|telegram|note|speech|memorandum|comment|directive|remark|instructions|reply)"


@dataclass
class Suggestion:
    value: str
    confidence: float
    lines: list[int] = field(default_factory=list)
    why: str = ""


@dataclass
class Attribution:
    speaker: Suggestion | None = None
    addressee: Suggestion | None = None
    date: Suggestion | None = None
    document: Suggestion | None = None
    language: tuple[str, str, str] | None = None  # (language, cert, reason) for a quotation printed only in English
    source: str | None = None
    source_lines: list[int] = field(default_factory=list)


def name_patterns(corpus: Corpus) -> dict[str, re.Pattern]:
    patterns = {}
    for pid, p in corpus.by_id("persons").items():
        forms = {f for f in [p.get("name"), p.get("name_original"), *(p.get("variants") or [])] if isinstance(f, str) and len(f) > 2}
        forms |= {f.split()[-1] for f in forms if len(f.split()[-1]) > 3}  # the surname alone
        if forms:
            alternatives = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
            patterns[pid] = re.compile(rf"(?<!\w)(?:{alternatives})(?:[’']s)?(?!\w)")
    return patterns


def _lines(stream: Stream, layout: Layout, start: int, end: int) -> list[int]:
    first, last = layout.line_at(stream.raw(start)).no, layout.line_at(stream.raw(max(start, end - 1))).no
    return list(range(first, last + 1))


def _date(text: str) -> tuple[str, int] | None:
    found = []
    for m in _DAY_MONTH_YEAR.finditer(text):
        found.append((m.start(), f"{m.group(3)}-{MONTHS[m.group(2).lower()]:02d}-{int(m.group(1)):02d}"))
    for m in _MONTH_DAY_YEAR.finditer(text):
        found.append((m.start(), f"{m.group(3)}-{MONTHS[m.group(1).lower()]:02d}-{int(m.group(2)):02d}"))
    if not found:
        return None
    pos, iso = min(found)
    return iso, pos


def attribute(c: Candidate, layout: Layout, corpus: Corpus, patterns: dict[str, re.Pattern] | None = None) -> Attribution:
    patterns = patterns or name_patterns(corpus)
    a = Attribution()
    where = c.where
    note = layout.notes.get(c.ref) if c.ref is not None else (layout.notes.get(where.footnote) if where.footnote else None)
    if note is not None and where.footnote is None:
        a.source = re.sub(r"^\d{1,3}\.?\s+", "", clean(note.text)[0])
        a.source_lines = [ln.no for ln in note.lines]
    # the footnote: "X’s report for Y", "X to Y, date", "note by X"
    if note is not None:
        t = note.text
        who = {pid: [m for m in p.finditer(t)] for pid, p in patterns.items()}
        who = {pid: ms for pid, ms in who.items() if ms}
        for pid, ms in who.items():
            for m in ms:
                after = t[m.end() : m.end() + 60]
                rest = re.match(rf"\s*(?:{_DOCUMENT}\w*\s+)?(?:for|to)\s+", after) if m.group().endswith(("’s", "'s")) else None
                rest = rest or re.match(r"\s+to\s+", after)
                if rest or re.search(rf"\b{_DOCUMENT}\s+(?:by|of)\s+$", t[max(0, m.start() - 25) : m.start()]):
                    lines = _lines(note, layout, m.start(), m.end())
                    if a.speaker is None or a.speaker.confidence < 0.8:
                        a.speaker = Suggestion(
                            pid,
                            0.8,
                            lines,
                            f"footnote {note.footnote}: “{t[m.start() : m.end() + len(rest.group()) if rest else m.end()].strip()}…”",
                        )
                        if rest:
                            tail = t[m.end() + rest.end() : m.end() + rest.end() + 40]
                            for other, p in patterns.items():
                                om = p.match(tail)
                                if om and other != pid:
                                    a.addressee = Suggestion(other, 0.75, lines, f"footnote {note.footnote}")
        d = _date(t)
        if d:
            a.date = Suggestion(d[0], 0.6, _lines(note, layout, d[1], d[1] + 10), f"footnote {note.footnote}")
    # the sentence: the person it names nearest the quotation
    s, e = sentence_around(where.stream.text, where.start, where.end, before=1)
    if a.speaker is None:
        best = _subject(where, patterns, s, e)
        if best:
            pid, m = best
            a.speaker = Suggestion(pid, 0.55, _lines(where.stream, layout, m.start(), m.end()), f"the sentence names {m.group()}")
    if a.date is None:
        d = _date(where.stream.text[s:e])
        if d:
            a.date = Suggestion(d[0], 0.5, _lines(where.stream, layout, s + d[1], s + d[1] + 10), "the sentence")
    # the document: a registered one by that speaker on that date
    if a.speaker and a.date:
        for did, doc in corpus.by_id("documents").items():
            if doc.get("author") == a.speaker.value and str(doc.get("date")) == a.date.value:
                if a.addressee is None or doc.get("recipient") in (None, a.addressee.value):
                    a.document = Suggestion(did, 0.7, a.date.lines, "documents.yaml: the speaker's document of that date")
                    break
    if c.original is None and c.kind == "quotation":
        a.language = _language(note.text if note is not None else "")
    return a


_SAYS = re.compile(
    r"^\W{0,3}\s*(?:\w+\s+)?(?:said|says|stated|wrote|writes|replied|told|chided|warned|urged|stressed|declared|"
    r"proclaimed|promised|predicted|expressed|asked|inquired|described|called|argued|insisted|informed|suggested|admitted)\b"
)
_SAID_BY = re.compile(r"(?:said|stated|wrote|chided|stressed|declared|replied|by)\s*$")
_OBJECT = re.compile(r"(?:\bto|\bwith|\bfrom|\bfor|\bagainst|\btowards?|\babout|\bon|\bof|\bat|\binto)\s+(?:the\s+)?(?:\w+\s+)?$")
_DOC_AFTER = re.compile(rf"^\s*{_DOCUMENT}")


def _subject(where, patterns: dict[str, re.Pattern], s: int, e: int):
    """The person the sentence makes the speaker: named with a verb of saying, or as the subject (not after
    a preposition, not a possessive of anything but a document), the nearer the better."""
    text = where.stream.text
    sent_start = sentence_around(text, where.start, where.end, before=0)[0]
    best = None
    for pid, p in patterns.items():
        for m in p.finditer(text, s, e):
            if where.start <= m.start() < where.end:
                continue  # named inside the quotation itself
            score = 1.0
            if m.group().endswith(("’s", "'s")) and not _DOC_AFTER.match(text[m.end() : m.end() + 20]):
                score -= 0.6
            if _OBJECT.search(text[max(0, m.start() - 25) : m.start()]):
                score -= 0.5
            if _SAYS.match(text[m.end() : m.end() + 30]) or _SAID_BY.search(text[max(0, m.start() - 12) : m.start()]):
                score += 0.5
            if m.start() >= sent_start:
                score += 0.3
            distance = where.start - m.end() if m.end() <= where.start else m.start() - where.end
            score -= distance / 2000
            if best is None or score > best[0]:
                best = (score, pid, m)
    return (best[1], best[2]) if best else None


_RU_CUES = re.compile(r"[А-Яа-яЁё]|\b(?:DVP|SGO|PSS|Sochineniia|Dokumenty|Trotsky Papers|RGASPI|AVPRF|RGVA|Pravda|Izvestiia)\b")
_DE_CUES = re.compile(r"\b(?:AA|Auswartiges|Auswärtiges|Nachlass|Reichstag\w*|Verhandlungen|Aufzeichnung|ADAP|Akten|Reichsrat|Protokoll)\b")
_PL_CUES = re.compile(r"[łąęśźżń]|\b(?:Instytut|Archiwum|Adiutantura)\b")


def _language(note: str) -> tuple[str, str, str]:
    """The language of a quotation printed only in English, from the source its footnote cites."""
    cues = [(lang, len(p.findall(note))) for lang, p in (("ru", _RU_CUES), ("de", _DE_CUES), ("pl", _PL_CUES))]
    lang, n = max(cues, key=lambda x: x[1])
    if n == 0:
        return (
            "ru",
            "low",
            "quoted only in English; its footnote names no Russian, German or Polish source: the language is a guess to check",
        )
    return lang, "medium", f"quoted only in English; original language inferred from the source its footnote cites ({lang})"
