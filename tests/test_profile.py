"""The profile as a contract: what we publish validates, what is in the profile loads exactly,
anything outside it is refused by `validate` and by `load` with its file, line and element.

The mutation cases are generated from the profile itself (tei_rules.placed), so a node added to
profile.py is mutated here without a new test. The base document is the teiCorpus of the
`profile` fixture corpus, which holds every element of the profile (checked first).
"""

from __future__ import annotations

import copy
import re
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from conftest import FIXTURES
from quotecorpus import profile as P
from quotecorpus.cli import cli
from quotecorpus.db import load as loader
from quotecorpus.errors import TEILoadError
from quotecorpus.layout import ROOT
from quotecorpus.pipeline.build import Paths, build
from quotecorpus.tei import rules as tei_rules
from quotecorpus.tei import validate as tei_validate
from quotecorpus.tei.read import read

X = P.NS


@pytest.fixture(scope="module")
def complete(tmp_path_factory) -> Paths:
    """The fixture corpus that holds every element of the profile, built."""
    out = tmp_path_factory.mktemp("complete")
    paths = Paths(corpus=FIXTURES / "profile", tei=out / "tei", db=out / "c.db")
    build(paths)
    return paths


def _nodes() -> list[tei_rules.Node]:
    return [n for r in (*P.REGISTERS, P.NESTED) for n in tei_rules.placed(r)]


def _find(tree: etree._ElementTree, pattern: str) -> list[etree._Element]:
    return tree.xpath("//" + pattern, namespaces={"tei": P.TEI_NS})


def test_the_fixture_holds_every_element_of_the_profile(complete):
    tree = etree.parse(str(complete.tei / "quotecorpus.xml"))
    missing = [n.pattern for n in _nodes() if not _find(tree, n.pattern)]
    assert missing == []
    assert [tag for tag in P.INLINE if not tree.xpath(f"//t:{tag}", namespaces=X)] == []


# --- mutations -------------------------------------------------------------------------------------


@dataclass
class Mutation:
    name: str
    pattern: str  # the element to change
    change: str  # what to do
    arg: str = ""
    expect: str = ""  # a word the message must contain (element or attribute name)


def _wrong_register_target(register: str) -> str:
    # a pointer that resolves, but to an entry of another register
    return {"persons": "w-trotsky-sochineniia", "documents": "kopp", "works": "doc-trotsky-1920-07-21", "articles": "kopp"}[register]


def mutations() -> list[Mutation]:
    out: list[Mutation] = []
    for n in _nodes():
        tag = n.tpl.tag
        label = n.pattern.split("/", 2)[-1] if "/" in n.pattern else n.pattern
        for name, spec in n.tpl.attrs:
            if isinstance(spec, str):
                out.append(Mutation(f"{label}: misspelt @{name}", n.pattern, "set", f"{name}={spec}x", tag))
            elif isinstance(spec, P.Ptr):
                f = tei_rules._field(n.register, n.each, spec.field)
                out.append(
                    Mutation(f"{label}: @{name} into the wrong register", n.pattern, "set", f"{name}=#{_wrong_register_target(f.ref)}", tag)
                )
            elif isinstance(spec, (P.Val, P.RomanTag, P.LangOf)) and name != "xml:id":
                out.append(Mutation(f"{label}: @{name} outside its values", n.pattern, "set", f"{name}=bogus", name.split(":")[-1]))
            elif isinstance(spec, P.OwnPtr):
                out.append(Mutation(f"{label}: @{name} to another entry", n.pattern, "set", f"{name}=#kopp", tag))
            elif isinstance(spec, P.FilePtr):
                out.append(Mutation(f"{label}: @{name} not into an article's file", n.pattern, "set", f"{name}=#kopp", name))
        out.append(Mutation(f"{label}: an attribute outside the profile", n.pattern, "set", "rend=bold", "rend"))
        if n.required and n.repeated is False:
            out.append(Mutation(f"{label}: required, dropped", n.pattern, "drop", "", tag))
        if not n.repeated:
            out.append(Mutation(f"{label}: twice", n.pattern, "duplicate", "", tag))
        if n.tpl.content is None:
            out.append(
                Mutation(f"{label}: an element outside the profile inside", n.pattern, "append", "<note type='bogus'>x</note>", "note")
            )
            out.append(Mutation(f"{label}: text where elements belong", n.pattern, "text", "stray words", tag))
        elif isinstance(n.tpl.content, (P.Text, P.Label, P.Dated)):
            out.append(Mutation(f"{label}: an element inside its text", n.pattern, "append", "<hi>x</hi>", "hi"))
        if isinstance(n.tpl.content, (P.Label, P.Dated)) or (isinstance(n.tpl.content, P.RomanText)):
            out.append(Mutation(f"{label}: its derived text changed", n.pattern, "retext", "Something else", tag))
    for tag, spec in P.INLINE.items():
        for name, value in spec.get("attrs", {}).items():
            out.append(Mutation(f"inline {tag}: misspelt @{name}", f"tei:{tag}", "set", f"{name}={value}x", tag))
        out.append(Mutation(f"inline {tag}: an attribute outside the profile", f"tei:{tag}", "set", "rend=bold", "rend"))
    out.append(Mutation("inline: an element outside the vocabulary in a quote", "tei:cit/tei:quote", "append", "<hi>x</hi>", "hi"))
    out.append(Mutation("duplicate id", "tei:person", "set", "xml:id=trotsky", "trotsky"))
    out.append(Mutation("translaton", "tei:cit/tei:cit[@type='translation']", "set", "type=translaton", "cit"))
    return out


