"""The profile's templates run both ways: a record → its TEI element, and a TEI element → its record.

`encode` and `decode` are generic: they follow a register's template in the profile. The decoder is
strict: an element, attribute or value the template does not allow, a missing required element,
a pointer into the wrong register, or a derived text (a name, a date in words, a romanization)
that differs from what the profile derives is a TEILoadError naming the line and the element. So
a record decoded from TEI encodes back to the same TEI, and nothing in a file is silently dropped.

The inline codec (mixed content: choice/sic/corr, ellipsis, supplied, gap) and the `cited_in`
codec are hand-written, once, for both directions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from quotecorpus import profile as P
from quotecorpus.errors import TEILoadError
from quotecorpus.records.corpus import Record
from quotecorpus.records.validate import check_fields
from quotecorpus.text.chars import has_cyrillic, sic_pattern
from quotecorpus.text.translit import romanize_all, schemes_for

E = etree.Element


def _attr_name(name: str) -> str:
    return {"xml:lang": P.XML_LANG, "xml:id": P.XML_ID}.get(name, name)


def _shown_attr(name: str) -> str:
    return {P.XML_LANG: "xml:lang", P.XML_ID: "xml:id"}.get(name, name)


def local(el: etree._Element) -> str:
    """An element's local name; "" for comments and processing instructions."""
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def describe(el: etree._Element) -> str:
    """<cit type="translaton"> as a message shows it."""
    attrs = "".join(f' {_shown_attr(k)}="{v}"' for k, v in el.attrib.items())
    return f"<{local(el)}{attrs}>"


# --- the inline codec ----------------------------------------------------------------------------

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
    if len(kids) == 1 and local(kids[0]) == "gap" and not _own_text(el).strip():
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


def _own_text(el: etree._Element) -> str:
    """The element's text with comments and PIs skipped (their tails are text)."""
    return (el.text or "") + "".join(c.tail or "" for c in el if not isinstance(c.tag, str))


def read_inline(el: etree._Element, where: str, allow_gap: bool = False, nested=None) -> tuple[str | None, list[Mark]]:
    """The printed text of a mixed-content element and its marks (corrections, regularisations, nested
    quotations, each once), checking that it holds only the inline vocabulary. `nested(cit)` reads a
    nested quotation's cit (None: nested quotations are not allowed here). (None, []) for an empty
    element holding only a gap."""
    marks: list[Mark] = []
    kids = [c for c in el if isinstance(c.tag, str)]
    if allow_gap and len(kids) == 1 and local(kids[0]) == "gap" and not _own_text(el).strip():
        _read_gap(kids[0], where)
        return None, []
    return _read_mixed(el, where, marks, nested), marks


def _read_gap(gap: etree._Element, where: str) -> None:
    _only_attrs(gap, {"reason": P.GAP_REASON}, where)
    descs = [c for c in gap if isinstance(c.tag, str)]
    if [local(d) for d in descs] != ["desc"] or len(descs[0]) or _own_text(gap).strip():
        raise _error(gap, where, f'a <gap> holds exactly one <desc xml:lang="en">{P.GAP_DESC}</desc>')
    _only_attrs(descs[0], {"xml:lang": "en"}, where)
    if (descs[0].text or "") != P.GAP_DESC:
        raise _error(descs[0], where, f"the <desc> of a not-printed original reads {P.GAP_DESC!r}, found {descs[0].text!r}")


def _only_attrs(el: etree._Element, fixed: dict[str, str], where: str) -> None:
    for k, v in el.attrib.items():
        if _shown_attr(k) not in fixed:
            raise _error(el, where, f'attribute {_shown_attr(k)}="{v}" is not in the quotecorpus profile on <{local(el)}>')
        if v != fixed[_shown_attr(k)]:
            raise _error(el, where, f"@{_shown_attr(k)} of <{local(el)}> must be {fixed[_shown_attr(k)]!r}, found {v!r}")
    for k in fixed:
        if el.get(_attr_name(k)) is None:
            raise _error(el, where, f'<{local(el)}> needs @{k}="{fixed[k]}"')


def _plain(el: etree._Element, where: str) -> str:
    """The text of an element that may hold only text (comments and PIs are skipped)."""
    for c in el:
        if isinstance(c.tag, str):
            raise _error(c, where, f"{describe(c)} is not allowed inside <{local(el)}>, which holds only text")
    return _own_text(el)


