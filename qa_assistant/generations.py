"""Index generations: how an update changes the index without ever breaking it.

The live index is the generation folder that ``CURRENT`` names. An update holds the
one-writer ``IndexLock``, copies the live generation (``new_generation``), changes the copy,
flushes it to disk and switches ``CURRENT`` to it atomically; a killed or failed run leaves
the previous generation answering. A full disk or a read-only folder is reported with the
fix, the previous index unchanged.

A long build does not start over when it is killed: at checkpoints (``checkpoint``) the copy
commits its work so far, its vectors written beside it under a new name that the commit
records, so the pair on disk is always consistent. The next run continues that copy
(``find_work``) if it was made from the generation still live (or both are builds from
nothing) with the same settings; any other leftover copy is swept, as is one that failed
to write (it may be what filled the disk).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

from .errors import IndexBusyError, QAError
from .index_layout import (
    CURRENT,
    LOCK_FILE,
    SCHEMA_VERSION,
    STORE_FILE,
    VECTORS_FILE,
    connect,
    current_generation,
)
from .store import Store
from .vectors import VectorIndex

__all__ = ["IndexLock", "checkpoint", "discard", "find_work", "new_generation"]

# Meta keys of a copy being worked on, gone once it is live: the generation it was copied
# from ("" for a build from nothing), the last checkpoint's number and its vectors file.
_WORK_BASE, _WORK_CHECKPOINT, _WORK_VECTORS = "work_base", "work_checkpoint", "work_vectors"


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# SQLite reports a full disk or a read-only file as OperationalError, not OSError.
_SQLITE_WRITE_FAILURES = ("SQLITE_FULL", "SQLITE_IOERR", "SQLITE_READONLY", "SQLITE_CANTOPEN")


def _is_write_failure(exc: BaseException) -> bool:
    """Whether an exception means the disk refused a write (full, read-only, I/O error)."""
    if isinstance(exc, OSError):
        return True
    name = getattr(exc, "sqlite_errorname", "") or ""
    return isinstance(exc, sqlite3.OperationalError) and name.startswith(_SQLITE_WRITE_FAILURES)


def _write_error(root: Path, exc: BaseException) -> QAError:
    reason = getattr(exc, "strerror", None) or exc
    return QAError(
        f"Cannot write the index in {root}/: {reason}. Free disk space or make "
        "the folder writable, then run qa-assistant index again; the previous index is "
        "unchanged."
    )


class IndexLock:
    """The one-writer lock of an index folder (``flock``, released when the process dies)."""

    def __init__(self, root: Path, *, wait_seconds: float = 0.0) -> None:
        self.root = root
        self.wait_seconds = wait_seconds
        self._fd: int | None = None

    def __enter__(self) -> IndexLock:
        path = self.root / LOCK_FILE
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise _write_error(self.root, exc) from exc
        deadline = time.monotonic() + self.wait_seconds
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
                    os.close(fd)
                    waited = f" (waited {self.wait_seconds:g} s)" if self.wait_seconds else ""
                    raise IndexBusyError(
                        f"Another qa-assistant index run (pid {holder}) is updating "
                        f"{self.root}/{waited}. Wait for it to finish, then run this again."
                    ) from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._fd = fd
        return self

    def __exit__(self, *exc_info) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def find_work(root: Path, *, fresh: bool, record: dict[str, str]) -> Path | None:
    """The copy a killed or interrupted run left at a checkpoint that this run may continue:
    made from the generation still live (``fresh``: both builds from nothing), with the
    build settings ``record``. None when there is none; a copy that is not, or does not
    hold together, is left to be swept. The caller holds ``IndexLock``."""
    live = current_generation(root)
    base = "" if fresh or live is None else live.name
    for folder in sorted(root.glob("gen-*"), reverse=True):
        if folder != live and _resumable(folder, base, record):
            return folder
    return None


def discard(folder: Path) -> None:
    """Delete a leftover copy (from ``find_work``) that this run will not continue. The
    caller holds ``IndexLock``."""
    shutil.rmtree(folder, ignore_errors=True)


def sweep_leftovers(root: Path) -> None:
    """Remove every generation but the live one: what a run with nothing to write leaves,
    such as a copy killed before its first checkpoint. The caller holds ``IndexLock``."""
    _sweep(root, keep=(current_generation(root),))


def _resumable(folder: Path, base: str, record: dict[str, str]) -> bool:
    """Whether a leftover copy was made from ``base`` with ``record`` and is at a checkpoint
    whose vectors load and match its passages."""
    try:
        # Writable, so that a transaction the kill cut off is rolled back now.
        conn = connect(folder / STORE_FILE, readonly=False)
        try:
            meta = dict(conn.execute("SELECT key, value FROM meta"))
            passages = conn.execute("SELECT count(*) FROM passages").fetchone()[0]
        finally:
            conn.close()
        if not (
            meta.get(_WORK_BASE) == base
            and _WORK_CHECKPOINT in meta
            and all(meta.get(key) == value for key, value in record.items())
        ):
            return False
        return len(_work_vectors(folder, meta)) == passages
    except (OSError, sqlite3.Error, RuntimeError, ValueError, KeyError):
        return False  # not a database, or vectors FAISS cannot read


def _work_vectors(folder: Path, meta: dict[str, str]) -> VectorIndex:
    """The vectors of a copy's last checkpoint (the file its meta names)."""
    return VectorIndex.load(folder / meta.get(_WORK_VECTORS, VECTORS_FILE), int(meta["dim"]))


