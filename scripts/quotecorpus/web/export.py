"""The `.tei` and `.tmx` output formats of quotations.

Their whole API is a column contract, like datasette-atom: any table view, filtered view, row or
query whose result has an `id` column of quotation ids (and, in a query of parallel passages, a
`parallel_id` column of their parallels) renders as one valid, self-contained TEI
document holding exactly those quotations and every person, document, work and article they
point to (`.tei`), or as a TMX 1.4b translation memory of those of them that have both an
original and an English translation (`.tmx`). Anything else gets a 400 that says what is needed.

They follow Datasette's CSV convention: the rows are those of `.json` of the same URL (the page,
`_size` respected); with `_stream=on` a table view's whole selection, page after page. A query (canned
or SQL) gives what Datasette gives of it, at most `max_returned_rows`: when its result was cut there,
the export says so (its provenance note and title, and the header X-Quotecorpus-Truncated), never a
silent truncation. Either way the document is streamed, entry by entry, in bounded memory: a first
pass over the selection's stored fragments finds the registers and languages it needs, the second
writes them.
"""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from datasette.utils.asgi import Response

from quotecorpus import profile as P
from quotecorpus.cite.citation import Version, absolute, bibtex, csl_json, quotation_item, ris
from quotecorpus.export.tmx import CONTENT_TYPE as TMX_CONTENT_TYPE
from quotecorpus.export.tmx import UNIT_SQL, tmx_footer, tmx_header, tmx_unit
from quotecorpus.tei.encode import Document, Page, Slot, in_page_order, name_release, page_slot, tei_skeleton
from quotecorpus.tei.read import fragment
from quotecorpus.text.chars import fold
from quotecorpus.text.translit import romanize_if_cyrillic
from quotecorpus.web import config, versions
from quotecorpus.web.ranking import plan_of
from quotecorpus.web.reading_room import pages

REQUIRED_COLUMNS = ("id",)
# A query that sets each quotation beside its parallel in another article in one row names
# the parallel in this column: the export holds both, each pair in the order of the rows.
PARALLEL_COLUMN = "parallel_id"
TEI_CONTENT_TYPE = "application/tei+xml; charset=utf-8"
TRUNCATED_HEADER = "x-quotecorpus-truncated"  # on an export of a query's result that Datasette cut at max_returned_rows
CHUNK = 500  # fragments read from the database at a time
_POINTER = re.compile(r'(?:ref|target|source)="#([^"]+)"')
_LANG = re.compile(r'(?:xml:lang|mainLang)="([^"]+)"')


async def can_render_tei(datasette, columns: list[str], rows: list, table: str | None, database: str | None, view_name: str) -> bool:
    """Offer .tei/.tmx only where they can answer: the quotations table and its rows, and a query whose
    ids are quotations (not persons, documents, works, articles, romanizations)."""
    if not all(c in columns for c in REQUIRED_COLUMNS) or not database:
        return False
    if table is not None:
        return table == P.QUOTATIONS.name and bool(rows)  # no link to a file without a quotation in it
    ids = [_value(r["id"]) for r in rows if r["id"] is not None][:1000]
    if not ids:
        return False
    db = datasette.get_database(database)
    found = (await db.execute(f"select count(*) from quotations where id in ({', '.join('?' * len(ids))})", ids)).first()[0]
    return found == len(set(ids))


async def can_render_tmx(datasette, columns: list[str], rows: list, table: str | None, database: str | None, view_name: str) -> bool:
    """Offer .tmx where it holds a unit: among the rows, a quotation whose original is printed beside
    its English (an English-only quotation's TMX would be empty)."""
    if not await can_render_tei(datasette, columns, rows, table, database, view_name):
        return False
    ids = [_value(r["id"]) for r in rows if r["id"] is not None][:1000]
    found = await datasette.get_database(database).execute(
        f"select 1 from quotations where id in ({', '.join('?' * len(ids))}) and original is not null and translation is not null limit 1",
        ids,
    )
    return bool(found.rows)


def _error(message: str, status: int = 400) -> dict:
    # A dict, not a Response: Datasette overrides a Response's status with the view's own.
    return {"body": message + "\n", "status_code": status, "content_type": "text/plain; charset=utf-8"}


