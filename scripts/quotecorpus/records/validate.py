"""Record validation: a registry of small rules, each yielding every problem it finds.

Like pycldf's validators: a rule never stops at the first problem, so a curator sees them all at once.
"""

from __future__ import annotations

import calendar
import difflib
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from quotecorpus.errors import Problem
from quotecorpus.profile import BY_NAME, CYRILLIC_LANGUAGES, ISO_639_1, MONTHS, REGISTERS, Field, Register, containing_date
from quotecorpus.records.corpus import Corpus, ProblemLog, Record, load_corpus
from quotecorpus.text.chars import has_cyrillic, sic_pattern

Rule = Callable[[Corpus], Iterator[Problem]]
RULES: list[Rule] = []
ACROSS: list[Rule] = []  # the rules that read more than one record at a time


def rule(fn: Rule) -> Rule:
    """A rule of one record at a time: what it says of a record depends on that record (and its file) alone."""
    RULES.append(fn)
    return fn


def rule_across(fn: Rule) -> Rule:
    """A rule across records, which reads of each record only what stub() keeps."""
    RULES.append(fn)
    ACROSS.append(fn)
    return fn


ID_RE = re.compile(r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$")
# the form of a date (a year, a month, a day); whether the calendar has that month and day is _missing_day's
DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")


def _is_str(v) -> bool:
    return isinstance(v, str) and v.strip() != ""


MAX_TEXT = 20_000  # characters in one field: the longest quotation in the articles is under 2,000
MAX_NUMBER = 99_999  # a page, a footnote, a year: whole numbers below this
# Characters no text of ours holds: C0 and C1 controls but tab and newline, DEL, lone surrogates,
# and Unicode non-characters (U+FDD0..U+FDEF and every U+xxFFFE/U+xxFFFF).
_BAD_CHAR = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
    + "".join(f"{chr(p * 0x10000 + 0xFFFE) if p else chr(0xFFFE)}{chr(p * 0x10000 + 0xFFFF) if p else chr(0xFFFF)}" for p in range(17))
    + "]"
)


