"""`quotecorpus import`: TEI in our profile → curated YAML records in the corpus/ format.

The TEI is validated and decoded through the profile (tei_read), so what is imported is exactly
what the TEI holds: encoding the imported records again gives the same TEI. Records already in
the target folder are merged by id, and the difference is reported per id and field.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from quotecorpus import profile as P
from quotecorpus.records.corpus import Corpus, load_corpus
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


def _canonical(register: P.Register, rec: dict) -> dict:
    """A record as data, for comparing: no empty fields, corrections in a stable order."""
    out = {}
    for f in register.fields:
        v = rec.get(f.name)
        if v is None or v == [] or v == "":
            continue
        if f.name == "corrections":
            v = sorted(v, key=lambda c: (c.get("in", "original"), c["sic"], c["corr"]))
            v = [{k: c[k] for k in ("sic", "corr", "in") if k in c and not (k == "in" and c[k] == "original")} for c in v]
        out[f.name] = v
    return out


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
                a, b = _canonical(register, old[eid]), _canonical(register, rec)
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


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    # Multi-line texts as literal blocks; everything else plain or quoted as YAML needs.
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _str)


def _yaml_record(register: P.Register, rec: dict) -> dict:
    return {f.name: rec[f.name] for f in register.fields if rec.get(f.name) not in (None, [], "")}


def dump(register: P.Register, records: list[dict]) -> str:
    """Records as the corpus/ YAML: a list of mappings, keys in the profile's order."""
    if not records:
        return "[]\n"
    body = [_yaml_record(register, r) for r in records]
    return yaml.dump(body, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1 << 20, default_flow_style=None)


def write(target: Path, merged: dict[str, list[dict]]) -> list[Path]:
    """Write the registers and one quotations file per article; returns the files written."""
    written = []
    target.mkdir(parents=True, exist_ok=True)
    for register in P.REGISTERS[:4]:
        path = target / register.files
        path.write_text(dump(register, merged[register.name]), encoding="utf-8")
        written.append(path)
    (target / "quotations").mkdir(exist_ok=True)
    by_article: dict[str, list[dict]] = {a["id"]: [] for a in merged["articles"]}
    for q in merged["quotations"]:
        by_article.setdefault(q["article"], []).append(q)
    for article, quotations in by_article.items():
        path = target / "quotations" / f"{article}.yaml"
        path.write_text(dump(P.QUOTATIONS, quotations), encoding="utf-8")
        written.append(path)
    return written


def import_tei(documents: list[tuple], target: Path) -> list[Change]:
    """Decode the (root, file name) documents and write their records into `target`, merged."""
    imported = read(documents)
    existing = load_corpus(target) if any(target.glob("*.yaml")) or any(target.glob("quotations/*.yaml")) else None
    merged, changes = merge(existing, imported, complete_articles(documents))
    write(target, merged)
    return changes
