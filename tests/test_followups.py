"""Follow-ups as a conversation asks them: held to a lower threshold, their own words being
few, and answered by the earlier answer's sentence when that sentence also holds what the
follow-up asks anew."""

from __future__ import annotations

from dataclasses import replace

import pytest

from qa_assistant.answer_params import AnswerParams
from qa_assistant.assistant import Assistant
from qa_assistant.indexer import update_index
from qa_assistant.retrieval import Query

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


# ---- a new subject in the same conversation ---------------------------------------------------
REPORTS = {
    "csw_69th_session.txt": """Commission on the Status of Women, sixty-ninth session

At its sixty-ninth session in March 2025 the Commission on the Status of Women discussed the \
review of the Beijing Declaration and Platform for Action thirty years on. Delegations \
debated how to close the gap in women's pay and how to end violence against women and girls.

Indonesia supported the change to the working methods that lets youth delegates speak at \
the interactive dialogues, saying young people must be heard.
""",
    "jiu_racism_note.txt": """Review of racism and racial discrimination in the UN system

The Joint Inspection Unit (JIU) reviewed how United Nations organizations address racism \
and racial discrimination in the workplace. The JIU makes six recommendations: among them, \
executive heads should adopt a policy against racism by 2024, name a focal point for \
complaints and report every year on the progress made.
""",
    "cnd_68th_session.txt": """Commission on Narcotic Drugs, sixty-eighth session

In March 2025 the Commission on Narcotic Drugs decided by consensus to place PMK glycidate \
and two other precursors of amphetamine in Table I of the 1988 Convention, which puts their \
trade under international control.

Indonesia supported that change because the precursors had been found in clandestine \
laboratories seized on its territory the year before.
""",
}


@pytest.fixture(scope="module")
def conversation_index(tmp_path_factory, real_embedder):
    documents = tmp_path_factory.mktemp("conversation") / "documents"
    documents.mkdir()
    for name, text in REPORTS.items():
        (documents / name).write_text(text, encoding="utf-8")
    index = documents.parent / "index"
    update_index(documents, index, real_embedder)
    return Assistant(index, embedder=real_embedder)


@pytest.mark.model
def test_a_question_on_a_new_subject_is_answered_as_if_asked_first(conversation_index):
    # It names the JIU, which the earlier question does not, and shares no word with it:
    # the Commission on the Status of Women must not pull it toward its report.
    history = ["What did the Commission on the Status of Women discuss at its 69th session?"]
    question = "What are the recommendations of the JIU on racism?"
    alone = conversation_index.ask(question)
    after = conversation_index.ask(question, history=history)
    assert after.answered and after.citations[0].document == "jiu_racism_note.txt"
    assert after.answer == alone.answer and after.confidence == pytest.approx(alone.confidence)


@pytest.mark.model
def test_a_follow_up_that_points_back_stays_one_whatever_it_names(conversation_index):
    # "that change" points back; Indonesia is in the report that answered the earlier
    # question, so the question is read with it: the narcotics commission's change, not the
    # Commission on the Status of Women's.
    history = ["What did the Commission on Narcotic Drugs decide about PMK glycidate?"]
    after = conversation_index.ask("Why did Indonesia support that change?", history=history)
    assert after.answered and after.citations[0].document == "cnd_68th_session.txt"
    assert "clandestine laboratories" in after.answer
    # Led in by "And", a question is a follow-up even when nothing in it is in those reports.
    led_in = conversation_index.ask("And what did the JIU say?", history=history)
    assert led_in.confidence != pytest.approx(
        conversation_index.ask("What did the JIU say?").confidence
    )


def test_the_names_a_question_gives_of_its_own() -> None:
    names = Query(text="In June, what did the JIU tell Peter Sorensen about Haiti?").own_names()
    assert names == ["JIU", "Peter Sorensen", "Haiti"]  # June names a time
    assert Query(text="How many officials at the P-5 level joined CSW69?").own_names() == []
    asked = Query(
        text="How many staff took part in the 2025 training session?",
        history=["Who opened the 2025 session of the OMIK training?"],
    )
    assert asked.shared_words() == ["training", "session"]  # a number is no shared subject


def test_a_question_that_points_only_into_itself_or_at_a_time_points_nowhere_back() -> None:
    def points_outside(question: str) -> bool:
        return Query(text=question, history=["Who chaired the commission?"]).points_outside_itself()

    assert not points_outside("By what year does Tajikistan aim to get all of its energy?")
    assert not points_outside("How much did Norway give to UNICEF this year?")
    assert points_outside("Why did Indonesia support that change?")
    assert points_outside("How many Member States attended it?")
    assert points_outside("What share of its budget did the UN human rights office get?")
