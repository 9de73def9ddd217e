"""The reading room, built from Datasette's own means.

The templates in web/templates/ override the home page, the table pages (the quotations as cards
with original, transliteration and English side by side, ranked when searching) and the quotation,
person and document row pages; `template_vars` gives them their data (pages.py), the ranked page of
a search included (web/ranking.py). Datasette finds the templates and static/ beside the plugin
module (web/__init__.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from datasette.filters import Filters
from datasette.utils import path_with_replaced_args, tilde_decode
from datasette.utils.asgi import NotFound, asgi_send_file

from quotecorpus import profile as P
from quotecorpus.cite.citation import (
    Version,
    absolute,
    cite,
    corpus_cite,
    corpus_item,
    document_cite,
    document_item,
    json_ld,
    meta_tags,
    quotation_item,
)
from quotecorpus.layout import RELEASE_PATH, bundle_name
from quotecorpus.search.query import Matcher
from quotecorpus.web import config, versions
from quotecorpus.web import dts as datasette_dts
from quotecorpus.web.cells import ids_of
from quotecorpus.web.ranking import plan_of
from quotecorpus.web.reading_room import headings, pages, research, timeline
from quotecorpus.web.search import matched, persons_of, query_of, searchable

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


async def warm(datasette) -> None:
    """Read what the pages read once per database file (the registers' ids the cells link, the persons'
    name forms a search expands names by) as a generation's Datasette starts (serving.App makes it
    before it answers a request: at start-up, before the server accepts one), so that no reader's first
    request pays for them: at 100,000 quotations they made a fresh server's first name search take over
    a second. Read then, not in the background, where they slowed the first requests they ran beside."""
    for db in datasette.databases.values():
        if not db.is_memory and {"quotations", "persons", "tei_fragments"} <= set(await db.table_names()):  # in our contract
            await ids_of(db)
            await persons_of(db)


def css_urls(datasette) -> list[str]:
    return [datasette.urls.static_plugins(DISTRIBUTION, "reading-room.css")]


def public_url(datasette, path: str) -> str | None:
    """An address as citations give it: under the configured public base URL (serve --base-url), or
    None when there is none (a citation then names the corpus, version and id); never from the request's
    Host."""
    return absolute(config.base_url(datasette), path)


def citation_head(item: dict) -> dict:
    """What a page says of itself to a reference manager: `citation_*` meta tags and schema.org JSON-LD."""
    return {"room_meta": meta_tags(item), "room_json_ld": json_ld(item)}


def release_files(datasette) -> dict[str, Path]:
    """The release bundle of this version that this server offers, by file name (the .zip and its
    .sha256), or nothing. serving.make_datasette says where to look (build/release/ beside the
    database) through web/config.py: the plugin's configuration is public (/-/metadata.json) and a
    file path must not be. `quotecorpus release` renames the zip into place last, so a zip found is whole."""
    folder = config.server_of(datasette).release_dir
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


def routes() -> list:
    return [
        # under /-/, Datasette's own prefix: no database, whatever its name, can hide it
        (rf"^{re.escape(RELEASE_PATH)}(?P<name>[^/]+)$", release_download),
        (r"^/timeline$", timeline_page),
        (r"^/-/cite\.(?P<fmt>bib|ris|csl)$", corpus_citation),
    ]


async def corpus_citation(datasette, request):
    """The corpus and its source articles for a reference manager: /-/cite.bib, .ris, .csl (CSL-JSON)."""
    from datasette.utils.asgi import Response

    from quotecorpus.cite.citation import article_item, bibtex, csl_json, ris

    names = [n for n, db in datasette.databases.items() if not db.is_memory and "quotations" in await db.table_names()]
    if not names:
        return Response.text("No corpus is served here.", status=404)
    home = await pages.home(datasette.get_database(names[0]))
    items = [corpus_item(home["articles"], home["language_counts"], public_url(datasette, "/"))]
    items += [article_item(a) for a in home["articles"]]
    fmt = request.url_vars["fmt"]
    write, kind = {
        "bib": (bibtex, "application/x-bibtex"),
        "ris": (ris, "application/x-research-info-systems"),
        "csl": (csl_json, "application/vnd.citationstyles.csl+json"),
    }[fmt]
    name = f"quotecorpus-{items[0]['version']}.{fmt}" + (".json" if fmt == "csl" else "")
    return Response(write(items), content_type=f"{kind}; charset=utf-8", headers={"content-disposition": f'attachment; filename="{name}"'})


async def release_download(datasette, request, send):
    found = release_files(datasette).get(request.url_vars["name"])
    if found is None:
        raise NotFound("This server offers no such release file.")
    kind = "application/zip" if found.suffix == ".zip" else "text/plain; charset=utf-8"
    await asgi_send_file(send, found, filename=found.name, content_type=kind)


def _row_id(request) -> str:
    return tilde_decode(request.url_vars.get("pks", ""))


def template_vars(template, database, table, columns, view_name, request, datasette):
    """extra_template_vars: what the reading room's templates show, for the page being rendered."""

    async def inner():
        instance = {k: datasette.metadata(k) for k in ("license", "license_url", "source", "source_url", "sources")}
        out = {"room_instance": instance} | await search_vars(database, table, columns, view_name, request, datasette) | await page_vars()
        if template == "query.html" and database and "tei_fragments" in await datasette.get_database(database).table_names():
            out["room_research"] = research_page(datasette, database)
        return out

    async def page_vars():
        if view_name == "index":
            names = [n for n, db in datasette.databases.items() if not db.is_memory and "quotations" in await db.table_names()]
            if not names:
                return {}
            db = datasette.get_database(names[0])
            home = await pages.home(db)
            return {
                "room": home,
                "room_dts": datasette_dts.dts_urls(datasette, request),
                "room_db": names[0],
                "room_queries": await datasette.get_canned_queries(names[0], request.actor),
                "room_base": public_url(datasette, "/"),
                "room_tei_file": pages.tei_path,
                "room_corpus_cite": corpus_cite,
                "room_release": release_offer(datasette),
            } | citation_head(corpus_item(home["articles"], home["language_counts"], public_url(datasette, "/")))
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
            # a citation names the version this page shows, and the address of its served release (versions.py)
            version = Version(*versions.version_of(datasette, database))
            cited = (await versions.cited_paths(datasette, database, table, [found["id"]]))[found["id"]]
            url = public_url(datasette, datasette.urls.path(cited) if table in ("quotations", "documents") else request.path)
            if table == "quotations":
                head = citation_head(quotation_item(found, url, version))
            elif table == "documents":
                found["author_name"] = found["author_row"]["name"] if found.get("author_row") else None
                head = citation_head(document_item(found, url, version))
            else:
                head = {}
            return {
                "room_row": found,
                "room_url": url,
                "room_version": version,
                "room_version_notice": await versions.notice(datasette, database, table, found["id"]),
                "room_cite": cite,
                "room_document_cite": document_cite,
                "room_tei_file": pages.tei_path,
            } | head
        if view_name == "table" and table == "quotations":
            plan = plan_of(request)

            async def room_cards(rows):
                ids = plan.ids if plan is not None and plan.searched else [r["id"] for r in rows]
                shown = await pages.cards(db, ids)
                q = await query_of(request.scope, db, table, request.args) if (request.args.get("_search") or "").strip() else None
                matches = pages.mark_matches(shown, Matcher(q, await persons_of(db))) if q and not q.empty and not q.raw else {}
                notices = plan.notices if plan is not None else (q.notices if q else [])
                in_rank_order = plan is not None and plan.by_relevance and bool(plan.ids)
                by_date = plan is not None and plan.by_date
                return {"cards": shown, "matches": matches, "ranked": in_rank_order, "by_date": by_date, "notices": notices}

            ids = await ids_of(db) or {}
            # an entry's name looked up where it is asked for: a dict of every label would cost 226,000
            # entries a request at 100,000 quotations

            def named(key: str) -> str | None:
                entry = ids.get(key)
                return entry.label if entry is not None and entry.table != "quotations" else None

            search_text = request.args.get("_search") or ""
            order = plan.order if plan is not None else None
            return {
                "room_cards": room_cards,
                "room_ranked": plan is not None and plan.by_relevance,
                "room_heading": headings.heading(request.args, named, search_text, order, plan is not None and plan.by_relevance),
                "room_months": headings.month_links(request.args, lambda changes: path_with_replaced_args(request, changes)),
                "room_value_name": lambda column, value, label: value_name(named, column, value, label),
            }
        return {}

    return inner


