"""The SQL functions our canned queries call, on every SQLite connection.

* qc_fold(text): the search form of a text (textutil.fold: lower case, ё→е, ł→l, ß→ss, Latin
  diacritics removed), the one folding function of the index and the queries. `by_person` compares
  a name as typed with every printed name form in it, so "kopp", "Kopp" and "Копп" find Kopp.
* qc_roman(text): the folded ALA-LC romanization of a Cyrillic text, NULL for any other text: with
  it a name typed in Cyrillic finds a person whose name the articles print only in Latin letters.
"""

from __future__ import annotations

import sqlite3

from quotecorpus.text.chars import fold, has_cyrillic
from quotecorpus.text.translit import romanize_if_cyrillic


def _fold(text: object) -> str | None:
    # SQL NULL stays NULL (a missing name form matches nothing); numbers are folded as text
    return None if text is None else fold(str(text))


def _roman(text: object) -> str | None:
    # NULL, not "", for Latin text: a comparison with NULL is never true
    if not isinstance(text, str) or not has_cyrillic(text):
        return None
    return fold(romanize_if_cyrillic(text)) or None


def register_functions(conn: sqlite3.Connection) -> None:
    """Our SQL functions on one connection (deterministic: SQLite may use them in indexes and views)."""
    conn.create_function("qc_fold", 1, _fold, deterministic=True)
    conn.create_function("qc_roman", 1, _roman, deterministic=True)
