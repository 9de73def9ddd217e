"""The profile as a whole: the registers in load order and in a document's standOff, the tables that are
not registers, and every element and attribute the encoder writes."""

from __future__ import annotations

from quotecorpus.profile.model import (
    Column,
    Field,
    Register,
    walk,
)
from quotecorpus.profile.quotations import NESTED, QUOTATIONS
from quotecorpus.profile.registers import ARTICLES, DOCUMENTS, PERSONS, WORKS
from quotecorpus.profile.vocab import (
    EXCLUSION_CATEGORIES,
    INLINE,
)

# In load order: a register may only point to registers before it.
REGISTERS: tuple[Register, ...] = (ARTICLES, PERSONS, WORKS, DOCUMENTS, QUOTATIONS)
# The registers in a document's standOff, in their order there.
STAND_OFF: tuple[Register, ...] = (PERSONS, DOCUMENTS, WORKS)
BY_NAME = {r.name: r for r in REGISTERS}

# Not a TEI register: every romanization of every Cyrillic original, name and title, one row each.
TRANSLITERATIONS_COLUMNS = (
    Column("id", str, "<entry id>/<scheme>."),
    Column("quotation", str, "The quotation romanized (see quotations).", index=True, ref="quotations"),
    Column("person", str, "The person whose name is romanized (see persons).", index=True, ref="persons"),
    Column("work", str, "The work whose title is romanized (see works).", index=True, ref="works"),
    Column(
        "scheme", str, "ala-lc (default, without diacritics), ala-lc-diacritics (Library of Congress table), iso9 (ISO 9:1995).", index=True
    ),
    Column("tag", str, "The BCP 47 transform tag of the romanization, used as xml:lang in the TEI."),
    Column("text", str, "The romanized text."),
)
# the register of an entry romanized -> the column naming it
TRANSLITERATIONS_OWNER = {c.ref: c.name for c in TRANSLITERATIONS_COLUMNS if c.ref}
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


def template_elements() -> frozenset[str]:
    """Every element name the register templates and the inline vocabulary use."""
    names = {n.tag for r in (*REGISTERS, NESTED) for n in walk(r.tei)} | {n.tag for r in REGISTERS for n in r.container}
    return frozenset(names | set(INLINE))


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


def reference_columns() -> dict[str, frozenset[str]]:
    """Every column of every table that holds ids of entries (or lists of them), with the registers
    they may point to: what the web links wherever such a column is shown."""
    found: dict[str, set[str]] = {}
    for register in REGISTERS:
        for name, target in register.references().items():
            found.setdefault(name, set()).add(target)
    for column in TRANSLITERATIONS_COLUMNS:
        if column.ref:
            found.setdefault(column.name, set()).add(column.ref)
    return {name: frozenset(targets) for name, targets in found.items()}


def persons_named(register: Register) -> dict[str, tuple[str, ...]]:
    """The columns naming persons, as search and pages read them: `<speaker>`, whose words an entry is
    (its first reference to a person: a quotation's speaker, a document's author), and `<addressee>`,
    every other person it names (an addressee, a recipient)."""
    found = tuple(name for name, ref in register.single_references().items() if ref == PERSONS.name)
    return {"<speaker>": found[:1], "<addressee>": found[1:]}
