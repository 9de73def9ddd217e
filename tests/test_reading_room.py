"""The reading room's pages, rendered by the real Datasette (in process) over the real corpus."""

from __future__ import annotations

import re
import sqlite3

import lxml.html
import pytest
from lxml import etree

from quotecorpus import RELEASE_DATE, __version__
from quotecorpus.tei.validate import errors

ALA_LC = "ru-Latn-t-ru-cyrl-m0-alaloc"


def page(client, path: str) -> lxml.html.HtmlElement:
    r = client.get(path)
    assert r.status_code == 200, (path, r.text[-500:])
    return lxml.html.fromstring(r.text)


def text(el) -> str:
    return " ".join(el.text_content().split())


def record(doc) -> dict[str, str]:
    """A page's <dl class="record"> as {term: description}."""
    dl = doc.cssselect("dl.record")[0]
    return {text(dt): text(dt.getnext()) for dt in dl.cssselect("dt")}


def local_links(doc) -> set[str]:
    return {h for h in doc.xpath("//a/@href") if h.startswith("/") and not h.startswith("//")}


@pytest.fixture(scope="module")
def db(built):
    conn = sqlite3.connect(built.db)
    conn.row_factory = sqlite3.Row
    yield conn
    conn.close()


# --- home ----------------------------------------------------------------------------------------


def test_home_says_what_the_corpus_is_and_where_it_comes_from(client):
    home = page(client, "/")
    body = text(home)
    assert "Soviet Policy Toward Germany During the Russo-Polish War, 1920" in body
    assert {"https://doi.org/10.2307/2495657", "https://doi.org/10.12775/SDR.2025.EN9.04"} <= set(home.xpath("//a/@href"))
    assert "Anna Kijak" in body
    cite = text(home.cssselect("section.cite .cite-line")[0])
    assert cite.startswith(f"quotecorpus, version {__version__} ({RELEASE_DATE}): Russian, German and Polish quotations")
    assert "CC BY 4.0" in cite and "doi:10.2307/2495657" in cite


def test_home_counts_by_language_and_kind_link_to_the_rows_they_count(client, db):
    home = page(client, "/")
    russian = home.cssselect('a[data-language="ru"]')[0]
    assert russian.get("href") == "/corpus/quotations?language=ru"
    row = russian.getparent().getparent()
    expected = db.execute("select count(*) from quotations where language = 'ru' and kind = 'quotation'").fetchone()[0]
    assert "/corpus/quotations?language=ru&kind=quotation" in row.xpath(".//a/@href")
    assert str(expected) in [text(a) for a in row.xpath(".//a")]
    total = db.execute("select count(*) from quotations").fetchone()[0]
    assert text(home.cssselect("table.counts-table tfoot td:last-child a")[0]) == str(total)


def test_home_links_every_download_and_every_link_resolves(client):
    home = page(client, "/")
    downloads = {a.get("data-download"): a.get("href") for a in home.cssselect("a[data-download]")}
    assert downloads["corpus-tei"] == "/tei/quotecorpus.xml"
    assert downloads["sqlite"] == "/corpus.db"
    hrefs = local_links(home)
    assert {"/tei/himmer-1976.xml", "/tei/nowak-2025.xml", "/corpus/quotations.tei", "/corpus/quotations.tmx"} <= hrefs
    assert "/corpus/persons/kopp" in hrefs and "/corpus/documents/doc-trotsky-note-1920-08-15" in hrefs
    for href in sorted(hrefs):
        assert client.get(href).status_code == 200, href


def test_home_search_box_searches_quotations(client):
    form = page(client, "/").cssselect("form.room-search")[0]
    assert form.get("action") == "/corpus/quotations"
    assert form.cssselect("input[type=search]")[0].get("name") == "_search"
    assert not form.cssselect("input[type=hidden]")  # ranked across all matches: no need to ask for them all


def test_the_sqlite_file_downloads(client, built):
    r = client.get("/corpus.db")
    assert r.status_code == 200
    assert r.content == built.db.read_bytes()


# --- quotation page --------------------------------------------------------------------------------