def _apply(tree: etree._ElementTree, m: Mutation) -> int:
    """Change the first element the mutation is about; return the line the message must name."""
    el = _find(tree, m.pattern)[0]
    line = el.sourceline
    if m.change == "set":
        name, value = m.arg.split("=", 1)
        el.set({"xml:id": P.XML_ID, "xml:lang": P.XML_LANG}.get(name, name), value)
    elif m.change == "drop":
        line = el.getparent().sourceline
        el.getparent().remove(el)
    elif m.change == "duplicate":
        el.addnext(copy.deepcopy(el))
        line = el.getparent().sourceline
    elif m.change == "append":
        el.append(etree.fromstring(m.arg.replace("<note", f"<note xmlns='{P.TEI_NS}'").replace("<hi", f"<hi xmlns='{P.TEI_NS}'")))
    elif m.change == "text":
        el.text = m.arg + (el.text or "")
    elif m.change == "retext":
        for c in list(el):
            el.remove(c)
        el.text = m.arg
    return line


def _run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


MUTATIONS = mutations()


@pytest.mark.parametrize("m", MUTATIONS, ids=[m.name for m in MUTATIONS])
def test_a_deviation_is_refused_by_validate_and_by_load(complete, tmp_path, m, tei_all):
    """Exit 4 when the document is invalid TEI P5 or breaks our hand-written rules (quotecorpus.sch: ids,
    pointers, languages, a quotation's page, text and transliteration), else exit 5: valid TEI that is
    outside the profile (README, "The quotecorpus command")."""
    tree = etree.parse(str(complete.tei / "quotecorpus.xml"), etree.XMLParser(collect_ids=False))
    line = _apply(tree, m)
    path = tmp_path / "edition.xml"
    path.write_bytes(etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))
    tree = etree.parse(str(path), etree.XMLParser(collect_ids=False))  # the lines as written
    invalid = not tei_all.validate(tree) or not tei_validate.schematron(tei_validate.SCHEMATRON).validate(tree)
    db = tmp_path / "edition.db"
    for args in (["validate", str(path)], ["load", str(path), "--db", str(db)]):
        result = _run(*args)
        assert result.exit_code == (4 if invalid else 5), (args[0], result.output)
        message = result.output
        assert str(path) in message, message
        assert re.search(r"(line |:)\d+", message), message
        assert m.expect in message, message
        assert "Traceback" not in message
        assert not db.exists()
    del line


HEADER_MUTATIONS = [
    Mutation(
        "header: a language used but not declared",
        "tei:teiHeader/tei:profileDesc/tei:langUsage/tei:language[@ident='ru']",
        "drop",
        "",
        "ru",
    ),
    Mutation("header: an element TEI does not allow there", "tei:teiHeader/tei:fileDesc", "append", "<note type='bogus'>x</note>", "note"),
    Mutation("header: its title dropped", "tei:teiHeader/tei:fileDesc/tei:titleStmt/tei:title", "drop", "", "title"),
    Mutation("skeleton: an unknown list in standOff", "tei:standOff", "append", "<note type='bogus'>x</note>", "note"),
]


