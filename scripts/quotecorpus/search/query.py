"""A search as a historian types it: parsed, expanded across scripts and word forms, run on a
table's search index (search_index.py), ranked, and shown with its matches marked.

Syntax (the search page documents it): words (all must match), "a phrase", `OR` between words or
phrases, `-word` or `NOT word` to leave out, `prefix*`. Anything else is searched for its words:
a stray quotation mark, a lone operator or punctuation never make an error, only a one-line notice.

Each word matches, in the index's columns (profile.SEARCH_COLUMNS):
* its folded form and, for a Cyrillic word, its romanizations (Чичерин → chicherin), in the texts,
  their romanizations, the names and the citations;
* its stems (Троцкого ~ Троцкий), the Russian stem of its romanization (Versalskii ~ Версальского)
  and its Polish lemmas (przemysłowcami ~ przemysłowiec), in the stems of the texts, names and citations;
* its spelling-blind key (Trotzki ~ Trotsky ~ Trotskii), in the keys;
* the forms of a person it names in any form (Trotsky, Trotzki, Троцкого, Trockiego → Троцкий,
  троцк-), so every form of a name finds the person's words and mentions in either script.
A person's own words rank first (the speaker tier), then records whose texts match, then the rest;
within each, bm25 with the columns' weights ranks an exact form in a text above a romanization, a
stem, a spelling variant, a name only, a citation only.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field

from markupsafe import Markup

from quotecorpus import profile as P
from quotecorpus.search.forms import WORD, lemmas, name_key, roman_stem, romanized, stems, words
from quotecorpus.text.chars import fold, has_cyrillic

WEIGHTS = ", ".join(str(w) for _, w in P.SEARCH_COLUMNS)
SEARCHABLE = {r.name: r for r in P.REGISTERS if r.search}
_WITH_SPEAKER = {r.name for r in SEARCHABLE.values() if any(s.into == "speaker" for s in r.search)}


@dataclass
class Term:
    words: list[str]  # folded
    phrase: bool = False
    prefix: bool = False
    raw: list[str] = field(default_factory=list)  # as typed, lower case: for a dictionary that needs diacritics

    @property
    def shown(self) -> str:
        text = " ".join(self.words)
        return f'"{text}"' if self.phrase else text + ("*" if self.prefix else "")


@dataclass
class Query:
    """All of `groups` (each: any of its terms), none of `negatives`."""

    groups: list[list[Term]] = field(default_factory=list)
    negatives: list[Term] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    raw: str | None = None  # an FTS5 expression given as such (_searchmode=raw)

    @property
    def empty(self) -> bool:
        return not self.groups and not self.negatives and not self.raw

    def terms(self) -> list[Term]:
        return [t for g in self.groups for t in g]


def _raw(text: str, folded: list[str]) -> list[str]:
    """The words as typed (lower case), where they are the folded words one for one."""
    found = WORD.findall(text.lower())
    return found if len(found) == len(folded) else []


_TOKEN = re.compile(r'"([^"]*)("?)|(\S+)')
MAX_TERMS = 16  # a search is a few words: more would only cost the server (each expands to many forms)
_OPERATORS = {"OR", "AND", "NOT"}


def parse(text: str | None) -> Query:
    """A query from what was typed; never an error: what cannot be read is left out, with a notice."""
    q = Query()
    text = (text or "").strip()
    pending_or = negate = False
    for m in _TOKEN.finditer(text):
        if m.group(3) is not None:
            token = m.group(3)
            if token in _OPERATORS:
                if token == "OR":
                    if not q.groups or pending_or:
                        q.notices.append("“OR” stands between two words or phrases: it was ignored here.")
                    else:
                        pending_or = True
                elif token == "NOT":
                    negate = True
                continue
            neg = negate or (token.startswith("-") and len(token) > 1)
            body = token[1:] if token.startswith("-") and len(token) > 1 else token
            prefix = body.endswith("*") and len(body.rstrip("*")) > 0
            found = words(body.rstrip("*"))
            if not found:
                q.notices.append(f"“{token}” has no letters or digits to search for: it was ignored.")
                negate = False
                continue
            term = Term(found, phrase=len(found) > 1, prefix=prefix and len(found) == 1, raw=_raw(body.rstrip("*"), found))
        else:
            phrase, closed = m.group(1), m.group(2)
            if not closed:
                q.notices.append("A quotation mark was not closed: the words after it were searched for as a phrase.")
            found = words(phrase)
            if not found:
                if closed:
                    q.notices.append("An empty phrase (“”) was ignored.")
                continue
            neg = negate
            term = Term(found, phrase=len(found) > 1)
        negate = False
        if neg:
            q.negatives.append(term)
            pending_or = False
        elif pending_or and q.groups:
            q.groups[-1].append(term)
            pending_or = False
        else:
            q.groups.append([term])
    q.groups = [list({t.shown: t for t in g}.values()) for g in {tuple(t.shown for t in g): g for g in q.groups}.values()]
    q.negatives = list({t.shown: t for t in q.negatives}.values())
    if sum(len(g) for g in q.groups) + len(q.negatives) > MAX_TERMS:
        q.notices.append(f"Only the first {MAX_TERMS} words or phrases were searched for.")
        kept, n = [], 0
        for g in q.groups:
            if n + len(g) > MAX_TERMS:
                break
            kept.append(g)
            n += len(g)
        q.groups, q.negatives = kept, q.negatives[: max(0, MAX_TERMS - n)]
    if pending_or:
        q.notices.append("“OR” stands between two words or phrases: the last one was ignored.")
    if negate:
        q.notices.append("“NOT” needs a word after it: it was ignored.")
    if not q.groups and not q.negatives and text:
        q.notices.append("Nothing to search for: showing everything.")
    return q


# --- expansion: what each term matches in the index ---------------------------------------------------


def _quote(s: str) -> str:
    return '"' + s.replace('"', '""') + '"'


def _person_keys(word: str) -> set[str]:
    """What a folded word is matched to a person's name by: itself; for a Cyrillic word, its Russian stem;
    for a Latin one, its spelling-blind key; for both, the Russian stem of its romanization (Чичериным,
    Chicherina and Cziczerina all have "чичерин"). Prefixed so the kinds of key never meet."""
    keys = {"=" + word}
    keys |= {"~" + s for s in stems(word)} if has_cyrillic(word) else ({"k" + k} if (k := name_key(word)) else set())
    if r := roman_stem(word):
        keys.add("r" + r)
    return keys


class Persons:
    """Every person's name forms, to expand a word that names one: the single-word forms and the last
    word of the others (the surname: Л.Д. Троцкий → троцкий), with their romanizations. A word names a
    person when it is one of these forms, or an inflected, romanized or otherwise spelt form of one
    (_person_keys); it is then searched by all of them, whichever form was typed: Чичериным,
    Chicherina and Tschitscherin find what Chicherin finds."""

    def __init__(self, rows: list[tuple]):
        self.names: list[set[str]] = []
        self.by_key: dict[str, set[int]] = {}
        seen: set[tuple] = set()
        for forms in rows:
            # persons with the same name forms are one entry: a word names both or neither, and expands
            # to the same names (namesakes; at 100,000 synthetic quotations 22,473 persons have 33
            # distinct forms, and reading them all was 0.7 s of a first search)
            if (distinct := tuple(forms)) in seen:
                continue
            seen.add(distinct)
            names: set[str] = set()
            for form in forms:
                found = words(form)
                if found:
                    names.add(found[-1])
            names |= {r for n in list(names) for r in romanized(n)}
            for n in names:
                for key in _person_keys(n):
                    self.by_key.setdefault(key, set()).add(len(self.names))
            self.names.append(names)

    def named(self, word: str, raw: str | None = None) -> set[int]:
        """The persons (one entry for namesakes) a folded query word names (`raw`: as typed, for its
        Polish dictionary forms)."""
        candidates = {word, *romanized(word), *lemmas(raw or word)}
        if not has_cyrillic(word) and word.endswith(("s", "e")) and len(word) > 4:
            candidates.add(word[:-1])  # a German genitive (Tschitscherins, Trotzkis), a French -e (Lénine, Tchitchérine)
        keys = {k for w in candidates for k in _person_keys(w)}
        return {i for k in keys for i in self.by_key.get(k, ())}

    def expand(self, word: str, raw: str | None = None) -> set[str]:
        return {n for i in self.named(word, raw) for n in self.names[i]}


def person_forms(conn: sqlite3.Connection) -> Persons:
    rows = []
    for name, original, variants in conn.execute("select name, name_original, variants from persons"):
        rows.append([name, original, *(_json_list(variants))])
    return Persons(rows)


def _json_list(value: str | None) -> list[str]:
    try:
        found = json.loads(value) if value else []
    except ValueError:
        return []
    return [str(v) for v in found] if isinstance(found, list) else []


@dataclass
class Expanded:
    """The forms one term is searched by."""

    forms: set[str]  # folded words (or phrases) in the texts, romanizations, names, citations
    stems: set[str]
    keys: set[str]
    prefix: bool = False
    phrase: bool = False


def _stems_of(forms: set[str], raw: str | None = None) -> set[str]:
    """Every stem a term's forms are matched by: Snowball's, the Russian stem of a romanization, the
    Polish dictionary forms (of the word as typed, which keeps the diacritics Morfeusz needs)."""
    found = {s for f in forms for s in stems(f)} | {r for f in forms if (r := roman_stem(f))}
    return found | {m for f in forms | ({raw} if raw else set()) for m in lemmas(f)}


def expand(term: Term, persons: Persons | None = None) -> Expanded:
    if term.phrase:
        text = " ".join(term.words)
        forms = {text}
        if any(has_cyrillic(w) for w in term.words):
            forms.add(" ".join(r[0] if (r := romanized(w)) else w for w in term.words))
        return Expanded(forms, set(), set(), phrase=True)
    (word,) = term.words
    raw = term.raw[0] if term.raw else None
    if term.prefix:
        forms = {word} | ({romanized(word)[0]} if romanized(word) else set())
        return Expanded(forms, set(), set(), prefix=True)
    forms = {word, *romanized(word)}
    found_stems = _stems_of(forms, raw)
    if persons is not None:
        # a name is searched by every form of the person's name, whichever was typed
        names = persons.expand(word, raw)
        forms |= names
        found_stems |= _stems_of(names)
    keys = {k for f in forms if (k := name_key(f))}
    return Expanded(forms, found_stems, keys)


# The index columns a term is looked for in: everywhere; in the texts only (what ranks a record above
# one found by a name or a citation); as the speaker (what ranks a person's own words first).
_SCOPES = {
    "all": ("{exact roman speaker names context}", "{stems speaker names context}", "{keys speaker names context}"),
    "texts": ("{exact roman}", "{stems}", "{keys}"),
    "speaker": ("{speaker}", "{speaker}", "{speaker}"),
}


def _term_expression(e: Expanded, scope: str = "all") -> str:
    forms_in, stems_in, keys_in = _SCOPES[scope]
    if e.prefix:
        return " OR ".join(f"{forms_in} : {_quote(f)} *" for f in sorted(e.forms))
    parts = [f"{forms_in} : ({' OR '.join(_quote(f) for f in sorted(e.forms))})"]
    if e.stems:
        parts.append(f"{stems_in} : ({' OR '.join(_quote(s) for s in sorted(e.stems))})")
    if e.keys:
        parts.append(f"{keys_in} : ({' OR '.join(_quote(k) for k in sorted(e.keys))})")
    return "(" + " OR ".join(parts) + ")"


def _group(g: list[Term], persons: Persons | None, scope: str) -> str:
    return "(" + " OR ".join(_term_expression(expand(t, persons), scope) for t in g) + ")"


def expressions(q: Query, persons: Persons | None = None, texts_only: bool = False) -> tuple[str | None, str | None]:
    """(what must match, what must not), as FTS5 expressions on a search index."""
    if q.raw:
        return q.raw, None
    positive = " AND ".join(_group(g, persons, "texts" if texts_only else "all") for g in q.groups) or None
    negative = " OR ".join(_term_expression(expand(t, persons)) for t in q.negatives) or None
    return positive, negative


def speaker_expressions(q: Query, persons: Persons | None = None) -> tuple[str | None, str | None]:
    """(a word of the query names the speaker, and every other word is in the texts too), as FTS5
    expressions: what ranks a person's own words first."""
    if q.raw or not q.groups:
        return None, None
    some = "(" + " OR ".join(_group(g, persons, "speaker") for g in q.groups) + ")"
    in_texts = " AND ".join(f"({_group(g, persons, 'texts')} OR {_group(g, persons, 'speaker')})" for g in q.groups)
    return some, f"{in_texts} AND {some}"


