"""The conversation store: a reload of the app finds its conversation again, an idle tab
learns what another tab added, the store stays bounded, and a store that cannot be read or
written never stops the app."""

from __future__ import annotations

import logging
import sqlite3
import time
from dataclasses import replace
from pathlib import Path

import pytest

from qa_assistant import conversations
from qa_assistant.app_support import conversation_markdown
from qa_assistant.conversations import (
    Asked,
    ConversationStore,
    Turn,
    is_conversation_id,
    merge_turns,
    new_conversation_id,
    new_turn_id,
    shows_all,
)
from qa_assistant.index_layout import CONVERSATIONS_FILE
from qa_assistant.types import Answer, Citation


def turns() -> list[Turn]:
    """A follow-up conversation: a rated, cited answer, then one the reports don't give."""
    cited = Citation(
        n=1,
        document="omik/hate_crime_2024.pdf",
        page=3,
        text="From 15 to 19 January 2024, 14 Kosovo Police officers were certified <b>.",
        highlight=[(0, 71)],
        score=0.8123456789,
        title="Addressing Hate Crime in Kosovo",
        passage_id=42,
    )
    related = Citation(2, "notes.txt", 1, "Unrelated text.", [], 0.2, "", 7)
    first = Answer(
        question="How many officers were certified?",
        answered=True,
        answer="14 Kosovo Police officers were certified [1].",
        citations=[cited, related],
        timings={"retrieve": 0.01},
        confidence=0.91,
        acronyms=[("OMIK", "OSCE Mission in Kosovo")],
        corrected=[("certifed", "certified")],
    )
    second = Answer("Where?", False, "The reports don't say.", [related])
    return [
        Turn("How many officers were certified?", first, rating=1),
        Turn("Where?", second, ("How many officers were certified?",), ("notes.txt",)),
    ]


def keep(store: ConversationStore, conversation: str, kept: list[Turn]) -> None:
    """Store ``kept`` as the app does: each question when asked, then its answer, rating."""
    for turn in kept:
        assert store.ask(conversation, Asked(turn.id, turn.question))
        assert store.answer(conversation, replace(turn, rating=None))
        if turn.rating is not None:
            assert store.rate(conversation, turn)


def test_a_saved_conversation_loads_whole(tmp_path: Path) -> None:
    store, conversation = ConversationStore(tmp_path), new_conversation_id()
    kept = turns()
    keep(store, conversation, kept)
    loaded = ConversationStore(tmp_path).load(conversation)
    assert loaded.turns == kept  # every field: citations, highlights, scope, history, rating, id
    assert loaded.waiting == []
    assert conversation_markdown(loaded.turns, exported_at="x") == conversation_markdown(
        kept, exported_at="x"
    )
    assert (tmp_path / CONVERSATIONS_FILE).is_file()


def test_two_tabs_writing_the_same_conversation_keep_every_turn(tmp_path: Path) -> None:
    """Two tabs at one address, each with its own (stale) copy: the store merges them."""
    tab_a, tab_b = ConversationStore(tmp_path), ConversationStore(tmp_path)
    conversation = new_conversation_id()
    first, second = turns()
    third = replace(first, question="How long did it last?", rating=None, id=new_turn_id())
    assert tab_a.ask(conversation, Asked(first.id, first.question))
    assert tab_b.ask(conversation, Asked(second.id, second.question))
    assert tab_b.answer(conversation, second)
    assert tab_a.answer(conversation, replace(first, rating=None))
    assert tab_b.rate(conversation, replace(second, rating=-1))
    assert tab_a.ask(conversation, Asked(third.id, third.question))
    assert tab_a.rate(conversation, first)  # a stale tab's rating touches its turn only
    assert tab_a.answer(conversation, third)
    loaded = tab_b.load(conversation)
    assert [t.question for t in loaded.turns] == [first.question, second.question, third.question]
    assert [t.rating for t in loaded.turns] == [1, -1, None]


