"""What makes the release bundle work where it lands: served by plain Datasette (no plugin of ours),
cited, licensed and described by the tools that read such bundles.

* Plain search. Our `?_search=` is the plugin's (search/query.py) over contentless indexes Datasette
  cannot use. The bundle's database gets, beside them, one plain FTS5 table per searchable table,
  `<table>_fts`, declared as the table's `fts_table` (`fts_pk` rowid) in the bundle's metadata.json:
  the folded texts, their romanizations, the names of the persons concerned, and every form of a
  person's name (both scripts) wherever any form of it occurs, so that Chicherin and Чичерин find what
  they find on our server without the query expansion only our plugin does.
* Canned queries without our SQL functions: `by_person` folds the name typed with FTS5's own
  tokenizer over `person_names` (every printed form, folded and romanized) instead of qc_fold/qc_roman.
* CITATION.cff, the full licence texts (LICENSES/), datapackage.json (Frictionless Data Package of
  csv/) and ro-crate-metadata.json (RO-Crate 1.3).
"""

from __future__ import annotations

import copy
import json
import sqlite3
from pathlib import Path

import sqlite_utils

from quotecorpus import RELEASE_DATE, __version__
from quotecorpus import profile as P
from quotecorpus.db import load as loader
from quotecorpus.db.metadata import QUERIES, metadata
from quotecorpus.search.forms import name_key, romanized, words
from quotecorpus.search.index import Lookups, row_texts
from quotecorpus.text.chars import fold

LICENCES = Path(__file__).parent / "licences"  # full texts; where each comes from: licences/README.md
DATA_LICENCE, CODE_LICENCE = "CC-BY-4.0", "Apache-2.0"
CREATOR = "quotecorpus contributors"  # how the project names its makers (TEI respStmt): no invented persons
FTS_SUFFIX = "_fts"
PERSON_NAMES = "person_names"
FTS_COLUMNS = ("texts", "roman", "names", "name_forms", "context")
TOKENIZE = "unicode61 remove_diacritics 2"
TITLE = "quotecorpus: Russian, German and Polish quotations in two articles on Soviet policy toward Germany, 1920–1921"

# by_person without qc_fold/qc_roman: FTS5's tokenizer folds the name as typed (case in every script,
# Latin diacritics), person_names holds every form folded (ё, ł, ß) and romanized; the name typed is
# one phrase, so "В.Л. Копп", "Viktor Kopp" and a surname alone find the person. Unlike our server's
# query, a phrase may stand anywhere in a form (a first name alone also finds the person).
_PLAIN_PERSONS_NAMED = f"""with named(person) as (
  select distinct person from {PERSON_NAMES}
  where trim(:person) <> '' and {PERSON_NAMES} match '"' || replace(trim(:person), '"', '""') || '"'
)"""

SEARCH_NOTE = (
    "Search (the search box, ?_search=) looks for every word typed, in any case and without diacritics, in the texts "
    "(original as printed and corrected, English), their romanizations (ALA-LC with and without diacritics, ISO 9), "
    "the citations and editors' notes, the speaker's and addressee's names, and every form of each person named "
    "(Чичерин finds Chicherin). This is SQLite's full-text search as plain Datasette does it: the quotecorpus "
    "server also finds other word forms (Троцкого finds Троцкий) and ranks the matches."
)


# --- the database ---------------------------------------------------------------------------------


# ALA-LC without diacritics read backwards, longest letter group first: a Latin name's Cyrillic spelling
# (Chicherin → Чичерин), kept only where our ALA-LC romanization of it gives the name back.
_CYRILLIC = sorted(
    {
        **dict(zip("abvgdezijklmnoprstufy", "абвгдезийклмнопрстуфы", strict=True)),
        **{"shch": "щ", "kh": "х", "ts": "ц", "ch": "ч", "sh": "ш", "zh": "ж", "iu": "ю", "ia": "я"},
    }.items(),
    key=lambda kv: -len(kv[0]),
)


