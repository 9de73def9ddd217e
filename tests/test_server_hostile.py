"""The public server against a hostile client (issue 22): every route to SQL a client wrote goes through
one queue and one time limit, no request makes a 500 of ours or an answer without the security headers,
nothing of the machine shows, and a generation switched away from is let go.

The real server (serving.App) and its Datasette, in-process: requests are ASGI calls, the query string as
the raw bytes a client sends."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

from quotecorpus.pipeline import publish
from quotecorpus.pipeline.build import Paths
from quotecorpus.search.query import MAX_TERMS
from quotecorpus.web import serving
from quotecorpus.web.serving import App, Limits, gated

SLOW_SQL = "with recursive n(i) as (select 1 union all select i + 1 from n limit 1000000000) select count(*) from n"
SLOW_WHERE = "(with recursive n(i) as (select 1 union all select i + 1 from n limit 1000000000) select count(*) from n) > 0"


async def call(app: App, method: str, path: str, query: str = "") -> tuple[int, dict, bytes]:
    scope = {"type": "http", "method": method, "path": urllib.parse.unquote(path), "raw_path": path.encode()}
    scope |= {"query_string": query.encode(), "headers": [], "scheme": "http", "server": ("127.0.0.1", 8001)}
    scope |= {"client": ("127.0.0.1", 1), "root_path": "", "http_version": "1.1", "asgi": {"version": "3.0"}}
    found: dict = {"body": b""}

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        if message["type"] == "http.response.start":
            found["status"] = message["status"]
            found["headers"] = {k.decode().lower(): v.decode() for k, v in message.get("headers", [])}
        else:
            found["body"] += message.get("body", b"")

    await app(scope, receive, send)
    return found["status"], found["headers"], found["body"]


def get(app: App, path: str, query: str = "", method: str = "GET") -> tuple[int, dict, bytes]:
    return asyncio.run(call(app, method, path, query))


@pytest.fixture(scope="module")
def app(built) -> App:
    return App(built, "127.0.0.1:8001")


def assert_headers(headers: dict, what: str) -> None:
    for name, value in serving.HEADERS.items():
        # Datasette's own referrer-policy (no-referrer) is stricter than ours and stays
        assert headers.get(name) == value or (name == "referrer-policy" and headers.get(name) == "no-referrer"), (what, name)
    assert headers.get(serving.BUILD_HEADER), what


# --- 1. one gate for arbitrary SQL ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, path",
    [
        ("sql=select+1", "/corpus.json"),
        ("%73ql=select+1", "/corpus.json"),
        ("%73%71%6C=select+1", "/corpus.json"),
        ("a=1&s%71l=select+1", "/corpus.json"),
        ("_where=1", "/corpus/quotations.json"),
        ("%5Fwhere=1", "/corpus/quotations.json"),
        ("_search=kopp&_searchmode=raw", "/corpus/quotations"),
        ("_search=kopp&_searchmode=%72aw", "/corpus/quotations"),
        ("", "/corpus/quotations_by_speaker"),
    ],
)
def test_client_sql_however_encoded_is_gated(query, path):
    assert gated(query.encode(), frozenset({"quotations_by_speaker"}), path)


@pytest.mark.parametrize("query", ["", "_search=kopp", "_sort=date", "sqlite=1", "_searchmode=words&_search=x"])
def test_the_reading_room_is_not_gated(query):
    assert not gated(query.encode(), frozenset({"quotations_by_speaker"}), "/corpus/quotations")


def test_the_canned_queries_are_known_to_the_gate(app):
    gen = asyncio.run(app._app())
    assert "by_person" in gen.canned and "german_sources" in gen.canned  # a client gives them values
    assert "language_audit" not in gen.canned  # no parameter: a page of ours, not queued behind ?sql=
    assert gated(b"person=Kopp", gen.canned, "/corpus/by_person.json")
    assert not gated(b"", gen.canned, "/corpus/language_audit")


@pytest.mark.parametrize(
    "query, path",
    [
        ("%73ql=" + urllib.parse.quote(SLOW_SQL), "/corpus.json"),
        ("_where=" + urllib.parse.quote(SLOW_WHERE), "/corpus/quotations.json"),
    ],
)
def test_every_route_to_client_sql_shares_the_queue_and_the_time_limit(built, monkeypatch, query, path):
    """Five slow queries at once, with room for one running and two waiting: the two others are told to
    come back (503), the three answered run into the time limit (400); a page asked for while the queue is
    full is answered at once."""
    monkeypatch.setattr(serving, "LIMITS", Limits(sql_waiting=2))
    app = App(built, "127.0.0.1:8001")

    async def run():
        await app._app()
        hogs = [asyncio.create_task(call(app, "GET", path, query)) for _ in range(3)]
        for _ in range(2000):  # until the queue holds them: a condition, bounded
            if app.sql.locked() and app.sql_waiting == 2:
                break
            await asyncio.sleep(0.005)
        assert app.sql.locked() and app.sql_waiting == 2, "the queries never reached the queue"
        turned_away = [await call(app, "GET", path, query) for _ in range(2)]
        page = await call(app, "GET", "/corpus/quotations/nowak-2025-q002")
        return page, turned_away, await asyncio.gather(*hogs)

    started = time.monotonic()
    page, turned_away, answered = asyncio.run(run())
    assert page[0] == 200
    assert [r[0] for r in turned_away] == [503, 503]
    assert all(r[1].get("retry-after") for r in turned_away)
    assert [r[0] for r in answered] == [400, 400, 400], [r[2][:200] for r in answered]
    assert all(b"interrupted" in r[2].lower() or b"time limit" in r[2].lower() for r in answered)
    assert time.monotonic() - started < 30  # three 1-second limits one after another, not minutes


def test_a_raw_search_of_ten_thousand_terms_is_bounded(app):
    expression = " OR ".join(["kopp"] * 10_000)
    started = time.monotonic()
    status, headers, body = get(app, "/corpus/quotations.json", urllib.parse.urlencode({"_search": expression, "_searchmode": "raw"}))
    elapsed = time.monotonic() - started
    assert status == 200, body[:300]
    assert f"more than {MAX_TERMS} terms".encode() in body
    assert elapsed < 5, elapsed  # 44.8 s before the bound
    assert_headers(headers, "raw search")


def test_a_deeply_nested_raw_search_is_bounded(app):
    expression = "(" * 200 + "kopp" + ")" * 200
    status, _, body = get(app, "/corpus/quotations.json", urllib.parse.urlencode({"_search": expression, "_searchmode": "raw"}))
    assert status == 200 and b"levels of parentheses" in body


def test_a_raw_search_within_bounds_is_searched_as_written(app):
    status, _, body = get(app, "/corpus/quotations.json", urllib.parse.urlencode({"_search": "kopp OR nowak", "_searchmode": "raw"}))
    assert status == 200 and b"terms or" not in body


# --- 2. no 500 of ours, every response with its headers -------------------------------------------------

_LONG = "9" * 4400
CASES = [
    ("GET", "/corpus/quotations", "_search=kopp&_next=rank-9223372036854775808", 400),
    ("GET", "/corpus/quotations.json", "_search=kopp&_next=rank-" + _LONG, 400),
    ("GET", "/corpus/quotations.json", "_where=" + urllib.parse.quote("length(zeroblob(2000000))>0"), 400),
    ("GET", "/corpus/quotations", "_sort=nope", 400),
    ("GET", "/corpus/quotations.json", "_sort_desc=nope", 400),
    ("POST", "/corpus/quotations", "", 405),
    ("POST", "/-/messages", "", 405),
    ("TRACE", "/", "", 405),
    ("PROPFIND", "/", "", 405),
    ("CONNECT", "/", "", 405),
    ("GET", "/dts/navigation/", "resource=nowak-2025&tree=page&ref=9223372036854775808", 400),
    ("GET", "/dts/navigation/", "resource=nowak-2025&tree=page&ref=" + _LONG, 400),
    ("GET", "/dts/navigation/", "resource=nowak-2025&tree=page&ref=1%C2%B2", 400),
    ("GET", "/dts/document/", "resource=nowak-2025&tree=page&ref=1%C2%B2", 400),
    ("GET", "/dts/document/", "resource=nowak-2025&tree=page&start=9223372036854775808&end=9223372036854775809", 400),
    ("GET", "/dts/navigation/", "resource=nowak-2025&down=1&page=%201", 400),
    ("GET", "/dts/navigation/", "resource=nowak-2025&down=1&page=%D9%A1", 400),
    ("GET", "/dts/navigation/", "resource=nowak-2025&down=%D9%A3", 400),
    ("GET", "/dts/navigation/", "resource=nowak-2025&down=1&page=" + _LONG, 400),
    ("GET", "/dts/collection/", "page=%EF%BC%91", 400),
    ("GET", "/\\evil.example/", "", 404),
    ("GET", "//evil.example/", "", 404),
]


@pytest.mark.parametrize("method, path, query, expected", CASES, ids=[f"{m} {p}?{q[:60]}" for m, p, q, _ in CASES])
def test_hostile_requests_are_answered_not_failed(app, method, path, query, expected):
    status, headers, body = get(app, path, query, method)
    assert status == expected, body[:300]
    assert_headers(headers, f"{method} {path}")
    assert "location" not in headers
    if path.startswith("/dts/"):
        assert headers["content-type"].startswith("application/ld+json") and b'"error"' in body
    if expected == 405:
        assert headers["allow"] == "GET, HEAD, OPTIONS"


def test_a_failure_of_ours_is_a_500_with_the_headers(built):
    app = App(built, "127.0.0.1:8001")
    gen = asyncio.run(app._app())

    async def broken(scope, receive, send):
        raise RuntimeError("a bug")

    gen.app = broken
    status, headers, body = get(app, "/")
    assert status == 500 and b"a bug" not in body
    assert_headers(headers, "our 500")


def test_numbers_as_a_client_writes_them_still_work(app):
    status, _, _ = get(app, "/dts/navigation/", "resource=nowak-2025&down=1&page=1")
    assert status == 200
    status, _, _ = get(app, "/corpus/quotations", "_search=kopp&_next=rank-10")
    assert status == 200


# --- 3. nothing about the machine ----------------------------------------------------------------------


def _machine(built) -> list[bytes]:
    return [str(built.db.parent).encode(), str(built.db.parent.resolve()).encode(), sys.prefix.encode(), os.getcwd().encode()]


@pytest.mark.parametrize(
    "path, query",
    [
        ("/corpus.json", "sql=" + urllib.parse.quote("select * from pragma_database_list")),
        ("/corpus.json", "sql=" + urllib.parse.quote("select file from pragma_database_list()")),
        ("/corpus", "sql=" + urllib.parse.quote("select * from pragma_database_list")),
        ("/corpus.json", "sql=" + urllib.parse.quote("select * from nothing_here")),
        ("/corpus/quotations", "_sort=nope"),
        ("/-/databases.json", ""),
    ],
)
def test_no_path_of_the_machine_in_a_response(app, built, path, query):
    status, _, body = get(app, path, query)
    assert status in (200, 400), body[:300]
    for found in _machine(built):
        assert found not in body, (path, query, found)


@pytest.mark.parametrize("path", ["/-/threads", "/-/threads.json", "/-/actor.json", "/-/permissions", "/-/messages", "/-/patterns"])
def test_debug_pages_are_off(app, path):
    status, headers, _ = get(app, path)
    assert status == 404
    assert_headers(headers, path)


def test_the_pages_datasette_needs_still_answer(app):
    for path in ("/-/versions.json", "/-/plugins.json", "/corpus", "/-/metadata.json"):
        assert get(app, path)[0] == 200, path


# --- 4. old generations let go -------------------------------------------------------------------------


def _publish_copy(paths: Paths, source: Path) -> None:
    """A new generation of the same build, published as a build publishes: its files are links to the built one's."""
    made = publish.new_generation(paths)
    for item in source.iterdir():
        if item.is_dir():
            shutil.rmtree(made.folder / item.name, ignore_errors=True)
            shutil.copytree(item, made.folder / item.name, copy_function=os.link)
        elif item.name != publish.STAMP:
            os.link(item, made.folder / item.name)
    publish.publish(paths, made, {})
    publish.clean(paths)


