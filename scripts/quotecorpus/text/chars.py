"""Small text helpers shared by validation, encoding and search: script tests and search folding."""

from __future__ import annotations

import re
import unicodedata

CYRILLIC = re.compile(r"[\u0400-\u052f\u1c80-\u1c8f\u2de0-\u2dff\ua640-\ua69f]")
LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")

# Letters FTS5's unicode61 tokenizer does not fold (measured): index a folded column for them.
_FOLD = str.maketrans(
    {
        "ё": "е",
        "Ё": "Е",
        "ł": "l",
        "Ł": "L",
        "ß": "ss",
        "ẞ": "SS",
        "đ": "d",
        "Đ": "D",
        "ø": "o",
        "Ø": "O",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ı": "i",
        "ʹ": "",
        "ʺ": "",
        "'": "",
        "\u2019": "",
        '"': "",  # ALA-LC's hard sign (ob"em); elsewhere a quotation mark, nothing to search
    }
)


def has_cyrillic(text: str | None) -> bool:
    return bool(text) and bool(CYRILLIC.search(text))


def _strip(ch: str) -> str | None:
    """What folding makes of one character: a Latin letter without its diacritics, nothing for a
    combining mark standing alone after NFC (the LC tie in "t͡s", ISO 9's "f̀": FTS would split the
    word there), else the character itself."""
    if LATIN_LETTER.match(ch):
        return "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
    return None if unicodedata.combining(ch) else ch


# The same for every character of the Basic Multilingual Plane, as one str.translate table.
_STRIP = {cp: _strip(chr(cp)) for cp in range(0x10000) if _strip(chr(cp)) != chr(cp)}


def fold(text: str | None) -> str:
    """A search form: lower case, ё→е, ł→l, ß→ss, Latin diacritics removed; Cyrillic й kept."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text).translate(_FOLD)
    if text and max(text) > "\uffff":  # beyond the table: character by character
        return "".join(_strip(ch) or "" for ch in text).lower()
    return text.translate(_STRIP).lower()


def sic_pattern(sic: str) -> str:
    """A regex for a printed reading as a whole token: "ние" (for не) must not match inside "Германией"."""
    before = r"(?<!\w)" if re.match(r"\w", sic) else ""
    after = r"(?!\w)" if re.search(r"\w$", sic) else ""
    return before + re.escape(sic) + after
