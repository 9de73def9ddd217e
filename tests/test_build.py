"""The build as a whole: atomic, no-op when unchanged, interrupted safely; TEI and database agree."""

from __future__ import annotations

import sqlite3

import pytest
from lxml import etree

from quotecorpus.errors import BuildInterrupted
from quotecorpus.pipeline.build import build, check_tei_current
from quotecorpus.pipeline.publish import store
from quotecorpus.profile import NS as X
from quotecorpus.profile import XML_ID
from quotecorpus.tei.read import text_of


def test_unchanged_inputs_do_no_work(mini):
    assert build(mini).rebuilt
    stamp = mini.db.stat().st_mtime_ns
    steps = []
    assert not build(mini, progress=steps.append).rebuilt
    assert steps == ["up to date"]
    assert mini.db.stat().st_mtime_ns == stamp


def test_a_no_op_reads_only_the_inputs_whose_size_or_time_changed(mini):
    """The digest of an input is remembered with its size and modification time: a touched file is
    read again (same content: still up to date), a changed one rebuilds even at the same size."""
    import json
    import os

    from quotecorpus.pipeline.build import INPUTS

    build(mini)
    path = mini.corpus / "quotations" / "nowak-2025.yaml"
    known = json.loads((store(mini) / INPUTS).read_text())
    assert known[str(path.resolve())][:2] == [path.stat().st_size, path.stat().st_mtime_ns]
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    steps = []
    assert not build(mini, progress=steps.append).rebuilt and steps == ["up to date"]
    text = path.read_text()
    path.write_text(text.replace("page: 104", "page: 106"))  # the same size
    assert len(path.read_bytes()) == len(text.encode())
    assert build(mini).rebuilt


def test_a_changed_record_rebuilds(mini):
    build(mini)
    path = mini.corpus / "quotations" / "nowak-2025.yaml"
    path.write_text(path.read_text().replace("page: 104", "page: 106"))
    assert build(mini).rebuilt
    assert sqlite3.connect(mini.db).execute("select page from quotations where id = 'nowak-2025-q002'").fetchone() == (106,)


def test_interrupted_build_leaves_previous_outputs(mini):
    build(mini)
    before = {p: p.read_bytes() for p in [mini.db, *mini.tei.glob("*.xml")]}
    path = mini.corpus / "quotations" / "nowak-2025.yaml"
    path.write_text(path.read_text().replace("page: 104", "page: 106"))

    def interrupt(step):
        if step == "load database":
            raise KeyboardInterrupt

    with pytest.raises(BuildInterrupted, match="nothing was published, the previous build is still the current one") as err:
        build(mini, progress=interrupt)
    assert err.value.exit_code == 130
    assert {p: p.read_bytes() for p in before} == before
    leftovers = [p.name for d in (mini.db.parent, mini.tei, store(mini)) for p in d.iterdir() if ".tmp-" in p.name or "tmp-" in p.name]
    assert leftovers == []


def test_committed_tei_is_what_the_corpus_produces():
    assert check_tei_current() == [], "run `quotecorpus build` and commit tei/"


def test_every_quotation_in_the_database_has_the_text_of_its_tei(built):
    rows = {r[0]: r[1:] for r in sqlite3.connect(built.db).execute("select id, original, original_corrected, translation from quotations")}
    seen = 0
    for path in built.tei.glob("*.xml"):
        if path.stem == "quotecorpus":
            continue
        for cit in etree.parse(str(path)).getroot().xpath("//t:body//t:cit[@xml:id]", namespaces=X):
            original = cit.find("t:quote", X)
            translation = cit.find("t:cit[@type='translation']/t:quote", X)
            assert rows[cit.get(XML_ID)] == (text_of(original, "sic"), text_of(original, "corr"), text_of(translation)), cit.get(XML_ID)
            seen += 1
    assert seen == len(rows) > 0
