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
import errno
import json
import logging
import os
import re
import socket
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from quotecorpus.db import inspect as db_inspect
from quotecorpus.db.metadata import database_sources, metadata
from quotecorpus.errors import PortBusyError, QuotecorpusError
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
log = logging.getLogger(__name__)

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


# Methods the public server answers; the others (POST, TRACE, PROPFIND, CONNECT...) are a 405 here, before
# Datasette, whose own answer to some of them is a 500. Nothing on the public server is written.
METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Datasette's debug pages: the Python installation's paths (/-/threads), the permission machinery; off in public
HIDDEN = re.compile(r"^/-/(threads|messages|permissions|allow-debug|patterns|actor|auth-token|create-token|logout)(\.json)?/?$")
# Datasette's 500s that are the request's fault, not the server's: answered as a 400 saying so
CLIENT_FAULTS = (b"Cannot sort table by", b"string or blob too big", b"too many terms", b"parser stack overflow")


def gated(query_string: bytes, canned: frozenset[str] = frozenset(), path: str = "") -> bool:
    """Whether a request runs SQL its client wrote: `sql` however it is encoded (`%73ql=` is `sql=` to
    Datasette, so the decision is made on the decoded keys), `_where`, a raw FTS5 search, a canned query
    with parameters (`canned`)."""
    args = parse_qsl(query_string.decode("utf-8", "replace"), keep_blank_values=True)
    if any(k == "sql" or k == "_where" or (k == "_searchmode" and v == "raw") for k, v in args):
        return True
    parts = path.strip("/").split("/")
    return len(parts) == 2 and parts[1].split(".", 1)[0] in canned


@dataclass
class Generation:
    """One publication's Datasette and the requests it is answering: let go when it is no longer current and
    the last of them has finished (its SQLite connections closed, its SQL threads ended)."""

    name: str | None
    ds: object = None
    app: object = None
    canned: frozenset[str] = frozenset()
    requests: int = 0
    retired: bool = False
    closed: bool = field(default=False, repr=False)

    def release(self) -> None:
        self.requests -= 1
        if self.retired and self.requests == 0:
            self.close()

    def close(self) -> None:
        if self.closed or self.ds is None:
            return
        self.closed = True
        from datasette.database import WriteTask

        for db in self.ds.databases.values():
            db.close()
            if getattr(db, "_write_thread", None) is not None and db._write_thread.is_alive():
                # Datasette's write thread loops forever; only an exception its loop does not catch ends it
                db._write_queue.put(WriteTask(_end_thread, None, None))
        if self.ds.executor is not None:
            self.ds.executor.shutdown(wait=False, cancel_futures=True)


def _watched(receive):
    """(receive, an event set when the client disconnects). Only GET, HEAD and OPTIONS reach here, whose body
    Datasette never reads: the request's messages are read here, and handed on if asked for."""
    gone = asyncio.Event()
    first: list = []

    async def watch():
        ended = False
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                gone.set()
                return
            if ended:
                return  # a server that does not wait for the disconnect after the body: nothing to watch
            first.append(message)
            ended = not message.get("more_body")

    watcher = asyncio.ensure_future(watch())

    async def wrapped():
        if first:
            return first.pop(0)
        await gone.wait()
        return {"type": "http.disconnect"}

    gone.watcher = watcher  # kept: a task nobody references may be collected before it ends
    return wrapped, gone


def _canned_with_parameters(ds) -> frozenset[str]:
    """The canned queries a client gives values to: those are gated like ?sql= (what the values select is
    the client's); one without parameters is a page of ours like any other."""
    found = set()
    for db in (ds.metadata("databases") or {}).values():
        for name, q in (db.get("queries") or {}).items():
            sql = q if isinstance(q, str) else q.get("sql", "")
            if (isinstance(q, dict) and q.get("params")) or re.search(r"(?<!:):[A-Za-z_]\w*", sql):
                found.add(name)
    return frozenset(found)


