"""The profile's closed vocabularies: namespaces, languages, kinds, certainty, document types, the
inline elements of mixed content and the search index's columns."""

from __future__ import annotations

from typing import Any

# --- namespaces ----------------------------------------------------------------------------------

TEI_NS = "http://www.tei-c.org/ns/1.0"
XML_NS = "http://www.w3.org/XML/1998/namespace"
T = "{%s}" % TEI_NS
XML_LANG = "{%s}lang" % XML_NS
XML_ID = "{%s}id" % XML_NS
NSMAP = {None: TEI_NS}
NS = {"t": TEI_NS}

# --- closed vocabularies -------------------------------------------------------------------------

# ISO 639-1 (two-letter) codes: a record's `language` must be one of these.
ISO_639_1 = frozenset(
    """aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy
    da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy
    hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li
    ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa
    pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th
    ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu""".split()
)
# Languages written in Cyrillic (an original in Cyrillic must carry one of these).
CYRILLIC_LANGUAGES = frozenset({"ru", "uk", "be", "bg", "sr", "mk", "kk", "ky", "tg", "mn", "cu", "os", "tt", "ba", "cv"})

KINDS = ("quotation", "term", "abstract")
CERT_VALUES = ("high", "medium", "low", "unknown")  # TEI @cert
# What a certainty entry is about -> what its TEI <certainty @match> points at, relative to the cit.
CERTAINTY_MATCH = {
    "language": "quote/@xml:lang",
    "speaker": "bibl/persName[@role='speaker']",
    "addressee": "bibl/persName[@role='addressee']",
    "date": "bibl/date",
    "document": "bibl/ref[@type='document']",
    "pairing": "cit[@type='translation']",
}
DOCUMENT_TYPES = (
    "letter",
    "telegram",
    "report",
    "memorandum",
    "speech",
    "minutes",
    "note",
    "article",
    "proclamation",
    "resolution",
    "conversation",
    "protocol",
    "diary",
    "interview",
    "other",
)
CORRECTION_TARGETS = ("original", "translation")
# Why a Cyrillic run or quoted passage of an article is not in the corpus (see `quotecorpus audit`).
EXCLUSION_CATEGORIES = (
    "english-source",  # a quotation whose source is in English (or another language outside our scope)
    "english-title",  # an English-language title of a work or article
    "scare-quotes",  # the author's own words in quotation marks, a name, a slogan used as a label
    "imprint",  # a place of publication, publisher or series in a citation
    "name",  # a person's or organisation's name not in the persons register
    "other-language",  # French, Latin and other languages outside the corpus
    "not-text",  # OCR noise, a ditto mark, a stray quotation mark
)
# The body holds one div per printed page of the article (@n: the page), its quotations of every kind
# (each cit's @type) in it: a page is an element of its own, so that a DTS processor cites a page as
# that element and its descendants (profile.CITE_TREES), as dapytains does.
PAGE_DIV = "page"


def page_head(page: int | str) -> str:
    return f"Page {page}"

GAP_REASON = "notPrinted"
GAP_DESC = "The article prints only an English translation of this text."
SUPPLIED_REASON = "insertion-by-article-author"
# the xml:id of the header's respStmt naming the editors, in every document with registers (the
# @resp of an editorial form points to it)
EDITORS_ID = "editors"
ARTICLE_ID_PREFIX = "bibl-"  # an article's xml:id is "bibl-<id>": the bare id names its TEI file

# --- search -------------------------------------------------------------------------------------
# Each searchable table has a full-text index of its own (search_<table>, FTS5, holding no text of its
# own: content=''), built by search_index.py from these declarations and queried by search.py. Its
# columns, with the bm25 weights that rank a match: the texts themselves above their romanizations,
# above a word form (stem) or a spelling variant of a name, above the speaker's name, above the
# addressee's name or a citation.
SEARCH_TABLE_PREFIX = "search_"
SEARCH_COLUMNS = (
    ("exact", 10.0),  # the folded texts: printed, corrected and regularised readings
    ("roman", 8.0),  # every romanization of their Cyrillic
    ("stems", 3.0),  # the stems of their words (Snowball)
    ("keys", 1.5),  # spelling-blind keys of their Latin words (Trotsky, Trotskii, Trotzki)
    ("speaker", 2.0),  # the name of the person whose words the entry are (a document's author), in every form
    ("names", 0.5),  # the name of the person the entry is to (a document's recipient), in every form
    ("context", 0.2),  # citations, notes, the document's title
)

UNMARKED = "unmarked"  # cit/@rend of words the article reports without quotation marks

# tei/inline.py writes and reads exactly these elements and attribute values. "children": exactly
# one of each; "mixed": text with these elements in it; neither: text only.
INLINE: dict[str, dict[str, Any]] = {
    # a print/OCR error corrected (sic, corr), or the document's own spelling regularised (orig, reg)
    "choice": {"children": (("sic", "corr"), ("orig", "reg"))},
    "sic": {},
    "corr": {},
    "orig": {},
    "reg": {},
    "ellipsis": {"children": ("metamark",)},
    "metamark": {},
    "supplied": {"attrs": {"reason": SUPPLIED_REASON}, "mixed": ("choice", "ellipsis")},
    "gap": {"attrs": {"reason": GAP_REASON}, "children": ("desc",)},
}
# What mixed content of each kind may hold (Inline with gap: an original that may be not printed).
INLINE_IN_TEXT = ("choice", "ellipsis", "supplied")
# ...and a text holding nested quotations (Inline.nested): each a cit of NESTED_TEI
INLINE_NESTING = "cit"
INLINE_IN_TITLE = ("choice",)
