"""The quotecorpus profile: the one declarative definition of what the corpus holds.

Per register and field it says the YAML name, type and reference; where the field lives in TEI
(element path and fixed attribute values, as a template); and the database column (SQL type,
index, full-text weight, public description). Everything else is derived from these tables:

* the record validation (validate.py) from the fields;
* the TEI encoder and reader (tei_codec.py) from the templates, in both directions;
* the closed vocabularies of our Schematron (tei_rules.py) from the templates' fixed values;
* the database schema (load.py) and the column descriptions of metadata.json (metadata.py)
  from the columns;
* `quotecorpus import` (TEI → YAML) from the fields and templates together.

Only the inline mixed-content codec (choice/sic/corr, ellipsis, supplied, gap) is hand-written,
once, for both directions (tei_codec.py); its vocabulary is declared here (INLINE).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from typing import Any

from quotecorpus.text.translit import SCHEMES

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
DIV_TYPES = {"quotation": "quotations", "term": "terms", "abstract": "abstract"}
DIV_HEADS = {"quotation": "Quotations", "term": "Terms", "abstract": "Abstract"}

GAP_REASON = "notPrinted"
GAP_DESC = "The article prints only an English translation of this text."
SUPPLIED_REASON = "insertion-by-article-author"
# the xml:id of the header's respStmt naming the editors, in every document with registers (the
# @resp of an editorial form points to it)
EDITORS_ID = "editors"
ARTICLE_ID_PREFIX = "bibl-"  # an article's xml:id is "bibl-<id>": the bare id names its TEI file


# --- the record model ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One field of a curated record (a YAML key)."""

    name: str
    # id | str | int | date | lang | doi | enum | list | records | flag (true, or absent)
    type: str
    required: bool = False
    ref: str | None = None  # the register whose ids this field (or each item of its list) points to
    values: tuple[str, ...] = ()  # the closed list of an enum
    item: str = "str"  # the type of each item of a list
    fields: tuple[Field, ...] = ()  # the fields of each entry of a `records` field


@dataclass(frozen=True)
class Column:
    """One database column. `source` is a record field (its value, a list as JSON) or, in
    angle brackets, a value the loader derives (load.DERIVED)."""

    name: str
    sql: type  # str | int | float
    description: str
    source: str | None = None  # default: the field of the same name
    index: bool = False

    @property
    def derived(self) -> bool:
        return (self.source or "").startswith("<")


# --- the TEI templates ---------------------------------------------------------------------------
# A template is a tree of El nodes. Attribute values and text content are either fixed strings
# (part of the profile: the closed vocabulary) or slots that say which field they hold.


@dataclass(frozen=True)
class Val:
    """An attribute holding a field's value, optionally through a fixed mapping (e.g. certainty `of` → @match)."""

    field: str
    mapping: tuple[tuple[str, str], ...] = ()  # field value -> attribute value
    prefix: str = ""
    default: str | None = None  # the field whose value stands here when `field` is empty


@dataclass(frozen=True)
class Ptr:
    """A pointer attribute "#<id>" to an entry of the register the field refers to."""

    field: str | None = None  # None: the item of the enclosing Each
    prefix: str = ""


@dataclass(frozen=True)
class OwnPtr:
    """A pointer to the record itself (certainty/@target)."""


@dataclass(frozen=True)
class FilePtr:
    """A pointer to a quotation of the other article, in that article's TEI file of the edition:
    "himmer-1976.xml#himmer-1976-q037" (the item of the enclosing Each)."""


@dataclass(frozen=True)
class LangOf:
    """xml:lang derived from a text field: "ru" when it has Cyrillic letters, else no attribute."""

    field: str | None = None


@dataclass(frozen=True)
class Text:
    """The element's text is the field's value (None: the item of the enclosing Each)."""

    field: str | None = None


@dataclass(frozen=True)
class Label:
    """Derived text: the label of the entry a pointer field points to (a person's name, a title)."""

    field: str | None = None


@dataclass(frozen=True)
class Dated:
    """A date (the `date` field, an ISO date, partial allowed) and, when the article gives no single day,
    the days it may be (`date_one_of`) or the range it lies in (`date_range`): TEI @when, or
    @notBefore/@notAfter (with a <date when> per alternative). Its words are derived ("23 July 1920")."""

    field: str = "date"
    one_of: str = "date_one_of"
    range: str = "date_range"


@dataclass(frozen=True)
class Bound:
    """@notBefore or @notAfter of a Dated element (derived from its alternatives or range)."""


@dataclass(frozen=True)
class Inline:
    """Mixed content: the field's text with its corrections, regularisations, ellipses, insertions and
    nested quotations (the inline codec). With `gap`, an absent text is an empty element holding
    <gap reason="notPrinted"> (the article does not print it)."""

    field: str
    corrections: str  # which `corrections` entries apply: their `in` value
    gap: bool = False
    # the list field of the quotations nested in this text (each a cit inside it, NESTED_TEI)
    nested: str | None = None


