"""Question → ranked passages: a lexical leg (BM25 over FTS5) and a dense leg (FAISS),
fused by weighted reciprocal rank, near-duplicates dropped.

Each stage is a separate method with its own timing, so reranking and answering slot in
after ``retrieve`` and the benchmark can time every stage.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from .embedding import Embedder
from .leaning import (
    leans_on,
    opens_as_follow_up,
    own_names,
    points_outside_itself,
    shared_words,
)
from .lexical import fold, fts_query, query_terms, stem_key, tokenize
from .store import Store
from .types import PassageRow


@dataclass(frozen=True)
class RetrievalParams:
    """Tunable settings of first-stage retrieval (chosen on SciFact train; see README)."""

    candidates: int = 50  # per leg
    rrf_k: int = 5  # chosen on SciFact train queries (grid 5–100; benchmarks/scifact.py --tune)
    dense_weight: float = 1.0
    lexical_weight: float = 1.0
    history_weight: float = 0.35  # how much an earlier question pulls on a new question
    # … on one that leans on it ("How many of them were women?"): see Query.leans_on_history
    dependent_history_weight: float = 1.0  # tuning set: follow-up recall@5 0.50 → 0.88
    # A follow-up is also searched inside the reports that answered the earlier question,
    # fused at this weight (0: off); the earlier question's top passages name those reports.
    context_weight: float = 0.5  # tuning set: follow-up recall@5 0.88 → 1.0
    context_passages: int = 3
    # A slip of the keyboard in a lower-case word ("pubkic") is searched as the word meant
    # (spellings.py): 200 tuning questions with one slip each, recall@1 0.805 → 0.845.
    correct_slips: bool = True
    # A word the question shares with the earlier one keeps them on one topic when it is
    # this rare in the passages (IDF; "2025" 1.95, "session" 1.99, "UN" 2.59 keep nothing,
    # "training" 3.29 does). Tuning questions asked after an unrelated one: recall@1 0.796
    # (every shared word keeps) → 0.815 at 2.6–3.5; the tuning follow-ups lose from 3.0.
    topic_word_idf: float = 2.6
    new_subjects: bool = True  # False: every earlier question pulls (benchmarks.topic_switch)


@dataclass
class Query:
    """What is searched for: the question, the earlier questions, glossary expansions."""

    text: str
    history: list[str] = field(default_factory=list)
    expansions: list[str] = field(default_factory=list)
    document_ids: list[int] | None = None  # None: the whole collection
    # the question's words no passage holds, which the expansions give as the reports spell
    # them ("otunbaeva"): they weigh nothing in a passage's share of the question's terms
    respelled: frozenset[str] = frozenset()
    # the reports that answered the last earlier question (Retriever._earlier_documents)
    earlier_documents: list[int] | None = field(default=None, repr=False)

    def leans_on_history(self) -> bool:
        """Whether the question cannot stand alone: it points back ("it", "those", "there",
        "And …?", "What about …?"), names again with "the" or "each" what an earlier
        question named ("Over what dates were the courses held?" after "… its 2019
        courses …?"), or has almost no words of its own to search with."""
        return leans_on(self.text, self.history)

    def own_names(self) -> list[str]:
        """The names the question itself gives (``leaning.own_names``)."""
        return own_names(self.text)

    def points_outside_itself(self) -> bool:
        """Whether what makes it lean may point back (``leaning.points_outside_itself``)."""
        return points_outside_itself(self.text, self.history)

    def shared_words(self) -> list[str]:
        """The content words, other than numbers, that the question (its acronyms spelled
        out counting) has in common with the last earlier question."""
        return shared_words(self.search_text, self.history[-1])

    def history_weight(self, params: RetrievalParams) -> float:
        """How much the last earlier question pulls on this one (0 without history)."""
        if not self.history:
            return 0.0
        if self.leans_on_history():
            return params.dependent_history_weight
        return params.history_weight

    def term_weights(self, history_weight: float) -> dict[str, float]:
        """Question terms (weight 1) and the last earlier question's other terms."""
        terms = query_terms(self.search_text)
        weights = dict.fromkeys((t for t in terms if t not in self.respelled), 1.0)
        for term in query_terms(" ".join(self.history[-1:])):
            weights.setdefault(term, history_weight)
        return weights

    @property
    def search_text(self) -> str:
        """The question with its acronyms spelled out (and long forms abbreviated)."""
        return " ".join([self.text, *self.expansions])


@dataclass
class Candidate:
    """A passage on its way through the ranking stages."""

    id: int
    fused: float = 0.0
    dense: float = 0.0
    lexical: float = 0.0
    score: float = 0.0
    row: PassageRow | None = None


def _rrf(ranked: list[tuple[int, float]], weight: float, k: int, into: dict[int, float]) -> None:
    for rank, (passage_id, _) in enumerate(ranked):
        into[passage_id] = into.get(passage_id, 0.0) + weight / (k + rank + 1)


class Retriever:
    """Hybrid first-stage retrieval over one store generation."""

    def __init__(self, store: Store, embedder: Embedder, params: RetrievalParams | None = None):
        self.store = store
        self.embedder = embedder
        self.params = params or RetrievalParams()
        self._passage_count = max(1, store.counts()[2])
        self._frequency = lru_cache(maxsize=8192)(store.passage_frequency)

    def idf(self, term: str) -> float:
        """Inverse passage frequency of a token (BM25's form, never negative)."""
        df = self._frequency(term)
        return float(np.log(1.0 + (self._passage_count - df + 0.5) / (df + 0.5)))

    def query_vector(self, query: Query, timings: dict[str, float]) -> np.ndarray:
        """The question's vector, pulled toward the earlier question for a follow-up."""
        started = time.perf_counter()
        vector = self.embedder.encode_query(query.search_text)
        weight = query.history_weight(self.params)
        if weight > 0:
            earlier = self.embedder.encode_query(query.history[-1])
            vector = vector + weight * earlier
            vector = vector / max(float(np.linalg.norm(vector)), 1e-12)
        timings["encode"] = time.perf_counter() - started
        return vector.astype(np.float32)

    def retrieve(self, query: Query, vector: np.ndarray, timings: dict[str, float]):
        """Fused candidates, best first, with their passages loaded, duplicates dropped."""
        p = self.params
        allowed = self._allowed(query)

        started = time.perf_counter()
        terms = query_terms(query.search_text)
        lexical = self.store.lexical_search(fts_query(terms), p.candidates, query.document_ids)
        history_lexical: list[tuple[int, float]] = []
        if query.history:
            extra = [t for t in query_terms(" ".join(query.history[-1:])) if t not in terms]
            if extra:
                history_lexical = self.store.lexical_search(
                    fts_query(terms + extra), p.candidates, query.document_ids
                )
        timings["lexical"] = time.perf_counter() - started

        started = time.perf_counter()
        dense = self.store.vectors.search(vector, p.candidates, allowed)
        timings["dense"] = time.perf_counter() - started
        in_context = self._in_context(query, vector, terms, allowed, timings)

        started = time.perf_counter()
        fused: dict[int, float] = {}
        _rrf(dense, p.dense_weight, p.rrf_k, fused)
        _rrf(lexical, p.lexical_weight, p.rrf_k, fused)
        _rrf(history_lexical, p.lexical_weight * query.history_weight(p), p.rrf_k, fused)
        for ranked_list in in_context:
            _rrf(ranked_list, p.context_weight, p.rrf_k, fused)
        dense_scores, lexical_scores = dict(dense), dict(lexical)
        ranked = sorted(fused.items(), key=lambda item: -item[1])
        rows = self.store.passages([pid for pid, _ in ranked])
        candidates = [
            Candidate(
                id=pid,
                fused=score,
                dense=dense_scores.get(pid, 0.0),
                lexical=lexical_scores.get(pid, 0.0),
                row=rows[pid],
            )
            for pid, score in ranked
            if pid in rows
        ]
        self._fill_missing_dense(candidates, vector)
        timings["fusion"] = time.perf_counter() - started
        return candidates

    def opens_new_topic(self, query: Query) -> bool:
        """Whether a question asked after others has a subject of its own, and is to be
        searched as if asked first: it names something ("the JIU", "Haiti"), shares no
        distinctive word with the last earlier question (``topic_word_idf``), and either
        does not lean on it at all (``Query.points_outside_itself``) or, leaning
        only by a word such as "it", "that" or "those", names something that none of the
        reports that answered the earlier question mention (not "Why did Indonesia support
        that change?" after a question on the narcotics commission, whose report names
        Indonesia). Without this, a conversation that moves from the Commission on the
        Status of Women to "What are the recommendations of the JIU on racism?" pulls the
        new question toward the old reports."""
        if not self.params.new_subjects or not query.history or opens_as_follow_up(query.text):
            return False
        names = query.own_names()
        if not names or len(query_terms(query.text)) <= 1:
            return False
        if any(self.idf(term) >= self.params.topic_word_idf for term in query.shared_words()):
            return False
        if not query.leans_on_history() or not query.points_outside_itself():
            return True
        documents = self._earlier_documents(query, self._allowed(query))
        if any(self.store.document_has(d, form) for d in documents for form in query.expansions):
            return False  # its names in another form ("the US": "United States") are there
        return any(
            not any(self.store.document_has(document, name) for document in documents)
            for name in names
        )

    def _allowed(self, query: Query) -> np.ndarray | None:
        """The passages the question is kept to (None: the whole collection)."""
        if query.document_ids is None:
            return None
        return self.store.passage_ids_of(query.document_ids)

    def _earlier_documents(self, query: Query, allowed: np.ndarray | None) -> list[int]:
        """The reports that the last earlier question's best passages come from."""
        if query.earlier_documents is None:
            p = self.params
            earlier = self.embedder.encode_query(query.history[-1])  # remembered from its turn
            fused: dict[int, float] = {}
            _rrf(self.store.vectors.search(earlier, p.candidates, allowed), 1.0, p.rrf_k, fused)
            earlier_terms = fts_query(query_terms(query.history[-1]))
            if earlier_terms:
                earlier_lexical = self.store.lexical_search(
                    earlier_terms, p.candidates, query.document_ids
                )
                _rrf(earlier_lexical, 1.0, p.rrf_k, fused)
            best = sorted(fused, key=lambda pid: -fused[pid])[: p.context_passages]
            rows = self.store.passages(best).values()
            query.earlier_documents = sorted({row.document_id for row in rows})
        return query.earlier_documents

    def _in_context(
        self,
        query: Query,
        vector: np.ndarray,
        terms: list[str],
        allowed: np.ndarray | None,
        timings: dict[str, float],
    ) -> list[list[tuple[int, float]]]:
        """The question searched (dense and lexical) inside the reports that the earlier
        question's best passages come from; nothing without history. ``allowed``: the
        passages the question is restricted to (None: all)."""
        p = self.params
        if not query.history or p.context_weight <= 0:
            return []
        started = time.perf_counter()
        documents = self._earlier_documents(query, allowed)
        if not documents:
            return []
        lists = [
            self.store.vectors.search(vector, p.candidates, self.store.passage_ids_of(documents))
        ]
        if terms:
            lists.append(self.store.lexical_search(fts_query(terms), p.candidates, documents))
        timings["context"] = time.perf_counter() - started
        return lists

    def _fill_missing_dense(self, candidates: list[Candidate], vector: np.ndarray) -> None:
        """Cosine for candidates that only the lexical leg found (reconstructed vectors)."""
        missing = [c for c in candidates if c.dense == 0.0]
        if not missing:
            return
        vectors = self.store.vectors.reconstruct([c.id for c in missing])
        if vectors is None:
            return
        for candidate, row in zip(missing, vectors @ vector, strict=True):
            candidate.dense = float(row)

    def coverage(self, terms: list[str] | dict[str, float], text: str) -> float:
        """IDF-weighted share of the question's terms that occur in ``text`` (0–1).

        ``terms`` may map each term to an extra weight (an earlier question's terms count
        less than the current question's).
        """
        if not terms:
            return 0.0
        weights = as_weights(terms)
        present = {stem_key(token) for token in tokenize(text)}
        total = hit = 0.0
        for term, extra in weights.items():
            weight = self.idf(term) * extra
            total += weight
            if stem_key(term) in present:
                hit += weight
        return hit / total if total else 0.0


def as_weights(terms: list[str] | dict[str, float]) -> dict[str, float]:
    """Question terms as a map to their weights: a plain list weighs each term 1."""
    return terms if isinstance(terms, dict) else dict.fromkeys(terms, 1.0)


def drop_near_duplicates(candidates: list[Candidate], limit: int) -> list[Candidate]:
    """Best-first candidates without overlapping windows of one document or repeated text."""
    kept: list[Candidate] = []
    seen_text: set[str] = set()
    for candidate in candidates:
        row = candidate.row
        key = " ".join(fold(row.text).split())[:400]
        if key in seen_text:
            continue
        overlapping = False
        for other in kept:
            o = other.row
            if o.document_id != row.document_id:
                continue
            shared = min(o.end, row.end) - max(o.start, row.start)
            if shared > 0.5 * min(o.end - o.start, row.end - row.start):
                overlapping = True
                break
        if overlapping:
            continue
        seen_text.add(key)
        kept.append(candidate)
        if len(kept) >= limit:
            break
    return kept
