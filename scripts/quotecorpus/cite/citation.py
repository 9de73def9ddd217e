"""How the corpus, its articles, its quotations, its documents and any selection are cited: one model.

Each citable thing is first a CSL-JSON item (the Citation Style Language's data model, which reference
managers exchange); every form a reader meets is written from that item: the line a page shows, the
release README's, BibTeX, RIS and CSL-JSON downloads, and the `citation_*` meta tags and schema.org
JSON-LD of the pages. So the same thing is cited the same way everywhere.

An address in a citation is absolute — the configured public base URL (`serve --base-url`,
QUOTECORPUS_BASE_URL) — or absent: without one a citation names the corpus, its version and the stable
identifier instead ("quotecorpus, version 1.1 (2026-12-01), quotation nowak-2025-q002"), never a bare
relative path that means nothing once pasted elsewhere.

Each item names the version it cites (`version`: this code's, or, for a page of an older release
served as /corpus-<version>/, that release's version and date; web/versions.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from quotecorpus import EDITION, RELEASE_DATE, __version__
from quotecorpus.profile import languages_named

CORPUS = "quotecorpus"
CREATOR = "quotecorpus contributors"  # as the project names itself: never invented people
LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
KIND_WORDS = {"quotation": "quoted", "term": "term used", "abstract": "abstract"}


@dataclass(frozen=True)
class Version:
    """A version of the corpus and its release date, as a citation names them."""

    number: str = __version__
    date: str = RELEASE_DATE

    @property
    def edition(self) -> str:
        return f"{CORPUS}, version {self.number} ({self.date})"  # EDITION, for this code's version


CURRENT = Version()


def absolute(base: str | None, path: str) -> str | None:
    """The address of `path` under the public base URL, or None when none is configured."""
    return base.rstrip("/") + path if base else None


def _name(full: str) -> dict:
    """A person's name as CSL gives it: family and given (the last word is the family name)."""
    parts = full.split()
    return {"family": parts[-1], "given": " ".join(parts[:-1])} if len(parts) > 1 else {"literal": full}


def _date(iso: str | None) -> dict | None:
    if not iso:
        return None
    return {"date-parts": [[int(p) for p in str(iso).split("-")]]}


# --- the items ---------------------------------------------------------------------------------------


def article_item(a: dict) -> dict:
    """A source article as a journal article (its DOI, translator, volume, issue, pages)."""
    item = {
        "id": a["id"],
        "type": "article-journal",
        "author": [_name(a["author"])],
        "title": a.get("title") or None,
        "container-title": a["journal"],
        "volume": a.get("volume") or None,
        "issue": a.get("issue") or None,
        "page": a.get("pages") or None,
        "issued": _date(str(a["year"])),
        "DOI": a["doi"],
        "URL": f"https://doi.org/{a['doi']}",
        "translator": [_name(a["translator"])] if a.get("translator") else None,
        "language": a.get("language") or None,
    }
    return {k: v for k, v in item.items() if v is not None}


def corpus_item(articles: list[dict], languages: dict[str, int], url: str | None) -> dict:
    """The corpus as a dataset: this release, what it holds and from which articles."""
    sources = "; ".join(f"{a['author']} ({a['year']}), doi:{a['doi']}" for a in articles)
    item = {
        "id": f"{CORPUS}-{__version__}",
        "type": "dataset",
        "title": CORPUS,
        "author": [{"literal": CREATOR}],
        "version": __version__,
        "issued": _date(RELEASE_DATE),
        "abstract": f"{languages_named(languages)} quotations with their English translations from {sources}.",
        "license": LICENCE,
        "URL": url,
        "note": f"Licence: {LICENCE} ({LICENCE_URL}).",
    }
    return {k: v for k, v in item.items() if v is not None}


def quotation_item(card: dict, url: str | None, version: Version = CURRENT) -> dict:
    """One quotation (a card of the reading room): who said it, when, where the article prints it, and
    this record of the corpus."""
    who = card["speaker_row"]["name"] if card.get("speaker_row") else None
    opening = card.get("opening") or _opening(card)
    title = f"{who}, {card['date_human']}" if who and card.get("date_human") else who or card.get("date_human") or ""
    title = f"{title}: “{opening}”" if title else f"“{opening}”"
    article = card["article_row"]
    item = {
        "id": card["id"],
        "type": "entry",
        "title": title,
        "author": [_name(who)] if who else None,
        "issued": _date(version.date),  # this record, in this release
        "original-date": _date(card.get("date")) if card.get("date") else None,  # the words'
        "container-title": f"{CORPUS}, version {version.number}",
        "publisher": CREATOR,
        "version": version.number,
        "number": card["id"],
        "URL": url,
        "note": f"{_lead(card)}{article_reference(article)}, {card['place']}.",
        "language": card.get("language") or None,
    }
    return {k: v for k, v in item.items() if v is not None}


