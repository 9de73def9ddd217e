"""The quotecorpus Datasette plugin: every hook it implements, registered here by name.

This module is the plugin's one entry point (`[project.entry-points.datasette]` in pyproject.toml);
each hook hands over to the module of its concern, which knows nothing of pluggy:

* prepare_connection: the limits on every connection (limits.py) and our SQL functions (sql_functions.py);
* asgi_wrapper: `/corpus-1.1/…`, a release's address (versions.py); relevance, printed-first and date order
  of table views (ranking.py);
* filters_from_request: `?_search=` (search.py);
* register_output_renderer: `.tei` and `.tmx` (export.py);
* render_cell: ids linked, JSON lists read out (cells.py);
* extra_template_vars, extra_css_urls, register_routes: the reading room (reading_room/), the DTS
  endpoints (dts.py), the release download;
* startup: what every page reads once per database file, read before the first request (reading_room/).

Datasette finds the templates and static files in templates/ and static/ beside this module.
"""

from __future__ import annotations

from datasette import hookimpl


@hookimpl
def prepare_connection(conn):
    limits.bound(conn)
    sql_functions.register_functions(conn)


@hookimpl
def asgi_wrapper(datasette):
    dotted, ranked = versions.dotted_names(datasette), ranking.ranking_wrapper(datasette)
    return lambda app: dotted(ranked(app))  # /corpus-1.1/… read as Datasette's /corpus-1~2E1/… first


@hookimpl
def filters_from_request(request, database, table, datasette):
    return search.search_filter(request, database, table, datasette)


@hookimpl
def register_output_renderer(datasette):
    return export.renderers()


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    return cells.render_cell(row, value, column, table, database, datasette)


@hookimpl
def extra_template_vars(template, database, table, columns, view_name, request, datasette):
    return reading_room.template_vars(template, database, table, columns, view_name, request, datasette)


@hookimpl
def extra_css_urls(datasette):
    return reading_room.css_urls(datasette)


@hookimpl
def startup(datasette):
    return lambda: reading_room.warm(datasette)


@hookimpl
def register_routes():
    return [*reading_room.routes(), *dts.routes()]


# The modules of each concern come after the hooks: they import Datasette's views, which load the
# entry-point plugins (this package among them) while this module is still being imported; pluggy
# registers what the module holds at that moment, so the hooks must be defined by then.
from quotecorpus.web import cells, dts, export, limits, ranking, reading_room, search, sql_functions, versions  # noqa: E402