def _end_thread(conn) -> None:
    raise SystemExit  # a thread that ends by SystemExit ends silently


class App:
    """The public ASGI application: the current generation's Datasette, bounded and switched whole."""

    def __init__(self, paths: Paths, bound: str, base_url: str | None = None):
        self.paths = paths
        self.base_url = base_url or os.environ.get(BASE_URL_ENV) or ""
        public = urlsplit(self.base_url) if self.base_url else None
        self.host = (public.netloc if public else bound).encode()
        self.scheme = public.scheme if public else "http"
        self.generation = Generation(None)
        self.switching = asyncio.Lock()
        self.sql = asyncio.Semaphore(LIMITS.sql_at_once)
        self.sql_waiting = 0
        self.hidden = machine_paths(paths)

    @property
    def current(self) -> tuple[str | None, object]:
        return self.generation.name, self.generation.app

    async def _app(self) -> Generation:
        """The current generation, its Datasette made when a build has published a new one; the one it
        replaces is closed once its last request has finished."""
        found = publish.current(self.paths) if publish.is_built(self.paths) else None
        name = found.name if found else "-"
        if self.generation.name != name:
            async with self.switching:
                if self.generation.name != name:
                    ds = make_datasette(self.paths, self.base_url)
                    await ds.invoke_startup()
                    canned = _canned_with_parameters(ds)
                    old, self.generation = self.generation, Generation(name, ds, ds.app(), canned)
                    old.retired = True
                    if old.requests == 0:
                        old.close()
        return self.generation

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
        gen = await self._app()
        gen.requests += 1
        try:
            await self._answer(gen, scope, receive, send)
        finally:
            gen.release()

    async def _turn(self, gone: asyncio.Event) -> bool:
        """Wait for an SQL turn (True), or until the client disconnects (False: no turn taken)."""
        if not self.sql.locked():
            await self.sql.acquire()  # free: taken at once, never counted as waiting
            return True
        self.sql_waiting += 1
        turn, went = asyncio.ensure_future(self.sql.acquire()), asyncio.ensure_future(gone.wait())
        try:
            await asyncio.wait([turn, went], return_when=asyncio.FIRST_COMPLETED)
        finally:
            self.sql_waiting -= 1
            went.cancel()
            if not turn.done():
                turn.cancel()
        return turn.done() and not turn.cancelled()

    async def _answer(self, gen: Generation, scope, receive, send):
        started: list[bool] = []
        send = _with_headers(send, {**HEADERS, BUILD_HEADER: gen.name or "-"}, started)
        path = scope["path"]
        if scope["method"] not in METHODS:
            await _plain(send, 405, "This server only answers GET, HEAD and OPTIONS.\n", [(b"allow", b"GET, HEAD, OPTIONS")])
            return
        # `/\\evil.example` and `//evil.example` are another host to a browser: never a path we redirect to
        if path.startswith(("//", "/\\")) or HIDDEN.match(path):
            await _plain(send, 404, "Not found.\n")
            return
        is_gated = gated(scope.get("query_string", b""), gen.canned, path)
        if path.startswith("/-/databases"):
            send = _without_paths(send)
        send = _client_faults(send, self.hidden)
        try:
            if not is_gated:
                await gen.app(scope, receive, send)
                return
            if self.sql_waiting >= LIMITS.sql_waiting:
                await _busy(send)
                return
            receive, gone = _watched(receive)
            try:
                if not await self._turn(gone):
                    return  # the client went while waiting: its query is never run (a running one stops at the time limit)
                try:
                    await gen.app(scope, receive, send)
                finally:
                    self.sql.release()
            finally:
                gone.watcher.cancel()
        except Exception:
            # our own failure, answered with the headers every response has (the server's default 500 has none)
            log.exception("%s %s", scope["method"], path)
            if not started:
                await _plain(send, 500, "Something went wrong on the server; it has been logged.\n")