def _read_mixed(el: etree._Element, where: str, marks: list[Mark], nested=None) -> str:
    out = [el.text or ""]
    for child in el:
        name = local(child)
        if not name:
            pass  # a comment or processing instruction: its tail is text
        elif name == "ellipsis":
            _only_attrs(child, {}, where)
            inner = [c for c in child if isinstance(c.tag, str)]
            if [local(m) for m in inner] != ["metamark"] or _own_text(child).strip():
                raise _error(child, where, "an <ellipsis> holds exactly one <metamark> with the printed form, e.g. […]")
            _only_attrs(inner[0], {}, where)
            printed = _plain(inner[0], where)
            if not _ELLIPSIS.fullmatch(printed):
                raise _error(inner[0], where, f"the <metamark> of an ellipsis is its printed form ([…], [...]), found {printed!r}")
            out.append(printed)
        elif name == "supplied":
            _only_attrs(child, {"reason": P.SUPPLIED_REASON}, where)
            out.append("[" + _read_mixed(child, where, marks) + "]")
        elif name == "choice":
            _only_attrs(child, {}, where)
            parts = {local(c): c for c in child if isinstance(c.tag, str)}
            kind = next((k for k, pair in _CHOICE.items() if sorted(parts) == sorted(pair)), None)
            if kind is None or len([c for c in child if isinstance(c.tag, str)]) != 2 or _own_text(child).strip():
                raise _error(
                    child, where, "a <choice> holds one <sic> (as printed) and one <corr> (corrected), or one <orig> and one <reg>"
                )
            for part in parts.values():
                _only_attrs(part, {}, where)
            printed, other = (_plain(parts[n], where) for n in _CHOICE[kind])
            if not any(m.kind == kind and m.printed == printed for m in marks):
                marks.append(Mark(kind, printed, other))
            out.append(printed)
        elif name == "cit" and nested is not None:
            text = nested(child, marks)
            out.append(text)
        else:
            allowed = "choice, ellipsis, supplied" + (", a nested quotation's cit" if nested is not None else "")
            raise _error(child, where, f"{describe(child)} is not in the quotecorpus profile's inline vocabulary ({allowed})")
        out.append(child.tail or "")
    return "".join(out)


# --- cited_in: "<ref target="#bibl-x">Himmer 1976</ref>, p. 3, nn. 5, 60" -----------------------------

_WHERE = re.compile(r"(pp?|nn?)\. ((?:\d+, )*\d+)(?:, |$)")
_WHERE_KEYS = {"p": "page", "pp": "pages", "n": "footnote", "nn": "footnotes"}


def _write_cited_where(note: etree._Element, entry: dict, ctx: Context) -> None:
    ref = etree.SubElement(note, P.T + "ref", target="#" + P.article_bibl_id(entry["article"]))
    ref.text = ctx.label("articles", entry["article"])
    where = P.cited_where(entry)
    if where:
        ref.tail = ", " + where


def _read_cited_where(note: etree._Element, where: str, ctx: Context) -> dict:
    kids = [c for c in note if isinstance(c.tag, str)]
    if [local(k) for k in kids] != ["ref"] or _own_text(note).strip():
        raise _error(note, where, "a citedIn <note> holds one <ref> to the article, then where it cites: “, p. 3, nn. 5, 60”")
    ref = kids[0]
    _check_attrs(ref, {"target"}, where)
    article = _pointer(ref, "target", P.ARTICLE_ID_PREFIX, "articles", ctx, where)
    entry: dict[str, Any] = {"article": article}
    tail = "".join(c.tail or "" for c in [ref, *ref.itersiblings()])
    rest = tail[2:] if tail.startswith(", ") else tail
    if tail and not tail.startswith(", "):
        raise _error(note, where, f"after the article's <ref> comes “, p. …” or “, n. …”, found {tail!r}")
    pos = 0
    for m in _WHERE.finditer(rest):
        if m.start() != pos:
            break
        numbers = [int(n) for n in m.group(2).split(", ")]
        key = _WHERE_KEYS[m.group(1)]
        entry[key] = numbers if key.endswith("s") else numbers[0]
        if not key.endswith("s") and len(numbers) != 1:
            raise _error(note, where, f"“{m.group(1)}.” takes one number, found {m.group(2)!r}")
        pos = m.end()
    if pos != len(rest):
        raise _error(note, where, f"cannot read where the article cites it: {rest!r} (expected e.g. “p. 3, nn. 5, 60”)")
    if not ctx.trusted:
        _check_label(ref, ctx.label("articles", article), where)
    return entry


# --- encoding and decoding context ---------------------------------------------------------------


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


def _error(el: etree._Element, where: str, message: str) -> TEILoadError:
    line = el.sourceline if el is not None and el.sourceline else "?"
    return TEILoadError(f"{where}:{line}: {message}")


# --- encoding ------------------------------------------------------------------------------------


def _value(rec: dict, item: Any, name: str | None) -> Any:
    if name is None:
        return item
    if isinstance(item, dict) and name in item:
        return item[name]
    return rec.get(name) if not isinstance(item, dict) or name not in item else item[name]


def _empty(v: Any) -> bool:
    return v is None or v == "" or v == []


def corrections_of(rec: dict, target: str) -> list[tuple[str, str]]:
    return [(c["sic"], c["corr"]) for c in rec.get("corrections") or [] if c.get("in", "original") == target]


def marks_of(rec: dict, content: P.Inline, ctx: Context) -> list[Mark]:
    """What the inline codec marks in a record's text: its corrections, its regularisations (of the
    original) and the quotations nested in it (in the original; in the English when they have no original)."""
    marks = [Mark("corr", s, c) for s, c in corrections_of(rec, content.corrections)]
    if content.corrections == "original":
        marks += [Mark("reg", r["orig"], r["reg"]) for r in rec.get("regularisations") or []]
    for item in rec.get(content.nested) or [] if content.nested else []:
        span = nested_span(item, content.field)
        if span:
            marks.append(Mark("nested", span, make=lambda parent, item=item: _write_nested(parent, item, rec, content.field, ctx)))
    return marks


def nested_span(item: dict, field: str) -> str | None:
    """The words of a nested quotation in its outer quotation's `field`: its original, in the original;
    its English, in the English, when the article prints no original of it."""
    if field == "original":
        return item.get("original")
    return None if item.get("original") else item.get("translation")


