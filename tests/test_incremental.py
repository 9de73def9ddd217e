"""Incremental builds (issue 25): a rebuild reads, validates, encodes and loads only what changed, and
its result is the same as a full build's of the same inputs: the TEI files byte for byte, the
database as db/content.py defines it (every table's rows with their rowids, the schema, the planner's
statistics, the search index's content).

The main test edits a copy of the real corpus fifty times at random, as a curator would edit the YAML
(texts, pages, comments, records added, removed and moved, speakers and kinds changed, persons,
documents and works renamed or given variants, added and removed), builds after each edit, and
compares with `--force` builds of the same inputs every tenth edit. An edit the rules refuse must be
refused as a full build refuses it, and is undone."""

from __future__ import annotations

import hashlib
import random
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest

from quotecorpus.db import content
from quotecorpus.errors import QuotecorpusError
from quotecorpus.layout import Paths
from quotecorpus.pipeline.build import ROOT, build
from quotecorpus.pipeline.publish import current

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from edits import Corpus, pieces  # noqa: E402


def texts_of(root: Path) -> dict[str, set[bytes]]:
    """Each records file's pieces, as digests of their text."""
    return {
        p.relative_to(root).as_posix(): {hashlib.sha256(t.encode()).digest() for t in pieces(p.read_text(encoding="utf-8"))}
        for p in root.rglob("*.yaml")
    }


def assert_same_as_full_build(work: Path, paths: Paths) -> None:
    full = Paths(corpus=paths.corpus, tei=work / "full" / "tei", db=work / "full" / "build" / "corpus.db")
    shutil.rmtree(work / "full", ignore_errors=True)
    build(full, force=True)
    names = sorted(p.name for p in full.tei.glob("*.xml"))
    assert names == sorted(p.name for p in paths.tei.glob("*.xml"))
    for name in names:
        assert (paths.tei / name).read_bytes() == (full.tei / name).read_bytes(), name
        assert (current(paths) / "tei" / name).read_bytes() == (full.tei / name).read_bytes(), name
    assert content.differences(paths.db, full.db) == []


@pytest.fixture
def edited(tmp_path) -> tuple[Path, Paths]:
    shutil.copytree(ROOT / "corpus", tmp_path / "corpus", ignore=shutil.ignore_patterns("README.md", "exclusions"))
    return tmp_path, Paths(corpus=tmp_path / "corpus", tei=tmp_path / "tei", db=tmp_path / "build" / "corpus.db")


def test_fifty_random_edits_build_incrementally_to_what_a_full_build_makes(edited):
    work, paths = edited
    rng = random.Random(25)
    corpus = Corpus(paths.corpus, rng)
    assert not build(paths).incremental
    refused = kinds = 0
    for n in range(1, 51):
        before, texts = corpus.snapshot(), texts_of(paths.corpus)
        what = corpus.edit()
        after = texts_of(paths.corpus)
        changed = sum(len(after[f] - texts.get(f, set())) for f in after)
        try:
            result = build(paths)
        except QuotecorpusError as e:
            refused += 1
            full = Paths(corpus=paths.corpus, tei=work / "refused" / "tei", db=work / "refused" / "build" / "corpus.db")
            with pytest.raises(type(e)) as by_full:
                build(full, force=True)
            assert str(by_full.value) == str(e), what
            corpus.restore(before)
            continue
        assert result.incremental, what
        # the records whose text changed are read, and no other
        assert result.records_read == changed, (what, result.records_read, changed)
        kinds += 1
        if n % 10 == 0:
            assert_same_as_full_build(work, paths)
    assert kinds >= 40 and refused <= 10, (kinds, refused)


