"""The language audit: quotations whose curated language the detector disputes.

Shared by `quotecorpus audit-languages` and the `language_audit` canned query (same SQL), so
the command line and Datasette always show the same list.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

DISAGREEMENTS_SQL = (
    "select id, language, detected_language, detected_probability, detected_script, detection_note, "
    "coalesce(original_corrected, original) as original from quotations "
    "where detected_language is not null and detected_language != language order by id"
)


def disagreements(db: Path) -> list[dict]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(DISAGREEMENTS_SQL)]
    finally:
        conn.close()
