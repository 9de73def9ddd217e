"""Account for every foreign-language passage of an article.

The audit finds every Cyrillic run and every quoted passage (“…”, "…", ‘…’, «…», „…“) in an
article's text and checks that each one is covered, character for character, by something
the corpus holds (a quotation's original, translation or source; a work's title; a person's
name) or by an entry of `corpus/exclusions/<article>.yaml` that says why it is left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from quotecorpus.errors import Problem, RecordError
from quotecorpus.profile import EXCLUSIONS
from quotecorpus.records.corpus import Corpus, Record, read_file
from quotecorpus.records.validate import check_fields
from quotecorpus.text.articletext import ArticleText
from quotecorpus.text.chars import CYRILLIC

_CYR = CYRILLIC.pattern
_SEP = r"[\s.,;:!?()\[\]\-–—«»\"“”„‘’'/0-9…]"
CYRILLIC_RUN = re.compile(rf"{_CYR}+(?:{_SEP}+{_CYR}+)*")
# (name, pattern with the inner text as group 1). A closing ’ followed by a letter is an apostrophe.
QUOTES = (
    ("“”", re.compile(r"“([^“”]*)”")),
    ("‘’", re.compile(r"‘((?:[^‘’]|’(?=\w))*)’(?!\w)")),
    ("«»", re.compile(r"«([^«»]*)»")),
    ("„“", re.compile(r"„([^„“”]*)[“”]")),
)
_BEFORE_OPEN = set(" \t\n([{—–-/")


def straight_quotes(raw: str) -> list[tuple[int, int]]:
    """Inner spans of "…" pairs. A straight mark opens after a space or bracket and before a
    non-space; anything else closes. Pairing by mere alternation goes wrong where an extracted
    footnote breaks off at a page end inside a title: there, a second opening mark restarts the
    pair, and a mark left open runs to the end of its paragraph."""
    spans, start = [], None
    for m in re.finditer('"', raw):
        i = m.start()
        prev = raw[i - 1] if i else " "
        nxt = raw[i + 1] if i + 1 < len(raw) else " "
        opens = prev in _BEFORE_OPEN and not nxt.isspace()
        if opens:
            if start is not None:
                spans.append((start, _paragraph_end(raw, start, i)))
            start = i + 1
        elif start is not None:
            spans.append((start, i))
            start = None
    if start is not None:
        spans.append((start, _paragraph_end(raw, start, len(raw))))
    return spans


def _paragraph_end(raw: str, start: int, limit: int) -> int:
    end = raw.find("\n\n", start, limit)
    return end if end != -1 else limit


_TRIM = " \t\n.,;:!?…"
TEXT_FIELDS = ("original", "translation", "source")


@dataclass(frozen=True)
class Item:
    """One passage of the article that the audit checks."""

    kind: str  # "cyrillic" or a quote pair such as "“”"
    line: int
    text: str
    start: int  # raw offsets of the passage (quotation marks excluded)
    end: int


@dataclass
class Report:
    article: str
    items: list[Item]
    unaccounted: list[Item]
    stale: list[Problem] = field(default_factory=list)  # exclusions that match nothing
    not_verbatim: list[Problem] = field(default_factory=list)  # corpus texts not found in the article

    @property
    def ok(self) -> bool:
        return not self.unaccounted and not self.stale and not self.not_verbatim


def find_items(text: ArticleText) -> list[Item]:
    """Every Cyrillic run and quoted passage, trimmed of surrounding spaces and punctuation."""
    found: list[Item] = []

    def add(kind: str, start: int, end: int) -> None:
        inner = text.raw[start:end]
        lead = len(inner) - len(inner.lstrip(_TRIM))
        start, end = start + lead, end - (len(inner) - len(inner.rstrip(_TRIM)))
        if end > start and re.search(r"\w", text.raw[start:end]):
            snippet = " ".join(text.raw[start:end].split())
            found.append(Item(kind, text.line_of(start), snippet, start, end))

    for m in CYRILLIC_RUN.finditer(text.raw):
        add("cyrillic", m.start(), m.end())
    for kind, pattern in QUOTES:
        for m in pattern.finditer(text.raw):
            add(kind, m.start(1), m.end(1))
    for start, end in straight_quotes(text.raw):
        add('""', start, end)
    return sorted(found, key=lambda i: (i.start, i.kind))


def read_exclusions(corpus_root: Path, article: str) -> list[Record]:
    path = Path(corpus_root) / "exclusions" / f"{article}.yaml"
    if not path.exists():
        return []
    shown = f"{Path(corpus_root).name}/exclusions/{path.name}"
    records, problems = read_file(path, EXCLUSIONS, shown)
    for rec in records:
        problems.extend(check_fields(EXCLUSIONS, rec))
        if rec.data.get("article") not in (None, article):
            problems.append(rec.problem("article", f"article '{rec.data['article']}' does not match its file ({article}.yaml)"))
    if problems:
        raise RecordError(problems)
    return records


def corpus_texts(corpus: Corpus, article: str) -> list[str]:
    """Everything the corpus holds that may stand verbatim in the article."""
    texts: list[str] = []
    for q in corpus.by_id("quotations").values():
        if q.get("article") == article:
            texts += [q[f] for f in TEXT_FIELDS if isinstance(q.get(f), str)]
    for w in corpus.by_id("works").values():
        texts += [w.get(f) for f in ("title", "title_corrected", "author", "imprint")] + (w.get("variants") or [])
    for p in corpus.by_id("persons").values():
        texts += [p.get("name"), p.get("name_original"), *(p.get("variants") or [])]
    return [t for t in texts if isinstance(t, str) and t.strip()]


def check_verbatim(corpus: Corpus, text: ArticleText, article: str) -> list[Problem]:
    """Every printed text of the article's quotations, and a printed form of every work it cites, occur in it."""
    problems = []
    for rec in corpus.records["quotations"]:
        if rec.data.get("article") != article:
            continue
        for name in TEXT_FIELDS:
            value = rec.data.get(name)
            if isinstance(value, str) and not text.contains(value):
                problems.append(rec.problem(name, f"{name} does not occur verbatim in {text.name}"))
    for rec in corpus.records["works"]:
        if any(c.get("article") == article for c in rec.data.get("cited_in") or []):
            forms = [rec.data.get("title"), *(rec.data.get("variants") or [])]
            if not any(isinstance(f, str) and text.contains(f) for f in forms):
                problems.append(rec.problem("title", f"neither the title nor a variant occurs verbatim in {text.name}"))
    return problems


def audit(corpus: Corpus, text: ArticleText, article: str) -> Report:
    covered = bytearray(len(text.key))
    for t in corpus_texts(corpus, article):
        for s, e in text.locate(t):
            covered[s:e] = b"\x01" * (e - s)
    stale = []
    for rec in read_exclusions(corpus.root, article):
        spans = text.locate(rec.data["text"])
        if not spans:
            stale.append(rec.problem("text", "exclusion text does not occur in the article"))
        for s, e in spans:
            covered[s:e] = b"\x01" * (e - s)
    items = find_items(text)
    unaccounted = []
    for item in items:
        s, e = text.key_span(item.start, item.end)
        # Punctuation between two covered names or titles ("Дьяков, Т.С. Бушуева") need not be covered.
        if not all(covered[i] for i in range(s, e) if text.key[i].isalnum()):
            unaccounted.append(item)
    return Report(article, items, unaccounted, stale, check_verbatim(corpus, text, article))
