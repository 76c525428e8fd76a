"""Thumbs up and down on answers, kept in ``index/feedback.sqlite`` beside the index's
generations (it outlives them): the question, the earlier ones, the answer, its citations and
the rating, for whoever tunes the assistant next."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path

from .errors import QAError
from .index_layout import FEEDBACK_FILE
from .types import Answer


def record_feedback(
    index_dir: Path, answer: Answer, rating: int, history: Sequence[str] = ()
) -> None:
    """Store a thumbs up (+1) or down (-1) with the question and its citations."""
    if rating not in (1, -1):
        raise QAError(f"rating must be 1 (thumbs up) or -1 (thumbs down); got {rating}")
    index_dir.mkdir(parents=True, exist_ok=True)
    cited = [
        {"document": c.document, "page": c.page, "passage_id": c.passage_id}
        for c in answer.citations
    ]
    conn = sqlite3.connect(index_dir / FEEDBACK_FILE)
    try:
        with conn:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS feedback (id INTEGER PRIMARY KEY, at TEXT, "
                "question TEXT, history TEXT, answered INTEGER, answer TEXT, "
                "citations TEXT, rating INTEGER)"
            )
            conn.execute(
                "INSERT INTO feedback(at, question, history, answered, answer, citations, "
                "rating) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    answer.question,
                    json.dumps(list(history)),
                    int(answer.answered),
                    answer.answer,
                    json.dumps(cited),
                    rating,
                ),
            )
    finally:
        conn.close()


def read_feedback(index_dir: Path) -> list[dict]:
    """Stored feedback rows, newest first."""
    path = index_dir / FEEDBACK_FILE
    if not path.exists():
        return []
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM feedback ORDER BY id DESC")]
    except sqlite3.OperationalError:
        return []
    finally:
        conn.close()
