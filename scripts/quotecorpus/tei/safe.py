"""Untrusted XML into lxml, safely: the one way our code parses XML it did not write.

The refusal of a DOCTYPE and of entity declarations is made on the *decoded* document, before the
parser sees a byte of it: a UTF-16 or UTF-32 file does not hold the bytes `<!DOCTYPE`, and a parser
that reaches a DOCTYPE may open the file it names (a FIFO there blocks for ever, `/etc/passwd` is
read) before any later check. So the encoding is detected as XML 1.0 (Appendix F) does — a byte order
mark, then the first bytes of `<?xml` in each encoding, then the encoding the declaration names —,
the text decoded block by block and searched, and the parser is given the text we searched, as UTF-8,
with its own encoding detection switched off (XMLParser(encoding="utf-8")): what it parses is what
was checked. It loads no DTD, resolves no entity, reaches no network, and a resolver answers any
external reference with nothing (nothing is opened even if a DOCTYPE got past the check).

A file that is not TEI at all is named for what it looks like (an HTML page, a TMX file, CSV, text
that is not XML) from the start of the same decoded text, before the parser runs (not_tei): only when
it has no DOCTYPE or the plain one of its format (`<!DOCTYPE html>`, `<!DOCTYPE tmx SYSTEM
"tmx14.dtd">`, which nothing here ever opens); any other DOCTYPE is refused as hostile, as before.

Namespace declarations are counted while the document is read: more than MAX_NAMESPACES in scope at
one element is refused (lxml's handling of them is quadratic: 10,000 on a root took 11.9 s).
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from lxml import etree

from quotecorpus.errors import NotRegularFileError, NotTEIError, UnsafeXMLError, cut
from quotecorpus.files import open_regular

MAX_NAMESPACES = 100  # namespace declarations in scope at any element: ours use 1, other editions a handful
BLOCK = 1 << 20  # bytes read and fed at a time

REFUSED_DOCTYPE = "refused: XML with a DOCTYPE (DTD or entity declarations) is not accepted"
_MARKUP = ("<!DOCTYPE", "<!ENTITY")
_TAIL = max(len(m) for m in _MARKUP) - 1  # what must be kept of a block to find a mark that straddles two

# Appendix F: a byte order mark (the UTF-32 ones before UTF-16's, whose FF FE they start with)...
_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
)
# ... else the first bytes of "<?xml" in each encoding; else UTF-8 (or what the declaration names).
_FIRST = (
    (b"\x00\x00\x00\x3c", "utf-32-be"),
    (b"\x3c\x00\x00\x00", "utf-32-le"),
    (b"\x00\x3c\x00\x3f", "utf-16-be"),
    (b"\x3c\x00\x3f\x00", "utf-16-le"),
    (b"\x4c\x6f\xa7\x94", "cp037"),  # EBCDIC: which one, the declaration says
)
_UNSUPPORTED_FIRST = (b"\x00\x00\x3c\x00", b"\x00\x3c\x00\x00")  # UCS-4 in the unusual byte orders 2143 and 3412
_DECLARED = re.compile(r"""^<\?xml[ \t\r\n][^>]*?encoding[ \t\r\n]*=[ \t\r\n]*(["'])([A-Za-z][A-Za-z0-9._-]*)\1""")
_WIDE = {"utf-16": ("utf-16-le", "utf-16-be"), "utf-32": ("utf-32-le", "utf-32-be")}


def _codec(label: str, name: str) -> str:
    try:
        return codecs.lookup(label).name
    except LookupError:
        raise UnsafeXMLError(f"{name}: refused: the encoding {label[:40]!r} its XML declaration names is unknown") from None


def detect(head: bytes, name: str) -> tuple[str, int]:
    """(the codec, the length of the byte order mark) of a document that starts with `head`."""
    for bom, codec in _BOMS:
        if head.startswith(bom):
            family, skip = codec, len(bom)
            break
    else:
        family, skip = next((codec for first, codec in _FIRST if head.startswith(first)), "utf-8"), 0
        if head[:4] in _UNSUPPORTED_FIRST:
            raise UnsafeXMLError(f"{name}: refused: UCS-4 in an unusual byte order (2143 or 3412) is not accepted")
    shown = head[skip : skip + 1024].decode(family, errors="replace")
    m = _DECLARED.match(shown)
    if m is None:
        return family, skip
    declared = _codec(m.group(2), name)
    if family in ("utf-8", "cp037") and skip == 0:
        # eight bits a character: the declaration decides, and must be an encoding in which "<?xml"
        # is written as the file begins (declaring UTF-16 in an ASCII file is a contradiction)
        if "<?xml".encode(declared, errors="replace") != head[:5]:
            raise UnsafeXMLError(f"{name}: refused: it declares the encoding {m.group(2)!r}, but its first bytes are not written in it")
        return declared, 0
    wide = next((w for w, members in _WIDE.items() if family in members), None)
    if (wide and not declared.startswith(wide)) or (not wide and declared != family):
        raise UnsafeXMLError(f"{name}: refused: it declares the encoding {m.group(2)!r}, but it is written in {family.upper()}")
    return family, skip


# --- what a file that is not TEI looks like -------------------------------------------------------

SNIFF_BYTES = 8192  # of the start of a file: its prolog and root element, or its first lines
_PROLOG = re.compile(r"\ufeff?(?:\s|<\?.*?\?>|<!--.*?-->)*", re.S)  # the XML declaration, comments, PIs
_DOCTYPE = re.compile(r"<!DOCTYPE", re.I)
_ID = r"""("[^"]*"|'[^']*')"""
# a DOCTYPE of its format's own form, with no internal subset: its name and its identifiers (never opened)
_PLAIN_DOCTYPE = re.compile(
    rf"<!DOCTYPE\s+(html|tmx)(?:\s+PUBLIC\s+{_ID}(?:\s+{_ID})?|\s+SYSTEM\s+{_ID})?\s*>",
    re.I,
)
_ROOT = re.compile(r"<([A-Za-z_][\w.-]*)[\s/>]")
LOOKS = {
    "html": "looks like an HTML page, not TEI",
    "tmx": "looks like a TMX file (a translation memory), not TEI",
}


def _format_doctype(m: re.Match) -> bool:
    """Whether a DOCTYPE is the one its format's files carry (HTML's W3C identifiers, TMX's own DTD
    name): anything else naming a file or an address is treated as hostile (exit 3), as before."""
    name, public, system = m[1].lower(), m[2], m[3] or m[4]
    public, system = (public or "")[1:-1], (system or "")[1:-1]
    if name == "html":
        return (not public or public.startswith("-//W3C//DTD ")) and (
            not system or system == "about:legacy-compat" or system.startswith(("http://www.w3.org/", "https://www.w3.org/"))
        )
    return not public and re.fullmatch(r"tmx\d+\.dtd", system) is not None


def _not_xml(text: str) -> str:
    """What a text that does not start with markup looks like: CSV (two rows or more, each of the same
    number of fields, more than one), else its first line."""
    lines = text.splitlines()[:20]
    for delimiter, what in ((",", "CSV"), ("\t", "tab-separated values"), (";", "CSV")):
        rows = [row for row in csv.reader(lines, delimiter=delimiter) if row]
        widths = {len(row) for row in (rows[:-1] if len(rows) > 2 else rows)}  # the last row may be cut short
        if len(rows) >= 2 and len(widths) == 1 and min(widths) > 1:
            return f"looks like {what}, not TEI: it is not XML at all"
    first = next((line.strip() for line in lines if line.strip()), "")
    return f"is not TEI: it is not XML at all (it begins with {cut(first, 40)!r})"


def not_tei(text: str) -> str | None:
    """What the start of a document (decoded) looks like when it is plainly not TEI: "looks like an HTML
    page, not TEI", or None (TEI, XML the schema will judge, or a DOCTYPE that is refused as hostile)."""
    rest = text[_PROLOG.match(text).end() :]
    if _DOCTYPE.match(rest):
        m = _PLAIN_DOCTYPE.match(rest)
        return LOOKS[m[1].lower()] if m and _format_doctype(m) else None
    root = _ROOT.match(rest)
    if root:
        return LOOKS.get(root[1].lower())
    # text that does not start with markup is not XML whatever follows; a NUL near the start is more
    # likely UTF-16 or UTF-32 without its byte order mark, which the parser refuses as before
    if rest and not rest.startswith("<") and "\x00" not in text[:64]:
        return _not_xml(rest)
    return None


class _NoExternal(etree.Resolver):
    """Answers every external reference (a DTD, an entity) with nothing, and remembers that one was
    asked for: defence in depth behind the DOCTYPE check, so that no file is ever opened."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: str | None = None

    def resolve(self, system_url, public_id, context):
        self.asked = str(system_url or public_id)
        return self.resolve_string("", context)


def _parser(events: tuple[str, ...], tag=None) -> tuple[etree.XMLPullParser, _NoExternal]:
    # collect_ids=False: a duplicate xml:id is reported by our checks (with both lines), not as a parse error.
    parser = etree.XMLPullParser(
        events=(*events, "start-ns", "end-ns"),
        tag=tag,
        encoding="utf-8",
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        collect_ids=False,
    )
    guard = _NoExternal()
    parser.resolvers.add(guard)
    return parser, guard


def utf8_blocks(blocks: Iterable[bytes], name: str) -> Iterator[bytes]:
    """The document of `blocks` (bytes in any encoding XML allows) as UTF-8 blocks, having refused a
    DOCTYPE or an entity declaration anywhere in its decoded text. UTF-8 passes through unchanged."""
    it = iter(blocks)
    head = b""
    for block in it:  # enough of the start to see the byte order mark and the declaration
        head += block
        if len(head) >= 1024:
            break
    codec, skip = detect(head, name)
    start = codecs.getincrementaldecoder(codec)(errors="replace").decode(head[skip : skip + SNIFF_BYTES])
    what = not_tei(start)
    if what:
        raise NotTEIError(f"{name}: {what}")
    decoder = None if codec == "utf-8" else codecs.getincrementaldecoder(codec)(errors="strict")
    tail: str | bytes = b"" if decoder is None else ""
    offset = 0  # bytes decoded before this block, for the position of a byte that is not the encoding

    def check(text: str | bytes) -> None:
        # in UTF-8 the marks' bytes stand for the marks and nothing else: the bytes are searched as they are
        nonlocal tail
        window = tail + text
        if any((m.encode() if decoder is None else m) in window for m in _MARKUP):
            raise UnsafeXMLError(f"{name}: {REFUSED_DOCTYPE}")
        tail = window[-_TAIL:]

    def convert(block: bytes, final: bool = False) -> bytes:
        nonlocal offset
        if decoder is None:
            check(block)
            out = block
        else:
            try:
                text = decoder.decode(block, final)
            except UnicodeDecodeError as e:
                raise UnsafeXMLError(f"{name}: not well-formed XML: not {codec.upper()} at byte {offset + e.start + skip}") from None
            check(text)
            out = text.encode("utf-8", errors="surrogatepass")
        offset += len(block)
        return out

    yield convert(head[skip:])
    for block in it:
        yield convert(block)
    if decoder is not None:
        yield convert(b"", final=True)


def _file_blocks(path: Path, name: str) -> Iterator[bytes]:
    try:
        f = open_regular(path)  # a FIFO or a device given as the file is refused, not read for ever
    except NotRegularFileError as e:
        raise UnsafeXMLError(f"{name}: refused: {e.what}") from None
    with f:
        while block := f.read(BLOCK):
            yield block


def _blocks(source: bytes | str | Path, name: str) -> Iterator[bytes]:
    if isinstance(source, Path):
        return utf8_blocks(_file_blocks(source, name), name)
    if isinstance(source, str):  # text already: no encoding to detect, whatever a declaration in it says
        what = not_tei(source[:SNIFF_BYTES])
        if what:
            raise NotTEIError(f"{name}: {what}")
        if any(m in source for m in _MARKUP):
            raise UnsafeXMLError(f"{name}: {REFUSED_DOCTYPE}")
        return iter([source.encode("utf-8", errors="surrogatepass")])
    return utf8_blocks((source[i : i + BLOCK] for i in range(0, len(source), BLOCK)), name)


def events(source: bytes | str | Path, name: str, events: tuple[str, ...] = (), tag=None) -> Iterator[tuple[str, object]]:
    """Parse untrusted XML block by block: its (event, element) pairs as lxml's XMLPullParser gives them
    (`events` of the elements `tag`), then ("root", the root element). Raises UnsafeXMLError (exit 3)
    for a DOCTYPE, an entity, too many namespace declarations or XML that is not well-formed."""
    parser, guard = _parser(events, tag)
    in_scope = 0
    try:
        for block in _blocks(source, name):
            parser.feed(block)
            for event, value in parser.read_events():
                if event == "start-ns":
                    in_scope += 1
                    if in_scope > MAX_NAMESPACES:
                        raise UnsafeXMLError(
                            f"{name}: refused: more than {MAX_NAMESPACES} namespace declarations in scope at one element"
                        )
                elif event == "end-ns":
                    in_scope -= 1
                else:
                    yield event, value
        root = parser.close()
        yield from ((e, v) for e, v in parser.read_events() if e not in ("start-ns", "end-ns"))
    except etree.XMLSyntaxError as e:
        raise UnsafeXMLError(f"{name}: not well-formed XML: {e}") from None
    if guard.asked is not None:
        raise UnsafeXMLError(f"{name}: refused: it refers to an external file ({guard.asked[:200]})")
    yield "root", root


def parse(source: bytes | str | Path, name: str | None = None) -> etree._ElementTree:
    """The whole tree of untrusted XML (events() without events): refused as events() refuses."""
    name = name or (str(source) if isinstance(source, Path) else "<xml>")
    root = None
    for event, value in events(source, name):
        if event == "root":
            root = value
    tree = etree.ElementTree(root)
    info = tree.docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise UnsafeXMLError(f"{name}: {REFUSED_DOCTYPE}")
    if any(isinstance(n, etree._Entity) for n in tree.iter()):
        raise UnsafeXMLError(f"{name}: refused: XML with entity references is not accepted")
    return tree
