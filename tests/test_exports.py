"""Exports follow Datasette's CSV convention: `.tei` and `.tmx` of a URL hold exactly the rows of `.json`
of the same URL (the page); `_stream=on` gives the whole selection, streamed, as one valid document."""

from __future__ import annotations

import sqlite3

import pytest
from lxml import etree

from conftest import Client, entry_ids, export_entries
from quotecorpus.export.tmx import validate_tmx
from quotecorpus.tei import validate as tei_validate
from quotecorpus.web import serving

T = "{http://www.tei-c.org/ns/1.0}"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"

URLS = [
    "/corpus/quotations{ext}?language=ru&_size=10",  # a filtered table view, one page of several
    "/corpus/quotations{ext}?_search=Chicherin&_sort_desc=page",
    "/corpus/quotations/nowak-2025-q002{ext}",  # a row
    "/corpus/russian_with_english{ext}",  # a canned query
    "/corpus/by_person{ext}?person=kopp",
]


def _json_ids(client, url: str) -> list[str]:
    sep = "&" if "?" in url else "?"
    body = client.get(url.format(ext=".json") + sep + "_shape=objects").json()
    return [r["id"] for r in body["rows"]]


def _tei_ids(content: bytes) -> list[str]:
    return entry_ids(etree.fromstring(content))


@pytest.mark.parametrize("url", URLS)
def test_tei_holds_the_rows_of_the_json_of_the_same_url(client, built, url, tei_all):
    shown = _json_ids(client, url)
    assert shown
    expected = export_entries(built.db, shown)
    r = client.get(url.format(ext=".tei"))
    assert r.status_code == 200, r.text[:300]
    tree = tei_validate.parse_safely(r.content)
    assert tei_all.validate(tree), str(tei_all.error_log)[:1000]
    assert tei_validate.errors(tree) == []
    # grouped by printed page in the body, the pages in the order the rows first show them, on a page
    # quotations, then terms, then abstract fragments, each in the rows' order
    page_of = {i: ((a, p), k) for i, a, p, k in sqlite3.connect(built.db).execute("select id, article, page, kind from quotations")}
    pages = list(dict.fromkeys(page_of[i][0] for i in expected))
    kinds = ["quotation", "term", "abstract"]
    assert _tei_ids(r.content) == sorted(expected, key=lambda i: (pages.index(page_of[i][0]), kinds.index(page_of[i][1])))
    assert set(shown) <= set(etree.fromstring(r.content).xpath("//@xml:id"))  # a nested one inside its quotation


@pytest.mark.parametrize("url", URLS)
def test_tmx_holds_the_paired_rows_of_the_json_of_the_same_url(client, built, url):
    expected = _json_ids(client, url)
    r = client.get(url.format(ext=".tmx"))
    assert r.status_code == 200 and validate_tmx(r.content) == []
    paired = {
        i
        for (i,) in sqlite3.connect(built.db).execute(
            "select id from quotations where coalesce(original_corrected, original) is not null and translation is not null"
        )
    }
    assert [tu.get("tuid") for tu in etree.fromstring(r.content).iter("tu")] == [i for i in expected if i in paired]


def test_stream_on_gives_the_whole_selection_as_one_valid_document(client, built, tei_all):
    everything = [r[0] for r in sqlite3.connect(built.db).execute("select id from quotations where part_of is null order by id")]
    page = client.get("/corpus/quotations.tei?_size=20")
    assert len(_tei_ids(page.content)) == len(export_entries(built.db, _json_ids(client, "/corpus/quotations{ext}?_size=20")))
    r = client.get("/corpus/quotations.tei?_size=20&_stream=on")
    assert r.status_code == 200
    assert 'filename="quotecorpus-quotations-all.tei.xml"' in r.headers["content-disposition"]
    tree = tei_validate.parse_safely(r.content)
    assert tei_all.validate(tree) and tei_validate.errors(tree) == []
    assert sorted(_tei_ids(r.content)) == everything
    tmx = client.get("/corpus/quotations.tmx?_size=20&_stream=on")
    assert validate_tmx(tmx.content) == [] and "the whole selection" in tmx.text


def test_the_whole_selection_is_the_same_document_as_the_build_would_assemble(client, built):
    """The streamed export and the in-memory assembly of the same quotations agree entry for entry."""
    from quotecorpus.tei.encode import assemble
    from quotecorpus.tei.read import fragment

    conn = sqlite3.connect(built.db)
    # a language view: printed originals first (web/ranking.py)
    ids = [r[0] for r in conn.execute("select id from quotations where language = 'de' order by printed desc, id")]
    streamed = etree.fromstring(client.get("/corpus/quotations.tei?language=de&_stream=on").content)
    frags = dict(conn.execute("select id, xml from tei_fragments"))
    kinds = dict(conn.execute("select id, kind from tei_fragments"))
    wanted = set()
    for i in ids:
        wanted |= {e.get(a)[1:] for e in fragment(frags[i]).iter() for a in ("ref", "target") if (e.get(a) or "").startswith("#")}
    for d in list(wanted):
        if kinds.get(d) == "documents":
            wanted |= {e.get("ref")[1:] for e in fragment(frags[d]).iter() if (e.get("ref") or "").startswith("#")}
    for w in list(wanted):
        wanted |= (
            {e.get("target")[1:] for e in fragment(frags[w]).iter() if (e.get("target") or "").startswith("#")} if w in frags else set()
        )
    by = {k: sorted(w for w in wanted if kinds.get(w) == k) for k in ("articles", "persons", "documents", "works")}
    assert streamed.get(XML_ID) == "quotecorpus-selection-de-quotations-all"  # its own id, saying what it holds
    assembled = assemble(
        streamed.get(XML_ID),
        streamed.findtext(f"{T}teiHeader/{T}fileDesc/{T}titleStmt/{T}title"),
        [fragment(frags[a]) for a in by["articles"]],
        [fragment(frags[p]) for p in by["persons"]],
        [fragment(frags[d]) for d in by["documents"]],
        [fragment(frags[w]) for w in by["works"]],
        [fragment(frags[i]) for i in ids],
        provenance=streamed.findtext(f".//{T}note[@type='provenance']"),
    )
    assert [e.get(XML_ID) for e in streamed.iter() if e.get(XML_ID)] == [e.get(XML_ID) for e in assembled.iter() if e.get(XML_ID)]
    langs = f"{T}teiHeader/{T}profileDesc/{T}langUsage/{T}language"
    assert [e.get("ident") for e in streamed.iterfind(langs)] == [e.get("ident") for e in assembled.iterfind(langs)]


