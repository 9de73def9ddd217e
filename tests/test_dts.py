"""The corpus as a DTS 1.0 endpoint (../shared/specs/dts-v1.0.md): the responses hold the keys of the
specification's examples, the parameter combinations it refuses are 400 or 404, the documents are
well-formed, wrapped and valid once unwrapped; and dapytains, a peer's implementation, resolves every
quotation of our published TEI through its citeStructure to the text in our database."""

from __future__ import annotations

import copy
import sqlite3
from pathlib import Path

import pytest
from lxml import etree

from quotecorpus import profile as P
from quotecorpus.tei.read import text_of
from quotecorpus.tei.validate import errors

DTS_NS = "https://w3id.org/api/dts#"
SPEC = Path(__file__).resolve().parents[2] / "shared" / "specs" / "dts-v1.0.md"


def get(client, path: str, status: int = 200) -> dict:
    r = client.get(path)
    assert r.status_code == status, (path, r.status_code, r.text[:300])
    assert r.headers["content-type"].startswith("application/ld+json")
    return r.json()


# --- entry, collections ----------------------------------------------------------------------------


def test_entry_point_as_the_specification_shows(client):
    found = get(client, "/dts/")
    assert set(found) == {"@context", "dtsVersion", "@id", "@type", "collection", "navigation", "document"}
    assert found["@context"] == "https://dtsapi.org/context/v1.0.json" and found["dtsVersion"] == "1.0"
    assert found["@type"] == "EntryPoint"
    assert found["collection"].endswith("/dts/collection/{?id,page,nav}")
    assert found["navigation"].endswith("/dts/navigation/{?resource,ref,start,end,down,tree,page}")
    assert found["document"].endswith("/dts/document/{?resource,ref,start,end,tree,mediaType}")
    assert all(found[k].startswith("http") for k in ("@id", "collection", "navigation", "document"))  # absolute


def test_collections_lead_from_the_root_to_the_articles(client):
    root = get(client, "/dts/collection/")
    assert root["@type"] == "Collection" and root["totalParents"] == 0 and root["totalChildren"] == 2
    assert [m["@id"] for m in root["member"]] == ["articles", "corpus"]
    articles = get(client, "/dts/collection/?id=articles")
    assert [m["@id"] for m in articles["member"]] == ["himmer-1976", "nowak-2025"]
    nowak = articles["member"][1]
    assert {"@id", "@type", "title", "totalParents", "totalChildren", "collection", "navigation", "document", "citationTrees"} <= set(nowak)
    dc = nowak["dublinCore"]
    assert dc["creator"] == "Andrzej Nowak" and dc["date"] == "2025" and dc["identifier"] == "https://doi.org/10.12775/SDR.2025.EN9.04"
    assert {"ru", "de", "pl", "en"} <= set(dc["language"]) and dc["license"] == P.LICENCE_URL
    assert nowak["citationTrees"][0] == {
        "@type": "CitationTree",
        "citeStructure": [
            {
                "@type": "CiteStructure",
                "citeType": "quotation",
                "citeStructure": [{"@type": "CiteStructure", "citeType": "nested_quotation"}],
            }
        ],
    }
    assert nowak["citationTrees"][1]["identifier"] == "page"
    parents = get(client, "/dts/collection/?id=nowak-2025&nav=parents")
    assert [m["@id"] for m in parents["member"]] == ["articles"]
    assert [m["@id"] for m in get(client, "/dts/collection/?id=corpus")["member"]] == ["quotecorpus"]


# --- navigation ------------------------------------------------------------------------------------


def ids(found: dict) -> list[str]:
    return [m["identifier"] for m in found["member"]]


def test_navigation_down_one_lists_every_quotation_in_document_order(client, built):
    found = get(client, "/dts/navigation/?resource=nowak-2025&down=1")
    assert {"@context", "dtsVersion", "@type", "@id", "resource", "member"} <= set(found)
    assert found["@type"] == "Navigation" and found["resource"]["@id"] == "nowak-2025"
    tree = etree.parse(str(built.tei / "nowak-2025.xml"))
    assert ids(found) == tree.xpath("/t:TEI/t:text/t:body/t:div/t:cit/@xml:id", namespaces=P.NS)
    unit = found["member"][0]
    assert set(unit) >= {"identifier", "@type", "level", "parent", "citeType"} and unit["level"] == 1 and unit["parent"] is None


