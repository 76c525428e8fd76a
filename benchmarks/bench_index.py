"""Index throughput: the pipeline's passages/s against the raw encoder's, same run.

1. ``update_index`` (in-process, the default ``ReaderPool`` reading ahead in its worker
   process, ``rebuild=True``) over ../shared/reports — or 8 of its PDFs with ``--quick`` —
   into ``benchmarks/.work/index-reports[-quick]``, which the query, memory and peer
   benchmarks then use. The model is loaded and warmed before the clock starts.
2. The raw encoder: the passage texts that index stored, encoded with the same
   SentenceTransformer at the same batch size (32, the indexer's), in one call — and again
   in groups as the pipeline sends them (``EMBED_PROGRESS_PASSAGES`` at a time), which
   separates the cost of smaller length-sorted groups from the rest of the pipeline.

Where the time goes inside the pipeline is measured in the same run by wrapping, not by
editing, the library: the embedder's ``encode`` and ``count_tokens``, the reader's
iterator (time the indexer sat waiting for a read-ahead file), ``chunk_document``,
``Store.add_document`` (SQLite rows, FTS5, FAISS add) and the reader process's CPU time.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sqlite3
import time
from collections import defaultdict
from pathlib import Path

from .common import WORK, Result, main, median, shared_path, skip_message

GOAL_RATIO = 0.9
QUICK_FILES = 8


def report_index_dir(quick: bool) -> Path:
    """Where this benchmark leaves the report index for the others."""
    return WORK / ("index-reports-quick" if quick else "index-reports")


def documents_for(quick: bool) -> Path | None:
    """../shared/reports, or a folder linking 8 of its PDFs (every 4th by path) for --quick."""
    reports = shared_path("reports")
    if reports is None or not quick:
        return reports
    folder = WORK / "reports-quick"
    pdfs = sorted(reports.rglob("*.pdf"))[::4][:QUICK_FILES]
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for pdf in pdfs:
        (folder / pdf.name).symlink_to(pdf)
    return folder


class _TimedEmbedder:
    """The real embedder with its calls timed (same model object, same batch size)."""

    def __init__(self, inner, clock: dict[str, float]) -> None:
        self.inner = inner
        self.clock = clock
        self.name, self.dim, self.max_tokens = inner.name, inner.dim, inner.max_tokens
        self.batches: list[int] = []

    def count_tokens(self, texts):
        started = time.perf_counter()
        try:
            return self.inner.count_tokens(texts)
        finally:
            self.clock["tokenise (count_tokens)"] += time.perf_counter() - started

    def encode(self, texts, **kwargs):
        started = time.perf_counter()
        self.batches.append(len(texts))
        try:
            return self.inner.encode(texts, **kwargs)
        finally:
            self.clock["encode"] += time.perf_counter() - started

    def encode_query(self, text):
        return self.inner.encode_query(text)


def _timed(module, name: str, clock: dict[str, float], label: str):
    """Wrap ``module.name`` so its time adds to ``clock[label]``; returns the original."""
    original = getattr(module, name)

    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            clock[label] += time.perf_counter() - started

    setattr(module, name, wrapper)
    return original


def _timed_reader(clock: dict[str, float], inner=None):
    """The indexer's reader (default: its ReaderPool), with time spent waiting counted."""
    from qa_assistant import adding

    def reader(paths):
        iterator = (inner or adding._default_reader)(paths)
        while True:
            started = time.perf_counter()
            try:
                item = next(iterator)
            except StopIteration:
                clock["wait for reader"] += time.perf_counter() - started
                return
            clock["wait for reader"] += time.perf_counter() - started
            yield item

    return reader


