"""Record validation: every failure mode names file, line and field, and nothing built before is lost."""

from __future__ import annotations

import shutil

import pytest

from conftest import FIXTURES
from quotecorpus.build import build
from quotecorpus.errors import RecordError

CASES = {
    "malformed_yaml": "corpus/quotations/nowak-2025.yaml:21: malformed YAML: did not find expected ',' or ']' "
    "(while parsing a flow sequence that starts at line 20)",
    "unknown_field": "corpus/quotations/nowak-2025.yaml:20: quotation nowak-2025-q002: unknown field 'speeker'",
    "unknown_speaker": "corpus/quotations/nowak-2025.yaml:23: quotation nowak-2025-q002: unknown speaker 'p_kop' (no such id in persons)",
    "duplicate_id": "corpus/quotations/nowak-2025.yaml:17: quotation nowak-2025-q001: duplicate id 'nowak-2025-q001' "
    "(first used at corpus/quotations/nowak-2025.yaml:1)",
    "unknown_language": "corpus/quotations/nowak-2025.yaml:21: quotation nowak-2025-q002: unknown language 'xx' in field 'language'",
    "cyrillic_tagged_de": "corpus/quotations/nowak-2025.yaml:6: quotation nowak-2025-q001: the original is in Cyrillic but is tagged 'de'",
    "empty_quotation": "corpus/quotations/nowak-2025.yaml:17: quotation nowak-2025-q002: empty quotation: "
    "it has neither an original nor a translation",
    "bad_date": "corpus/quotations/nowak-2025.yaml:13: quotation nowak-2025-q001: field 'date' must be an ISO 8601 date",
}


def test_the_fixture_corpus_is_valid(mini):
    result = build(mini)
    assert result.rebuilt and result.counts["quotations"] == 3


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_record_is_reported_and_previous_build_survives(mini, case):
    build(mini)
    before = {p: p.read_bytes() for p in [mini.db, *sorted(mini.tei.glob("*.xml"))]}
    for bad in (FIXTURES / "bad_records" / case).rglob("*.yaml"):
        shutil.copy(bad, mini.corpus / bad.relative_to(FIXTURES / "bad_records" / case))
    with pytest.raises(RecordError) as err:
        build(mini)
    assert CASES[case] in str(err.value)
    assert {p: p.read_bytes() for p in before} == before
    assert not [p.name for p in mini.db.parent.iterdir() if ".tmp-" in p.name]


def test_every_problem_is_reported_at_once(mini):
    path = mini.corpus / "quotations" / "nowak-2025.yaml"
    text = path.read_text().replace("speaker: kopp", "speaker: nobody").replace("language: de", "language: zz")
    path.write_text(text)
    with pytest.raises(RecordError) as err:
        build(mini)
    assert len(err.value.problems) == 2
    assert "unknown speaker 'nobody'" in str(err.value) and "unknown language 'zz'" in str(err.value)