@dataclass(frozen=True)
class SicCorr:
    """A printed text and its correction: plain text, or choice/sic/corr when corrected."""

    field: str
    corrected: str


@dataclass(frozen=True)
class CitedWhere:
    """A `cited_in` entry: a ref to the article, then ", p. 3, nn. 5, 60" (hand-written codec)."""


@dataclass(frozen=True)
class Romanized:
    """Derived: one node per romanization scheme of the field's (corrected) Cyrillic text."""

    field: str
    corrected: str | None = None  # prefer this field's text when present
    language: str | None = None  # the field holding the text's language (default: ru)


@dataclass(frozen=True)
class RomanTag:
    """The BCP 47 tag of a generated romanization (its xml:lang)."""


@dataclass(frozen=True)
class RomanText:
    """The text of a generated romanization; `inline`: with ellipses and insertions marked up."""

    inline: bool = False


@dataclass(frozen=True)
class El:
    tag: str
    attrs: tuple[tuple[str, Any], ...] = ()
    content: Any = None  # str (fixed), a text slot, or None for element-only content
    children: tuple[Any, ...] = ()  # El, Each or Derived
    # the field that decides whether the element is written: it is when the field has a value
    # (None: when it has any content)
    when: str | None = None

    @property
    def fixed(self) -> dict[str, str]:
        return {k: v for k, v in self.attrs if isinstance(v, str)}


@dataclass(frozen=True)
class Each:
    """One `node` per item of a list field (each item is the slots' value, or a sub-record)."""

    field: str
    node: El


@dataclass(frozen=True)
class Derived:
    """One `node` per generated value (romanizations): written by the encoder, checked by the reader."""

    source: Romanized
    node: El


def el(tag: str, attrs: dict[str, Any] | None = None, *children: Any, content: Any = None, when: str | None = None) -> El:
    return El(tag, tuple((attrs or {}).items()), content, tuple(children), when)


# --- the registers -------------------------------------------------------------------------------


# --- search -------------------------------------------------------------------------------------
# Each searchable table has a full-text index of its own (search_<table>, FTS5, holding no text of its
# own: content=''), built by search_index.py from these declarations and queried by search.py. Its
# columns, with the bm25 weights that rank a match: the texts themselves above their romanizations,
# above a word form (stem) or a spelling variant of a name, above a name or a citation.
SEARCH_TABLE_PREFIX = "search_"
SEARCH_COLUMNS = (
    ("exact", 10.0),  # the folded texts: printed, corrected and regularised readings
    ("roman", 8.0),  # every romanization of their Cyrillic
    ("stems", 3.0),  # the stems of their words (Snowball)
    ("keys", 1.5),  # spelling-blind keys of their Latin words (Trotsky, Trotskii, Trotzki)
    ("names", 0.5),  # the names of the persons the entry is by or to, in every form
    ("context", 0.2),  # citations, notes, the document's title
)


@dataclass(frozen=True)
class Searched:
    """A text an entry is found by: a column of its table (or <romanizations>, <names> of its persons,
    <document> title), the index column it goes into, and what a match in it tells a reader."""

    source: str
    into: str  # exact | roman | names | context (stems and keys are derived from all of them)
    label: str


@dataclass(frozen=True)
class Index:
    """An index over several columns, for an order the reading room asks for (datasette_search)."""

    columns: tuple[str, ...]
    descending: frozenset[str] = frozenset()  # the columns it orders from the largest

    @property
    def name(self) -> str:
        return "_".join(self.columns)

    @property
    def sql(self) -> str:
        return ", ".join(f"[{c}]" + (" DESC" if c in self.descending else "") for c in self.columns)


@dataclass(frozen=True)
class Register:
    name: str  # plural: the database table name
    singular: str  # in messages: "quotation nowak-2025-q031: ..."
    files: str  # glob under corpus/
    fields: tuple[Field, ...]
    tei: El | None = None  # the template of one entry
    container: tuple[El, ...] = ()  # where the entries stand in a TEI document (outermost first)
    columns: tuple[Column, ...] = ()
    label: str = "id"  # the field that names an entry (persName text of a pointer, label_column)
    description: str = ""
    facets: tuple[str, ...] = ()
    tei_id_prefix: str = ""
    search: tuple[Searched, ...] = ()
    compound_indexes: tuple[Index, ...] = ()

    def __post_init__(self) -> None:
        # looked up for every value the codec reads or writes: computed once
        object.__setattr__(self, "_fields", {f.name: f for f in self.fields})
        object.__setattr__(self, "field_names", frozenset(self._fields))

    def field(self, name: str) -> Field:
        return self._fields[name]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def search_table(self) -> str:
        return SEARCH_TABLE_PREFIX + self.name

    @property
    def indexes(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.index)


