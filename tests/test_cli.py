"""The CLI: documented commands, clear one-line errors, the transliterate and detect commands."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys

import pytest
from click.testing import CliRunner

from conftest import FIXTURES, fifo_watch
from hostile_cases import hostile_xml, namespace_bomb
from quotecorpus.cli import cli

EXE = [sys.executable, "-m", "quotecorpus"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*EXE, *args], capture_output=True, text=True)


def test_transliterate_prints_ala_lc():
    r = run("transliterate", "Советско-германские отношения")
    assert (r.returncode, r.stdout) == (0, "Sovetsko-germanskie otnosheniia\n")


def test_transliterate_unknown_scheme_is_one_clear_line():
    r = run("transliterate", "--scheme", "nonsense", "Копп")
    assert r.returncode == 2 and "'nonsense' is not one of 'ala-lc', 'ala-lc-diacritics', 'iso9', 'all'" in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize(
    "scheme,out",
    [("ala-lc", "Rapall'skogo dogovora"), ("ala-lc-diacritics", "Rapallʹskogo dogovora"), ("iso9", "Rapallʹskogo dogovora")],
)
def test_transliterate_each_scheme(scheme, out):
    r = run("transliterate", "--scheme", scheme, "Рапалльского договора")
    assert (r.returncode, r.stdout) == (0, out + "\n")


def test_transliterate_all_schemes_with_their_tags():
    r = run("transliterate", "--scheme", "all", "Щукин")
    assert r.stdout.splitlines() == [
        "ala-lc\tru-Latn-t-ru-cyrl-m0-alaloc\tShchukin",
        "ala-lc-diacritics\tru-Latn-t-ru-cyrl-m0-alaloc-x-diacrit\tShchukin",
        "iso9\tru-Latn-t-ru-cyrl-m0-iso-1995\tŜukin",
    ]


def test_transliterate_refuses_the_russian_table_for_ukrainian():
    r = run("transliterate", "--language", "uk", "Київ")
    assert r.returncode == 2 and "scheme 'ala-lc' has no table for language 'uk' (schemes for it: iso9)" in r.stderr
    r = run("transliterate", "--language", "uk", "--scheme", "iso9", "Київ")
    assert (r.returncode, r.stdout) == (0, "Kiïv\n")


def test_audit_languages_lists_every_disagreement_explained(built):
    r = run("audit-languages", "--corpus", str(built.corpus), "--tei", str(built.tei), "--db", str(built.db))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "0 unexplained" in r.stderr
    for line in r.stdout.splitlines():
        assert "UNEXPLAINED" not in line


def test_detect_prints_language_and_probability():
    r = run("detect", "Польша должна перестать быть барьером и стать мостом между Германией и Россией")
    assert r.returncode == 0 and r.stdout.startswith("ru\t") and float(r.stdout.split("\t")[1]) > 0.9


def test_detect_refuses_to_guess_on_short_text():
    r = run("detect", "Rapallo")
    assert r.returncode == 1 and r.stdout.startswith("not judged (too short")


def test_bad_records_give_a_message_not_a_traceback(tmp_path, mini):
    (mini.corpus / "quotations" / "nowak-2025.yaml").write_text(
        (FIXTURES / "bad_records" / "unknown_speaker" / "quotations" / "nowak-2025.yaml").read_text()
    )
    r = run("build", "--corpus", str(mini.corpus), "--tei", str(mini.tei), "--db", str(mini.db))
    assert r.returncode == 2
    assert "corpus/quotations/nowak-2025.yaml:23: quotation nowak-2025-q002: unknown speaker 'p_kop'" in r.stderr
    assert "Traceback" not in r.stderr


def test_hostile_tei_is_refused_by_validate_and_load(tmp_path):
    for args in (["validate"], ["load", "--db", str(tmp_path / "x.db")]):
        r = run(*args, str(FIXTURES / "bad_tei" / "external_entity.xml"))
        assert r.returncode == 3 and "refused: XML with a DOCTYPE" in r.stderr and "Traceback" not in r.stderr
        assert not (tmp_path / "x.db").exists()


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_is_documented_with_an_example(name):
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0
    assert "Example: quotecorpus " + name in result.output


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_is_in_the_readme(name):
    from quotecorpus.pipeline.build import ROOT

    assert f"`quotecorpus {name}" in (ROOT / "README.md").read_text()


def test_ctrl_c_outside_a_build_exits_130_not_click_aborted():
    """Found by `scripts/dev faults`: a Ctrl-C while a finished build's result was printed ended with
    click's "Aborted!" and exit 1. Every command of our group exits 130 and says it was interrupted."""
    import click

    from quotecorpus.cli import _Group

    @click.group(cls=_Group)
    def group():
        pass

    @group.command()
    def printing():
        raise KeyboardInterrupt  # where a Ctrl-C lands between the library's work and the CLI's output

    result = CliRunner().invoke(group, ["printing"])
    assert result.exit_code == 130
    assert "interrupted (SIGINT)" in result.output and "Aborted" not in result.output


