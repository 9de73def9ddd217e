"""Romanization of Russian through `transliterate`, with our own scholarly language packs.

`transliterate`'s built-in Russian pack is not a library standard (х→h, щ→sch, й→j), so we
register our own packs. The default is ALA-LC without diacritics, the Slavic Review practice.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from transliterate import translit as _translit
from transliterate.base import TranslitLanguagePack, registry

from .textutil import has_cyrillic


@dataclass(frozen=True)
class Scheme:
    name: str  # used on the command line
    pack_code: str  # the code registered with `transliterate`
    bcp47: str  # the xml:lang / BCP 47 tag of the romanized text (transform extension)
    label: str
    single: dict[str, str]  # one Cyrillic letter -> one Latin letter
    multi: dict[str, str]  # one Cyrillic letter -> several Latin letters


_ALALC_SINGLE = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "з": "z",
    "и": "i",
    "й": "i",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "ы": "y",
    "э": "e",
    "ь": "'",
    "ъ": '"',
    "і": "i",
    "ѳ": "f",
    "ѵ": "y",
}
_ALALC_MULTI = {
    "ж": "zh",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ю": "iu",
    "я": "ia",
    "ѣ": "ie",
}

ALA_LC = Scheme(
    name="ala-lc",
    pack_code="ru-alalc",
    bcp47="ru-Latn-t-ru-cyrl-m0-alaloc",
    label="ALA-LC romanization of Russian, without diacritics (Library of Congress / Slavic Review practice)",
    single=_ALALC_SINGLE,
    multi=_ALALC_MULTI,
)

SCHEMES: dict[str, Scheme] = {s.name: s for s in (ALA_LC,)}
DEFAULT_SCHEME = ALA_LC.name


def _with_capitals(table: dict[str, str]) -> dict[str, str]:
    out = dict(table)
    for cyr, lat in table.items():
        out[cyr.upper()] = lat[:1].upper() + lat[1:]
    return out


def _register(scheme: Scheme) -> None:
    single = _with_capitals(scheme.single)
    # `transliterate` applies its multi-letter pre-processor first, then a one-to-one table.
    pack = type(
        f"Pack_{scheme.pack_code.replace('-', '_')}",
        (TranslitLanguagePack,),
        {
            "language_code": scheme.pack_code,
            "language_name": scheme.label,
            "mapping": ("".join(single), "".join(single.values())),
            "pre_processor_mapping": _with_capitals(scheme.multi),
            "detectable": False,
        },
    )
    registry.register(pack, force=True)


for _s in SCHEMES.values():
    _register(_s)

_WORD = re.compile(r"\w{2,}")


class UnknownScheme(ValueError):
    pass


def transliterate(text: str | None, scheme: str = DEFAULT_SCHEME) -> str | None:
    """Romanize Cyrillic in `text`; other characters pass through. None and Cyrillic-free text are returned as is."""
    if text is None:
        return None
    try:
        s = SCHEMES[scheme]
    except KeyError:
        raise UnknownScheme(f"unknown transliteration scheme '{scheme}' (known: {', '.join(SCHEMES)})") from None
    text = unicodedata.normalize("NFC", text)
    if not has_cyrillic(text):
        return text

    def caps(m: re.Match) -> str:
        word = m.group(0)
        return _translit(word, s.pack_code).upper() if word.isupper() else word

    # An all-capitals word keeps all capitals (ЩУКИН → SHCHUKIN, not SHCHukin).
    text = _WORD.sub(caps, text)
    return _translit(text, s.pack_code)


def bcp47(scheme: str = DEFAULT_SCHEME) -> str:
    return SCHEMES[scheme].bcp47
