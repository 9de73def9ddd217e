"""How a build decides what to redo, and redoes only that: the stages of an incremental build.

The previous generation's state (state.py) says what each record's text was, what each TEI entry's key
was and where it stands, and which rows each entry loaded. From it:

* records: a file whose digest did not change is not read; in one that did, only the records whose
  text changed are parsed and checked by the rules of one record; the rules across records run over
  every record, the others as their stubs (records/reread.py, records/validate.py);
* TEI: every entry's key (its record's data, and what its TEI takes from the entries it points to)
  is compared with the one it had: an entry with the same key in the same slot is copied from the
  previous file, any other encoded (reading again, whole, the records whose text did not change but
  whose TEI did: a person renamed changes the TEI of every quotation of theirs) (tei/documents.py);
* validation: the entries written anew, in their context, and every entry of a slot whose context
  changed; the skeletons; the ids and pointers of what is new against the rest (tei/stream.py);
* database: the rows of the entries whose TEI changed, replaced, on a copy of the previous one
  (db/update.py).

A change of code or schemas, of the articles (every document's header), or a previous generation
without a state is a full build. The result is the same as a full build's: tests/test_incremental.py.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from quotecorpus import profile as P
from quotecorpus.db import update as db_update
from quotecorpus.db.load import EntryKey, LoadedRow
from quotecorpus.pipeline.state import State
from quotecorpus.records.corpus import Corpus, Record, corpus_files, matches
from quotecorpus.records.reread import Again, Known, KnownFile, known_of
from quotecorpus.tei import stream as tei_stream
from quotecorpus.tei import validate as tei_validate
from quotecorpus.tei.documents import CORPUS, Catalogue, Previous, Summary, Was, Written, summarize
from quotecorpus.tei.encoder import encode
from quotecorpus.tei.read import PARSER

ARTICLES_FILE = "articles.yaml"


def summaries(corpus: Corpus) -> Catalogue:
    """The documents' catalogue of every record: read ones from their data, kept ones from their stub
    and what the last build kept of them (`Record.kept`: data digest and languages)."""
    out: dict[str, list[Summary]] = {}
    for r in P.REGISTERS:
        if r is P.ARTICLES:
            continue
        found = out[r.name] = []
        for rec in corpus.records[r.name]:
            if rec.kept is not None:
                content, langs, refs = rec.kept  # type: ignore[misc]
                found.append(Summary(r.name, rec.id, rec.data, tuple(langs), content, tuple(map(tuple, refs))))
            else:
                found.append(summarize(r, rec.data))
    return Catalogue(corpus.by_id(P.ARTICLES.name), out)


def _structure(stub: dict, refs) -> tuple:
    """What of a record decides what the documents hold and where: what it points to, the articles
    citing it, its article and kind."""
    cited = tuple(c.get("article") for c in stub.get("cited_in") or [])
    return tuple(sorted(map(tuple, refs))), cited, stub.get("article"), stub.get("kind")


def _depended(register: str, stub: dict) -> object:
    """What the TEI of an entry pointing to this record takes from it (Catalogue._depends)."""
    return stub.get("article") if register == P.QUOTATIONS.name else stub.get(P.BY_NAME[register].label)


def reuse(cat: Catalogue, corpus: Corpus, read: Corpus, state: State, digests: dict[str, str]) -> dict[str, set[EntryKey]] | None:
    """What the last build's plan still says of this one. The key of every entry whose record was not
    read again and which points to no entry whose label (or, a quotation, whose article) changed is the
    one it had: set in `cat`, not computed. When no record was added, removed or moved, and none read
    changed what it points to, the articles citing it, its article or kind, what each article's file
    holds is what it held: returned (else None, and the plan finds it again)."""
    register_of = {p.relative_to(corpus.root).as_posix(): r for r in P.REGISTERS for p in corpus.root.glob(r.files)}
    same = set(register_of) == set(state.files)
    read_keys = {(r.name, rec.id) for r in P.REGISTERS for rec in read.records[r.name]}
    files = {rel for rel in register_of if rel not in state.files or state.files[rel].digest != digests.get(rel)}
    old: dict[EntryKey, Known] = {}  # what the last build knew of the records of the files read
    for rel in files:
        known = state.files.get(rel)
        if known is None or known.records is None:
            same = False
            continue
        old.update(((register_of[rel].name, k.id), k) for k in known.records)
    changed: set[EntryKey] = set()  # entries whose label (or article) changed, or which went
    for key in read_keys:
        k, s = old.get(key), cat.by_id.get(key[0], {}).get(key[1])
        if k is None or s is None:
            same = False  # a record added
            continue
        if _depended(key[0], k.stub) != _depended(key[0], s.stub):
            changed.add(key)
        if _structure(k.stub, k.payload[2]) != _structure(s.stub, s.refs):
            same = False
    for rel in files:  # each file read: its records' ids, in order, against those it had
        known = state.files.get(rel)
        before = [k.id for k in known.records] if known is not None and known.records is not None else []
        found = [rec.id for rec in corpus.records[register_of[rel].name] if rec.path.endswith("/" + rel)]
        if found != before:
            same = False
            changed |= {(register_of[rel].name, i) for i in set(before) - set(found)}
    keys = state.tei.get(CORPUS, {})
    for found in cat.summaries.values():
        for s in found:
            key = (s.register, s.id)
            if key in keys and key not in read_keys and not any(ref in changed for ref in s.refs):
                cat.keys[key] = keys[key][0]
    if not same:
        return None
    return {
        aid: set(state.tei.get(aid, {})) | {(P.ARTICLES.name, a) for a in state.held.get(aid, ())} | {(P.ARTICLES.name, aid)}
        for aid in cat.articles
    }


def known_files(
    corpus: Corpus, cat: Catalogue, digests: dict[str, str], before: State | None, freeze: Callable[[KnownFile], bytes] | None = None
) -> dict[str, KnownFile | bytes]:
    """What the next build will know of each records file (state.State.files): of an article, its whole
    record (every document's header is made from it), of any other record its stub. A file not read
    again is known as it was. With `freeze` (state.freeze_file), each file is frozen as soon as it is
    known, so that the stubs of one file at a time are alive, not those of every record (at 100,000
    quotations, all at once, they raised the build's peak by about 400 MB)."""
    payload = {(s.register, s.id): (s.content, s.languages, s.refs) for found in cat.summaries.values() for s in found}
    by_file: dict[str, tuple[P.Register, list[Record]]] = {}
    files = [p.relative_to(corpus.root).as_posix() for p in corpus_files(corpus.root)]
    for register in P.REGISTERS:
        for rel in (f for f in files if matches(f, register.files)):
            by_file[f"{corpus.root.name}/{rel}"] = (register, [])
        for rec in corpus.records[register.name]:
            by_file[rec.path][1].append(rec)  # rec.path: the file as messages show it, corpus/<relative path>
    out = {}
    for shown, (register, records) in by_file.items():
        rel = shown.split("/", 1)[1]
        old = before.files.get(rel) if before is not None else None
        if old is not None and old.digest == digests.get(rel) and old.records is not None:
            out[rel] = freeze(old) if freeze is not None else old
            continue
        found = known_of(records, digests.get(rel, ""), lambda r: r.kept or payload.get((r.register.name, r.id), (b"", (), ())))
        if register is P.ARTICLES and found.records is not None:
            for k, rec in zip(found.records, records, strict=True):
                k.stub = rec.data
        out[rel] = freeze(found) if freeze is not None else found
    return out


def full_build_needed(state: State | None, digests: dict[str, str]) -> bool:
    """No state to build from, or the articles changed (they head every document and order the load)."""
    if state is None:
        return True
    before = state.files.get(ARTICLES_FILE)
    return before is None or before.digest != digests.get(ARTICLES_FILE)


def previous_documents(state: State, tei: Path, names: dict[str, str]) -> dict[str, Previous]:
    return {key: Previous(tei / names[key], state.tei[key]) for key in names if key in state.tei and (tei / names[key]).exists()}


def element_maker(cat: Catalogue, corpus: Corpus):
    """The TEI element of a record's entry: from its data, read now, or (kept) read again whole."""
    records = {(r.name, rec.id): rec for r in P.REGISTERS for rec in corpus.records[r.name]}
    again = Again()

    def element(s: Summary) -> etree._Element:
        rec = records[(s.register, s.id)]
        return encode(P.BY_NAME[s.register], rec.data if rec.kept is None else again(rec), cat.ctx)

    return element


def contexts(skeletons: dict[str, bytes]) -> dict[str, dict[str, bytes]]:
    """The digest of each slot's validation context, per document (from its written skeleton)."""
    out = {}
    for key, data in skeletons.items():
        root = etree.fromstring(data, PARSER)
        out[key] = {slot: tei_stream.context_digest(box) for slot, box in tei_stream.slot_containers(root).items()}
    return out


def fresh_keys(written: list[Written], before: dict[EntryKey, Was]) -> set[EntryKey]:
    """The entries of a document written anew (not copied from the previous build's file)."""
    out = set()
    for w in written:
        o = before.get((w.register, w.id))
        if o is None or o[0] != w.key or o[1] != w.slot:
            out.add((w.register, w.id))
    return out


def read_entries(path: Path, entries: list[Written]) -> list[etree._Element]:
    """Entries of a written document, parsed from its bytes (as they stand there, at their depth)."""
    out = []
    with open(path, "rb") as f:
        for w in entries:
            f.seek(w.offset)
            wrapped = b'<holder xmlns="' + P.TEI_NS.encode() + b'">' + f.read(w.length) + b"</holder>"
            out.append(etree.fromstring(wrapped, PARSER)[0])
    return out


@dataclass
class Document:
    """A document as this build wrote it, for its validation."""

    key: str
    name: str  # its file name
    path: Path
    skeleton: bytes
    written: list[Written]


class Validation(threading.Thread):
    """The TEI of an incremental build validated beside the database's update (libxml2 validates without
    Python's lock): in each document, what was written anew, and every entry of a slot whose context
    changed (tei_stream.check_entries); an entry of an article's file byte for byte the teiCorpus's
    (indentation aside) was validated there, as in a full build. join() raises what it found."""

    def __init__(self, docs: list[Document], state: State, now: dict[str, dict[str, bytes]], nested: dict[str, list[str]]):
        super().__init__(name="validate TEI", daemon=True)
        self.docs, self.state, self.now, self.nested = docs, state, now, nested
        self.error: BaseException | None = None
        self.start()

    def run(self) -> None:
        try:
            seen: set[bytes] = set()
            corpus = next(d for d in self.docs if d.key == CORPUS)
            where = {(w.register, w.id): w for w in corpus.written}
            for doc in sorted(self.docs, key=lambda d: d.key != CORPUS):  # the teiCorpus first, as a full build
                self._document(doc, seen, corpus.path, where)
        except BaseException as e:  # noqa: BLE001 -- handed to the build's thread, which raises it
            self.error = e

    def _document(self, doc: Document, seen: set[bytes], corpus: Path, where: dict) -> None:
        before = self.state.tei.get(doc.key, {})
        old_contexts = self.state.contexts.get(doc.key, {})
        changed_slots = {slot for slot, digest in self.now[doc.key].items() if old_contexts.get(slot) != digest}
        fresh = fresh_keys(doc.written, before)
        wanted = [w for w in doc.written if (w.register, w.id) in fresh or w.slot in changed_slots]
        elements = read_entries(doc.path, wanted)
        twins = read_entries(corpus, [where[(w.register, w.id)] for w in wanted]) if doc.key != CORPUS else elements
        entries: dict[str, list[tuple[P.Register, etree._Element, bool]]] = {}
        for w, el, twin in zip(wanted, elements, twins, strict=True):
            key = tei_stream.digest(el)
            # the teiCorpus's entry (valid there), or these very bytes validated already in this build
            done = (doc.key != CORPUS and tei_stream.digest(twin) == key) or key in seen
            seen.add(key)
            entries.setdefault(w.slot, []).append((P.BY_NAME[w.register], el, not done))
        nested = self.nested
        checked = {(w.register, w.id) for w in wanted}
        others: dict[str, str | None] = {}
        for w in doc.written:
            if (w.register, w.id) in checked:
                continue
            others[w.id] = w.register
            for n in nested.get(w.id, []) if w.register == P.QUOTATIONS.name else []:
                others[n] = None
        skeleton = etree.fromstring(doc.skeleton, PARSER)
        invalid, outside = tei_validate.entries_problems(skeleton, entries, others)
        if invalid or outside:
            # the same messages, with their lines, as validating the whole file says them
            tei_validate.validate_file(doc.path, f"tei/{doc.name}")
            tei_validate.raise_problems(f"tei/{doc.name}", invalid, outside)

    def join(self, timeout: float | None = None) -> None:
        super().join(timeout)
        if self.error is not None:
            raise self.error


def load_order(articles: list[str], corpus_written: list[Written]) -> list[EntryKey]:
    """The entries in the order the full load reads the teiCorpus: the registers' lists, then each
    article (its header's biblStruct) and its quotations."""
    order: list[EntryKey] = []
    quotations: dict[str, list[EntryKey]] = {aid: [] for aid in articles}
    for w in corpus_written:
        if "/" in w.slot:
            quotations[w.slot.split("/", 1)[0]].append((w.register, w.id))
        else:
            order.append((w.register, w.id))
    for aid in articles:
        order.append((P.ARTICLES.name, aid))
        order += quotations[aid]
    return order


def update_database(
    db: Path, previous_db: Path, state: State, articles: list[str], corpus: Document, source: str
) -> dict[EntryKey, list[LoadedRow]]:
    """The database of this build, from a copy of the previous one at `db`: the rows of every entry of
    the teiCorpus written anew replaced, decoded from the TEI written."""
    order = load_order(articles, corpus.written)
    fresh = fresh_keys(corpus.written, state.tei.get(CORPUS, {}))
    wanted = [w for w in corpus.written if (w.register, w.id) in fresh]
    elements = dict(zip([(w.register, w.id) for w in wanted], read_entries(corpus.path, wanted), strict=True))
    return db_update.update(db, previous_db, state.loaded, order, elements, source)