def test_quotation_page_shows_the_three_texts_side_by_side_with_their_languages(client):
    doc = page(client, "/corpus/quotations/nowak-2025-q002")
    original = doc.cssselect('[data-role="original"]')[0]
    romanized = doc.cssselect('[data-role="transliteration"]')[0]
    english = doc.cssselect('[data-role="translation"]')[0]
    assert original.get("lang") == "ru"
    assert romanized.get("lang") == ALA_LC
    assert english.get("lang") == "en"
    assert text(original).startswith("Белая Польша была той непроницаемой стеной")
    assert text(romanized).startswith("Belaia Pol'sha byla toi nepronitsaemoi stenoi")
    assert text(english).startswith("A White Poland was that impenetrable wall")
    assert original.getparent().getparent() is english.getparent().getparent()  # one parallel block
    others = {el.get("lang") for el in doc.cssselect('[data-role="transliteration-other"]')}
    assert others == {f"{ALA_LC}-x-diacrit", "ru-Latn-t-ru-cyrl-m0-iso-1995"}
    assert text(doc.cssselect(".room")[0]) and doc.cssselect(".room")[0].get("lang") == "en"


def test_quotation_page_shows_each_correction_with_the_printed_reading(client):
    doc = page(client, "/corpus/quotations/nowak-2025-q002")
    corr = doc.cssselect('[data-role="original"] .choice')[0]
    assert text(corr.cssselect("ins.corr")[0]) == "революцию"
    assert text(corr.cssselect(".sic del")[0]) == "революциию"
    assert "original: printed революциию, corrected to революцию" in text(doc.cssselect("section.corrections")[0])
    # the author's insertion keeps its brackets and the printed ellipsis its form
    assert text(doc.cssselect('[data-role="translation"] .supplied')[0]) == "[literally: gunpowder cellars]"
    assert [text(e) for e in doc.cssselect('[data-role="original"] .ellipsis')] == ["[…]"]


def test_quotation_known_only_in_english_says_so_and_shows_its_english_correction(client):
    doc = page(client, "/corpus/quotations/himmer-1976-q014")
    assert not doc.cssselect('[data-role="original"]') and not doc.cssselect('[data-role="transliteration"]')
    assert text(doc.cssselect('[data-role="original-not-printed"]')[0]) == "(the German original is not printed)"
    assert doc.cssselect(".parallel.english-only")  # the English at full width
    assert "English: printed Dreibtind, corrected to Dreibund" in text(doc.cssselect("section.corrections")[0])
    facts = record(doc)
    assert facts["Speaker or writer"] == "not stated in the article"
    # in plain words: what is uncertain, how likely, why
    assert facts["What is not certain"].startswith("Language of the original inferred (probable): words recorded in a German")
    assert text(doc.cssselect("h1")[0]).startswith("Unattributed")


def test_quotation_page_has_its_facts_and_a_citation_line(client):
    doc = page(client, "/corpus/quotations/nowak-2025-q002")
    facts = record(doc)
    assert facts["Speaker or writer"] == "Lev Trotsky" and facts["Date"] == "21 July 1920"
    assert facts["Printed in"] == "Nowak 2025, p. 111"
    assert doc.cssselect('dl.record a[href="/corpus/documents/doc-trotsky-speech-1920-07-21"]')
    assert text(doc.cssselect(".cite-line")[0]) == (
        "Lev Trotsky, 21 July 1920, quoted in Andrzej Nowak, Studia z Dziejów Rosji i Europy Środkowo-Wschodniej (2025), "
        "trans. Anna Kijak, https://doi.org/10.12775/SDR.2025.EN9.04, p. 111. "
        f"quotecorpus, version {__version__} ({RELEASE_DATE}), quotation nowak-2025-q002."
    )  # no public base URL configured: a relative link, never the request's host
    himmer = page(client, "/corpus/quotations/himmer-1976-q037")
    assert text(himmer.cssselect(".cite-line")[0]).startswith(
        "Lev Trotsky, 15 August 1920, quoted in Robert Himmer, “Soviet Policy Toward Germany During the Russo-Polish War, 1920,” "
        "Slavic Review 35, no. 4 (1976), https://doi.org/10.2307/2495657, p. 677"
    )


def test_quotation_page_links_its_tei_and_its_article_tei(client, tei_all):
    doc = page(client, "/corpus/quotations/nowak-2025-q002")
    links = {a.get("data-download"): a.get("href") for a in doc.cssselect("a[data-download]")}
    assert links["article-tei"] == "/tei/nowak-2025.xml"
    tei = client.get(links["tei"])
    assert tei.headers["content-type"] == "application/tei+xml; charset=utf-8"
    root = etree.fromstring(tei.content)
    assert root.xpath("//*[@xml:id]/@xml:id").count("nowak-2025-q002") == 1
    assert tei_all.validate(root), tei_all.error_log
    assert errors(root) == []
    assert client.get(links["tmx"]).status_code == 200
    assert client.get(links["article-tei"]).status_code == 200


