"""`quotecorpus import`: TEI in our profile → curated YAML records in the corpus/ format.

The TEI is validated and decoded through the profile (tei_read), so what is imported is exactly
what the TEI holds: encoding the imported records again gives the same TEI. Records already in
the target folder are merged by id, and the difference is reported per id and field. Only what
changed is written (records/write.py): importing our own TEI leaves corpus/ byte for byte as it was.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from quotecorpus import profile as P
from quotecorpus.records.corpus import Corpus, corpus_files, load_corpus
from quotecorpus.records.write import canonical, rewrite, write_files
from quotecorpus.tei.nodes import local
from quotecorpus.tei.read import Records, read


@dataclass
class Change:
    register: str
    id: str
    what: str  # added | changed | removed
    fields: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        fields = f": {', '.join(self.fields)}" if self.fields else ""
        return f"{self.what} {P.BY_NAME[self.register].singular} {self.id}{fields}"


def complete_articles(documents: Iterable[tuple]) -> set[str]:
    """Articles whose every quotation the documents hold: an article's own file, or a teiCorpus of them.
    (A `.tei` selection holds only some: importing it adds and updates, and removes nothing.)"""
    out = set()
    for root, _ in documents:
        tei = [root] if local(root) == "TEI" else [t for t in root if local(t) == "TEI"] if local(root) == "teiCorpus" else []
        out |= {t.get(P.XML_ID) for t in tei}
    return out


def merge(existing: Corpus | None, imported: Records, complete: set[str]) -> tuple[dict[str, list[dict]], list[Change]]:
    """The records after the import, per register, and what changed."""
    merged: dict[str, list[dict]] = {}
    changes: list[Change] = []
    for register in P.REGISTERS:
        old = {r.id: r.data for r in (existing.records.get(register.name, []) if existing else [])}
        new = {eid: e.record for eid, e in imported.entries[register.name].items()}
        out = dict(old)
        for eid, rec in new.items():
            if eid not in old:
                changes.append(Change(register.name, eid, "added"))
            else:
                a, b = canonical(register, old[eid]), canonical(register, rec)
                differ = [f.name for f in register.fields if a.get(f.name) != b.get(f.name)]
                if differ:
                    changes.append(Change(register.name, eid, "changed", differ))
            out[eid] = rec
        if register is P.QUOTATIONS:
            for eid, rec in old.items():
                if eid not in new and rec.get("article") in complete:
                    changes.append(Change(register.name, eid, "removed"))
                    del out[eid]
        merged[register.name] = list(out.values())
    return merged, changes


def write(target: Path, merged: dict[str, list[dict]]) -> list[Path]:
    """Write the registers and one quotations file per article, each changed only where its records
    changed (records/write.py): a file none of whose records changed is not written. Returns the files
    written. Every file is made and checked before the first is written."""
    files: dict[Path, tuple[P.Register, list[dict]]] = {target / r.files: (r, merged[r.name]) for r in P.REGISTERS[:4]}
    by_article: dict[str, list[dict]] = {a["id"]: [] for a in merged["articles"]}
    for q in merged["quotations"]:
        by_article.setdefault(q["article"], []).append(q)
    for article, quotations in by_article.items():
        files[target / "quotations" / f"{article}.yaml"] = (P.QUOTATIONS, quotations)
    texts: dict[Path, str] = {}
    for path, (register, records) in files.items():
        old = None
        if path.exists():  # a regular file: load_corpus saw to it
            with open(path, encoding="utf-8", newline="") as f:
                old = f.read()
        if old is None and not records:
            continue
        new = rewrite(old, register, records, f"{target.name}/{path.relative_to(target).as_posix()}")
        if new != old:
            texts[path] = new
    write_files(texts)
    return list(texts)


def import_tei(documents: list[tuple], target: Path) -> list[Change]:
    """Decode the (root, file name) documents and write their records into `target`, merged."""
    imported = read(documents)
    existing = load_corpus(target) if target.exists() and corpus_files(target) else None
    merged, changes = merge(existing, imported, complete_articles(documents))
    write(target, merged)
    return changes
