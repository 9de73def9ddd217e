"""Distributed Text Services (DTS 1.0): the corpus's collections, citation trees and documents as the
specification (../shared/specs/dts-v1.0.md) describes them, read from the database Datasette serves.

Collections: the root holds two collections, the articles (one Resource per article file) and the
corpus (the teiCorpus as one Resource). Each Resource has two citation trees, as its TEI declares them
(profile.CITE_TREES): by quotation (default; a nested quotation is "<outer>/<nested>") and by page
("<page>", "<page>/<id>"). Navigation is computed in SQL over the quotations table, whose rowid order is
the TEI's document order (the loader writes entries as it reads them), and paginated (PAGE_SIZE units).

Everything raises DTSError (status, message) for a request the specification answers with 400 or
404; the routes (datasette_dts.py) turn it into a JSON response.
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass, field

from quotecorpus import profile as P
from quotecorpus.cite.citation import article_reference, corpus_cite
from quotecorpus.db.cursor import plain_cursor

CONTEXT = "https://dtsapi.org/context/v1.0.json"
VERSION = "1.0"
PAGE_SIZE = 500  # citable units per Navigation page (and per Collection page)
MAX_DOCUMENT_UNITS = 1000  # quotations one Document response may hold; longer ranges: page through Navigation
ROOT, ARTICLES, CORPUS = "quotecorpus-dts", "articles", "corpus"
CORPUS_RESOURCE = P.CORPUS_TEI  # the teiCorpus, by its xml:id
TREES = {"quotation": "quotation", "page": "page"}  # name -> unit of level 1
DEFAULT_TREE = P.CITE_TREES[0][0]
DOWN_ALL = -1
_END = 1 << 62  # a key past every unit of a subtree


class DTSError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Urls:
    """The absolute URLs of the endpoints (from the public base URL, or the address the server is bound to)."""

    base: str  # ends without "/": https://quotecorpus.example.org/dts

    @property
    def entry(self) -> str:
        return self.base + "/"

    def collection(self, **q) -> str:
        return self._with(self.base + "/collection/", q)

    def navigation(self, **q) -> str:
        return self._with(self.base + "/navigation/", q)

    def document(self, **q) -> str:
        return self._with(self.base + "/document/", q)

    @staticmethod
    def _with(path: str, q: dict) -> str:
        from urllib.parse import urlencode

        found = [(k, v) for k, v in q.items() if v is not None]
        return path + ("?" + urlencode(found) if found else "")


# --- entry and collections ------------------------------------------------------------------------


def entry(urls: Urls) -> dict:
    return {
        "@context": CONTEXT,
        "dtsVersion": VERSION,
        "@id": urls.entry,
        "@type": "EntryPoint",
        "collection": urls.base + "/collection/{?id,page,nav}",
        "navigation": urls.base + "/navigation/{?resource,ref,start,end,down,tree,page}",
        "document": urls.base + "/document/{?resource,ref,start,end,tree,mediaType}",
    }


def citation_trees() -> list[dict]:
    """The Resource's citation trees, from profile.CITE_TREES: the default first, without identifier."""

    def structure(c: P.Cite) -> dict:
        out: dict = {"@type": "CiteStructure", "citeType": c.unit}
        if c.children:
            out["citeStructure"] = [structure(x) for x in c.children]
        return out

    trees = []
    for i, (name, cite) in enumerate(P.CITE_TREES):
        tree: dict = {"@type": "CitationTree", "citeStructure": [structure(cite)]}
        if i:
            tree["identifier"] = name
        trees.append(tree)
    return trees


def _resource_templates(urls: Urls, rid: str) -> dict:
    return {
        "collection": urls.collection(id=rid) + "{&nav}",
        "navigation": urls.navigation(resource=rid) + "{&ref,start,end,down,tree,page}",
        "document": urls.document(resource=rid) + "{&ref,start,end,tree,mediaType}",
    }


@dataclass
class Catalogue:
    """What the collections hold: the articles (rows of the articles table) and the corpus."""

    articles: list[dict]
    languages: dict[str, list[str]]  # resource id -> languages of its quotations
    counts: dict[str, int]  # resource id -> quotations
    tei_file: dict[str, str]  # resource id -> URL of its TEI file
    language_counts: dict[str, int] = field(default_factory=dict)  # language -> quotations of the corpus
    citation_url: str | None = None  # the corpus's public address, when one is configured

    def resource(self, rid: str) -> dict | None:
        if rid == CORPUS_RESOURCE:
            return {"id": rid}
        return next((a for a in self.articles if a["id"] == rid), None)


