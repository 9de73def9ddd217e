"""Cross-check: our ALA-LC equals the independent implementation in `iuliia` (ala_lc_alt).

Run over every Cyrillic text in the corpus: quotation originals (corrected), person names and
work titles. Two differences are ours on purpose, and only these are allowed:
an all-capitals word stays all capitals (ЦК → TSK, where iuliia writes TsK), and a century
typed with Cyrillic Х/І is a Roman numeral (ХХ в. → XX v., where iuliia writes KhKh v.).
"""

from __future__ import annotations

import re
import sqlite3

import iuliia

from quotecorpus.text.chars import has_cyrillic
from quotecorpus.text.translit import transliterate

SQL = """
select 'quotation ' || id, original_corrected from quotations where original_corrected is not null
union all select 'person ' || id, name_original from persons where name_original is not null
union all select 'work ' || id, coalesce(title_corrected, title) from works
"""


def _allowed(source_word: str, ours: str, theirs: str) -> bool:
    letters = re.sub(r"[^\w]", "", source_word)
    if letters.isupper() and len(letters) > 1 and ours.lower() == theirs.lower():
        return True
    return bool(re.fullmatch(r"\W*[ХІ]+\W*", source_word)) and re.sub(r"[^\w]", "", ours) in {"XX", "XIX", "XVIII"}


def test_ala_lc_equals_iuliia_on_the_whole_corpus(built):
    db = sqlite3.connect(built.db)
    texts = [(what, t) for what, t in db.execute(SQL) if has_cyrillic(t)]
    assert len(texts) > 40
    mismatches = []
    for what, text in texts:
        ours, theirs = transliterate(text), iuliia.ALA_LC_ALT.translate(text)
        if ours == theirs:
            continue
        words, ow, tw = text.split(), ours.split(), theirs.split()
        if not (len(words) == len(ow) == len(tw)) or not all(o == t or _allowed(w, o, t) for w, o, t in zip(words, ow, tw, strict=True)):
            mismatches.append(f"{what}: ours {ours!r} iuliia {theirs!r}")
    assert mismatches == []
