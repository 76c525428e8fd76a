"""The app's conversations, kept so that reloading the page does not lose them.

Streamlit's session state lasts one browser session: a reload (F5, or the link opened again
in the same tab) starts a new one. So each conversation has an id, which the app keeps in
the page's address (``?conversation=…``), and its turns are stored under that id in
``index/conversations.sqlite``, one row per turn keyed by the turn's own id: the question
as soon as it is asked (waiting for its answer, so a reload while it is answered does not
lose it), then the answer with its citations, the earlier questions and the filters' scope
as plain JSON, and the rating on its own. Two tabs open on the same address therefore add
to the conversation rather than overwrite it: each write touches one turn, and each tab
reads the stored turns again on every run (``merge_turns``). Each write is stamped with
its time, in the order the writes commit, so an idle tab can ask cheaply what was written
since it last read the conversation (``changed_since``) and show it without a click.

The store stays small: conversations untouched for ``max_age_days`` are dropped, and only
the ``keep`` most recently changed are kept. It is a convenience, never a reason to stop
the app: a store that cannot be read is logged and the conversation starts empty; a corrupt
file is moved aside (``conversations.sqlite.corrupt``) on the next write and a new one
begun.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from uuid import uuid4

from .index_layout import CONVERSATIONS_FILE
from .types import Answer, Citation

__all__ = [
    "Asked",
    "ConversationStore",
    "ConversationSummary",
    "StoredConversation",
    "Turn",
    "TurnChange",
    "is_conversation_id",
    "merge_turns",
    "new_conversation_id",
    "new_turn_id",
    "shows_all",
    "turn_from_json",
    "turn_to_json",
]

log = logging.getLogger(__name__)

_FORMAT = 1  # the version of a stored turn's JSON; another one is not read
_ID = re.compile(r"[0-9a-f]{32}")
# One row per turn; ``body`` stays NULL while the question waits for its answer. ``seq``
# keeps the order the questions were asked in, whichever tab asked them.
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS turns ("
    "seq INTEGER PRIMARY KEY, conversation TEXT NOT NULL, id TEXT NOT NULL, "
    "question TEXT NOT NULL, body TEXT, rating INTEGER, updated REAL NOT NULL, "
    "UNIQUE (conversation, id))"
)
# What ``changed_since`` looks up: a conversation's turns by the time of their last write.
_BY_CHANGE = "CREATE INDEX IF NOT EXISTS turns_by_change ON turns (conversation, updated)"
_NOW = object()  # in a write's values: the time of writing


@dataclass
class Turn:
    """One question of the conversation with its answer and the user's rating."""

    question: str
    answer: Answer
    history: tuple[str, ...] = ()
    scope: tuple[str, ...] | None = None
    rating: int | None = None
    id: str = field(default_factory=lambda: new_turn_id())


@dataclass(frozen=True)
class Asked:
    """A question asked and not answered yet; ``id`` becomes its turn's id."""

    id: str
    question: str


@dataclass
class StoredConversation:
    """What the store holds for a conversation: its answered turns and the questions still
    waiting for an answer, each in the order asked."""

    turns: list[Turn] = field(default_factory=list)
    waiting: list[Asked] = field(default_factory=list)
    as_of: float = 0.0  # the latest write it holds: ``changed_since(as_of)`` tells the rest


@dataclass(frozen=True)
class ConversationSummary:
    """A stored conversation as a list of them shows it."""

    id: str
    first_question: str
    questions: int
    updated: float  # its latest write, seconds since the epoch


@dataclass(frozen=True)
class TurnChange:
    """A turn written after a given moment, reduced to what tells a tab whether it shows it
    already: its id, whether it is answered, its rating, and when it was written."""

    id: str
    answered: bool
    rating: int | None
    written: float


def new_turn_id() -> str:
    """A fresh turn id, unique within its conversation."""
    return uuid4().hex[:12]


def merge_turns(stored: Sequence[Turn], session: Sequence[Turn]) -> list[Turn]:
    """The turns a tab shows: the stored ones (any tab's, in the order asked), then those of
    this session the store does not hold (it could not be written, or not read)."""
    known = {turn.id for turn in stored}
    return [*stored, *(turn for turn in session if turn.id not in known)]


def shows_all(turns: Sequence[Turn], changes: Sequence[TurnChange]) -> bool:
    """Whether a tab showing ``turns`` shows what ``changes`` hold already: each answered turn
    among them, with its rating. (A question still waiting is shown by the tab that asked
    it only, so another tab's waiting question is no reason to draw the page again.)"""
    shown = {turn.id: turn.rating for turn in turns}
    return all(c.id in shown and shown[c.id] == c.rating for c in changes if c.answered)


