"""The search index of each searchable table, built from the loaded database (profile.Register.search).

One FTS5 table per register, search_<table>, keyed by the table's rowid and holding no copy of the
texts (content=''): the columns are profile.SEARCH_COLUMNS, each the folded words of what the
profile's `search` declarations send there (search_text.py), plus what is derived from them: the
romanizations of Cyrillic words in citations, the stems of every word of the texts and names,
the spelling-blind keys of Latin words. Datasette does not recognise these tables as its own full-text
tables (their content is not the table's), so `?_search=` is ours alone (datasette_search.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import sqlite_utils

from quotecorpus import profile as P
from quotecorpus.search.forms import name_key, romanized, stems, words

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
    in every form, their document's title."""

    def __init__(self, db: sqlite_utils.Database):
        self.romanizations: dict[tuple[str, str], list[str]] = {}
        for owner_column, register in ((c, r) for r, c in P.TRANSLITERATIONS_OWNER.items()):
            for owner, text in db.execute(f"select [{owner_column}], text from transliterations where [{owner_column}] is not null"):
                self.romanizations.setdefault((register, owner), []).append(text)
        self.names: dict[str, list[str]] = {}
        for pid, name, original, variants in db.execute("select id, name, name_original, variants from persons"):
            self.names[pid] = [name, *_texts(original), *_texts(variants), *self.romanizations.get(("persons", pid), [])]
        self.documents = dict(db.execute("select id, title from documents").fetchall())


_PERSONS_OF = {"quotations": ("speaker", "addressee"), "documents": ("author", "recipient")}


def row_texts(register: P.Register, row: dict, lookups: Lookups) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {c: [] for c in ("exact", "roman", "names", "context")}
    for s in register.search:
        if s.source == "<romanizations>":
            found = lookups.romanizations.get((register.name, row["id"]), [])
        elif s.source == "<names>":
            found = [form for col in _PERSONS_OF[register.name] if row.get(col) for form in lookups.names.get(row[col], [])]
        elif s.source == "<document>":
            found = [lookups.documents[row["document"]]] if row.get("document") in lookups.documents else []
        else:
            found = _texts(row.get(s.source))
        out[s.into] += found
    return out


def entry(register: P.Register, row: dict, lookups: Lookups) -> tuple[str, ...]:
    """The index columns of one row, in COLUMNS order."""
    # each text once (a printed and a corrected reading are often the same), its words in order (phrases)
    texts = {k: list(dict.fromkeys(v)) for k, v in row_texts(register, row, lookups).items()}
    exact = [w for t in texts["exact"] for w in words(t)]
    roman = [w for t in texts["roman"] for w in words(t)]
    names = [w for t in texts["names"] for w in words(t)]
    context = [w for t in texts["context"] for w in words(t)]
    # names and citations in Cyrillic are found by their romanizations and word forms too
    # a name is found by every form of it: romanized, by stem, by spelling-blind key (in this column:
    # a record found only by its speaker's name ranks below one found by its texts)
    names_all = names + [r for w in names for r in romanized(w)]
    names_all += [s for w in names for s in stems(w)] + [name_key(w) for w in names_all]
    context_all = context + [r for w in context for r in romanized(w)]
    stems_all = [s for w in exact for s in stems(w)]
    keys = [name_key(w) for w in exact + roman]
    return (" ".join(exact), " ".join(roman), _joined(stems_all), _joined(keys), _joined(names_all), " ".join(context_all))


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