def document_item(doc: dict, url: str | None, version: Version = CURRENT) -> dict:
    """A historical document the corpus quotes (a letter, a telegram…): the editors' title, its date and
    the reference the article gives."""
    item = {
        "id": doc["id"],
        "type": "entry",
        "title": doc["title"],
        "author": [_name(doc["author_name"])] if doc.get("author_name") else None,
        "issued": _date(version.date),
        "original-date": _date(doc.get("date")) if doc.get("date") else None,
        "container-title": f"{CORPUS}, version {version.number}",
        "publisher": CREATOR,
        "version": version.number,
        "number": doc["id"],
        "URL": url,
        "note": doc.get("reference") or None,
    }
    return {k: v for k, v in item.items() if v is not None}


def _opening(card: dict, n: int = 8) -> str:
    text = card.get("original_corrected") or card.get("original") or card.get("translation") or ""
    found = text.split()
    return " ".join(found[:n]) + (" …" if len(found) > n else "")


def _lead(card: dict) -> str:
    who = [card["speaker_row"]["name"]] if card.get("speaker_row") else []
    if card.get("addressee_row"):
        who.append(f"to {card['addressee_row']['name']}")
    if card.get("date_human"):
        who.append(card["date_human"])
    words = KIND_WORDS[card["kind"]]
    return (", ".join(who) + f", {words} in ") if who else f"{words.capitalize()} in "


# --- the line a reader reads ----------------------------------------------------------------------------


def article_reference(a: dict) -> str:
    """The article as a reference: author, title (when known), journal, volume, year, DOI."""
    title = f"“{a['title']},” " if a.get("title") else ""
    volume = f" {a['volume']}" + (f", no. {a['issue']}" if a.get("issue") else "") if a.get("volume") else ""
    translator = f", trans. {a['translator']}" if a.get("translator") else ""
    return f"{a['author']}, {title}{a['journal']}{volume} ({a['year']}){translator}, https://doi.org/{a['doi']}"


def _where(url: str | None, what: str) -> str:
    """The end of a citation: its address, or (none configured) what it is in the corpus."""
    return url if url else what


def cite(card: dict, url: str | None, version: Version = CURRENT) -> str:
    """A "cite this quotation" line: who, when, where printed, and this record of this release."""
    where = _where(url, "quotation " + card["id"])
    return f"{_lead(card)}{article_reference(card['article_row'])}, {card['place']}. {version.edition}, {where}."


def document_cite(doc: dict, url: str | None, version: Version = CURRENT) -> str:
    """A "cite this document" line: the document as the corpus describes it, and its record."""
    date = f", {doc['date_human']}" if doc.get("date_human") else ""
    reference = f" {doc['reference']}." if doc.get("reference") else ""
    return f"{doc['title']}{date}.{reference} {version.edition}, {_where(url, 'document ' + doc['id'])}."


def corpus_cite(articles: list[dict], url: str | None, languages: dict[str, int]) -> str:
    """How to cite the corpus (the home page, the release's README, DTS): the release, what it holds and
    from which articles, its licence, and its public address when there is one."""
    item = corpus_item(articles, languages, url)
    sources = ", ".join(f"{a['author']} ({a['year']}, doi:{a['doi']})" for a in articles[:-1])
    sources = f"{sources} and " if sources else ""
    sources += "".join(f"{a['author']} ({a['year']}, doi:{a['doi']})" for a in articles[-1:])
    line = f"{EDITION}: {languages_named(languages)} quotations with their English translations from {sources}. {LICENCE}."
    return f"{line} {item['URL']}" if item.get("URL") else line


def selection_cite(title: str, count: int, url: str | None) -> str:
    """A selection of quotations (an export, a search): what it holds and the address that makes it."""
    return f"{EDITION}: {title} ({count} quotation{'s' if count != 1 else ''}), {_where(url, 'selection ' + title)}."


# --- what reference managers read ------------------------------------------------------------------------


def csl_json(items: Iterable[dict]) -> str:
    return json.dumps(list(items), ensure_ascii=False, indent=1)


_BIB_TYPES = {"article-journal": "article", "dataset": "misc", "entry": "misc"}


def _bib_escape(text: str) -> str:
    return re.sub(r"([&%$#_{}])", r"\\\1", str(text))


def _bib_names(names: list[dict]) -> str:
    return " and ".join(f"{n['family']}, {n['given']}" if "family" in n else "{" + n["literal"] + "}" for n in names)


