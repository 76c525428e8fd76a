"""Index updates in a background thread, one at a time per index, for every app session.

``updater_for(index_dir)`` gives the process-wide ``IndexUpdater`` of an index; its
``UpdateState`` says where the latest update stands, for the progress bar. Every session
keeps answering from the previous index until the update switches to the new generation.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path

from .errors import QAError
from .types import IndexReport

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UpdateState:
    """Where the latest update of one index stands."""

    run: int = 0  # how many updates were started; tells sessions a new one finished
    running: bool = False
    stage: str = ""
    done: int = 0
    total: int = 0
    passages: int = 0
    resumed: int = 0  # reports an interrupted build had stored, not read again
    rebuild: bool = False
    report: IndexReport | None = None
    error: str | None = None
    started: float | None = None
    finished: float | None = None

    @property
    def fraction(self) -> float:
        """Share of the files done so far (read, embedded and stored; 0 to 1)."""
        return min(1.0, self.done / self.total) if self.total else 0.0

    def describe(self) -> str:
        """One line on the progress, for the progress bar."""
        if not self.running:
            return "Idle"
        if not self.total:
            return "Looking for new, changed and deleted reports…"
        embedded = f"; {self.passages} passages embedded" if self.passages else ""
        if self.resumed:
            embedded += f"; going on from an interrupted build ({self.resumed} reports done)"
        if self.done >= self.total:  # each report counts once read, embedded and stored
            return f"All {self.total} reports indexed{embedded}; saving the index…"
        return f"Indexing reports: {self.done} of {self.total} done{embedded}"


class IndexUpdater:
    """Runs one update of an index at a time, in a background thread, for all sessions.

    Questions keep being answered from the previous index: the store switches to the new
    generation atomically when the update ends, and the assistant notices on its next
    question. Use ``updater_for(index_dir)`` to get the process-wide updater of an index.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state = UpdateState()
        self._thread: threading.Thread | None = None

    def state(self) -> UpdateState:
        """A snapshot of the latest update."""
        with self._lock:
            return self._state

    def start(self, assistant, documents_dir: Path, *, rebuild: bool = False) -> bool:
        """Start updating ``assistant``'s index from ``documents_dir``; False if one runs."""
        with self._lock:
            if self._state.running:
                return False
            self._state = UpdateState(
                run=self._state.run + 1, running=True, rebuild=rebuild, started=time.time()
            )
            self._thread = threading.Thread(
                target=self._run,
                args=(assistant, Path(documents_dir), rebuild),
                name="qa-index-update",
                daemon=True,
            )
            self._thread.start()
        return True

    def wait(self, timeout: float | None = None) -> UpdateState:
        """Wait for the running update to end (tests, scripts); returns the state."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return self.state()

    def _progress(self, stage: str, done: int, total: int) -> None:
        with self._lock:
            if stage == "embed":
                self._state = replace(self._state, passages=done)
            elif stage == "resumed":
                self._state = replace(self._state, resumed=done)
            else:
                self._state = replace(self._state, stage=stage, done=done, total=total)

    def _run(self, assistant, documents_dir: Path, rebuild: bool) -> None:
        report: IndexReport | None = None
        error: str | None = None
        try:
            report = assistant.update(documents_dir, rebuild=rebuild, progress=self._progress)
        except QAError as exc:
            error = str(exc)
        except Exception as exc:  # the thread must always report back to the page
            log.exception("index update failed")
            error = f"The update failed unexpectedly: {exc}. The previous index is unchanged."
        with self._lock:
            self._state = replace(
                self._state, running=False, report=report, error=error, finished=time.time()
            )


_UPDATERS: dict[Path, IndexUpdater] = {}
_UPDATERS_LOCK = threading.Lock()


def updater_for(index_dir: Path) -> IndexUpdater:
    """The one updater of ``index_dir`` in this process, shared by every session."""
    key = Path(index_dir).resolve()
    with _UPDATERS_LOCK:
        return _UPDATERS.setdefault(key, IndexUpdater())
