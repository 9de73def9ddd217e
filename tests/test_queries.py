"""The research queries (canned queries) are right and readable, and every table and query page reads
as text: ids linked, labels beside them, no raw JSON, SQL folded away, a valid `.tei` of each."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from urllib.parse import urlencode

import lxml.html
import pytest

from conftest import JING, JING_HOW_TO_ENABLE, entry_ids, export_entries
from quotecorpus.db.metadata import QUERIES, database
from quotecorpus.layout import ROOT
from quotecorpus.tei import validate as tei_validate
from quotecorpus.web.sql_functions import register_functions

TEI_ALL_RNG = ROOT / "tei" / "schema" / "tei_all.rng"
# The parameters each query is asked with here ("" = all); any other query takes none.
PARAMS = {
    "by_person": {"person": "kopp"},
    "same_document": {"document": ""},
    "documents_across_articles": {"document": ""},
    "german_sources": {"article": ""},
}
# Rows that are not quotations: no TEI of them, and their page says so in its description.
NOT_QUOTATIONS = {"works_across_articles"}
# Empty while every disagreement of the detector is explained (see `quotecorpus audit-languages`).
MAY_BE_EMPTY = {"language_audit"}
KOPP = ["Kopp", "Копп", "kopp", "KOPP", "Viktor Kopp", "В.Л. Копп", "В.Л. Коппа", "viktor kópp", " Kopp "]


def _url(name: str, ext: str = "", **extra) -> str:
    params = PARAMS.get(name, {}) | extra
    return f"/corpus/{name}{ext}" + ("?" + urlencode(params) if params else "")


def _rows(client, name: str, **params) -> list[dict]:
    r = client.get(_url(name, ".json", _shape="objects", _size="max", **params))
    assert r.status_code == 200, r.text[:500]
    return r.json()["rows"]


def _page(client, path: str) -> lxml.html.HtmlElement:
    r = client.get(path)
    assert r.status_code == 200, (path, r.text[-500:])
    return lxml.html.fromstring(r.text)


# --- every query: valid TEI, readable page, public columns only ------------------------------------


@pytest.fixture(scope="module")
def query_teis(client, tmp_path_factory) -> dict:
    """The `.tei` of every canned query of quotations, as served (in a file, for jing) and parsed."""
    out = tmp_path_factory.mktemp("query-tei")
    found = {}
    for name in QUERIES:
        if name in NOT_QUOTATIONS:
            continue
        r = client.get(_url(name, ".tei", _size="max"))
        assert r.status_code == 200, (name, r.text[:500])
        assert r.headers["content-type"] == "application/tei+xml; charset=utf-8"
        (out / f"{name}.xml").write_bytes(r.content)
        found[name] = (out / f"{name}.xml", tei_validate.parse_safely(r.content))
    return found


def test_every_query_of_quotations_gives_valid_tei(query_teis, tei_all):
    assert set(query_teis) == set(QUERIES) - NOT_QUOTATIONS
    for name, (_, tree) in query_teis.items():
        assert tei_all.validate(tree), (name, str(tei_all.error_log)[:2000])
        assert tei_validate.errors(tree) == [], name
        ids = tree.xpath("//@xml:id")
        assert len(ids) == len(set(ids)), name


@pytest.mark.skipif(JING is None, reason=JING_HOW_TO_ENABLE)
def test_every_query_tei_is_valid_for_jing_too(query_teis):
    """A second RELAX NG validator, not libxml2, on the bytes as served (one run for all: a JVM each is slow)."""
    files = [str(path) for path, _ in query_teis.values()]
    done = subprocess.run([JING, str(TEI_ALL_RNG), *files], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[:3000]


def test_each_query_tei_holds_exactly_its_quotations(client, built, query_teis):
    for name, (_, tree) in query_teis.items():
        rows = _rows(client, name)
        shown = [i for r in rows for i in (r["id"], r.get("parallel_id")) if i]
        assert shown or name in MAY_BE_EMPTY, name
        assert sorted(entry_ids(tree)) == sorted(export_entries(built.db, shown)), name


def test_a_query_of_works_says_it_has_no_tei(client):
    r = client.get("/corpus/works_across_articles.tei")
    assert r.status_code == 400 and "needs an 'id' column holding quotation ids" in r.text
    assert "work_id" in r.text


@pytest.mark.parametrize("name", list(QUERIES))
def test_every_query_page_is_readable(client, name):
    """A research question reads as a page (tests/test_research_pages.py for its parts): its title, no SQL
    unless asked for, no raw JSON, every quotation's and entry's id a link to its page."""
    page = _page(client, _url(name))
    assert page.findtext(".//title") == f"{QUERIES[name]['title']} · quotecorpus"
    assert not page.cssselect("pre#sql-query, textarea#sql-editor, table.rows-and-columns"), "Datasette's query page"
    texts = [e.text_content().strip() for e in page.cssselect("article.quotation-card, table.research-table td, dl.extras dd")]
    assert texts or name in MAY_BE_EMPTY, name
    assert not [t for t in texts if t.startswith(("[{", '["', "[]"))], name
    for a in page.cssselect("a.quotation-link"):
        assert a.get("href") == f"/corpus/quotations/{a.text_content()}"
    for td in page.cssselect("table.research-table td.col-title"):
        assert td.cssselect("a")[0].get("href").startswith("/corpus/works/w-"), lxml.html.tostring(td)[:200]


def test_every_query_names_only_public_columns(built):
    """Read with SQLite's authorizer: every column a query reads is one described in the metadata."""
    public = {t: set(d["columns"]) for t, d in database()["tables"].items() if not d.get("hidden") and "columns" in d}
    read: set[tuple[str, str]] = set()

    def authorizer(action, table, column, db, source):
        if action == sqlite3.SQLITE_READ and table and column:
            read.add((table, column))
        return sqlite3.SQLITE_OK

    conn = sqlite3.connect(built.db)
    register_functions(conn)
    conn.set_authorizer(authorizer)
    for name, query in QUERIES.items():
        read.clear()
        conn.execute(query["sql"], PARAMS.get(name, {})).fetchall()
        outside = {(t, c) for t, c in read if t not in ("json_each", "json_tree", "sqlite_master") and c not in public.get(t, ())}
        assert not outside, (name, outside)
        assert query.get("hide_sql") is True and query.get("title") and query.get("description"), name