def matches(conn: sqlite3.Connection | sqlite3.Cursor, table: str, q: Query, persons: Persons | None) -> str:
    """The rowids of `table` the query matches, best first, as a JSON array, in tiers: the records
    whose speaker (a document's author) a word names, those whose texts hold the other words first (a
    person's own words on the matter come before words to him or about him); then those whose texts
    match (in any form or script); then those found only by a name, a citation or a note. By bm25 with
    the index columns' weights within each tier; then by rowid. The full-text index is read once per query
    (search.MatchCache keeps it): counts, facets, filters and pages then join this list."""
    index = f"[{P.SEARCH_TABLE_PREFIX}{table}]"
    positive, negative = expressions(q, persons)
    excluded = {r[0] for r in conn.execute(f"select rowid from {index} where {index} match ?", [negative])} if negative else set()
    if positive is None:
        found = [r[0] for r in conn.execute(f"select rowid from [{table}] order by rowid") if r[0] not in excluded]
        return json.dumps(found)
    scored = conn.execute(f"select rowid, bm25({index}, {WEIGHTS}) from {index} where {index} match ?", [positive]).fetchall()

    def rowids(expression: str | None) -> set[int]:
        return {r[0] for r in conn.execute(f"select rowid from {index} where {index} match ?", [expression])} if expression else set()

    texts, _ = expressions(q, persons, texts_only=True)
    in_texts = rowids(texts) if texts != positive else None
    # only the matches are ranked, so "names the speaker" need not repeat the whole query; with one
    # group it is also "and the other words in the texts" (there are none): one more read, not two
    speaker_anywhere = speaker_texts = set()
    if table in _WITH_SPEAKER and not q.raw:
        some, in_texts_too = speaker_expressions(q, persons)
        speaker_anywhere = rowids(some)
        speaker_texts = speaker_anywhere if len(q.groups) == 1 or not speaker_anywhere else rowids(in_texts_too)

    def tier(rowid: int) -> int:
        if rowid in speaker_texts:
            return 0
        if rowid in speaker_anywhere:
            return 1
        return 2 if in_texts is None or rowid in in_texts else 3

    order = sorted((tier(rowid), score, rowid) for rowid, score in scored if rowid not in excluded)
    return json.dumps([rowid for _, _, rowid in order])


