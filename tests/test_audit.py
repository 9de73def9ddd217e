"""The article audit: every Cyrillic run and quoted passage is in the corpus or excluded with a reason,
and every record's printed text stands verbatim in its article."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys

import pytest

from conftest import FIXTURES, article_text_or_skip
from quotecorpus.errors import RecordError
from quotecorpus.pipeline.build import ROOT
from quotecorpus.records.audit import audit
from quotecorpus.records.validate import load_and_validate
from quotecorpus.text.articletext import ArticleText, key

AUDIT = FIXTURES / "audit"


def _audit(mini, exclusions: str | None = None):
    if exclusions:
        (mini.corpus / "exclusions").mkdir()
        shutil.copy(AUDIT / exclusions, mini.corpus / "exclusions" / "nowak-2025.yaml")
    return audit(load_and_validate(mini.corpus), ArticleText.read(AUDIT / "nowak-2025.txt"), "nowak-2025")


def test_key_ignores_spaces_hyphens_and_ligature_breaks():
    assert key("The [Pomeranian] cor-\nridor") == key("Th e [Pomeranian] corridor")
    text = ArticleText.from_text("t", "A Gov\nernment of Preoб-\nраженский")
    assert text.contains("Government") and text.contains("Преoбраженский".replace("o", "о")) is False
    assert text.contains("Preoбраженский")


def test_unaccounted_passages_are_listed_with_their_lines(mini):
    report = _audit(mini)
    assert [(i.line, i.kind, i.text) for i in report.unaccounted] == [
        (2, "‘’", "Great Poland"),
        (5, "cyrillic", "Москва"),
        (6, "“”", "a passage not in the corpus"),
        (6, "cyrillic", "а кириллица тоже"),
        (7, '""', "straight quote that is never closed runs to the end of its paragraph"),
        (10, '""', "closed one"),
    ]
    held = {i.text for i in report.items} - {i.text for i in report.unaccounted}
    # Held by the corpus: q002's translation (split by a line-end hyphen), q003's original, a work title.
    assert held == {"the [Pomeranian] cor- ridor should fall", "Копп ещё раз писал из Берлина", "Сочинения"}


def test_exclusions_account_for_passages(mini):
    report = _audit(mini, "exclusions_ok.yaml")
    assert "Great Poland" not in {i.text for i in report.unaccounted}
    assert "Москва" not in {i.text for i in report.unaccounted}
    assert report.stale == []


def test_a_stale_exclusion_is_reported(mini):
    report = _audit(mini, "exclusions_stale.yaml")
    assert [str(p) for p in report.stale] == [
        "corpus/exclusions/nowak-2025.yaml:2: exclusion ?: exclusion text does not occur in the article"
    ]
    assert not report.ok


@pytest.mark.parametrize(
    "fixture,message",
    [
        ("exclusions_no_reason.yaml", "corpus/exclusions/nowak-2025.yaml:1: exclusion ?: missing required field 'reason'"),
        ("exclusions_bad_category.yaml", "nowak-2025.yaml:3: exclusion ?: field 'category' must be one of english-source"),
    ],
)
def test_a_malformed_exclusion_names_file_line_and_field(mini, fixture, message):
    with pytest.raises(RecordError) as e:
        _audit(mini, fixture)
    assert message in str(e.value)


def test_texts_not_in_the_article_are_reported(mini):
    report = _audit(mini, "exclusions_ok.yaml")
    wrong = [str(p) for p in report.not_verbatim]
    # q001 (Trotsky) is not in this extract at all; q002 is; q003's English is not printed here.
    assert wrong == [
        "corpus/quotations/nowak-2025.yaml:7: quotation nowak-2025-q001: original does not occur verbatim in nowak-2025",
        "corpus/quotations/nowak-2025.yaml:11: quotation nowak-2025-q001: translation does not occur verbatim in nowak-2025",
        "corpus/quotations/nowak-2025.yaml:15: quotation nowak-2025-q001: source does not occur verbatim in nowak-2025",
        "corpus/quotations/nowak-2025.yaml:34: quotation nowak-2025-q003: translation does not occur verbatim in nowak-2025",
    ]


def test_audit_command_exit_code_and_lines():
    r = subprocess.run(
        [sys.executable, "-m", "quotecorpus", "audit", str(AUDIT / "nowak-2025.txt"), "--corpus", str(FIXTURES / "mini")],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 6
    assert f"{AUDIT / 'nowak-2025.txt'}:2: UNACCOUNTED ‘’: Great Poland" in r.stdout
    assert "nowak-2025: 9 passages, 6 unaccounted, 0 stale exclusion(s)" in r.stderr


# --- the real corpus against the real articles -------------------------------------------------


@pytest.mark.parametrize("article", ["himmer-1976", "nowak-2025"])
def test_article_audits_to_zero(article):
    text = article_text_or_skip(article)
    report = audit(load_and_validate(ROOT / "corpus"), text, article)
    assert [f"{i.line}: {i.kind}: {i.text}" for i in report.unaccounted] == []
    assert [str(p) for p in report.stale] == []
    assert [str(p) for p in report.not_verbatim] == []  # original, translation, source; a printed form of every work


# Printed forms that really name two registered persons: Himmer's bare "Kamenev" is L. B. Kamenev in
# one place and S. S. Kamenev (the commander-in-chief) in another.
AMBIGUOUS_FORMS = {"Kamenev"}


def test_every_quotation_has_a_page_and_registers_have_no_duplicates(built):
    db = sqlite3.connect(built.db)
    assert db.execute("select count(*) from quotations where page is null").fetchone() == (0,)
    assert db.execute("pragma foreign_key_check").fetchall() == []
    # No person or work is registered twice under one of its printed forms.
    for table, forms in (("persons", "name, name_original, variants"), ("works", "title, title_corrected, variants")):
        seen: dict[str, str] = {}
        for row in db.execute(f"select id, {forms} from {table}"):
            names = [row[1], row[2], *json.loads(row[3] or "[]")]
            for n in {x for x in names if x} - AMBIGUOUS_FORMS:
                assert seen.setdefault(n, row[0]) == row[0], f"{table}: '{n}' is a form of both {seen[n]} and {row[0]}"
