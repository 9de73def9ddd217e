"""A TEI file of any length, read once, in bounded memory: its entries and its validation in pieces.

libxml2 validates the long lists of a large document in quadratic time (listPerson, listBibl,
the quotations of a div), and a whole tree of 100,000 quotations takes gigabytes. So a file is
read with iterparse: each register entry and quotation is taken out of the tree as soon as it is
read, and validated with the others of its list in pieces of CHUNK entries, each piece inside a
copy of the document's skeleton around it (the root, its header, the path down to the list), so
that RELAX NG and the local phase of our Schematron see every entry where it stands. The skeleton
itself is validated once at the end, and the checks that need the whole document (every xml:id
unique, every pointer resolves, into the register its field refers to) are made here, in one pass,
from the same profile the Schematron's pointer rules are generated from.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from quotecorpus import profile as P
from quotecorpus.errors import UnsafeXMLError
from quotecorpus.tei import safe
from quotecorpus.tei.rules import pointer_checks

CHUNK = 500  # entries per piece: long enough to amortise the skeleton, short enough to stay linear
# Children of one element, but for the lists of entries (read and validated in pieces): libxml2's RELAX
# NG validation is quadratic in a long list of siblings (20,000 notes in one note: 5.6 s, 50,000: 77 s),
# and no element of the profile holds more than a few dozen (the most in our corpus: 14).
MAX_CHILDREN = 10_000
POINTER_ATTRS = ("ref", "target", "source", "corresp")
_CONTAINERS = [r for r in P.REGISTERS if r is not P.ARTICLES]  # articles stand in the header: part of the skeleton


def register_of_entry(el: etree._Element) -> P.Register | None:
    """The register an element is an entry of (a person in standOff/listPerson, a cit in body/div...)."""
    parent = el.getparent()
    if parent is None or not isinstance(el.tag, str):
        return None
    grand = parent.getparent()
    for r in _CONTAINERS:
        inner, outer = r.container[-1], r.container[-2]
        if (
            el.tag == P.T + r.tei.tag
            and parent.tag == P.T + inner.tag
            and all(parent.get(k) == v for k, v in inner.fixed.items())
            and grand is not None
            and grand.tag == P.T + outer.tag
        ):
            return r
    return None


_ENTRY_TAGS = sorted({P.T + r.tei.tag for r in _CONTAINERS} | {P.T + "biblStruct"})


def _events(path: Path, name: str) -> Iterator[tuple[str, etree._Element]]:
    """("end", element) for each element that may be an entry (by its tag), then ("root", the root),
    of a file read in blocks, refusing a DOCTYPE or entity declarations (in any encoding) before the
    parser sees them, and too many namespace declarations (tei/safe.py). Only those tags come up to
    Python: the other elements (nine in ten) cost no event."""
    yield from safe.events(path, name, ("end",), _ENTRY_TAGS)  # type: ignore[misc]


@dataclass
class Found:
    """What the global checks collect: every id and every pointer, with their lines."""

    ids: dict[str, tuple[str | None, int]] = field(default_factory=dict)  # id -> (register, line)
    duplicates: list[str] = field(default_factory=list)
    pointers: list[tuple[str, int, str, str, str | None]] = field(default_factory=list)  # value, line, tag, attr, register


def _bounded(e: etree._Element, name: str) -> None:
    if len(e) > MAX_CHILDREN:
        raise UnsafeXMLError(
            f"{name}: refused: line {e.sourceline}: <{etree.QName(e).localname}> holds {len(e):,} children, more than "
            f"the {MAX_CHILDREN:,} any element may hold outside the lists of entries"
        )


def _collect(el: etree._Element, register: P.Register | None, found: Found, expected: dict, name: str) -> None:
    for e in el.iter():
        if not isinstance(e.tag, str):
            continue
        _bounded(e, name)
        xid = e.get(P.XML_ID)
        line = e.sourceline or 0
        if xid is not None:
            kind = register.name if e is el and register is not None else None
            if xid in found.ids:
                found.duplicates.append(f"line {line}: The id '{xid}' is used more than once (first at line {found.ids[xid][1]}).")
            else:
                found.ids[xid] = (kind, line)
        for attr in POINTER_ATTRS:
            v = e.get(attr)
            if v is not None and v.startswith("#"):
                target = expected.get((e, attr))
                found.pointers.append((v, line, etree.QName(e).localname, attr, target.name if target else None))


def _global_problems(found: Found) -> tuple[list[str], list[str]]:
    """(invalid: duplicate ids, pointers that do not resolve; outside: pointers into the wrong register)."""
    invalid, outside = list(found.duplicates), []
    for value, line, tag, attr, register in found.pointers:
        target = found.ids.get(value[1:])
        if target is None:
            invalid.append(f"line {line}: The pointer '{value}' on {tag} does not resolve inside this document.")
        elif register is not None and target[0] != register:
            r = P.BY_NAME[register]
            outside.append(
                f'line {line}: @{attr}="{value}" on <{tag}> must point to a {r.singular} '
                f"(a <{r.tei.tag}> in the {r.name} list of this document)."
            )
    return invalid, outside


_CHECKS = {
    r.name: [(etree.XPath(c.path, namespaces={"tei": P.TEI_NS}), c.attr, c.target) for c in pointer_checks() if c.register is r]
    for r in (*P.REGISTERS, P.NESTED)
}
_NESTED_CITS = etree.XPath("tei:quote/tei:cit | tei:cit[@type = 'translation']/tei:quote/tei:cit", namespaces={"tei": P.TEI_NS})


def _expected_targets(entry: etree._Element, register: P.Register) -> dict:
    out = {}
    for path, attr, target in _CHECKS[register.name]:
        for e in path(entry):
            out[(e, attr)] = target
    if register is P.QUOTATIONS:
        for cit in _NESTED_CITS(entry):
            out.update(_expected_targets(cit, P.NESTED))
    return out


def _shallow(el: etree._Element) -> etree._Element:
    return etree.Element(el.tag, dict(el.attrib), nsmap=el.nsmap)


def _context(container: etree._Element) -> tuple[etree._Element, etree._Element]:
    """A copy of the document around `container`: the root and every ancestor with its header (and a
    div's head), down to an empty copy of the container. Returns (root copy, container copy)."""
    chain = []
    node = container
    while node is not None:
        chain.append(node)
        node = node.getparent()
    chain.reverse()
    root = parent = None
    for node in chain:
        twin = _shallow(node)
        for child in node:
            if isinstance(child.tag, str) and etree.QName(child).localname in ("teiHeader", "head"):
                twin.append(copy.deepcopy(child))
        if parent is None:
            root = twin
        else:
            parent.append(twin)
        parent = twin
    assert root is not None and parent is not None
    if etree.QName(root).localname == "teiCorpus" and not any(etree.QName(c).localname == "TEI" for c in root if isinstance(c.tag, str)):
        # a teiCorpus holds at least one TEI: a minimal one, with the corpus's own header
        tei = etree.SubElement(root, P.T + "TEI")
        header = copy.deepcopy(root.find(P.T + "teiHeader"))
        for e in header.iter():
            e.attrib.pop(P.XML_ID, None)  # the corpus header's ids stay the corpus header's
        tei.append(header)
        etree.SubElement(etree.SubElement(etree.SubElement(tei, P.T + "text"), P.T + "body"), P.T + "p").text = "-"
    return root, parent


def _skeleton(root: etree._Element, emptied: set) -> etree._Element:
    """The document without its entries: lists that held entries dropped, bodies kept valid."""
    skeleton = copy.deepcopy(root)
    marked = {id(e) for e in emptied}
    drop = [twin for orig, twin in zip(root.iter(), skeleton.iter(), strict=True) if id(orig) in marked]
    for twin in drop:
        twin.getparent().remove(twin)
    for so in skeleton.iter(P.T + "standOff"):
        if not any(isinstance(c.tag, str) for c in so):
            so.getparent().remove(so)
    for body in skeleton.iter(P.T + "body"):
        if not any(isinstance(c.tag, str) for c in body):
            etree.SubElement(body, P.T + "p").text = "-"
    return skeleton


Validator = Callable[[etree._Element], tuple[list[str], list[str]]]


_INDENT = re.compile(rb"\n *")


def digest(el: etree._Element) -> bytes:
    """An entry's XML without its indentation (never part of a text), as a digest: the same entry
    written at another depth of another document has the same digest."""
    return hashlib.blake2b(_INDENT.sub(b"", etree.tostring(el, encoding="UTF-8", with_tail=False)), digest_size=16).digest()


def _validate_together(batch: list[tuple[etree._Element, list]], validate: Validator) -> tuple[list[str], list[str]]:
    """Validate the entries of consecutive containers of one parent (the registers' lists in standOff,
    the pages' divs in a body) in one copy of the document around them: the first container's context,
    the others beside it, each with its head."""
    piece, box = _context(batch[0][0])
    parent = box.getparent()  # the copy of the containers' parent: the others go beside the first
    for i, (container, entries) in enumerate(batch):
        if i:
            box = _shallow(container)
            box.extend(copy.deepcopy(c) for c in container if isinstance(c.tag, str) and etree.QName(c).localname == "head")
            parent.append(box)
        box.extend(entries)  # moved: the elements keep their lines
    return validate(piece)


class _Batches:
    """Entries waiting to be validated, by container, of consecutive containers of one parent (the
    registers' lists in standOff, the pages' divs in a body): a container's entries stand together, so
    a piece is validated when it is `chunk` entries long or the parent changes, and no entry waits for
    the end of the document (a body of many short pages holds none of them all in memory)."""

    def __init__(self, validate: Validator, chunk: int) -> None:
        self.validate, self.chunk = validate, chunk
        self.batch: list[tuple[etree._Element, list]] = []
        self.waiting = 0
        self.invalid: list[str] = []
        self.outside: list[str] = []

    def add(self, container: etree._Element, el: etree._Element) -> None:
        if not self.batch or self.batch[-1][0] is not container:
            if self.batch and self.batch[-1][0].getparent() is not container.getparent():
                self.flush()
            self.batch.append((container, []))
        self.batch[-1][1].append(el)
        self.waiting += 1
        if self.waiting >= self.chunk:
            self.flush()

    def flush(self) -> None:
        if self.waiting:
            a, b = _validate_together(self.batch, self.validate)
            self.invalid.extend(a)
            self.outside.extend(b)
        self.batch.clear()
        self.waiting = 0


def check(path: Path, name: str, validate: Validator, chunk: int = CHUNK, seen: set[bytes] | None = None) -> tuple[list[str], list[str]]:
    """Validate a file in pieces with `validate` (a document → (invalid, outside) problems), and make
    the whole-document checks.

    `seen`: digests of entries already validated (in another file, in the same place of the same
    profile): such an entry is not validated again, every other one is, and the digests of this file's
    entries are added. The build validates the teiCorpus whole and, of each article file, the
    skeleton, the ids and pointers, and any entry not byte for byte one of the teiCorpus's."""
    found = Found()
    emptied: set = set()
    batches = _Batches(validate, chunk)
    root = None
    for event, el in _events(path, name):
        if event == "root":
            root = el
            continue
        register = register_of_entry(el)
        if register is None:
            continue
        container = el.getparent()
        _collect(el, register, found, _expected_targets(el, register), name)
        emptied.add(container)
        key = digest(el) if seen is not None else None  # while in the document: its namespace as declared there
        container.remove(el)
        if key is not None:
            if key in seen:
                continue  # validated already, as these very bytes
            seen.add(key)
        batches.add(container, el)
    batches.flush()
    invalid, outside = batches.invalid, batches.outside
    assert root is not None
    if etree.QName(root).localname not in ("TEI", "teiCorpus"):
        return [f"line {root.sourceline}: the document is a <{etree.QName(root).localname}>, not a TEI or teiCorpus"], []
    # the skeleton's own ids and pointers (the articles in the headers, the documents' ids)
    for e in root.iter():
        if isinstance(e.tag, str):
            _bounded(e, name)
            _collect_one(e, found)
    a, b = validate(_skeleton(root, emptied))
    invalid.extend(a)
    outside.extend(b)
    ga, gb = _global_problems(found)
    return _unique(invalid + ga), _unique(outside + gb)


def _collect_one(e: etree._Element, found: Found) -> None:
    xid = e.get(P.XML_ID)
    if xid is not None:
        if xid in found.ids:
            found.duplicates.append(f"line {e.sourceline}: The id '{xid}' is used more than once (first at line {found.ids[xid][1]}).")
        else:
            found.ids[xid] = ("articles" if etree.QName(e).localname == "biblStruct" else None, e.sourceline or 0)
    for attr in POINTER_ATTRS:
        v = e.get(attr)
        if v is not None and v.startswith("#"):
            found.pointers.append((v, e.sourceline or 0, etree.QName(e).localname, attr, None))


def _unique(problems: list[str]) -> list[str]:
    """Each problem once (a header copied into every piece would report its own problems again)."""
    return list(dict.fromkeys(problems))


def entries(path: Path, name: str) -> Iterator[tuple[P.Register, etree._Element]]:
    """Every entry of a file in document order (articles as their document's header is read), each
    taken out of the tree once read: bounded memory at any length."""
    for event, el in _events(path, name):
        if event != "end" or not isinstance(el.tag, str):
            continue
        parent = el.getparent()
        if el.tag == P.T + "biblStruct" and parent is not None and parent.tag == P.T + "listBibl":
            yield P.ARTICLES, el
            continue
        register = register_of_entry(el)
        if register is not None:
            yield register, el
            parent.remove(el)


# --- a document of which some entries are new ---------------------------------------------------


def slot_containers(skeleton: etree._Element) -> dict[str, etree._Element]:
    """Each slot's container in a parsed skeleton (tei/encode.Document): the element holding its
    <!--slot:KEY--> comment, where the entries of that slot stand in the document."""
    return {c.text[len("slot:") :]: c.getparent() for c in skeleton.iter(etree.Comment) if (c.text or "").startswith("slot:")}


def context_digest(container: etree._Element) -> bytes:
    """A digest of what an entry of this container is validated in (_context): an entry validated in one
    build is valid in the next as long as its bytes and this digest are the same."""
    root, _ = _context(container)
    return hashlib.blake2b(etree.tostring(root, encoding="UTF-8"), digest_size=16).digest()


def check_entries(
    skeleton: etree._Element,
    entries: dict[str, list[tuple[P.Register, etree._Element, bool]]],
    others: dict[str, str | None],
    validate: Validator,
    chunk: int = CHUNK,
    name: str = "TEI",
) -> tuple[list[str], list[str]]:
    """The problems check() would find in a document of which only the skeleton and some entries may
    differ from a document that was valid. `entries` (by slot): (register, element, whether to validate
    it in its context: False for one validated already, as these bytes); the ids and pointers of all of
    them and of the skeleton are checked against each other and `others` (the xml:id of every other
    entry and of what is nested in it, with the register of the entry it is, None for a nested one)."""
    found = Found(ids={i: (register, 0) for i, register in others.items()})
    containers = slot_containers(skeleton)
    batches = _Batches(validate, chunk)  # as check() does
    for slot, items in entries.items():
        container = containers[slot]
        for register, el, wanted in items:
            _collect(el, register, found, _expected_targets(el, register), name)
            if wanted:
                batches.add(container, el)
    batches.flush()
    invalid, outside = batches.invalid, batches.outside
    for e in skeleton.iter():
        if isinstance(e.tag, str):
            _bounded(e, name)
            _collect_one(e, found)
    a, b = validate(_skeleton(skeleton, set(containers.values())))
    invalid.extend(a)
    outside.extend(b)
    ga, gb = _global_problems(found)
    return _unique(invalid + ga), _unique(outside + gb)
