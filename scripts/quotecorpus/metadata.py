"""Datasette metadata, generated: the tables and columns from the profile, plus the canned queries.

`quotecorpus metadata` writes it to metadata.json (a test checks the file is current), for any
Datasette a user points at our database. `serve` builds the same metadata for whatever name the
database is served under, so that a database loaded as `myedition.db` gets it all at /myedition.
"""

from __future__ import annotations

import copy
import json

from . import RELEASE_DATE, __version__
from . import profile as P
from .langaudit import DISAGREEMENTS_SQL

DEFAULT_DATABASE = "corpus"

INSTANCE = {
    "title": "quotecorpus",
    "description_html": (
        "<p>Russian, German and Polish quotations, terms and abstract fragments from two articles on Soviet policy toward "
        "Germany in 1920–1921, each with the article's own English translation, its ALA-LC transliteration, attribution, "
        "date, and citation to page and footnote. Every quotation is also available as TEI P5 (add <code>.tei</code> to any "
        "quotations page or query).</p>"
    ),
    "license": "CC BY 4.0 (selection, curation, encoding)",
    "license_url": P.LICENCE_URL,
    "source": (
        "Himmer, Slavic Review 35:4 (1976), doi:10.2307/2495657; Nowak, Studia z Dziejów Rosji i Europy "
        "Środkowo-Wschodniej (2025), doi:10.12775/SDR.2025.EN9.04"
    ),
    "source_url": "https://doi.org/10.12775/SDR.2025.EN9.04",
    # The release (quotecorpus/__init__.py). Datasette 0.65 keeps top-level keys it does not know and
    # serves them with the rest at /-/metadata.json, so they stand beside the title, not in a plugin's
    # configuration (which describes how a server runs, not what the data is).
    "version": __version__,
    "release_date": RELEASE_DATE,
}

# Research questions, one query each. Their SQL names only public columns of the profile.
QUERIES = {
    "russian_with_english": {
        "title": "Russian quotations with their English translation",
        "sql": "select q.id, q.original, q.transliteration, q.translation, p.name as speaker, q.date, q.article, q.page, q.footnote "
        "from quotations q left join persons p on p.id = q.speaker where q.language = 'ru' and q.original is not null "
        "order by q.article, q.page, q.id",
    },
    "by_person": {
        "title": "Every quotation of one person, in date order",
        "sql": "select q.id, q.date, q.original, q.transliteration, q.translation, a.name as addressee, d.title as document, "
        "q.article, q.page, q.footnote from quotations q left join persons a on a.id = q.addressee left join documents d "
        "on d.id = q.document where q.speaker = :person order by q.date is null, q.date, q.article, q.page, q.id",
        "description": "Original, transliteration (ALA-LC) and English, by date; undated quotations last. Example: ?person=kopp",
    },
    "uncertain": {
        "title": "Uncertain language, attribution, date or pairing, with the reason",
        "sql": "select q.id, json_extract(c.value, '$.of') as uncertain, json_extract(c.value, '$.cert') as cert, "
        "json_extract(c.value, '$.reason') as reason, q.language, q.translation from quotations q join "
        "json_each(q.certainty_details) c where q.certainty_details is not null order by q.id, uncertain",
    },
    "language_audit": {
        "title": "Language audit: quotations where the curated language and the detector disagree",
        "sql": DISAGREEMENTS_SQL,
        "description": "Each row is explained in detection_note (why the curated language is right) or is a labelling error "
        "to fix. Same list as `quotecorpus audit-languages`.",
    },
    "same_document": {
        "title": "One document in both articles: the two translations side by side",
        "description": "Every document quoted in both Himmer (1976) and Nowak (2025), with each article's English (and the "
        "Russian where Nowak prints it). Leave document empty for all of them, or give a document id.",
        "sql": "select d.id as document, d.title, d.date, h.id as himmer_id, h.translation as himmer_translation, h.page as "
        "himmer_page, n.id as nowak_id, n.translation as nowak_translation, n.original as nowak_original, n.page as "
        "nowak_page from documents d join quotations h on h.document = d.id and h.article = 'himmer-1976' join quotations "
        "n on n.document = d.id and n.article = 'nowak-2025' where :document = '' or d.id = :document order by d.date, "
        "d.id, h.id, n.id",
    },
    "himmer_german_sources": {
        "title": "German-language sources quoted in Himmer, with their archival references",
        "description": "Quotations in Himmer (1976) whose source is German, with the document and its reference (Auswärtiges "
        "Amt files, film serial/reel/frame) as cited.",
        "sql": "select q.id, q.date, p.name as speaker, q.translation, d.title as document, d.reference, q.source, q.page, "
        "q.footnote, q.certainty from quotations q left join documents d on d.id = q.document left join persons p on p.id "
        "= q.speaker where q.article = 'himmer-1976' and q.language = 'de' and q.kind = 'quotation' order by q.date is "
        "null, q.date, q.id",
    },
    "works_in_both": {
        "title": "Works cited in both articles",
        "description": "Publications cited by Himmer (1976) and by Nowak (2025), with each printed form (e.g. Dokumenty "
        "vneshnei politiki SSSR / Документы внешней политики СССР) and where each article cites them.",
        "sql": "select w.id, w.title, w.transliteration, w.variants, w.language, w.author, w.imprint, w.cited_in from works w "
        "where exists (select 1 from json_each(w.cited_in) c where json_extract(c.value, '$.article') = 'himmer-1976') and "
        "exists (select 1 from json_each(w.cited_in) c where json_extract(c.value, '$.article') = 'nowak-2025') order by "
        "w.title",
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
    return {
        "description": f"The curated corpus, loaded from the TEI edition{' in tei/' if name == DEFAULT_DATABASE else ''}.",
        "tables": tables,
        "queries": copy.deepcopy(QUERIES),  # Datasette writes into the dicts it is given
    }


def metadata(name: str = DEFAULT_DATABASE) -> dict:
    """The whole Datasette metadata for a database served as `name`."""
    return {**INSTANCE, "databases": {name: database(name)}}


def render() -> str:
    """metadata.json as written to the repository."""
    return json.dumps(metadata(), ensure_ascii=False, indent=2) + "\n"