def test_quotation_page_points_to_the_same_document_in_the_other_article(client):
    doc = page(client, "/corpus/quotations/himmer-1976-q037")
    same = doc.cssselect("section.same-document")[0]
    assert "/corpus/quotations/nowak-2025-q203" in same.xpath(".//a/@href")


# --- person and document pages ------------------------------------------------------------------


def test_person_page_has_every_quotation_of_the_person_in_date_order(client, db):
    doc = page(client, "/corpus/persons/kopp")
    expected = [
        r[0]
        for r in db.execute(
            "select id from quotations where speaker = 'kopp' order by date_from is null, date_from, date_to, article, page, id"
        )
    ]
    spoken = doc.cssselect("section.spoken")[0]
    assert [c.get("data-id") for c in spoken.cssselect("article.quotation-card")] == expected
    assert text(doc.cssselect("h1")[0]) == "Viktor Kopp"
    assert doc.cssselect('dd[lang="ru"]')[0].text == "В.Л. Копп"
    links = {a.get("data-download"): a.get("href") for a in spoken.cssselect("a[data-download]")}
    assert links == {"tei": "/corpus/quotations.tei?speaker=kopp&_stream=on", "tmx": "/corpus/quotations.tmx?speaker=kopp&_stream=on"}
    assert not spoken.cssselect("p.more")  # all of them are shown (under PAGE)


def test_a_long_person_page_shows_the_first_and_links_all(client, db, monkeypatch):
    from quotecorpus.web.reading_room import pages

    monkeypatch.setattr(pages, "PAGE", 5)
    doc = page(client, "/corpus/persons/kopp")
    total = db.execute("select count(*) from quotations where speaker = 'kopp'").fetchone()[0]
    spoken = doc.cssselect("section.spoken")[0]
    assert len(spoken.cssselect("article.quotation-card")) == 5
    assert f"{total} quotations of Viktor Kopp" in text(spoken.cssselect("h2")[0])
    more = spoken.cssselect("p.more a")[0]
    assert more.get("href") == "/corpus/quotations?speaker=kopp" and f"all {total}" in text(more)


def test_document_page_shows_both_articles_side_by_side(client):
    doc = page(client, "/corpus/documents/doc-trotsky-note-1920-08-15")
    columns = doc.cssselect(".side-by-side > section.article-column")
    assert [c.get("data-article") for c in columns] == ["himmer-1976", "nowak-2025"]
    himmer, nowak = ([text(t) for t in c.cssselect('[data-role="translation"]')] for c in columns)
    assert "stupid" in himmer and nowak == ["idiotic"]
    assert "What the document says in two articles" in text(doc)


def test_every_link_on_the_row_pages_resolves(client):
    for path in ("/corpus/quotations/nowak-2025-q002", "/corpus/persons/chicherin", "/corpus/documents/doc-chicherin-simons-1920-08-02"):
        for href in sorted(local_links(page(client, path))):
            assert client.get(href).status_code == 200, (path, href)


def test_an_unknown_row_is_a_404(client):
    assert client.get("/corpus/quotations/nowak-2025-q999").status_code == 404


# --- the quotations table: cards, search, facets -----------------------------------------------------


def test_filtered_table_reads_as_parallel_cards(client, db):
    doc = page(client, "/corpus/quotations?language=ru&_size=max")
    cards = doc.cssselect("article.quotation-card")
    assert len(cards) == db.execute("select count(*) from quotations where language = 'ru'").fetchone()[0]
    printed = [c for c in cards if c.cssselect('[data-role="original"]')]
    assert printed and all(c.cssselect('[data-role="original"]')[0].get("lang") in ("ru", "ru-Latn") for c in printed)
    cyrillic = [c for c in cards if c.cssselect('[data-role="original"][lang="ru"]')]
    assert cyrillic and all(c.cssselect('[data-role="transliteration"]')[0].get("lang") == ALA_LC for c in cyrillic)
    # a Russian term the article prints in Latin letters is tagged as such, with no second romanization
    term = next(c for c in cards if c.get("data-id") == "nowak-2025-t002")
    assert term.cssselect('[data-role="original"]')[0].get("lang") == "ru-Latn"
    assert not term.cssselect('[data-role="transliteration"]')
    plain = page(client, "/corpus/quotations?language=ru&_view=table")
    assert not plain.cssselect("article.quotation-card") and plain.cssselect("table.rows-and-columns")


