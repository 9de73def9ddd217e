"""The DTS 1.0 endpoints (dts/service.py) under /dts/, as Datasette routes.

JSON-LD for the entry, collection and navigation endpoints; TEI for the document endpoint: a whole
resource is its published file, a unit or a range is a self-contained TEI document (the header with its
refsDecl, the registers the quotations point to) whose body holds them in a dts:wrapper, as the
specification asks. URLs are absolute: from the configured public base URL, else from the address the
server answers on (serving.App never trusts a request's Host). A request the specification refuses
is a 400 or 404 with a JSON message, never a 500.
"""

from __future__ import annotations

from pathlib import Path

from datasette.database import QueryInterrupted
from datasette.utils.asgi import Response
from lxml import etree

from quotecorpus import profile as P
from quotecorpus.dts import service as dts
from quotecorpus.layout import TEI_MOUNT
from quotecorpus.web import config
from quotecorpus.web.export import Selection, export_plan, tei_chunks

JSON_LD = "application/ld+json; charset=utf-8"
TEI = "application/tei+xml; charset=utf-8"
WRAPPER_NS = "https://w3id.org/api/dts#"
_CATALOGUES: dict[tuple, dts.Catalogue] = {}


def routes() -> list:
    return [
        (r"^/dts/?$", entry),
        (r"^/dts/collection/?$", collection),
        (r"^/dts/navigation/?$", navigation),
        (r"^/dts/document/?$", document),
    ]


def dts_urls(datasette, request) -> dts.Urls:
    base = config.base_url(datasette)
    return dts.Urls(base + "/dts" if base else datasette.absolute_url(request, "/dts"))


def _json(obj: dict, status: int = 200) -> Response:
    return Response(dts.dumps(obj), status=status, content_type=JSON_LD)


BUSY = dts.DTSError(503, "the database took too long to answer (a cold cache?): try again in a moment")


def _error(e: dts.DTSError | QueryInterrupted) -> Response:
    if isinstance(e, QueryInterrupted):
        e = BUSY  # the SQL time limit: a 503 that says so, never a 500
    return _json({"@context": dts.CONTEXT, "dtsVersion": dts.VERSION, "error": {"status": e.status, "message": e.message}}, e.status)


async def _room(datasette):
    for name, db in datasette.databases.items():
        if not db.is_memory and {"quotations", "tei_fragments"} <= set(await db.table_names()):
            return name, db
    raise dts.DTSError(404, "no corpus is served here")


async def _catalogue(datasette, request, db) -> dts.Catalogue:
    path = Path(db.path) if db.path else None
    key = (str(path), path.stat().st_mtime_ns if path and path.exists() else 0, datasette.absolute_url(request, "/"))
    if key not in _CATALOGUES:
        articles = [dict(r) for r in await db.execute("select * from articles order by year, id")]
        languages: dict[str, list[str]] = {}
        counts: dict[str, int] = {}
        by_language: dict[str, int] = {}
        # once per database, outside the SQL time limit: on a cold cache at 100,000 quotations it takes over 1 s
        for article, language, n in await db.execute_fn(
            lambda conn: conn.execute(
                "select article, language, count(*) from quotations where part_of is null group by article, language"
            ).fetchall()
        ):
            languages.setdefault(article, []).append(language)
            counts[article] = counts.get(article, 0) + n
            by_language[language] = by_language.get(language, 0) + n
        corpus = dts.CORPUS_RESOURCE
        languages[corpus] = sorted({lang for found in languages.values() for lang in found} | {"en"})
        for a in articles:
            languages[a["id"]] = sorted(set(languages.get(a["id"], [])) | {"en"})
        files = {a["id"]: P.tei_file_name(a["id"]) for a in articles} | {corpus: P.tei_file_name("corpus")}
        tei_file = {rid: datasette.absolute_url(request, f"/{TEI_MOUNT}/{name}") for rid, name in files.items()}
        _CATALOGUES.clear()
        base = config.base_url(datasette)
        _CATALOGUES[key] = dts.Catalogue(articles, languages, counts, tei_file, by_language, base + "/" if base else None)
    return _CATALOGUES[key]


def _args(request) -> dict:
    return {k: request.args.get(k) for k in request.args.keys()}


async def entry(datasette, request):
    return _json(dts.entry(dts_urls(datasette, request)))


async def collection(datasette, request):
    try:
        _, db = await _room(datasette)
        cat = await _catalogue(datasette, request, db)
        a = _args(request)
        return _json(dts.collection(dts_urls(datasette, request), cat, a.get("id"), a.get("nav"), a.get("page")))
    except (dts.DTSError, QueryInterrupted) as e:
        return _error(e)


async def navigation(datasette, request):
    try:
        _, db = await _room(datasette)
        cat = await _catalogue(datasette, request, db)
        return _json(await dts.navigation(db, dts_urls(datasette, request), cat, _args(request)))
    except (dts.DTSError, QueryInterrupted) as e:
        return _error(e)


def _tei_dir(datasette) -> Path | None:
    for mount, directory in datasette.static_mounts:
        if mount == TEI_MOUNT:
            return Path(directory)
    return None


async def document(datasette, request):
    try:
        _, db = await _room(datasette)
        cat = await _catalogue(datasette, request, db)
        q = dts.read_document(_args(request), cat)
        urls = dts_urls(datasette, request)
        headers = {"Link": f'<{urls.collection(id=q.resource)}>; rel="collection"'}
        if not q.ref and not q.start:
            found = _tei_dir(datasette)
            name = P.tei_file_name("corpus" if q.resource == dts.CORPUS_RESOURCE else q.resource)
            if found is None or not (found / name).is_file():
                raise dts.DTSError(404, f"the TEI of '{q.resource}' is not published here")
            return Response((found / name).read_bytes(), content_type=TEI, headers=headers)
        ids = await dts.document_ids(db, q)
        return Response(await _wrapped(db, q, ids, request), content_type=TEI, headers=headers)
    except (dts.DTSError, QueryInterrupted) as e:
        return _error(e)


async def _wrapped(db, q: dts.DocQuery, ids: list[str], request) -> bytes:
    """The quotations asked for as one self-contained TEI document, their entries in a dts:wrapper."""
    what = f"ref={q.ref}" if q.ref else f"start={q.start}, end={q.end}"
    title = f"{q.resource}, {what}" + (f" (tree {q.tree})" if q.tree != dts.DEFAULT_TREE else "")
    name = "dts-" + "".join(c if c.isalnum() or c == "-" else "-" for c in f"{q.resource}-{q.ref or q.start + '-' + q.end}")
    sel = Selection(ids, request.path + "?" + request.query_string, name, False, title)
    provenance = f"Served by the quotecorpus DTS document endpoint: {request.path}?{request.query_string}"
    data = b"".join([chunk async for chunk in tei_chunks(db, sel, await export_plan(db, ids), provenance)])
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    body = root.find(f"{P.T}text/{P.T}body")
    wrapper = etree.Element(f"{{{WRAPPER_NS}}}wrapper", nsmap={"dts": WRAPPER_NS})
    for child in list(body):
        wrapper.append(child)
    body.append(wrapper)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def dts_document_url(datasette, request, qid: str, part_of: str | None, article: str) -> str:
    """The DTS document URL of one quotation (for its page)."""
    ref = f"{part_of}/{qid}" if part_of else qid
    return dts_urls(datasette, request).document(resource=article, ref=ref)