def nested_record(item: dict, outer: dict) -> dict:
    """A nested quotation as a record of its own: its fields, and the outer quotation's place in the
    article, document and citation (profile.NESTED_INHERITS); its words are corrected by the outer's
    corrections that fall in them."""
    rec = {k: outer[k] for k in P.NESTED_INHERITS if not _empty(outer.get(k))} | item | {"part_of": outer["id"]}
    found = [c for c in outer.get("corrections") or [] if c.get("in", "original") == "original" and item.get("original")]
    found = [c for c in found if re.search(sic_pattern(c["sic"]), item["original"])]
    regs = [r for r in outer.get("regularisations") or [] if item.get("original") and re.search(sic_pattern(r["orig"]), item["original"])]
    return (
        {k: v for k, v in rec.items() if k not in ("corrections", "regularisations")}
        | ({"corrections": found} if found else {})
        | ({"regularisations": regs} if regs else {})
    )


def _write_nested(parent: etree._Element, item: dict, outer: dict, field: str, ctx: Context) -> tuple[etree._Element, etree._Element]:
    cit = _encode_node(P.NESTED_TEI, nested_record(item, outer), None, ctx)
    target = cit.find(P.T + "quote") if field == "original" else cit.find(f"{P.T}cit/{P.T}quote")
    for child in list(target):
        target.remove(child)
    target.text = None
    parent.append(cit)
    return cit, target


def corrected(rec: dict, slot: P.Romanized) -> str | None:
    """The reading a romanization is made from: the corrected one."""
    text = rec.get(slot.field)
    if slot.corrected and rec.get(slot.corrected):
        return rec[slot.corrected]
    if text and rec.get("corrections"):
        return apply_corrections(text, corrections_of(rec, slot.field))
    return text


def romanizations(rec: dict, slot: P.Romanized) -> list[tuple[str, str]]:
    """(BCP 47 tag, text) of every scheme for the field's corrected Cyrillic text; [] for Latin text."""
    text = corrected(rec, slot)
    if not text or not has_cyrillic(text):
        return []
    language = rec.get(slot.language) if slot.language else "ru"
    return [(tag, out) for _, tag, out in romanize_all(text, language)]


def _attr_value(spec: Any, rec: dict, item: Any, ctx: Context) -> str | None:
    if isinstance(spec, str):
        return spec
    if isinstance(spec, P.Val):
        v = _value(rec, item, spec.field)
        if _empty(v) and spec.default:
            v = _value(rec, item, spec.default)
        if _empty(v):
            return None
        v = str(v)
        return spec.prefix + (dict(spec.mapping)[v] if spec.mapping else v)
    if isinstance(spec, P.Ptr):
        v = _value(rec, item, spec.field)
        return None if _empty(v) else f"#{spec.prefix}{v}"
    if isinstance(spec, P.OwnPtr):
        return "#" + rec["id"]
    if isinstance(spec, P.FilePtr):
        return f"{P.tei_file_name(_article_of(item, ctx))}#{item}"
    if isinstance(spec, P.LangOf):
        v = _value(rec, item, spec.field)
        return "ru" if has_cyrillic(v) else None
    if isinstance(spec, P.RomanTag):
        return item[0]
    raise AssertionError(spec)


def _article_of(quotation_id: str, ctx: Context) -> str:
    """The article of a quotation: its record's, else the longest article id its id starts with."""
    found = ctx.entries.get("quotations", {}).get(quotation_id)
    if found is not None:
        return found["article"]
    known = [a for a in ctx.entries.get("articles", {}) if quotation_id.startswith(a + "-")]
    return max(known, key=len) if known else quotation_id.rsplit("-", 1)[0]


def _content_present(content: Any, rec: dict, item: Any) -> bool:
    if content is None or isinstance(content, str):
        return True
    if isinstance(content, P.Inline) and content.gap:
        return True
    if isinstance(content, (P.CitedWhere, P.RomanText)):
        return True
    return not _empty(_value(rec, item, content.field))


def _write_content(el: etree._Element, content: Any, rec: dict, item: Any, ctx: Context, node: P.El) -> None:
    if content is None:
        return
    if isinstance(content, str):
        el.text = content
    elif isinstance(content, P.Text):
        el.text = str(_value(rec, item, content.field))
    elif isinstance(content, P.Label):
        field_name = content.field
        register = _ref_register(node, field_name, ctx)
        el.text = ctx.label(register, _value(rec, item, field_name))
    elif isinstance(content, P.Inline):
        text = rec.get(content.field)
        if _empty(text):
            gap = etree.SubElement(el, P.T + "gap", reason=P.GAP_REASON)
            # English, inside a quote in the original's language: say so, or it inherits ru/de/pl
            etree.SubElement(gap, P.T + "desc", {P.XML_LANG: "en"}).text = P.GAP_DESC
        else:
            write_inline(el, text, marks_of(rec, content, ctx))
    elif isinstance(content, P.SicCorr):
        if rec.get(content.corrected):
            choice = etree.SubElement(el, P.T + "choice")
            etree.SubElement(choice, P.T + "sic").text = rec[content.field]
            etree.SubElement(choice, P.T + "corr").text = rec[content.corrected]
        else:
            el.text = rec[content.field]
    elif isinstance(content, P.CitedWhere):
        _write_cited_where(el, item, ctx)
    elif isinstance(content, P.RomanText):
        if content.inline:
            write_inline(el, item[1])
        else:
            el.text = item[1]
    else:
        raise AssertionError(content)


