"""A pool of reader processes: ``read_document`` run apart from the indexer, so that a PDF
that hangs the parser or eats all memory is reported and skipped instead of stopping the
run. Each file gets a timeout and each process a memory cap; the pool reads ahead while the
caller embeds, and a crashed or killed reader is replaced.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import queue
import signal
import sys
import threading
import time
import types
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from qa_assistant.errors import DocumentError
from qa_assistant.reading import TOO_LARGE_HINT, describe_error, read_document, set_page_hook
from qa_assistant.types import ReadDocument

__all__ = ["ReaderPool"]

logger = logging.getLogger(__name__)

_Payload = tuple[Any, ...]


def _worker_main(
    tasks: Any, results: Any, reader: Callable[[Path], ReadDocument], memory_limit: int | None
) -> None:
    """Loop of the reader process: read each (seq, path) task and send back the outcome."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if memory_limit is not None:
        _limit_memory(memory_limit)
    while True:
        try:
            task = tasks.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        seq, path = task
        try:
            results.send(("start", seq))
        except OSError:
            return  # the parent has gone
        set_page_hook(lambda seq=seq: _still_reading(results, seq))
        payload = _read_for_worker(reader, Path(path))
        if not _send_result(results, seq, payload):
            return
        if payload[0] == "error" and payload[1] == "too large":
            return  # start afresh rather than go on with a fragmented heap


def _still_reading(results: Any, seq: int) -> None:
    """Tell the pool that file ``seq`` is still being read (a page of a scan was read by
    OCR): its timeout counts from here."""
    with contextlib.suppress(OSError):
        results.send(("start", seq))


def _read_for_worker(reader: Callable[[Path], ReadDocument], path: Path) -> _Payload:
    try:
        return ("ok", reader(path))
    except DocumentError as error:
        return ("error", error.reason, error.detail)
    except MemoryError:
        return ("error", "too large", "ran out of memory while reading it")
    except Exception as error:
        return ("error", "cannot be read", describe_error(error))


def _send_result(results: Any, seq: int, payload: _Payload) -> bool:
    """Send one outcome (DocumentError itself does not survive pickling); False if gone."""
    try:
        results.send(("done", seq, payload))
    except OSError:
        return False
    except MemoryError:
        return False  # the parent sees the process end and reports "too large"
    except Exception as error:
        try:
            results.send(("done", seq, ("error", "cannot be read", describe_error(error))))
        except Exception:
            return False
    return True


def _limit_memory(limit: int) -> None:
    try:
        import resource
    except ImportError:  # not on this platform; the timeout still guards
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _exit_description(code: int | None) -> str:
    if code is None:
        return "still running"
    return f"killed by signal {-code}" if code < 0 else f"exit code {code}"


_START_LOCK = threading.Lock()


@contextlib.contextmanager
def _main_script_hidden(reader: Callable[[Path], ReadDocument]) -> Iterator[None]:
    """While a reader process starts: a plain ``__main__`` in place of the running script.

    A spawned process imports the parent's ``__main__`` script before it runs anything.
    Under Streamlit that script is the whole app, which would run again, headless, in every
    reader process (seconds of start-up and pages of warnings). The reader needs none of it,
    unless it is itself defined in that script.
    """
    main = sys.modules.get("__main__")
    if main is None or getattr(reader, "__module__", None) == "__main__":
        yield
        return
    with _START_LOCK:
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            yield
        finally:
            sys.modules["__main__"] = main


class _Worker:
    """One reader process, its two pipes, and a thread that drains its results."""

    def __init__(
        self, context: Any, reader: Callable[[Path], ReadDocument], memory_limit: int | None
    ) -> None:
        task_out, self._tasks = context.Pipe(duplex=False)
        results, result_in = context.Pipe(duplex=False)
        self.process = context.Process(
            target=_worker_main,
            args=(task_out, result_in, reader, memory_limit),
            name="qa-assistant-reader",
            daemon=True,
        )
        with _main_script_hidden(reader):
            self.process.start()
        task_out.close()
        result_in.close()
        self.inbox: queue.SimpleQueue[tuple[float, _Payload]] = queue.SimpleQueue()
        self._drain = threading.Thread(target=self._drain_results, args=(results,), daemon=True)
        self._drain.start()

    def _drain_results(self, results: Any) -> None:
        # Draining in a thread lets the worker hand over big documents and read ahead
        # while the caller is busy; each message carries the time it arrived.
        try:
            while True:
                self.inbox.put((time.monotonic(), results.recv()))
        except Exception:  # EOF when the process ends, or a broken message
            pass
        finally:
            results.close()
            self.inbox.put((time.monotonic(), ("exit",)))

    def submit(self, seq: int, path: Path) -> None:
        try:
            self._tasks.send((seq, str(path)))
        except OSError:
            pass  # it died; the drain thread reports the exit

    def stop(self, kill: bool) -> None:
        if not kill:
            with contextlib.suppress(OSError):
                self._tasks.send(None)
            self.process.join(timeout=2)
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self._tasks.close()
        self._drain.join(timeout=2)


