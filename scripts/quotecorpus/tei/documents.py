"""The documents a build publishes: each article's file and the teiCorpus, what each holds, in which
order, and how they are written.

What a document holds is planned from what the records say of each other (their stubs: references,
labels, articles, kinds and pages) and the languages of their TEI, not from their texts: an incremental
build plans from records it has not read again. Each entry is identified by a key (`Catalogue.key`):
a digest of its record's data and of everything its TEI takes from other records (the label of each
entry it points to, the article of each parallel quotation). An entry whose key is the one it had in
the previous build's file is not encoded again: its bytes are copied from that file, a run of such
entries in one copy (by the kernel, `copy_file_range`, where it can). Every other entry is encoded
once and written into every document that holds it.
"""

from __future__ import annotations

import copy
import hashlib
import io
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from quotecorpus import profile as P
from quotecorpus.records.corpus import Corpus, content_digest
from quotecorpus.records.validate import stub
from quotecorpus.tei.encode import (
    Document,
    EntryBytes,
    Page,
    Slot,
    declare_languages,
    in_page_order,
    page_slot,
    serialize,
    stand_off,
    tei_header,
    tei_skeleton,
)
from quotecorpus.tei.encoder import encode, languages
from quotecorpus.tei.nodes import Context

CORPUS = "corpus"  # the teiCorpus's key among the documents (the others': their article ids)


@dataclass(slots=True)
class Summary:
    """What the documents' plan needs of one record."""

    register: str
    id: str
    stub: dict  # records.validate.stub
    languages: tuple[str, ...]  # every xml:lang and mainLang of its TEI
    content: bytes  # records.corpus.content_digest of its data
    refs: tuple[tuple[str, str], ...]  # references(), in order


def summarize(register: P.Register, data: dict) -> Summary:
    found = stub(register, data)
    langs = tuple(sorted(languages(register, data)))
    return Summary(register.name, str(data["id"]), found, langs, content_digest(data), tuple(sorted(references(register, found))))


# Per register: its pointer fields, and its lists of records with the pointer fields of each entry.
_POINTERS = {
    r.name: (
        [(f.name, f.ref) for f in r.fields if f.ref],
        [(f.name, [(s.name, s.ref) for s in f.fields if s.ref]) for f in r.fields if f.type == "records" and any(s.ref for s in f.fields)],
    )
    for r in (*P.REGISTERS, P.NESTED)
}


def references(register: P.Register, rec: dict) -> set[tuple[str, str]]:
    """(register, id) of every entry a record (or its stub) points to: its pointer fields and the articles citing it."""
    out = set()
    fields, lists = _POINTERS[register.name]
    for name, ref in fields:
        value = rec.get(name)
        if value:
            if isinstance(value, list):
                out.update((ref, v) for v in value)
            else:
                out.add((ref, value))
    for name, subfields in lists:
        for e in rec.get(name) or ():
            for sub, ref in subfields:
                v = e.get(sub)
                if v:
                    out.add((ref, v))
    return out


