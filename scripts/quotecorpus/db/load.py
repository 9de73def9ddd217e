"""TEI (our profile) → SQLite, with lxml and sqlite-utils.

The database is loaded from the TEI, not from the YAML, so any TEI in our profile (e.g. from
another edition) loads the same way: tei_read decodes every entry into its record, and each
table's columns are what the profile declares, in its order, with its types, indexes and
full-text columns. Columns whose source is in angle brackets are derived here (DERIVED).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path

import sqlite_utils
from lxml import etree

from quotecorpus import profile as P
from quotecorpus.errors import TEILoadError
from quotecorpus.search import index as search_index
from quotecorpus.tei import stream as tei_stream
from quotecorpus.tei.encoder import corrections_of, nested_record, romanizations
from quotecorpus.tei.inline import apply_corrections
from quotecorpus.tei.read import Entry, Reader, Records, check_containers, entries_in_order
from quotecorpus.tei.validate import parse_safely
from quotecorpus.text.chars import has_cyrillic
from quotecorpus.text.langid import Detection, detect
from quotecorpus.text.translit import DEFAULT_SCHEME, scheme_of_tag

TRANSLITERATIONS = "transliterations"
FRAGMENTS = "tei_fragments"
SUMMARY = "corpus_summary"
SHOWN = 40  # entries of a long list a summary keeps (the home page links the whole list)

# What the reading room's home page shows, computed once when the database is loaded (not on every
# request: at 100,000 quotations these take half a second). name -> SQL returning rows, kept as JSON.
SUMMARIES = {
    "counts": "select language, kind, count(*) as n, count(original) as printed from quotations group by language, kind",
    "articles": "select a.*, (select count(*) from quotations q where q.article = a.id) as n from articles a order by year, id",
    "speakers": f"select p.id, p.name, count(q.id) as n from persons p join quotations q on q.speaker = p.id"
    f" group by p.id order by n desc, p.name limit {SHOWN}",
    "speakers_total": "select count(distinct speaker) as n from quotations where speaker is not null",
    "documents_across": "select d.id, d.title, d.date from documents d join (select document from quotations where document is not null"
    f" group by document having count(distinct article) > 1) b on b.document = d.id order by d.date, d.id limit {SHOWN}",
    "documents_across_total": "select count(*) as n from (select document from quotations where document is not null"
    " group by document having count(distinct article) > 1)",
    "registers": "select (select count(*) from persons) as persons, (select count(*) from documents) as documents,"
    " (select count(*) from works) as works, (select count(*) from transliterations) as transliterations",
}


def tables() -> dict[str, tuple[P.Column, ...]]:
    """Every table of the database and its columns, in order: the registers, then the romanizations."""
    return {**{r.name: r.columns for r in P.REGISTERS}, TRANSLITERATIONS: P.TRANSLITERATIONS_COLUMNS}


def foreign_keys(table: str) -> list[tuple[str, str, str]]:
    if table == TRANSLITERATIONS:
        return [(col, reg, "id") for reg, col in P.TRANSLITERATIONS_OWNER.items()]
    register = P.BY_NAME[table]
    names = {c.name for c in register.columns}
    return [(f.name, f.ref, "id") for f in register.fields if f.ref and f.type != "list" and f.name in names]


# --- derived columns -----------------------------------------------------------------------------


def _default(romanized: list[tuple[str, str]]) -> tuple[str, str] | None:
    """The romanization in the default scheme (whatever order a file lists them in), else the first."""
    for tag, text in romanized:
        known = scheme_of_tag(tag)
        if known and known[0].name == DEFAULT_SCHEME:
            return tag, text
    return romanized[0] if romanized else None


def _romanized(entry: Entry) -> list[tuple[str, str]]:
    return [r for found in entry.romanizations.values() for r in found]


def _corrected(target: str) -> Callable[[Entry], str | None]:
    def value(entry: Entry) -> str | None:
        text = entry.record.get(target)
        return apply_corrections(text, corrections_of(entry.record, target)) if text else None

    return value


def _regularised(entry: Entry) -> str | None:
    """The corrected original with the document's own spellings regularised; None when it has none."""
    regs = entry.record.get("regularisations")
    text = _corrected("original")(entry)
    return apply_corrections(text, [(r["orig"], r["reg"]) for r in regs]) if regs and text else None


