"""What "the same database" means: what an incremental build must hold exactly as a full build does.

Two database files are the same when every part below is equal:

* the schema: `sqlite_master`'s type, name, table and SQL of every table, index and trigger (not the
  pages where SQLite happened to put them);
* every table's rows with their rowids, in rowid order (WITHOUT ROWID tables: in primary key order):
  the rowid is what the search index is keyed by and what DTS, search ties and date ties order by;
* `sqlite_stat1` (the planner's statistics), row by row in (table, index) order: its own rowids are
  SQLite's bookkeeping, which no query reads;
* each full-text index (FTS5) by its content, not its segments: every (term, rowid, column, offset)
  it holds (`fts5vocab` instance), each row's token counts (`_docsize`), the totals bm25 ranks with
  (the averages record, `_data` id 1) and its configuration (`_config`). How FTS5 cut that content
  into segments (the rest of `_data`, and `_idx`) depends on the order of inserts and deletes, and no
  query's answer does.

`parts()` gives a digest of each part; tests and the scale benchmark compare an incremental build's
with a full build's of the same inputs.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable
from pathlib import Path

_AVERAGES = 1  # FTS5_AVERAGES_ROWID: the row of %_data holding the row count and each column's token total


def _digest(rows: Iterable[tuple]) -> str:
    h = hashlib.sha256()
    for r in rows:
        h.update(repr(r).encode("utf-8", "surrogatepass"))
        h.update(b"\n")
    return h.hexdigest()


def _rows(conn: sqlite3.Connection, sql: str) -> Iterable[tuple]:
    cursor = conn.execute(sql)
    while batch := cursor.fetchmany(10_000):
        yield from batch


def parts(path: Path) -> dict[str, str]:
    """A digest of each part of the database's content (see the module's docstring)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        master = conn.execute("select type, name, tbl_name, sql from sqlite_master order by type, name").fetchall()
        out = {"schema": _digest(master)}
        fts = [name for kind, name, _, sql in master if kind == "table" and sql and "USING fts5" in sql.replace("using", "USING")]
        shadow = {f"{name}_{suffix}" for name in fts for suffix in ("data", "idx", "docsize", "config", "content")}
        for kind, name, _, sql in master:
            if kind != "table" or name in fts or name in shadow:
                continue
            if name == "sqlite_stat1":
                out[name] = _digest(_rows(conn, "select tbl, idx, stat from sqlite_stat1 order by tbl, idx"))
            elif "WITHOUT ROWID" in (sql or "").upper():
                out[name] = _digest(_rows(conn, f"select * from [{name}] order by 1"))
            else:
                out[name] = _digest(_rows(conn, f"select rowid, * from [{name}] order by rowid"))
        for name in fts:
            vocab = f"temp.[qc_vocab_{name}]"
            conn.execute(f"create virtual table {vocab} using fts5vocab(main, [{name}], instance)")
            out[f"{name} (terms)"] = _digest(_rows(conn, f"select term, doc, col, offset from {vocab} order by term, doc, col, offset"))
            conn.execute(f"drop table {vocab}")
            out[f"{name} (sizes)"] = _digest(_rows(conn, f"select id, sz from [{name}_docsize] order by id"))
            out[f"{name} (totals)"] = _digest(_rows(conn, f"select block from [{name}_data] where id = {_AVERAGES}"))
            out[f"{name} (config)"] = _digest(_rows(conn, f"select k, v from [{name}_config] order by k"))
        return out
    finally:
        conn.close()


def differences(a: Path, b: Path) -> list[str]:
    """The parts in which two databases differ (empty when they are the same)."""
    pa, pb = parts(a), parts(b)
    return sorted(k for k in pa.keys() | pb.keys() if pa.get(k) != pb.get(k))
