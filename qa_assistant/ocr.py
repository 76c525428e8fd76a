"""Read the text of scanned PDF pages with Tesseract, when it is installed.

A scanned report is a PDF whose pages are pictures: pypdf finds no text on them. Each such
page usually holds one picture of the whole page; ``ocr_pages`` takes the largest picture
of each page from the PDF itself (no page renderer is needed) and has the ``tesseract``
program (Debian's ``tesseract-ocr``) read it. Without the program the report is skipped
as before, and ``INSTALL_HINT`` says how to install it.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import subprocess
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["INSTALL_HINT", "NO_TEXT_FOUND", "OCR_FIX", "ocr_pages", "tesseract"]

logger = logging.getLogger(__name__)

INSTALL_HINT = "install Tesseract to have scanned pages read (apt-get install tesseract-ocr)"
NO_TEXT_FOUND = "OCR found no text"
# What a scan skipped for want of OCR is told to do (before OCR was built in, too).
OCR_FIX = "run OCR on it (e.g. ocrmypdf) and add it again"
PAGE_TIMEOUT = 90.0  # seconds for one page; a full A4 scan at 300 dpi takes 2-3 s
_MIN_PIXELS = 200 * 200  # smaller pictures are logos and icons, not pages
# One thread per page: the indexer's other process embeds meanwhile, and OpenMP threads
# fighting over two cores made a page slower, not faster.
_ENVIRONMENT = {**os.environ, "OMP_THREAD_LIMIT": "1"}


def tesseract() -> str | None:
    """The path of the ``tesseract`` program, or None when it is not installed."""
    return shutil.which("tesseract")


def ocr_pages(
    pages: Sequence[Any], program: str, on_page: Callable[[], None] | None = None
) -> list[str]:
    """The text Tesseract reads on each of ``pages`` (pypdf pages), "" for a page without a
    picture of its text or one Tesseract could not read. ``on_page`` is called after each
    page (the reader process tells its pool it is still at work)."""
    texts = []
    for number, page in enumerate(pages, start=1):
        texts.append(_read_page(page, number, program))
        if on_page is not None:
            on_page()
    return texts


def _read_page(page: Any, number: int, program: str) -> str:
    picture = _page_picture(page, number)
    if picture is None:
        return ""
    try:
        done = subprocess.run(
            [program, "stdin", "stdout", "-l", "eng"],
            input=picture,
            capture_output=True,
            timeout=PAGE_TIMEOUT,
            env=_ENVIRONMENT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        logger.warning("OCR of page %d failed: %s", number, error)
        return ""
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        logger.warning("OCR of page %d failed: %s", number, message[-1] if message else "")
        return ""
    return done.stdout.decode("utf-8", "replace")


def _page_picture(page: Any, number: int) -> bytes | None:
    """The page's largest picture as PNG bytes, or None (none, too small, undecodable)."""
    try:
        pictures = [picture.image for picture in page.images]
    except Exception as error:  # a filter pypdf or Pillow cannot decode (JBIG2, broken data)
        logger.warning("no picture read from page %d: %s", number, error)
        return None
    pictures = [p for p in pictures if p is not None and p.width * p.height >= _MIN_PIXELS]
    if not pictures:
        return None
    largest = max(pictures, key=lambda p: p.width * p.height)
    if largest.mode not in ("1", "L", "RGB"):
        largest = largest.convert("RGB")
    out = io.BytesIO()
    largest.save(out, format="PNG")
    return out.getvalue()
