"""Load: concurrent question streams against one loaded Assistant while an update runs.

``--threads`` (8) threads ask questions in a loop for ``--seconds`` (60) against ONE
``Assistant`` holding the real model; part-way through (``--add-at``, a share of the run),
another thread copies ``--add`` (3) sample reports into the documents folder and calls
``Assistant.update`` on the same assistant. Reported: questions answered, errors (the goal
is 0), warnings the library logged (a degraded answer, e.g. a failed lexical search),
p50/p95/p99 latency overall and while the update ran, questions per second, how long the
update took, and a Markdown row for benchmarks/RESULTS.md.

The documents folder is ``benchmarks/.work/load-documents``: links to the files of
../shared/reports (or, when that is absent, of documents/), so the reports added mid-run
never touch either; the index is ``benchmarks/.work/index-load``, made the first time by
copying ``benchmarks/.work/index-reports`` (bench_index's) when that holds the same
reports, else by indexing (minutes). ``--index DIR`` uses another index of the same
reports instead. The added reports are removed, and the index brought back, at the end.

    .venv/bin/python -m benchmarks.load [--seconds 60] [--threads 8] [--index DIR]
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a script: python benchmarks/load.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from benchmarks.common import DATE, REPO, SHARED, WORK, load_average, new_turn, percentile
else:
    from .common import DATE, REPO, SHARED, WORK, load_average, new_turn, percentile

ADDED_FOLDER = "_load_added"
HEADER = (
    "| date | collection | threads | seconds | questions | errors | warnings | p50 ms "
    "| p95 ms | p95 during update ms | questions/s | update (+docs) | load avg |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
)


@dataclass
class Stream:
    """What one question stream saw."""

    latencies: list[tuple[float, float]] = field(default_factory=list)  # (started, seconds)
    errors: list[str] = field(default_factory=list)
    cited_added: int = 0


class _CountWarnings(logging.Handler):
    """Counts (and keeps the first few of) the library's warnings during the run."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0
        self.first: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        if len(self.first) < 5:
            self.first.append(f"{record.name}: {record.getMessage()}")


def source_documents() -> tuple[Path, str]:
    """The reports to load-test on: ../shared/reports, or documents/ when it is absent."""
    reports = SHARED / "reports"
    if reports.is_dir():
        return reports, "shared/reports"
    return REPO / "documents", "documents/"


def mirror(source: Path, folder: Path) -> None:
    """Make ``folder`` hold a link to every report under ``source`` (same relative paths)
    and nothing else, so reports can be added beside them without touching ``source``."""
    from qa_assistant.scanning import scan_documents

    wanted = {f.relative: f.path for f in scan_documents(source)}
    folder.mkdir(parents=True, exist_ok=True)
    for path in sorted(folder.rglob("*"), reverse=True):
        relative = path.relative_to(folder).as_posix()
        if path.is_symlink() or path.is_file():
            if relative not in wanted or path.resolve() != wanted[relative].resolve():
                path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    for relative, target in wanted.items():
        link = folder / relative
        if not link.is_symlink():
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(target.resolve())


def seed_index(index_dir: Path, log) -> None:
    """Start ``index_dir`` from bench_index's index of the same reports, if there is one."""
    from qa_assistant.index_layout import CURRENT, current_generation

    if current_generation(index_dir) is not None:
        return
    donor = WORK / "index-reports"
    live = current_generation(donor)
    if live is None or not (SHARED / "reports").is_dir():
        return
    log(f"copying {live} to {index_dir}/ (bench_index's index of the same reports)")
    index_dir.mkdir(parents=True, exist_ok=True)
    shutil.copytree(live, index_dir / live.name)
    (index_dir / CURRENT).write_text(live.name + "\n", encoding="utf-8")


def load_questions() -> list[tuple[str, list[str]]]:
    """(question, history) pairs: the shared dev set and the sample questions (the latter
    are about the sample reports that the update adds, so answers change mid-run)."""
    questions: list[tuple[str, list[str]]] = []
    for path in (SHARED / "eval" / "dev.jsonl", REPO / "tests" / "data" / "sample_questions.jsonl"):
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    item = json.loads(line)
                    questions.append((item["question"], item.get("history", [])))
    if not questions:
        questions = [("What does the report say about training?", [])]
    return questions


def reports_to_add(count: int) -> list[Path]:
    """Sample reports from documents/ to add mid-run."""
    samples = sorted(p for p in (REPO / "documents").iterdir() if p.suffix in (".pdf", ".md"))
    return samples[:count]


