"""`?_search=` on every searchable table, ours (search/query.py): one parsed query per request.

The query a request asks for is read once (`query_of`) and kept in the request's scope, so that the
ranking wrapper (ranking.py), Datasette's filter, the cards and their highlighting, and every
export share it; with `_searchmode=raw` the FTS5 expression is tried once. The matches of a query
are read from the index once per database file (`matched`): counts, facets, filters and pages join
that list.

* cache_results: the SQL that joins a search's matches (the count, the facets, the page: Datasette's and
  the ranking's) answered once per database file, query and parameters: at 100,000 quotations a name
  matches tens of thousands of rows, and each such query costs tens of milliseconds however small
  its answer; a generation's file never changes, so the answer is the same until it is replaced.
* filters_from_request: a search restricts the rows to those its words match, with Datasette's
  facets, counts and other filters as usual. Malformed input is never an error: what cannot be read
  is left out and the page says so.
"""

from __future__ import annotations

import re
import sqlite3

from datasette.filters import FilterArguments
from datasette.utils import sqlite_timelimit

from quotecorpus import profile as P
from quotecorpus.db.cursor import plain_cursor
from quotecorpus.search.query import MATCHED, MAX_TERMS, SEARCHABLE, MatchCache, Persons, Query, expressions, matches, parse, person_forms
from quotecorpus.web.memo import PerFile, file_key

QUERY_KEY = "quotecorpus_query"  # request.scope: the request's parsed query
_PERSONS = PerFile()
_MATCHES = MatchCache()
_RESULTS = MatchCache(size=256)  # answers of SQL over the matches (cache_results); each a few KB, the pages' rows more


_file_key = file_key


async def persons_of(db) -> Persons:
    """The persons' name forms of a database file, read once per file version (by one request, the
    others that ask meanwhile wait for it: web/memo.py)."""
    return await _PERSONS.get(_file_key(db), lambda: db.execute_fn(person_forms))


MAX_DEPTH = 4  # parentheses in a raw FTS5 expression: a search needs few, SQLite's parser stack many
_RAW_TOKEN = re.compile(r'"(?:[^"]|"")*"?|[()]|[^\s()"]+')
_OPERATORS = frozenset({"AND", "OR", "NOT", "NEAR"})
TIMED_OUT = "This full-text expression took too long to search (_searchmode=raw): nothing was found; try fewer or longer words."


def raw_size(text: str) -> tuple[int, int]:
    """(terms, deepest nesting) of a raw FTS5 expression: its phrases and words, not its operators."""
    terms = depth = deepest = 0
    for token in _RAW_TOKEN.findall(text):
        if token == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif token == ")":
            depth = max(0, depth - 1)
        elif token not in _OPERATORS:
            terms += 1
    return terms, deepest


async def matched(db, table: str, q: Query) -> str:
    """The query's matches in `table`, best first (search.query.matches), read once per query and file."""
    cache_results(db)
    persons = await persons_of(db)
    positive, negative = expressions(q, persons)
    key = (*_file_key(db), table, positive, negative)
    if key in _MATCHES.found:
        return _MATCHES.get(key, None)
    if q.raw:
        # an expression the client wrote: under the SQL time limit, as ?sql= is (ours are bounded by MAX_TERMS)
        limit = db.ds.setting("sql_time_limit_ms")

        def timed(conn):
            with sqlite_timelimit(conn, limit):
                return matches(plain_cursor(conn), table, q, persons)

        try:
            found = await db.execute_fn(timed)
        except sqlite3.OperationalError as e:
            if "interrupted" not in str(e):
                raise
            if TIMED_OUT not in q.notices:
                q.notices.append(TIMED_OUT)
            return "[]"  # not kept: a warm cache may answer in time
        return _MATCHES.get(key, lambda: found)
    # tens of thousands of rowids at 100,000 quotations: read outside the result budget
    found = await db.execute_fn(lambda conn: matches(plain_cursor(conn), table, q, persons))
    return _MATCHES.get(key, lambda: found)