def _value(v):
    return v["value"] if isinstance(v, dict) and "value" in v else v  # `_labels=on` expands to dicts


class StreamingResponse(Response):
    """A response whose body is sent chunk by chunk as an async iterator yields it."""

    def __init__(self, chunks: AsyncIterator[bytes], headers: dict, content_type: str):
        super().__init__(b"", 200, headers, content_type)
        self.chunks = chunks

    async def asgi_send(self, send) -> None:
        headers = {**self.headers, "content-type": self.content_type}
        raw = [[k.encode("utf-8"), v.encode("utf-8")] for k, v in headers.items()]
        await send({"type": "http.response.start", "status": self.status, "headers": raw})
        async for chunk in self.chunks:
            if chunk:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})


async def _stream_ids(datasette, request, extension: str) -> list[str]:
    """Every id of a table view's selection, following its pages (`_stream=on`)."""
    path = request.path[: -len(extension)] + ".json"
    args = [(k, v) for k, v in parse_qsl(request.query_string, keep_blank_values=True) if k not in ("_next", "_shape", "_size", "_stream")]
    args += [("_shape", "objects"), ("_size", "max"), ("_col", "id"), ("_nocount", "1"), ("_nofacet", "1")]
    ids, nxt = [], None
    while True:
        query = args + ([("_next", nxt)] if nxt else [])
        for _attempt in range(2):  # a page can run into the SQL time limit on a cold cache; the second finds it warm
            response = await datasette.client.get(path + "?" + urlencode(query))
            body = response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
            if response.status_code == 200 and "rows" in body:
                break
        else:
            problem = body.get("error") or f"status {response.status_code}"
            raise SelectionUnavailable(f"the page of the selection after {len(ids)} rows could not be read ({problem})")
        ids += [_value(r["id"]) for r in body["rows"]]
        nxt = body.get("next")
        if not nxt:
            return ids


class SelectionUnavailable(Exception):
    """A page of a whole selection (`_stream=on`) could not be read: a 503, the export not begun."""


@dataclass(frozen=True)
class Selection:
    """What a `.tei` or `.tmx` request asks to export: the quotation ids, in order."""

    ids: list[str]
    shown: str  # the page's path and query, for the export's provenance
    name: str  # for the download's file name and the document's xml:id
    whole: bool  # the whole selection (_stream=on), not the page
    title: str = ""  # what it holds, in words
    cut: int | None = None  # the rows of a query's result it holds, when Datasette cut the result there

    def cut_note(self) -> str:
        """What the export says of a result cut at the server's limit (empty when nothing was cut)."""
        if self.cut is None:
            return ""
        return (
            f" CUT: the query's result has more rows than the {self.cut:,} the server returns (its max_returned_rows);"
            " this export holds only those, not the whole selection."
        )

    def cut_headers(self) -> dict[str, str]:
        return {} if self.cut is None else {TRUNCATED_HEADER: f"{self.cut} rows; the query's result has more"}


async def selection(extension, datasette, columns, rows, request, table, view_name, data, query_name) -> Selection | dict:
    """The ids of the rows shown (or, with _stream=on, of a table view's every page; of a query, its
    result: Datasette gives no page after it), or a 400 dict."""
    fmt = f"The {extension} format"
    if data and data.get("error"):
        return _error(f"{fmt} could not render this page: {data['error']}")
    if not all(c in columns for c in REQUIRED_COLUMNS):
        return _error(
            f"{fmt} needs an 'id' column holding quotation ids (for example: "
            "select id from quotations where language = 'ru'); "
            f"this result has the column(s): {', '.join(columns) or 'none'}."
        )
    whole = request.args.get("_stream") not in (None, "", "0", "off")
    # Datasette 0.65 serves a canned query through its table view: a query is what names no table
    is_query = table is None and view_name != "row"
    if whole and not is_query:
        try:
            ids = await _stream_ids(datasette, request, extension)
        except SelectionUnavailable as e:
            return _error(f"{fmt} could not export the whole selection now: {e}. Try again in a moment, or page by page.", 503)
    else:
        ids = []
        for r in rows:
            ids.append(_value(r["id"]))
            if PARALLEL_COLUMN in columns and _value(r[PARALLEL_COLUMN]) is not None:
                ids.append(_value(r[PARALLEL_COLUMN]))
        plan = plan_of(request)  # a page in an order of ours (web/ranking.py): its rows, in its order
        if plan is not None and plan.searched:
            ids = list(plan.ids)
    plan = plan_of(request)
    shown = plan.shown if plan is not None else request.path + (("?" + request.query_string) if request.query_string else "")
    shown = shown.replace(extension + "?", "?", 1) if extension + "?" in shown else shown.removesuffix(extension)
    if view_name == "row" and ids:
        name, title = str(ids[0]), f"quotation {ids[0]}"
    else:
        name, title = selection_name(table or query_name or "query", request.args)
    # a query's result is cut at max_returned_rows (a table's selection is followed page by page instead)
    cut = len(rows) if is_query and data and data.get("truncated") else None
    return Selection(ids, shown, name, whole, title, cut)


