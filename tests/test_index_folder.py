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
from helpers_index import fingerprint, indexed_fingerprint, state, text_reader, write_state

from qa_assistant import FakeEmbedder, QAError, changes, update_index
from qa_assistant import assistant as assistant_module
from qa_assistant.cli import main as cli_main
from qa_assistant.errors import STABLE_REASONS, DocumentError
from qa_assistant.index_layout import current_generation
from qa_assistant.reading import read_documents_inline
from qa_assistant.store import Store
from qa_assistant.types import PageText, ReadDocument

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
        return {path: error for path, (_, error) in store.failures().items()}
    finally:
        store.close()


# ------------------------------------------------------------- folders it cannot list


def test_a_subfolder_that_cannot_be_listed_keeps_its_reports_as_they_were(indexed, monkeypatch):
    documents, index_dir = indexed
    write_state(documents, {**FILES, **state("c", [5])})  # something new elsewhere
    deny_listing(monkeypatch, documents / "a")
    seen: list[str] = []
    report = update_index(documents, index_dir, FakeEmbedder(), reader=spying(text_reader, seen))
    monkeypatch.undo()
    assert report.removed == [] and report.added == ["c/report_05.txt"]
    assert seen == ["report_05.txt"]  # a/'s reports are neither removed nor read again
    assert [(f.document, f.error) for f in report.failed] == [
        (
            "a/",
            "cannot read folder a/: permission denied; its reports stay in the index as they were",
        )
    ]
    assert indexed_fingerprint(index_dir) == fingerprint({**FILES, **state("c", [5])})


def test_a_remembered_failure_under_a_folder_it_cannot_list_is_kept(indexed, monkeypatch):
    documents, index_dir = indexed
    (documents / "a" / "broken.txt").write_bytes(b"\xff\xfe\x00not text")
    update_index(documents, index_dir, FakeEmbedder(), reader=text_reader)
    assert "a/broken.txt" in failures(index_dir)
    (documents / "b" / "report_00.txt").unlink()  # a change, so a new generation is written
    deny_listing(monkeypatch, documents / "a")
    report = update_index(documents, index_dir, FakeEmbedder(), reader=text_reader)
    monkeypatch.undo()
    assert report.removed == ["b/report_00.txt"]
    assert "a/broken.txt" in failures(index_dir)


def test_a_documents_folder_that_cannot_be_listed_is_an_error_and_changes_nothing(
    indexed, monkeypatch
):
    documents, index_dir = indexed
    before = current_generation(index_dir)
    deny_listing(monkeypatch, documents)
    with pytest.raises(QAError) as caught:
        update_index(documents, index_dir, FakeEmbedder(), reader=text_reader)
    monkeypatch.undo()
    message = str(caught.value)
    assert f"Cannot read the documents folder {documents}/: permission denied" in message
    assert "\n" not in message and "unchanged" in message
    assert current_generation(index_dir) == before
    assert indexed_fingerprint(index_dir) == fingerprint(FILES)


def test_cli_says_in_one_line_that_the_documents_folder_cannot_be_read(
    indexed, monkeypatch, capsys
):
    documents, index_dir = indexed
    monkeypatch.setattr(assistant_module, "SentenceTransformerEmbedder", FakeEmbedder)
    deny_listing(monkeypatch, documents)
    code = cli_main(["index", "--documents", str(documents), "--index", str(index_dir)])
    monkeypatch.undo()
    lines = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(lines) == 1 and "permission denied" in lines[0], lines


# ----------------------------------------------------------------- an empty folder


def test_an_empty_documents_folder_does_not_wipe_the_index(indexed):
    documents, index_dir = indexed
    before = current_generation(index_dir)
    for child in documents.iterdir():  # a network share that is not mounted
        shutil.rmtree(child)
    with pytest.raises(QAError) as caught:
        update_index(documents, index_dir, FakeEmbedder(), reader=text_reader)
    message = str(caught.value)
    assert "holds no reports" in message and "nothing was removed" in message
    assert "--rebuild" in message and "\n" not in message
    assert current_generation(index_dir) == before
    assert indexed_fingerprint(index_dir) == fingerprint(FILES)
    report = update_index(documents, index_dir, FakeEmbedder(), reader=text_reader, rebuild=True)
    assert report.documents == 0 and indexed_fingerprint(index_dir) == {}


def test_deleting_some_reports_still_removes_them(indexed):
    documents, index_dir = indexed
    write_state(documents, state("a", [0]))
    report = update_index(documents, index_dir, FakeEmbedder(), reader=text_reader)
    assert len(report.removed) == 3 and indexed_fingerprint(index_dir) == fingerprint(
        state("a", [0])
    )