DATE_FROM = (
    "The first day the date can mean (ISO 8601): of a month-only date its first day, of a range or of alternatives the "
    "first; with date_to, 'in August 1920' is date_from <= '1920-08-31' and date_to >= '1920-08-01'."
)
DATE_TO = "The last day the date can mean (ISO 8601)."
DATE_ALTERNATIVES = "The days the date is one of, when the article gives alternatives (JSON list of ISO dates); else empty."

CITATION = (
    Field("article", "id", required=True, ref="articles"),
    Field("page", "int"),
    Field("pages", "list", item="int"),
    Field("footnote", "int"),
    Field("footnotes", "list", item="int"),
)
CITED_IN = Field("cited_in", "records", fields=CITATION)
CITED_IN_TEI = Each("cited_in", el("note", {"type": "citedIn"}, content=CitedWhere()))
CITED_IN_COLUMN = Column(
    "cited_in", str, "Where each article cites it, as JSON: [{article, where}] (where: pages and notes).", "<cited_in>"
)
NOTE_COLUMN = Column("note", str, "Editorial note.")


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
    tei=el(
        "biblStruct",
        {"xml:id": Val("id", prefix=ARTICLE_ID_PREFIX)},
        el(
            "analytic",
            {},
            el("author", content=Text("author")),
            el("title", {"level": "a"}, content=Text("title")),
            el("respStmt", {}, el("resp", content="translated by"), el("persName", content=Text("translator")), when="translator"),
            el("idno", {"type": "DOI"}, content=Text("doi")),
            el("textLang", {"mainLang": Val("language")}),
        ),
        el(
            "monogr",
            {},
            el("title", {"level": "j"}, content=Text("journal")),
            el(
                "imprint",
                {},
                el("biblScope", {"unit": "volume"}, content=Text("volume")),
                el("biblScope", {"unit": "issue"}, content=Text("issue")),
                el("date", {"when": Val("year")}, content=Text("year")),
                el("biblScope", {"unit": "page"}, content=Text("pages")),
            ),
        ),
        el("note", content=Text("note")),
    ),
    container=(el("teiHeader"), el("fileDesc"), el("sourceDesc"), el("listBibl")),
    columns=(
        Column("id", str, "Identifier of the article: author's surname and year (himmer-1976)."),
        Column("author", str, "The article's author."),
        Column("title", str, "The article's title, when the text the corpus was curated from gives it."),
        Column("journal", str, "The journal."),
        Column("year", int, "Year of publication."),
        Column("doi", str, "The article's DOI."),
        Column("translator", str, "The translator of the article's English edition."),
        Column("volume", str, "Volume of the journal."),
        Column("issue", str, "Issue of the journal."),
        Column("pages", str, "The article's pages."),
        Column("note", str, "Editorial note on the article."),
        Column("language", str, "ISO 639-1 code of the article's language."),
    ),
    label="author",
    description="The two source articles.",
    tei_id_prefix=ARTICLE_ID_PREFIX,
)

