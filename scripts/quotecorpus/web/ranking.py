"""The order of a table view that Datasette cannot give: relevance, printed originals first, by date.

A search with no sort of its own is in relevance order, a language's quotations list printed
originals first, `_sort=date` puts the undated last: the same for the same URL in HTML, JSON, CSV,
TEI and TMX. This ASGI wrapper makes one `Plan` of a request — its query (parsed once, web/search.py),
its page of ids in our order, the count of all, the next page (`_next=rank-<offset>`) — and hands it
to Datasette in the request's scope. Datasette then answers the address exactly as asked: its
counts, facets, toggle links and description are those of the whole selection, as plain Datasette's
are. Only the rows are ours:

* HTML: the templates show the plan's rows (cards; Datasette's own cells for the plain table);
* TEI, TMX: the exports take the plan's ids;
* JSON, CSV: the page's rows are read from Datasette by id, and set in the plan's order into its answer.

No `id__in` list ever appears in an address, a link or a description: it is asked for only inside
this wrapper.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

from datasette.database import QueryInterrupted
from datasette.filters import Filters
from datasette.utils import tilde_decode

from quotecorpus import profile as P
from quotecorpus.search.query import SEARCHABLE, Query, ranked_sql
from quotecorpus.web.search import matched, query_of, searchable

PLAN_KEY = "quotecorpus_plan"  # request.scope: the plan of a request in an order of ours
NEXT_PREFIX = "rank-"
_TABLE_PATH = re.compile(r"^/([^/]+)/([A-Za-z_]+)(?:\.(\w+))?$")
STREAMED = ("tei", "tmx", "bib", "ris", "csl")  # formats whose `_stream=on` pages through the ranked JSON themselves
# JSON shapes without counts or facets: only the rows
ROWS_ONLY_SHAPES = ("array", "arrayfirst", "object")
# what a JSON or CSV answer of the page's rows keeps of the request: how rows are shown, never what selects them
_PRESENTATION = ("_shape", "_labels", "_label", "_col", "_nocol", "_json", "_json_infinity", "_nl", "_dl", "_header", "_trace")


@dataclass
class Plan:
    """A request in an order of ours, as the wrapper found it (request.scope[PLAN_KEY])."""

    text: str  # the search as typed ("" when none)
    query: Query
    shown: str  # the address as asked (path and query), for exports' provenance
    ids: list[str] = field(default_factory=list)  # the page, in order
    total: int = 0
    next_url: str | None = None
    notices: list[str] = field(default_factory=list)
    searched: bool = True  # False: nothing to search for, the unfiltered list is shown
    order: str | None = None  # "date" (undated last) or "printed" (printed originals first); None: relevance

    @property
    def by_date(self) -> bool:
        return self.order == "date"

    @property
    def by_relevance(self) -> bool:
        return self.searched and self.order is None and not self.query.empty

    def words(self) -> str:
        """What the order adds to a description of the rows."""
        return {"date": " sorted by date, undated last", "printed": ", printed originals first"}.get(self.order or "", "")


def plan_of(request) -> Plan | None:
    return request.scope.get(PLAN_KEY) if request is not None else None


# Sorting by date: the first and last day a date can mean (date_from, date_to), undated last, in
# whichever direction (Datasette would put NULLs first).
DATE_SORTS = ("date", "date_from", "date_to")
# A language's quotations lead with those whose original the article prints, then the English-only
# ones: the order of a view filtered by language, with no sort or search of its own.
PRINTED_FIRST = "t.printed desc, t.id"


def _date_order(args: dict) -> str | None:
    if args.get("_sort") in DATE_SORTS:
        return "t.date_from is null, t.date_from, t.date_to, t.rowid"
    if args.get("_sort_desc") in DATE_SORTS:
        return "t.date_from is null, t.date_to desc, t.date_from desc, t.rowid desc"
    return None


def _order(args: dict, table: str) -> str | None:
    found = _date_order(args)
    if found is None and table == P.QUOTATIONS.name and args.get("language") and not (args.get("_search") or "").strip():
        if not args.get("_sort") and not args.get("_sort_desc"):
            return PRINTED_FIRST
    return found


def _wants_ranking(args: list[tuple[str, str]], columns: set[str], table: str) -> bool:
    keys = {k for k, _ in args}
    plain = dict(args)
    if "id__in" in keys or "_where" in keys:
        # a _where fragment is the client's own SQL: it never enters ours (Datasette's own order then)
        return False
    if _date_order(plain) is not None:
        return "date_from" in columns
    if _order(plain, table) is not None:
        return "printed" in columns
    return bool((plain.get("_search") or "").strip()) and not keys & {"_sort", "_sort_desc"}


def _page_size(datasette, args: dict) -> int | None:
    size = args.get("_size")
    if size in (None, ""):
        return datasette.setting("default_page_size")
    if size == "max":
        return datasette.setting("max_returned_rows")
    if not (size.isascii() and size.isdigit()) or len(size) > 9:
        return None  # Datasette's own message
    return min(int(size), datasette.setting("max_returned_rows"))


def _offset(token: str) -> int | None:
    """The offset a `_next=rank-N` token names; None for Datasette's own tokens and nonsense."""
    number = token[len(NEXT_PREFIX) :] if token.startswith(NEXT_PREFIX) else ""
    return int(number) if number.isascii() and number.isdigit() and len(number) <= 12 else None


