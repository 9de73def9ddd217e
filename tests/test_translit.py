"""ALA-LC romanization (without diacritics), the scholarly default, through `transliterate`."""

from __future__ import annotations

import pytest

from quotecorpus.translit import bcp47, transliterate

# The ALA-LC Russian table, without diacritics (Library of Congress romanization tables).
ALA_LC = dict(
    zip(
        "а б в г д е ё ж з и й к л м н о п р с т у ф х ц ч ш щ ъ ы ь э ю я".split(),
        "a b v g d e e zh z i i k l m n o p r s t u f kh ts ch sh shch \" y ' e iu ia".split(),
        strict=True,
    )
)


@pytest.mark.parametrize("cyr,lat", sorted(ALA_LC.items()))
def test_letter_table(cyr, lat):
    assert transliterate(cyr) == lat


@pytest.mark.parametrize(
    "cyr,lat",
    [
        ("Советско-германские отношения", "Sovetsko-germanskie otnosheniia"),
        ("Документы внешней политики СССР", "Dokumenty vneshnei politiki SSSR"),
        ("Щукин", "Shchukin"),
        ("ЩУКИН", "SHCHUKIN"),
        ("Чичерин", "Chicherin"),
        ("Рапалльского", "Rapall'skogo"),
        ("объём, 1920 г. (Berlin)", 'ob"em, 1920 g. (Berlin)'),
    ],
)
def test_words(cyr, lat):
    assert transliterate(cyr) == lat


def test_text_without_cyrillic_passes_through():
    assert transliterate("Kopp, 23 July 1920") == "Kopp, 23 July 1920"


def test_input_is_nfc_normalised():
    assert transliterate("и\u0306") == "i"  # decomposed й


def test_tag_is_bcp47_transform():
    assert bcp47() == "ru-Latn-t-ru-cyrl-m0-alaloc"
