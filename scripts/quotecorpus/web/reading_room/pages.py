"""What the reading room's pages show, read from the database Datasette serves.

Texts come from the TEI fragments (so corrections, ellipses and insertions keep their encoding);
everything else from the public tables. Each function returns plain dicts for the templates.
"""

from __future__ import annotations

import json

from quotecorpus import RELEASE_DATE, __version__
from quotecorpus import profile as P
from quotecorpus.layout import TEI_MOUNT
from quotecorpus.profile import CYRILLIC_LANGUAGES, short_article, tei_file_name
from quotecorpus.search.query import Matcher, highlight
from quotecorpus.tei.html import mark_nested, to_html
from quotecorpus.tei.read import corrections, date_words, fragment, is_printed, regularisations
from quotecorpus.text.chars import has_cyrillic
from quotecorpus.text.translit import romanize_if_cyrillic, scheme_of_tag

X = P.NS

KIND_NAMES = {"quotation": "quotations", "term": "terms", "abstract": "abstract fragments"}


def language_name(code: str | None) -> str:
    return P.LANG_NAMES.get(code or "", code or "")


async def _rows(db, sql: str, params=()) -> list[dict]:
    return [dict(r) for r in await db.execute(sql, params)]


async def by_id(db, table: str, ids) -> dict[str, dict]:
    ids = sorted({i for i in ids if i})
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    return {r["id"]: r for r in await _rows(db, f"select * from [{table}] where id in ({marks})", ids)}


def tei_path(key: str) -> str:
    """Where the served TEI edition of an article (or of the whole corpus: "corpus") is."""
    return f"{TEI_MOUNT}/{tei_file_name(key)}"


def _printed_lang(language: str | None, printed: str | None) -> str | None:
    """The BCP 47 tag of the text as printed: Russian printed in Latin letters is ru-Latn."""
    if language in CYRILLIC_LANGUAGES and printed and not has_cyrillic(printed):
        return f"{language}-Latn"
    return language


def _place(q: dict) -> str:
    return f"p. {q['page']}" + (f", n. {q['footnote']}" if q.get("footnote") else "")


# Everything a card shows, in one query: the quotation, its TEI and every entry it names — its article,
# speaker, addressee, document, whatever the profile declares a reference (a page costs one query, not five).
JOINED = {name: P.BY_NAME[ref] for name, ref in P.QUOTATIONS.single_references().items() if ref != P.QUOTATIONS.name}
# the references a card states in words of its own (speaker, "to" addressee, "in" document, the citation);
# any other the profile declares is listed by its name
STATED = ("article", "speaker", "addressee", "document")
CARDS_SQL = (
    "select q.*, f.xml as _xml, "
    + ", ".join(f"j_{name}.[{c.name}] as [_{name}__{c.name}]" for name, reg in JOINED.items() for c in reg.columns)
    + " from quotations q join tei_fragments f on f.id = q.id "
    + " ".join(f"left join [{reg.name}] j_{name} on j_{name}.id = q.[{name}]" for name, reg in JOINED.items())
    + " where q.id in ({marks})"
)


def _romanized(cit, tag: str):
    """A nested quotation's romanization in the scheme of `tag`, or None."""
    return next((t for t in cit.findall("t:cit[@type='transliteration']/t:quote", X) if t.get(P.XML_LANG) == tag), None)


def _linker(db):
    """The URL of a quotation's page (a nested quotation links to its own)."""
    return lambda qid: db.ds.urls.row(db.name, "quotations", qid)


