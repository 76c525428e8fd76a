"""Bring the index up to date with a documents folder: read → chunk → embed → store.

Only what changed is touched: new files are added, changed files re-indexed, deleted files
removed; an unchanged file (same size, mtime, ctime and inode, as git's index checks; or
else the same content hash) is not read again.
Files are read in a guarded worker process that runs ahead of the encoder, so PDF parsing
overlaps embedding; passages of several documents are embedded together in large batches.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import numpy as np

from .changes import Changes, find_changes, since_live
from .chunking import chunk_document
from .config import ChunkSettings
from .embedding import Embedder
from .errors import DocumentError, IndexInterrupted, IndexMismatchError
from .generations import IndexLock, checkpoint, discard, find_work, new_generation
from .glossary import find_definitions
from .index_layout import current_generation
from .lexical import lex_text
from .ocr import tesseract
from .reading import describe_error
from .report_dates import document_year
from .scanning import SourceFile, file_sha256, scan_folder, signature
from .store import Store
from .types import FailedDocument, IndexReport, ReadDocument, StoredDocument

log = logging.getLogger(__name__)

# progress(stage, done, total): stage is "scan", "read", "embed" or "resumed" (done: the
# reports a build cut short had stored, which this run does not read again).
Progress = Callable[[str, int, int], None]
Reader = Callable[[Iterable[Path]], Iterator[tuple[Path, "ReadDocument | DocumentError"]]]

EMBED_BATCH_PASSAGES = 256
CHECKPOINT_SECONDS = 30.0  # a killed build loses at most about this much work
CHECKPOINT_COST_SHARE = 0.05  # of the run's time, at most, spent writing checkpoints
_clock = time.monotonic  # when checkpoints are due (tests move it on by hand)


_DELETED = "cannot be read: it was deleted while the index was being built"
CHANGED_WHILE_READ = "changed while it was read"  # in place of a SHA-256: matches no file


# Meta key of an index built from scratch by a version that reads a text report's picture
# pages by OCR (an older one's reports were read without them).
PICTURES_READ = "pictures_read"
PASSAGE_INPUT = "title+passage"  # what each passage vector encodes (see passage_input)


def passage_input(title: str, text: str) -> str:
    """The text a passage is embedded from: its report's title, then the passage (a
    passage that opens with the title is embedded as it is)."""
    return f"{title}\n{text}" if title and not text.startswith(title) else text


def build_record(embedder: Embedder, settings: ChunkSettings) -> dict[str, str]:
    """The settings an index is built with; a different record needs a rebuild."""
    return {
        "model": embedder.name,
        "dim": str(embedder.dim),
        "max_tokens": str(settings.max_tokens),
        "overlap_tokens": str(settings.overlap_tokens),
        "passage_input": PASSAGE_INPUT,
    }


def check_compatible(meta: dict[str, str], record: dict[str, str], root: Path) -> None:
    """Refuse to mix passages embedded or cut differently, naming the fix."""
    differences = [
        f"{key} {meta.get(key)!r} (index) vs {value!r} (now)"
        for key, value in record.items()
        if key in meta and meta[key] != value
    ]
    if differences:
        raise IndexMismatchError(
            f"The index in {root}/ was built with other settings: {'; '.join(differences)}. "
            f"Rebuild it: qa-assistant index --rebuild --index {root}"
        )


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


def update_index(
    documents_dir: Path,
    index_dir: Path,
    embedder: Embedder,
    *,
    settings: ChunkSettings | None = None,
    rebuild: bool = False,
    progress: Progress | None = None,
    reader: Reader | None = None,
    wait_seconds: float = 0.0,
) -> IndexReport:
    """Make the index at ``index_dir`` match ``documents_dir``; see the module docstring.

    Holds the index's writer lock; raises ``IndexBusyError`` if another update runs.
    """
    settings = settings or ChunkSettings()
    started = time.perf_counter()
    report = IndexReport()
    record = build_record(embedder, settings)
    scan = scan_folder(documents_dir)
    with IndexLock(index_dir, wait_seconds=wait_seconds):
        try:
            reading = (embedder, settings, progress, reader)
            _update_locked((documents_dir, index_dir), rebuild, scan, record, report, reading)
        except IndexInterrupted:
            raise
        except KeyboardInterrupt as exc:
            raise IndexInterrupted(_saved(index_dir, rebuild, record), rebuild) from exc
    return _finish(report, index_dir, started)


def _update_locked(where, rebuild, scan, record, report: IndexReport, reading) -> None:
    """``update_index`` once it holds the lock: ``where`` is (documents folder, index
    folder), ``reading`` (embedder, settings, progress, reader)."""
    documents_dir, index_dir = where
    progress = reading[2]
    live = None if rebuild else current_generation(index_dir)
    if live is not None:
        meta = _check_generation(live, record, index_dir)
        report.before_picture_ocr = PICTURES_READ not in meta and tesseract() is not None
    live_stored, failures = _known(live)
    # A build cut short at a checkpoint goes on from there: what it stored with the
    # file's signature of today is not read again.
    work = find_work(index_dir, fresh=live is None, record=record)
    if work is None and live is not None:
        # An interrupted ``index --rebuild``: a plain ``index`` brings the live index up to
        # date instead, and drops the rebuild's copy rather than leave it on disk.
        left = find_work(index_dir, fresh=True, record=record)
        if left is not None:
            report.dropped_rebuild = len(_known(left)[0])
            discard(left)
    stored, failures = _known(work) if work is not None else (live_stored, failures)
    changes = find_changes(scan, stored, failures, report, where)
    if not (changes or live is None or work is not None):
        return

    with new_generation(index_dir, fresh=live is None, resume=work) as target:
        # Built from scratch, every report's picture pages were looked at (and named when
        # Tesseract is missing); an older index's reports stay as they were read then.
        target.set_meta({**record, PICTURES_READ: "1"} if live is None else record)
        if work is not None:
            # What the interrupted run stored and this one keeps: not a report deleted or
            # edited since (removed, or read again).
            redone = [*changes.removed, *(s.relative for s, k in changes.to_read if k == "updated")]
            reused = _ids(stored) - _ids(live_stored) - {stored[path].id for path in redone}
            report.resumed = len(reused)
            if progress:
                progress("resumed", report.resumed, report.resumed)
        _apply(target, changes, stored, report)
        _read_and_add(target, changes.to_read, stored, report, *reading)
        if work is not None:
            since_live(report, live_stored, target.stored_documents())


def _saved(index_dir: Path, rebuild: bool, record: dict[str, str]) -> int:
    """The reports a run cut short keeps at its last checkpoint, for the same command to go
    on from: those of the copy it would continue that the live index does not hold."""
    live = None if rebuild else current_generation(index_dir)
    work = find_work(index_dir, fresh=live is None, record=record)
    if work is None:
        return 0
    return len(_ids(_known(work)[0]) - _ids(_known(live)[0]))


def _ids(documents: dict[str, StoredDocument]) -> set[int]:
    return {document.id for document in documents.values()}


def _check_generation(generation: Path, record: dict[str, str], index_dir: Path) -> dict:
    """The generation's meta, once it is known to fit ``record``."""
    store = Store(generation, readonly=True)
    try:
        meta = store.meta()
        check_compatible(meta, record, index_dir)
        return meta
    finally:
        store.close()