def cyrillic_spelling(word: str) -> str | None:
    """The Cyrillic word whose ALA-LC romanization is this folded Latin word, or None: what a reader
    who types a name in Cyrillic types, where the articles print it only in Latin letters."""
    if not word.isascii() or not word.isalpha():
        return None
    out, i = [], 0
    while i < len(word):
        found = next(((lat, cyr) for lat, cyr in _CYRILLIC if word.startswith(lat, i)), None)
        if found is None:
            return None
        out.append(found[1])
        i += len(found[0])
    cyrillic = "".join(out)
    if len(cyrillic) > 2 and cyrillic[-1] == "и" and cyrillic[-2] in "аеиоуыэюя":
        cyrillic = cyrillic[:-1] + "й"  # й is "i" too: at the end after a vowel it is the likelier (Крестинский, Николай)
    return cyrillic if word in romanized(cyrillic) else None


def _name_index(lookups: Lookups) -> tuple[dict[str, list[str]], dict[str, set[str]]]:
    """Every person's name forms as words (folded, and romanized), and the spelling-blind keys of their
    surnames (the last word of each form) by which a text is taken to name them."""
    forms, keys = {}, {}
    for pid, names in lookups.names.items():
        found = [w for n in names for w in words(n)]
        cyrillic = [c for w in found if len(w) > 2 and (c := cyrillic_spelling(w))]
        forms[pid] = list(dict.fromkeys([*found, *(r for w in found for r in romanized(w)), *cyrillic]))
        last = [ws[-1] for n in names if (ws := words(n))]
        keys[pid] = {k for w in last for k in (name_key(w), *(name_key(r) for r in romanized(w))) if k}
    return forms, keys


def add_plain_search(path: Path) -> dict[str, str]:
    """Add `<table>_fts` for every searchable table, and person_names, to the database at `path`.
    Returns {table: its fts table}."""
    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    try:
        lookups = Lookups(sqlite_utils.Database(db))
        forms, keys = _name_index(lookups)
        out = {}
        for register in P.REGISTERS:
            if not register.search:
                continue
            fts = register.name + FTS_SUFFIX
            db.execute(f"create virtual table [{fts}] using fts5({', '.join(FTS_COLUMNS)}, tokenize='{TOKENIZE}')")
            rows = []
            for row in db.execute(f"select rowid as _rowid, * from [{register.name}]"):
                texts = row_texts(register, dict(row), lookups)
                exact = [w for t in dict.fromkeys(texts["exact"]) for w in words(t)]
                roman = [w for t in dict.fromkeys(texts["roman"]) for w in words(t)]
                # the speaker's names and the addressee's: plain search has no ranking to tell them apart
                names = [w for t in dict.fromkeys(texts["speaker"] + texts["names"]) for w in words(t)]
                context = [w for t in dict.fromkeys(texts["context"]) for w in words(t)]
                context += [r for w in context for r in romanized(w)]  # a Cyrillic citation found in Latin letters
                seen = {k for w in exact + roman + names + context for k in (name_key(w), *(name_key(r) for r in romanized(w))) if k}
                named = [w for pid in sorted(forms) if keys[pid] & seen for w in forms[pid]]
                named += [r for w in names for r in romanized(w)]
                found = (exact, roman, names, list(dict.fromkeys(named)), context)
                rows.append((row["_rowid"], *(" ".join(ws) for ws in found)))
            db.executemany(f"insert into [{fts}] (rowid, {', '.join(FTS_COLUMNS)}) values (?, ?, ?, ?, ?, ?)", rows)
            out[register.name] = fts
        db.execute(f"create virtual table [{PERSON_NAMES}] using fts5(person unindexed, form, tokenize='{TOKENIZE}')")
        names = []
        for pid, found in lookups.names.items():
            for form in dict.fromkeys([pid, *found]):
                names += [(pid, form), (pid, fold(form))]
                if roman := " ".join(r for w in words(form) for r in romanized(w)):
                    names.append((pid, roman))  # a name printed only in Cyrillic, found when typed in Latin letters
                spelled = [cyrillic_spelling(w) for w in words(form)]
                if all(spelled):
                    names.append((pid, " ".join(spelled)))  # and one printed only in Latin letters, typed in Cyrillic
        db.executemany(f"insert into [{PERSON_NAMES}] (person, form) values (?, ?)", list(dict.fromkeys(names)))
        db.commit()
        db.execute("vacuum")
        return out
    finally:
        db.close()


