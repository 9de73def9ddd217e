"""One TEI text of our profile (a `quote`, `title` or `persName`) as HTML for the reading room.

The reading text is the corrected one, and every correction stays visible: the corrected word
is marked and followed by the printed reading, so a reader sees both without opening the TEI. A
spelling of the document itself is shown as printed (its regularisation in a tooltip), and a
quotation nested in this one is marked where it stands and links to its own record.
Ellipses keep their printed form, the article author's insertions keep their brackets, and an
original the article does not print says so instead of showing nothing.
"""

from __future__ import annotations

from lxml import etree
from markupsafe import Markup, escape

from quotecorpus import profile as P
from quotecorpus.tei.read import is_printed, text_of
from quotecorpus.tei.read import local as _local

X = P.NS


def _html(el: etree._Element, link=None, current: str | None = None) -> str:
    out = [str(escape(el.text or ""))]
    for child in el:
        name = _local(child)
        if name == "choice" and child.find("t:orig", X) is not None:
            # the document's own spelling: shown as printed, its regularisation on demand
            orig, reg = child.find("t:orig", X), child.find("t:reg", X)
            regular = text_of(reg, "corr") or ""
            out.append(f'<span class="orig" title="the document\'s own spelling; regularised: {escape(regular)}">{_html(orig)}</span>')
        elif name == "choice":
            sic, corr = child.find("t:sic", X), child.find("t:corr", X)
            printed = text_of(sic, "sic") or ""
            out.append(
                f'<span class="choice"><ins class="corr" title="corrected; printed: {escape(printed)}">'
                f"{_html(corr) if corr is not None else ''}</ins>"
                f'<span class="sic"> [printed: <del>{escape(printed)}</del>]</span></span>'
            )
        elif name == "cit":
            # a quotation nested in this one: its words in place, marked and linked to its own record
            words = next(
                (q for q in (child.find("t:quote", X), child.find("t:cit[@type='translation']/t:quote", X)) if is_printed(q)), None
            )
            inner = _html(words, link, current) if words is not None else ""
            out.append(_nested_anchor(child.get(P.XML_ID) or "", inner, link, current))
        elif name == "ellipsis":
            mark = child.find("t:metamark", X)
            out.append(f'<span class="ellipsis">{escape(mark.text if mark is not None and mark.text else "[…]")}</span>')
        elif name == "supplied":
            reason = (child.get("reason") or "").replace("-", " ")
            out.append(f'<span class="supplied" title="{escape(reason)}">[{_html(child, link, current)}]</span>')
        elif name == "gap":
            desc = child.findtext("t:desc", namespaces=X) or "Not printed."
            out.append(f'<span class="gap">{escape(desc)}</span>')
        elif name and name != "note":
            out.append(_html(child, link, current))
        out.append(str(escape(child.tail or "")))
    return "".join(out)


def to_html(el: etree._Element | None, link=None, current: str | None = None) -> Markup:
    """The corrected reading as HTML, each correction followed by its printed reading; `link(id)`: the
    URL of a nested quotation's own page; `current`: the nested quotation to mark as the one shown."""
    return Markup(_html(el, link, current)) if el is not None else Markup("")


def mark_nested(html: Markup, parts: list[tuple[str, Markup]], link=None, current: str | None = None) -> Markup:
    """`html` (a romanization or an English translation) with each nested quotation's words in it marked
    and linked as in the original. The TEI nests a quotation in the text it stands in (the original, or the
    English where only that is printed); a romanization and a translation hold its words as plain text, so
    they are found there by the nested quotation's own rendering (`parts`: its id and its romanization in
    the same scheme, or its English). Words not found as such are left unmarked."""
    out = str(html)
    for nid, words in parts:
        needle = str(words)
        if not needle.strip() or f'data-nested="{escape(nid)}"' in out:
            continue
        at = out.find(needle)
        if at < 0 or out.rfind("<", 0, at) > out.rfind(">", 0, at):  # not found, or inside a tag's attributes
            continue
        out = out[:at] + _nested_anchor(nid, needle, link, current) + out[at + len(needle) :]
    return Markup(out)


def _nested_anchor(nid: str, inner: str, link, current: str | None) -> str:
    """A nested quotation's words where they stand, marked (the one a page is about: `current`) and linked."""
    href = f' href="{escape(link(nid))}"' if link else ""
    cls = "nested current" if nid == current else "nested"
    return f'<a class="{cls}" data-nested="{escape(nid)}"{href} title="quoted: {escape(nid)}">{inner}</a>'
