"""Curated records → self-contained TEI P5 documents.

Each entry is encoded by the profile's template (tei/encoder.encode); this module assembles the
documents around them: header, registers in standOff, quotations grouped by printed page in the body.
`assemble()` is shared by the article files, the teiCorpus and Datasette's `.tei` exports, so
every TEI we publish has the same header, registers and body structure.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO

from lxml import etree

from quotecorpus import RELEASE_DATE, __version__
from quotecorpus import profile as P
from quotecorpus.records.corpus import Corpus
from quotecorpus.tei.encoder import encode, languages
from quotecorpus.tei.nodes import Context
from quotecorpus.text.translit import SCHEMES

E = etree.Element


def _el(parent, tag: str, text: str | None = None, **attrs) -> etree._Element:
    el = etree.SubElement(parent, P.T + tag, {_attr(k): str(v) for k, v in attrs.items() if v is not None})
    if text is not None:
        el.text = text
    return el


def _attr(name: str) -> str:
    return {"xml_lang": P.XML_LANG, "xml_id": P.XML_ID}.get(name, name)


def context(corpus: Corpus) -> Context:
    """Every register entry by id, built once: the labels pointers are written with."""
    return Context({r.name: corpus.by_id(r.name) for r in P.REGISTERS})


# --- documents -------------------------------------------------------------------------------


def _header(
    title: str, sources: list[etree._Element], idno: str, provenance: str | None, registers: bool = True, cite: str | None = None
) -> etree._Element:
    """`registers`: the document holds the registers (a standOff), whose editorial forms point to its editors;
    `cite`: the citation trees it declares ("document": a standalone TEI, "corpus": the teiCorpus)."""
    header = E(P.T + "teiHeader")
    fd = _el(header, "fileDesc")
    ts = _el(fd, "titleStmt")
    _el(ts, "title", title)
    resp = _el(ts, "respStmt")
    if registers:
        resp.set(P.XML_ID, P.EDITORS_ID)
    _el(resp, "resp", "selected, transcribed and encoded by")
    _el(resp, "name", "quotecorpus contributors")
    # The release this document belongs to, as every citation names it: a downloaded file (or a
    # `.tei` selection) says which version of the corpus it is, without the server it came from.
    _el(_el(fd, "editionStmt"), "edition", f"version {__version__}", n=__version__)
    ps = _el(fd, "publicationStmt")
    _el(ps, "publisher", "quotecorpus")
    _el(ps, "date", RELEASE_DATE, when=RELEASE_DATE)
    _el(ps, "idno", idno, type="quotecorpus")
    avail = _el(ps, "availability", status="restricted")
    _el(avail, "licence", P.LICENCE_TEXT, target=P.LICENCE_URL)
    if provenance:
        _el(_el(fd, "notesStmt"), "note", provenance, type="provenance")
    sd = _el(fd, "sourceDesc")
    if sources:
        _el(sd, "listBibl").extend(sources)
    else:
        _el(sd, "p", "The sources are the articles described in the header of each TEI document below.")
    ed = _el(header, "encodingDesc")
    _el(_el(ed, "projectDesc"), "p", P.PROJECT_DESC)
    decl = _el(ed, "editorialDecl")
    schemes = "; ".join(f"{s.bcp47()}: {s.label}" for s in SCHEMES.values())
    for para in P.EDITORIAL_DECL:
        _el(decl, "p", para.format(schemes=schemes))
    if cite is not None:
        ed.extend(_refs_decls(cite))
    _el(header, "profileDesc")
    return header


def name_release(root: etree._Element, version: str, date: str) -> None:
    """Name another release in the header _header wrote (a `.tei` of an older version's page, served as
    /corpus-<version>/: web/versions.py), in the same places."""
    for edition in root.iter(P.T + "edition"):
        edition.text, edition.attrib["n"] = f"version {version}", version
        break
    for ps in root.iter(P.T + "publicationStmt"):
        found = ps.find(P.T + "date")
        if found is not None:
            found.text, found.attrib["when"] = date, date
        break


def _cite_structure(c: P.Cite) -> etree._Element:
    el = E(P.T + "citeStructure", {"unit": c.unit, "match": c.match, "use": c.use, **({"delim": c.delim} if c.delim else {})})
    for use, prop in c.data:
        _el(el, "citeData", use=use, property=prop)
    el.extend(_cite_structure(child) for child in c.children)
    return el


def _refs_decls(cite: str) -> list[etree._Element]:
    """The citation trees of a standalone TEI document ("document"), or of the teiCorpus ("corpus")."""
    out = []
    for i, (name, tree) in enumerate(P.CORPUS_CITE_TREES if cite == "corpus" else P.CITE_TREES):
        decl = E(P.T + "refsDecl", {"n": name, **({"default": "true"} if i == 0 else {})})
        decl.append(_cite_structure(tree))
        out.append(decl)
    return out


def _declare_languages(header: etree._Element, scope: Iterable[etree._Element], known: Iterable[str] = ()) -> None:
    """langUsage: every xml:lang and textLang/@mainLang in `scope`, and the `known` ones (of entries
    a streamed document will hold)."""
    used = {"en", *known}
    for el in scope:
        used.update(el.xpath("descendant-or-self::*/@xml:lang"))
        used.update(el.xpath("descendant-or-self::t:textLang/@mainLang", namespaces=P.NS))
    usage = _el(header.find(P.T + "profileDesc"), "langUsage")
    for code in sorted(used):
        _el(usage, "language", P.LANG_NAMES.get(code, code), ident=code)


@dataclass(frozen=True)
class Slot:
    """Where a streamed document's entries go: `write_document` writes them in place of this."""

    key: str


