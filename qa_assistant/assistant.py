"""The assistant: one loaded model and index, answering questions with cited passages.

It is what the CLI and the Streamlit app hold. It follows the index folder: when an update
makes a new generation live, the next question is answered from it; until then, from the
previous complete one. Safe to share between threads (the app's sessions).
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .answer import AnswerParams, compose_answer
from .asking import as_history, check_searchable, scope_ids, scores_in_rank_order
from .collection import (
    ACRONYM,
    OVERVIEW,
    CollectionQuestion,
    collection_question,
    definition_answer,
    overview_answer,
    starter_questions,
    topic_answer,
)
from .config import ChunkSettings, default_index_dir
from .embedding import Embedder, SentenceTransformerEmbedder
from .errors import QAError
from .feedback import read_feedback, record_feedback
from .index_layout import check_index_folder, current_generation
from .indexer import Progress, build_record, check_compatible, update_index
from .lexical import fold, query_terms
from .name_lookup import NameLookup, other_forms
from .replies import no_answer_text
from .retrieval import Query, RetrievalParams, Retriever
from .spellings import Spellings
from .store import Store
from .types import Answer, DocumentInfo, GlossaryEntry, IndexReport

log = logging.getLogger(__name__)


@dataclass
class _Snapshot:
    """One live generation, opened: the store, its retriever and its name lookup."""

    folder: Path
    store: Store
    retriever: Retriever
    names: NameLookup  # its glossary's acronyms and long forms, its reports' titles
    suggestions: dict[int, list[str]] = field(default_factory=dict)  # by how many asked
    users: int = 0  # questions in flight on this snapshot
    retired: bool = False  # a newer generation is live; close when the last user is done


class Assistant:
    """Answers questions over the index in ``index_dir``; see the module docstring."""

    def __init__(
        self,
        index_dir: Path | None = None,
        *,
        embedder: Embedder | None = None,
        retrieval: RetrievalParams | None = None,
        answering: AnswerParams | None = None,
        chunking: ChunkSettings | None = None,
    ) -> None:
        self.index_dir = Path(index_dir) if index_dir else default_index_dir()
        self.embedder = embedder or SentenceTransformerEmbedder()
        self.retrieval_params = retrieval or RetrievalParams()
        self.answer_params = answering or AnswerParams()
        self.chunking = chunking or ChunkSettings()
        self._snapshot: _Snapshot | None = None
        self._lock = threading.RLock()

    # ---- the live index -------------------------------------------------------------------
    def has_index(self) -> bool:
        """Whether a complete index exists to answer from."""
        return current_generation(self.index_dir) is not None

    def _current(self) -> _Snapshot:
        """The snapshot of the live generation, opened on first use or after a switch."""
        with self._lock:
            return self._current_locked()

    @contextlib.contextmanager
    def _use(self) -> Iterator[_Snapshot]:
        """Hold the live snapshot for one operation, so it is not closed underneath it."""
        with self._lock:
            snapshot = self._current_locked()
            snapshot.users += 1
        try:
            yield snapshot
        finally:
            with self._lock:
                snapshot.users -= 1
                if snapshot.retired and snapshot.users == 0:
                    snapshot.store.close()

    def _current_locked(self) -> _Snapshot:
        live = current_generation(self.index_dir)
        old = self._snapshot
        if old is None or old.folder != live:
            self._snapshot = self._open()
            if old is not None:
                old.retired = True
                if old.users == 0:
                    old.store.close()
        return self._snapshot

    def _open(self) -> _Snapshot:
        check_index_folder(self.index_dir, reading=True)
        store = Store.open_current(self.index_dir)
        record = build_record(self.embedder, self.chunking)
        check_compatible(store.meta(), record, self.index_dir)
        return _Snapshot(
            folder=store.folder,
            store=store,
            retriever=Retriever(store, self.embedder, self.retrieval_params),
            names=NameLookup.build(
                store.glossary(),
                store.documents(),
                Spellings(
                    store.word_counts,
                    store.stand_together,
                    slips=self.retrieval_params.correct_slips,
                ),
            ),
        )

    # ---- asking ---------------------------------------------------------------------------
    def expansions(self, question: str, snapshot: _Snapshot | None = None) -> list[str]:
        """Glossary forms to add to a question: long forms of its acronyms, and vice versa."""
        return other_forms(self.equivalents(question, snapshot))

    def equivalents(
        self, question: str, snapshot: _Snapshot | None = None
    ) -> list[tuple[str, str]]:
        """(form in the question, the glossary's other form) for its acronyms and long forms."""
        return (snapshot or self._current()).names.equivalents(question)

    def ask(
        self,
        question: str,
        *,
        history: Sequence[str] = (),
        top_k: int = 5,
        documents: Sequence[str] | None = None,
    ) -> Answer:
        """Answer ``question``; ``history`` are the earlier questions, oldest first.

        ``documents`` restricts the search to these reports: paths or folders relative to
        the documents folder (as ``documents()`` lists them), or file names; one that names
        no indexed report raises QAError. Citations come best first, their scores too.
        """
        question = (question or "").strip()
        if not question:
            raise QAError("The question is empty. Type a question about the reports.")
        if top_k < 1:
            raise QAError(f"top_k must be at least 1 (got {top_k})")
        asked_on: Path | None = None
        while True:
            try:
                with self._use() as snapshot:
                    asked_on = snapshot.folder
                    answer = self._ask(snapshot, question, history, top_k, documents)
                scores_in_rank_order(answer.citations)
                return answer
            except sqlite3.DatabaseError:
                # The generation was swept while this question ran: ask the live one, once.
                if asked_on is None or current_generation(self.index_dir) == asked_on:
                    raise
                asked_on = None

    def _ask(
        self,
        snapshot: _Snapshot,
        question: str,
        history: Sequence[str],
        top_k: int,
        documents: Sequence[str] | None,
    ) -> Answer:
        started = time.perf_counter()
        timings: dict[str, float] = {}
        document_ids = scope_ids(snapshot.store, documents) if documents else None
        asked, corrected = snapshot.names.corrected(question)  # "pubkic" searched as "public"
        asked = snapshot.names.with_pointed_acronym(asked, history)  # "that acronym"
        about = collection_question(asked)
        if about is not None:
            answer = self._about_collection(
                snapshot, question, about, top_k, documents or None, document_ids
            )
            if answer is not None:
                answer.acronyms = snapshot.names.acronyms_in(question, answer.answer)
                answer.corrected = corrected
                answer.timings["total"] = time.perf_counter() - started
                return answer
        check_searchable(question, history)
        if named := snapshot.names.named_reports(asked):
            named_ids = snapshot.store.document_ids(named)
            within = [i for i in named_ids if document_ids is None or i in document_ids]
            document_ids = within or document_ids  # answer from the named report (if in scope)
            asked = snapshot.store.undated(asked, named_ids)  # its date names it only
        equivalents = self.equivalents(asked, snapshot)
        query = Query(
            text=asked,
            history=[snapshot.names.corrected(earlier)[0] for earlier in as_history(history)],
            expansions=other_forms(equivalents),
            document_ids=document_ids,
            respelled=snapshot.names.respelled(equivalents),
        )
        retriever = snapshot.retriever
        if retriever.opens_new_topic(query):
            query.history = []  # a subject of its own: searched as if asked first
        vector = retriever.query_vector(query, timings)
        candidates = retriever.retrieve(query, vector, timings)
        answered, text, citations, confidence = compose_answer(
            asked,
            query.term_weights(query.history_weight(self.retrieval_params)),
            vector,
            candidates,
            retriever,
            self.embedder,
            top_k,
            self.answer_params,
            timings,
            equivalents=equivalents,
            earlier=query.history[-1] if query.leans_on_history() else None,
        )
        timings["total"] = time.perf_counter() - started
        used = f"{question} {text}" if answered else question
        acronyms = snapshot.names.acronyms_in(used, text if answered else "")
        return Answer(question, answered, text, citations, timings, confidence, acronyms, corrected)

    # ---- questions about the collection ---------------------------------------------------
    def _about_collection(
        self,
        snapshot: _Snapshot,
        question: str,
        about: CollectionQuestion,
        top_k: int,
        scope: Sequence[str] | None,
        document_ids: list[int] | None,
    ) -> Answer | None:
        """The answer to "What reports do you have?" or "Which reports mention X?" (see
        ``collection.py``); ``scope``: the report paths or folders the question is kept to,
        ``document_ids`` their ids. None for a topic with no words to look for ("Which
        reports are about it?")."""
        store = snapshot.store
        if about.kind == OVERVIEW:
            documents = store.documents(document_ids)
            whole = len(documents) == store.counts()[0]  # starters speak of every report
            starters = self.suggested_questions(3) if whole else []
            return overview_answer(store, question, documents, top_k, starters)
        if about.kind == ACRONYM:  # "What does OMIK stand for?": the glossary's answer
            entry = snapshot.names.acronyms.get(fold(about.topic))
            return entry and definition_answer(store, question, entry, top_k, document_ids)
        if not query_terms(about.topic):
            return None
        forms = [about.topic, *(other for _, other in self.equivalents(about.topic, snapshot))]
        answer = topic_answer(store, question, about.topic, forms, top_k, document_ids)
        if answer is None:  # no report names it: say so, with the nearest passages
            answer = self._ask(snapshot, about.topic, (), top_k, scope)
            reason = f"No report in the collection mentions “{about.topic}”."
            answer.question, answer.answered = question, False
            answer.answer = no_answer_text(reason)
        return answer

    # ---- the collection -------------------------------------------------------------------
    def documents(self) -> list[DocumentInfo]:
        """The indexed reports."""
        with self._use() as snapshot:
            return snapshot.store.documents()

    def glossary(self) -> list[GlossaryEntry]:
        """Acronyms defined in the reports, with their long forms."""
        with self._use() as snapshot:
            return snapshot.store.glossary()

    def failures(self) -> list[tuple[str, str]]:
        """Files the last update could not read: (path, reason)."""
        with self._use() as snapshot:
            failures = snapshot.store.failures()
        return sorted((path, error) for path, (_, error) in failures.items())

    def status(self) -> dict:
        """Documents, pages, passages, model, index type and when built.

        A folder with no index yet is reported as such (``exists`` False); a file, or a
        folder of reports, in place of the index folder is refused with the fix (QAError).
        """
        if not self.has_index():
            check_index_folder(self.index_dir, reading=True)
            return {
                "index": str(self.index_dir),
                "exists": False,
                "documents": 0,
                "pages": 0,
                "passages": 0,
                "model": self.embedder.name,
            }
        with self._use() as snapshot:
            return self._status(snapshot)

    def _status(self, snapshot: _Snapshot) -> dict:
        meta = snapshot.store.meta()
        documents, pages, passages = snapshot.store.counts()
        return {
            "index": str(self.index_dir),
            "exists": True,
            "documents": documents,
            "pages": pages,
            "passages": passages,
            "failed": len(snapshot.store.failures()),
            "model": meta.get("model", ""),
            "dim": int(meta.get("dim", "0") or 0),
            "max_tokens": int(meta.get("max_tokens", "0") or 0),
            "vector_index": snapshot.store.vectors.kind,
            "built": meta.get("updated_at", ""),
            "generation": snapshot.folder.name,
        }

    def suggested_questions(self, limit: int = 4) -> list[str]:
        """Starter questions for a newcomer: what the bodies the reports speak of most do,
        then the main points of the newest reports. Worked out once per index generation."""
        with self._use() as snapshot:
            if limit not in snapshot.suggestions:
                snapshot.suggestions[limit] = starter_questions(snapshot.store, limit)
            return list(snapshot.suggestions[limit])

    # ---- updating -------------------------------------------------------------------------
    def update(
        self,
        documents_dir: Path,
        *,
        rebuild: bool = False,
        progress: Progress | None = None,
        wait_seconds: float = 0.0,
    ) -> IndexReport:
        """Bring the index up to date with ``documents_dir`` (this assistant's model)."""
        check_index_folder(self.index_dir, reading=False)
        report = update_index(
            Path(documents_dir),
            self.index_dir,
            self.embedder,
            settings=self.chunking,
            rebuild=rebuild,
            progress=progress,
            wait_seconds=wait_seconds,
        )
        return report

    # ---- feedback -------------------------------------------------------------------------
    def record_feedback(self, answer: Answer, rating: int, history: Sequence[str] = ()) -> None:
        """Store a thumbs up (+1) or down (-1) with the question and its citations."""
        record_feedback(self.index_dir, answer, rating, history)

    def feedback(self) -> list[dict]:
        """Stored feedback rows, newest first."""
        return read_feedback(self.index_dir)