def checkpoint(store: Store) -> None:
    """Commit the work of ``store`` (a copy from ``new_generation``) so far: its vectors are
    written under a new name first, then the commit names them, so a run killed at any
    moment leaves a database and vectors that match. The caller goes on writing."""
    meta = store.meta()
    number = int(meta.get(_WORK_CHECKPOINT, "0")) + 1
    previous = meta.get(_WORK_VECTORS, VECTORS_FILE)
    vectors = previous
    if store.vectors_loaded:
        vectors = f"{VECTORS_FILE}.{number}"
        store.vectors.save(store.folder / vectors)
        _fsync_path(store.folder / vectors)
        _fsync_path(store.folder)
    store.set_meta({_WORK_CHECKPOINT: str(number), _WORK_VECTORS: vectors})
    store.conn.commit()
    if previous not in (vectors, VECTORS_FILE):
        (store.folder / previous).unlink(missing_ok=True)
    store.conn.execute("BEGIN")


def _checkpointed(store: Store) -> bool:
    """Whether the copy has committed a checkpoint (what is not committed is rolled back)."""
    with contextlib.suppress(sqlite3.Error):
        store.conn.rollback()
        return _WORK_CHECKPOINT in store.meta()
    return False


@contextlib.contextmanager
def new_generation(root: Path, *, fresh: bool, resume: Path | None = None) -> Iterator[Store]:
    """A writable copy of the live generation (or an empty one when ``fresh``), or the copy
    ``resume`` (from ``find_work``) as its last checkpoint left it.

    On normal exit the copy is flushed and made live atomically. On an exception the live
    generation is left as it was; the copy is deleted, unless it has a checkpoint to be
    continued and did not fail to write. The caller holds ``IndexLock``.
    """
    live = current_generation(root)
    folder: Path | None = None
    try:
        _sweep(root, keep=(live, resume))
        if resume is not None:
            folder = resume
            store = Store(folder, readonly=False)
            store.attach_vectors(_work_vectors(folder, store.meta()))
        else:
            folder = _copy_of(root, live, fresh)
            store = Store(folder, readonly=False)
    except (OSError, sqlite3.Error) as exc:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        if _is_write_failure(exc):
            raise _write_error(root, exc) from exc
        raise
    try:
        store.conn.execute("BEGIN")
        if resume is None:
            store.set_meta({_WORK_BASE: "" if fresh or live is None else live.name})
        yield store
        store.set_meta({"schema": SCHEMA_VERSION, "updated_at": _now()})
        work = (_WORK_BASE, _WORK_CHECKPOINT, _WORK_VECTORS)
        store.conn.executemany("DELETE FROM meta WHERE key = ?", [(key,) for key in work])
        store.conn.commit()
        if store.vectors_loaded or not (folder / VECTORS_FILE).exists():
            store.vectors.maybe_convert()  # flat while small, IVF once the collection is large
            store.vectors.save(folder / VECTORS_FILE)
        store.close()
        for leftover in folder.glob(f"{VECTORS_FILE}.*"):  # the checkpoints' vectors
            leftover.unlink()
        for name in (STORE_FILE, VECTORS_FILE):
            _fsync_path(folder / name)
        _fsync_path(folder)
        _switch_current(root, folder.name)
    except BaseException as exc:
        # Kept to be continued: a copy at a checkpoint, cut short by Ctrl-C or a failure of
        # reading; not one that failed to write (it may be what filled the disk) or whose
        # database failed (it may be damaged).
        damaged = _is_write_failure(exc) or isinstance(exc, sqlite3.Error)
        keep = not damaged and _checkpointed(store)
        with contextlib.suppress(Exception):
            store.close()
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)
        if _is_write_failure(exc):
            raise _write_error(root, exc) from exc
        raise
    # The replaced generation stays until the next update: a question that began before the
    # switch may still open it from another thread.
    _sweep(root, keep=(folder, live))


def _copy_of(root: Path, live: Path | None, fresh: bool) -> Path:
    """A new generation folder holding a copy of ``live`` (nothing when ``fresh``)."""
    number = 1 + max(
        (int(p.name[4:]) for p in root.glob("gen-*") if p.name[4:].isdigit()), default=0
    )
    folder = root / f"gen-{number:06d}"
    folder.mkdir()
    try:
        if live is not None and not fresh:
            source = sqlite3.connect(f"file:{live / STORE_FILE}?mode=ro", uri=True)
            target = sqlite3.connect(folder / STORE_FILE)
            try:
                with target:
                    source.backup(target)
            finally:
                source.close()
                target.close()
            if (live / VECTORS_FILE).exists():
                shutil.copyfile(live / VECTORS_FILE, folder / VECTORS_FILE)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _switch_current(root: Path, name: str) -> None:
    temporary = root / f"{CURRENT}.tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(name + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, root / CURRENT)
    _fsync_path(root)


def _sweep(root: Path, keep: tuple[Path | None, ...]) -> None:
    """Remove generations other than ``keep`` (half-written ones, or ones replaced)."""
    kept = {folder.name for folder in keep if folder is not None}
    for folder in root.glob("gen-*"):
        if folder.name not in kept:
            shutil.rmtree(folder, ignore_errors=True)