_REF_OF: dict[tuple[int, str | None], str] = {}


def _ref_register(node: P.El, field_name: str | None, ctx: Context) -> str:
    """The register a Label's pointer points into: the field's `ref` in the profile."""
    return _REFS[id(node)]


def _write_dated(node: P.El, rec: dict) -> etree._Element | None:
    """<date when> of a day (or a partial date); <date notBefore notAfter> of a range, in words; of
    alternatives, with a <date when> per day: "12 August 1920 or 17 August 1920"."""
    slot: P.Dated = node.content
    if _empty(rec.get(slot.field)):
        return None
    one_of, span = rec.get(slot.one_of), rec.get(slot.range)
    if not one_of and not span:
        el = E(P.T + node.tag, {"when": str(rec[slot.field])})
        el.text = P.human_date(rec[slot.field])
        return el
    first, last = P.date_bounds(rec)
    el = E(P.T + node.tag, {"notBefore": first, "notAfter": last})
    if span:
        el.text = P.human_range(first, last)
        return el
    for i, day in enumerate(str(d) for d in one_of):
        alt = etree.SubElement(el, P.T + node.tag, {"when": day})
        alt.text = P.human_date(day)
        if i < len(one_of) - 1:
            alt.tail = " or "
    return el


def _read_dated(el: etree._Element, d: _Decoding, slot: P.Dated) -> None:
    if el.get("when") is not None:
        for name in ("notBefore", "notAfter"):
            if el.get(name) is not None:
                raise _error(el, d.where, f"<{local(el)}> has @when or @notBefore/@notAfter, not both (TEI att.datable)")
        d.rec[slot.field] = el.get("when")
        return
    first, last = el.get("notBefore"), el.get("notAfter")
    if first is None or last is None:
        raise _error(el, d.where, f"{describe(el)} needs @when, or @notBefore and @notAfter")
    alternatives = [c for c in el if isinstance(c.tag, str)]
    for c in alternatives:
        if local(c) != local(el) or list(c.attrib) != ["when"] or len(c):
            raise _error(c, d.where, f"{describe(c)}: an alternative of a date is a <date when> with the day in words")
    if alternatives:
        d.rec[slot.one_of] = [c.get("when") for c in alternatives]
        days = d.rec[slot.one_of]
    else:
        d.rec[slot.range] = [first, last]
        days = [first, last]
    d.rec[slot.field] = P.containing_date(sorted(days))


def _encode_node(node: P.El, rec: dict, item: Any, ctx: Context) -> etree._Element | None:
    if isinstance(node.content, P.Dated):
        return _write_dated(node, rec)
    if node.when is not None and _empty(_value(rec, item, node.when)):
        return None
    attrs = {}
    for name, spec in node.attrs:
        v = _attr_value(spec, rec, item, ctx)
        if v is None:
            if isinstance(spec, (P.Val, P.Ptr)) and not node.children and node.content is None:
                return None  # an attribute-only element (textLang): absent with its value
            continue
        attrs[_attr_name(name)] = v
    if not _content_present(node.content, rec, item):
        return None
    el = E(P.T + node.tag, attrs)
    _write_content(el, node.content, rec, item, ctx, node)
    for child in node.children:
        el.extend(_encode_child(child, rec, item, ctx))
    if node.content is None and not node.children and not attrs:
        return None
    if node.children and node.content is None and not len(el) and node.when is None:
        return None  # a container with nothing in it
    return el


def _encode_child(child: Any, rec: dict, item: Any, ctx: Context) -> list[etree._Element]:
    if isinstance(child, P.Each):
        return [e for it in rec.get(child.field) or [] if (e := _encode_node(child.node, rec, it, ctx)) is not None]
    if isinstance(child, P.Derived):
        return [e for it in romanizations(rec, child.source) if (e := _encode_node(child.node, rec, it, ctx)) is not None]
    e = _encode_node(child, rec, item, ctx)
    return [] if e is None else [e]


def encode(register: P.Register, rec: dict, ctx: Context) -> etree._Element:
    """The TEI element of one record, as the register's template says."""
    el = _encode_node(register.tei, rec, None, ctx)
    assert el is not None
    return el


# --- decoding ------------------------------------------------------------------------------------


def _check_attrs(el: etree._Element, allowed: set[str], where: str) -> None:
    for k, v in el.attrib.items():
        if _shown_attr(k) not in allowed:
            raise _error(el, where, f'attribute {_shown_attr(k)}="{v}" on {describe(el)} is not in the quotecorpus profile')


def _pointer(el: etree._Element, attr: str, prefix: str, register: str, ctx: Context, where: str) -> str:
    v = el.get(attr) or ""
    if not v.startswith("#" + prefix):
        raise _error(el, where, f'@{attr}="{v}" on {describe(el)} must point into the document: "#{prefix}<id>"')
    target = v[1 + len(prefix) :]
    if ctx.trusted:
        return target  # our own build's output, validated as a whole file (tei_stream): pointers checked there
    if target not in ctx.entries.get(register, {}):
        other = next((r for r, es in ctx.entries.items() if target in es), None)
        found = f"it is a {P.BY_NAME[other].singular}" if other else "no such entry in this document"
        raise _error(el, where, f'@{attr}="{v}" on <{local(el)}> must point to a {P.BY_NAME[register].singular}: {found}')
    return target


