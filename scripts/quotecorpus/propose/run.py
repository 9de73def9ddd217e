"""`quotecorpus propose`: from an article's text to draft records in a folder the curator reviews."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from quotecorpus.errors import ProposeError
from quotecorpus.propose.attribution import attribute, name_patterns
from quotecorpus.propose.drafts import Drafts, build, write
from quotecorpus.propose.layout import Layout, read_layout
from quotecorpus.propose.pairing import Candidate, select
from quotecorpus.propose.passages import block_quotes, quoted
from quotecorpus.propose.terms import find_terms
from quotecorpus.records.audit import read_exclusions
from quotecorpus.records.corpus import Corpus
from quotecorpus.text.articletext import ArticleText, key


@dataclass
class Proposal:
    drafts: Drafts
    path: Path | None


def _pages(article: dict) -> tuple[int, int | None]:
    m = re.match(r"\s*(\d+)(?:\s*[–-]\s*(\d+))?", str(article.get("pages") or ""))
    if not m:
        return 1, None
    return int(m.group(1)), int(m.group(2)) if m.group(2) else None


def candidates(raw: str, article: str, corpus: Corpus) -> tuple[Layout, list[Candidate]]:
    """Every candidate of the article's text, the corpus's registers and exclusions taken into account."""
    info = corpus.by_id("articles").get(article, {})
    first, last = _pages(info)
    layout = read_layout(raw, first, last, info.get("author"), info.get("title"))
    known: set[str] = set()
    for w in corpus.by_id("works").values():
        known |= {
            key(t) for t in [w.get("title"), w.get("title_corrected"), w.get("author"), w.get("imprint"), *(w.get("variants") or [])] if t
        }
    names: set[str] = set()
    for p in corpus.by_id("persons").values():
        forms = [t for t in [p.get("name"), p.get("name_original"), *(p.get("variants") or [])] if t]
        known |= {key(t) for t in forms}
        names |= {w for t in forms for w in t.split()}
    text = ArticleText.from_text(article, raw)
    excluded = []
    for rec in read_exclusions(corpus.root, article) if (Path(corpus.root) / "exclusions").exists() else []:
        excluded += [(text.offsets[s], text.offsets[e - 1] + 1) for s, e in text.locate(rec.data["text"])]
    found = select(layout, quoted(layout), block_quotes(layout), known, excluded)
    glossary = {
        q["original"]: q["language"]
        for q in corpus.by_id("quotations").values()
        if q.get("kind") == "term" and q.get("article") != article and isinstance(q.get("original"), str)
    }
    taken = [(c.original.start, c.original.end) for c in found if c.original is not None]
    found += find_terms(layout, glossary, known, taken, names)
    found.sort(key=lambda c: (c.where.page, c.where.line))
    return layout, found


def propose(article_text: Path, article: str, corpus: Corpus, out: Path | None) -> Proposal:
    """Draft records for `article` from its text; written to `out`/quotations/<article>.yaml (never into
    the corpus itself) unless `out` is None."""
    if article not in corpus.ids("articles"):
        raise ProposeError(
            f"no article '{article}' in {Path(corpus.root).name}/articles.yaml: add the article's entry first "
            "(id, author, title, pages: propose counts the pages from its first page)"
        )
    if out is not None:
        root, target = Path(corpus.root).resolve(), Path(out).resolve()
        if target == root or root in target.parents:
            raise ProposeError(f"--out {out} is inside the corpus ({corpus.root}): drafts go to a folder of their own, for review")
    raw = Path(article_text).read_text(encoding="utf-8")
    layout, found = candidates(raw, article, corpus)
    patterns = name_patterns(corpus)
    name = Path(article_text).name
    drafts = build(article, name, [(c, attribute(c, layout, corpus, patterns)) for c in found], corpus)
    return Proposal(drafts, write(drafts, Path(out), article, name) if out is not None else None)
