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
from quotecorpus.db import rowids
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


Detected = dict[str, tuple[str | None, Detection | None]]  # quotation id -> (corrected original, its detection)


def detected(rows: Iterable[dict]) -> Detected:
    """The language detection of each quotation row, with the text it was made of."""
    out: Detected = {}
    for r in rows:
        found = None
        if r["detection"] != "no original":
            found = Detection(r["detected_language"], r["detected_probability"], r["detection"], r["detected_script"])
        out[r["id"]] = (r["original_corrected"], found)
    return out


def _known(entry: Entry, known: Detected | None) -> Entry:
    """An entry given the detection a previous load made of the same text: a text is judged the same
    way every time (langdetect seeded), and its profiles take a second to load."""
    found = known.get(entry.record["id"]) if known else None
    if found is not None and found[0] == _corrected("original")(entry):
        entry.cache["detection"] = found[1]
    return entry


def entry_rows(register: P.Register, entry: Entry, known: Detected | None = None) -> list[tuple[str, dict]]:
    """(table, row) of everything one entry loads, in load order: its row, its romanizations, its TEI
    fragment (keyed by xml:id, the target of the pointers: an article's is "bibl-<id>"), then the same
    of each quotation nested in it. `known`: detections made of quotations' texts before."""
    out = [(register.name, row(register, _known(entry, known) if register is P.QUOTATIONS else entry))]
    if register.name in P.TRANSLITERATIONS_OWNER:
        out += [(TRANSLITERATIONS, t) for t in transliteration_rows(register, entry)]
    out.append((FRAGMENTS, {"id": entry.element.get(P.XML_ID), "kind": register.name, "xml": fragment_xml(entry.element)}))
    if register is P.QUOTATIONS:
        for inner in nested_entries(entry):
            out.append((register.name, row(register, _known(inner, known))))
            out += [(TRANSLITERATIONS, t) for t in transliteration_rows(register, inner)]
            out.append((FRAGMENTS, {"id": inner.element.get(P.XML_ID), "kind": register.name, "xml": fragment_xml(inner.element)}))
    return out


def columns() -> dict[str, list[str]]:
    """Every table's columns in order, the full-text index's aside."""
    out = {t: [c.name for c in cols] for t, cols in tables().items()}
    out[FRAGMENTS] = ["id", "kind", "xml"]
    out[SUMMARY] = ["name", "json"]
    return out


def key_of(table: str) -> str:
    """A table's primary key: what its rowids are labels of (rowids.py)."""
    return "name" if table == SUMMARY else "id"


# The tables whose statistics the query planner has (sqlite_stat1): those PRAGMA optimize chose when the
# loader ended with it. Named, so that every build, full or incremental, makes the same statistics.
ANALYZED = (P.QUOTATIONS.name, TRANSLITERATIONS)

EntryKey = tuple[str, str]  # (register, id) of an entry of the TEI
LoadedRow = tuple[str, str, int]  # (table, primary key, rowid) of a row an entry loaded


def insert_sql(table: str) -> str:
    names = columns()[table]
    return f"INSERT INTO [{table}] (rowid, {', '.join(f'[{c}]' for c in names)}) VALUES ({', '.join('?' * (len(names) + 1))})"


def summaries(db: sqlite_utils.Database) -> list[tuple[str, str]]:
    """The home page's summaries of the loaded tables: (name, JSON)."""
    out = []
    for name, sql in SUMMARIES.items():
        cursor = db.execute(sql)
        names = [c[0] for c in cursor.description]
        out.append((name, json.dumps([dict(zip(names, r, strict=True)) for r in cursor.fetchall()], ensure_ascii=False)))
    return out


def write_summaries(db: sqlite_utils.Database) -> None:
    """(Re)write the summaries, each row's rowid the label of its name as in every build."""
    db.execute(f"DELETE FROM [{SUMMARY}]")
    found = summaries(db)
    labels = rowids.labels([name for name, _ in found], SUMMARY)
    db.conn.executemany(insert_sql(SUMMARY), [(label, name, value) for label, (name, value) in zip(labels, found, strict=True)])


def analyze(db: sqlite_utils.Database) -> None:
    for table in ANALYZED:
        db.execute(f"ANALYZE [{table}]")


class _Database:
    """A new database, written as entries arrive: rows in batches of BATCH with executemany (the
    public tables' schema from the profile, through sqlite-utils), each row's rowid the label of its
    key in load order (rowids.py), indexes and full text at the end. `loaded`, when given, collects
    the rows of each entry: what an incremental build replaces when the entry changes."""

    BATCH = 2000

    def __init__(self, path: Path, loaded: dict[EntryKey, list[LoadedRow]] | None = None):
        self.db = sqlite_utils.Database(path)
        # a new file, renamed into place only when complete: no journal needed while it is written
        self.db.execute("PRAGMA journal_mode = OFF")
        self.db.execute("PRAGMA synchronous = OFF")
        self.columns = columns()
        del self.columns[SUMMARY]
        for table, cols in tables().items():
            self.db[table].create({c.name: c.sql for c in cols}, pk="id", foreign_keys=foreign_keys(table), not_null={"id"})
        self.db[FRAGMENTS].create({"id": str, "kind": str, "xml": str}, pk="id")
        self.pending: dict[str, list[tuple]] = {t: [] for t in self.columns}
        self.counts: dict[str, int] = dict.fromkeys(self.columns, 0)
        self.labels = {t: rowids.Labeler(t) for t in self.columns}
        self.loaded = loaded

    def _put(self, table: str, row: dict) -> int:
        rowid = self.labels[table].next(str(row[key_of(table)]))
        batch = self.pending[table]
        batch.append((rowid, *(row.get(c) for c in self.columns[table])))
        if len(batch) >= self.BATCH:
            self._flush(table)
        return rowid

    def _flush(self, table: str) -> None:
        batch = self.pending[table]
        if batch:
            self.db.conn.executemany(insert_sql(table), batch)
            self.counts[table] += len(batch)
            batch.clear()

    def add(self, register: P.Register, entry: Entry) -> None:
        found = [(table, str(r[key_of(table)]), self._put(table, r)) for table, r in entry_rows(register, entry)]
        if self.loaded is not None:
            self.loaded[(register.name, str(entry.record["id"]))] = found

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
        write_summaries(self.db)
        analyze(self.db)
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


def load(roots: Iterable[Source], path: Path, trusted: bool = False, loaded: dict[EntryKey, list[LoadedRow]] | None = None) -> None:
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
        out = _Database(tmp, loaded)
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
