"""The leave-one-out benchmark of `quotecorpus propose` (`scripts/dev bench --propose`): for each article,
a temporary copy of corpus/ without that article's records (its quotations and exclusions, and every
register entry that only that article cites: its persons, documents and works), propose from its text,
and compare with the curated records."""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from quotecorpus.propose.attribution import attribute, name_patterns
from quotecorpus.propose.run import candidates
from quotecorpus.records.corpus import load_corpus
from quotecorpus.text.articletext import key


def _k(text: str | None) -> str:
    return key(re.sub(r"^[\s.,;:…\[\]()]+|[\s.,;:…\[\]()]+$", "", text or ""))


@dataclass
class Row:
    article: str
    originals: tuple[int, int]  # printed originals recalled / curated
    paired: tuple[int, int]  # English paired correctly / printed originals the curated records pair
    english_only: tuple[int, int]  # English-only quotations recalled / curated
    placed: tuple[int, int]  # page and footnote right / recalled
    speaker: tuple[int, int]  # speaker top-1 right / recalled records with a curated speaker
    proposals: int
    curated: int
    misses: list[str]


def held_out(corpus: Path, article: str, into: Path, registers: bool = True) -> Path:
    """A copy of `corpus` without the article's quotations and exclusions and, with `registers`, without
    the register entries that only that article cites."""
    shutil.copytree(corpus, into)
    for sub in ("quotations", "exclusions"):
        (into / sub / f"{article}.yaml").unlink(missing_ok=True)
    if registers:
        for name in ("persons", "documents", "works"):
            path = into / f"{name}.yaml"
            entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
            kept = [e for e in entries if {c.get("article") for c in e.get("cited_in") or []} != {article}]
            path.write_text(yaml.safe_dump(kept, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
    return into


def _location(rec: dict) -> tuple:
    """Where a curated record's printed original stands (or its English, when no original is printed)."""
    if rec.get("original") and (rec.get("original_page") or rec.get("original_footnote")):
        return rec.get("original_page") or rec["page"], rec.get("original_footnote")
    return rec["page"], rec.get("footnote")


def measure(corpus: Path, article: str, text: Path, registers: bool = True) -> Row:
    curated = yaml.safe_load((corpus / "quotations" / f"{article}.yaml").read_text(encoding="utf-8"))
    names = {}
    for p in yaml.safe_load((corpus / "persons.yaml").read_text(encoding="utf-8")):
        names[p["id"]] = {p.get("name"), *(p.get("variants") or [])}
    with tempfile.TemporaryDirectory() as tmp:
        copy = load_corpus(held_out(corpus, article, Path(tmp) / "corpus", registers))
        layout, found = candidates(text.read_text(encoding="utf-8"), article, copy)
        patterns = name_patterns(copy)
        by_original = {_k(c.original.text): c for c in found if c.original is not None}
        by_english = {_k(c.english.text): c for c in found if c.english is not None and c.original is None}
        o = p = pn = e = pl = sp = spn = 0
        n_orig = n_eng = 0
        misses = []
        for rec in curated:
            if rec.get("original"):
                n_orig += 1
                c = by_original.get(_k(rec["original"]))
                if c is None:
                    misses.append(f"original {rec['id']}: {rec['original'][:50]}")
                    continue
                o += 1
                where = (c.original.page, c.original.footnote)
                if rec.get("translation"):
                    pn += 1
                    if c.english is not None and _k(c.english.text) == _k(rec["translation"]):
                        p += 1
                    else:
                        misses.append(f"pairing {rec['id']}: {c.english.text[:40] if c.english else '(no English)'}")
            else:
                n_eng += 1
                c = by_english.get(_k(rec["translation"]))
                if c is None:
                    misses.append(f"English-only {rec['id']}: {rec['translation'][:50]}")
                    continue
                e += 1
                where = (c.english.page, c.english.footnote)
            pl += where == _location(rec)
            if where != _location(rec):
                misses.append(f"place {rec['id']}: {where} for {_location(rec)}")
            if rec.get("speaker"):
                spn += 1
                a = attribute(c, layout, copy, patterns)
                right = a.speaker is not None and a.speaker.value == rec["speaker"]
                sp += right
                if not right:
                    misses.append(f"speaker {rec['id']}: {a.speaker.value if a.speaker else None} for {rec['speaker']}")
    return Row(article, (o, n_orig), (p, pn), (e, n_eng), (pl, o + e), (sp, spn), len(found), len(curated), misses)


def _pct(pair: tuple[int, int]) -> str:
    return f"{pair[0]}/{pair[1]} {100 * pair[0] / pair[1]:.0f}%" if pair[1] else "—"


TARGETS = ("≥ 95%", "≥ 80%", "≥ 80%", "≥ 95%", "≥ 60%", "≤ 1.5")


def table(rows: list[Row]) -> str:
    head = ["article", "printed originals", "English paired", "English-only", "page+footnote", "speaker top-1", "proposals/curated"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head), "| target | " + " | ".join(TARGETS) + " |"]
    for r in rows:
        cells = [r.article, _pct(r.originals), _pct(r.paired), _pct(r.english_only), _pct(r.placed), _pct(r.speaker)]
        cells.append(f"{r.proposals}/{r.curated} = {r.proposals / r.curated:.2f}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(args: list[str], root: Path) -> None:
    """scripts/dev bench --propose [--keep-registers] [--misses] [ARTICLES_DIR]"""
    registers = "--keep-registers" not in args
    folder = next((Path(a) for a in args if not a.startswith("--")), root.parent / "shared" / "articles")
    corpus = root / "corpus"
    rows = []
    for article in sorted(p.stem for p in (corpus / "quotations").glob("*.yaml")):
        text = folder / f"{article}.txt"
        if text.exists():
            rows.append(measure(corpus, article, text, registers))
    what = "register entries cited only by the article removed too" if registers else "registers kept whole"
    print(f"quotecorpus propose, leave one out ({what}):\n")
    print(table(rows))
    if "--misses" in args:
        for r in rows:
            print(f"\n{r.article}:\n  " + "\n  ".join(r.misses))
