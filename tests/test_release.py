"""Citable releases: one version and date, shown everywhere, and the bundle `quotecorpus release` writes."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import hashlib
import json
import re
import shutil
import sqlite3
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import lxml.html
import pytest
from lxml import etree
from setuptools.config.pyprojecttoml import read_configuration

from conftest import JING, JING_HOW_TO_ENABLE
from quotecorpus import EDITION, RELEASE_DATE, __version__
from quotecorpus.db import load
from quotecorpus.export.tmx import validate_tmx
from quotecorpus.layout import PACKAGE, release_dir
from quotecorpus.pipeline.build import ROOT
from quotecorpus.tei import validate as tei_validate
from quotecorpus.web import config
from quotecorpus.web.serving import make_datasette

NS = {"t": "http://www.tei-c.org/ns/1.0"}

# --- one version, one date ------------------------------------------------------------------------


def test_the_version_and_date_are_defined_once_and_everything_agrees():
    assert re.fullmatch(r"\d+(\.\d+)+", __version__)
    assert dt.date.fromisoformat(RELEASE_DATE).isoformat() == RELEASE_DATE
    assert EDITION == f"quotecorpus, version {__version__} ({RELEASE_DATE})"
    # pyproject.toml holds no version of its own: setuptools reads quotecorpus.__version__
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in pyproject["project"] and "version" in pyproject["project"]["dynamic"]
    assert read_configuration(ROOT / "pyproject.toml")["project"]["version"] == __version__
    # nothing else in the package states a version or a release date
    stated = [p.name for p in PACKAGE.rglob("*.py") if re.search(r"^(__version__|RELEASE_DATE)\s*=", p.read_text(), re.M)]
    assert stated == ["__init__.py"]
    meta = json.loads((ROOT / "metadata.json").read_text(encoding="utf-8"))
    assert (meta["version"], meta["release_date"]) == (__version__, RELEASE_DATE)


def test_datasette_serves_the_version_and_date_in_its_metadata(client):
    meta = client.get("/-/metadata.json").json()
    assert (meta["version"], meta["release_date"]) == (__version__, RELEASE_DATE)


# --- the TEI headers ------------------------------------------------------------------------------


def edition_of(header) -> tuple[str, str, str, str]:
    """(edition/@n, edition text, publicationStmt/date/@when, idno) of one teiHeader."""
    edition = header.find("t:fileDesc/t:editionStmt/t:edition", NS)
    date = header.find("t:fileDesc/t:publicationStmt/t:date", NS)
    idno = header.find("t:fileDesc/t:publicationStmt/t:idno[@type='quotecorpus']", NS)
    return edition.get("n"), edition.text, date.get("when"), idno.text


@pytest.mark.parametrize("name", ["quotecorpus.xml", "himmer-1976.xml", "nowak-2025.xml"])
def test_every_tei_header_the_build_writes_names_the_release(built, name):
    root = etree.parse(str(built.tei / name)).getroot()
    headers = root.xpath("/descendant::t:teiHeader", namespaces=NS)  # the teiCorpus's and each TEI's in it
    assert len(headers) == (3 if name == "quotecorpus.xml" else 1)
    for header in headers:
        n, text, when, idno = edition_of(header)
        assert (n, text, when) == (__version__, f"version {__version__}", RELEASE_DATE)
        assert idno == header.getparent().get("{http://www.w3.org/XML/1998/namespace}id")


def test_a_tei_selection_names_the_release_too(client):
    r = client.get("/corpus/quotations/nowak-2025-q002.tei")
    assert r.status_code == 200
    n, _, when, _ = edition_of(etree.fromstring(r.content).find("t:teiHeader", NS))
    assert (n, when) == (__version__, RELEASE_DATE)


# --- the citations --------------------------------------------------------------------------------


def text(el) -> str:
    return " ".join(el.text_content().split())


def test_every_citation_carries_the_version_and_date(client):
    quotation = lxml.html.fromstring(client.get("/corpus/quotations/nowak-2025-q002").text)
    assert text(quotation.cssselect(".cite-line")[0]).endswith(f". {EDITION}, quotation nowak-2025-q002.")
    home = lxml.html.fromstring(client.get("/").text)
    assert text(home.cssselect(".edition")[0]).startswith(f"Version {__version__}, released {RELEASE_DATE}")
    corpus = text(home.cssselect("section.cite .cite-line")[0])
    assert corpus.startswith(f"{EDITION}: Russian, German and Polish quotations") and "accessed" not in corpus


def test_the_citation_gives_the_configured_public_address(built):
    ds = make_datasette(built, base_url="https://quotecorpus.example.org/")
    doc = lxml.html.fromstring(asyncio.run(ds.client.get("/corpus/quotations/nowak-2025-q002")).text)
    assert text(doc.cssselect(".cite-line")[0]).endswith(f"{EDITION}, https://quotecorpus.example.org/corpus/quotations/nowak-2025-q002.")


# --- the bundle -----------------------------------------------------------------------------------

BASE_URL = "https://quotecorpus.example.org"
NAME = f"quotecorpus-{__version__}"
TABLES = ["articles", "persons", "works", "documents", "quotations", "transliterations"]
FILES = {
    "README.md",
    "SHA256SUMS",
    "corpus.db",
    "metadata.json",
    "quotations.tmx",
    "tmx14.dtd",
    "tei/quotecorpus.xml",
    "tei/himmer-1976.xml",
    "tei/nowak-2025.xml",
    "tei/schema/README.md",
    "tei/schema/tei_all.rng",
    "tei/schema/tei_quotecorpus.rng",
    "tei/schema/quotecorpus.sch",
    "tei/schema/quotecorpus-profile.sch",
    "CITATION.cff",
    "LICENSES/CC-BY-4.0.txt",
    "LICENSES/Apache-2.0.txt",
    "datapackage.json",
    "ro-crate-metadata.json",
    *(f"csv/{t}.csv" for t in TABLES),
}


def release(built, out: Path, *extra: str) -> subprocess.CompletedProcess:
    """`quotecorpus release` as a user runs it, over the session's build."""
    paths = ["--corpus", str(built.corpus), "--tei", str(built.tei), "--db", str(built.db)]
    return subprocess.run(
        [sys.executable, "-m", "quotecorpus", "release", *paths, "--out", str(out), *extra], capture_output=True, text=True
    )


