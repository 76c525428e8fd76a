"""Peer side by side: txtai (its own venv, the same bundled model folder) against ours.

In one run:

1. Ours indexes ../shared/reports from the files (``update_index``, rebuild: reading,
   chunking, embedding, SQLite/FTS5, FAISS), timed.
2. txtai indexes the passages our index stored — the same texts, under our passage ids, so
   each hit maps back to its document and page (a passage's page is the page it starts
   on). txtai thus gets reading and chunking for free; its clock covers embedding and its
   FAISS index. It indexes once before ours and once after, and the mean is compared, so
   load from other work on the machine falls on both alike. txtai settings are its
   defaults (``content: False``; it picks the FAISS index by size), made with
   ``benchmarks/.work/txtai-venv``, created here if absent with
   ``pip install -c constraints.txt txtai`` (CPU torch as ours).
3. The 40 dev questions, each asked of ours (rerank on, the default) and of txtai back to
   back, so both see the same machine load; the set repeated for latency. txtai gets the
   question text alone (it has no notion of a conversation), ours the question with its
   history. Recall@5 at page level: a hit is the gold document's file name and page among
   the first five results.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import time
import venv
from collections import defaultdict
from pathlib import Path

from .common import REPO, WORK, Result, main, new_turn, percentile, skip_message

TXTAI_VENV = WORK / "txtai-venv"


def txtai_python() -> Path:
    """The python of txtai's venv, made on first use (a few minutes of pip)."""
    python = TXTAI_VENV / "bin" / "python"
    if not python.exists():
        venv.create(TXTAI_VENV, with_pip=True)
        with open(WORK / "txtai-install.log", "w", encoding="utf-8") as log:
            subprocess.run(
                [str(python), "-m", "pip", "install", "-c", str(REPO / "constraints.txt"), "txtai"],
                check=True,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
    return python


def _passages(index_dir: Path) -> tuple[list[tuple[int, str]], dict[int, tuple[str, int]]]:
    """Our stored passages ``(id, text)`` and where each stands ``id → (basename, page)``."""
    from qa_assistant.index_layout import STORE_FILE, current_generation

    folder = current_generation(index_dir)
    conn = sqlite3.connect(f"file:{folder / STORE_FILE}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT p.id, p.text, d.path, p.page FROM passages p "
            "JOIN documents d ON d.id = p.document_id ORDER BY p.id"
        ).fetchall()
    finally:
        conn.close()
    texts = [(row[0], row[1]) for row in rows]
    places = {row[0]: (Path(row[2]).name, row[3]) for row in rows}
    return texts, places


class _Txtai:
    """A txtai worker process: index at start, then one search per request."""

    def __init__(self, passages: list[tuple[int, str]], model_dir: Path) -> None:
        passages_file = WORK / "peer-passages.json"
        passages_file.write_text(json.dumps(passages), encoding="utf-8")
        worker = Path(__file__).with_name("txtai_worker.py")
        self.process = subprocess.Popen(
            [str(txtai_python()), str(worker), str(model_dir), str(passages_file), "{}"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.started = json.loads(self.process.stdout.readline())

    def search(self, query: str, k: int) -> tuple[list[int], float]:
        self.process.stdin.write(json.dumps({"query": query, "k": k}) + "\n")
        self.process.stdin.flush()
        reply = json.loads(self.process.stdout.readline())
        return reply["ids"], reply["ms"]

    def close(self) -> None:
        self.process.stdin.write("\n")
        self.process.stdin.close()
        self.process.wait(timeout=60)


def run(result: Result, args: argparse.Namespace) -> None:
    """Index both, then ask both the dev set, interleaved."""
    from qa_assistant import Assistant
    from qa_assistant.config import default_model_dir
    from qa_assistant.embedding import SentenceTransformerEmbedder
    from qa_assistant.evaluation import _first_hit as first_hit

    from .bench_index import documents_for, run_pipeline
    from .bench_query import dev_questions, ensure_report_index

    documents = documents_for(args.quick)
    questions = dev_questions()
    if documents is None or not questions:
        result.skipped = skip_message("reports and eval/dev.jsonl")
        return
    txtai_python()  # make the venv before any clock starts
    embedder = SentenceTransformerEmbedder()
    embedder.warm_up()
    index_dir = ensure_report_index(args.quick, embedder)
    # txtai indexes before and after ours (a sandwich): other work on the machine comes and
    # goes, and one index run each would compare two different machines.
    before = _Txtai(_passages(index_dir)[0], default_model_dir())
    before.close()
    clock: dict[str, float] = defaultdict(float)
    ours_index_s, _, report, _ = run_pipeline(
        documents, index_dir, embedder, clock, bounded_chunking=args.chunking_fix
    )
    passages, places = _passages(index_dir)
    peer = _Txtai(passages, default_model_dir())
    try:
        assistant = Assistant(index_dir, embedder=embedder)
        for question in questions[:3]:  # warm both
            assistant.ask(question["question"], history=question.get("history", []))
            peer.search(question["question"], 5)
        ours_ms, peer_ms = [], []
        ours_hits, peer_hits = {}, {}
        for repeat in range(1 if args.quick else 3):
            for question in questions:
                new_turn(embedder, question.get("history", []))
                started = time.perf_counter()
                answer = assistant.ask(question["question"], history=question.get("history", []))
                ours_ms.append((time.perf_counter() - started) * 1000)
                ids, ms = peer.search(question["question"], 5)
                peer_ms.append(ms)
                if repeat == 0 and question.get("answerable", bool(question.get("gold"))):
                    cited = [{"document": c.document, "page": c.page} for c in answer.citations]
                    ours_hits[question["id"]] = first_hit(cited[:5], question["gold"])
                    found = [
                        {"document": places[i][0], "page": places[i][1]} for i in ids if i in places
                    ]
                    peer_hits[question["id"]] = first_hit(found, question["gold"])
    finally:
        peer.close()

    n = len(passages)
    peer_runs = [before.started["index_s"], peer.started["index_s"]]
    peer_index_s = sum(peer_runs) / 2
    content_s = ours_index_s - clock["wait for reader"] - clock["chunk_document"]
    fix = " (ours with the proposed chunking fix)" if args.chunking_fix else ""
    result.add(
        f"index time: ours (files → index) vs txtai (our passages → index){fix}",
        f"{ours_index_s:.1f} vs {peer_index_s:.1f}",
        "s",
        goal="ours faster",
        met=ours_index_s < peer_index_s,
        note=f"{n:,} passages from {report.documents} files; ours without reading and "
        f"chunking: {content_s:.1f} s; txtai before/after ours {peer_runs[0]:.1f} / "
        f"{peer_runs[1]:.1f} s (mean shown); txtai FAISS: {peer.started['components']}",
    )
    ours_p50, peer_p50 = percentile(ours_ms, 50), percentile(peer_ms, 50)
    result.add(
        "query latency p50: ours (hybrid + rerank + answer) vs txtai (dense search)",
        f"{ours_p50:.1f} vs {peer_p50:.1f}",
        "ms",
        goal="ours faster",
        met=ours_p50 < peer_p50,
        note=f"p95 {percentile(ours_ms, 95):.1f} vs {percentile(peer_ms, 95):.1f} ms; "
        f"{len(ours_ms)} questions each, interleaved",
    )
    answerable = len(ours_hits)
    ours_recall = sum(1 for r in ours_hits.values() if r is not None) / max(1, answerable)
    peer_recall = sum(1 for r in peer_hits.values() if r is not None) / max(1, answerable)
    result.add(
        "dev recall@5 (page level): ours vs txtai",
        f"{ours_recall:.3f} vs {peer_recall:.3f}",
        goal="ours better",
        met=ours_recall > peer_recall,
        note=f"{answerable} answerable questions" + (" (8 PDFs only)" if args.quick else ""),
    )
    result.details.update(
        ours_index_s=ours_index_s,
        txtai=peer.started,
        ours_ms=ours_ms,
        txtai_ms=peer_ms,
        ours_hits=ours_hits,
        txtai_hits=peer_hits,
        python=sys.version,
    )


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--chunking-fix",
        action="store_true",
        help="index ours with the proposed bounded _is_abbreviation (see bench_index)",
    )


if __name__ == "__main__":
    main("bench_peer", run, extra=_arguments)
