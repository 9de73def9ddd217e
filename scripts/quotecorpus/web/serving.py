"""How the corpus is served: one configuration for `quotecorpus serve`, the tests and the benchmarks.

Everything a public server needs to be bounded is set here, in one place:

* SETTINGS: Datasette's own (rows per page, the SQL time limit, SQL threads);
* LIMITS: the length of any string or blob a query makes, the size of any query result, how many
  arbitrary-SQL requests run at once (the others wait in a short queue, so that they cannot take
  every SQL thread from the reading room), and which SQL functions are refused;
* HEADERS: security headers on every response;
* the public base URL: citations and links are made from it (absent: relative links), and the
  request's Host header is never trusted (it is replaced by the base URL's host, or the bound one).

The database is served immutable (a build's generation is never written again, which also lets
Datasette offer the SQLite file at `/corpus.db`), with the generation's TEI at `/tei/` (and the release
bundle of this version, when `quotecorpus release` has put one in build/release/, at `/-/release/`), and
every release bundle found in build/release/ served too, immutable, as `corpus-<version>` (web/versions.py). `serve`
follows the current generation (publish.py): each request is answered whole by the Datasette of
the generation current when it arrived, and a build that publishes switches the next requests to
the new one.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from quotecorpus.db import inspect as db_inspect
from quotecorpus.db.metadata import database_sources, metadata
from quotecorpus.layout import TEI_MOUNT, Paths, release_dir
from quotecorpus.pipeline import publish
from quotecorpus.web import config, versions

# Suggested facets would offer internal columns (search_names...) and cost ~20 ms a table page.
SETTINGS = {"max_returned_rows": 2000, "suggest_facets": False, "sql_time_limit_ms": 1000, "num_sql_threads": 3}


@dataclass(frozen=True)
class Limits:
    value_bytes: int = 1_000_000  # SQLITE_LIMIT_LENGTH: the longest string or blob a query may make
    result_bytes: int = 50_000_000  # the most text and blobs one query may return, all rows together
    sql_at_once: int = 1  # arbitrary-SQL requests (?sql=) answered at once: the other SQL threads stay for the pages
    sql_waiting: int = 16  # ... and waiting; one more is told to come back (503)
    # SQL functions that expose or change the engine's internals
    refused_functions: frozenset[str] = frozenset(
        {"fts3_tokenizer", "load_extension", "readfile", "writefile", "edit", "sqlite_compileoption_get"}
    )


LIMITS = Limits()

HEADERS = {
    "content-security-policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; "
        "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
    ),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}
BUILD_HEADER = "x-quotecorpus-build"  # the generation a response comes from
BASE_URL_ENV = "QUOTECORPUS_BASE_URL"


def database_name(paths: Paths) -> str:
    """The name Datasette serves a database file under: its file name without the extension."""
    return Path(paths.db).stem


def make_datasette(paths: Paths, base_url: str | None = None):
    """The Datasette of a database: of its current generation when a build made it, else of the file."""
    from datasette.app import Datasette
    from datasette.database import Database

    found = publish.current(paths) if publish.is_built(paths) else None
    db, tei = (publish.generation(paths, found).db, found / "tei") if found else (paths.db, paths.tei)
    meta = metadata(database_name(paths), database_sources(db))  # its sources: the articles and languages it holds
    meta["plugins"] = {config.PLUGIN: {"base_url": base_url or os.environ.get(BASE_URL_ENV) or ""}}
    inspected = db_inspect.read(db) if found else None  # its tables counted by the build, not at start-up
    releases = versions.released(release_dir(paths))  # every released version, served as corpus-<version> too
    for r in releases:
        meta["databases"] |= metadata(r.name, database_sources(r.db))["databases"]
    ds = Datasette(
        immutables=[str(db)],
        metadata=meta,
        static_mounts=[(TEI_MOUNT, str(tei))],
        settings=SETTINGS,
        inspect_data={database_name(paths): inspected} if inspected else None,
    )
    for r in releases:  # after the current one: the home page, DTS and /-/cite.* take the first corpus served
        ds.add_database(Database(ds, path=str(r.db), is_mutable=False), name=r.name)
    # where the home page finds a bundle to offer; which databases are releases, and which is current
    config.attach(ds, config.Server(release_dir=release_dir(paths), releases=tuple(releases), current=database_name(paths)))
    return ds


_SQL_ARG = re.compile(rb"(?:^|&)sql=")


class App:
    """The public ASGI application: the current generation's Datasette, bounded and switched whole."""

    def __init__(self, paths: Paths, bound: str, base_url: str | None = None):
        self.paths = paths
        self.base_url = base_url or os.environ.get(BASE_URL_ENV) or ""
        public = urlsplit(self.base_url) if self.base_url else None
        self.host = (public.netloc if public else bound).encode()
        self.scheme = public.scheme if public else "http"
        self.current: tuple[str | None, object] = (None, None)
        self.switching = asyncio.Lock()
        self.sql = asyncio.Semaphore(LIMITS.sql_at_once)
        self.sql_waiting = 0

    async def _app(self):
        """The Datasette of the current generation, made when a build has published a new one."""
        found = publish.current(self.paths) if publish.is_built(self.paths) else None
        name = found.name if found else "-"
        if self.current[0] != name:
            async with self.switching:
                if self.current[0] != name:
                    ds = make_datasette(self.paths, self.base_url)
                    await ds.invoke_startup()
                    self.current = (name, ds.app())
        return self.current

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":  # startup: make the current Datasette now
                await self._app()
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":
            return
        # never the request's Host: the public base URL's, or the address the server is bound to
        headers = [(k, v) for k, v in scope["headers"] if k != b"host"] + [(b"host", self.host)]
        scope = {**scope, "headers": headers, "scheme": self.scheme}
        name, app = await self._app()
        if scope["path"].startswith("/-/databases"):
            send = _without_paths(send)
        send = _with_headers(send, {**HEADERS, BUILD_HEADER: name})
        if not _SQL_ARG.search(scope.get("query_string", b"")):
            await app(scope, receive, send)
            return
        if self.sql_waiting >= LIMITS.sql_waiting:
            await _busy(send)
            return
        self.sql_waiting += 1
        try:
            await self.sql.acquire()
        finally:
            self.sql_waiting -= 1
        try:
            await app(scope, receive, send)
        finally:
            self.sql.release()


