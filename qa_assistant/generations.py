"""Index generations: how an update changes the index without ever breaking it.

The live index is the generation folder that ``CURRENT`` names. An update holds the
one-writer ``IndexLock``, copies the live generation (``new_generation``), changes the copy,
flushes it to disk and switches ``CURRENT`` to it atomically; a killed or failed run leaves
the previous generation answering, and its half-written copy is swept by the next run.
A full disk or a read-only folder is reported with the fix, the previous index unchanged.
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
    current_generation,
)
from .store import Store

__all__ = ["IndexLock", "new_generation"]


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
                    raise IndexBusyError(
                        f"Another qa-assistant index run (pid {holder}) is updating "
                        f"{self.root}/. Wait for it to finish, then run this again."
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


@contextlib.contextmanager
def new_generation(root: Path, *, fresh: bool) -> Iterator[Store]:
    """A writable copy of the live generation (or an empty one when ``fresh``).

    On normal exit the copy is flushed and made live atomically; on any exception it is
    deleted and the live generation is left as it was. The caller holds ``IndexLock``.
    """
    live = current_generation(root)
    folder: Path | None = None
    try:
        _sweep(root, keep=(live,))
        number = 1 + max(
            (int(p.name[4:]) for p in root.glob("gen-*") if p.name[4:].isdigit()), default=0
        )
        folder = root / f"gen-{number:06d}"
        folder.mkdir()
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
        store = Store(folder, readonly=False)
    except (OSError, sqlite3.Error) as exc:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        if _is_write_failure(exc):
            raise _write_error(root, exc) from exc
        raise
    try:
        store.conn.execute("BEGIN")
        yield store
        store.set_meta({"schema": SCHEMA_VERSION, "updated_at": _now()})
        store.conn.commit()
        if store.vectors_loaded or not (folder / VECTORS_FILE).exists():
            store.vectors.maybe_convert()  # flat while small, IVF once the collection is large
            store.vectors.save(folder / VECTORS_FILE)
        store.close()
        for name in (STORE_FILE, VECTORS_FILE):
            _fsync_path(folder / name)
        _fsync_path(folder)
        _switch_current(root, folder.name)
    except BaseException as exc:
        with contextlib.suppress(Exception):
            store.close()
        shutil.rmtree(folder, ignore_errors=True)
        if _is_write_failure(exc):
            raise _write_error(root, exc) from exc
        raise
    # The replaced generation stays until the next update: a question that began before the
    # switch may still open it from another thread.
    _sweep(root, keep=(folder, live))


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