def _check_label(el: etree._Element, expected: str, where: str) -> None:
    found = _plain(el, where)
    if found != expected:
        raise _error(el, where, f"<{local(el)}> reads {found!r}; the profile writes the entry's label here: {expected!r}")


def _parse(field_def: P.Field | None, text: str, el: etree._Element, where: str, what: str) -> Any:
    t = field_def.item if field_def is not None and field_def.type == "list" else (field_def.type if field_def else "str")
    if t == "flag":
        return True  # the attribute's one value (its mapping) was checked
    if t == "int":
        if not re.fullmatch(r"[1-9]\d{0,8}", text):
            raise _error(el, where, f"{what} must be a positive whole number, found {text!r}")
        return int(text)
    return text


@dataclass
class _Decoding:
    register: P.Register
    ctx: Context
    where: str
    rec: dict = field(default_factory=dict)
    derived: dict[int, list[tuple[str, str]]] = field(default_factory=dict)  # id(Derived) -> found


def _field_def(reg: P.Register, name: str | None, each: P.Each | None) -> P.Field | None:
    if name is None:
        return reg.field(each.field) if each else None
    if each is not None:
        outer = reg.field(each.field)
        if outer.type == "records":
            return next((f for f in outer.fields if f.name == name), None)
    return reg.field(name) if name in reg.field_names else None


def _store(d: _Decoding, name: str | None, value: Any, item: dict | None, each: P.Each | None) -> Any:
    if name is None:
        return value  # the item of a scalar list
    if item is not None:
        item[name] = value
    else:
        d.rec[name] = value
    return value


def _matches(el: etree._Element, tpl: P.El, discriminators: set[str]) -> bool:
    """Does `el` stand for this template node? Each discriminating attribute must have the node's fixed
    value, any value where the node has a slot for it, and be absent where the node has none."""
    attrs = dict(tpl.attrs)
    for a in discriminators:
        spec = attrs.get(a)
        if isinstance(spec, str) or spec is None:
            if el.get(_attr_name(a)) != spec:
                return False
    return True


def _decode_node(tpl: P.El, el: etree._Element, d: _Decoding, item: dict | None, each: P.Each | None, roman: list | None) -> Any:
    """Read `el` (already matched to `tpl`) into the record (or the list item). Returns a scalar list item."""
    where = d.where
    value_out = None
    allowed = {name for name, _ in tpl.attrs}
    _check_attrs(el, allowed, where)
    if isinstance(tpl.content, P.Dated):
        _read_dated(el, d, tpl.content)  # its words are checked against the re-encoded entry
        return None
    for name, spec in tpl.attrs:
        v = el.get(_attr_name(name))
        if isinstance(spec, str):
            if v != spec:
                raise _error(el, where, f"@{name} of <{tpl.tag}> here must be {spec!r}, found {v!r}")
        elif v is None:
            flag = isinstance(spec, P.Val) and getattr(_field_def(d.register, spec.field, each), "type", None) == "flag"
            if isinstance(spec, (P.Val, P.Ptr, P.RomanTag, P.FilePtr)) and not flag:  # an absent flag is not set
                raise _error(el, where, f"{describe(el)} needs @{name}")
        elif isinstance(spec, P.Val):
            if spec.prefix and not v.startswith(spec.prefix):
                raise _error(el, where, f'@{name}="{v}" must start with {spec.prefix!r}')
            raw = v[len(spec.prefix) :]
            if spec.mapping:
                back = {b: a for a, b in spec.mapping}
                if raw not in back:
                    raise _error(el, where, f'@{name}="{v}" on <{tpl.tag}> is not one of: {", ".join(back)}')
                raw = back[raw]
            fdef = _field_def(d.register, spec.field, each)
            value = _parse(fdef, raw, el, where, f"@{name} of <{tpl.tag}>")
            _check_value(fdef, value, el, where, f"@{name}")
            _store(d, spec.field, value, item, each)
        elif isinstance(spec, P.Ptr):
            fdef = _field_def(d.register, spec.field, each)
            target = _pointer(el, name, spec.prefix, fdef.ref, d.ctx, where)
            value_out = _store(d, spec.field, target, item, each)
        elif isinstance(spec, P.RomanTag):
            value_out = v
        elif isinstance(spec, P.FilePtr):
            file, _, target = v.partition("#")
            article = file.removesuffix(".xml")
            if not target or not file.endswith(".xml") or not target.startswith(article + "-"):
                raise _error(el, where, f'@{name}="{v}" must point to a quotation in its article\'s file: "<article>.xml#<id>"')
            value_out = target
    content = tpl.content
    if content is None:
        if _own_text(el).strip():
            raise _error(el, where, f"{describe(el)} holds elements only, found text {_own_text(el).strip()[:40]!r}")
    elif isinstance(content, str):
        if _plain(el, where) != content:
            raise _error(el, where, f"<{tpl.tag}> here must read {content!r}")
    elif isinstance(content, P.Text):
        fdef = _field_def(d.register, content.field, each)
        value = _parse(fdef, _plain(el, where), el, where, f"<{tpl.tag}>")
        if content.field is None:
            value_out = value
        else:
            _store(d, content.field, value, item, each)
    elif isinstance(content, P.Label):
        pass  # checked against the re-encoded entry (see _check_derived)
    elif isinstance(content, P.Inline):
        nested = (lambda cit, marks: _read_nested(cit, marks, d, content)) if content.nested else None
        text, marks = read_inline(el, where, allow_gap=content.gap, nested=nested)
        if text is not None:
            d.rec[content.field] = text
            _store_marks(d.rec, marks, content, el, where)
        elif not content.gap:
            raise _error(el, where, f"<{tpl.tag}> is empty")
    elif isinstance(content, P.SicCorr):
        kids = [c for c in el if isinstance(c.tag, str)]
        if kids:
            text, marks = read_inline(el, where)
            if len(kids) != 1 or local(kids[0]) != "choice" or _own_text(el).strip() or marks[0].kind != "corr":
                raise _error(el, where, f"<{tpl.tag}> holds its text, or one <choice> of <sic> and <corr>")
            d.rec[content.field], d.rec[content.corrected] = marks[0].printed, marks[0].other
        else:
            d.rec[content.field] = _plain(el, where)
    elif isinstance(content, P.CitedWhere):
        value_out = _read_cited_where(el, where, d.ctx)
    elif isinstance(content, P.RomanText):
        if content.inline:
            text, marks = read_inline(el, where)
            if marks:
                raise _error(el, where, "a romanization holds no corrections (it is made from the corrected reading)")
        else:
            text = _plain(el, where)
        roman.append((value_out, text, el))
    _decode_children(tpl, el, d, item, each, roman)
    return value_out