def _article_title(a: dict) -> str:
    return a["title"] or f"{a['author']}, article in {a['journal']} ({a['year']})"


def resource_object(urls: Urls, cat: Catalogue, rid: str, with_parents: bool = False) -> dict:
    """A Resource: an article's TEI file, or the teiCorpus."""
    if rid == CORPUS_RESOURCE:
        title = "quotecorpus: the whole corpus (teiCorpus)"
        dc = {
            "title": title,
            "creator": "quotecorpus contributors",
            "language": cat.languages.get(rid, []),
            "license": P.LICENCE_URL,
            "source": [f"https://doi.org/{a['doi']}" for a in cat.articles],
            # the corpus as the citation model cites it (its languages as the catalogue has them: each once)
            "bibliographicCitation": corpus_cite(cat.articles, cat.citation_url, cat.language_counts),
        }
        description = (
            f"The quotations of {P.every_article(len(cat.articles))} with the shared registers of persons, documents and works, "
            "as one TEI document."
        )
        parent = CORPUS
    else:
        a = cat.resource(rid)
        title = f"{P.short_article(a)}: {_article_title(a)}"
        dc = {
            "title": _article_title(a),
            "creator": a["author"],
            "date": str(a["year"]),
            "language": cat.languages.get(rid, []),
            "identifier": f"https://doi.org/{a['doi']}",
            "license": P.LICENCE_URL,
            "publisher": "quotecorpus",
            "bibliographicCitation": article_reference(a),
        }
        description = f"The {cat.counts.get(rid, 0)} quotations, terms and abstract fragments of {P.short_article(a)}, as TEI."
        parent = ARTICLES
    out = {
        "@id": rid,
        "@type": "Resource",
        "title": title,
        "description": description,
        "totalParents": 1,
        "totalChildren": 0,
        "dublinCore": {k: v for k, v in dc.items() if v not in (None, [], "")},
        **_resource_templates(urls, rid),
        "download": cat.tei_file[rid],
        "mediaTypes": ["application/tei+xml"],
        "citationTrees": citation_trees(),
    }
    if with_parents:
        out["member"] = [collection_object(urls, cat, parent)]
    return out


def collection_object(urls: Urls, cat: Catalogue, cid: str) -> dict:
    """A Collection (without members)."""
    if cid == ROOT:
        return {
            "@id": ROOT,
            "@type": "Collection",
            "title": "quotecorpus",
            # the catalogue has the languages, not their counts: named in code order, English (the translations) left out
            "description": f"{P.languages_named({lang: 1 for lang in cat.languages.get(CORPUS_RESOURCE, []) if lang != 'en'})} "
            "quotations from "
            f"{P.counted(len(cat.articles), 'article')} on Soviet policy toward Germany, 1920–1921.",
            "totalParents": 0,
            "totalChildren": 2,
            "collection": urls.collection(id=ROOT) + "{&nav}",
        }
    if cid == ARTICLES:
        title, description, children = "The articles", "One TEI document per article.", len(cat.articles)
    elif cid == CORPUS:
        title, description, children = "The corpus", f"{P.every_article(len(cat.articles)).capitalize()} in one TEI corpus.", 1
    else:
        raise DTSError(404, f"no collection or resource '{cid}': start from the root collection")
    return {
        "@id": cid,
        "@type": "Collection",
        "title": title,
        "description": description,
        "totalParents": 1,
        "totalChildren": children,
        "collection": urls.collection(id=cid) + "{&nav}",
    }


