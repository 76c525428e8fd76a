"""One generation of the index: SQLite for documents, passages, full-text search, glossary and
build settings, FAISS for passage vectors.

Every state on disk is complete: an update writes a new generation beside the live one
(``generations.py``); the folder's layout and the database's tables are in
``index_layout.py``.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np

from .errors import IndexMissingError
from .index_layout import (
    SCHEMA,
    STORE_FILE,
    VECTORS_FILE,
    connect,
    current_generation,
    migrate,
    ocr_pages_of,
    signature_columns,
)
from .lexical import capitalised_words, fts_query, query_terms
from .report_dates import issue_day, shown_titles
from .store_writing import Writing
from .types import DocumentInfo, FileSignature, GlossaryEntry, PassageRow, StoredDocument
from .vectors import VectorIndex

log = logging.getLogger(__name__)


class Store(Writing):
    """One generation of the index: its SQLite database and its vectors."""

    def __init__(self, folder: Path, *, readonly: bool = True) -> None:
        self.folder = folder
        self.readonly = readonly
        # Readers: one connection per thread (sqlite3 objects are not shared across threads);
        # connections of threads that have ended are closed when the next one opens.
        self._connections: dict[int, tuple[threading.Thread, sqlite3.Connection]] = {}
        self._connections_lock = threading.Lock()
        self._writer: sqlite3.Connection | None = None
        if not readonly:
            self.conn.executescript(SCHEMA)
            migrate(self.conn)
        else:
            self.conn.execute("SELECT 1 FROM meta LIMIT 1")  # fail now if it is not an index
        self._vectors: VectorIndex | None = None
        self._shown: tuple[int, dict[int, str]] | None = None  # (writes seen, shown titles)
        self._issued: tuple[int, dict[str, date]] | None = None  # (writes seen, cover dates)

    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's connection (a writer has exactly one)."""
        if not self.readonly:
            if self._writer is None:
                self._writer = connect(self.folder / STORE_FILE, readonly=False)
            return self._writer
        thread = threading.current_thread()
        entry = self._connections.get(thread.ident)
        if entry is not None and entry[0] is thread:
            return entry[1]
        conn = connect(self.folder / STORE_FILE, readonly=True)
        with self._connections_lock:
            for ident, (owner, old) in list(self._connections.items()):
                if ident == thread.ident or not owner.is_alive():
                    old.close()
                    del self._connections[ident]
            self._connections[thread.ident] = (thread, conn)
        return conn

    @classmethod
    def open_current(cls, root: Path) -> Store:
        """Open the live generation read-only, or explain how to build one."""
        for _ in range(3):  # the generation can be swept between reading CURRENT and opening
            folder = current_generation(root)
            if folder is None:
                break
            try:
                return cls(folder, readonly=True)
            except (sqlite3.OperationalError, sqlite3.DatabaseError):
                time.sleep(0.05)
        raise IndexMissingError(
            f"No index in {root}/. Build one: qa-assistant index --documents DIR --index {root}"
        )

    def close(self) -> None:
        """Close the database connections."""
        with self._connections_lock:
            for _, conn in self._connections.values():
                conn.close()
            self._connections.clear()
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    # ---- settings -------------------------------------------------------------------------
    def meta(self) -> dict[str, str]:
        """The build settings and bookkeeping stored with the index."""
        return dict(self.conn.execute("SELECT key, value FROM meta"))

    # ---- vectors --------------------------------------------------------------------------
    @property
    def vectors(self) -> VectorIndex:
        """The FAISS index of this generation, loaded on first use."""
        if self._vectors is None:
            dim = int(self.meta().get("dim", "0") or 0)
            self._vectors = VectorIndex.load(self.folder / VECTORS_FILE, dim)
        return self._vectors

    @property
    def vectors_loaded(self) -> bool:
        """Whether the vectors were loaded or attached (and so may have changed)."""
        return self._vectors is not None

    def attach_vectors(self, vectors: VectorIndex) -> None:
        """Use a freshly made vector index (a rebuild, or a change of dimension)."""
        self._vectors = vectors

    # ---- documents ------------------------------------------------------------------------
    def stored_documents(self) -> dict[str, StoredDocument]:
        """Indexed documents by relative path."""
        extra = signature_columns(self.conn, "documents")
        rows = self.conn.execute(f"SELECT id, path, sha256, size, mtime_ns, {extra} FROM documents")
        return {
            row[1]: StoredDocument(row[0], row[1], FileSignature(*row[3:]), row[2]) for row in rows
        }

    def failures(self) -> dict[str, tuple[FileSignature, str]]:
        """Files that could not be read last time: path → (signature, error)."""
        extra = signature_columns(self.conn, "failures")
        rows = self.conn.execute(f"SELECT path, error, size, mtime_ns, {extra} FROM failures")
        return {row[0]: (FileSignature(*row[2:]), row[1]) for row in rows}

    def documents(self, document_ids: Sequence[int] | None = None) -> list[DocumentInfo]:
        """The indexed documents, by path: every one, or those with the given ids."""
        sql = "SELECT id, path, title, pages, passages, year, size, indexed_at FROM documents"
        params: list[int] = []
        if document_ids is not None:
            sql += f" WHERE id IN ({','.join('?' * len(document_ids))})"
            params = [int(i) for i in document_ids]
        shown = self.shown_titles()
        rows = self.conn.execute(sql + " ORDER BY path", params)
        return [DocumentInfo(r[1], shown.get(r[0], r[2]), *r[3:]) for r in rows]

    def shown_titles(self) -> dict[int, str]:
        """By document id, the titles shown for reports that share theirs with another: with
        the date on each one's cover (``report_dates.shown_titles``, from its first three
        passages). Found again only after this store is written to."""
        writes = self.conn.total_changes
        if self._shown is None or self._shown[0] != writes:
            titles = dict(
                self.conn.execute(
                    "SELECT id, title FROM documents WHERE title IN "
                    "(SELECT title FROM documents GROUP BY title HAVING count(*) > 1)"
                )
            )
            self._shown = (writes, shown_titles(titles, self._heads(list(titles))))
        return self._shown[1]

    def issued(self) -> dict[str, date]:
        """By path, the date each report's cover gives it, where it gives one
        (``report_dates.issue_day``): how the collection orders the reports of one year.
        Found again only after this store is written to."""
        writes = self.conn.total_changes
        if self._issued is None or self._issued[0] != writes:
            paths = dict(self.conn.execute("SELECT id, path FROM documents"))
            days = {paths[i]: issue_day(head) for i, head in self._heads(list(paths)).items()}
            self._issued = (writes, {path: day for path, day in days.items() if day})
        return self._issued[1]

    def _heads(self, document_ids: Sequence[int]) -> dict[int, str]:
        """The first three passages of each document, joined: its cover's text."""
        heads: dict[int, str] = dict.fromkeys(document_ids, "")
        sql = "SELECT text FROM passages WHERE document_id = ? AND ordinal < 3 ORDER BY ordinal"
        for document_id in document_ids:
            heads[document_id] = "\n".join(t for (t,) in self.conn.execute(sql, (document_id,)))
        return heads

    def undated(self, text: str, document_ids: Sequence[int]) -> str:
        """``text`` without the cover dates that the shown titles of the given reports add
        (", 21 February 2025", in any case): a question that names a report of a series by
        its shown title asks about the report, not about its date."""
        shown = self.shown_titles()
        for document_id in document_ids:
            if document_id in shown:
                (title,) = self.conn.execute(
                    "SELECT title FROM documents WHERE id = ?", (document_id,)
                ).fetchone()
                dated = re.escape(shown[document_id][len(title) :])
                text = re.sub(dated, "", text, flags=re.IGNORECASE)
        return text

    def document_ids(self, paths: Sequence[str]) -> list[int]:
        """Ids of the documents whose path is given or lies under a given folder."""
        ids: set[int] = set()
        for path in paths:
            folder = path.rstrip("/") + "/"
            rows = self.conn.execute(
                "SELECT id FROM documents WHERE path = ? OR substr(path, 1, ?) = ?",
                (path, len(folder), folder),
            )
            ids.update(row[0] for row in rows)
        return sorted(ids)

    def passage_ids_of(self, document_ids: Sequence[int]) -> np.ndarray:
        """Passage ids of the given documents."""
        if not document_ids:
            return np.zeros(0, dtype=np.int64)
        marks = ",".join("?" * len(document_ids))
        rows = self.conn.execute(
            f"SELECT id FROM passages WHERE document_id IN ({marks})", list(document_ids)
        )
        return np.fromiter((row[0] for row in rows), dtype=np.int64)

    def opening_passages(self) -> dict[str, int]:
        """Each document's first passage id, by the document's path."""
        rows = self.conn.execute(
            "SELECT d.path, p.id FROM passages p JOIN documents d ON d.id = p.document_id "
            "WHERE p.ordinal = (SELECT min(q.ordinal) FROM passages q "
            "WHERE q.document_id = p.document_id)"
        )
        return {path: int(passage_id) for path, passage_id in rows}

    def documents_of(self, passage_ids: Sequence[int]) -> dict[int, int]:
        """The document id of each given passage."""
        if not passage_ids:
            return {}
        marks = ",".join("?" * len(passage_ids))
        rows = self.conn.execute(
            f"SELECT id, document_id FROM passages WHERE id IN ({marks})",
            [int(i) for i in passage_ids],
        )
        return {int(pid): int(did) for pid, did in rows}

    def counts(self) -> tuple[int, int, int]:
        """(documents, pages, passages) in the index."""
        row = self.conn.execute(
            "SELECT count(*), coalesce(sum(pages), 0), coalesce(sum(passages), 0) FROM documents"
        ).fetchone()
        return int(row[0]), int(row[1]), int(row[2])

    # ---- passages -------------------------------------------------------------------------
    def passages(self, ids: Sequence[int]) -> dict[int, PassageRow]:
        """Stored passages by id (ids that do not exist are left out)."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.conn.execute(
            "SELECT p.id, p.document_id, d.path, d.title, p.ordinal, p.start, p.end, p.page, "
            "p.page_spans, p.text FROM passages p JOIN documents d ON d.id = p.document_id "
            f"WHERE p.id IN ({marks})",
            [int(i) for i in ids],
        )
        result: dict[int, PassageRow] = {}
        shown = self.shown_titles()
        rows = rows.fetchall()
        read_by_ocr = ocr_pages_of(self.conn, {row[1] for row in rows})
        for row in rows:
            spans = [tuple(span) for span in json.loads(row[8])]
            title = shown.get(row[1], row[3])
            ocr = read_by_ocr.get(row[1], frozenset())
            result[row[0]] = PassageRow(
                *row[:3], title, *row[4:8], page_spans=spans, text=row[9], ocr_pages=ocr
            )
        return result

    def passages_after(self, row: PassageRow, count: int) -> list[PassageRow]:
        """The ``count`` passages that follow ``row`` in its document, in order: the windows
        a table that starts in ``row`` runs on into."""
        ids = self.conn.execute(
            "SELECT id FROM passages WHERE document_id = ? AND ordinal > ? "
            "ORDER BY ordinal LIMIT ?",
            (row.document_id, row.ordinal, count),
        )
        following = self.passages([i for (i,) in ids])
        return sorted(following.values(), key=lambda p: p.ordinal)

    def page_context(self, document_id: int, page: int) -> str:
        """The text around one page of a document: the title, the year and every passage
        that starts on that page or the one before (a passage may run across the break)."""
        title, year = self.conn.execute(
            "SELECT title, coalesce(year, '') FROM documents WHERE id = ?", (document_id,)
        ).fetchone() or ("", "")
        texts = self.conn.execute(
            "SELECT text FROM passages WHERE document_id = ? AND page BETWEEN ? AND ? "
            "ORDER BY ordinal",
            (document_id, page - 1, page),
        )
        return "\n".join([title, str(year), *(row[0] for row in texts)])

    def document_has(self, document_id: int, text: str) -> bool:
        """Whether every word of ``text`` occurs in one passage of a document (full-text
        index: the words are matched together, passage by passage)."""
        terms = query_terms(text)
        if not terms:
            return False
        rows = self.conn.execute(
            "SELECT p.text FROM passages_fts f JOIN passages p ON p.id = f.rowid "
            "WHERE passages_fts MATCH ? AND p.document_id = ? LIMIT 20",
            (fts_query(terms, "AND"), document_id),
        )
        capitals = capitalised_words(text)
        if not capitals:
            return rows.fetchone() is not None
        # A name is there only where it is written with its capital ("Mars", not "mars").
        wanted = [re.compile(rf"(?<!\w){re.escape(w)}", re.IGNORECASE) for w in capitals]
        return any(
            all(p.search(t) and any(m.group()[0].isupper() for m in p.finditer(t)) for p in wanted)
            for (t,) in rows
        )

    def lexical_search(
        self, match: str, limit: int, document_ids: Sequence[int] | None = None
    ) -> list[tuple[int, float]]:
        """BM25 over passages for an FTS5 MATCH expression: (passage id, score), best first.

        Scores are positive, larger is better (FTS5's bm25() is negated).
        """
        if not match:
            return []
        sql = "SELECT rowid, -bm25(passages_fts) FROM passages_fts WHERE passages_fts MATCH ?"
        params: list = [match]
        if document_ids is not None:
            if not document_ids:
                return []
            marks = ",".join("?" * len(document_ids))
            sql += f" AND rowid IN (SELECT id FROM passages WHERE document_id IN ({marks}))"
            params.extend(document_ids)
        sql += " ORDER BY bm25(passages_fts) LIMIT ?"
        params.append(limit)
        try:
            return [(int(r[0]), float(r[1])) for r in self.conn.execute(sql, params)]
        except sqlite3.OperationalError as exc:
            if getattr(exc, "sqlite_errorname", "SQLITE_ERROR") != "SQLITE_ERROR":
                raise  # the database itself failed: not a query to skip quietly
            log.warning("lexical search failed for %r: %s", match, exc)  # malformed MATCH
            return []

    def passage_frequency(self, term: str) -> int:
        """In how many passages a (tokenized) term occurs."""
        row = self.conn.execute(
            "SELECT count(*) FROM passages_fts WHERE passages_fts MATCH ?", (f'"{term}"',)
        ).fetchone()
        return int(row[0])

    def stand_together(self, alternatives: Sequence[Sequence[str]]) -> bool:
        """Whether one passage holds a word of each group of ``alternatives`` (tokenized):
        [["margot", "marigot"], ["wallstrom", "wahlstrom"]] asks for a name written whole."""
        match = " AND ".join(f"({fts_query(list(group))})" for group in alternatives)
        query = "SELECT 1 FROM passages_fts WHERE passages_fts MATCH ? LIMIT 1"
        return self.conn.execute(query, (match,)).fetchone() is not None

    def word_counts(self) -> Counter[str]:
        """In how many passages each folded word of the lexical index stands (numbers left
        out): the spellings a question's names are matched against."""
        counts: Counter[str] = Counter()
        for (lex,) in self.conn.execute("SELECT lex FROM passages_fts"):
            counts.update({token for token in lex.split() if token.isalpha()})
        return counts

    # ---- glossary -------------------------------------------------------------------------
    def glossary(self) -> list[GlossaryEntry]:
        """Acronyms with their most frequent expansion and the documents that define them."""
        rows = self.conn.execute(
            "SELECT g.acronym, g.expansion, group_concat(d.path, char(31)), sum(g.count) "
            "FROM glossary g JOIN documents d ON d.id = g.document_id "
            "GROUP BY g.acronym, lower(g.expansion) ORDER BY g.acronym, sum(g.count) DESC, "
            # a tie goes to the form more reports define, then to the fuller spelling
            # ("Institutions" over a report's "Institution"), never to SQLite's row order
            "count(DISTINCT g.document_id) DESC, length(g.expansion) DESC, g.expansion"
        )
        best: dict[str, GlossaryEntry] = {}
        for acronym, expansion, paths, count in rows:
            if acronym not in best:
                docs = tuple(sorted(set(paths.split(chr(31)))))
                best[acronym] = GlossaryEntry(acronym, expansion, docs, int(count))
        return sorted(best.values(), key=lambda entry: entry.acronym.lower())
