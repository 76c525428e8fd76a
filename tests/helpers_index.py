"""Helpers shared by the reliability, concurrency and offline tests, and a small script.

The script runs one ``update_index`` with the fake embedder, an in-process text reader and
artificial slowness, so a test can SIGKILL it mid-run or start a second writer beside it
(the CLI cannot use the fake embedder, and the real model would make these tests slow)::

    python tests/helpers_index.py --documents D --index I [--delay S] [--batch N]
                                  [--rebuild] [--wait S] [--gate FILE]
                                  [--hang-after-switch] [--checkpoint S] [--cli]

It prints ``ready`` on stdout once its imports are done and the update is about to start,
then the JSON report; a ``QAError`` is printed as ``error: ...`` on stderr with exit 1, as
the CLI does. With ``--cli`` it runs ``qa-assistant index`` itself (its reader, messages and
exit code) with the slowed fake embedder instead.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np

from qa_assistant.embedding import FakeEmbedder
from qa_assistant.errors import DocumentError, QAError
from qa_assistant.store import Store
from qa_assistant.types import PageText, ReadDocument

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
PAGE_BREAK = "\f"


def run_cli(*args: str, timeout: float = 600, env: dict[str, str] | None = None):
    """``python -m qa_assistant ARGS`` in a subprocess, as scripts and outside checks call it."""
    import subprocess

    return subprocess.run(
        [sys.executable, "-m", "qa_assistant", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=timeout,
        env=env,
    )


def make_text_reader(delay: float = 0.0, gate: Path | None = None):
    """An in-process reader of UTF-8 text files (pages split on form feeds), sleeping
    ``delay`` seconds per file and, if ``gate`` is given, not reading anything until that
    file exists; it has the indexer's ``reader`` interface."""

    def read(paths: Iterable[Path]) -> Iterator[tuple[Path, ReadDocument | DocumentError]]:
        while gate is not None and not gate.exists():
            time.sleep(0.02)
        for path in paths:
            if delay:
                time.sleep(delay)
            try:
                text = Path(path).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                yield path, DocumentError("cannot be read", str(exc))
                continue
            if not text.strip():
                yield path, DocumentError("empty file")
                continue
            pages = [PageText(n, page) for n, page in enumerate(text.split(PAGE_BREAK), 1)]
            yield path, ReadDocument(pages, text.strip().splitlines()[0][:80])

    return read


text_reader = make_text_reader()


