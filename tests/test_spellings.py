"""A name the question spells otherwise than the reports ("Otunbaeva" for "Otunbayeva",
"Djakovica" for "Đakovica") is searched, and accepted on the answering page, in the
reports' spelling; a slip of the keyboard in a lower-case word ("pubkic") is searched as
the word meant."""

from __future__ import annotations

from collections import Counter

import pytest

from qa_assistant.assistant import Assistant
from qa_assistant.indexer import update_index
from qa_assistant.pins import unmet_constraints
from qa_assistant.reading import read_documents_inline
from qa_assistant.spellings import Spellings, edit_distance, english_word

WORDS = Counter(
    {
        "otunbayeva": 3,
        "dakovica": 1,
        "farkhod": 4,
        "farhad": 1,
        "fiction": 2,
        "osce": 40,
        "roza": 3,
        "islamabad": 2,
        "conference": 30,
        "attended": 9,
    }
)


def test_edit_distance_counts_edits_and_swaps_up_to_its_limit():
    assert edit_distance("otunbaeva", "otunbayeva", 2) == 1
    assert edit_distance("djakovica", "dakovica", 2) == 1
    assert edit_distance("haidar", "hiadar", 1) == 1  # two neighbours swapped
    assert edit_distance("prishtina", "pristina", 2) == 1
    assert edit_distance("farhod", "farkhod", 1) == 1
    assert edit_distance("volleyball", "valley", 2) == 3  # beyond the limit: limit + 1
    assert edit_distance("same", "same", 0) == 0


def test_a_name_the_reports_spell_otherwise_is_given_their_spelling():
    spellings = Spellings(lambda: WORDS)
    asked = "Which conference did Roza Otunbaeva attend in Islamabad?"
    assert spellings.other_spellings(asked) == [("otunbaeva", "otunbayeva")]
    assert spellings.other_spellings("What did the court in Djakovica get?") == [
        ("djakovica", "dakovica")
    ]
    # two spellings at one edit: both, the more frequent first
    assert spellings.other_spellings("What did Farhod say?") == [
        ("farhod", "farkhod"),
        ("farhod", "farhad"),
    ]


def test_only_names_the_reports_lack_are_looked_up():
    spellings = Spellings(lambda: WORDS)
    assert spellings.other_spellings("Which conference did Roza attend?") == []  # they have it
    assert spellings.other_spellings("What fraction of staff attended?") == []  # no name
    assert spellings.other_spellings("Fraction of what?") == []  # capitalised by grammar only
    assert spellings.other_spellings("What did the OSCA decide?") == []  # an acronym
    assert spellings.other_spellings("Who is Rosa?") == []  # too short to tell
    assert spellings.other_spellings("How tall is Mount Everest?") == []  # nothing near
    # a name one of whose words the reports hold in no spelling is someone else's
    assert spellings.other_spellings("What did Ivana Otunbaeva say?") == []
    assert spellings.other_spellings("What did Roza Otunbaeva say?") == [
        ("otunbaeva", "otunbayeva")
    ]


def test_a_name_of_several_words_is_respelled_only_where_the_reports_write_it_whole():
    asked = []

    def together(groups: list[list[str]]) -> bool:
        asked.append(groups)
        return ["roza"] in groups  # the reports write "Roza Otunbayeva", nothing else whole

    spellings = Spellings(lambda: WORDS, together)
    pairs = spellings.other_spellings("What did Roza Otunbaeva say?")
    assert pairs == [("otunbaeva", "otunbayeva")]
    assert asked == [[["roza"], ["otunbaeva", "otunbayeva"]]]
    assert spellings.other_spellings("What did Farhod Otunbaeva say?") == []  # not together
    # one word alone needs no such check
    assert spellings.other_spellings("What did Otunbaeva say?") == [("otunbaeva", "otunbayeva")]
    assert len(asked) == 2


def test_the_words_are_read_once_and_only_when_needed():
    calls = []

    def load() -> Counter[str]:
        calls.append(1)
        return WORDS

    spellings = Spellings(load)
    assert calls == []
    spellings.other_spellings("What did Otunbaeva say?")
    spellings.other_spellings("What did Farhod say?")
    assert calls == [1]


def test_the_reports_spelling_on_the_page_meets_the_name():
    question = "What did the courts of Djakovica receive?"
    page = "The Basic Court in Đakovica received a digital archive of its cases."
    assert unmet_constraints(question, page) == ["Djakovica"]
    pairs = Spellings(lambda: WORDS).other_spellings(question)
    assert unmet_constraints(question, page, pairs) == []


SLIP_WORDS = Counter(
    {"public": 20, "pubic": 1, "rights": 30, "nights": 2, "defining": 5, "officers": 12}
)
ENGLISH = {"public", "pubic", "rights", "nights", "defining", "officers", "fraction", "money"}


