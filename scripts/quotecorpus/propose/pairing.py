"""Which candidate passages become drafts, and each original's English, paired by the article's own cues:

* parenthesis: the English in quotation marks, the original in parentheses right after it
  (“bastard” (ублюдочный), “…” (“…”));
* footnote: an English quotation or block quotation whose footnote prints the original in quotation
  marks ("The original wording of the quote: “…”");
* title: an English quotation whose footnote cites a Cyrillic title by the person the sentence names
  (“Death of the Peace of Versailles” — К. Радек, ‘Смерть Версальского мира’);
* numbered points ("1. … 2. …") in both texts are paired point by point.

An English quotation without an original is kept (English-only, the corpus's rules in corpus/README.md)
when the article attributes it (a verb of saying, a person named, a primary source in its footnote);
a title in a citation, a label in scare quotes, an English scholar's words are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from quotecorpus.propose.layout import Layout
from quotecorpus.propose.passages import Passage, make, paragraphs, sentence_around, speech_like
from quotecorpus.text.articletext import key
from quotecorpus.text.chars import CYRILLIC
from quotecorpus.text.langid import detect, script_candidates
from quotecorpus.text.translit import transliterate


@dataclass
class Candidate:
    kind: str  # quotation | term | abstract
    original: Passage | None
    english: Passage | None
    cue: str  # how the English was paired, or why an English-only passage is proposed
    confidence: float  # of the pairing, or of an English-only passage being a quotation
    language: str | None = None
    language_cert: str | None = None  # set when the language is inferred (no original printed)
    language_reason: str | None = None
    evidence: list[str] = field(default_factory=list)

    @property
    def where(self) -> Passage:
        return self.english or self.original  # type: ignore[return-value]

    @property
    def ref(self) -> int | None:
        return self.where.ref if self.where.footnote is None else None


_SAYING = re.compile(
    r"\b(?:sa(?:id|ys?|ying)|wr(?:ote|ites?|itten|iting)|stat(?:ed|es|ing)|declar|repl|answer|told|tell|inform|warn|urg|stress|"
    r"emphasi|proclaim|promis|predict|describ|call|term|referr|chid|ask|demand|insist|argu|lament|admonish|express|suggest|remark|"
    r"report|assert|add|conclud|continu|forb|mention|explain|assur|instruct|decid|consider|deem|spok|speak|words?|quot|according|"
    r"letter|telegram|note|speech|opinion|judgment|reply|address|proposal|request|inquir|claim|dismiss|hop|appeal|slogan|formula|"
    r"phrase|expression|interview|memorandum|message|encourag|order|direct|recommend|charg|conversation)\w*",
    re.I,
)
_OWN_TERM = re.compile(r"[A-Z]\w+[’']s (?:term|words|expression|phrase|formula)|as (?:he|she|they|[A-Z]\w+) (?:put|called) it")
_ATTRIBUTED_BY_SCHOLAR = re.compile(r"\b(?:errs|claim of|in stating|according to)\b[^.;]*$")
_SCARE = re.compile(r"(?:so-called|as it were|known as|what (?:was|is) called)\s*[‘“\"]?$", re.I)
_PRIMARY = re.compile(
    r"\b(?:letter|telegram|report|note|memorandum|speech|minutes|protocol|declaration|comment|directive|remark|quoted|quot\.|"
    r"Aufzeichnung|Nachlass|Protokoll|Text in|text of|DVP|SGO|PSS|RGASPI|AVPRF|RGVA|Sochineniia|Verhandlungen)\b"
)
_FOREIGN_SOURCE = re.compile(r"[А-Яа-яЁё]{3,}|\b(?:und|der|die|des|von|zur|herausgegeben|Akten|Dokumente|Dokumenty|sobranie|vneshnei)\b")
_ENGLISH_SCHOLARSHIP = re.compile(r"\b(?:University Press|Journal|Studies|Quarterly|Review|claim of|stating that|errs)\b")
_TITLE_BEFORE = re.compile(r"(?:[A-ZÀ-ŽА-Я][\w.'’-]*,|\bid\.,|\bin|\bsee|\bmy|\bentitled)\s*$", re.I)
_TITLE_AFTER = re.compile(r"^(?:[”\"’]\s*,|,\s*[”\"’]|[”\"’]?[.,]?\s*(?:in\s|pp?\.\s*\d|vol\.))")
_POINT = re.compile(r"(?:(?<=\s)|^)(\d)[.)]\s")


def is_title(p: Passage) -> bool:
    """A title in a citation: in a footnote, after an author's name ("Davies, ") or "in", or followed
    by the rest of a reference (a journal, "(Moscow, 1958)", "pp.")."""
    if p.footnote is None:
        return False
    text = p.stream.text
    before = text[max(0, p.start - 40) : max(0, p.start - 1)]
    after = text[p.end : p.end + 40]
    return bool(_TITLE_BEFORE.search(before) or _TITLE_AFTER.match(after)) and not re.search(r"entitled\s*$", before)


def _entitled(p: Passage) -> bool:
    return bool(re.search(r"\b(?:entitled|headed)\s*[“\"‘]?$", p.stream.text[max(0, p.start - 20) : p.start]))


def foreign_language(text: str) -> str | None:
    """German or Polish by the letters or the detector; None for English (or too short to tell)."""
    script, allowed = script_candidates(text)
    if script == "Cyrillic":
        return (allowed or ["ru"])[0] if allowed and "ru" not in allowed else "ru"
    found = detect(text)
    if found.language in ("de", "pl") and found.probability is not None and found.probability > 0.8:
        return found.language
    return None


def _split_points(layout: Layout, p: Passage) -> list[Passage]:
    """A passage of numbered points (“1. … 2. … 3. …”), one passage per point; else [p]."""
    text = p.stream.text[p.start : p.end]
    marks = [m for m in _POINT.finditer(text)]
    numbers = [int(m.group(1)) for m in marks]
    if len(marks) < 2 or numbers[0] != 1 or numbers != list(range(1, len(marks) + 1)) or marks[0].start() > 2:
        return [p]
    pieces = []
    for k, m in enumerate(marks):
        end = marks[k + 1].start() if k + 1 < len(marks) else len(text)
        piece = make(layout, p.stream, p.start + m.start(), p.start + end, p.mark)
        if piece:
            piece.ref, piece.outer = p.ref, p.outer
            pieces.append(piece)
    return pieces


def select(
    layout: Layout, quoted: list[Passage], blocks: list[Passage], known: set[str], excluded: list[tuple[int, int]] = ()
) -> list[Candidate]:
    """Drafts from the passages: originals with their English, English-only quotations. `known` holds the
    keys of registered titles and names: an original or English passage that is one, and pairs with
    nothing, is passed over; `excluded` the raw spans of the article's exclusions (never proposed)."""
    originals: list[Passage] = []
    english: list[Passage] = []
    for p in quoted:
        if p.outer is None:
            p.outer = next((b for b in blocks if b.stream is p.stream and b.start <= p.start and p.end <= b.end), None)
        raw_start, raw_end = p.stream.raw(p.start), p.stream.raw(p.end - 1)
        if any(s <= raw_start and raw_end < e for s, e in excluded):
            continue
        if p.outer is not None and not (p.cyrillic and p.outer.mark == "‘’" and p.footnote is not None and p.words >= 4):
            continue
        if p.cyrillic:
            if p.footnote is not None and p.mark in ("cyrillic", "()"):
                continue  # an author, a title or an imprint in a citation
            originals.append(p)
        elif foreign_language(p.text) and (p.footnote is None or _entitled(p) or not is_title(p)):
            originals.append(p)
        elif p.mark != "cyrillic":
            english.append(p)
    # an original also quoted inside a longer one, a short title repeated: the longest only
    originals = [
        o
        for o in originals
        if not any(o is not x and x is not o.outer and key(o.text) in key(x.text) and len(x.text) > len(o.text) for x in originals)
    ]
    paired: dict[int, Passage] = {}
    candidates: list[Candidate] = []

    def pair(e: Passage, o: Passage, cue: str, confidence: float) -> None:
        es, os_ = _split_points(layout, e), _split_points(layout, o)
        if len(es) != len(os_):
            es, os_ = [e], [o]
        for ep, op in zip(es, os_, strict=True):
            candidates.append(Candidate("quotation", op, ep, cue, confidence))
        paired[id(o)] = e
        paired[id(e)] = o

    for o in originals:  # the original in parentheses right after its English
        if o.footnote is not None:
            continue
        for e in english:
            if (
                e.stream is o.stream
                and 0 <= o.start - e.end <= 8
                and re.fullmatch(r"[”\"’]?[,.;:]?\s*\(\s*[“\"‘«„]?", o.stream.text[e.end : o.start])
            ):
                pair(e, o, "parenthesis: the original in parentheses right after the English", 0.95)
                break
    for e in [*blocks, *english]:  # the original in the footnote the English cites
        if id(e) in paired or e.footnote is not None or e.ref is None:
            continue
        in_note = [
            o
            for o in originals
            if o.footnote == e.ref and id(o) not in paired and o.mark in ("“”", '""', "«»", "„“") and _gives_original(e, o)
        ]
        if in_note:
            cue = "footnote: the English cites footnote %d, which prints the original" % e.ref
            pair(e, in_note[0], cue, 0.85 if e.mark == "block" else 0.7)
            continue
        titles = [o for o in originals if o.footnote == e.ref and id(o) not in paired and o.mark == "‘’"]
        for t in titles:
            author = re.search(r"([А-ЯЁ][а-яё]+),\s*[‘“]?$", t.stream.text[max(0, t.start - 30) : t.start])
            s, end = sentence_around(e.stream.text, e.start, e.end, before=0)
            if author and transliterate(author.group(1)).lower() in e.stream.text[s:end].lower():
                pair(e, t, f"title: footnote {e.ref} cites a Cyrillic title by {author.group(1)}, whom the sentence names", 0.6)
                break

    def is_known(p: Passage) -> bool:
        k = key(p.text)
        return not k or k in known or (p.outer is None and len(k) > 12 and any(k in kn for kn in known))

    for o in originals:
        if id(o) in paired or is_known(o):
            continue
        if o.footnote is not None and o.mark == "‘’" and is_title(o):
            continue  # a title cited, not quoted
        candidates.append(Candidate("quotation", o, None, "original: no English printed with it", 0.5))
    proposed: set[str] = set()
    for e in [*blocks, *english]:
        if id(e) in paired or is_known(e) or key(e.text) in proposed:
            continue  # a quotation quoted again later is the same quotation
        score, why = english_only_score(layout, e)
        if score >= 0.5:
            proposed.add(key(e.text))
            candidates.append(Candidate("quotation", None, e, why, round(min(score, 0.95), 2)))
    for k, (s, e) in enumerate(paragraphs(layout.body)):  # a paragraph in German or Polish: an abstract, or a quotation
        text = layout.body.text[s:e]
        language = foreign_language(text) if len(text.split()) >= 8 and not CYRILLIC.search(text) else None
        if language:
            p = make(layout, layout.body, s, e, "paragraph")
            edge = k == 0 or k == len(paragraphs(layout.body)) - 1
            if p and not any(c.where.stream is p.stream and s <= c.where.start < e for c in candidates):
                kind = "abstract" if edge else "quotation"
                candidates.append(Candidate(kind, p, None, f"a paragraph in {language}", 0.6, language=language))
    return sorted(candidates, key=lambda c: (c.where.page, c.where.line))


