"""Curated records → self-contained TEI P5 documents.

Each entry is encoded by the profile's template (tei/encoder.encode); this module assembles the
documents around them: header, registers in standOff, quotations grouped by printed page in the body.
`assemble()` is shared by the article files, the teiCorpus and Datasette's `.tei` exports, so
every TEI we publish has the same header, registers and body structure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO

from lxml import etree

from quotecorpus import RELEASE_DATE, __version__
from quotecorpus import profile as P
from quotecorpus.text.translit import SCHEMES

E = etree.Element


def _el(parent, tag: str, text: str | None = None, **attrs) -> etree._Element:
    el = etree.SubElement(parent, P.T + tag, {_attr(k): str(v) for k, v in attrs.items() if v is not None})
    if text is not None:
        el.text = text
    return el


def _attr(name: str) -> str:
    return {"xml_lang": P.XML_LANG, "xml_id": P.XML_ID}.get(name, name)


# --- documents -------------------------------------------------------------------------------


def tei_header(
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


def declare_languages(header: etree._Element, scope: Iterable[etree._Element], known: Iterable[str] = ()) -> None:
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


def stand_off(lists: dict[str, Entries]) -> etree._Element | None:
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
    header = tei_header(title, sources, xml_id, provenance, registers=bool(lists), cite="document" if lists else None)
    tei.append(header)
    so = stand_off(lists)
    if so is not None:
        tei.append(so)
    tei.append(_body(divs or {}))
    declare_languages(header, [tei], languages)
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


class Document:
    """One published document, written as a stream: its skeleton (header and empty lists, serialized
    with a <!--slot:KEY--> comment where each list's entries go) and the entries, in skeleton order."""

    def __init__(self, skeleton: etree._Element, out: BinaryIO):
        self.out = out
        self.skeleton = data = serialize(skeleton)
        self.pieces = _SLOT.split(data)  # text, indent, key, text, indent, key, ..., text
        self._put(self.pieces[0])
        self.next = 1  # the index of the next slot's indent in pieces
        self.slot: str | None = None
        self.level = 0

    def _put(self, data: bytes) -> None:
        self.out.write(data)

    def _enter(self, key: str) -> None:
        while self.slot != key:
            if self.slot is not None:
                self._put(self.pieces[self.next + 2])  # the skeleton up to the next slot
                self.next += 3
            if self.next >= len(self.pieces):
                raise AssertionError(f"no slot {key!r} after {self.slot!r}: entries must come in the skeleton's order")
            self.level = len(self.pieces[self.next]) // 2
            self.slot = self.pieces[self.next + 1].decode()
            self.first = True

    def place(self, key: str) -> int:
        """Go to the slot `key` and write what stands before its next entry; returns the entry's depth."""
        self._enter(key)
        self._put((b"" if self.first else b"\n") + b"  " * self.level)
        self.first = False
        return self.level

    def write(self, key: str, el: etree._Element) -> None:
        self._put(entry_bytes(el, self.place(key)))

    def close(self) -> None:
        if self.slot is not None:
            self._put(self.pieces[self.next + 2])
            self.next += 3
        assert self.next >= len(self.pieces), "a slot of the skeleton was left empty"


_SLOT = re.compile(rb"( *)<!--slot:(.+?)-->")
_HOLDER = E(P.T + "holder", nsmap=P.NSMAP)  # serializing an entry inside it writes the default namespace
_XMLNS = b' xmlns="' + P.TEI_NS.encode() + b'"'


class EntryBytes:
    """One entry's bytes as they stand in a document at any depth: indented and serialized once, at depth
    0, and shifted for each depth by one replace of its line breaks (a quotation stands one level deeper
    in the teiCorpus than in its article's file; a register entry is in up to three documents). An entry
    with a line break in a text of its own is indented again for each depth."""

    __slots__ = ("el", "base", "plain", "levels")

    def __init__(self, el: etree._Element):
        self.el = el
        breaks = _indent(el, 0)
        self.base = _serialized(el)
        self.plain = self.base.count(b"\n") == breaks  # every line break is indentation
        self.levels: dict[int, bytes] = {0: self.base}

    def at(self, level: int) -> bytes:
        found = self.levels.get(level)
        if found is None:
            if self.plain:
                found = self.base.replace(b"\n", _SHIFTS[level])
            else:
                _indent(self.el, level)
                found = _serialized(self.el)
            self.levels[level] = found
        return found


def _serialized(el: etree._Element) -> bytes:
    """An entry as indented, without its namespace declaration (its document declares it)."""
    _HOLDER.append(el)
    try:
        data = etree.tostring(el, encoding="UTF-8", with_tail=False)
    finally:
        _HOLDER.remove(el)
    head, _, rest = data.partition(b">")
    return head.replace(_XMLNS, b"", 1) + b">" + rest


def entry_bytes(el: etree._Element, level: int) -> bytes:
    """One entry as it stands in a document at this depth: indented, without its namespace declaration."""
    return EntryBytes(el).at(level)


# Elements with mixed (or possibly mixed) content: indentation inside them would change the text.
_MIXED = frozenset(
    "quote title persName note p desc ref licence resp name date edition biblScope head language sic corr "
    "supplied metamark author publisher idno ellipsis choice gap".split()
)
_MIXED_TAGS = frozenset(P.T + name for name in _MIXED)  # as lxml gives tags: no QName made per element
_PADS = ["\n" + "  " * n for n in range(64)]
_SHIFTS = [b"\n" + b"  " * n for n in range(64)]


def _indent(el: etree._Element, level: int) -> int:
    """Indent the structural elements of el's subtree at this depth. Returns the line breaks it wrote."""
    if el.tag in _MIXED_TAGS or not len(el) or not isinstance(el.tag, str):
        return 0
    pad = _PADS[level + 1]
    el.text = pad
    breaks = 1
    for child in el:
        child.tail = pad
        breaks += 1 + _indent(child, level + 1)
    el[-1].tail = _PADS[level]
    return breaks


def serialize(root: etree._Element) -> bytes:
    """Pretty-printed UTF-8, indenting only structural elements so no text changes."""
    _indent(root, 0)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"
