"""Curated records → TEI P5 elements, and the assembly of self-contained TEI documents.

`assemble()` is shared by the article files, the teiCorpus and Datasette's `.tei` exports, so
every TEI we publish has the same header, registers and body structure.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable

from lxml import etree

from . import tei_profile as P
from .records import Corpus
from .textutil import has_cyrillic, sic_pattern
from .translit import SCHEMES, romanize_all

E = etree.Element
SE = etree.SubElement

MONTHS = "January February March April May June July August September October November December".split()


def _el(parent, tag: str, text: str | None = None, **attrs) -> etree._Element:
    el = SE(parent, P.T + tag, {_attr(k): str(v) for k, v in attrs.items() if v is not None})
    if text is not None:
        el.text = text
    return el


def _attr(name: str) -> str:
    return {"xml_lang": P.XML_LANG, "xml_id": P.XML_ID}.get(name, name)


def human_date(iso: str) -> str:
    parts = [int(p) for p in str(iso).split("-")]
    if len(parts) == 3:
        return f"{parts[2]} {MONTHS[parts[1] - 1]} {parts[0]}"
    if len(parts) == 2:
        return f"{MONTHS[parts[1] - 1]} {parts[0]}"
    return str(parts[0])


# --- inline text: […], [insertions], sic/corr -------------------------------------------------

_ELLIPSIS = re.compile(r"\[(?:…|\.\.\.|\. \. \.)\]")


def inline(parent: etree._Element, text: str, corrections: Iterable[tuple[str, str]] = ()) -> None:
    """Append `text` to `parent` as mixed content, marking ellipses, insertions and corrections."""
    sics = sorted({s for s, _ in corrections}, key=len, reverse=True)
    corr_of = dict(corrections)
    alternatives = [_ELLIPSIS.pattern, r"\[([^\[\]]+)\]"] + [sic_pattern(s) for s in sics]
    pattern = re.compile("|".join(f"({a})" if i != 1 else a for i, a in enumerate(alternatives)))
    last = None
    pos = 0

    def add_text(s: str) -> None:
        if not s:
            return
        if last is None:
            parent.text = (parent.text or "") + s
        else:
            last.tail = (last.tail or "") + s

    for m in pattern.finditer(text):
        add_text(text[pos : m.start()])
        token = m.group(0)
        if _ELLIPSIS.fullmatch(token):
            last = _el(parent, "ellipsis")
            _el(last, "metamark", token)
        elif token.startswith("[") and token.endswith("]") and token not in corr_of:
            last = _el(parent, "supplied", reason="insertion-by-article-author")
            inline(last, token[1:-1], corrections)
        else:
            last = _el(parent, "choice")
            _el(last, "sic", token)
            _el(last, "corr", corr_of[token])
        pos = m.end()
    add_text(text[pos:])


def apply_corrections(text: str, corrections: Iterable[tuple[str, str]]) -> str:
    for sic, corr in sorted(corrections, key=lambda c: len(c[0]), reverse=True):
        text = re.sub(sic_pattern(sic), lambda _m, corr=corr: corr, text)
    return text


def _corrections(rec: dict, target: str) -> list[tuple[str, str]]:
    return [(c["sic"], c["corr"]) for c in rec.get("corrections") or [] if c.get("in", "original") == target]


# --- registers -------------------------------------------------------------------------------


def _lang_of_name(name: str) -> str | None:
    return "ru" if has_cyrillic(name) else None


def encode_person(rec: dict) -> etree._Element:
    person = E(P.T + "person", {P.XML_ID: rec["id"]})
    _el(person, "persName", rec["name"], type="preferred", xml_lang="en")
    original = rec.get("name_original")
    if original:
        _el(person, "persName", original, type="original", xml_lang=_lang_of_name(original))
        if has_cyrillic(original):
            for _, tag, text in romanize_all(original, "ru"):
                _el(person, "persName", text, type="transliteration", xml_lang=tag)
    for v in rec.get("variants") or []:
        _el(person, "persName", v, type="variant", xml_lang=_lang_of_name(v))
    if rec.get("note"):
        _el(person, "note", rec["note"])
    return person


def _cited_in(parent: etree._Element, rec: dict, articles: dict[str, dict]) -> None:
    for c in rec.get("cited_in") or []:
        note = _el(parent, "note", type="citedIn")
        _el(note, "ref", short_article(articles[c["article"]]), target="#" + P.article_bibl_id(c["article"]))
        where = []
        for key, label in (("page", "p."), ("pages", "pp."), ("footnote", "n."), ("footnotes", "nn.")):
            value = c.get(key)
            if value is not None:
                value = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
                where.append(f"{label} {value}")
        if where:
            note[-1].tail = ", " + ", ".join(where)


def short_article(article: dict) -> str:
    """How the corpus refers to an article in short: "Himmer 1976"."""
    return f"{article['author'].split()[-1]} {article['year']}"


def _person_ref(parent, tag: str, pid: str, persons: dict[str, dict], **attrs) -> etree._Element:
    return _el(parent, tag, persons[pid]["name"], ref="#" + pid, **attrs)


def encode_document(rec: dict, persons: dict[str, dict], articles: dict[str, dict]) -> etree._Element:
    bibl = E(P.T + "bibl", {P.XML_ID: rec["id"], "type": rec["type"]})
    _el(bibl, "title", rec["title"], type="desc", xml_lang="en")
    if rec.get("author"):
        author = _el(bibl, "author")
        _person_ref(author, "persName", rec["author"], persons)
    if rec.get("recipient"):
        resp = _el(bibl, "respStmt")
        _el(resp, "resp", "recipient")
        _person_ref(resp, "persName", rec["recipient"], persons)
    if rec.get("date"):
        _el(bibl, "date", human_date(rec["date"]), when=str(rec["date"]))
    if rec.get("language"):
        _el(bibl, "textLang", mainLang=rec["language"])
    if rec.get("reference"):
        _el(bibl, "note", rec["reference"], type="reference")
    _cited_in(bibl, rec, articles)
    if rec.get("note"):
        _el(bibl, "note", rec["note"], type="editorial")
    return bibl


def encode_work(rec: dict, articles: dict[str, dict]) -> etree._Element:
    bibl = E(P.T + "bibl", {P.XML_ID: rec["id"], "type": "work"})
    if rec.get("author"):
        _el(bibl, "author", rec["author"])
    title = _el(bibl, "title", xml_lang=rec["language"])
    if rec.get("title_corrected"):
        choice = _el(title, "choice")
        _el(choice, "sic", rec["title"])
        _el(choice, "corr", rec["title_corrected"])
    else:
        title.text = rec["title"]
    best = rec.get("title_corrected") or rec["title"]
    if has_cyrillic(best):
        for _, tag, text in romanize_all(best, rec["language"]):
            _el(bibl, "title", text, type="transliteration", xml_lang=tag)
    for v in rec.get("variants") or []:
        _el(bibl, "title", v, type="variant")
    if rec.get("imprint"):
        _el(bibl, "note", rec["imprint"], type="imprint")
    _el(bibl, "textLang", mainLang=rec["language"])
    _cited_in(bibl, rec, articles)
    if rec.get("note"):
        _el(bibl, "note", rec["note"], type="editorial")
    return bibl


def encode_article(rec: dict) -> etree._Element:
    bs = E(P.T + "biblStruct", {P.XML_ID: P.article_bibl_id(rec["id"])})
    analytic = _el(bs, "analytic")
    _el(analytic, "author", rec["author"])
    if rec.get("title"):
        _el(analytic, "title", rec["title"], level="a")
    if rec.get("translator"):
        resp = _el(analytic, "respStmt")
        _el(resp, "resp", "translated by")
        _el(resp, "persName", rec["translator"])
    _el(analytic, "idno", rec["doi"], type="DOI")
    monogr = _el(bs, "monogr")
    _el(monogr, "title", rec["journal"], level="j")
    imprint = _el(monogr, "imprint")
    for unit in ("volume", "issue"):
        if rec.get(unit):
            _el(imprint, "biblScope", str(rec[unit]), unit=unit)
    _el(imprint, "date", str(rec["year"]), when=str(rec["year"]))
    if rec.get("pages"):
        _el(imprint, "biblScope", str(rec["pages"]), unit="page")
    if rec.get("note"):
        _el(bs, "note", rec["note"])
    return bs


# --- quotations ------------------------------------------------------------------------------


def encode_quotation(rec: dict, corpus: Corpus) -> etree._Element:
    persons = corpus.by_id("persons")
    documents = corpus.by_id("documents")
    works = corpus.by_id("works")
    articles = corpus.by_id("articles")
    cit = E(P.T + "cit", {P.XML_ID: rec["id"], "type": rec["kind"]})

    original = _el(cit, "quote", xml_lang=rec["language"])
    if rec.get("original"):
        corrections = _corrections(rec, "original")
        inline(original, rec["original"], corrections)
        corrected = apply_corrections(rec["original"], corrections)
        if has_cyrillic(corrected):
            for _, tag, text in romanize_all(corrected, rec["language"]):
                inline(_el(_el(cit, "cit", type="transliteration"), "quote", xml_lang=tag), text)
    else:
        gap = _el(original, "gap", reason=P.GAP_REASON)
        _el(gap, "desc", P.GAP_DESC)
    if rec.get("translation"):
        translation = _el(cit, "cit", type="translation")
        inline(_el(translation, "quote", xml_lang="en"), rec["translation"], _corrections(rec, "translation"))

    if any(rec.get(k) for k in ("speaker", "addressee", "date", "document")):
        attribution = _el(cit, "bibl", type="attribution")
        if rec.get("speaker"):
            _person_ref(attribution, "persName", rec["speaker"], persons, role="speaker")
        if rec.get("addressee"):
            _person_ref(attribution, "persName", rec["addressee"], persons, role="addressee")
        if rec.get("date"):
            _el(attribution, "date", human_date(rec["date"]), when=str(rec["date"]))
        if rec.get("document"):
            _el(attribution, "ref", documents[rec["document"]]["title"], type="document", target="#" + rec["document"])

    citation = _el(cit, "bibl", type="citation")
    _el(citation, "ref", short_article(articles[rec["article"]]), target="#" + P.article_bibl_id(rec["article"]))
    _el(citation, "biblScope", str(rec["page"]), unit="page")
    if rec.get("footnote"):
        _el(citation, "biblScope", str(rec["footnote"]), unit="footnote")
    if rec.get("original_page") or rec.get("original_footnote"):
        where = _el(citation, "bibl", type="originalLocation")
        if rec.get("original_page"):
            _el(where, "biblScope", str(rec["original_page"]), unit="page")
        if rec.get("original_footnote"):
            _el(where, "biblScope", str(rec["original_footnote"]), unit="footnote")
    if rec.get("source"):
        _el(citation, "note", rec["source"], type="source")
    for wid in rec.get("works") or []:
        _el(citation, "ref", works[wid]["title"], type="work", target="#" + wid)

    if rec.get("note"):
        _el(cit, "note", rec["note"], type="editorial")
    if rec.get("detection_note"):
        _el(cit, "note", rec["detection_note"], type="detection")
    for c in rec.get("certainty") or []:
        cert = _el(cit, "certainty", cert=c["cert"], locus="value", target="#" + rec["id"], match=P.CERTAINTY_MATCH[c["of"]])
        _el(cert, "desc", c["reason"])
    return cit


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


def _referenced(cits: list[etree._Element]) -> set[str]:
    return {v[1:] for c in cits for v in c.xpath(".//@ref|.//@target|.//@source") if v.startswith("#")}


def encode_corpus(corpus: Corpus) -> dict[str, etree._Element]:
    """All our TEI: one document per article (keyed by article id) and the teiCorpus (key 'corpus')."""
    persons = corpus.by_id("persons")
    documents = corpus.by_id("documents")
    works = corpus.by_id("works")
    articles = corpus.by_id("articles")
    out: dict[str, etree._Element] = {}
    cits_by_article: dict[str, list] = {a: [] for a in articles}
    for rec in corpus.records["quotations"]:
        cits_by_article[rec.data["article"]].append(encode_quotation(rec.data, corpus))

    def registers(ids: set[str]):
        docs = [d for d in documents if d in ids]
        # a document points to its author and recipient, and to the articles citing it
        for d in docs:
            ids |= {documents[d].get("author"), documents[d].get("recipient")} - {None}
        return (
            [encode_person(persons[p]) for p in persons if p in ids],
            [encode_document(documents[d], persons, articles) for d in docs],
            [encode_work(works[w], articles) for w in works if w in ids],
        )

    for aid, article in articles.items():
        cits = cits_by_article[aid]
        ids = _referenced(cits)
        p, d, w = registers(ids)
        cited = {aid} | {c["article"] for r in (documents, works) for e in r.values() for c in e.get("cited_in") or [] if e["id"] in ids}
        sources = [encode_article(articles[a]) for a in articles if a in cited]
        out[aid] = assemble(aid, article_title(article), sources, p, d, w, cits)

    out["corpus"] = encode_tei_corpus(corpus, cits_by_article)
    return out


def encode_tei_corpus(corpus: Corpus, cits_by_article: dict[str, list]) -> etree._Element:
    """A teiCorpus: the shared registers once, in its standOff, then one TEI per article."""
    persons = corpus.by_id("persons")
    documents = corpus.by_id("documents")
    works = corpus.by_id("works")
    articles = corpus.by_id("articles")
    root = E(P.T + "teiCorpus", {P.XML_ID: "quotecorpus", P.XML_LANG: "en"}, nsmap=P.NSMAP)
    header = _header(
        "quotecorpus: Russian, German and Polish quotations in two articles on Soviet policy toward Germany, 1920–1921",
        [],
        "quotecorpus",
        None,
    )
    root.append(header)
    root.append(
        _stand_off(
            [encode_person(p) for p in persons.values()],
            [encode_document(d, persons, articles) for d in documents.values()],
            [encode_work(w, articles) for w in works.values()],
        )
    )
    for aid, article in articles.items():
        cits = [copy.deepcopy(c) for c in cits_by_article[aid]]  # the article files keep their own
        tei = assemble(aid, article_title(article), [encode_article(article)], [], [], [], cits, with_stand_off=False)
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
