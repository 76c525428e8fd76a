"""The one user-facing error type, and the reasons a document cannot be read."""

from __future__ import annotations

# The reasons a document can fail with; tests and the UI rely on these exact words.
STABLE_REASONS = (
    "password-protected",
    "cannot be read",
    "no extractable text (scanned?)",
    "empty file",
    "unsupported file type",
    "too large",
    "timed out",
)


class QAError(Exception):
    """A problem the user can fix. The message says what is wrong and how to fix it.

    The CLI prints ``str(error)`` as one line and exits 1; the UI shows it as an error box.
    """


class IndexMissingError(QAError):
    """There is no index to answer from yet."""


class IndexMismatchError(QAError):
    """The index was built with other settings (model, dimension, chunking)."""


class IndexBusyError(QAError):
    """Another process is updating the index."""


class DocumentError(QAError):
    """One document cannot be read. ``reason`` is short and stable, shown in failure tables.

    ``reason`` is one of ``STABLE_REASONS``.
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}" if detail else reason)


class IndexInterrupted(KeyboardInterrupt):
    """An index run stopped by Ctrl-C (or SIGTERM, which the CLI turns into one); the live
    index is unchanged. ``saved``: the reports the last checkpoint keeps, from which the
    same command (``rebuild`` or not) goes on; 0 when the next run starts over. A
    KeyboardInterrupt, so that whoever stops on Ctrl-C stops on this too."""

    def __init__(self, saved: int, rebuild: bool) -> None:
        super().__init__()
        self.saved = saved
        self.rebuild = rebuild
