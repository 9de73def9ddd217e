"""Romanization of Cyrillic through `transliterate`, with our own scholarly language packs.

`transliterate`'s built-in Russian pack is not a library standard (х→h, щ→sch, й→j), so we
register our own packs, one per scheme:

* ``ala-lc``: ALA-LC for Russian *without* diacritics, the Slavic Review practice and the default;
* ``ala-lc-diacritics``: the ALA-LC Russian table as the Library of Congress publishes it
  (ĭ, ë, ė, i͡a, i͡u, t͡s with U+0361 COMBINING DOUBLE INVERTED BREVE, ʹ U+02B9, ʺ U+02BA);
* ``iso9``: ISO 9:1995, one Latin letter per Cyrillic letter, for every Cyrillic language.

ALA-LC tables are language-specific: we implement the Russian one only, so a Ukrainian,
Belarusian or Bulgarian text is refused by the ALA-LC schemes (UnsupportedLanguage) and
romanized with ISO 9 alone, which is defined for all of them.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from transliterate.base import TranslitLanguagePack, registry

from quotecorpus.text.chars import CYRILLIC, has_cyrillic

_RUSSIAN = "а б в г д е ё ж з и й к л м н о п р с т у ф х ц ч ш щ ъ ы ь э ю я".split()
_PRE_REFORM = "і ѣ ѳ ѵ".split()

# The LC Russian table (2012): letters of the modern alphabet, then the pre-1918 letters.
_ALALC_DIACRITICS = dict(
    zip(
        _RUSSIAN + _PRE_REFORM,
        "a b v g d e ë zh z i ĭ k l m n o p r s t u f kh t͡s ch sh shch ʺ y ʹ ė i͡u i͡a".split() + ["ī", "i͡e", "ḟ", "ẏ"],
        strict=True,
    )
)
# The same table with every diacritic and ligature mark dropped, ʹ ʺ as ' and ".
_ALALC_PLAIN = dict(
    zip(
        _RUSSIAN + _PRE_REFORM,
        "a b v g d e e zh z i i k l m n o p r s t u f kh ts ch sh shch \" y ' e iu ia".split() + ["i", "ie", "f", "y"],
        strict=True,
    )
)
# ISO 9:1995, table 1: every Cyrillic letter of the standard, one Latin letter (with diacritics) each.
_ISO9 = {
    **dict(zip(_RUSSIAN, "a b v g d e ë ž z i j k l m n o p r s t u f h c č š ŝ ʺ y ʹ è û â".split(), strict=True)),
    "і": "ì",
    "ѣ": "ě",
    "ѳ": "f\u0300",
    "ѵ": "ỳ",
    "ґ": "g\u0300",
    "ѓ": "ǵ",
    "ђ": "đ",
    "є": "ê",
    "ѕ": "ẑ",
    "ї": "ï",
    "ј": "ǰ",
    "ќ": "ḱ",
    "љ": "l\u0302",
    "њ": "n\u0302",
    "ћ": "ć",
    "ў": "ǔ",
    "џ": "d\u0302",
    "ѫ": "ǎ",
}
CYRILLIC_LANGS = frozenset({"ru", "uk", "be", "bg", "sr", "mk"})


@dataclass(frozen=True)
class Scheme:
    name: str  # used on the command line and in the database
    pack_code: str  # the code registered with `transliterate`
    tag: str  # BCP 47 transform tag of the romanized text; {lang} is the source language
    label: str
    table: dict[str, str]  # lower-case Cyrillic letter -> its romanization
    languages: frozenset[str]  # source languages the table is defined for
    drop_final_hard_sign: bool  # LC: ъ at the end of a word is not romanized
    short: str = ""  # the scheme's name for readers, e.g. "ALA-LC"

    def bcp47(self, language: str = "ru") -> str:
        return self.tag.format(lang=language)


ALA_LC = Scheme(
    "ala-lc",
    "ru-alalc",
    "{lang}-Latn-t-{lang}-cyrl-m0-alaloc",
    "ALA-LC romanization of Russian without diacritics (Library of Congress table with its diacritics "
    "and ligature marks omitted, ʹ ʺ as ' \"; the Slavic Review practice)",
    _ALALC_PLAIN,
    frozenset({"ru"}),
    True,
    "ALA-LC",
)
ALA_LC_DIACRITICS = Scheme(
    "ala-lc-diacritics",
    "ru-alalc-full",
    "{lang}-Latn-t-{lang}-cyrl-m0-alaloc-x-diacrit",
    "ALA-LC romanization of Russian with its diacritics and ligature marks, as in the Library of Congress table",
    _ALALC_DIACRITICS,
    frozenset({"ru"}),
    True,
    "ALA-LC with diacritics",
)
ISO9 = Scheme(
    "iso9",
    "cyrl-iso9",
    "{lang}-Latn-t-{lang}-cyrl-m0-iso-1995",
    "ISO 9:1995 transliteration of Cyrillic (one Latin letter per Cyrillic letter, reversible)",
    _ISO9,
    CYRILLIC_LANGS,
    False,
    "ISO 9:1995",
)

SCHEMES: dict[str, Scheme] = {s.name: s for s in (ALA_LC, ALA_LC_DIACRITICS, ISO9)}
DEFAULT_SCHEME = ALA_LC.name


class TransliterationError(ValueError):
    """A text or language that a scheme cannot romanize; the message says what to do instead."""


class UnknownScheme(TransliterationError):
    pass


class UnsupportedLanguage(TransliterationError):
    pass


def _title(lat: str) -> str:
    return lat[:1].upper() + lat[1:]


def _register(scheme: Scheme) -> None:
    single, multi = {}, {}
    for cyr, lat in scheme.table.items():
        for c, latin in ((cyr, lat), (cyr.upper(), _title(lat))):
            (single if len(latin) == 1 else multi)[c] = latin
    # `transliterate` applies its multi-letter pre-processor first, then a one-to-one table.
    pack = type(
        f"Pack_{scheme.pack_code.replace('-', '_')}",
        (TranslitLanguagePack,),
        {
            "language_code": scheme.pack_code,
            "language_name": scheme.label,
            "mapping": ("".join(single), "".join(single.values())),
            "pre_processor_mapping": multi,
            "detectable": False,
        },
    )
    registry.register(pack, force=True)


for _s in SCHEMES.values():
    _register(_s)

_WORD = re.compile(r"[^\W\d_]{2,}")
_FINAL_HARD_SIGN = re.compile(r"(?<=[^\W\d_])[ъЪ](?![^\W\d_])")
# A century typed with Cyrillic Х and І ("ХХ в.", "ХІХ век") is a Roman numeral: LC keeps Roman
# numerals as such ("XX v."), so it must not become "KHKH v.".
_CENTURY = re.compile(r"(?<![^\W\d_])[ХІXIV]+(?=\s*(?:вв?\.|век))")
_ROMAN = str.maketrans("ХІ", "XI")


_VOWELS = set("АЕЁИОУЫЭЮЯІЇЄЎ")


def initialism(word: str) -> bool:
    """Is a word in Cyrillic capitals an initialism (ЦК, ВЧК, КПСС, РСФСР, НКИД, ГПУ) rather than a word
    set in capitals (ЩУКИН)? Up to four letters, or no vowel at all."""
    return len(word) <= 4 or not (set(word) & _VOWELS)


def scheme(name: str) -> Scheme:
    try:
        return SCHEMES[name]
    except KeyError:
        raise UnknownScheme(f"unknown transliteration scheme '{name}' (known: {', '.join(SCHEMES)})") from None


def schemes_for(language: str) -> list[Scheme]:
    """The schemes that can romanize a Cyrillic text in `language`, the default first."""
    return [s for s in SCHEMES.values() if language in s.languages]


@functools.cache
def _pack(code: str) -> TranslitLanguagePack:
    # `transliterate.translit` builds a new pack (its tables) on every call: one per scheme is enough
    return registry.get(code)()


def transliterate(text: str | None, scheme_name: str = DEFAULT_SCHEME, language: str = "ru") -> str | None:
    """Romanize the Cyrillic in `text` (NFC first); Latin text, digits and punctuation pass through.

    Raises UnsupportedLanguage for a language the scheme's table is not defined for, and
    TransliterationError for a Cyrillic letter outside the table, rather than leave it unromanized.
    """
    if text is None:
        return None
    s = scheme(scheme_name)
    if language not in s.languages:
        others = ", ".join(x.name for x in schemes_for(language)) or "none"
        raise UnsupportedLanguage(f"scheme '{s.name}' has no table for language '{language}' (schemes for it: {others})")
    text = unicodedata.normalize("NFC", text)
    if not has_cyrillic(text):
        return text
    unknown = sorted({c for c in CYRILLIC.findall(text) if c.lower() not in s.table})
    if unknown:
        raise TransliterationError(f"scheme '{s.name}' has no romanization for {', '.join(unknown)} (in {text[:40]!r})")
    if s.drop_final_hard_sign:
        text = _FINAL_HARD_SIGN.sub("", text)
    text = _CENTURY.sub(lambda m: m.group(0).translate(_ROMAN), text)

    def caps(m: re.Match) -> str:
        word = m.group(0)
        if not word.isupper() or not has_cyrillic(word) or initialism(word):
            return word
        return _pack(s.pack_code).translit(word).upper()

    # A word in capitals keeps all capitals (ЩУКИН → SHCHUKIN, not SHCHukin); an initialism is
    # romanized letter by letter, each letter as a capital (ЦК → TsK, ВЧК → VChK, like Ю.Х. → Iu.Kh.).
    text = _WORD.sub(caps, text)
    return unicodedata.normalize("NFC", _pack(s.pack_code).translit(text))


def bcp47(scheme_name: str = DEFAULT_SCHEME, language: str = "ru") -> str:
    return scheme(scheme_name).bcp47(language)


def scheme_of_tag(tag: str) -> tuple[Scheme, str] | None:
    """The scheme and source language of a BCP 47 transform tag we write, or None."""
    for s in SCHEMES.values():
        for lang in s.languages:
            if s.bcp47(lang) == tag:
                return s, lang
    return None


def romanize_all(text: str, language: str) -> list[tuple[Scheme, str, str]]:
    """(scheme, BCP 47 tag, romanized text) for every scheme defined for `language`, the default first."""
    return [(s, s.bcp47(language), transliterate(text, s.name, language)) for s in schemes_for(language)]


def romanize_if_cyrillic(text: str) -> str:
    """The default romanization of a Cyrillic text; "" for Latin text or Cyrillic no scheme here covers."""
    try:
        return transliterate(text) if has_cyrillic(text) else ""
    except TransliterationError:  # non-Russian Cyrillic in a citation: searchable as printed only
        return ""
