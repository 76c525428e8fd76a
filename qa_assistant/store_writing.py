"""How an update writes a generation of the index: its build settings, documents, passages
with their full-text rows and vectors, glossary rows, and the files that could not be read.

Only a writable generation (``Store(folder, readonly=False)``, the copy an update changes
before it goes live, ``generations.py``) is written; ``Store`` takes these methods from
``Writing``, which relies on its connection and its vectors.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .types import FileSignature

if TYPE_CHECKING:
    from .vectors import VectorIndex


class Writing:
    """The writing half of ``Store`` (see the module docstring)."""

    conn: sqlite3.Connection
    vectors: VectorIndex

    def set_meta(self, values: dict[str, str]) -> None:
        """Store build settings (inside the caller's transaction)."""
        self.conn.executemany(
            "INSERT INTO meta(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            list(values.items()),
        )

    def move_document(self, document_id: int, path: str, signature: FileSignature) -> None:
        """A report renamed or moved in the documents folder: its new path, passages kept."""
        self.conn.execute("UPDATE documents SET path = ? WHERE id = ?", (path, document_id))
        self.set_signature(path, signature)

    def set_signature(self, path: str, signature: FileSignature) -> None:
        """A document whose file was touched (its content is the same): its new signature."""
        self.conn.execute(
            "UPDATE documents SET size = ?, mtime_ns = ?, ctime_ns = ?, inode = ? WHERE path = ?",
            (*signature, path),
        )

    def remove_document(self, document_id: int) -> np.ndarray:
        """Delete a document with its passages and glossary rows; returns the passage ids."""
        rows = self.conn.execute("SELECT id FROM passages WHERE document_id = ?", (document_id,))
        ids = np.fromiter((row[0] for row in rows), dtype=np.int64)
        self.conn.executemany("DELETE FROM passages_fts WHERE rowid = ?", [(int(i),) for i in ids])
        self.conn.execute("DELETE FROM documents WHERE id = ?", (document_id,))
        self.vectors.remove(ids)
        return ids

    def add_document(
        self,
        *,
        path: str,
        title: str,
        signature: FileSignature,
        sha256: str,
        pages: int,
        year: int | None,
        passages: Sequence[tuple[int, int, int, list[tuple[int, int]], int, str, str]],
        vectors: np.ndarray,
        glossary: Sequence[tuple[str, str, int]],
        ocr_pages: Sequence[int] = (),
    ) -> int:
        """Insert a document, its passages (start, end, page, page_spans, n_tokens, text,
        lex), their vectors, its glossary rows and the numbers of its pages read by OCR;
        returns the document id."""
        cursor = self.conn.execute(
            "INSERT INTO documents(path, title, size, mtime_ns, ctime_ns, inode, sha256, pages, "
            "passages, year, indexed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                path,
                title,
                *signature,
                sha256,
                pages,
                len(passages),
                year,
                time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            ),
        )
        document_id = int(cursor.lastrowid)
        ids = []
        for ordinal, (start, end, page, spans, n_tokens, text, lex) in enumerate(passages):
            cursor = self.conn.execute(
                "INSERT INTO passages(document_id, ordinal, start, end, page, page_spans, "
                "n_tokens, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (document_id, ordinal, start, end, page, json.dumps(spans), n_tokens, text),
            )
            ids.append(int(cursor.lastrowid))
            self.conn.execute(
                "INSERT INTO passages_fts(rowid, lex) VALUES (?, ?)", (cursor.lastrowid, lex)
            )
        self.conn.executemany(
            "INSERT INTO glossary(acronym, expansion, document_id, count) VALUES (?, ?, ?, ?)",
            [(acronym, expansion, document_id, count) for acronym, expansion, count in glossary],
        )
        self.conn.executemany(
            "INSERT INTO ocr_pages(document_id, page) VALUES (?, ?)",
            [(document_id, page) for page in ocr_pages],
        )
        self.vectors.add(np.asarray(ids, dtype=np.int64), vectors)
        return document_id

    def record_failure(self, path: str, signature: FileSignature, error: str) -> None:
        """Remember a file that could not be read, so an unchanged one is not read again."""
        self.conn.execute(
            "INSERT INTO failures(path, size, mtime_ns, ctime_ns, inode, error) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET size=excluded.size, "
            "mtime_ns=excluded.mtime_ns, ctime_ns=excluded.ctime_ns, inode=excluded.inode, "
            "error=excluded.error",
            (path, *signature, error),
        )

    def forget_failure(self, path: str) -> None:
        """Drop a remembered failure (the file was read, changed into success, or deleted)."""
        self.conn.execute("DELETE FROM failures WHERE path = ?", (path,))