Entries = list[etree._Element] | Slot


def _fill(container: etree._Element, entries: Entries) -> None:
    if isinstance(entries, Slot):
        container.append(etree.Comment(f"slot:{entries.key}"))
    else:
        container.extend(entries)


def _stand_off(lists: dict[str, Entries]) -> etree._Element | None:
    """standOff with a list per register (P.STAND_OFF order) that has entries; None when none has."""
    if not any(lists.get(r.name) for r in P.STAND_OFF):
        return None
    so = E(P.T + "standOff")
    for r in P.STAND_OFF:
        if lists.get(r.name):
            box = r.container[-1]
            _fill(_el(so, box.tag, **box.fixed), lists[r.name])
    return so


Page = tuple[str, int]  # (article id, printed page)


def page_slot(page: Page) -> Slot:
    return Slot(f"{page[0]}/{page[1]}")


def in_page_order(quotations: Iterable, page_of) -> list:
    """Quotations in the order the body holds them: grouped by page (`page_of(q)`: ((article, page), kind)),
    the pages in the order the quotations first show them (a selection keeps its order as far as the
    grouping allows; the article files are given theirs by article and page), on a page by kind (P.KINDS
    order), each kind in the order given."""
    quotations = list(quotations)
    first: dict[Page, int] = {}
    for q in quotations:
        first.setdefault(page_of(q)[0], len(first))
    kinds = {k: i for i, k in enumerate(P.KINDS)}
    return sorted(quotations, key=lambda q: (first[page_of(q)[0]], kinds[page_of(q)[1]]))


def _body(divs: dict[Page, Entries]) -> etree._Element:
    """text/body with a div per printed page (P.PAGE_DIV) that has quotations, in the order given: a page
    is one element holding its quotations, the unit DTS processors cite a page by (profile.CITE_TREES)."""
    text = E(P.T + "text")
    body = _el(text, "body")
    for page in divs:
        if divs[page]:
            div = _el(body, "div", type=P.PAGE_DIV, n=page[1])
            _el(div, "head", P.page_head(page[1]))
            _fill(div, divs[page])
    if not len(body):
        _el(body, "p", "No quotations were selected.")
    return text


def _page_of_cit(cit: etree._Element) -> tuple[Page, str]:
    citation = cit.find(f"{P.T}bibl[@type='citation']")
    article = citation.find(f"{P.T}ref").get("target").removeprefix("#").removeprefix(P.ARTICLE_ID_PREFIX)
    return (article, int(citation.find(f"{P.T}biblScope[@unit='page']").text)), cit.get("type")


def _by_page(cits: list[etree._Element]) -> dict[Page, list[etree._Element]]:
    by_page: dict[Page, list] = {}
    for c in in_page_order(cits, _page_of_cit):
        by_page.setdefault(_page_of_cit(c)[0], []).append(c)
    return by_page


def tei_skeleton(
    xml_id: str,
    title: str,
    sources: list[etree._Element],
    lists: dict[str, Entries],
    divs: dict[Page, Entries] | None,
    provenance: str | None = None,
    languages: Iterable[str] = (),
) -> etree._Element:
    tei = E(P.T + "TEI", {P.XML_ID: xml_id, P.XML_LANG: "en"}, nsmap=P.NSMAP)
    header = _header(title, sources, xml_id, provenance, registers=bool(lists), cite="document" if lists else None)
    tei.append(header)
    so = _stand_off(lists)
    if so is not None:
        tei.append(so)
    tei.append(_body(divs or {}))
    _declare_languages(header, [tei], languages)
    return tei


def assemble(
    xml_id: str,
    title: str,
    sources: list[etree._Element],
    persons: list[etree._Element],
    documents: list[etree._Element],
    works: list[etree._Element],
    cits: list[etree._Element],
    provenance: str | None = None,
    with_stand_off: bool = True,
) -> etree._Element:
    """One self-contained TEI document (the caller passes every register entry the cits point to)."""
    lists = {"persons": persons, "documents": documents, "works": works} if with_stand_off else {}
    return tei_skeleton(xml_id, title, sources, lists, _by_page(cits), provenance)


