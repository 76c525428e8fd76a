"""Questions about the collection itself: "What reports do you have?", "Which reports
mention OMIK?". They are answered from the index's record of its reports, not by a stray
passage, over the sample reports indexed with the fake embedder."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa_assistant import Assistant, FakeEmbedder
from qa_assistant.asking import as_history
from qa_assistant.collection import (
    ACRONYM,
    OVERVIEW,
    TOPIC,
    CollectionQuestion,
    collection_question,
)
from qa_assistant.indexer import update_index
from qa_assistant.reading import read_documents_inline

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What reports do you have?", CollectionQuestion(OVERVIEW)),
        ("What is in the collection?", CollectionQuestion(OVERVIEW)),
        ("What can I ask?", CollectionQuestion(OVERVIEW)),
        ("Hello!", CollectionQuestion(OVERVIEW)),
        ("help", CollectionQuestion(OVERVIEW)),
        ("Which reports are about Kosovo?", CollectionQuestion(TOPIC, "Kosovo")),
        ("What documents mention ODIHR?", CollectionQuestion(TOPIC, "ODIHR")),
        ("List the reports on border management", CollectionQuestion(TOPIC, "border management")),
        ("Which reports do you have on trafficking?", CollectionQuestion(TOPIC, "trafficking")),
        ("And which reports mention ODIHR?", CollectionQuestion(TOPIC, "ODIHR")),
        ("What does OMIK stand for?", CollectionQuestion(ACRONYM, "OMIK")),
        ("What does the acronym “VERLT” mean?", CollectionQuestion(ACRONYM, "VERLT")),
        ("And what is POiD short for?", CollectionQuestion(ACRONYM, "POiD")),
        ("What's the full name of the UNODC?", CollectionQuestion(ACRONYM, "UNODC")),
        # questions about what the reports say are not about the collection
        ("What does the OSCE mean by comprehensive security?", None),
        ("What does OMIK do about hate crime?", None),
        ("What did the report say about Kosovo?", None),
        ("What does the report on hate crime recommend?", None),
        ("Which documents did the Committee consider at its session?", None),
        ("How many reports mention OMIK?", None),
        ("Hello, how many officers were trained?", None),
    ],
)
def test_which_questions_are_about_the_collection(question, expected):
    assert collection_question(question) == expected


@pytest.fixture(scope="module")
def assistant(tmp_path_factory) -> Assistant:
    index = tmp_path_factory.mktemp("collection") / "index"
    update_index(REPO / "documents", index, FakeEmbedder(), reader=read_documents_inline)
    return Assistant(index, embedder=FakeEmbedder())


def test_what_reports_do_you_have_lists_them_newest_first(assistant):
    answer = assistant.ask("What reports do you have?", top_k=3)
    documents = sorted(assistant.documents(), key=lambda d: (-(d.year or 0), d.path))
    # Within a year, a report dated on its cover ("17 March 2023") before the undated ones.
    verlt = next(d for d in documents if d.path.startswith("poid_verlt"))
    documents.remove(verlt)
    documents.insert([d.year for d in documents].index(verlt.year), verlt)
    assert answer.answered
    assert answer.answer.startswith(f"The collection holds {len(documents)} reports from ")
    assert [c.document for c in answer.citations] == [d.path for d in documents[:3]]
    for citation, document in zip(answer.citations, documents, strict=False):
        assert f"“{document.title}”" in answer.answer and f"[{citation.n}]" in answer.answer
        (start, end), *_ = citation.highlight
        shown = citation.text[start:end]
        if document.title in citation.text:
            assert shown == document.title
        else:  # the heading the report opens with ("… Hate Crime Data", titled "…: A Note")
            assert shown and document.title.startswith(shown)
        assert citation.page == 1
    assert f"and {len(documents) - 3} more" in answer.answer
    assert "for example: “" in answer.answer  # starter questions follow


def test_which_reports_mention_a_name_counts_its_long_form_too(assistant):
    answer = assistant.ask("Which reports mention OMIK?")
    assert answer.answered and answer.answer.startswith("3 reports mention “OMIK”: ")
    cited = {c.document for c in answer.citations}
    assert cited == {
        "omik_hate_crime_training_2024.pdf",
        "osce_capacity_building_overview_2023.md",  # says "OSCE Mission in Kosovo" only
        "odihr_hate_crime_reporting_methodology.pdf",
    }
    for citation in answer.citations:  # each cited where it names OMIK
        (start, end), *_ = citation.highlight
        sentence = citation.text[start:end]
        assert "OMIK" in sentence or "OSCE Mission in Kosovo" in sentence


def test_a_topic_no_report_mentions_is_said_so_with_related_reading(assistant):
    answer = assistant.ask("Which reports mention penguins?")
    assert not answer.answered
    assert "No report in the collection mentions “penguins”." in answer.answer
    assert answer.citations  # the nearest passages, as for any unanswered question


def test_a_report_filter_keeps_the_collection_answers_to_it(assistant):
    kept = ["omik_hate_crime_training_2024.pdf"]
    answer = assistant.ask("Which reports mention OMIK?", documents=kept)
    assert answer.answer.startswith("1 report mentions “OMIK”: ")
    assert [c.document for c in answer.citations] == kept
    overview = assistant.ask("What reports do you have?", documents=kept)
    assert overview.answer.startswith("The collection holds 1 report,")
    assert [c.document for c in overview.citations] == kept


def test_a_follow_up_to_a_collection_question_searches_with_its_topic():
    history = ["What reports do you have?", "Which reports mention OMIK?", "", "How many?"]
    # "How many?" leans on the question before it: a follow-up to it leans on both
    assert as_history(history) == ["OMIK", "OMIK How many?"]
    standing = "How many officers did UNDP train in Kosovo?"  # stands alone
    assert as_history(["Which reports mention OMIK?", standing]) == ["OMIK", standing]


def test_a_question_that_names_nothing_carries_the_subject_of_the_one_before():
    # "How many officers took part?" points nowhere back, yet its subject is the question
    # before it: a follow-up to it leans on both.
    first = "What did the OSCE do about hate crime in Kosovo in 2024?"
    assert as_history([first, "How many officers took part?"]) == [
        first,
        f"{first} How many officers took part?",
    ]
    # a question that names its own subject starts the chain afresh
    standing = "How many officers did UNDP train in Kosovo?"
    assert as_history([first, standing]) == [first, standing]


def test_what_an_acronym_stands_for_is_answered_from_its_definition(assistant):
    answer = assistant.ask("What does POiD stand for?")
    assert answer.answered and answer.answer.startswith(
        "POiD stands for “Programme Office in Dushanbe”. [1]"
    )
    # cited where a report defines it, the definition highlighted
    for citation in answer.citations:
        (start, end), *_ = citation.highlight
        assert "Programme Office in Dushanbe (POiD)" in " ".join(citation.text[start:end].split())
    assert answer.acronyms == []  # the answer spells it out: no "Acronyms:" line repeating it


def test_an_acronym_the_glossary_lacks_is_searched_as_any_question(assistant):
    answer = assistant.ask("What does XYZQ stand for?")
    assert "stands for" not in answer.answer


def test_that_acronym_is_the_one_the_earlier_question_named(assistant):
    history = ["How many police officers took part in the OMIK workshops?", "Who led them?"]
    answer = assistant.ask("What does that acronym stand for?", history=history)
    assert answer.answer.startswith("OMIK stands for “OSCE Mission in Kosovo”.")
    # the nearest earlier question that names one, its last acronym
    history = ["What does ODIHR publish?", "What did “OMIK” and POiD train?"]
    answer = assistant.ask("What is this abbreviation short for?", history=history)
    assert answer.answer.startswith("POiD stands for")
    # a question that names its acronym keeps it
    answer = assistant.ask("What does the acronym OMIK mean?", history=history)
    assert answer.answer.startswith("OMIK stands for")