def _store_marks(rec: dict, marks: list[Mark], content: P.Inline, el: etree._Element, where: str) -> None:
    for m in marks:
        if m.kind == "corr":
            entry = {"sic": m.printed, "corr": m.other} | ({} if content.corrections == "original" else {"in": content.corrections})
            if entry not in rec.setdefault("corrections", []):
                rec["corrections"].append(entry)
        elif m.kind == "reg":
            if content.corrections != "original":
                raise _error(el, where, "a regularisation (<choice> of <orig> and <reg>) belongs to the original, not the English")
            entry = {"orig": m.printed, "reg": m.other}
            if entry not in rec.setdefault("regularisations", []):
                rec["regularisations"].append(entry)


def _read_nested(cit: etree._Element, marks: list[Mark], d: _Decoding, content: P.Inline) -> str:
    """A quotation nested in this text: decoded into the record's `nested` list; its words (returned,
    as they stand in the outer text) are marked up with the outer record's corrections."""
    _check_attrs(cit, {name for name, _ in P.NESTED_TEI.attrs}, d.where)
    sub = _Decoding(P.NESTED, d.ctx, d.where)
    _decode_node(P.NESTED_TEI, cit, sub, None, None, [])
    item = sub.rec
    if content.field == "original":
        span = item.get("original")
    else:
        span = None if item.get("original") else item.get("translation")
    if not span:
        where = "its original" if content.field == "original" else "its English (it has no original)"
        raise _error(cit, d.where, f"{describe(cit)}: a quotation nested in a {content.field} holds its words there: {where} is empty")
    for key, kind in (("corrections", "corr"), ("regularisations", "reg")):
        for entry in item.pop(key, []):
            other = Mark(kind, entry.get("sic", entry.get("orig")), entry.get("corr", entry.get("reg")))
            if other not in marks:
                marks.append(other)
    for f in P.NESTED.fields:
        if f.required and f.name not in item:
            raise _error(cit, d.where, f"nested quotation {item.get('id', '?')}: the profile requires its {f.name}")
    d.rec.setdefault(content.nested, []).append({f.name: item[f.name] for f in P.NESTED.fields if f.name in item})
    return span


_BY_TAG: dict[int, dict] = {}  # by id(): hashing a template node hashes its whole subtree


def _children_by_tag(tpl: P.El) -> dict[str, list[tuple[Any, P.El, frozenset[str]]]]:
    """A template node's children by Clark name: (child, its El, the attributes that tell them apart)."""
    found = _BY_TAG.get(id(tpl))
    if found is not None:
        return found
    by_tag: dict[str, list[Any]] = {}
    for child in tpl.children:
        node = child.node if isinstance(child, (P.Each, P.Derived)) else child
        by_tag.setdefault(P.T + node.tag, []).append(child)
    out = {}
    for tag, candidates in by_tag.items():
        nodes = [x.node if isinstance(x, (P.Each, P.Derived)) else x for x in candidates]
        discriminators = frozenset(a for n in nodes for a in n.fixed)
        out[tag] = [(x, n, discriminators) for x, n in zip(candidates, nodes, strict=True)]
    _BY_TAG[id(tpl)] = out
    return out


