"""What a documents folder holds: the report files to index, by path, with their size and
time, and what could not be looked at (a folder that cannot be listed, a name that is not
UTF-8), so that an unreadable folder is reported instead of emptying the index.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .config import SUPPORTED_SUFFIXES
from .errors import QAError
from .reading import describe_error
from .types import FailedDocument, FileSignature


@dataclass(frozen=True)
class SourceFile:
    """A file in the documents folder, with what its ``stat`` says of it."""

    path: Path
    relative: str
    signature: FileSignature

    @property
    def size(self) -> int:
        """The file's size in bytes."""
        return self.signature.size


@dataclass
class FolderScan:
    """What a documents folder holds: the files to index; what could not be looked at,
    reported with why; and the paths (folders end in ``/``) whose documents stay in the
    index as they were, because their folder could not be listed."""

    files: list[SourceFile] = field(default_factory=list)
    failed: list[FailedDocument] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    def keeps(self, relative: str) -> bool:
        """Whether the indexed document at ``relative`` lies in a folder not listed."""
        return any(relative.startswith(folder) for folder in self.kept)


_BAD_NAME = "cannot be read: its file name is not valid UTF-8; rename it"


def scan_folder(folder: Path) -> FolderScan:
    """Supported files under ``folder`` (recursively, linked folders too, hidden ones
    skipped), by path, and what could not be looked at: a subfolder that cannot be listed
    (its documents stay in the index as they were), a file whose name is not UTF-8
    (skipped).

    Raises ``QAError`` when ``folder`` is missing, is a file or cannot be listed itself:
    reading it as empty would empty the index.
    """
    folder = Path(folder)
    _check_documents_folder(folder)
    scan = FolderScan()

    def not_listed(directory: str, error: OSError) -> None:
        if isinstance(error, (FileNotFoundError, NotADirectoryError)):
            return  # deleted while the scan ran: its reports are gone
        where = Path(directory)
        if where == folder:
            raise _unreadable_folder(folder, error) from error
        relative = where.relative_to(folder).as_posix() + "/"
        scan.kept.append(relative)
        scan.failed.append(
            FailedDocument(
                _shown(relative),
                f"cannot read folder {_shown(relative)}: {_reason(error)}; its reports stay "
                "in the index as they were",
            )
        )

    def walk_error(error: OSError) -> None:
        not_listed(error.filename or os.fspath(folder), error)

    # A linked folder is followed like any other (a shelf of reports kept elsewhere); each
    # real folder is read once, so a link back up the tree ends there.
    seen: set[str] = set()
    for directory, subdirs, files in os.walk(folder, onerror=walk_error, followlinks=True):
        real = os.path.realpath(directory)
        if real in seen:
            subdirs[:] = []
            continue
        seen.add(real)
        subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or not name.lower().endswith(SUPPORTED_SUFFIXES):
                continue
            path = Path(directory) / name
            relative = path.relative_to(folder).as_posix()
            if _shown(relative) != relative:
                scan.failed.append(FailedDocument(_shown(relative), _BAD_NAME))
                continue
            try:
                info = path.stat()
            except PermissionError as error:  # a folder that may be listed, not entered
                subdirs[:] = []
                not_listed(directory, error)
                break
            except OSError:
                continue  # deleted since it was listed, or a broken link: not a report
            scan.files.append(SourceFile(path, relative, signature(info)))
    kept = tuple(scan.kept)
    scan.files = [source for source in scan.files if not source.relative.startswith(kept)]
    return scan


def signature(info: os.stat_result) -> FileSignature:
    """A file's quick signature from its ``stat``: size, mtime, ctime and inode."""
    return FileSignature(info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def scan_documents(folder: Path) -> list[SourceFile]:
    """Supported files under ``folder`` (recursively, hidden ones skipped), by path; see
    ``scan_folder`` for what cannot be looked at."""
    return scan_folder(folder).files


def _check_documents_folder(folder: Path) -> None:
    try:
        mode = folder.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        raise QAError(
            f"The documents folder {folder}/ does not exist. Create it and put PDF, TXT or MD "
            "reports in it, or pass --documents DIR."
        ) from None
    except OSError as error:
        raise _unreadable_folder(folder, error) from error
    if not stat.S_ISDIR(mode):
        raise QAError(
            f"{folder} is a file, not a folder. Pass the folder that holds the reports: "
            f"--documents {folder.parent}"
        )


def _unreadable_folder(folder: Path, error: OSError) -> QAError:
    return QAError(
        f"Cannot read the documents folder {folder}/: {_reason(error)}. Make it readable "
        "(or mount it), then run qa-assistant index again; the index is unchanged."
    )


def _reason(error: OSError) -> str:
    """An OSError's reason in words, as a clause: "permission denied"."""
    text = error.strerror or describe_error(error)
    return text[:1].lower() + text[1:]


def _shown(relative: str) -> str:
    """A path as it can be printed and stored: bytes that are not UTF-8 as ``\\xNN``."""
    return os.fsencode(relative).decode("utf-8", "backslashreplace")


def file_sha256(path: Path) -> str:
    """The content hash that decides whether a touched file really changed."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
