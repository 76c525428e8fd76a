"""Compare answer and retrieval settings on a question set (the tuning set by default).

Each ``--try NAME=V1,V2`` names a field of ``RetrievalParams`` or ``AnswerParams`` and the
values to try; every value is run alone against the defaults (one field at a time, not a
product). One model is loaded and shared. Prints, per setting, the CONTRACT's figures overall
and the per-kind recall@5 / answered figures, so a change is judged on every kind at once.

Tune on ``benchmarks/tune_questions.jsonl`` (written without looking at the dev set), then
report on ``../shared/eval/dev.jsonl`` once:

    .venv/bin/python -m benchmarks.tune --index DIR --try dependent_history_weight=0.35,0.7,1

Beside the tuning set's near misses ("no-answer"), the share of the off-topic questions of
``offtopic_questions.txt`` declined ("off-topic") is printed: the no-answer threshold is
what guards against those, and the tuning set has none.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from qa_assistant import Assistant
from qa_assistant.answer import AnswerParams
from qa_assistant.config import ChunkSettings
from qa_assistant.evaluation import evaluate
from qa_assistant.retrieval import RetrievalParams

HERE = Path(__file__).resolve().parent
COLUMNS = ["recall@1", "recall@5", "mrr@10", "answer_contains_gold", "answered_accuracy"]


def _parse_value(text: str):
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(text.lower(), text)


def settings(
    tries: list[str], base: list[str] = ()
) -> list[tuple[str, RetrievalParams, AnswerParams]]:
    """(label, retrieval params, answer params): the defaults, then each value tried.

    ``base`` (``NAME=V`` items) changes the defaults for every row, so two settings can be
    judged together ("rerank_depth=8" under each of several thresholds)."""
    retrieval_fields = {f.name for f in dataclasses.fields(RetrievalParams)}
    answer_fields = {f.name for f in dataclasses.fields(AnswerParams)}

    def split(item: str) -> tuple[str, str]:
        name, _, values = item.partition("=")
        if name not in retrieval_fields | answer_fields:
            sys.exit(f"unknown setting {name!r}: not a field of RetrievalParams or AnswerParams")
        return name, values

    base_retrieval, base_answer = RetrievalParams(), AnswerParams()
    for item in base:
        name, value = split(item)
        if name in retrieval_fields:
            base_retrieval = dataclasses.replace(base_retrieval, **{name: _parse_value(value)})
        else:
            base_answer = dataclasses.replace(base_answer, **{name: _parse_value(value)})
    label = "defaults" + "".join(f" {item}" for item in base)
    rows = [(label, base_retrieval, base_answer)]
    for item in tries:
        name, values = split(item)
        for value in (_parse_value(v) for v in values.split(",")):
            retrieval, answer = base_retrieval, base_answer
            if name in retrieval_fields:
                retrieval = dataclasses.replace(retrieval, **{name: value})
            else:
                answer = dataclasses.replace(answer, **{name: value})
            rows.append((f"{name}={value}", retrieval, answer))
    return rows


def offtopic_questions(path: Path) -> list[str]:
    """The off-topic questions of ``path``: one per line, ``#`` comments skipped."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [q.strip() for q in lines if q.strip() and not q.lstrip().startswith("#")]


def declined(assistant: Assistant, questions: list[str]) -> float:
    """The share of ``questions`` answered "the reports don't say"."""
    if not questions:
        return float("nan")
    return sum(not assistant.ask(q).answered for q in questions) / len(questions)


def line(label: str, figures: dict, offtopic: float) -> str:
    cells = [f"{figures.get(c, float('nan')):.3f}" for c in COLUMNS]
    cells.append(f"{figures.get('no_answer_accuracy', float('nan')):.3f}")
    cells.append(f"{offtopic:.3f}")
    kinds = " ".join(
        f"{kind[:5]} {f.get('recall@5', f.get('no_answer_accuracy', 0)):.2f}"
        for kind, f in figures["by_kind"].items()
    )
    return f"| {label} | " + " | ".join(cells) + f" | {kinds} |"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.tune")
    parser.add_argument("--index", type=Path, required=True, help="an index of ../shared/reports")
    parser.add_argument("--questions", type=Path, default=HERE / "tune_questions.jsonl")
    parser.add_argument("--try", dest="tries", action="append", default=[], metavar="NAME=V,…")
    parser.add_argument(
        "--offtopic",
        type=Path,
        default=HERE / "offtopic_questions.txt",
        help="questions the reports do not touch, one per line; all should be declined",
    )
    parser.add_argument(
        "--base", action="append", default=[], metavar="NAME=V", help="changes every row"
    )
    parser.add_argument(
        "--chunking",
        metavar="MAX,OVERLAP",
        help="passage size the index was built with, in word pieces (default: the library's)",
    )
    args = parser.parse_args()

    from qa_assistant.embedding import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder()
    print(f"{args.questions.name}, index {args.index}")
    header = [*COLUMNS, "no-answer", "off-topic", "per kind R@5 (unanswerable: no-answer)"]
    print("| setting | " + " | ".join(header) + " |")
    print("|---" * (len(COLUMNS) + 4) + "|")
    offtopic = offtopic_questions(args.offtopic) if args.offtopic.exists() else []
    chunking = None
    if args.chunking:
        max_tokens, overlap = (int(v) for v in args.chunking.split(","))
        chunking = ChunkSettings(max_tokens=max_tokens, overlap_tokens=overlap)
    for label, retrieval, answer in settings(args.tries, args.base):
        assistant = Assistant(
            args.index, embedder=embedder, retrieval=retrieval, answering=answer, chunking=chunking
        )
        figures = evaluate(assistant, args.questions)
        print(line(label, figures, declined(assistant, offtopic)), flush=True)


if __name__ == "__main__":
    main()
