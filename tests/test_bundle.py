"""The release bundle where it lands: unzipped and served by plain Datasette 0.65.5 in a virtual
environment that holds nothing else, exactly as the bundle's README says; and checked by the tools
that read its citation, data package and RO-Crate (cffconvert, frictionless, roc-validator)."""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

import pytest

from quotecorpus import __version__
from quotecorpus.db.metadata import QUERIES
from quotecorpus.pipeline.build import ROOT

NAME = f"quotecorpus-{__version__}"
# the checkers' own pinned environment (scripts/requirements-tools.lock, made by scripts/dev setup)
TOOLS = ROOT / ".venv-tools" / "bin"
DATASETTE = "datasette==0.65.5"
# made once, kept between runs: creating it costs a download and half a minute
PLAIN_VENV = ROOT / "build" / "plain-datasette-venv"


@pytest.fixture(scope="module")
def bundle(built, tmp_path_factory) -> Path:
    """The zip `quotecorpus release` writes, unzipped as a user unzips it."""
    out = tmp_path_factory.mktemp("release")
    paths = ["--corpus", str(built.corpus), "--tei", str(built.tei), "--db", str(built.db)]
    r = subprocess.run([sys.executable, "-m", "quotecorpus", "release", *paths, "--out", str(out)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    landed = tmp_path_factory.mktemp("landed")
    with zipfile.ZipFile(out / f"{NAME}.zip") as z:
        z.extractall(landed)
    return landed / NAME


def _readme_commands(bundle: Path) -> list[str]:
    """The commands of the README's "Serve it" section, as printed (indented code)."""
    readme = (bundle / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Serve it", 1)[1].split("\n## ", 1)[0]
    return [line.strip() for line in section.splitlines() if line.startswith("    ")]


@pytest.fixture(scope="module")
def plain(bundle, tmp_path_factory):
    """The README's commands run in the unzipped bundle: a venv with only Datasette (kept in build/,
    made once), then `datasette corpus.db --metadata metadata.json` on a free port."""
    install, serve = _readme_commands(bundle)
    assert install == f"python -m venv venv && venv/bin/pip install {DATASETTE}"
    assert serve == "venv/bin/datasette corpus.db --metadata metadata.json"
    marker = PLAIN_VENV / ".installed"
    if not marker.exists() or marker.read_text() != DATASETTE:
        shutil.rmtree(PLAIN_VENV, ignore_errors=True)
        PLAIN_VENV.parent.mkdir(exist_ok=True)
        subprocess.run([sys.executable, "-m", "venv", str(PLAIN_VENV)], check=True)
        r = subprocess.run([str(PLAIN_VENV / "bin" / "pip"), "install", "-q", DATASETTE], capture_output=True, text=True)
        if r.returncode:
            pytest.skip(f"could not install {DATASETTE} into a clean venv (no PyPI or wheel cache?): {r.stderr[-500:]}")
        marker.write_text(DATASETTE)
    frozen = subprocess.run([str(PLAIN_VENV / "bin" / "pip"), "freeze"], capture_output=True, text=True, check=True).stdout
    assert "quotecorpus" not in frozen.lower() and "datasette==0.65.5" in frozen  # nothing of ours in it
    (bundle / "venv").symlink_to(PLAIN_VENV)
    with _served(bundle, serve.split()[1:], tmp_path_factory.mktemp("plain-log")) as base:
        yield base


@contextlib.contextmanager
def _served(folder: Path, args: list[str], logs: Path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = (logs / "datasette.log").open("wb")
    proc = subprocess.Popen([str(folder / "venv" / "bin" / "datasette"), *args, "--port", str(port)], cwd=folder, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=1)
                break
            except OSError:
                if proc.poll() is not None:
                    break
                time.sleep(0.1)
        if proc.poll() is not None:
            pytest.fail("plain datasette stopped: " + (logs / "datasette.log").read_text(errors="replace"))
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def fetch(base: str, path: str, **params) -> tuple[int, object]:
    url = base + path + ("?" + urllib.parse.urlencode(params) if params else "")
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


def our_ids(client, path: str, **params) -> list[str]:
    found = client.get(path, params={**params, "_shape": "array", "_size": "max"})
    assert found.status_code == 200, found.text[:300]
    return [r["id"] for r in found.json()]


# --- plain Datasette ------------------------------------------------------------------------------

PARAMETERS = {"by_person": {"person": "Kopp"}, "same_document": {"document": ""}, "document_in_both": {"document": ""}}


def test_plain_datasette_is_plain(plain):
    status, versions = fetch(plain, "/-/plugins.json")
    assert status == 200 and versions == []  # no plugin at all: none of ours, none other


@pytest.mark.parametrize("query", sorted(QUERIES))
def test_every_canned_query_runs_under_plain_datasette(plain, client, query):
    params = PARAMETERS.get(query, {})
    status, rows = fetch(plain, f"/corpus/{query}.json", _shape="array", **params)
    assert status == 200, rows
    assert rows or query == "language_audit", query  # each has rows on the corpus (the audit: none left unexplained)
    # the same rows as on our server, in the same order (by_person through its own SQL: below)
    found = client.get(f"/corpus/{query}.json", params={**params, "_shape": "array"}).json()
    assert rows == found


@pytest.mark.parametrize("name", ["Kopp", "Копп", "Viktor Kopp", "В.Л. Копп", "kopp", "Chicherin", "Чичерин", "Trotsky"])
def test_by_person_finds_the_person_by_any_printed_name_as_our_server_does(plain, client, name):
    status, rows = fetch(plain, "/corpus/by_person.json", _shape="array", person=name)
    assert status == 200, rows
    assert [r["id"] for r in rows] == our_ids(client, "/corpus/by_person.json", person=name) and rows


def test_by_person_with_no_name_or_a_stray_quote_is_an_empty_answer_not_an_error(plain):
    for name in ["", "  ", '"', '""']:
        status, rows = fetch(plain, "/corpus/by_person.json", _shape="array", person=name)
        assert status == 200 and rows == [], (name, rows)


# a word, and the person it names (None: not a name)
SEARCHED = {"Chicherin": "chicherin", "Чичерин": "chicherin", "Kopp": "kopp", "Копп": "kopp", "Trotsky": "trotsky"}
SEARCHED |= {"peredyshka": None, "Versailles": None}


@pytest.mark.parametrize("word", sorted(SEARCHED))
def test_the_search_box_finds_what_our_server_finds_for_a_name(plain, client, built, word):
    """Plain search finds nothing ours does not, and everything ours finds by the person's own words,
    the words addressed to them or the texts; ours finds more only through word forms and stemmed
    citations (the bundle's README says so, and that full search is `quotecorpus serve`)."""
    status, rows = fetch(plain, "/corpus/quotations.json", _search=word, _shape="array", _size="max")
    assert status == 200, rows
    found, ours = {r["id"] for r in rows}, set(our_ids(client, "/corpus/quotations.json", _search=word))
    assert found <= ours, sorted(found - ours)
    person = SEARCHED[word]
    if person:
        conn = sqlite3.connect(built.db)
        spoken = {r[0] for r in conn.execute("select id from quotations where ? in (speaker, addressee)", [person])}
        conn.close()
        assert spoken <= found, sorted(spoken - found)
    if word == "Chicherin":
        assert len(rows) >= 60  # not the 152 of an ignored search


def test_the_search_is_declared_and_described_as_it_works(bundle, plain):
    meta = json.loads((bundle / "metadata.json").read_text(encoding="utf-8"))
    tables = meta["databases"]["corpus"]["tables"]
    for table in ("quotations", "persons", "documents", "works"):
        assert (tables[table]["fts_table"], tables[table]["fts_pk"]) == (f"{table}_fts", "rowid")
    status, page = fetch(plain, "/corpus/persons.json", _search="Чичерин", _shape="array")
    assert status == 200 and [p["id"] for p in page] == ["chicherin"]
    html = urllib.request.urlopen(plain + "/corpus/quotations", timeout=30).read().decode()
    assert "Чичерин finds Chicherin" in html and "Search looks in the original (corrected)" not in html
    readme = (bundle / "README.md").read_text(encoding="utf-8")
    assert "Чичерин finds Chicherin" in readme and "quotecorpus serve" in readme


# --- the checking tools -----------------------------------------------------------------------------


def _tool(name: str) -> str:
    path = TOOLS / name
    if not path.exists():
        pytest.skip(f"{name} is not installed in .venv-tools/: run scripts/dev setup")
    return str(path)


def test_citation_cff_is_valid_and_names_the_release_and_its_makers(bundle):
    r = subprocess.run([_tool("cffconvert"), "--validate", "-i", "CITATION.cff"], cwd=bundle, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    cff = (bundle / "CITATION.cff").read_text(encoding="utf-8")
    assert f'version: "{__version__}"' in cff and "license: CC-BY-4.0" in cff
    assert re.findall(r"^  - name: (.+)$", cff, re.M) == ['"quotecorpus contributors"']  # no invented people
    assert 'doi: "10.2307/2495657"' in cff and 'doi: "10.12775/SDR.2025.EN9.04"' in cff


def test_the_licence_texts_are_the_full_texts(bundle):
    cc = (bundle / "LICENSES" / "CC-BY-4.0.txt").read_text(encoding="utf-8")
    assert cc.startswith("Attribution 4.0 International") and "Section 8 -- Interpretation." in cc and len(cc) > 18_000
    apache = (bundle / "LICENSES" / "Apache-2.0.txt").read_text(encoding="utf-8")
    assert "Apache License" in apache and "END OF TERMS AND CONDITIONS" in apache and len(apache) > 10_000


def test_the_data_package_describes_every_csv_and_validates(bundle):
    package = json.loads((bundle / "datapackage.json").read_text(encoding="utf-8"))
    assert sorted(r["path"] for r in package["resources"]) == sorted(f"csv/{p.name}" for p in (bundle / "csv").iterdir())
    quotations = next(r for r in package["resources"] if r["name"] == "quotations")
    types = {f["name"]: f["type"] for f in quotations["schema"]["fields"]}
    assert (types["id"], types["page"], quotations["schema"]["primaryKey"]) == ("string", "integer", ["id"])
    assert {"fields": ["speaker"], "reference": {"resource": "persons", "fields": ["id"]}} in quotations["schema"]["foreignKeys"]
    assert package["contributors"] == [{"title": "quotecorpus contributors", "role": "author"}]
    r = subprocess.run([_tool("frictionless"), "validate", "--json", "datapackage.json"], cwd=bundle, capture_output=True, text=True)
    report = json.loads(r.stdout)
    assert r.returncode == 0 and report["valid"], r.stdout[-3000:]
    assert len(report["tasks"]) == len(package["resources"])


def test_the_ro_crate_lists_every_file_and_validates(bundle, tmp_path):
    crate = json.loads((bundle / "ro-crate-metadata.json").read_text(encoding="utf-8"))
    graph = {e["@id"]: e for e in crate["@graph"]}
    files = {p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file()} - {"ro-crate-metadata.json", "SHA256SUMS"}
    assert {p["@id"] for p in graph["./"]["hasPart"]} == files
    assert graph[graph["./"]["creator"]["@id"]]["name"] == "quotecorpus contributors"
    # The validator reads the RO-Crate JSON-LD context from the web, through its HTTP cache; offline,
    # the cache is given the copy of that context that the rocrate package ships.
    cache = tmp_path / "http_cache"
    validator = _tool("rocrate-validator")
    warm = subprocess.run([str(TOOLS / "python"), "-c", WARM, str(cache), crate["@context"]], capture_output=True, text=True)
    assert warm.returncode == 0, warm.stderr
    r = subprocess.run(
        [validator, "validate", "--offline", "--cache-path", str(cache), "--no-paging", "-p", "ro-crate-1.3"]
        + ["--output-format", "json", "."],
        cwd=bundle,
        capture_output=True,
        text=True,
    )
    report, _ = json.JSONDecoder().raw_decode(r.stdout)
    assert r.returncode == 0 and report["passed"], [i["message"] for i in report["issues"]]


# Run with the checkers' Python: puts the RO-Crate context that the rocrate package ships (checked to be
# the one the crate names) into the validator's HTTP cache, as a response to its URL.
WARM = """
import io, importlib.resources, json, sys
import requests, requests_cache, urllib3
cache, url = sys.argv[1], sys.argv[2]
data = importlib.resources.files("rocrate").joinpath("data/ro-crate.jsonld").read_bytes()
assert json.loads(data)["@id"] == url, json.loads(data)["@id"]
headers = {"Content-Type": "application/ld+json"}
response = requests.Response()
response.status_code, response._content, response.url, response.encoding = 200, data, url, "utf-8"
response.headers.update(headers)
response.raw = urllib3.HTTPResponse(body=io.BytesIO(data), headers=headers, status=200, preload_content=False, request_url=url)
response.request = requests.Request("GET", url).prepare()
requests_cache.CachedSession(cache_name=cache, backend="sqlite", expire_after=-1).cache.save_response(response)
"""
