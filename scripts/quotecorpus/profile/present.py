"""Texts derived from records for every reader: dates in words, an article in short, where a work is
cited, language names, the published files' names."""

from __future__ import annotations

import calendar

from quotecorpus.profile.vocab import ARTICLE_ID_PREFIX
from quotecorpus.text.translit import SCHEMES

# --- derived texts shared by the encoder, the reader and the reading room ---------------------------

MONTHS = "January February March April May June July August September October November December".split()


def human_date(iso: str) -> str:
    """An ISO date (1920, 1920-07, 1920-07-23) in words: "23 July 1920"."""
    parts = [int(p) for p in str(iso).split("-")]
    if len(parts) == 3:
        return f"{parts[2]} {MONTHS[parts[1] - 1]} {parts[0]}"
    if len(parts) == 2:
        return f"{MONTHS[parts[1] - 1]} {parts[0]}"
    return str(parts[0])


def date_bounds(rec: dict) -> tuple[str, str] | None:
    """(first day, last day) a record's date can mean: its range or alternatives, else the whole of a partial date."""
    if rec.get("date_range"):
        return str(rec["date_range"][0]), str(rec["date_range"][-1])
    if rec.get("date_one_of"):
        days = sorted(str(d) for d in rec["date_one_of"])
        return days[0], days[-1]
    if not rec.get("date"):
        return None
    parts = [int(p) for p in str(rec["date"]).split("-")]
    if len(parts) == 3:
        return str(rec["date"]), str(rec["date"])
    year, month = parts[0], parts[1] if len(parts) == 2 else None
    if month is None:
        return f"{year:04d}-01-01", f"{year:04d}-12-31"
    last = calendar.monthrange(year, month)[1]
    return f"{year:04d}-{month:02d}-01", f"{year:04d}-{month:02d}-{last:02d}"


def containing_date(days: list[str]) -> str:
    """The most precise ISO date that contains all these days: 1920-08 for the 12th and the 17th of August."""
    for cut in (10, 7, 4):
        if len({d[:cut] for d in days}) == 1:
            return days[0][:cut]
    return ""


def human_range(first: str, last: str) -> str:
    """A range of days in words: "5–14 July 1920", "15 April – 3 May 1920", "1 July 1920 – 3 March 1921"."""
    a, b = [int(p) for p in first.split("-")], [int(p) for p in last.split("-")]
    if a[:2] == b[:2]:
        return f"{a[2]}–{b[2]} {MONTHS[a[1] - 1]} {a[0]}"
    if a[0] == b[0]:
        return f"{a[2]} {MONTHS[a[1] - 1]} – {b[2]} {MONTHS[b[1] - 1]} {a[0]}"
    return f"{human_date(first)} – {human_date(last)}"


def short_article(article: dict) -> str:
    """How the corpus refers to an article in short: "Himmer 1976"."""
    return f"{article['author'].split()[-1]} {article['year']}"


# Texts that count the articles say the number the corpus holds, so that adding an article is a
# change of data only: "two articles" today, "three articles" after the next one.
NUMBER_WORDS = "no one two three four five six seven eight nine ten eleven twelve".split()


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """A count in words, as prose writes small numbers: "two articles", "one article", "14 articles"."""
    word = NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)
    return f"{word} {noun if n == 1 else plural or noun + 's'}"


def every_article(n: int) -> str:
    """All the articles the corpus holds, counted: "the article", "both articles", "all three articles"."""
    return "the article" if n == 1 else "both articles" if n == 2 else f"all {counted(n, 'article')}"


def languages_named(counts: dict[str, int]) -> str:
    """The languages of the originals, most quoted first, as prose names them: "Russian, German and
    Polish" (from {language: quotations}); so that a new article's languages are named without code."""
    names = [LANG_NAMES.get(code, code) for code, _ in sorted(counts.items(), key=lambda c: (-c[1], c[0]))]
    if not names:
        return "Foreign-language"
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def quoted_languages(quotations) -> dict[str, int]:
    """{language: rows} of quotation records (dicts), the quotations nested in them counted too, as the
    database has a row of each."""
    counts: dict[str, int] = {}
    for rec in quotations:
        for q in [rec, *(n for n in rec.get("nested") or [] if isinstance(n, dict))]:
            counts[q["language"]] = counts.get(q["language"], 0) + 1
    return counts


def cited_where(entry: dict) -> str:
    """Where a `cited_in` entry says an article cites something: "p. 3, nn. 5, 60"."""
    where = []
    for key, label in (("page", "p."), ("pages", "pp."), ("footnote", "n."), ("footnotes", "nn.")):
        value = entry.get(key)
        if value is not None:
            where.append(f"{label} {', '.join(str(v) for v in value) if isinstance(value, list) else value}")
    return ", ".join(where)


def article_bibl_id(article_id: str) -> str:
    return ARTICLE_ID_PREFIX + article_id


CORPUS_TEI = "quotecorpus"  # the teiCorpus file name and root xml:id


def tei_file_name(key: str) -> str:
    """File name in tei/ of a published document: the article id, or "corpus" for the teiCorpus."""
    return (CORPUS_TEI if key == "corpus" else key) + ".xml"


LANG_NAMES = {
    "en": "English",
    "ru": "Russian",
    "de": "German",
    "pl": "Polish",
    "fr": "French",
    "uk": "Ukrainian",
    "be": "Belarusian",
    "bg": "Bulgarian",
    "it": "Italian",
    "la": "Latin",
    "tr": "Turkish",
    "yi": "Yiddish",
    "lt": "Lithuanian",
    "lv": "Latvian",
    "cs": "Czech",
}
LANG_NAMES.update({s.bcp47(lang): f"{LANG_NAMES.get(lang, lang)}: {s.label}" for s in SCHEMES.values() for lang in s.languages})
