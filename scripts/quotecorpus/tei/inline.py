"""The inline codec, hand-written once for both directions: mixed content (choice/sic/corr and orig/reg,
ellipsis, supplied, gap) written from a text and its marks, and read back into them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lxml import etree

from quotecorpus import profile as P
from quotecorpus.tei.nodes import attr_name, describe, local, located_error, own_text, shown_attr
from quotecorpus.text.chars import sic_pattern

_ELLIPSIS = re.compile(r"\[(?:…|\.\.\.|\. \. \.)\]")


@dataclass(frozen=True)
class Mark:
    """A span of an inline text that the codec marks up: a correction of the print (sic → corr), the
    document's own spelling regularised (orig → reg), or a quotation nested in this one, whose
    `make(parent)` writes its cit and returns the quote its text goes into."""

    kind: str  # corr | reg | nested
    printed: str
    other: str = ""
    make: Any = None  # (parent) -> (the nested cit appended to parent, the quote the span goes into)


_CHOICE = {"corr": ("sic", "corr"), "reg": ("orig", "reg")}


def write_inline(parent: etree._Element, text: str, marks: Iterable[Mark] = ()) -> None:
    """Append `text` to `parent` as mixed content, marking ellipses, insertions, corrections,
    regularisations and nested quotations."""
    marks = list(marks)
    spans = sorted({m.printed: m for m in marks}.values(), key=lambda m: -len(m.printed))
    # a nested quotation's words first (they may hold an insertion or an ellipsis), then the ellipses
    # and insertions, then the corrected and regularised words (inside an insertion too)
    alternatives = [sic_pattern(m.printed) for m in spans if m.kind == "nested"]
    alternatives += [_ELLIPSIS.pattern, r"\[[^\[\]]+\]"] + [sic_pattern(m.printed) for m in spans if m.kind != "nested"]
    pattern = re.compile("|".join(f"(?:{a})" for a in alternatives))
    by_printed = {m.printed: m for m in spans}
    last = None
    pos = 0

    def add_text(s: str) -> None:
        if not s:
            return
        if last is None:
            parent.text = (parent.text or "") + s
        else:
            last.tail = (last.tail or "") + s

    for m in pattern.finditer(text):
        add_text(text[pos : m.start()])
        token = m.group(0)
        mark = by_printed.get(token)
        if mark is not None and mark.kind == "nested":
            # the nested cit, and the quote in it that holds the span, marked in its turn
            last, target = mark.make(parent)
            write_inline(target, token, [x for x in marks if x.kind != "nested"])
        elif mark is None and _ELLIPSIS.fullmatch(token):
            last = etree.SubElement(parent, P.T + "ellipsis")
            etree.SubElement(last, P.T + "metamark").text = token
        elif mark is None and token.startswith("[") and token.endswith("]"):
            last = etree.SubElement(parent, P.T + "supplied", reason=P.SUPPLIED_REASON)
            write_inline(last, token[1:-1], [x for x in marks if x.kind != "nested"])
        else:
            printed, other = _CHOICE[mark.kind]
            last = etree.SubElement(parent, P.T + "choice")
            etree.SubElement(last, P.T + printed).text = token
            etree.SubElement(last, P.T + other).text = mark.other
        pos = m.end()
    add_text(text[pos:])


def apply_corrections(text: str, corrections: Iterable[tuple[str, str]]) -> str:
    """The text with each printed reading replaced by the other (a correction, or a regularisation)."""
    for sic, corr in sorted(corrections, key=lambda c: len(c[0]), reverse=True):
        text = re.sub(sic_pattern(sic), lambda _m, corr=corr: corr, text)
    return text


def text_of(el: etree._Element | None, reading: str = "sic") -> str | None:
    """The text of an inline-encoded element in one reading: "sic" as printed, "corr" corrected (the
    document's own spellings kept), "reg" corrected and regularised. None for an original the article
    does not print (an empty element holding only a gap)."""
    if el is None:
        return None
    kids = [c for c in el if isinstance(c.tag, str)]
    if len(kids) == 1 and local(kids[0]) == "gap" and not own_text(el).strip():
        return None
    out = [el.text or ""]
    for child in el:
        name = local(child)
        if name == "ellipsis":
            mark = child.find(P.T + "metamark")
            out.append(mark.text if mark is not None and mark.text else "[…]")
        elif name == "supplied":
            out.append("[" + (text_of(child, reading) or "") + "]")
        elif name == "choice":
            part = {"sic": ("sic", "orig"), "corr": ("corr", "orig"), "reg": ("corr", "reg")}[reading]
            found = next((c for c in child if local(c) in part), None)
            out.append(text_of(found, reading) or "")
        elif name == "cit":  # a nested quotation: its words, in place (its English, when it has no original)
            words = text_of(child.find(P.T + "quote"), reading)
            if words is None:
                english = next((c for c in child if local(c) == "cit" and c.get("type") == "translation"), None)
                words = text_of(english.find(P.T + "quote") if english is not None else None, reading)
            out.append(words or "")
        elif name and name not in ("gap", "note"):
            out.append(text_of(child, reading) or "")
        out.append(child.tail or "")
    return "".join(out)


def read_inline(el: etree._Element, where: str, allow_gap: bool = False, nested=None) -> tuple[str | None, list[Mark]]:
    """The printed text of a mixed-content element and its marks (corrections, regularisations, nested
    quotations, each once), checking that it holds only the inline vocabulary. `nested(cit)` reads a
    nested quotation's cit (None: nested quotations are not allowed here). (None, []) for an empty
    element holding only a gap."""
    marks: list[Mark] = []
    kids = [c for c in el if isinstance(c.tag, str)]
    if allow_gap and len(kids) == 1 and local(kids[0]) == "gap" and not own_text(el).strip():
        _read_gap(kids[0], where)
        return None, []
    return _read_mixed(el, where, marks, nested), marks


def _read_gap(gap: etree._Element, where: str) -> None:
    _only_attrs(gap, {"reason": P.GAP_REASON}, where)
    descs = [c for c in gap if isinstance(c.tag, str)]
    if [local(d) for d in descs] != ["desc"] or len(descs[0]) or own_text(gap).strip():
        raise located_error(gap, where, f'a <gap> holds exactly one <desc xml:lang="en">{P.GAP_DESC}</desc>')
    _only_attrs(descs[0], {"xml:lang": "en"}, where)
    if (descs[0].text or "") != P.GAP_DESC:
        raise located_error(descs[0], where, f"the <desc> of a not-printed original reads {P.GAP_DESC!r}, found {descs[0].text!r}")


def _only_attrs(el: etree._Element, fixed: dict[str, str], where: str) -> None:
    for k, v in el.attrib.items():
        if shown_attr(k) not in fixed:
            raise located_error(el, where, f'attribute {shown_attr(k)}="{v}" is not in the quotecorpus profile on <{local(el)}>')
        if v != fixed[shown_attr(k)]:
            raise located_error(el, where, f"@{shown_attr(k)} of <{local(el)}> must be {fixed[shown_attr(k)]!r}, found {v!r}")
    for k in fixed:
        if el.get(attr_name(k)) is None:
            raise located_error(el, where, f'<{local(el)}> needs @{k}="{fixed[k]}"')


def only_text(el: etree._Element, where: str) -> str:
    """The text of an element that may hold only text (comments and PIs are skipped)."""
    for c in el:
        if isinstance(c.tag, str):
            raise located_error(c, where, f"{describe(c)} is not allowed inside <{local(el)}>, which holds only text")
    return own_text(el)


def _read_mixed(el: etree._Element, where: str, marks: list[Mark], nested=None) -> str:
    out = [el.text or ""]
    for child in el:
        name = local(child)
        if not name:
            pass  # a comment or processing instruction: its tail is text
        elif name == "ellipsis":
            _only_attrs(child, {}, where)
            inner = [c for c in child if isinstance(c.tag, str)]
            if [local(m) for m in inner] != ["metamark"] or own_text(child).strip():
                raise located_error(child, where, "an <ellipsis> holds exactly one <metamark> with the printed form, e.g. […]")
            _only_attrs(inner[0], {}, where)
            printed = only_text(inner[0], where)
            if not _ELLIPSIS.fullmatch(printed):
                raise located_error(inner[0], where, f"the <metamark> of an ellipsis is its printed form ([…], [...]), found {printed!r}")
            out.append(printed)
        elif name == "supplied":
            _only_attrs(child, {"reason": P.SUPPLIED_REASON}, where)
            out.append("[" + _read_mixed(child, where, marks) + "]")
        elif name == "choice":
            _only_attrs(child, {}, where)
            parts = {local(c): c for c in child if isinstance(c.tag, str)}
            kind = next((k for k, pair in _CHOICE.items() if sorted(parts) == sorted(pair)), None)
            if kind is None or len([c for c in child if isinstance(c.tag, str)]) != 2 or own_text(child).strip():
                raise located_error(
                    child, where, "a <choice> holds one <sic> (as printed) and one <corr> (corrected), or one <orig> and one <reg>"
                )
            for part in parts.values():
                _only_attrs(part, {}, where)
            printed, other = (only_text(parts[n], where) for n in _CHOICE[kind])
            if not any(m.kind == kind and m.printed == printed for m in marks):
                marks.append(Mark(kind, printed, other))
            out.append(printed)
        elif name == "cit" and nested is not None:
            text = nested(child, marks)
            out.append(text)
        else:
            allowed = "choice, ellipsis, supplied" + (", a nested quotation's cit" if nested is not None else "")
            raise located_error(child, where, f"{describe(child)} is not in the quotecorpus profile's inline vocabulary ({allowed})")
        out.append(child.tail or "")
    return "".join(out)