class Catalogue:
    """Every record's summary, and the articles whole (they make the documents' headers)."""

    def __init__(self, articles: dict[str, dict], summaries: dict[str, list[Summary]]):
        self.articles = articles
        self.summaries = summaries  # register name -> summaries in corpus order (file order)
        self.by_id = {name: {s.id: s for s in found} for name, found in summaries.items()}
        # the labels pointers are written with, and the articles of quotations: all the encoder reads of other records
        self.ctx = Context({"articles": articles, **{name: {i: s.stub for i, s in found.items()} for name, found in self.by_id.items()}})
        self.keys: dict[tuple[str, str], bytes] = {}
        self.depends: dict[tuple[str, str], str] = {}

    @classmethod
    def of(cls, corpus: Corpus) -> Catalogue:
        summaries = {r.name: [summarize(r, rec.data) for rec in corpus.records[r.name]] for r in P.REGISTERS if r is not P.ARTICLES}
        return cls(corpus.by_id("articles"), summaries)

    def _depends(self, register: str, eid: str) -> str:
        """What a record's TEI takes from an entry it points to: its label, or a quotation's article."""
        found = self.depends.get((register, eid))
        if found is None:
            found = self.depends[(register, eid)] = self._read_depends(register, eid)
        return found

    def _read_depends(self, register: str, eid: str) -> str:
        if register == P.QUOTATIONS.name:
            found = self.by_id[register].get(eid)
            return found.stub.get("article", "") if found else "\0none"
        try:
            return self.ctx.label(register, eid)
        except KeyError:
            return "\0none"

    def key(self, s: Summary) -> bytes:
        """The identity of an entry's TEI: its record's data and what its TEI takes from other entries."""
        found = self.keys.get((s.register, s.id))
        if found is None:
            found = self.keys[(s.register, s.id)] = self._key(s)
        return found

    def _key(self, s: Summary) -> bytes:
        h = hashlib.blake2b(s.content, digest_size=16)
        h.update(s.register.encode())
        for register, eid in s.refs:
            h.update(f"\0{register}\0{eid}\0{self._depends(register, eid)}".encode())
        return h.digest()

    def members(self) -> dict[str, set[tuple[str, str]]]:
        """What each article's file holds: its quotations and every register entry that they point to or
        that the article cites (a work in its footnotes, a person it names), transitively (a document
        and its author), so that the two article files together hold the whole corpus."""
        out = {}
        for aid in sorted(self.articles):
            wanted = {(P.QUOTATIONS.name, s.id) for s in self.summaries[P.QUOTATIONS.name] if s.stub.get("article") == aid}
            wanted |= {
                (r.name, s.id)
                for r in P.STAND_OFF
                for s in self.summaries[r.name]
                if any(c.get("article") == aid for c in s.stub.get("cited_in") or [])
            }
            todo, seen = list(wanted), set(wanted)
            while todo:
                register, eid = todo.pop()
                if register == P.ARTICLES.name:
                    refs = references(P.ARTICLES, self.articles[eid]) if eid in self.articles else set()
                else:
                    found = self.by_id[register].get(eid)
                    refs = set(found.refs) if found is not None else set()
                for ref in refs - seen:
                    seen.add(ref)
                    todo.append(ref)
            out[aid] = seen | {(P.ARTICLES.name, aid)}
        return out


def article_title(article: dict) -> str:
    what = f"“{article['title']}”" if article.get("title") else f"the article in {article['journal']}"
    return f"quotecorpus: quotations from {article['author']}, {what} ({article['year']}), doi:{article['doi']}"


@dataclass(slots=True)
class Placed:
    """One entry, and where it goes: (document, slot) of every document that holds it."""

    summary: Summary
    key: bytes
    places: list[tuple[str, str]]


def _page_of(s: Summary) -> tuple[Page, str]:
    return (s.stub["article"], s.stub["page"]), s.stub["kind"]


