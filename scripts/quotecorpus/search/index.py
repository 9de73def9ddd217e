"""The search index of each searchable table, built from the loaded database (profile.Register.search).

One FTS5 table per register, search_<table>, keyed by the table's rowid and holding no copy of the
texts (content=''): the columns are profile.SEARCH_COLUMNS, each the folded words of what the
profile's `search` declarations send there (search_text.py), plus what is derived from them: the
romanizations of Cyrillic words in names and citations, the stems of every word (Snowball, Russian
stems of romanizations, Polish lemmas), the spelling-blind keys of Latin words; the speaker's names
apart from the addressee's, so a person's own words can rank first. Datasette does not recognise these
tables as its own full-text tables (their content is not the table's), so `?_search=` is ours alone
(web/search.py).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable

import sqlite_utils

from quotecorpus import profile as P
from quotecorpus.search.forms import lemmas, name_key, raw_words, roman_stem, romanized, stems, words
from quotecorpus.text.chars import has_cyrillic

TOKENIZE = "unicode61 remove_diacritics 2"
COLUMNS = [name for name, _ in P.SEARCH_COLUMNS]


def create_sql(register: P.Register) -> str:
    return (
        f"CREATE VIRTUAL TABLE [{register.search_table}] USING fts5({', '.join(COLUMNS)}, content='', prefix='2 3', tokenize='{TOKENIZE}')"
    )


def _texts(value) -> list[str]:
    """A column's value as texts: a JSON list (variants) as its items."""
    if value is None:
        return []
    if isinstance(value, str) and value.startswith("["):
        try:
            return [str(v) for v in json.loads(value)]
        except ValueError:
            return [value]
    return [str(value)]


def _joined(tokens: Iterable[str]) -> str:
    return " ".join(dict.fromkeys(t for t in tokens if t))


class Lookups:
    """What entries are found by besides their own columns: their romanizations, their persons' names
    in every form, their document's title. Read whole, once, for a full build."""

    def __init__(self, db: sqlite_utils.Database):
        self.romanizations: dict[tuple[str, str], list[str]] = {}
        for owner_column, register in ((c, r) for r, c in P.TRANSLITERATIONS_OWNER.items()):
            for owner, text in db.execute(f"select [{owner_column}], text from transliterations where [{owner_column}] is not null"):
                self.romanizations.setdefault((register, owner), []).append(text)
        self.names: dict[str, list[str]] = {}
        for pid, name, original, variants in db.execute("select id, name, name_original, variants from persons"):
            self.names[pid] = [name, *_texts(original), *_texts(variants), *self.romanizations.get(("persons", pid), [])]
        self.documents = dict(db.execute("select id, title from documents").fetchall())

    def romanized(self, register: str, eid: str) -> list[str]:
        return self.romanizations.get((register, eid), [])

    def forms(self, pid: str) -> list[str]:
        """Every form of a person's name: as the record gives it, in the original script, its variants, romanized."""
        return self.names.get(pid, [])

    def title(self, did: str) -> str | None:
        return self.documents.get(did)


class LookupsOf(Lookups):
    """The same, read entry by entry as they are asked for (an incremental build reads a few)."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        self.found: dict[tuple, object] = {}

    def _once(self, key: tuple, read):
        if key not in self.found:
            self.found[key] = read()
        return self.found[key]

    def romanized(self, register: str, eid: str) -> list[str]:
        column = P.TRANSLITERATIONS_OWNER[register]
        sql = f"select text from transliterations where [{column}] = ? order by rowid"
        return self._once(("r", register, eid), lambda: [t for (t,) in self.db.execute(sql, [eid])])

    def forms(self, pid: str) -> list[str]:
        def read() -> list[str]:
            found = self.db.execute("select name, name_original, variants from persons where id = ?", [pid]).fetchone()
            if found is None:
                return []
            name, original, variants = found
            return [name, *_texts(original), *_texts(variants), *self.romanized("persons", pid)]

        return self._once(("p", pid), read)

    def title(self, did: str) -> str | None:
        sql = "select title from documents where id = ?"
        return self._once(("d", did), lambda: next((t for (t,) in self.db.execute(sql, [did])), None))


# whose words an entry is (<speaker>) and whom else it names (<addressee>): the profile's references to persons
_PERSONS_OF = {r.name: P.persons_named(r) for r in P.REGISTERS}


def row_texts(register: P.Register, row: dict, lookups: Lookups) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {c: [] for c in ("exact", "roman", "speaker", "names", "context")}
    for s in register.search:
        if s.source == "<romanizations>":
            found = lookups.romanized(register.name, row["id"])
        elif s.source in ("<speaker>", "<addressee>"):
            found = [form for column in _PERSONS_OF[register.name][s.source] if row.get(column) for form in lookups.forms(row[column])]
        elif s.source == "<document>":
            title = lookups.title(row["document"]) if row.get("document") else None
            found = [title] if title is not None else []
        else:
            found = _texts(row.get(s.source))
        out[s.into] += found
    return out


@functools.lru_cache(maxsize=200_000)
def _word_stems(word: str) -> tuple[str, ...]:
    """A text word's stems: Snowball's and, for a Cyrillic word, the Russian stem of its romanization (so
    Versalskii meets Версальского). A Latin word is not read as romanized Russian here, only a query
    word is: English "most" must not become мост in the index."""
    return (*stems(word), roman_stem(word)) if has_cyrillic(word) else stems(word)


@functools.lru_cache(maxsize=20_000)
def _derived(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A name's or a citation's words, and every form they are found by: romanized, stemmed (Snowball,
    Russian stems of romanizations, Polish lemmas), spelling-blind keys; in one column, so a match in
    any of these forms ranks as a match in that column. The same person or citation comes back in row
    after row: each is derived once."""
    found = words(text)
    more = [r for w in found for r in romanized(w)]
    more += [s for w in found + more for s in _word_stems(w)] + [name_key(w) for w in found + more]
    more += [m for w in raw_words(text) for m in lemmas(w)]
    return tuple(found), tuple(dict.fromkeys(w for w in more if w))


