"""The repairs of extracted text that the corpus rules allow (corpus/README.md, "Texts: the rules"):
broken ligatures joined, line-end hyphens that split a word joined, line breaks and runs of spaces made
one space. Each repair that needs a judgement is reported, so that the curator can check it."""

from __future__ import annotations

import re

# A ligature the extraction broke leaves its letters and a space: "Th e", "fi rst", "aft er", "offi  cer".
_LIGATURE = re.compile(r"\b(\w*?(?:Th|ffi|ffl|ff|fi|fl|ft))( {1,2})([a-z]\w*)")
# Words that follow a word ending in ff/fi/fl/ft ("off the", "left to"): no broken ligature there.
_FUNCTION_WORDS = frozenset(
    "the a an and or of to in on at by for from with as is it its be was were that this his her their our all but not no so up if "
    "into over after towards between".split()
)
_LINE_END_HYPHEN = re.compile(r"(\w)-\n\s*(\w+)")


def repair_ligatures(text: str) -> str:
    def join(m: re.Match) -> str:
        head, space, tail = m.groups()
        if head != "Th" and len(head) > 2 and tail.lower() in _FUNCTION_WORDS:
            return m.group(0)
        return head + tail

    return _LIGATURE.sub(join, text)


def join_lines(text: str) -> tuple[str, list[str]]:
    """Line-end hyphens joined where a word goes on in lower case (a real hyphen that ends a line cannot be
    told from one that splits a word: each join is reported); line breaks and runs of spaces made one."""
    joined: list[str] = []

    def join(m: re.Match) -> str:
        if m.group(2)[0].islower():
            word_start = text.rfind(" ", 0, m.start()) + 1
            joined.append(f"{text[word_start : m.start() + 1]}-/{m.group(2)}")
            return m.group(1) + m.group(2)
        return m.group(1) + "-" + m.group(2)

    text = _LINE_END_HYPHEN.sub(join, text)
    return re.sub(r"\s+", " ", text).strip(), joined


def clean(text: str) -> tuple[str, list[str]]:
    """The text as a record holds it, and the line-end hyphens that were joined (for the evidence)."""
    text, joined = join_lines(text)
    return repair_ligatures(text), joined
