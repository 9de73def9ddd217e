"""The registers of the corpus, declared in the schema language (model.py): per field its YAML name and
type, its TEI template and its database column."""

from __future__ import annotations

from quotecorpus.profile.model import (
    Bound,
    CitedWhere,
    Column,
    Dated,
    Derived,
    Each,
    Field,
    Label,
    LangOf,
    Ptr,
    Register,
    Romanized,
    RomanTag,
    RomanText,
    Searched,
    SicCorr,
    Text,
    Val,
    el,
)
from quotecorpus.profile.vocab import (
    ARTICLE_ID_PREFIX,
    DOCUMENT_TYPES,
    EDITORS_ID,
)

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
    description="Persons register shared by the articles, with every name form as printed.",
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
    description="Historical documents quoted; a document quoted in several articles is one entry.",
    search=(
        Searched("title", "exact", "title"),
        Searched("reference", "exact", "reference"),
        Searched("<speaker>", "speaker", "the author's name"),
        Searched("<addressee>", "names", "the recipient's name"),
        Searched("note", "context", "the editors' note"),
    ),
)
