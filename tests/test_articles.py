"""Any number of articles, from data alone: a synthetic third article (tests/fixtures/third_article/)
added to a copy of the real corpus/ exactly as README "Adding an article" says, built through the real
pipeline, appears everywhere: the TEI, the home page, its quotation pages, the document page (three
columns), every canned query, the `.tei`/`.tmx` exports, DTS and the release bundle."""

from __future__ import annotations

import difflib
import json
import re
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import lxml.html
import pytest
import yaml

from conftest import FIXTURES, Client, entry_ids
from quotecorpus.errors import RecordError
from quotecorpus.export.tmx import validate_tmx
from quotecorpus.pipeline.build import ROOT, Paths, build
from quotecorpus.records.validate import load_and_validate
from quotecorpus.tei import validate as tei_validate

THIRD = FIXTURES / "third_article"
NEW = "petrova-2026"
TROTSKY_NOTE = "doc-trotsky-note-1920-08-15"


# --- the recipe of README "Adding an article", as a curator follows it by hand ----------------------


def _append(target: Path, addition: Path) -> None:
    """Steps 1 and 2: new entries go at the end of a register's file."""
    text = target.read_text(encoding="utf-8")
    target.write_text(text.rstrip("\n") + "\n" + addition.read_text(encoding="utf-8"), encoding="utf-8")


def _edit_entry(path: Path, entry_id: str, edit) -> None:
    """Rewrite one entry of a YAML file in place, as a person edits it: the lines from its `- id:` to the next."""
    text = path.read_text(encoding="utf-8")
    start = re.search(rf'^- id: "?{re.escape(entry_id)}"?\s*$', text, re.M)
    assert start, (path, entry_id)
    end = re.compile(r"^- id:", re.M).search(text, start.end())
    stop = end.start() if end else len(text)
    path.write_text(text[: start.start()] + edit(text[start.start() : stop]) + text[stop:], encoding="utf-8")


def _flow(entry: dict) -> str:
    return "{" + ", ".join(f"{k}: {json.dumps(v)}" for k, v in entry.items()) + "}"


def _add_cited_in(entry: dict):
    """Step 3: the article goes into the `cited_in` of each shared entry it cites."""

    def edit(block: str) -> str:
        found = re.search(r"^  cited_in:\n(?:    - .*\n)*", block, re.M)
        assert found, block[:200]
        return block[: found.end()] + f"    - {_flow(entry)}\n" + block[found.end() :]

    return edit


def _add_parallel(qid: str):
    """Step 4: the new quotation goes into the `parallel` of each quotation it names."""

    def edit(block: str) -> str:
        done, n = re.subn(r"^(  parallel: \[)(.*)\]", lambda m: f"{m[1]}{m[2]}, {qid}]", block, count=1, flags=re.M)
        if n:
            return done
        return re.sub(r"^(  document: .*\n)", rf"\1  parallel: [{qid}]\n", block, count=1, flags=re.M)

    return edit


def add_article(corpus: Path, new: Path, parallel: bool = True) -> None:
    """Add the article whose data are in `new` to the curated records in `corpus` (README "Adding an article")."""
    _append(corpus / "articles.yaml", new / "articles.yaml")
    for register in ("persons", "documents", "works"):
        if (new / f"{register}.yaml").exists():
            _append(corpus / f"{register}.yaml", new / f"{register}.yaml")
    for records in (new / "quotations").glob("*.yaml"):
        shutil.copyfile(records, corpus / "quotations" / records.name)
    shared = yaml.safe_load((new / "shared.yaml").read_text(encoding="utf-8"))
    for c in shared["cited_in"]:
        _edit_entry(corpus / f"{c['register']}.yaml", c["id"], _add_cited_in(c["entry"]))
    for p in shared["parallel"] if parallel else []:
        for other in p["in"]:
            article = other.rsplit("-", 1)[0]
            _edit_entry(corpus / "quotations" / f"{article}.yaml", other, _add_parallel(p["id"]))