def test_search_results_are_ranked_by_relevance_and_say_where_they_matched(client):
    doc = page(client, "/corpus/quotations?_search=Chicherin&_size=max")
    ids = [c.get("data-id") for c in doc.cssselect("article.quotation-card")]
    body = client.get("/corpus/quotations.json?_search=Chicherin&_size=max&_shape=objects").json()
    assert ids == [r["id"] for r in body["rows"]]  # the same order as the JSON of the same search
    assert doc.findtext(".//title") == "Search: Chicherin · quotecorpus"
    assert text(doc.cssselect("h1")[0]) == "Search: Chicherin"
    assert text(doc.cssselect(".view-switch")[0]).startswith("Ranked by relevance, best match first.")
    matched = {c.get("data-id"): text(c.cssselect(".matched")[0]) for c in doc.cssselect("article.quotation-card")}
    assert all(m.startswith("Matched in:") for m in matched.values())
    assert "the speaker's name" in matched["nowak-2025-q008"]  # the profile's label (Searched)


@pytest.mark.parametrize(
    ("query", "record", "where"),
    [
        ("революцию", "nowak-2025-q002", "Russian original"),
        ("revoliutsiiu", "nowak-2025-q002", "romanization"),
        ("gunpowder", "nowak-2025-q002", "English"),
        ("Pol'sha", "nowak-2025-q002", "romanization"),
        ("revolûciû", "nowak-2025-q002", "romanization"),
        ("Dreibund", "himmer-1976-t005", "German original"),
    ],
)
def test_search_in_any_script_shows_the_language_that_matched(client, query, record, where):
    doc = page(client, f"/corpus/quotations?_search={query}&_size=max")
    cards = {c.get("data-id"): c for c in doc.cssselect("article.quotation-card")}
    assert record in cards, sorted(cards)
    assert where in text(cards[record].cssselect(".matched")[0])
    assert cards[record].cssselect(".parallel mark")  # the matched words are marked in the texts shown


def test_search_keeps_datasette_facets_to_narrow_the_results(client):
    doc = page(client, "/corpus/quotations?_search=Chicherin&_size=max")
    facets = {f.get("data-column") for f in doc.cssselect(".facet-info")}
    assert {"language", "article", "kind", "speaker"} <= facets
    narrowed = page(client, "/corpus/quotations?_search=Chicherin&_size=max&language=de&article=himmer-1976")
    cards = narrowed.cssselect("article.quotation-card")
    assert cards and all("German" in text(c.cssselect(".badge.lang")[0]) for c in cards)
    assert all(c.get("data-id").startswith("himmer-1976") for c in cards)


def test_a_hyphen_or_apostrophe_in_a_search_is_not_an_error(client):
    for query in ("Brest-Litovsk", "Rapall'skogo", "Pol'sha"):
        assert client.get(f"/corpus/quotations?_search={query}").status_code == 200, query


def test_an_explicit_sort_overrides_the_ranking(client):
    doc = page(client, "/corpus/quotations?_search=Chicherin&_size=max&_sort=date")
    assert "ranked" not in text(doc.cssselect(".view-switch")[0]).lower()


def test_every_address_in_the_readme_answers(client):
    from quotecorpus.pipeline.build import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    paths = {p for p in re.findall(r"`(/[^`\s]*)`", readme) if "<" not in p}
    assert {"/", "/corpus/quotations/nowak-2025-q002", "/tei/quotecorpus.xml", "/corpus.db"} <= paths
    for path in sorted(paths):
        assert client.get(path).status_code == 200, path


def test_citations_use_the_configured_public_base_url(built):
    import asyncio

    from quotecorpus.web.serving import make_datasette

    ds = make_datasette(built, base_url="https://quotecorpus.example.org/")
    html = asyncio.run(ds.client.get("/corpus/quotations/nowak-2025-q002", headers={"host": "evil.example.org"})).text
    doc = lxml.html.fromstring(html)
    assert text(doc.cssselect(".cite-line")[0]).endswith("https://quotecorpus.example.org/corpus/quotations/nowak-2025-q002.")
    assert "evil.example.org" not in text(doc.cssselect(".cite-line")[0])