@pytest.mark.parametrize("m", MUTATIONS + HEADER_MUTATIONS, ids=[m.name for m in MUTATIONS + HEADER_MUTATIONS])
def test_validation_in_pieces_catches_what_validating_the_whole_document_does(complete, tmp_path, m):
    """The build validates long files in pieces (tei_stream): an error anywhere is still caught, in the
    header, the registers or the quotations, whichever piece it falls in."""
    tree = etree.parse(str(complete.tei / "quotecorpus.xml"), etree.XMLParser(collect_ids=False))
    _apply(tree, m)
    path = tmp_path / "edition.xml"
    path.write_bytes(etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))
    whole = tei_validate.errors(tei_validate.parse_safely(path))
    invalid, outside = tei_validate.file_problems(path, "edition.xml", chunk=2)
    assert bool(invalid + outside) == bool(whole), (whole, invalid, outside)
    if not whole:  # a derived text (a name in a pointer, a date in words): the reader's to see, and it does
        with pytest.raises(TEILoadError):
            read([(tree.getroot(), "edition.xml")])


def test_published_files_validate_in_pieces(built):
    for path in sorted(built.tei.glob("*.xml")):
        assert tei_validate.file_problems(path, path.name, chunk=3) == ([], [])


def test_the_reader_alone_refuses_what_it_cannot_hold(complete):
    """Without the schemas, the loader still refuses every deviation in a register entry (defence in depth)."""
    missed = []
    for m in MUTATIONS:
        if m.name.startswith(("duplicate id",)) or "text where elements belong" in m.name and "div" in m.pattern:
            continue
        tree = etree.parse(str(complete.tei / "quotecorpus.xml"), etree.XMLParser(collect_ids=False))
        _apply(tree, m)
        try:
            read([(tree.getroot(), "edition.xml")])
        except TEILoadError as e:
            assert str(e).startswith("edition.xml:"), str(e)
            continue
        missed.append(m.name)
    assert missed == []


def test_the_misspelt_translation_type_is_refused_with_its_line(built, tmp_path):
    text = (built.tei / "nowak-2025.xml").read_text(encoding="utf-8")
    lines = text.splitlines()
    where = next(i for i, s in enumerate(lines, 1) if '<cit type="translation">' in s)
    path = tmp_path / "nowak-2025.xml"
    path.write_text(text.replace('<cit type="translation">', '<cit type="translaton">', 1), encoding="utf-8")
    for args in (["validate", str(path)], ["load", str(path), "--db", str(tmp_path / "x.db")]):
        result = _run(*args)
        assert result.exit_code == 5, result.output
        assert f'{path}: line {where}: schematron: <cit type="translaton"> is not in the quotecorpus profile inside <cit>' in result.output
    assert not (tmp_path / "x.db").exists()


# --- what loads: our own TEI exactly, another edition's in our profile the same -------------------


def _rows(db: Path) -> dict[str, set[tuple]]:
    conn = sqlite3.connect(db)
    tables = [t for (t,) in conn.execute("select name from sqlite_master where type = 'table' and name not like '%fts%'")]
    return {t: set(conn.execute(f"select * from [{t}]")) for t in tables if t != "tei_fragments"}


def test_import_then_build_gives_the_same_tei_and_rows(built, tmp_path):
    for sources in (["himmer-1976.xml", "nowak-2025.xml"], ["quotecorpus.xml"]):
        target = tmp_path / "-".join(sources)
        result = _run("import", *[str(built.tei / s) for s in sources], "--corpus", str(target / "corpus"))
        assert result.exit_code == 0, result.output
        again = Paths(corpus=target / "corpus", tei=target / "tei", db=target / "c.db")
        build(again)
        for f in ("himmer-1976.xml", "nowak-2025.xml", "quotecorpus.xml"):
            assert (again.tei / f).read_bytes() == (built.tei / f).read_bytes(), (sources, f)
        assert _rows(again.db) == _rows(built.db)


