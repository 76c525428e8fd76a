"""A question that says where its answer comes from ("…, according to the UN's mid-2025
world economic update?") is answered by what that report says, not by the report's
description of itself, which repeats the source's words."""

from __future__ import annotations

from dataclasses import replace

import pytest

from qa_assistant.answer_params import AnswerParams
from qa_assistant.assistant import Assistant
from qa_assistant.indexer import update_index
from qa_assistant.reading import read_documents_inline
from qa_assistant.sentences import without_source


def test_the_words_naming_the_source_are_set_apart():
    assert without_source("How many aid workers were killed in 2024, according to UNODC?") == (
        "How many aid workers were killed in 2024?",
        ", according to UNODC",
    )
    assert without_source("According to IOM figures, how many people died in 2024?") == (
        "How many people died in 2024?",
        "According to IOM figures",
    )
    assert without_source("How did NATO describe the situation in its report on March 2025?") == (
        "How did NATO describe the situation?",
        "in its report on March 2025",
    )
    stripped, source = without_source("What does UNODC's report on Haiti say about gangs?")
    assert stripped == "What about gangs?" and "UNODC's report on Haiti" in source
    # a question that names no source is left as it is
    question = "What did the Mission report about the elections?"
    assert without_source(question) == (question, "")


REPORT = """World Economic Situation and Prospects: mid-2025 update

The mid-2025 update of the World Economic Situation and Prospects is the United Nations' \
report on the world economy, prepared by its Department of Economic and Social Affairs.

Household spending in China stayed weak, as falling property prices kept families cautious.

Across Africa, growth held up better than expected, helped by higher prices for gold and \
copper.
"""


@pytest.fixture(scope="module")
def outlook(tmp_path_factory, real_embedder):
    """A report whose opening describes itself in the words a question names it by."""
    root = tmp_path_factory.mktemp("outlook")
    (root / "documents").mkdir()
    (root / "documents" / "wesp_mid_2025.txt").write_text(REPORT, encoding="utf-8")
    update_index(root / "documents", root / "index", real_embedder, reader=read_documents_inline)
    return root / "index", real_embedder


@pytest.mark.model
def test_the_answer_is_what_the_named_report_says_not_its_self_description(outlook):
    index, embedder = outlook
    question = (
        "What held up growth in Africa, according to the World Economic Situation and "
        "Prospects mid-2025 report?"
    )
    answer = Assistant(index, embedder=embedder).ask(question)
    assert answer.answered and answer.answer.startswith("Across Africa, growth held up")
    # with the source's words counted in full, the report's description of itself wins
    counted_in_full = replace(AnswerParams(), source_term_factor=1.0)
    answer = Assistant(index, embedder=embedder, answering=counted_in_full).ask(question)
    assert answer.answer.startswith("The mid-2025 update")
