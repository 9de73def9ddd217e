"""Language detection: seeded, deterministic, and silent on texts too short to judge."""

from __future__ import annotations

from quotecorpus.langid import detect


def test_deterministic():
    text = "Польша должна перестать быть барьером и стать мостом между Германией и Россией"
    assert {detect(text) for _ in range(5)} == {detect(text)}
    assert detect(text).language == "ru"


def test_short_texts_are_not_judged():
    assert detect("Rapallo").status == "too short"
    assert detect("Dreibund").language is None


def test_no_letters():
    assert detect("1920 — […]").status == "no letters"