class MatchCache:
    """The last queries' matches, per database file and table: the same search is asked for by its
    page, its count, its facets, its JSON and its next pages."""

    def __init__(self, size: int = 16):
        self.size = size
        self.found: dict[tuple, str] = {}

    def get(self, key: tuple, compute) -> str:
        if key in self.found:
            self.found[key] = self.found.pop(key)  # most recently used last
            return self.found[key]
        value = compute()
        self.found[key] = value
        while len(self.found) > self.size:
            self.found.pop(next(iter(self.found)))
        return value


MATCHED = "rowid in (select value from json_each(:qc_matches))"


def ranked_sql(table: str, filters: list[str], order: str | None = None, searched: bool = True) -> tuple[str, str]:
    """(page SQL with :qc_limit and :qc_offset, count SQL) of the table's ids passing `filters`: in the
    order of :qc_matches (the query's matches, best first) when `searched`, else in `order` (an ORDER
    BY on the table as `t`)."""
    cond = " and ".join(f"({c})" for c in filters)
    if searched and order is None:
        source = f"json_each(:qc_matches) j join [{table}] t on t.rowid = j.value"
        ranked = "j.key"
    else:
        source, ranked = f"[{table}] t", order or "t.rowid"
        if searched:
            cond = " and ".join(x for x in (f"t.{MATCHED}", cond) if x)
    where_sql = f" where {cond}" if cond else ""
    page = f"select t.id from {source}{where_sql} order by {ranked} limit :qc_limit offset :qc_offset"
    count = f"select count(*) from {source}{where_sql}"
    return page, count


