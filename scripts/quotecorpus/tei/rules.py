"""Our Schematron, generated from the profile: every element, attribute and value the profile allows.

`quotecorpus schema` writes it to tei/schema/quotecorpus-profile.sch (a test checks it is current),
so any ISO Schematron processor (lxml.isoschematron, SchXslt, oXygen) can check a TEI file against
our profile, not only our loader. One rule per template node says, for that element:

* which attributes it may carry, and the closed list of values of each (fixed values, enumerations,
  mapped values, language codes, dates);
* which child elements it may hold, which it must hold and which at most once;
* that a pointer points into the right register (a speaker to a person, not to a work);
* that an element of element-only content holds no text, and a fixed text is that text.

Rules are XPath 1.0 with element contexts only, so lxml's XSLT 1.0 skeleton reports each failure's
location, from which tei_validate gives the line. The hand-written generic rules (unique ids,
pointers resolve, languages declared) stay in quotecorpus.sch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from lxml import etree

from quotecorpus import profile as P
from quotecorpus.text.translit import SCHEMES

SCH = "http://purl.oclc.org/dsdl/schematron"
LOCAL_PHASE = "local"  # the phase of both our Schematron files that needs no more than a part of a document
XSL = "http://www.w3.org/1999/XSL/Transform"


def _q(value: str) -> str:
    """An XPath 1.0 string literal."""
    return f"'{value}'" if "'" not in value else f'"{value}"'


def _one_of(expr: str, values) -> str:
    return " or ".join(f"{expr} = {_q(v)}" for v in values)


def vo(expr: str) -> str:
    """A <sch:value-of> in a message (messages are XML fragments)."""
    return '<sch:value-of select="' + xml_escape(expr, {'"': "&quot;"}) + '"/>'


ME = "&lt;" + vo("name()") + "&gt;"
# Ends a message about a child element: tei_validate reports that child's line instead of its parent's.
CHILD_MARK = "[child {}]"


def _shown(step: str) -> str:
    return xml_escape(step.replace("tei:", ""))


@dataclass
class Node:
    """A template node placed in the document: its match pattern and what it allows."""

    tpl: P.El
    pattern: str
    register: P.Register | None
    each: P.Each | None
    repeated: bool
    required: bool
    siblings: list[Any]


def _signature(node: P.El, discriminators: set[str]) -> str:
    """The XPath step that picks this template node out among its siblings."""
    attrs = dict(node.attrs)
    preds = []
    for a in sorted(discriminators):
        spec = attrs.get(a)
        if isinstance(spec, str):
            preds.append(f"[@{a} = {_q(spec)}]")
        elif spec is None:
            preds.append(f"[not(@{a})]")
    return f"tei:{node.tag}" + "".join(preds)


def _discriminators(children: list[Any], tag: str) -> set[str]:
    nodes = [c.node if isinstance(c, (P.Each, P.Derived)) else c for c in children]
    return {a for n in nodes if n.tag == tag for a in n.fixed}


def _unwrap(child: Any) -> P.El:
    return child.node if isinstance(child, (P.Each, P.Derived)) else child


def _required(node: P.El, register: P.Register, each: P.Each | None) -> bool:
    """Must this element be present? When it holds a required field (or a gap standing for it)."""
    fields = {f.name: f for f in register.fields}
    if each is not None:
        outer = register.field(each.field)
        fields = {f.name: f for f in outer.fields} if outer.type == "records" else {}
    slots = [s for _, s in node.attrs] + [node.content]
    for s in slots:
        name = getattr(s, "field", None)
        if isinstance(s, P.Inline) and s.gap:
            return True
        if name and name in fields and fields[name].required:
            return True
    return any(_required(_unwrap(c), register, each) for c in node.children if isinstance(c, P.El))


def placed(register: P.Register) -> list[Node]:
    """Every template node of a register with its match pattern, outermost first."""
    # a nested quotation is any cit directly inside a quote (the entries' own cits stand in a div)
    base = "tei:quote" if register is P.NESTED else "/".join(_signature(c, set(c.fixed)) for c in register.container)
    out: list[Node] = []

    def visit(tpl: P.El, pattern: str, each: P.Each | None, repeated: bool, required: bool, siblings: list[Any]) -> None:
        out.append(Node(tpl, pattern, register, each, repeated, required, siblings))
        for child in tpl.children:
            node = _unwrap(child)
            step = _signature(node, _discriminators(list(tpl.children), node.tag))
            inner_each = child if isinstance(child, P.Each) else each
            visit(
                node,
                f"{pattern}/{step}",
                inner_each,
                isinstance(child, (P.Each, P.Derived)),
                isinstance(child, P.El) and _required(node, register, inner_each),
                list(tpl.children),
            )

    visit(register.tei, f"{base}/tei:{register.tei.tag}", None, True, True, [])
    return out


# --- the asserts of one node ----------------------------------------------------------------------


def _field(register: P.Register, each: P.Each | None, name: str | None) -> P.Field | None:
    if each is not None:
        outer = register.field(each.field)
        if name is None:
            return outer
        if outer.type == "records":
            return next((f for f in outer.fields if f.name == name), None)
    return register.field(name) if name and name in register.field_names else None


def _entry_pattern(register: P.Register) -> str:
    """A test that a node found by key('ids', ...) is an entry of this register."""
    inner = register.container[-1]
    parent = f"parent::tei:{inner.tag}" + "".join(f"[@{k} = {_q(v)}]" for k, v in inner.fixed.items())
    return f"self::tei:{register.tei.tag}[{parent}]"


def _value_asserts(node: Node, name: str, spec: Any) -> list[tuple[str, str]]:
    at = f"@{name}"
    what = f"@{name}=&quot;{vo(at)}&quot; on {ME}"
    f = _field(node.register, node.each, getattr(spec, "field", None))
    out = []
    if isinstance(spec, str):
        out.append((f"not({at}) or {at} = {_q(spec)}", f"{what} must be {xml_escape(_q(spec))}."))
    elif isinstance(spec, P.Val):
        if spec.mapping:
            values = [spec.prefix + b for _, b in spec.mapping]
        elif f is not None and f.type == "enum":
            values = [spec.prefix + v for v in f.values]
        else:
            values = None
        if values:
            out.append((f"not({at}) or {_one_of(at, values)}", f"{what} is not one of: {xml_escape(', '.join(values))}."))
        elif f is not None and f.type == "lang":
            codes = " ".join(sorted(P.ISO_639_1))
            out.append((f"not({at}) or contains(' {codes} ', concat(' ', {at}, ' '))", f"{what} is not an ISO 639-1 language code."))
        elif f is not None and f.type in ("date", "int"):
            shape = f"translate({at}, '0123456789', 'dddddddddd')"
            out.append(
                (
                    f"not({at}) or {_one_of(shape, ['dddd', 'dddd-dd', 'dddd-dd-dd'])}",
                    f"{what} is not an ISO 8601 date (1920, 1920-07, 1920-07-23).",
                )
            )
        elif spec.prefix:
            out.append((f"not({at}) or starts-with({at}, {_q(spec.prefix)})", f"{what} must start with {_q(spec.prefix)}."))
    elif isinstance(spec, P.Ptr):
        # that it points into the right register needs the whole document: pointer_rules()
        out.append((f"not({at}) or starts-with({at}, {_q('#' + spec.prefix)})", f'{what} must be a pointer "#{spec.prefix}…".'))
    elif isinstance(spec, P.Bound):
        shape = f"translate({at}, '0123456789', 'dddddddddd')"
        out.append((f"not({at}) or {_one_of(shape, ['dddd-dd-dd'])}", f"{what} is not a day (1920-08-12)."))
    elif isinstance(spec, P.OwnPtr):
        out.append((f"{at} = concat('#', ../@xml:id)", f"{what} must point to its own quotation."))
    elif isinstance(spec, P.FilePtr):
        out.append(
            (
                f"not({at}) or contains({at}, '.xml#') and starts-with(substring-after({at}, '#'), "
                f"concat(substring-before({at}, '.xml#'), '-'))",
                f"{what} must point to a quotation in its article's file: &lt;article&gt;.xml#&lt;id&gt;.",
            )
        )
    elif isinstance(spec, P.LangOf):
        out.append((f"not({at}) or {at} = 'ru'", f"{what} is 'ru' for a name in Cyrillic, else absent."))
    elif isinstance(spec, P.RomanTag):
        tags = sorted({s.bcp47(lang) for s in SCHEMES.values() for lang in s.languages})
        out.append((f"not({at}) or {_one_of(at, tags)}", f"{what} is not the BCP 47 tag of one of our romanization schemes."))
    return out


def _content_asserts(node: Node) -> list[tuple[str, str]]:
    content = node.tpl.content
    if content is None:
        return [("not(text()[normalize-space()])", f"{ME} holds elements only, not text.")]
    if isinstance(content, str):
        return [(f"not(*) and normalize-space(.) = {_q(content)}", f"{ME} must read {xml_escape(_q(content))}.")]
    if isinstance(content, P.CitedWhere):
        return [("count(*) = 1 and tei:ref", f"{ME} holds one ref to the article, then the pages and notes.")]
    if isinstance(content, P.Dated):
        return [
            (
                "not(*[not(self::tei:date[@when])])",
                f"{ME} holds its day in words, or a &lt;date when&gt; for each of its alternatives, "
                f"found &lt;{vo('name(*[not(self::tei:date[@when])][1])')}&gt;.",
            ),
            ("not(@when and (@notBefore or @notAfter))", f"{ME} has @when or @notBefore and @notAfter, not both."),
            ("@when or @notBefore and @notAfter", f"{ME} needs @when, or @notBefore and @notAfter."),
            ("not(*) or not(@when)", f"alternatives are given with @notBefore and @notAfter on {ME}."),
            ("not(tei:date[@*[not(name() = 'when')] or *])", f"an alternative in {ME} is a &lt;date when&gt; with its day in words."),
            (
                "not(tei:date[not(" + _one_of("translate(@when, '0123456789', 'dddddddddd')", ["dddd-dd-dd"]) + ")])",
                f"an alternative in {ME} is a day (1920-08-12).",
            ),
        ]
    if isinstance(content, (P.Text, P.Label)) or (isinstance(content, P.RomanText) and not content.inline):
        return [("not(*)", f"{ME} holds only text, found &lt;{vo('name(*[1])')}&gt;."), ("normalize-space(.) != ''", f"{ME} is empty.")]
    inline = P.INLINE_IN_TITLE if isinstance(content, P.SicCorr) else P.INLINE_IN_TEXT
    if isinstance(content, P.Inline) and content.gap:
        inline = (*inline, "gap")
    if isinstance(content, P.Inline) and content.nested:
        inline = (*inline, P.INLINE_NESTING)
    other = "*[not(" + " or ".join(f"self::tei:{t}" for t in inline) + ")]"
    out = [(f"not({other})", f"{ME} may hold only {', '.join(inline)} in its text, found &lt;{vo(f'name({other}[1])')}&gt;.")]
    if "gap" in inline:
        out.append(
            ("not(tei:gap) or count(*) = 1 and not(text()[normalize-space()])", f"a gap in {ME} stands alone: the original is not printed.")
        )
    return out


def _children_asserts(node: Node, children: list[Node]) -> list[tuple[str, str]]:
    if not node.tpl.children:
        # an empty element (textLang): nothing in it; a text slot's children are checked with its content
        return [("not(*)", f"{ME} holds nothing, found &lt;{vo('name(*[1])')}&gt;.")] if node.tpl.content is None else []
    steps = [c.pattern.rsplit("/", 1)[1] for c in children]
    allowed = " or ".join(f"self::{s}" for s in steps)
    odd = f"*[not({allowed})][1]"
    attrs = sorted({a for c in children for a in c.tpl.fixed if a != "xml:lang"})
    # each discriminating attribute the odd child has, as name="value" (XPath 1.0: substring of length 0 or all)
    shown = "".join(vo(f"substring(concat(' {a}=\"', {odd}/@{a}, '\"'), 1, 1000 * boolean({odd}/@{a}))") for a in attrs)
    out = [
        (
            f"not(*[not({allowed})])",
            f"&lt;{vo(f'name({odd})')}{shown}&gt; is not in the quotecorpus profile inside {ME} "
            f"(allowed: {', '.join(_shown(s) for s in steps)}) {CHILD_MARK.format(vo(f'count({odd}/preceding-sibling::*) + 1'))}",
        )
    ]
    for c, step in zip(children, steps, strict=True):
        if not c.repeated:
            out.append((f"count({step}) <= 1", f"{ME} may hold only one {_shown(step)}."))
        if c.required:
            out.append((step, f"{ME} must hold {_shown(step)}."))
    return out


def _node_rule(node: Node, all_nodes: list[Node]) -> tuple[str, list[tuple[str, str]]]:
    tpl = node.tpl
    children = [n for n in all_nodes if n.pattern.rsplit("/", 1)[0] == node.pattern and n is not node]
    names = [name for name, _ in tpl.attrs]
    allowed = " or ".join(f"name() = {_q(n)}" for n in names) or "false()"
    asserts = [
        (
            f"not(@*[not({allowed})])",
            f"{ME} has an attribute the quotecorpus profile does not allow here: {vo(f'name(@*[not({allowed})][1])')} "
            f"(allowed: {', '.join(names) or 'none'}).",
        )
    ]
    for name, spec in tpl.attrs:
        f = _field(node.register, node.each, getattr(spec, "field", None))
        attribute_only = tpl.content is None and not tpl.children  # textLang exists for its attribute
        if isinstance(spec, (str, P.Ptr, P.OwnPtr, P.RomanTag, P.FilePtr)) or (
            isinstance(spec, P.Val) and (attribute_only or (f and f.required))
        ):
            asserts.append((f"@{name}", f"{ME} needs @{name}."))
        asserts += _value_asserts(node, name, spec)
    return node.pattern, asserts + _content_asserts(node) + _children_asserts(node, children)


def _document_rules() -> list[tuple[str, list[tuple[str, str]]]]:
    """The document around the registers: which lists standOff and body may hold."""
    lists = [r.container[-1] for r in P.REGISTERS if r.container[0].tag == "standOff"]
    steps = [f"tei:{c.tag}" + "".join(f"[@{k} = {_q(v)}]" for k, v in c.fixed.items()) for c in lists]
    page = "tei:bibl[@type = 'citation']/tei:biblScope[@unit = 'page']"
    article = "tei:bibl[@type = 'citation']/tei:ref[not(@type)]/@target"  # the article (the others: works, parallels)
    return [
        (
            "tei:standOff",
            [(f"not(*[not({' or '.join('self::' + s for s in steps)})])", f"{ME} holds only " + ", ".join(_shown(s) for s in steps) + ".")]
            + [(f"count({s}) <= 1", f"{ME} holds one {_shown(s)}.") for s in steps],
        ),
        (
            "tei:text/tei:body",
            [("not(*[not(self::tei:div or self::tei:p)])", f"{ME} holds the quotations' div elements, one per page (or one p if none).")],
        ),
        (
            "tei:text/tei:body/tei:div",
            [
                ("not(*[not(self::tei:head or self::tei:cit)])", f"{ME} holds a head and quotations (cit) only."),
                (f"@type = {_q(P.PAGE_DIV)}", f"{ME} @type=&quot;{vo('@type')}&quot; must be {_q(P.PAGE_DIV)}: a div per printed page."),
                (
                    f"normalize-space(tei:head) = concat({_q(P.page_head(''))}, @n)",
                    f"the head of {ME} reads {_q(P.page_head(''))} and its page, @n (&quot;{vo('@n')}&quot;).",
                ),
                (
                    f"not(tei:cit[not({page} = current()/@n)])",
                    f"every quotation in {ME} stands on its page, @n=&quot;{vo('@n')}&quot; (its bibl's biblScope unit=page).",
                ),
                (
                    f"not(tei:cit[{article} != current()/tei:cit[1]/{article}])",
                    f"the quotations in {ME} are all of one article (a div per page of an article).",
                ),
            ],
        ),
    ]


def _inline_rules() -> list[tuple[str, list[tuple[str, str]]]]:
    out = []
    for tag, spec in P.INLINE.items():
        attrs = spec.get("attrs", {})
        allowed = " or ".join(f"name() = {_q(a)}" for a in attrs) or "false()"
        asserts = [
            (
                f"not(@*[not({allowed})])",
                f"{ME} has an attribute the quotecorpus profile does not allow here: {vo(f'name(@*[not({allowed})][1])')}.",
            )
        ]
        asserts += [(f"@{a} = {_q(v)}", f"{ME} needs @{a}={xml_escape(_q(v))}.") for a, v in attrs.items()]
        if "children" in spec:
            # one set of children, or alternatives: (("sic", "corr"), ("orig", "reg"))
            sets = spec["children"] if isinstance(spec["children"][0], tuple) else (spec["children"],)
            test = " or ".join(f"(count(*) = {len(kids)} and " + " and ".join(f"count(tei:{k}) = 1" for k in kids) + ")" for kids in sets)
            shown = " or ".join(", ".join(kids) for kids in sets)
            asserts.append((f"({test}) and not(text()[normalize-space()])", f"{ME} holds exactly one of each of {shown}, and no text."))
        elif "mixed" in spec:
            other = "*[not(" + " or ".join(f"self::tei:{t}" for t in spec["mixed"]) + ")]"
            asserts.append((f"not({other})", f"{ME} may hold only {', '.join(spec['mixed'])} in its text."))
        else:
            asserts.append(("not(*)", f"{ME} holds only text."))
        out.append((f"tei:{tag}", asserts))
    desc = [
        (
            "not(*) and not(@*[not(name() = 'xml:lang')]) and @xml:lang = 'en'",
            'the desc of a gap holds only text, in English (xml:lang="en").',
        ),
        (f". = {_q(P.GAP_DESC)}", f"the desc of a gap reads {_q(P.GAP_DESC)}."),
    ]
    return [*out, ("tei:gap/tei:desc", desc)]


@dataclass(frozen=True)
class PointerCheck:
    """A pointer attribute of a register's entries and the register it must point into."""

    register: P.Register  # of the entry holding the pointer
    path: str  # the pointing element, relative to the entry ("." for the entry itself)
    attr: str
    target: P.Register


