"""Incremental updates: an unchanged re-run over 1,000 small documents, and the cost of
adding one report to an index of N documents against indexing that report alone.

1. 1,000 generated .txt documents are indexed once with ``FakeEmbedder`` (dim 384) to keep
   the set-up fast — the re-run reads, chunks and embeds nothing, so the embedder does not
   enter the timed part. Timed: ``update_index`` when nothing changed (goal < 2 s), and when
   every file was touched (new mtime, same content: each file is hashed, none re-read).
2. One report (a PDF of ../shared/reports, or a generated long text without it) added to
   an index of N = 100 and N = 1,000 small documents, against the same report indexed into
   an empty index, alternated ``--repeats`` times, medians compared. Done with the real
   encoder (what a user pays) and with ``FakeEmbedder`` (which leaves only the work that
   may grow with N: the scan, copying the live generation, saving the vectors).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import time
from pathlib import Path

from .common import WORK, Result, main, median, shared_path

GOAL_UNCHANGED_S = 2.0
GOAL_ADD_RATIO = 1.25  # "about the same": within 25 %
_WORDS = """water supply district council training police report community youth court
election health school budget programme office mission human rights women children
refugee border security trafficking victims monitoring capacity building workshop law
national strategy cooperation assessment survey data access justice support""".split()


def make_documents(folder: Path, count: int, seed: int = 7) -> None:
    """``count`` small text documents (a title and 3–5 sentences each), made once."""
    marker = folder / f".made-{count}-{seed}"
    if marker.exists():
        return
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    rng = random.Random(seed)
    for number in range(count):
        sentences = []
        for _ in range(rng.randint(3, 5)):
            words = rng.choices(_WORDS, k=rng.randint(8, 16))
            sentences.append(" ".join(words).capitalize() + ".")
        title = f"Note {number} on {' '.join(rng.choices(_WORDS, k=3))}"
        text = title + "\n\n" + " ".join(sentences) + "\n"
        (folder / f"doc-{number:04d}.txt").write_text(text, encoding="utf-8")
    marker.touch()


def the_report(quick: bool) -> Path:
    """The report to add: a ~20-page PDF of ../shared/reports, else a generated text."""
    reports = shared_path("reports")
    if reports is not None:
        name = "A_52_687.en.pdf" if quick else "S_2025_420.en.pdf"
        return reports / "un" / name
    path = WORK / "incremental" / "generated-report.txt"
    if not path.exists():
        rng = random.Random(3)
        paragraphs = [" ".join(rng.choices(_WORDS, k=12)).capitalize() + "." for _ in range(600)]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n\n".join(paragraphs), encoding="utf-8")
    return path


def _unchanged(result: Result, quick: bool) -> None:
    from qa_assistant.embedding import FakeEmbedder
    from qa_assistant.indexer import update_index

    count = 1000
    documents = WORK / "incremental" / "docs-1000"
    index_dir = WORK / "incremental" / "index-1000-fake"
    make_documents(documents, count)
    embedder = FakeEmbedder(dim=384, max_tokens=254)
    started = time.perf_counter()
    update_index(documents, index_dir, embedder, rebuild=True)
    build = time.perf_counter() - started
    runs = []
    for _ in range(3 if quick else 5):
        started = time.perf_counter()
        report = update_index(documents, index_dir, embedder)
        runs.append(time.perf_counter() - started)
    assert len(report.unchanged) == count and not report.added, "the re-run changed something"
    result.add(
        f"unchanged re-run, {count} .txt documents (update_index in-process)",
        median(runs),
        "s",
        goal=f"< {GOAL_UNCHANGED_S:.0f} s",
        met=median(runs) < GOAL_UNCHANGED_S,
        note=f"median of {len(runs)}; max {max(runs):.3f} s; initial build with FakeEmbedder "
        f"{build:.1f} s (not timed in the goal)",
    )
    now = time.time()
    for path in documents.glob("*.txt"):  # same content, new mtime: hashed, not re-read
        os.utime(path, (now, now))
    started = time.perf_counter()
    report = update_index(documents, index_dir, embedder)
    touched = time.perf_counter() - started
    result.add(
        f"every file touched (same content), {count} documents",
        touched,
        "s",
        note=f"{len(report.unchanged)} unchanged after hashing; one new generation written",
    )


def _add_one(result: Result, embedder, label: str, sizes: list[int], repeats: int, quick: bool):
    from qa_assistant.indexer import update_index

    report = the_report(quick)
    root = WORK / "incremental"
    alone_docs = root / "alone-docs"
    shutil.rmtree(alone_docs, ignore_errors=True)
    alone_docs.mkdir(parents=True)
    shutil.copy2(report, alone_docs / report.name)
    for n in sizes:
        documents = root / f"docs-{n}"
        make_documents(documents, n)
        index_dir = root / f"index-{n}-{label}"
        update_index(documents, index_dir, embedder, rebuild=True)
        added, alone = [], []
        for _ in range(repeats):
            shutil.copy2(report, documents / report.name)
            started = time.perf_counter()
            update_index(documents, index_dir, embedder)
            added.append(time.perf_counter() - started)
            (documents / report.name).unlink()
            update_index(documents, index_dir, embedder)  # take it out again (not timed)

            alone_index = root / f"index-alone-{label}"
            shutil.rmtree(alone_index, ignore_errors=True)
            started = time.perf_counter()
            update_index(alone_docs, alone_index, embedder)
            alone.append(time.perf_counter() - started)
        ratio = median(added) / median(alone)
        result.add(
            f"add one report to N={n:,} ÷ index it alone, {label} encoder",
            ratio,
            goal=f"≈ 1 (≤ {GOAL_ADD_RATIO})",
            met=ratio <= GOAL_ADD_RATIO,
            note=f"{median(added):.2f} s vs {median(alone):.2f} s, medians of {repeats}; "
            f"{report.name}",
        )


def run(result: Result, args: argparse.Namespace) -> None:
    """Unchanged re-run, then add-one with the real and the fake encoder."""
    from qa_assistant.embedding import FakeEmbedder, SentenceTransformerEmbedder

    _unchanged(result, args.quick)
    real = SentenceTransformerEmbedder()
    real.warm_up()
    repeats = 2 if args.quick else 3
    sizes = [100, 1000]
    _add_one(result, real, "real", sizes, repeats, args.quick)
    _add_one(result, FakeEmbedder(dim=384, max_tokens=254), "fake", sizes, repeats, args.quick)


if __name__ == "__main__":
    main("bench_incremental", run)