# --- by_person: any name form --------------------------------------------------------------------


def test_by_person_takes_any_printed_name_in_either_script(client):
    expected = [r["id"] for r in _rows(client, "by_person", person="kopp")]
    assert len(expected) > 30
    for form in KOPP:
        assert [r["id"] for r in _rows(client, "by_person", person=form)] == expected, form
    # a name printed only in Latin letters, typed in Cyrillic (romanized), and a romanization of the Cyrillic
    assert {r["speaker_id"] for r in _rows(client, "by_person", person="Чичерин")} == {"chicherin"}
    assert {r["speaker_id"] for r in _rows(client, "by_person", person="Trockij")} == {"trotsky"}
    assert _rows(client, "by_person", person="") == [] and _rows(client, "by_person", person="Nobody") == []


def test_by_person_shows_the_corrected_reading_beside_the_printed_one(client):
    rows = {r["id"]: r for r in _rows(client, "by_person", person="Kopp")}
    bastard = rows["nowak-2025-q001"]
    assert bastard["original"] == "ублюююдочный" and bastard["corrected_reading"] == "ублюдочный"
    assert bastard["transliteration"] == "ubliudochnyi"  # of the corrected reading
    assert bastard["speaker"] == "Viktor Kopp" and bastard["addressee"] == "Georgy Chicherin"
    # where nothing is corrected, the column is empty rather than a copy
    assert rows["nowak-2025-q003"]["original"] and rows["nowak-2025-q003"]["corrected_reading"] is None


# --- same_document and documents_across_articles: together only where the words are the same -----


def _parallel_sets(db) -> set[frozenset[str]]:
    conn = sqlite3.connect(db)
    return {
        frozenset([q, *json.loads(p)]) for q, p in conn.execute("select id, parallel from quotations where json_array_length(parallel) > 0")
    }


def test_same_document_groups_exactly_the_parallel_passages(client, built):
    rows = _rows(client, "same_document")
    passages: dict[str, set[str]] = {}
    for r in rows:
        passages.setdefault(r["passage_id"], set()).add(r["id"])
    assert set(map(frozenset, passages.values())) == _parallel_sets(built.db)
    assert len({r["id"] for r in rows}) == len(rows)
    trotsky = [r for r in rows if r["passage_id"] == "himmer-1976-q037"]  # Trotsky's note: "stupid" / 'idiotic'
    assert [(r["id"], r["cited_as"], r["translation"]) for r in trotsky] == [
        ("himmer-1976-q037", "Himmer 1976", "stupid"),
        ("nowak-2025-q203", "Nowak 2025", "idiotic"),
    ]
    assert not [r for r in rows if r["translation"].startswith("unpleasant recollections")]  # other words of the note
    one = _rows(client, "same_document", document="doc-chicherin-simons-1920-08-02")
    assert [(r["id"], r["original"]) for r in one] == [("himmer-1976-q041", None), ("nowak-2025-q005", "по возможности также политических")]