def _bounded_is_abbreviation(text: str, end: int) -> bool:
    """The proposed ``chunking._is_abbreviation``: look back 32 characters, not to 0.

    ``_LAST_WORD.search(text, 0, end)`` tries every start position from the beginning of
    the document for every candidate period, which makes sentence splitting quadratic in
    the document's length. Same answers: a word longer than the window is no abbreviation.
    """
    from qa_assistant import chunking

    start = max(0, end - 32)
    match = chunking._LAST_WORD.search(text, start, end)
    if not match or (match.start() == start > 0 and not text[start - 1].isspace()):
        return False
    word = match.group(1).rstrip(".").lstrip("(\"'“‘").lower()
    return word in chunking._ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (the reader process)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_pipeline(
    documents: Path,
    index_dir: Path,
    embedder,
    clock,
    *,
    reading: str = "pool",
    bounded_chunking: bool = False,
):
    """Index ``documents`` from scratch with the timing wrappers in place.

    ``reading``: "pool" (the indexer's ReaderPool), "inline" (in this process, no
    overlap) or "nice" (the pool's process at nice 10); ``bounded_chunking``
    swaps in the proposed ``_is_abbreviation``. Returns (seconds, CPU seconds, report,
    the encode group sizes).
    """
    from qa_assistant import adding, chunking, indexer, store
    from qa_assistant.reading import read_documents_inline

    timed = _TimedEmbedder(embedder, clock)
    restore = [
        (adding, "chunk_document", _timed(adding, "chunk_document", clock, "chunk_document")),
        (store.Store, "add_document", _timed(store.Store, "add_document", clock, "store add")),
        (adding, "file_sha256", _timed(adding, "file_sha256", clock, "sha256")),
    ]
    if bounded_chunking:
        restore.append((chunking, "_is_abbreviation", chunking._is_abbreviation))
        chunking._is_abbreviation = _bounded_is_abbreviation
    inner = {"pool": None, "inline": read_documents_inline, "nice": _nice_reader}[reading]
    reader = _timed_reader(clock, inner)
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    try:
        report = indexer.update_index(documents, index_dir, timed, rebuild=True, reader=reader)
    finally:
        for owner, name, original in restore:
            setattr(owner, name, original)
    seconds = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu_before
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    clock["reader process CPU"] += (children.ru_utime + children.ru_stime) - (
        children_before.ru_utime + children_before.ru_stime
    )
    return seconds, cpu, report, timed.batches


def stored_texts(index_dir: Path) -> list[str]:
    """The passage texts the index stored, in insertion order."""
    from qa_assistant.index_layout import STORE_FILE, current_generation

    folder = current_generation(index_dir)
    conn = sqlite3.connect(f"file:{folder / STORE_FILE}?mode=ro", uri=True)
    try:
        return [row[0] for row in conn.execute("SELECT text FROM passages ORDER BY id")]
    finally:
        conn.close()


def _encode_raw(embedder, texts: list[str], groups: list[int] | None = None):
    """(seconds, CPU seconds) to encode ``texts`` at batch 32, in one call or in ``groups``."""
    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    if groups is None:
        embedder.encode(texts, batch_size=32)
    else:
        position = 0
        for size in groups:  # the same groups, in the same order, as the pipeline sent
            embedder.encode(texts[position : position + size], batch_size=32)
            position += size
    return time.perf_counter() - started, _cpu_seconds() - cpu_before


_VARIANTS = [
    # (label, reader: "pool" | "inline" | "nice", bounded chunking)
    ("as is (ReaderPool reads ahead)", "pool", False),
    ("reading inline (no overlap)", "inline", False),
    ("proposed chunking fix, ReaderPool", "pool", True),
    ("chunking fix, reader process at nice 10", "nice", True),
]


_niced = False


def nice_read_document(path: Path):
    """``read_document`` in a reader process lowered to nice 10 (picklable for the pool)."""
    global _niced
    from qa_assistant.reading import read_document

    if not _niced:
        os.nice(10)
        _niced = True
    return read_document(path)


def _nice_reader(paths):
    from qa_assistant.reader_pool import ReaderPool

    with ReaderPool(reader=nice_read_document) as pool:
        yield from pool.imap(paths)