@pytest.mark.parametrize("command", ["validate", "load", "import"])
def test_a_utf16_doctype_naming_a_fifo_is_exit_3_and_nothing_is_opened(tmp_path, command):
    """Issue 22: a UTF-16 file's `<!DOCTYPE TEI SYSTEM "fifo">` had `validate`, `load` and `import` open the
    FIFO (and hang); now it is refused on the decoded text, before the parser runs."""
    with fifo_watch(tmp_path / "dtd") as opened:
        path = tmp_path / "hostile.xml"
        path.write_bytes(hostile_xml("utf-16-le-bom", "external_dtd", str(tmp_path / "dtd")))
        extra = {"validate": [], "load": ["--db", str(tmp_path / "x.db")], "import": ["--corpus", str(tmp_path / "corpus")]}[command]
        r = subprocess.run([*EXE, command, str(path), *extra], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
        assert r.returncode == 3, r.stderr[-2000:]
        assert "refused: XML with a DOCTYPE" in r.stderr and "Traceback" not in r.stderr
        assert not opened()
    assert not (tmp_path / "x.db").exists() and not (tmp_path / "corpus").exists()


def test_a_fifo_given_as_the_tei_file_is_exit_3_not_a_hang(tmp_path):
    with fifo_watch(tmp_path / "edition.xml") as opened:
        r = subprocess.run([*EXE, "validate", str(tmp_path / "edition.xml")], capture_output=True, text=True, timeout=60)
        assert r.returncode == 3, r.stderr[-2000:]
        assert "refused: a FIFO (named pipe), not a regular file" in r.stderr and "Traceback" not in r.stderr
        assert not opened()


def test_a_namespace_bomb_is_exit_3(tmp_path):
    path = tmp_path / "bomb.xml"
    path.write_bytes(namespace_bomb())
    r = subprocess.run([*EXE, "validate", str(path)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 3 and "more than 100 namespace declarations" in r.stderr and "Traceback" not in r.stderr


# --- the command line says what happened (issue 23, item 5) ------------------------------------------


def _with_bad_records(mini, case: str) -> None:
    for bad in (FIXTURES / "bad_records" / case).rglob("*.yaml"):
        shutil.copy(bad, mini.corpus / bad.relative_to(FIXTURES / "bad_records" / case))


@pytest.mark.parametrize(
    ("case", "message"),
    [
        (  # an impossible date says the day does not exist
            "date_february_30",
            "corpus/quotations/nowak-2025.yaml:13: quotation nowak-2025-q001: field 'date' is 1920-02-30, but there is no "
            "30 February 1920 (February 1920 has 29 days)",
        ),
        (  # an unknown id suggests the nearest known ids
            "unknown_speaker_near",
            "corpus/quotations/nowak-2025.yaml:23: quotation nowak-2025-q002: unknown speaker 'lenim' (no such id in persons; "
            "did you mean lenin?)",
        ),
    ],
)
def test_a_bad_record_says_what_is_wrong_in_words(mini, case, message):
    _with_bad_records(mini, case)
    r = run("validate", "--corpus", str(mini.corpus), "--tei", str(mini.tei))
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr == f"Error: 1 problem(s) in corpus records:\n{message}\n"


@pytest.mark.parametrize("command", ["build", "validate", "release", "audit-languages", "serve", "audit", "propose"])
def test_a_missing_corpus_folder_is_named_and_nothing_is_created(tmp_path, command):
    """Every command that reads --corpus; before, `build` said "no corpus records found" and left a
    `.x.db.d/` folder beside the database."""
    article = tmp_path / "article.txt"
    article.write_text("An article.\n")
    missing = tmp_path / "nonexistent"
    paths = ["--tei", str(tmp_path / "tei"), "--db", str(tmp_path / "x.db")]
    args = {
        "release": [*paths, "--out", str(tmp_path / "release")],
        "serve": [*paths, "--port", "0"],
        "audit": [str(article)],
        "propose": [str(article), "--out", str(tmp_path / "drafts")],
    }.get(command, paths)
    r = run(command, "--corpus", str(missing), *args)
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr == f"Error: the corpus folder {missing} does not exist (--corpus names the folder of curated records)\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["article.txt"]


def test_serve_on_a_busy_port_is_one_line_with_its_own_exit_code(mini):
    """Issue 23: it printed "Serving http://…" and then exited 3, the code of refused XML. The port is
    taken before anything is built or announced."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        r = run("serve", "--port", str(port), "--corpus", str(mini.corpus), "--tei", str(mini.tei), "--db", str(mini.db))
    assert (r.returncode, r.stdout) == (9, "")
    assert r.stderr == f"Error: port {port} on 127.0.0.1 is already in use: stop the other server or choose another with --port\n"
    assert not mini.tei.exists() and not mini.db.parent.exists()  # nothing built


NOT_TEI = {
    "page.html": "looks like an HTML page, not TEI",
    "xhtml.html": "looks like an HTML page, not TEI",
    "quotations.tmx": "looks like a TMX file (a translation memory), not TEI",
    "quotations.csv": "looks like CSV, not TEI: it is not XML at all",
    "notes.txt": "is not TEI: it is not XML at all (it begins with 'Quotations from Nowak (2025)')",
}


@pytest.mark.parametrize("command", ["validate", "load", "import"])
@pytest.mark.parametrize("name", sorted(NOT_TEI))
def test_a_file_that_is_not_tei_is_named_for_what_it_looks_like(tmp_path, command, name):
    """Issue 23: an HTML page or our own .tmx was "refused: XML with a DOCTYPE" (exit 3), a security
    message for a wrong file. Exit 4, as invalid TEI; nothing is written."""
    path = FIXTURES / "not_tei" / name
    extra = {"validate": [], "load": ["--db", str(tmp_path / "x.db")], "import": ["--corpus", str(tmp_path / "corpus")]}[command]
    r = run(command, str(path), *extra)
    assert (r.returncode, r.stdout, r.stderr) == (4, "", f"Error: {path}: {NOT_TEI[name]}\n")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE tmx SYSTEM "{target}">',
        '<!DOCTYPE html SYSTEM "{target}">',
        '<!DOCTYPE html [<!ENTITY x SYSTEM "{target}">]>',
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "{target}">',
    ],
)
def test_a_hostile_doctype_is_refused_as_before_whatever_format_it_names(tmp_path, doctype):
    """Only the plain DOCTYPE of HTML or TMX is named for its format; one that names another file (a
    FIFO here: opening it would hang) or declares entities is refused as hostile XML, exit 3, unopened."""
    with fifo_watch(tmp_path / "dtd") as opened:
        path = tmp_path / "hostile.tmx"
        path.write_text(f'<?xml version="1.0"?>\n{doctype.format(target=tmp_path / "dtd")}\n<tmx version="1.4"><body/></tmx>\n')
        args = ["import", str(path), "--corpus", str(tmp_path / "corpus")]
        r = subprocess.run([*EXE, *args], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
        assert (r.returncode, r.stderr) == (3, f"Error: {path}: refused: XML with a DOCTYPE (DTD or entity declarations) is not accepted\n")
        assert not opened()
    assert not (tmp_path / "corpus").exists()
