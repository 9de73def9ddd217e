"""TMX 1.4b translation memory of quotations: original and English as one translation unit each.

Only quotations that have both an original and an English translation make a unit; the
corrected reading of each is used (a translation memory should hold correct text) and the
printed reading, where it differs, is kept as a prop. `tuid` is the quotation id, so every
unit leads back to the corpus, the TEI and the article page.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from lxml import etree

from quotecorpus import __version__
from quotecorpus.profile import QUOTATIONS

TMX_DTD = Path(__file__).parent / "schemas" / "tmx14.dtd"
DOCTYPE = '<!DOCTYPE tmx SYSTEM "tmx14.dtd">'
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CONTENT_TYPE = "application/x-tmx+xml; charset=utf-8"

# What a TMX unit is made of: these columns of quotations (checked against the profile), with the
# speaker's name and the article's author, year and DOI for the unit's citation.
UNIT_COLUMNS = (
    "id",
    "language",
    "original",
    "original_corrected",
    "translation",
    "translation_corrected",
    "kind",
    "date",
    "page",
    "footnote",
)
assert set(UNIT_COLUMNS) <= {c.name for c in QUOTATIONS.columns}
UNIT_SQL = (
    f"select {', '.join('q.' + c for c in UNIT_COLUMNS)}, p.name as speaker, a.author, a.year, a.doi "
    "from quotations q join articles a on a.id = q.article left join persons p on p.id = q.speaker where q.id in ({marks})"
)


def citation(row: dict) -> str:
    where = f"p. {row['page']}" + (f", n. {row['footnote']}" if row.get("footnote") else "")
    return f"{row['author']} ({row['year']}), {where}, doi:{row['doi']}"


def _prop(parent: etree._Element, kind: str, text: str) -> None:
    etree.SubElement(parent, "prop", type=kind).text = text


def tmx_header(provenance: str, created: dt.datetime | None = None) -> bytes:
    """The start of a TMX 1.4 document, up to its open body: the units follow (tmx_unit), then tmx_footer."""
    created = created or dt.datetime.now(dt.UTC)
    root = etree.Element("tmx", version="1.4")
    etree.SubElement(
        root,
        "header",
        creationtool="quotecorpus",
        creationtoolversion=__version__,
        segtype="block",  # a quotation may be a phrase or several sentences
        **{"o-tmf": "quotecorpus TEI P5", "adminlang": "en", "srclang": "*all*", "datatype": "plaintext"},
        creationdate=created.strftime("%Y%m%dT%H%M%SZ"),
    )
    _prop(root[0], "x-provenance", provenance)
    etree.SubElement(root, "body").text = "-"
    head = etree.tostring(root, encoding="unicode", pretty_print=True).split("<body>-</body>")[0]
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{DOCTYPE}\n{head}<body>\n'.encode()


def tmx_unit(row: dict) -> bytes:
    """One translation unit (see UNIT_SQL), or nothing when the quotation lacks an original or an English."""
    original = row.get("original_corrected") or row.get("original")
    english = row.get("translation_corrected") or row.get("translation")
    if not original or not english:
        return b""
    tu = etree.Element("tu", tuid=row["id"], srclang=row["language"])
    _prop(tu, "x-citation", citation(row))
    _prop(tu, "x-kind", row["kind"])
    if row.get("speaker"):
        _prop(tu, "x-speaker", row["speaker"])
    if row.get("date"):
        _prop(tu, "x-date", row["date"])
    for lang, text, printed in ((row["language"], original, row.get("original")), ("en", english, row.get("translation"))):
        tuv = etree.SubElement(tu, "tuv", {XML_LANG: lang})
        if printed and printed != text:
            _prop(tuv, "x-printed", printed)
        etree.SubElement(tuv, "seg").text = text
    etree.indent(tu, space="  ", level=2)
    return b"    " + etree.tostring(tu, encoding="UTF-8") + b"\n"


def tmx_footer() -> bytes:
    return b"  </body>\n</tmx>\n"


def tmx(rows: list[dict], provenance: str, created: dt.datetime | None = None) -> bytes:
    """A TMX 1.4 document of the rows (see UNIT_SQL) that have both texts, in the given order."""
    return tmx_header(provenance, created) + b"".join(tmx_unit(r) for r in rows) + tmx_footer()


def validate_tmx(data: bytes) -> list[str]:
    """Errors of a TMX document against the vendored TMX 1.4 DTD (empty when valid).

    The document is parsed without loading its DOCTYPE's DTD or any entity (our own output
    holds none), then checked against the DTD file we ship.
    """
    parser = etree.XMLParser(load_dtd=False, no_network=True, resolve_entities=False)
    tree = etree.fromstring(data, parser)
    dtd = etree.DTD(str(TMX_DTD))
    if dtd.validate(tree):
        return []
    return [str(e) for e in dtd.error_log.filter_from_errors()]