def value_name(named: Callable[[str], str | None], column: str, value, label) -> str:
    """A facet's value as a reader knows it: a language by its name, an entry by its label, not a code."""
    if column in research.LANGUAGE_COLUMNS and isinstance(value, str):
        return P.LANG_NAMES.get(value, value)
    name = named(value) if isinstance(value, str) else None
    if name:
        return name
    if column == "kind" and isinstance(value, str):
        return headings.KIND_WORDS.get(value, value)
    text = "" if label is None else str(label)
    return text or "(none)"


def research_page(datasette, database: str):
    """For query.html: a research question's answer as the reading room shows it (research.py), or
    None for SQL that is not one of the questions in the metadata."""

    async def answer(canned_query, columns, rows, display_rows, params):
        found = await datasette.get_canned_query(database, canned_query, None) if canned_query else None
        room = (found or {}).get("room")
        if room is None:
            return None
        return await research.answer(
            datasette.get_database(database), room, columns or [], rows or [], display_rows or [], dict(params or {})
        )

    return answer


# Datasette's "View and edit SQL" link of a search carries its whole match list as the :qc_matches
# parameter: at 100,000 quotations a name's link was 887 KB, which no server takes as an address
# (uvicorn's h11 refuses a request head over 16 KB), and writing it took a tenth of the page's time.
# Longer than this, the link is left out.
SQL_LINK_LIMIT = 8_000