def _certainty(entry: Entry) -> str | None:
    return "; ".join(f"{c['of']}: {c['cert']}" for c in entry.record.get("certainty") or []) or None


def _certainty_details(entry: Entry) -> str | None:
    found = entry.record.get("certainty") or []
    return json.dumps([{k: c[k] for k in ("of", "cert", "reason")} for c in found], ensure_ascii=False) if found else None


def _cited_in(entry: Entry) -> str | None:
    found = entry.record.get("cited_in") or []
    return json.dumps([{"article": c["article"], "where": P.cited_where(c)} for c in found], ensure_ascii=False) if found else None


def _detection(entry: Entry) -> Detection | None:
    """langdetect's judgement of the corrected original (once per entry: four columns show it)."""
    if "detection" not in entry.cache:
        entry.cache["detection"] = _detect(entry)
    return entry.cache["detection"]


def _detect(entry: Entry) -> Detection | None:
    text = _corrected("original")(entry)
    if not text:
        return None
    if entry.record["language"] in P.CYRILLIC_LANGUAGES and not has_cyrillic(text):
        # Romanized Russian ("peredyshka"): langdetect has no profile for it, so it would only guess.
        return Detection(None, None, "romanized", "Latin")
    return detect(text)


def _date_bound(i: int) -> Callable[[Entry], str | None]:
    def value(entry: Entry) -> str | None:
        bounds = P.date_bounds(entry.record)
        return bounds[i] if bounds else None

    return value


DATES = {
    "<date_from>": _date_bound(0),
    "<date_to>": _date_bound(1),
    "<date_alternatives>": lambda e: json.dumps([str(d) for d in e.record["date_one_of"]]) if e.record.get("date_one_of") else None,
}

DERIVED: dict[str, dict[str, Callable[[Entry], object]]] = {
    "quotations": {
        **DATES,
        "<original_corrected>": _corrected("original"),
        "<original_regularised>": _regularised,
        "<part_of>": lambda e: e.record.get("part_of"),
        "<printed>": lambda e: 1 if e.record.get("original") else 0,
        "<translation_corrected>": _corrected("translation"),
        "<transliteration>": lambda e: d[1] if (d := _default(_romanized(e))) else None,
        "<transliteration_scheme>": lambda e: d[0] if (d := _default(_romanized(e))) else None,
        "<certainty>": _certainty,
        "<certainty_details>": _certainty_details,
        "<works>": lambda e: json.dumps(e.record["works"]) if e.record.get("works") else None,
        "<parallel>": lambda e: json.dumps(e.record["parallel"]) if e.record.get("parallel") else None,
        "<detected_language>": lambda e: d.language if (d := _detection(e)) else None,
        "<detected_probability>": lambda e: d.probability if (d := _detection(e)) else None,
        "<detection>": lambda e: d.status if (d := _detection(e)) else "no original",
        "<detected_script>": lambda e: d.script if (d := _detection(e)) else None,
    },
    "persons": {
        "<transliteration>": lambda e: d[1] if (d := _default(_romanized(e))) else None,
        "<cited_in>": _cited_in,
    },
    "works": {
        "<transliteration>": lambda e: d[1] if (d := _default(_romanized(e))) else None,
        "<cited_in>": _cited_in,
    },
    "documents": {"<cited_in>": _cited_in, **DATES},
    "articles": {},
}


def _value(register: P.Register, column: P.Column, entry: Entry, cache: dict) -> object:
    if column.derived:
        if column.source not in cache:
            cache[column.source] = DERIVED[register.name][column.source](entry)
        return cache[column.source]
    name = column.source or column.name
    value = entry.record.get(name)
    if register.field(name).type == "list":
        return json.dumps(value or [], ensure_ascii=False)  # TEI cannot tell an empty list from none
    return value


