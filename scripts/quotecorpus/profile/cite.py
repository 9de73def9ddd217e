"""How a quotation is addressed: the TEI refsDecl/citeStructure trees that DTS resolves."""

from __future__ import annotations

from dataclasses import dataclass

from quotecorpus.profile.vocab import PAGE_DIV

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
# A page is its div in the body (vocab.PAGE_DIV, @n the page): the unit and, as its descendants, its
# quotations, which is how DTS processors (dapytains) resolve a unit.
_PAGE_UNIT = Cite(
    PAGE_UNIT,
    f"/TEI/text/body/div[@type='{PAGE_DIV}']",
    "@n",
    None,
    (),
    (Cite(QUOTATION_UNIT, "cit[@xml:id]", "@xml:id", CITE_DELIM),),
)
CITE_TREES: tuple[tuple[str, Cite], ...] = (
    ("quotation", Cite(QUOTATION_UNIT, "/TEI/text/body/div/cit[@xml:id]", "@xml:id", None, _UNIT_DATA, (_NESTED,))),
    ("page", _PAGE_UNIT),
)
# The teiCorpus: by article and its quotations (default), and by page as in an article's file (a page
# number of one article; the corpus's articles do not share page numbers).
CORPUS_CITE_TREES: tuple[tuple[str, Cite], ...] = (
    (
        "article",
        Cite("article", "/teiCorpus/TEI", "@xml:id", None, (), (Cite(QUOTATION_UNIT, "text/body/div/cit[@xml:id]", "@xml:id", "/"),)),
    ),
    ("page", Cite(PAGE_UNIT, "/teiCorpus" + _PAGE_UNIT.match, "@n", None, (), _PAGE_UNIT.children)),
)
CORPUS_CITE_TREE = CORPUS_CITE_TREES[0][1]