async def search_vars(database, table, columns, view_name, request, datasette) -> dict:
    """The search box on every searchable table; on a page in an order of ours (web/ranking.py) its
    rows, next page and description."""
    if view_name != "table" or request is None or not database or not await searchable(datasette, database, table):
        return {}
    out = {"supports_search": True, "search": request.args.get("_search") or ""}
    plan = plan_of(request)
    if plan is None or not plan.searched and plan.order is None:
        return out
    out |= {"room_search": plan, "next_url": plan.next_url}
    if plan.order is not None or not plan.query.empty:
        # Datasette's description of the same address (its filters, the search), and our order in words
        filters = Filters(sorted((k, v) for k in request.args.keys() for v in request.args.getlist(k) if not k.startswith("_")))
        extra = [f"search matches “{plan.text.strip()}”"] if plan.text.strip() and not plan.query.empty else []
        out["human_description_en"] = filters.human_description_en(extra=extra) + plan.words()
    if not plan.query.empty and len(await matched(datasette.get_database(database), table, plan.query)) > SQL_LINK_LIMIT:
        out["query"] = {"sql": "", "params": {}}  # no "View and edit SQL" (Datasette's template shows it for a query)
    plain_table = table != "quotations" or request.args.get("_view") == "table" or "id" not in columns
    if columns and plain_table:  # Datasette's own cells, for the plan's rows in the plan's order (the plain table)
        out["display_rows"] = await _display_rows(datasette, database, table, columns, plan.ids)
    return out


async def _display_rows(datasette, database: str, table: str, columns: list[str], ids: list[str]) -> list:
    # imported here: Datasette's views load the plugins, this one among them, when first imported
    from datasette.views.table import display_columns_and_rows

    db = datasette.get_database(database)
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    results = await db.execute(f"select {', '.join(f'[{c}]' for c in columns)} from [{table}] where id in ({marks})", ids)
    at = {i: n for n, i in enumerate(ids)}
    rows = sorted(results.rows, key=lambda r: at.get(r["id"], len(at)))
    sortable = set(await db.table_columns(table))
    _, shown = await display_columns_and_rows(
        datasette,
        database,
        table,
        results.description,
        rows,
        link_column=True,
        truncate_cells=datasette.setting("truncate_cells_html"),
        sortable_columns=sortable,
    )
    return shown
