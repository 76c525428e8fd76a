"""Scanned PDFs: pages that are pictures are read by Tesseract when it is installed, and
reported with how to install it when it is not."""

from __future__ import annotations

import importlib
import io
import json
import sys
import time
from pathlib import Path
from typing import TypeVar

import pytest
from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader, PdfWriter

from qa_assistant import reading
from qa_assistant.app_support import citation_card_html, page_text
from qa_assistant.errors import DocumentError
from qa_assistant.indexer import update_index
from qa_assistant.ocr import join_figure_labels, legible, ocr_pages, tesseract, without_logo_noise
from qa_assistant.page_image import render_page
from qa_assistant.reader_pool import ReaderPool
from qa_assistant.reading import read_documents_inline
from qa_assistant.types import IndexReport, PageText, ReadDocument

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
minipdf = importlib.import_module("minipdf")

needs_tesseract = pytest.mark.skipif(
    tesseract() is None, reason="Tesseract is not installed (make ocr-deps installs it)"
)

Target = TypeVar("Target", Path, io.BytesIO)

PAGES = [
    [
        "Mission Report on Police Training",
        "The Mission trained 42 police officers",
        "in Obilic in March 2024.",
    ],
    ["Conclusions", "The municipal assembly adopted", "a new action plan on safety."],
]


def scanned_pdf(path: Target, pages: list[list[str]]) -> Target:
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


TEXT_PAGE = (
    "# Activity Report\n\nThe Mission monitored the municipal elections in Obilic and "
    "reported on the conduct of the count at each of the polling stations it visited. " * 3
)
ANNEX = [
    "Annex: Key results in 2024",
    "The Mission trained 42 police officers",
    "and supported 7 municipal safety councils.",
]
MAP = [
    "Obilic   Prizren   Gjakova   Peje",
    "Mitrovice   Ferizaj   Gjilan",
    "Podujeve   Vushtrri   Rahovec",
]


def text_pdf_with_a_scanned_page(path: Path, picture_lines: list[str]) -> Path:
    """A text PDF whose second page is a picture of ``picture_lines``, as a scanned annex
    or an infographic is."""
    scan = io.BytesIO()
    scanned_pdf(scan, [picture_lines])
    return text_page_then(scan, path)


def text_page_then(scan: io.BytesIO, path: Path) -> Path:
    """``path``: a page of text, then the pages of the PDF ``scan``."""
    writer = PdfWriter()
    text = io.BytesIO(minipdf.pdf_bytes([TEXT_PAGE], title="Activity Report"))
    for part in (text, scan):
        for page in PdfReader(part).pages:
            writer.add_page(page)
    writer.write(path)
    return path


def infographic_pdf(path: Path) -> Path:
    """A text report whose second page is an infographic: each figure set above its label,
    the way a designer lays out key results, and kept as a picture."""
    key_results = [
        ("49.2 million", "Unintended pregnancies averted"),
        ("422,000", "New HIV infections averted"),
        ("18.4 million", "New sexually transmitted infections averted"),
        ("104,000", "Maternal deaths averted"),
    ]
    font = ImageFont.load_default(size=44)
    picture = Image.new("L", (1700, 2200), 255)
    draw = ImageDraw.Draw(picture)
    draw.text((150, 150), "Key results achieved in programme countries", fill=0, font=font)
    for n, (figure, label) in enumerate(key_results):
        draw.text((150, 400 + 300 * n), figure, fill=0, font=ImageFont.load_default(size=64))
        draw.text((150, 500 + 300 * n), label, fill=0, font=font)
    scan = io.BytesIO()
    picture.save(scan, "PDF", resolution=200)
    return text_page_then(scan, path)


def flat_pages(document: ReadDocument) -> list[str]:
    """Each page's text with its lines run together, as a reader reads it."""
    return [" ".join(page.text.split()) for page in document.pages]


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
    assert document.ocr_pages == (1, 2)
    first, second = flat_pages(document)
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


@needs_tesseract
def test_a_scanned_page_of_a_text_pdf_is_read_by_ocr(tmp_path: Path) -> None:
    document = reading.read_document(text_pdf_with_a_scanned_page(tmp_path / "r.pdf", ANNEX))
    assert document.ocr_pages == (2,)
    text, annex = flat_pages(document)
    assert "monitored the municipal elections in Obilic" in text
    assert "The Mission trained 42 police officers and supported 7 municipal" in annex
    assert "police" not in text  # the annex stays on its own page


@needs_tesseract
def test_a_picture_of_place_names_in_a_text_pdf_is_not_taken_for_text(tmp_path: Path) -> None:
    document = reading.read_document(text_pdf_with_a_scanned_page(tmp_path / "map.pdf", MAP))
    assert document.ocr_pages == () and not document.ocr
    assert flat_pages(document)[1] == ""


def test_without_tesseract_a_text_pdf_is_read_from_its_text_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reading, "tesseract", lambda: None)
    document = reading.read_document(text_pdf_with_a_scanned_page(tmp_path / "r.pdf", ANNEX))
    assert not document.ocr
    assert "monitored the municipal elections" in document.pages[0].text
    assert "police officers" not in " ".join(page.text for page in document.pages)
    assert document.unread_pictures == (2,)  # said, with how to have it read