def row(register: P.Register, entry: Entry) -> dict:
    cache: dict = {}
    return {c.name: _value(register, c, entry, cache) for c in register.columns}


def transliteration_rows(register: P.Register, entry: Entry) -> list[dict]:
    owner = P.TRANSLITERATIONS_OWNER[register.name]
    out = []
    for tag, text in _romanized(entry):
        found = scheme_of_tag(tag)
        name = found[0].name if found else tag
        out.append(
            {"id": f"{entry.record['id']}/{name}", "quotation": None, "person": None, "work": None, owner: entry.record["id"]}
            | {"scheme": name, "tag": tag, "text": text}
        )
    return out


class _Database:
    """A new database, written as entries arrive: rows in batches of BATCH with executemany (the
    public tables' schema from the profile, through sqlite-utils), indexes and full text at the end."""

    BATCH = 2000

    def __init__(self, path: Path):
        self.db = sqlite_utils.Database(path)
        # a new file, renamed into place only when complete: no journal needed while it is written
        self.db.execute("PRAGMA journal_mode = OFF")
        self.db.execute("PRAGMA synchronous = OFF")
        self.columns = {t: [c.name for c in cols] for t, cols in tables().items()}
        self.columns[FRAGMENTS] = ["id", "kind", "xml"]
        for table, cols in tables().items():
            self.db[table].create({c.name: c.sql for c in cols}, pk="id", foreign_keys=foreign_keys(table), not_null={"id"})
        self.db[FRAGMENTS].create({"id": str, "kind": str, "xml": str}, pk="id")
        self.pending: dict[str, list[tuple]] = {t: [] for t in self.columns}
        self.counts: dict[str, int] = dict.fromkeys(self.columns, 0)

    def _put(self, table: str, row: dict) -> None:
        batch = self.pending[table]
        batch.append(tuple(row.get(c) for c in self.columns[table]))
        if len(batch) >= self.BATCH:
            self._flush(table)

    def _flush(self, table: str) -> None:
        batch = self.pending[table]
        if batch:
            marks = ", ".join("?" * len(self.columns[table]))
            self.db.conn.executemany(f"INSERT INTO [{table}] VALUES ({marks})", batch)
            self.counts[table] += len(batch)
            batch.clear()

    def add(self, register: P.Register, entry: Entry) -> None:
        self._add(register, entry)
        if register is P.QUOTATIONS:
            for inner in nested_entries(entry):
                self._add(register, inner)

    def _add(self, register: P.Register, entry: Entry) -> None:
        self._put(register.name, row(register, entry))
        if register.name in P.TRANSLITERATIONS_OWNER:
            for t in transliteration_rows(register, entry):
                self._put(TRANSLITERATIONS, t)
        # keyed by xml:id, the target of the pointers (an article's is "bibl-<id>")
        self._put(FRAGMENTS, {"id": entry.element.get(P.XML_ID), "kind": register.name, "xml": fragment_xml(entry.element)})

    def finish(self) -> None:
        for table in self.pending:
            self._flush(table)
        self.db.conn.commit()
        for table, cols in tables().items():
            for c in cols:
                if c.index:
                    self.db.execute(f"CREATE INDEX [idx_{table}_{c.name}] ON [{table}] ([{c.name}])")
            for index in P.BY_NAME[table].compound_indexes if table in P.BY_NAME else ():
                self.db.execute(f"CREATE INDEX [idx_{table}_{index.name}] ON [{table}] ({index.sql})")
        search_index.build(self.db)
        problems = self.db.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise TEILoadError(f"dangling references in the loaded data: {problems[:5]}")
        self.db[SUMMARY].create({"name": str, "json": str}, pk="name")
        for name, sql in SUMMARIES.items():
            cursor = self.db.execute(sql)
            names = [c[0] for c in cursor.description]
            value = json.dumps([dict(zip(names, r, strict=True)) for r in cursor.fetchall()], ensure_ascii=False)
            self.db.execute(f"INSERT INTO [{SUMMARY}] VALUES (?, ?)", [name, value])
        self.db.execute("PRAGMA optimize")
        self.db.conn.commit()

    def close(self) -> None:
        self.db.close()


