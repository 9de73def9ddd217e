"""What the TEI codec's two directions share: element names and attributes as messages show them, the
context that resolves pointers, and errors that name the line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from quotecorpus import profile as P
from quotecorpus.errors import TEILoadError

E = etree.Element


def attr_name(name: str) -> str:
    return {"xml:lang": P.XML_LANG, "xml:id": P.XML_ID}.get(name, name)


def shown_attr(name: str) -> str:
    return {P.XML_LANG: "xml:lang", P.XML_ID: "xml:id"}.get(name, name)


def local(el: etree._Element) -> str:
    """An element's local name; "" for comments and processing instructions."""
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def describe(el: etree._Element) -> str:
    """<cit type="translaton"> as a message shows it."""
    attrs = "".join(f' {shown_attr(k)}="{v}"' for k, v in el.attrib.items())
    return f"<{local(el)}{attrs}>"


def own_text(el: etree._Element) -> str:
    """The element's text with comments and PIs skipped (their tails are text)."""
    return (el.text or "") + "".join(c.tail or "" for c in el if not isinstance(c.tag, str))


@dataclass
class Context:
    """The register entries pointers resolve to: what the encoder writes as labels and the decoder checks."""

    entries: dict[str, dict[str, dict]] = field(default_factory=dict)  # register -> id -> record
    source: str = "<tei>"  # the file name in messages
    # Reading our own build's validated output: the checks against the registers and against the
    # re-encoded entry are skipped (the build made it from records these checks hold for).
    trusted: bool = False

    def label(self, register: str, eid: str) -> str:
        rec = self.entries.get(register, {}).get(eid)
        if rec is None:
            raise KeyError(eid)
        if register == "articles":
            return P.short_article(rec)
        return str(rec[P.BY_NAME[register].label])


def located_error(el: etree._Element, where: str, message: str) -> TEILoadError:
    line = el.sourceline if el is not None and el.sourceline else "?"
    return TEILoadError(f"{where}:{line}: {message}")