PERSONS = Register(
    "persons",
    "person",
    "persons.yaml",
    (
        Field("id", "id", required=True),
        Field("name", "str", required=True),
        Field("name_editorial", "flag"),
        Field("name_original", "str"),
        Field("variants", "list"),
        CITED_IN,
        Field("note", "str"),
    ),
    tei=el(
        "person",
        {"xml:id": Val("id")},
        el(
            "persName",
            {"type": "preferred", "xml:lang": "en", "resp": Val("name_editorial", mapping=(("True", "#" + EDITORS_ID),))},
            content=Text("name"),
        ),
        el("persName", {"type": "original", "xml:lang": LangOf("name_original")}, content=Text("name_original")),
        Derived(Romanized("name_original"), el("persName", {"type": "transliteration", "xml:lang": RomanTag()}, content=RomanText())),
        Each("variants", el("persName", {"type": "variant", "xml:lang": LangOf()}, content=Text())),
        el("note", content=Text("note")),
        CITED_IN_TEI,
    ),
    container=(el("standOff"), el("listPerson")),
    columns=(
        Column("id", str, "Stable identifier of the person (a short ASCII name, e.g. kopp)."),
        Column("name", str, "Preferred English form of the name."),
        Column(
            "name_editorial",
            int,
            "1 when the preferred name is the editors' form, printed in neither article (the printed forms are in "
            "name_original and variants); else empty.",
        ),
        Column("name_original", str, "The name in the person's own script, as an article prints it."),
        Column("variants", str, "Every other form of the name as printed in either article (JSON list)."),
        Column(
            "name_transliteration",
            str,
            "ALA-LC romanization (without diacritics) of name_original (generated).",
            "<transliteration>",
        ),
        NOTE_COLUMN,
        CITED_IN_COLUMN,
    ),
    label="name",
    description="Persons register shared by both articles, with every name form as printed.",
    search=(
        Searched("name", "exact", "name"),
        Searched("name_original", "exact", "name as printed in its own script"),
        Searched("variants", "exact", "a printed form of the name"),
        Searched("<romanizations>", "roman", "romanized name"),
        Searched("note", "context", "the editors' note"),
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
        # the language of the title as printed, when it is not the work's: an English rendering
        Field("title_language", "lang"),
        Field("author", "str"),
        Field("imprint", "str"),
        Field("language", "lang", required=True),
        Field("variants", "list"),
        CITED_IN,
        Field("note", "str"),
    ),
    tei=el(
        "bibl",
        {"xml:id": Val("id"), "type": "work"},
        el("author", content=Text("author")),
        el("title", {"xml:lang": Val("title_language", default="language")}, content=SicCorr("title", "title_corrected")),
        Derived(
            Romanized("title", corrected="title_corrected", language="language"),
            el("title", {"type": "transliteration", "xml:lang": RomanTag()}, content=RomanText()),
        ),
        Each("variants", el("title", {"type": "variant"}, content=Text())),
        el("note", {"type": "imprint"}, content=Text("imprint")),
        el("textLang", {"mainLang": Val("language")}),
        CITED_IN_TEI,
        el("note", {"type": "editorial"}, content=Text("note")),
    ),
    container=(el("standOff"), el("listBibl", {"type": "works"})),
    columns=(
        Column("id", str, "Stable identifier of the work (w-…)."),
        Column("title", str, "The title exactly as printed, in its own script."),
        Column("title_corrected", str, "The corrected title, where the print is garbled."),
        Column("language", str, "ISO 639-1 code of the work's language."),
        Column(
            "title_language",
            str,
            "ISO 639-1 code of the title as printed when it is not the work's language: an English rendering of a title "
            "the articles do not print in the original; else empty.",
        ),
        Column(
            "transliteration",
            str,
            "ALA-LC romanization (without diacritics) of a Cyrillic title (generated).",
            "<transliteration>",
        ),
        Column("variants", str, "Other printed forms of the title, e.g. romanized in Himmer (JSON list)."),
        CITED_IN_COLUMN,
        NOTE_COLUMN,
        Column("author", str, "Author(s) or editor(s) exactly as printed."),
        Column("imprint", str, "Place and year (publisher, series) exactly as printed."),
    ),
    label="title",
    description="Cited publications and archival collections.",
    search=(
        Searched("title", "exact", "title"),
        Searched("title_corrected", "exact", "title (corrected)"),
        Searched("variants", "exact", "another printed form of the title"),
        Searched("author", "exact", "author"),
        Searched("<romanizations>", "roman", "romanized title"),
        Searched("imprint", "context", "imprint"),
        Searched("note", "context", "the editors' note"),
    ),
)

DOCUMENTS = Register(
    "documents",
    "document",
    "documents.yaml",
    (
        Field("id", "id", required=True),
        Field("type", "enum", required=True, values=DOCUMENT_TYPES),
        Field("title", "str", required=True),
        Field("date", "date"),
        Field("date_one_of", "list", item="date"),
        Field("date_range", "list", item="date"),
        Field("author", "id", ref="persons"),
        Field("recipient", "id", ref="persons"),
        Field("language", "lang"),
        Field("reference", "str"),
        CITED_IN,
        Field("note", "str"),
    ),
    tei=el(
        "bibl",
        {"xml:id": Val("id"), "type": Val("type")},
        el("title", {"type": "desc", "xml:lang": "en"}, content=Text("title")),
        el("author", {}, el("persName", {"ref": Ptr("author")}, content=Label("author"))),
        el(
            "respStmt",
            {},
            el("resp", content="recipient"),
            el("persName", {"ref": Ptr("recipient")}, content=Label("recipient")),
            when="recipient",
        ),
        el("date", {"when": Val("date"), "notBefore": Bound(), "notAfter": Bound()}, content=Dated()),
        el("textLang", {"mainLang": Val("language")}),
        el("note", {"type": "reference"}, content=Text("reference")),
        CITED_IN_TEI,
        el("note", {"type": "editorial"}, content=Text("note")),
    ),
    container=(el("standOff"), el("listBibl", {"type": "documents"})),
    columns=(
        Column("id", str, "Stable identifier of the document (doc-…)."),
        Column("date", str, "ISO 8601 date of the document; partial dates allowed.", index=True),
        Column("date_from", str, DATE_FROM, "<date_from>", index=True),
        Column("date_to", str, DATE_TO, "<date_to>", index=True),
        Column("date_alternatives", str, DATE_ALTERNATIVES, "<date_alternatives>"),
        Column("type", str, f"What kind of document: {', '.join(DOCUMENT_TYPES)}."),
        Column("author", str, "Who wrote or spoke it (see persons).", index=True),
        Column("recipient", str, "To whom (see persons).", index=True),
        Column("language", str, "ISO 639-1 code of the document's language."),
        Column("reference", str, "Archival or published reference, as the article cites it."),
        Column("title", str, "A short descriptive title (the editors', in English)."),
        CITED_IN_COLUMN,
        NOTE_COLUMN,
    ),
    label="title",
    description="Historical documents quoted; a document quoted in both articles is one entry.",
    search=(
        Searched("title", "exact", "title"),
        Searched("reference", "exact", "reference"),
        Searched("<names>", "names", "the author's or recipient's name"),
        Searched("note", "context", "the editors' note"),
    ),
)