async def cards(db, ids: list[str], current: str | None = None) -> list[dict]:
    """Everything a quotation's card shows, for these ids in this order (`current`: a nested
    quotation to mark where it stands in these texts)."""
    if not ids:
        return []
    link = _linker(db)
    marks = ",".join("?" * len(ids))
    found = {r["id"]: r for r in await _rows(db, CARDS_SQL.format(marks=marks), list(ids))}
    out = []
    for qid in ids:
        if qid not in found:
            continue
        row = found[qid]
        q = {k: v for k, v in row.items() if not k.startswith("_")}
        named = {name: {c.name: row[f"_{name}__{c.name}"] for c in reg.columns} if q[name] else None for name, reg in JOINED.items()}
        article = named["article"]
        cit = fragment(row["_xml"])
        original = cit.find("t:quote", X)
        translation = cit.find("t:cit[@type='translation']/t:quote", X)
        # the quotations nested in this one, to mark where they stand in the romanizations and the English too
        nested = [n for text in (original, translation) if text is not None for n in text.iter(f"{{{P.TEI_NS}}}cit") if n.get(P.XML_ID)]
        romanizations = []
        for t in cit.findall("t:cit[@type='transliteration']/t:quote", X):
            tag = t.get(P.XML_LANG)
            scheme = scheme_of_tag(tag)
            theirs = [(n.get(P.XML_ID), to_html(_romanized(n, tag))) for n in nested]
            romanizations.append(
                {
                    "tag": tag,
                    "scheme": scheme[0].short if scheme else tag,
                    "html": mark_nested(to_html(t), theirs, link, current),
                    "default": tag == q["transliteration_scheme"],
                }
            )
        romanizations.sort(key=lambda r: not r["default"])
        out.append(
            {
                **q,
                "language_name": language_name(q["language"]),
                "printed": is_printed(original),
                "original_lang": _printed_lang(q["language"], q["original"]),
                "original_html": to_html(original, link, current),
                "romanizations": romanizations,
                "translation_html": (
                    mark_nested(
                        to_html(translation, link, current),
                        [(n.get(P.XML_ID), to_html(n.find("t:cit[@type='translation']/t:quote", X))) for n in nested],
                        link,
                        current,
                    )
                    if translation is not None
                    else None
                ),
                "corrections": [("original", *c) for c in corrections(original)] + [("English", *c) for c in corrections(translation)],
                "regularisations": regularisations(original),
                **{f"{name}_row": entry for name, entry in named.items()},
                "other_references": [
                    {"field": name.replace("_", " "), "table": JOINED[name].name, "id": q[name], "label": entry[JOINED[name].label]}
                    for name, entry in named.items()
                    if entry and name not in STATED
                ],
                "date_human": date_words(cit) if q["date"] else None,
                "article_row": article,
                "article_short": short_article(article),
                "place": _place(q),
                "original_place": (
                    f"p. {q['original_page'] or q['page']}" + (f", n. {q['original_footnote']}" if q["original_footnote"] else "")
                    if q["original_page"] or q["original_footnote"]
                    else None
                ),
                "certainties": json.loads(q["certainty_details"] or "[]"),
                "truncated": q["kind"] == "abstract" and bool(q["original"]) and q["original"][:1].islower(),
                "work_ids": json.loads(q["works"] or "[]"),
            }
        )
        out[-1]["doubts"] = doubts(out[-1])
    return out


# What each kind of doubt means, and how much, in words (the record says `of` and TEI @cert).
DOUBT = {
    "language": "language of the original inferred",
    "speaker": "speaker inferred",
    "addressee": "addressee inferred",
    "date": "date uncertain",
    "document": "document inferred",
    "pairing": "original and English paired by the editors",
}
CONFIDENCE = {"high": "very likely right", "medium": "probable", "low": "doubtful", "unknown": "not known"}
DETECTION = {
    "judged": "a language detector (langdetect) reads the original as {lang}",
    "script only": "too short for a detector to judge; its letters fit {script}",
    "too short": "too short for a language detector to judge",
    "romanized": "Russian printed in Latin letters: not judged by the detector",
    "no letters": "no letters to judge",
    "no original": "the article prints no original to check",
}