# --- metadata.json --------------------------------------------------------------------------------


def bundle_metadata(fts: dict[str, str], sources: tuple[list[dict], dict[str, int]] | None = None) -> dict:
    """Our metadata, made for plain Datasette: each searchable table's fts_table, by_person without
    our SQL functions, the search described as it then works, the helper tables hidden (`sources`: the
    articles and languages of the bundle's database, as db.metadata.database_sources reads them)."""
    meta = metadata(sources=sources)
    database = meta["databases"]["corpus"]
    tables = database["tables"]
    for table, fts_table in fts.items():
        tables[table]["fts_table"] = fts_table
        tables[table]["fts_pk"] = "rowid"
        tables[fts_table] = {"hidden": True}
    tables[PERSON_NAMES] = {"hidden": True}
    quotations = tables["quotations"]
    quotations["description"] = f"One row per quotation, term or abstract fragment. {SEARCH_NOTE}"
    # by_person is its CTE of the persons named (with our functions), then the select of their quotations
    sql = QUERIES["by_person"]["sql"]
    cte, found, select = sql.partition(")\nselect ")
    assert found and "qc_fold" in cte and "qc_" not in select, "by_person changed shape: adapt bundle.bundle_metadata"
    queries = copy.deepcopy(database["queries"])
    queries["by_person"]["sql"] = f"{_PLAIN_PERSONS_NAMED}\nselect {select}"
    database["queries"] = queries
    return meta


# --- citation, licences, descriptions ---------------------------------------------------------------


def _title(article: dict) -> str:
    # an article printed without a title (Nowak's, as extracted) is named as the DTS collection names it
    return article["title"] or f"{article['author']}, article in {article['journal']} ({article['year']})"


def _yaml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)  # a JSON string is a YAML flow scalar


def citation_cff(articles: list[dict], url: str) -> str:
    """CITATION.cff (CFF 1.2.0): the release, its makers as the project names them, the articles as references."""
    lines = [
        "cff-version: 1.2.0",
        'message: "Please cite this release of the corpus as below, and the articles themselves for their translations."',
        "type: dataset",
        f"title: {_yaml_str(TITLE)}",
        f'version: "{__version__}"',
        f"date-released: {RELEASE_DATE}",
        f"license: {DATA_LICENCE}",
        "authors:",
        f"  - name: {_yaml_str(CREATOR)}",
        *([f"url: {_yaml_str(url)}"] if url else []),
        "keywords: [quotations, Soviet Russia, Germany, 1920–1921, TEI, translation]",
        "references:",
    ]
    for a in articles:
        lines += [
            "  - type: article",
            f"    title: {_yaml_str(_title(a))}",
            "    authors:",
            f"      - name: {_yaml_str(a['author'])}",
            f"    year: {int(a['year'])}",
            *([f"    journal: {_yaml_str(a['journal'])}"] if a.get("journal") else []),
            f"    doi: {_yaml_str(a['doi'])}",
        ]
    return "\n".join(lines) + "\n"


def copy_licences(folder: Path) -> list[str]:
    """LICENSES/<SPDX id>.txt, the full texts: CC BY 4.0 (the data) and Apache-2.0 (the code)."""
    target = folder / "LICENSES"
    target.mkdir()
    names = []
    for spdx in (DATA_LICENCE, CODE_LICENCE):
        (target / f"{spdx}.txt").write_bytes((LICENCES / f"{spdx}.txt").read_bytes())
        names.append(f"LICENSES/{spdx}.txt")
    return names


_TYPES = {str: "string", int: "integer", float: "number"}


