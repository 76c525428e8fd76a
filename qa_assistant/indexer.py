"""Bring the index up to date with a documents folder: read → chunk → embed → store.

Only what changed is touched: new files are added, changed files re-indexed, deleted files
removed; an unchanged file (same size, mtime, ctime and inode, as git's index checks; or
else the same content hash) is not read again.
The new and changed files are read, embedded and stored by ``adding.py``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from .adding import read_and_add
from .changes import Changes, find_changes, since_live
from .config import ChunkSettings
from .embedding import Embedder
from .errors import DocumentError, IndexInterrupted, IndexMismatchError, QAError
from .generations import IndexLock, discard, find_work, new_generation, sweep_leftovers
from .index_layout import current_generation
from .ocr import tesseract
from .scanning import scan_folder
from .store import Store
from .types import IndexReport, ReadDocument, StoredDocument

# progress(stage, done, total): stage is "scan", "read", "embed" or "resumed" (done: the
# reports a build cut short had stored, which this run does not read again).
Progress = Callable[[str, int, int], None]
Reader = Callable[[Iterable[Path]], Iterator[tuple[Path, "ReadDocument | DocumentError"]]]

# Meta key of an index built from scratch by a version that reads a text report's picture
# pages by OCR (an older one's reports were read without them).
PICTURES_READ = "pictures_read"
PASSAGE_INPUT = "title+passage"  # what each passage vector encodes (see passage_input)


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
    if Path(documents_dir).resolve() == Path(index_dir).resolve():
        raise QAError(
            f"The index folder {index_dir}/ is the documents folder: the index would be "
            "written among the reports. Give the index a folder of its own, e.g. --index index/"
        )
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
        sweep_leftovers(index_dir)  # a copy killed before its first checkpoint, say
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
        read_and_add(target, changes.to_read, stored, report, *reading)
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