def doubts(card: dict) -> list[dict]:
    """Each uncertainty in plain words: what is uncertain, how likely, why."""
    return [
        {"what": DOUBT.get(u["of"], u["of"]), "how": CONFIDENCE.get(u["cert"], u["cert"]), "why": u["reason"], "of": u["of"]}
        for u in card["certainties"]
    ]


def language_check(card: dict) -> str | None:
    """The language audit of a record in words (None: nothing to say)."""
    status = card.get("detection")
    if not status:
        return None
    words = DETECTION.get(status, status).format(
        lang=language_name(card.get("detected_language")), script=card.get("detected_script") or ""
    )
    agrees = card.get("detected_language") in (None, card["language"])
    if status == "judged":
        words += " (agrees)" if agrees else f"; the editors keep {language_name(card['language'])}"
    if card.get("detection_note"):
        words += f": {card['detection_note']}"
    return words[0].upper() + words[1:] + "."


def opening_words(card: dict, n: int = 8) -> str:
    """The first words of what the article prints (the original, else the English), for a heading."""
    text = card.get("original_corrected") or card.get("original") or card.get("translation") or ""
    found = text.split()
    return " ".join(found[:n]) + (" …" if len(found) > n else "")


async def quotation(db, qid: str) -> dict | None:
    found = await cards(db, [qid])
    if not found:
        return None
    card = found[0]
    card["doubts"] = doubts(card)
    card["language_check"] = language_check(card)
    card["opening"] = opening_words(card)
    card["works_rows"] = list((await by_id(db, "works", card["work_ids"])).values())
    card["same_document"] = (
        await _rows(
            db,
            "select q.id, q.article, a.author, a.year, q.page, q.footnote from quotations q"
            " join articles a on a.id = q.article where q.document = ? and q.id != ? and q.part_of is null"
            " order by q.article, q.page, q.id",
            [card["document"], qid],
        )
        if card["document"]
        else []
    )
    for o in card["same_document"]:
        o["article_short"] = short_article(o)
    # a nested quotation is shown in its context, the quotation it stands in; a quotation lists those in it
    card["outer"] = (await cards(db, [card["part_of"]], current=qid))[0] if card["part_of"] else None
    inner = await _rows(db, "select id from quotations where part_of = ? order by id", [qid])
    card["nested_cards"] = await cards(db, [r["id"] for r in inner])
    card["parallel_cards"] = await cards(db, json.loads(card["parallel"] or "[]"))
    card["neighbours"] = await neighbours(db, card["part_of"] or qid)
    return card


async def neighbours(db, qid: str) -> dict[str, dict | None]:
    """The quotations before and after this one in its article's order (the edition's, which the rowids
    keep: tei.encode.in_page_order), nested ones standing with the quotation they are in."""
    around = await _rows(
        db,
        "select (select p.id from quotations p where p.article = q.article and p.part_of is null and p.rowid < q.rowid"
        " order by p.rowid desc limit 1) as previous,"
        " (select n.id from quotations n where n.article = q.article and n.part_of is null and n.rowid > q.rowid"
        " order by n.rowid limit 1) as next from quotations q where q.id = ?",
        [qid],
    )
    ids = [i for i in (around[0]["previous"], around[0]["next"]) if i] if around else []
    found = {c["id"]: c for c in await cards(db, ids)}
    return {side: found.get(around[0][side]) if around else None for side in ("previous", "next")}


PAGE = 50  # quotations a person's or document's page shows in each section; the rest are a link away


async def _first(db, where: str, params: list, order: str) -> tuple[list[dict], int]:
    """The first PAGE quotations matching, as cards, and how many match in all."""
    ids = [r["id"] for r in await _rows(db, f"select id from quotations where {where} order by {order} limit {PAGE}", params)]
    total = (await _rows(db, f"select count(*) as n from quotations where {where}", params))[0]["n"]
    return await cards(db, ids), total


