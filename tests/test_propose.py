"""quotecorpus propose: drafts from an article's text, on a synthetic article written for the tests (the
heuristics were developed on the two real articles; this one they had not seen)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
import yaml

from conftest import FIXTURES
from quotecorpus.errors import RecordError
from quotecorpus.propose.run import ProposeError, propose
from quotecorpus.records.validate import load_and_validate

PROPOSE = FIXTURES / "propose"
TEXT = PROPOSE / "synthetic-2026.txt"


@pytest.fixture
def corpus(tmp_path):
    shutil.copytree(PROPOSE / "corpus", tmp_path / "corpus")
    (tmp_path / "corpus" / "quotations").mkdir(exist_ok=True)  # the new article has no records yet (git keeps no empty folder)
    return tmp_path / "corpus"


def _drafts(corpus, out):
    result = propose(TEXT, "synthetic-2026", load_and_validate(corpus), out)
    return result, {r["id"]: r for r in result.drafts.records}


def test_propose_drafts_the_synthetic_article(corpus, tmp_path):
    result, drafts = _drafts(corpus, tmp_path / "drafts")
    assert result.path == tmp_path / "drafts" / "quotations" / "synthetic-2026.yaml"
    assert yaml.safe_load(result.path.read_text(encoding="utf-8")) == list(drafts.values())
    russian, german, english_only, in_note, last = drafts.values()
    # a Russian original with its English, paired by the parenthesis; speaker, date, document from footnote 2
    assert (russian["original"], russian["translation"]) == (
        "Германия не нарушит своего нейтралитета в пользу Польши",
        "Germany will not violate its neutrality in favour of Poland",
    )
    assert (russian["page"], russian["footnote"], russian["language"]) == (201, None, "ru")
    assert (russian["speaker"], russian["addressee"], russian["date"]) == ("kopp", "chicherin", "1920-09-16")
    assert russian["document"] == "doc-kopp-chicherin-1920-09-16"
    assert russian["proposed"]["speaker"]["lines"] == ["synthetic-2026.txt:11"]
    assert "parenthesis" in russian["proposed"]["why"]
    # a German one, after the running head of p. 202
    assert (german["original"], german["translation"], german["language"], german["page"]) == (
        "Wir müssen gemeinsam mit Russland gehen",
        "we must go together with Russia",
        "de",
        202,
    )
    # an English-only quotation of a Russian source: its language inferred, and said to be
    assert "original" not in english_only
    assert english_only["translation"] == "have completely forgotten what the war taught them"
    assert english_only["language"] == "ru" and english_only["certainty"][0]["of"] == "language"
    assert (english_only["speaker"], english_only["addressee"], english_only["date"]) == ("chicherin", "kopp", "1920-09-03")
    # a Russian original in a footnote, its line-end hyphen joined (and reported); the ligature of its source repaired
    assert (in_note["original"], in_note["page"], in_note["footnote"]) == ("Германии нужна наша помощь", 202, 4)
    assert in_note["proposed"]["hyphens_joined"] == ["Гер-/мании"]
    assert "The letter ends" in english_only["source"]
    # the page after an indented page start, with no running head
    assert (last["page"], last["translation"]) == (203, "a new beginning in the relations with Germany")
    # a label in scare quotes and an English title in a citation are not proposed
    texts = {r.get("translation") for r in drafts.values()} | {r.get("original") for r in drafts.values()}
    assert not texts & {"eastern orientation", "A History of the Eastern Orientation,"}


def test_records_already_in_the_corpus_are_not_proposed_again(corpus, tmp_path):
    _, drafts = _drafts(corpus, None)
    held = dict(next(iter(drafts.values())))
    del held["proposed"]
    (corpus / "quotations" / "synthetic-2026.yaml").write_text(yaml.safe_dump([held], allow_unicode=True), encoding="utf-8")
    result, again = _drafts(corpus, tmp_path / "drafts")
    assert result.drafts.already == [(held["id"], held["original"])]
    assert held["original"] not in {r.get("original") for r in again.values()}
    assert min(again) == "synthetic-2026-q002"  # numbered after the records the corpus holds


def _accept(corpus, drafts_path, reviewed: bool):
    records = yaml.safe_load(drafts_path.read_text(encoding="utf-8"))
    if reviewed:
        for r in records:
            del r["proposed"]
    (corpus / "quotations" / "synthetic-2026.yaml").write_text(yaml.safe_dump(records, allow_unicode=True), encoding="utf-8")


def test_an_unreviewed_draft_is_refused_with_what_to_do(corpus, tmp_path):
    result, _ = _drafts(corpus, tmp_path / "drafts")
    _accept(corpus, result.path, reviewed=False)
    with pytest.raises(RecordError) as e:
        load_and_validate(corpus)
    first = e.value.problems[0]
    assert first.path == "corpus/quotations/synthetic-2026.yaml"
    assert first.message == (
        "quotation synthetic-2026-q001: a draft of quotecorpus propose, never reviewed: check its fields against the article, "
        "then delete its `proposed:` block"
    )
    lines = (corpus / "quotations" / "synthetic-2026.yaml").read_text(encoding="utf-8").split("\n")
    assert lines[first.line - 1].lstrip("- ").startswith("proposed:")
    assert len(e.value.problems) == len(result.drafts.records)  # one message each, no "unknown field" besides
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "quotecorpus",
            "build",
            "-q",
            "--corpus",
            str(corpus),
            "--tei",
            str(tmp_path / "tei"),
            "--db",
            str(tmp_path / "c.db"),
        ],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 2 and "never reviewed" in build.stderr and "Traceback" not in build.stderr


def test_an_accepted_draft_validates(corpus, tmp_path):
    result, _ = _drafts(corpus, tmp_path / "drafts")
    _accept(corpus, result.path, reviewed=True)
    assert len(load_and_validate(corpus).records["quotations"]) == len(result.drafts.records)


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "quotecorpus", "propose", *map(str, args)], capture_output=True, text=True)


def test_bad_input_is_one_clear_message_and_an_exit_code(corpus, tmp_path):
    missing = _cli(tmp_path / "nope.txt", "--corpus", corpus, "--out", tmp_path / "d")
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    unknown = _cli(TEXT, "--article", "unknown-2030", "--corpus", corpus, "--out", tmp_path / "d")
    assert unknown.returncode == ProposeError.exit_code == 8
    assert "no article 'unknown-2030' in corpus/articles.yaml: add the article's entry first" in unknown.stderr
    inside = _cli(TEXT, "--corpus", corpus, "--out", corpus / "drafts")
    assert inside.returncode == 8 and "is inside the corpus" in inside.stderr
    assert not (corpus / "drafts").exists()
    for r in (missing, unknown, inside):
        assert "Traceback" not in r.stderr
    ok = _cli(TEXT, "--corpus", corpus, "--out", tmp_path / "d")
    assert ok.returncode == 0 and "Wrote 5 draft(s)" in ok.stdout


def test_foreign_words_by_word_frequency():
    """Terms with no typographic cue: not English by the word-frequency lists, and romanized Russian
    (read back into Cyrillic), German (a common noun, or OCR-damaged) or a variant of a term found."""
    from quotecorpus.propose.foreign import cyrillic_readings, judge, ocr_german, variant_of

    assert "красные" in cyrillic_readings("krasnye")
    assert judge("krasnye").language == judge("komandiry").language == judge("Esers").language == "ru"
    assert judge("Kaiser").language == "de" and judge("Kaiser").noun  # only as "the Kaiser …"
    assert ocr_german("Dreibtind").language == "de"
    assert variant_of("Revvoyenvensoviet", {"Revvoensoviet": "ru"}).language == "ru"
    # English prose, names English texts use, and fragments are not terms
    prose = "The delegation negotiated a ferment of ideas in Petrograd and Riga with Kornilov regen nego fonds"
    assert [w for w in prose.split() if judge(w) and not judge(w).noun] == []
    assert ocr_german("Schiiler") is None and variant_of("Trotsky", {"Revvoensoviet": "ru"}) is None
