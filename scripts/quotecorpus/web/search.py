"""Datasette plugin: `?_search=` on every searchable table, ours (search.py), ranked in every format.

* filters_from_request: a search restricts the rows to those its words match in the table's search
  index, with Datasette's facets, counts and other filters as usual. Malformed input is never an
  error: what cannot be read is left out and the page says so.
* asgi_wrapper: a search page with no sort of its own is in relevance order, the same for the same
  URL in HTML, JSON and CSV. The wrapper finds the page of ids, best first (search.ranked_sql), and
  asks Datasette for those rows (`id__in`), then puts them in rank order; the count is of all matches
  and `next` pages through the ranking (`_next=rank-<offset>`). The quotations page keeps Datasette's
  own page, counts and facets (the links it builds from its address stay that address) and shows the
ranked cards.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.filters import FilterArguments, Filters
from datasette.utils.asgi import Request

from quotecorpus import profile as P
from quotecorpus.db.cursor import plain_cursor
from quotecorpus.search.query import (
    MATCHED,
    SEARCHABLE,
    MatchCache,
    Persons,
    Query,
    expressions,
    matches,
    parse,
    person_forms,
    ranked_sql,
)

SCOPE_KEY = "quotecorpus_search"
NEXT_PREFIX = "rank-"
_TABLE_PATH = re.compile(r"^/([^/]+)/([A-Za-z_]+)(?:\.(json|csv|tei|tmx))?$")
_PERSONS: dict[tuple, Persons] = {}


@dataclass
class Ranked:
    """A search page as the wrapper found it, for the templates (request.scope[SCOPE_KEY])."""

    query: str
    ids: list[str] = field(default_factory=list)
    total: int = 0
    next_url: str | None = None
    notices: list[str] = field(default_factory=list)
    searched: bool = True  # False: nothing to search for, the unfiltered list is shown
    order: str | None = None  # "date" (undated last) or "printed" (printed originals first); None: relevance

    @property
    def by_date(self) -> bool:
        return self.order == "date"


async def persons_of(db) -> Persons:
    """The persons' name forms of a database file, read once per file version."""
    key = _file_key(db)
    if key not in _PERSONS:
        _PERSONS.clear()
        _PERSONS[key] = await db.execute_fn(person_forms)
    return _PERSONS[key]


_MATCHES = MatchCache()


def _file_key(db) -> tuple:
    path = Path(db.path) if db.path else None
    return (str(path), path.stat().st_mtime_ns) if path and path.exists() else (id(db),)


async def matched(db, table: str, q: Query) -> str:
    """The query's matches in `table`, best first (search.matches), read once per query and file."""
    persons = await persons_of(db)
    positive, negative = expressions(q, persons)
    key = (*_file_key(db), table, positive, negative)
    if key in _MATCHES.found:
        return _MATCHES.get(key, None)
    # tens of thousands of rowids at 100,000 quotations: read outside the result budget
    found = await db.execute_fn(lambda conn: matches(plain_cursor(conn), table, q, persons))
    return _MATCHES.get(key, lambda: found)


async def read_query(db, table: str, args) -> Query:
    """The query of a request: parsed, or an FTS5 expression as given (_searchmode=raw) when it is one."""
    text = args.get("_search") or ""
    if args.get("_searchmode") == "raw" and text.strip():
        index = f"[{P.SEARCH_TABLE_PREFIX}{table}]"
        try:
            await db.execute(f"select count(*) from (select rowid from {index} where {index} match ? limit 1)", [text])
            return Query(raw=text)
        except sqlite3.OperationalError:  # FTS5's "syntax error near ...", "unknown special query"
            q = parse(text)
            q.notices.insert(0, "This is not a full-text expression (_searchmode=raw): its words were searched for.")
            return q
    return parse(text)


async def _searchable(datasette, database: str, table: str) -> bool:
    if table not in SEARCHABLE or database not in datasette.databases:
        return False
    return P.SEARCH_TABLE_PREFIX + table in await datasette.get_database(database).table_names()


