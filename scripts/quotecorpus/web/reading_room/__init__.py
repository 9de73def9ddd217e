"""Datasette plugin: the reading room, built from Datasette's own means.

Templates in templates/ override the home page, the quotations table (cards with original,
transliteration and English side by side, ranked when searching) and the quotation, person and
document row pages; this hook gives them their data (pages.py). Datasette finds the templates
and static/ because this plugin is a package registered under the `datasette` entry point.

It also brings the hook of datasette_cells (readable cells on every table and query page): a plugin
module is registered with every hook implementation in its namespace, and this one is already an
entry point.
"""

from __future__ import annotations

import re
from pathlib import Path

from datasette import hookimpl
from datasette.utils import tilde_decode
from datasette.utils.asgi import NotFound, asgi_send_file

from quotecorpus.cite.citation import cite, corpus_cite
from quotecorpus.layout import RELEASE_PATH, bundle_name
from quotecorpus.search.query import Matcher
from quotecorpus.web import dts as datasette_dts
from quotecorpus.web.cells import render_cell  # noqa: F401 (a hook of this plugin, see above)
from quotecorpus.web.reading_room import pages, timeline
from quotecorpus.web.search import SCOPE_KEY, persons_of, read_query

DISTRIBUTION = "quotecorpus"  # Datasette mounts a plugin's static/ under its distribution's name
ROW_PAGES = {"quotations": pages.quotation, "persons": pages.person, "documents": pages.document}


async def timeline_page(datasette, request):
    from datasette.utils.asgi import Response

    names = [n for n, db in datasette.databases.items() if not db.is_memory and "quotations" in await db.table_names()]
    if not names:
        return Response.html("No corpus is served here.", status=404)
    db = datasette.get_database(names[0])
    html = await datasette.render_template("timeline.html", {"tl": await timeline.timeline(db), "db": names[0]}, request=request)
    return Response.html(html)


@hookimpl
def extra_css_urls(datasette):
    return [datasette.urls.static_plugins(DISTRIBUTION, "reading-room.css")]


def public_url(datasette, path: str) -> str:
    """An address as citations give it: from the configured public base URL (serve --base-url), or
    relative when there is none; never from the request's Host."""
    base = (datasette.plugin_config("quotecorpus") or {}).get("base_url") or ""
    return base.rstrip("/") + path if base else path


def release_files(datasette) -> dict[str, Path]:
    """The release bundle of this version that this server offers, by file name (the .zip and its
    .sha256), or nothing. serving.make_datasette says where to look (build/release/ beside the
    database) in an attribute: the plugin's configuration is public (/-/metadata.json) and a file
    path must not be. `quotecorpus release` renames the zip into place last, so a zip found is whole."""
    folder = getattr(datasette, "_quotecorpus_release", None)
    if folder is None:
        return {}
    zipped = Path(folder) / f"{bundle_name()}.zip"
    digest = zipped.with_name(zipped.name + ".sha256")
    return {zipped.name: zipped, digest.name: digest} if zipped.is_file() and digest.is_file() else {}


def release_offer(datasette) -> dict | None:
    """What the home page says of the release bundle: its address, size and SHA-256 (None: not offered)."""
    files = release_files(datasette)
    name = f"{bundle_name()}.zip"
    if not files:
        return None
    return {
        "name": name,
        "path": RELEASE_PATH + name,
        "checksum_path": RELEASE_PATH + name + ".sha256",
        "megabytes": files[name].stat().st_size / 1e6,
        "sha256": files[name + ".sha256"].read_text(encoding="utf-8").split()[0],
    }


@hookimpl
def register_routes():
    return [
        # under /-/, Datasette's own prefix: no database, whatever its name, can hide it
        (rf"^{re.escape(RELEASE_PATH)}(?P<name>[^/]+)$", release_download),
        (r"^/timeline$", timeline_page),
        *datasette_dts.routes(),
    ]


async def release_download(datasette, request, send):
    found = release_files(datasette).get(request.url_vars["name"])
    if found is None:
        raise NotFound("This server offers no such release file.")
    kind = "application/zip" if found.suffix == ".zip" else "text/plain; charset=utf-8"
    await asgi_send_file(send, found, filename=found.name, content_type=kind)


def _row_id(request) -> str:
    return tilde_decode(request.url_vars.get("pks", ""))


@hookimpl
def extra_template_vars(template, database, table, view_name, request, datasette):
    async def inner():
        instance = {k: datasette.metadata(k) for k in ("license", "license_url", "source", "source_url")}
        return {"room_instance": instance} | await page_vars()

    async def page_vars():
        if view_name == "index":
            names = [n for n, db in datasette.databases.items() if not db.is_memory and "quotations" in await db.table_names()]
            if not names:
                return {}
            db = datasette.get_database(names[0])
            return {
                "room": await pages.home(db),
                "room_dts": datasette_dts.dts_urls(datasette, request),
                "room_db": names[0],
                "room_queries": await datasette.get_canned_queries(names[0], request.actor),
                "room_base": public_url(datasette, "/"),
                "room_tei_file": pages.tei_path,
                "room_corpus_cite": corpus_cite,
                "room_release": release_offer(datasette),
            }
        if not database or table not in ROW_PAGES and table != "quotations":
            return {}
        db = datasette.get_database(database)
        if "tei_fragments" not in await db.table_names():
            return {}
        if view_name == "row":
            found = await ROW_PAGES[table](db, _row_id(request))
            if not found:
                return {}
            if table == "quotations":
                found["dts_url"] = datasette_dts.dts_document_url(datasette, request, found["id"], found.get("part_of"), found["article"])
            return {
                "room_row": found,
                "room_url": public_url(datasette, request.path),
                "room_cite": cite,
                "room_tei_file": pages.tei_path,
            }
        if view_name == "table" and table == "quotations":
            ranked = request.scope.get(SCOPE_KEY)  # a search in relevance order (datasette_search)
            search = request.args.get("_search", "")

            async def room_cards(rows):
                ids = ranked.ids if ranked is not None and ranked.searched else [r["id"] for r in rows]
                shown = await pages.cards(db, ids)
                q = await read_query(db, table, request.args) if search.strip() else None
                matches = pages.mark_matches(shown, Matcher(q, await persons_of(db))) if q and not q.empty and not q.raw else {}
                notices = ranked.notices if ranked is not None else (q.notices if q else [])
                in_rank_order = ranked is not None and ranked.searched and bool(ranked.ids) and ranked.order is None
                by_date = ranked is not None and ranked.by_date
                return {"cards": shown, "matches": matches, "ranked": in_rank_order, "by_date": by_date, "notices": notices}

            relevance = ranked is not None and ranked.searched and ranked.order is None
            return {"room_cards": room_cards, "room_ranked": relevance}
        return {}

    return inner
