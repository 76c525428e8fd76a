"""Scanned PDFs: pages that are pictures are read by Tesseract when it is installed, and
reported with how to install it when it is not."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from qa_assistant import reading
from qa_assistant.errors import DocumentError
from qa_assistant.indexer import update_index
from qa_assistant.ocr import tesseract
from qa_assistant.reader_pool import ReaderPool
from qa_assistant.reading import read_documents_inline
from qa_assistant.types import PageText, ReadDocument

needs_tesseract = pytest.mark.skipif(
    tesseract() is None, reason="Tesseract is not installed (make ocr-deps installs it)"
)

PAGES = [
    [
        "Mission Report on Police Training",
        "The Mission trained 42 police officers",
        "in Obilic in March 2024.",
    ],
    ["Conclusions", "The municipal assembly adopted", "a new action plan on safety."],
]


def scanned_pdf(path: Path, pages: list[list[str]]) -> Path:
    """A PDF whose pages are only pictures of text, as a scanner makes them."""
    font = ImageFont.load_default(size=44)
    pictures = []
    for lines in pages:
        picture = Image.new("L", (1700, 2200), 255)
        draw = ImageDraw.Draw(picture)
        for number, line in enumerate(lines):
            draw.text((150, 200 + 90 * number), line, fill=0, font=font)
        pictures.append(picture)
    pictures[0].save(path, "PDF", resolution=200, save_all=True, append_images=pictures[1:])
    return path


def folder_with_a_scan(folder: Path) -> Path:
    """A documents folder holding a scan and a text file."""
    folder.mkdir()
    scanned_pdf(folder / "scan.pdf", PAGES)
    (folder / "notes.txt").write_text("Field notes\n\nThe office opened in May.\n")
    return folder


def test_a_scan_without_tesseract_is_reported_with_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reading, "tesseract", lambda: None)
    with pytest.raises(DocumentError) as caught:
        reading.read_document(scanned_pdf(tmp_path / "scan.pdf", PAGES))
    assert caught.value.reason == "no extractable text (scanned?)"
    assert "apt-get install tesseract-ocr" in str(caught.value)


@needs_tesseract
def test_a_scanned_pdf_is_read_page_by_page(tmp_path: Path) -> None:
    document = reading.read_document(scanned_pdf(tmp_path / "scan.pdf", PAGES))
    assert document.ocr
    assert [page.number for page in document.pages] == [1, 2]
    first, second = (" ".join(page.text.split()) for page in document.pages)
    assert "The Mission trained 42 police officers in Obilic in March 2024." in first
    assert "The municipal assembly adopted a new action plan on safety." in second
    assert "Obilic" not in second


@needs_tesseract
def test_a_blank_scan_is_reported(tmp_path: Path) -> None:
    with pytest.raises(DocumentError) as caught:
        reading.read_document(scanned_pdf(tmp_path / "blank.pdf", [[], []]))
    assert caught.value.reason == "no extractable text (scanned?)"
    assert "OCR found no text" in str(caught.value)


def test_a_pdf_with_text_is_not_read_by_ocr(data_dir: Path) -> None:
    path = data_dir / "report_multipage.pdf"
    if not path.exists():
        pytest.skip("fixture tests/data/report_multipage.pdf is absent")
    assert not reading.read_document(path).ocr


# A reader for the pool is a top-level function, so that the spawned worker can import it.
def slow_scan_reader(path: Path) -> ReadDocument:
    """Five pages of a scan, each under the pool's timeout, all of them over it."""
    for _ in range(5):
        time.sleep(0.5)
        if path.name.startswith("scan") and reading._page_hook is not None:
            reading._page_hook()
    return ReadDocument(pages=[PageText(1, "text")], title=path.name, ocr=True)


def test_the_timeout_counts_per_page_of_a_scan(tmp_path: Path) -> None:
    scan, hung = tmp_path / "scan.pdf", tmp_path / "stuck.pdf"
    with ReaderPool(timeout=1.5, reader=slow_scan_reader) as pool:
        results = dict(pool.imap([scan, hung]))
    assert isinstance(results[scan], ReadDocument) and results[scan].ocr
    assert isinstance(results[hung], DocumentError) and results[hung].reason == "timed out"


@needs_tesseract
def test_index_says_which_reports_were_read_by_ocr(tmp_path: Path, fake_embedder) -> None:
    documents = folder_with_a_scan(tmp_path / "documents")
    report = update_index(
        documents, tmp_path / "index", fake_embedder, reader=read_documents_inline
    )
    assert sorted(report.added) == ["notes.txt", "scan.pdf"]
    assert report.ocr == ["scan.pdf"]
    assert report.to_json()["ocr"] == ["scan.pdf"]


@needs_tesseract
def test_a_scan_skipped_without_tesseract_is_read_once_it_is_installed(
    tmp_path: Path, fake_embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    documents = folder_with_a_scan(tmp_path / "documents")
    index = tmp_path / "index"
    with monkeypatch.context() as patched:
        patched.setattr(reading, "tesseract", lambda: None)
        first = update_index(documents, index, fake_embedder, reader=read_documents_inline)
    assert [failure.document for failure in first.failed] == ["scan.pdf"]
    again = update_index(documents, index, fake_embedder, reader=read_documents_inline)
    assert again.added == ["scan.pdf"] and again.ocr == ["scan.pdf"] and not again.failed


def test_the_app_says_which_reports_were_read_by_ocr() -> None:
    from streamlit.testing.v1 import AppTest

    def page() -> None:
        from app_pages.common import last_update_result
        from qa_assistant.index_updater import UpdateState
        from qa_assistant.types import IndexReport

        report = IndexReport(added=["old/scan_1990.pdf", "notes.txt"], ocr=["old/scan_1990.pdf"])
        last_update_result(UpdateState(report=report))

    app = AppTest.from_function(page).run()
    assert not app.exception
    [message] = app.success
    shown = message.value.replace("\\", "")  # the Markdown source, escaped
    assert "2 added" in shown
    assert "1 scanned, read by OCR (old/scan_1990.pdf): check a quote" in shown