def new_conversation_id() -> str:
    """A fresh conversation id: 32 hex digits, unguessable, safe in a URL."""
    return uuid4().hex


def is_conversation_id(text: object) -> bool:
    """Whether ``text`` (a query parameter, say) has the form of a conversation id."""
    return isinstance(text, str) and _ID.fullmatch(text) is not None


# ---- turns as JSON ----------------------------------------------------------------------------
def turn_to_json(turn: Turn) -> dict[str, Any]:
    """``turn`` as plain JSON values, everything the app shows or asks with kept (its
    tuples become JSON lists when written)."""
    return asdict(turn)


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
            ocr=bool(c.get("ocr", False)),
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
            corrected=[(str(a), str(b)) for a, b in answer.get("corrected", [])],
        ),
        history=tuple(str(q) for q in data.get("history", [])),
        scope=None if scope is None else tuple(str(p) for p in scope),
        rating=None if rating is None else int(rating),
        id=str(data["id"]),
    )


# ---- the store --------------------------------------------------------------------------------
class ConversationStore:
    """Conversations by id in ``conversations.sqlite`` of an index folder (kept, like the
    feedback, across the index's generations). Every write is one turn's, so writers on
    the same conversation (two tabs) add to it instead of replacing each other's turns."""

    def __init__(self, index_dir: Path, *, max_age_days: float = 30.0, keep: int = 200) -> None:
        if max_age_days <= 0 or keep < 1:
            raise ValueError("max_age_days must be above 0 and keep at least 1")
        self.path = Path(index_dir) / CONVERSATIONS_FILE
        self.max_age_days = max_age_days
        self.keep = keep

    def _read(
        self, conversation_id: str | None, sql: str, *params: Any, level: int = logging.WARNING
    ) -> list[tuple[Any, ...]]:
        """The rows ``sql`` reads for ``conversation_id`` (its first parameter, ``params``
        the others; None: every conversation's); none when there is no such conversation or
        the store cannot be read, which is logged at ``level``."""
        if conversation_id is not None and not is_conversation_id(conversation_id):
            return []
        if not self.path.is_file():
            return []
        values = params if conversation_id is None else (conversation_id, *params)
        try:
            conn = sqlite3.connect(self.path, timeout=5.0)
            try:
                return conn.execute(sql, values).fetchall()
            finally:
                conn.close()
        except sqlite3.Error as exc:
            log.log(level, "conversations in %s cannot be read (%s); none shown", self.path, exc)
            return []

    def load(self, conversation_id: str) -> StoredConversation:
        """The turns and waiting questions stored under ``conversation_id``; none when there
        are none or the store cannot be read (logged). A turn that cannot be read is skipped."""
        rows = self._read(
            conversation_id,
            "SELECT id, question, body, rating, updated FROM turns "
            "WHERE conversation = ? ORDER BY seq",
        )
        stored = StoredConversation(as_of=max((float(row[4]) for row in rows), default=0.0))
        for turn_id, question, body, rating, _ in rows:
            if body is None:
                stored.waiting.append(Asked(str(turn_id), str(question)))
                continue
            try:
                data = json.loads(body)
                if data.get("format") != _FORMAT:
                    raise ValueError(f"format {data.get('format')!r}, not {_FORMAT}")
                turn = turn_from_json(data)
            except (AttributeError, KeyError, TypeError, ValueError) as exc:
                log.warning(
                    "a turn of conversation %s in %s is unreadable (%s); left out",
                    conversation_id,
                    self.path,
                    exc,
                )
                continue
            turn.rating = None if rating is None else int(rating)
            stored.turns.append(turn)
        return stored

    def recent(self, limit: int = 8) -> list[ConversationSummary]:
        """The conversations written to last, newest first, each by its first question."""
        rows = self._read(
            None,
            "SELECT conversation, (SELECT question FROM turns f WHERE f.conversation = "
            "t.conversation ORDER BY seq LIMIT 1), count(*), max(updated) FROM turns t "
            "GROUP BY conversation ORDER BY max(updated) DESC LIMIT ?",
            limit,
        )
        return [ConversationSummary(str(c), str(q), int(n), float(u)) for c, q, n, u in rows]

    def changed_since(self, conversation_id: str, since: float) -> list[TurnChange]:
        """The turns of ``conversation_id`` written after ``since`` (a load's ``as_of``, or
        the latest ``written`` seen), oldest first: an indexed look-up that reads no answer,
        cheap enough for an idle tab to repeat every few seconds. Nothing when the store
        cannot be read (``load`` says why; here it is logged only at debug level)."""
        rows = self._read(
            conversation_id,
            "SELECT id, body IS NOT NULL, rating, updated FROM turns "
            "WHERE conversation = ? AND updated > ? ORDER BY updated",
            since,
            level=logging.DEBUG,
        )
        return [
            TurnChange(str(i), bool(answered), None if rating is None else int(rating), float(t))
            for i, answered, rating, t in rows
        ]

    def ask(self, conversation_id: str, asked: Asked) -> bool:
        """Keep a question as soon as it is asked, waiting for its answer, so that a reload
        meanwhile finds it. False (and logged) when the store cannot be written."""
        return self._write(
            conversation_id,
            "INSERT INTO turns(conversation, id, question, updated) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (conversation, id) DO NOTHING",
            (asked.id, asked.question, _NOW),
        )

    def answer(self, conversation_id: str, turn: Turn) -> bool:
        """Keep ``turn``'s answer in the place of its question. A turn another tab has
        answered already keeps that answer and its rating. False (logged) if not written."""
        return self._write(
            conversation_id,
            "INSERT INTO turns(conversation, id, question, updated, body, rating) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (conversation, id) DO UPDATE SET "
            "body = coalesce(body, excluded.body), updated = excluded.updated",
            (turn.id, turn.question, _NOW, _body(turn), turn.rating),
        )

    def rate(self, conversation_id: str, turn: Turn) -> bool:
        """Keep ``turn``'s rating, and nothing else of a turn already stored (the answer a
        turn was stored with stays). False (and logged) when the store cannot be written."""
        return self._write(
            conversation_id,
            "INSERT INTO turns(conversation, id, question, updated, body, rating) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (conversation, id) DO UPDATE SET "
            "body = coalesce(body, excluded.body), rating = excluded.rating, "
            "updated = excluded.updated",
            (turn.id, turn.question, _NOW, _body(turn), turn.rating),
        )

    def forget(self, conversation_id: str, asked: Asked) -> bool:
        """Drop a waiting question that will not be answered (it failed, or the filters
        matched nothing); an answered turn of that id stays."""
        return self._write(
            conversation_id,
            "DELETE FROM turns WHERE conversation = ? AND id = ? AND body IS NULL",
            (asked.id,),
        )

    def _write(self, conversation_id: str, sql: str, values: tuple[Any, ...]) -> bool:
        """Run one write about one turn of ``conversation_id`` (the first value; ``_NOW``
        stands for the time of writing), begun anew once if the file is corrupt."""
        if not is_conversation_id(conversation_id):
            raise ValueError(f"not a conversation id: {conversation_id!r}")
        values = (conversation_id, *values)
        for attempt in (1, 2):
            try:
                self._run(sql, values)
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

    def _run(self, sql: str, values: tuple[Any, ...]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=5.0)
        try:
            with conn:
                # The write lock first, then the time: each write of a conversation is
                # stamped later than the ones it keeps (even if the clock stood still or
                # stepped back), so ``changed_since`` misses none. (A turn deleted since
                # cannot hold the stamp up: with a clock that stood still, the next write
                # may repeat its time, which a tab that saw it would then miss.)
                conn.execute("BEGIN IMMEDIATE")
                conn.execute(_SCHEMA)
                conn.execute(_BY_CHANGE)
                (latest,) = conn.execute(
                    "SELECT max(updated) FROM turns WHERE conversation = ?", values[:1]
                ).fetchone()
                now = time.time() if latest is None else max(time.time(), latest + 1e-6)
                conn.execute(sql, tuple(now if v is _NOW else v for v in values))
                # Bounded: a conversation lives as long as its latest change.
                conn.execute(
                    "DELETE FROM turns WHERE conversation IN (SELECT conversation FROM turns "
                    "GROUP BY conversation HAVING max(updated) < ?)",
                    (now - self.max_age_days * 86400,),
                )
                conn.execute(
                    "DELETE FROM turns WHERE conversation NOT IN (SELECT conversation FROM turns "
                    "GROUP BY conversation ORDER BY max(updated) DESC LIMIT ?)",
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


def _body(turn: Turn) -> str:
    return json.dumps({"format": _FORMAT, **turn_to_json(turn)})
