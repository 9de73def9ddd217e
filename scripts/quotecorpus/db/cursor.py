"""Our own reads of many small values, outside the served connection's result budget."""

from __future__ import annotations

import sqlite3


def plain_cursor(conn: sqlite3.Connection) -> sqlite3.Cursor:
    """A cursor of plain tuples, outside the result budget: for our own reads of many small values whose
    size the code bounds (ids, keys, rowids). The budget counts each row in Python, which for 100,000
    integer keys was two thirds of the read; a request's own SQL always goes through it."""
    cursor = conn.cursor()
    cursor.row_factory = None
    return cursor
