"""What changed in a documents folder since its index: the files to read (new or changed),
those only touched (same content, new signature), renamed or moved, deleted, and the
failures that still stand. Nothing is read here but the hash of a file whose quick
signature changed.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from pathlib import Path

from .errors import QAError
from .ocr import OCR_FIX, tesseract
from .scanning import FolderScan, SourceFile, file_sha256
from .types import FailedDocument, FileSignature, IndexReport, StoredDocument


def _os_error_names() -> list[str]:
    return sorted(
        name
        for name, value in vars(builtins).items()
        if isinstance(value, type) and issubclass(value, OSError)
    )


# Failures of the machine rather than of the file may be gone by the next run: a file that ran
# out of time on a busy machine, one the reader had no permission to open or whose share went
# away (an OSError), a reader process that could not start. Those are tried again on every
# run; what a file holds (a password, images only, a damaged structure) is remembered until
# the file changes.
_TRANSIENT_FAILURES = (
    "timed out",
    "cannot be read: the reader process could not start",
    *(f"cannot be read: {name}" for name in _os_error_names()),
)


@dataclass
class Changes:
    """What an update does to the index: read ``to_read`` (each ``"added"`` or
    ``"updated"``), record the new signature of ``touched`` files, remove ``removed``,
    forget ``gone_failures``, and keep the passages of each ``(new file, old path)`` move."""

    to_read: list[tuple[SourceFile, str]] = field(default_factory=list)
    touched: list[SourceFile] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    gone_failures: list[str] = field(default_factory=list)
    moves: list[tuple[SourceFile, str]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(
            self.to_read or self.touched or self.removed or self.gone_failures or self.moves
        )


def find_changes(
    scan: FolderScan,
    stored: dict[str, StoredDocument],
    failures: dict[str, tuple[FileSignature, str]],
    report: IndexReport,
    where: tuple[Path, Path],
) -> Changes:
    """Compare the folder (``scan``) with the index (``stored``, ``failures``); files left as
    they are go to ``report.unchanged`` and ``report.failed``. ``where`` (documents folder,
    index folder) words the refusal of a folder that holds nothing while the index does."""
    changes = Changes()
    present = {f.relative for f in scan.files}
    for source in scan.files:
        known = stored.get(source.relative)
        if known and known.signature == source.signature:
            report.unchanged.append(source.relative)
        elif known:
            try:
                sha = file_sha256(source.path)
            except FileNotFoundError:  # deleted since the scan: it is gone
                present.discard(source.relative)
                continue
            except OSError:  # the reader will say why it cannot be read
                changes.to_read.append((source, "updated"))
                continue
            if sha == known.sha256:
                report.unchanged.append(source.relative)
                changes.touched.append(source)
            else:
                changes.to_read.append((source, "updated"))
        elif source.relative in failures and _still_failing(failures[source.relative], source):
            report.failed.append(FailedDocument(source.relative, failures[source.relative][1]))
        else:
            changes.to_read.append((source, "added"))
    report.failed.extend(scan.failed)
    report.unchanged.extend(path for path in stored if scan.keeps(path))
    removed = sorted(path for path in stored if path not in present and not scan.keeps(path))
    changes.gone_failures = [p for p in failures if p not in present and not scan.keeps(p)]
    if removed and not (scan.files or scan.failed):
        documents_dir, index_dir = where
        raise QAError(
            f"The documents folder {documents_dir}/ holds no reports, but the index in "
            f"{index_dir}/ holds {len(stored)} reports; nothing was removed. If the folder "
            "is a share that is not mounted, mount it and run this again; to empty the "
            "index on purpose, run qa-assistant index --rebuild."
        )
    changes.moves = _moves(changes.to_read, removed, stored)
    moved_to = {source.relative for source, _ in changes.moves}
    moved_from = {old for _, old in changes.moves}
    changes.to_read = [item for item in changes.to_read if item[0].relative not in moved_to]
    changes.removed = [path for path in removed if path not in moved_from]
    return changes


def _still_failing(failure: tuple[FileSignature, str], source: SourceFile) -> bool:
    """Whether a remembered failure still stands (same file, and not a transient one)."""
    signature, error = failure
    if signature != source.signature or error.startswith(_TRANSIENT_FAILURES):
        return False
    # A scan skipped before OCR could read it is read once Tesseract is installed.
    return not (_unread_scan(error) and tesseract() is not None)


def _unread_scan(error: str) -> bool:
    """A scan reported with OCR as the fix (Tesseract missing, or an index built before
    OCR), not one whose pictures OCR has read in vain."""
    return error.startswith("no extractable text") and OCR_FIX in error


def _moves(
    to_read: list[tuple[SourceFile, str]], removed: list[str], stored: dict
) -> list[tuple[SourceFile, str]]:
    """(new file, old path) for each report renamed or moved: a new file with the content of
    one that is gone (same size, then same SHA-256). Its passages are kept under the new
    path instead of being read and embedded again."""
    gone: dict[int, list[str]] = {}
    for path in removed:
        gone.setdefault(stored[path].signature.size, []).append(path)
    moves = []
    for source, kind in to_read:
        if kind != "added" or source.size not in gone:
            continue
        try:
            sha = file_sha256(source.path)
        except OSError:
            continue  # the reader will say why it cannot be read
        old = next((p for p in gone[source.size] if stored[p].sha256 == sha), None)
        if old is not None:
            gone[source.size].remove(old)
            moves.append((source, old))
    return moves


def since_live(
    report: IndexReport, live: dict[str, StoredDocument], final: dict[str, StoredDocument]
) -> None:
    """Word a resumed run's report as a run never interrupted would have: what changed from
    the live index (``live``) to the one this run made (``final``), so the reports stored
    before the interruption count as added, updated, removed or moved too. A document keeps
    its id when it is unchanged or moved; one read again gets a new id."""
    failed = {failure.document for failure in report.failed}
    path_of = {document.id: path for path, document in live.items()}
    report.added = [path for path in final if path not in live]
    report.removed = [path for path in live if path not in final and path not in failed]
    report.updated = [p for p, d in final.items() if p in live and live[p].id != d.id]
    report.unchanged = [p for p, d in final.items() if p in live and live[p].id == d.id]
    report.moved = sorted(
        ({"from": path_of[d.id], "to": p} for p, d in final.items() if path_of.get(d.id, p) != p),
        key=lambda move: move["to"],
    )
