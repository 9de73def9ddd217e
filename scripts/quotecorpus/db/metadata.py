"""Datasette metadata, generated: the tables and columns from the profile, plus the canned queries.

`quotecorpus metadata` writes it to metadata.json (a test checks the file is current), for any
Datasette a user points at our database. `serve` builds the same metadata for whatever name the
database is served under, so that a database loaded as `myedition.db` gets it all at /myedition.
"""

from __future__ import annotations

import copy
import json
import sqlite3
from pathlib import Path

from quotecorpus import RELEASE_DATE, __version__
from quotecorpus import profile as P
from quotecorpus.db.langaudit import DISAGREEMENTS_SQL
from quotecorpus.layout import ROOT
from quotecorpus.records.corpus import load_corpus

DEFAULT_DATABASE = "corpus"

INSTANCE = {
    "title": "quotecorpus",
    "license": "CC BY 4.0 (selection, curation, encoding)",
    "license_url": P.LICENCE_URL,
    # The release (quotecorpus/__init__.py). Datasette 0.65 keeps top-level keys it does not know and
    # serves them with the rest at /-/metadata.json, so they stand beside the title, not in a plugin's
    # configuration (which describes how a server runs, not what the data is).
    "version": __version__,
    "release_date": RELEASE_DATE,
}


def _source(a: dict) -> str:
    """An article as the metadata's source line cites it: "Himmer, Slavic Review 35:4 (1976), doi:…"."""
    volume = f" {a['volume']}" + (f":{a['issue']}" if a.get("issue") else "") if a.get("volume") else ""
    return f"{a['author'].split()[-1]}, {a['journal']}{volume} ({a['year']}), doi:{a['doi']}"


def instance(articles: list[dict], languages: dict[str, int] | None = None) -> dict:
    """The instance's description and sources, from the articles the corpus holds and the languages of
    its quotations ({language: quotations}; never a list in code)."""
    articles = sorted(articles, key=lambda a: (a["year"], a["id"]))
    out = {"title": INSTANCE["title"]}
    out["description_html"] = (
        f"<p>{P.languages_named(languages or {})} quotations, terms and abstract fragments from {P.counted(len(articles), 'article')} "
        "on Soviet policy toward Germany in 1920–1921, each with the article's own English translation, its ALA-LC "
        "transliteration, attribution, date, and citation to page and footnote. Every quotation is also available as TEI P5 "
        "(add <code>.tei</code> to any quotations page or query).</p>"
    )
    out |= {k: v for k, v in INSTANCE.items() if k.startswith("license")}
    if articles:
        out["source"] = "; ".join(_source(a) for a in articles)
        # Datasette has one source link: the newest article's DOI
        out["source_url"] = f"https://doi.org/{articles[-1]['doi']}"
        # each article with its own link, for the reading room's footer (a key Datasette keeps and serves)
        out["sources"] = [{"text": _source(a), "url": f"https://doi.org/{a['doi']}"} for a in articles]
    return out | INSTANCE


def corpus_sources(root: Path = ROOT / "corpus") -> tuple[list[dict], dict[str, int]]:
    """The articles of a folder of curated records and the languages of its quotations, as the
    metadata.json of the repository names them."""
    found = load_corpus(root)
    return [r.data for r in found.records["articles"]], P.quoted_languages(r.data for r in found.records["quotations"])


