"""The .tmx format: TMX 1.4b translation memory of exactly the quotations shown, valid against the TMX 1.4 DTD."""

from __future__ import annotations

import pytest
from lxml import etree

from quotecorpus.export.tmx import TMX_DTD, validate_tmx
from quotecorpus.layout import ROOT

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _tmx(client, path):
    r = client.get(path)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/x-tmx+xml; charset=utf-8"
    assert validate_tmx(r.content) == []
    return etree.fromstring(r.content, etree.XMLParser(load_dtd=False, no_network=True, resolve_entities=False))


def test_vendored_dtd_is_the_shared_one_with_its_licence_note():
    shared = ROOT.parent / "shared" / "schemas" / "tmx14.dtd"
    if not shared.exists():
        pytest.skip(f"{shared} is absent: put shared/ beside the repository (CI has it) to compare the vendored DTD")
    assert TMX_DTD.read_bytes() == shared.read_bytes()
    assert "Creative Commons Attribution 3.0" in (TMX_DTD.parent / "README.md").read_text()


def test_one_quotation(client):
    root = _tmx(client, "/corpus/quotations/nowak-2025-q003.tmx")
    header = root.find("header")
    for attr in ("creationtool", "creationtoolversion", "segtype", "o-tmf", "adminlang", "srclang", "datatype"):
        assert header.get(attr)
    (tu,) = root.iter("tu")
    assert tu.get("tuid") == "nowak-2025-q003"
    assert [(t.get(XML_LANG), t.findtext("seg")) for t in tu.iter("tuv")] == [
        ("ru", "Польша должна перестать быть барьером и стать мостом между Германией и Россией"),
        ("en", "1) Poland should cease being a barrier and become a bridge between Germany and Russia"),
    ]
    assert tu.findtext("prop[@type='x-citation']") == "Andrzej Nowak (2025), p. 112, doi:10.12775/SDR.2025.EN9.04"


def test_filtered_view_holds_exactly_the_paired_quotations(client):
    root = _tmx(client, "/corpus/quotations.tmx?language=ru&_size=10&_stream=on")
    expected = client.get(
        "/corpus.json?sql=select id from quotations where language = 'ru' and coalesce(original_corrected, original) is not null"
        " and translation is not null order by id&_shape=arrays&_size=max"
    ).json()["rows"]
    assert sorted(tu.get("tuid") for tu in root.iter("tu")) == sorted(r[0] for r in expected)
    assert "have both an original and an English translation" in root.findtext("header/prop[@type='x-provenance']")


def test_corrections_use_the_corrected_reading_and_keep_the_printed_one(client):
    root = _tmx(client, "/corpus/quotations/nowak-2025-q002.tmx")
    ru = next(t for t in root.iter("tuv") if t.get(XML_LANG) == "ru")
    assert "революцию" in ru.findtext("seg") and "революциию" in ru.findtext("prop[@type='x-printed']")


def test_canned_query_and_missing_id_column(client):
    assert len(list(_tmx(client, "/corpus/russian_with_english.tmx").iter("tu"))) > 20
    r = client.get("/corpus.tmx?sql=select 1")
    assert r.status_code == 400 and "needs an 'id' column" in r.text


def test_invalid_tmx_is_caught():
    bad = b'<?xml version="1.0"?><tmx version="1.4"><header creationtool="x"/><body/></tmx>'
    assert validate_tmx(bad)