class Plan:
    """The documents (their skeletons) and their entries in the order they are written: the registers
    by id, then the quotations by article and printed page (a div, and a slot, per page), on a page by
    kind, each kind in the order of the records files."""

    def __init__(self, cat: Catalogue, members: dict[str, set[tuple[str, str]]] | None = None):
        """`members`: what each article's file holds (Catalogue.members), when known already."""
        self.cat = cat
        self._placed: list[Placed] | None = None
        self.members = members if members is not None else cat.members()
        ctx = cat.ctx
        articles = cat.articles
        by_page = sorted(cat.summaries[P.QUOTATIONS.name], key=lambda s: _page_of(s)[0])
        self.quotations: list[Summary] = in_page_order(by_page, _page_of)
        self.pages: dict[str, list[Page]] = {aid: [] for aid in articles}
        for page in dict.fromkeys(_page_of(s)[0] for s in self.quotations):
            if page[0] in self.pages:
                self.pages[page[0]].append(page)
        langs = {(s.register, s.id): s.languages for found in cat.summaries.values() for s in found}
        langs |= {(P.ARTICLES.name, aid): tuple(languages(P.ARTICLES, a)) for aid, a in articles.items()}
        self.skeletons: dict[str, etree._Element] = {}
        for aid in sorted(articles):
            held = self.members[aid]
            sources = [encode(P.ARTICLES, articles[a], ctx) for a in sorted(articles) if (P.ARTICLES.name, a) in held]
            lists = {r.name: Slot(r.name) for r in P.STAND_OFF if any(name == r.name for name, _ in held)}
            divs = {page: page_slot(page) for page in self.pages[aid]}
            used = set().union(*(langs[m] for m in held))
            self.skeletons[aid] = tei_skeleton(aid, article_title(articles[aid]), sources, lists, divs, languages=used)
        self.skeletons[CORPUS] = self._tei_corpus(langs)

    def _tei_corpus(self, langs: dict) -> etree._Element:
        """The teiCorpus skeleton: the shared registers once, in its standOff, then one TEI per article."""
        cat = self.cat
        root = etree.Element(P.T + "teiCorpus", {P.XML_ID: P.CORPUS_TEI, P.XML_LANG: "en"}, nsmap=P.NSMAP)
        quoted = P.quoted_languages(s.stub for s in cat.summaries[P.QUOTATIONS.name])
        header = tei_header(
            f"quotecorpus: {P.languages_named(quoted)} quotations in "
            f"{P.counted(len(cat.articles), 'article')} on Soviet policy toward Germany, 1920–1921",
            [],
            P.CORPUS_TEI,
            None,
            cite="corpus",
        )
        root.append(header)
        so = stand_off({r.name: Slot(r.name) for r in P.STAND_OFF if cat.summaries[r.name]})
        if so is not None:
            root.append(so)
        for aid, article in sorted(cat.articles.items()):
            quoted = (s.languages for s in cat.summaries[P.QUOTATIONS.name] if s.stub.get("article") == aid)
            used = set().union(langs[(P.ARTICLES.name, aid)], *quoted)
            divs = {page: page_slot(page) for page in self.pages[aid]}
            root.append(tei_skeleton(aid, article_title(article), [encode(P.ARTICLES, article, cat.ctx)], {}, divs, languages=used))
        used = set().union(*(s.languages for r in P.STAND_OFF for s in cat.summaries[r.name]))
        declare_languages(header, [], used)
        return root

    def entries(self) -> list[Placed]:
        if self._placed is None:
            self._placed = list(self._entries())
        return self._placed

    def _entries(self) -> Iterator[Placed]:
        cat, members = self.cat, self.members
        articles = sorted(cat.articles)
        for r in P.STAND_OFF:
            for s in sorted(cat.summaries[r.name], key=lambda s: s.id):
                places = [(CORPUS, r.name)] + [(aid, r.name) for aid in articles if (r.name, s.id) in members[aid]]
                yield Placed(s, cat.key(s), places)
        for s in self.quotations:  # by article and page: the order of the slots in both skeletons
            aid = s.stub["article"]
            slot = page_slot(_page_of(s)[0]).key
            yield Placed(s, cat.key(s), [(aid, slot), (CORPUS, slot)])


# --- writing -----------------------------------------------------------------------------------


@dataclass(slots=True)
class Written:
    """Where an entry stands in a written document: what the next build copies it from."""

    register: str
    id: str
    key: bytes
    slot: str
    offset: int
    length: int


@dataclass
class WrittenDocument:
    skeleton: bytes  # its skeleton as serialized, with a <!--slot:KEY--> comment where each list's entries went
    entries: list[Written]


Was = tuple[bytes, str, int, int]  # an entry of a previous build's document: (key, slot, offset, length)


def was(written: list[Written]) -> dict[tuple[str, str], Was]:
    """A document's entries as the next build looks them up, by (register, id), in document order."""
    return {(w.register, w.id): (w.key, w.slot, w.offset, w.length) for w in written}


