"""Versioned addresses (issue 21 item 2): a citation made before a rebuild still shows what it cited.

The real pipeline on a copy of corpus/: build, `quotecorpus release` into the build's own build/release/,
cite a quotation, change its translation (and remove a term) in the copy, rebuild, then read the cited
address again, through `quotecorpus serve` (a real server, over HTTP) and in-process.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
import sys
import urllib.request

import lxml.html
import pytest
from lxml import etree

from conftest import serving
from quotecorpus import RELEASE_DATE, __version__
from quotecorpus.pipeline.build import ROOT, Paths, build
from quotecorpus.web import config
from quotecorpus.web.serving import make_datasette
from quotecorpus.web.versions import released

BASE_URL = "https://corpus.example.org/qc"
QID = "nowak-2025-q002"
OLD = "A White Poland was that impenetrable wall"
NEW = "White Poland was the impenetrable wall (translation revised after the release)"
GONE = "himmer-1976-t008"
RELEASED = f"corpus-{__version__}"
NS = {"t": "http://www.tei-c.org/ns/1.0"}


def text(el) -> str:
    return " ".join(el.text_content().split())


def get(ds, path: str):
    return asyncio.run(ds.client.get(path))


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.read().decode("utf-8")


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory):
    """(paths, the citation lines and URLs made before the rebuild)."""
    out = tmp_path_factory.mktemp("versions")
    shutil.copytree(ROOT / "corpus", out / "corpus")
    paths = Paths(corpus=out / "corpus", tei=out / "tei", db=out / "build" / "corpus.db")
    build(paths)
    args = ["--corpus", str(paths.corpus), "--tei", str(paths.tei), "--db", str(paths.db)]
    r = subprocess.run([sys.executable, "-m", "quotecorpus", "release", *args], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert (out / "build" / "release" / f"quotecorpus-{__version__}" / "corpus.db").is_file()  # build/release/ beside the database

    # cite it, as a reader does, before the corpus changes
    ds = make_datasette(paths, BASE_URL)
    page = lxml.html.fromstring(get(ds, f"/corpus/quotations/{QID}").text)
    assert OLD in text(page)
    cited = {"line": text(page.cssselect("p.cite-line")[0])}
    cited["ris"] = re.search(r"^UR  - (\S+)$", get(ds, f"/corpus/quotations/{QID}.ris").text, re.M)[1]
    cited["bib"] = re.search(r"url = \{([^}]+)\}", get(ds, f"/corpus/quotations/{QID}.bib").text)[1]
    cited["csl"] = json.loads(get(ds, f"/corpus/quotations/{QID}.csl").text)[0]["URL"]
    cited["meta"] = page.xpath("//meta[@name='citation_public_url']/@content")[0]

    # the corpus changes: the quotation's translation is revised, a term is removed; then rebuilt
    records = paths.corpus / "quotations" / "nowak-2025.yaml"
    before = records.read_text(encoding="utf-8")
    after = before.replace(f'translation: "{OLD}', f'translation: "{NEW}', 1)
    assert after != before
    records.write_text(after, encoding="utf-8")
    himmer = paths.corpus / "quotations" / "himmer-1976.yaml"
    kept = himmer.read_text(encoding="utf-8").split(f'- id: "{GONE}"')
    assert len(kept) == 2 and "- id:" not in kept[1]
    himmer.write_text(kept[0], encoding="utf-8")
    build(paths)
    return paths, cited


def test_the_release_is_found_with_its_version_and_date(rebuilt):
    paths, _ = rebuilt
    found = released(paths.db.parent / "release")
    assert [(r.version, r.release_date, r.name) for r in found] == [(__version__, RELEASE_DATE, RELEASED)]
    ds = make_datasette(paths)
    assert list(n for n in ds.databases if n != "_internal") == ["corpus", RELEASED]  # the current build first
    assert config.server_of(ds).current == "corpus"


def test_the_citation_names_the_release_of_its_version_in_every_form(rebuilt):
    _, cited = rebuilt
    url = f"{BASE_URL}/{RELEASED}/quotations/{QID}"
    assert cited["line"].endswith(f"quotecorpus, version {__version__} ({RELEASE_DATE}), {url}.")
    assert cited["ris"] == cited["bib"] == cited["csl"] == cited["meta"] == url


def test_the_cited_address_still_shows_the_cited_text_after_a_rebuild(rebuilt, tmp_path):
    """Through a real `quotecorpus serve`: the address in the citation, taken as it is."""
    paths, cited = rebuilt
    path = cited["ris"].removeprefix(BASE_URL)
    assert path == f"/{RELEASED}/quotations/{QID}"
    args = ["--corpus", str(paths.corpus), "--tei", str(paths.tei), "--db", str(paths.db), "--base-url", BASE_URL]
    with serving(args, tmp_path) as base:
        old = lxml.html.fromstring(fetch(base + path))
        assert OLD in text(old.cssselect(".room")[0]) and NEW not in text(old)
        notice = old.cssselect("p.version-notice")[0]
        assert f"This is version {__version__} of the corpus (released {RELEASE_DATE})" in text(notice)
        link = notice.cssselect("a.current-version")[0]
        assert text(link) == "the current text of this quotation" and link.get("href") == f"/corpus/quotations/{QID}"
        current = lxml.html.fromstring(fetch(base + link.get("href")))
        assert NEW in text(current.cssselect(".room")[0]) and OLD not in text(current)
        assert not current.cssselect("p.version-notice")
        # the release's own page cites itself, with its version
        assert text(old.cssselect("p.cite-line")[0]) == cited["line"]
        # its exports are the cited text too
        assert OLD in fetch(base + path + ".tei") and NEW in fetch(base + f"/corpus/quotations/{QID}.tei")


def test_a_quotation_gone_from_the_current_build_says_so(rebuilt):
    paths, _ = rebuilt
    ds = make_datasette(paths)
    assert get(ds, f"/corpus/quotations/{GONE}").status_code == 404
    page = lxml.html.fromstring(get(ds, f"/{RELEASED}/quotations/{GONE}").text)
    assert "Wilhelmstrasse" in text(page.cssselect(".room")[0])
    notice = text(page.cssselect("p.version-notice")[0])
    assert "which no longer holds this quotation" in notice
    assert page.cssselect("p.version-notice a.current-version")[0].get("href") == "/corpus"


def test_the_older_versions_pages_and_dts_do_not_break(rebuilt):
    paths, _ = rebuilt
    ds = make_datasette(paths)
    paths_ = [f"/{RELEASED}", f"/{RELEASED}/quotations", f"/{RELEASED}/quotations?_search=Trotsky", f"/{RELEASED}.json", "/", "/dts"]
    for path in paths_:
        assert get(ds, path).status_code == 200, path
    released_db = get(ds, f"/{RELEASED}.db")  # the release's database, as Datasette offers an immutable one
    bundle = paths.db.parent / "release" / f"quotecorpus-{__version__}"
    assert released_db.status_code == 200 and released_db.content == (bundle / "corpus.db").read_bytes()
    # search in an older version: ranked as in the current one, over that version's texts
    searched = get(ds, f"/{RELEASED}/quotations.json?_search=impenetrable+wall").json()
    assert searched["search"]["order"] == "relevance" and [r[0] for r in searched["rows"]][:1] == [QID]
    assert not get(ds, f"/{RELEASED}/quotations.json?_search=revised+translation").json()["rows"]  # not in 1.1's text
    assert [r[0] for r in get(ds, "/corpus/quotations.json?_search=revised+translation").json()["rows"]] == [QID]
    table = get(ds, f"/{RELEASED}/quotations.json?_shape=objects&id={QID}").json()
    assert table["rows"][0]["translation"].startswith(OLD)
    assert get(ds, f"/corpus/quotations.json?_shape=objects&id={QID}").json()["rows"][0]["translation"].startswith(NEW)
    home = lxml.html.fromstring(get(ds, "/").text)  # the home page is the current build's
    assert f"Version {__version__}, released {RELEASE_DATE}" in text(home.cssselect("p.edition")[0])
    collection = get(ds, "/dts/collection").json()
    assert collection["totalChildren"] >= 1
    for href in sorted({h for h in lxml.html.fromstring(get(ds, f"/{RELEASED}/quotations/{QID}").text).xpath("//a/@href")}):
        if href.startswith("/") and not href.startswith("//"):
            assert get(ds, href).status_code in (200, 302), href  # no link of an old page that breaks


def test_without_a_release_the_citation_names_the_current_address(built):
    ds = make_datasette(built, BASE_URL)
    assert not config.server_of(ds).releases
    line = text(lxml.html.fromstring(get(ds, f"/corpus/quotations/{QID}").text).cssselect("p.cite-line")[0])
    assert line.endswith(f"{BASE_URL}/corpus/quotations/{QID}.")


def test_an_older_release_is_cited_with_its_own_version(rebuilt, tmp_path):
    """A bundle of another version (its metadata.json names it) is served as corpus-<that version>, and
    its pages cite that version and date, not this code's."""
    paths, _ = rebuilt
    folder = tmp_path / "build" / "release"
    shutil.copytree(paths.db.parent / "release" / f"quotecorpus-{__version__}", folder / "quotecorpus-0.9")
    meta = json.loads((folder / "quotecorpus-0.9" / "metadata.json").read_text(encoding="utf-8"))
    (folder / "quotecorpus-0.9" / "metadata.json").write_text(json.dumps(meta | {"version": "0.9", "release_date": "2026-06-01"}))
    shutil.copytree(paths.db.parent / "release" / f"quotecorpus-{__version__}", folder / f"quotecorpus-{__version__}")
    shutil.copyfile(paths.db, tmp_path / "build" / "corpus.db")
    here = Paths(corpus=paths.corpus, tei=paths.tei, db=tmp_path / "build" / "corpus.db")
    ds = make_datasette(here, BASE_URL)
    assert [r.name for r in config.server_of(ds).releases] == ["corpus-0.9", RELEASED]
    page = lxml.html.fromstring(get(ds, f"/corpus-0.9/quotations/{QID}").text)
    line = text(page.cssselect("p.cite-line")[0])
    assert line.endswith(f"quotecorpus, version 0.9 (2026-06-01), {BASE_URL}/corpus-0.9/quotations/{QID}.")
    notice = text(page.cssselect("p.version-notice")[0])
    assert f"This is version 0.9 of the corpus (released 2026-06-01); the current version is {__version__}" in notice
    assert "ET  - 0.9" in get(ds, f"/corpus-0.9/quotations/{QID}.ris").text
    tei = etree.fromstring(get(ds, f"/corpus-0.9/quotations/{QID}.tei").content)  # its TEI header names that release
    assert tei.xpath("//t:editionStmt/t:edition/@n", namespaces=NS) == ["0.9"]
    assert tei.xpath("//t:fileDesc/t:publicationStmt/t:date/@when", namespaces=NS) == ["2026-06-01"]
    current = etree.fromstring(get(ds, f"/corpus/quotations/{QID}.tei").content)
    assert current.xpath("//t:editionStmt/t:edition/@n", namespaces=NS) == [__version__]
