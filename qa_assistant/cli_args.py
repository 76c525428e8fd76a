"""The command line's arguments: one sub-command per CONTRACT command (index, ask, eval,
status, glossary), each with the common --index, --json and -v, and argparse types that
name the flag and exit 2 on a bad value ("--top-k 0")."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from .answer_params import AnswerParams

__all__ = ["build_parser"]


def _at_least_one(text: str) -> int:
    """An argparse type: a whole number, 1 or more (argparse names the flag, exit 2)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 (got {value})")
    return value


def _seconds(text: str) -> float:
    """An argparse type: a number of seconds, 0 or more."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if math.isnan(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more seconds (got {text})")
    return value


_ASK_NOTES = (
    "With --json, citations come best first, their score never rising down the list; "
    "confidence is the best sentence's score, not a probability: usually 0 to about 1.5, "
    "and below {threshold} the answer is that the reports don't say."
)


def _add_common(parser: argparse.ArgumentParser, *, documents: bool = False) -> None:
    parser.add_argument(
        "--index", type=Path, help="index folder (default: $QA_ASSISTANT_INDEX or index/)"
    )
    if documents:
        parser.add_argument(
            "--documents",
            type=Path,
            help="documents folder (default: $QA_ASSISTANT_DOCUMENTS or documents/)",
        )
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with one sub-command per CONTRACT command."""
    parser = argparse.ArgumentParser(
        prog="qa-assistant",
        description="Answer questions over PDF/TXT/MD reports with page-level citations, offline.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    index = commands.add_parser("index", help="bring the index up to date with the documents")
    _add_common(index, documents=True)
    index.add_argument("--rebuild", action="store_true", help="start the index over")
    index.add_argument("--no-progress", action="store_true", help="no progress bars")
    index.add_argument(
        "--wait",
        type=_seconds,
        default=0.0,
        metavar="SECONDS",
        help="wait this long for another index run to finish (default: stop at once)",
    )

    ask = commands.add_parser(
        "ask",
        help="answer a question with cited passages",
        description="Answer a question with cited passages.",
        epilog=_ASK_NOTES.format(threshold=f"{AnswerParams().answer_threshold:.2f}"),
    )
    ask.add_argument("question", help="the question")
    ask.add_argument(
        "--history",
        action="append",
        default=[],
        metavar="Q",
        help="an earlier question of the conversation (repeat, oldest first)",
    )
    ask.add_argument(
        "--top-k",
        type=_at_least_one,
        default=5,
        metavar="K",
        help="citations to return (default 5)",
    )
    ask.add_argument(
        "--document",
        action="append",
        default=None,
        metavar="PATH",
        help="search only this report (its path as indexed, or its file name) or folder "
        "(repeatable; `status --list` lists them)",
    )
    _add_common(ask)

    evaluate = commands.add_parser("eval", help="recall@1/5, MRR@10 on a question set")
    evaluate.add_argument("questions", type=Path, help="JSON-lines question set")
    evaluate.add_argument(
        "--top-k",
        type=_at_least_one,
        default=10,
        metavar="K",
        help="citations per question (default 10)",
    )
    _add_common(evaluate)

    status = commands.add_parser("status", help="what the index holds")
    status.add_argument(
        "--list", action="store_true", help="list the indexed reports' paths (JSON: paths)"
    )
    _add_common(status)

    glossary = commands.add_parser("glossary", help="acronyms defined in the reports")
    _add_common(glossary)
    for command in commands.choices.values():  # its own usage for an unknown flag (main)
        command.set_defaults(command_parser=command)
    return parser