@dataclass
class Previous:
    """A document of the previous build: its file, its skeleton as serialized, and its entries (was())."""

    path: Path
    entries: dict[tuple[str, str], Was]
    skeleton: bytes = b""


class _Sink:
    """A file being written: bytes buffered, and ranges of another file copied in, adjacent ranges as one
    copy, by the kernel where it can (copy_file_range), else through memory."""

    BUFFER = 1 << 20

    def __init__(self, out: BinaryIO, source: int | None):
        self.out = out
        self.source = source
        self.pos = 0  # bytes written so far, the pending copy included
        self.buf = bytearray()
        self.pending: list[int] | None = None  # [start, end] of the source, still to copy

    def write(self, data: bytes) -> None:
        if self.pending is not None:
            self._copy()
        self.buf += data
        self.pos += len(data)
        if len(self.buf) >= self.BUFFER:
            self._flush_buffer()

    def copy(self, offset: int, length: int) -> None:
        if self.pending is not None and self.pending[1] == offset:
            self.pending[1] += length
        else:
            if self.pending is not None:
                self._copy()
            self.pending = [offset, offset + length]
        self.pos += length

    def _flush_buffer(self) -> None:
        if self.buf:
            self.out.write(self.buf)
            self.buf.clear()

    def _copy(self) -> None:
        assert self.pending is not None and self.source is not None
        offset, end = self.pending
        self.pending = None
        self._flush_buffer()
        self.out.flush()
        length = end - offset
        try:
            dst = self.out.fileno()
            while length:
                n = os.copy_file_range(self.source, dst, length, offset)
                if n <= 0:
                    break
                offset, length = offset + n, length - n
        except (AttributeError, OSError, io.UnsupportedOperation):
            pass  # not a file, or a kernel or file system without it: copied through memory below
        while length:
            block = os.pread(self.source, min(length, 1 << 24), offset)
            if not block:
                raise OSError(f"the previous build's file ended {length} bytes early")
            self.out.write(block)
            offset, length = offset + len(block), length - len(block)

    def close(self) -> None:
        if self.pending is not None:
            self._copy()
        self._flush_buffer()
        self.out.flush()


class _Published(Document):
    """A document of the build, knowing each entry's offset, and copying each run of unchanged entries
    (the same key in the same slot) from the previous build's file."""

    def __init__(self, skeleton: etree._Element, out: BinaryIO, previous: Previous | None):
        self.previous = previous
        self.source = os.open(previous.path, os.O_RDONLY) if previous else None
        self.sink = _Sink(out, self.source)
        self.last: Was | None = None  # the previous file's entry copied last, if nothing was written since
        self.written: list[Written] = []
        super().__init__(skeleton, out)

    def _put(self, data: bytes) -> None:
        self.last = None
        self.sink.write(data)

    def _separator(self, slot: str) -> bytes:
        self._enter(slot)
        separator = (b"" if self.first else b"\n") + b"  " * self.level
        self.first = False
        return separator

    def reusable(self, slot: str, placed: Placed) -> Was | None:
        """The previous file's entry this one is, byte for byte, if any."""
        s = placed.summary
        old = self.previous.entries.get((s.register, s.id)) if self.previous else None
        return old if old is not None and old[0] == placed.key and old[1] == slot else None

    def add(self, slot: str, placed: Placed, el: EntryBytes | None, old: Was | None) -> None:
        """Write an entry: copied from the previous file where `old` (reusable()) says it is there, else `el`
        at this slot's depth."""
        s = placed.summary
        separator = self._separator(slot)
        if old is not None:
            _, _, offset, length = old
            last = self.last
            if last is not None and last[1] == slot and last[2] + last[3] + len(separator) == offset:
                self.sink.copy(offset - len(separator), len(separator) + length)  # they follow on there as here
            else:
                self._put(separator)
                self.sink.copy(offset, length)
            self.last = old
            self.written.append(Written(s.register, s.id, placed.key, slot, self.sink.pos - length, length))
            return
        self._put(separator)
        assert el is not None
        data = el.at(self.level)
        self.written.append(Written(s.register, s.id, placed.key, slot, self.sink.pos, len(data)))
        self._put(data)

    def close(self) -> None:
        super().close()
        self.sink.close()
        self.release()

    def release(self) -> None:
        if self.source is not None:
            os.close(self.source)
            self.source = None


