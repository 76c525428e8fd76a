"""Read reports from disk: PDF page by page, plain text and Markdown as one page.

``read_document`` turns one file into cleaned page texts and a title, or raises
``DocumentError`` with one of the stable reasons; ``reader_pool.ReaderPool`` runs it in a
separate process with a timeout and a memory cap, reading ahead while the caller embeds.
The text is cleaned by ``text_cleaning``; the title is found by ``titles`` (the PDF's
metadata or cover, a text file's first line), else it is the file name.
Nothing here imports torch, faiss or sentence-transformers; pypdf is imported on first use.
"""

from __future__ import annotations

import codecs
import contextlib
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from qa_assistant.config import SUPPORTED_SUFFIXES
from qa_assistant.errors import DocumentError
from qa_assistant.markdown_text import markdown_as_text
from qa_assistant.ocr import (
    INSTALL_HINT,
    NO_TEXT_FOUND,
    OCR_FIX,
    has_picture,
    join_figure_labels,
    legible,
    ocr_pages,
    tesseract,
)
from qa_assistant.text_cleaning import clean_pages, clean_text
from qa_assistant.titles import cover_title, metadata_title, shorten, text_title
from qa_assistant.types import PageText, ReadDocument

__all__ = [
    "SUPPORTED_SUFFIXES",
    "describe_error",
    "read_document",
    "read_documents_inline",
    "set_page_hook",
]

logger = logging.getLogger(__name__)

# A PDF has "no extractable text" when it has fewer than this many words (runs of two or
# more letters) per page on average AND fewer than _MIN_TEXT_CHARS non-space characters in
# all. One-line PDFs ("test example") pass; six image pages with one layer name do not.
_MIN_WORDS_PER_PAGE = 1.5
_MIN_TEXT_CHARS = 200
# A page of a text PDF with fewer words of its own may be a picture of text (a scanned
# annex, an infographic): its pictures are read by OCR. A page of text has hundreds.
_PICTURE_PAGE_WORDS = 20

# ------------------------------------------------------------------- extractable text

_WORD = re.compile(r"[^\W\d_]{2,}")


def _has_text(pages: list[str]) -> bool:
    words = sum(len(_WORD.findall(text)) for text in pages)
    chars = sum(len("".join(text.split())) for text in pages)
    return words >= _MIN_WORDS_PER_PAGE * len(pages) or chars >= _MIN_TEXT_CHARS


# ------------------------------------------------------------------------------ reading


def read_document(path: Path, page: int | None = None) -> ReadDocument:
    """Read a ``.pdf``, ``.txt`` or ``.md`` file into cleaned pages and a title.

    PDF pages keep their physical 1-based numbers (pages without text stay, empty); a text
    file is page 1. ``page``: of the pages that are pictures, only this one is read by OCR
    (the app shows one page; OCR takes seconds a page). Raises only ``DocumentError`` whose
    ``reason`` is one of the stable reasons in ``qa_assistant.errors``.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentError(
            "unsupported file type",
            f"{suffix or 'no extension'}; supported: {', '.join(SUPPORTED_SUFFIXES)}",
        )
    try:
        if not path.is_file():
            raise DocumentError("cannot be read", "not found or not a regular file")
        if path.stat().st_size == 0:
            raise DocumentError("empty file", "the file is 0 bytes")
        if suffix == ".pdf":
            return _read_pdf(path, page)
        return _read_text(path, markdown=suffix == ".md")
    except DocumentError:
        raise
    except MemoryError:
        raise DocumentError(
            "too large", f"ran out of memory while reading it; {TOO_LARGE_HINT}"
        ) from None
    except RecursionError:
        raise DocumentError("cannot be read", "its structure is nested too deeply") from None
    except Exception as error:
        raise DocumentError("cannot be read", describe_error(error)) from error


def describe_error(error: BaseException) -> str:
    """An exception as one line for the user: its type and message, shortened."""
    message = " ".join(str(error).split())
    text = f"{type(error).__name__}: {message}" if message else type(error).__name__
    return shorten(text, 200)


@contextlib.contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """pypdf logs every recoverable oddity as a warning; those are not the user's concern."""
    pypdf_logger = logging.getLogger("pypdf")
    level = pypdf_logger.level
    pypdf_logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        pypdf_logger.setLevel(level)


