"""Search and our orders as one path: the facts of a page are plain Datasette's, only the order is ours.

Each URL below is asked of our server and of the same Datasette without our plugin, on the same
database: JSON facet counts, facet toggle links and `filtered_table_rows_count` must be the same.
A search has no plain counterpart (plain Datasette knows no `_search` on these tables), so its
selection is given to plain Datasette as the list of the ids it matched. The query of a request is
read once, whatever the format, and no address, link or description we emit holds an `id__in` list.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from unittest import mock
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

import quotecorpus.web
from quotecorpus.web import search as web_search
from quotecorpus.web.serving import make_datasette

# (address, whether it searches)
URLS = [
    "/corpus/quotations.json?language=ru&_facet=kind&_size=50",
    "/corpus/quotations.json?language=ru&_facet=kind&_facet=article",
    "/corpus/quotations.json?language=ru&kind=quotation&_size=5",
    "/corpus/quotations.json?language=de&article=himmer-1976",
    "/corpus/quotations.json?_sort=date&_facet=language",
    "/corpus/quotations.json?_sort=date&_facet=language&_size=10",
    "/corpus/quotations.json?_sort_desc=date&_facet=kind&_size=7",
    "/corpus/quotations.json?speaker=kopp&_sort=date&_size=3",
    "/corpus/quotations.json?_search=Kopp&_facet=language&_size=10",
    "/corpus/quotations.json?_search=Kopp&language=ru",
    "/corpus/quotations.json?_search=Чичерин&_size=5",
    "/corpus/quotations.json?_search=Kopp&_sort=date&_facet=article",
    "/corpus/quotations.json?_search=Germany&article=nowak-2025&_facet=kind&_size=4",
    "/corpus/quotations.json?_search=Kopp&_facet=language&_shape=objects&_size=10",
]


@contextlib.contextmanager
def plain_datasette(paths):
    """The same Datasette, metadata and database, without our plugin."""
    from datasette.plugins import pm

    name = next(n for n, p in pm.list_name_plugin() if p is quotecorpus.web)
    pm.unregister(quotecorpus.web, name)
    try:
        yield make_datasette(paths)
    finally:
        pm.register(quotecorpus.web, name)


def _get(ds, url):
    response = asyncio.run(ds.client.get(url))
    assert response.status_code == 200, (url, response.status_code, response.text[:300])
    return response


@pytest.fixture(scope="module")
def answers(built):
    ours = make_datasette(built)
    found = {url: _get(ours, url).json() for url in URLS}
    # what each search matched, whole: the selection plain Datasette is given
    matched = {}
    for url in URLS:
        args = dict(parse_qsl(urlsplit(url).query))
        if "_search" in args:
            whole = {k: v for k, v in args.items() if not k.startswith("_") or k == "_search"} | {"_size": "max", "_shape": "objects"}
            matched[url] = [r["id"] for r in _get(ours, "/corpus/quotations.json?" + urlencode(whole)).json()["rows"]]
    with plain_datasette(built) as plain:
        expected = {}
        for url in URLS:
            path, query = url.split("?", 1)
            args = [(k, v) for k, v in parse_qsl(query) if k != "_search"]
            if url in matched:
                args.append(("id__in", json.dumps(matched[url])))
            expected[url] = _get(plain, path + "?" + urlencode(args)).json()
    return found, expected, matched


def _facets(body: dict) -> dict:
    return {name: {(v["value"], v["count"]) for v in f["results"]} for name, f in (body.get("facet_results") or {}).items()}


def _toggles(body: dict) -> dict:
    return {(name, v["value"]): v["toggle_url"] for name, f in (body.get("facet_results") or {}).items() for v in f["results"]}


@pytest.mark.parametrize("url", URLS)
def test_json_facets_and_counts_are_plain_datasettes(answers, url):
    found, expected, matched = answers
    ours, plain = found[url], expected[url]
    if "facet_results" in plain:
        assert _facets(ours) == _facets(plain)
    assert ours.get("filtered_table_rows_count") == plain.get("filtered_table_rows_count")
    if url in matched:
        assert ours["filtered_table_rows_count"] == len(matched[url])


def _args(link: str, without=("id__in", "_search")) -> list:
    return sorted((k, v) for k, v in parse_qsl(urlsplit(link).query) if k not in without)


@pytest.mark.parametrize("url", URLS)
def test_facet_links_are_the_address_asked_for(answers, url):
    """The same links as plain Datasette's; for a search, the address as asked where plain Datasette's
    holds the list of ids it was given."""
    found, expected, matched = answers
    ours, plain = _toggles(found[url]), _toggles(expected[url])
    assert "id__in" not in json.dumps(found[url], ensure_ascii=False)
    if url not in matched:
        assert ours == plain
        return
    assert ours.keys() == plain.keys()
    search = dict(parse_qsl(urlsplit(url).query))["_search"]
    for key, link in ours.items():
        assert _args(link) == _args(plain[key]) and dict(parse_qsl(urlsplit(link).query))["_search"] == search


def test_the_known_wrong_counts_are_right(answers):
    found, _, _ = answers
    kinds = {
        v["value"]: v["count"]
        for v in found["/corpus/quotations.json?language=ru&_facet=kind&_size=50"]["facet_results"]["kind"]["results"]
    }
    languages = {
        v["value"]: v["count"]
        for v in found["/corpus/quotations.json?_sort=date&_facet=language&_size=10"]["facet_results"]["language"]["results"]
    }
    assert kinds == {"quotation": 83, "term": 10} and sum(languages.values()) == 152


def test_the_description_says_what_was_asked(client):
    body = client.get("/corpus/quotations.json?language=ru&_size=5").json()
    assert body["human_description_en"] == 'where language = "ru", printed originals first'
    body = client.get("/corpus/quotations.json?_search=Kopp&_size=5").json()
    assert body["human_description_en"] == "where search matches “Kopp”"


@pytest.mark.parametrize(
    "url",
    [
        "/corpus/quotations?_search=Kopp",
        "/corpus/quotations?language=ru",
        "/corpus/quotations?_search=Kopp&_view=table",
        "/corpus/persons?_search=Trotzki",
        "/corpus/documents?_search=Чичерин",
        "/corpus/quotations?_sort=date&_size=10",
    ],
)
def test_no_page_emits_an_id_list(client, url):
    page = client.get(url)
    assert page.status_code == 200 and "id__in" not in page.text


# --- one parse per request --------------------------------------------------------------------------


@contextlib.contextmanager
def counting_reads():
    calls = []
    real = web_search._read_query

    async def counted(*args, **kwargs):
        calls.append(args[2])
        return await real(*args, **kwargs)

    with mock.patch.object(web_search, "_read_query", counted):
        yield calls


@pytest.mark.parametrize("fmt", ["", ".json", ".csv", ".tei", ".tmx", ".json?_shape=array&"])
@pytest.mark.parametrize("mode", ["", "raw"])
def test_the_query_is_read_once_per_request(client, fmt, mode):
    ext, _, more = fmt.partition("?")
    url = f"/corpus/quotations{ext}?{more}_search=Kopp+Chicherin&_size=20" + ("&_searchmode=raw" if mode else "")
    with counting_reads() as calls:
        assert client.get(url).status_code == 200
    assert calls == ["Kopp Chicherin"], url


def test_every_format_of_a_search_is_in_one_order(client):
    """JSON, CSV and TEI of a search hold its page in rank order (TEI groups them in page divs: the pages
    in the order the ranking first reaches them, each page's quotations in rank order)."""
    url = "/corpus/quotations{}?_search=Germany&_size=15"
    rows = client.get(url.format(".json") + "&_shape=objects").json()["rows"]
    order = [r["id"] for r in rows]
    csv_ids = [line.split(",", 1)[0] for line in client.get(url.format(".csv")).text.splitlines()[1:]]
    assert csv_ids == order
    pages: dict = {}
    for r in rows:
        pages.setdefault((r["article"], r["page"]), []).append(r["id"])
    grouped = [i for ids in pages.values() for i in ids]
    tei = client.get(url.format(".tei")).text
    assert sorted(grouped, key=lambda i: tei.index(f'xml:id="{i}"')) == grouped


def test_the_plugin_registers_every_hook(client):
    hooks = next(p["hooks"] for p in client.get("/-/plugins.json").json() if p["name"] == "quotecorpus")
    assert set(hooks) == {
        "asgi_wrapper",
        "extra_css_urls",
        "extra_template_vars",
        "filters_from_request",
        "prepare_connection",
        "register_output_renderer",
        "register_routes",
        "render_cell",
        "startup",
    }


def test_a_fresh_server_reads_the_persons_before_its_first_request(mini):
    """The startup hook reads what the pages read once per file: the first search does not read it again."""
    from quotecorpus.pipeline.build import build

    build(mini)
    ds = make_datasette(mini)
    with mock.patch.object(web_search, "person_forms", wraps=web_search.person_forms) as read:
        asyncio.run(ds.invoke_startup())
        assert read.call_count == 1
        r = asyncio.run(ds.client.get("/corpus/quotations?_search=Kopp"))
        assert r.status_code == 200 and read.call_count == 1


def test_datasettes_own_command_loads_the_plugin_whole():
    """Loaded by Datasette's own command (its views import the plugins while they are imported)."""
    import subprocess
    import sys
    from pathlib import Path

    found = subprocess.run([str(Path(sys.executable).with_name("datasette")), "plugins"], capture_output=True, text=True, check=True)
    hooks = next(p["hooks"] for p in json.loads(found.stdout) if p["name"] == "quotecorpus")
    assert {"asgi_wrapper", "filters_from_request", "render_cell", "prepare_connection"} <= set(hooks)


def test_newline_delimited_json_of_a_search_is_in_its_order(client):
    """`_shape=array&_nl=on` (Datasette's newline-delimited JSON, linked from its pages): one row a line."""
    order = [r["id"] for r in client.get("/corpus/quotations.json?_search=Kopp&_size=6&_shape=objects").json()["rows"]]
    lines = client.get("/corpus/quotations.json?_search=Kopp&_size=6&_shape=array&_nl=on").text.splitlines()
    assert [json.loads(line)["id"] for line in lines] == order


def test_sql_over_a_searchs_matches_is_answered_once_per_file(client):
    """The count, facets and page of a search (SQL carrying its :qc_matches) are answered from memory
    the second time, the same answer; a client's own SQL with a :qc_matches of its own never is."""
    url = "/corpus/quotations.json?_search=Kopp&_facet=language&_facet=kind&_size=5"
    first = client.get(url).json()
    kept = dict(web_search._RESULTS.found)  # other tests' databases may have answers kept beside these
    assert any(key[0] == str(client.ds.get_database("corpus").path) for key in kept)
    again = client.get(url).json()
    assert web_search._RESULTS.found.keys() == kept.keys()  # nothing asked of SQLite again
    assert {k: v for k, v in again.items() if k != "query_ms"} == {k: v for k, v in first.items() if k != "query_ms"}
    sql = "/corpus.json?sql=select+random()+as+r,+:qc_matches+as+m&qc_matches=[1]&_shape=array"
    assert client.get(sql).json()[0]["r"] != client.get(sql).json()[0]["r"]