@pytest.fixture(scope="module")
def third(tmp_path_factory) -> Paths:
    """The real corpus/ with the synthetic third article added, built through the real pipeline."""
    out = tmp_path_factory.mktemp("third")
    shutil.copytree(ROOT / "corpus", out / "corpus")
    add_article(out / "corpus", THIRD)
    paths = Paths(corpus=out / "corpus", tei=out / "tei", db=out / "build" / "corpus.db")
    build(paths)
    return paths


@pytest.fixture(scope="module")
def client3(third) -> Client:
    return Client(third)


def _page(client, path: str) -> lxml.html.HtmlElement:
    r = client.get(path)
    assert r.status_code == 200, (path, r.text[-500:])
    return lxml.html.fromstring(r.text)


def _text(el) -> str:
    return " ".join(el.text_content().split())


def _rows(client, path: str) -> list[dict]:
    r = client.get(path + ("&" if "?" in path else "?") + "_shape=objects&_size=max")
    assert r.status_code == 200, (path, r.text[:500])
    return r.json()["rows"]


# --- it builds, validates and loads -----------------------------------------------------------------


def test_the_third_article_builds_validates_and_loads(third, tei_all):
    conn = sqlite3.connect(third.db)
    assert [r[0] for r in conn.execute("select id from articles order by year, id")] == ["himmer-1976", "nowak-2025", NEW]
    got = dict(
        conn.execute("select id, coalesce(original, '') || ' | ' || coalesce(translation, '') from quotations where article = ?", [NEW])
    )
    assert got == {
        "petrova-2026-q001": "Германия должна понять, что мы ей не враги | Germany must understand that we are not her enemies",
        "petrova-2026-q002": "Die Sowjetregierung wünscht eine baldige Verständigung mit Deutschland | "
        "The Soviet government wishes an early understanding with Germany",
        "petrova-2026-q003": " | a bridge across the Polish corridor",
        "petrova-2026-q004": " | senseless",
    }
    translit = conn.execute("select transliteration from quotations where id = 'petrova-2026-q001'").fetchone()[0]
    assert translit == "Germaniia dolzhna poniat', chto my ei ne vragi"
    assert json.loads(conn.execute("select parallel from quotations where id = 'himmer-1976-q037'").fetchone()[0]) == [
        "nowak-2025-q203",
        "petrova-2026-q004",
    ]
    # its own TEI file, valid, self-contained; the teiCorpus counts three articles
    tree = tei_validate.parse_safely((third.tei / f"{NEW}.xml").read_bytes())
    assert tei_all.validate(tree), str(tei_all.error_log)[:2000]
    assert tei_validate.errors(tree) == []
    assert entry_ids(tree) == [f"{NEW}-q00{i}" for i in range(1, 5)]
    corpus = tei_validate.parse_safely((third.tei / "quotecorpus.xml").read_bytes())
    title = corpus.xpath("/t:teiCorpus/t:teiHeader//t:title/text()", namespaces={"t": "http://www.tei-c.org/ns/1.0"})[0]
    assert "in three articles" in title


def test_the_real_articles_tei_only_gains_what_points_to_the_third(third):
    """Adding an article changes no line of the other articles' files: it adds the parallel pointer to the
    new quotation and, where a shared entry now names the new article, that citation and the article's bibl."""
    for name in ("himmer-1976.xml", "nowak-2025.xml"):
        ours = (ROOT / "tei" / name).read_text(encoding="utf-8").splitlines()
        theirs = (third.tei / name).read_text(encoding="utf-8").splitlines()
        diff = [d for d in difflib.ndiff(ours, theirs) if d[:2] in ("- ", "+ ")]
        assert not [d for d in diff if d.startswith("- ")], name
        added = "\n".join(d[2:] for d in diff)
        assert '<biblStruct xml:id="bibl-petrova-2026">' in added and "Elena Petrova" in added, name
        assert added.count("<ref ") == added.count('target="#bibl-petrova-2026"') + added.count(f"{NEW}.xml#{NEW}-q004"), name
    himmer = (third.tei / "himmer-1976.xml").read_text(encoding="utf-8")
    assert f'<ref type="parallel" target="{NEW}.xml#{NEW}-q004"/>' in himmer


