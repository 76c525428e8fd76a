"""The ``qa-assistant`` command line (see ../shared/CONTRACT.md and the README).

Exit codes: 0 done; 1 a user-facing error (one line on stderr saying what and how to fix
it); 2 bad usage. ``--json`` prints one JSON object on stdout; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import shutil
import signal
import sys
import threading
import warnings
from typing import Any

from .cli_args import build_parser
from .config import SUPPORTED_KINDS, default_documents_dir, default_index_dir
from .errors import IndexInterrupted, QAError
from .index_layout import current_generation
from .ocr import UNREAD_FIX

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _printable(text: object) -> str:
    """Text safe for a terminal: control characters (escape sequences, bells) shown as \\xNN.

    File names and report text are data; printed raw, an ESC sequence in one could recolour,
    retitle or clear the user's terminal.
    """
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group(0)):02x}", str(text))


def _quiet_libraries(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for name in ("sentence_transformers", "transformers", "huggingface_hub", "faiss"):
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", category=FutureWarning)
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


def _terminal_size() -> tuple[int | None, int | None]:
    """(columns, rows) to draw progress bars in: None, None to let tqdm ask the terminal,
    or 80 × 24 where the terminal says 0 × 0. A pseudo-terminal whose size was never set
    (``script``, CI runners, some IDE consoles) says so, and tqdm then draws nothing at all:
    a bar 0 columns wide, on a screen with no row to put it in."""
    try:
        size = os.get_terminal_size(sys.stderr.fileno())
    except (AttributeError, OSError, ValueError):
        return None, None
    if size.columns > 0 and size.lines > 0:
        return None, None
    fallback = shutil.get_terminal_size((80, 24))  # $COLUMNS / $LINES, else 80 × 24
    return fallback.columns or 80, fallback.lines or 24


def _progress_bars(enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    columns, rows = _terminal_size()

    bars: dict[str, Any] = {}
    # "read": reports read, embedded and stored; embedding is most of the time
    labels = {"read": "indexing reports", "embed": "embedding passages"}
    units = {"read": " reports", "embed": " passages"}
    counted = {"embed"}  # its total grows as files are read: a count, not a bar to fill

    def progress(stage: str, done: int, total: int) -> None:
        if stage == "resumed":  # a line, not a bar: it stays above the bars
            tqdm.write(f"Going on from an interrupted build: {_reports(done)} already done.")
            return
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = tqdm(
                total=None if stage in counted else total,
                desc=labels.get(stage, stage),
                unit=units.get(stage, ""),
                file=sys.stderr,
                leave=False,
                ncols=columns,
                nrows=rows,
                # a count's first step is a whole batch, timed from nothing: no rate
                bar_format="{desc}: {n_fmt}{unit} [{elapsed}]" if stage in counted else None,
            )
        if bar.total is not None:
            bar.total = max(bar.total, total)
        bar.update(done - bar.n)  # not by setting n: tqdm's rate stays true
        bar.refresh()  # at every call: a few quick files would otherwise show nothing

    progress.close = lambda: [bar.close() for bar in bars.values()]  # type: ignore[attr-defined]
    return progress


def _reports(count: int) -> str:
    """ "1 report", "2 reports"."""
    return f"{count} report{'s' * (count != 1)}"


def _assistant(args: argparse.Namespace):
    from .assistant import Assistant

    return Assistant(args.index or default_index_dir())


def _cmd_index(args: argparse.Namespace) -> dict[str, Any]:
    documents = args.documents or default_documents_dir()
    progress = _progress_bars(not args.no_progress and not args.json and sys.stderr.isatty())
    try:
        report = _assistant(args).update(
            documents, rebuild=args.rebuild, progress=progress, wait_seconds=args.wait
        )
    finally:
        if progress:
            progress.close()
    data = report.to_json()
    if not args.json:
        print(
            f"Indexed {documents}/ into {args.index or default_index_dir()}/ in "
            f"{report.seconds:.1f} s: {len(report.added)} added, {len(report.updated)} updated, "
            f"{len(report.removed)} removed, {len(report.unchanged)} unchanged, "
            f"{len(report.failed)} failed."
        )
        if report.moved:
            print(f"{len(report.moved)} of them renamed or moved: passages kept, not read again.")
        if report.ocr:
            print(
                f"{len(report.ocr)} of them with scanned pages, read by OCR: "
                f"{', '.join(_printable(path) for path in report.ocr)}. Check a quote from "
                "them against the page."
            )
        if report.unread_pictures:
            print(
                f"{len(report.unread_pictures)} of them with pages that are pictures, left "
                f"unread: {', '.join(_printable(path) for path in report.unread_pictures)}. "
                f"To have them read, {UNREAD_FIX} (qa-assistant index --rebuild)."
            )
        if report.before_picture_ocr:
            print(
                "This index was built before pictures in text reports (infographics, scanned "
                "annexes) were read by OCR. To read them, run qa-assistant index --rebuild."
            )
        if report.resumed:
            print(
                f"Resumed an interrupted build: {_reports(report.resumed)} it had stored "
                f"{'was' if report.resumed == 1 else 'were'} not read again."
            )
        if report.dropped_rebuild:
            print(
                f"Dropped an unfinished index --rebuild ({_reports(report.dropped_rebuild)} "
                "stored): this run updated the index instead. To rebuild, run "
                "qa-assistant index --rebuild."
            )
        print(
            f"The index holds {report.documents} documents, {report.pages} pages, "
            f"{report.passages} passages."
        )
        for failure in report.failed:
            print(f"  skipped {_printable(failure.document)}: {_printable(failure.error)}")
    if report.documents == 0 and not report.failed:
        print(
            f"No reports found: {documents}/ and its subfolders hold no {SUPPORTED_KINDS} files. "
            "Copy reports there, or point --documents at the folder that holds them.",
            file=sys.stderr,
        )
    return data


def _cmd_ask(args: argparse.Namespace) -> dict[str, Any]:
    answer = _assistant(args).ask(
        args.question, history=args.history, top_k=args.top_k, documents=args.document
    )
    if not args.json:
        if answer.corrected:
            print(_printable(answer.searched_for()))
        print(_printable(answer.answer))
        if answer.acronyms:
            spelled = "; ".join(f"{a} = {e}" for a, e in answer.acronyms)
            print(f"Acronyms: {_printable(spelled)}")
        print()
        for citation in answer.citations:
            snippet = (
                " ".join(citation.text[a:b] for a, b in citation.highlight) or citation.text[:200]
            )
            ocr = " (read by OCR: check a figure against the page)" if citation.ocr else ""
            print(
                f"[{citation.n}] {_printable(citation.document)}, page {citation.page}{ocr}: "
                f"{_printable(snippet)}"
            )
    return answer.to_json()


def _cmd_eval(args: argparse.Namespace) -> dict[str, Any]:
    from .evaluation import evaluate

    report = evaluate(_assistant(args), args.questions, top_k=args.top_k)
    if not args.json:
        names = [
            "recall@1",
            "recall@5",
            "mrr@10",
            "answered_accuracy",
            "no_answer_accuracy",
            "answer_contains_gold",
        ]
        print(f"{'kind':<14}{'n':>4}" + "".join(f"{name:>22}" for name in names))
        rows = [("all", report), *report["by_kind"].items()]
        for kind, figures in rows:
            cells = "".join(
                f"{figures[name]:>22.3f}" if figures.get(name) is not None else f"{'-':>22}"
                for name in names
            )
            print(f"{kind:<14}{figures['questions']:>4}{cells}")
        print(f"{report['seconds']:.1f} s for {report['questions']} questions")
    return report


def _cmd_status(args: argparse.Namespace) -> dict[str, Any]:
    assistant = _assistant(args)
    status = assistant.status()
    if args.list:
        status["paths"] = [d.path for d in assistant.documents()] if status["exists"] else []
    if not args.json:
        if not status["exists"]:
            print(
                f"No index in {status['index']}/ yet. Build one: "
                f"qa-assistant index --documents DIR --index {status['index']}"
            )
        else:
            print(
                f"{status['index']}/: {status['documents']} documents, {status['pages']} pages, "
                f"{status['passages']} passages ({status['failed']} files failed); model "
                f"{status['model']} ({status['dim']} dims, {status['vector_index']} index); "
                f"built {status['built']}"
            )
        for path in status.get("paths", []):
            print(f"  {_printable(path)}")
    return status


def _cmd_glossary(args: argparse.Namespace) -> dict[str, Any]:
    entries = _assistant(args).glossary()
    if not args.json:
        for entry in entries:
            reports = len(entry.documents)
            print(
                f"{_printable(entry.acronym):<12} {_printable(entry.expansion)}  "
                f"({reports} report{'' if reports == 1 else 's'})"
            )
    return {
        "glossary": [
            {
                "acronym": e.acronym,
                "expansion": e.expansion,
                "documents": list(e.documents),
                "count": e.count,
            }
            for e in entries
        ]
    }


COMMANDS = {
    "index": _cmd_index,
    "ask": _cmd_ask,
    "eval": _cmd_eval,
    "status": _cmd_status,
    "glossary": _cmd_glossary,
}


def _parse(argv: list[str] | None) -> argparse.Namespace:
    """The arguments; bad usage exits 2, an unknown flag with the sub-command's own usage
    (argparse would show the top level's: ``qa-assistant [-h] COMMAND ...``)."""
    args, unknown = build_parser().parse_known_args(argv)
    if unknown:
        args.command_parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    return args


def _run(args: argparse.Namespace) -> int:
    try:
        data = COMMANDS[args.command](args)
    except QAError as exc:
        print(f"error: {_printable(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM (see main)
        live = current_generation(args.index or default_index_dir())
        print(f"error: interrupted; {_interrupted(exc, bool(live))}", file=sys.stderr)
        return 1
    if args.json:
        json.dump(data, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    sys.stdout.flush()  # a closed pipe is met here, not at exit, where it cannot be handled
    return 0


def _interrupted(exc: KeyboardInterrupt, live: bool = True) -> str:
    """What an interrupted command left, truly: the previous index unchanged (``live``: there
    is one), how many reports an index run saved for the next one (and which command goes
    on from them), or that nothing was saved."""
    said = "the previous index is unchanged" if live else "there is no index yet"
    if not isinstance(exc, IndexInterrupted):
        return said + "."
    command = "qa-assistant index --rebuild" if exc.rebuild else "qa-assistant index"
    if not exc.saved:
        return f"{said}. Nothing was saved yet: the next {command} starts over."
    reports = "1 report is" if exc.saved == 1 else f"{exc.saved} reports are"
    return f"{said}. {reports} saved: run {command} again to go on from there."


def _terminated(signum: int, frame: object) -> None:
    """SIGTERM (``timeout``, systemd, a scheduler) stops a command as Ctrl-C does: cleanly,
    the previous index live, a checkpoint kept, one line saying so."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parse(argv)
    _quiet_libraries(args.verbose)
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminated) if main_thread else None
    try:
        return _run(args)
    except BrokenPipeError:
        # The reader of our output stopped reading (``| head -1``) once it had what it
        # wanted; the work is done (exit 0). Python flushes stdout again at exit and would
        # fail once more, so stdout is pointed at devnull (the Python docs' "Note on SIGPIPE").
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)


if __name__ == "__main__":
    sys.exit(main())