def database_sources(db_path) -> tuple[list[dict], dict[str, int]]:
    """The articles of a built database and the languages of its quotations (what a server serves)."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        conn.row_factory = sqlite3.Row
        articles = [dict(r) for r in conn.execute("select * from articles")]
        languages = dict(conn.execute("select language, count(*) from quotations group by language").fetchall())
        return articles, languages
    except sqlite3.Error:
        return [], {}
    finally:
        conn.close()


# Research questions, one query each. Their SQL names only public columns of the profile (a test
# reads them with SQLite's authorizer). Every result page is meant to be read, not decoded: the SQL is
# folded away (hide_sql), a list is aggregated into text in SQL (no JSON in any column), and an id
# comes with its label (speaker beside speaker_id); the HTML cells link ids to their pages
# (datasette_cells). A query of quotations has their ids in `id`, so its `.tei` and `.tmx` work.

# The printed misprint and its correction: the corrected reading only where it differs, so that the
# column says at a glance which quotations the articles misprint (nowak-2025-q001 "ублюююдочный").
_CORRECTED = "case when q.original_corrected <> q.original then q.original_corrected end as corrected_reading"

# An article as a historian cites it in passing: the author's surname and the year ("Himmer 1976").
# SQLite has no split: rtrim() with the author's own letters strips the last word, which replace()
# then takes from the whole name.
_ARTICLE_SHORT = "coalesce(replace(author, rtrim(author, replace(author, ' ', '')), '') || ' ' || year, id)"

# The person (or persons) a name as typed stands for: folded (case, diacritics, ё, ł) or romanized
# (ALA-LC, so that Cyrillic finds a name printed only in Latin letters: "Чичерин" → chicherin), it
# equals one of their printed name forms, variants, romanizations or their id, or ends one of them as
# a whole word (the surname: "Копп" ends "В.Л. Копп").
_PERSONS_NAMED = """with names(person, name) as (
  select id, id from persons
  union all select id, name from persons
  union all select id, name_original from persons
  union all select id, name_transliteration from persons
  union all select p.id, v.value from persons p join json_each(p.variants) v
  union all select person, text from transliterations where person is not null
),
forms(person, form) as (select person, qc_fold(name) from names union select person, qc_roman(name) from names),
wanted(form) as (select qc_fold(trim(:person)) union select qc_roman(trim(:person))),
named(person) as (
  select distinct f.person from forms f join wanted w on w.form <> '' and (
    f.form = w.form
    or (substr(f.form, -length(w.form)) = w.form and substr(f.form, -length(w.form) - 1, 1) in (' ', '.', '-'))
  )
)"""

# Each research question: its title, description and SQL for Datasette, and under "room" how the reading
# room presents its answer (web/reading_room/research.py): "params" the words that label each parameter,
# "ask" what to say while a parameter the answer needs is empty, "empty" what no row means (for some
# questions the good outcome), "group"/"pair" the columns whose values gather the rows under one heading
# or side by side, "extras" the columns shown beside a quotation's card (which shows its texts, names,
# date and place itself), "links" and "lang" for a question whose rows are not quotations: which column
# a cell links through, and the columns giving a text's language.
QUERIES = {
    "russian_with_english": {
        "title": "Russian quotations with their English translation",
        "description": "Every quotation whose Russian the articles print with an English translation: the Russian as "
        "printed, the corrected reading where the printing erred, the ALA-LC romanization and the article's English. "
        "Russian texts printed without English (names of archives, terms, a few passages the articles leave "
        "untranslated) are not here: they are the Russian quotations with an empty translation.",
        "hide_sql": True,
        "room": {"empty": "No Russian text with its English is in the corpus."},
        "sql": f"""select q.id, q.original, {_CORRECTED}, q.transliteration, q.translation,
  p.name as speaker, q.speaker as speaker_id, q.date, q.article, q.page, q.footnote
from quotations q left join persons p on p.id = q.speaker
where q.language = 'ru' and q.original is not null and q.translation is not null
order by q.article, q.page, q.id""",
    },
    "by_person": {
        "title": "Every quotation of one person, in date order",
        "description": "Give the person by any name or variant the articles print, in either script, or by id: Kopp, "
        "Копп, Viktor Kopp, В.Л. Копп and kopp are one person (case and diacritics do not matter; a surname alone is "
        "enough). Original as printed, the corrected reading where the printing erred, the ALA-LC romanization (of the "
        "corrected reading) and the English, by date; undated quotations last.",
        "hide_sql": True,
        "room": {
            "params": {"person": "Person: any name the articles print, in either script"},
            "ask": "Type a person's name above, in any spelling the articles print, e.g. Kopp, Копп or Tschitscherin.",
            "empty": "No quotation is attributed to a person of that name. Try another spelling, or search all texts.",
        },
        "sql": f"""{_PERSONS_NAMED}
select q.id, q.date, p.name as speaker, q.speaker as speaker_id, q.original, {_CORRECTED},
  q.transliteration, q.translation, a.name as addressee, q.addressee as addressee_id,
  d.title as document, q.document as document_id, q.article, q.page, q.footnote
from named join quotations q on q.speaker = named.person
  left join persons p on p.id = q.speaker
  left join persons a on a.id = q.addressee
  left join documents d on d.id = q.document
