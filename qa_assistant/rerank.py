"""Rerank the fused candidates at sentence level: score every sentence of the top passages
against the question, and every passage by its best sentence.

No cross-encoder with bundled weights exists on PyPI (checked 2026-11-28), so the reranker
uses what is at hand: the encoder's similarity of the question to each sentence of the top
passages (one batched encode), the IDF-weighted share of question terms a sentence holds,
and the first-stage scores. What the scores decide (the answer, its quotes and citations,
or "the reports don't say") is ``answer.py``'s part.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .answer_params import AnswerParams
from .embedding import Embedder
from .lexical import fold, one_line, query_terms, stem_key, tokenize
from .pins import constraints, unmet_constraints
from .retrieval import Candidate, Retriever, as_weights, drop_near_duplicates
from .sentences import (
    counted_words,
    counts_asked,
    echoes,
    figure_bonus,
    figure_request,
    is_heading,
    is_reference,
    says_something,
    sentence_spans,
    without_source,
)

__all__ = ["Scored", "rerank", "unmet_pins"]


@dataclass
class Scored:
    """A passage with its sentences (spans of its text) and each sentence's score."""

    candidate: Candidate
    spans: list[tuple[int, int]]
    sentence_scores: list[float]

    @property
    def best(self) -> int:
        """The number of the best sentence (-1: the passage has none)."""
        return int(np.argmax(self.sentence_scores)) if self.sentence_scores else -1

    @property
    def best_score(self) -> float:
        """The best sentence's score (0 when there is none)."""
        return max(self.sentence_scores) if self.sentence_scores else 0.0

    @property
    def quoted(self) -> int:
        """The sentence to quote and highlight: the best one, unless it says nothing (a bare
        paragraph number "1." that took its passage's score); then the best that does."""
        order = sorted(range(len(self.sentence_scores)), key=lambda i: -self.sentence_scores[i])
        return next((i for i in order if says_something(self.sentence(i))), self.best)

    def sentence(self, index: int) -> str:
        """The text of sentence number ``index`` of the passage."""
        return self.candidate.row.text[slice(*self.spans[index])]


# Adverbs of time a follow-up adds without asking anything new ("… trained since then?").
_WHEN_WORDS = {"since", "still", "ago", "yet", "ever", "already"}  # "now", "then": stopwords


def unmet_pins(
    question: str,
    item: Scored,
    retriever: Retriever,
    equivalents: Sequence[tuple[str, str]],
    params: AnswerParams,
    sentence: int | None = None,
    *,
    subject: bool = False,
) -> list[str]:
    """The question's names and numbers that the page of ``item``'s best sentence (or of
    its sentence number ``sentence``) lacks; with ``subject``, its own words when the page
    has none of them and its best sentence scores below ``params.subject_words_below``
    (``unmet_subject``)."""
    row = item.candidate.row
    store = retriever.store
    page = row.page_of(*item.spans[item.quoted if sentence is None else sentence])
    context = f"{row.text}\n{store.page_context(row.document_id, page)}"
    in_document = None
    if params.constraint_scope == "document":
        in_document = lambda text: store.document_has(row.document_id, text)  # noqa: E731
    unmet = unmet_constraints(question, context, equivalents, in_document)
    if unmet or not (subject and item.best_score < params.subject_words_below):
        return unmet
    return unmet_subject(question, context)


# Words that ask for a property of what the question names, not a subject of their own:
# "What does VERLT stand for?", "What is Anita Pasha's job …?".
_FRAME_WORDS = frozenset(
    "stand stands mean means meaning refer refers called name named happen happened role "
    "job position post title type kind kinds sort way ways main key point points example "
    "examples detail details information say said says tell describe explain mention "
    "mentioned purpose aim goal work".split()
)


def unmet_subject(question: str, page: str) -> list[str]:
    """The question's own words when none of them is on ``page``: "What is the capital of
    Peru?" on a page that shows only "Peru" is about something else. Names, numbers and
    words that ask for a property ("stand for", "job") are passed over; none left, none
    missing."""
    names = {stem_key(t) for c in constraints(question) for w in c.words for t in tokenize(w)}
    words = [
        term
        for term in query_terms(question)
        if stem_key(term) not in names and not term.isdigit() and term not in _FRAME_WORDS
    ]
    present = {stem_key(token) for token in tokenize(page)}
    if not words or any(stem_key(word) in present for word in words):
        return []
    return words


