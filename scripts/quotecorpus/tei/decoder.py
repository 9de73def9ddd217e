"""The profile's templates run backward: a TEI element → its record. Strict: an element, attribute or
value the template does not allow, a missing required element, a pointer into the wrong register,
or a derived text (a name, a date in words, a romanization) that differs from what the profile
derives is a TEILoadError naming the line and the element. So a record decoded from TEI encodes
back to the same TEI, and nothing in a file is silently dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from quotecorpus import profile as P
from quotecorpus.records.corpus import Record
from quotecorpus.records.validate import check_fields
from quotecorpus.tei.encoder import encode, romanizations
from quotecorpus.tei.inline import Mark, only_text, read_inline
from quotecorpus.tei.nodes import Context, attr_name, describe, local, located_error, own_text, shown_attr

_WHERE = re.compile(r"(pp?|nn?)\. ((?:\d+, )*\d+)(?:, |$)")


_WHERE_KEYS = {"p": "page", "pp": "pages", "n": "footnote", "nn": "footnotes"}


def _read_cited_where(note: etree._Element, where: str, ctx: Context) -> dict:
    kids = [c for c in note if isinstance(c.tag, str)]
    if [local(k) for k in kids] != ["ref"] or own_text(note).strip():
        raise located_error(note, where, "a citedIn <note> holds one <ref> to the article, then where it cites: “, p. 3, nn. 5, 60”")
    ref = kids[0]
    _check_attrs(ref, {"target"}, where)
    article = _pointer(ref, "target", P.ARTICLE_ID_PREFIX, "articles", ctx, where)
    entry: dict[str, Any] = {"article": article}
    tail = "".join(c.tail or "" for c in [ref, *ref.itersiblings()])
    rest = tail[2:] if tail.startswith(", ") else tail
    if tail and not tail.startswith(", "):
        raise located_error(note, where, f"after the article's <ref> comes “, p. …” or “, n. …”, found {tail!r}")
    pos = 0
    for m in _WHERE.finditer(rest):
        if m.start() != pos:
            break
        numbers = [int(n) for n in m.group(2).split(", ")]
        key = _WHERE_KEYS[m.group(1)]
        entry[key] = numbers if key.endswith("s") else numbers[0]
        if not key.endswith("s") and len(numbers) != 1:
            raise located_error(note, where, f"“{m.group(1)}.” takes one number, found {m.group(2)!r}")
        pos = m.end()
    if pos != len(rest):
        raise located_error(note, where, f"cannot read where the article cites it: {rest!r} (expected e.g. “p. 3, nn. 5, 60”)")
    if not ctx.trusted:
        _check_label(ref, ctx.label("articles", article), where)
    return entry


def _read_dated(el: etree._Element, d: _Decoding, slot: P.Dated) -> None:
    if el.get("when") is not None:
        for name in ("notBefore", "notAfter"):
            if el.get(name) is not None:
                raise located_error(el, d.where, f"<{local(el)}> has @when or @notBefore/@notAfter, not both (TEI att.datable)")
        d.rec[slot.field] = el.get("when")
        return
    first, last = el.get("notBefore"), el.get("notAfter")
    if first is None or last is None:
        raise located_error(el, d.where, f"{describe(el)} needs @when, or @notBefore and @notAfter")
    alternatives = [c for c in el if isinstance(c.tag, str)]
    for c in alternatives:
        if local(c) != local(el) or list(c.attrib) != ["when"] or len(c):
            raise located_error(c, d.where, f"{describe(c)}: an alternative of a date is a <date when> with the day in words")
    if alternatives:
        d.rec[slot.one_of] = [c.get("when") for c in alternatives]
        days = d.rec[slot.one_of]
    else:
        d.rec[slot.range] = [first, last]
        days = [first, last]
    d.rec[slot.field] = P.containing_date(sorted(days))


def _check_attrs(el: etree._Element, allowed: set[str], where: str) -> None:
    for k, v in el.attrib.items():
        if shown_attr(k) not in allowed:
            raise located_error(el, where, f'attribute {shown_attr(k)}="{v}" on {describe(el)} is not in the quotecorpus profile')


def _pointer(el: etree._Element, attr: str, prefix: str, register: str, ctx: Context, where: str) -> str:
    v = el.get(attr) or ""
    if not v.startswith("#" + prefix):
        raise located_error(el, where, f'@{attr}="{v}" on {describe(el)} must point into the document: "#{prefix}<id>"')
    target = v[1 + len(prefix) :]
    if ctx.trusted:
        return target  # our own build's output, validated as a whole file (tei_stream): pointers checked there
    if target not in ctx.entries.get(register, {}):
        other = next((r for r, es in ctx.entries.items() if target in es), None)
        found = f"it is a {P.BY_NAME[other].singular}" if other else "no such entry in this document"
        raise located_error(el, where, f'@{attr}="{v}" on <{local(el)}> must point to a {P.BY_NAME[register].singular}: {found}')
    return target


def _check_label(el: etree._Element, expected: str, where: str) -> None:
    found = only_text(el, where)
    if found != expected:
        raise located_error(el, where, f"<{local(el)}> reads {found!r}; the profile writes the entry's label here: {expected!r}")


def _parse(field_def: P.Field | None, text: str, el: etree._Element, where: str, what: str) -> Any:
    t = field_def.item if field_def is not None and field_def.type == "list" else (field_def.type if field_def else "str")
    if t == "flag":
        return True  # the attribute's one value (its mapping) was checked
    if t == "int":
        if not re.fullmatch(r"[1-9]\d{0,8}", text):
            raise located_error(el, where, f"{what} must be a positive whole number, found {text!r}")
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
            if el.get(attr_name(a)) != spec:
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
        v = el.get(attr_name(name))
        if isinstance(spec, str):
            if v != spec:
                raise located_error(el, where, f"@{name} of <{tpl.tag}> here must be {spec!r}, found {v!r}")
        elif v is None:
            flag = isinstance(spec, P.Val) and getattr(_field_def(d.register, spec.field, each), "type", None) == "flag"
            if isinstance(spec, (P.Val, P.Ptr, P.RomanTag, P.FilePtr)) and not flag:  # an absent flag is not set
                raise located_error(el, where, f"{describe(el)} needs @{name}")
        elif isinstance(spec, P.Val):
            if spec.prefix and not v.startswith(spec.prefix):
                raise located_error(el, where, f'@{name}="{v}" must start with {spec.prefix!r}')
            raw = v[len(spec.prefix) :]
            if spec.mapping:
                back = {b: a for a, b in spec.mapping}
                if raw not in back:
                    raise located_error(el, where, f'@{name}="{v}" on <{tpl.tag}> is not one of: {", ".join(back)}')
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
                raise located_error(el, where, f'@{name}="{v}" must point to a quotation in its article\'s file: "<article>.xml#<id>"')
            value_out = target
    content = tpl.content
    if content is None:
        if own_text(el).strip():
            raise located_error(el, where, f"{describe(el)} holds elements only, found text {own_text(el).strip()[:40]!r}")
    elif isinstance(content, str):
        if only_text(el, where) != content:
            raise located_error(el, where, f"<{tpl.tag}> here must read {content!r}")
    elif isinstance(content, P.Text):
        fdef = _field_def(d.register, content.field, each)
        value = _parse(fdef, only_text(el, where), el, where, f"<{tpl.tag}>")
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
            raise located_error(el, where, f"<{tpl.tag}> is empty")
    elif isinstance(content, P.SicCorr):
        kids = [c for c in el if isinstance(c.tag, str)]
        if kids:
            text, marks = read_inline(el, where)
            if len(kids) != 1 or local(kids[0]) != "choice" or own_text(el).strip() or marks[0].kind != "corr":
                raise located_error(el, where, f"<{tpl.tag}> holds its text, or one <choice> of <sic> and <corr>")
            d.rec[content.field], d.rec[content.corrected] = marks[0].printed, marks[0].other
        else:
            d.rec[content.field] = only_text(el, where)
    elif isinstance(content, P.CitedWhere):
        value_out = _read_cited_where(el, where, d.ctx)
    elif isinstance(content, P.RomanText):
        if content.inline:
            text, marks = read_inline(el, where)
            if marks:
                raise located_error(el, where, "a romanization holds no corrections (it is made from the corrected reading)")
        else:
            text = only_text(el, where)
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
                raise located_error(el, where, "a regularisation (<choice> of <orig> and <reg>) belongs to the original, not the English")
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
        raise located_error(
            cit,
            d.where,
            f"{describe(cit)}: a quotation nested in a {content.field} holds its words there: {where} is empty",
        )
    for key, kind in (("corrections", "corr"), ("regularisations", "reg")):
        for entry in item.pop(key, []):
            other = Mark(kind, entry.get("sic", entry.get("orig")), entry.get("corr", entry.get("reg")))
            if other not in marks:
                marks.append(other)
    for f in P.NESTED.fields:
        if f.required and f.name not in item:
            raise located_error(cit, d.where, f"nested quotation {item.get('id', '?')}: the profile requires its {f.name}")
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
                    raise located_error(c, d.where, f"{describe(c)} is not allowed inside <{tpl.tag}>")
        return
    by_tag = _children_by_tag(tpl)
    seen: set[int] = set()
    for c in el:
        if not isinstance(c.tag, str):
            continue
        candidates = by_tag.get(c.tag)
        if candidates is None and not c.tag.startswith(P.T):
            raise located_error(c, d.where, f"{describe(c)} (namespace {etree.QName(c).namespace}) is not TEI")
        found = [x for x, n, discriminators in candidates or () if _matches(c, n, discriminators)]
        if not found:
            allowed = ", ".join(_signature(x.node if isinstance(x, (P.Each, P.Derived)) else x) for x in tpl.children)
            raise located_error(c, d.where, f"{describe(c)} is not in the quotecorpus profile inside <{tpl.tag}> (allowed: {allowed})")
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
                raise located_error(c, d.where, f"{describe(c)} may occur only once inside <{tpl.tag}>")
            seen.add(id(child))
            _decode_node(child, c, d, item, each, roman)


def _signature(node: P.El) -> str:
    preds = "".join(f"[@{k}='{v}']" for k, v in node.fixed.items() if k != "xml:lang")
    return node.tag + preds


def _check_value(fdef: P.Field | None, value: Any, el: etree._Element, where: str, what: str) -> None:
    if fdef is None:
        return
    if fdef.type == "enum" and value not in fdef.values:
        raise located_error(el, where, f'{what}="{value}" on <{local(el)}> is not one of: {", ".join(fdef.values)}')
    if fdef.type == "lang" and value not in P.ISO_639_1:
        raise located_error(el, where, f'{what}="{value}" on <{local(el)}> is not an ISO 639-1 language code')
    if fdef.type == "date" and not re.fullmatch(r"\d{4}(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?)?", str(value)):
        raise located_error(el, where, f'{what}="{value}" on <{local(el)}> is not an ISO 8601 date (1920, 1920-07, 1920-07-23)')


def decode(register: P.Register, el: etree._Element, ctx: Context) -> tuple[dict, dict[str, list[tuple[str, str]]]]:
    """The record of one TEI entry, and its derived romanizations ({field: [(tag, text)]}).

    Raises TEILoadError (with the line) for anything outside the template, and checks every
    derived text (labels, dates in words, romanizations) against what the profile derives."""
    tpl = register.tei
    if local(el) != tpl.tag:
        raise located_error(el, ctx.source, f"{describe(el)} is not a {register.singular} (a <{tpl.tag}>)")
    d = _Decoding(register, ctx, ctx.source)
    _decode_node(tpl, el, d, None, None, None)
    rec = {f.name: d.rec[f.name] for f in register.fields if f.name in d.rec}
    for node in P.walk(tpl):
        for _, spec in node.attrs:  # a value written in place of an empty field is not that field's
            if isinstance(spec, P.Val) and spec.default and spec.field in rec and rec[spec.field] == rec.get(spec.default):
                del rec[spec.field]
    for f in register.fields:
        if f.required and f.name not in rec:
            raise located_error(
                el, ctx.source, f"{register.singular} {rec.get('id', '?')}: the profile requires its {f.name} ({_where_field(tpl, f.name)})"
            )
    if ctx.trusted:
        return rec, {child.source.field: [(t, x) for t, x, _ in d.derived.get(id(child), [])] for child in _derived_nodes(tpl)}
    for problem in check_fields(register, Record(register, ctx.source, el.sourceline or 0, rec)):
        raise located_error(el, ctx.source, problem.message)
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
            raise located_error(at, where, f'a romanization in xml:lang="{tag}" is not one the profile generates here ({schemes})')
        if tag in seen:
            raise located_error(at, where, f'the romanization in xml:lang="{tag}" occurs twice')
        if text != want[tag]:
            raise located_error(
                at, where, f'<{local(at)} xml:lang="{tag}"> reads {text!r}; the profile generates {want[tag]!r} from the corrected text'
            )
        seen.add(tag)
    missing = [t for t in want if t not in seen]
    if missing:
        raise located_error(el, where, f"{register.singular} {rec.get('id', '?')}: the romanization(s) in {', '.join(missing)} are missing")


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
    if own_text(el).strip():
        return True
    kids = [c for c in el if isinstance(c.tag, str)]
    return not kids or any((c.tail or "").strip() for c in kids)


def _canon(el: etree._Element) -> str:
    attrs = " ".join(f'{shown_attr(k)}="{v}"' for k, v in sorted(el.attrib.items()))
    if _is_text(el):
        inner = (el.text or "") + "".join(_canon(c) + (c.tail or "") if isinstance(c.tag, str) else (c.tail or "") for c in el)
        return f"<{local(el)} {attrs}>{inner}</>"
    return f"<{local(el)} {attrs}>" + "".join(sorted(_canon(c) for c in el if isinstance(c.tag, str))) + "</>"


def _compare(expected: etree._Element, found: etree._Element, where: str) -> None:
    if _canon(expected) == _canon(found):
        return
    if dict(expected.attrib) != dict(found.attrib):
        want = " ".join(f'{shown_attr(k)}="{v}"' for k, v in expected.attrib.items())
        raise located_error(found, where, f"{describe(found)}: the profile writes <{local(expected)} {want}> here")
    if _is_text(expected) or _is_text(found):
        want = [c for c in expected if isinstance(c.tag, str)]
        have = [c for c in found if isinstance(c.tag, str)]
        same_text = own_text(expected) == own_text(found) and [c.tail or "" for c in want] == [c.tail or "" for c in have]
        if same_text and [local(c) for c in want] == [local(c) for c in have]:
            # the same words around the same elements: the difference is inside one of them (a nested quotation)
            for w, h in zip(want, have, strict=True):
                if _canon(w) != _canon(h):
                    _compare(w, h, where)
        raise located_error(
            found,
            where,
            f"{describe(found)} reads {_plain_text(found)!r}; the profile derives {_plain_text(expected)!r} here",
        )
    want = [c for c in expected if isinstance(c.tag, str)]
    have = [c for c in found if isinstance(c.tag, str)]
    for c in have:  # pair each child with the expected one of the same element and discriminating attributes
        same = [w for w in want if local(w) == local(c) and all(w.get(a) == c.get(a) for a in ("type", "role", "unit", "level"))]
        if not same:
            raise located_error(c, where, f"{describe(c)} is not what the profile writes here from the entry's record")
        match = next((w for w in same if _canon(w) == _canon(c)), None)
        if match is None:
            _compare(same[0], c, where)
        want.remove(match if match is not None else same[0])
    if want:
        raise located_error(found, where, f"{describe(found)} lacks {describe(want[0])}, which the profile writes from the entry's record")


def _plain_text(el: etree._Element) -> str:
    return "".join(t for t in el.itertext())
