"""Foreign terms in the author's own prose (kind: term): the corpus's glossary (the terms other articles'
records hold), German compounds by their parts (Reichs-, -amt, -wehr, -strasse, umlauts), and words the
article glosses: "peredyshka (respite)", "(or Revvoensoviet)", "AVPRF (Archiv Vneshney Politiki …)"; and, with no cue at all,
words of the body that the word-frequency lists say are not English but romanized Russian, German or
Polish (`foreign`).
Each at its first occurrence."""

from __future__ import annotations

import re

from quotecorpus.propose.foreign import judge, ocr_german, variant_of
from quotecorpus.propose.layout import Layout
from quotecorpus.propose.pairing import Candidate
from quotecorpus.propose.passages import make
from quotecorpus.text.articletext import key

_GERMAN = re.compile(r"\b(?:Reich\w*|[A-ZÄÖÜ][a-zäöüß]+(?:amt|wehr|strasse|straße|reich|bund)|[A-ZÄÖÜ]\w*[äöüß]\w*(?:\s+Amt)?)\b")
_RU_WORD = r"[A-Z]?[a-z]*(?:kh|zh|shch|yi|iy|ii|oy|iyi|ye|aya|sk[iy]\w?|ovy|nyi|nyy)"
_RU_PHRASE = re.compile(rf"\b{_RU_WORD}(?:\s+{_RU_WORD}|\s+[A-Z][a-z]+)*\b")
_RU_GLOSSED = re.compile(r"[a-z]*(?:kh|zh|sh|yi|iy|ii|oy|ye|ya|yu|ts)[a-z]*")
_NAME_THEN_ENGLISH = re.compile(r"\b((?:[A-Z][\w'-]+\s+){2,6}[A-Z][\w'-]+)\s+\(((?:[A-Z][a-z]+\s){2}[^;)]*)")
_GLOSS_AFTER = re.compile(r"\b([a-z]{5,})\s+\(([a-z][a-z ]{2,40})\)")
_OR_NAME = re.compile(r"((?:[A-Z][a-z]+\s+){1,4}[A-Z][a-z]+\s+)?\(or ([A-Z][a-z]{5,})\)")
_WORD = re.compile(r"[^\W\d_]+")
_ACRONYM_EXPANDED = re.compile(r"\b[A-Z]{3,}\s+\(((?:[A-Z][a-z'-]+\s+){1,5}[A-Z][a-z'-]+)")


def find_terms(
    layout: Layout, glossary: dict[str, str], known: set[str], taken: list[tuple[int, int]], names: set[str] = frozenset()
) -> list[Candidate]:
    """`glossary`: term -> language; `known`: keys of names and titles; `taken`: stream spans of other
    drafts (a term inside a quotation is the quotation's); `names`: the words of persons' names."""
    found: dict[str, Candidate] = {}

    def add(stream, start: int, end: int, language: str, cue: str, confidence: float, english: tuple[int, int] | None = None) -> None:
        text = stream.text[start:end]
        k = key(text)
        if k in found or k in known or any(s <= start < e for s, e in taken if stream is layout.body):
            return
        p = make(layout, stream, start, end, "term")
        if p is None:
            return
        e = make(layout, stream, *english, "term") if english else None
        c = Candidate("term", p, e, cue, confidence, language=language)
        found[k] = c

    for stream in layout.streams():
        text = stream.text
        for m in _GLOSS_AFTER.finditer(text):
            if _RU_GLOSSED.fullmatch(m.group(1)):
                add(stream, m.start(1), m.end(1), "ru", "term: glossed in parentheses", 0.7, (m.start(2), m.end(2)))
        for m in _OR_NAME.finditer(text):
            english = (m.start(1), m.end(1)) if m.group(1) else None
            add(stream, m.start(2), m.end(2), "ru" if _RU_GLOSSED.search(m.group(2)) else "de", "term: named in parentheses", 0.6, english)
        for m in _NAME_THEN_ENGLISH.finditer(text):
            if sum(1 for w in re.split(r"[\s-]+", m.group(1)) if _RU_PHRASE.fullmatch(w)) >= 2:
                add(stream, m.start(1), m.end(1), "ru", "term: a Russian name with its English after it", 0.7, (m.start(2), m.end(2)))
        for m in _ACRONYM_EXPANDED.finditer(text):
            if sum(1 for w in m.group(1).split() if _RU_PHRASE.fullmatch(w)) >= 2:
                add(stream, m.start(1), m.end(1), "ru", "term: an acronym spelled out", 0.7)
        if stream is not layout.body:
            continue
        for term, language in glossary.items():
            m = re.search(rf"(?<!\w){re.escape(term)}(?!\w)", text)
            if m:
                add(stream, m.start(), m.end(), language, "term: in the corpus's glossary (other articles' terms)", 0.8)
        for m in _GERMAN.finditer(text):
            if m.group().split()[0] not in names:
                add(stream, m.start(), m.end(), "de", "term: a German compound", 0.5)
        _by_frequency(stream, text, add, found, known, names)
    return sorted(found.values(), key=lambda c: (c.where.page, c.where.line))


def _by_frequency(stream, text: str, add, found: dict[str, Candidate], known: set[str], names: set[str]) -> None:
    """Words of the body that are not English by the word-frequency lists (see `foreign`): romanized
    Russian, German or Polish words (a run of them one term), OCR-damaged German words, and variant
    spellings of terms already found; never a word of a person's name or a title in the registers."""
    terms = {c.original.text: c.language for c in found.values()}
    spans = [(c.original.start, c.original.end) for c in found.values() if c.original.footnote is None]
    run: list = []  # (match, verdict) of consecutive words of one language

    def flush() -> None:
        if run:
            start, end = run[0][0].start(), run[-1][0].end()
            language = run[0][1].language
            evidence = "; ".join(f"{m.group()}: {v.evidence}" for m, v in run)
            add(stream, start, end, language, f"term: not English by word frequency ({evidence})", min(v.confidence for _, v in run))
            run.clear()

    for m in _WORD.finditer(text):
        word = m.group()
        if word in names or key(word) in known:
            flush()
            continue
        v = None if any(s <= m.start() < e for s, e in spans) else judge(word) or ocr_german(word) or variant_of(word, terms)
        if v is not None and v.noun:
            before = text[max(0, m.start() - 4) : m.start()]
            after = re.match(r"\s*(\S)", text[m.end() :])
            if before.lower() != "the " or (after and after.group(1).isupper()):
                v = None
        if v is None:
            flush()
            continue
        if run and (run[-1][1].language != v.language or text[run[-1][0].end() : m.start()] not in (" ", "\n")):
            flush()
        run.append((m, v))
    flush()
