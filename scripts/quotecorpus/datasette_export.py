"""Datasette plugin: the `.tei` and `.tmx` output formats of quotations.

Their whole API is a column contract, like datasette-atom: any table view, filtered view, row or
query whose result has an `id` column of quotation ids renders as one valid, self-contained TEI
document holding exactly those quotations and every person, document, work and article they
point to (`.tei`), or as a TMX 1.4b translation memory of those of them that have both an
original and an English translation (`.tmx`). Anything else gets a 400 that says what is needed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl
from lxml import etree

from .tei_encode import assemble, serialize
from .tei_read import fragment
from .tmx_export import CONTENT_TYPE as TMX_CONTENT_TYPE
from .tmx_export import UNIT_SQL, tmx

REQUIRED_COLUMNS = ("id",)
TEI_CONTENT_TYPE = "application/tei+xml; charset=utf-8"
_POINTER = re.compile(r'(?:ref|target|source)="#([^"]+)"')


def can_render_tei(columns: list[str]) -> bool:
    return all(c in columns for c in REQUIRED_COLUMNS)


def _error(message: str, status: int = 400) -> dict:
    # A dict, not a Response: Datasette overrides a Response's status with the view's own.
    return {"body": message + "\n", "status_code": status, "content_type": "text/plain; charset=utf-8"}


def _value(v):
    return v["value"] if isinstance(v, dict) and "value" in v else v  # `_labels=on` expands to dicts


async def _all_table_ids(datasette, request, extension: str) -> list[str]:
    """A table view gives the renderer one page of rows; follow the pages to export the whole selection."""
    path = request.path[: -len(extension)] + ".json"
    args = [(k, v) for k, v in parse_qsl(request.query_string, keep_blank_values=True) if k not in ("_next", "_shape", "_size")]
    args += [("_shape", "objects"), ("_size", "max"), ("_col", "id")]
    ids, nxt = [], None
    while True:
        query = args + ([("_next", nxt)] if nxt else [])
        resp = await datasette.client.get(path + "?" + urlencode(query))
        body = resp.json()
        ids += [_value(r["id"]) for r in body["rows"]]
        nxt = body.get("next")
        if not nxt:
            return ids


async def _fragments(db, ids: list[str]) -> dict[str, tuple[str, str]]:
    found = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        rows = await db.execute(f"select id, kind, xml from tei_fragments where id in ({marks})", chunk)
        found.update({r["id"]: (r["kind"], r["xml"]) for r in rows})
    return found


async def build_tei(datasette, database: str, ids: list[str], provenance: str) -> bytes:
    """The TEI document for these quotation ids (in this order), with every register entry they need."""
    db = datasette.get_database(database)
    quotations = await _fragments(db, ids)
    missing = [i for i in ids if quotations.get(i, ("",))[0] != "quotations"]
    if missing:
        raise LookupError(f"these ids are not quotations: {', '.join(map(str, missing[:10]))}")
    entries: dict[str, tuple[str, str]] = {}
    todo = {m for _, xml in quotations.values() for m in _POINTER.findall(xml)}
    while todo:  # documents point to persons and articles, works to articles
        found = await _fragments(db, sorted(todo - set(entries)))
        entries.update(found)
        todo = {m for _, xml in found.values() for m in _POINTER.findall(xml)} - set(entries)

    def parsed(kind: str) -> list[etree._Element]:
        return [fragment(xml) for k, xml in entries.values() if k == kind]

    cits = [fragment(quotations[i][1]) for i in ids]
    title = f"quotecorpus: {len(ids)} quotation{'s' if len(ids) != 1 else ''} selected"
    root = assemble(
        "quotecorpus-selection",
        title,
        parsed("articles"),
        parsed("persons"),
        parsed("documents"),
        parsed("works"),
        cits,
        provenance=provenance,
    )
    # Not re-validated per request (that would triple the response time): the fragments were
    # validated at build time, `assemble` is the same code the build validates, and the tests
    # validate every kind of export against the full tei_all.rng and our Schematron.
    return serialize(root)


@dataclass(frozen=True)
class Selection:
    """What a `.tei` or `.tmx` request asks to export: the quotation ids shown, in order."""

    ids: list[str]
    shown: str  # the page's path and query, for the export's provenance
    name: str  # for the download's file name


async def selection(extension, datasette, columns, rows, request, table, view_name, data, query_name) -> Selection | dict:
    """The ids of the rows shown (every page of a table view), or a 400 dict saying what is missing."""
    fmt = f"The {extension} format"
    if data and data.get("error"):
        return _error(f"{fmt} could not render this page: {data['error']}")
    if not can_render_tei(columns):
        return _error(
            f"{fmt} needs an 'id' column holding quotation ids (for example: "
            "select id from quotations where language = 'ru'); "
            f"this result has the column(s): {', '.join(columns) or 'none'}."
        )
    if view_name == "table" and data.get("next"):
        ids = await _all_table_ids(datasette, request, extension)
    else:
        ids = [_value(r["id"]) for r in rows]
    shown = request.path[: -len(extension)] + (("?" + request.query_string) if request.query_string else "")
    name = (table or query_name or "query") + (f"-{ids[0]}" if view_name == "row" and ids else "")
    return Selection(ids, shown, name)


async def render_tei(datasette, columns, rows, request, database, table, view_name, data, query_name) -> dict:
    chosen = await selection(".tei", datasette, columns, rows, request, table, view_name, data, query_name)
    if isinstance(chosen, dict):
        return chosen
    provenance = f"Exported from quotecorpus as the selection {chosen.shown}" + (f" (canned query {query_name})" if query_name else "")
    try:
        body = await build_tei(datasette, database, chosen.ids, provenance)
    except LookupError as e:
        return _error(f"The .tei format renders quotations only: {e}.")
    return {
        "body": body,
        "status_code": 200,
        "content_type": TEI_CONTENT_TYPE,
        "headers": {"content-disposition": f'inline; filename="quotecorpus-{chosen.name}.tei.xml"'},
    }


async def render_tmx(datasette, columns, rows, request, database, table, view_name, data, query_name) -> dict:
    chosen = await selection(".tmx", datasette, columns, rows, request, table, view_name, data, query_name)
    if isinstance(chosen, dict):
        return chosen
    ids = chosen.ids
    db = datasette.get_database(database)
    found: dict[str, dict] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        result = await db.execute(UNIT_SQL.format(marks=",".join("?" * len(chunk))), chunk)
        found.update({r["id"]: dict(r) for r in result})
    missing = [i for i in ids if i not in found]
    if missing:
        return _error(f"The .tmx format renders quotations only: these ids are not quotations: {', '.join(map(str, missing[:10]))}.")
    units = [found[i] for i in ids]
    paired = sum(1 for u in units if (u["original_corrected"] or u["original"]) and u["translation"])
    provenance = (
        f"Exported from quotecorpus as the selection {chosen.shown}: {paired} of {len(ids)} quotations have both "
        "an original and an English translation and are included."
    )
    return {
        "body": tmx(units, provenance),
        "status_code": 200,
        "content_type": TMX_CONTENT_TYPE,
        "headers": {"content-disposition": f'attachment; filename="quotecorpus-{chosen.name}.tmx"'},
    }


@hookimpl
def register_output_renderer(datasette):
    return [
        {"extension": "tei", "render": render_tei, "can_render": can_render_tei},
        {"extension": "tmx", "render": render_tmx, "can_render": can_render_tei},
    ]