async def _rank(datasette, database: str, table: str, args: list[tuple[str, str]], q: Query, order, limit: int | None, offset: int):
    """(ids of the page, total) in our order."""
    db = datasette.get_database(database)
    filters = Filters(sorted((k, v) for k, v in args if not k.startswith("_")))
    clauses, params = filters.build_where_clauses(table)
    page_sql, count_sql = ranked_sql(table, clauses, order, searched=not q.empty)
    if not q.empty:
        params["qc_matches"] = await matched(db, table, q)
        if not clauses and order is None and limit is not None:
            return await _slice(db, table, params["qc_matches"], limit, offset)
    total = (await db.execute(count_sql, params)).first()[0]
    rows = await db.execute(page_sql, params | {"qc_limit": -1 if limit is None else limit, "qc_offset": offset})
    return [r[0] for r in rows], total


async def _slice(db, table: str, found: str, limit: int, offset: int) -> tuple[list[str], int]:
    """(ids of the page, total) of a search with no other filter: its matches are the selection, best
    first, so the page is a slice of them and the total their number. The joins of ranked_sql would
    seek every match in the table (at 100,000 quotations a name matches 50,000: over 100 ms on a
    fresh server); every rowid of a search index is one of its table's (search/index.py builds it
    from the table's rows), so the join would drop none."""
    rowids = json.loads(found)
    page = rowids[offset : offset + limit]
    if not page:
        return [], len(rowids)
    marks = ", ".join("?" * len(page))
    rows = await db.execute(f"select rowid, id from [{table}] where rowid in ({marks})", page)
    id_of = {rowid: id_ for rowid, id_ in rows}
    return [id_of[r] for r in page if r in id_of], len(rowids)


def _scope(scope: dict, args: list[tuple[str, str]], plan: Plan) -> dict:
    return {**scope, "query_string": urlencode(args).encode(), PLAN_KEY: plan}


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


def _rows_in_order(rows: list, columns: list, ids: list[str]) -> list:
    if rows and isinstance(rows[0], dict):
        return _in_order(rows, ids, lambda r: _plain(r.get("id")))
    if rows and "id" in columns:
        at = columns.index("id")
        return _in_order(rows, ids, lambda r: _plain(r[at]))
    return rows


def _plain(v):
    return v["value"] if isinstance(v, dict) and "value" in v else v  # `_labels=on` expands to dicts


def _rows_request(args: list[tuple[str, str]], ids: list[str], extra: list[tuple[str, str]] = ()) -> list[tuple[str, str]]:
    """The request for exactly these rows, shown as the client asked: the ids, no filter, facet or count."""
    shown = [(k, v) for k, v in args if k in _PRESENTATION]
    return [*shown, ("id__in", json.dumps(ids or [""])), ("_size", str(max(len(ids), 1))), ("_nofacet", "1"), ("_nocount", "1"), *extra]


