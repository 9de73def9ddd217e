"""One TEI text of our profile (a `quote`, `title` or `persName`) as HTML for the reading room.

The reading text is the corrected one, and every correction stays visible: the corrected word
is marked and followed by the printed reading, so a reader sees both without opening the TEI.
Ellipses keep their printed form, the article author's insertions keep their brackets, and an
original the article does not print says so instead of showing nothing.
"""

from __future__ import annotations

from lxml import etree
from markupsafe import Markup, escape

from . import tei_profile as P
from .load import text_of

X = P.NS

# A parser for our own fragments that still refuses entities and network access.
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def fragment(xml: str) -> etree._Element:
    return etree.fromstring(xml.encode("utf-8"), PARSER)


def _local(el: etree._Element) -> str:
    # comments, processing instructions and unexpanded entity references have no name: skipped
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _html(el: etree._Element) -> str:
    out = [str(escape(el.text or ""))]
    for child in el:
        name = _local(child)
        if name == "choice":
            sic, corr = child.find("t:sic", X), child.find("t:corr", X)
            printed = text_of(sic, "sic") or ""
            out.append(
                f'<span class="choice"><ins class="corr" title="corrected; printed: {escape(printed)}">'
                f"{_html(corr) if corr is not None else ''}</ins>"
                f'<span class="sic"> [printed: <del>{escape(printed)}</del>]</span></span>'
            )
        elif name == "ellipsis":
            mark = child.find("t:metamark", X)
            out.append(f'<span class="ellipsis">{escape(mark.text if mark is not None and mark.text else "[…]")}</span>')
        elif name == "supplied":
            reason = (child.get("reason") or "").replace("-", " ")
            out.append(f'<span class="supplied" title="{escape(reason)}">[{_html(child)}]</span>')
        elif name == "gap":
            desc = child.findtext("t:desc", namespaces=X) or "Not printed."
            out.append(f'<span class="gap">{escape(desc)}</span>')
        elif name and name != "note":
            out.append(_html(child))
        out.append(str(escape(child.tail or "")))
    return "".join(out)


def to_html(el: etree._Element | None) -> Markup:
    """The corrected reading as HTML, each correction followed by its printed reading."""
    return Markup(_html(el)) if el is not None else Markup("")


def corrections(el: etree._Element | None) -> list[tuple[str, str]]:
    """(printed, corrected) for every correction in this text, in order."""
    if el is None:
        return []
    return [(text_of(c.find("t:sic", X), "sic") or "", text_of(c.find("t:corr", X), "corr") or "") for c in el.iter(f"{P.T}choice")]


def is_printed(el: etree._Element | None) -> bool:
    """False for an original the article does not print (an empty quote holding only a gap)."""
    return text_of(el) is not None
