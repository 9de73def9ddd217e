"""The profile's schema language: a record's fields, its TEI template (El, Each, Derived and their
slots), its database columns, its search declarations and indexes, and the Register that holds them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from quotecorpus.profile.vocab import SEARCH_TABLE_PREFIX

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
    ref: str | None = None  # a derived column of ids: the register they point to (a field's column takes the field's ref)

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
    """A pointer to a quotation of another article, in that article's TEI file of the edition:
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


@dataclass(frozen=True)
class Searched:
    """A text an entry is found by: a column of its table (or <romanizations>, the <speaker>'s or
    <addressee>'s names, <document> title), the index column it goes into, and what a match in it tells
    a reader."""

    source: str
    into: str  # exact | roman | speaker | names | context (stems and keys are derived from all of them)
    label: str


@dataclass(frozen=True)
class Index:
    """An index over several columns, for an order the reading room asks for (web/ranking.py)."""

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

    def references(self) -> dict[str, str]:
        """Every column of ids of another entry, with the register it points to: the fields' `ref` (in
        field order), then the derived columns' (in column order). What pages link, exports filter by,
        and cards and the search index join."""
        columns = {c.name for c in self.columns}
        found = {f.name: f.ref for f in self.fields if f.ref and f.type in ("id", "list") and f.name in columns}
        found |= {c.name: c.ref for c in self.columns if c.ref and c.name not in found}
        return found

    def single_references(self) -> dict[str, str]:
        """The references that hold one id (not a list): a row joins the entry each names."""
        return {name: ref for name, ref in self.references().items() if name not in self._fields or self._fields[name].type == "id"}


def walk(node: Any):
    """Every El of a template, depth first (Each and Derived unwrapped)."""
    if isinstance(node, (Each, Derived)):
        node = node.node
    yield node
    for child in node.children:
        yield from walk(child)
