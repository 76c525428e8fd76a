"""Follow-ups as a conversation asks them: held to a lower threshold, their own words being
few, and answered by the earlier answer's sentence when that sentence also holds what the
follow-up asks anew."""

from __future__ import annotations

from dataclasses import replace

import pytest

from qa_assistant.answer_params import AnswerParams
from qa_assistant.assistant import Assistant
from qa_assistant.indexer import update_index

FILLER = (
    "Unions were consulted on the plan in a series of meetings, and the Ministry published the "
    "list of affected offices on its website so that staff could see where posts would go. "
    "Local administrations asked for more time to prepare, and some asked for the savings to "
    "be spent on training the staff who remain in post."
)
STAFFING = f"""Public service staffing in 2025

Education. After the new fiscal year began in March, the Ministry of Finance proposed that \
teaching staff in the education sector be cut by 10 per cent, starting with vacant posts. \
{FILLER}

Security. In April the Cabinet ordered a 20 per cent reduction in security sector personnel, \
to be completed by the end of the year. {FILLER}

Health. Hospitals were spared: health sector posts will be kept at their 2024 level. {FILLER}
"""


@pytest.mark.model
def test_a_follow_up_of_few_words_is_answered_below_the_standalone_threshold(
    tmp_path, real_embedder
):
    (tmp_path / "documents").mkdir()
    (tmp_path / "documents" / "public_service_staffing_2025.txt").write_text(
        STAFFING, encoding="utf-8"
    )
    update_index(tmp_path / "documents", tmp_path / "index", real_embedder)
    history = [
        "What staff cuts did the Ministry of Finance propose for the education sector in 2025?"
    ]
    assistant = Assistant(tmp_path / "index", embedder=real_embedder)
    answer = assistant.ask("What about hospitals?", history=history)
    assert answer.answered and answer.answer.startswith("Hospitals were spared")
    # its best sentence scores below what a question standing alone must reach
    defaults = AnswerParams()
    assert defaults.followup_threshold <= answer.confidence < defaults.answer_threshold
    held_alike = replace(defaults, followup_threshold=defaults.answer_threshold)
    answer = Assistant(tmp_path / "index", embedder=real_embedder, answering=held_alike).ask(
        "What about hospitals?", history=history
    )
    assert not answer.answered


RETURNS = """Returns to Afghanistan, October 2024 to January 2025

Between 22 October 2024 and 7 January 2025, 356,329 Afghans returned to Afghanistan, of whom \
59,217 came from Pakistan and 297,112 from the Islamic Republic of Iran.

In the same period, from 22 October 2024 to 7 January 2025, reception centres helped more \
than 120,700 undocumented Afghans returning from Iran.

Most returnees said they needed shelter, work and documents for their children.
"""


@pytest.mark.model
def test_the_earlier_answer_answers_again_when_it_holds_what_is_asked_anew(tmp_path, real_embedder):
    (tmp_path / "documents").mkdir()
    (tmp_path / "documents" / "returns_2025.txt").write_text(RETURNS, encoding="utf-8")
    update_index(tmp_path / "documents", tmp_path / "index", real_embedder)
    history = [
        "How many Afghans returned from Pakistan between 22 October 2024 and 7 January 2025?"
    ]
    answer = Assistant(tmp_path / "index", embedder=real_embedder).ask(
        "And from Iran?", history=history
    )
    assert answer.answered and "297,112 from the Islamic Republic of Iran" in answer.answer
    # the sentence the user has read counted less throughout: the other Iran figure wins
    always_less = replace(AnswerParams(), earlier_answer_keeps_new=False)
    answer = Assistant(tmp_path / "index", embedder=real_embedder, answering=always_less).ask(
        "And from Iran?", history=history
    )
    assert answer.answer.startswith("In the same period")