# --- showing the matches ----------------------------------------------------------------------------


_SHOWN_WORD = re.compile(r"\w+(?:['ʹʺ’]\w+)*")  # a romanization's soft sign is part of its word (Pol'sha)


class Matcher:
    """Which words of a shown text the query matched (by the same forms, stems, keys and prefixes)."""

    def __init__(self, q: Query, persons: Persons | None = None):
        expanded = [expand(t, persons) for t in q.terms()]
        self.forms = {w for e in expanded if not e.prefix for f in e.forms for w in f.split()}
        self.prefixes = tuple(f for e in expanded if e.prefix for f in e.forms)
        self.stems = {s for e in expanded for s in e.stems}
        self.keys = {k for e in expanded for k in e.keys}
        self.seen: dict[str, bool] = {}

    def __bool__(self) -> bool:
        return bool(self.forms or self.prefixes)

    def word(self, w: str) -> bool:
        # a page shows the same words many times: each is judged once
        found = self.seen.get(w)
        if found is None:
            found = self.seen[w] = self._word(w)
        return found

    def _word(self, w: str) -> bool:
        f = fold(w)
        if f in self.forms or (self.prefixes and f.startswith(self.prefixes)):
            return True
        if any(r in self.forms for r in romanized(f)):
            return True
        if self.stems and (set(stems(f)) | {roman_stem(f)} | set(lemmas(w.lower()))) & self.stems:
            return True
        return bool(self.keys) and name_key(f) in self.keys

    def text(self, text: str | None) -> bool:
        return bool(text) and any(self.word(w) for w in set(_SHOWN_WORD.findall(text)))


