"""BEIR SciFact retrieval quality: BM25-only, dense-only, hybrid and hybrid+rerank, in one run.

    .venv/bin/python -m benchmarks.scifact [--split test] [--tune] [--as-typed]

Indexes the 5,183 abstracts (one .txt per abstract, through the real pipeline) into
benchmarks/.work/scifact/, then ranks documents for each query; a document's rank is that of
its best passage. Prints nDCG@10, recall@100 and seconds per query for each configuration.
``--tune`` grid-searches the fusion settings on the *train* queries and prints the best, so
the defaults are chosen on train and reported on test. A query's slips of the keyboard
("microenviroment") are put right first, as the assistant does (``spellings.py``);
``--as-typed`` searches every query as written. SciFact is CC BY-NC: benchmark use only,
never shipped.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import defaultdict
from pathlib import Path

from benchmarks.common import SHARED, WORK
from qa_assistant.answer import AnswerParams, compose_answer
from qa_assistant.embedding import SentenceTransformerEmbedder
from qa_assistant.indexer import update_index
from qa_assistant.lexical import fts_query, query_terms
from qa_assistant.retrieval import Query, RetrievalParams, Retriever
from qa_assistant.spellings import Spellings
from qa_assistant.store import Store

DATA = SHARED / "scifact"
DEPTH = 100


def _load(split: str):
    corpus = [json.loads(line) for line in (DATA / "corpus.jsonl").open()]
    queries = {q["_id"]: q["text"] for q in map(json.loads, (DATA / "queries.jsonl").open())}
    qrels: dict[str, set[str]] = defaultdict(set)
    for line in (DATA / "qrels" / f"{split}.tsv").read_text().splitlines()[1:]:
        qid, doc, score = line.split("\t")
        if int(score) > 0:
            qrels[qid].add(doc)
    return corpus, {q: queries[q] for q in qrels}, qrels


def _build(corpus, embedder) -> Path:
    docs, index = WORK / "scifact" / "docs", WORK / "scifact" / "index"
    docs.mkdir(parents=True, exist_ok=True)
    for item in corpus:
        path = docs / f"{item['_id']}.txt"
        if not path.exists():
            path.write_text(f"{item['title']}\n\n{item['text']}\n", encoding="utf-8")
    started = time.perf_counter()
    report = update_index(docs, index, embedder)
    print(
        f"indexed {report.documents} abstracts, {report.passages} passages "
        f"({time.perf_counter() - started:.0f} s)",
        file=sys.stderr,
    )
    return index


def _ndcg10(ranked: list[str], relevant: set[str]) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, d in enumerate(ranked[:10]) if d in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(10, len(relevant))))
    return dcg / ideal if ideal else 0.0


def _docs(passage_ids, store: Store) -> list[str]:
    rows = store.passages(list(passage_ids))
    seen: dict[str, None] = {}
    for pid in passage_ids:
        if pid in rows:
            seen.setdefault(Path(rows[pid].document).stem, None)
    return list(seen)


def _fuse(dense, lexical, k: int, dense_weight: float) -> list[int]:
    scores: dict[int, float] = defaultdict(float)
    for rank, (pid, _) in enumerate(dense):
        scores[pid] += dense_weight / (k + rank + 1)
    for rank, (pid, _) in enumerate(lexical):
        scores[pid] += 1.0 / (k + rank + 1)
    return [pid for pid, _ in sorted(scores.items(), key=lambda item: -item[1])]


def run(split: str, tune: bool, as_typed: bool = False) -> dict:
    """Rank every query of ``split`` four ways; return the figures."""
    corpus, queries, qrels = _load(split)
    embedder = SentenceTransformerEmbedder()
    index = _build(corpus, embedder)
    store = Store.open_current(index)
    if not as_typed:
        spellings = Spellings(store.word_counts, store.stand_together)
        queries = {qid: spellings.corrected(text)[0] for qid, text in queries.items()}
    params = RetrievalParams(candidates=DEPTH)
    retriever = Retriever(store, embedder, params)
    legs = {}
    for qid, text in queries.items():
        vector = retriever.query_vector(Query(text), {})
        started = time.perf_counter()
        lexical = store.lexical_search(fts_query(query_terms(text)), DEPTH)
        lexical_s = time.perf_counter() - started
        dense = store.vectors.search(vector, DEPTH)
        legs[qid] = (vector, dense, lexical, lexical_s)

    if tune:
        grid = [(k, w) for k in (5, 10, 20, 40, 60, 100) for w in (0.6, 0.8, 1.0, 1.25, 1.5)]
        best = max(
            grid,
            key=lambda kw: sum(
                _ndcg10(_docs(_fuse(legs[q][1], legs[q][2], *kw)[:30], store), qrels[q])
                for q in queries
            ),
        )
        print(f"best fusion on {split}: rrf_k={best[0]} dense_weight={best[1]}")

    figures: dict[str, dict] = {}
    configurations = {
        "bm25": lambda q: [pid for pid, _ in legs[q][2]],
        "dense": lambda q: [pid for pid, _ in legs[q][1]],
        "hybrid": lambda q: _fuse(legs[q][1], legs[q][2], params.rrf_k, params.dense_weight),
    }
    for name, rank in configurations.items():
        started = time.perf_counter()
        ranked = {q: _docs(rank(q), store) for q in queries}
        seconds = (time.perf_counter() - started) / len(queries)
        figures[name] = _score(ranked, qrels, seconds)

    started = time.perf_counter()
    ranked = {}
    for qid, text in queries.items():
        timings: dict[str, float] = {}
        query = Query(text)
        vector = retriever.query_vector(query, timings)
        candidates = retriever.retrieve(query, vector, timings)
        _, _, citations, _ = compose_answer(
            text,
            query_terms(text),
            vector,
            candidates,
            retriever,
            embedder,
            10,
            AnswerParams(),
            timings,
        )
        head = _docs([c.passage_id for c in citations], store)
        tail = _docs([c.id for c in candidates], store)
        ranked[qid] = head + [d for d in tail if d not in head]
    figures["hybrid+rerank"] = _score(ranked, qrels, (time.perf_counter() - started) / len(queries))
    return figures


def _score(ranked: dict[str, list[str]], qrels, seconds: float) -> dict:
    n = len(ranked)
    return {
        "ndcg@10": sum(_ndcg10(ranked[q], qrels[q]) for q in ranked) / n,
        "recall@100": sum(len(set(ranked[q][:100]) & qrels[q]) / len(qrels[q]) for q in ranked) / n,
        "seconds_per_query": seconds,
    }


def main() -> None:
    """Command-line entry: print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="test", choices=["train", "test"])
    parser.add_argument("--tune", action="store_true", help="grid-search fusion on this split")
    parser.add_argument("--as-typed", action="store_true", help="leave the queries' slips")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"skipped: {DATA} is absent", file=sys.stderr)
        return
    figures = run(args.split, args.tune, args.as_typed)
    typed = "queries as typed" if args.as_typed else "slips of the keyboard put right"
    print(f"SciFact {args.split} ({DATE_NOTE}; {typed})")
    print("| configuration | nDCG@10 | recall@100 | s/query |")
    print("|---|---|---|---|")
    for name, f in figures.items():
        print(
            f"| {name} | {f['ndcg@10']:.3f} | {f['recall@100']:.3f} | "
            f"{f['seconds_per_query']:.4f} |"
        )


DATE_NOTE = "2026-11-28; fusion/rerank settings chosen on train"

if __name__ == "__main__":
    main()