def article_title(article: dict) -> str:
    what = f"“{article['title']}”" if article.get("title") else f"the article in {article['journal']}"
    return f"quotecorpus: quotations from {article['author']}, {what} ({article['year']}), doi:{article['doi']}"


def references(register: P.Register, rec: dict) -> set[tuple[str, str]]:
    """(register, id) of every entry a record points to: its pointer fields and the articles citing it."""
    out = set()
    for f in register.fields:
        value = rec.get(f.name)
        if f.ref and value:
            out |= {(f.ref, v) for v in (value if isinstance(value, list) else [value])}
        if f.type == "records":
            out |= {(s.ref, e[s.name]) for e in value or [] for s in f.fields if s.ref and e.get(s.name)}
    return out


def _with_references(corpus: Corpus, wanted: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """`wanted` and everything its entries point to, transitively (a document to its author)."""
    by_id = {r.name: corpus.by_id(r.name) for r in P.REGISTERS}
    todo, seen = list(wanted), set(wanted)
    while todo:
        register, eid = todo.pop()
        for ref in references(P.BY_NAME[register], by_id[register][eid]) - seen:
            seen.add(ref)
            todo.append(ref)
    return seen


def _cited_in(rec: dict, article: str) -> bool:
    return any(c.get("article") == article for c in rec.get("cited_in") or [])


def _entries(corpus: Corpus, register: P.Register):
    """A register's records in the order every TEI document lists them: by id, so that the order
    does not depend on how the records were curated or imported."""
    return sorted(corpus.records[register.name], key=lambda rec: rec.id)


def _members(corpus: Corpus) -> dict[str, set[tuple[str, str]]]:
    """What each article's file holds: its quotations and every register entry that they point to or
    that the article cites (a work in its footnotes, a person it names), so that the two article
    files together hold the whole corpus."""
    out = {}
    for aid in sorted(corpus.by_id("articles")):
        wanted = {("quotations", r.id) for r in corpus.records["quotations"] if r.data["article"] == aid}
        wanted |= {(r.name, rec.id) for r in P.STAND_OFF for rec in corpus.records[r.name] if _cited_in(rec.data, aid)}
        out[aid] = _with_references(corpus, wanted) | {("articles", aid)}
    return out


class Document:
    """One published document, written as a stream: its skeleton (header and empty lists, serialized
    with a <!--slot:KEY--> comment where each list's entries go) and the entries, in skeleton order."""

    def __init__(self, skeleton: etree._Element, out: BinaryIO):
        self.out = out
        data = serialize(skeleton)
        self.pieces = _SLOT.split(data)  # text, indent, key, text, indent, key, ..., text
        self.out.write(self.pieces[0])
        self.next = 1  # the index of the next slot's indent in pieces
        self.slot: str | None = None
        self.level = 0

    def _enter(self, key: str) -> None:
        while self.slot != key:
            if self.slot is not None:
                self.out.write(self.pieces[self.next + 2])  # the skeleton up to the next slot
                self.next += 3
            if self.next >= len(self.pieces):
                raise AssertionError(f"no slot {key!r} after {self.slot!r}: entries must come in the skeleton's order")
            self.level = len(self.pieces[self.next]) // 2
            self.slot = self.pieces[self.next + 1].decode()
            self.first = True

    def write(self, key: str, el: etree._Element) -> None:
        self._enter(key)
        self.out.write((b"" if self.first else b"\n") + b"  " * self.level)
        self.first = False
        self.out.write(entry_bytes(el, self.level))

    def close(self) -> None:
        if self.slot is not None:
            self.out.write(self.pieces[self.next + 2])
            self.next += 3
        assert self.next >= len(self.pieces), "a slot of the skeleton was left empty"


_SLOT = re.compile(rb"( *)<!--slot:(.+?)-->")
_HOLDER = E(P.T + "holder", nsmap=P.NSMAP)  # serializing an entry inside it writes the default namespace
_XMLNS = b' xmlns="' + P.TEI_NS.encode() + b'"'


def entry_bytes(el: etree._Element, level: int) -> bytes:
    """One entry as it stands in a document at this depth: indented, without its namespace declaration."""
    _indent(el, level)
    _HOLDER.append(el)
    try:
        data = etree.tostring(el, encoding="UTF-8", with_tail=False)
    finally:
        _HOLDER.remove(el)
    head, _, rest = data.partition(b">")
    return head.replace(_XMLNS, b"", 1) + b">" + rest


def write_corpus(corpus: Corpus, out: dict[str, BinaryIO]) -> None:
    """Write every document we publish (keys as tei_file_name takes them: the article ids and
    "corpus"), each entry encoded once and streamed into every document that holds it."""
    ctx = context(corpus)
    articles = corpus.by_id("articles")
    members = _members(corpus)
    langs = {(r.name, rec.id): languages(r, rec.data) for r in P.REGISTERS for rec in corpus.records[r.name]}
    by_page = sorted(corpus.records["quotations"], key=lambda rec: _page_of_record(rec)[0])
    quotations = in_page_order(by_page, _page_of_record)
    pages = {aid: list(dict.fromkeys(_page_of_record(rec)[0] for rec in quotations if rec.data["article"] == aid)) for aid in articles}
    docs: dict[str, Document] = {}
    for aid in sorted(articles):
        held = members[aid]
        sources = [encode(P.ARTICLES, articles[a], ctx) for a in sorted(articles) if ("articles", a) in held]
        lists = {r.name: Slot(r.name) for r in P.STAND_OFF if any(name == r.name for name, _ in held)}
        divs = {page: page_slot(page) for page in pages[aid]}
        used = set().union(*(langs[m] for m in held))
        docs[aid] = Document(tei_skeleton(aid, article_title(articles[aid]), sources, lists, divs, languages=used), out[aid])
    docs["corpus"] = Document(_tei_corpus(corpus, ctx, pages, langs), out["corpus"])
    for r in P.STAND_OFF:
        for rec in _entries(corpus, r):
            el = encode(r, rec.data, ctx)
            docs["corpus"].write(r.name, el)
            for aid in sorted(articles):
                if (r.name, rec.id) in members[aid]:
                    docs[aid].write(r.name, el)
    for rec in quotations:  # by article and page: the order of the slots in both skeletons
        el = encode(P.QUOTATIONS, rec.data, ctx)
        key = page_slot(_page_of_record(rec)[0]).key
        docs[rec.data["article"]].write(key, el)
        docs["corpus"].write(key, el)
    for doc in docs.values():
        doc.close()


def _page_of_record(rec) -> tuple[Page, str]:
    return (rec.data["article"], rec.data["page"]), rec.data["kind"]


def _tei_corpus(corpus: Corpus, ctx: Context, pages: dict[str, list[Page]], langs: dict) -> etree._Element:
    """The teiCorpus skeleton: the shared registers once, in its standOff, then one TEI per article."""
    root = E(P.T + "teiCorpus", {P.XML_ID: P.CORPUS_TEI, P.XML_LANG: "en"}, nsmap=P.NSMAP)
    quoted = P.quoted_languages(rec.data for rec in corpus.records["quotations"])
    header = _header(
        f"quotecorpus: {P.languages_named(quoted)} quotations in "
        f"{P.counted(len(corpus.records['articles']), 'article')} on Soviet policy toward Germany, 1920–1921",
        [],
        P.CORPUS_TEI,
        None,
        cite="corpus",
    )
    root.append(header)
    so = _stand_off({r.name: Slot(r.name) for r in P.STAND_OFF if corpus.records[r.name]})
    if so is not None:
        root.append(so)
    for aid, article in sorted(corpus.by_id("articles").items()):
        quoted = (langs[("quotations", r.id)] for r in corpus.records["quotations"] if r.data["article"] == aid)
        used = set().union(langs[("articles", aid)], *quoted)
        divs = {page: page_slot(page) for page in pages[aid]}
        root.append(tei_skeleton(aid, article_title(article), [encode(P.ARTICLES, article, ctx)], {}, divs, languages=used))
    used = set().union(*(langs[(r.name, rec.id)] for r in P.STAND_OFF for rec in corpus.records[r.name]))
    _declare_languages(header, [], used)
    return root


def encode_corpus(corpus: Corpus) -> dict[str, etree._Element]:
    """Every document we publish, parsed (for small corpora and tests; the build streams to files)."""
    keys = [*sorted(corpus.by_id("articles")), "corpus"]
    out = {k: io.BytesIO() for k in keys}
    write_corpus(corpus, out)
    return {k: etree.fromstring(out[k].getvalue()) for k in keys}


# Elements with mixed (or possibly mixed) content: indentation inside them would change the text.
_MIXED = frozenset(
    "quote title persName note p desc ref licence resp name date edition biblScope head language sic corr "
    "supplied metamark author publisher idno ellipsis choice gap".split()
)


def _indent(el: etree._Element, level: int) -> None:
    if not isinstance(el.tag, str) or etree.QName(el).localname in _MIXED or not len(el):
        return
    pad = "\n" + "  " * (level + 1)
    el.text = pad
    for child in el:
        child.tail = pad
        _indent(child, level + 1)
    el[-1].tail = "\n" + "  " * level


def serialize(root: etree._Element) -> bytes:
    """Pretty-printed UTF-8, indenting only structural elements so no text changes."""
    _indent(root, 0)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"