order by q.date is null, q.date, q.article, q.page, q.id""",
    },
    "uncertain": {
        "title": "Uncertain language, attribution, date or pairing, with the reason",
        "description": "One row per quotation: what is uncertain, and for each, how certain the attribution is (high, "
        "medium, low) and why, in the order the record gives them.",
        "hide_sql": True,
        "room": {"empty": "No quotation's language, attribution, date or pairing is marked uncertain."},
        "sql": """select q.id, q.article, q.page, q.footnote, q.language, p.name as speaker, q.speaker as speaker_id, q.date,
  (select group_concat(json_extract(c.value, '$.of'), ', ')
     from (select value from json_each(q.certainty_details) order by key) c) as uncertain,
  (select group_concat(json_extract(c.value, '$.of') || ' (' || json_extract(c.value, '$.cert') || ')'
       || coalesce(': ' || json_extract(c.value, '$.reason'), ''), ' | ')
     from (select value from json_each(q.certainty_details) order by key) c) as reasons,
  q.translation
from quotations q left join persons p on p.id = q.speaker
where q.certainty_details is not null
order by q.id""",
    },
    "language_audit": {
        "title": "Language audit: quotations where the curated language and the detector disagree",
        "sql": DISAGREEMENTS_SQL,
        "description": "Each row is explained in detection_note (why the curated language is right) or is a labelling error "
        "to fix. Same list as `quotecorpus audit-languages`.",
        "hide_sql": True,
        "room": {
            "extras": {
                "detected_language": "Detected language",
                "detected_probability": "Probability",
                "detected_script": "Script",
                "detection_note": "Why the curated language stands",
            },
            "empty": "No quotation: the language detector agrees with every curated language. This is the good outcome.",
        },
    },
    "same_document": {
        "title": "The same words of one document in each article's translation",
        "description": "The passages that two or more articles quote from the same words of one document (the "
        "quotations' parallel), one row per quotation: its article, page, the article's English and the original where "
        "it is printed. The quotations of one passage share passage_id (the first of their ids) and stand together, by "
        "document, then passage, then article. Leave document empty for all of them, or give a document id. Every "
        "passage of the documents quoted in more than one article, paired or not: documents_across_articles.",
        "hide_sql": True,
        "room": {
            "params": {"document": "Document"},
            "group": "document_id",
            "pair": "passage_id",
            "empty": "No passage of that document is printed in more than one article.",
        },
        "sql": f"""with cite(article, short) as (select id, {_ARTICLE_SHORT} from articles),
passage(id, passage_id) as (
  select q.id, (select min(v) from (select q.id as v union all select j.value from json_each(q.parallel) j))
  from quotations q where json_array_length(q.parallel) > 0
)
select d.title as document, q.document as document_id, d.date, p.passage_id, c.short as cited_as, q.article,
  q.id, q.page, q.footnote, q.translation, q.original, {_CORRECTED},
  (select group_concat(j.value, ', ') from (select value from json_each(q.parallel) order by key) j) as parallel
from passage p join quotations q on q.id = p.id join cite c on c.article = q.article
  left join documents d on d.id = q.document
where :document = '' or q.document = :document
order by d.date, q.document, p.passage_id, q.article, q.page, q.id""",
    },
    "documents_across_articles": {
        "title": "Documents quoted in more than one article: every passage of each, by article",
        "description": "One row per quotation of a document that more than one article quotes, grouped by document and "
        "article (articles counts them), whether or not they quote the same words; parallel names the other articles' "
        "quotations of the same words, where there are any (those passages together: same_document). Leave document "
        "empty for all of them, or give a document id.",
        "hide_sql": True,
        "room": {
            "params": {"document": "Document"},
            "group": "document_id",
            "extras": {"articles": "Articles quoting this document", "parallel": "The same words in another article"},
            "empty": "No document of that id is quoted in more than one article.",
        },
        "sql": f"""with across(document, articles) as (
  select document, count(distinct article) from quotations where document is not null group by document
  having count(distinct article) > 1
),
cite(article, short) as (select id, {_ARTICLE_SHORT} from articles)
select d.title as document, q.document as document_id, d.date, b.articles, c.short as cited_as, q.article, q.id, q.page,
  q.footnote, q.original, {_CORRECTED}, q.translation,
  (select group_concat(j.value, ', ') from (select value from json_each(q.parallel) order by key) j) as parallel
from across b join quotations q on q.document = b.document join cite c on c.article = q.article
  left join documents d on d.id = q.document
