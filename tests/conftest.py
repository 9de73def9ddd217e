"""Shared fixtures: the real corpus built once per session through the real pipeline."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from lxml import etree

from quotecorpus.pipeline.build import ROOT, Paths, build
from quotecorpus.tei.validate import TEI_ALL, relaxng
from quotecorpus.web.serving import make_datasette

FIXTURES = Path(__file__).parent / "fixtures"
ARTICLES = ROOT.parent / "shared" / "articles"


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Paths:
    """The real corpus/ built into a temporary tei/ and database."""
    out = tmp_path_factory.mktemp("built")
    paths = Paths(corpus=ROOT / "corpus", tei=out / "tei", db=out / "corpus.db")
    build(paths)
    return paths


@pytest.fixture(scope="session")
def tei_all() -> etree.RelaxNG:
    """The full TEI P5 tei_all.rng, compiled once per session (about 10 s)."""
    return relaxng(TEI_ALL)


@pytest.fixture
def mini(tmp_path) -> Paths:
    """A copy of the small fixture corpus, to break one file at a time."""
    shutil.copytree(FIXTURES / "mini", tmp_path / "corpus")
    return Paths(corpus=tmp_path / "corpus", tei=tmp_path / "tei", db=tmp_path / "build" / "corpus.db")


class Client:
    """Synchronous wrapper over Datasette's in-process client."""

    def __init__(self, paths: Paths):
        self.ds = make_datasette(paths)

    def get(self, path: str, params: dict | None = None):
        return asyncio.run(self.ds.client.get(path, params=params) if params else self.ds.client.get(path))


@pytest.fixture(scope="session")
def client(built) -> Client:
    return Client(built)


def _article(name: str):
    from quotecorpus.text.articletext import ArticleText

    path = ARTICLES / f"{name}.txt"
    return ArticleText.read(path) if path.exists() else None


@pytest.fixture(scope="session")
def himmer_text():
    """The Himmer article's text, or None where ../shared/articles is absent."""
    return _article("himmer-1976")


def article_text_or_skip(name: str):
    text = _article(name)
    if text is None:
        pytest.skip(f"{ARTICLES}/{name}.txt is absent: put the article texts there (CI has them) to run the audit")
    return text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Base(str):
    """A served instance's base URL, knowing its process."""

    def __new__(cls, url: str, pid: int):
        self = super().__new__(cls, url)
        self.pid = pid
        return self


@contextlib.contextmanager
def serving(args: list[str], log_dir: Path):
    """`quotecorpus serve ARGS` as a user runs it, on a free local port; yields its base URL."""
    port = _free_port()
    # its log goes to a file: a pipe nobody reads would fill up and stall the server
    log_path = log_dir / f"serve-{port}.log"
    log = log_path.open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "quotecorpus", "serve", "--port", str(port), *args], stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=1)
                break
            except OSError:
                if proc.poll() is not None:
                    break
                time.sleep(0.1)
        else:
            pytest.fail("datasette did not start: " + log_path.read_text(errors="replace"))
        if proc.poll() is not None:
            pytest.fail("quotecorpus serve stopped: " + log_path.read_text(errors="replace"))
        yield Base(base, proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def served(built, tmp_path_factory):
    """`quotecorpus serve` as a user runs it: a real Datasette process on a free local port."""
    args = ["--corpus", str(built.corpus), "--tei", str(built.tei), "--db", str(built.db)]
    with serving(args, tmp_path_factory.mktemp("serve")) as base:
        yield base


def export_entries(db_path, ids: list[str]) -> list[str]:
    """The entries a TEI export of these quotations holds, in order: a quotation nested in another is
    exported in place, inside the quotation that holds it (datasette_export._in_place)."""
    conn = sqlite3.connect(db_path)
    outer = dict(conn.execute("select id, part_of from quotations where part_of is not null").fetchall())
    conn.close()
    return list(dict.fromkeys(outer.get(i, i) for i in ids))


def entry_ids(root) -> list[str]:
    """The ids of a TEI document's quotation entries (a cit in a div), not of those nested in them."""
    return root.xpath("//t:body/t:div/t:cit/@xml:id", namespaces={"t": "http://www.tei-c.org/ns/1.0"})


@contextlib.contextmanager
def fifo_watch(path: Path):
    """A FIFO at `path` with a writer waiting for a reader; yields a function that tells whether anything
    opened it for reading (a reader's open of a FIFO returns only when the writer's does, and the other
    way round). A parser that opened it would hang: the test that uses it must give its commands a timeout."""
    os.mkfifo(path)
    opened = threading.Event()

    def writer() -> None:
        with contextlib.suppress(OSError):
            fd = os.open(path, os.O_WRONLY)  # blocks until someone opens the FIFO for reading
            opened.set()
            os.close(fd)

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    try:
        yield opened.is_set
    finally:
        if not opened.is_set():  # release the writer: our own reader, which never blocks
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
            thread.join(5)
            os.close(fd)


# --- tools that some tests need, and CI's rule that no test skips ------------------------------------

_jing = os.environ.get("QUOTECORPUS_JING") or shutil.which("jing")
JING = _jing if _jing and os.path.exists(_jing) else None
JING_HOW_TO_ENABLE = (
    "jing is not installed: apt-get install jing (Debian; .ci/run does this when run as root), or set QUOTECORPUS_JING "
    "to a jing binary; then rerun scripts/dev test"
)

# CI (.ci/run) sets QUOTECORPUS_REQUIRE_ALL=1: there a skipped test fails, so that what the README says a
# tool shows is shown. A deliberate skip would be listed here with why; there is none.
REQUIRE_ALL = os.environ.get("QUOTECORPUS_REQUIRE_ALL") == "1"
DELIBERATE_SKIPS: tuple[str, ...] = ()


def _refuse_skip(report) -> None:
    if not (REQUIRE_ALL and report.skipped) or hasattr(report, "wasxfail"):
        return
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    reason = reason.removeprefix("Skipped: ")
    if any(d in reason for d in DELIBERATE_SKIPS):
        return
    report.outcome = "failed"
    report.longrepr = f"skipped where QUOTECORPUS_REQUIRE_ALL=1 (set by .ci/run) allows no skip: {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    _refuse_skip(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    _refuse_skip(outcome.get_result())


# --- a real headless Chromium (tests/test_browser.py, tests/test_accessibility.py) ----------------------

SCREENSHOTS = Path(__file__).parent / "artifacts" / "screenshots"
CHROMIUM = os.environ.get("QUOTECORPUS_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
HOW_TO_ENABLE = (
    "browser tests need Debian's chromium and fonts: apt-get install chromium fonts-noto-core fonts-dejavu-core "
    "(.ci/run does this when run as root), or set QUOTECORPUS_CHROMIUM to a Chromium binary; then rerun scripts/dev test"
)
# The network is closed beyond package registries: without these Chromium stalls on refused connections.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory):
    if not os.path.exists(CHROMIUM):
        pytest.skip(HOW_TO_ENABLE)
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed: run scripts/dev setup")
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),  # a fresh --user-data-dir
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
            accept_downloads=True,
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(15_000)
        yield context
        context.close()


@pytest.fixture
def page(browser_context, served):
    page = browser_context.new_page()
    page.base = served
    yield page
    page.close()
