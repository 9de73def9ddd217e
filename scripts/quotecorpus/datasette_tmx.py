"""The `.tmx` output format: a TMX 1.4b translation memory of exactly the quotations shown.

The same column contract as `.tei` (an `id` column of quotation ids); registered by the
plugin in datasette_tei.py. Quotations without both an original and an English translation
are left out, and the header says how many.
"""

from __future__ import annotations

from .datasette_tei import _all_table_ids, _error, _value
from .tmx_export import CONTENT_TYPE, UNIT_SQL, tmx


async def render_tmx(datasette, columns, rows, request, database, table, view_name, data, query_name) -> dict:
    if data and data.get("error"):
        return _error(f"The .tmx format could not render this page: {data['error']}")
    if "id" not in columns:
        return _error(
            "The .tmx format needs an 'id' column holding quotation ids; "
            f"this result has the column(s): {', '.join(columns) or 'none'}."
        )
    ids = await _all_table_ids(datasette, request, ".tmx") if view_name == "table" and data.get("next") else [_value(r["id"]) for r in rows]
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
    shown = request.path[: -len(".tmx")] + (("?" + request.query_string) if request.query_string else "")
    provenance = (
        f"Exported from quotecorpus as the selection {shown}: {paired} of {len(ids)} quotations have both "
        "an original and an English translation and are included."
    )
    name = (table or query_name or "query") + (f"-{ids[0]}" if view_name == "row" and ids else "")
    return {
        "body": tmx(units, provenance),
        "status_code": 200,
        "content_type": CONTENT_TYPE,
        "headers": {"content-disposition": f'attachment; filename="quotecorpus-{name}.tmx"'},
    }
