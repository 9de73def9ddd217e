"""The research questions read as pages of the reading room (web/reading_room/research.py, query.html):
titled by the question, the answer as cards (or a typeset table of works), names linked and ids not
doubled, texts tagged with their language, an empty state that says what to type or what no answer
means, pairs of parallel passages side by side; their JSON and CSV are the query's rows as before."""

from __future__ import annotations

import lxml.html
import pytest

from quotecorpus.db.metadata import QUERIES


def page(client, path: str, status: int = 200) -> lxml.html.HtmlElement:
    r = client.get(path)
    assert r.status_code == status, (path, r.text[-500:])
    return lxml.html.fromstring(r.text)


def text(el) -> str:
    return " ".join(el.text_content().split())


def card_ids(doc) -> list[str]:
    return [c.get("data-id") for c in doc.cssselect("article.quotation-card")]


def test_a_question_is_headed_by_itself_not_by_its_sql(client):
    doc = page(client, "/corpus/by_person?person=Kopp")
    assert doc.findtext(".//title") == "Every quotation of one person, in date order · quotecorpus"
    assert text(doc.cssselect("h1")[0]) == "Every quotation of one person, in date order"
    assert len(doc.cssselect("h1")) == 1
    assert "with names" not in doc.findtext(".//title")
    assert doc.cssselect("details.room-sql pre")[0].text.startswith("with names(person, name)")  # one control away


def test_a_person_question_answers_in_cards_in_the_query_order_with_names_linked(client):
    doc = page(client, "/corpus/by_person?person=Kopp")
    rows = client.get("/corpus/by_person.json?person=Kopp&_shape=objects&_size=max").json()["rows"]
    assert card_ids(doc) == [r["id"] for r in rows] and len(rows) == 43
    assert text(doc.cssselect(".result-count")[0]).startswith("43 quotations.")
    first = doc.cssselect("article.quotation-card")[0]
    assert [a.get("href") for a in first.cssselect(".facts a")][:2] == ["/corpus/persons/kopp", "/corpus/persons/maltzan"]
    # no "kopp" beside "Viktor Kopp": the card names the person, its link holds the id
    assert "speaker_id" not in text(doc.cssselect(".answers")[0]) and "kopp" not in text(first.cssselect(".facts")[0]).split()
    heading = first.cssselect(".card-title")[0]
    assert heading.tag == "h2" and text(heading) == "himmer-1976-q015: Viktor Kopp, 15–16 April 1920"


def test_an_empty_person_question_says_what_to_type(client):
    doc = page(client, "/corpus/by_person")
    state = doc.cssselect("p.empty-state")[0]
    assert text(state) == QUERIES["by_person"]["room"]["ask"]
    assert "0 results" not in doc.text_content() and not card_ids(doc)
    assert doc.cssselect("label[for=qp-person]")[0].text_content().startswith("Person:")
    nobody = page(client, "/corpus/by_person?person=Nobody")
    assert text(nobody.cssselect("p.empty-state")[0]) == QUERIES["by_person"]["room"]["empty"]


def test_no_language_disagreement_is_said_to_be_the_good_outcome(client):
    doc = page(client, "/corpus/language_audit")
    assert client.get("/corpus/language_audit.json?_shape=array").json() == []
    assert text(doc.cssselect("p.empty-state")[0]).endswith("This is the good outcome.")
    assert not doc.cssselect("p.export-links, .result-count")  # no download of nothing


def test_russian_with_english_holds_only_quotations_with_english(client):
    rows = client.get("/corpus/russian_with_english.json?_shape=objects&_size=max").json()["rows"]
    assert rows and all(r["translation"] and r["original"] for r in rows)
    untranslated = client.get("/corpus/quotations.json?language=ru&original__notblank=1&translation__isnull=1&_shape=array").json()
    assert {r["id"] for r in untranslated} & {r["id"] for r in rows} == set()
    doc = page(client, "/corpus/russian_with_english")
    assert "printed without English" in text(doc.cssselect(".lede")[0])  # says why the others are not here
    langs = [e.get("lang") for e in doc.cssselect("[data-role=original]")]
    assert set(langs) == {"ru", "ru-Latn"} and langs.count("ru") > 30  # a few the article prints romanized
    assert {e.get("lang") for e in doc.cssselect("[data-role=translation]")} == {"en"}
    assert {e.get("lang") for e in doc.cssselect("[data-role=transliteration]")} == {"ru-Latn-t-ru-cyrl-m0-alaloc"}


def test_the_same_words_in_two_articles_stand_side_by_side(client):
    doc = page(client, "/corpus/same_document?document=")
    pairs = {tuple(card_ids(p)) for p in doc.cssselect("div.passage-pair")}
    assert ("himmer-1976-q041", "nowak-2025-q005") in pairs
    group = doc.cssselect("section.answer-group[data-document='doc-chicherin-simons-1920-08-02']")[0]
    assert group.cssselect("h2 a")[0].get("href") == "/corpus/documents/doc-chicherin-simons-1920-08-02"
    assert [h.tag for h in group.cssselect(".card-title")] == ["h3"] * len(group.cssselect(".card-title"))


