"""TEI: the encoding profile, validity against tei_all and our Schematron, and hostile XML."""

from __future__ import annotations

import re

import pytest
from lxml import etree

from conftest import FIXTURES
from quotecorpus.errors import UnsafeXMLError
from quotecorpus.records.validate import load_and_validate
from quotecorpus.tei import validate as tei_validate
from quotecorpus.tei.documents import encode_corpus
from quotecorpus.tei.encode import serialize


def _xml(el) -> str:
    """An element as text without the indentation between its structural elements (never in a text)."""
    return re.sub(r">\n *<", "><", etree.tostring(el, encoding="unicode"))


def test_a_quotation_is_encoded_as_the_profile_says(mini):
    docs = encode_corpus(load_and_validate(mini.corpus))
    cit = docs["nowak-2025"].find(".//{*}cit[@type='quotation']")
    xml = _xml(cit)
    assert (
        '<quote xml:lang="ru">Белая Польша была той непроницаемой стеной, которая отделяла нас от могущественных пороховых '
        "погребов революционной Германии <ellipsis><metamark>[…]</metamark></ellipsis> Красная Польша означает пролетарскую "
        "<choice><sic>революциию</sic><corr>революцию</corr></choice> в Германии</quote>"
    ) in xml
    assert '<cit type="transliteration"><quote xml:lang="ru-Latn-t-ru-cyrl-m0-alaloc">Belaia Pol\'sha byla toi' in xml
    assert 'supplies <supplied reason="insertion-by-article-author">literally: gunpowder cellars</supplied> of' in xml
    assert '<persName ref="#trotsky" role="speaker">Leon Trotsky</persName>' in xml
    assert '<biblScope unit="page">105</biblScope>' in xml


def test_a_quotation_without_printed_original_says_so(mini):
    docs = encode_corpus(load_and_validate(mini.corpus))
    cit = docs["nowak-2025"].find(".//{*}cit[@{http://www.w3.org/XML/1998/namespace}id='nowak-2025-q002']")
    xml = _xml(cit)
    assert '<quote xml:lang="de"><gap reason="notPrinted"><desc xml:lang="en">The article prints only an English translation' in xml
    assert '<certainty cert="medium" locus="value" target="#nowak-2025-q002" match="quote/@xml:lang">' in xml


def test_published_tei_is_valid_against_full_tei_all_and_schematron(built, tei_all):
    files = sorted(built.tei.glob("*.xml"))
    assert [f.name for f in files] == ["himmer-1976.xml", "nowak-2025.xml", "quotecorpus.xml"]
    for f in files:
        tree = tei_validate.parse_safely(f)
        assert tei_all.validate(tree), (f.name, str(tei_all.error_log)[:2000])
        assert tei_validate.errors(tree) == []


def test_schema_subset_is_generated_from_tei_all():
    assert tei_validate.TEI_SUBSET.read_bytes() == tei_validate.build_subset(), "run `quotecorpus schema`"


def _mutated(built, old: str, new: str) -> etree._ElementTree:
    text = (built.tei / "nowak-2025.xml").read_text(encoding="utf-8")
    assert old in text
    # collect_ids=False: libxml2 would itself reject a duplicate xml:id while parsing
    return etree.ElementTree(etree.fromstring(text.replace(old, new, 1).encode(), etree.XMLParser(collect_ids=False)))


@pytest.mark.parametrize(
    "old,new,message",
    [
        ('ref="#kopp"', 'ref="#kop"', "The pointer '#kop' on persName does not resolve inside this document."),
        ('xml:id="chicherin"', 'xml:id="kopp"', "The id 'kopp' is used more than once."),
        ('<language ident="pl">Polish</language>', "", "The language 'pl' on quote is not declared in langUsage."),
    ],
    ids=["dangling-pointer", "duplicate-id", "undeclared-language"],
)
def test_schematron_names_the_problem(built, old, new, message):
    problems = tei_validate.errors(_mutated(built, old, new))
    assert any(p.startswith("line ") and p.endswith(f"schematron: {message}") for p in problems), problems


@pytest.mark.parametrize("name", ["quotecorpus.xml", "nowak-2025.xml"])
def test_a_file_validated_in_pieces_of_any_size_has_the_problems_of_the_whole(built, tmp_path, name):
    """Each piece of a long list is validated inside one copy of its document's context, emptied for
    the next: pieces of 3 entries find what pieces of 500 find."""
    assert tei_validate.file_problems(built.tei / name, name, chunk=3) == ([], [])
    text = (built.tei / name).read_text(encoding="utf-8")
    # one entry deep in a list breaks the profile (an attribute it lacks), one a pointer (a dangling ref)
    bad = text.replace('<biblScope unit="page">112</biblScope>', '<biblScope unit="page" n="x">112</biblScope>', 1)
    bad = bad.replace('ref="#trotsky"', 'ref="#trotzky"', 1)
    assert bad != text
    (tmp_path / name).write_text(bad, encoding="utf-8")
    found = {chunk: tei_validate.file_problems(tmp_path / name, name, chunk=chunk) for chunk in (3, 500)}
    assert found[3] == found[500], found
    invalid, outside = found[3]
    assert any("The pointer '#trotzky' on persName does not resolve inside this document." in p for p in invalid), invalid
    assert any("<biblScope> has an attribute the quotecorpus profile does not allow here: n (allowed: unit)" in p for p in outside), outside


def test_cyrillic_original_without_transliteration_is_refused(mini):
    docs = encode_corpus(load_and_validate(mini.corpus))
    for t in docs["nowak-2025"].iterfind(".//{*}cit[@type='transliteration']"):
        t.getparent().remove(t)
    tree = tei_validate.parse_safely(serialize(docs["nowak-2025"]))
    assert any(
        p.endswith("schematron: Quotation 'nowak-2025-q001' has a Cyrillic original but no transliteration.")
        for p in tei_validate.errors(tree)
    )


@pytest.mark.parametrize(
    "name,message",
    [
        ("external_entity.xml", "refused: XML with a DOCTYPE"),
        ("external_dtd.xml", "refused: XML with a DOCTYPE"),
        ("billion_laughs.xml", "refused: XML with a DOCTYPE"),
        ("not_well_formed.xml", "not well-formed XML"),
    ],
)
def test_hostile_xml_is_refused(name, message):
    with pytest.raises(UnsafeXMLError, match=message) as err:
        tei_validate.parse_safely(FIXTURES / "bad_tei" / name)
    assert name in str(err.value)
    assert "root:" not in str(err.value)  # /etc/passwd was not read
