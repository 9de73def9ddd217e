"""How the corpus is served: one configuration for `quotecorpus serve` and the in-process tests.

The database is served immutable: it is a build artefact, replaced whole by the next build, and
Datasette only offers the SQLite file for download (`/corpus.db`) when it is immutable. The TEI
edition is mounted at `/tei/` so the validated files themselves can be downloaded. The metadata is
generated for the name the database is served under (metadata.py), so any database in our
contract gets the whole reading room.
"""

from __future__ import annotations

from pathlib import Path

from .layout import TEI_MOUNT, Paths
from .metadata import metadata

# Suggested facets would offer internal columns (search_names...) and cost ~20 ms a table page.
SETTINGS = {"max_returned_rows": 2000, "suggest_facets": False}


def database_name(paths: Paths) -> str:
    """The name Datasette serves a database file under: its file name without the extension."""
    return Path(paths.db).stem


def make_datasette(paths: Paths):
    """The Datasette that `serve` runs, in process."""
    from datasette.app import Datasette

    return Datasette(
        immutables=[str(paths.db)],
        metadata=metadata(database_name(paths)),
        static_mounts=[(TEI_MOUNT, str(Path(paths.tei)))],
        settings=SETTINGS,
    )


def serve(paths: Paths, host: str, port: int) -> None:
    """Serve with uvicorn as `datasette serve` does (startup hooks first), until interrupted."""
    import asyncio

    import uvicorn

    ds = make_datasette(paths)
    asyncio.run(ds.invoke_startup())
    uvicorn.run(ds.app(), host=host, port=port, log_level="info", lifespan="on")