# ------------------------------------------------------------- a file, not a folder


def test_documents_pointing_at_a_file_says_it_is_a_file(tmp_path):
    report = tmp_path / "report.pdf"
    report.write_bytes(b"%PDF-1.4")
    with pytest.raises(QAError) as caught:
        update_index(report, tmp_path / "index", FakeEmbedder(), reader=text_reader)
    message = str(caught.value)
    assert f"{report} is a file, not a folder" in message and "does not exist" not in message
    assert "--documents" in message and "\n" not in message


def test_the_documents_folder_as_the_index_is_refused_and_nothing_written(tmp_path, capsys):
    documents = tmp_path / "reports"
    write_state(documents, state("a", [0, 1]))
    before = sorted(p.name for p in documents.iterdir())
    assert cli_main(["index", "--documents", str(documents), "--index", str(documents)]) == 1
    message = capsys.readouterr().err
    assert "is the documents folder" in message and "--index index/" in message
    assert sorted(p.name for p in documents.iterdir()) == before  # no CURRENT, lock, gen-*


# ------------------------------------------------------- a file name that is not UTF-8


def test_a_file_name_that_is_not_utf8_is_reported_and_the_rest_indexed(tmp_path):
    documents, index_dir = tmp_path / "documents", tmp_path / "index"
    write_state(documents, FILES)
    bad = documents / os.fsdecode(b"bad\xe9name.txt")
    bad.write_text("Report\nA report whose name is Latin-1.", encoding="utf-8")
    report = update_index(documents, index_dir, FakeEmbedder(), reader=text_reader)
    assert report.added == sorted(FILES)
    assert [(f.document, f.error) for f in report.failed] == [
        ("bad\\xe9name.txt", "cannot be read: its file name is not valid UTF-8; rename it")
    ]
    report.to_json()["failed"][0]["document"].encode("utf-8")  # prints and JSON-encodes
    again = update_index(documents, index_dir, FakeEmbedder(), reader=text_reader)
    assert again.unchanged == sorted(FILES) and len(again.failed) == 1


# --------------------------------------------------------- a file deleted mid-run


def deleting(reader, victim: Path, when: str):
    """``reader``, deleting ``victim`` before it starts reading (``when="before"``) or just
    after it has read it (``"after"``), as a user might while the run goes on."""

    def read(paths):
        if when == "before":
            victim.unlink()
        for path, result in reader(paths):
            if when == "after" and Path(path) == victim:
                victim.unlink()
            yield path, result

    return read


@pytest.mark.parametrize("when", ["before", "after"])
@pytest.mark.parametrize("reader", [text_reader, read_documents_inline])
def test_a_new_file_deleted_during_the_run_is_reported_and_the_run_finishes(tmp_path, when, reader):
    documents, index_dir = tmp_path / "documents", tmp_path / "index"
    write_state(documents, FILES)
    victim = documents / "a" / "report_01.txt"
    report = update_index(
        documents, index_dir, FakeEmbedder(), reader=deleting(reader, victim, when)
    )
    assert report.added == sorted(set(FILES) - {"a/report_01.txt"})
    assert [(f.document, f.error) for f in report.failed] == [
        ("a/report_01.txt", "cannot be read: it was deleted while the index was being built")
    ]
    assert "a/report_01.txt" not in failures(index_dir)  # gone: nothing to remember
    again = update_index(documents, index_dir, FakeEmbedder(), reader=text_reader)
    assert not again.failed and again.unchanged == report.added


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_changed_file_deleted_during_the_run_is_removed(indexed, when):
    documents, index_dir = indexed
    victim = documents / "b" / "report_01.txt"
    victim.write_text("Report\nA new edition of this report.", encoding="utf-8")
    report = update_index(
        documents, index_dir, FakeEmbedder(), reader=deleting(text_reader, victim, when)
    )
    assert report.removed == ["b/report_01.txt"] and not report.failed
    assert indexed_fingerprint(index_dir) == fingerprint(
        {k: v for k, v in FILES.items() if k != "b/report_01.txt"}
    )


def test_a_touched_file_deleted_before_it_is_hashed_is_removed(indexed, monkeypatch):
    documents, index_dir = indexed
    victim = documents / "b" / "report_01.txt"
    os.utime(victim, ns=(victim.stat().st_atime_ns, victim.stat().st_mtime_ns + 10**9))
    real_hash = changes.file_sha256

    def delete_then_hash(path: Path) -> str:
        if path == victim:
            victim.unlink()
        return real_hash(path)

    monkeypatch.setattr(changes, "file_sha256", delete_then_hash)
    report = update_index(documents, index_dir, FakeEmbedder(), reader=text_reader)
    assert report.removed == ["b/report_01.txt"] and not report.failed


