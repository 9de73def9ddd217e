"""The record schema: the one place that says what a curated record may hold.

The validator, the TEI encoder and corpus/README.md all follow these tables.
"""

from __future__ import annotations

from dataclasses import dataclass

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
CERTAINTY_OF = ("language", "speaker", "addressee", "date", "document", "pairing")
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


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # str | int | date | lang | list[str] | kind | ... (see validate.FIELD_CHECKS)
    required: bool = False
    ref: str | None = None  # the register whose ids this field points to


@dataclass(frozen=True)
class Register:
    name: str  # plural, the database table name
    singular: str  # used in messages: "quotation nowak-2025-q031: ..."
    files: str  # glob under corpus/
    fields: tuple[Field, ...]

    @property
    def field_names(self) -> frozenset[str]:
        return frozenset(f.name for f in self.fields)


ARTICLES = Register(
    "articles",
    "article",
    "articles.yaml",
    (
        Field("id", "id", required=True),
        Field("author", "str", required=True),
        Field("title", "str"),
        Field("journal", "str", required=True),
        Field("volume", "str"),
        Field("issue", "str"),
        Field("year", "int", required=True),
        Field("pages", "str"),
        Field("doi", "doi", required=True),
        Field("translator", "str"),
        Field("language", "lang", required=True),
        Field("note", "str"),
    ),
)

PERSONS = Register(
    "persons",
    "person",
    "persons.yaml",
    (
        Field("id", "id", required=True),
        Field("name", "str", required=True),
        Field("name_original", "str"),
        Field("variants", "list[str]"),
        Field("note", "str"),
    ),
)

WORKS = Register(
    "works",
    "work",
    "works.yaml",
    (
        Field("id", "id", required=True),
        Field("title", "str", required=True),
        Field("title_corrected", "str"),
        Field("author", "str"),
        Field("imprint", "str"),
        Field("language", "lang", required=True),
        Field("variants", "list[str]"),
        Field("cited_in", "citations"),
        Field("note", "str"),
    ),
)

DOCUMENTS = Register(
    "documents",
    "document",
    "documents.yaml",
    (
        Field("id", "id", required=True),
        Field("type", "document_type", required=True),
        Field("title", "str", required=True),
        Field("date", "date"),
        Field("author", "id", ref="persons"),
        Field("recipient", "id", ref="persons"),
        Field("language", "lang"),
        Field("reference", "str"),
        Field("cited_in", "citations"),
        Field("note", "str"),
    ),
)

QUOTATIONS = Register(
    "quotations",
    "quotation",
    "quotations/*.yaml",
    (
        Field("id", "id", required=True),
        Field("article", "id", required=True, ref="articles"),
        Field("page", "int", required=True),
        Field("footnote", "int"),
        Field("original_page", "int"),
        Field("original_footnote", "int"),
        Field("kind", "kind", required=True),
        Field("language", "lang", required=True),
        Field("original", "str"),
        Field("corrections", "corrections"),
        Field("translation", "str"),
        Field("speaker", "id", ref="persons"),
        Field("addressee", "id", ref="persons"),
        Field("date", "date"),
        Field("document", "id", ref="documents"),
        Field("source", "str"),
        Field("works", "list[id]", ref="works"),
        Field("certainty", "certainty"),
        Field("note", "str"),
        # why langdetect disagrees with `language` and the curated label is right (see audit-languages)
        Field("detection_note", "str"),
    ),
)

# In load order: a register may only point to registers before it.
REGISTERS: tuple[Register, ...] = (ARTICLES, PERSONS, WORKS, DOCUMENTS, QUOTATIONS)
BY_NAME = {r.name: r for r in REGISTERS}

# Not a database table: the audit's list of article passages deliberately left out of the corpus.
EXCLUSIONS = Register(
    "exclusions",
    "exclusion",
    "exclusions/*.yaml",
    (
        Field("article", "id", required=True, ref="articles"),
        Field("text", "str", required=True),
        Field("category", "exclusion_category", required=True),
        Field("reason", "str", required=True),
    ),
)