def bibtex(items: Iterable[dict]) -> str:
    """BibTeX entries, one per item, keyed by its id."""
    out = []
    for item in items:
        fields = {
            "author": _bib_names(item["author"]) if item.get("author") else None,
            "title": "{" + _bib_escape(item["title"]) + "}" if item.get("title") else None,
            "journal": _bib_escape(item["container-title"]) if item["type"] == "article-journal" else None,
            "howpublished": _bib_escape(item["container-title"])
            if item["type"] != "article-journal" and item.get("container-title")
            else None,
            "volume": item.get("volume"),
            "number": item.get("issue"),
            "pages": item.get("page"),
            "year": str(item["issued"]["date-parts"][0][0]) if item.get("issued") else None,
            "version": item.get("version"),
            "publisher": _bib_escape(item["publisher"]) if item.get("publisher") else None,
            "doi": item.get("DOI"),
            "url": item.get("URL"),
            "note": _bib_escape(item["note"]) if item.get("note") else None,
        }
        body = ",\n".join(f"  {k} = {{{v}}}" if not str(v).startswith("{") else f"  {k} = {v}" for k, v in fields.items() if v)
        out.append(f"@{_BIB_TYPES[item['type']]}{{{item['id']},\n{body}\n}}\n")
    return "\n".join(out)


_RIS_TYPES = {"article-journal": "JOUR", "dataset": "DATA", "entry": "GEN"}


def ris(items: Iterable[dict]) -> str:
    """RIS records, one per item."""
    out = []
    for item in items:
        lines = [("TY", _RIS_TYPES[item["type"]]), ("ID", item["id"])]
        lines += [("AU", f"{n['family']}, {n['given']}" if "family" in n else n["literal"]) for n in item.get("author") or []]
        lines += [("TI", item.get("title")), ("T2", item.get("container-title")), ("VL", item.get("volume")), ("IS", item.get("issue"))]
        if item.get("page") and "-" in str(item["page"]) or item.get("page") and "–" in str(item["page"]):
            first, last = re.split(r"[-–]", str(item["page"]), maxsplit=1)
            lines += [("SP", first), ("EP", last)]
        lines += [("PY", str(item["issued"]["date-parts"][0][0]) if item.get("issued") else None), ("DO", item.get("DOI"))]
        lines += [("UR", item.get("URL")), ("PB", item.get("publisher")), ("ET", item.get("version")), ("N1", item.get("note"))]
        out.append("".join(f"{tag}  - {value}\n" for tag, value in lines if value) + "ER  - \n")
    return "\n".join(out)


# --- what a page says of itself to a reference manager's browser connector --------------------------------


def meta_tags(item: dict) -> list[tuple[str, str]]:
    """Highwire `citation_*` meta tags (read by Zotero's connector and by Google Scholar)."""
    tags = [("citation_title", item.get("title"))]
    tags += [("citation_author", f"{n['family']}, {n['given']}" if "family" in n else n["literal"]) for n in item.get("author") or []]
    issued = item.get("issued", {}).get("date-parts", [[None]])[0]
    tags += [("citation_publication_date", "/".join(str(p) for p in issued) if issued and issued[0] else None)]
    tags += [("citation_publisher", item.get("publisher")), ("citation_public_url", item.get("URL"))]
    tags += [("citation_doi", item.get("DOI")), ("citation_language", item.get("language"))]
    if item["type"] == "article-journal":
        tags.append(("citation_journal_title", item.get("container-title")))
    elif item.get("container-title"):
        tags.append(("citation_inbook_title", item.get("container-title")))
    return [(k, str(v)) for k, v in tags if v]


def _schema_agent(n: dict) -> dict:
    return {"@type": "Person", "name": f"{n['given']} {n['family']}"} if "family" in n else {"@type": "Organization", "name": n["literal"]}


def _iso(date: dict | None) -> str | None:
    parts = (date or {}).get("date-parts", [[]])[0]
    return "-".join(f"{p:04d}" if i == 0 else f"{p:02d}" for i, p in enumerate(parts)) or None


_SCHEMA_TYPES = {"article-journal": "ScholarlyArticle", "dataset": "Dataset", "entry": "CreativeWork"}


def json_ld(item: dict) -> str:
    """schema.org JSON-LD of the item (safe inside <script>: no "</")."""
    data = {
        "@context": "https://schema.org",
        "@type": _SCHEMA_TYPES[item["type"]],
        "name": item.get("title"),
        "identifier": item.get("DOI") or item.get("number") or item["id"],
        "author": [
            {"@type": "Person" if "family" in n else "Organization", "name": n.get("literal") or f"{n['given']} {n['family']}"}
            for n in item.get("author") or []
        ]
        or None,
        "datePublished": _iso(item.get("issued")) if item["type"] != "article-journal" else None,
        "version": item.get("version"),
        "url": item.get("URL"),
        "license": LICENCE_URL if item["type"] != "article-journal" else None,
        "isPartOf": {"@type": "Dataset", "name": item["container-title"]} if item["type"] == "entry" else None,
        "description": item.get("note") or item.get("abstract"),
        "inLanguage": item.get("language"),
    }
    return json.dumps({k: v for k, v in data.items() if v}, ensure_ascii=False).replace("</", "<\\/")