def _derived_all(texts: list[str]) -> str:
    return _joined(w for t in texts for part in _derived(t) for w in part)


def entry(register: P.Register, row: dict, lookups: Lookups) -> tuple[str, ...]:
    """The index columns of one row, in COLUMNS order."""
    # each text once (a printed and a corrected reading are often the same), its words in order (phrases)
    texts = {k: list(dict.fromkeys(v)) for k, v in row_texts(register, row, lookups).items()}
    exact = [w for t in texts["exact"] for w in words(t)]
    roman = [w for t in texts["roman"] for w in words(t)]
    # the texts' word forms: stems, and Polish lemmas (przemysłowcami → przemysłowiec) of the words as
    # printed, which keep the diacritics the dictionary needs
    stems_all = [s for w in exact for s in _word_stems(w)] + [m for t in texts["exact"] for w in raw_words(t) for m in lemmas(w)]
    keys = [name_key(w) for w in exact + roman]
    # citations and notes: their words as they are, for phrases, then every form they are found by
    context = [_derived(t) for t in texts["context"]]
    context_all = " ".join([*(w for found, _ in context for w in found), _joined(w for _, more in context for w in more)])
    return (
        " ".join(exact),
        " ".join(roman),
        _joined(stems_all),
        _joined(keys),
        _derived_all(texts["speaker"]),
        _derived_all(texts["names"]),
        context_all,
    )


def build(db: sqlite_utils.Database, batch: int = 2000) -> None:
    """Create and fill search_<table> for every register that declares what it is searched by."""
    lookups = Lookups(db)
    for register in P.REGISTERS:
        if not register.search:
            continue
        db.execute(create_sql(register))
        marks = ", ".join("?" * (len(COLUMNS) + 1))
        insert = f"INSERT INTO [{register.search_table}] (rowid, {', '.join(COLUMNS)}) VALUES ({marks})"
        cursor = db.execute(f"select rowid as _rowid, * from [{register.name}]")
        names = [c[0] for c in cursor.description]
        pending = []
        for values in cursor:
            row = dict(zip(names, values, strict=True))
            pending.append((row["_rowid"], *entry(register, row, lookups)))
            if len(pending) >= batch:
                db.conn.executemany(insert, pending)
                pending.clear()
        db.conn.executemany(insert, pending)
        db.execute(f"INSERT INTO [{register.search_table}] ([{register.search_table}]) VALUES ('optimize')")
    db.conn.commit()


# --- an incremental build: the entries of some rows, taken out and put in -------------------------


def searched() -> list[P.Register]:
    """The registers with a search index."""
    return [r for r in P.REGISTERS if r.search]


def entries_of(db: sqlite_utils.Database, register: P.Register, rowids: Iterable[int], lookups: Lookups) -> list[tuple]:
    """(rowid, *columns) of these rows of the register's table, as `build` indexes them."""
    out = []
    found = sorted(rowids)
    for i in range(0, len(found), 500):
        chunk = found[i : i + 500]
        cursor = db.execute(f"select rowid as _rowid, * from [{register.name}] where rowid in ({', '.join('?' * len(chunk))})", chunk)
        names = [c[0] for c in cursor.description]
        for values in cursor.fetchall():
            row = dict(zip(names, values, strict=True))
            out.append((row["_rowid"], *entry(register, row, lookups)))
    return out


def remove(db: sqlite_utils.Database, register: P.Register, entries: list[tuple]) -> None:
    """Take these entries, as `entries_of` gave them before their rows changed, out of the index (a
    contentless FTS5 table forgets a row only when told the very values it was given)."""
    table = register.search_table
    marks = ", ".join("?" * (len(COLUMNS) + 1))
    db.conn.executemany(f"INSERT INTO [{table}] ([{table}], rowid, {', '.join(COLUMNS)}) VALUES ('delete', {marks})", entries)


def add(db: sqlite_utils.Database, register: P.Register, entries: list[tuple]) -> None:
    marks = ", ".join("?" * (len(COLUMNS) + 1))
    db.conn.executemany(f"INSERT INTO [{register.search_table}] (rowid, {', '.join(COLUMNS)}) VALUES ({marks})", entries)


def referring(db: sqlite_utils.Database, register: P.Register, persons: set[str], documents: set[str]) -> set[int]:
    """Rowids of the register's rows whose index takes the names of these persons or the title of
    these documents (their speaker, addressee, author, recipient or document is one of them)."""
    sources = {s.source for s in register.search}
    wanted: list[tuple[str, set[str]]] = []
    for source in ("<speaker>", "<addressee>"):
        if source in sources:
            wanted += [(col, persons) for col in _PERSONS_OF[register.name][source]]
    if "<document>" in sources:
        wanted.append(("document", documents))
    out: set[int] = set()
    for column, ids in wanted:
        found = sorted(ids)
        for i in range(0, len(found), 500):
            chunk = found[i : i + 500]
            sql = f"select rowid from [{register.name}] where [{column}] in ({', '.join('?' * len(chunk))})"
            out.update(r for (r,) in db.execute(sql, chunk))
    return out
