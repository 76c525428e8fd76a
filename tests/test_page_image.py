"""The cited page drawn as printed, with the answering sentence marked where it stands
(``page_image``): found through line ends, hyphens, accents and page breaks, marked in the
right place, and a page it cannot mark says so rather than failing."""

from __future__ import annotations

import io
import json
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter

from qa_assistant import QAError
from qa_assistant.page_image import find_spans, render_page

MULTIPAGE = "report_multipage.pdf"
OPENED = "The workshop opened in Prishtine and ended with a field visit to Obilic, where the"
RUNS_ON = (
    "This paragraph runs across the page break: on the second day the participants "
    "discussed bias indicators, the recording of motives in incident reports and the support "
    "that victims need during their first interview, before returning to the classroom."
)
HYPHENATED = (
    "Several officers asked the Mission for a longer training course on recording standards"
)


def marked_rows(png: bytes) -> np.ndarray:
    """The pixel rows of a rendered page that hold highlighter yellow."""
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    red, green, blue = pixels[..., 0], pixels[..., 1], pixels[..., 2]
    yellow = (red > 200) & (green > 180) & (blue < 170)
    return np.flatnonzero(yellow.sum(axis=1) > 20)


def test_a_sentence_is_found_through_line_ends_accents_and_hyphens() -> None:
    text = "Intro.\r\nThe workshop opened in Prishtinë and ended\r\nwith a visit to Obilić.\r\n"
    start, end = find_spans(text, "The workshop opened in Prishtine and ended with a visit")
    assert text[start:end] == "The workshop opened in Prishtinë and ended\r\nwith a visit"
    hyphenated = "asked for a longer train\ufffe\r\ning course on recording"
    start, end = find_spans(hyphenated, "a longer training course on recording")
    assert hyphenated[start:end].startswith("a longer train") and hyphenated[end - 1] == "g"
    assert find_spans(text, "The penguins of Antarctica were not discussed at all.") is None
    assert find_spans(text, "Obilić.") is None  # too short to be told from another place


def test_a_sentence_across_a_page_break_is_marked_on_each_page_as_far_as_it_goes() -> None:
    page_one = (
        "Twenty-two officers attended. This paragraph runs across the page break: on the "
        "second day\r\nthe participants discussed bias indicators, the recording of motives "
        "in incident reports\r\nand the\r\nPage 1 of 3"
    )
    start, end = find_spans(page_one, RUNS_ON)
    assert page_one[start:end].startswith("This paragraph") and page_one[start:end].endswith("the")
    page_two = "support that victims need during their first interview, before returning to the\r\n"
    page_two += "classroom."
    start, end = find_spans(page_two, RUNS_ON)
    assert page_two[start:end].startswith("support that victims")
    assert page_two[start:end].endswith("classroom")  # the full stop is no letter


def test_the_mark_stands_where_the_sentence_stands(data_dir: Path) -> None:
    path = data_dir / MULTIPAGE
    plain = render_page(path, 1)
    assert plain.marked == plain.sought == 0 and len(marked_rows(plain.png)) == 0
    assert plain.png.startswith(b"\x89PNG") and plain.height > plain.width  # A4, upright
    upper = render_page(path, 1, [OPENED])
    lower = render_page(path, 1, [RUNS_ON])
    assert upper.marked == lower.marked == 1
    upper_rows, lower_rows = marked_rows(upper.png), marked_rows(lower.png)
    assert len(upper_rows) and len(lower_rows)
    # The paragraph after the one that opens the workshop is marked below it; no more than
    # the sentence's lines are marked (two lines, three lines, out of a page of 1,263 pixels).
    assert upper_rows.max() < lower_rows.min()
    assert upper_rows.max() - upper_rows.min() < 0.05 * upper.height
    assert lower_rows.max() - lower_rows.min() < 0.07 * lower.height
    both = render_page(path, 1, [OPENED, RUNS_ON])
    assert (both.marked, both.sought) == (2, 2)