def test_navigation_of_a_quotation_and_its_nested_ones(client):
    whole = get(client, "/dts/navigation/?resource=nowak-2025&ref=nowak-2025-q032&down=-1")
    assert whole["ref"]["identifier"] == "nowak-2025-q032" and "member" in whole
    assert ids(whole) == ["nowak-2025-q032", "nowak-2025-q032/nowak-2025-q032-n1", "nowak-2025-q032/nowak-2025-q032-n2"]
    nested = whole["member"][1]
    assert nested["level"] == 2 and nested["parent"] == "nowak-2025-q032" and nested["citeType"] == "nested_quotation"
    only = get(client, "/dts/navigation/?resource=nowak-2025&ref=nowak-2025-q032")
    assert "member" not in only  # ref without down: the unit alone
    siblings = get(client, "/dts/navigation/?resource=nowak-2025&ref=nowak-2025-q032/nowak-2025-q032-n2&down=0")
    assert ids(siblings) == ["nowak-2025-q032/nowak-2025-q032-n1", "nowak-2025-q032/nowak-2025-q032-n2"]


def test_a_range_and_the_page_tree(client, built):
    plain = get(client, "/dts/navigation/?resource=nowak-2025&start=nowak-2025-q016&end=nowak-2025-q018")
    assert plain["start"]["identifier"] == "nowak-2025-q016" and plain["end"]["identifier"] == "nowak-2025-q018"
    assert "member" not in plain
    down = get(client, "/dts/navigation/?resource=nowak-2025&start=nowak-2025-q016&end=nowak-2025-q018&down=1")
    assert ids(down) == [
        "nowak-2025-q016",
        "nowak-2025-q017",
        "nowak-2025-q017/nowak-2025-q017-n1",
        "nowak-2025-q018",
        "nowak-2025-q018/nowak-2025-q018-n1",
    ]
    pages = get(client, "/dts/navigation/?resource=himmer-1976&tree=page&down=1")
    first_seen = sqlite3.connect(built.db).execute(
        "select page from quotations where article = 'himmer-1976' and part_of is null group by page order by min(rowid)"
    )
    assert ids(pages) == [str(p) for (p,) in first_seen] and all(m["citeType"] == "page" for m in pages["member"])
    page = get(client, "/dts/navigation/?resource=himmer-1976&tree=page&ref=672&down=1")
    assert ids(page)[0] == "672" and {"672/himmer-1976-q015", "672/himmer-1976-q016"} <= set(ids(page))


@pytest.mark.parametrize(
    "query,status",
    [
        ("", 400),  # no resource
        ("resource=nowak-2025", 400),  # neither ref, nor start/end, nor down
        ("resource=nowak-2025&down=0", 400),  # down=0 without ref
        ("resource=nowak-2025&ref=nowak-2025-q001&start=nowak-2025-q001&end=nowak-2025-q002", 400),
        ("resource=nowak-2025&start=nowak-2025-q001", 400),  # start without end
        ("resource=nowak-2025&start=nowak-2025-q001&end=nowak-2025-q002&down=0", 400),
        ("resource=nowak-2025&down=x", 400),
        ("resource=nowak-2025&down=-2", 400),
        ("resource=nowak-2025&start=nowak-2025-q010&end=nowak-2025-q002&down=1", 400),  # end before start
        ("resource=nobody&down=1", 404),
        ("resource=nowak-2025&ref=himmer-1976-q001", 404),  # a unit of another resource
        ("resource=nowak-2025&tree=chapters&down=1", 404),
        ("resource=nowak-2025&down=1&page=99", 404),
    ],
)
def test_navigation_refuses_what_the_specification_refuses(client, query, status):
    found = get(client, f"/dts/navigation/?{query}", status)
    assert found["error"]["status"] == status and found["error"]["message"]


@pytest.mark.parametrize(
    "query,status",
    [
        ("", 400),
        ("resource=nowak-2025&ref=a&start=b&end=c", 400),
        ("resource=nowak-2025&end=nowak-2025-q002", 400),
        ("resource=nobody", 404),
        ("resource=nowak-2025&ref=nope", 404),
        ("resource=nowak-2025&ref=nowak-2025-q001&tree=chapters", 404),
        ("resource=nowak-2025&mediaType=text/html", 404),
        ("resource=nowak-2025&ref=nowak-2025-q001&page=1&nav=x", 200),  # unknown parameters are no error
    ],
)
def test_document_refuses_what_the_specification_refuses(client, query, status):
    r = client.get(f"/dts/document/?{query}")
    assert r.status_code == status, (query, r.text[:200])


def test_collection_errors(client):
    assert get(client, "/dts/collection/?id=nobody", 404)["error"]["status"] == 404
    assert get(client, "/dts/collection/?nav=sideways", 400)["error"]["status"] == 400


# --- documents -------------------------------------------------------------------------------------


def _unwrapped(root: etree._Element) -> etree._Element:
    out = copy.deepcopy(root)
    (wrapper,) = out.iter(f"{{{DTS_NS}}}wrapper")
    parent = wrapper.getparent()
    at = parent.index(wrapper)
    for i, child in enumerate(list(wrapper)):
        parent.insert(at + i, child)
    parent.remove(wrapper)
    etree.cleanup_namespaces(out)
    return out