def test_the_columns_a_card_does_not_show_stand_beside_it(client):
    doc = page(client, "/corpus/documents_across_articles?document=")
    extras = doc.cssselect("article.quotation-card[data-id='himmer-1976-q041'] + dl.extras")[0]
    assert [text(dt) for dt in extras.cssselect("dt")] == ["Articles quoting this document", "The same words in another article"]
    assert extras.cssselect("dd[data-column=parallel] a")[0].get("href") == "/corpus/quotations/nowak-2025-q005"
    german = page(client, "/corpus/german_sources?article=")
    assert german.cssselect("dl.extras dd[data-column=source]")


def test_works_read_as_a_typeset_table_with_names_linked_and_ids_not_doubled(client):
    doc = page(client, "/corpus/works_across_articles")
    headers = [text(th) for th in doc.cssselect("table.research-table th")]
    assert "Work id" not in headers and headers[0] == "Title"
    rows = client.get("/corpus/works_across_articles.json?_shape=objects").json()["rows"]
    cells = doc.cssselect("table.research-table td.col-title")
    assert [td.cssselect("a")[0].get("href") for td in cells] == [f"/corpus/works/{r['work_id']}" for r in rows]
    dvp = [td for td in cells if "Документы внешней политики" in td.text_content()][0]
    assert dvp.get("lang") == "ru"
    # works are no quotations: no TEI, TMX or citation of quotations is offered
    assert [a.get("data-download") for a in doc.cssselect(".result-count a")] == ["json", "csv"]


@pytest.mark.parametrize("name", list(QUERIES))
def test_the_json_of_a_question_is_its_query_unchanged(client, built, name):
    """The page changed, not the data: the JSON's columns are the SQL's own (no column of ours added)."""
    import sqlite3

    from quotecorpus.web.sql_functions import register_functions

    params = {p: "" for p in QUERIES[name].get("room", {}).get("params", {})} | ({"person": "kopp"} if name == "by_person" else {})
    conn = sqlite3.connect(built.db)
    register_functions(conn)
    cur = conn.execute(QUERIES[name]["sql"], params)
    columns = [d[0] for d in cur.description]
    expected = [list(r) for r in cur.fetchall()]
    qs = "&".join(f"{k}={v}" for k, v in params.items())
    body = client.get(f"/corpus/{name}.json?_shape=arrays&_size=max&{qs}").json()
    assert body["columns"] == columns and body["rows"] == expected


def test_no_export_link_yields_an_empty_file(client):
    english_only = page(client, "/corpus/quotations/himmer-1976-q015")
    assert not english_only.cssselect("a[data-download=tmx]")  # its TMX would hold no unit
    assert english_only.cssselect("a[data-download=tei]")
    printed = page(client, "/corpus/quotations/nowak-2025-q002")
    assert printed.cssselect("a[data-download=tmx]")
    nothing = page(client, "/corpus/quotations?_search=zzzqqq")
    assert not nothing.cssselect("a[data-download=tei], a[data-download=tmx], a[data-download=csv]")


def test_a_parameter_naming_an_entry_is_chosen_from_a_list(client):
    doc = page(client, "/corpus/german_sources?article=himmer-1976")
    (select,) = doc.cssselect("select#qp-article")
    assert [(o.get("value"), text(o)) for o in select.cssselect("option")] == [
        ("", "every one"),
        ("himmer-1976", "Himmer 1976"),
        ("nowak-2025", "Nowak 2025"),
    ]
    assert select.cssselect("option[selected]")[0].get("value") == "himmer-1976"
    assert {c.get("data-id").rsplit("-q", 1)[0] for c in doc.cssselect("article.quotation-card")} == {"himmer-1976"}
    assert doc.cssselect("label[for=qp-article]")[0].text_content() == "Article"


@pytest.mark.parametrize(
    ("args", "heading"),
    [
        ({"language": "ru", "_sort": "x"}, "Russian quotations"),
        ({"date_from__lte": "1920-08-31", "date_to__gte": "1920-08-01"}, "August 1920"),
        ({"date_from__lte": "1918-12-31", "date_to__gte": "1918-01-01"}, "January–December 1918"),
        ({"date_from__lte": "1920-02-29", "date_to__gte": "1919-11-01"}, "November 1919 – February 1920"),
        ({"date_from__lte": "1920-08-30", "date_to__gte": "1920-08-01"}, "Quotations"),  # not whole months
        ({"speaker": "kopp", "article": "nowak-2025"}, "Quotations of Viktor Kopp in Nowak 2025"),
    ],
)
def test_a_list_is_headed_in_words(args, heading):
    from quotecorpus.web.reading_room.headings import heading as words

    names = {"kopp": "Viktor Kopp", "nowak-2025": "Nowak 2025"}
    assert words(args, names.get, "", None, False) == heading


def test_a_month_view_links_the_months_before_and_after(client):
    doc = page(client, "/corpus/quotations?date_from__lte=1920-12-31&date_to__gte=1920-12-01&_sort=date")
    assert text(doc.cssselect("h1")[0]) == "December 1920"
    prev, nxt = doc.cssselect("nav.month-nav a[rel=prev]")[0], doc.cssselect("nav.month-nav a[rel=next]")[0]
    assert (text(prev), text(nxt)) == ("← November 1920", "January 1921 →")
    assert "date_from__lte=1921-01-31" in nxt.get("href") and "date_to__gte=1921-01-01" in nxt.get("href")