# --- validation: parallel across any articles ----------------------------------------------------


def test_a_parallel_names_another_article_and_the_set_is_whole(tmp_path):
    shutil.copytree(ROOT / "corpus", tmp_path / "corpus")
    add_article(tmp_path / "corpus", THIRD, parallel=False)
    with pytest.raises(RecordError) as e:
        load_and_validate(tmp_path / "corpus")
    messages = [p.message for p in e.value.problems]
    mutual = "parallel 'himmer-1976-q037' does not name 'petrova-2026-q004' in its own parallel: the pairing is mutual"
    assert any(m.endswith(mutual) for m in messages)
    # only one of the two reverse links: the set of the passage is not whole
    _edit_entry(tmp_path / "corpus" / "quotations" / "himmer-1976.yaml", "himmer-1976-q037", _add_parallel("petrova-2026-q004"))
    with pytest.raises(RecordError) as e:
        load_and_validate(tmp_path / "corpus")
    assert any(
        "does not name 'petrova-2026-q004': the quotations of one passage each name all the others" in p.message for p in e.value.problems
    )
    _edit_entry(tmp_path / "corpus" / "quotations" / "nowak-2025.yaml", "nowak-2025-q203", _add_parallel("petrova-2026-q004"))
    load_and_validate(tmp_path / "corpus")  # whole: valid
    # a parallel in the same article is refused as such
    _edit_entry(tmp_path / "corpus" / "quotations" / f"{NEW}.yaml", f"{NEW}-q001", _add_parallel(f"{NEW}-q002"))
    with pytest.raises(RecordError) as e:
        load_and_validate(tmp_path / "corpus")
    assert any("is in the same article: it names another article's rendering" in p.message for p in e.value.problems)


# --- the reading room ------------------------------------------------------------------------------


def test_the_home_page_lists_three_articles(client3):
    doc = _page(client3, "/")
    assert _text(doc.cssselect("section.articles h2")[0]) == "From three articles"
    items = doc.cssselect("section.articles li")
    assert [li.get("data-article") for li in items] == ["himmer-1976", "nowak-2025", NEW]
    new = _text(items[2])
    assert "Elena Petrova" in new and "Journal of Synthetic Tests" in new and "doi:10.0000/petrova.2026" in new
    assert "4 quotations, terms and fragments" in new
    assert "Registers shared by all three articles" in _text(doc)
    cite = _text(doc.cssselect("p.cite-line")[0])
    assert "Russian, German and Polish quotations with their English translations from Robert Himmer (1976, doi:10.2307/2495657), " in cite
    assert "Andrzej Nowak (2025, doi:10.12775/SDR.2025.EN9.04) and Elena Petrova (2026, doi:10.0000/petrova.2026)" in cite
    assert "teiCorpus with all three articles" in _text(doc.cssselect("section.downloads")[0])
    assert any(a.get("href") == "/tei/petrova-2026.xml" for a in doc.cssselect("a[data-download='article-tei']"))
    assert "Petrova, Journal of Synthetic Tests 3:1 (2026), doi:10.0000/petrova.2026" in client3.get("/-/metadata.json").json()["source"]