async def person(db, pid: str) -> dict | None:
    rows = await by_id(db, "persons", [pid])
    if pid not in rows:
        return None
    p = rows[pid]
    order = "date_from is null, date_from, date_to, article, page, id"
    spoken, spoken_total = await _first(db, "speaker = ?", [pid], order)
    addressed, addressed_total = await _first(db, "addressee = ?", [pid], order)
    # one line per distinct romanization, with the names of the schemes that give it
    romanized: dict[str, list[str]] = {}
    for r in await _rows(db, "select scheme, tag, text from transliterations where person = ? order by scheme != 'ala-lc', scheme", [pid]):
        found = scheme_of_tag(r["tag"])
        romanized.setdefault(r["text"], []).append(found[0].short or found[0].label if found else r["scheme"])
    years = await _rows(
        db,
        "select coalesce(substr(date_from, 1, 4), '') as year, count(*) as n from quotations where speaker = ? group by year"
        " order by year = '', year",
        [pid],
    )
    by_document = await _rows(
        db,
        "select d.id, d.title, d.date, count(*) as n from quotations q join documents d on d.id = q.document where q.speaker = ?"
        f" group by d.id order by d.date_from is null, d.date_from, d.id limit {PAGE}",
        [pid],
    )
    return {
        **p,
        "variant_list": json.loads(p["variants"] or "[]"),
        "romanizations": [{"text": t, "schemes": ", ".join(names)} for t, names in romanized.items()],
        "years": years,
        "by_document": by_document,
        "spoken": spoken,
        "spoken_total": spoken_total,
        "addressed": addressed,
        "addressed_total": addressed_total,
        "documents": await _rows(
            db,
            "select id, title, date, author = ? as authored from documents where author = ? or recipient = ?"
            f" order by date, id limit {PAGE}",
            [pid, pid, pid],
        ),
        "documents_total": (await _rows(db, "select count(*) as n from documents where author = ? or recipient = ?", [pid, pid]))[0]["n"],
        "page": PAGE,
    }


async def document(db, did: str) -> dict | None:
    rows = await by_id(db, "documents", [did])
    if did not in rows:
        return None
    d = rows[did]
    xml = await _rows(db, "select xml from tei_fragments where id = ?", [did])
    persons = await by_id(db, "persons", [d["author"], d["recipient"]])
    columns = []
    for a in await _rows(db, "select * from articles order by year, id"):
        found, total = await _first(db, "document = ? and article = ?", [did, a["id"]], "page, footnote, id")
        if found:
            columns.append({"article": a, "short": short_article(a), "cards": found, "total": total})
    # the passages both (or more) articles print from this document, side by side: each pair once
    pairs, seen = [], set()
    for r in await _rows(
        db, "select id, parallel from quotations where document = ? and parallel is not null order by article, rowid", [did]
    ):
        group = [r["id"], *json.loads(r["parallel"] or "[]")]
        if r["id"] in seen or len(group) < 2:
            continue
        seen.update(group)
        pairs.append(await cards(db, group))
    has_pair_of_texts = await _rows(
        db, "select 1 from quotations where document = ? and original is not null and translation is not null limit 1", [did]
    )
    return {
        **d,
        "pairs": pairs,
        "tmx_has_units": bool(has_pair_of_texts),
        "author_row": persons.get(d["author"]),
        "recipient_row": persons.get(d["recipient"]),
        "date_human": date_words(fragment(xml[0]["xml"])) if d["date"] and xml else None,
        "language_name": language_name(d["language"]),
        "cited": json.loads(d["cited_in"] or "[]"),
        "columns": columns,
        "in_several": len(columns) > 1,
        "articles_counted": P.counted(len(columns), "article"),
        "page": PAGE,
    }


