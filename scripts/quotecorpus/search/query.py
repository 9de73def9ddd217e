"""A search as a historian types it: parsed, expanded across scripts and word forms, run on a
table's search index (search_index.py), ranked, and shown with its matches marked.

Syntax (the search page documents it): words (all must match), "a phrase", `OR` between words or
phrases, `-word` or `NOT word` to leave out, `prefix*`. Anything else is searched for its words:
a stray quotation mark, a lone operator or punctuation never make an error, only a one-line notice.

Each word matches, in the index's columns (profile.SEARCH_COLUMNS):
* its folded form and, for a Cyrillic word, its romanizations (Чичерин → chicherin), in the texts,
  their romanizations, the names and the citations;
* its stems (Троцкого ~ Троцкий), in the stems of the texts and names;
* its spelling-blind key (Trotzki ~ Trotsky ~ Trotskii), in the keys;
* the forms of a person it names (Trotsky → Троцкий, троцк-), so a name in one script finds the
  person's words and mentions in the other.
bm25 with the columns' weights ranks an exact form in a text above a romanization, a stem, a
spelling variant, a name only, a citation only.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field

from markupsafe import Markup

from quotecorpus import profile as P
from quotecorpus.search.forms import name_key, romanized, stems, words
from quotecorpus.text.chars import fold, has_cyrillic

WEIGHTS = ", ".join(str(w) for _, w in P.SEARCH_COLUMNS)
TEXT_COLUMNS = "{exact roman names context}"
SEARCHABLE = {r.name: r for r in P.REGISTERS if r.search}


@dataclass
class Term:
    words: list[str]  # folded
    phrase: bool = False
    prefix: bool = False

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
            term = Term(found, phrase=len(found) > 1, prefix=prefix and len(found) == 1)
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


class Persons:
    """Every person's name forms, to expand a word that names one: the single-word forms and the last
    word of the others (the surname: Л.Д. Троцкий → троцкий), with their romanizations."""

    def __init__(self, rows: list[tuple]):
        self.forms: dict[str, set[str]] = {}  # a word naming a person -> every word naming them
        for forms in rows:
            names: set[str] = set()
            for form in forms:
                found = words(form)
                if found:
                    names.add(found[-1])
            names |= {r for n in list(names) for r in romanized(n)}
            for n in names:
                self.forms.setdefault(n, set()).update(names)
                for s in stems(n) if has_cyrillic(n) else ():
                    self.forms.setdefault("~" + s, set()).update(names)

    def expand(self, word: str) -> set[str]:
        found = set(self.forms.get(word, ()))
        for s in stems(word) if has_cyrillic(word) else ():
            found |= self.forms.get("~" + s, set())
        return found


def person_forms(conn: sqlite3.Connection) -> Persons:
    rows = []
    for name, original, variants in conn.execute("select name, name_original, variants from persons"):
        rows.append([name, original, *(_json_list(variants))])
    return Persons(rows)


def _json_list(value: str | None) -> list[str]:
    import json

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


def expand(term: Term, persons: Persons | None = None) -> Expanded:
    if term.phrase:
        text = " ".join(term.words)
        forms = {text}
        if any(has_cyrillic(w) for w in term.words):
            forms.add(" ".join(r[0] if (r := romanized(w)) else w for w in term.words))
        return Expanded(forms, set(), set(), phrase=True)
    (word,) = term.words
    if term.prefix:
        forms = {word} | ({romanized(word)[0]} if romanized(word) else set())
        return Expanded(forms, set(), set(), prefix=True)
    forms = {word, *romanized(word)}
    if persons is not None:
        for w in list(forms):
            forms |= persons.expand(w)
    found_stems = {s for f in forms for s in stems(f)}
    keys = {k for f in forms if (k := name_key(f))}
    return Expanded(forms, found_stems, keys)


def _term_expression(e: Expanded, texts_only: bool = False) -> str:
    """The term in every index column; `texts_only`: in the texts and their romanizations, stems and
    keys, not in names or citations (what ranks a record first)."""
    columns = "{exact roman}" if texts_only else TEXT_COLUMNS
    if e.prefix:
        return " OR ".join(f"{columns} : {_quote(f)} *" for f in sorted(e.forms))
    parts = [f"{columns} : ({' OR '.join(_quote(f) for f in sorted(e.forms))})"]
    if e.stems:
        parts.append(f"{{stems{'' if texts_only else ' names'}}} : ({' OR '.join(_quote(s) for s in sorted(e.stems))})")
    if e.keys:
        parts.append(f"{{keys{'' if texts_only else ' names'}}} : ({' OR '.join(_quote(k) for k in sorted(e.keys))})")
    return "(" + " OR ".join(parts) + ")"


def expressions(q: Query, persons: Persons | None = None, texts_only: bool = False) -> tuple[str | None, str | None]:
    """(what must match, what must not), as FTS5 expressions on a search index."""
    if q.raw:
        return q.raw, None
    groups = ("(" + " OR ".join(_term_expression(expand(t, persons), texts_only) for t in g) + ")" for g in q.groups)
    positive = " AND ".join(groups) or None
    negative = " OR ".join(_term_expression(expand(t, persons)) for t in q.negatives) or None
    return positive, negative


def matches(conn: sqlite3.Connection | sqlite3.Cursor, table: str, q: Query, persons: Persons | None) -> str:
    """The rowids of `table` the query matches, best first, as a JSON array: the records whose texts
    match (in any form or script) before those found only by a name, a citation or a note; by bm25
    with the index columns' weights within each; then by rowid. The full-text index is read once per
    query (search.MatchCache keeps it): counts, facets, filters and pages then join this list."""
    index = f"[{P.SEARCH_TABLE_PREFIX}{table}]"
    positive, negative = expressions(q, persons)
    excluded = {r[0] for r in conn.execute(f"select rowid from {index} where {index} match ?", [negative])} if negative else set()
    if positive is None:
        found = [r[0] for r in conn.execute(f"select rowid from [{table}] order by rowid") if r[0] not in excluded]
        return json.dumps(found)
    scored = conn.execute(f"select rowid, bm25({index}, {WEIGHTS}) from {index} where {index} match ?", [positive]).fetchall()
    texts, _ = expressions(q, persons, texts_only=True)
    in_texts = {r[0] for r in conn.execute(f"select rowid from {index} where {index} match ?", [texts])} if texts != positive else None
    order = sorted(((0 if in_texts is None or rowid in in_texts else 1, score, rowid) for rowid, score in scored if rowid not in excluded))
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
        if self.stems and set(stems(f)) & self.stems:
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
