"""Citable releases: one version and date, shown everywhere, and the bundle `quotecorpus release` writes."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import tomllib

import lxml.html
import pytest
from lxml import etree
from setuptools.config.pyprojecttoml import read_configuration

from quotecorpus import EDITION, RELEASE_DATE, __version__
from quotecorpus.build import ROOT
from quotecorpus.layout import PACKAGE
from quotecorpus.serving import make_datasette

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
    assert text(quotation.cssselect(".cite-line")[0]).endswith(f". {EDITION}, /corpus/quotations/nowak-2025-q002.")
    home = lxml.html.fromstring(client.get("/").text)
    assert text(home.cssselect(".edition")[0]).startswith(f"Version {__version__}, released {RELEASE_DATE}")
    corpus = text(home.cssselect("section.cite .cite-line")[0])
    assert corpus.startswith(f"{EDITION}: Russian, German and Polish quotations") and "accessed" not in corpus


def test_the_citation_gives_the_configured_public_address(built):
    ds = make_datasette(built, base_url="https://quotecorpus.example.org/")
    doc = lxml.html.fromstring(asyncio.run(ds.client.get("/corpus/quotations/nowak-2025-q002")).text)
    assert text(doc.cssselect(".cite-line")[0]).endswith(f"{EDITION}, https://quotecorpus.example.org/corpus/quotations/nowak-2025-q002.")