# The filters that say what a selection holds, in the order a file name gives them.
# the facets, then every reference to one entry (a speaker, a document, the quotation it is part of)
_NAMED_FILTERS = (*P.QUOTATIONS.facets, *(n for n in P.QUOTATIONS.single_references() if n not in P.QUOTATIONS.facets))
_SLUG = re.compile(r"[^a-z0-9]+")


def _slug(text: str) -> str:
    return _SLUG.sub("-", fold(romanize_if_cyrillic(text) or text)).strip("-")[:40]


def selection_name(source: str, args) -> tuple[str, str]:
    """(a file-name and xml:id-safe name, a title) saying what a selection holds: "ru-quotations",
    "search-kopp-nowak-2025-quotations"; "quotations in Russian, article nowak-2025, matching “Kopp”"."""
    parts, words = [], []
    search = (args.get("_search") or "").strip()
    if search:
        parts.append("search-" + (_slug(search) or "query"))
        words.append(f"matching “{search}”")
    for key in _NAMED_FILTERS:
        value = args.get(key)
        if value:
            parts.append(_slug(value))
            words.append(f"{P.LANG_NAMES.get(value, value)}" if key == "language" else f"{key.replace('_', ' ')} {value}")
    parts.append(_slug(source) or "query")
    title = source.replace("_", " ") + (": " + ", ".join(words) if words else "")
    return "-".join(p for p in parts if p), title


async def _chunks(db, sql: str, ids: list[str]):
    """Rows of `sql` (with `{marks}` for the ids) for the ids, CHUNK at a time, keyed by id."""
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rows = await db.execute(sql.format(marks=",".join("?" * len(chunk))), chunk)
        yield {r["id"]: r for r in rows}


FRAGMENTS_SQL = (
    "select f.id, f.kind, f.xml, q.kind as quotation_kind, q.article as quotation_article, q.page as quotation_page from tei_fragments f"
    " left join quotations q on q.id = f.id where f.id in ({marks})"
)


async def export_plan(db, ids: list[str]) -> tuple[dict[str, set[str]], set[str], dict[str, tuple[Page, str]]]:
    """The first pass: the register entries the quotations need (by table), their languages, each quotation's
    page (article, page) and kind: the body holds a div per page (encode._body)."""
    kinds: dict[str, tuple[Page, str]] = {}
    languages: set[str] = set()
    wanted: set[str] = set()
    async for found in _chunks(db, FRAGMENTS_SQL, ids):
        for qid, r in found.items():
            if r["kind"] != "quotations":
                raise LookupError(f"these ids are not quotations: {qid}")
            kinds[qid] = ((r["quotation_article"], r["quotation_page"]), r["quotation_kind"])
            wanted.update(_POINTER.findall(r["xml"]))
            languages.update(_LANG.findall(r["xml"]))
    missing = [i for i in ids if i not in kinds]
    if missing:
        raise LookupError(f"these ids are not quotations: {', '.join(map(str, missing[:10]))}")
    entries: dict[str, set[str]] = {}
    todo = set(wanted)
    seen: set[str] = set()
    while todo:  # documents point to persons and articles, works and persons to articles
        batch = sorted(todo - seen)
        seen |= set(batch)
        todo = set()
        async for found in _chunks(db, FRAGMENTS_SQL, batch):
            for eid, r in found.items():
                entries.setdefault(r["kind"], set()).add(eid)
                languages.update(_LANG.findall(r["xml"]))
                todo.update(set(_POINTER.findall(r["xml"])) - seen)
    return entries, languages, kinds


