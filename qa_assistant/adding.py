"""An update's reading and adding: the new and changed reports read (in a worker process
that runs ahead of the encoder, so PDF parsing overlaps embedding), chunked, embedded
together in large batches and stored, with a checkpoint every half minute so that a run
killed or interrupted goes on from there. Progress counts the reports done (read, embedded
and stored, or failed) and the passages embedded, a few seconds apart.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from .chunking import chunk_document
from .errors import DocumentError
from .generations import checkpoint
from .glossary import find_definitions
from .lexical import lex_text
from .reading import describe_error
from .report_dates import document_year
from .scanning import SourceFile, file_sha256, signature
from .store import Store
from .types import FailedDocument, ReadDocument

log = logging.getLogger(__name__)

EMBED_BATCH_PASSAGES = 256
EMBED_PROGRESS_PASSAGES = 32  # embedded between two progress calls (a few seconds on 2 cores)
CHECKPOINT_SECONDS = 30.0  # a killed build loses at most about this much work
CHECKPOINT_COST_SHARE = 0.05  # of the run's time, at most, spent writing checkpoints
_clock = time.monotonic  # when checkpoints are due (tests move it on by hand)


_DELETED = "cannot be read: it was deleted while the index was being built"
CHANGED_WHILE_READ = "changed while it was read"  # in place of a SHA-256: matches no file


def passage_input(title: str, text: str) -> str:
    """The text a passage is embedded from: its report's title, then the passage (a
    passage that opens with the title is embedded as it is)."""
    return f"{title}\n{text}" if title and not text.startswith(title) else text


def _default_reader(paths: Iterable[Path]):
    from .reader_pool import ReaderPool

    with ReaderPool() as pool:
        yield from pool.imap(paths)


class _Checkpoints:
    """When the work of a long build is committed, so that a run killed or interrupted goes
    on from there (``generations.checkpoint``): once ``CHECKPOINT_SECONDS`` have passed since
    the start or the last checkpoint, whatever is pending is embedded (even less than a
    batch: large PDFs fill a batch only every few minutes) and committed. Never more often
    than ``CHECKPOINT_COST_SHARE`` of the time allows (writing the vectors of a large index
    takes a while)."""

    def __init__(self, target: Store) -> None:
        self.target = target
        self.due = _clock() + CHECKPOINT_SECONDS

    def is_due(self) -> bool:
        """Whether a checkpoint is due now."""
        return _clock() >= self.due

    def write(self) -> None:
        """Commit a checkpoint (the caller has embedded and stored what was pending)."""
        started = _clock()
        checkpoint(self.target)
        cost = _clock() - started
        log.info("checkpoint written in %.3f s", cost)
        self.due = _clock() + max(CHECKPOINT_SECONDS, cost / CHECKPOINT_COST_SHARE)


class _Pending:
    """Documents read and chunked, waiting for their passages to be embedded together."""

    def __init__(self) -> None:
        self.items: list[tuple[SourceFile, str, ReadDocument, list, str]] = []
        self.passages = 0

    def add(self, source, sha, document, chunks, kind) -> None:
        self.items.append((source, sha, document, chunks, kind))
        self.passages += len(chunks)


def read_and_add(target, to_read, stored, report, embedder, settings, progress, reader) -> None:
    reader = reader or _default_reader
    checkpoints = _Checkpoints(target)
    kinds = {source.path: (source, kind) for source, kind in to_read}
    total_passages = 0
    done_files = 0  # read and stored (or failed): reading alone is the quick part
    pending = _Pending()

    def done(files: int = 1) -> None:
        nonlocal done_files
        done_files += files
        if progress:
            progress("read", done_files, len(to_read))

    def flush() -> None:
        nonlocal total_passages, pending
        if not pending.items:
            return
        # Each passage is embedded under its report's title, so "UNFPA's investigation
        # office" also finds a passage that only says "OAIS" in a UNFPA report (tuning set:
        # recall@1 0.812 → 0.833). The stored text and the lexical index are the passage's own.
        texts = [
            passage_input(item[2].title, chunk.text) for item in pending.items for chunk in item[3]
        ]
        # Encoded a group at a time, so that the count moves; by length, as one call to the
        # encoder would sort them, so that a group pads its texts to about the same length.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        vectors = np.zeros((len(texts), embedder.dim), np.float32)
        for start in range(0, len(order), EMBED_PROGRESS_PASSAGES):
            group = order[start : start + EMBED_PROGRESS_PASSAGES]
            vectors[group] = embedder.encode([texts[i] for i in group])
            total_passages += len(group)
            if progress:
                progress("embed", total_passages, total_passages)
        offset = 0
        for source, sha, document, chunks, kind in pending.items:
            own = vectors[offset : offset + len(chunks)]
            offset += len(chunks)
            _store_document(target, source, sha, document, chunks, own, stored, kind, report)
        done(len(pending.items))
        pending = _Pending()

    def take(source: SourceFile, kind: str, result: ReadDocument | DocumentError) -> None:
        if isinstance(result, DocumentError) and _deleted(source.path):
            _forget_deleted(target, source, kind, stored, report)
            return done()
        if isinstance(result, DocumentError):
            _record_failure(target, source, kind, stored, report, result)
            return done()
        chunks = chunk_document(result.pages, embedder.count_tokens, settings)
        if not chunks:
            error = DocumentError("no extractable text (scanned?)")
            _record_failure(target, source, kind, stored, report, error)
            return done()
        try:
            sha = file_sha256(source.path)
            if signature(source.path.stat()) != source.signature:
                # Edited or replaced since the scan: the text read may be the old one. No
                # file has this hash, so the next run reads the file again, not taking the
                # new file's hash with the old text for a report up to date.
                sha = CHANGED_WHILE_READ
        except FileNotFoundError:
            _forget_deleted(target, source, kind, stored, report)
            return done()
        except OSError as exc:  # read a moment ago; locked or unmounted since
            error = DocumentError("cannot be read", describe_error(exc))
            _record_failure(target, source, kind, stored, report, error)
            return done()
        pending.add(source, sha, result, chunks, kind)
        if result.ocr:
            report.ocr.append(source.relative)
        if result.unread_pictures:
            report.unread_pictures.append(source.relative)
        if pending.passages >= EMBED_BATCH_PASSAGES:
            flush()

    for path, result in reader([source.path for source, _ in to_read]):
        source, kind = kinds[path]
        take(source, kind, result)
        if checkpoints.is_due():  # by time, not by batch: a killed run loses ~30 s at most
            flush()
            checkpoints.write()
    flush()


def _deleted(path: Path) -> bool:
    """Whether ``path`` is no longer there (deleted since the folder was scanned)."""
    try:
        path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return True
    except OSError:
        return False
    return False


def _record_failure(target, source, kind, stored, report, error: DocumentError) -> None:
    if kind == "updated":  # the old version is gone from disk: drop it from answers
        target.remove_document(stored[source.relative].id)
    target.record_failure(source.relative, source.signature, str(error))
    report.failed.append(FailedDocument(source.relative, str(error)))


def _forget_deleted(target, source, kind, stored, report) -> None:
    """A file deleted while the run went on: its older version leaves the index; a new one
    is reported, and nothing is remembered of it."""
    target.forget_failure(source.relative)
    if kind == "updated":
        target.remove_document(stored[source.relative].id)
        report.removed.append(source.relative)
    else:
        report.failed.append(FailedDocument(source.relative, _DELETED))


def _store_document(target, source, sha, document, chunks, vectors, stored, kind, report):
    if kind == "updated":
        target.remove_document(stored[source.relative].id)
    target.forget_failure(source.relative)
    full_text = "\n".join(page.text for page in document.pages)
    glossary = [(a, e, n) for (a, e), n in find_definitions(full_text).items()]
    first_page = document.pages[0].text if document.pages else ""
    target.add_document(
        path=source.relative,
        title=document.title,
        signature=source.signature,
        sha256=sha,
        pages=len(document.pages),
        year=document_year(document.title, first_page, source.relative),
        passages=[
            (c.start, c.end, c.page_spans[0][1], c.page_spans, c.n_tokens, c.text, lex_text(c.text))
            for c in chunks
        ],
        vectors=vectors,
        glossary=glossary,
        ocr_pages=document.ocr_pages,
    )
    getattr(report, kind).append(source.relative)
