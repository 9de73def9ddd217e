"""The TEI encoding profile: the elements we use, the fixed header texts, the language names.

The encoder, the loader and the schema subset all derive from these constants.
"""

from __future__ import annotations

from .translit import SCHEMES

TEI_NS = "http://www.tei-c.org/ns/1.0"
XML_NS = "http://www.w3.org/XML/1998/namespace"
T = "{%s}" % TEI_NS
XML_LANG = "{%s}lang" % XML_NS
XML_ID = "{%s}id" % XML_NS
NSMAP = {None: TEI_NS}
NS = {"t": TEI_NS}

# Every element our encoder writes. The compiled schema (tei_schema.py) allows only these,
# a strict subset of tei_all, which is why it compiles in milliseconds instead of ~10 s.
PROFILE_ELEMENTS = frozenset(
    """TEI teiCorpus teiHeader fileDesc titleStmt title author respStmt resp name persName
    publicationStmt notesStmt publisher availability licence p date idno sourceDesc listBibl biblStruct
    analytic monogr imprint biblScope encodingDesc projectDesc editorialDecl langUsage language
    profileDesc standOff listPerson person note bibl text body div head cit quote gap desc
    ellipsis metamark choice sic corr supplied ref ptr certainty textLang""".split()
)

LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
LICENCE_TEXT = (
    "Selection, curation and encoding: quotecorpus contributors, licensed under CC BY 4.0. "
    "The quoted texts and the English translations are reproduced as short quotations for "
    "scholarly purposes from the articles named in the source description; rights in them "
    "remain with their authors, translators and publishers."
)
PROJECT_DESC = (
    "quotecorpus collects the Russian, German and Polish quotations, terms and abstracts printed "
    "in two articles on Soviet policy toward Germany in 1920–1921, each with the article's own "
    "English translation, attribution, date and citation."
)
EDITORIAL_DECL = (
    "Originals and translations are transcribed exactly as printed in the article. Only defects "
    "of the text extraction are repaired: broken ligatures (“Th e” → “The”), line-end hyphens "
    "splitting a word, and line breaks. Printing and OCR errors are kept and marked with "
    "choice/sic/corr; the printed “[…]” is encoded as ellipsis with its printed form as metamark; "
    "other bracketed insertions by the article's author as supplied. An original the article "
    "does not print is an empty quote in the source language holding a gap; the certainty of an "
    "inferred language or attribution is given by certainty elements with the reason.",
    "Transliterations are generated, not printed, from the corrected reading of every Cyrillic "
    "original, person name and work title, one cit (persName, title) per scheme, each tagged with "
    "a BCP 47 transform tag (RFC 6497: -t- source language and script, -m0- mechanism): {schemes}. "
    "ALA-LC tables are language-specific and only the Russian one is implemented: other Cyrillic "
    "languages are given in ISO 9:1995 only. As in the LC table, a hard sign at the end of a word "
    "(pre-1918 spelling) is not romanized by ALA-LC; ISO 9 keeps it (ʺ) so that it can be reversed.",
)
GAP_REASON = "notPrinted"
GAP_DESC = "The article prints only an English translation of this text."

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

# What a certainty entry's `of` points at, relative to the quotation's cit.
CERTAINTY_MATCH = {
    "language": "quote/@xml:lang",
    "speaker": "bibl/persName[@role='speaker']",
    "addressee": "bibl/persName[@role='addressee']",
    "date": "bibl/date",
    "document": "bibl/ref[@type='document']",
    "pairing": "cit[@type='translation']",
}
MATCH_CERTAINTY = {v: k for k, v in CERTAINTY_MATCH.items()}

DIV_TYPES = {"quotation": "quotations", "term": "terms", "abstract": "abstract"}
DIV_HEADS = {"quotation": "Quotations", "term": "Terms", "abstract": "Abstract"}


def article_bibl_id(article_id: str) -> str:
    return f"bibl-{article_id}"
