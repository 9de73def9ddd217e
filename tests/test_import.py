"""`quotecorpus import` changes only what changes (issue 22): a file whose records did not change is
not written, and a changed record's other lines, the comments and the layout of the file stay byte for
byte. Importing our own TEI back gives corpus/ as it is."""

from __future__ import annotations

import difflib
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from quotecorpus.cli import cli
from quotecorpus.layout import ROOT
from quotecorpus.pipeline.build import Paths, build


def _import(*args: str):
    return CliRunner().invoke(cli, ["import", *args], catch_exceptions=False)


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A copy of the real corpus/."""
    shutil.copytree(ROOT / "corpus", tmp_path / "corpus")
    return tmp_path / "corpus"


@pytest.mark.parametrize("sources", [["quotecorpus.xml"], ["himmer-1976.xml"], ["nowak-2025.xml"], ["himmer-1976.xml", "nowak-2025.xml"]])
def test_importing_our_own_tei_leaves_the_corpus_byte_identical(built, corpus, sources):
    before = _snapshot(corpus)
    result = _import(*[str(built.tei / s) for s in sources], "--corpus", str(corpus))
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("0 change(s).")
    assert _snapshot(corpus) == before  # the same bytes, and not even written again (the same mtimes)


def test_importing_a_tei_selection_of_unchanged_quotations_changes_nothing(client, corpus, tmp_path):
    """A `.tei` download holds some quotations and the register entries they point to, as they are."""
    path = tmp_path / "russian.xml"
    path.write_bytes(client.get("/corpus/quotations.tei?language=ru&_stream=on").content)
    before = _snapshot(corpus)
    result = _import(str(path), "--corpus", str(corpus))
    assert result.exit_code == 0, result.output
    assert _snapshot(corpus) == before


def _changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    """(old lines, new lines) of each place where two texts differ."""
    a, b = before.splitlines(keepends=True), after.splitlines(keepends=True)
    ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    return [("".join(a[i1:i2]), "".join(b[j1:j2])) for tag, i1, i2, j1, j2 in ops if tag != "equal"]


def test_a_changed_record_rewrites_only_its_changed_lines(built, corpus, tmp_path):
    """A citation changed in a file with comments and quoted ids (himmer-1976.yaml), a translation changed and
    a quotation removed in nowak-2025.yaml, a person's note changed: each file differs in exactly those
    lines, its comments and every other line as they were; the files nothing changed in are not written."""
    himmer = (built.tei / "himmer-1976.xml").read_text(encoding="utf-8")
    # (a page is where the quotation stands in the body, its page's div: its citation is changed instead)
    old, new = "PSS, 40:146.</note>", "PSS, 40:147.</note>"
    himmer = himmer.replace(
        '<note type="source">Lenin, comment on February 19, 1920, ' + old,
        '<note type="source">Lenin, comment on February 19, 1920, ' + new,
        1,
    )
    nowak = (built.tei / "nowak-2025.xml").read_text(encoding="utf-8")
    nowak = nowak.replace('<quote xml:lang="en">bastard</quote>', '<quote xml:lang="en">the bastard</quote>', 1)
    nowak = re.sub(r'\s*<cit xml:id="nowak-2025-t101".*?\n {8}</cit>', "", nowak, count=1, flags=re.S)
    for name, text in (("himmer-1976.xml", himmer), ("nowak-2025.xml", nowak)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    before = _snapshot(corpus)
    result = _import(str(tmp_path / "himmer-1976.xml"), str(tmp_path / "nowak-2025.xml"), "--corpus", str(corpus))
    assert result.exit_code == 0, result.output
    assert "changed quotation himmer-1976-q001: source" in result.output
    assert "changed quotation nowak-2025-q001: translation" in result.output
    assert "removed quotation nowak-2025-t101" in result.output
    after = _snapshot(corpus)
    written = sorted(name for name in after if after[name] != before[name])
    assert written == ["quotations/himmer-1976.yaml", "quotations/nowak-2025.yaml"]

    def diff(name: str) -> list[tuple[str, str]]:
        return _changed_lines(before[name][0].decode(), after[name][0].decode())

    source = '  source: "Lenin, comment on February 19, 1920, PSS, 40:{}."\n'
    assert diff("quotations/himmer-1976.yaml") == [(source.format(146), source.format(147))]
    assert after["quotations/himmer-1976.yaml"][0].startswith(b'# Himmer, "Soviet Policy')  # its comments stay
    changes = diff("quotations/nowak-2025.yaml")
    assert changes[0] == ("  translation: bastard\n", '  translation: "the bastard"\n')
    assert len(changes) == 2 and changes[1][1] == "" and changes[1][0].startswith("- id: nowak-2025-t101\n")
    assert changes[1][0].count("\n- id:") == 0  # that record's lines only


def test_an_added_quotation_is_appended_and_the_rest_stays(built, corpus, tmp_path):
    nowak = (built.tei / "nowak-2025.xml").read_text(encoding="utf-8")
    cit = re.search(r'\n {8}<cit xml:id="nowak-2025-t101".*?\n {8}</cit>', nowak, flags=re.S).group(0)
    nowak = nowak.replace(cit, cit + cit.replace("nowak-2025-t101", "nowak-2025-t999"), 1)
    (tmp_path / "nowak-2025.xml").write_text(nowak, encoding="utf-8")
    old = (corpus / "quotations" / "nowak-2025.yaml").read_text(encoding="utf-8")
    result = _import(str(tmp_path / "nowak-2025.xml"), "--corpus", str(corpus))
    assert result.exit_code == 0, result.output
    assert "added quotation nowak-2025-t999" in result.output
    new = (corpus / "quotations" / "nowak-2025.yaml").read_text(encoding="utf-8")
    assert new.startswith(old) and new[len(old) :].startswith("\n- id: nowak-2025-t999\n  article: nowak-2025\n  page: 103\n")
    again = Paths(corpus=corpus, tei=tmp_path / "tei", db=tmp_path / "c.db")
    build(again)  # what was written is a valid corpus
    assert 'xml:id="nowak-2025-t999"' in (again.tei / "nowak-2025.xml").read_text(encoding="utf-8")


def test_rewrite_keeps_every_line_it_does_not_change():
    """records.write.rewrite on a file with a header, sections, comments inside a record and CRLF line
    breaks: a field changed, one added (in the profile's order), one dropped, a record removed before a
    section's heading (which stays), one appended."""
    from quotecorpus import profile as P
    from quotecorpus.records.write import rewrite

    text = (
        "# persons\r\n"
        "- id: kopp\r\n"
        '  name: "Viktor Kopp"   # as Nowak prints it\r\n'
        "  # the variants, both articles\r\n"
        "  variants: [Kopp]\r\n"
        "  note: old\r\n"
        "\r\n"
        "- id: gone\r\n"
        "  name: Gone\r\n"
        "\r\n"
        "# --- section ---\r\n"
        "\r\n"
        "- {id: flow, name: Flow}\r\n"
    )
    records = [
        {"id": "kopp", "name": "Viktor Kopp", "name_original": "В.Л. Копп", "variants": ["Kopp", "Копп"]},
        {"id": "flow", "name": "Flow"},
        {"id": "new", "name": "New Person"},
    ]
    out = rewrite(text, P.PERSONS, records, "persons.yaml")
    assert out == (
        "# persons\r\n"
        "- id: kopp\r\n"
        '  name: "Viktor Kopp"   # as Nowak prints it\r\n'
        '  name_original: "В.Л. Копп"\r\n'
        "  # the variants, both articles\r\n"
        "  variants: [Kopp, Копп]\r\n"
        "\r\n"
        "# --- section ---\r\n"
        "\r\n"
        "- {id: flow, name: Flow}\r\n"
        "\r\n"
        "- id: new\r\n"
        '  name: "New Person"\r\n'
    )