def test_documents_across_articles_lists_every_passage_unpaired(client, built):
    conn = sqlite3.connect(built.db)
    expected = {
        i
        for (i,) in conn.execute(
            "select id from quotations where document in (select document from quotations where document is not null "
            "group by document having count(distinct article) > 1)"
        )
    }
    rows = _rows(client, "documents_across_articles")
    assert {r["id"] for r in rows} == expected and len(rows) == len(expected)
    trotsky = {r["id"]: r for r in rows if r["document_id"] == "doc-trotsky-note-1920-08-15"}
    assert trotsky["himmer-1976-q038"]["translation"] == "unpleasant recollections." and trotsky["himmer-1976-q038"]["parallel"] is None
    assert trotsky["himmer-1976-q037"]["parallel"] == "nowak-2025-q203"
    assert {r["articles"] for r in trotsky.values()} == {2}


# --- uncertain: one row per quotation ------------------------------------------------------------


def test_uncertain_has_one_row_per_quotation_with_every_reason(client, built):
    rows = _rows(client, "uncertain")
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids))
    details = dict(sqlite3.connect(built.db).execute("select id, certainty_details from quotations where certainty_details is not null"))
    assert set(ids) == set(details)
    for r in rows:
        items = json.loads(details[r["id"]])
        assert r["uncertain"] == ", ".join(i["of"] for i in items)
        for i in items:
            assert f"{i['of']} ({i['cert']}): {i['reason']}" in r["reasons"]
    assert {"language", "speaker", "pairing", "date"} <= {u for r in rows for u in r["uncertain"].split(", ")}


# --- the other queries ---------------------------------------------------------------------------


def test_german_sources_without_a_repeated_column(client):
    rows = _rows(client, "german_sources", article="himmer-1976")
    assert {r["article"] for r in rows} == {"himmer-1976"}
    everywhere = _rows(client, "german_sources")
    assert {r["id"] for r in rows} < {r["id"] for r in everywhere} and {r["article"] for r in everywhere} == {"himmer-1976", "nowak-2025"}
    assert "reference" not in rows[0] and all(r["source"] for r in rows)
    # the works cited, their titles corrected beside the citation as printed (OCR kept)
    aa = [r for r in rows if "bctreffcnd" in r["source"]]
    assert aa and all("betreffend das Verhältnis Deutschland zu Russland" in r["works_cited"] for r in aa)


def test_works_across_articles_say_which_articles_cite_them_and_where(client):
    rows = {r["work_id"]: r for r in _rows(client, "works_across_articles")}
    assert rows["w-dvp"]["articles"] == "Himmer 1976, Nowak 2025" and rows["w-dvp"]["article_count"] == 2
    assert {"w-dvp", "w-trotsky-sochineniya", "w-trotsky-papers"} <= set(rows)
    assert rows["w-dvp"]["cited_in"] == "Himmer 1976: nn. 5, 36, 37, 60, 67; Nowak 2025: nn. 13, 29, 63"
    assert rows["w-dvp"]["variants"] == "Dokumenty vneshnei politiki SSSR | DVP"


# --- readable cells on every page, the stored values in JSON and CSV ------------------------------


@pytest.mark.parametrize("table", ["quotations", "persons", "documents", "works", "articles", "transliterations"])
def test_table_pages_show_no_raw_json(client, table):
    page = _page(client, f"/corpus/{table}?_view=table&_size=max")
    cells = [td.text_content().strip() for td in page.cssselect("table.rows-and-columns td")]
    assert cells and not [c for c in cells if c.startswith(("[{", '["', "[]"))], table


def test_cells_link_ids_and_read_lists(client):
    page = _page(client, "/corpus/persons?_view=table&id=bukharin")
    cited = page.cssselect("td.col-cited_in")[0]
    assert cited.text_content().strip() == "Himmer 1976: n. 18; Nowak 2025: pp. 110, 111"
    assert [a.get("href") for a in cited.cssselect("a")] == ["/corpus/articles/himmer-1976", "/corpus/articles/nowak-2025"]
    q = _page(client, "/corpus/quotations?_view=table&id=himmer-1976-q037")
    assert [a.get("href") for a in q.cssselect("td.col-parallel a")] == ["/corpus/quotations/nowak-2025-q203"]
    assert q.cssselect("td.col-works a")[0].text_content() == "The Trotsky Papers 1917–1922"
    assert q.cssselect("td.col-certainty_details")[0].text_content().startswith("language (high): ")
    # a query's own page, in SQL: the name beside its id links to the entry
    by_person = _page(client, "/corpus?" + urlencode({"sql": QUERIES["by_person"]["sql"], "person": "Kopp"}))
    speaker = by_person.cssselect("td.col-speaker a")[0]
    assert (speaker.text_content(), speaker.get("href")) == ("Viktor Kopp", "/corpus/persons/kopp")


def test_json_and_csv_keep_the_stored_values(client):
    row = client.get("/corpus/quotations/himmer-1976-q037.json?_shape=objects").json()["rows"][0]
    assert row["parallel"] == '["nowak-2025-q203"]' and row["works"] == '["w-trotsky-papers"]'
    csv = client.get("/corpus/persons.csv?id=bukharin").text
    assert '"[{""article"": ""himmer-1976""' in csv
