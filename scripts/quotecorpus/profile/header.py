"""The fixed texts of every TEI header: licence, project description, editorial declaration."""

from __future__ import annotations

# --- the fixed texts of every TEI header ---------------------------------------------------------

LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
LICENCE_TEXT = (
    "Selection, curation and encoding: quotecorpus contributors, licensed under CC BY 4.0. "
    "The quoted texts and the English translations are reproduced as short quotations for "
    "scholarly purposes from the articles named in the source description; rights in them "
    "remain with their authors, translators and publishers."
)
# Neither the articles nor the languages counted here: the same text heads every document, a `.tei`
# selection of a few quotations too, and it must stay true when an article is added (the source
# descriptions name the articles, langUsage the languages).
PROJECT_DESC = (
    "quotecorpus collects the quotations, terms and abstracts in languages other than English (those "
    "the language usage declares) printed in the articles on Soviet policy toward Germany in 1920–1921 "
    "that the source descriptions name, "
    "each with the article's own English translation, attribution, date and citation."
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
