"""Datasette over the real database: the contract, facets, search and the .tei renderer."""

from __future__ import annotations

import sqlite3

from quotecorpus import tei_validate
from quotecorpus.load import COLUMNS

CONTRACT = {
    "quotations": "id article page footnote kind language original original_corrected transliteration translation speaker "
    "addressee date document certainty detected_language detected_probability note",
    "articles": "id author title journal year doi translator",
    "persons": "id name name_original variants",
    "documents": "id date type author recipient language reference",
    "works": "id title title_corrected language transliteration",
}


def test_database_has_the_public_contract(built):
    db = sqlite3.connect(built.db)
    for table, columns in CONTRACT.items():
        have = [r[1] for r in db.execute(f"pragma table_info({table})")]
        assert have == COLUMNS[table]
        assert set(columns.split()) <= set(have), table
    fks = {(r[3], r[2]) for r in db.execute("pragma foreign_key_list(quotations)")}
    assert fks == {("article", "articles"), ("speaker", "persons"), ("addressee", "persons"), ("document", "documents")}
    assert db.execute("pragma foreign_key_check").fetchall() == []


def test_russian_filter_returns_only_russian_rows(client, built):
    expected = {r[0] for r in sqlite3.connect(built.db).execute("select id from quotations where language = 'ru'")}
    r = client.get("/corpus/quotations.json?language=ru&_shape=objects&_size=max")
    assert r.status_code == 200
    assert {row["id"] for row in r.json()["rows"]} == expected and len(expected) > 20


def test_facets_and_labels(client):
    body = client.get("/corpus/quotations.json?_labels=on").json()
    assert set(body["facet_results"]) == {"language", "article", "kind", "speaker"}


def _tei(response, tei_all):
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"] == "application/tei+xml; charset=utf-8"
    tree = tei_validate.parse_safely(response.content)
    assert tei_all.validate(tree), str(tei_all.error_log)[:2000]
    assert tei_validate.errors(tree) == []
    return tree


def _cit_ids(tree) -> list[str]:
    return tree.xpath("//t:body//t:cit/@xml:id", namespaces={"t": "http://www.tei-c.org/ns/1.0"})


def test_tei_of_a_filtered_view_holds_exactly_those_rows(client, built, tei_all):
    expected = [r[0] for r in sqlite3.connect(built.db).execute("select id from quotations where language = 'ru' order by id")]
    tree = _tei(client.get("/corpus/quotations.tei?language=ru&_size=10"), tei_all)  # more than one page: all pages are exported
    assert sorted(_cit_ids(tree)) == expected


def test_tei_of_one_row_carries_what_it_points_to(client, built, tei_all):
    qid, speaker, document = (
        sqlite3.connect(built.db)
        .execute("select id, speaker, document from quotations where speaker is not null and document is not null order by id")
        .fetchone()
    )
    tree = _tei(client.get(f"/corpus/quotations/{qid}.tei"), tei_all)
    assert _cit_ids(tree) == [qid]
    ids = set(tree.xpath("//@xml:id"))
    assert {speaker, document} <= ids
    assert tree.xpath("//*[local-name()='biblStruct']/*[local-name()='analytic']/*[local-name()='idno']/text()")


def test_tei_of_a_canned_query(client, tei_all):
    tree = _tei(client.get("/corpus/russian_with_english.tei"), tei_all)
    assert len(_cit_ids(tree)) > 20


def test_tei_without_an_id_column_is_a_clear_400(client):
    r = client.get("/corpus.tei?sql=select+1")
    assert r.status_code == 400
    assert r.text.startswith("The .tei format needs an 'id' column holding quotation ids")
    assert "this result has the column(s): 1." in r.text


def test_tei_of_rows_that_are_not_quotations_is_a_clear_400(client):
    r = client.get("/corpus.tei?sql=select+id+from+persons+limit+2")
    assert r.status_code == 400
    assert "The .tei format renders quotations only: these ids are not quotations:" in r.text


def test_search_in_latin_finds_cyrillic(client):
    rows = client.get("/corpus/quotations.json?_search=Germanii&_shape=objects").json()["rows"]
    assert rows and all("Германии" in r["original"] for r in rows)  # through the transliteration column


def test_folded_search_finds_polish_without_diacritics(client):
    rows = client.get("/corpus/quotations.json?_search=przemyslowcami&_shape=objects").json()["rows"]
    assert [r["language"] for r in rows] == ["pl"]
    assert "przemysłowcami" in rows[0]["original"]


def test_row_page_renders(client, built):
    qid = sqlite3.connect(built.db).execute("select id from quotations where original is not null order by id").fetchone()[0]
    r = client.get(f"/corpus/quotations/{qid}")
    assert r.status_code == 200 and qid in r.text
