"""The app's conversations, kept so that reloading the page does not lose them.

Streamlit's session state lasts one browser session: a reload (F5, or the link opened again
in the same tab) starts a new one. So each conversation has an id, which the app keeps in
the page's address (``?conversation=…``), and its turns are stored under that id in
``index/conversations.sqlite`` after every answer and rating, as plain JSON (the question,
the answer with its citations, the earlier questions, the filters' scope, the rating).

The store stays small: conversations untouched for ``max_age_days`` are dropped, and only
the ``keep`` most recently saved are kept. It is a convenience, never a reason to stop the
app: a store that cannot be read is logged and the conversation starts empty; a corrupt
file is moved aside (``conversations.sqlite.corrupt``) on the next save and a new one begun.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import uuid4

from .index_layout import CONVERSATIONS_FILE
from .types import Answer, Citation

__all__ = [
    "ConversationStore",
    "Turn",
    "is_conversation_id",
    "new_conversation_id",
    "turn_from_json",
    "turn_to_json",
]

log = logging.getLogger(__name__)

_FORMAT = 1  # the version of the stored JSON; another one is not read
_ID = re.compile(r"[0-9a-f]{32}")
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS conversations ("
    "id TEXT PRIMARY KEY, updated REAL NOT NULL, turns TEXT NOT NULL)"
)


@dataclass
class Turn:
    """One question of the conversation with its answer and the user's rating."""

    question: str
    answer: Answer
    history: tuple[str, ...] = ()
    scope: tuple[str, ...] | None = None
    rating: int | None = None
    id: str = field(default_factory=lambda: uuid4().hex[:10])


def new_conversation_id() -> str:
    """A fresh conversation id: 32 hex digits, unguessable, safe in a URL."""
    return uuid4().hex


def is_conversation_id(text: object) -> bool:
    """Whether ``text`` (a query parameter, say) has the form of a conversation id."""
    return isinstance(text, str) and _ID.fullmatch(text) is not None


# ---- turns as JSON ----------------------------------------------------------------------------
def turn_to_json(turn: Turn) -> dict[str, Any]:
    """``turn`` as plain JSON values, everything the app shows or asks with kept."""
    answer = turn.answer
    return {
        "id": turn.id,
        "question": turn.question,
        "history": list(turn.history),
        "scope": None if turn.scope is None else list(turn.scope),
        "rating": turn.rating,
        "answer": {
            "question": answer.question,
            "answered": answer.answered,
            "answer": answer.answer,
            "confidence": answer.confidence,
            "acronyms": [list(pair) for pair in answer.acronyms],
            "timings": dict(answer.timings),
            "citations": [
                {
                    "n": c.n,
                    "document": c.document,
                    "page": c.page,
                    "text": c.text,
                    "highlight": [list(span) for span in c.highlight],
                    "score": c.score,
                    "title": c.title,
                    "passage_id": c.passage_id,
                }
                for c in answer.citations
            ],
        },
    }


def turn_from_json(data: dict[str, Any]) -> Turn:
    """The turn ``turn_to_json`` wrote; KeyError, TypeError or ValueError if malformed."""
    answer = data["answer"]
    citations = [
        Citation(
            n=int(c["n"]),
            document=str(c["document"]),
            page=int(c["page"]),
            text=str(c["text"]),
            highlight=[(int(a), int(b)) for a, b in c["highlight"]],
            score=float(c["score"]),
            title=str(c.get("title", "")),
            passage_id=int(c.get("passage_id", 0)),
        )
        for c in answer["citations"]
    ]
    scope = data.get("scope")
    rating = data.get("rating")
    return Turn(
        question=str(data["question"]),
        answer=Answer(
            question=str(answer["question"]),
            answered=bool(answer["answered"]),
            answer=str(answer["answer"]),
            citations=citations,
            timings={str(k): float(v) for k, v in answer.get("timings", {}).items()},
            confidence=float(answer.get("confidence", 0.0)),
            acronyms=[(str(a), str(e)) for a, e in answer.get("acronyms", [])],
        ),
        history=tuple(str(q) for q in data.get("history", [])),
        scope=None if scope is None else tuple(str(p) for p in scope),
        rating=None if rating is None else int(rating),
        id=str(data["id"]),
    )