def _with_headers(send, extra: dict[str, str]):
    async def wrapped(message):
        if message["type"] == "http.response.start":
            names = {k.lower() for k, _ in message.get("headers", [])}
            message = {
                **message,
                "headers": list(message.get("headers", []))
                + [(k.encode(), v.encode()) for k, v in extra.items() if k.encode() not in names],
            }
        await send(message)

    return wrapped


def _without_paths(send):
    """/-/databases.json without the database's absolute file path (the file name stays)."""
    start: dict = {}
    body = bytearray()

    async def wrapped(message):
        if message["type"] == "http.response.start":
            start.update(message)
            return
        body.extend(message.get("body", b""))
        if message.get("more_body"):
            return
        data = bytes(body)
        try:
            found = json.loads(data)
            for db in found if isinstance(found, list) else []:
                if isinstance(db, dict) and db.get("path"):
                    db["path"] = Path(db["path"]).name
            data = json.dumps(found).encode()
        except ValueError:
            data = re.sub(rb"(/[^\s<\"']+/)([^/\s<\"']+\.db)", rb"\2", data)
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        await send({**start, "headers": headers + [(b"content-length", str(len(data)).encode())]})
        await send({"type": "http.response.body", "body": data})

    return wrapped


async def _busy(send) -> None:
    body = b"Too many SQL queries are waiting: try again in a few seconds.\n"
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"retry-after", b"5")] + [
        (k.encode(), v.encode()) for k, v in HEADERS.items()
    ]
    await send({"type": "http.response.start", "status": 503, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def serve(paths: Paths, host: str, port: int, base_url: str | None = None) -> None:
    """Serve with uvicorn until interrupted."""
    import uvicorn

    uvicorn.run(App(paths, f"{host}:{port}", base_url), host=host, port=port, log_level="info", lifespan="on")