class SlowFakeEmbedder(FakeEmbedder):
    """The fake embedder (same name and dimension, so indexes stay compatible with a plain
    ``FakeEmbedder``), sleeping ``delay`` seconds per ``encode`` call."""

    def __init__(self, delay: float = 0.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.delay = delay

    def encode(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
        """Hashed vectors, after the artificial delay."""
        if self.delay:
            time.sleep(self.delay)
        return super().encode(texts, batch_size=batch_size)


_CODE_WORDS = (
    "alpha bravo charlie delta echo foxtrot golf hotel india juliett kilo lima mike "
    "november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu"
).split()


def marker_word(tag: str, number: int) -> str:
    """A word found in report ``number`` of ``tag`` only (letters: tokenizers keep it whole)."""
    return f"{tag}{_CODE_WORDS[number % len(_CODE_WORDS)]}{'z' * (number // len(_CODE_WORDS))}"


def report_text(tag: str, number: int, version: int = 1) -> str:
    """A small report with a unique marker word (``tag`` + number) and its version in
    every sentence, two passages long under the fake embedder's token counts, two pages."""
    marker = marker_word(tag, number)
    edition = f"edition {version}"
    sentences = [
        f"The {marker} mission report ({edition}) describes training number {number}.",
        f"Officers from the {marker} office ({edition}) trained {10 + number} staff.",
        f"The workshop ({edition}) covered victim support and referral mechanisms.",
        f"Participants of {marker} ({edition}) evaluated the course as useful.",
    ]
    page_one = "\n".join(sentences * 3)
    page_two = f"Annex of {marker} ({edition}). " + " ".join(sentences[1:] * 2)
    return f"Report {marker}\n{page_one}{PAGE_BREAK}{page_two}"


def state(tag: str, numbers: Iterable[int], version: int = 1) -> dict[str, str]:
    """Relative path → text for a documents folder holding reports ``numbers``."""
    return {f"{tag}/report_{n:02d}.txt": report_text(tag, n, version) for n in numbers}


def write_state(folder: Path, files: dict[str, str]) -> None:
    """Make ``folder`` hold exactly ``files`` (relative path → text)."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in folder.rglob("*"):
        if path.is_file() and path.relative_to(folder).as_posix() not in files:
            path.unlink()
    for relative, text in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")


def fingerprint(files: dict[str, str]) -> dict[str, str]:
    """Relative path → sha256 of the content, as the index stores it."""
    return {path: hashlib.sha256(text.encode("utf-8")).hexdigest() for path, text in files.items()}


def indexed_fingerprint(index_dir: Path) -> dict[str, str]:
    """Relative path → sha256 of every document in the live generation; also checks that
    SQLite and FAISS agree (one vector per stored passage, the same ids)."""
    store = Store.open_current(index_dir)
    try:
        documents = {path: doc.sha256 for path, doc in store.stored_documents().items()}
        passage_ids = {int(row[0]) for row in store.conn.execute("SELECT id FROM passages")}
        fts_ids = {int(row[0]) for row in store.conn.execute("SELECT rowid FROM passages_fts")}
        vectors = store.vectors
        assert len(vectors) == len(passage_ids), (len(vectors), len(passage_ids))
        assert fts_ids == passage_ids
        if passage_ids:
            assert vectors.reconstruct(sorted(passage_ids)) is not None
        return documents
    finally:
        store.close()


def stray_generations(index_dir: Path) -> list[str]:
    """Generation folders that should not be on disk: anything but the live generation and
    the one generation just before it (which the store may keep for questions that began
    before the switch). A half-written folder numbered above the live one is stray."""
    from qa_assistant.index_layout import current_generation

    live = current_generation(index_dir)
    names = sorted(p.name for p in index_dir.glob("gen-*"))
    if live is None:
        return names
    older = [name for name in names if name < live.name]
    allowed = {live.name, *older[-1:]}
    return [name for name in names if name not in allowed]


def hanging_reader(path: Path) -> ReadDocument:
    """A ``ReaderPool`` reader (top-level, so the worker process can import it): files
    named ``hang*`` never finish, ``crash*`` kill the reader process, the rest are read."""
    import os
    import signal

    from qa_assistant.reading import read_document

    name = Path(path).name
    if name.startswith("hang"):
        time.sleep(3600)
    if name.startswith("crash"):
        os.kill(os.getpid(), signal.SIGKILL)
    return read_document(path)


def main(argv: list[str] | None = None) -> int:
    """Run one slowed-down update with the fake embedder; see the module docstring."""
    from qa_assistant import adding, generations
    from qa_assistant.indexer import update_index
    from qa_assistant.vectors import VectorIndex

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=Path, required=True)
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds per file and step")
    parser.add_argument("--batch", type=int, default=0, help="passages per encode call")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument(
        "--checkpoint", type=float, help="seconds between checkpoints (0: after every batch)"
    )
    parser.add_argument("--wait", type=float, default=0.0)
    parser.add_argument(
        "--gate", type=Path, help="read nothing (holding the lock) until this file exists"
    )
    parser.add_argument(
        "--hang-after-switch",
        action="store_true",
        help="print 'switched' once CURRENT names the new generation, then hang (to be killed)",
    )
    parser.add_argument(
        "--cli", action="store_true", help="run qa-assistant index (with the fake embedder)"
    )
    args = parser.parse_args(argv)

    if args.batch:
        adding.EMBED_BATCH_PASSAGES = args.batch
    if args.checkpoint is not None:  # as often as asked, whatever a checkpoint costs
        adding.CHECKPOINT_SECONDS = args.checkpoint
        adding.CHECKPOINT_COST_SHARE = float("inf")
    if args.delay:  # widen the windows around saving and switching too
        save, switch = VectorIndex.save, generations._switch_current

        def slow_save(self, path: Path) -> None:
            time.sleep(args.delay)
            save(self, path)
            time.sleep(args.delay)

        def slow_switch(root: Path, name: str) -> None:
            time.sleep(args.delay)
            switch(root, name)
            time.sleep(args.delay)

        VectorIndex.save = slow_save
        generations._switch_current = slow_switch

    if args.hang_after_switch:
        switch_now = generations._switch_current

        def switch_and_hang(root: Path, name: str) -> None:
            switch_now(root, name)
            print("switched", flush=True)
            time.sleep(3600)

        generations._switch_current = switch_and_hang

    print("ready", flush=True)
    if args.cli:
        from qa_assistant import cli
        from qa_assistant.assistant import Assistant

        cli._assistant = lambda _: Assistant(args.index, embedder=SlowFakeEmbedder(args.delay))
        where = ["--documents", str(args.documents), "--index", str(args.index)]
        return cli.main(["index", *where, *(["--rebuild"] if args.rebuild else []), "--json"])
    try:
        report = update_index(
            args.documents,
            args.index,
            SlowFakeEmbedder(args.delay),
            rebuild=args.rebuild,
            reader=make_text_reader(args.delay, args.gate),
            wait_seconds=args.wait,
        )
    except QAError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(report.to_json()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
