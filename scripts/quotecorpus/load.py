"""TEI (our profile) → SQLite, with lxml and sqlite-utils.

The database is loaded from the TEI, not from the YAML, so any TEI in our profile (e.g. from
another edition) loads the same way. Column names of the public tables are a contract (DESIGN.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import sqlite_utils
from lxml import etree

from . import tei_profile as P
from .errors import TEILoadError
from .langid import Detection, detect
from .schema import CYRILLIC_LANGUAGES
from .textutil import fold, has_cyrillic
from .translit import DEFAULT_SCHEME, TransliterationError, scheme_of_tag, transliterate

X = {"t": P.TEI_NS}

# The public contract first, then our additions. Table -> columns in order.
COLUMNS = {
    "articles": ["id", "author", "title", "journal", "year", "doi", "translator", "volume", "issue", "pages", "note"],
    "persons": ["id", "name", "name_original", "variants", "name_transliteration", "note", "search_folded"],
    "documents": ["id", "date", "type", "author", "recipient", "language", "reference", "title", "cited_in", "note"],
    "works": [
        "id", "title", "title_corrected", "language", "transliteration", "variants", "cited_in", "note",
        "author", "imprint", "search_folded",
    ],  # fmt: skip
    "quotations": [
        "id",
        "article",
        "page",
        "footnote",
        "kind",
        "language",
        "original",
        "original_corrected",
        "transliteration",
        "translation",
        "speaker",
        "addressee",
        "date",
        "document",
        "certainty",
        "detected_language",
        "detected_probability",
        "note",
        "translation_corrected",
        "original_page",
        "original_footnote",
        "source",
        "works",
        "transliteration_scheme",
        "detection",
        "certainty_details",
        "search_folded",
        "search_names",
        "detected_script",
        "detection_note",
    ],
    # every romanization of every Cyrillic original, name and title, in every scheme
    "transliterations": ["id", "quotation", "person", "work", "scheme", "tag", "text"],
}
FOREIGN_KEYS = {
    "transliterations": [("quotation", "quotations", "id"), ("person", "persons", "id"), ("work", "works", "id")],
    "documents": [("author", "persons", "id"), ("recipient", "persons", "id")],
    "quotations": [
        ("article", "articles", "id"),
        ("speaker", "persons", "id"),
        ("addressee", "persons", "id"),
        ("document", "documents", "id"),
    ],
}
INDEXES = {
    "transliterations": [["quotation"], ["person"], ["work"], ["scheme"]],
    "quotations": [["article"], ["language"], ["kind"], ["speaker"], ["addressee"], ["date"], ["document"]],
    "documents": [["author"], ["recipient"], ["date"]],
}
FTS = {
    "quotations": ["original_corrected", "transliteration", "translation", "search_folded", "search_names"],
    "transliterations": ["text"],
    "persons": ["name", "name_original", "name_transliteration", "variants", "search_folded"],
    "works": ["title", "title_corrected", "transliteration", "variants", "author", "search_folded"],
}
TOKENIZE = "unicode61 remove_diacritics 2"
TYPES = {"page": int, "footnote": int, "original_page": int, "original_footnote": int, "year": int, "detected_probability": float}


def text_of(el: etree._Element | None, reading: str = "sic") -> str | None:
    """The text of an inline-encoded element: the printed reading ("sic") or the corrected one ("corr")."""
    if el is None:
        return None
    if len(el) == 1 and etree.QName(el[0]).localname == "gap" and not (el.text or "").strip():
        return None  # an original the article does not print
    out = [el.text or ""]
    for child in el:
        name = etree.QName(child).localname
        if name == "ellipsis":
            mark = child.find("t:metamark", X)
            out.append(mark.text if mark is not None and mark.text else "[…]")
        elif name == "supplied":
            out.append("[" + (text_of(child, reading) or "") + "]")
        elif name == "choice":
            out.append(text_of(child.find(f"t:{reading}", X), reading) or "")
        elif name in ("gap", "note"):
            pass
        else:
            out.append(text_of(child, reading) or "")
        out.append(child.tail or "")
    return "".join(out)


def _id(pointer: str | None) -> str | None:
    return pointer[1:] if pointer and pointer.startswith("#") else pointer


def _first(el: etree._Element, path: str) -> etree._Element | None:
    found = el.xpath(path, namespaces=X)
    return found[0] if found else None


def _str(el: etree._Element, path: str) -> str | None:
    found = el.xpath(path, namespaces=X)
    if not found:
        return None
    v = found[0]
    return str(v) if not isinstance(v, etree._Element) else text_of(v)


def _article_id(pointer: str | None) -> str | None:
    aid = _id(pointer)
    prefix = P.article_bibl_id("")
    return aid[len(prefix) :] if aid and aid.startswith(prefix) else aid


def _cited_in(el: etree._Element) -> str | None:
    notes = el.xpath("t:note[@type='citedIn']", namespaces=X)
    if not notes:
        return None
    return json.dumps(
        [{"article": _article_id(n.find("t:ref", X).get("target")), "where": (n.find("t:ref", X).tail or "").lstrip(", ")} for n in notes],
        ensure_ascii=False,
    )


def _variants(el: etree._Element, path: str) -> str:
    return json.dumps([text_of(v) for v in el.xpath(path, namespaces=X)], ensure_ascii=False)


def quotation_row(cit: etree._Element) -> dict:
    qid = cit.get(P.XML_ID)
    original = cit.find("t:quote", X)
    if original is None:
        raise TEILoadError(f"quotation {qid}: no original <quote> (our profile requires one, empty with <gap> if not printed)")
    romanizations = cit.xpath(ROMANIZED["quotations"][1], namespaces=X)
    translit = _default_romanization(romanizations)
    translation = _first(cit, "t:cit[@type='translation']/t:quote")
    citation = _first(cit, "t:bibl[@type='citation']")
    if citation is None:
        raise TEILoadError(f"quotation {qid}: no <bibl type='citation'> with article and page")
    certainties = [
        {"of": P.MATCH_CERTAINTY.get(c.get("match"), c.get("match")), "cert": c.get("cert"), "reason": text_of(c.find("t:desc", X))}
        for c in cit.findall("t:certainty", X)
    ]
    row = {
        "id": qid,
        "article": _article_id(_str(citation, "t:ref[not(@type)]/@target")),
        "page": _str(citation, "t:biblScope[@unit='page']"),
        "footnote": _str(citation, "t:biblScope[@unit='footnote']"),
        "original_page": _str(citation, "t:bibl[@type='originalLocation']/t:biblScope[@unit='page']"),
        "original_footnote": _str(citation, "t:bibl[@type='originalLocation']/t:biblScope[@unit='footnote']"),
        "kind": cit.get("type"),
        "language": original.get(P.XML_LANG),
        "original": text_of(original, "sic"),
        "original_corrected": text_of(original, "corr"),
        "transliteration": text_of(translit),
        "transliteration_scheme": translit.get(P.XML_LANG) if translit is not None else None,
        "translation": text_of(translation, "sic"),
        "translation_corrected": text_of(translation, "corr"),
        "speaker": _id(_str(cit, "t:bibl[@type='attribution']/t:persName[@role='speaker']/@ref")),
        "addressee": _id(_str(cit, "t:bibl[@type='attribution']/t:persName[@role='addressee']/@ref")),
        "date": _str(cit, "t:bibl[@type='attribution']/t:date/@when"),
        "document": _id(_str(cit, "t:bibl[@type='attribution']/t:ref[@type='document']/@target")),
        "source": _str(citation, "t:note[@type='source']"),
        "works": json.dumps(works) if (works := [_id(w) for w in citation.xpath("t:ref[@type='work']/@target", namespaces=X)]) else None,
        "certainty": "; ".join(f"{c['of']}: {c['cert']}" for c in certainties) or None,
        "certainty_details": json.dumps(certainties, ensure_ascii=False) if certainties else None,
        "note": _str(cit, "t:note[@type='editorial']"),
        "detection_note": _str(cit, "t:note[@type='detection']"),
    }
    found = _detect(row["original_corrected"], row["language"])
    row["detected_language"] = found.language if found else None
    row["detected_probability"] = found.probability if found else None
    row["detection"] = found.status if found else "no original"
    row["detected_script"] = found.script if found else None
    romanized = [text_of(t) for t in romanizations]
    texts = [row[k] for k in ("original", "original_corrected", "translation") if row[k]] + romanized
    if row["source"]:
        # Citations are searched too, in print and in romanization ("Rapallskogo" finds "Рапалльского").
        texts += [row["source"], romanize_if_cyrillic(row["source"])]
    row["search_folded"] = " ".join(dict.fromkeys(fold(t) for t in texts if t)) or None
    return row


def _default_romanization(found: list[etree._Element]) -> etree._Element | None:
    """The romanization in the default scheme, whatever order a TEI file lists them in; else the first."""
    for el in found:
        known = scheme_of_tag(el.get(P.XML_LANG))
        if known and known[0].name == DEFAULT_SCHEME:
            return el
    return found[0] if found else None


def romanize_if_cyrillic(text: str) -> str:
    """The default romanization of a Cyrillic text; "" for Latin text or Cyrillic no scheme here covers."""
    try:
        return transliterate(text) if has_cyrillic(text) else ""
    except TransliterationError:  # non-Russian Cyrillic in a citation: searchable as printed only
        return ""


def _detect(text: str | None, language: str | None) -> Detection | None:
    if not text:
        return None
    if language in CYRILLIC_LANGUAGES and not has_cyrillic(text):
        # Romanized Russian ("peredyshka"): langdetect has no profile for it, so it would only guess.
        return Detection(None, None, "romanized", "Latin")
    return detect(text)


def person_row(p: etree._Element) -> dict:
    return {
        "id": p.get(P.XML_ID),
        "name": _str(p, "t:persName[@type='preferred']"),
        "name_original": _str(p, "t:persName[@type='original']"),
        "name_transliteration": text_of(_default_romanization(p.xpath(ROMANIZED["persons"][1], namespaces=X))),
        "variants": _variants(p, "t:persName[@type='variant']"),
        "note": _str(p, "t:note"),
    }


def document_row(b: etree._Element) -> dict:
    return {
        "id": b.get(P.XML_ID),
        "type": b.get("type"),
        "title": _str(b, "t:title[@type='desc']"),
        "date": _str(b, "t:date/@when"),
        "author": _id(_str(b, "t:author/t:persName/@ref")),
        "recipient": _id(_str(b, "t:respStmt[t:resp='recipient']/t:persName/@ref")),
        "language": _str(b, "t:textLang/@mainLang"),
        "reference": _str(b, "t:note[@type='reference']"),
        "cited_in": _cited_in(b),
        "note": _str(b, "t:note[@type='editorial']"),
    }


def work_row(b: etree._Element) -> dict:
    title = _first(b, "t:title[not(@type)]")
    return {
        "id": b.get(P.XML_ID),
        "title": text_of(title, "sic"),
        "title_corrected": text_of(title, "corr") if title is not None and title.find("t:choice", X) is not None else None,
        "language": _str(b, "t:textLang/@mainLang"),
        "transliteration": text_of(_default_romanization(b.xpath(ROMANIZED["works"][1], namespaces=X))),
        "variants": _variants(b, "t:title[@type='variant']"),
        "cited_in": _cited_in(b),
        "note": _str(b, "t:note[@type='editorial']"),
        "author": _str(b, "t:author"),
        "imprint": _str(b, "t:note[@type='imprint']"),
    }


def article_row(bs: etree._Element) -> dict:
    return {
        "id": _article_id("#" + bs.get(P.XML_ID)),
        "author": _str(bs, "t:analytic/t:author"),
        "title": _str(bs, "t:analytic/t:title"),
        "journal": _str(bs, "t:monogr/t:title[@level='j']"),
        "volume": _str(bs, "t:monogr/t:imprint/t:biblScope[@unit='volume']"),
        "issue": _str(bs, "t:monogr/t:imprint/t:biblScope[@unit='issue']"),
        "year": _str(bs, "t:monogr/t:imprint/t:date/@when"),
        "pages": _str(bs, "t:monogr/t:imprint/t:biblScope[@unit='page']"),
        "doi": _str(bs, "t:analytic/t:idno[@type='DOI']"),
        "translator": _str(bs, "t:analytic/t:respStmt[t:resp='translated by']/t:persName"),
        "note": _str(bs, "t:note"),
    }


ROW_MAKERS = {
    # table: (where its entries are in a TEI or teiCorpus, the function making a row of one)
    "articles": ("//t:sourceDesc//t:biblStruct[@xml:id]", article_row),
    "persons": ("//t:standOff/t:listPerson/t:person", person_row),
    "documents": ("//t:standOff/t:listBibl[@type='documents']/t:bibl", document_row),
    "works": ("//t:standOff/t:listBibl[@type='works']/t:bibl", work_row),
    "quotations": ("//t:text/t:body//t:cit[@xml:id]", quotation_row),
}


# table -> (foreign-key column in transliterations, where an entry's romanizations are)
ROMANIZED = {
    "quotations": ("quotation", "t:cit[@type='transliteration']/t:quote"),
    "persons": ("person", "t:persName[@type='transliteration']"),
    "works": ("work", "t:title[@type='transliteration']"),
}


def transliteration_rows(table: str, el: etree._Element) -> list[dict]:
    column, path = ROMANIZED[table]
    rows = []
    for t in el.xpath(path, namespaces=X):
        tag = t.get(P.XML_LANG)
        found = scheme_of_tag(tag)
        name = found[0].name if found else tag
        rows.append({"id": f"{el.get(P.XML_ID)}/{name}", column: el.get(P.XML_ID), "scheme": name, "tag": tag, "text": text_of(t)})
    return rows


def _add_search_forms(tables: dict[str, dict[str, dict]]) -> None:
    """Folded search forms of persons and works in every romanization ("Rapallskogo" finds
    "Рапалльского", whose ALA-LC form "Rapall'skogo" FTS would split at the apostrophe); and
    the names (in every form and romanization) of a quotation's speaker and addressee
    with it, so that "Chicherin" finds Chicherin's Cyrillic words."""
    forms: dict[str, list[str]] = {}
    for pid, p in tables["persons"].items():
        forms[pid] = [p["name"], p["name_original"], *json.loads(p["variants"] or "[]")]
    for t in tables["transliterations"].values():
        if t.get("person"):
            forms.setdefault(t["person"], []).append(t["text"])
    own_fields = {"persons": ("person", ("name", "name_original")), "works": ("work", ("title", "title_corrected", "author"))}
    for table, (column, fields) in own_fields.items():
        romanized: dict[str, list[str]] = {}
        for t in tables["transliterations"].values():
            if t.get(column):
                romanized.setdefault(t[column], []).append(t["text"])
        for eid, row in tables[table].items():
            texts = [row[f] for f in fields] + json.loads(row["variants"] or "[]") + romanized.get(eid, [])
            row["search_folded"] = " ".join(dict.fromkeys(fold(t) for t in texts if t)) or None
    for q in tables["quotations"].values():
        names = [f for pid in (q["speaker"], q["addressee"]) if pid for f in forms.get(pid, []) if f]
        q["search_names"] = " ".join(dict.fromkeys(fold(n) for n in names)) or None


