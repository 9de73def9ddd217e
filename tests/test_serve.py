"""`quotecorpus serve` as a user runs it: a real Datasette process on a local port."""

from __future__ import annotations

import urllib.request


def test_serve_brings_up_the_corpus_with_the_tei_format(served):
    with urllib.request.urlopen(served + "/corpus/quotations.json?language=ru&_shape=array") as r:
        assert r.status == 200
    with urllib.request.urlopen(served + "/corpus/quotations.tei?language=ru") as r:
        assert r.headers["content-type"] == "application/tei+xml; charset=utf-8"
        assert b"<TEI " in r.read()
    with urllib.request.urlopen(served + "/corpus/quotations") as r:
        assert b"quotations.tei" in r.read()  # the format is offered on the page


def test_serve_offers_the_reading_room_and_the_files_themselves(served, built):
    with urllib.request.urlopen(served + "/") as r:
        assert "quotations and their translations" in r.read().decode()
    with urllib.request.urlopen(served + "/corpus.db") as r:
        assert r.read() == built.db.read_bytes()
    with urllib.request.urlopen(served + "/tei/quotecorpus.xml") as r:
        assert r.read() == (built.tei / "quotecorpus.xml").read_bytes()
