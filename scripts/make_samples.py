"""Generate the sample reports in documents/ from the texts in scripts/sample_reports/.

Each ``*.txt`` source becomes a PDF of the same name: a few ``key: value`` lines (``title``,
``header``) and then pages, each introduced by a line ``=== page ===``. Page text follows
`minipdf.pdf_bytes`: paragraphs separated by blank lines, ``# `` for headings, a trailing
backslash for a forced line break (used for a word hyphenated across a line end). Every page
gets the source's header and a "Page N of M" footer. ``*.md`` sources are copied as they are.

The output is byte-for-byte deterministic, so running the script again changes nothing:

    .venv/bin/python scripts/make_samples.py            # rewrite documents/
    .venv/bin/python scripts/make_samples.py --check    # and verify the sample questions
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from pathlib import Path

from minipdf import pdf_bytes

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIR = Path(__file__).resolve().parent / "sample_reports"
DOCUMENTS_DIR = ROOT / "documents"
QUESTIONS_PATH = ROOT / "tests" / "data" / "sample_questions.jsonl"

PAGE_MARKER = "=== page ==="
FOOTER = "Page {page} of {pages}"
_KEYS = ("title", "header")


def parse_source(text: str) -> tuple[dict[str, str], list[str]]:
    """Split a report source into its ``key: value`` settings and its page texts."""
    head, *pages = text.split(PAGE_MARKER + "\n")
    if not pages:
        raise ValueError(f"a report source needs at least one '{PAGE_MARKER}' line")
    settings = {}
    for line in head.splitlines():
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        if not sep or key.strip() not in _KEYS:
            raise ValueError(f"bad setting line {line!r}; allowed keys: {', '.join(_KEYS)}")
        settings[key.strip()] = value.strip()
    return settings, pages


def build_samples(out_dir: Path = DOCUMENTS_DIR, source_dir: Path = SOURCE_DIR) -> list[Path]:
    """Write every sample report from `source_dir` into `out_dir`; return the written paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for source in sorted(source_dir.iterdir()):
        if source.suffix == ".md":
            target = out_dir / source.name
            shutil.copyfile(source, target)
        elif source.suffix == ".txt":
            settings, pages = parse_source(source.read_text(encoding="utf-8"))
            target = out_dir / (source.stem + ".pdf")
            target.write_bytes(
                pdf_bytes(
                    pages,
                    title=settings.get("title"),
                    header=settings.get("header"),
                    footer=FOOTER,
                )
            )
        else:
            continue
        written.append(target)
    return written


def normalised_variants(text: str) -> set[str]:
    """Whitespace-collapsed forms of extracted text, with and without end-of-line hyphens.

    A word broken as "train-" + newline + "ing" is matched as "training"; a hyphenated
    compound broken after its hyphen ("co-" + newline + "operation") as "co-operation".
    """
    dehyphenated = re.sub(r"(\w)-\n(\w)", r"\1\2", text)
    hyphen_kept = re.sub(r"(\w)-\n(\w)", r"\1-\2", text)
    return {" ".join(variant.split()) for variant in (text, dehyphenated, hyphen_kept)}


def page_text(document: Path, page: int) -> str:
    """Text of a 1-based page as pypdf extracts it; a text or Markdown file is one page."""
    if document.suffix.lower() != ".pdf":
        if page != 1:
            raise ValueError(f"{document.name} is a text file and only has page 1, not {page}")
        return document.read_text(encoding="utf-8")
    from pypdf import PdfReader  # only needed for checking, not for generating

    return PdfReader(document).pages[page - 1].extract_text()


def gold_problems(
    questions_path: Path = QUESTIONS_PATH, documents_dir: Path = DOCUMENTS_DIR
) -> list[str]:
    """Check every gold phrase of a question set against its page; return the problems found."""
    problems = []
    for line in questions_path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        question = json.loads(line)
        if question["answerable"] != bool(question["gold"]):
            problems.append(f"{question['id']}: answerable must be true exactly when gold is set")
        for gold in question["gold"]:
            variants = normalised_variants(
                page_text(documents_dir / gold["document"], gold["page"])
            )
            phrase = " ".join(gold["phrase"].split())
            if not any(phrase in variant for variant in variants):
                problems.append(
                    f"{question['id']}: {phrase!r} not on page {gold['page']} of {gold['document']}"
                )
    return problems


def main(argv: list[str] | None = None) -> int:
    """Command line: regenerate the samples, and with --check verify the sample questions."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DOCUMENTS_DIR, help="output folder")
    parser.add_argument("--check", action="store_true", help="verify sample question phrases")
    args = parser.parse_args(argv)
    for path in build_samples(args.out):
        print(path)
    if args.check:
        problems = gold_problems(documents_dir=args.out)
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