async def _in_place(db, ids: list[str]) -> list[str]:
    """The entries to write for these quotations: a quotation nested in another is written in place,
    inside the one that holds it (its cit is valid TEI only there), each entry once."""
    outer: dict[str, str] = {}
    async for found in _chunks(db, "select id, part_of from quotations where id in ({marks}) and part_of is not null", ids):
        outer.update({i: r["part_of"] for i, r in found.items()})
    return list(dict.fromkeys(outer.get(i, i) for i in ids))


async def tei_chunks(db, sel: Selection, plan: tuple, provenance: str, version: tuple[str, str] | None = None) -> AsyncIterator[bytes]:
    """The TEI document of a selection, as chunks of bytes: header, registers, quotations by page. `version`:
    (version, date) of the release it comes from, when not this code's (web/versions.py)."""
    entries, languages, kinds = plan
    sources = []
    async for found in _chunks(db, FRAGMENTS_SQL, sorted(entries.get("articles", ()))):
        sources += [fragment(r["xml"]) for r in found.values()]
    sources.sort(key=lambda el: el.get(P.XML_ID))
    count = f"{len(sel.ids)} quotation{'s' if len(sel.ids) != 1 else ''}"
    scope = ", the whole selection" if sel.whole else ""
    if sel.cut is not None:
        scope = ", the first rows only: the result was cut at the server's limit"
    title = f"quotecorpus: {sel.title} ({count}{scope})"
    lists = {r.name: Slot(r.name) for r in P.STAND_OFF if entries.get(r.name)}
    ordered = in_page_order(sel.ids, kinds.__getitem__)  # by page, the pages in the order the rows show them
    divs = {kinds[qid][0]: page_slot(kinds[qid][0]) for qid in ordered}
    buf = io.BytesIO()
    # an xml:id of its own, not any entry's (a selection's name may be a quotation's id)
    xml_id = f"quotecorpus-selection-{sel.name}{'-all' if sel.whole else ''}"
    skeleton = tei_skeleton(xml_id, title, sources, lists, divs, provenance, languages)
    if version is not None:
        name_release(skeleton, *version)
    doc = Document(skeleton, buf)

    def drain() -> bytes:
        data = buf.getvalue()
        buf.seek(0)
        buf.truncate()
        return data

    yield drain()
    for r in P.STAND_OFF:
        for_register = sorted(entries.get(r.name, ()))
        async for found in _chunks(db, FRAGMENTS_SQL, for_register):
            for eid in sorted(found):
                doc.write(r.name, fragment(found[eid]["xml"]))
            yield drain()
    async for found in _chunks(db, FRAGMENTS_SQL, ordered):
        for qid in ordered:
            if qid in found:
                doc.write(page_slot(kinds[qid][0]).key, fragment(found[qid]["xml"]))
        yield drain()
    doc.close()
    yield drain()


def _download(sel: Selection, extension: str) -> str:
    return f"quotecorpus-{sel.name}{'-all' if sel.whole else ''}{extension}"


async def render_tei(datasette, columns, rows, request, database, table, view_name, data, query_name):
    chosen = await selection(".tei", datasette, columns, rows, request, table, view_name, data, query_name)
    if isinstance(chosen, dict):
        return chosen
    what = "the whole selection" if chosen.whole else "the page"
    provenance = f"Exported from quotecorpus as {what} {chosen.shown}" + (f" (canned query {query_name})" if query_name else "")
    provenance += chosen.cut_note()
    db = datasette.get_database(database)
    chosen = dataclasses.replace(chosen, ids=await _in_place(db, chosen.ids))
    try:
        plan = await export_plan(db, chosen.ids)  # before the response starts: ids that are not quotations are a clear 400
    except LookupError as e:
        return _error(f"The .tei format renders quotations only: {e}.")
    headers = {"content-disposition": f'inline; filename="{_download(chosen, ".tei.xml")}"', **chosen.cut_headers()}
    version = versions.version_of(datasette, database)  # an older release's own, when served as /corpus-<version>/
    return StreamingResponse(tei_chunks(db, chosen, plan, provenance, version), headers, TEI_CONTENT_TYPE)