_NESTED_ROMANIZED = next(c.source for c in P.NESTED_TEI.children if isinstance(c, P.Derived))


def nested_entries(entry: Entry) -> list[Entry]:
    """The quotations nested in a quotation, each as an entry of its own (a row of the quotations
    table): its fields, the outer quotation's place and citation, its cit element for its TEI."""
    out = []
    for item in entry.record.get("nested") or []:
        rec = nested_record(item, entry.record)
        el = next(c for c in entry.element.iter(P.T + "cit") if c.get(P.XML_ID) == item["id"])
        out.append(Entry(rec, {"original": romanizations(rec, _NESTED_ROMANIZED)}, el, entry.source))
    return out


def fragment_xml(el: etree._Element) -> str:
    """An entry's TEI as stored for the web: the element with its namespace declaration."""
    return etree.tostring(el, encoding="unicode", with_tail=False)


def collect(records: Records) -> tuple[dict[str, dict[str, dict]], dict[str, tuple[str, bytes]]]:
    """Rows per table and the TEI fragment of every entry, from records already read (for measuring)."""
    out: dict[str, dict[str, dict]] = {t: {} for t in tables()}
    fragments: dict[str, tuple[str, bytes]] = {}
    for register in P.REGISTERS:
        for eid, entry in records.entries[register.name].items():
            r = row(register, entry)
            if register is P.QUOTATIONS:
                for inner in nested_entries(entry):
                    out[register.name][inner.record["id"]] = row(register, inner)
                    out[TRANSLITERATIONS].update((t["id"], t) for t in transliteration_rows(register, inner))
                    fragments[inner.record["id"]] = (register.name, fragment_xml(inner.element).encode())
            out[register.name][eid] = r
            if register.name in P.TRANSLITERATIONS_OWNER:
                out[TRANSLITERATIONS].update((t["id"], t) for t in transliteration_rows(register, entry))
            fragments[entry.element.get(P.XML_ID)] = (register.name, fragment_xml(entry.element).encode())
    return out, fragments


Source = etree._Element | Path | tuple[etree._Element | Path, str]


def load(roots: Iterable[Source], path: Path, trusted: bool = False) -> None:
    """Write a new database at `path` (which must not exist) from TEI documents, all or nothing.

    A document is a parsed root or a file (with the name messages give it). Files of our own build
    (`trusted`) are streamed: each entry is read, decoded and written, then dropped, so memory does
    not grow with the corpus. Any other TEI is parsed whole and decoded strictly, registers first."""
    documents = [r if isinstance(r, tuple) else (r, str(r) if isinstance(r, Path) else "<tei>") for r in roots]
    path = Path(path)
    if path.exists():
        raise TEILoadError(f"{path} exists; give a new file name")
    tmp = path.with_name(f".{path.name}.loading")
    tmp.unlink(missing_ok=True)
    try:
        out = _Database(tmp)
        try:
            reader = Reader(trusted=trusted, keep=False)
            for source, name in documents:
                if isinstance(source, Path) and trusted:
                    stream = tei_stream.entries(source, name)
                else:
                    root = parse_safely(source, name).getroot() if isinstance(source, Path) else source
                    check_containers(root, name)
                    stream = entries_in_order(root)
                for register, el in stream:
                    entry, new = reader.entry(register, el, name)
                    if new:
                        out.add(register, entry)
            out.finish()
        except sqlite3.Error as e:
            raise TEILoadError(f"the database could not be written: {e}") from None
        finally:
            out.close()
        tmp.rename(path)
    finally:
        tmp.unlink(missing_ok=True)
