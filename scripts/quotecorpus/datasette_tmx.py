"""The `.tmx` output format: a TMX 1.4b translation memory of exactly the quotations shown.

The same column contract as `.tei` (an `id` column of quotation ids); registered by the
plugin in datasette_tei.py. Quotations without both an original and an English translation
are left out, and the header says how many.
"""

from __future__ import annotations

from .datasette_tei import _error, selection
from .tmx_export import CONTENT_TYPE, UNIT_SQL, tmx


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
        "content_type": CONTENT_TYPE,
        "headers": {"content-disposition": f'attachment; filename="quotecorpus-{chosen.name}.tmx"'},
    }