@hookimpl
def filters_from_request(request, database, table, datasette):
    async def inner():
        if not (request.args.get("_search") or "").strip() or not await _searchable(datasette, database, table):
            return None
        if request.scope.get(SCOPE_KEY) is not None and request.args.get("id__in") is not None:
            return None  # the wrapper has already found the rows: they are the ids asked for
        db = datasette.get_database(database)
        q = await read_query(db, table, request.args)
        if q.empty:
            return None
        found = await matched(db, table, q)
        shown = request.args.get("_search")
        return FilterArguments([MATCHED], {"qc_matches": found}, human_descriptions=[f"search matches “{shown}”"])

    return inner


@hookimpl
def extra_template_vars(request, view_name, table, database, datasette):
    """The search box on every searchable table, and the wrapper's count and next page for a ranked one."""

    async def inner():
        if view_name != "table" or request is None or not database or not await _searchable(datasette, database, table):
            return {}
        out = {"supports_search": True, "search": request.args.get("_search") or ""}
        ranked: Ranked | None = request.scope.get(SCOPE_KEY)
        if ranked is not None and ranked.searched:
            args = [(k, v) for k in request.args.keys() for v in request.args.getlist(k) if k not in ("id__in", "_size", "_next")]
            filters = Filters(sorted((k, v) for k, v in args if not k.startswith("_")))
            out |= {
                "room_search": ranked,
                "filtered_table_rows_count": ranked.total,
                "next_url": ranked.next_url,
                "filters": filters,
                "human_description_en": filters.human_description_en(
                    extra=[f"search matches “{ranked.query}”"] if ranked.query.strip() else []
                )
                + {"date": " sorted by date, undated last", "printed": ", printed originals first"}.get(ranked.order or "", ""),
            }
        return out

    return inner


# --- the wrapper ------------------------------------------------------------------------------------


def _page_size(datasette, args: dict) -> int | None:
    size = args.get("_size")
    if size in (None, ""):
        return datasette.setting("default_page_size")
    if size == "max":
        return datasette.setting("max_returned_rows")
    if not size.isdigit():
        return None  # Datasette's own message
    return min(int(size), datasette.setting("max_returned_rows"))


# Sorting by date: the first and last day a date can mean (date_from, date_to), undated last, in
# whichever direction (Datasette would put NULLs first).
DATE_SORTS = ("date", "date_from", "date_to")


def _date_order(args: dict) -> str | None:
    if args.get("_sort") in DATE_SORTS:
        return "t.date_from is null, t.date_from, t.date_to, t.rowid"
    if args.get("_sort_desc") in DATE_SORTS:
        return "t.date_from is null, t.date_to desc, t.date_from desc, t.rowid desc"
    return None


# A language's quotations lead with those whose original the article prints, then the English-only
# ones (issue 15): the order of a view filtered by language, with no sort or search of its own.
PRINTED_FIRST = "t.printed desc, t.id"


def _order(args: dict, table: str) -> str | None:
    found = _date_order(args)
    if found is None and table == P.QUOTATIONS.name and args.get("language") and not (args.get("_search") or "").strip():
        if not args.get("_sort") and not args.get("_sort_desc"):
            return PRINTED_FIRST
    return found


async def _rank(datasette, request: Request, database: str, table: str, args: list[tuple[str, str]], limit: int | None, offset: int):
    """(ids of the page, total matching, notices), or None when there is nothing to search for and no
    order of ours to apply."""
    db = datasette.get_database(database)
    plain = dict(args)
    q = await read_query(db, table, plain)
    order = _order(plain, table)
    if q.empty and order is None:
        return None, q.notices
    filters = Filters(sorted((k, v) for k, v in args if not k.startswith("_")))
    clauses, params = filters.build_where_clauses(table)
    clauses += [w for k, w in args if k == "_where"]
    page_sql, count_sql = ranked_sql(table, clauses, order, searched=not q.empty)
    if not q.empty:
        params["qc_matches"] = await matched(db, table, q)
    total = (await db.execute(count_sql, params)).first()[0]
    rows = await db.execute(page_sql, params | {"qc_limit": -1 if limit is None else limit, "qc_offset": offset})
    return ([r[0] for r in rows], total, q.notices), q.notices