CORRECTION = (
    Field("sic", "str", required=True),
    Field("corr", "str", required=True),
    Field("in", "enum", values=CORRECTION_TARGETS),
)
# The historical document's own spelling, kept as printed and regularised for search (orig → reg).
REGULARISATION = (
    Field("orig", "str", required=True),
    Field("reg", "str", required=True),
)
CERTAINTY = (
    Field("of", "enum", required=True, values=tuple(CERTAINTY_MATCH)),
    Field("cert", "enum", required=True, values=CERT_VALUES),
    Field("reason", "str", required=True),
)

# The parts of a quotation's cit that a nested quotation's cit has too.
_DATES = (Field("date", "date"), Field("date_one_of", "list", item="date"), Field("date_range", "list", item="date"))
_WORDS = (
    Field("unmarked", "flag"),
    Field("language", "lang", required=True),
    Field("original", "str"),
    Field("translation", "str"),
    Field("speaker", "id", ref="persons"),
    Field("addressee", "id", ref="persons"),
    *_DATES,
)
_ORIGINAL_ROMANIZED = Derived(
    Romanized("original", language="language"),
    el("cit", {"type": "transliteration"}, el("quote", {"xml:lang": RomanTag()}, content=RomanText(inline=True))),
)
_SPEAKER = el("persName", {"ref": Ptr("speaker"), "role": "speaker"}, content=Label("speaker"))
_ADDRESSEE = el("persName", {"ref": Ptr("addressee"), "role": "addressee"}, content=Label("addressee"))
_DATE = el("date", {"when": Val("date"), "notBefore": Bound(), "notAfter": Bound()}, content=Dated())
_EDITORIAL_NOTE = el("note", {"type": "editorial"}, content=Text("note"))
_CERTAINTIES = Each(
    "certainty",
    el(
        "certainty",
        {"cert": Val("cert"), "locus": "value", "target": OwnPtr(), "match": Val("of", mapping=tuple(CERTAINTY_MATCH.items()))},
        el("desc", content=Text("reason")),
    ),
)
UNMARKED = "unmarked"  # cit/@rend of words the article reports without quotation marks

