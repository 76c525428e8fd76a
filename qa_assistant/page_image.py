"""The original page as a picture, with the answering sentence marked on it.

PDFium (``pypdfium2``) renders the page and knows the box of each character of its text
layer. A sentence is looked for there by its letters and digits alone, folded like the
lexical index folds them, so that line ends, a word hyphenated at a line's end, ligatures
and accents do not hide it; a sentence that runs on to the next page is marked as far as
it stands on this one. A page that is a picture (read by OCR) has no text layer: there
Tesseract reads the drawn page again, with the box of each word, and the sentence is
looked for among its words the same way (``marked`` says how many were found).

PDFium is not thread-safe, and the app's sessions are threads: every call goes through
one lock.
"""

from __future__ import annotations

import io
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import QAError
from .ocr import tesseract, word_boxes

__all__ = ["PageImage", "render_page", "find_spans"]

_PDFIUM = threading.Lock()
SCALE = 1.5  # pixels per point: an A4 page is 893 × 1263 pixels, sharp enough to read
MARK = (255, 213, 0, 96)  # translucent yellow, as a highlighter pen
# A picture is read again at this scale: small print (an infographic's labels) is read in
# its columns' order at 2, across them at 1.5.
OCR_SCALE = 2.0
OCR_MAX_PIXELS = 3000  # … but no side longer than this: a poster is not read at 4,800 pixels
MIN_WORDS = 4  # a sentence's part on this page is marked only from four words on


@dataclass(frozen=True)
class PageImage:
    """A rendered page: a PNG, and how many of the sentences asked for are marked on it."""

    png: bytes
    width: int
    height: int
    marked: int
    sought: int


def _keys(text: str) -> tuple[str, list[int]]:
    """``text`` as lower-case letters and digits without accents, and for each of them the
    index of the character it comes from."""
    keys: list[str] = []
    origin: list[int] = []
    for i, char in enumerate(text):
        for part in unicodedata.normalize("NFKD", char):
            if part.isalnum():
                keys.append(part.casefold())
                origin.append(i)
    return "".join(keys), origin


def find_spans(page_text: str, sentence: str) -> tuple[int, int] | None:
    """Where ``sentence`` stands in ``page_text`` (character offsets, end exclusive), by its
    letters and digits; else the longest run of its first or last words found there, four
    words at least (the part of a sentence on this side of a page break)."""
    return _find(*_keys(page_text), sentence)


def _find(haystack: str, origin: list[int], sentence: str) -> tuple[int, int] | None:
    """``find_spans`` in a page already reduced to its keys (``_keys``)."""
    words = sentence.split()
    candidates = [words]
    candidates += [words[:n] for n in range(len(words) - 1, MIN_WORDS - 1, -1)]
    candidates += [words[-n:] for n in range(len(words) - 1, MIN_WORDS - 1, -1)]
    for part in candidates:
        needle, _ = _keys(" ".join(part))
        if len(needle) < 12:  # too short to be told from another place on the page
            continue
        found = haystack.find(needle)
        if found >= 0:
            return origin[found], origin[found + len(needle) - 1] + 1
    return None


