"""Record validation: a registry of small rules, each yielding every problem it finds.

Like pycldf's validators: a rule never stops at the first problem, so a curator sees them all at once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from .errors import Problem, RecordError
from .profile import CYRILLIC_LANGUAGES, ISO_639_1, REGISTERS, Field, Register
from .records import Corpus, Record, load_corpus
from .textutil import has_cyrillic, sic_pattern

Rule = Callable[[Corpus], Iterator[Problem]]
RULES: list[Rule] = []


def rule(fn: Rule) -> Rule:
    RULES.append(fn)
    return fn


ID_RE = re.compile(r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$")
DATE_RE = re.compile(r"^\d{4}(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?)?$")
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


def _real_date(value: str) -> bool:
    """A day that the calendar has (1920-02-30 is not one)."""
    parts = [int(p) for p in value.split("-")]
    if len(parts) < 3:
        return True
    try:
        dt.date(*parts)
    except ValueError:
        return False
    return True


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
        if not isinstance(value, str) or not DATE_RE.match(value) or not _real_date(value):
            return f"field '{f.name}' must be an ISO 8601 date (1920, 1920-07 or 1920-07-23), found {_shown(value)}"
        return None
    if t == "lang":
        if value not in ISO_639_1:
            return f"unknown language '{value}' in field '{f.name}' (use an ISO 639-1 code such as ru, de, pl)"
        return None
    if t == "enum":
        return None if value in f.values else f"field '{f.name}' must be one of {', '.join(f.values)}, found {_shown(value)}"
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
            what = "texts" if f.item == "str" else "ids" if f.item == "id" else "positive whole numbers"
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


@rule
def ids_are_unique(corpus: Corpus) -> Iterator[Problem]:
    # One namespace: every id becomes an xml:id in the same TEI document.
    seen: dict[str, Record] = {}
    for register in REGISTERS:
        for rec in corpus.records[register.name]:
            first = seen.get(rec.id)
            if first is not None:
                yield rec.problem("id", f"duplicate id '{rec.id}' (first used at {first.path}:{first.line})")
            else:
                seen[rec.id] = rec


@rule
def references_resolve(corpus: Corpus) -> Iterator[Problem]:
    known = {r.name: corpus.ids(r.name) for r in REGISTERS}
    for register in REGISTERS:
        for rec in corpus.records[register.name]:
            for f in register.fields:
                value = rec.data.get(f.name)
                if f.ref is None or value is None:
                    continue
                for v in value if isinstance(value, list) else [value]:
                    if isinstance(v, str) and v not in known[f.ref]:
                        yield rec.problem(f.name, f"unknown {f.name} '{v}' (no such id in {f.ref})")
            for f in register.fields:
                for entry in rec.data.get(f.name) or [] if f.type == "records" else []:
                    for s in f.fields:
                        v = entry.get(s.name) if isinstance(entry, dict) else None
                        if s.ref and isinstance(v, str) and v not in known[s.ref]:
                            yield rec.problem(f.name, f"unknown {s.name} '{v}' in {f.name}")


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
        if isinstance(article, str) and not rec.id.startswith(article + "-"):
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
def brackets_are_balanced(corpus: Corpus) -> Iterator[Problem]:
    for rec in corpus.records["quotations"]:
        for name in ("original", "translation"):
            text = rec.data.get(name)
            if isinstance(text, str) and not re.fullmatch(r"[^\[\]]*(?:\[[^\[\]]+\][^\[\]]*)*", text):
                yield rec.problem(name, "unbalanced or nested square brackets")


def validate(corpus: Corpus) -> list[Problem]:
    problems: list[Problem] = []
    for r in RULES:
        problems.extend(r(corpus))
    return sorted(problems, key=lambda p: (p.path, p.line, p.message))


def load_and_validate(root: Path) -> Corpus:
    """Read and validate the corpus; raise RecordError listing every problem."""
    corpus = load_corpus(root)
    problems = validate(corpus)
    if problems:
        raise RecordError(problems)
    return corpus
