"""Words as the search sees them, the same for the index and the query: folded forms, the
romanizations of a Cyrillic word, stems, and a spelling-blind key for names.

* One folding function (textutil.fold): lower case, ё→е, ł→l, ß→ss, Latin diacritics and the
  romanizations' soft and hard signs (ʹ ʺ ' ") removed.
* Stems from Snowball (PyStemmer, the C build of the Snowball algorithms): Russian for Cyrillic words;
  English, German and Polish for Latin ones. A query does not say its language, so a Latin word is
  stemmed by all three, in the index as in the query: Троцкого and Троцкий share "троцк", Dreibundes
  and Dreibund "dreibund", Poles and Pole "pole".
* A key blind to the usual ways of writing Russian names in Latin letters (ALA-LC, ISO 9, English,
  German): Trotsky, Trotskii, Trockij and Trotzki have one key, as have Chicherin and Tschitscherin.
"""

from __future__ import annotations

import functools
import re

import Stemmer

from quotecorpus.text.chars import fold, has_cyrillic
from quotecorpus.text.translit import TransliterationError, UnsupportedLanguage, transliterate

WORD = re.compile(r"\w+")
LATIN_STEMMERS = ("english", "german", "polish")
_STEMMERS: dict[str, Stemmer.Stemmer] = {}


def words(text: str | None) -> list[str]:
    """The folded words of a text."""
    return WORD.findall(fold(text)) if text else []


def _stemmer(language: str) -> Stemmer.Stemmer:
    if language not in _STEMMERS:
        _STEMMERS[language] = Stemmer.Stemmer(language)
    return _STEMMERS[language]


@functools.lru_cache(maxsize=200_000)
def stems(word: str) -> tuple[str, ...]:
    """The stems of a folded word, by the stemmers of its script (a word too short to stem: none)."""
    if len(word) < 3 or word.isdigit():
        return ()
    languages = ("russian",) if has_cyrillic(word) else LATIN_STEMMERS
    found = {_stemmer(lang).stemWord(word) for lang in languages}
    return tuple(sorted(s for s in found if len(s) >= 2))


@functools.lru_cache(maxsize=200_000)
def romanized(word: str) -> tuple[str, ...]:
    """A Cyrillic word's folded romanizations (ALA-LC, ISO 9); () for a Latin word."""
    if not has_cyrillic(word):
        return ()
    out = []
    for scheme in ("ala-lc", "iso9"):
        try:
            out.append(fold(transliterate(word, scheme)))
        except (TransliterationError, UnsupportedLanguage):
            pass
    return tuple(dict.fromkeys(w for form in out for w in WORD.findall(form)))


# Applied in order to a folded Latin word. Many spellings of one Russian sound become one letter:
# ч (ch, tsch, tch, cz, č→c) and ц (ts, tz, c) both c; ш (sh, sch, sz) s; ж (zh, zs) z; х (kh) h;
# й and the endings -ii, -ij, -iy, -yi, -y i; ю/я (iu, yu, ju / ia, ya, ja) u/a; doubled letters single.
_KEY_RULES = [
    (re.compile(p), r)
    for p, r in (
        (r"shch|sch|szcz", "s"),
        (r"tsch|tch|ch|cz", "c"),
        (r"sh|sz", "s"),
        (r"zh", "z"),
        (r"kh", "h"),
        (r"ts|tz", "c"),
        (r"ph", "f"),
        (r"w", "v"),
        (r"x", "ks"),
        (r"(?:iu|yu|ju)", "u"),
        (r"(?:ia|ya|ja)", "a"),
        (r"(?:ii|ij|iy|yi|y|j)", "i"),
        (r"(.)\1+", r"\1"),
    )
]


@functools.lru_cache(maxsize=200_000)
def name_key(word: str) -> str:
    """A folded Latin word's spelling-blind key ("" for a Cyrillic word or one under four letters)."""
    if has_cyrillic(word) or len(word) < 4 or word.isdigit():
        return ""
    for pattern, repl in _KEY_RULES:
        word = pattern.sub(repl, word)
    return word