def _known(generation: Path | None) -> tuple[dict[str, StoredDocument], dict]:
    """The documents and remembered failures of a generation (none where there is none)."""
    if generation is None:
        return {}, {}
    store = Store(generation, readonly=True)
    try:
        return store.stored_documents(), store.failures()
    finally:
        store.close()


def _apply(target: Store, changes: Changes, stored: dict, report: IndexReport) -> None:
    """Everything but reading: removals, forgotten failures, moves, new signatures."""
    for path in changes.removed:
        target.remove_document(stored[path].id)
        report.removed.append(path)
    for path in changes.gone_failures:
        target.forget_failure(path)
    for source, old in changes.moves:
        target.move_document(stored[old].id, source.relative, source.signature)
        target.forget_failure(source.relative)
        report.removed.append(old)
        report.added.append(source.relative)
        report.moved.append({"from": old, "to": source.relative})
    for source in changes.touched:
        target.set_signature(source.relative, source.signature)


def _finish(report: IndexReport, index_dir: Path, started: float) -> IndexReport:
    live = current_generation(index_dir)
    if live is not None:
        store = Store(live, readonly=True)
        report.documents, report.pages, report.passages = store.counts()
        store.close()
    report.seconds = time.perf_counter() - started
    for name in ("added", "updated", "removed", "unchanged", "ocr", "unread_pictures"):
        getattr(report, name).sort()
    report.failed.sort(key=lambda failure: failure.document)
    return report


def _read_and_add(target, to_read, stored, report, embedder, settings, progress, reader) -> None:
    reader = reader or _default_reader
    checkpoints = _Checkpoints(target)
    kinds = {source.path: (source, kind) for source, kind in to_read}
    total_passages = 0
    done_files = 0
    pending = _Pending()

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
        vectors = embedder.encode(texts) if texts else np.zeros((0, embedder.dim), np.float32)
        offset = 0
        for source, sha, document, chunks, kind in pending.items:
            own = vectors[offset : offset + len(chunks)]
            offset += len(chunks)
            _store_document(target, source, sha, document, chunks, own, stored, kind, report)
        total_passages += len(texts)
        if progress:
            progress("embed", total_passages, total_passages)
        pending = _Pending()

    def take(source: SourceFile, kind: str, result: ReadDocument | DocumentError) -> None:
        if isinstance(result, DocumentError) and _deleted(source.path):
            _forget_deleted(target, source, kind, stored, report)
            return
        if isinstance(result, DocumentError):
            _record_failure(target, source, kind, stored, report, result)
            return
        chunks = chunk_document(result.pages, embedder.count_tokens, settings)
        if not chunks:
            error = DocumentError("no extractable text (scanned?)")
            _record_failure(target, source, kind, stored, report, error)
            return
        try:
            sha = file_sha256(source.path)
            if signature(source.path.stat()) != source.signature:
                # Edited or replaced since the scan: the text read may be the old one. No
                # file has this hash, so the next run reads the file again, not taking the
                # new file's hash with the old text for a report up to date.
                sha = CHANGED_WHILE_READ
        except FileNotFoundError:
            _forget_deleted(target, source, kind, stored, report)
            return
        except OSError as exc:  # read a moment ago; locked or unmounted since
            error = DocumentError("cannot be read", describe_error(exc))
            _record_failure(target, source, kind, stored, report, error)
            return
        pending.add(source, sha, result, chunks, kind)
        if result.ocr:
            report.ocr.append(source.relative)
        if result.unread_pictures:
            report.unread_pictures.append(source.relative)
        if pending.passages >= EMBED_BATCH_PASSAGES:
            flush()

    for path, result in reader([source.path for source, _ in to_read]):
        source, kind = kinds[path]
        done_files += 1
        if progress:
            progress("read", done_files, len(to_read))
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