# A quotation quoted inside another (a slogan in a report): its own words, speaker, English and
# doubts, written as a cit inside the outer quotation's quote, where its words stand. Its place in
# the article (page, footnote), its document and its citation are the outer quotation's.
NESTED_FIELDS = (
    Field("id", "id", required=True),
    *_WORDS,
    Field("certainty", "records", fields=CERTAINTY),
    Field("note", "str"),
)
NESTED_TEI = el(
    "cit",
    {"xml:id": Val("id"), "rend": Val("unmarked", mapping=(("True", UNMARKED),))},
    el("quote", {"xml:lang": Val("language")}, content=Inline("original", "original", gap=True)),
    _ORIGINAL_ROMANIZED,
    el("cit", {"type": "translation"}, el("quote", {"xml:lang": "en"}, content=Inline("translation", "translation"))),
    el("bibl", {"type": "attribution"}, _SPEAKER, _ADDRESSEE, _DATE),
    _EDITORIAL_NOTE,
    _CERTAINTIES,
)
# What a nested quotation's database row takes from the quotation it stands in.
NESTED_INHERITS = ("article", "page", "footnote", "original_page", "original_footnote", "kind", "document", "source", "works")

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
        Field("kind", "enum", required=True, values=KINDS),
        *_WORDS,
        Field("corrections", "records", fields=CORRECTION),
        Field("regularisations", "records", fields=REGULARISATION),
        Field("nested", "records", fields=NESTED_FIELDS),
        Field("document", "id", ref="documents"),
        Field("source", "str"),
        Field("works", "list", item="id", ref="works"),
        # the quotations of the other article that give the same words of the same document (its
        # translation of them): mutual; what the same_document query pairs
        Field("parallel", "list", item="id", ref="quotations"),
        Field("certainty", "records", fields=CERTAINTY),
        Field("note", "str"),
        # why langdetect disagrees with `language` and the curated label is right (see audit-languages)
        Field("detection_note", "str"),
    ),
    tei=el(
        "cit",
        {"xml:id": Val("id"), "type": Val("kind"), "rend": Val("unmarked", mapping=(("True", UNMARKED),))},
        el("quote", {"xml:lang": Val("language")}, content=Inline("original", "original", gap=True, nested="nested")),
        _ORIGINAL_ROMANIZED,
        el("cit", {"type": "translation"}, el("quote", {"xml:lang": "en"}, content=Inline("translation", "translation", nested="nested"))),
        el(
            "bibl",
            {"type": "attribution"},
            _SPEAKER,
            _ADDRESSEE,
            _DATE,
            el("ref", {"type": "document", "target": Ptr("document")}, content=Label("document")),
        ),
        el(
            "bibl",
            {"type": "citation"},
            el("ref", {"target": Ptr("article", prefix=ARTICLE_ID_PREFIX)}, content=Label("article")),
            el("biblScope", {"unit": "page"}, content=Text("page")),
            el("biblScope", {"unit": "footnote"}, content=Text("footnote")),
            el(
                "bibl",
                {"type": "originalLocation"},
                el("biblScope", {"unit": "page"}, content=Text("original_page")),
                el("biblScope", {"unit": "footnote"}, content=Text("original_footnote")),
            ),
            el("note", {"type": "source"}, content=Text("source")),
            Each("works", el("ref", {"type": "work", "target": Ptr()}, content=Label())),
            Each("parallel", el("ref", {"type": "parallel", "target": FilePtr()})),
        ),
        _EDITORIAL_NOTE,
        el("note", {"type": "detection"}, content=Text("detection_note")),
        _CERTAINTIES,
    ),
    container=(el("text"), el("body"), el("div", {"type": Val("kind", mapping=tuple(DIV_TYPES.items()))})),
    columns=(
        Column("id", str, "Stable identifier: <article>-q### (quotation), -t### (term), -a### (abstract); also the TEI xml:id."),
        Column("article", str, "The article that prints it (see articles).", index=True),
        Column("page", int, "Printed page of the article where the quotation (its English) stands."),
        Column("footnote", int, "Footnote number, when it stands in a footnote; empty when in the body."),
        Column(
            "kind",
            str,
            "quotation (words quoted from a historical source), term (a foreign word in the author's prose), "
            "abstract (the article's own foreign-language abstract).",
            index=True,
        ),
        Column("language", str, "ISO 639-1 code of the original utterance or document.", index=True),
        Column(
            "printed",
            int,
            "1 when the article prints the original (in its own script or in Latin letters), 0 when it gives only the English; "
            "the quotations table lists printed originals first.",
            "<printed>",
            index=True,
        ),
        Column(
            "part_of",
            str,
            "The quotation this one is quoted inside (a slogan in a report), whose page, document and citation it shares; "
            "empty for a quotation that stands on its own.",
            "<part_of>",
            index=True,
        ),
        Column("unmarked", int, "1 when the article reports the words as someone's without quotation marks; else empty."),
        Column(
            "original",
            str,
            "The original exactly as printed, printing and OCR errors included; empty when the article prints only English.",
        ),
        Column(
            "original_corrected",
            str,
            "The original with the recorded corrections applied.",
            "<original_corrected>",
        ),
        Column(
            "original_regularised",
            str,
            "The corrected original with the document's own spellings regularised (orig → reg), for search; empty when it has none.",
            "<original_regularised>",
        ),
        Column(
            "transliteration",
            str,
            "ALA-LC romanization without diacritics of the corrected original (generated).",
            "<transliteration>",
        ),
        Column("translation", str, "The article's English, exactly as printed."),
        Column("speaker", str, "Who spoke or wrote the words (see persons).", index=True),
        Column("addressee", str, "To whom (see persons).", index=True),
        Column("date", str, "ISO 8601 date of the utterance or document; partial dates (1920-07) allowed.", index=True),
        Column("date_from", str, DATE_FROM, "<date_from>", index=True),
        Column("date_to", str, DATE_TO, "<date_to>", index=True),
        Column("date_alternatives", str, DATE_ALTERNATIVES, "<date_alternatives>"),
        Column("document", str, "The historical document quoted (see documents).", index=True),
        Column(
            "certainty",
            str,
            "What is uncertain (language, speaker, date, ...) and how much; the reasons are in certainty_details.",
            "<certainty>",
        ),
        Column(
            "detected_language",
            str,
            "langdetect's guess (seeded), an audit of the curated language; empty when the text is too short to judge.",
            "<detected_language>",
        ),
        Column("detected_probability", float, "langdetect's probability for detected_language.", "<detected_probability>"),
        Column("note", str, "What a scholar should know about this record."),
        Column("translation_corrected", str, "The English with the recorded corrections applied.", "<translation_corrected>"),
        Column("original_page", int, "Page where the original is printed, when not with the English."),
        Column("original_footnote", int, "Footnote where the original is printed, when not with the English."),
        Column("source", str, "The article's citation for the quotation, as printed."),
        Column("works", str, "The works the article cites for it (JSON list of work ids, see works).", "<works>"),
        Column(
            "parallel",
            str,
            "The quotations of the other article that give the same words of the same document (JSON list of ids).",
            "<parallel>",
        ),
        Column("transliteration_scheme", str, "BCP 47 tag of the romanization in transliteration.", "<transliteration_scheme>"),
        Column(
            "detection",
            str,
            "judged (langdetect), script only, too short (under 4 words or 20 letters), romanized (Russian in Latin letters: "
            "not judged), no letters, no original.",
            "<detection>",
        ),
        Column(
            "certainty_details",
            str,
            "Each uncertainty with its degree and reason (JSON list of {of, cert, reason}).",
            "<certainty_details>",
        ),
        Column(
            "detected_script",
            str,
            "What the letters allow before langdetect runs, e.g. 'Cyrillic: ru' (ы, э rule out Ukrainian and Bulgarian) "
            "or 'Latin: pl' (ł ą ę ś ź ż ń).",
            "<detected_script>",
        ),
        Column("detection_note", str, "Why the curated language is right where the detector disagrees (see the language_audit query)."),
    ),
    label="id",
    description=(
        "One row per quotation, term or abstract fragment. Search looks in the original (corrected), the "
        "transliteration, the English translation and a folded form (ł→l, ё→е, ß→ss, no diacritics)."
    ),
    facets=("language", "article", "kind", "speaker"),
    # a language's quotations, printed originals first (a language view), without sorting them all
    # and an article's quotations page by page, and its top-level ones in document order (DTS, dts.py)
    compound_indexes=(
        Index(("language", "printed", "id"), descending=frozenset({"printed"})),  # a language view: printed originals first
        Index(("article", "page")),
        Index(("article", "part_of")),
    ),
    search=(
        Searched("original", "exact", "original"),
        Searched("original_corrected", "exact", "original"),
        Searched("original_regularised", "exact", "original (regularised spelling)"),
        Searched("translation", "exact", "English"),
        Searched("translation_corrected", "exact", "English"),
        Searched("<romanizations>", "roman", "romanized"),
        Searched("<names>", "names", "the speaker's or addressee's name"),
        Searched("source", "context", "the article's citation"),
        Searched("note", "context", "the editors' note"),
        Searched("<document>", "context", "the document's title"),
    ),
)

