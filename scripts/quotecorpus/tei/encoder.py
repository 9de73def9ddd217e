"""The profile's templates run forward: a record → its TEI element (generic: it follows the register's
template), with the derived texts (labels of pointers, dates in words, romanizations) the profile
derives, and the languages an entry declares.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from quotecorpus import profile as P
from quotecorpus.tei.inline import Mark, apply_corrections, write_inline
from quotecorpus.tei.nodes import Context, E, attr_name
from quotecorpus.text.chars import has_cyrillic, sic_pattern
from quotecorpus.text.translit import romanize_all, schemes_for


def _write_cited_where(note: etree._Element, entry: dict, ctx: Context) -> None:
    ref = etree.SubElement(note, P.T + "ref", target="#" + P.article_bibl_id(entry["article"]))
    ref.text = ctx.label("articles", entry["article"])
    where = P.cited_where(entry)
    if where:
        ref.tail = ", " + where


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


def attr_value(spec: Any, rec: dict, item: Any, ctx: Context) -> str | None:
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


def _encode_node(node: P.El, rec: dict, item: Any, ctx: Context) -> etree._Element | None:
    if isinstance(node.content, P.Dated):
        return _write_dated(node, rec)
    if node.when is not None and _empty(_value(rec, item, node.when)):
        return None
    attrs = {}
    for name, spec in node.attrs:
        v = attr_value(spec, rec, item, ctx)
        if v is None:
            if isinstance(spec, (P.Val, P.Ptr)) and not node.children and node.content is None:
                return None  # an attribute-only element (textLang): absent with its value
            continue
        attrs[attr_name(name)] = v
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


_LANG_ATTRS = ("xml:lang", "mainLang")


def languages(register: P.Register, rec: dict) -> set[str]:
    """Every xml:lang and textLang/@mainLang value the entry's TEI holds, from the record alone (for the
    langUsage of a document whose header is written before its entries are encoded)."""
    out: set[str] = set()
    _languages(register.tei, rec, None, out)
    return out


def _languages(node: P.El, rec: dict, item: Any, out: set[str]) -> None:
    # a function of its own, not a closure: a closure calling itself is a reference cycle, left for the
    # cycle collector by every record (builds run without it)
    for name, spec in node.attrs:
        if name not in _LANG_ATTRS:
            continue
        if isinstance(spec, str):
            out.add(spec)
        elif isinstance(spec, (P.Val, P.LangOf)) and (v := attr_value(spec, rec, item, Context())) is not None:
            out.add(v)
    for child in node.children:
        if isinstance(child, P.Each):
            for it in rec.get(child.field) or []:
                _languages(child.node, rec, it, out)
        elif isinstance(child, P.Derived):
            text = corrected(rec, child.source)
            if text and has_cyrillic(text):
                language = rec.get(child.source.language) if child.source.language else "ru"
                out.update(s.bcp47(language) for s in schemes_for(language))
        else:
            _languages(child, rec, item, out)
