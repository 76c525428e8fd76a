"""Read the text of scanned PDF pages with Tesseract, when it is installed.

A scanned report is a PDF whose pages are pictures: pypdf finds no text on them. Each such
page usually holds one picture of the whole page; ``ocr_pages`` takes the largest picture
of each page from the PDF itself (no page renderer is needed) and has the ``tesseract``
program (Debian's ``tesseract-ocr``) read it. Without the program the report is skipped
as before, and ``INSTALL_HINT`` says how to install it. A text report's page that is a
picture (a scanned annex, an infographic) is read the same way, and its text kept when it is
``legible``: a map's place names and a photo's speckle are not.
"""

from __future__ import annotations

import io
import logging
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Sequence
from typing import Any

from .spellings import english_word

__all__ = [
    "INSTALL_HINT",
    "NO_TEXT_FOUND",
    "OCR_FIX",
    "UNREAD_FIX",
    "has_picture",
    "join_figure_labels",
    "legible",
    "ocr_pages",
    "tesseract",
    "without_logo_noise",
    "word_boxes",
]

logger = logging.getLogger(__name__)

INSTALL_HINT = "install Tesseract to have scanned pages read (apt-get install tesseract-ocr)"
NO_TEXT_FOUND = "OCR found no text"
# What a scan skipped for want of OCR is told to do (before OCR was built in, too).
OCR_FIX = "run OCR on it (e.g. ocrmypdf) and add it again"
# What a text report's picture pages left unread are told to do (a plain update does not
# read a report again that has not changed).
UNREAD_FIX = "install Tesseract (apt-get install tesseract-ocr), then rebuild the index"
PAGE_TIMEOUT = 90.0  # seconds for one page; a full A4 scan at 300 dpi takes 2-3 s
_MIN_PIXELS = 200 * 200  # smaller pictures are logos and icons, not pages
# Text read on a picture in a text report is kept when it has this many words, this share
# of them English: an infographic's figures and labels read at 0.97-0.99, a map's legend at
# 0.83, a map of Kosovo's place names at 0.52 (measured on ../shared/reports).
_LEGIBLE_WORDS = 10
_LEGIBLE_SHARE = 0.7
_WORD = re.compile(r"[^\W\d_]{2,}")
# A logo read as letters at a line's start: a symbol and a few lower-case letters before a
# capitalised word ("(gs General Assembly" under the UN emblem); not "(a) The" nor "• The".
_LOGO_NOISE = re.compile(r"^[([{<|/\\~©®@*]+[a-z]{1,3}[ \t]+(?=[A-Z])", re.MULTILINE)
# A line that is a figure alone, as an infographic sets it above its label: "49.2 million",
# "422,000", "Over 13 million", "80% of countries", "65 countries"; not a bare "8" or a
# year.
_FIGURE_LINE = re.compile(
    r"(?:(?i:over|more than|about|nearly|almost|some|up to)\s+)?[$€£]?"
    r"(?:\d{1,3}(?:,\d{3})+|\d+\.\d+|\d{5,}|\d+(?=\s*(?:%|[a-z])))"
    r"(?:\s*(?:%|[a-z]+)){0,3}"  # lower case: "Over 200,000 Midwives" has its label
)
# One thread per page: the indexer's other process embeds meanwhile, and OpenMP threads
# fighting over two cores made a page slower, not faster.
_ENVIRONMENT = {**os.environ, "OMP_THREAD_LIMIT": "1"}


def tesseract() -> str | None:
    """The path of the ``tesseract`` program, or None when it is not installed."""
    return shutil.which("tesseract")


def ocr_pages(
    pages: Sequence[Any],
    program: str,
    on_page: Callable[[], None] | None = None,
    numbers: Sequence[int] | None = None,
) -> list[str]:
    """The text Tesseract reads on each of ``pages`` (pypdf pages), "" for a page without a
    picture of its text or one Tesseract could not read. ``on_page`` is called after each
    page (the reader process tells its pool it is still at work); ``numbers`` are the pages'
    numbers in their report, for the log (1, 2, … by default)."""
    texts = []
    for number, page in zip(numbers or range(1, len(pages) + 1), pages, strict=True):
        texts.append(_read_page(page, number, program))
        if on_page is not None:
            on_page()
    return texts


