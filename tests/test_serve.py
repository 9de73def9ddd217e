"""`quotecorpus serve` as a user runs it: a real Datasette process on a local port."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

from click.testing import CliRunner

from conftest import serving
from quotecorpus.cli import cli


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


def test_serve_serves_a_database_it_did_not_build_as_it_is_under_its_name(built, tmp_path):
    db = tmp_path / "myedition.db"
    assert CliRunner().invoke(cli, ["load", str(built.tei / "nowak-2025.xml"), "--db", str(db)]).exit_code == 0
    before = db.read_bytes()
    with serving(["--corpus", str(built.corpus), "--tei", str(built.tei), "--db", str(db)], tmp_path) as base:
        with urllib.request.urlopen(base + "/myedition/quotations.json?_shape=array&_size=max") as r:
            ids = {row["id"] for row in json.loads(r.read())}
        with urllib.request.urlopen(base + "/myedition/quotations/nowak-2025-q002") as r:
            assert 'data-role="original"' in r.read().decode()
    assert ids and all(i.startswith("nowak-2025-") for i in ids)  # not rebuilt from corpus/ (which has Himmer too)
    assert db.read_bytes() == before and not db.with_name(db.name + ".stamp.json").exists()


def test_the_build_counts_the_tables_once_as_datasette_inspect_does_and_the_server_uses_it(built, tmp_path):
    """A served immutable database is counted by Datasette before its first answer (3 s to over 30 s
    at 100,000 quotations, again after every publication); the build writes those counts with
    the generation, in the `datasette inspect` format, and the server reads them instead."""
    import subprocess
    import sys

    from quotecorpus.db import inspect as db_inspect
    from quotecorpus.web.serving import make_datasette

    db = built.db.resolve()  # the current generation's file
    ours = db_inspect.read(db)
    assert ours is not None
    peer = tmp_path / "inspect.json"
    datasette = Path(sys.executable).with_name("datasette")
    subprocess.run([str(datasette), "inspect", str(db), "--inspect-file", str(peer)], check=True, capture_output=True)
    theirs = json.loads(peer.read_text())["corpus"]
    assert {k: ours[k] for k in ("hash", "size", "tables")} == {k: theirs[k] for k in ("hash", "size", "tables")}
    assert ours["tables"]["quotations"]["count"] > 100

    ds = make_datasette(built)
    assert ds.databases["corpus"].cached_table_counts == {t: v["count"] for t, v in ours["tables"].items()}


def test_serve_announces_the_reading_rooms_home_page(built, tmp_path):
    """Issue 23: `serve` printed the address of Datasette's SQL page (/corpus), not the reading room's."""
    args = ["--corpus", str(built.corpus), "--tei", str(built.tei), "--db", str(built.db)]
    with serving(args, tmp_path) as base:
        port = base.rsplit(":", 1)[1]
        with urllib.request.urlopen(base + "/") as r:
            assert "quotations and their translations" in r.read().decode()
        log = (tmp_path / f"serve-{port}.log").read_text()
    assert [line for line in log.splitlines() if line.startswith("Serving")] == [f"Serving http://127.0.0.1:{port}/"]
