"""The quotations register: a quotation's fields, its cit template and its columns, and the nested
quotations that stand inside one."""

from __future__ import annotations

from quotecorpus.profile.model import (
    Bound,
    Column,
    Dated,
    Derived,
    Each,
    Field,
    FilePtr,
    Index,
    Inline,
    Label,
    OwnPtr,
    Ptr,
    Register,
    Romanized,
    RomanTag,
    RomanText,
    Searched,
    Text,
    Val,
    el,
)
from quotecorpus.profile.registers import DATE_ALTERNATIVES, DATE_FROM, DATE_TO
from quotecorpus.profile.vocab import (
    ARTICLE_ID_PREFIX,
    CERT_VALUES,
    CERTAINTY_MATCH,
    CORRECTION_TARGETS,
    KINDS,
    PAGE_DIV,
    UNMARKED,
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
        # the quotations of other articles that give the same words of the same document (their
        # translations of them): mutual and whole (each names every other); what same_document groups
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
    container=(el("text"), el("body"), el("div", {"type": PAGE_DIV, "n": Val("page")})),
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
            ref="quotations",
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
            "The quotations of other articles that give the same words of the same document (JSON list of ids).",
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
        Searched("<romanizations>", "roman", "romanization"),
        Searched("<speaker>", "speaker", "the speaker's name"),
        Searched("<addressee>", "names", "the addressee's name"),
        Searched("source", "context", "the article's citation"),
        Searched("note", "context", "the editors' note"),
        Searched("<document>", "context", "the document's title"),
    ),
)

# Not a register of its own: the entries of a quotation's `nested` field (their TEI, NESTED_TEI,
# stands inside the quotation's), decoded with these fields and loaded as quotations rows.
NESTED = Register("nested", "nested quotation", "", NESTED_FIELDS, tei=NESTED_TEI)