@pytest.mark.parametrize(
    "query,wanted",
    [
        ("resource=nowak-2025&ref=nowak-2025-q003", ["nowak-2025-q003"]),
        ("resource=nowak-2025&ref=nowak-2025-q017/nowak-2025-q017-n1", ["nowak-2025-q017-n1"]),
        ("resource=nowak-2025&start=nowak-2025-q016&end=nowak-2025-q018", ["nowak-2025-q016", "nowak-2025-q017", "nowak-2025-q018"]),
        ("resource=himmer-1976&tree=page&ref=672", ["himmer-1976-q015", "himmer-1976-q016", "himmer-1976-q017"]),
        ("resource=quotecorpus&ref=himmer-1976-q037", ["himmer-1976-q037"]),
    ],
)
def test_a_document_of_a_unit_or_range_is_wrapped_and_valid_unwrapped(client, tei_all, query, wanted):
    r = client.get(f"/dts/document/?{query}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/tei+xml")
    assert 'rel="collection"' in r.headers["link"]
    root = etree.fromstring(r.content)
    assert root.tag == P.T + "TEI"
    (wrapper,) = root.iter(f"{{{DTS_NS}}}wrapper")
    assert wrapper.getparent().tag == P.T + "body"
    inside = set(wrapper.xpath(".//@xml:id"))
    assert set(wanted) <= inside
    unwrapped = _unwrapped(root)
    assert tei_all.validate(unwrapped), str(tei_all.error_log)[:500]
    assert errors(unwrapped) == []  # self-contained: every pointer resolves, every language declared
    assert root.find(f"{P.T}teiHeader/{P.T}encodingDesc/{P.T}refsDecl") is not None


def test_a_whole_resource_is_its_published_file(client, built):
    r = client.get("/dts/document/?resource=himmer-1976")
    assert r.status_code == 200 and r.content == (built.tei / "himmer-1976.xml").read_bytes()


def test_every_quotation_page_and_the_home_page_link_dts(client):
    import lxml.html

    page = lxml.html.fromstring(client.get("/corpus/quotations/nowak-2025-q017-n1").text)
    url = page.cssselect("a[data-dts]")[0].get("href")
    assert url.endswith("/dts/document/?resource=nowak-2025&ref=nowak-2025-q017%2Fnowak-2025-q017-n1")
    assert client.get(url.replace("http://localhost", "")).status_code == 200
    home = lxml.html.fromstring(client.get("/").text)
    assert home.cssselect("a[data-dts-entry]") and home.cssselect("a[data-dts-example]")


def test_the_specification_is_the_one_we_answer_to():
    if not SPEC.exists():
        pytest.skip(f"{SPEC} is absent")
    assert '"dtsVersion": "1.0"' in SPEC.read_text(encoding="utf-8")


# --- a peer's implementation: dapytains -------------------------------------------------------------


def _walk(units):
    for u in units:
        yield u
        yield from _walk(u.children)


@pytest.mark.parametrize("article", ["himmer-1976", "nowak-2025"])
def test_dapytains_resolves_every_quotation_to_our_text(built, article):
    tei = pytest.importorskip("dapytains.tei.document", reason="dapytains is not installed: run scripts/dev setup")
    doc = tei.Document(str(built.tei / f"{article}.xml"))
    assert list(doc.citeStructure) == ["quotation", "page"] and doc.default_tree == "quotation"
    conn = sqlite3.connect(built.db)
    rows = dict(conn.execute("select id, coalesce(original, translation) from quotations where article = ?", [article]).fetchall())
    seen = set()
    for unit in _walk(doc.get_reffs()):
        qid = unit.ref.split("/")[-1]
        passage = etree.fromstring(etree.tostring(doc.get_passage(unit.ref)))
        (cit,) = passage.xpath("//*[@xml:id=$i]", i=qid)
        printed = text_of(cit.find(P.T + "quote"), "sic")
        english = cit.find(f"{P.T}cit[@type='translation']/{P.T}quote")
        assert (printed if printed is not None else text_of(english, "sic")) == rows[qid], qid
        seen.add(qid)
    assert seen == set(rows)  # every quotation of the article, nested ones included
    pages = [u.ref for u in doc.get_reffs("page")]
    found = [
        str(p)
        for (p,) in conn.execute(
            "select page from quotations where article = ? and part_of is null group by page order by min(rowid)", [article]
        )
    ]
    assert pages == found