def collection(urls: Urls, cat: Catalogue, cid: str | None, nav: str | None, page: str | None) -> dict:
    """The Collection endpoint: a collection (or resource) and its children, or its parents (nav=parents)."""
    cid = cid or ROOT
    if nav not in (None, "", "children", "parents"):
        raise DTSError(400, f"nav is 'children' or 'parents', not '{nav}'")
    if page not in (None, "", "1"):
        number = _integer(page, "page")
        raise DTSError(404, f"page {number} does not exist: this collection has one page")
    if cat.resource(cid) is not None:
        out = resource_object(urls, cat, cid, with_parents=nav == "parents")
        if nav == "parents":
            out["totalParents"] = 1
        return {"@context": CONTEXT, "dtsVersion": VERSION, **out}
    out = collection_object(urls, cat, cid)
    if nav == "parents":
        out["member"] = [] if cid == ROOT else [collection_object(urls, cat, ROOT)]
    elif cid == ROOT:
        out["member"] = [collection_object(urls, cat, ARTICLES), collection_object(urls, cat, CORPUS)]
    elif cid == ARTICLES:
        out["member"] = [resource_object(urls, cat, a["id"]) for a in cat.articles]
    else:
        out["member"] = [resource_object(urls, cat, CORPUS_RESOURCE)]
    return {"@context": CONTEXT, "dtsVersion": VERSION, **out}


MAX_DIGITS = 9  # a page, a level: no number of ours has more (and int() of 4,300 digits is an error)


def _integer(value: str, name: str, minimum: int = 1) -> int:
    # ASCII digits only: int() also reads ' 1', '١' and '１', which are not the numbers a URL template gives
    digits = value[1:] if minimum < 0 and value.startswith("-") else value
    if not (digits.isascii() and digits.isdigit()) or len(digits) > MAX_DIGITS:
        shown = value if len(value) <= 40 else value[:40] + "…"
        raise DTSError(400, f"{name} must be a whole number of at most {MAX_DIGITS} ASCII digits, not '{shown}'")
    number = int(value)
    if number < minimum:
        raise DTSError(400, f"{name} must be {minimum} or more, not {number}")
    return number


# --- navigation -----------------------------------------------------------------------------------
# Every citable unit of a tree as one row: (k1, k2) its place in document order, its level, identifier,
# parent, citeType and, for a quotation, the quotation's id. A level-1 unit's k2 is -1, its children
# share its k1: the subtree of a level-1 unit is k1 = its k1.

_COLUMNS = "q.kind as kind, q.language as language, q.date as date, p.name as speaker"
_FROM = "quotations q left join persons p on p.id = q.speaker"


def _of_resource(resource: str) -> tuple[str, list]:
    """The condition on `quotations q` of a resource's quotations (an article's, or all of them)."""
    return ("q.article = ?", [resource]) if resource != CORPUS_RESOURCE else ("1", [])


def units_sql(tree: str, resource: str, identifier: str | None = None, deepest: int = 2, page: str | None = None) -> tuple[str, list]:
    """The CTE `units` of a tree of a resource (its SQL, its parameters); with `identifier`, only the
    unit that can have it, found through the quotations' keys (at 100,000 quotations every unit of a
    resource is a scan of 64,000 rows: a lookup is not); with `page`, the units of that page only.
    (`+q.part_of`: not through the part_of index, which holds every top-level quotation of every article.)"""
    where, params = _of_resource(resource)
    outer, inner = identifier.split("/", 1) if identifier and "/" in identifier else (identifier, None)
    if tree == "page" and page is not None and identifier is None:
        outer = page
    if tree == "quotation":
        one, one_params, two, two_params = "", [], "", []
        if identifier is not None and inner is None:
            one, one_params, two = " and q.id = ?", [outer], " and 0"
        elif identifier is not None:
            one, two, two_params = " and 0", " and q.part_of = ? and q.id = ?", [outer, inner]
        if deepest == 1 and identifier is None:  # the quotations only: one select, read in the article's index order
            return (
                "with units as (select q.rowid as k1, -1 as k2, 1 as level, q.id as identifier, null as parent,"
                f" 'quotation' as citeType, q.id as qid, {_COLUMNS} from {_FROM} where {where} and +q.part_of is null)"
            ), params
        sql = (
            "with units as ("
            " select q.rowid as k1, -1 as k2, 1 as level, q.id as identifier, null as parent, 'quotation' as citeType, q.id as qid,"
            f" {_COLUMNS} from {_FROM} where {where} and +q.part_of is null{one}"
            " union all select o.rowid, q.rowid, 2, q.part_of || '/' || q.id, q.part_of, 'nested_quotation', q.id,"
            f" {_COLUMNS} from {_FROM} join quotations o on o.id = q.part_of where {where} and q.part_of is not null{two})"
        )
        return sql, [*params, *one_params, *params, *two_params]
    one, one_params, two, two_params = "", [], "", []
    if identifier is not None and inner is None:
        one, one_params, two = " where cast(g.page as text) = ?", [outer], " and 0"
    elif identifier is not None:
        one, two, two_params = " where 0", " and q.id = ?", [inner]
    on_page, page_params = "", []
    if outer is not None and outer.isdigit():  # the units of one page (or the page of a page/quotation unit)
        # '1²' and '١' are digits to isdigit() but no number to int(); 2**63 is none to SQLite
        if not outer.isascii() or len(outer) > MAX_DIGITS:
            shown = outer if len(outer) <= 40 else outer[:40] + "…"
            raise DTSError(400, f"a page is a whole number of at most {MAX_DIGITS} ASCII digits, not '{shown}'")
        on_page, page_params = " and page = ?", [int(outer)]
    sql = (
        f"with pages as (select page, min(rowid) as first from quotations q where {where} and +part_of is null{on_page} group by page),"
        " units as ("
        " select g.first as k1, -1 as k2, 1 as level, cast(g.page as text) as identifier, null as parent, 'page' as citeType,"
        f" null as qid, null as kind, null as language, null as date, null as speaker from pages g{one}"
        " union all select g.first, q.rowid, 2, q.page || '/' || q.id, cast(q.page as text), 'quotation', q.id,"
        f" {_COLUMNS} from {_FROM} join pages g on g.page = q.page"
        f" where {where} and +q.part_of is null{on_page.replace('page', 'q.page')}{two})"
    )
    return sql, [*params, *page_params, *one_params, *params, *page_params, *two_params]