def _typed(row: dict) -> dict:
    return {k: (TYPES[k](v) if v is not None and k in TYPES else v) for k, v in row.items()}


def collect(roots: Iterable[etree._Element]) -> tuple[dict[str, dict[str, dict]], dict[str, tuple[str, bytes]]]:
    """Rows per table (deduplicated by id) and the TEI fragment of every entry, from TEI roots."""
    tables: dict[str, dict[str, dict]] = {t: {} for t in COLUMNS}
    fragments: dict[str, tuple[str, bytes]] = {}
    for root in roots:
        for table, (path, make) in ROW_MAKERS.items():
            for el in root.xpath(path, namespaces=X):
                row = _typed(make(el))
                if row["id"] in tables[table] and tables[table][row["id"]] != row:
                    raise TEILoadError(f"{table} entry '{row['id']}' differs between the TEI documents loaded")
                tables[table][row["id"]] = row
                if table in ROMANIZED:
                    tables["transliterations"].update((t["id"], t) for t in transliteration_rows(table, el))
                # keyed by xml:id, the target of the pointers (an article's is "bibl-<id>")
                fragments[el.get(P.XML_ID)] = (table, etree.tostring(el, encoding="UTF-8"))
    _add_search_forms(tables)
    return tables, fragments


def load(roots: Iterable[etree._Element], path: Path) -> None:
    """Write a new database at `path` (which must not exist) from TEI roots."""
    tables, fragments = collect(roots)
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA foreign_keys = ON")
    with db.conn:
        for table, columns in COLUMNS.items():
            rows = [{c: r.get(c) for c in columns} for r in tables[table].values()]
            db[table].create(
                {c: (int if TYPES.get(c) is int else float if TYPES.get(c) is float else str) for c in columns},
                pk="id",
                foreign_keys=FOREIGN_KEYS.get(table, []),
                not_null={"id"},
            )
            db[table].insert_all(rows)
            for idx in INDEXES.get(table, []):
                db[table].create_index(idx)
        db["tei_fragments"].create({"id": str, "kind": str, "xml": str}, pk="id")
        db["tei_fragments"].insert_all({"id": i, "kind": k, "xml": x.decode("utf-8")} for i, (k, x) in fragments.items())
    for table, columns in FTS.items():
        db[table].enable_fts(columns, tokenize=TOKENIZE)
        db[table].populate_fts(columns)
    problems = db.execute("PRAGMA foreign_key_check").fetchall()
    if problems:
        raise TEILoadError(f"dangling references in the loaded data: {problems[:5]}")
    db.execute("PRAGMA optimize")
    db.close()