def rerank(
    question: str,
    question_terms: list[str] | dict[str, float],
    vector: np.ndarray,
    candidates: list[Candidate],
    retriever: Retriever,
    embedder: Embedder,
    listed: int,
    params: AnswerParams,
    *,
    equivalents: Sequence[tuple[str, str]] = (),
    earlier: str | None = None,
) -> list[Scored]:
    """The passages to list, each with its sentences scored: the first ``listed``
    candidates, near duplicates dropped (more when a passage that states the figure asked
    for is promoted into the reranked few), the reranked few sorted best first. Empty when
    no candidate is left.

    ``question_terms`` and ``vector``: the question as searched. ``equivalents`` (glossary
    pairs) and ``earlier`` as ``compose_answer`` takes them: the sentence that best answers
    the earlier question counts less.
    """
    wanted, question_numbers, focus = figure_request(question, equivalents)
    counted = counted_words(question) if params.counted_bonus else set()
    pool = drop_near_duplicates(candidates, max(listed, params.rerank_depth, params.figure_reach))
    if not pool:
        return []
    depth = params.rerank_depth
    if wanted and params.rerank:

        def states_figure(candidate: Candidate) -> bool:
            text = candidate.row.text
            return any(
                figure_bonus(text[a:b], wanted, question_numbers, focus) >= 1.0
                for a, b in sentence_spans(text)
            )

        below = pool[depth : params.figure_reach]
        promoted = [c for c in below if states_figure(c)][: params.figure_promote]
        pool = pool[:depth] + promoted + [c for c in pool[depth:] if c not in promoted]
        depth += len(promoted)
    pool = pool[: max(listed, depth)]
    # Words that only say where the answer comes from ("…, according to UNODC?") find the
    # report; the answering sentence seldom repeats them.
    stripped, source = without_source(question)
    if source and params.source_term_factor != 1.0:
        # … in either of their forms ("UNODC" and "United Nations Office on Drugs and Crime").
        folded = fold(source)
        source += "".join(
            f" {a} {b}" for a, b in equivalents if fold(a) in folded or fold(b) in folded
        )
        topic = {stem_key(t) for t in tokenize(stripped)}
        source_only = {stem_key(t) for t in tokenize(source)} - topic
        question_terms = {
            t: w * (params.source_term_factor if stem_key(t) in source_only else 1.0)
            for t, w in as_weights(question_terms).items()
        }
    top_fused = max(c.fused for c in pool) or 1.0
    deep = pool[:depth] if params.rerank else []
    scored: list[Scored] = []
    for candidate in pool:
        text = candidate.row.text
        spans = sentence_spans(text)
        coverage = [retriever.coverage(question_terms, text[a:b]) for a, b in spans]
        scored.append(Scored(candidate, spans, coverage))
    # What figure of the kind asked for each sentence states (figure_bonus), found once: it
    # decides which sentences are embedded and adds to their scores.
    bonuses = [
        [
            figure_bonus(item.sentence(i), wanted, question_numbers, focus) if wanted else 0.0
            for i in range(len(item.spans))
        ]
        for item in scored
    ]

    # Embed the sentences most likely to answer: those of the deep passages holding the
    # most question terms, and for a figure question those stating the figure asked for,
    # at most ``max_sentences`` (the encoder is the cost here). A sentence left out is
    # judged by its passage's similarity, which flatters it.
    chosen = sorted(
        (
            (cov + params.figure_embed_priority * bonuses[n][i], -n, -i, n, i)
            for n, item in enumerate(scored[: len(deep)])
            for i, cov in enumerate(item.sentence_scores)
        ),
        reverse=True,
    )[: params.max_sentences]
    keys = [(n, i) for *_, n, i in chosen]
    # A sentence's opening carries its meaning; long tails only add encoder time.
    texts = [scored[n].sentence(i)[: params.sentence_chars] for n, i in keys]
    similarities = {}
    already_answered = None  # (n, i) of the sentence that answers the earlier question
    if texts:
        vectors = embedder.encode(texts, batch_size=params.sentence_batch)
        similarities = dict(zip(keys, vectors @ vector, strict=True))
        if earlier and params.earlier_answer_factor != 1.0:
            earlier_terms = query_terms(earlier)
            earlier_scores = vectors @ embedder.encode_query(earlier)
            answering = list(zip(keys, texts, earlier_scores, strict=True))
            if params.earlier_pinned:
                # It answered where the earlier question's names and numbers stand (checked
                # once per passage and page: several sentences share a page).
                pins_shown: dict[tuple[int, int], bool] = {}

                def shows_earlier_pins(key: tuple[int, int]) -> bool:
                    n, i = key
                    page = (n, scored[n].candidate.row.page_of(*scored[n].spans[i]))
                    if page not in pins_shown:
                        pins_shown[page] = not unmet_pins(
                            earlier, scored[n], retriever, equivalents, params, i
                        )
                    return pins_shown[page]

                answering = [k for k in answering if shows_earlier_pins(k[0])] or answering
            already_answered = max(
                answering,
                key=lambda k: (
                    params.sentence_dense_weight * float(k[2])
                    + params.sentence_coverage_weight * retriever.coverage(earlier_terms, k[1])
                ),
            )[0]
    already_text = None  # the same sentence in an overlapping window counts as read too
    # … unless it also holds half or more of what the follow-up asks anew ("And from Iran?"
    # after a question about returns from Pakistan: "That figure includes 59,217 from
    # Pakistan and 297,112 from the Islamic Republic of Iran").
    new_words: set[str] = set()
    if earlier and params.earlier_answer_keeps_new:
        new_words = {stem_key(t) for t in query_terms(question) if t not in _WHEN_WORDS} - {
            stem_key(t) for t in query_terms(earlier)
        }
    if already_answered is not None:
        n0, i0 = already_answered
        already_text = one_line(scored[n0].sentence(i0))
    asked = {stem_key(t) for t in query_terms(" ".join([question, *(o for _, o in equivalents)]))}
    for n, item in enumerate(scored):
        # A sentence not embedded is judged by its passage's similarity instead.
        scores = []
        for i, cov in enumerate(item.sentence_scores):
            sentence = item.sentence(i)
            dense = float(similarities.get((n, i), item.candidate.dense))
            score = params.sentence_dense_weight * dense + params.sentence_coverage_weight * cov
            if wanted:
                bonus = bonuses[n][i]
                score += params.number_bonus * bonus
                if bonus and i and params.figure_context_weight and says_something(sentence):
                    # "The average score rose from 54 to 81 per cent." states the figure;
                    # the sentence before it says of what: its question words count too.
                    wider = retriever.coverage(question_terms, f"{item.sentence(i - 1)} {sentence}")
                    gained = max(0.0, wider - cov)
                    score += params.sentence_coverage_weight * params.figure_context_weight * gained
                if counted and counts_asked(sentence, counted, question_numbers):
                    score += params.counted_bonus
            if is_heading(sentence):
                score *= params.heading_factor
            if params.reference_factor != 1.0 and is_reference(sentence):
                score *= params.reference_factor
            if params.echo_factor != 1.0 and echoes(sentence, asked):
                score *= params.echo_factor
            if (n, i) == already_answered or one_line(sentence) == already_text:
                held = new_words & {stem_key(t) for t in tokenize(sentence)}
                if not (new_words and 2 * len(held) >= len(new_words)):
                    score *= params.earlier_answer_factor
            scores.append(score)
        item.sentence_scores = scores
    for item in scored:
        c = item.candidate
        c.score = (
            params.passage_dense_weight * c.dense
            + params.passage_fused_weight * (c.fused / top_fused)
            + params.sentence_weight * item.best_score
        )
    if params.rerank:
        scored[: len(deep)] = sorted(scored[: len(deep)], key=lambda s: -s.candidate.score)
    return scored
