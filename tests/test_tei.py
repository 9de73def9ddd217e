"""TEI: the encoding profile, validity against tei_all and our Schematron, and hostile XML."""

from __future__ import annotations

import re

import pytest
from lxml import etree

from conftest import FIXTURES, fifo_watch
from hostile_cases import ENCODINGS, HOSTILE_KINDS, hostile_xml, long_sibling_list, namespace_bomb
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
    (cit,) = docs["nowak-2025"].xpath("//*[@xml:id = 'nowak-2025-q001']")  # the body is by page: 104 comes first
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


# --- hostile XML in any encoding (issue 22) ----------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(HOSTILE_KINDS))
@pytest.mark.parametrize("encoding", list(ENCODINGS))
def test_a_doctype_in_any_encoding_is_refused_before_anything_is_opened(tmp_path, encoding, kind):
    """The DOCTYPE check reads the decoded document (UTF-8, UTF-16 and UTF-32 with and without a byte
    order mark, an eight-bit or EBCDIC encoding by its declaration): the file its DTD or entity names (a
    FIFO here: opening it would block) is never opened, whole or read in pieces."""
    with fifo_watch(tmp_path / "target") as opened:
        path = tmp_path / "hostile.xml"
        path.write_bytes(hostile_xml(encoding, kind, str(tmp_path / "target")))
        with pytest.raises(UnsafeXMLError, match="refused: XML with a DOCTYPE"):
            tei_validate.parse_safely(path)
        with pytest.raises(UnsafeXMLError, match="refused: XML with a DOCTYPE"):
            tei_validate.validate_file(path)
        assert not opened()


@pytest.mark.parametrize("encoding", list(ENCODINGS))
def test_our_tei_in_any_encoding_reads_as_it_does_in_utf8(built, tmp_path, encoding):
    """Another edition's tools may write UTF-16 or an eight-bit encoding (with character references for
    what it cannot hold): the document is the same, and valid, whatever its encoding."""
    source = built.tei / "nowak-2025.xml"
    text = source.read_text(encoding="utf-8").split("?>", 1)[1].lstrip("\n")
    codec, bom, declared = ENCODINGS[encoding]
    declaration = f'<?xml version="1.0" encoding="{declared}"?>\n' if declared else ""
    path = tmp_path / f"nowak-2025.{encoding}.xml"
    path.write_bytes(bom + (declaration + text).encode(codec, errors="xmlcharrefreplace"))
    ours = tei_validate.parse_safely(source).getroot()
    theirs = tei_validate.parse_safely(path).getroot()
    assert etree.tostring(theirs, method="c14n") == etree.tostring(ours, method="c14n")
    assert theirs.sourceline == ours.sourceline - (0 if declared else 1)  # the document's own lines, whatever the encoding
    assert tei_validate.file_problems(path, path.name) == ([], [])


@pytest.mark.parametrize(
    "data,message",
    [
        (b'<?xml version="1.0" encoding="UTF-16"?><TEI/>', "declares the encoding 'UTF-16', but its first bytes"),
        (b"\xff\xfe" + '<?xml version="1.0" encoding="ISO-8859-1"?><TEI/>'.encode("utf-16-le"), "but it is written in UTF-16"),
        (b'<?xml version="1.0" encoding="x-no-such-thing"?><TEI/>', "the encoding 'x-no-such-thing' its XML declaration names is unknown"),
        (b"\xff\xfe" + "<TEI>\ud800".encode("utf-16-le", errors="surrogatepass"), "not well-formed XML: not UTF-16-LE at byte"),
        (b"\x00\x00<\x00", "UCS-4 in an unusual byte order"),
        (namespace_bomb(), "refused: more than 100 namespace declarations in scope at one element"),
    ],
    ids=["utf-8-declaring-utf-16", "utf-16-declaring-latin-1", "unknown-encoding", "bad-utf-16", "ucs-4-2143", "namespace-bomb"],
)
def test_contradictions_and_bombs_are_refused(tmp_path, data, message):
    path = tmp_path / "hostile.xml"
    path.write_bytes(data)
    with pytest.raises(UnsafeXMLError, match=re.escape(message)):
        tei_validate.parse_safely(path)
    with pytest.raises(UnsafeXMLError, match=re.escape(message)):
        tei_validate.validate_file(path)


def test_a_long_list_of_siblings_is_refused_before_relax_ng_sees_it(tmp_path):
    """libxml2's RELAX NG is quadratic in a long list of siblings (50,000 notes in a note: 77 s); no element
    of the profile holds more than a few dozen children, and the lists of entries are read in pieces."""
    path = tmp_path / "long.xml"
    path.write_bytes(long_sibling_list())
    with pytest.raises(UnsafeXMLError, match="<note> holds 50,000 children, more than the 10,000"):
        tei_validate.validate_file(path)