def run_load(args: argparse.Namespace) -> dict:
    """Run the benchmark; returns its figures."""
    from qa_assistant import Assistant

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    source, collection = source_documents()
    documents = args.documents or WORK / "load-documents"
    index_dir = args.index or WORK / "index-load"
    if args.documents is None:
        mirror(source, documents)
    else:
        collection = str(args.documents)
    shutil.rmtree(documents / ADDED_FOLDER, ignore_errors=True)
    if args.index is None:
        seed_index(index_dir, log)

    assistant = Assistant(index_dir)
    log(f"bringing {index_dir}/ up to date with {documents}/ (the first time takes minutes)")
    started = time.perf_counter()
    report = assistant.update(documents, wait_seconds=600)
    log(
        f"  {time.perf_counter() - started:.0f} s: {report.documents} documents, "
        f"{report.passages} passages, {len(report.failed)} failed"
    )
    assistant.embedder.warm_up()
    assistant.ask("warm up")
    questions = load_questions()
    before = assistant.status()

    warnings = _CountWarnings()
    logging.getLogger("qa_assistant").addHandler(warnings)
    streams = [Stream() for _ in range(args.threads)]
    update_window: list[float] = []
    update_result: dict = {}
    stop_at = time.perf_counter() + args.seconds
    load_before = load_average()

    def ask_stream(number: int) -> None:
        stream = streams[number]
        position = number * len(questions) // max(1, args.threads)
        while time.perf_counter() < stop_at:
            question, history = questions[position % len(questions)]
            position += 1
            new_turn(assistant.embedder, history)
            began = time.perf_counter()
            try:
                answer = assistant.ask(question, history=history, top_k=5)
            except Exception as exc:  # noqa: BLE001 - every error is counted, none stops it
                stream.errors.append(f"{type(exc).__name__}: {exc}")
                continue
            stream.latencies.append((began, time.perf_counter() - began))
            if any(c.document.startswith(ADDED_FOLDER + "/") for c in answer.citations):
                stream.cited_added += 1

    def add_reports() -> None:
        time.sleep(args.seconds * args.add_at)
        folder = documents / ADDED_FOLDER
        folder.mkdir(parents=True, exist_ok=True)
        for path in reports_to_add(args.add):
            shutil.copyfile(path, folder / path.name)
        began = time.perf_counter()
        update_window.append(began)
        try:
            added = assistant.update(documents, wait_seconds=60)
            update_result["added"] = len(added.added)
            update_result["documents"] = added.documents
        except Exception as exc:  # noqa: BLE001 - reported
            update_result["error"] = f"{type(exc).__name__}: {exc}"
        update_window.append(time.perf_counter())

    threads = [threading.Thread(target=ask_stream, args=(n,)) for n in range(args.threads)]
    threads.append(threading.Thread(target=add_reports))
    run_started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - run_started
    logging.getLogger("qa_assistant").removeHandler(warnings)
    load_after = load_average()
    after = assistant.status()

    if not args.keep:
        shutil.rmtree(documents / ADDED_FOLDER, ignore_errors=True)
        assistant.update(documents, wait_seconds=600)

    latencies = [seconds for stream in streams for _, seconds in stream.latencies]
    during = [
        seconds
        for stream in streams
        for began, seconds in stream.latencies
        if len(update_window) == 2 and update_window[0] <= began < update_window[1]
    ]
    errors = [error for stream in streams for error in stream.errors]
    update_seconds = update_window[1] - update_window[0] if len(update_window) == 2 else 0.0
    return {
        "date": DATE,
        "collection": f"{collection} ({before['documents']} docs, {before['passages']} passages)",
        "threads": args.threads,
        "seconds": round(elapsed, 1),
        "questions": len(latencies),
        "errors": len(errors),
        "first_errors": errors[:5],
        "warnings": warnings.count,
        "first_warnings": warnings.first,
        "p50_ms": round(1000 * percentile(latencies, 50), 1),
        "p95_ms": round(1000 * percentile(latencies, 95), 1),
        "p99_ms": round(1000 * percentile(latencies, 99), 1),
        "p95_during_update_ms": round(1000 * percentile(during, 95), 1),
        "questions_during_update": len(during),
        "questions_per_second": round(len(latencies) / elapsed, 2),
        "update_seconds": round(update_seconds, 1),
        "update": update_result,
        "documents_before": before["documents"],
        "documents_after": after["documents"],
        "answers_citing_added_reports": sum(s.cited_added for s in streams),
        "load_average": f"{load_before} → {load_after}",
    }


def markdown_row(figures: dict) -> str:
    """One row of the RESULTS.md load table."""
    update = f"{figures['update_seconds']:.1f} s (+{figures['update'].get('added', '?')})"
    if "error" in figures["update"]:
        update = f"failed: {figures['update']['error']}"
    cells = [
        figures["date"],
        figures["collection"],
        figures["threads"],
        figures["seconds"],
        figures["questions"],
        figures["errors"],
        figures["warnings"],
        figures["p50_ms"],
        figures["p95_ms"],
        figures["p95_during_update_ms"],
        figures["questions_per_second"],
        update,
        figures["load_average"],
    ]
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def main(argv: list[str] | None = None) -> int:
    """The command line; exit code 1 when any question failed or the update failed."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.load", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the run")
    parser.add_argument("--threads", type=int, default=8, help="concurrent question streams")
    parser.add_argument("--index", type=Path, help="an index of the same reports to reuse")
    parser.add_argument(
        "--documents", type=Path, help="documents folder of that index (default: a linked copy)"
    )
    parser.add_argument("--add", type=int, default=3, help="reports to add mid-run")
    parser.add_argument(
        "--add-at", type=float, default=0.3, help="when to start the update, as a share of the run"
    )
    parser.add_argument("--keep", action="store_true", help="keep the added reports")
    parser.add_argument("--out", type=Path, default=WORK / "results" / "load.json")
    args = parser.parse_args(argv)
    if args.threads < 1 or args.seconds <= 0 or not 0 <= args.add_at < 1:
        parser.error("--threads must be ≥ 1, --seconds > 0 and --add-at in [0, 1)")
    figures = run_load(args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=1, ensure_ascii=False), encoding="utf-8")
    print(json.dumps(figures, indent=1, ensure_ascii=False))
    print()
    print(HEADER)
    print(markdown_row(figures))
    return 1 if figures["errors"] or "error" in figures["update"] else 0


if __name__ == "__main__":
    sys.exit(main())