def test_import_reports_what_changed(built, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    path = tmp_path / "nowak-2025.xml"
    tree = etree.parse(str(built.tei / "nowak-2025.xml"))
    (q002,) = tree.xpath("//t:cit[@xml:id = 'nowak-2025-q002']", namespaces=P.NS)
    q002.find("t:bibl[@type='citation']/t:biblScope[@unit='page']", P.NS).text = "112"
    (page,) = tree.xpath("/t:TEI/t:text/t:body/t:div[@n = '112']", namespaces=P.NS)
    page.append(q002)  # a quotation's page is where it stands: in the div of page 112
    (t101,) = tree.xpath("//t:cit[@xml:id = 'nowak-2025-t101']", namespaces=P.NS)
    t101.getparent().remove(t101)
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")
    result = _run("import", str(path), "--corpus", str(corpus))
    assert result.exit_code == 0, result.output
    assert "changed quotation nowak-2025-q002: page" in result.output
    assert "removed quotation nowak-2025-t101" in result.output
    assert "nowak-2025-t101" not in (corpus / "quotations" / "nowak-2025.yaml").read_text(encoding="utf-8")


OTHER_EDITIONS = sorted((FIXTURES / "other_editions").glob("*.xml"))


@pytest.mark.parametrize("path", OTHER_EDITIONS, ids=[p.stem for p in OTHER_EDITIONS])
def test_another_editions_file_in_our_profile_loads_to_the_same_rows(complete, tmp_path, path):
    db = tmp_path / "other.db"
    result = _run("load", str(path), "--db", str(db))
    assert result.exit_code == 0, result.output
    ours = tmp_path / "ours.db"
    assert _run("load", str(complete.tei / "nowak-2025.xml"), "--db", str(ours)).exit_code == 0
    assert _rows(db) == _rows(ours)


def test_comments_and_processing_instructions_anywhere_load(complete, tmp_path):
    tree = etree.parse(str(complete.tei / "quotecorpus.xml"))
    for el in list(tree.iter(P.T + "quote", P.T + "persName", P.T + "cit", P.T + "bibl")):
        el.insert(0, etree.Comment(" an editor's comment "))
        el.append(etree.ProcessingInstruction("oxygen", 'mark="1"'))
        if len(el) > 2:
            el[1].addnext(etree.Comment(" inside "))
    path = tmp_path / "commented.xml"
    path.write_bytes(etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))
    db = tmp_path / "c.db"
    assert _run("load", str(path), "--db", str(db)).exit_code == 0
    assert _rows(db) == _rows(complete.db)


def test_a_pointer_into_the_wrong_register_is_exit_5_and_leaves_no_file(complete, tmp_path):
    text = (complete.tei / "nowak-2025.xml").read_text(encoding="utf-8")
    path = tmp_path / "wrong.xml"
    path.write_text(text.replace('ref="#trotsky" role="speaker"', 'ref="#w-sgo" role="speaker"', 1), encoding="utf-8")
    db = tmp_path / "wrong.db"
    result = _run("load", str(path), "--db", str(db))
    assert result.exit_code == 5
    assert '@ref="#w-sgo" on <persName> must point to a person' in result.output
    assert not db.exists() and list(tmp_path.iterdir()) == [path]
    with pytest.raises(TEILoadError, match="must point to a person: it is a work"):
        loader.load([(etree.fromstring(path.read_bytes()), "wrong.xml")], db)
    assert not db.exists() and list(tmp_path.iterdir()) == [path]


# --- everything derived from the profile ---------------------------------------------------------


def test_metadata_json_is_generated_from_the_profile():
    from quotecorpus.db.metadata import render

    assert (ROOT / "metadata.json").read_text(encoding="utf-8") == render(), "run `quotecorpus metadata`"


def test_metadata_describes_every_column_of_every_public_table(built):
    import json

    meta = json.loads((ROOT / "metadata.json").read_text(encoding="utf-8"))["databases"]["corpus"]["tables"]
    conn = sqlite3.connect(built.db)
    for table in loader.tables():
        columns = [r[1] for r in conn.execute(f"pragma table_info([{table}])")]
        described = meta[table]["columns"]
        assert list(described) == columns, table
        assert all(d.strip() for d in described.values()), table


def test_the_profile_schematron_is_generated_from_the_profile():
    from quotecorpus.tei.validate import PROFILE_SCHEMATRON

    assert PROFILE_SCHEMATRON.read_bytes() == tei_rules.schematron(), "run `quotecorpus schema`"


def test_corpus_readme_lists_every_closed_value_of_the_profile():
    readme = (ROOT / "corpus" / "README.md").read_text(encoding="utf-8")
    listed = {m.group(1): m.group(2).split(" | ") for m in re.finditer(r"^\s*-? *(\w+): [\w-]+ +# ((?:[\w-]+ \| )+[\w-]+)", readme, re.M)}
    fields = {f.name: f for r in (*P.REGISTERS, P.EXCLUSIONS) for f in r.fields} | {f.name: f for f in (*P.CERTAINTY,)}
    assert set(listed) == {"kind", "of", "cert", "type", "category"}
    for name, values in listed.items():
        assert tuple(values) == fields[name].values, name
