"""Language identification, as an audit of the curated language, never its source.

Two steps:

1. A script check by letters, cheap and certain where it speaks: a Cyrillic text can only be in
   a language whose alphabet has every letter it uses (ы, э rule out Ukrainian and Bulgarian;
   ї, є, ґ mean Ukrainian; ў Belarusian; ѣ, ѳ, ѵ pre-1918 Russian; и, щ rule out Belarusian);
   a Latin text with ł ą ę ś ź ż ń ć is Polish, not German, and one with ß ä ö ü is not Polish.
2. langdetect, seeded so that it is deterministic, restricted to the languages the script check
   leaves. langdetect is unreliable on short texts ("Rapallo" → Finnish), so texts under
   MIN_WORDS words or MIN_LETTERS letters are not judged at all (status "too short").
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from langdetect import DetectorFactory, detect_langs, detector_factory
from langdetect.lang_detect_exception import LangDetectException

from quotecorpus.text.chars import CYRILLIC

DetectorFactory.seed = 0

MIN_WORDS = 4
MIN_LETTERS = 20
_WORD = re.compile(r"[^\W\d_]+")

_BASE = set("абвгдежзийклмнопрстуфхцчшщъыьэюя")
# The lower-case letters of each Cyrillic alphabet we can tell apart (Russian with its pre-1918 letters).
CYRILLIC_ALPHABETS = {
    "ru": _BASE | set("ёіѣѳѵ"),
    "uk": (_BASE - set("ёъыэ")) | set("іїєґ"),
    "be": (_BASE - set("ищъ")) | set("ёіў"),
    "bg": (_BASE - set("ёыэ")) | set("ѝ"),
}
POLISH_ONLY = set("łąęśźżńć")
NOT_POLISH = set("ßäöü")
LATIN_LANGUAGES = ("de", "pl", "en", "fr")


@dataclass(frozen=True)
class Detection:
    language: str | None  # None when not judged
    probability: float | None
    status: str  # "judged" | "too short" | "no letters" | "script only"
    script: str | None = None  # what the letters allow, e.g. "Cyrillic: ru" or "Latin: pl"


def script_candidates(text: str) -> tuple[str | None, list[str] | None]:
    """(script, languages the letters allow) — None for languages when the letters say nothing."""
    letters = {c for c in text.lower() if c.isalpha()}
    cyrillic = {c for c in letters if CYRILLIC.match(c)}
    if cyrillic and len(cyrillic) >= len(letters) / 2:
        return "Cyrillic", [lang for lang, abc in CYRILLIC_ALPHABETS.items() if cyrillic <= abc]
    if not letters:
        return None, None
    if letters & POLISH_ONLY:
        return "Latin", ["pl"]
    if letters & NOT_POLISH:
        return "Latin", [lang for lang in LATIN_LANGUAGES if lang != "pl"]
    return "Latin", None


def _profiles_loaded() -> None:
    """langdetect loads its profiles on first use under a bare `except:`, which turns a Ctrl-C into a
    LangDetectException (taken for "no letters", and cached) and leaves half the profiles loaded for
    every later text. Loaded here instead, installed only whole, and a Ctrl-C stays one."""
    if detector_factory._factory is not None:
        return
    factory = DetectorFactory()
    try:
        factory.load_profile(detector_factory.PROFILES_DIRECTORY)
    except LangDetectException as e:
        if isinstance(e.__context__, BaseException) and not isinstance(e.__context__, Exception):
            raise e.__context__ from None  # KeyboardInterrupt, SystemExit: not a profile's fault
        raise
    detector_factory._factory = factory


@functools.lru_cache(maxsize=65536)
def detect(text: str | None) -> Detection:
    """The script check, then seeded langdetect (each text once per process: it is deterministic, and
    langdetect costs milliseconds a text)."""
    words = _WORD.findall(text or "")
    letters = sum(len(w) for w in words)
    if not words:
        return Detection(None, None, "no letters")
    script, allowed = script_candidates(text)
    shown = f"{script}: {', '.join(allowed) if allowed else 'any'}" if script else None
    if len(words) < MIN_WORDS or letters < MIN_LETTERS:
        return Detection(None, None, "too short", shown)
    DetectorFactory.seed = 0
    _profiles_loaded()
    try:
        ranked = detect_langs(text)
    except LangDetectException:
        return Detection(None, None, "no letters", shown)
    if allowed is not None:
        ranked = [r for r in ranked if r.lang in allowed]
        if not ranked:
            # langdetect proposes only languages the letters rule out: trust the letters if they name one.
            if len(allowed) == 1:
                return Detection(allowed[0], None, "script only", shown)
            return Detection(None, None, "script only", shown)
    best = ranked[0]
    return Detection(best.lang, round(best.prob, 4), "judged", shown)