# ---- the store --------------------------------------------------------------------------------
class ConversationStore:
    """Conversations by id in ``conversations.sqlite`` of an index folder (kept, like the
    feedback, across the index's generations)."""

    def __init__(self, index_dir: Path, *, max_age_days: float = 30.0, keep: int = 200) -> None:
        if max_age_days <= 0 or keep < 1:
            raise ValueError("max_age_days must be above 0 and keep at least 1")
        self.path = Path(index_dir) / CONVERSATIONS_FILE
        self.max_age_days = max_age_days
        self.keep = keep

    def load(self, conversation_id: str) -> list[Turn]:
        """The turns stored under ``conversation_id``; none when there are none or the store
        cannot be read (logged)."""
        if not is_conversation_id(conversation_id) or not self.path.is_file():
            return []
        try:
            conn = sqlite3.connect(self.path, timeout=5.0)
            try:
                row = conn.execute(
                    "SELECT turns FROM conversations WHERE id = ?", (conversation_id,)
                ).fetchone()
            finally:
                conn.close()
        except sqlite3.Error as exc:
            log.warning("conversations in %s cannot be read (%s); starting empty", self.path, exc)
            return []
        if row is None:
            return []
        try:
            stored = json.loads(row[0])
            if stored.get("format") != _FORMAT:
                raise ValueError(f"format {stored.get('format')!r}, not {_FORMAT}")
            return [turn_from_json(turn) for turn in stored["turns"]]
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            log.warning(
                "conversation %s in %s is unreadable (%s); starting empty",
                conversation_id,
                self.path,
                exc,
            )
            return []

    def save(self, conversation_id: str, turns: Sequence[Turn]) -> bool:
        """Store ``turns`` under ``conversation_id`` and drop old conversations. False (and
        logged) when the store cannot be written; a corrupt file is moved aside first."""
        if not is_conversation_id(conversation_id):
            raise ValueError(f"not a conversation id: {conversation_id!r}")
        stored = json.dumps({"format": _FORMAT, "turns": [turn_to_json(t) for t in turns]})
        for attempt in (1, 2):
            try:
                self._write(conversation_id, stored)
                return True
            except sqlite3.DatabaseError as exc:
                # Exactly DatabaseError: "file is not a database", "disk image is malformed".
                # Its subclasses (locked, read-only, disk full) leave the file alone.
                if type(exc) is sqlite3.DatabaseError and attempt == 1 and self._set_aside():
                    log.warning("conversations in %s were corrupt (%s); begun anew", self.path, exc)
                    continue
                log.warning("conversation not saved in %s: %s", self.path, exc)
            except OSError as exc:
                log.warning("conversation not saved in %s: %s", self.path, exc)
            return False
        return False

    def _write(self, conversation_id: str, stored: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        now = time.time()
        conn = sqlite3.connect(self.path, timeout=5.0)
        try:
            with conn:
                conn.execute(_SCHEMA)
                conn.execute(
                    "INSERT OR REPLACE INTO conversations(id, updated, turns) VALUES (?, ?, ?)",
                    (conversation_id, now, stored),
                )
                conn.execute(
                    "DELETE FROM conversations WHERE updated < ?",
                    (now - self.max_age_days * 86400,),
                )
                conn.execute(
                    "DELETE FROM conversations WHERE id NOT IN "
                    "(SELECT id FROM conversations ORDER BY updated DESC LIMIT ?)",
                    (self.keep,),
                )
        finally:
            conn.close()

    def _set_aside(self) -> bool:
        """Move a corrupt store out of the way, so that a new one can be begun."""
        try:
            self.path.replace(self.path.with_name(self.path.name + ".corrupt"))
            # A journal left beside it belongs to the corrupt file, not to the new one.
            self.path.with_name(self.path.name + "-journal").unlink(missing_ok=True)
        except OSError as exc:
            log.warning("corrupt %s cannot be moved aside: %s", self.path, exc)
            return False
        return True
