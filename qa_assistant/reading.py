"""Read reports from disk: PDF page by page, plain text and Markdown as one page.

``read_document`` turns one file into cleaned page texts and a title, or raises
``DocumentError`` with one of the stable reasons; ``reader_pool.ReaderPool`` runs it in a
separate process with a timeout and a memory cap, reading ahead while the caller embeds.
The text is cleaned by ``text_cleaning``; the title is the PDF's own (its metadata, or
the cover lines of its first page) or a text file's first line, else the file name.
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
from qa_assistant.text_cleaning import TERMINAL_PUNCTUATION, URL_PATTERN, clean_pages, clean_text
from qa_assistant.types import PageText, ReadDocument

__all__ = [
    "SUPPORTED_SUFFIXES",
    "describe_error",
    "read_document",
    "read_documents_inline",
]

logger = logging.getLogger(__name__)

# A PDF has "no extractable text" when it has fewer than this many words (runs of two or
# more letters) per page on average AND fewer than _MIN_TEXT_CHARS non-space characters in
# all. One-line PDFs ("test example") pass; six image pages with one layer name do not.
_MIN_WORDS_PER_PAGE = 1.5
_MIN_TEXT_CHARS = 200
_TITLE_MAX_CHARS = 120

# ------------------------------------------------------------------- extractable text

_WORD = re.compile(r"[^\W\d_]{2,}")


def _has_text(pages: list[str]) -> bool:
    words = sum(len(_WORD.findall(text)) for text in pages)
    chars = sum(len("".join(text.split())) for text in pages)
    return words >= _MIN_WORDS_PER_PAGE * len(pages) or chars >= _MIN_TEXT_CHARS


# ------------------------------------------------------------------------------ titles

_FILE_NAME = re.compile(
    r".*\.(?:pdf|docx?|rtf|odt|indd|qxd|txt|pptx?|xlsx?|tex|dvi|ps|html?)", re.IGNORECASE
)
_PLACEHOLDER_TITLES = frozenset(
    {"untitled", "title", "document", "none", "null", "unknown", "microsoft word", "slide"}
)


def _shorten(text: str, limit: int = _TITLE_MAX_CHARS) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-") + "\u2026"


def _metadata_title(value: Any, stem: str) -> str:
    """The PDF's /Title when it names the document (not a file name or a placeholder)."""
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError:
            value = value.decode("cp1252", errors="replace")
    if not isinstance(value, str):
        return ""
    title = clean_text(value).replace("\n", " ")
    title = re.sub(r"^Microsoft (?:Word|PowerPoint|Excel) - ", "", title)
    title = re.sub(r"\.(?:docx?|pptx?|xlsx?|rtf|odt|pdf)$", "", title, flags=re.IGNORECASE)
    words = title.split()
    simple = title.lower().rstrip("0123456789 ")
    if (
        not any(c.isalpha() for c in title)
        or simple in _PLACEHOLDER_TITLES
        or _FILE_NAME.fullmatch(title)
        or re.sub(r"[\W_]+", "", title.lower()) in re.sub(r"[\W_]+", "", stem.lower())
        or (len(words) < 2 and title.isascii())
        or any("/" in word and any(c.isdigit() for c in word) for word in words)
    ):
        return ""
    return _shorten(title)


_TITLE_WORD = re.compile(r"\W*[^\W\d_]{2,}(?:[-'\u2019][^\W\d_]+)*\W*")


# Cover-sheet lines of UN documents that name the organ or the agenda, not the report.
_COVER_BOILERPLATE = re.compile(
    r"(?:provisional agenda|agenda item|item \d|distr\b|original:|general assembly|"
    r"security council|economic and social council|executive board|[\w-]+ session\b)",
    re.IGNORECASE,
)


def _is_meaningful_line(line: str) -> bool:
    tokens = line.split()
    words = [t for t in tokens if _TITLE_WORD.fullmatch(t)]
    return (
        len(words) >= 3
        and len(words) >= 0.6 * len(tokens)
        and not URL_PATTERN.search(line)
        and not any("/" in t and any(c.isdigit() for c in t) for t in tokens)
    )