def _forward_scope(scope: dict, args: list[tuple[str, str]], ranked: Ranked) -> dict:
    return {**scope, "query_string": urlencode(args).encode(), SCOPE_KEY: ranked}


async def _call(app, scope, receive) -> tuple[dict, bytes]:
    """The response of the wrapped app to `scope`, buffered."""
    start: dict = {}
    body = bytearray()

    async def send(message):
        if message["type"] == "http.response.start":
            start.update(message)
        else:
            body.extend(message.get("body", b""))

    await app(scope, receive, send)
    return start, bytes(body)


async def _respond(send, start: dict, body: bytes) -> None:
    headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
    await send({**start, "headers": headers + [(b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def _in_order(items: list, ids: list[str], key) -> list:
    rank = {i: n for n, i in enumerate(ids)}
    return sorted(items, key=lambda it: rank.get(key(it), len(rank)))


def _reorder_json(body: bytes, ids: list[str], ranked: Ranked) -> bytes:
    try:
        data = json.loads(body)
    except ValueError:
        return body
    if isinstance(data, list):  # _shape=array
        if data and isinstance(data[0], dict) and "id" in data[0]:
            data = _in_order(data, ids, lambda r: r["id"])
    elif isinstance(data, dict) and isinstance(data.get("rows"), list):
        rows = data["rows"]
        columns = data.get("columns") or []
        if rows and isinstance(rows[0], dict):
            data["rows"] = _in_order(rows, ids, lambda r: r.get("id"))
        elif rows and "id" in columns:
            at = columns.index("id")
            data["rows"] = _in_order(rows, ids, lambda r: r[at])
        data["filtered_table_rows_count"] = ranked.total
        data["next_url"] = ranked.next_url
        data["next"] = ranked.next_url and ranked.next_url.rsplit("_next=", 1)[-1].split("&")[0]
        data["search"] = {"query": ranked.query, "order": ranked.order or "relevance", "notices": ranked.notices}
    elif isinstance(data, dict) and all(isinstance(v, dict) for v in data.values()):  # _shape=object
        data = {k: data[k] for k in _in_order(list(data), ids, lambda k: k)}
    return json.dumps(data, ensure_ascii=False).encode()


def _with_notices(body: bytes, ranked: Ranked) -> bytes:
    try:
        data = json.loads(body)
    except ValueError:
        return body
    if isinstance(data, dict):
        data["search"] = {"query": ranked.query, "ranked": False, "notices": ranked.notices}
    return json.dumps(data, ensure_ascii=False).encode()


def _reorder_csv(body: bytes, ids: list[str]) -> bytes:
    text = body.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or "id" not in rows[0]:
        return body
    at = rows[0].index("id")
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([rows[0], *_in_order(rows[1:], ids, lambda r: r[at])])
    return out.getvalue().encode("utf-8")


def _wants_ranking(args: list[tuple[str, str]], columns: set[str], table: str) -> bool:
    """A search without a sort of its own (relevance order), a sort by date (undated last), a language
    view (printed originals first)."""
    keys = {k for k, _ in args}
    plain = dict(args)
    if "id__in" in keys:
        return False
    if _date_order(plain) is not None:
        return "date_from" in columns
    if _order(plain, table) is not None:
        return "printed" in columns
    return bool((plain.get("_search") or "").strip()) and not keys & {"_sort", "_sort_desc"}


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def ranked_app(scope, receive, send):
            m = _TABLE_PATH.match(scope.get("path", "")) if scope.get("type") == "http" and scope.get("method") in ("GET", "HEAD") else None
            if m is None:
                return await app(scope, receive, send)
            database, table, fmt = m.group(1), m.group(2), m.group(3) or "html"
            args = parse_qsl(scope.get("query_string", b"").decode("utf-8", "replace"), keep_blank_values=True)
            if fmt in ("tei", "tmx") and dict(args).get("_stream") not in (None, "", "0", "off"):
                return await app(scope, receive, send)  # the whole selection: the export pages through the ranked JSON
            if database not in datasette.databases or table not in SEARCHABLE:
                return await app(scope, receive, send)
            columns = set(await datasette.get_database(database).table_columns(table))
            if not _wants_ranking(args, columns, table) or not await _searchable(datasette, database, table):
                return await app(scope, receive, send)
            plain = dict(args)
            size = _page_size(datasette, plain)
            token = plain.get("_next") or ""
            if size is None or (token and not token.startswith(NEXT_PREFIX)) or (token and not token[len(NEXT_PREFIX) :].isdigit()):
                return await app(scope, receive, send)  # Datasette's own message, or its own paging
            offset = int(token[len(NEXT_PREFIX) :]) if token else 0
            whole = fmt == "csv" and plain.get("_stream") not in (None, "", "0", "off")
            request = Request(scope, receive)
            try:
                found, notices = await _rank(datasette, request, database, table, args, None if whole else size, offset)
            except (QueryInterrupted, sqlite3.OperationalError):
                # our order took too long, or the request's own SQL (_where) is wrong: Datasette's own
                # page, in its own order or with its own message
                return await app(scope, receive, send)
            rest = [(k, v) for k, v in args if k not in ("_next", "_size")]
            if found is None:  # nothing to search for: the unfiltered list, saying so
                ranked = Ranked(plain.get("_search", ""), notices=notices, searched=False)
                unfiltered = _forward_scope(scope, [(k, v) for k, v in args if k != "_search"], ranked)
                if fmt != "json":
                    return await app(unfiltered, receive, send)
                start, body = await _call(app, unfiltered, receive)
                if start.get("status") == 200:
                    body = _with_notices(body, ranked)
                return await _respond(send, start, body)
            ids, total, notices = found
            next_url = None
            if not whole and offset + len(ids) < total:
                following = urlencode([*((k, v) for k, v in args if k != "_next"), ("_next", f"{NEXT_PREFIX}{offset + size}")])
                next_url = datasette.absolute_url(request, scope["path"] + "?" + following)
            order = _order(plain, table)
            ranked = Ranked(
                plain.get("_search", ""), ids, total, next_url, notices, order=order and ("date" if order != PRINTED_FIRST else "printed")
            )
            if fmt == "html" and table == P.QUOTATIONS.name:
                # Datasette's page as asked (its counts, facets and the links built from its address), the
                # cards from the ranked page
                return await app({**scope, SCOPE_KEY: ranked}, receive, send)
            if fmt == "csv" and whole:
                return await _csv_in_chunks(app, scope, receive, send, rest, ids, ranked, datasette.setting("max_returned_rows"))
            forward = [*rest, ("id__in", json.dumps(ids or [""])), ("_size", str(max(len(ids), 1)))]
            if fmt in ("html", "tei", "tmx"):  # the page's rows; the templates and exports put them in order
                return await app(_forward_scope(scope, forward, ranked), receive, send)
            start, body = await _call(app, _forward_scope(scope, forward, ranked), receive)
            if start.get("status") == 200:
                body = _reorder_json(body, ids, ranked) if fmt == "json" else _reorder_csv(body, ids)
            await _respond(send, start, body)

        return ranked_app

    return wrap


async def _csv_in_chunks(app, scope, receive, send, rest, ids, ranked: Ranked, chunk: int) -> None:
    """A whole ranked search as CSV: the rows asked for in chunks of ids, written in rank order."""
    rest = [(k, v) for k, v in rest if k != "_stream"]
    started = False
    for start_at in range(0, max(len(ids), 1), chunk):
        part = ids[start_at : start_at + chunk]
        asked = [*rest, ("id__in", json.dumps(part or [""])), ("_size", "max")]
        start, body = await _call(app, _forward_scope(scope, asked, ranked), receive)
        if start.get("status") != 200:
            await _respond(send, start, body)
            return
        body = _reorder_csv(body, part)
        if not started:
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            await send({**start, "headers": headers})
            started = True
        else:
            body = body.split(b"\r\n", 1)[1] if b"\r\n" in body else b""
        await send({"type": "http.response.body", "body": body, "more_body": True})
    await send({"type": "http.response.body", "body": b""})
