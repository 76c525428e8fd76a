"""Query latency (warm), cold start and resident memory, on the report index.

- Warm: one ``Assistant`` per setting (rerank on, rerank off via ``AnswerParams(rerank=False)``)
  sharing one loaded model; the 40 dev questions, each with its history, asked in every
  setting back to back (so load from other work on the machine hits all alike), the set
  repeated; p50/p95 of every stage of ``Answer.timings``. top_k 5, the ``ask`` default.
  Each setting runs with torch's default intra-op threads (2 here) and with 1: on a shared
  2-core machine a second thread waits for a time slice whenever the other core is busy.
- Cold: ``python -m qa_assistant ask ... --json`` as a new process, start to exit, and
  ``python -m qa_assistant --help``.
- Memory: a fresh process that loads the Assistant and the index and answers one question
  reports its resident memory (VmRSS, its peak, and the part that is mapped files).

The report index is the one bench_index leaves; it is brought up to date first (an
unchanged index is not touched).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from .common import (
    REPO,
    Result,
    main,
    median,
    memory_mb,
    new_turn,
    percentile,
    shared_path,
    skip_message,
)

STAGES = ["encode", "lexical", "dense", "context", "fusion", "rerank", "answer", "total"]
GOALS_MS = {"rerank": 150.0, "no rerank": 40.0}


def ensure_report_index(quick: bool, embedder=None) -> Path | None:
    """The report index of bench_index, built or brought up to date; None without shared."""
    from qa_assistant.indexer import update_index

    from .bench_index import documents_for, report_index_dir

    documents = documents_for(quick)
    if documents is None:
        return None
    if embedder is None:
        from qa_assistant.embedding import SentenceTransformerEmbedder

        embedder = SentenceTransformerEmbedder()
    index_dir = report_index_dir(quick)
    update_index(documents, index_dir, embedder)
    return index_dir


def dev_questions() -> list[dict]:
    """The 40 questions of ../shared/eval/dev.jsonl."""
    path = shared_path("eval", "dev.jsonl")
    lines = path.read_text(encoding="utf-8").splitlines() if path else []
    return [json.loads(line) for line in lines if line.strip()]


def _warm(result: Result, index_dir: Path, embedder, questions: list[dict], repeats: int):
    """Every question asked in each setting back to back: rerank on/off × torch threads."""
    import torch

    from qa_assistant import Assistant
    from qa_assistant.answer import AnswerParams

    assistants = {
        "rerank": Assistant(index_dir, embedder=embedder),
        "no rerank": Assistant(index_dir, embedder=embedder, answering=AnswerParams(rerank=False)),
    }
    default_threads = torch.get_num_threads()
    settings = [(name, threads) for name in assistants for threads in (default_threads, 1)]
    for assistant in assistants.values():  # open the index, load FAISS, fill caches once
        assistant.ask(questions[0]["question"], history=questions[0].get("history", []))
    timings: dict[tuple[str, int], dict[str, list[float]]] = {key: {} for key in settings}
    try:
        for _ in range(repeats):
            for question in questions:
                for name, threads in settings:
                    torch.set_num_threads(threads)
                    new_turn(embedder, question.get("history", []))
                    answer = assistants[name].ask(
                        question["question"], history=question.get("history", [])
                    )
                    for stage, seconds in answer.timings.items():
                        timings[name, threads].setdefault(stage, []).append(seconds * 1000)
    finally:
        torch.set_num_threads(default_threads)
    for (name, threads), stages in timings.items():
        total = stages["total"]
        p50, p95 = percentile(total, 50), percentile(total, 95)
        label = f"{name}, torch {threads} thread{'s' if threads > 1 else ''}"
        default = threads == default_threads
        result.add(
            f"warm query, {label}: total p50",
            p50,
            "ms",
            goal=f"≤ {GOALS_MS[name]:.0f} ms",
            met=p50 <= GOALS_MS[name] if default else None,
            note=f"p95 {p95:.1f} ms; {len(total)} questions"
            + ("" if default else "; what the proposed torch.set_num_threads(1) gives"),
        )
        parts = ", ".join(
            f"{stage} {percentile(stages[stage], 50):.1f}/{percentile(stages[stage], 95):.1f}"
            for stage in STAGES[:-1]
            if stage in stages
        )
        result.add(f"warm query, {label}: stages p50/p95", parts, "ms")
        result.details[f"warm_{label}"] = {
            stage: {"p50": percentile(v, 50), "p95": percentile(v, 95)}
            for stage, v in stages.items()
        }
    status = assistants["rerank"].status()
    result.details["index"] = status
    return status


def _cold(result: Result, index_dir: Path, question: str, runs: int) -> None:
    python = sys.executable
    ask = [python, "-m", "qa_assistant", "ask", question, "--index", str(index_dir), "--json"]
    ask_times, help_times = [], []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([python, "-m", "qa_assistant", "--help"], check=True, capture_output=True)
        help_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        subprocess.run(ask, check=True, capture_output=True, cwd=REPO)
        ask_times.append(time.perf_counter() - started)
    result.add(
        "cold start: process start → first answer (ask --json)",
        median(ask_times),
        "s",
        note=f"median of {runs}; min {min(ask_times):.2f} s; loads torch, model, FAISS, SQLite",
    )
    result.add(
        "cold start: qa-assistant --help",
        median(help_times),
        "s",
        note=f"median of {runs}; min {min(help_times):.3f} s",
    )


def memory_probe(index_dir: Path, question: str) -> dict:
    """In this (fresh) process: load the Assistant, answer once, report memory in MiB."""
    from qa_assistant import Assistant

    before = memory_mb("VmRSS")
    assistant = Assistant(index_dir)
    answer = assistant.ask(question)
    return {
        "python_baseline_mib": before,
        "rss_mib": memory_mb("VmRSS"),
        "peak_mib": memory_mb("VmHWM"),
        "anon_mib": memory_mb("RssAnon"),
        "file_mib": memory_mb("RssFile"),
        "answered": answer.answered,
    }


def _memory(result: Result, index_dir: Path, question: str, passages: int) -> None:
    code = (
        "import json, sys; from pathlib import Path; from benchmarks.bench_query import "
        "memory_probe; print(json.dumps(memory_probe(Path(sys.argv[1]), sys.argv[2])))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code, str(index_dir), question],
        check=True,
        capture_output=True,
        text=True,
        cwd=REPO,
    ).stdout
    memory = json.loads(output.strip().splitlines()[-1])
    result.add(
        "memory: Assistant + report index, one question answered (RSS)",
        memory["rss_mib"],
        "MiB",
        note=f"peak {memory['peak_mib']:.0f}, anonymous {memory['anon_mib']:.0f}, mapped files "
        f"{memory['file_mib']:.0f} MiB; {passages:,} passages",
    )
    folder = index_dir / (index_dir / "CURRENT").read_text().strip()
    size = sum(path.stat().st_size for path in folder.iterdir())
    result.add(
        "index on disk per 100k passages (SQLite + FTS5 + vectors)",
        size / passages * 100_000 / 1048576,
        "MiB",
        note=f"{size / 1048576:.1f} MiB for {passages:,} passages",
    )
    result.details["memory"] = memory


def run(result: Result, args: argparse.Namespace) -> None:
    """Warm latency (both settings interleaved), cold start, memory."""
    questions = dev_questions()
    if not questions:
        result.skipped = skip_message("eval/dev.jsonl")
        return
    from qa_assistant.embedding import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder()
    index_dir = ensure_report_index(args.quick, embedder)
    if index_dir is None:
        result.skipped = skip_message("reports")
        return
    embedder.warm_up()
    repeats = 1 if args.quick else 3
    status = _warm(result, index_dir, embedder, questions, repeats)
    first = questions[0]["question"]
    _cold(result, index_dir, first, 2 if args.quick else 5)
    _memory(result, index_dir, first, status["passages"])
    result.add(
        "report index",
        f"{status['documents']} documents, {status['passages']:,} passages, "
        f"vectors {status['vector_index']}",
    )


if __name__ == "__main__":
    main("bench_query", run)