def test_a_changed_file_that_now_holds_no_text_leaves_the_index(indexed):
    documents, index_dir = indexed
    victim = documents / "b" / "report_01.txt"
    victim.write_text("Report\n", encoding="utf-8")

    def blank_pages(paths):
        for path in paths:
            yield path, ReadDocument([PageText(1, "")], "Report")

    report = update_index(documents, index_dir, FakeEmbedder(), reader=blank_pages)
    assert [(f.document, f.error) for f in report.failed] == [
        ("b/report_01.txt", "no extractable text (scanned?)")
    ]
    assert "b/report_01.txt" not in indexed_fingerprint(index_dir)  # not the old version


# --------------------------------------------- failures of the machine, not the file


def locked_then_open(locked: set[str]):
    """An in-process reader that fails with PermissionError on the named files until they
    are taken out of ``locked``."""

    def read_one(path: Path) -> ReadDocument:
        if Path(path).name in locked:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        text = Path(path).read_text(encoding="utf-8")
        return ReadDocument([PageText(1, text)], text.splitlines()[0])

    return lambda paths: read_documents_inline(paths, reader=read_one)


def test_a_file_it_had_no_permission_to_read_is_tried_again(tmp_path):
    documents, index_dir = tmp_path / "documents", tmp_path / "index"
    write_state(documents, FILES)
    locked = {"report_00.txt"}
    first = update_index(documents, index_dir, FakeEmbedder(), reader=locked_then_open(locked))
    assert [f.document for f in first.failed] == ["a/report_00.txt", "b/report_00.txt"]
    assert all(f.error.startswith("cannot be read: PermissionError") for f in first.failed)
    locked.clear()  # the permissions were fixed; the files themselves did not change
    again = update_index(documents, index_dir, FakeEmbedder(), reader=locked_then_open(locked))
    assert again.added == ["a/report_00.txt", "b/report_00.txt"] and not again.failed
    assert failures(index_dir) == {}


def test_a_reader_process_that_could_not_start_is_tried_again(tmp_path):
    documents, index_dir = tmp_path / "documents", tmp_path / "index"
    write_state(documents, FILES)

    def no_process(paths):
        for path in paths:
            yield path, DocumentError("cannot be read", "the reader process could not start (1)")

    first = update_index(documents, index_dir, FakeEmbedder(), reader=no_process)
    assert len(first.failed) == len(FILES)
    again = update_index(documents, index_dir, FakeEmbedder(), reader=text_reader)
    assert again.added == sorted(FILES) and not again.failed


def test_what_a_file_holds_is_still_remembered(tmp_path):
    documents, index_dir = tmp_path / "documents", tmp_path / "index"
    write_state(documents, FILES)
    (documents / "scan.pdf").write_bytes(b"%PDF-1.4 image only")

    def scanned(paths):
        for path in paths:
            if Path(path).suffix == ".pdf":
                yield path, DocumentError("no extractable text (scanned?)", "run OCR")
            else:
                yield from text_reader([path])

    update_index(documents, index_dir, FakeEmbedder(), reader=scanned)
    seen: list[str] = []
    again = update_index(documents, index_dir, FakeEmbedder(), reader=spying(scanned, seen))
    assert seen == [] and [f.document for f in again.failed] == ["scan.pdf"]


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


def test_a_web_page_saved_as_pdf_is_named_no_pdf_not_a_damaged_one(tmp_path):
    documents, index_dir = tmp_path / "documents", tmp_path / "index"
    write_state(documents, FILES)
    (documents / "saved page.pdf").write_text("<!DOCTYPE html><html><body>OMIK</body></html>")
    report = update_index(documents, index_dir, FakeEmbedder(), reader=read_documents_inline)
    [failure] = report.failed
    assert failure.error.startswith("cannot be read: it is not a PDF (it does not start with")
    assert failure.error.endswith("save the original as a PDF and add that")


def test_a_linked_folder_is_indexed_once_and_a_link_back_up_ends_there(tmp_path):
    documents, index_dir, shelf = tmp_path / "documents", tmp_path / "index", tmp_path / "shelf"
    write_state(documents, FILES)
    write_state(shelf, {"kept/elsewhere.txt": "Elsewhere report\nThe shelf holds 12 reports."})
    (documents / "linked").symlink_to(shelf, target_is_directory=True)
    (documents / "loop").symlink_to(documents, target_is_directory=True)
    report = update_index(documents, index_dir, FakeEmbedder(), reader=text_reader)
    assert "linked/kept/elsewhere.txt" in report.added and not report.failed
    assert not any(path.startswith("loop/") for path in report.added)
    assert len(report.added) == len(FILES) + 1