def _ours(params) -> bool:
    """Whether the parameters carry matches that `matched` made (the very string it keeps): a client's
    own SQL with a :qc_matches of its own is never cached (it may call random() or the clock)."""
    found = params.get("qc_matches") if isinstance(params, dict) else None
    return found is not None and any(found is kept for kept in _MATCHES.found.values())


def cache_results(db) -> None:
    """Answer again, from memory, the SQL over a search's matches that this database file answered
    before (Datasette's count, facets and page, the ranking's count and page): same file, same SQL,
    same parameters, same answer. Only what succeeded is kept: a query stopped by the time limit is
    tried again next time. Installed once per Database object (its `execute`)."""
    if getattr(db, "_quotecorpus_cached", False):
        return
    execute = db.execute

    async def cached(sql, params=None, truncate=False, custom_time_limit=None, page_size=None, log_sql_errors=True):
        if not _ours(params):
            return await execute(sql, params, truncate, custom_time_limit, page_size, log_sql_errors)
        try:
            key = (*_file_key(db), sql, truncate, custom_time_limit, page_size, tuple(sorted(params.items())))
            hash(key)
        except TypeError:  # a parameter that is no plain value
            return await execute(sql, params, truncate, custom_time_limit, page_size, log_sql_errors)
        if key in _RESULTS.found:
            return _RESULTS.get(key, None)
        found = await execute(sql, params, truncate, custom_time_limit, page_size, log_sql_errors)
        return _RESULTS.get(key, lambda: found)

    db.execute = cached
    db._quotecorpus_cached = True


async def _read_query(db, table: str, text: str, mode: str | None) -> Query:
    if mode == "raw" and text.strip():
        terms, depth = raw_size(text)
        if terms > MAX_TERMS or depth > MAX_DEPTH:
            q = parse(text)
            q.notices.insert(
                0,
                f"This full-text expression has more than {MAX_TERMS} terms or {MAX_DEPTH} levels of parentheses"
                " (_searchmode=raw): its words were searched for.",
            )
            return q
        index = f"[{P.SEARCH_TABLE_PREFIX}{table}]"
        try:
            await db.execute(f"select count(*) from (select rowid from {index} where {index} match ? limit 1)", [text])
            return Query(raw=text)
        except sqlite3.OperationalError:  # FTS5's "syntax error near ...", "unknown special query"
            q = parse(text)
            q.notices.insert(0, "This is not a full-text expression (_searchmode=raw): its words were searched for.")
            return q
    return parse(text)


async def query_of(scope: dict, db, table: str, args) -> Query:
    """The query of a request (parsed, or an FTS5 expression as given with _searchmode=raw), read once
    and kept in its scope."""
    text = args.get("_search") or ""
    mode = args.get("_searchmode")
    found = scope.get(QUERY_KEY)
    if found is None or found[0] != (table, text, mode):
        found = ((table, text, mode), await _read_query(db, table, text, mode))
        scope[QUERY_KEY] = found
    return found[1]


async def searchable(datasette, database: str, table: str) -> bool:
    if table not in SEARCHABLE or database not in datasette.databases:
        return False
    return P.SEARCH_TABLE_PREFIX + table in await datasette.get_database(database).table_names()


def search_filter(request, database, table, datasette):
    """filters_from_request: the rows the request's search matches (none asked: no filter)."""

    async def inner():
        if not (request.args.get("_search") or "").strip() or not await searchable(datasette, database, table):
            return None
        db = datasette.get_database(database)
        q = await query_of(request.scope, db, table, request.args)
        if q.empty:
            return None
        found = await matched(db, table, q)
        described = f"search matches “{request.args.get('_search').strip()}”"
        return FilterArguments([MATCHED], {"qc_matches": found}, human_descriptions=[described])

    return inner