def _decode_children(tpl: P.El, el: etree._Element, d: _Decoding, item: dict | None, each: P.Each | None, roman: list | None) -> None:
    if not tpl.children:
        if tpl.content is None or isinstance(tpl.content, (P.Text, P.Label, str)):
            for c in el:
                if isinstance(c.tag, str):
                    raise _error(c, d.where, f"{describe(c)} is not allowed inside <{tpl.tag}>")
        return
    by_tag = _children_by_tag(tpl)
    seen: set[int] = set()
    for c in el:
        if not isinstance(c.tag, str):
            continue
        candidates = by_tag.get(c.tag)
        if candidates is None and not c.tag.startswith(P.T):
            raise _error(c, d.where, f"{describe(c)} (namespace {etree.QName(c).namespace}) is not TEI")
        found = [x for x, n, discriminators in candidates or () if _matches(c, n, discriminators)]
        if not found:
            allowed = ", ".join(_signature(x.node if isinstance(x, (P.Each, P.Derived)) else x) for x in tpl.children)
            raise _error(c, d.where, f"{describe(c)} is not in the quotecorpus profile inside <{tpl.tag}> (allowed: {allowed})")
        child = found[0]
        if isinstance(child, P.Each):
            fdef = d.register.field(child.field)
            sub: dict | None = {} if fdef.type == "records" else None
            value = _decode_node(child.node, c, d, sub, child, None)
            entry = sub if sub is not None and not isinstance(value, dict) else value
            target = item if item is not None else d.rec
            target.setdefault(child.field, []).append(entry)
        elif isinstance(child, P.Derived):
            found_list = d.derived.setdefault(id(child), [])
            _decode_node(child.node, c, d, item, each, found_list)
        else:
            if id(child) in seen:
                raise _error(c, d.where, f"{describe(c)} may occur only once inside <{tpl.tag}>")
            seen.add(id(child))
            _decode_node(child, c, d, item, each, roman)


def _signature(node: P.El) -> str:
    preds = "".join(f"[@{k}='{v}']" for k, v in node.fixed.items() if k != "xml:lang")
    return node.tag + preds


def _check_value(fdef: P.Field | None, value: Any, el: etree._Element, where: str, what: str) -> None:
    if fdef is None:
        return
    if fdef.type == "enum" and value not in fdef.values:
        raise _error(el, where, f'{what}="{value}" on <{local(el)}> is not one of: {", ".join(fdef.values)}')
    if fdef.type == "lang" and value not in P.ISO_639_1:
        raise _error(el, where, f'{what}="{value}" on <{local(el)}> is not an ISO 639-1 language code')
    if fdef.type == "date" and not re.fullmatch(r"\d{4}(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?)?", str(value)):
        raise _error(el, where, f'{what}="{value}" on <{local(el)}> is not an ISO 8601 date (1920, 1920-07, 1920-07-23)')


def decode(register: P.Register, el: etree._Element, ctx: Context) -> tuple[dict, dict[str, list[tuple[str, str]]]]:
    """The record of one TEI entry, and its derived romanizations ({field: [(tag, text)]}).

    Raises TEILoadError (with the line) for anything outside the template, and checks every
    derived text (labels, dates in words, romanizations) against what the profile derives."""
    tpl = register.tei
    if local(el) != tpl.tag:
        raise _error(el, ctx.source, f"{describe(el)} is not a {register.singular} (a <{tpl.tag}>)")
    d = _Decoding(register, ctx, ctx.source)
    _decode_node(tpl, el, d, None, None, None)
    rec = {f.name: d.rec[f.name] for f in register.fields if f.name in d.rec}
    for node in P.walk(tpl):
        for _, spec in node.attrs:  # a value written in place of an empty field is not that field's
            if isinstance(spec, P.Val) and spec.default and spec.field in rec and rec[spec.field] == rec.get(spec.default):
                del rec[spec.field]
    for f in register.fields:
        if f.required and f.name not in rec:
            raise _error(
                el, ctx.source, f"{register.singular} {rec.get('id', '?')}: the profile requires its {f.name} ({_where_field(tpl, f.name)})"
            )
    if ctx.trusted:
        return rec, {child.source.field: [(t, x) for t, x, _ in d.derived.get(id(child), [])] for child in _derived_nodes(tpl)}
    for problem in check_fields(register, Record(register, ctx.source, el.sourceline or 0, rec)):
        raise _error(el, ctx.source, problem.message)
    derived = {}
    for child in _derived_nodes(tpl):
        expected = romanizations(rec, child.source)
        _check_romanizations(register, rec, el, expected, d.derived.get(id(child), []), ctx.source)
        derived[child.source.field] = expected
    _check_derived(register, tpl, el, rec, ctx)
    return rec, derived


def _check_romanizations(register: P.Register, rec: dict, el: etree._Element, expected: list, found: list, where: str) -> None:
    """The romanizations are generated from the corrected reading: one per scheme, each as the scheme writes it."""
    want = dict(expected)
    seen = set()
    for tag, text, at in found:
        if tag not in want:
            schemes = ", ".join(want) or "none: the text has no Cyrillic"
            raise _error(at, where, f'a romanization in xml:lang="{tag}" is not one the profile generates here ({schemes})')
        if tag in seen:
            raise _error(at, where, f'the romanization in xml:lang="{tag}" occurs twice')
        if text != want[tag]:
            raise _error(
                at, where, f'<{local(at)} xml:lang="{tag}"> reads {text!r}; the profile generates {want[tag]!r} from the corrected text'
            )
        seen.add(tag)
    missing = [t for t in want if t not in seen]
    if missing:
        raise _error(el, where, f"{register.singular} {rec.get('id', '?')}: the romanization(s) in {', '.join(missing)} are missing")


def _derived_nodes(node: P.El):
    for child in node.children:
        if isinstance(child, P.Derived):
            yield child
        elif isinstance(child, P.El):
            yield from _derived_nodes(child)