where :document = '' or q.document = :document
order by d.date, q.document, q.article, q.page, q.id""",
    },
    "german_sources": {
        "title": "German-language sources quoted in an article, with their archival references",
        "description": "Quotations whose source is German, in the article given (an article id; leave it empty for "
        "every article), with the document, the article's citation as printed (in Himmer 1976: Auswärtiges Amt files, "
        "film serial/reel/frame; OCR errors kept, e.g. “bctreffcnd”) and the works it cites, their titles corrected "
        "(works_cited).",
        "hide_sql": True,
        "room": {
            "params": {"article": "Article"},
            "extras": {"source": "The article's citation", "works_cited": "Works cited", "certainty": "Certainty"},
            "empty": "No German source is quoted in that article.",
        },
        "sql": """select q.id, q.article, q.date, p.name as speaker, q.speaker as speaker_id, q.translation,
  d.title as document, q.document as document_id, q.source,
  (select group_concat(coalesce(w.title_corrected, w.title), ' | ')
     from (select value, key from json_each(q.works) order by key) j join works w on w.id = j.value) as works_cited,
  q.page, q.footnote, q.certainty
from quotations q left join documents d on d.id = q.document left join persons p on p.id = q.speaker
where (:article = '' or q.article = :article) and q.language = 'de' and q.kind = 'quotation'
order by q.article, q.date is null, q.date, q.id""",
    },
    "works_across_articles": {
        "title": "Works cited in more than one article",
        "description": "Publications cited by more than one article, with each printed form (e.g. Dokumenty vneshnei "
        "politiki SSSR / Документы внешней политики СССР), the articles that cite them and where each cites them. The "
        "rows are works, not quotations: their ids are in work_id, and there is no TEI of them.",
        "hide_sql": True,
        "room": {
            "links": {"title": "work_id"},
            "lang": {"title": ["title_language", "language"]},
            "empty": "No work is cited in more than one article.",
        },
        "sql": f"""with cite(article, short) as (select id, {_ARTICLE_SHORT} from articles),
citing(work, article) as (
  select distinct w.id, json_extract(c.value, '$.article') from works w join json_each(w.cited_in) c
)
select w.id as work_id, w.title, w.title_corrected, w.transliteration,
  (select group_concat(v.value, ' | ') from (select value from json_each(w.variants) order by key) v) as variants,
  w.language, w.author, w.imprint,
  (select count(*) from citing g where g.work = w.id) as article_count,
  (select group_concat(short, ', ') from (select c.short from citing g join cite c on c.article = g.article
     where g.work = w.id order by c.article)) as articles,
  (select group_concat(per_article, '; ') from (
     select c.short || ': ' || group_concat(json_extract(j.value, '$.where'), ', ') as per_article
     from (select value, key from json_each(w.cited_in) order by key) j
     join cite c on c.article = json_extract(j.value, '$.article')
     group by c.article order by c.article)) as cited_in
from works w
where (select count(*) from citing g where g.work = w.id) > 1
order by w.title""",
    },
}


def _table(register: P.Register) -> dict:
    out: dict = {"description": register.description, "label_column": register.label}
    if register.facets:
        out["facets"] = list(register.facets)
    out["columns"] = {c.name: c.description for c in register.columns}
    return out


def database(name: str = DEFAULT_DATABASE) -> dict:
    """The metadata of one database in our contract, whatever it is called."""
    tables = {r.name: _table(r) for r in P.REGISTERS}
    tables["transliterations"] = {
        "description": P.TRANSLITERATIONS_DESCRIPTION,
        "label_column": "text",
        "facets": ["scheme"],
        "columns": {c.name: c.description for c in P.TRANSLITERATIONS_COLUMNS},
    }
    tables["tei_fragments"] = {"hidden": True}
    tables["corpus_summary"] = {"hidden": True}
    for register in P.REGISTERS:
        if register.search:
            tables[register.search_table] = {"hidden": True}  # the search index (search_index.py)
    return {
        "description": f"The curated corpus, loaded from the TEI edition{' in tei/' if name == DEFAULT_DATABASE else ''}.",
        "tables": tables,
        "queries": copy.deepcopy(QUERIES),  # Datasette writes into the dicts it is given
    }


def metadata(name: str = DEFAULT_DATABASE, sources: tuple[list[dict], dict[str, int]] | None = None) -> dict:
    """The whole Datasette metadata for a database served as `name`, whose sources are (articles,
    languages) (default: those of corpus/)."""
    return {**instance(*(sources or corpus_sources())), "databases": {name: database(name)}}


def render(sources: tuple[list[dict], dict[str, int]] | None = None) -> str:
    """metadata.json as written to the repository (or to a release, with the sources of its database)."""
    return json.dumps(metadata(sources=sources), ensure_ascii=False, indent=2) + "\n"
