"""Datasette's inspect data of a finished database file, written by the build beside it.

A Datasette serving an immutable file counts every table's rows before it answers its first request
(`select count(*)` of each, the full-text index's own tables included) and hashes the file when it is
asked for its hash. At 100,000 quotations that took from 3 s to over 30 s, depending on what the
operating system had cached, on every start and again after every publication (serving.App makes a
new Datasette for each generation). A generation is never written again, so its counts and hash are
known once and for all when it is made: this is the `datasette inspect` format (hash, size, the
tables' counts; the file's path is the server's to add, since the generation's folder is renamed
when it is published), which Datasette reads instead of counting.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from quotecorpus.files import sha256_file

FILE_NAME = "inspect-data.json"


def inspect(db: Path) -> dict:
    """The hash, size and table counts of a database file, as `datasette inspect` gives them."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = {}
        for (name,) in conn.execute("select name from sqlite_master where type = 'table'").fetchall():
            try:
                count = conn.execute(f"select count(*) from [{name}]").fetchone()[0]
            except sqlite3.DatabaseError:  # as Datasette: a table it cannot count has no count
                count = None
            tables[name] = {"count": count}
    finally:
        conn.close()
    return {"hash": sha256_file(db), "size": db.stat().st_size, "tables": tables}


def write(db: Path) -> None:
    """Write the inspect data of `db` beside it."""
    (db.parent / FILE_NAME).write_text(json.dumps(inspect(db), indent=1))


def read(db: Path) -> dict | None:
    """The inspect data written beside `db`, with its path, or None (a file the build did not make)."""
    try:
        data = json.loads((db.parent / FILE_NAME).read_text())
    except (OSError, ValueError):
        return None
    return {**data, "file": str(db)}