def _search_note(plan: Plan) -> dict:
    return {"query": plan.text, "order": plan.order or ("relevance" if plan.searched else "none"), "notices": plan.notices}


async def _json(app, scope, receive, send, args, plan: Plan) -> None:
    """Datasette's answer to the address as asked (counts, facets, links, description), with the page's
    rows in the plan's order."""
    shape = dict(args).get("_shape")
    asked = [(k, v) for k, v in args if not (k == "_next" and _offset(v) is not None)]
    if shape in ROWS_ONLY_SHAPES:
        start, body = await _call(app, _scope(scope, _rows_request(args, plan.ids), plan), receive)
        if start.get("status") == 200 and dict(args).get("_nl") and shape == "array":
            # newline-delimited: one row a line, each line put in the plan's order
            rows = [json.loads(line) for line in body.splitlines() if line.strip()]
            rows = _in_order(rows, plan.ids, lambda r: _plain(r.get("id")) if isinstance(r, dict) else None)
            body = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode()
        elif start.get("status") == 200:
            data = json.loads(body)
            if isinstance(data, list):
                data = _in_order(data, plan.ids, lambda r: _plain(r.get("id")) if isinstance(r, dict) else None)
            elif isinstance(data, dict):
                data = {k: data[k] for k in _in_order(list(data), plan.ids, lambda k: k)}
            body = json.dumps(data, ensure_ascii=False).encode()
        return await _respond(send, start, body)
    start, body = await _call(app, _scope(scope, asked, plan), receive)
    if start.get("status") != 200:
        return await _respond(send, start, body)
    data = json.loads(body)
    rows_start, rows_body = await _call(app, _scope(scope, _rows_request(args, plan.ids), plan), receive)
    if rows_start.get("status") != 200:
        return await _respond(send, rows_start, rows_body)
    rows = json.loads(rows_body)
    data["rows"] = _rows_in_order(rows.get("rows") or [], rows.get("columns") or [], plan.ids)
    data["next_url"] = plan.next_url
    data["next"] = plan.next_url and plan.next_url.rsplit("_next=", 1)[-1].split("&")[0]
    if "human_description_en" in data:
        data["human_description_en"] = (data["human_description_en"] or "") + plan.words()
    data["search"] = _search_note(plan)
    await _respond(send, start, json.dumps(data, ensure_ascii=False).encode())


def _reorder_csv(body: bytes, ids: list[str]) -> bytes:
    text = body.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or "id" not in rows[0]:
        return body
    at = rows[0].index("id")
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([rows[0], *_in_order(rows[1:], ids, lambda r: r[at])])
    return out.getvalue().encode("utf-8")


async def _csv(app, scope, receive, send, args, plan: Plan, chunk: int) -> None:
    """The rows as CSV in the plan's order: the page, or (`_stream=on`) every match in chunks of ids."""
    started = False
    for start_at in range(0, max(len(plan.ids), 1), chunk):
        part = plan.ids[start_at : start_at + chunk]
        start, body = await _call(app, _scope(scope, _rows_request(args, part), plan), receive)
        if start.get("status") != 200:
            return await _respond(send, start, body)
        body = _reorder_csv(body, part)
        if not started:
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            await send({**start, "headers": headers})
            started = True
        else:
            body = body.split(b"\r\n", 1)[1] if b"\r\n" in body else b""
        await send({"type": "http.response.body", "body": body, "more_body": True})
    await send({"type": "http.response.body", "body": b""})


def _whole(args: dict) -> bool:
    return args.get("_stream") not in (None, "", "0", "off")


