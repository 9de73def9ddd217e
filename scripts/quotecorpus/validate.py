"""Record validation: a registry of small rules, each yielding every problem it finds.

Like pycldf's validators: a rule never stops at the first problem, so a curator sees them all at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

from .errors import Problem, RecordError
from .records import Corpus, Record, load_corpus
from .schema import (
    CERT_VALUES,
    CERTAINTY_OF,
    CORRECTION_TARGETS,
    CYRILLIC_LANGUAGES,
    DOCUMENT_TYPES,
    EXCLUSION_CATEGORIES,
    ISO_639_1,
    KINDS,
    REGISTERS,
    Field,
    Register,
)
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


def _check_value(f: Field, value) -> str | None:
    """Return what is wrong with one field value, or None."""
    t = f.type
    if t == "str":
        return None if _is_str(value) else f"field '{f.name}' must be non-empty text, found {value!r}"
    if t == "id":
        if not isinstance(value, str) or not ID_RE.match(value):
            return f"field '{f.name}' must be an id (lower-case letters, digits, '-'), found {value!r}"
        return None
    if t == "int":
        ok = isinstance(value, int) and not isinstance(value, bool) and value > 0
        return None if ok else f"field '{f.name}' must be a positive whole number, found {value!r}"
    if t == "date":
        value = str(value) if isinstance(value, int) else value
        if not isinstance(value, str) or not DATE_RE.match(value):
            return f"field '{f.name}' must be an ISO 8601 date (1920, 1920-07 or 1920-07-23), found {value!r}"
        return None
    if t == "lang":
        if value not in ISO_639_1:
            return f"unknown language '{value}' in field '{f.name}' (use an ISO 639-1 code such as ru, de, pl)"
        return None
    if t == "kind":
        return None if value in KINDS else f"field 'kind' must be one of {', '.join(KINDS)}, found {value!r}"
    if t == "document_type":
        return None if value in DOCUMENT_TYPES else f"field 'type' must be one of {', '.join(DOCUMENT_TYPES)}, found {value!r}"
    if t == "exclusion_category":
        ok = value in EXCLUSION_CATEGORIES
        return None if ok else f"field 'category' must be one of {', '.join(EXCLUSION_CATEGORIES)}, found {value!r}"
    if t == "doi":
        return None if isinstance(value, str) and DOI_RE.match(value) else f"field 'doi' must be a DOI (10.xxxx/...), found {value!r}"
    if t in ("list[str]", "list[id]"):
        if not isinstance(value, list) or not all(_is_str(v) for v in value):
            return f"field '{f.name}' must be a list of texts, found {value!r}"
        return None
    if t == "corrections":
        if not isinstance(value, list) or not value:
            return "field 'corrections' must be a list of {sic, corr} entries"
        for c in value:
            if not isinstance(c, dict) or not _is_str(c.get("sic")) or not _is_str(c.get("corr")):
                return f"each correction needs non-empty 'sic' and 'corr', found {c!r}"
            extra = set(c) - {"sic", "corr", "in"}
            if extra:
                return f"unknown key(s) in correction: {', '.join(sorted(extra))}"
            if c.get("in", "original") not in CORRECTION_TARGETS:
                return f"correction 'in' must be one of {', '.join(CORRECTION_TARGETS)}, found {c.get('in')!r}"
        return None
    if t == "certainty":
        if not isinstance(value, list) or not value:
            return "field 'certainty' must be a list of {of, cert, reason} entries"
        for c in value:
            if not isinstance(c, dict):
                return f"each certainty entry must be a mapping, found {c!r}"
            if c.get("of") not in CERTAINTY_OF:
                return f"certainty 'of' must be one of {', '.join(CERTAINTY_OF)}, found {c.get('of')!r}"
            if c.get("cert") not in CERT_VALUES:
                return f"certainty 'cert' must be one of {', '.join(CERT_VALUES)}, found {c.get('cert')!r}"
            if not _is_str(c.get("reason")):
                return "each certainty entry needs a 'reason'"
            extra = set(c) - {"of", "cert", "reason"}
            if extra:
                return f"unknown key(s) in certainty: {', '.join(sorted(extra))}"
        return None
    if t == "citations":
        if not isinstance(value, list):
            return f"field '{f.name}' must be a list of {{article, footnote(s)}} entries"
        for c in value:
            if not isinstance(c, dict) or not _is_str(c.get("article")):
                return f"each '{f.name}' entry needs an 'article', found {c!r}"
            extra = set(c) - {"article", "footnote", "footnotes", "page", "pages", "form"}
            if extra:
                return f"unknown key(s) in '{f.name}': {', '.join(sorted(extra))}"
        return None
    raise AssertionError(f"no check for field type {t}")


def check_fields(register: Register, rec: Record) -> Iterator[Problem]:
    """Unknown, missing and malformed fields of one record."""
    for name in rec.data:
        if name not in register.field_names:
            yield rec.problem(name, f"unknown field '{name}' (allowed: {', '.join(sorted(register.field_names))})")
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
            for key in ("cited_in",):
                for c in rec.data.get(key) or []:
                    if isinstance(c, dict) and c.get("article") not in known["articles"]:
                        yield rec.problem(key, f"unknown article '{c.get('article')}' in {key}")


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