def _with_headers(send, extra: dict[str, str], started: list | None = None):
    async def wrapped(message):
        if message["type"] == "http.response.start":
            if started is not None:
                started.append(True)
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


def machine_paths(paths: Paths) -> list[bytes]:
    """Directories of this machine an error message could name: the installation's, the working one's, the
    corpus's and its builds'; longest first, so that a directory inside another goes whole."""
    found = {sys.prefix, sys.base_prefix, os.getcwd(), os.path.expanduser("~"), *(p for p in sys.path if p.startswith("/"))}
    for d in (Path(paths.db).parent, Path(paths.corpus), Path(paths.tei)):
        found |= {str(d), str(d.resolve())}
    return sorted((p.encode() + b"/" for p in found if len(p) > 1), key=len, reverse=True)


def _client_faults(send, hidden: list[bytes]):
    """Error responses read whole: Datasette's 500s that are the request's fault become 400s, and no
    absolute path of the machine is shown (a path keeps its file name)."""
    start: dict = {}
    body = bytearray()

    async def wrapped(message):
        if message["type"] == "http.response.start" and message["status"] < 400:
            start.clear()
            await send(message)
            return
        if message["type"] == "http.response.start":
            start.update(message)
            return
        if not start:
            await send(message)
            return
        body.extend(message.get("body", b""))
        if message.get("more_body"):
            return
        data = bytes(body)
        for found in hidden:
            data = data.replace(found, b"")
        status = start["status"]
        if status == 500 and any(m in data for m in CLIENT_FAULTS):
            status = 400
            data = data.replace(b'"status": 500', b'"status": 400').replace(b"Error 500", b"Error 400")
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        await send({**start, "status": status, "headers": headers + [(b"content-length", str(len(data)).encode())]})
        await send({"type": "http.response.body", "body": data})

    return wrapped


async def _plain(send, status: int, text: str, headers: list | None = None) -> None:
    """A short text answer of our own (send adds the security headers)."""
    body = text.encode()
    found = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()), *(headers or [])]
    await send({"type": "http.response.start", "status": status, "headers": found})
    await send({"type": "http.response.body", "body": body})


async def _busy(send) -> None:
    body = b"Too many SQL queries are waiting: try again in a few seconds.\n"
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"retry-after", b"5")] + [
        (k.encode(), v.encode()) for k, v in HEADERS.items()
    ]
    await send({"type": "http.response.start", "status": 503, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to host:port and listening, for serve(): taken before the build and before the
    address is announced, so that a busy port is said at once (PortBusyError) and no other program can
    take the port between the announcement and the server."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    # as uvicorn does: the port of a server that just stopped (its connections in TIME_WAIT) is free;
    # a port another socket listens on is still refused
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)  # uvicorn's backlog: requests made while the build runs wait for the server
    except OSError as e:
        sock.close()
        if e.errno == errno.EADDRINUSE:
            raise PortBusyError(host, port) from None
        raise QuotecorpusError(f"cannot listen on port {port} of {host}: {e.strerror or e}") from None
    return sock


def address(host: str, sock: socket.socket) -> str:
    """The reading room's address (its home page) on the socket listen() gave."""
    port = sock.getsockname()[1]  # the port given, or the one the system chose for port 0
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def serve(paths: Paths, sock: socket.socket, base_url: str | None = None) -> None:
    """Serve on a socket of listen() with uvicorn until interrupted."""
    import uvicorn
    from uvicorn.config import STARTUP_FAILURE

    host, port = sock.getsockname()[:2]
    config = uvicorn.Config(App(paths, f"{host}:{port}", base_url), host=host, port=port, log_level="info", lifespan="on")
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except SystemExit as e:
        if e.code == STARTUP_FAILURE:  # uvicorn's exit 3 is our code for refused XML: its log above says why
            raise QuotecorpusError("the server did not start (the messages above say why)") from None
        raise
