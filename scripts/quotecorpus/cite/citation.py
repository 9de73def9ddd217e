"""How the corpus, its articles and its quotations are cited."""

from __future__ import annotations

from quotecorpus import EDITION
from quotecorpus.profile import languages_named


def article_reference(a: dict) -> str:
    """The article as a reference: author, title (when known), journal, volume, year, DOI."""
    title = f"“{a['title']},” " if a.get("title") else ""
    volume = f" {a['volume']}" + (f", no. {a['issue']}" if a.get("issue") else "") if a.get("volume") else ""
    translator = f", trans. {a['translator']}" if a.get("translator") else ""
    return f"{a['author']}, {title}{a['journal']}{volume} ({a['year']}){translator}, https://doi.org/{a['doi']}"


def cite(card: dict, url: str) -> str:
    """A "cite this quotation" line: who, when, where printed, and this record."""
    who = [card["speaker_row"]["name"]] if card["speaker_row"] else []
    if card["addressee_row"]:
        who.append(f"to {card['addressee_row']['name']}")
    if card["date_human"]:
        who.append(card["date_human"])
    words = {"quotation": "quoted", "term": "term used", "abstract": "abstract"}[card["kind"]]
    lead = (", ".join(who) + f", {words} in ") if who else f"{words.capitalize()} in "
    return f"{lead}{article_reference(card['article_row'])}, {card['place']}. {EDITION}, {url}."


def corpus_cite(articles: list[dict], url: str, languages: dict[str, int]) -> str:
    """How to cite the corpus (the home page, the release's README): the release, what it holds (the
    languages of its quotations, {language: rows}) and from which articles, its licence and, when there
    is one, its public address."""
    sources = ", ".join(f"{a['author']} ({a['year']}, doi:{a['doi']})" for a in articles[:-1])
    sources = f"{sources} and " if sources else ""
    sources += "".join(f"{a['author']} ({a['year']}, doi:{a['doi']})" for a in articles[-1:])
    line = f"{EDITION}: {languages_named(languages)} quotations with their English translations from {sources}. CC BY 4.0."
    return f"{line} {url}" if url else line