def _deleted_files() -> int:
    found = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            found += os.readlink(f"/proc/self/fd/{fd}").endswith(" (deleted)")
        except OSError:
            pass
    return found


def _settled(condition, seconds: float = 10) -> bool:
    """A condition that holds within `seconds` (threads end a moment after their executor is shut down)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


# the write thread of a closed generation ends by SystemExit, which the threading module passes over in
# silence and pytest's thread hook reports
ENDED_THREADS = pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")


@ENDED_THREADS
def test_fifty_switches_leave_threads_and_files_flat(built, tmp_path):
    source = publish.current(built)
    assert source is not None, "the built corpus is not a published generation"
    paths = Paths(corpus=built.corpus, tei=tmp_path / "tei", db=tmp_path / "build" / "corpus.db")
    paths.db.parent.mkdir()
    _publish_copy(paths, source)
    app = App(paths, "127.0.0.1:8001")

    async def page(path: str = "/corpus/quotations/nowak-2025-q002", query: str = "") -> int:
        return (await call(app, "GET", path, query))[0]

    assert asyncio.run(page()) == 200
    assert asyncio.run(page("/corpus.json", "sql=select+1")) == 200
    threads, deleted = threading.active_count(), _deleted_files()
    names = set()
    for _ in range(50):
        _publish_copy(paths, source)
        assert asyncio.run(page()) == 200
        assert asyncio.run(page("/corpus.json", "sql=select+1")) == 200
        names.add(app.generation.name)
    assert len(names) == 50
    assert _settled(lambda: threading.active_count() <= threads + 1), (threads, threading.active_count())
    assert _deleted_files() <= deleted + 1, (deleted, _deleted_files())


@ENDED_THREADS
def test_a_generation_is_closed_only_when_its_last_request_ends(built, tmp_path):
    source = publish.current(built)
    paths = Paths(corpus=built.corpus, tei=tmp_path / "tei", db=tmp_path / "build" / "corpus.db")
    paths.db.parent.mkdir()
    _publish_copy(paths, source)
    app = App(paths, "127.0.0.1:8001")

    async def run():
        old = await app._app()
        hog = asyncio.create_task(call(app, "GET", "/corpus.json", "sql=" + urllib.parse.quote(SLOW_SQL)))
        for _ in range(2000):
            if old.requests == 1 and app.sql.locked():
                break
            await asyncio.sleep(0.005)
        assert old.requests == 1, "the slow query never started"
        _publish_copy(paths, source)
        assert (await call(app, "GET", "/corpus/quotations/nowak-2025-q002"))[0] == 200
        assert app.generation is not old and old.retired and not old.closed
        status = (await hog)[0]
        return old, status

    old, status = asyncio.run(run())
    assert status == 400  # the time limit, on the old generation's own connection: it was not closed under it
    assert old.closed and old.requests == 0


def test_a_query_whose_client_went_while_it_waited_is_never_run(built):
    """One slow query runs; another waits its turn, and its client disconnects: it leaves the queue at
    once and is never run (no answer is sent to nobody). The one running stops at the time limit."""
    app = App(built, "127.0.0.1:8001")
    query = "sql=" + urllib.parse.quote(SLOW_SQL)

    async def run():
        await app._app()
        hog = asyncio.create_task(call(app, "GET", "/corpus.json", query))
        for _ in range(2000):
            if app.sql.locked():
                break
            await asyncio.sleep(0.005)
        assert app.sql.locked(), "the slow query never started"
        leave = asyncio.Event()
        messages = [{"type": "http.request", "body": b"", "more_body": False}]
        sent: list = []

        async def receive():
            if messages:
                return messages.pop(0)
            await leave.wait()
            return {"type": "http.disconnect"}

        async def send(message):
            sent.append(message)

        scope = {"type": "http", "method": "GET", "path": "/corpus.json", "raw_path": b"/corpus.json", "query_string": query.encode()}
        scope |= {"headers": [], "scheme": "http", "server": ("127.0.0.1", 8001), "client": ("127.0.0.1", 2), "root_path": ""}
        scope |= {"http_version": "1.1", "asgi": {"version": "3.0"}}
        waiting = asyncio.create_task(app(scope, receive, send))
        for _ in range(2000):
            if app.sql_waiting == 1:
                break
            await asyncio.sleep(0.005)
        assert app.sql_waiting == 1, "the second query never queued"
        leave.set()
        await asyncio.wait_for(waiting, 5)  # it left before the running one finished (its limit is 1 s)
        left_early = not hog.done()
        return left_early, sent, app.sql_waiting, await hog

    left_early, sent, still_waiting, answered = asyncio.run(run())
    assert left_early and still_waiting == 0
    assert sent == []  # never run, nothing answered
    assert answered[0] == 400