def has_picture(page: Any, number: int) -> bool:
    """Whether the page holds a picture large enough to be a page of text."""
    return _largest_picture(page, number) is not None


def legible(text: str) -> bool:
    """Whether ``text`` read on a picture reads as English (prose, figures with their labels,
    a legend) rather than a map's place names or a photo's speckle."""
    words = _WORD.findall(text)
    english = sum(english_word(word.lower()) for word in words)
    return len(words) >= _LEGIBLE_WORDS and english >= _LEGIBLE_SHARE * len(words)


def join_figure_labels(text: str) -> str:
    """``text`` with each line that is a figure alone joined to the line after it, its label
    ("49.2 million" / "Unintended pregnancies averted" → one line), so that the figure and
    what it counts make one sentence."""
    joined: list[str] = []
    figure = False  # the line before is a figure alone
    for line in text.split("\n"):
        if figure and line.strip():
            joined[-1] = f"{joined[-1].rstrip()} {line.lstrip()}"
            figure = False
        else:
            joined.append(line)
            figure = bool(_FIGURE_LINE.fullmatch(line.strip()))
    return "\n".join(joined)


def _read_page(page: Any, number: int, program: str) -> str:
    picture = _page_picture(page, number)
    if picture is None:
        return ""
    return without_logo_noise(_tesseract(program, picture, f"page {number}"))


def word_boxes(picture: bytes, program: str) -> list[tuple[str, tuple[int, ...], tuple[int, ...]]]:
    """The words Tesseract reads on ``picture`` (an image file's bytes), in reading order,
    each with its line (block, paragraph, line numbers) and its pixel box (left, top,
    right, bottom); none when it fails."""
    words = []
    for row in _tesseract(program, picture, "a page's picture", "tsv").splitlines()[1:]:
        fields = row.split("\t")  # level page block paragraph line word left top width height …
        if len(fields) == 12 and fields[0] == "5" and fields[11].strip():
            left, top, width, height = (int(v) for v in fields[6:10])
            line = tuple(int(v) for v in fields[2:5])
            words.append((fields[11], line, (left, top, left + width, top + height)))
    return words


def _tesseract(program: str, picture: bytes, what: str, *output: str) -> str:
    """What Tesseract prints for ``picture`` (its text, or with ``output`` "tsv" its words
    and their boxes); "" when it fails, which is logged as the OCR of ``what``."""
    try:
        done = subprocess.run(
            [program, "stdin", "stdout", "-l", "eng", *output],
            input=picture,
            capture_output=True,
            timeout=PAGE_TIMEOUT,
            env=_ENVIRONMENT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        logger.warning("OCR of %s failed: %s", what, error)
        return ""
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        logger.warning("OCR of %s failed: %s", what, message[-1] if message else "")
        return ""
    return done.stdout.decode("utf-8", "replace")


def without_logo_noise(text: str) -> str:
    """``text`` without the letters OCR reads into a logo at a line's start, so that a
    scan's cover is titled by its heading ("General Assembly", then the agenda item's title
    the title rules look for) rather than by "(gs General Assembly"."""
    return _LOGO_NOISE.sub("", text)


def _page_picture(page: Any, number: int) -> bytes | None:
    """The page's largest picture as PNG bytes, or None (none, too small, undecodable)."""
    largest = _largest_picture(page, number)
    if largest is None:
        return None
    if largest.mode not in ("1", "L", "RGB"):
        largest = largest.convert("RGB")
    out = io.BytesIO()
    largest.save(out, format="PNG")
    return out.getvalue()


def _largest_picture(page: Any, number: int) -> Any:
    """The page's largest picture (a Pillow image), or None (none, too small, undecodable)."""
    try:
        pictures = [picture.image for picture in page.images]
    except Exception as error:  # a filter pypdf or Pillow cannot decode (JBIG2, broken data)
        logger.warning("no picture read from page %d: %s", number, error)
        return None
    pictures = [p for p in pictures if p is not None and p.width * p.height >= _MIN_PIXELS]
    if not pictures:
        return None
    return max(pictures, key=lambda p: p.width * p.height)