def pointer_checks() -> list[PointerCheck]:
    """Every pointer of the profile with the register its field refers to (profile.Field.ref)."""
    out = []
    for register in (*P.REGISTERS, P.NESTED):
        base = placed(register)[0].pattern
        for n in placed(register):
            for name, spec in n.tpl.attrs:
                if isinstance(spec, P.Ptr):
                    f = _field(register, n.each, spec.field)
                    rel = "." if n.pattern == base else n.pattern[len(base) + 1 :]
                    out.append(PointerCheck(register, rel, name, P.BY_NAME[f.ref]))
    return out


def pointer_rules() -> list[tuple[str, list[tuple[str, str]]]]:
    """The rules that need the whole document: each pointer resolves to an entry of its register."""
    out = []
    for c in pointer_checks():
        base = placed(c.register)[0].pattern
        context = base if c.path == "." else f"{base}/{c.path}"
        at = f"@{c.attr}"
        test = f"not({at}) or key('ids', substring({at}, 2))[{_entry_pattern(c.target)}]"
        message = (
            f"@{c.attr}=&quot;{vo(at)}&quot; on {ME} must point to a {c.target.singular} "
            f"(a &lt;{c.target.tei.tag}&gt; in the {c.target.name} list of this document)."
        )
        out.append((context, [(test, message)]))
    return out


