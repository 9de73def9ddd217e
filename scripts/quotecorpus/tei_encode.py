"""Curated records → self-contained TEI P5 documents.

Each entry is encoded by the profile's template (tei_codec.encode); this module assembles the
documents around them: header, registers in standOff, quotations grouped by kind in the body.
`assemble()` is shared by the article files, the teiCorpus and Datasette's `.tei` exports, so
every TEI we publish has the same header, registers and body structure.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable

from lxml import etree

from . import profile as P
from .records import Corpus
from .tei_codec import Context, encode
from .translit import SCHEMES

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


def _header(title: str, sources: list[etree._Element], idno: str, provenance: str | None) -> etree._Element:
    header = E(P.T + "teiHeader")
    fd = _el(header, "fileDesc")
    ts = _el(fd, "titleStmt")
    _el(ts, "title", title)
    resp = _el(ts, "respStmt")
    _el(resp, "resp", "selected, transcribed and encoded by")
    _el(resp, "name", "quotecorpus contributors")
    ps = _el(fd, "publicationStmt")
    _el(ps, "publisher", "quotecorpus")
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
    _el(header, "profileDesc")
    return header


def _declare_languages(header: etree._Element, scope: Iterable[etree._Element]) -> None:
    used = {"en"}
    for el in scope:
        used.update(el.xpath("descendant-or-self::*/@xml:lang"))
        used.update(el.xpath("descendant-or-self::t:textLang/@mainLang", namespaces=P.NS))
    usage = _el(header.find(P.T + "profileDesc"), "langUsage")
    for code in sorted(used):
        _el(usage, "language", P.LANG_NAMES.get(code, code), ident=code)


def _stand_off(persons, documents, works) -> etree._Element | None:
    if not (persons or documents or works):
        return None
    so = E(P.T + "standOff")
    if persons:
        lp = _el(so, "listPerson")
        lp.extend(persons)
    if documents:
        lb = _el(so, "listBibl", type="documents")
        lb.extend(documents)
    if works:
        lb = _el(so, "listBibl", type="works")
        lb.extend(works)
    return so


def _body(cits: list[etree._Element]) -> etree._Element:
    text = E(P.T + "text")
    body = _el(text, "body")
    by_kind: dict[str, list] = {}
    for c in cits:
        by_kind.setdefault(c.get("type"), []).append(c)
    for kind in P.DIV_TYPES:
        if by_kind.get(kind):
            div = _el(body, "div", type=P.DIV_TYPES[kind])
            _el(div, "head", P.DIV_HEADS[kind])
            div.extend(by_kind[kind])
    if not len(body):
        _el(body, "p", "No quotations were selected.")
    return text


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
    tei = E(P.T + "TEI", {P.XML_ID: xml_id, P.XML_LANG: "en"}, nsmap=P.NSMAP)
    header = _header(title, sources, xml_id, provenance)
    tei.append(header)
    so = _stand_off(persons, documents, works) if with_stand_off else None
    if so is not None:
        tei.append(so)
    tei.append(_body(cits))
    _declare_languages(header, [tei])
    return tei


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


def encode_corpus(corpus: Corpus) -> dict[str, etree._Element]:
    """All our TEI: one document per article (keyed by article id) and the teiCorpus (key 'corpus').

    An article's file holds its quotations and every register entry that they point to or that
    the article cites (a work in its footnotes, a person it names), so that the two article files
    together hold the whole corpus."""
    ctx = context(corpus)
    articles = corpus.by_id("articles")
    cits_by_article: dict[str, list] = {a: [] for a in articles}
    for rec in corpus.records["quotations"]:
        cits_by_article[rec.data["article"]].append(encode(P.QUOTATIONS, rec.data, ctx))
    out: dict[str, etree._Element] = {}
    for aid, article in sorted(articles.items()):
        wanted = {("quotations", r.id) for r in corpus.records["quotations"] if r.data["article"] == aid}
        wanted |= {(r.name, rec.id) for r in P.REGISTERS[1:4] for rec in corpus.records[r.name] if _cited_in(rec.data, aid)}
        wanted = _with_references(corpus, wanted) | {("articles", aid)}
        entries = {r.name: [encode(r, rec.data, ctx) for rec in _entries(corpus, r) if (r.name, rec.id) in wanted] for r in P.REGISTERS[:4]}
        out[aid] = assemble(
            aid,
            article_title(article),
            entries["articles"],
            entries["persons"],
            entries["documents"],
            entries["works"],
            cits_by_article[aid],
        )
    out["corpus"] = encode_tei_corpus(corpus, ctx, cits_by_article)
    return out


def encode_tei_corpus(corpus: Corpus, ctx: Context, cits_by_article: dict[str, list]) -> etree._Element:
    """A teiCorpus: the shared registers once, in its standOff, then one TEI per article."""
    root = E(P.T + "teiCorpus", {P.XML_ID: P.CORPUS_TEI, P.XML_LANG: "en"}, nsmap=P.NSMAP)
    header = _header(
        "quotecorpus: Russian, German and Polish quotations in two articles on Soviet policy toward Germany, 1920–1921",
        [],
        P.CORPUS_TEI,
        None,
    )
    root.append(header)
    root.append(_stand_off(*([encode(r, rec.data, ctx) for rec in _entries(corpus, r)] for r in (P.PERSONS, P.DOCUMENTS, P.WORKS))))
    for aid, article in sorted(corpus.by_id("articles").items()):
        cits = [copy.deepcopy(c) for c in cits_by_article[aid]]  # the article files keep their own
        tei = assemble(aid, article_title(article), [encode(P.ARTICLES, article, ctx)], [], [], [], cits, with_stand_off=False)
        root.append(tei)
    _declare_languages(header, [root.find(P.T + "standOff")])
    return root


# Elements with mixed (or possibly mixed) content: indentation inside them would change the text.
_MIXED = frozenset(
    "quote title persName note p desc ref licence resp name date biblScope head language sic corr "
    "supplied metamark author publisher idno ellipsis choice gap".split()
)


def _indent(el: etree._Element, level: int) -> None:
    if etree.QName(el).localname in _MIXED or not len(el):
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