_MARKUP = re.compile(r"(<[^>]*>|&[#\w]+;)")
_TAG = re.compile(r"(<[^>]*>)")


def highlight(html: Markup | str, matcher: Matcher) -> Markup:
    """The HTML with every matched word in <mark>; tags and character references left as they are."""
    if not matcher or not html:
        return Markup(html)
    out = []
    # an escaped apostrophe is part of a romanized word (Pol&#39;sha): in text it need not be escaped
    text = _TAG.sub(lambda m: m.group(0), str(html))
    parts = [p if i % 2 else p.replace("&#39;", "'").replace("&#x27;", "'") for i, p in enumerate(_TAG.split(text))]
    for i, part in enumerate(_MARKUP.split("".join(parts))):
        if i % 2:
            out.append(part)
        else:
            # judge each distinct word once, then mark only those (most texts of a page match nothing)
            hits = [w for w in set(_SHOWN_WORD.findall(part)) if matcher.word(w)]
            if hits:
                alternatives = "|".join(re.escape(h) for h in sorted(hits, key=len, reverse=True))
                part = re.sub(rf"(?<![\w'ʹʺ’])(?:{alternatives})(?![\w'ʹʺ’])", lambda m: f"<mark>{m.group(0)}</mark>", part)
            out.append(part)
    return Markup("".join(out))