_PASSWORD_HINT = "remove the password (print or export it unprotected) and add the file again"
_AES_HINT = "it is AES-encrypted and the 'cryptography' package is missing; install it"
TOO_LARGE_HINT = "split it into smaller files and add those"  # too large, or timed out
_DAMAGED_HINT = "open it in a PDF viewer, save or print it as a new PDF, and add that"


def _damaged(error: BaseException, path: Path) -> DocumentError:
    """A PDF whose structure pypdf cannot follow, with what the user can do about it; a file
    that is no PDF at all (a web page saved as .pdf) is named as such: no viewer mends it."""
    with open(path, "rb") as handle:
        if b"%PDF-" not in handle.read(1024):  # where the format allows its header
            return DocumentError(
                "cannot be read",
                "it is not a PDF (it does not start with %PDF-), though named .pdf: a web page "
                "or another kind of file; save the original as a PDF and add that",
            )
    return DocumentError(
        "cannot be read", f"the PDF looks damaged ({describe_error(error)}); {_DAMAGED_HINT}"
    )


def _read_pdf(path: Path, only: int | None = None) -> ReadDocument:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    with _quiet_pypdf():
        try:
            reader = PdfReader(path, strict=False)
            if reader.is_encrypted and not reader.decrypt(""):
                raise DocumentError("password-protected", _PASSWORD_HINT)
            page_count = len(reader.pages)
        except FileNotDecryptedError:
            raise DocumentError("password-protected", _PASSWORD_HINT) from None
        except DependencyError:
            raise DocumentError("cannot be read", _AES_HINT) from None
        except NotImplementedError as error:
            raise DocumentError("cannot be read", f"unsupported encryption: {error}") from None
        except (DocumentError, OSError, MemoryError, RecursionError):
            raise  # not the file's structure: said as they are by read_document
        except Exception as error:
            raise _damaged(error, path) from error
        if page_count == 0:
            raise DocumentError("cannot be read", "the PDF has no pages")
        raw_pages: list[str] = []
        failures: list[Exception] = []
        for number, page in enumerate(reader.pages, start=1):
            try:
                raw_pages.append(page.extract_text() or "")
            except FileNotDecryptedError:
                raise DocumentError("password-protected", _PASSWORD_HINT) from None
            except (MemoryError, RecursionError):
                raise
            except Exception as error:
                logger.warning("%s: no text from page %d: %s", path, number, describe_error(error))
                failures.append(error)
                raw_pages.append("")
        if len(failures) == page_count:
            raise _damaged(failures[0], path) from failures[0]
        try:
            raw_title = reader.metadata.title if reader.metadata else None
        except Exception:
            raw_title = None
        texts = clean_pages(raw_pages)
        unread: tuple[int, ...] = ()
        if _has_text(texts):
            texts, read_by_ocr, unread = _read_picture_pages(reader.pages, texts, only)
        elif only is not None:  # one page of a scan
            texts = [""] * len(texts)
            texts[only - 1 : only] = _read_scanned(reader.pages[only - 1 : only], check=False)
            read_by_ocr = (only,)
        else:
            texts = _read_scanned(reader.pages)
            read_by_ocr = tuple(range(1, len(texts) + 1))
    return _assemble_pdf(texts, raw_title, path, read_by_ocr, unread)


def _read_scanned(pages: Any, check: bool = True) -> list[str]:
    """The pages' text as Tesseract reads their pictures; ``DocumentError`` when it is not
    installed or (``check``) reads no text."""
    program = tesseract()
    if program is None:
        raise DocumentError(
            "no extractable text (scanned?)",
            f"the pages are images; {INSTALL_HINT}, or {OCR_FIX}",
        )
    texts = clean_pages(ocr_pages(pages, program, _page_hook))
    if check and not _has_text(texts):
        raise DocumentError(
            "no extractable text (scanned?)",
            f"the pages are images and {NO_TEXT_FOUND} on them",
        )
    return texts