@pytest.mark.parametrize("resource", ["nowak-2025", "himmer-1976", "quotecorpus"])
def test_pages_of_the_whole_tree_are_the_tree_in_document_order(client, built, monkeypatch, resource):
    """The whole tree (`down=-1`) is paginated without sorting every unit (dts._whole_tree_page): its
    pages, here of 7 units so that pages begin and end inside a quotation's nested ones, put together
    are the one-page answer, and each unit follows its outer quotation."""
    from quotecorpus.dts import service as dts

    whole = [u["identifier"] for u in get(client, f"/dts/navigation/?resource={resource}&down=-1")["member"]]
    assert any("/" in u for u in whole) or resource == "himmer-1976"
    monkeypatch.setattr(dts, "PAGE_SIZE", 7)
    paged, n = [], 1
    while True:
        found = get(client, f"/dts/navigation/?resource={resource}&down=-1&page={n}")
        assert len(found["member"]) <= 7
        paged += [u["identifier"] for u in found["member"]]
        if not found["view"]["next"]:
            break
        n += 1
    assert paged == whole and len(set(paged)) == len(paged)
    cte, params = dts.units_sql("quotation", resource)  # every unit, sorted: what the pages spare the server
    with sqlite3.connect(built.db) as conn:
        assert paged == [r[0] for r in conn.execute(f"{cte} select identifier from units order by k1, k2", params)]
    for i, unit in enumerate(paged):
        if "/" in unit:
            assert paged[i - 1] == unit.split("/")[0] or paged[i - 1].startswith(unit.split("/")[0] + "/")


def _dapytains(path: Path):
    """dapytains' Document of one of our files. It reads the citation trees of a TEI's header only
    (/TEI/teiHeader): a teiCorpus's, which it does not look for, are given to its own parser."""
    tei = pytest.importorskip("dapytains.tei.document", reason="dapytains is not installed: run scripts/dev setup")
    structure = pytest.importorskip("dapytains.tei.citeStructure")
    doc = tei.Document(str(path))
    if not doc.citeStructure:
        proc = structure.get_xpath_proc(elem=doc.xml, processor=doc.xml_processor)
        for decl in proc.evaluate("/teiCorpus/teiHeader/encodingDesc/refsDecl[citeStructure]"):
            doc.citeStructure[decl.get_attribute_value("n")] = structure.CiteStructureParser(decl, processor=doc.xml_processor)
        doc.default_tree = "article"
    return doc


@pytest.mark.parametrize("resource", ["himmer-1976", "nowak-2025", "quotecorpus"])
def test_dapytains_and_our_server_agree_on_every_page(client, built, resource):
    """Every page unit of the page tree, as dapytains resolves it from our TEI (the unit's element and
    its descendants), holds exactly the quotations our Navigation and Document endpoints give for it."""
    doc = _dapytains(built.tei / P.tei_file_name("corpus" if resource == "quotecorpus" else resource))
    pages = [u.ref for u in doc.get_reffs("page")]
    assert pages == ids(get(client, f"/dts/navigation/?resource={resource}&tree=page&down=1"))
    for page in pages:
        passage = etree.fromstring(etree.tostring(doc.get_passage(page, tree="page")))
        theirs = passage.xpath("//t:div[@type='page']/t:cit/@xml:id", namespaces=P.NS)
        ours = [u.split("/")[1] for u in ids(get(client, f"/dts/navigation/?resource={resource}&tree=page&ref={page}&down=1"))[1:]]
        assert theirs == ours and ours, page
        served = etree.fromstring(client.get(f"/dts/document/?resource={resource}&tree=page&ref={page}").content)
        assert served.xpath("//dts:wrapper/t:div/t:cit/@xml:id", namespaces={**P.NS, "dts": DTS_NS}) == ours, page


def test_the_page_trees_of_both_articles_are_the_42_pages(built):
    counts = [len(_dapytains(built.tei / f"{a}.xml").get_reffs("page")) for a in ("himmer-1976", "nowak-2025")]
    conn = sqlite3.connect(built.db)
    pages = "select count(*) from (select distinct article, page from quotations where part_of is null)"
    assert sum(counts) == conn.execute(pages).fetchone()[0] == 42
    assert len(_dapytains(built.tei / "quotecorpus.xml").get_reffs("page")) == sum(counts)


def test_a_page_fragment_unwrapped_as_the_readme_says_is_valid_tei(client, tei_all):
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert "parent = w.getparent(); i = parent.index(w); parent[i:i + 1] = list(w)" in readme
    root = etree.fromstring(client.get("/dts/document/?resource=himmer-1976&tree=page&ref=671").content)
    (w,) = root.iter(f"{{{DTS_NS}}}wrapper")
    parent = w.getparent()
    i = parent.index(w)
    parent[i : i + 1] = list(w)
    etree.cleanup_namespaces(root)
    assert DTS_NS not in etree.tostring(root).decode()
    assert tei_all.validate(root), str(tei_all.error_log)[:500]
    assert errors(root) == []
    (page,) = root.xpath("/t:TEI/t:text/t:body/t:div[@type='page']", namespaces=P.NS)
    assert page.get("n") == "671" and len(page.xpath("t:cit", namespaces=P.NS)) == 12  # Himmer p. 671: 12 quotations
