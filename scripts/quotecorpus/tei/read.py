"""Reading TEI in our profile: documents → records, and the small readers the web layer needs.

`read()` finds every register entry of one or more TEI documents (ours, or another edition's in
our profile) and decodes each through the profile (tei/decoder.decode), strictly: what the
profile does not hold is refused with its line, never dropped. The loader, `quotecorpus import`
and the Datasette plugin read TEI through this module only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from lxml import etree

from quotecorpus import profile as P
from quotecorpus.errors import TEILoadError
from quotecorpus.tei.decoder import decode
from quotecorpus.tei.inline import text_of
from quotecorpus.tei.nodes import Context, describe, local

__all__ = [
    "Entry",
    "Records",
    "read",
    "text_of",
    "local",
    "fragment",
    "corrections",
    "regularisations",
    "date_words",
    "is_printed",
]

# A parser for our own fragments that still refuses entities and network access.
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


@dataclass
class Entry:
    record: dict
    romanizations: dict[str, list[tuple[str, str]]]  # field -> [(BCP 47 tag, text)], generated
    element: etree._Element
    source: str
    cache: dict = field(default_factory=dict)  # derived values computed once (load.py)


@dataclass
class Records:
    """Every entry read, per register, by id, in document order."""

    entries: dict[str, dict[str, Entry]] = field(default_factory=lambda: {r.name: {} for r in P.REGISTERS})

    def records(self, register: str) -> list[dict]:
        return [e.record for e in self.entries[register].values()]


def _container_matches(el: etree._Element, containers: tuple[P.El, ...]) -> bool:
    """Is `el` inside the register's container chain (innermost last), e.g. standOff/listPerson?"""
    node = el
    for tpl in reversed(containers):
        node = node.getparent()
        if node is None or local(node) != tpl.tag:
            return False
        if any(node.get(k) != v for k, v in tpl.fixed.items()):
            return False
    return True


def _entries(root: etree._Element, register: P.Register) -> Iterable[etree._Element]:
    # iter() is linear; a `//` XPath with a predicate is not, in libxml2.
    for el in root.iter(P.T + register.tei.tag):
        if _container_matches(el, register.container):
            yield el


def check_containers(root: etree._Element, source: str) -> None:
    """Every child of a register's list is an entry of that register: nothing in it is skipped."""
    for register in P.REGISTERS:
        inner = register.container[-1]
        for box in root.iter(P.T + inner.tag):
            if any(box.get(k) != v for k, v in inner.fixed.items()) or not _container_matches_outer(box, register):
                continue
            for c in box:
                if isinstance(c.tag, str) and local(c) != register.tei.tag and not (register is P.QUOTATIONS and local(c) == "head"):
                    line = c.sourceline or "?"
                    raise TEILoadError(
                        f"{source}:{line}: {describe(c)} in <{inner.tag}> is not a {register.singular} of the quotecorpus profile"
                    )


def _container_matches_outer(box: etree._Element, register: P.Register) -> bool:
    node = box
    for tpl in reversed(register.container[:-1]):
        node = node.getparent()
        if node is None or local(node) != tpl.tag:
            return False
    return True


class Reader:
    """Decodes entries one at a time, keeping the registers (for the pointers and labels of what
    follows) and, unless `keep` is false, every entry read."""

    def __init__(self, trusted: bool = False, keep: bool = True, records: Records | None = None):
        self.records = records or Records()
        self.ctx = Context(
            {name: {i: e.record for i, e in entries.items()} for name, entries in self.records.entries.items()}, trusted=trusted
        )
        self.keep = keep

    def entry(self, register: P.Register, el: etree._Element, source: str) -> tuple[Entry, bool]:
        """The entry decoded, and whether it is new (a register entry may come again in another document)."""
        self.ctx.source = source
        rec, romanized = decode(register, el, self.ctx)
        eid = rec["id"]
        entry = Entry(rec, romanized, el, source)
        if self.ctx.trusted:
            return entry, True  # one validated file of our own build: every id once, nothing to keep
        known = self.records.entries[register.name].get(eid)
        if known is not None and known.record != rec:
            line = el.sourceline or "?"
            raise TEILoadError(
                f"{source}:{line}: {register.singular} '{eid}' differs from the one in {known.source} "
                f"(line {known.element.sourceline}): an entry must be the same in every document loaded"
            )
        if not self.ctx.trusted:
            for other in P.REGISTERS:
                if other is not register and eid in self.records.entries[other.name]:
                    raise TEILoadError(f"{source}:{el.sourceline}: id '{eid}' is used by a {other.singular} and a {register.singular}")
        if known is not None:
            return known, False
        if self.keep or register is not P.QUOTATIONS:
            self.records.entries[register.name][eid] = entry
            self.ctx.entries.setdefault(register.name, {})[eid] = rec
        return entry, True


def read(documents: Iterable[tuple[etree._Element, str]], records: Records | None = None) -> Records:
    """Decode every entry of these (root, file name) documents, registers in load order.

    An entry that occurs in several documents (a person in both article files) must be the same
    record in each; pointers must resolve to an entry of the register their field refers to."""
    documents = list(documents)
    reader = Reader(records=records)
    for root, source in documents:
        check_containers(root, source)
    for register in P.REGISTERS:
        for root, source in documents:
            for el in _entries(root, register):
                reader.entry(register, el, source)
    return reader.records


def entries_in_order(root: etree._Element) -> Iterable[tuple[P.Register, etree._Element]]:
    """Every entry of a parsed document, registers in load order."""
    for register in P.REGISTERS:
        for el in _entries(root, register):
            yield register, el


# --- readers for the web layer -------------------------------------------------------------------


def fragment(xml: str) -> etree._Element:
    """One stored TEI fragment (an entry's XML), parsed safely."""
    return etree.fromstring(xml.encode("utf-8"), PARSER)


def corrections(el: etree._Element | None) -> list[tuple[str, str]]:
    """(printed, corrected) for every correction of a misprint in this text, in order."""
    if el is None:
        return []
    return [
        (text_of(c.find(P.T + "sic"), "sic") or "", text_of(c.find(P.T + "corr"), "corr") or "")
        for c in el.iter(P.T + "choice")
        if c.find(P.T + "sic") is not None
    ]


def regularisations(el: etree._Element | None) -> list[tuple[str, str]]:
    """(as the document spells it, regularised) for every regularised spelling in this text, in order."""
    if el is None:
        return []
    return [
        (text_of(c.find(P.T + "orig")) or "", text_of(c.find(P.T + "reg")) or "")
        for c in el.iter(P.T + "choice")
        if c.find(P.T + "orig") is not None
    ]


def date_words(entry: etree._Element) -> str | None:
    """The date of a quotation (or a document) as its TEI gives it in words ("12 August 1920 or 17
    August 1920", "5–14 July 1920")."""
    date = entry.find(f"{P.T}bibl[@type='attribution']/{P.T}date")
    if date is None:
        date = entry.find(f"{P.T}date")
    return "".join(date.itertext()) if date is not None else None


def is_printed(el: etree._Element | None) -> bool:
    """False for an original the article does not print (an empty quote holding only a gap)."""
    return text_of(el) is not None
