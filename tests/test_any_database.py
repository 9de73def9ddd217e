"""Any database in our contract gets the whole reading room, whatever its name (not only /corpus)."""

from __future__ import annotations

import asyncio

import lxml.html
import pytest
from click.testing import CliRunner

from quotecorpus.cli import cli
from quotecorpus.export.tmx import validate_tmx
from quotecorpus.layout import Paths
from quotecorpus.tei.validate import errors, parse_safely
from quotecorpus.web.serving import make_datasette


@pytest.fixture(scope="module")
def edition(built, tmp_path_factory):
    """`quotecorpus load tei/quotecorpus.xml --db myedition.db`, served as `serve --db myedition.db` serves it."""
    db = tmp_path_factory.mktemp("edition") / "myedition.db"
    result = CliRunner().invoke(cli, ["load", str(built.tei / "quotecorpus.xml"), "--db", str(db)])
    assert result.exit_code == 0, result.output
    ds = make_datasette(Paths(corpus=built.corpus, tei=built.tei, db=db))
    return lambda path: asyncio.run(ds.client.get(path))


def _page(get, path: str) -> lxml.html.HtmlElement:
    r = get(path)
    assert r.status_code == 200, (path, r.status_code, r.text[-300:])
    return lxml.html.fromstring(r.text)


def test_home_links_the_database_under_its_own_name(edition):
    home = _page(edition, "/")
    assert home.cssselect('a[data-language="ru"]')[0].get("href") == "/myedition/quotations?language=ru"
    assert "/myedition/persons/kopp" in home.xpath("//a/@href")


def test_quotation_cards_and_row_pages(edition):
    cards = _page(edition, "/myedition/quotations?language=ru")
    assert len(cards.cssselect("article.quotation-card")) > 20
    assert cards.cssselect("article.quotation-card a.quotation-link")[0].get("href").startswith("/myedition/quotations/")
    row = _page(edition, "/myedition/quotations/nowak-2025-q002")
    assert row.cssselect('[data-role="original"]')[0].get("lang") == "ru"
    assert "/myedition/persons/trotsky" in row.xpath("//a/@href")


def test_person_and_document_pages(edition):
    person = _page(edition, "/myedition/persons/kopp")
    assert person.cssselect("h1")[0].text_content() == "Viktor Kopp" and person.cssselect("section.spoken article.quotation-card")
    document = _page(edition, "/myedition/documents/doc-trotsky-note-1920-08-15")
    assert len(document.cssselect("section.article-column")) == 2


def test_canned_queries_and_exports(edition, tei_all):
    rows = edition("/myedition/by_person.json?person=kopp&_shape=objects").json()["rows"]
    assert len(rows) > 30
    tei = edition("/myedition/quotations.tei?language=ru")
    assert tei.status_code == 200
    tree = parse_safely(tei.content)
    assert tei_all.validate(tree) and errors(tree) == []
    tmx = edition("/myedition/quotations.tmx?language=ru")
    assert tmx.status_code == 200 and validate_tmx(tmx.content) == []
    assert edition("/myedition.db").status_code == 200