# Not a register of its own: the entries of a quotation's `nested` field (their TEI, NESTED_TEI,
# stands inside the quotation's), decoded with these fields and loaded as quotations rows.
NESTED = Register("nested", "nested quotation", "", NESTED_FIELDS, tei=NESTED_TEI)

# In load order: a register may only point to registers before it.
REGISTERS: tuple[Register, ...] = (ARTICLES, PERSONS, WORKS, DOCUMENTS, QUOTATIONS)
# The registers in a document's standOff, in their order there.
STAND_OFF: tuple[Register, ...] = (PERSONS, DOCUMENTS, WORKS)
BY_NAME = {r.name: r for r in REGISTERS}

# Not a TEI register: every romanization of every Cyrillic original, name and title, one row each.
TRANSLITERATIONS_COLUMNS = (
    Column("id", str, "<entry id>/<scheme>."),
    Column("quotation", str, "The quotation romanized (see quotations).", index=True),
    Column("person", str, "The person whose name is romanized (see persons).", index=True),
    Column("work", str, "The work whose title is romanized (see works).", index=True),
    Column(
        "scheme", str, "ala-lc (default, without diacritics), ala-lc-diacritics (Library of Congress table), iso9 (ISO 9:1995).", index=True
    ),
    Column("tag", str, "The BCP 47 transform tag of the romanization, used as xml:lang in the TEI."),
    Column("text", str, "The romanized text."),
)
TRANSLITERATIONS_OWNER = {"quotations": "quotation", "persons": "person", "works": "work"}
TRANSLITERATIONS_DESCRIPTION = (
    "Every romanization of every Cyrillic original, person name and work title, in each scheme: ala-lc (default, "
    "without diacritics), ala-lc-diacritics (Library of Congress table), iso9 (ISO 9:1995). tag is the BCP 47 "
    "transform tag used as xml:lang in the TEI."
)

# Not a database table: the audit's list of article passages deliberately left out of the corpus.
EXCLUSIONS = Register(
    "exclusions",
    "exclusion",
    "exclusions/*.yaml",
    (
        Field("article", "id", required=True, ref="articles"),
        Field("text", "str", required=True),
        Field("category", "enum", required=True, values=EXCLUSION_CATEGORIES),
        Field("reason", "str", required=True),
    ),
)

# The inline vocabulary of mixed content (quote, and a work's title): the hand-written codec in
# tei_codec.py writes and reads exactly these elements and attribute values. "children": exactly
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


# --- the fixed texts of every TEI header ---------------------------------------------------------

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