def rules() -> list[tuple[str, list[tuple[str, str]]]]:
    """(context, [(test, message)]) for every rule, register nodes first."""
    out = []
    for register in (*P.REGISTERS, P.NESTED):
        nodes = placed(register)
        out += [_node_rule(n, nodes) for n in nodes]
    return out + _document_rules() + _inline_rules()


def schematron() -> bytes:
    """The generated ISO Schematron document."""
    S = "{%s}" % SCH
    root = etree.Element(S + "schema", nsmap={"sch": SCH, "xsl": XSL}, queryBinding="xslt")
    root.append(
        etree.Comment(
            " Generated by `quotecorpus schema` from scripts/quotecorpus/profile/: do not edit. Every element, attribute and "
            "value of the quotecorpus TEI profile. XPath 1.0 (lxml.isoschematron runs XSLT 1.0). "
        )
    )
    etree.SubElement(root, S + "title").text = "quotecorpus TEI profile: elements, attributes and closed values"
    etree.SubElement(root, S + "ns", prefix="tei", uri=P.TEI_NS)
    etree.SubElement(root, "{%s}key" % XSL, name="ids", match="*[@xml:id]", use="@xml:id")
    # Phase "local": the rules that hold for any part of a document, so that a long one can be
    # validated in pieces (tei_validate); the pointers need the whole document.
    phase = etree.SubElement(root, S + "phase", id=LOCAL_PHASE)
    etree.SubElement(phase, S + "active", pattern="profile")
    for pattern_id, found in (("profile", rules()), ("profile-pointers", pointer_rules())):
        pattern = etree.SubElement(root, S + "pattern", id=pattern_id)
        for context, asserts in found:
            rule = etree.SubElement(pattern, S + "rule", context=context)
            for test, message in asserts:
                a = etree.fromstring(f'<sch:assert xmlns:sch="{SCH}">{message}</sch:assert>')
                a.set("test", test)
                rule.append(a)
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"