@pytest.fixture(scope="module")
def out(built, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("release")
    r = release(built, out, "--base-url", BASE_URL)
    assert r.returncode == 0, r.stderr
    assert f"Wrote {out / NAME}/ ({len(FILES)} files) and {out / NAME}.zip" in r.stdout
    return out


def files_in(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_the_bundle_holds_every_listed_file_and_nothing_else(out):
    assert {p.name for p in out.iterdir()} == {NAME, f"{NAME}.zip", f"{NAME}.zip.sha256"}  # no temporary file left
    assert files_in(out / NAME) == FILES
    with zipfile.ZipFile(out / f"{NAME}.zip") as z:
        assert z.testzip() is None
        assert set(z.namelist()) == {f"{NAME}/{f}" for f in FILES}
        for f in FILES:
            assert z.read(f"{NAME}/{f}") == (out / NAME / f).read_bytes(), f
    listed = [line.split("  ", 1)[1] for line in (out / NAME / "SHA256SUMS").read_text().splitlines()]
    assert listed == sorted(FILES - {"SHA256SUMS"})


@pytest.mark.skipif(not shutil.which("sha256sum"), reason="needs GNU coreutils' sha256sum")
def test_sha256sum_verifies_every_file_and_the_zip(out):
    r = subprocess.run(["sha256sum", "--strict", "-c", "SHA256SUMS"], cwd=out / NAME, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.count(": OK\n") == len(FILES) - 1
    r = subprocess.run(["sha256sum", "--strict", "-c", f"{NAME}.zip.sha256"], cwd=out, capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout == f"{NAME}.zip: OK\n"


def test_the_tei_in_the_bundle_validates_and_names_the_release(out, built):
    tei = out / NAME / "tei"
    seen: set[bytes] = set()
    for name in ["quotecorpus.xml", "himmer-1976.xml", "nowak-2025.xml"]:
        tei_validate.validate_file(tei / name, name, seen=seen)  # raises when invalid
        assert (tei / name).read_bytes() == (built.tei / name).read_bytes()  # the build's, as it validated them
        for header in etree.parse(str(tei / name)).getroot().xpath("/descendant::t:teiHeader", namespaces=NS):
            assert edition_of(header)[:3] == (__version__, f"version {__version__}", RELEASE_DATE)


@pytest.mark.skipif(JING is None, reason=JING_HOW_TO_ENABLE)
def test_the_tei_in_the_bundle_validates_with_jing_against_the_schema_it_holds(out):
    bundle = out / NAME
    r = subprocess.run(
        [JING, "tei/schema/tei_all.rng", *(f"tei/{n}" for n in sorted(files_in(bundle / "tei")) if n.endswith(".xml") and "/" not in n)],
        cwd=bundle,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stdout[-2000:]


def test_the_database_and_every_csv_hold_the_corpus(out, built):
    bundle = out / NAME
    db = sqlite3.connect(bundle / "corpus.db")
    # the build's database, every table and row of it, plus the plain full-text tables (test_bundle.py)
    db.execute("attach ? as build", [str(built.db)])
    for (table,) in db.execute("select name from build.sqlite_master where type = 'table' and name not like '%search_%'").fetchall():
        assert db.execute(f"select * from main.[{table}] except select * from build.[{table}]").fetchall() == [], table
        count = f"select (select count(*) from main.[{table}]) - (select count(*) from build.[{table}])"
        assert db.execute(count).fetchone() == (0,), table
    public = load.tables()
    assert list(public) == TABLES
    for table, columns in public.items():
        with open(bundle / "csv" / f"{table}.csv", encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        assert rows[0] == [c.name for c in columns]
        assert len(rows) - 1 == db.execute(f"select count(*) from [{table}]").fetchone()[0]
        assert [r[0] for r in rows[1:]] == [r[0] for r in db.execute(f"select id from [{table}] order by id")]
    row = db.execute("select original, translation from quotations where id = 'nowak-2025-q002'").fetchone()
    with open(bundle / "csv" / "quotations.csv", encoding="utf-8", newline="") as f:
        found = next(r for r in csv.DictReader(f) if r["id"] == "nowak-2025-q002")
    assert (found["original"], found["translation"]) == row  # Cyrillic and quotes survive the round trip
    assert json.loads((bundle / "metadata.json").read_text(encoding="utf-8"))["version"] == __version__


def test_the_tmx_holds_every_quotation_with_both_texts_and_is_valid(out):
    bundle = out / NAME
    data = (bundle / "quotations.tmx").read_bytes()
    assert validate_tmx(data) == []
    db = sqlite3.connect(bundle / "corpus.db")
    both = db.execute(
        "select id from quotations where coalesce(original_corrected, original) is not null"
        " and coalesce(translation_corrected, translation) is not null order by id"
    ).fetchall()
    root = etree.fromstring(data, etree.XMLParser(load_dtd=False, no_network=True, resolve_entities=False))
    assert root.xpath("//tu/@tuid") == [r[0] for r in both] and both
    assert root.find("header").get("creationtoolversion") == __version__
    assert EDITION in root.find("header/prop").text


def test_the_readme_says_what_is_inside_and_how_to_cite_it(out):
    readme = (out / NAME / "README.md").read_text(encoding="utf-8")
    assert readme.startswith(f"# {EDITION}\n")
    assert f"> {EDITION}: Russian, German and Polish quotations" in readme
    assert f"CC BY 4.0. {BASE_URL}/" in readme and f"{EDITION}, {BASE_URL}/corpus-{__version__}/quotations/<id>" in readme
    for f in FILES - {"README.md"}:  # each named: by its path or its name, a CSV by its folder
        assert f"`{f}`" in readme or f"`{f.split('/')[-1]}`" in readme or f.startswith("csv/") and "`csv/`" in readme, f
    assert "doi:10.2307/2495657" in readme and "doi:10.12775/SDR.2025.EN9.04" in readme


def test_a_release_is_never_overwritten(out, built):
    before = {f: hashlib.sha256((out / NAME / f).read_bytes()).hexdigest() for f in FILES}
    zipped = (out / f"{NAME}.zip").read_bytes()
    r = release(built, out)
    assert r.returncode == 7
    assert r.stderr == (
        f"Error: release {__version__} exists already: {out / NAME} (a release is never overwritten: "
        "remove it, write elsewhere with --out, or change the version in scripts/quotecorpus/__init__.py)\n"
    )
    assert {f: hashlib.sha256((out / NAME / f).read_bytes()).hexdigest() for f in FILES} == before
    assert (out / f"{NAME}.zip").read_bytes() == zipped
    assert {p.name for p in out.iterdir()} == {NAME, f"{NAME}.zip", f"{NAME}.zip.sha256"}


def test_a_left_zip_alone_also_refuses(built, tmp_path):
    (tmp_path / f"{NAME}.zip").write_bytes(b"")
    r = release(built, tmp_path)
    assert r.returncode == 7 and f"exists already: {tmp_path / NAME}.zip" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / NAME).exists()


def test_an_interrupted_release_leaves_nothing_and_says_so(built, tmp_path, monkeypatch):
    from quotecorpus.errors import BuildInterrupted
    from quotecorpus.pipeline import release as module

    def interrupt(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(module, "_write_csv", interrupt)  # Ctrl-C halfway through the bundle
    with pytest.raises(BuildInterrupted, match=f"before the bundle was written: no {NAME}.zip in ") as e:
        module.release(built, tmp_path / "out")
    assert e.value.exit_code == 130 and not list((tmp_path / "out").iterdir())  # not even a temporary folder


# --- the home page offers it ----------------------------------------------------------------------


def test_serve_looks_for_the_bundle_beside_its_database(built):
    assert config.server_of(make_datasette(built)).release_dir == release_dir(built) == built.db.parent / "release"


def test_the_home_page_offers_the_bundle_it_has(built, out):
    ds = make_datasette(built)
    config.attach(ds, config.Server(release_dir=out))  # as serve does with build/release/
    get = lambda path: asyncio.run(ds.client.get(path))  # noqa: E731
    home = lxml.html.fromstring(get("/").text)
    link = home.cssselect('a[data-download="release"]')[0]
    assert link.get("href") == f"/-/release/{NAME}.zip"
    assert f"Version {__version__} ({RELEASE_DATE}) as one bundle" in text(link)
    zipped = get(link.get("href"))
    assert zipped.status_code == 200 and zipped.headers["content-type"] == "application/zip"
    assert zipped.content == (out / f"{NAME}.zip").read_bytes()
    offer = text(link.getparent())
    assert hashlib.sha256(zipped.content).hexdigest() in offer
    assert get(f"/-/release/{NAME}.zip.sha256").text == (out / f"{NAME}.zip.sha256").read_text()
    for href in sorted({h for h in home.xpath("//a/@href") if h.startswith("/") and not h.startswith("//")}):
        assert get(href).status_code == 200, href  # no link that can 404
    for other in ["SHA256SUMS", f"{NAME}/README.md", "..%2Frelease", "quotecorpus-0.1.zip"]:
        assert get(f"/-/release/{other}").status_code in (302, 404), other  # only the zip and its checksum are served


def test_a_home_page_without_a_bundle_says_how_it_is_made_and_links_none(client):
    home = lxml.html.fromstring(client.get("/").text)
    assert not home.cssselect('a[data-download="release"]')
    assert not [h for h in home.xpath("//a/@href") if "/-/release/" in h]
    assert "made with quotecorpus release; this server does not offer it" in text(home.cssselect("section.downloads")[0])
    assert client.get(f"/-/release/{NAME}.zip").status_code == 404