def citable_unit(row: dict) -> dict:
    out = {
        "identifier": row["identifier"],
        "@type": "CitableUnit",
        "level": row["level"],
        "parent": row["parent"],
        "citeType": row["citeType"],
    }
    if row["qid"]:
        dc = {"type": row["kind"], "creator": row["speaker"], "date": row["date"], "language": row["language"]}
        out["dublinCore"] = {k: v for k, v in dc.items() if v}
    return out


@dataclass
class NavQuery:
    """What a Navigation request asks, checked against the specification's table of `down`."""

    resource: str
    tree: str
    ref: str | None
    start: str | None
    end: str | None
    down: int | None
    page: int


def _resource_and_units(args: dict, cat: Catalogue) -> tuple[str, str | None, str | None, str | None]:
    """The resource and the ref, start and end of a Navigation or Document request, as the
    specification allows them together."""
    resource = args.get("resource")
    if not resource:
        raise DTSError(400, "resource is required")
    if cat.resource(resource) is None:
        raise DTSError(404, f"no resource '{resource}'")
    ref, start, end = (args.get(k) or None for k in ("ref", "start", "end"))
    if ref and (start or end):
        raise DTSError(400, "ref cannot be combined with start or end")
    if bool(start) != bool(end):
        raise DTSError(400, "start and end go together")
    return resource, ref, start, end


async def _unit(db, tree: str, resource: str, identifier: str) -> dict:
    found, params = units_sql(tree, resource, identifier)
    rows = await _rows(db, f"{found} select * from units where identifier = ?", [*params, identifier])
    if not rows:
        raise DTSError(404, f"no citable unit '{identifier}' in the {tree} tree of {resource}")
    return rows[0]


async def _range(db, tree: str, resource: str, start: str, end: str) -> tuple[dict, dict]:
    first, last = await _unit(db, tree, resource, start), await _unit(db, tree, resource, end)
    if (first["k1"], first["k2"]) > (last["k1"], last["k2"]):
        raise DTSError(400, f"start '{start}' comes after end '{end}' in the document")
    return first, last


def read_navigation(args: dict, cat: Catalogue) -> NavQuery:
    resource, ref, start, end = _resource_and_units(args, cat)
    tree = args.get("tree") or DEFAULT_TREE
    if tree not in TREES:
        raise DTSError(404, f"no citation tree '{tree}' (trees: {', '.join(TREES)}; the default is {DEFAULT_TREE})")
    down = None
    if args.get("down") not in (None, ""):
        down = _integer(args["down"], "down", minimum=-1)
    if down is None and not ref and not start:
        raise DTSError(400, "give ref, start and end, or down")
    if down == 0 and not ref:
        raise DTSError(400, "down=0 asks for the siblings of ref: give ref")
    page = _integer(args["page"], "page") if args.get("page") not in (None, "") else 1
    return NavQuery(resource, tree, ref, start, end, down, page)