_COVER_LINE_CHARS = 60  # a cover sets its title large: a line of it holds a few words
_COVER_TITLE_LINES = 6
_SECTION_HEADING = re.compile(
    r"(?:(?:[IVXLC]{1,5}|\d{1,2}|[A-Z])\.\s|"
    r"(?:summary|contents|table of contents|introduction|abstract|foreword|preface)\b)",
    re.IGNORECASE,
)


_REPORT_KIND = re.compile(r"(?:annual |biennial |final )?(?:report|note|letter)\b", re.IGNORECASE)


def _first_meaningful_line(text: str) -> str:
    """The first line that reads as a title, with the short lines that carry it on: a cover
    sets "Spotlight on the / Global Education / Thematic Fund 2024" on three lines, and
    "United Nations Support Mission in Libya / Report of the Secretary-General" on two
    (joined with a colon)."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if not _is_meaningful_line(line) or _COVER_BOILERPLATE.match(line):
            continue
        parts = [line]
        if len(line) <= _COVER_LINE_CHARS:
            for following in lines[i + 1 : i + _COVER_TITLE_LINES]:
                if (
                    len(following) > _COVER_LINE_CHARS
                    or TERMINAL_PUNCTUATION.search(parts[-1])
                    or _COVER_BOILERPLATE.match(following)
                    or _SECTION_HEADING.match(following)
                    or not following[:1].isalpha()
                ):
                    break
                parts.append(f": {following}" if _REPORT_KIND.match(following) else f" {following}")
        return _shorten("".join(parts))
    return ""


_DATE_FIELD = re.compile(r"^(?:[A-Za-z]+:?\s+)?\d{4}-\d{2}-\d{2}\s+")


def _text_title(text: str, markdown: bool) -> str:
    """The first line of a text file that is not a web address ('#' stripped for Markdown),
    without a leading date field ("date 2024-10-07 …" of a saved web page)."""
    for raw_line in text.splitlines():
        line = _DATE_FIELD.sub("", clean_text(raw_line), count=1)
        if markdown:
            if line.startswith("<!--"):  # an HTML comment is a note to editors, not a title
                continue
            line = line.lstrip("#").strip()
        if line and not URL_PATTERN.fullmatch(line) and any(c.isalnum() for c in line):
            return _shorten(line)
    return ""


# ------------------------------------------------------------------------------ reading


def read_document(path: Path) -> ReadDocument:
    """Read a ``.pdf``, ``.txt`` or ``.md`` file into cleaned pages and a title.

    PDF pages keep their physical 1-based numbers (pages without text stay, empty); a text
    file is page 1. Raises only ``DocumentError`` whose ``reason`` is one of the stable
    reasons in ``qa_assistant.errors``.
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
            return _read_pdf(path)
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
    return _shorten(text, 200)


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


def _damaged(error: BaseException) -> DocumentError:
    """A PDF whose structure pypdf cannot follow, with what the user can do about it."""
    return DocumentError(
        "cannot be read", f"the PDF looks damaged ({describe_error(error)}); {_DAMAGED_HINT}"
    )


def _read_pdf(path: Path) -> ReadDocument:
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
            raise _damaged(error) from error
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
            raise _damaged(failures[0]) from failures[0]
        try:
            metadata_title = reader.metadata.title if reader.metadata else None
        except Exception:
            metadata_title = None
    return _assemble_pdf(raw_pages, metadata_title, path)


def _assemble_pdf(raw_pages: list[str], metadata_title: Any, path: Path) -> ReadDocument:
    texts = clean_pages(raw_pages)
    if not _has_text(texts):
        raise DocumentError(
            "no extractable text (scanned?)",
            "the pages are images; run OCR on it (e.g. ocrmypdf) and add it again",
        )
    title = (
        _metadata_title(metadata_title, path.stem) or _first_meaningful_line(texts[0]) or path.stem
    )
    pages = [PageText(number=i, text=text) for i, text in enumerate(texts, start=1)]
    return ReadDocument(pages=pages, title=title)


def _read_text(path: Path, markdown: bool) -> ReadDocument:
    text = _decode(path.read_bytes())
    cleaned = clean_text(text)
    if not cleaned:
        raise DocumentError("empty file", "the file holds only white space")
    title = _text_title(text, markdown) or path.stem
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