async def tmx_chunks(db, sel: Selection, provenance: str) -> AsyncIterator[bytes]:
    yield tmx_header(provenance)
    async for found in _chunks(db, UNIT_SQL, sel.ids):
        yield b"".join(tmx_unit(dict(found[i])) for i in sel.ids if i in found)
    yield tmx_footer()


PAIRED_SQL = (
    "select id, (coalesce(original_corrected, original) is not null and coalesce(translation_corrected, translation) is not null)"
    " as paired from quotations where id in ({marks})"
)


async def render_tmx(datasette, columns, rows, request, database, table, view_name, data, query_name):
    chosen = await selection(".tmx", datasette, columns, rows, request, table, view_name, data, query_name)
    if isinstance(chosen, dict):
        return chosen
    db = datasette.get_database(database)
    paired = found = 0
    async for rows_found in _chunks(db, PAIRED_SQL, chosen.ids):
        found += len(rows_found)
        paired += sum(r["paired"] for r in rows_found.values())
    if found < len(set(chosen.ids)):
        known = set()
        async for rows_found in _chunks(db, PAIRED_SQL, chosen.ids):
            known |= set(rows_found)
        missing = [i for i in chosen.ids if i not in known]
        return _error(f"The .tmx format renders quotations only: these ids are not quotations: {', '.join(map(str, missing[:10]))}.")
    what = "the whole selection" if chosen.whole else "the page"
    provenance = (
        f"Exported from quotecorpus as {what} {chosen.shown}: {paired} of {len(chosen.ids)} quotations have both "
        "an original and an English translation and are included."
    )
    provenance += chosen.cut_note()
    if not paired:
        provenance += (
            " None of them has both as printed (the articles give many originals only in English), so this translation "
            "memory holds no units."
        )
    headers = {"content-disposition": f'attachment; filename="{_download(chosen, ".tmx")}"', **chosen.cut_headers()}
    return StreamingResponse(tmx_chunks(db, chosen, provenance), headers, TMX_CONTENT_TYPE)


# what reference managers read: (content type, writer) of the citation model (cite/citation.py)
CITATION_FORMATS = {
    "bib": ("application/x-bibtex; charset=utf-8", bibtex),
    "ris": ("application/x-research-info-systems; charset=utf-8", ris),
    "csl": ("application/vnd.citationstyles.csl+json; charset=utf-8", csl_json),
}


async def citation_items(datasette, db, ids: list[str]) -> list[dict]:
    """The CSL-JSON items of these quotations, in order, each with its public address when there is one."""
    items = []
    version = Version(*versions.version_of(datasette, db.name))  # the version this database holds
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        cited = await versions.cited_paths(datasette, db.name, P.QUOTATIONS.name, chunk)  # in its release when served
        for card in await pages.cards(db, chunk):
            card["opening"] = pages.opening_words(card)
            url = absolute(config.base_url(datasette), datasette.urls.path(cited[card["id"]]))
            items.append(quotation_item(card, url, version))
    return items


def _citations(fmt: str):
    content_type, write = CITATION_FORMATS[fmt]

    async def render(datasette, columns, rows, request, database, table, view_name, data, query_name):
        chosen = await selection(f".{fmt}", datasette, columns, rows, request, table, view_name, data, query_name)
        if isinstance(chosen, dict):
            return chosen
        db = datasette.get_database(database)
        items = await citation_items(datasette, db, chosen.ids)
        missing = [i for i in chosen.ids if i not in {item["id"] for item in items}]
        if missing:
            return _error(f"The .{fmt} format cites quotations only: these ids are not quotations: {', '.join(map(str, missing[:10]))}.")
        headers = {"content-disposition": f'attachment; filename="{_download(chosen, "." + fmt + (".json" if fmt == "csl" else ""))}"'}
        return {"body": write(items), "status_code": 200, "content_type": content_type, "headers": headers}

    return render


def renderers() -> list[dict]:
    """register_output_renderer: .tei and .tmx, and the citations (.bib, .ris, .csl: CSL-JSON)."""
    return [
        {"extension": "tei", "render": render_tei, "can_render": can_render_tei},
        {"extension": "tmx", "render": render_tmx, "can_render": can_render_tmx},
        *({"extension": fmt, "render": _citations(fmt), "can_render": can_render_tei} for fmt in CITATION_FORMATS),
    ]
