"""The conversation store: a reload of the app finds its conversation again, the store stays
bounded, and a store that cannot be read or written never stops the app."""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path

import pytest

from qa_assistant.app_support import conversation_markdown
from qa_assistant.conversations import (
    ConversationStore,
    Turn,
    is_conversation_id,
    new_conversation_id,
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
    )
    second = Answer("Where?", False, "The reports don't say.", [related])
    return [
        Turn("How many officers were certified?", first, rating=1),
        Turn("Where?", second, ("How many officers were certified?",), ("notes.txt",)),
    ]


def test_a_saved_conversation_loads_whole(tmp_path: Path) -> None:
    store, conversation = ConversationStore(tmp_path), new_conversation_id()
    kept = turns()
    assert store.save(conversation, kept)
    loaded = ConversationStore(tmp_path).load(conversation)
    assert loaded == kept  # every field: citations, highlights, scope, history, rating, id
    assert conversation_markdown(loaded, exported_at="x") == conversation_markdown(
        kept, exported_at="x"
    )
    assert (tmp_path / CONVERSATIONS_FILE).is_file()


def test_saving_again_replaces_the_turns(tmp_path: Path) -> None:
    store, conversation = ConversationStore(tmp_path), new_conversation_id()
    first, second = turns()
    store.save(conversation, [first])
    second.rating = -1
    store.save(conversation, [first, second])
    assert [t.rating for t in store.load(conversation)] == [1, -1]


def test_unknown_or_malformed_ids_load_nothing(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path)
    assert store.load(new_conversation_id()) == []  # no file yet
    assert not (tmp_path / CONVERSATIONS_FILE).exists(), "loading creates no file"
    store.save(new_conversation_id(), turns())
    assert store.load(new_conversation_id()) == []
    assert store.load("../../etc/passwd") == []
    assert not is_conversation_id("ABC") and is_conversation_id(new_conversation_id())
    with pytest.raises(ValueError):
        store.save("not-an-id", turns())


def test_the_store_keeps_the_latest_conversations_only(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path, keep=2)
    ids = [new_conversation_id() for _ in range(3)]
    for conversation in ids:
        store.save(conversation, turns())
    assert store.load(ids[0]) == []
    assert store.load(ids[1]) and store.load(ids[2])


def test_the_store_drops_conversations_left_for_a_month(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path)
    old, recent, new = (new_conversation_id() for _ in range(3))
    store.save(old, turns())
    store.save(recent, turns())
    conn = sqlite3.connect(tmp_path / CONVERSATIONS_FILE)
    with conn:
        conn.execute(
            "UPDATE conversations SET updated = ? WHERE id = ?", (time.time() - 31 * 86400, old)
        )
        conn.execute(
            "UPDATE conversations SET updated = ? WHERE id = ?", (time.time() - 29 * 86400, recent)
        )
    conn.close()
    store.save(new, turns())
    assert store.load(old) == []
    assert store.load(recent) and store.load(new)


def test_a_corrupt_store_starts_empty_and_is_begun_anew(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / CONVERSATIONS_FILE
    path.write_bytes(b"this is no SQLite database " * 200)
    store, conversation = ConversationStore(tmp_path), new_conversation_id()
    with caplog.at_level(logging.WARNING, logger="qa_assistant.conversations"):
        assert store.load(conversation) == []
    assert "cannot be read" in caplog.text
    kept = turns()
    assert store.save(conversation, kept)
    assert store.load(conversation) == kept
    assert path.with_name(CONVERSATIONS_FILE + ".corrupt").read_bytes().startswith(b"this is")


def test_an_unreadable_row_starts_empty(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store, conversation = ConversationStore(tmp_path), new_conversation_id()
    store.save(conversation, turns())
    conn = sqlite3.connect(tmp_path / CONVERSATIONS_FILE)
    with conn:
        conn.execute("UPDATE conversations SET turns = ?", ('{"format": 1, "turns": [{}]}',))
    conn.close()
    with caplog.at_level(logging.WARNING, logger="qa_assistant.conversations"):
        assert store.load(conversation) == []
    assert "unreadable" in caplog.text


def test_a_store_that_cannot_be_written_is_reported_not_raised(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    not_a_folder = tmp_path / "index"
    not_a_folder.write_text("a file where the index folder should be")
    store = ConversationStore(not_a_folder)
    with caplog.at_level(logging.WARNING, logger="qa_assistant.conversations"):
        assert store.save(new_conversation_id(), turns()) is False
    assert "not saved" in caplog.text
