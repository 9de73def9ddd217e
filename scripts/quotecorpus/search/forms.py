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
* Russian stems of romanized words (roman_stem): a Latin word read back into Cyrillic and stemmed as
  Russian, so a romanized inflected form meets its Cyrillic: Versalskii and Версальского share one.
* Polish dictionary forms (lemmas) from Morfeusz 2, which knows the alternations a stemmer cannot
  undo: przemysłowcami and przemysłowiec have the lemma "przemyslowiec".
"""

from __future__ import annotations

import functools
import re

import morfeusz2
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


# ALA-LC without diacritics (folded: soft and hard signs gone) read back into Cyrillic, longest first;
# also the Polish cz, sz, szcz and w of names printed in Polish texts (Cziczerin). Ambiguous letters
# take the reading the Russian stemmer needs: -ii/-yi at the end are the adjective endings -ий/-ый.
_REVERSE = sorted(
    {
        "shch": "щ", "szcz": "щ", "zh": "ж", "kh": "х", "ts": "ц", "ch": "ч", "cz": "ч", "sh": "ш", "sz": "ш",
        "iu": "ю", "yu": "ю", "ju": "ю", "ia": "я", "ya": "я", "ja": "я",
        "a": "а", "b": "б", "v": "в", "g": "г", "d": "д", "e": "е", "z": "з", "i": "и", "k": "к", "l": "л",
        "m": "м", "n": "н", "o": "о", "p": "п", "r": "р", "s": "с", "t": "т", "u": "у", "f": "ф", "h": "х",
        "c": "ц", "y": "ы", "j": "й", "w": "в", "x": "кс", "q": "к",
    }.items(),
    key=lambda kv: -len(kv[0]),
)  # fmt: skip
_REVERSE_RE = re.compile("|".join(re.escape(k) for k, _ in _REVERSE))
_REVERSE_MAP = dict(_REVERSE)
_LATIN_WORD = re.compile(r"[a-z]+")


def _cyrillic_reading(word: str) -> str:
    if word.endswith(("ii", "yi")):
        word, ending = word[:-2], "ий" if word.endswith("ii") else "ый"
    else:
        ending = ""
    return _REVERSE_RE.sub(lambda m: _REVERSE_MAP[m.group(0)], word) + ending


@functools.lru_cache(maxsize=200_000)
def roman_stem(word: str) -> str:
    """The Russian stem of a folded word's romanization: of a Latin word read as romanized Russian, of a
    Cyrillic word through its ALA-LC romanization (so both sides lose the same soft signs); "" when
    the word is too short or not plain letters."""
    if has_cyrillic(word):
        found = romanized(word)
        if not found:
            return ""
        word = found[0]
    if len(word) < 4 or not _LATIN_WORD.fullmatch(word):
        return ""
    stem = _stemmer("russian").stemWord(_cyrillic_reading(word))
    return stem if len(stem) >= 3 else ""


_MORFEUSZ: list[morfeusz2.Morfeusz] = []


@functools.lru_cache(maxsize=200_000)
def lemmas(word: str) -> tuple[str, ...]:
    """A Latin word's Polish dictionary forms (Morfeusz 2), folded, the word's own form included when it
    is one; () for a word Morfeusz does not know. `word` in lower case but not folded: the dictionary
    needs its diacritics (przemysłowcami, not przemyslowcami)."""
    if len(word) < 3 or has_cyrillic(word) or word.isdigit():
        return ()
    if not _MORFEUSZ:
        # the dictionary is compiled into the library: loading it costs a tenth of a second
        _MORFEUSZ.append(morfeusz2.Morfeusz(expand_tags=False, generate=False))
    found = {fold(lemma.split(":")[0]) for start, end, (_, lemma, tag, *_) in _MORFEUSZ[0].analyse(word) if tag != "ign" and start == 0}
    return tuple(sorted(f for f in found if len(f) >= 3))


def raw_words(text: str | None) -> list[str]:
    """A text's words in lower case with their diacritics (what a dictionary needs)."""
    return WORD.findall(text.lower()) if text else []
