"""Language identification with langdetect, as an audit of the curated language, never its source.

langdetect is random unless seeded, and unreliable on short texts ("Rapallo" → Finnish), so
texts under MIN_WORDS words or MIN_LETTERS letters are not judged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from langdetect import DetectorFactory, detect_langs
from langdetect.lang_detect_exception import LangDetectException

DetectorFactory.seed = 0

MIN_WORDS = 4
MIN_LETTERS = 20
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Detection:
    language: str | None  # None when not judged
    probability: float | None
    status: str  # "judged" | "too short" | "no letters"


def detect(text: str | None) -> Detection:
    words = _WORD.findall(text or "")
    letters = sum(len(w) for w in words)
    if not words:
        return Detection(None, None, "no letters")
    if len(words) < MIN_WORDS or letters < MIN_LETTERS:
        return Detection(None, None, "too short")
    DetectorFactory.seed = 0
    try:
        best = detect_langs(text)[0]
    except LangDetectException:
        return Detection(None, None, "no letters")
    return Detection(best.lang, round(best.prob, 4), "judged")
