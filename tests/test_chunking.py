"""Sentence splitting: the unit the answer quotes and highlights."""

from __future__ import annotations

from qa_assistant.chunking import split_sentences


def sentences(text: str) -> list[str]:
    return [text[s.start : s.end] for s in split_sentences(text)]


def test_sentences_end_at_full_stops_not_at_abbreviations():
    text = "The Mission met Mr. Berisha on 3 May. It trained 14 officers, e.g. in Peja."
    assert sentences(text) == [
        "The Mission met Mr. Berisha on 3 May.",
        "It trained 14 officers, e.g. in Peja.",
    ]


def test_a_sentence_runs_on_across_a_line_break_before_lower_case():
    text = "The training was held in the\ncapital and\nended on Friday.\nA second one followed."
    assert sentences(text) == [
        "The training was held in the\ncapital and\nended on Friday.",
        "A second one followed.",
    ]


def test_a_saved_web_page_source_line_and_date_are_not_part_of_the_first_sentence():
    text = (
        "https://www.osce.org/kosovo/12345\n"
        " date 2024-10-07 between 11 and 14 September the Mission trained 20 judges.\n"
        "They came from five regions."
    )
    assert sentences(text) == [
        "https://www.osce.org/kosovo/12345",
        "date 2024-10-07",
        "between 11 and 14 September the Mission trained 20 judges.",
        "They came from five regions.",
    ]


def test_a_web_address_inside_a_sentence_stays_in_it():
    text = "Details are at https://www.osce.org/odihr and in the annex. Next."
    assert sentences(text) == [
        "Details are at https://www.osce.org/odihr and in the annex.",
        "Next.",
    ]
