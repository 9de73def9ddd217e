"""Datasette plugin: the reading room, built from Datasette's own means.

Templates in templates/ override the home page, the quotations table (cards with original,
transliteration and English side by side, ranked when searching) and the quotation, person and
document row pages; this hook gives them their data (pages.py). Datasette finds the templates
and static/ because this plugin is a package registered under the `datasette` entry point.
"""

from __future__ import annotations

from datasette import hookimpl
from datasette.utils import tilde_decode

from . import pages

DISTRIBUTION = "quotecorpus"  # Datasette mounts a plugin's static/ under its distribution's name
ROW_PAGES = {"quotations": pages.quotation, "persons": pages.person, "documents": pages.document}


@hookimpl
def extra_css_urls(datasette):
    return [datasette.urls.static_plugins(DISTRIBUTION, "reading-room.css")]


def public_url(datasette, path: str) -> str:
    """An address as citations give it: from the configured public base URL (serve --base-url), or
    relative when there is none; never from the request's Host."""
    base = (datasette.plugin_config("quotecorpus") or {}).get("base_url") or ""
    return base.rstrip("/") + path if base else path


def _row_id(request) -> str:
    return tilde_decode(request.url_vars.get("pks", ""))


@hookimpl
def extra_template_vars(template, database, table, view_name, request, datasette):
    async def inner():
        if view_name == "index":
            names = [n for n, db in datasette.databases.items() if not db.is_memory and "quotations" in await db.table_names()]
            if not names:
                return {}
            db = datasette.get_database(names[0])
            return {
                "room": await pages.home(db),
                "room_db": names[0],
                "room_queries": await datasette.get_canned_queries(names[0], request.actor),
                "room_base": public_url(datasette, "/"),
                "room_tei_file": pages.tei_path,
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
            return {
                "room_row": found,
                "room_url": public_url(datasette, request.path),
                "room_cite": pages.cite,
                "room_tei_file": pages.tei_path,
            }
        if view_name == "table" and table == "quotations":
            search = request.args.get("_search", "")
            ranked_by_search = bool(search) and not (request.args.get("_sort") or request.args.get("_sort_desc"))

            async def room_cards(rows):
                ids = [r["id"] for r in rows]
                found = await pages.search(db, search, ids, raw=request.args.get("_searchmode") == "raw") if search else {}
                ranked = bool(found) and ranked_by_search
                if ranked:
                    ids.sort(key=lambda i: found.get(i, {}).get("score", 0.0))
                return {"cards": await pages.cards(db, ids), "matches": found, "ranked": ranked}

            return {"room_cards": room_cards, "room_ranked": ranked_by_search}
        return {}

    return inner
