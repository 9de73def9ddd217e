"""How the corpus is served: one configuration for `quotecorpus serve` and the in-process tests.

The database is served immutable: it is a build artefact, replaced whole by the next build, and
Datasette only offers the SQLite file for download (`/corpus.db`) when it is immutable. The TEI
edition is mounted at `/tei/` so the validated files themselves can be downloaded.
"""

from __future__ import annotations

import json
from pathlib import Path

from .layout import METADATA, TEI_MOUNT, Paths

# Suggested facets would offer internal columns (search_names...) and cost ~20 ms a table page.
SETTINGS = {"max_returned_rows": 2000, "suggest_facets": False}


def datasette_args(paths: Paths, host: str, port: int) -> list[str]:
    """Arguments for `datasette serve`."""
    args = ["serve", "-i", str(paths.db), "--metadata", str(METADATA), "--static", f"{TEI_MOUNT}:{paths.tei}"]
    for name, value in SETTINGS.items():
        args += ["--setting", name, ("on" if value else "off") if isinstance(value, bool) else str(value)]
    return args + ["--host", host, "--port", str(port)]


def make_datasette(paths: Paths):
    """The same Datasette, in process."""
    from datasette.app import Datasette

    return Datasette(
        immutables=[str(paths.db)],
        metadata=json.loads(METADATA.read_text(encoding="utf-8")),
        static_mounts=[(TEI_MOUNT, str(Path(paths.tei)))],
        settings=SETTINGS,
    )