async def home(db) -> dict:
    """The home page's counts and lists, as the loader summarised them (load.SUMMARIES)."""
    summary = {r["name"]: json.loads(r["json"]) for r in await _rows(db, "select name, json from corpus_summary")}
    counts = summary["counts"]
    languages = sorted({c["language"] for c in counts}, key=lambda lang: -sum(c["n"] for c in counts if c["language"] == lang))
    kinds = [k for k in KIND_NAMES if any(c["kind"] == k for c in counts)]
    table = {(c["language"], c["kind"]): c["n"] for c in counts}
    printed = {lang: sum(c["printed"] for c in counts if c["language"] == lang) for lang in languages}
    # an example for the DTS line: the first quotation, in id order, whose original is printed
    example = await _rows(db, "select id, article, page from quotations where original is not null and part_of is null order by id limit 1")
    return {
        "articles": summary["articles"],
        "articles_counted": P.counted(len(summary["articles"]), "article"),
        "every_article": P.every_article(len(summary["articles"])),
        "dts_example": example[0] if example else None,
        "languages": [
            {"code": lang, "name": language_name(lang), "n": sum(table.get((lang, k), 0) for k in kinds), "printed": printed[lang]}
            for lang in languages
        ],
        "kinds": [{"code": k, "name": KIND_NAMES[k], "n": sum(table.get((lang, k), 0) for lang in languages)} for k in kinds],
        "count": table,
        "language_counts": {lang: sum(c["n"] for c in counts if c["language"] == lang) for lang in languages},
        "total": sum(table.values()),
        "with_original": sum(printed.values()),
        "persons": summary["speakers"],
        "persons_total": summary["speakers_total"][0]["n"],
        "documents_across": summary["documents_across"],
        "documents_across_total": summary["documents_across_total"][0]["n"],
        "registers": summary["registers"][0],
        "version": __version__,
        "release_date": RELEASE_DATE,
        "tei_corpus": tei_path("corpus"),
    }


def _searched_texts(c: dict, source: str) -> list[str]:
    """The texts of a card that a search declaration (profile: Register.search) looks in."""
    if source == "<romanizations>":
        return [str(r["html"].striptags()) for r in c["romanizations"]]
    if source in ("<speaker>", "<addressee>"):
        return [p["name"] for name in P.persons_named(P.QUOTATIONS)[source] if (p := c.get(f"{name}_row"))]
    if source == "<document>":
        return [c["document_row"]["title"]] if c.get("document_row") else []
    return [c.get(source) or ""]


def _matched_label(c: dict, searched: P.Searched) -> str:
    # the profile's label; an original says its language ("Russian original")
    return f"{language_name(c['language'])} {searched.label}" if searched.source.startswith("original") else searched.label


def mark_matches(cards: list[dict], matcher: Matcher) -> dict[str, dict]:
    """Mark the matched words in every text of these cards (original, each romanization, English),
    and say for each card where it matched, in the words of the profile's search declarations: in its
    texts, or only in a name, the citation, a note."""
    found = {}
    texts_first = [s for s in P.QUOTATIONS.search if s.into in ("exact", "roman")]
    others = [s for s in P.QUOTATIONS.search if s.into not in ("exact", "roman")]
    for c in cards:
        where: list[str] = []
        for group in (texts_first, others):
            for searched in group:
                if searched.source.startswith("original") and any(w.endswith(P.QUOTATIONS.search[0].label) for w in where):
                    continue  # one of the original's readings matched: the original is named once
                texts = _searched_texts(c, searched.source)
                if any(matcher.text(t) or (searched.into != "exact" and matcher.text(romanize_if_cyrillic(t))) for t in texts):
                    where.append(_matched_label(c, searched))
            if where:
                break
        where = list(dict.fromkeys(where)) or ["another form of a name (every printed form and romanization is searched)"]
        c["original_html"] = highlight(c["original_html"], matcher)
        c["translation_html"] = highlight(c["translation_html"], matcher) if c["translation_html"] else None
        for r in c["romanizations"]:
            r["html"] = highlight(r["html"], matcher)
        found[c["id"]] = {"matched": where}
    return found