class ReaderPool:
    """Reads files in one separate process, guarded by a timeout and a memory cap.

    Use as a context manager; ``imap`` yields ``(path, ReadDocument | DocumentError)`` in
    input order while up to ``prefetch`` files are read ahead. A file that runs past
    ``timeout`` seconds yields "timed out"; one that exhausts ``memory_limit`` bytes or kills
    the process yields "too large". The process is then restarted and the rest continue.
    ``reader`` must be a picklable top-level function (default ``read_document``). A
    scanned PDF read by OCR has ``timeout`` seconds for each page, not for the whole file.
    """

    def __init__(
        self,
        *,
        timeout: float = 120.0,
        memory_limit: int | None = 2 * 1024**3,
        prefetch: int = 4,
        reader: Callable[[Path], ReadDocument] = read_document,
    ) -> None:
        if timeout <= 0:
            raise ValueError("timeout must be a positive number of seconds")
        if memory_limit is not None and memory_limit <= 0:
            raise ValueError("memory_limit must be a positive number of bytes, or None")
        if prefetch < 1:
            raise ValueError("prefetch must be at least 1")
        self.timeout = timeout
        self.memory_limit = memory_limit
        self.prefetch = prefetch
        self.reader = reader
        self._context = multiprocessing.get_context("spawn")
        self._worker: _Worker | None = None
        self._seq = 0
        self._started: dict[int, float] = {}
        self._done: dict[int, _Payload] = {}
        self._idle_exits = 0

    def __enter__(self) -> ReaderPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the reader process."""
        self._discard_worker(kill=False)

    def imap(self, paths: Iterable[Path]) -> Iterator[tuple[Path, ReadDocument | DocumentError]]:
        """Read ``paths`` in the reader process, yielding results in input order."""
        source = iter(paths)
        pending: deque[tuple[int, Path]] = deque()
        try:
            self._fill(source, pending)
            while pending:
                seq, path = pending[0]
                result = self._wait_for(seq, pending)
                pending.popleft()
                self._fill(source, pending)
                yield path, result
        finally:
            if pending:  # abandoned early: drop the files still queued in the worker
                self._discard_worker(kill=True)

    def _fill(self, source: Iterator[Path], pending: deque[tuple[int, Path]]) -> None:
        while len(pending) < self.prefetch:
            try:
                path = Path(next(source))
            except StopIteration:
                return
            self._seq += 1
            pending.append((self._seq, path))
            self._ensure_worker().submit(self._seq, path)

    def _ensure_worker(self) -> _Worker:
        if self._worker is None:
            self._worker = _Worker(self._context, self.reader, self.memory_limit)
        return self._worker

    def _discard_worker(self, kill: bool) -> None:
        if self._worker is not None:
            self._worker.stop(kill=kill)
            self._worker = None
        self._started.clear()
        self._done.clear()

    def _restart(self, pending: deque[tuple[int, Path]], skip: int) -> None:
        """Start a fresh worker and hand it the queued files it had not finished."""
        done = dict(self._done)
        self._discard_worker(kill=True)
        self._done.update(done)
        for seq, path in pending:
            if seq != skip and seq not in done:
                self._ensure_worker().submit(seq, path)

    def _next_message(self, worker: _Worker, seq: int) -> tuple[float, _Payload] | None:
        """The worker's next message, or None once file ``seq`` has run past the timeout."""
        try:
            # What has come in goes first: while the caller was busy, the worker may have
            # started *and finished* this file long ago.
            return worker.inbox.get_nowait()
        except queue.Empty:
            pass
        while True:
            started = self._started.get(seq)
            wait = 5.0 if started is None else started + self.timeout - time.monotonic()
            if wait <= 0:
                return None
            try:
                return worker.inbox.get(timeout=min(wait, 5.0))
            except queue.Empty:
                if not worker.process.is_alive():
                    return time.monotonic(), ("exit",)

    def _wait_for(self, seq: int, pending: deque[tuple[int, Path]]) -> ReadDocument | DocumentError:
        while seq not in self._done:
            worker = self._ensure_worker()
            received = self._next_message(worker, seq)
            if received is None:
                self._restart(pending, skip=seq)
                return DocumentError(
                    "timed out", f"reading took longer than {self.timeout:g} s; {TOO_LARGE_HINT}"
                )
            arrived, message = received
            if message[0] == "start":
                self._started[message[1]] = arrived
                self._idle_exits = 0
            elif message[0] == "done":
                self._done[message[1]] = message[2]
            elif message[0] == "exit":
                worker.process.join(timeout=1)
                code = _exit_description(worker.process.exitcode)
                if seq in self._started:
                    self._restart(pending, skip=seq)
                    return DocumentError(
                        "too large",
                        f"the reader process ran out of memory or crashed ({code}); "
                        f"{TOO_LARGE_HINT}",
                    )
                self._idle_exits += 1
                if self._idle_exits >= 2:
                    self._restart(pending, skip=seq)
                    return DocumentError(
                        "cannot be read", f"the reader process could not start ({code})"
                    )
                self._restart(pending, skip=-1)
        payload = self._done.pop(seq)
        self._started.pop(seq, None)
        if payload[0] == "ok":
            return payload[1]
        return DocumentError(payload[1], payload[2])
