"""Draft records: built from the candidates in the record format of corpus/README.md, each with a
`proposed:` block (evidence lines, confidence, the suggestions) that the curator removes on review;
records the corpus already holds are recognised and not proposed again."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from quotecorpus.propose.attribution import Attribution, Suggestion
from quotecorpus.propose.pairing import Candidate, foreign_language
from quotecorpus.records.corpus import Corpus
from quotecorpus.records.validate import DRAFT_KEY
from quotecorpus.text.articletext import key

_PREFIX = {"quotation": "q", "term": "t", "abstract": "a"}


@dataclass
class Drafts:
    records: list[dict] = field(default_factory=list)
    already: list[tuple[str, str]] = field(default_factory=list)  # (record id, text) held by the corpus


def _k(text: str | None) -> str:
    return key(re.sub(r"^[\s.,;:…]+|[\s.,;:…]+$", "", text or ""))


def held(corpus: Corpus, article: str) -> dict[str, str]:
    """Key of every original and translation the corpus holds for the article -> the record's id."""
    out = {}
    for q in corpus.by_id("quotations").values():
        if q.get("article") == article:
            for name in ("original", "translation"):
                if q.get(name):
                    out[_k(q[name])] = q["id"]
    return out


def _next_ids(corpus: Corpus, article: str) -> dict[str, int]:
    numbers = {p: 0 for p in _PREFIX.values()}
    for rid in corpus.ids("quotations"):
        m = re.fullmatch(rf"{re.escape(article)}-([qta])(\d+)", rid)
        if m:
            numbers[m.group(1)] = max(numbers[m.group(1)], int(m.group(2)))
    return numbers


def _suggested(s: Suggestion | None, text_name: str) -> dict | None:
    if s is None:
        return None
    return {"value": s.value, "confidence": s.confidence, "lines": [f"{text_name}:{n}" for n in s.lines[:6]], "why": s.why}


def build(article: str, text_name: str, found: list[tuple[Candidate, Attribution]], corpus: Corpus) -> Drafts:
    drafts = Drafts()
    holding = held(corpus, article)
    numbers = _next_ids(corpus, article)
    for c, a in found:
        texts = [t.text for t in (c.original, c.english) if t is not None]
        known = next((holding[_k(t)] for t in texts if _k(t) in holding), None)
        if known:
            drafts.already.append((known, texts[0]))
            continue
        prefix = _PREFIX[c.kind]
        numbers[prefix] += 1
        rec: dict = {"id": f"{article}-{prefix}{numbers[prefix]:03d}", "article": article}
        where, orig = c.where, c.original
        rec["page"], rec["footnote"] = where.page, where.footnote
        if orig is not None and c.english is not None and (orig.page, orig.footnote) != (where.page, where.footnote):
            if orig.page != where.page:
                rec["original_page"] = orig.page
            if orig.footnote is not None:
                rec["original_footnote"] = orig.footnote
        rec["kind"] = c.kind
        language = c.language or (a.language[0] if a.language else None)
        if language is None and orig is not None:
            language = "ru" if orig.cyrillic else foreign_language(orig.text)
        rec["language"] = language or "ru"
        if orig is not None:
            rec["original"] = orig.text
        if c.english is not None:
            rec["translation"] = c.english.text
        for name in ("speaker", "addressee", "date", "document"):
            s = getattr(a, name)
            if s is not None:
                rec[name] = s.value
        if a.source:
            rec["source"] = a.source
        certainty = []
        if a.language and orig is None:
            certainty.append({"of": "language", "cert": a.language[1], "reason": a.language[2]})
        if orig is not None and c.english is not None and c.confidence < 0.8:
            certainty.append(
                {
                    "of": "pairing",
                    "cert": "medium",
                    "reason": f"paired by {c.cue.split(':')[0]}: check that the English renders the original",
                }
            )
        if certainty:
            rec["certainty"] = certainty
        lines = sorted({p.line for p in (orig, c.english) if p is not None})
        joined = [j for p in (orig, c.english) if p is not None for j in p.joined]
        rec[DRAFT_KEY] = {
            "confidence": c.confidence,
            "why": c.cue,
            "evidence": [f"{text_name}:{n}" for n in lines] + [f"{text_name}:{n} (source)" for n in a.source_lines[:3]],
            **{name: v for name in ("speaker", "addressee", "date", "document") if (v := _suggested(getattr(a, name), text_name))},
            **({"hyphens_joined": joined} if joined else {}),
            "review": "check every field against the article, fill or empty what the text supports, then delete this `proposed:` block",
        }
        drafts.records.append(rec)
    return drafts


def write(drafts: Drafts, out: Path, article: str, text_name: str) -> Path:
    path = out / "quotations" / f"{article}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    head = (
        f"# Drafts proposed by `quotecorpus propose` from {text_name}: review each, then move it into corpus/quotations/{article}.yaml\n"
        f"# (delete its `proposed:` block: a record that still has one is refused by validate and build).\n"
    )
    body = yaml.dump(drafts.records, Dumper=yaml.SafeDumper, allow_unicode=True, sort_keys=False, width=1000) if drafts.records else "[]\n"
    path.write_text(head + body, encoding="utf-8")
    return path