def render_page(
    path: Path, page: int, sentences: Sequence[str] = (), scale: float = SCALE, ocr: bool = False
) -> PageImage:
    """Physical ``page`` (1-based) of the PDF at ``path`` as a PNG, each of ``sentences``
    marked where it stands; with ``ocr`` (a page the index read by OCR), one its text layer
    lacks where Tesseract reads it on the page drawn again at ``OCR_SCALE``. Raises QAError
    when the PDF cannot be opened or has no such page."""
    import pypdfium2 as pdfium
    from PIL import Image, ImageDraw

    with _PDFIUM:
        try:
            document = pdfium.PdfDocument(path)
        except (pdfium.PdfiumError, OSError) as exc:
            raise QAError(f"{path.name} could not be opened to show its page: {exc}") from exc
        try:
            if not 1 <= page <= len(document):
                raise QAError(f"{path.name} has {len(document)} pages; page {page} does not exist")
            pdf_page = document[page - 1]
            picture = pdf_page.render(scale=scale).to_pil().convert("RGBA")
            boxes = _boxes(pdf_page, sentences, scale)
            unfound = [n for n, found in enumerate(boxes) if not found] if ocr else []
            if unfound:  # a scan, or an infographic's picture on a text page
                ocr_scale = min(OCR_SCALE, OCR_MAX_PIXELS / max(pdf_page.get_size()))
                reread = pdf_page.render(scale=ocr_scale).to_pil()
        finally:
            document.close()
    if unfound:
        found = _ocr_boxes(reread, [sentences[n] for n in unfound], scale / ocr_scale)
        for n, sentence_boxes in zip(unfound, found, strict=True):
            boxes[n] = sentence_boxes
    overlay = Image.new("RGBA", picture.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for sentence_boxes in boxes:
        for box in sentence_boxes:
            draw.rectangle(box, fill=MARK)
    picture = Image.alpha_composite(picture, overlay).convert("RGB")
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", optimize=False)
    return PageImage(
        png=buffer.getvalue(),
        width=picture.width,
        height=picture.height,
        marked=sum(1 for sentence_boxes in boxes if sentence_boxes),
        sought=len(sentences),
    )


def _boxes(pdf_page, sentences: Sequence[str], scale: float) -> list[list[tuple[int, ...]]]:
    """For each sentence, the pixel boxes of its characters' lines on the rendered page
    (none when it is not found, or the page is turned: its text boxes would not fit)."""
    if not sentences or pdf_page.get_rotation() % 360:
        return [[] for _ in sentences]
    text_page = pdf_page.get_textpage()
    try:
        haystack, origin = _keys(text_page.get_text_range())  # once for all the sentences
        left, _, _, top = pdf_page.get_cropbox()
        out = []
        for sentence in sentences:
            span = _find(haystack, origin, sentence)
            if span is None:
                out.append([])
                continue
            start, end = span
            rects = []
            for i in range(text_page.count_rects(start, end - start)):
                x0, y0, x1, y1 = text_page.get_rect(i)  # points, y upwards
                rects.append(
                    (
                        round((x0 - left) * scale) - 2,
                        round((top - y1) * scale) - 2,
                        round((x1 - left) * scale) + 2,
                        round((top - y0) * scale) + 2,
                    )
                )
            out.append(rects)
        return out
    finally:
        text_page.close()


def _ocr_boxes(picture, sentences: Sequence[str], factor: float) -> list[list[tuple[int, ...]]]:
    """For each sentence, the pixel boxes of its lines as Tesseract reads them on
    ``picture``, times ``factor`` (none when it is not found, or Tesseract is not
    installed)."""
    program = tesseract()
    if not sentences or program is None:
        return [[] for _ in sentences]
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", optimize=False)
    words = word_boxes(buffer.getvalue(), program)
    text = "".join(f"{word} " for word, _, _ in words)  # each word and a space
    word_of = [n for n, (word, _, _) in enumerate(words) for _ in range(len(word) + 1)]
    haystack, origin = _keys(text)
    out = []
    for sentence in sentences:
        span = _find(haystack, origin, sentence)
        lines: dict[tuple[int, ...], list[int]] = {}
        for n in sorted({word_of[i] for i in range(*span)}) if span else ():
            _, line, (x0, y0, x1, y1) = words[n]
            box = lines.setdefault(line, [x0, y0, x1, y1])
            box[:] = [min(box[0], x0), min(box[1], y0), max(box[2], x1), max(box[3], y1)]
        out.append(
            [
                (round(x0 * factor) - 2, round(y0 * factor) - 2)
                + (round(x1 * factor) + 2, round(y1 * factor) + 2)
                for x0, y0, x1, y1 in lines.values()
            ]
        )
    return out