def run(result: Result, args: argparse.Namespace) -> None:
    """Each pipeline variant followed at once by the raw encoder on the same passages."""
    documents = documents_for(args.quick)
    if documents is None:
        result.skipped = skip_message("reports")
        return
    from qa_assistant.adding import EMBED_BATCH_PASSAGES, EMBED_PROGRESS_PASSAGES
    from qa_assistant.embedding import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder()
    embedder.warm_up()
    index_dir = report_index_dir(args.quick)
    if args.variant:
        variants = [v for v in _VARIANTS if any(word in v[0] for word in args.variant)]
    else:
        variants = _VARIANTS[:3] if args.variants else _VARIANTS[:1]
    rows = []
    for label, reading, bounded in variants:
        clock: dict[str, float] = defaultdict(float)
        seconds, cpu, report, batches = run_pipeline(
            documents, index_dir, embedder, clock, reading=reading, bounded_chunking=bounded
        )
        texts = stored_texts(index_dir)
        raw_seconds, raw_cpu = _encode_raw(embedder, texts)
        rows.append((label, seconds, cpu, raw_seconds, raw_cpu, clock, batches, len(texts)))
    label, seconds, cpu, raw_seconds, raw_cpu, clock, batches, n = rows[0]
    grouped_seconds, _ = _encode_raw(embedder, stored_texts(index_dir), batches)

    scope = "8 PDFs" if args.quick else "../shared/reports"
    result.add(
        "corpus",
        f"{report.documents} files, {report.pages} pages, {n} passages",
        note=f"{scope}; {len(report.failed)} failed; model loaded before timing",
    )
    for label, seconds, cpu, raw_seconds, raw_cpu, _clock, _batches, n in rows:
        ratio = raw_seconds / seconds
        result.add(
            f"pipeline ÷ raw encoder, {label}",
            ratio,
            goal=f"≥ {GOAL_RATIO}" if label == _VARIANTS[0][0] else "",
            met=ratio >= GOAL_RATIO if label == _VARIANTS[0][0] else None,
            note=f"pipeline {n / seconds:.1f} vs raw {n / raw_seconds:.1f} passages/s; "
            f"CPU-time ratio {raw_cpu / cpu:.2f}",
        )
    label, seconds, cpu, raw_seconds, raw_cpu, clock, batches, n = rows[0]
    head = label.split(" (")[0]
    result.add(
        f"raw encoder in the pipeline's groups ({len(batches)} calls) ÷ one call",
        raw_seconds / grouped_seconds,
        note=f"EMBED_BATCH_PASSAGES={EMBED_BATCH_PASSAGES} per flush, encoded "
        f"{EMBED_PROGRESS_PASSAGES} at a time; median group {median(batches):.0f}",
    )
    labels = ["encode", "wait for reader", "chunk_document", "tokenise (count_tokens)"]
    for label in [*labels, "store add", "sha256"]:
        result.add(
            f"{head}, time in: {label}",
            clock[label],
            "s",
            note=f"{100 * clock[label] / seconds:.1f} % of {seconds:.1f} s",
        )
    accounted = sum(
        clock[k] for k in ["encode", "wait for reader", "chunk_document", "store add", "sha256"]
    )
    result.add(f"{head}, time in: rest (commit, save, glossary, lex)", seconds - accounted, "s")
    result.add(
        f"{head}, reader process CPU",
        clock["reader process CPU"],
        "s",
        note=f"vs encoder CPU {raw_cpu:.0f} s for the same passages; shares the 2 cores",
    )
    result.details.update(
        variants=[
            {
                "label": r[0],
                "seconds": r[1],
                "cpu": r[2],
                "raw_seconds": r[3],
                "raw_cpu": r[4],
                "clock": dict(r[5]),
                "passages": r[7],
            }
            for r in rows
        ],
        batches=batches,
        grouped_seconds=grouped_seconds,
        index=str(index_dir),
    )


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-variants",
        dest="variants",
        action="store_false",
        help="only the pipeline as it is (skip the inline-reading and chunking-fix runs)",
    )
    parser.add_argument(
        "--variant",
        action="append",
        metavar="WORDS",
        help="run the variants whose label contains WORDS (repeatable), e.g. 'nice 10'; "
        "the default runs the first three: " + "; ".join(label for label, _, _ in _VARIANTS),
    )


if __name__ == "__main__":
    main("bench_index", run, extra=_arguments)