@needs_tesseract
@pytest.mark.model
def test_index_says_which_picture_pages_it_left_unread_and_how_to_have_them_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from qa_assistant.cli import main

    documents, index = tmp_path / "documents", tmp_path / "index"
    documents.mkdir()
    text_pdf_with_a_scanned_page(documents / "report.pdf", ANNEX)
    with monkeypatch.context() as patched:
        patched.setenv("PATH", str(tmp_path))  # no tesseract, in the reader processes too
        assert main(["index", "--documents", str(documents), "--index", str(index)]) == 0
    shown = capsys.readouterr().out
    assert (
        "1 of them with pages that are pictures, left unread: report.pdf. To have them read, "
        "install Tesseract (apt-get install tesseract-ocr), then rebuild the index "
        "(qa-assistant index --rebuild)." in shown
    )
    assert main(["index", "--documents", str(documents), "--index", str(index), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["unchanged"] == ["report.pdf"]
    args = ["index", "--documents", str(documents), "--index", str(index), "--rebuild"]
    assert main(args) == 0
    assert "1 of them with scanned pages, read by OCR: report.pdf." in capsys.readouterr().out


def test_an_infographic_s_figures_stand_with_their_labels() -> None:
    read = "Key results\n49.2 million\nUnintended pregnancies averted\nOver 200,000 Midwives\n"
    read += "422,000\nNew HIV infections averted\n80% of countries\nIntegrated health\n8\nYouth"
    assert join_figure_labels(read).split("\n") == [
        "Key results",
        "49.2 million Unintended pregnancies averted",
        "Over 200,000 Midwives",  # its label is on its line
        "422,000 New HIV infections averted",
        "80% of countries Integrated health",
        "8",  # an icon's number, not a figure
        "Youth",
    ]


def test_a_logo_read_as_letters_is_dropped_from_the_line_it_opens() -> None:
    read = "UNITED NATIONS\n(gs General Assembly\n(a) The Mission\n• The Office\nof (gs Note"
    assert without_logo_noise(read).split("\n") == [
        "UNITED NATIONS",
        "General Assembly",  # the UN emblem was read as "(gs"
        "(a) The Mission",
        "• The Office",
        "of (gs Note",
    ]


def test_text_read_on_a_picture_is_kept_when_it_reads_as_english() -> None:
    assert legible(
        "Over 200,000 midwives were trained in 2024, and 65 of the countries made new pledges."
    )
    assert not legible(
        "Obilic Prizren Gjakova Peje Mitrovice Ferizaj Gjilan Podujeve Vushtrri Drenas"
    )
    assert not legible("The Mission trained")  # too few words to tell


@needs_tesseract
@pytest.mark.model
def test_a_figure_of_an_infographic_answers_the_question_it_counts(
    tmp_path: Path, real_embedder, capsys: pytest.CaptureFixture[str]
) -> None:
    from qa_assistant import Assistant
    from qa_assistant.cli import main

    documents, index = tmp_path / "documents", tmp_path / "index"
    documents.mkdir()
    infographic_pdf(documents / "results.pdf")
    report = update_index(documents, index, real_embedder, reader=read_documents_inline)
    assert report.ocr == ["results.pdf"]
    assistant = Assistant(index, embedder=real_embedder)
    answer = assistant.ask("How many new HIV infections were averted?")
    assert answer.answered
    assert answer.answer.startswith("422,000 New HIV infections averted")
    assert (answer.citations[0].document, answer.citations[0].page) == ("results.pdf", 2)
    # the reader is told the quote was read by OCR, in JSON and on the card
    assert answer.citations[0].ocr and answer.to_json()["citations"][0]["ocr"] is True
    assert "read by OCR: check a figure" in citation_card_html(answer.citations[0])
    capsys.readouterr()
    assert main(["ask", "How many new HIV infections were averted?", "--index", str(index)]) == 0
    assert (
        "[1] results.pdf, page 2 (read by OCR: check a figure against the page): 422,000"
        in capsys.readouterr().out
    )
    text = assistant.ask("Which elections did the Mission monitor?")
    assert text.citations[0].page == 1 and not text.citations[0].ocr


def test_an_index_built_before_ocr_pages_were_kept_still_answers(
    tmp_path: Path, fake_embedder
) -> None:
    import sqlite3

    from qa_assistant import Assistant
    from qa_assistant.index_layout import STORE_FILE, current_generation

    documents = folder_with_a_scan(tmp_path / "documents")
    (documents / "scan.pdf").unlink()
    update_index(documents, tmp_path / "index", fake_embedder, reader=read_documents_inline)
    store = current_generation(tmp_path / "index") / STORE_FILE
    with sqlite3.connect(store) as older:
        older.execute("DROP TABLE ocr_pages")
    answer = Assistant(tmp_path / "index", embedder=fake_embedder).ask("When did the office open?")
    assert answer.citations and not any(citation.ocr for citation in answer.citations)


def test_an_index_built_before_pictures_were_read_says_a_rebuild_reads_them(
    tmp_path: Path, fake_embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from qa_assistant import indexer
    from qa_assistant.index_layout import STORE_FILE, current_generation

    monkeypatch.setattr(indexer, "tesseract", lambda: "/usr/bin/tesseract")
    documents, index = folder_with_a_scan(tmp_path / "documents"), tmp_path / "index"
    (documents / "scan.pdf").unlink()

    def update(rebuild: bool = False) -> IndexReport:
        return update_index(
            documents, index, fake_embedder, reader=read_documents_inline, rebuild=rebuild
        )

    assert not update().before_picture_ocr  # built now: every picture was looked at
    with sqlite3.connect(current_generation(index) / STORE_FILE) as older:
        older.execute("DELETE FROM meta WHERE key = ?", (indexer.PICTURES_READ,))
    assert update().to_json()["before_picture_ocr"] is True  # as an older version left it
    with monkeypatch.context() as patched:
        patched.setattr(indexer, "tesseract", lambda: None)
        assert not update().before_picture_ocr  # a rebuild would read no picture
    update(rebuild=True)
    assert not update().before_picture_ocr


@needs_tesseract
def test_the_page_shown_in_the_app_is_the_only_one_read_by_ocr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read: list[int] = []

    def counted(pages, *args, **kwargs):
        read.append(len(pages))
        return ocr_pages(pages, *args, **kwargs)

    monkeypatch.setattr(reading, "ocr_pages", counted)
    text = page_text(scanned_pdf(tmp_path / "scan.pdf", PAGES), 2)
    assert "The municipal assembly adopted a new action plan" in " ".join(text.split())
    assert read == [1]  # page 2 alone: OCR takes seconds a page


def test_a_scanned_page_is_drawn_as_printed_but_its_sentence_is_not_marked(
    tmp_path: Path,
) -> None:
    # No text layer to find the sentence in: unless the page is known to be a scan, the app
    # shows the page and points to the Text tab, where the OCR text is marked.
    path = scanned_pdf(tmp_path / "scan.pdf", PAGES)
    picture = render_page(path, 2, ["The municipal assembly adopted a new action plan on safety."])
    assert (picture.marked, picture.sought) == (0, 1)
    drawn = Image.open(io.BytesIO(picture.png)).convert("L")
    assert drawn.size == (picture.width, picture.height) and drawn.getextrema()[0] < 100  # ink


@needs_tesseract
def test_a_page_read_by_ocr_has_its_sentence_marked_where_tesseract_reads_it(
    tmp_path: Path,
) -> None:
    path = scanned_pdf(tmp_path / "scan.pdf", PAGES)
    sentence = "The municipal assembly adopted a new action plan on safety."
    plain = render_page(path, 2)
    picture = render_page(path, 2, [sentence, "Penguins were counted in the park."], ocr=True)
    assert (picture.marked, picture.sought) == (1, 2)
    before = Image.open(io.BytesIO(plain.png)).convert("RGB")
    after = Image.open(io.BytesIO(picture.png)).convert("RGB")
    changed = [
        (x, y)
        for x in range(0, after.width, 4)
        for y in range(0, after.height, 4)
        if after.getpixel((x, y)) != before.getpixel((x, y))
    ]
    assert changed, "nothing was marked"
    # The mark is yellow (blue lowered, red kept) and stands on the sentence's lines only.
    x, y = changed[len(changed) // 2]
    red, _, blue = after.getpixel((x, y))
    assert red > 200 and blue < 200
    rows = {y for _, y in changed}
    assert max(rows) - min(rows) < after.height / 4


# A reader for the pool is a top-level function, so that the spawned worker can import it.
def slow_scan_reader(path: Path) -> ReadDocument:
    """Five pages of a scan, each under the pool's timeout, all of them over it."""
    for _ in range(5):
        time.sleep(0.5)
        if path.name.startswith("scan") and reading._page_hook is not None:
            reading._page_hook()
    return ReadDocument(pages=[PageText(1, "text")], title=path.name, ocr_pages=(1,))


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

        report = IndexReport(
            added=["old/scan_1990.pdf", "notes.txt", "annual.pdf"],
            ocr=["old/scan_1990.pdf"],
            unread_pictures=["annual.pdf"],
            before_picture_ocr=True,
        )
        last_update_result(UpdateState(report=report))

    app = AppTest.from_function(page).run()
    assert not app.exception
    [message] = app.success
    shown = message.value.replace("\\", "")  # the Markdown source, escaped
    assert "3 added" in shown
    assert "1 with scanned pages, read by OCR (old/scan_1990.pdf): check a quote" in shown
    assert "1 with pages that are pictures, left unread (annual.pdf): to have them read, " in shown
    assert "install Tesseract (apt-get install tesseract-ocr), then rebuild the index" in shown
    assert "The index was built before pictures in text reports (infographics, " in shown