@pytest.mark.parametrize(
    "url,name,title",
    [
        ("/corpus/quotations.tei?language=ru", "quotecorpus-ru-quotations.tei.xml", "quotations: Russian"),
        (
            "/corpus/quotations.tei?article=nowak-2025&kind=term",
            "quotecorpus-nowak-2025-term-quotations.tei.xml",
            "article nowak-2025, kind term",
        ),
        ("/corpus/quotations.tei?_search=Чичерин", "quotecorpus-search-chicherin-quotations.tei.xml", "matching “Чичерин”"),
        ("/corpus/quotations/nowak-2025-q002.tei", "quotecorpus-nowak-2025-q002.tei.xml", "quotation nowak-2025-q002"),
        ("/corpus/quotations/nowak-2025-q002.tmx", "quotecorpus-nowak-2025-q002.tmx", None),
    ],
)
def test_a_download_says_what_it_holds(client, url, name, title):
    r = client.get(url)
    assert r.status_code == 200 and f'filename="{name}"' in r.headers["content-disposition"]
    if title:
        root = etree.fromstring(r.content)
        assert title in root.findtext(f"{T}teiHeader/{T}fileDesc/{T}titleStmt/{T}title")
        assert root.get(XML_ID) == "quotecorpus-selection-" + name.removeprefix("quotecorpus-").removesuffix(".tei.xml")


def test_an_empty_translation_memory_says_why(client, built):
    german_pairs = (
        sqlite3.connect(built.db)
        .execute("select count(*) from quotations where language = 'de' and original is not null and translation is not null")
        .fetchone()[0]
    )
    r = client.get("/corpus/quotations.tmx?language=de&kind=quotation")
    assert r.status_code == 200 and validate_tmx(r.content) == []
    if german_pairs == 0:
        assert not etree.fromstring(r.content).findall(".//tu")
        assert "so this translation memory holds no units" in r.text


@pytest.mark.parametrize("path", ["/corpus/persons", "/corpus/documents", "/corpus/works", "/corpus/articles", "/corpus/transliterations"])
def test_no_tei_or_tmx_link_where_it_cannot_answer(client, path):
    import lxml.html

    page = lxml.html.fromstring(client.get(path).text)
    links = [a.get("href") for a in page.iter("a") if a.get("href") and (".tei" in a.get("href") or ".tmx" in a.get("href"))]
    assert links == []


CUT_URLS = [
    "/corpus/by_person{ext}?person=kopp&_stream=on",  # a canned query
    "/corpus{ext}?sql=select+id+from+quotations+where+part_of+is+null+order+by+id&_stream=on",  # SQL
]


@pytest.mark.parametrize("url", CUT_URLS)
def test_an_export_of_a_query_cut_at_the_row_limit_says_so(built, monkeypatch, tei_all, url):
    """Issue 22: a query's result beyond max_returned_rows (2,000 as served; 5 here, through the same
    setting) was exported cut, silently. Now the TEI says so in its title and provenance note, the TMX
    in its provenance, and both responses in X-Quotecorpus-Truncated; both stay valid."""
    monkeypatch.setitem(serving.SETTINGS, "max_returned_rows", 5)
    client = Client(built)
    shown = _json_ids(client, url.replace("&_stream=on", ""))
    assert len(shown) == 5
    r = client.get(url.format(ext=".tei"))
    assert r.status_code == 200, r.text[:300]
    assert r.headers["x-quotecorpus-truncated"] == "5 rows; the query's result has more"
    tree = tei_validate.parse_safely(r.content)
    assert tei_all.validate(tree) and tei_validate.errors(tree) == []
    note = tree.xpath("//t:notesStmt/t:note[@type='provenance']", namespaces={"t": T[1:-1]})[0].text
    assert "CUT: the query's result has more rows than the 5 the server returns" in note
    assert "the first rows only" in tree.xpath("//t:titleStmt/t:title", namespaces={"t": T[1:-1]})[0].text
    assert sorted(_tei_ids(r.content)) == sorted(export_entries(built.db, shown))
    tmx = client.get(url.format(ext=".tmx"))
    assert tmx.status_code == 200 and validate_tmx(tmx.content) == []
    assert tmx.headers["x-quotecorpus-truncated"] == "5 rows; the query's result has more"
    provenance = etree.fromstring(tmx.content, etree.XMLParser(load_dtd=False, no_network=True)).find("header/prop").text
    assert "CUT: the query's result has more rows than the 5 the server returns" in provenance


@pytest.mark.parametrize("url", CUT_URLS)
def test_an_export_of_a_whole_query_result_says_nothing_of_cuts(client, url):
    for ext in (".tei", ".tmx"):
        r = client.get(url.format(ext=ext))
        assert r.status_code == 200 and "x-quotecorpus-truncated" not in r.headers and "CUT:" not in r.text