async def _refused(send, message: str) -> None:
    body = (message + "\n").encode()
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 400, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def ranking_wrapper(datasette):
    """asgi_wrapper: the table views of searchable tables, in an order of ours where one applies."""

    def wrap(app):
        async def ranked_app(scope, receive, send):
            m = _TABLE_PATH.match(scope.get("path", "")) if scope.get("type") == "http" and scope.get("method") in ("GET", "HEAD") else None
            # a database's name as Datasette writes it in a path: corpus-1~2E1 is the release corpus-1.1 (versions.py)
            if m is None or tilde_decode(m.group(1)) not in datasette.databases or m.group(2) not in SEARCHABLE:
                return await app(scope, receive, send)
            database, table, fmt = tilde_decode(m.group(1)), m.group(2), m.group(3) or "html"
            args = parse_qsl(scope.get("query_string", b"").decode("utf-8", "replace"), keep_blank_values=True)
            plain = dict(args)
            if fmt in STREAMED and _whole(plain):
                return await app(scope, receive, send)  # the whole selection: the export pages through the ranked JSON
            columns = set(await datasette.get_database(database).table_columns(table))
            if not _wants_ranking(args, columns, table) or not await searchable(datasette, database, table):
                return await app(scope, receive, send)
            size = _page_size(datasette, plain)
            token = plain.get("_next") or ""
            offset = _offset(token) if token else 0
            if offset is None and token.startswith(NEXT_PREFIX):  # ours, but no offset a page can have
                return await _refused(send, f"_next={NEXT_PREFIX}N takes a whole number of at most 12 ASCII digits")
            if size is None or offset is None:
                return await app(scope, receive, send)  # Datasette's own message, or its own paging
            db = datasette.get_database(database)
            q = await query_of(scope, db, table, plain)
            order = _order(plain, table)
            shown = scope["path"] + ("?" + scope["query_string"].decode("utf-8", "replace") if scope.get("query_string") else "")
            if q.empty and order is None:  # nothing to search for: the unfiltered list, saying so
                plan = Plan(plain.get("_search", ""), q, shown, notices=q.notices, searched=False)
                unfiltered = [(k, v) for k, v in args if k not in ("_search", "_searchmode")]
                if fmt != "json":
                    return await app(_scope(scope, unfiltered, plan), receive, send)
                start, body = await _call(app, _scope(scope, unfiltered, plan), receive)
                if start.get("status") == 200:
                    data = json.loads(body)
                    data["search"] = {"query": plan.text, "ranked": False, "notices": plan.notices}
                    body = json.dumps(data, ensure_ascii=False).encode()
                return await _respond(send, start, body)
            whole = fmt == "csv" and _whole(plain)
            try:
                ids, total = await _rank(datasette, database, table, args, q, order, None if whole else size, offset)
            except (QueryInterrupted, sqlite3.OperationalError):
                return await app(scope, receive, send)  # our order took too long: Datasette's page, in its own order
            next_url = None
            if not whole and offset + len(ids) < total:
                following = urlencode([*((k, v) for k, v in args if k != "_next"), ("_next", f"{NEXT_PREFIX}{offset + size}")])
                next_url = datasette.absolute_url(scope_request(scope, receive), scope["path"] + "?" + following)
            kind = None if order is None else ("printed" if order == PRINTED_FIRST else "date")
            plan = Plan(plain.get("_search", ""), q, shown, ids, total, next_url, q.notices, order=kind)
            asked = [(k, v) for k, v in args if not (k == "_next" and _offset(v) is not None)]
            if fmt == "json":
                return await _json(app, scope, receive, send, args, plan)
            if fmt == "csv":
                chunk = datasette.setting("max_returned_rows") if whole else max(len(ids), 1)
                return await _csv(app, scope, receive, send, args, plan, chunk)
            # HTML and the exports: Datasette answers the address as asked; the templates and the
            # renderers take the plan's rows (their facets and counts stay those of the whole selection)
            extra = [("_nofacet", "1"), ("_nocount", "1")] if fmt != "html" else []
            return await app(_scope(scope, [*asked, *extra], plan), receive, send)

        return ranked_app

    return wrap


def scope_request(scope, receive):
    from datasette.utils.asgi import Request

    return Request(scope, receive)