def _where_field(tpl: P.El, name: str) -> str:
    for node in P.walk(tpl):
        slots = [s for _, s in node.attrs] + [node.content]
        if any(getattr(s, "field", "-") == name for s in slots):
            return _signature(node)
    return name


def _check_derived(register: P.Register, tpl: P.El, el: etree._Element, rec: dict, ctx: Context) -> None:
    """The entry must be exactly what the encoder writes from its record: every derived text (a name
    inside a pointer, a date in words, a language tag), every element the profile writes twice (a
    work's language in its title and its textLang), nothing missing. Order and whitespace between
    elements, comments and processing instructions do not count."""
    expected = encode(register, rec, ctx)
    _compare(expected, el, ctx.source)


def _is_text(el: etree._Element) -> bool:
    """Does the element hold text (mixed content) rather than only elements?"""
    if _own_text(el).strip():
        return True
    kids = [c for c in el if isinstance(c.tag, str)]
    return not kids or any((c.tail or "").strip() for c in kids)


def _canon(el: etree._Element) -> str:
    attrs = " ".join(f'{_shown_attr(k)}="{v}"' for k, v in sorted(el.attrib.items()))
    if _is_text(el):
        inner = (el.text or "") + "".join(_canon(c) + (c.tail or "") if isinstance(c.tag, str) else (c.tail or "") for c in el)
        return f"<{local(el)} {attrs}>{inner}</>"
    return f"<{local(el)} {attrs}>" + "".join(sorted(_canon(c) for c in el if isinstance(c.tag, str))) + "</>"


def _compare(expected: etree._Element, found: etree._Element, where: str) -> None:
    if _canon(expected) == _canon(found):
        return
    if dict(expected.attrib) != dict(found.attrib):
        want = " ".join(f'{_shown_attr(k)}="{v}"' for k, v in expected.attrib.items())
        raise _error(found, where, f"{describe(found)}: the profile writes <{local(expected)} {want}> here")
    if _is_text(expected) or _is_text(found):
        want = [c for c in expected if isinstance(c.tag, str)]
        have = [c for c in found if isinstance(c.tag, str)]
        same_text = _own_text(expected) == _own_text(found) and [c.tail or "" for c in want] == [c.tail or "" for c in have]
        if same_text and [local(c) for c in want] == [local(c) for c in have]:
            # the same words around the same elements: the difference is inside one of them (a nested quotation)
            for w, h in zip(want, have, strict=True):
                if _canon(w) != _canon(h):
                    _compare(w, h, where)
        raise _error(found, where, f"{describe(found)} reads {_plain_text(found)!r}; the profile derives {_plain_text(expected)!r} here")
    want = [c for c in expected if isinstance(c.tag, str)]
    have = [c for c in found if isinstance(c.tag, str)]
    for c in have:  # pair each child with the expected one of the same element and discriminating attributes
        same = [w for w in want if local(w) == local(c) and all(w.get(a) == c.get(a) for a in ("type", "role", "unit", "level"))]
        if not same:
            raise _error(c, where, f"{describe(c)} is not what the profile writes here from the entry's record")
        match = next((w for w in same if _canon(w) == _canon(c)), None)
        if match is None:
            _compare(same[0], c, where)
        want.remove(match if match is not None else same[0])
    if want:
        raise _error(found, where, f"{describe(found)} lacks {describe(want[0])}, which the profile writes from the entry's record")


def _plain_text(el: etree._Element) -> str:
    return "".join(t for t in el.itertext())


_REFS: dict[int, str] = {}


def _index_refs() -> None:
    """Which register each Label's pointer points into, from the fields' `ref` (computed once)."""
    for reg in (*P.REGISTERS, P.NESTED):
        for child in P.walk(reg.tei):
            if isinstance(child.content, P.Label):
                name = child.content.field
                if name is None:  # an Each over a list of ids
                    each = next(e for e in _eaches(reg.tei) if e.node is child)
                    _REFS[id(child)] = reg.field(each.field).ref
                else:
                    _REFS[id(child)] = reg.field(name).ref


def _eaches(node: P.El):
    for child in node.children:
        if isinstance(child, P.Each):
            yield child
            yield from _eaches(child.node)
        elif isinstance(child, P.El):
            yield from _eaches(child)


_index_refs()


# --- the languages an entry declares -------------------------------------------------------------

_LANG_ATTRS = ("xml:lang", "mainLang")


def languages(register: P.Register, rec: dict) -> set[str]:
    """Every xml:lang and textLang/@mainLang value the entry's TEI holds, from the record alone (for the
    langUsage of a document whose header is written before its entries are encoded)."""
    out: set[str] = set()

    def visit(node: P.El, item: Any) -> None:
        for name, spec in node.attrs:
            if name not in _LANG_ATTRS:
                continue
            if isinstance(spec, str):
                out.add(spec)
            elif isinstance(spec, (P.Val, P.LangOf)) and (v := _attr_value(spec, rec, item, Context())) is not None:
                out.add(v)
        for child in node.children:
            if isinstance(child, P.Each):
                for it in rec.get(child.field) or []:
                    visit(child.node, it)
            elif isinstance(child, P.Derived):
                text = corrected(rec, child.source)
                if text and has_cyrillic(text):
                    language = rec.get(child.source.language) if child.source.language else "ru"
                    out.update(s.bcp47(language) for s in schemes_for(language))
            else:
                visit(child, item)

    visit(register.tei, None)
    return out