def test_the_quotation_pages_of_the_third_article(client3):
    doc = _page(client3, f"/corpus/quotations/{NEW}-q001")
    assert doc.cssselect('[data-role="original"]')[0].get("lang") == "ru"
    assert _text(doc.cssselect('[data-role="original"]')[0]) == "Германия должна понять, что мы ей не враги"
    assert _text(doc.cssselect('[data-role="translation"]')[0]) == "Germany must understand that we are not her enemies"
    assert "Elena Petrova" in _text(doc) and "p. 43" in _text(doc)
    german = _page(client3, f"/corpus/quotations/{NEW}-q002")
    assert german.cssselect('[data-role="original"]')[0].get("lang") == "de"
    assert "Die Sowjetregierung wünscht" in _text(german.cssselect('[data-role="original"]')[0])
    english_only = _page(client3, f"/corpus/quotations/{NEW}-q003")
    assert "a bridge across the Polish corridor" in _text(english_only)
    # the same document quoted elsewhere: both real articles
    same = _page(client3, f"/corpus/quotations/{NEW}-q004").cssselect("section.same-document")[0]
    hrefs = same.xpath(".//a/@href")
    assert "/corpus/quotations/himmer-1976-q037" in hrefs and "/corpus/quotations/nowak-2025-q203" in hrefs
    # and the real quotation names the new one
    back = _page(client3, "/corpus/quotations/himmer-1976-q037").cssselect("section.same-document")[0]
    assert f"/corpus/quotations/{NEW}-q004" in back.xpath(".//a/@href")


def test_the_document_page_shows_three_columns(client3):
    doc = _page(client3, f"/corpus/documents/{TROTSKY_NOTE}")
    columns = doc.cssselect(".side-by-side > section.article-column")
    assert [c.get("data-article") for c in columns] == ["himmer-1976", "nowak-2025", NEW]
    himmer, nowak, petrova = ([_text(t) for t in c.cssselect('[data-role="translation"]')] for c in columns)
    assert "stupid" in himmer and nowak == ["idiotic"] and petrova == ["senseless"]
    assert _text(columns[2].cssselect("h3")[0]) == "Petrova 2026: 1 quotation"
    assert "What the document says in three articles" in _text(doc)


# --- every canned query ----------------------------------------------------------------------------


def test_same_document_gives_the_passage_in_three_articles(client3):
    rows = _rows(client3, f"/corpus/same_document.json?document={TROTSKY_NOTE}")
    assert [(r["article"], r["id"], r["translation"]) for r in rows] == [
        ("himmer-1976", "himmer-1976-q037", "stupid"),
        ("nowak-2025", "nowak-2025-q203", "idiotic"),
        (NEW, f"{NEW}-q004", "senseless"),
    ]
    assert {r["passage_id"] for r in rows} == {"himmer-1976-q037"}
    assert rows[2]["cited_as"] == "Petrova 2026" and rows[2]["parallel"] == "himmer-1976-q037, nowak-2025-q203"


def test_the_other_queries_hold_the_third_article(client3):
    across = {r["id"]: r for r in _rows(client3, "/corpus/documents_across_articles.json?document=")}
    assert across[f"{NEW}-q004"]["articles"] == 3 and across["himmer-1976-q038"]["articles"] == 3
    assert f"{NEW}-q001" not in across  # its document is quoted in one article only
    german = _rows(client3, f"/corpus/german_sources.json?article={NEW}")
    assert [(r["id"], r["source"]) for r in german] == [(f"{NEW}-q002", "Maltzan's memorandum of 20 September 1920 (synthetic reference)")]
    works = {r["work_id"]: r for r in _rows(client3, "/corpus/works_across_articles.json")}
    assert works["w-trotsky-papers"]["article_count"] == 3
    assert works["w-trotsky-papers"]["articles"] == "Himmer 1976, Nowak 2025, Petrova 2026"
    assert works["w-trotsky-papers"]["cited_in"].endswith("; Nowak 2025: nn. 28, 33, 38; Petrova 2026: n. 9")
    assert f"{NEW}-q001" in {r["id"] for r in _rows(client3, "/corpus/by_person.json?person=Чичерин")}
    assert f"{NEW}-q001" in {r["id"] for r in _rows(client3, "/corpus/russian_with_english.json")}
    uncertain = {r["id"]: r for r in _rows(client3, "/corpus/uncertain.json")}
    assert uncertain[f"{NEW}-q003"]["uncertain"] == "language"