def walk(node: Any):
    """Every El of a template, depth first (Each and Derived unwrapped)."""
    if isinstance(node, (Each, Derived)):
        node = node.node
    yield node
    for child in node.children:
        yield from walk(child)


def template_elements() -> frozenset[str]:
    """Every element name the register templates and the inline vocabulary use."""
    names = {n.tag for r in (*REGISTERS, NESTED) for n in walk(r.tei)} | {n.tag for r in REGISTERS for n in r.container}
    return frozenset(names | set(INLINE))


# --- citation: how a quotation is addressed (TEI refsDecl/citeStructure; DTS citation trees) -------
# A reference to a quotation is its id; to a nested quotation "<outer id>/<its id>"; in the page
# tree "<page>" and "<page>/<id>". Standalone documents (the article files, exports) declare both
# trees; the teiCorpus declares its articles and their quotations. Units are named as Python names
# (nested_quotation, not nested-quotation): dapytains uses them as regular-expression group names.
DC = "http://purl.org/dc/terms/"
QUOTATION_UNIT, NESTED_UNIT, PAGE_UNIT = "quotation", "nested_quotation", "page"
CITE_DELIM = "/"


@dataclass(frozen=True)
class Cite:
    """One citeStructure: its unit, what it matches, the value that identifies it, its metadata."""

    unit: str
    match: str
    use: str
    delim: str | None = None
    data: tuple[tuple[str, str], ...] = ()  # (XPath, Dublin Core term)
    children: tuple[Cite, ...] = ()


_UNIT_DATA = (
    ("@type", DC + "type"),
    ("bibl[@type='attribution']/persName[@role='speaker']", DC + "creator"),
    ("bibl[@type='attribution']/date/@when", DC + "date"),
    ("quote[1]/@xml:lang", DC + "language"),
)
# a nested quotation stands in its quotation's original or English (descendant::, not a path: dapytains
# splits a match at every "/")
_NESTED = Cite(NESTED_UNIT, "descendant::cit[@xml:id]", "@xml:id", CITE_DELIM, _UNIT_DATA[1:])
_PAGE = "bibl[@type='citation']!biblScope[@unit='page']"  # XPath 3.0 "!": no "/" (see above)
CITE_TREES: tuple[tuple[str, Cite], ...] = (
    ("quotation", Cite(QUOTATION_UNIT, "/TEI/text/body/div/cit[@xml:id]", "@xml:id", None, _UNIT_DATA, (_NESTED,))),
    (
        "page",
        Cite(
            PAGE_UNIT,
            f"/TEI/text/body/div/cit[@xml:id][not({_PAGE} = preceding::cit!{_PAGE})]",
            _PAGE,
            None,
            (),
            (
                Cite(
                    QUOTATION_UNIT,
                    f"(let $p := string({_PAGE}) return (self::cit | following::cit[@xml:id][parent::div][{_PAGE} = $p]))",
                    "@xml:id",
                    CITE_DELIM,
                ),
            ),
        ),
    ),
)
CORPUS_CITE_TREE = Cite(
    "article", "/teiCorpus/TEI", "@xml:id", None, (), (Cite(QUOTATION_UNIT, "text/body/div/cit[@xml:id]", "@xml:id", CITE_DELIM),)
)

# The document elements around the registers (header, standOff, text; see tei_encode.assemble).
SKELETON_ELEMENTS = frozenset(
    """TEI teiCorpus teiHeader fileDesc titleStmt title respStmt resp name editionStmt edition
    publicationStmt publisher date idno availability licence notesStmt note sourceDesc listBibl p encodingDesc
    projectDesc editorialDecl profileDesc langUsage language standOff text body div head refsDecl citeStructure
    citeData""".split()
)

# The attributes of the skeleton (header, standOff, body, the roots), beside the templates' own
# (edition/@n: the release's version; publicationStmt/date/@when: its date; refsDecl and citeStructure:
# the citation trees).
SKELETON_ATTRIBUTES = frozenset(
    {"xml:id", "xml:lang", "type", "status", "target", "ident", "n", "when", "default", "unit", "match", "use", "delim", "property"}
)


def template_attributes() -> frozenset[str]:
    """Every attribute name the register templates and the inline vocabulary use."""
    names = {a for r in (*REGISTERS, NESTED) for n in walk(r.tei) for a, _ in n.attrs}
    names |= {a for r in REGISTERS for n in r.container for a, _ in n.attrs}
    names |= {a for spec in INLINE.values() for a in spec.get("attrs", {})}
    return frozenset(names)


# Every element our encoder writes. The compiled schema (tei_schema.py) allows only these,
# a strict subset of tei_all, which is why it compiles in milliseconds instead of ~10 s.
PROFILE_ELEMENTS = template_elements() | SKELETON_ELEMENTS
# Every attribute it writes: the subset of tei_all allows no other (tei_validate.build_subset).
PROFILE_ATTRIBUTES = template_attributes() | SKELETON_ATTRIBUTES