def _read_picture_pages(
    pages: Any, texts: list[str], only: int | None = None
) -> tuple[list[str], tuple[int, ...], tuple[int, ...]]:
    """``texts`` with the text OCR reads on the pictures of nearly empty pages (``only``:
    of page ``only``, if it is one) added where it is legible, the numbers of those pages,
    and () (none left unread). Without Tesseract: ``texts`` as they are, (), and the
    numbers of the pages with a picture."""
    program = tesseract()
    few = [
        i
        for i, text in enumerate(texts)
        if len(_WORD.findall(text)) < _PICTURE_PAGE_WORDS and only in (None, i + 1)
    ]
    numbers = [i + 1 for i in few]
    if program is None:
        return texts, (), tuple(n for n in numbers if has_picture(pages[n - 1], n))
    if not few:
        return texts, (), ()
    read = clean_pages(ocr_pages([pages[i] for i in few], program, _page_hook, numbers))
    texts = list(texts)
    done = []
    for i, text in zip(few, map(join_figure_labels, read), strict=True):
        if legible(text):
            texts[i] = f"{texts[i]}\n\n{text}" if texts[i].strip() else text
            done.append(i + 1)
    return texts, tuple(done), ()


_page_hook: Callable[[], None] | None = None


def set_page_hook(hook: Callable[[], None] | None) -> None:
    """Have ``hook`` called after each page read by OCR (a reader process tells its pool
    that it is still at work: a long scan is not a hung parser)."""
    global _page_hook
    _page_hook = hook


def _assemble_pdf(
    texts: list[str],
    raw_title: Any,
    path: Path,
    read_by_ocr: tuple[int, ...] = (),
    unread: tuple[int, ...] = (),
) -> ReadDocument:
    title = metadata_title(raw_title, path.stem) or cover_title(texts[0]) or path.stem
    pages = [PageText(number=i, text=text) for i, text in enumerate(texts, start=1)]
    return ReadDocument(pages=pages, title=title, ocr_pages=read_by_ocr, unread_pictures=unread)


def _read_text(path: Path, markdown: bool) -> ReadDocument:
    text = _decode(path.read_bytes())
    cleaned = clean_text(markdown_as_text(text) if markdown else text)
    if not cleaned:
        raise DocumentError("empty file", "the file holds only white space")
    title = text_title(text, markdown) or path.stem
    return ReadDocument(pages=[PageText(number=1, text=cleaned)], title=title)


_BINARY_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def _decode(data: bytes) -> str:
    """Decode UTF-8 (BOM allowed), UTF-16 with a BOM, or strict cp1252; refuse binary data."""
    try:
        if data.startswith(codecs.BOM_UTF8):
            text = data.decode("utf-8-sig")
        elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text = data.decode("utf-16")
        elif b"\x00" in data:
            raise DocumentError("cannot be read", "binary file, not text")
        else:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise DocumentError("cannot be read", "not UTF-8 text; save it as UTF-8") from None
    controls = len(_BINARY_CONTROLS.findall(text))
    if "\x00" in text or controls > max(2, len(text) // 20):
        raise DocumentError("cannot be read", "binary file, not text")
    return text


def read_documents_inline(
    paths: Iterable[Path], reader: Callable[[Path], ReadDocument] = read_document
) -> Iterator[tuple[Path, ReadDocument | DocumentError]]:
    """Read files one by one in this process; same interface as ``ReaderPool.imap``."""
    for path in paths:
        try:
            yield path, reader(path)
        except DocumentError as error:
            yield path, error
        except MemoryError:
            yield path, DocumentError("too large", "ran out of memory while reading it")
        except Exception as error:
            yield path, DocumentError("cannot be read", describe_error(error))
