"""Record validation: every failure mode names file, line and field, and nothing built before is lost."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES
from hostile_cases import BAD_RECORDS_AT_SCALE, STRANGE_FILES, put_bad_records
from quotecorpus.errors import Problem, RecordError
from quotecorpus.pipeline.build import build

CASES = {
    "malformed_yaml": "corpus/quotations/nowak-2025.yaml:21: malformed YAML: did not find expected ',' or ']' "
    "(while parsing a flow sequence that starts at line 20)",
    "unknown_field": "corpus/quotations/nowak-2025.yaml:20: quotation nowak-2025-q002: unknown field 'speeker'",
    "unknown_speaker": "corpus/quotations/nowak-2025.yaml:23: quotation nowak-2025-q002: unknown speaker 'p_kop' (no such id in persons; "
    "did you mean kopp?)",
    # issue 23: an unknown id names the nearest known ones
    "unknown_speaker_near": "corpus/quotations/nowak-2025.yaml:23: quotation nowak-2025-q002: unknown speaker 'lenim' (no such id in "
    "persons; did you mean lenin?)",
    "duplicate_id": "corpus/quotations/nowak-2025.yaml:17: quotation nowak-2025-q001: duplicate id 'nowak-2025-q001' "
    "(first used at corpus/quotations/nowak-2025.yaml:1)",
    "unknown_language": "corpus/quotations/nowak-2025.yaml:21: quotation nowak-2025-q002: unknown language 'xx' in field 'language'",
    "cyrillic_tagged_de": "corpus/quotations/nowak-2025.yaml:6: quotation nowak-2025-q001: the original is in Cyrillic but is tagged 'de'",
    "empty_quotation": "corpus/quotations/nowak-2025.yaml:17: quotation nowak-2025-q002: empty quotation: "
    "it has neither an original nor a translation",
    "bad_date": "corpus/quotations/nowak-2025.yaml:13: quotation nowak-2025-q001: field 'date' must be an ISO 8601 date",
    # what hostile or careless input looks like (issue 12): each refused with its file, line and field
    "alias_bomb": "corpus/quotations/nowak-2025.yaml:16: YAML aliases (*name) are not accepted in records",
    "duplicate_key": "corpus/quotations/nowak-2025.yaml:14: the key 'speaker' occurs twice in one record (first at line 12)",
    # a date of the right form that the calendar lacks says which day or month does not exist (issue 23)
    "date_month_13": "corpus/quotations/nowak-2025.yaml:13: quotation nowak-2025-q001: field 'date' is 1920-13-45, but there is "
    "no month 13 (months run from 01 to 12)",
    "date_february_30": "corpus/quotations/nowak-2025.yaml:13: quotation nowak-2025-q001: field 'date' is 1920-02-30, but there is "
    "no 30 February 1920 (February 1920 has 29 days)",
    "date_february_30_quoted": "corpus/quotations/nowak-2025.yaml:13: quotation nowak-2025-q001: field 'date' is 1920-02-30, but "
    "there is no 30 February 1920 (February 1920 has 29 days)",
    "date_one_of_february_30": "corpus/quotations/nowak-2025.yaml:14: quotation nowak-2025-q001: field 'date_one_of' has 1920-02-30, "
    "but there is no 30 February 1920 (February 1920 has 29 days)",
    "control_character_raw": "corpus/quotations/nowak-2025.yaml:11: malformed YAML: the character U+0001 is not allowed in YAML "
    "(in field 'translation')",
    "control_character_escaped": "corpus/quotations/nowak-2025.yaml:11: quotation nowak-2025-q001: field 'translation' has the "
    "character U+0001 at position 15, which no text may hold",
    "nul_escaped": "corpus/quotations/nowak-2025.yaml:11: quotation nowak-2025-q001: field 'translation' has the character U+0000",
    "noncharacter": "corpus/quotations/nowak-2025.yaml:11: quotation nowak-2025-q001: field 'translation' has the character U+FFFE",
    "lone_surrogate": "corpus/quotations/nowak-2025.yaml:11: malformed YAML: found invalid Unicode character escape code",
    "number_too_large": "corpus/quotations/nowak-2025.yaml:3: quotation nowak-2025-q001: field 'page' must be a whole number "
    "from 1 to 99,999, found 99999999999999999999",
    "deep_nesting": "corpus/quotations/nowak-2025.yaml:11: nested more than 8 levels deep (in field 'translation')",
    "language_no": "corpus/quotations/nowak-2025.yaml:6: quotation nowak-2025-q001: the original is in Cyrillic but is tagged 'no'",
    "unclosed_quote": "corpus/quotations/nowak-2025.yaml:11: malformed YAML: a quoted text that starts here is not closed "
    "(in field 'translation')",
    "not_utf8": "corpus/quotations/nowak-2025.yaml:11: not UTF-8: byte 0xe9",
    # the editorial model (issue 13): nested quotations, regularisations, flags, uncertain dates
    "nested_not_in_original": "corpus/quotations/nowak-2025.yaml:17: quotation nowak-2025-q001: nested quotation "
    "nowak-2025-q001-n1: its original 'Белая Россия' does not occur in the outer original as printed",
    "nested_unknown_key": "corpus/quotations/nowak-2025.yaml:17: quotation nowak-2025-q001: unknown key(s) in 'nested': page "
    "(allowed: id, unmarked, language, original, translation, speaker, addressee, date, date_one_of, date_range, certainty, note)",
    "nested_duplicate_id": "corpus/quotations/nowak-2025.yaml:32: quotation nowak-2025-q003: duplicate id 'nowak-2025-q003' "
    "(first used at corpus/quotations/nowak-2025.yaml:1, by a quotation nested in nowak-2025-q001)",
    "regularised_and_corrected": "corpus/quotations/nowak-2025.yaml:17: quotation nowak-2025-q001: 'революциию' is both a "
    "correction and a regularisation: a misprint or the document's spelling, not both",
    "flag_false": "corpus/quotations/nowak-2025.yaml:17: quotation nowak-2025-q001: field 'unmarked' is a flag: write "
    "`unmarked: true`, or leave it out, found false",
    "date_alternatives_outside_date": "corpus/quotations/nowak-2025.yaml:13: quotation nowak-2025-q001: field 'date' must be "
    "'1920-08', the most precise date that holds every day of 'date_one_of'",
    # made by the test (an 11 MB fixture would weigh on the repository): a translation of 11 MB
    "text_too_long": "corpus/quotations/nowak-2025.yaml:11: quotation nowak-2025-q001: field 'translation' is 11,534,336 "
    "characters long; a field holds at most 20,000",
}


def _put_case(corpus: Path, case: str) -> None:
    if case == "text_too_long":
        path = corpus / "quotations" / "nowak-2025.yaml"
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        lines[10] = '  translation: "' + "x" * (11 * 1024 * 1024) + '"\n'
        path.write_text("".join(lines), encoding="utf-8")
        return
    for bad in (FIXTURES / "bad_records" / case).rglob("*.yaml"):
        shutil.copy(bad, corpus / bad.relative_to(FIXTURES / "bad_records" / case))


def test_the_fixture_corpus_is_valid(mini):
    result = build(mini)
    assert result.rebuilt and result.counts["quotations"] == 3


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_record_is_reported_and_previous_build_survives(mini, case):
    build(mini)
    before = {p: p.read_bytes() for p in [mini.db, *sorted(mini.tei.glob("*.xml"))]}
    _put_case(mini.corpus, case)
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


# The CLI, reporting its own peak memory at exit: VmHWM, the high-water mark of this program's memory
# (ru_maxrss is kept across fork and exec on Linux, so it would count the test runner's pages too).
_MEASURED = (
    "import atexit, sys; "
    "atexit.register(lambda: print('peak-kb', next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')),"
    " file=sys.stderr)); "
    "from quotecorpus.cli import main; main()"
)


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_command_gives_exit_2_one_short_message_in_little_memory(mini, case):
    """`quotecorpus build` on each bad record: exit 2, one message of at most 2 KB naming file, line
    and field, no traceback, within 200 MB (the time, within 2 s, is measured by `scripts/dev bench`)."""
    build(mini)
    _put_case(mini.corpus, case)
    args = [sys.executable, "-c", _MEASURED, "build", "--corpus", str(mini.corpus), "--tei", str(mini.tei), "--db", str(mini.db)]
    proc = subprocess.run(args, capture_output=True, text=True)
    lines = proc.stderr.splitlines()
    peak = int(next(line for line in lines if line.startswith("peak-kb")).split()[1])
    message = "\n".join(line for line in lines if not line.startswith(("  ", "peak-kb")))  # without the progress steps
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert CASES[case] in message
    assert len(message.encode()) <= 2048
    assert peak < 200 * 1024, peak


# --- strange files and bad records at scale (issue 22) ----------------------------------------------


def _command(mini, timeout: float = 60) -> tuple[subprocess.CompletedProcess, int, str]:
    """`quotecorpus build` in a new process: (the process, its peak memory in KB, its message without the progress steps)."""
    args = [sys.executable, "-c", _MEASURED, "build", "--corpus", str(mini.corpus), "--tei", str(mini.tei), "--db", str(mini.db)]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    lines = proc.stderr.splitlines()
    peak = int(next(line for line in lines if line.startswith("peak-kb")).split()[1])
    return proc, peak, "\n".join(line for line in lines if not line.startswith(("  ", "peak-kb")))


@pytest.mark.parametrize("case", sorted(STRANGE_FILES))
def test_a_strange_file_in_the_corpus_is_exit_2_with_its_path_and_what_it_is(mini, case):
    """A symbolic link (in a loop, to nothing, to a folder, to /dev/zero, to records inside corpus/), a
    directory, a FIFO or a socket named like a records file: exit 2, the path and what it is, nothing
    opened (a FIFO or /dev/zero would never end), and the previous build untouched. The timeout is the
    guard against a hang; the 2 s are measured by `scripts/dev bench`."""
    build(mini)
    before = {p: p.read_bytes() for p in [mini.db, *sorted(mini.tei.glob("*.xml"))]}
    expected = STRANGE_FILES[case](mini.corpus)
    proc, peak, message = _command(mini, timeout=30)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert expected in message, message
    assert "corpus/ holds its records in regular files only" in message
    assert len(message.encode()) <= 2048
    with pytest.raises(RecordError, match="not a records file"):
        build(mini)
    assert {p: p.read_bytes() for p in before} == before


@pytest.mark.parametrize("case", sorted(BAD_RECORDS_AT_SCALE))
def test_200000_bad_records_are_one_short_message_in_little_memory(mini, case):
    """200,000 records of `- x`, `-`, `- {}` or `- {zz: 1}`, or a 10 MB key: exit 2, a message of at most
    2 KB with the first problems and how many, within 200 MB (the 2 s: `scripts/dev bench`)."""
    expected = put_bad_records(mini.corpus, case)
    proc, peak, message = _command(mini)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert expected in message, message
    assert "corpus/quotations/nowak-2025.yaml:1: " in message or "corpus/quotations/nowak-2025.yaml:2: " in message
    assert len(message.encode()) <= 2048, len(message.encode())
    assert peak < 200 * 1024, peak
    if case != "long_key":
        assert "1,000 or more problem(s)" in message and "reading stopped after 1,000 problems" in message


def test_a_long_list_of_problems_is_cut_to_2_kb_and_counted():
    problems = [Problem("corpus/x.yaml", n, "quotation q: " + "v" * 1000) for n in range(1, 5001)]
    message = str(RecordError(problems))
    assert len(message.encode()) <= 1900
    assert message.startswith("5,000 problem(s) in corpus records:\ncorpus/x.yaml:1: quotation q: vvv")
    assert "… (1,013 characters)" in message  # each problem cut, with its length
    assert message.endswith("more (the first are shown, in file and line order)")
