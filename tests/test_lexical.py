"""Question words meet passage words in another inflection (the reranker's coverage and the
near-miss check both count them), without merging words that mean different things."""

from __future__ import annotations

import pytest

from qa_assistant.lexical import stem_key


@pytest.mark.parametrize(
    "forms",
    [
        ("open", "opens", "opened", "opening"),
        ("official", "officially"),
        ("accede", "accedes", "acceded"),
        ("case", "cases"),
        ("country", "countries"),
        ("agree", "agreed"),
        ("plan", "planned", "planning"),
        ("prosecuted", "prosecution", "prosecutor"),
        ("focus", "focused"),
    ],
)
def test_inflections_of_a_word_meet(forms):
    assert len({stem_key(form) for form in forms}) == 1, [stem_key(f) for f in forms]


@pytest.mark.parametrize(
    "a, b",
    [("process", "proceed"), ("women", "woman"), ("2024", "2025"), ("use", "us"), ("war", "ward")],
)
def test_other_words_stay_apart(a, b):
    assert stem_key(a) != stem_key(b)
