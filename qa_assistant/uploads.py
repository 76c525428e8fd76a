"""Add and delete reports in the documents folder, never outside it.

``add_upload`` stores an uploaded file only after checking its name, size, type (by its
content), that the same content is not there already and that the guarded reader can read
it; ``delete_report`` removes one report file. ``document_path`` keeps every path inside the
documents folder. A refused upload raises ``UploadError`` and writes nothing.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from uuid import uuid4

from .config import SUPPORTED_SUFFIXES
from .errors import DocumentError, QAError
from .scanning import file_sha256, scan_documents

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
_SAFE_NAME = re.compile(r"[A-Za-z0-9._ -]+")


class UploadError(QAError):
    """An uploaded file was refused; the message says why and what to do."""


def document_path(documents_dir: Path, relative: str) -> Path:
    """The file of a report path relative to the documents folder, refusing to leave it."""
    root = Path(documents_dir).resolve()
    target = (root / relative).resolve()
    if not target.is_relative_to(root) or target == root:
        raise QAError(f"{relative!r} is not a file inside the documents folder {documents_dir}/")
    return target


def safe_file_name(name: str) -> str:
    """A file name fit to store: no folders, no leading dot, letters (accents folded),
    digits, ``._-`` and spaces only, and a supported extension. Raises ``UploadError``."""
    if not name or not name.strip():
        raise UploadError("The file has no name.")
    if "/" in name or "\\" in name or "\x00" in name or name.strip() in (".", ".."):
        raise UploadError(
            f"Refused {name!r}: a file name must not contain folders ('/', '\\' or '..'). "
            "Upload the file itself and pick the folder under 'Save into'."
        )
    folded = unicodedata.normalize("NFKD", name.strip()).encode("ascii", "ignore").decode()
    if folded.startswith("."):
        raise UploadError(f"Refused {name!r}: a file name must not start with a dot.")
    if not _SAFE_NAME.fullmatch(folded) or len(folded) > 200:
        raise UploadError(
            f"Refused {name!r}: use at most 200 letters, digits, spaces, '.', '_' or '-' "
            "in file names. Rename the file and upload it again."
        )
    if not folded.lower().endswith(SUPPORTED_SUFFIXES):
        raise UploadError(
            f"Refused {name!r}: only {', '.join(SUPPORTED_SUFFIXES)} files can be added."
        )
    return folded


def _check_content(name: str, data: bytes) -> None:
    if not data:
        raise UploadError(f"Refused {name!r}: the file is empty.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadError(
            f"Refused {name!r}: it is {len(data) / 2**20:.0f} MB; the limit is "
            f"{MAX_UPLOAD_BYTES // 2**20} MB."
        )
    if name.lower().endswith(".pdf"):
        if not data.startswith(b"%PDF-"):
            raise UploadError(f"Refused {name!r}: it is not a PDF (it does not start with %PDF-).")
    elif b"\x00" in data[:65536] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UploadError(f"Refused {name!r}: it is binary data, not text.")


def _guarded_read(path: Path) -> DocumentError | None:
    """Read ``path`` in the guarded reader process (timeout, memory cap): the error, or None."""
    from .reader_pool import ReaderPool

    with ReaderPool(timeout=60.0) as pool:
        for _, result in pool.imap([path]):
            return result if isinstance(result, DocumentError) else None
    return None


def add_upload(
    documents_dir: Path,
    name: str,
    data: bytes,
    *,
    folder: str = "",
    replace_existing: bool = False,
    check: Callable[[Path], DocumentError | None] = _guarded_read,
) -> Path:
    """Store an uploaded report in ``documents_dir/folder`` after checking its name, size,
    type (by content), that its content is not already there, and that it can be read.
    Returns the stored path; raises ``UploadError`` and writes nothing when refused."""
    file_name = safe_file_name(name)
    _check_content(name, data)
    documents_dir = Path(documents_dir)
    documents_dir.mkdir(parents=True, exist_ok=True)
    target_dir = document_path(documents_dir, folder) if folder else documents_dir.resolve()
    if not target_dir.is_dir():
        raise UploadError(f"The folder {folder!r} does not exist in {documents_dir}/.")
    target = target_dir / file_name
    relative = target.relative_to(documents_dir.resolve()).as_posix()
    digest = hashlib.sha256(data).hexdigest()
    for source in scan_documents(documents_dir):
        if file_sha256(source.path) == digest:
            raise UploadError(
                f"Refused {name!r}: the same file is already there as {source.relative}."
            )
    if target.exists() and not replace_existing:
        raise UploadError(
            f"Refused {name!r}: {relative} already exists. Tick 'Replace reports of the same "
            "name' to put the new version in its place."
        )
    temporary = target_dir / f".upload-{uuid4().hex}{target.suffix.lower()}"
    try:
        temporary.write_bytes(data)
        problem = check(temporary)
        if problem is not None:
            raise UploadError(f"Refused {name!r}: {problem}.")
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return target


def delete_report(documents_dir: Path, relative: str) -> None:
    """Delete one report file from the documents folder (the next update drops it)."""
    target = document_path(documents_dir, relative)
    if not target.is_file() or not target.name.lower().endswith(SUPPORTED_SUFFIXES):
        raise QAError(f"{relative} is not a report in {documents_dir}/.")
    target.unlink()
