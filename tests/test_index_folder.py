"""What an index run does when the documents folder is not as expected: a folder it cannot
list, an empty folder, a file where the folder should be, a file name that is not UTF-8, a
file deleted mid-run, a failure caused by the machine rather than the file, a damaged PDF.
On the fake embedder and in-process readers (fast)."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest
from helpers_index import state, text_reader, write_state
from qa_assistant import FakeEmbedder, update_index
from qa_assistant.errors import STABLE_REASONS
from qa_assistant.reading import read_documents_inline
from qa_assistant.store import Store

FILES = {**state("a", range(2)), **state("b", range(2))}


@pytest.fixture
def indexed(tmp_path: Path) -> tuple[Path, Path]:
    """A documents folder with reports in a/ and b/, indexed."""
    documents, index_dir = tmp_path / "documents", tmp_path / "index"
    write_state(documents, FILES)
    update_index(documents, index_dir, FakeEmbedder(), reader=text_reader)
    return documents, index_dir


def spying(reader, seen: list[str]):
    """``reader``, noting the name of every file it is asked to read."""

    def read(paths):
        paths = list(paths)
        seen.extend(Path(path).name for path in paths)
        yield from reader(paths)

    return read


def deny_listing(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Make listing ``folder`` fail with EACCES, as for a folder without read permission
    (tests run as root, where chmod 000 blocks nothing)."""
    real_scandir = os.scandir

    def scandir(path=".", *args):
        if not isinstance(path, int) and Path(path).resolve() == folder.resolve():
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
        return real_scandir(path, *args)

    monkeypatch.setattr(os, "scandir", scandir)


def failures(index_dir: Path) -> dict[str, str]:
    store = Store.open_current(index_dir)
    try:
        return {path: error for path, (_, _, error) in store.failures().items()}
    finally:
        store.close()


# ------------------------------------------------------------------- a damaged PDF


def test_a_damaged_pdf_is_reported_with_what_to_do(tmp_path, data_dir):
    documents, index_dir = tmp_path / "documents", tmp_path / "index"
    write_state(documents, FILES)
    shutil.copyfile(data_dir / "corrupt.pdf", documents / "corrupt.pdf")
    report = update_index(documents, index_dir, FakeEmbedder(), reader=read_documents_inline)
    [failure] = report.failed
    assert failure.document == "corrupt.pdf" and failure.error.startswith(STABLE_REASONS)
    assert failure.error.startswith("cannot be read: the PDF looks damaged (PdfStreamError")
    assert failure.error.endswith(
        "open it in a PDF viewer, save or print it as a new PDF, and add that"
    )
