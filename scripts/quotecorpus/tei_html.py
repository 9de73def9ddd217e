"""One TEI text of our profile (a `quote`, `title` or `persName`) as HTML for the reading room.

The reading text is the corrected one, and every correction stays visible: the corrected word
is marked and followed by the printed reading, so a reader sees both without opening the TEI.
Ellipses keep their printed form, the article author's insertions keep their brackets, and an
original the article does not print says so instead of showing nothing.
"""

from __future__ import annotations

from lxml import etree
from markupsafe import Markup, escape

from . import profile as P
from .tei_read import local as _local
from .tei_read import text_of

X = P.NS


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