def datapackage(counts: dict[str, int]) -> dict:
    """A Frictionless Data Package of csv/: each table's columns with their types and descriptions,
    its primary key and foreign keys (from the profile, as the database declares them)."""
    resources = []
    for table, columns in loader.tables().items():
        fields = [{"name": c.name, "type": _TYPES[c.sql], "description": c.description} for c in columns]
        schema: dict = {"fields": fields, "primaryKey": ["id"], "missingValues": [""]}
        fks = [{"fields": [col], "reference": {"resource": ref, "fields": [to]}} for col, ref, to in loader.foreign_keys(table)]
        if fks:
            schema["foreignKeys"] = fks
        resources.append(
            {
                "name": table,
                "path": f"csv/{table}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "description": f"{counts[table]} rows. "
                + (P.BY_NAME[table].description if table in P.BY_NAME else P.TRANSLITERATIONS_DESCRIPTION),
                "schema": schema,
            }
        )
    return {
        "profile": "tabular-data-package",
        "name": "quotecorpus",
        "title": "quotecorpus: quotations in two articles on Soviet policy toward Germany, 1920–1921",
        "version": __version__,
        "created": f"{RELEASE_DATE}T00:00:00Z",
        "licenses": [{"name": DATA_LICENCE, "path": P.LICENCE_URL, "title": "Creative Commons Attribution 4.0"}],
        "contributors": [{"title": CREATOR, "role": "author"}],
        "resources": resources,
    }


def ro_crate(files: dict[str, tuple[str, int]], articles: list[dict], url: str) -> dict:
    """ro-crate-metadata.json (RO-Crate 1.3): the bundle as a Dataset, every file in it a File with its
    format, the makers as the project names them, the licences, the articles it quotes."""
    creator = {"@id": "#quotecorpus-contributors", "@type": "Organization", "name": CREATOR}
    licence = {
        "@id": P.LICENCE_URL,
        "@type": "CreativeWork",
        "name": "Creative Commons Attribution 4.0 International",
        "identifier": DATA_LICENCE,
        "description": "The licence of the selection, curation and encoding of the corpus (the data).",
    }
    code = {
        "@id": "https://www.apache.org/licenses/LICENSE-2.0",
        "@type": "CreativeWork",
        "name": "Apache License 2.0",
        "identifier": CODE_LICENCE,
        "description": "The licence of the code that builds the corpus (quotecorpus).",
    }
    sources = [
        {"@id": f"https://doi.org/{a['doi']}", "@type": "ScholarlyArticle", "name": _title(a), "author": a["author"]}
        for a in articles
    ]
    parts = [
        {"@id": path, "@type": "File", "name": path, "description": what, "encodingFormat": _format(path), "contentSize": str(size)}
        for path, (what, size) in files.items()
    ]
    for part in parts:  # each licence text says which licence it is
        if part["@id"] in (f"LICENSES/{DATA_LICENCE}.txt", f"LICENSES/{CODE_LICENCE}.txt"):
            part["about"] = {"@id": licence["@id"] if DATA_LICENCE in part["@id"] else code["@id"]}
    publisher = {"@id": "#quotecorpus", "@type": "Organization", "name": "quotecorpus"}  # as every TEI header's publisher
    root = {
        "@id": "./",
        "@type": "Dataset",
        "name": "quotecorpus",
        "description": "Russian, German and Polish quotations, terms and abstract fragments from two articles on Soviet policy "
        "toward Germany in 1920–1921, with each article's English, romanizations, attribution, dates and citations, as TEI P5, "
        "SQLite, TMX and CSV.",
        "version": __version__,
        "datePublished": RELEASE_DATE,
        "license": {"@id": P.LICENCE_URL},
        "creator": {"@id": creator["@id"]},
        "publisher": {"@id": publisher["@id"]},
        "isBasedOn": [{"@id": s["@id"]} for s in sources],
        "hasPart": [{"@id": p["@id"]} for p in parts],
        **({"url": url} if url else {}),
    }
    descriptor = {
        "@id": "ro-crate-metadata.json",
        "@type": "CreativeWork",
        "conformsTo": {"@id": "https://w3id.org/ro/crate/1.3"},
        "about": {"@id": "./"},
    }
    return {
        "@context": "https://w3id.org/ro/crate/1.3/context",
        "@graph": [descriptor, root, creator, publisher, licence, code, *sources, *parts],
    }


def _format(path: str) -> str:
    suffix = path.rsplit(".", 1)[-1]
    return {
        "xml": "application/tei+xml",
        "rng": "application/xml",
        "sch": "application/xml",
        "db": "application/vnd.sqlite3",
        "json": "application/json",
        "tmx": "application/x-tmx+xml",
        "dtd": "application/xml-dtd",
        "csv": "text/csv",
        "md": "text/markdown",
        "cff": "application/x-yaml",
    }.get(suffix, "text/plain")