_ORIGINAL_CUE = re.compile(r"(?:original|wording|quot\w*|in Russian|in German|in Polish)[^.]{0,40}:?\s*$", re.I)


def _gives_original(e: Passage, o: Passage) -> bool:
    """A footnote gives the original of an English passage when it says so ("The original wording of the
    quote:"), or, for a block quotation, prints it after a colon ("p. 66: “…”"); and the two are of
    comparable length."""
    words = e.words / max(o.words, 1)
    if not 0.4 <= words <= 2.5:
        return False
    before = o.stream.text[max(0, o.start - 60) : max(0, o.start - 1)]
    return bool(_ORIGINAL_CUE.search(before)) or (e.mark == "block" and before.rstrip().endswith(":"))


def english_only_score(layout: Layout, e: Passage) -> tuple[float, str]:
    """How likely an English passage is a quotation of a historical source given only in English."""
    text = e.stream.text
    if e.mark == "block":
        return 0.8, "block quotation, given only in English"
    if is_title(e):
        return 0.0, "a title in a citation"
    before = text[max(0, e.start - 30) : max(0, e.start - 1)]
    if _SCARE.search(before):
        return 0.0, "a label (so-called …)"
    s, end = sentence_around(text, e.start, e.end, before=1)
    sentence = text[s : e.start] + " " + text[e.end : end]
    score, reasons = 0.2, []
    if _SAYING.search(sentence):
        score += 0.3
        reasons.append("the sentence attributes it")
    if _OWN_TERM.search(text[e.end : e.end + 40]):
        score += 0.3
        reasons.append("the article calls it someone's term")
    note = layout.notes.get(e.ref) if e.ref is not None else (layout.notes.get(e.footnote) if e.footnote else None)
    if note is not None:
        if _PRIMARY.search(note.text):
            score += 0.25
            reasons.append(f"footnote {note.footnote} cites a source document")
        if _FOREIGN_SOURCE.search(note.text):
            score += 0.15
            reasons.append(f"footnote {note.footnote} cites a Russian, German or Polish work")
        if _ENGLISH_SCHOLARSHIP.search(note.text) and not _PRIMARY.search(note.text):
            score -= 0.3
    if e.footnote is not None and _ATTRIBUTED_BY_SCHOLAR.search(text[s : e.start]):
        score -= 0.4
    if speech_like(e.text) and e.words >= 3:
        score += 0.15
        reasons.append("it speaks in the first person or the present")
    if e.words <= 2 and e.mark == "‘’":
        score -= 0.15
    if "[" in e.text:
        score += 0.1
    if e.words >= 4:
        score += 0.1
    return score, "English only: " + (", ".join(reasons) or "quoted")