def test_an_answer_given_twice_keeps_the_first_and_its_rating(tmp_path: Path) -> None:
    """A reload answers the waiting question again while the old session may too."""
    store, conversation = ConversationStore(tmp_path), new_conversation_id()
    first, _ = turns()
    store.ask(conversation, Asked(first.id, first.question))
    store.answer(conversation, replace(first, rating=None))
    store.rate(conversation, first)
    again = replace(first, answer=replace(first.answer, answer="Another wording."), rating=None)
    store.answer(conversation, again)
    (loaded,) = store.load(conversation).turns
    assert loaded.answer.answer == first.answer.answer and loaded.rating == 1


def test_a_question_is_kept_while_it_waits_for_its_answer(tmp_path: Path) -> None:
    store, conversation = ConversationStore(tmp_path), new_conversation_id()
    first, second = turns()
    keep(store, conversation, [first])
    waiting = Asked(new_turn_id(), "Where did they train?")
    failed = Asked(new_turn_id(), "What?")
    assert store.ask(conversation, waiting) and store.ask(conversation, failed)
    assert store.forget(conversation, failed)
    assert store.forget(conversation, Asked(first.id, first.question)), "no error"
    loaded = ConversationStore(tmp_path).load(conversation)
    assert loaded.turns == [first], "forgetting a question leaves an answered turn alone"
    assert loaded.waiting == [waiting]


def test_an_idle_tab_learns_what_another_tab_wrote_since_it_read(tmp_path: Path) -> None:
    tab_a, tab_b = ConversationStore(tmp_path), ConversationStore(tmp_path)
    conversation = new_conversation_id()
    assert tab_b.changed_since(conversation, 0.0) == []  # no store yet
    assert not (tmp_path / CONVERSATIONS_FILE).exists(), "looking creates no file"
    first, second = turns()
    keep(tab_a, conversation, [first])
    seen = tab_b.load(conversation)
    assert tab_b.changed_since(conversation, seen.as_of) == [], "nothing new"
    assert tab_a.ask(conversation, Asked(second.id, second.question))
    (asked,) = tab_b.changed_since(conversation, seen.as_of)
    assert (asked.id, asked.answered) == (second.id, False)
    assert shows_all(seen.turns, [asked]), "another tab's waiting question: no redraw"
    assert tab_a.answer(conversation, second)
    (answered,) = tab_b.changed_since(conversation, asked.written)
    assert (answered.id, answered.answered) == (second.id, True)
    assert not shows_all(seen.turns, [answered]), "another tab's answer: draw it"
    assert shows_all([first, second], [answered]), "a tab's own answer: no redraw"
    seen = tab_b.load(conversation)
    assert tab_b.changed_since(conversation, seen.as_of) == []
    assert tab_a.rate(conversation, replace(first, rating=-1))
    (rated,) = tab_b.changed_since(conversation, seen.as_of)
    assert (rated.id, rated.rating) == (first.id, -1)
    assert not shows_all(seen.turns, [rated]), "another tab's rating: draw it"
    assert tab_b.changed_since(new_conversation_id(), 0.0) == [], "other conversations: none"