def test_a_rebuild_encodes_and_loads_only_the_entries_whose_tei_changed(edited):
    work, paths = edited
    build(paths)
    persons = paths.corpus / "persons.yaml"
    db = sqlite3.connect(paths.db)
    # every entry whose TEI names Kopp: the quotations he speaks or is addressed in (or one nested in
    # them), the documents he wrote or received
    naming = (
        db.execute("select count(distinct coalesce(part_of, id)) from quotations where 'kopp' in (speaker, addressee)").fetchone()[0]
        + db.execute("select count(*) from documents where 'kopp' in (author, recipient)").fetchone()[0]
    )
    db.close()
    assert naming > 10
    persons.write_text(persons.read_text().replace('name: "Viktor Kopp"', 'name: "Viktor L. Kopp"'))
    result = build(paths)
    assert result.incremental and result.records_read == 1
    assert result.entries_encoded == 1 + naming  # his own entry, and theirs
    db = sqlite3.connect(paths.db)
    assert db.execute("select name from persons where id = 'kopp'").fetchone() == ("Viktor L. Kopp",)
    assert db.execute("select count(*) from tei_fragments where xml like '%>Viktor L. Kopp<%'").fetchone()[0] == 1 + naming
    assert_same_as_full_build(work, paths)


def test_a_change_of_code_or_articles_is_a_full_build(edited):
    work, paths = edited
    build(paths)
    articles = paths.corpus / "articles.yaml"
    articles.write_text(articles.read_text().replace("Soviet Policy Toward Germany", "Soviet Policy toward Germany"))
    assert not build(paths).incremental
    quotations = paths.corpus / "quotations" / "nowak-2025.yaml"
    quotations.write_text(quotations.read_text().replace("page: 111", "page: 112", 1))
    assert build(paths).incremental
    assert not build(paths, force=True).incremental
    assert_same_as_full_build(work, paths)


def test_a_bad_record_is_refused_by_an_incremental_build_with_a_full_builds_message(tmp_path):
    """Every bad-record fixture (tests/fixtures/bad_records) put into a built corpus: the incremental build
    reads that record only, and says exactly what a full build of the same records says."""
    from quotecorpus.errors import RecordError
    from test_records import CASES, _put_case

    fixture = ROOT / "tests" / "fixtures" / "mini"
    for case in sorted(CASES):
        work = tmp_path / case
        shutil.copytree(fixture, work / "corpus")
        paths = Paths(corpus=work / "corpus", tei=work / "tei", db=work / "build" / "corpus.db")
        build(paths)
        _put_case(paths.corpus, case)
        with pytest.raises(RecordError) as by_incremental:
            build(paths)
        with pytest.raises(RecordError) as by_full:
            build(Paths(corpus=paths.corpus, tei=work / "tei2", db=work / "build2" / "corpus.db"), force=True)
        assert str(by_incremental.value) == str(by_full.value), case


def test_rowids_follow_load_order_and_a_key_added_moves_few():
    from quotecorpus.db.rowids import labels

    rng = random.Random(3)
    keys = [f"nowak-2025-q{i:03d}-r{k:05d}" for k in range(200) for i in range(150)]
    before = list(labels(keys))
    assert before == sorted(before) and len(set(before)) == len(keys) and 0 < before[0] and before[-1] < 1 << 62
    moved = []
    for n in range(40):
        at = rng.randrange(len(keys))
        after = dict(zip(keys[:at] + [f"new-{n}"] + keys[at:], labels(keys[:at] + [f"new-{n}"] + keys[at:]), strict=True))
        moved.append(sum(after[k] != b for k, b in zip(keys, before, strict=True)))
    # a full renumbering moves every row after the new one: about 15,000 on average here
    assert sum(moved) / len(moved) < 500, moved


def test_relabelling_after_changes_gives_the_labels_of_the_whole_sequence():
    from quotecorpus.db.rowids import labels, relabel

    rng = random.Random(5)
    keys = [f"k{i}" for i in range(5000)]
    for _ in range(30):
        old = dict(zip(keys, labels(keys), strict=True))
        before = dict(zip(keys, [None, *keys[:-1]], strict=True))
        new = list(keys)
        for _ in range(rng.randrange(1, 6)):
            op = rng.choice(["add", "remove", "move"])
            i = rng.randrange(len(new))
            if op == "add":
                new.insert(i, f"n{rng.random()}")
            elif op == "remove":
                new.pop(i)
            else:
                new.insert(rng.randrange(len(new)), new.pop(i))
        assert relabel(new, old, before) == list(labels(new))
        keys = new
