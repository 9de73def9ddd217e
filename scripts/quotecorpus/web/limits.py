"""The limits of serving.LIMITS on every SQLite connection Datasette opens.

No string or blob longer than LIMITS.value_bytes (SQLite's own limit: `select zeroblob(200000000)`
is an error, not a gigabyte), no query result larger than LIMITS.result_bytes (counted as the rows
are fetched, so the memory a request takes is bounded), and no call of the functions that expose or
change the engine (fts3_tokenizer's two-argument form overwrites a tokenizer of a shared connection).
"""

from __future__ import annotations

import sqlite3

from quotecorpus.web.serving import LIMITS

SQLITE_FUNCTION = 31  # the authorizer's action codes (sqlite3.h): a function call,
SQLITE_READ = 20  # ... a column read
# Columns that name a file of the machine: read as NULL (SQLITE_IGNORE), so that `select * from
# pragma_database_list` answers without the database's absolute path. Datasette's own `PRAGMA database_list`
# (an attached database's name) is a pragma statement, not a read, and is not touched.
HIDDEN_COLUMNS = frozenset({("pragma_database_list", "file")})


class ResultTooLarge(sqlite3.OperationalError):
    pass


def _authorizer(action, arg1, arg2, database, source):
    if action == SQLITE_FUNCTION and (arg2 or "").lower() in LIMITS.refused_functions:
        return sqlite3.SQLITE_DENY
    if action == SQLITE_READ and ((arg1 or "").lower(), (arg2 or "").lower()) in HIDDEN_COLUMNS:
        return sqlite3.SQLITE_IGNORE
    return sqlite3.SQLITE_OK


def _budgeted(factory):
    """A row factory that counts the bytes of the rows a cursor returns, and stops past the budget."""
    state: dict = {"cursor": None, "bytes": 0}

    def row(cursor, values):
        if state["cursor"] is not cursor:
            state["cursor"], state["bytes"] = cursor, 0
        state["bytes"] += sum(len(v) if isinstance(v, (str, bytes)) else 8 for v in values)
        if state["bytes"] > LIMITS.result_bytes:
            raise ResultTooLarge(f"the result is larger than {LIMITS.result_bytes // 1_000_000} MB: ask for fewer or shorter rows")
        return factory(cursor, values) if factory else values

    return row


def bound(conn: sqlite3.Connection) -> None:
    """prepare_connection: the limits on one connection."""
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, LIMITS.value_bytes)
    conn.set_authorizer(_authorizer)
    conn.row_factory = _budgeted(conn.row_factory)