def test_writes_are_stamped_in_order_even_when_the_clock_stands_still(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two writes within one tick of a coarse clock (or after it stepped back): a tab that
    read the first still learns of the second."""
    monkeypatch.setattr(conversations.time, "time", lambda: 1_800_000_000.0)
    store, conversation = ConversationStore(tmp_path), new_conversation_id()
    first, second = turns()
    keep(store, conversation, [first])
    seen = store.load(conversation)
    keep(store, conversation, [second])
    changes = store.changed_since(conversation, seen.as_of)
    assert [c.id for c in changes] == [second.id]
    assert changes[0].answered


def test_unknown_or_malformed_ids_load_nothing(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path)
    assert store.load(new_conversation_id()).turns == []  # no file yet
    assert not (tmp_path / CONVERSATIONS_FILE).exists(), "loading creates no file"
    keep(store, new_conversation_id(), turns())
    assert store.load(new_conversation_id()).turns == []
    assert store.load("../../etc/passwd").turns == []
    assert not is_conversation_id("ABC") and is_conversation_id(new_conversation_id())
    with pytest.raises(ValueError):
        store.answer("not-an-id", turns()[0])


def test_the_store_keeps_the_latest_conversations_only(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path, keep=2)
    ids = [new_conversation_id() for _ in range(3)]
    for conversation in ids:
        keep(store, conversation, turns())
    assert store.load(ids[0]).turns == []
    assert store.load(ids[1]).turns and store.load(ids[2]).turns


def test_recent_conversations_are_listed_newest_first_by_their_first_question(
    tmp_path: Path,
) -> None:
    store = ConversationStore(tmp_path)
    assert store.recent() == []  # no store yet
    older, newer = new_conversation_id(), new_conversation_id()
    keep(store, older, turns())
    keep(store, newer, turns()[:1])
    listed = store.recent()
    assert [(c.id, c.first_question, c.questions) for c in listed] == [
        (newer, "How many officers were certified?", 1),
        (older, "How many officers were certified?", 2),
    ]
    assert listed[0].updated >= listed[1].updated
    keep(store, older, [Turn("And when?", turns()[1].answer)])  # written to last: first
    assert [c.id for c in store.recent()] == [older, newer]
    assert [c.id for c in store.recent(limit=1)] == [older]


def test_the_store_drops_conversations_left_for_a_month(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path)
    old, recent, new = (new_conversation_id() for _ in range(3))
    keep(store, old, turns())
    keep(store, recent, turns())
    conn = sqlite3.connect(tmp_path / CONVERSATIONS_FILE)
    with conn:
        for conversation, days in ((old, 31), (recent, 29)):
            conn.execute(
                "UPDATE turns SET updated = ? WHERE conversation = ?",
                (time.time() - days * 86400, conversation),
            )
    conn.close()
    keep(store, new, turns())
    assert store.load(old).turns == []
    assert store.load(recent).turns and store.load(new).turns


def test_a_corrupt_store_starts_empty_and_is_begun_anew(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / CONVERSATIONS_FILE
    path.write_bytes(b"this is no SQLite database " * 200)
    store, conversation = ConversationStore(tmp_path), new_conversation_id()
    with caplog.at_level(logging.WARNING, logger="qa_assistant.conversations"):
        assert store.load(conversation).turns == []
    assert "cannot be read" in caplog.text
    kept = turns()
    keep(store, conversation, kept)
    assert store.load(conversation).turns == kept
    assert path.with_name(CONVERSATIONS_FILE + ".corrupt").read_bytes().startswith(b"this is")


def test_an_unreadable_turn_is_left_out(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store, conversation = ConversationStore(tmp_path), new_conversation_id()
    first, second = turns()
    keep(store, conversation, [first, second])
    conn = sqlite3.connect(tmp_path / CONVERSATIONS_FILE)
    with conn:
        conn.execute("UPDATE turns SET body = ? WHERE id = ?", ('{"format": 1}', first.id))
    conn.close()
    with caplog.at_level(logging.WARNING, logger="qa_assistant.conversations"):
        assert store.load(conversation).turns == [second]
    assert "unreadable" in caplog.text


def test_a_store_that_cannot_be_written_is_reported_not_raised(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    not_a_folder = tmp_path / "index"
    not_a_folder.write_text("a file where the index folder should be")
    store, (first, _) = ConversationStore(not_a_folder), turns()
    with caplog.at_level(logging.WARNING, logger="qa_assistant.conversations"):
        assert store.answer(new_conversation_id(), first) is False
    assert "not saved" in caplog.text


def test_a_tab_shows_the_stored_turns_then_those_only_it_holds() -> None:
    first, second = turns()
    unsaved = replace(second, id=new_turn_id())
    stale_first = replace(first, rating=None)
    assert merge_turns([first, second], [stale_first, unsaved]) == [first, second, unsaved]
    assert merge_turns([], [first]) == [first], "an unreadable store hides nothing"
