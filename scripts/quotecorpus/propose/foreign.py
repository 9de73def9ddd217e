"""Is a word of the author's English prose not English, and if not, which language? Evidence from word
frequencies (the `wordfreq` lists, Zipf scale: 3 is once per million words, 6 once per thousand):

* romanized Russian: the word read back into Cyrillic by the ALA-LC letter groups (kh х, zh ж, ts ц,
  shch щ, iu/yu ю, ia/ya я, ye е or ые, y ы or й, ii/iy ий, e е or э; an English plural -s dropped) is a
  common Russian word and the Latin word is (nearly) absent from English ("krasnye" красные, "Esers"
  эсер; not "Kornilov", "Petrograd", "Riga", which English texts use);
* German or Polish: the word is common in that language's list and (nearly) absent from English's, or,
  capitalized and German (whose nouns are capitalized; a capitalized Polish word is a name), clearly
  rarer in English and used as a common noun: after "the", no capitalized word after it ("the Kaiser
  himself"; not "Friedrich Ebert", "Hamburg");
* an OCR-damaged German word: a capitalized word no list knows that, with one of the usual misreadings
  undone (ti→u, rn→m, li→h, cl→d, ii→ü), is a German compound ("Dreibtind" → Dreibund);
* a variant spelling: a word no list knows that is spelt nearly like a term already found in the article
  ("Revvoyenvensoviet" beside "Revvoensoviet").

Each verdict carries its evidence (the numbers) for the curator."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache

from wordfreq import zipf_frequency

# Latin letter groups of ALA-LC (and the common English-language habits beside it) -> Cyrillic readings.
_GROUPS = [
    ("shch", ["щ"]),
    ("kh", ["х"]),
    ("zh", ["ж"]),
    ("ts", ["ц", "тс"]),
    ("ch", ["ч"]),
    ("sh", ["ш"]),
    ("iu", ["ю"]),
    ("ia", ["я", "иа"]),
    ("yu", ["ю"]),
    ("ya", ["я"]),
    ("ye", ["ые", "е"]),
    ("yi", ["ый"]),
    ("ii", ["ий", "ии"]),
    ("iy", ["ий"]),
    ("y", ["ы", "й"]),
    ("e", ["е", "э"]),
    ("'", ["ь"]),
    *[(a, [b]) for a, b in zip("abvgdziklmnoprstuf", "абвгдзиклмнопрстуф", strict=True)],
]
_OCR = [("ti", "u"), ("ti", "ü"), ("rn", "m"), ("li", "h"), ("cl", "d"), ("ii", "ü"), ("tl", "ü")]
_GERMAN_COMPOUND = re.compile(r"[A-ZÄÖÜ][a-zäöüß]{2,}(?:amt|wehr|strasse|straße|reich|bund|tag|rat|bahn|land|berg|burg)")

RU_MIN = 3.0  # the Cyrillic reading at least this common in Russian
EN_MAX = 1.0  # a word this rare in English is not English (the lists hold names, fragments, loans above it)
OTHER_MIN = 3.5  # German/Polish: at least this common in the language
MARGIN = 1.0  # German/Polish, capitalized: at least this much commoner than in English


@dataclass(frozen=True)
class Verdict:
    language: str
    evidence: str
    confidence: float
    noun: bool = False  # a capitalized German/Polish word: a term only as a common noun ("the Kaiser himself")


def cyrillic_readings(word: str, limit: int = 256) -> list[str]:
    """Every Cyrillic reading of a Latin word by the letter groups above (none if a letter has none)."""
    word = word.lower()
    out: list[str] = []

    def walk(i: int, acc: str) -> None:
        if len(out) >= limit:
            return
        if i == len(word):
            out.append(acc)
            return
        for latin, cyr in _GROUPS:
            if word.startswith(latin, i):
                for c in cyr:
                    walk(i + len(latin), acc + c)

    walk(0, "")
    return out


@cache
def zipf(word: str, language: str) -> float:
    return zipf_frequency(word, language)


def unknown(word: str) -> bool:
    """In none of the English, German, Polish and Russian lists, in Latin or read back into Cyrillic."""
    w = word.lower()
    return all(zipf(w, lang) == 0 for lang in ("en", "de", "pl")) and not russian(word)


def russian(word: str) -> tuple[str, float] | None:
    """The commonest Cyrillic reading of a Latin word (its English plural -s dropped too) if it is a
    Russian word, with its Zipf frequency."""
    w = word.lower()
    forms = [w] + ([w[:-1]] if w.endswith("s") and len(w) > 4 else [])
    best = max(((c, zipf(c, "ru")) for f in forms for c in cyrillic_readings(f)), key=lambda x: x[1], default=None)
    return best if best and best[1] > 0 else None


def judge(word: str) -> Verdict | None:
    """The word's language if it reads as romanized Russian, German or Polish rather than English."""
    if len(word) < 4 or not word.isalpha() or word.isupper():
        return None
    w = word.lower()
    en = zipf(w, "en")
    if en <= EN_MAX:
        ru = russian(word)
        if ru and ru[1] >= RU_MIN:
            return Verdict("ru", f"reads as Russian {ru[0]} (Zipf {ru[1]:.1f} in Russian, {en:.1f} in English)", 0.6)
    capital = word[0].isupper()
    for lang in ("de", "pl"):
        f = zipf(w, lang)
        if f >= OTHER_MIN and (en <= EN_MAX or (capital and lang == "de" and f - en >= MARGIN)):
            name = {"de": "German", "pl": "Polish"}[lang]
            return Verdict(lang, f"a {name} word (Zipf {f:.1f} in {name}, {en:.1f} in English)", 0.4 if capital else 0.5, capital)
    return None


def ocr_german(word: str) -> Verdict | None:
    """A capitalized word no list knows that, one usual OCR misreading undone, is a German word or compound."""
    if len(word) < 6 or not word[0].isupper() or not unknown(word):
        return None
    for bad, good in _OCR:
        i = word.find(bad)
        while i >= 0:
            fixed = word[:i] + good + word[i + len(bad) :]
            f = zipf(fixed.lower(), "de")
            if f > zipf(fixed.lower(), "en") and _GERMAN_COMPOUND.fullmatch(fixed):
                return Verdict("de", f"an OCR-damaged German word: {fixed} ({bad}→{good}; Zipf {f:.1f} in German)", 0.4)
            i = word.find(bad, i + 1)
    return None


def variant_of(word: str, terms: dict[str, str]) -> Verdict | None:
    """A word no list knows spelt nearly like a term already found (`terms`: text -> language)."""
    if len(word) < 6 or not unknown(word):
        return None
    for t, lang in terms.items():
        if " " not in t and t.lower() != word.lower():
            r = difflib.SequenceMatcher(None, word.lower(), t.lower()).ratio()
            if r >= 0.8:
                return Verdict(lang, f"a variant spelling of the term {t} (similarity {r:.2f})", 0.5)
    return None