async def navigation(db, urls: Urls, cat: Catalogue, args: dict) -> dict:
    q = read_navigation(args, cat)
    scope: dict = {}  # what units_sql may narrow the units to
    out: dict = {
        "@context": CONTEXT,
        "dtsVersion": VERSION,
        "@type": "Navigation",
        "@id": urls.navigation(**{k: args.get(k) for k in ("resource", "ref", "start", "end", "down", "tree", "page") if args.get(k)}),
        "resource": resource_object(urls, cat, q.resource),
    }
    where, wparams = None, []
    if q.ref:
        ref = await _unit(db, q.tree, q.resource, q.ref)
        out["ref"] = citable_unit(ref)
        if q.down is None:
            return out
        if q.down == 0:  # the siblings of ref, ref included
            where = "level = ? and " + ("parent is null" if ref["parent"] is None else "parent = ?")
            wparams = [ref["level"]] + ([] if ref["parent"] is None else [ref["parent"]])
        else:
            deepest = 2 if q.down == DOWN_ALL else ref["level"] + q.down
            if q.tree == "page":  # every unit below a page unit is on that page
                scope["page"] = q.ref.split("/", 1)[0]
            if ref["level"] == 1:
                where, wparams = "k1 = ? and level <= ?", [ref["k1"], deepest]
            else:
                where, wparams = "k1 = ? and k2 = ?", [ref["k1"], ref["k2"]]
    elif q.start:
        first, last = await _range(db, q.tree, q.resource, q.start, q.end)
        out["start"], out["end"] = citable_unit(first), citable_unit(last)
        if q.down is None:
            return out
        top = min(first["level"], last["level"])
        deepest = 2 if q.down == DOWN_ALL else max(first["level"], last["level"]) + q.down
        last_k2 = last["k2"] if last["level"] == 2 else _END
        where = "(k1, k2) >= (?, ?) and (k1, k2) <= (?, ?) and level between ? and ?"
        wparams = [first["k1"], first["k2"], last["k1"], last_k2, top, deepest]
    else:
        deepest = 2 if q.down == DOWN_ALL else q.down
        where, wparams = "level <= ?", [deepest]
        scope["deepest"] = deepest
    cte, params = units_sql(q.tree, q.resource, **scope)
    whole_tree = not q.ref and not q.start and q.tree == "quotation"
    if whole_tree:  # the whole tree or its first level: counted without building it
        whole, whole_params = _of_resource(q.resource)
        nested = "" if deepest >= 2 else " and q.part_of is null"
        total = (await _rows(db, f"select count(*) as n from quotations q where {whole}{nested}", whole_params))[0]["n"]
    else:
        total = (await _rows(db, f"{cte} select count(*) as n from units where {where}", [*params, *wparams]))[0]["n"]
    pages = max(1, -(-total // PAGE_SIZE))
    if q.page > pages:
        raise DTSError(404, f"page {q.page} does not exist: {pages} page(s) of {PAGE_SIZE} units")
    if whole_tree and deepest >= 2:
        rows = await _whole_tree_page(db, cte, params, q.resource, (q.page - 1) * PAGE_SIZE)
    else:
        rows = await _rows(
            db,
            f"{cte} select * from units where {where} order by k1, k2 limit ? offset ?",
            [*params, *wparams, PAGE_SIZE, (q.page - 1) * PAGE_SIZE],
        )
    out["member"] = [citable_unit(r) for r in rows]
    if pages > 1:
        base = {k: args.get(k) for k in ("resource", "ref", "start", "end", "down", "tree") if args.get(k)}
        out["view"] = {
            "@id": urls.navigation(**base, page=str(q.page)),
            "@type": "Pagination",
            "first": urls.navigation(**base, page="1"),
            "previous": urls.navigation(**base, page=str(q.page - 1)) if q.page > 1 else None,
            "next": urls.navigation(**base, page=str(q.page + 1)) if q.page < pages else None,
            "last": urls.navigation(**base, page=str(pages)),
        }
    return out


async def _whole_tree_page(db, cte: str, params: list, resource: str, offset: int) -> list[dict]:
    """A page of a resource's whole quotation tree without sorting all its units (67,000 at 100,000
    quotations): the quotations a page spans are found from their keys in document order and the
    number of quotations nested in each, and only their units are read and ordered."""
    whole, whole_params = _of_resource(resource)
    # no quotation past offset + PAGE_SIZE can be on the page: each is at least one unit
    top_sql = f"select q.rowid from quotations q where {whole} and q.part_of is null order by q.rowid limit ?"  # (article, part_of)
    # through the part_of index (the few nested quotations), not the article's (all of them)
    inner = f"select o.rowid from quotations q join quotations o on o.id = q.part_of where +{whole} and q.part_of is not null"

    def keys_of(conn) -> tuple[list[int], list[int]]:
        cursor = plain_cursor(conn)
        tops = [r[0] for r in cursor.execute(top_sql, [*whole_params, offset + PAGE_SIZE])]
        return tops, [r[0] for r in cursor.execute(inner, whole_params)]

    tops, outers = await db.execute_fn(keys_of)
    nested: dict[int, int] = {}
    for outer in outers:
        nested[outer] = nested.get(outer, 0) + 1
    keys = [top for top in tops for _ in range(1 + nested.get(top, 0))]  # the k1 of every unit, in document order
    window = keys[offset : offset + PAGE_SIZE]
    if not window:
        return []
    before = offset - bisect.bisect_left(keys, window[0])  # units of the first quotation that the previous page holds
    rows = await _rows(db, f"{cte} select * from units where k1 between ? and ? order by k1, k2", [*params, window[0], window[-1]])
    return rows[before : before + PAGE_SIZE]


async def _rows(db, sql: str, params: list) -> list[dict]:
    return [dict(r) for r in await db.execute(sql, params)]


# --- documents ------------------------------------------------------------------------------------


@dataclass
class DocQuery:
    resource: str
    tree: str
    ref: str | None
    start: str | None
    end: str | None


def read_document(args: dict, cat: Catalogue) -> DocQuery:
    resource, ref, start, end = _resource_and_units(args, cat)
    tree = args.get("tree") or DEFAULT_TREE
    if (ref or start) and tree not in TREES:
        raise DTSError(404, f"no citation tree '{tree}' (trees: {', '.join(TREES)})")
    media = args.get("mediaType")
    if media not in (None, "", "application/tei+xml"):
        raise DTSError(404, f"mediaType '{media}' is not available: this resource is served as application/tei+xml")
    return DocQuery(resource, tree, ref, start, end)


async def document_ids(db, q: DocQuery) -> list[str]:
    """The top-level quotations a Document request of a unit or range holds, in document order (a nested
    quotation is given with the quotation it stands in)."""
    cte, params = units_sql(q.tree, q.resource)

    if q.ref:
        unit = await _unit(db, q.tree, q.resource, q.ref)
        where, wparams = ("k1 = ?", [unit["k1"]]) if unit["level"] == 1 else ("k1 = ? and k2 = ?", [unit["k1"], unit["k2"]])
    else:
        first, last = await _range(db, q.tree, q.resource, q.start, q.end)
        where = "(k1, k2) >= (?, ?) and (k1, k2) <= (?, ?)"
        wparams = [first["k1"], first["k2"], last["k1"], last["k2"] if last["level"] == 2 else _END]
    rows = await _rows(
        db,
        f"{cte}, chosen as (select qid from units where {where} and qid is not null)"
        " select distinct coalesce(q.part_of, q.id) as id, min(q.rowid) as at from chosen c join quotations q on q.id = c.qid"
        f" group by coalesce(q.part_of, q.id) order by at limit {MAX_DOCUMENT_UNITS + 1}",
        [*params, *wparams],
    )
    if len(rows) > MAX_DOCUMENT_UNITS:
        raise DTSError(400, f"this range holds more than {MAX_DOCUMENT_UNITS} quotations: ask for a shorter one (see Navigation's pages)")
    return [r["id"] for r in rows]


def dumps(obj: dict) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=1)