def test_tei_and_tmx_exports_of_the_third_article(client3, third, tei_all):
    r = client3.get(f"/corpus/same_document.tei?document={TROTSKY_NOTE}")
    assert r.status_code == 200, r.text[:500]
    tree = tei_validate.parse_safely(r.content)
    assert tei_all.validate(tree) and tei_validate.errors(tree) == []
    assert entry_ids(tree) == ["himmer-1976-q037", "nowak-2025-q203", f"{NEW}-q004"]
    r = client3.get(f"/corpus/quotations.tei?article={NEW}")
    tree = tei_validate.parse_safely(r.content)
    assert tei_all.validate(tree) and tei_validate.errors(tree) == []
    assert entry_ids(tree) == [f"{NEW}-q00{i}" for i in range(1, 5)]
    r = client3.get(f"/corpus/quotations.tmx?article={NEW}")
    assert r.status_code == 200 and validate_tmx(r.content) == []
    assert re.findall(rb'tuid="([^"]+)"', r.content) == [f"{NEW}-q001".encode(), f"{NEW}-q002".encode()]  # both texts printed
    assert "Die Sowjetregierung wünscht eine baldige Verständigung mit Deutschland".encode() in r.content


def test_dts_serves_the_third_article(client3):
    found = client3.get(f"/dts/collection/?id={NEW}").json()
    assert found["@id"] == NEW and found["@type"] == "Resource"
    dc = found["dublinCore"]
    assert (dc["creator"], dc["date"], dc["identifier"], dc["language"]) == (
        "Elena Petrova",
        "2026",
        "https://doi.org/10.0000/petrova.2026",
        ["de", "en", "ru"],
    )
    assert found["description"] == "The 4 quotations, terms and abstract fragments of Petrova 2026, as TEI."
    articles = client3.get("/dts/collection/?id=articles").json()
    assert [m["@id"] for m in articles["member"]][-1] == NEW and articles["totalChildren"] == 3
    root = client3.get("/dts/collection/").json()
    assert root["description"] == "German, Polish and Russian quotations from three articles on Soviet policy toward Germany, 1920–1921."
    doc = client3.get(f"/dts/document/?resource={NEW}&ref={NEW}-q002")
    assert doc.status_code == 200 and "Die Sowjetregierung wünscht" in doc.text


# --- the release bundle ----------------------------------------------------------------------------


def test_the_release_bundle_holds_the_third_article(third, tmp_path, tei_all):
    args = ["--corpus", str(third.corpus), "--tei", str(third.tei), "--db", str(third.db), "--out", str(tmp_path)]
    done = subprocess.run([sys.executable, "-m", "quotecorpus", "release", *args], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    (bundle,) = tmp_path.glob("*.zip")
    with zipfile.ZipFile(bundle) as z:
        names = z.namelist()
        tei = next(n for n in names if n.endswith(f"tei/{NEW}.xml"))
        tree = tei_validate.parse_safely(z.read(tei))
        readme = z.read(next(n for n in names if n.endswith("/README.md"))).decode()
        meta = json.loads(z.read(next(n for n in names if n.endswith("/metadata.json"))))
    assert tei_all.validate(tree) and entry_ids(tree) == [f"{NEW}-q00{i}" for i in range(1, 5)]
    assert "printed in three articles" in readme and "Elena Petrova" in readme
    assert "Petrova, Journal of Synthetic Tests" in meta["source"]


# --- no article in the code ------------------------------------------------------------------------


def test_no_article_id_is_written_in_the_code():
    ids = [a["id"] for a in yaml.safe_load((ROOT / "corpus" / "articles.yaml").read_text(encoding="utf-8"))]
    pattern = re.compile("|".join(rf"['\"]{re.escape(i)}['\"]" for i in ids))
    package = ROOT / "scripts" / "quotecorpus"
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted(package.rglob("*"))
        if path.suffix in {".py", ".html", ".sql", ".js"}
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert found == []
