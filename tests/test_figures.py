"""What a question asks for and which figures a sentence states: a how-many question is
answered by a count, not by the day of a date or the number of a resolution."""

from __future__ import annotations

import pytest

from qa_assistant.figures import DATE, LABEL, QUANTITY, asked_for, figures, holds


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How many Kosovo Police officers were certified?", QUANTITY),
        ("And how much did that fund bring in from donors?", QUANTITY),
        ("What was the voter turnout in the municipal elections?", QUANTITY),
        ("What was UNMIK's approved budget for 2025?", QUANTITY),
        ("What share of participants were women?", QUANTITY),
        ("When did the convention enter into force for Zimbabwe?", DATE),
        ("In what year did the Programme Office in Dushanbe open?", DATE),
        ("What did the Appeals Chamber conclude?", None),
        ("What was the name of the operation?", None),
        ("Where was the training held?", None),
    ],
)
def test_what_a_question_asks_for(question, kind):
    assert asked_for(question) == kind


def kinds(sentence: str) -> list[tuple[str, str]]:
    return [(figure.text, figure.kind) for figure in figures(sentence)]


def test_days_months_and_years_are_dates_not_counts():
    assert kinds("As at 2 May 2025, there were 175 States parties.") == [
        ("2", DATE),
        ("2025", DATE),
        ("175", QUANTITY),
    ]
    assert kinds("It opened on March 3, 2008.") == [("3", DATE), ("2008", DATE)]
    assert kinds("date 2024-10-07") == [("2024", DATE), ("10", DATE), ("07", DATE)]


def test_numbers_that_name_a_document_are_labels():
    assert kinds("under resolution 1244 (1999) and article 5") == [
        ("1244", LABEL),
        ("1999", DATE),
        ("5", LABEL),
    ]


def test_a_footnote_marker_glued_to_a_word_is_no_figure():
    assert kinds("the Convention against Torture.1 It") == []


def test_an_answer_holds_the_kind_of_figure_asked_for():
    assert holds("Some 135 complaints were pending consideration.", QUANTITY)
    assert holds("Two thirds of the participants were women.", QUANTITY)
    assert holds("UNICEF mobilized US$17.5 million.", QUANTITY)
    assert not holds("As at 2 May 2025, the Committee met under resolution 1244.", QUANTITY)
    assert holds("The Convention entered into force on 1 March 2025.", DATE)
    assert not holds("Some 135 complaints were pending consideration.", DATE)