def _shown(value, limit: int = 80) -> str:
    """A value as a message shows it: its repr, cut short (a message stays short whatever the value)."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + f"… ({len(text):,} characters)"


def _missing_day(value: str) -> str | None:
    """Why a date of the right form names no month or day of the calendar (1920-13, 1920-02-30), or
    None: a curator who wrote 30 February is told that, not that the form is wrong."""
    year, month, day = (int(p) if p else None for p in DATE_RE.match(value).groups())
    if month is None:
        return None
    if not 1 <= month <= 12:
        return f"there is no month {month:02d} (months run from 01 to 12)"
    if day is None:
        return None
    if year == 0:
        return "there is no year 0000 in the calendar of our dates (years start at 0001)"  # as Python's datetime
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        name = MONTHS[month - 1]
        return f"there is no {day} {name} {year} ({name} {year} has {last} days)"
    return None


def _check_text(name: str, value: str) -> str | None:
    if len(value) > MAX_TEXT:
        return f"field '{name}' is {len(value):,} characters long; a field holds at most {MAX_TEXT:,}"
    bad = _BAD_CHAR.search(value)
    if bad:
        return f"field '{name}' has the character U+{ord(bad.group()):04X} at position {bad.start() + 1}, which no text may hold"
    return None


def _check_scalar(f: Field, t: str, value) -> str | None:
    """What is wrong with one value of type `t`, or None."""
    if isinstance(value, str) and (wrong := _check_text(f.name, value)):
        return wrong
    if t == "str":
        return None if _is_str(value) else f"field '{f.name}' must be non-empty text, found {_shown(value)}"
    if t == "id":
        if not isinstance(value, str) or not ID_RE.match(value):
            return f"field '{f.name}' must be an id (lower-case letters, digits, '-'), found {_shown(value)}"
        return None
    if t == "int":
        ok = isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_NUMBER
        return None if ok else f"field '{f.name}' must be a whole number from 1 to {MAX_NUMBER:,}, found {_shown(value)}"
    if t == "date":
        value = str(value) if isinstance(value, int) else value
        if not isinstance(value, str) or not DATE_RE.match(value):
            return f"field '{f.name}' must be an ISO 8601 date (1920, 1920-07 or 1920-07-23), found {_shown(value)}"
        missing = _missing_day(value)
        return f"field '{f.name}' is {value}, but {missing}" if missing else None
    if t == "lang":
        if value not in ISO_639_1:
            return f"unknown language '{value}' in field '{f.name}' (use an ISO 639-1 code such as ru, de, pl)"
        return None
    if t == "enum":
        return None if value in f.values else f"field '{f.name}' must be one of {', '.join(f.values)}, found {_shown(value)}"
    if t == "flag":
        shown = "false" if value is False else _shown(value)
        return None if value is True else f"field '{f.name}' is a flag: write `{f.name}: true`, or leave it out, found {shown}"
    if t == "doi":
        return (
            None
            if isinstance(value, str) and DOI_RE.match(value)
            else f"field '{f.name}' must be a DOI (10.xxxx/...), found {_shown(value)}"
        )
    raise AssertionError(f"no check for field type {t}")


def _check_value(f: Field, value) -> str | None:
    """Return what is wrong with one field value, or None."""
    if f.type == "list":
        if not isinstance(value, list) or any(_check_scalar(f, f.item, v) for v in value):
            for v in value if f.item == "date" and isinstance(value, list) else []:
                if isinstance(v, str) and DATE_RE.match(v) and (missing := _missing_day(v)):
                    return f"field '{f.name}' has {v}, but {missing}"  # a day the calendar lacks: which, said as for `date`
            what = {"str": "texts", "id": "ids", "date": "dates (1920-08-12)"}.get(f.item, "positive whole numbers")
            return f"field '{f.name}' must be a list of {what}, found {_shown(value)}"
        return None
    if f.type == "records":
        keys = ", ".join(s.name for s in f.fields)
        if not isinstance(value, list) or not value:
            return f"field '{f.name}' must be a list of {{{keys}}} entries"
        for entry in value:
            if not isinstance(entry, dict):
                return f"each '{f.name}' entry must be a mapping of {keys}, found {_shown(entry)}"
            extra = set(entry) - {s.name for s in f.fields}
            if extra:
                return f"unknown key(s) in '{f.name}': {', '.join(sorted(map(str, extra)))} (allowed: {keys})"
            for s in f.fields:
                if entry.get(s.name) is None:
                    if s.required:
                        return f"each '{f.name}' entry needs '{s.name}', found {_shown(entry)}"
                    continue
                wrong = _check_value(s, entry[s.name])
                if wrong:
                    return f"in '{f.name}': {wrong.replace('field ', 'key ', 1)}"
        return None
    return _check_scalar(f, f.type, value)


def check_fields(register: Register, rec: Record) -> Iterator[Problem]:
    """Unknown, missing and malformed fields of one record."""
    for name in rec.data:
        if name == DRAFT_KEY and register.name == "quotations":
            continue  # drafts_are_reviewed says what to do
        if name not in register.field_names:
            yield rec.problem(name, f"unknown field {_shown(name)} (allowed: {', '.join(sorted(register.field_names))})")
    for f in register.fields:
        value = rec.data.get(f.name)
        if value is None:
            if f.required:
                yield rec.problem(None, f"missing required field '{f.name}'")
            continue
        wrong = _check_value(f, value)
        if wrong:
            yield rec.problem(f.name, wrong)


@rule
def fields_are_known_and_well_formed(corpus: Corpus) -> Iterator[Problem]:
    for register in REGISTERS:
        for rec in corpus.records[register.name]:
            yield from check_fields(register, rec)


DRAFT_KEY = "proposed"  # the block `quotecorpus propose` gives each draft, for the curator to remove


@rule
def drafts_are_reviewed(corpus: Corpus) -> Iterator[Problem]:
    for rec in corpus.records["quotations"]:
        if DRAFT_KEY in rec.data:
            yield rec.problem(
                DRAFT_KEY,
                "a draft of quotecorpus propose, never reviewed: check its fields against the article, then delete its `proposed:` block",
            )


@rule_across
def ids_are_unique(corpus: Corpus) -> Iterator[Problem]:
    # One namespace: every id becomes an xml:id in the same TEI document.
    seen: dict[str, Record] = {}
    nested_ids: set[str] = set()
    for register in REGISTERS:
        for rec in corpus.records[register.name]:
            if not isinstance(rec.data.get("id"), str):
                continue  # no id: the fields rule says so, once
            first = seen.get(rec.id)
            if first is not None:
                by = f", by a quotation nested in {first.id}" if rec.id in nested_ids else ""
                yield rec.problem("id", f"duplicate id '{rec.id}' (first used at {first.path}:{first.line}{by})")
            else:
                seen[rec.id] = rec
            for item in rec.data.get("nested") or [] if register.name == "quotations" else []:
                nid = item.get("id") if isinstance(item, dict) else None
                if isinstance(nid, str):
                    if nid in seen:
                        yield rec.problem(
                            "nested", f"duplicate id '{nid}' of a nested quotation (first used at {seen[nid].path}:{seen[nid].line})"
                        )
                    else:
                        seen[nid] = rec
                        nested_ids.add(nid)


# Suggestions for an unknown id come from difflib, whose cost grows with the ids compared: a register of
# 100,000 quotations would take about 2 s for each unknown id, so larger registers get none; and only the
# first unknown ids of a run get them (a message shows the first problems only).
SUGGEST_AMONG = 2_000
SUGGESTIONS = 50


def did_you_mean(value: str, known: set[str]) -> str:
    """The words "did you mean lenin?" for an unknown id near known ones (difflib's closest, best first), or ""."""
    if len(known) > SUGGEST_AMONG:
        return ""
    near = difflib.get_close_matches(value, known, n=3, cutoff=0.6)
    if not near:
        return ""
    return f"did you mean {near[0]}?" if len(near) == 1 else f"did you mean {', '.join(near[:-1])} or {near[-1]}?"


@rule_across
def references_resolve(corpus: Corpus) -> Iterator[Problem]:
    known = {r.name: corpus.ids(r.name) for r in REGISTERS}
    suggested = 0

    def hint(value: str, register: str) -> str:
        nonlocal suggested
        suggested += 1
        return did_you_mean(value, known[register]) if suggested <= SUGGESTIONS else ""

    for register in REGISTERS:
        pointers = [f for f in register.fields if f.ref]  # listed once: this runs over every record
        lists = [(f, [s for s in f.fields if s.ref]) for f in register.fields if f.type == "records" and any(s.ref for s in f.fields)]
        for rec in corpus.records[register.name]:
            data = rec.data
            for f in pointers:
                value = data.get(f.name)
                if value is None:
                    continue
                for v in value if isinstance(value, list) else [value]:
                    if isinstance(v, str) and v not in known[f.ref]:
                        near = hint(v, f.ref)
                        yield rec.problem(f.name, f"unknown {f.name} '{v}' (no such id in {f.ref}{'; ' + near if near else ''})")
            for f, subfields in lists:
                for entry in data.get(f.name) or []:
                    for s in subfields:
                        v = entry.get(s.name) if isinstance(entry, dict) else None
                        if isinstance(v, str) and v not in known[s.ref]:
                            near = hint(v, s.ref)
                            yield rec.problem(f.name, f"unknown {s.name} '{v}' in {f.name}{' (' + near + ')' if near else ''}")


@rule
def uncertain_dates_are_consistent(corpus: Corpus) -> Iterator[Problem]:
    """date_one_of (the date is one of these days) and date_range (some day from the first to the last):
    days, not both, and `date` is the most precise date that holds them all (1920-08 for 12 or 17 August)."""
    for register in (BY_NAME["quotations"], BY_NAME["documents"]):
        for rec in corpus.records[register.name]:
            for data in [rec.data, *(i for i in rec.data.get("nested") or [] if isinstance(i, dict))]:
                yield from _uncertain_date(rec, data)


def _uncertain_date(rec: Record, data: dict) -> Iterator[Problem]:
    one_of, span = data.get("date_one_of"), data.get("date_range")
    if not one_of and not span:
        return
    name = "date_one_of" if one_of else "date_range"
    days = [str(d) for d in (one_of or span)]
    if one_of and span:
        yield rec.problem("date_range", "give date_one_of (the date is one of these days) or date_range (some day in it), not both")
    elif not all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", d) for d in days):
        yield rec.problem(name, f"field '{name}' lists days (1920-08-12), found {_shown(days)}")
    elif span and (len(days) != 2 or days[0] >= days[1]):
        yield rec.problem(name, f"field 'date_range' is [first day, last day], the first before the last, found {_shown(days)}")
    elif one_of and (len(days) < 2 or days != sorted(set(days))):
        yield rec.problem(name, f"field 'date_one_of' lists two or more different days in order, found {_shown(days)}")
    elif str(data.get("date")) != containing_date(sorted(days)):
        yield rec.problem(
            "date",
            f"field 'date' must be {containing_date(sorted(days))!r}, the most precise date that holds every day of '{name}'",
        )


@rule
def quotations_are_not_empty(corpus: Corpus) -> Iterator[Problem]:
    for rec in corpus.records["quotations"]:
        d = rec.data
        if not _is_str(d.get("original")) and not _is_str(d.get("translation")):
            yield rec.problem(None, "empty quotation: it has neither an original nor a translation")


@rule
def script_matches_language(corpus: Corpus) -> Iterator[Problem]:
    for rec in corpus.records["quotations"]:
        original, lang = rec.data.get("original"), rec.data.get("language")
        if isinstance(original, str) and has_cyrillic(original) and lang not in CYRILLIC_LANGUAGES:
            yield rec.problem("language", f"the original is in Cyrillic but is tagged '{lang}'")


@rule
def quotation_ids_follow_article(corpus: Corpus) -> Iterator[Problem]:
    for rec in corpus.records["quotations"]:
        article = rec.data.get("article")
        if not isinstance(article, str):
            continue  # no article: the fields rule says so, once
        if not rec.id.startswith(article + "-"):
            yield rec.problem("id", f"id must start with its article '{article}-'")
        expected = Path(rec.path).stem
        if article != expected:
            yield rec.problem("article", f"article '{article}' does not match its file ({expected}.yaml)")


@rule
def corrections_occur_in_text(corpus: Corpus) -> Iterator[Problem]:
    for rec in corpus.records["quotations"]:
        for c in rec.data.get("corrections") or []:
            if not isinstance(c, dict):
                continue
            target = c.get("in", "original")
            text = rec.data.get(target)
            if isinstance(c.get("sic"), str) and (not isinstance(text, str) or not re.search(sic_pattern(c["sic"]), text)):
                yield rec.problem("corrections", f"correction sic '{c['sic']}' does not occur in the {target} as a whole word")


@rule
def regularisations_occur_in_original(corpus: Corpus) -> Iterator[Problem]:
    for rec in corpus.records["quotations"]:
        text = rec.data.get("original")
        for r in rec.data.get("regularisations") or []:
            if (
                isinstance(r, dict)
                and isinstance(r.get("orig"), str)
                and (not isinstance(text, str) or not re.search(sic_pattern(r["orig"]), text))
            ):
                yield rec.problem("regularisations", f"regularisation orig '{r['orig']}' does not occur in the original as a whole word")
            elif isinstance(r, dict) and any(
                r.get("orig") == c.get("sic") for c in rec.data.get("corrections") or [] if isinstance(c, dict)
            ):
                yield rec.problem(
                    "regularisations",
                    f"'{r['orig']}' is both a correction and a regularisation: a misprint or the document's spelling, not both",
                )


@rule
def nested_quotations_stand_in_their_quotation(corpus: Corpus) -> Iterator[Problem]:
    """A nested quotation's words stand in the outer original (or, with no original of its own, in the
    outer English), as printed; its English, if any, in the outer English."""
    for rec in corpus.records["quotations"]:
        original, translation = rec.data.get("original"), rec.data.get("translation")
        spans: list[tuple[str, str]] = []
        for item in rec.data.get("nested") or []:
            if not isinstance(item, dict):
                continue
            words, english, nid = item.get("original"), item.get("translation"), item.get("id", "?")
            if not _is_str(words) and not _is_str(english):
                yield rec.problem("nested", f"nested quotation {nid} has neither an original nor a translation")
            elif _is_str(words) and not (isinstance(original, str) and re.search(sic_pattern(words), original)):
                yield rec.problem(
                    "nested", f"nested quotation {nid}: its original '{words}' does not occur in the outer original as printed"
                )
            elif _is_str(english) and not (isinstance(translation, str) and english in translation):
                yield rec.problem(
                    "nested", f"nested quotation {nid}: its translation '{english}' does not occur in the outer translation as printed"
                )
            else:
                spans.append(("original" if _is_str(words) else "translation", words if _is_str(words) else english))
        for where, span in spans:
            for other_where, other in spans:
                if span is not other and where == other_where and (span in other):
                    yield rec.problem("nested", f"nested quotations overlap in the {where}: '{span}' and '{other}'")


@rule_across
def parallels_are_mutual_and_across_articles(corpus: Corpus) -> Iterator[Problem]:
    """`parallel` joins a quotation to those of other articles that give the same words: each is in
    another article, names this one, and quotes the same document; and the set is whole (each member
    names every other), so that every member sees the same passage, however many articles give it."""
    by_id = {rec.id: rec for rec in corpus.records["quotations"]}
    for rec in corpus.records["quotations"]:
        named = [i for i in rec.data.get("parallel") or [] if isinstance(i, str)]
        for other_id in named:
            other = by_id.get(other_id)
            if other is None:
                continue  # references_resolve says so
            theirs = other.data.get("parallel") or []
            if other.data.get("article") == rec.data.get("article"):
                yield rec.problem("parallel", f"parallel '{other_id}' is in the same article: it names another article's rendering")
            elif rec.id not in theirs:
                yield rec.problem("parallel", f"parallel '{other_id}' does not name '{rec.id}' in its own parallel: the pairing is mutual")
            elif rec.data.get("document") != other.data.get("document"):
                yield rec.problem("parallel", f"parallel '{other_id}' quotes another document: a pair gives the same words of one document")
            else:
                missing = [i for i in named if i != other_id and i in by_id and i not in theirs]
                if missing:
                    yield rec.problem(
                        "parallel",
                        f"parallel '{other_id}' does not name {', '.join(repr(m) for m in missing)}: the quotations of one passage "
                        "each name all the others",
                    )


@rule
def brackets_are_balanced(corpus: Corpus) -> Iterator[Problem]:
    for rec in corpus.records["quotations"]:
        for name in ("original", "translation"):
            text = rec.data.get(name)
            if isinstance(text, str) and not re.fullmatch(r"[^\[\]]*(?:\[[^\[\]]+\][^\[\]]*)*", text):
                yield rec.problem(name, "unbalanced or nested square brackets")


def validate(corpus: Corpus, log: ProblemLog | None = None, rules: list[Rule] | None = None) -> list[Problem]:
    """The problems the rules find, in file and line order: all of them, up to the log's limit."""
    log = log if log is not None else ProblemLog()
    for r in RULES if rules is None else rules:
        log.add(r(corpus))
        if log.full:
            break
    return log.problems


def validate_changes(changed: Corpus, whole: Corpus, log: ProblemLog | None = None) -> list[Problem]:
    """The problems of a corpus whose records are those of the last valid one but `changed` (read
    again): the rules of one record on those only, the rules across records on `whole`, where the
    others may be stubs. The same problems as validate() of the whole corpus read again (up to the
    log's limit, in file and line order)."""
    log = log if log is not None else ProblemLog()
    for r in RULES:
        log.add(r(whole if r in ACROSS else changed))
        if log.full:
            break
    return log.problems


def _stub_fields(register: Register) -> dict[str, frozenset[str] | None]:
    """Field name -> None (kept whole), or the keys kept of each entry of a list of records."""
    out: dict[str, frozenset[str] | None] = {"id": None, "kind": None}
    if register.label:
        out[register.label] = None
    if register.name == "quotations":
        # what the documents' plan reads of a quotation: its page (the body's div) and its language and
        # those of its nested quotations (the teiCorpus's title names the languages quoted)
        out["page"] = out["language"] = None
    for f in register.fields:
        if f.ref:
            out[f.name] = None
        elif f.type == "records":
            keep = ("id", "language") if register.name == "quotations" else ("id",)
            keys = frozenset(s.name for s in f.fields if s.ref or s.name in keep)
            if keys:
                out[f.name] = keys
    return out


STUB_FIELDS = {r.name: _stub_fields(r) for r in REGISTERS}


def stub(register: Register, data: dict) -> dict:
    """What the rules across records read of a record (its id, label, kind, every reference, the ids of
    the quotations nested in it), and what the TEI documents' plan reads of it (tei/documents.py: a
    quotation's page and languages): what
    an incremental build keeps of a record it does not read again."""
    out = {}
    for name, keys in STUB_FIELDS[register.name].items():
        value = data.get(name)
        if value is None:
            continue
        if keys is not None and isinstance(value, list):
            value = [{k: v for k, v in e.items() if k in keys} if isinstance(e, dict) else e for e in value]
        out[name] = value
    return out


def load_and_validate(root: Path) -> Corpus:
    """Read and validate the corpus; raise RecordError listing the problems (the first of them and how
    many: reading and validating stop at ProblemLog's limit). Each record's own fields are checked as
    it is read, so that a file of bad records stops being read once there are enough problems to tell."""
    log = ProblemLog()
    corpus = load_corpus(root, check=lambda rec: check_fields(rec.register, rec), log=log)
    validate(corpus, log, [r for r in RULES if r is not fields_are_known_and_well_formed])
    if log.count:
        raise log.error()
    return corpus