def slips(**kwargs) -> Spellings:
    """Spellings over SLIP_WORDS, with ENGLISH as the language's word list."""
    return Spellings(lambda: SLIP_WORDS, known=lambda word: word in ENGLISH, **kwargs)


def test_a_slip_of_the_keyboard_is_searched_as_the_word_meant():
    assert slips().corrected("How much pubkic money was spent on human rgihts?") == (
        "How much public money was spent on human rights?",
        [("pubkic", "public"), ("rgihts", "rights")],
    )
    # dropped, doubled and swapped letters; another vowel; a key beside the one meant
    for typed in ("pblic", "puublic", "pbulic", "publuc", "publuc", "pubkic"):
        assert slips().corrected(f"the {typed} money")[1] == [(typed, "public")], typed
    # the most frequent of the words one slip away: "pubic" is one too
    assert slips().slipped_from("pubkic") == "public"


def test_what_is_no_slip_is_left_as_written():
    spellings = slips()
    unchanged = [
        "What fraction of the public money?",  # English, though the reports lack it
        "What did Pubkic say?",  # a name: the names' lookup is for those
        "How did the offcr act?",  # shorter than five letters is too little to tell
        "What is plublix?",  # two slips from "public"
        "What did the zublic say?",  # the first letter is kept by a slip
        "What did the publxc say?",  # "x" is far from "i" on the keyboard, and no vowel
        "How many demining teams?",  # two slips from "defining": another word
    ]
    for question in unchanged:
        assert spellings.corrected(question) == (question, []), question
    # a word in quotes is searched as typed: the way to overrule a wrong guess
    for quoted in ('the "pubkic" money', "the “pubkic” money", "the 'pubkic' money"):
        assert spellings.corrected(quoted) == (quoted, []), quoted
    off = slips(slips=False)
    assert off.corrected("the pubkic money") == ("the pubkic money", [])


def test_english_is_known_in_british_spelling_too():
    for word in ("recognise", "programme", "labour", "trialled", "centre", "defence"):
        assert english_word(word), word
    for word in ("pubkic", "rgihts", "demining"):
        assert not english_word(word), word


ARCHIVE = """Court archives in Kosovo, 2024

With the Mission's support, the Basic Court in Đakovica received a digital archive holding \
40,000 minor offence case files, and its registry staff were trained to keep it.
"""

WATER = """Regional cooperation update

The Basic Court in Gjilan received new furniture and computers for its reception hall in \
March 2025, paid for by the municipality.
"""


@pytest.fixture
def courts(tmp_path, real_embedder) -> Assistant:
    """An assistant over two short court reports, one about the Đakovica archive."""
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "court_archives_2024.txt").write_text(ARCHIVE, encoding="utf-8")
    (documents / "regional_update_2025.txt").write_text(WATER, encoding="utf-8")
    update_index(documents, tmp_path / "index", real_embedder, reader=read_documents_inline)
    return Assistant(tmp_path / "index", embedder=real_embedder)


@pytest.mark.model
def test_a_question_spelling_a_name_otherwise_is_answered_from_the_reports_spelling(courts):
    assistant = courts
    question = "What did the court in Djakovica receive?"
    assert ("djakovica", "dakovica") in assistant.equivalents(question)
    # "Basic Court in Đakovica" is written whole, "Basic Court in Gjakova" nowhere
    assert ("djakovica", "dakovica") in assistant.equivalents("What did Basic Djakovica get?")
    assert assistant.equivalents("What did the Gjilan Djakovica court get?") == []
    answer = assistant.ask(question)
    assert answer.answered, answer.answer  # not "the reports do not mention Djakovica"
    assert "digital archive" in answer.answer
    assert answer.citations[0].document.endswith("court_archives_2024.txt")


@pytest.mark.model
def test_a_question_with_a_slip_is_answered_as_the_one_meant(courts):
    assistant = courts
    meant = assistant.ask("How many minor offence case files does the digital archive hold?")
    typed = assistant.ask("How many minor offence case fiels does the digital acrhive hold?")
    assert typed.corrected == [("fiels", "files"), ("acrhive", "archive")]
    assert typed.answered and typed.answer == meant.answer
    assert "40,000" in typed.answer
    assert [c.passage_id for c in typed.citations] == [c.passage_id for c in meant.citations]
    assert meant.corrected == []
    # "Which reports mention …?" looks for the word meant too
    listed = assistant.ask("Which reports mention the digital acrhive?")
    assert listed.corrected == [("acrhive", "archive")]
    assert listed.answered and listed.citations[0].document.endswith("court_archives_2024.txt")
