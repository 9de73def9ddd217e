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
import json
import random
import re
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from quotecorpus.db import content
from quotecorpus.errors import QuotecorpusError
from quotecorpus.layout import Paths
from quotecorpus.pipeline.build import ROOT, build
from quotecorpus.pipeline.publish import current

_ITEM = re.compile(r"^-(?=[ \t\r\n]|$)", re.M)


def pieces(text: str) -> list[str]:
    """A records file's text cut into its records' texts (the text before the first goes with it)."""
    starts = [m.start() for m in _ITEM.finditer(text)] or [0]
    starts[0] = 0
    return [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]


def record_id(piece: str) -> str:
    return re.search(r"^- id: \"?([^\s\"]+)", piece, re.M).group(1)


class Corpus:
    """A corpus folder edited one record at a time, each edit undoable."""

    def __init__(self, root: Path, rng: random.Random):
        self.root, self.rng = root, rng
        self.n = 0

    def file(self, name: str) -> Path:
        return self.root / name

    def read(self, name: str) -> list[str]:
        return pieces(self.file(name).read_text(encoding="utf-8"))

    def write(self, name: str, found: list[str]) -> None:
        self.file(name).write_text("".join(found), encoding="utf-8")

    def quotation_files(self) -> list[str]:
        return sorted(f"quotations/{p.name}" for p in (self.root / "quotations").glob("*.yaml"))

    def snapshot(self) -> dict[str, str]:
        return {p.relative_to(self.root).as_posix(): p.read_text(encoding="utf-8") for p in self.root.rglob("*.yaml")}

    def restore(self, saved: dict[str, str]) -> None:
        for p in self.root.rglob("*.yaml"):
            if p.relative_to(self.root).as_posix() not in saved:
                p.unlink()
        for name, text in saved.items():
            if self.file(name).read_text(encoding="utf-8") != text:
                self.file(name).write_text(text, encoding="utf-8")

    def pick(self, name: str, ok: Callable[[str], bool] = lambda p: True) -> tuple[list[str], int] | None:
        found = self.read(name)
        choices = [i for i, p in enumerate(found) if ok(p)]
        return (found, self.rng.choice(choices)) if choices else None

    def referenced(self) -> set[str]:
        """Every id some record names (a parallel, a speaker, a document, a work, an author...)."""
        text = "".join(self.file(n).read_text(encoding="utf-8") for n in self.snapshot())
        return set(re.findall(r"[a-z][a-z0-9]*(?:[-_][a-z0-9]+)+|\b[a-z][a-z0-9]+\b", text))

    # --- the edits: each returns what it did, or None when it found nothing to do it to ------------

    def _value(self, name: str, field: str, change: Callable[[str], str], ok: Callable[[str], bool] = lambda p: True) -> str | None:
        found = self.pick(name, lambda p: bool(re.search(rf"^  {field}: ", p, re.M)) and ok(p))
        if found is None:
            return None
        files, i = found
        files[i] = re.sub(rf"^(  {field}: )(.*)$", lambda m: m.group(1) + change(m.group(2)), files[i], count=1, flags=re.M)
        self.write(name, files)
        return f"{field} of {record_id(files[i])} in {name}"

    def _text(self, old: str) -> str:
        text = json.loads(old) if old.startswith('"') else old
        return json.dumps(f"{text} (edit {self.n})", ensure_ascii=False)

    def translation(self) -> str | None:
        return self._value(self.rng.choice(self.quotation_files()), "translation", self._text)

    def page(self) -> str | None:
        return self._value(self.rng.choice(self.quotation_files()), "page", lambda v: str(int(v) + self.rng.choice([-1, 1, 7])))

    def comment(self) -> str | None:
        name = self.rng.choice([*self.quotation_files(), "persons.yaml", "documents.yaml", "works.yaml"])
        found = self.pick(name)
        if found is None:
            return None
        files, i = found
        files[i] = files[i].rstrip("\n") + f"\n  # a curator's comment {self.n}\n" + ("\n" if files[i].endswith("\n\n") else "")
        self.write(name, files)
        return f"a comment in {record_id(files[i])}"

    def add_quotation(self) -> str | None:
        name = self.rng.choice(self.quotation_files())
        found = self.pick(name, lambda p: "parallel:" not in p and "nested:" not in p)
        if found is None:
            return None
        files, i = found
        old = record_id(files[i])
        copy = re.sub(r"^- id: .*$", f"- id: {old}-x{self.n}", files[i], count=1, flags=re.M)
        files.insert(self.rng.randrange(len(files) + 1), copy if copy.endswith("\n") else copy + "\n")
        self.write(name, files)
        return f"{old}-x{self.n} added to {name}"

    def remove_quotation(self) -> str | None:
        name = self.rng.choice(self.quotation_files())
        named = self.referenced_by_parallel()
        found = self.pick(name, lambda p: "parallel:" not in p and record_id(p) not in named)
        if found is None:
            return None
        files, i = found
        gone = files.pop(i)
        if i == 0 and files:  # the text before the first record stays where it was
            files[0] = gone[: gone.index("- id:")] + files[0]
        self.write(name, files)
        return f"{record_id(gone)} removed from {name}"

    def referenced_by_parallel(self) -> set[str]:
        text = "".join(self.file(n).read_text(encoding="utf-8") for n in self.quotation_files())
        return {i for line in re.findall(r"^  parallel: \[(.*)\]$", text, re.M) for i in re.split(r",\s*", line)}

    def move_quotation(self) -> str | None:
        name = self.rng.choice(self.quotation_files())
        files = self.read(name)
        if len(files) < 3:
            return None
        i = self.rng.randrange(1, len(files))
        moved = files.pop(i)
        files.insert(self.rng.randrange(1, len(files) + 1), moved)
        self.write(name, files)
        return f"{record_id(moved)} moved in {name}"

    def speaker(self) -> str | None:
        persons = [record_id(p) for p in self.read("persons.yaml")]
        return self._value(self.rng.choice(self.quotation_files()), "speaker", lambda v: self.rng.choice(persons))

    def kind(self) -> str | None:
        return self._value(self.rng.choice(self.quotation_files()), "kind", lambda v: "term" if v == "quotation" else "quotation")

    def rename(self) -> str | None:
        name, field = self.rng.choice([("persons.yaml", "name"), ("documents.yaml", "title"), ("works.yaml", "title")])
        return self._value(name, field, self._text)

    def variants(self) -> str | None:
        return self._value("persons.yaml", "variants", lambda v: v[:-1] + (", " if v != "[]" else "") + f'"Variant {self.n}"]')

    def add_person(self) -> str | None:
        files = self.read("persons.yaml")
        copy = f'- id: person-x{self.n}\n  name: "Person {self.n}"\n  name_original: "Персона {self.n}"\n  variants: []\n\n'
        files.insert(self.rng.randrange(len(files) + 1), copy)
        self.write("persons.yaml", files)
        return f"person-x{self.n} added"

    def remove_person(self) -> str | None:
        named = self.referenced()
        found = self.pick("persons.yaml", lambda p: record_id(p) not in named)
        if found is None:
            return None
        files, i = found
        gone = files.pop(i)
        self.write("persons.yaml", files)
        return f"person {record_id(gone)} removed"

    def unknown_speaker(self) -> str | None:  # refused: no such person
        return self._value(self.rng.choice(self.quotation_files()), "speaker", lambda v: f"nobody-{self.n}")

    def same_id(self) -> str | None:  # refused: a record copied with its id
        name = self.rng.choice(self.quotation_files())
        found = self.pick(name, lambda p: "parallel:" not in p and "nested:" not in p)
        if found is None:
            return None
        files, i = found
        files.insert(self.rng.randrange(len(files) + 1), files[i] if files[i].endswith("\n") else files[i] + "\n")
        self.write(name, files)
        return f"{record_id(files[i])} twice in {name}"

    EDITS = (
        "translation",
        "page",
        "comment",
        "add_quotation",
        "remove_quotation",
        "move_quotation",
        "speaker",
        "kind",
        "rename",
        "variants",
        "add_person",
        "remove_person",
        "unknown_speaker",
        "same_id",
    )

    def edit(self) -> str:
        self.n += 1
        while True:
            done = getattr(self, self.rng.choice(self.EDITS))()
            if done:
                return done


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
    naming = db.execute(
        "select count(distinct coalesce(part_of, id)) from quotations where 'kopp' in (speaker, addressee)"
    ).fetchone()[0] + db.execute("select count(*) from documents where 'kopp' in (author, recipient)").fetchone()[0]
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