def test_a_word_hyphenated_at_a_line_end_is_marked_and_a_sentence_elsewhere_is_not(
    data_dir: Path,
) -> None:
    path = data_dir / MULTIPAGE
    assert render_page(path, 2, [HYPHENATED]).marked == 1
    elsewhere = render_page(path, 3, [HYPHENATED])  # the sentence is on page 2, not 3
    assert (elsewhere.marked, elsewhere.sought) == (0, 1)
    assert len(marked_rows(elsewhere.png)) == 0


def test_a_turned_page_is_drawn_unmarked(data_dir: Path, tmp_path: Path) -> None:
    writer = PdfWriter()
    writer.add_page(PdfReader(data_dir / MULTIPAGE).pages[1])
    writer.pages[0].rotate(90)
    turned = tmp_path / "turned.pdf"
    writer.write(turned)
    picture = render_page(turned, 1, [HYPHENATED])
    assert picture.width > picture.height  # drawn turned, as printed
    assert (picture.marked, picture.sought) == (0, 1)


def test_a_missing_page_or_a_damaged_pdf_is_a_clear_error(data_dir: Path) -> None:
    with pytest.raises(QAError, match="has 3 pages; page 4 does not exist"):
        render_page(data_dir / MULTIPAGE, 4)
    with pytest.raises(QAError, match="random_bytes.pdf could not be opened"):
        render_page(data_dir / "random_bytes.pdf", 1)


def test_pages_drawn_from_several_threads_at_once_come_out_whole(data_dir: Path) -> None:
    # The app's sessions are threads, and PDFium must not be called from two at once.
    path = data_dir / MULTIPAGE
    expected = {page: render_page(path, page, [OPENED, HYPHENATED]).png for page in (1, 2, 3)}
    drawn: list[tuple[int, bytes]] = []

    def draw(page: int) -> None:
        for _ in range(3):
            drawn.append((page, render_page(path, page, [OPENED, HYPHENATED]).png))

    threads = [threading.Thread(target=draw, args=(1 + i % 3,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(drawn) == 18 and all(png == expected[page] for page, png in drawn)


@pytest.mark.shared
def test_every_gold_phrase_of_the_question_sets_is_marked_on_its_page(shared_dir: Path) -> None:
    # Each phrase that answers a dev or tuning question, on the page it stands on in a real
    # report (two-column pages, footnotes, tables): staff see it marked on the page.
    reports = {path.name: path for path in (shared_dir / "reports").rglob("*.pdf")}
    question_sets = [shared_dir / "eval" / "dev.jsonl"]
    question_sets.append(Path(__file__).parent.parent / "benchmarks" / "tune_questions.jsonl")
    sought = marked = 0
    for question_set in question_sets:
        for line in question_set.open(encoding="utf-8"):
            for gold in json.loads(line)["gold"]:
                if gold["document"] in reports and gold.get("phrase"):
                    path = reports[gold["document"]]
                    picture = render_page(path, gold["page"], [gold["phrase"]], scale=0.2)
                    sought += 1
                    marked += picture.marked
    assert sought > 700
    assert marked == sought, f"{sought - marked} of {sought} phrases not marked"


@pytest.mark.shared
@pytest.mark.skipif(shutil.which("tesseract") is None, reason="Tesseract is not installed")
def test_a_figure_read_by_ocr_from_an_infographic_is_marked_on_it(shared_dir: Path) -> None:
    # UNFPA's key results of 2022–2024 stand only in an infographic on a text page: the
    # index read them by OCR, and the page drawn for the answer marks the figure there.
    path = shared_dir / "reports" / "un" / "DP_FPA_2025_4_Part_I.en.pdf"
    figure = "49.2 million Unintended pregnancies averted*"
    assert render_page(path, 5, [figure]).marked == 0  # not in the text layer
    picture = render_page(path, 5, [figure], ocr=True)
    assert (picture.marked, picture.sought) == (1, 1)
    rows = marked_rows(picture.png)
    assert rows.size and rows.max() < picture.height / 4  # the first tile, at the top