def _same_as_before(key: str, skeleton: bytes, plan: Plan, previous: Previous | None) -> bool:
    """Is a document what the previous build wrote, byte for byte: the same skeleton, and the same entries
    with the same keys in the same slots, in the same order?"""
    if previous is None or previous.skeleton != skeleton:
        return False
    now = [(p.summary.register, p.summary.id, p.key, slot) for p in plan.entries() for doc, slot in p.places if doc == key]
    return now == [(register, eid, k, slot) for (register, eid), (k, slot, _, _) in previous.entries.items()]


def write_documents(
    plan: Plan,
    out: dict[str, BinaryIO | Path],
    element: Callable[[Summary], etree._Element],
    previous: dict[str, Previous] | None = None,
    link: Callable[[Path, Path], None] = shutil.copyfile,
) -> dict[str, WrittenDocument]:
    """Write every document of the plan into `out` (by document key: a file to write, or a path to
    make), each entry encoded once (`element` of its summary), or copied from the previous build's file
    of the same document where its key and slot are the ones it had there; a document made at a path
    that is, byte for byte, the previous build's is linked to that file. Returns each document's
    skeleton and entries as written. `link(a, b)`: makes b the bytes of a (publish.same_bytes)."""
    previous = previous or {}
    skeletons = {key: serialize(copy.deepcopy(skeleton)) for key, skeleton in plan.skeletons.items()}
    done: dict[str, WrittenDocument] = {}
    for key, target in out.items():
        before = previous.get(key)
        if isinstance(target, Path) and before is not None and _same_as_before(key, skeletons[key], plan, before):
            link(before.path, target)
            entries = [Written(r, i, k, slot, offset, length) for (r, i), (k, slot, offset, length) in before.entries.items()]
            done[key] = WrittenDocument(skeletons[key], entries)
    opened: list[BinaryIO] = []
    docs: dict[str, _Published] = {}
    try:
        for key, skeleton in plan.skeletons.items():
            if key in done:
                continue
            target = out[key]
            if isinstance(target, Path):
                target = open(target, "wb")
                opened.append(target)
            docs[key] = _Published(skeleton, target, previous.get(key))
        for placed in plan.entries():
            places = [(doc, slot) for doc, slot in placed.places if doc in docs]
            olds = [docs[doc].reusable(slot, placed) for doc, slot in places]
            el = EntryBytes(element(placed.summary)) if None in olds else None  # encoded and serialized once for every document
            for (doc, slot), old in zip(places, olds, strict=True):
                docs[doc].add(slot, placed, el, old)
        for doc in docs.values():
            doc.close()
    finally:
        for doc in docs.values():
            doc.release()
        for f in opened:
            f.close()
    return {key: done.get(key) or WrittenDocument(docs[key].skeleton, docs[key].written) for key in plan.skeletons}


def write_corpus(corpus: Corpus, out: dict[str, BinaryIO]) -> dict[str, WrittenDocument]:
    """Write every document we publish (keys: the article ids and "corpus") from records read whole."""
    cat = Catalogue.of(corpus)
    data = {r.name: {rec.id: rec.data for rec in corpus.records[r.name]} for r in P.REGISTERS}
    return write_documents(Plan(cat), out, lambda s: encode(P.BY_NAME[s.register], data[s.register][s.id], cat.ctx))


def encode_corpus(corpus: Corpus) -> dict[str, etree._Element]:
    """Every document we publish, parsed (for small corpora and tests; the build streams to files)."""
    keys = [*sorted(corpus.by_id("articles")), CORPUS]
    out = {k: io.BytesIO() for k in keys}
    write_corpus(corpus, out)
    return {k: etree.fromstring(out[k].getvalue()) for k in keys}
