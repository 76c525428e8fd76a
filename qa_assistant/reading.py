"""Read reports from disk: PDF page by page, plain text and Markdown as one page.

``read_document`` turns one file into cleaned page texts and a title, or raises
``DocumentError`` with one of the stable reasons; ``reader_pool.ReaderPool`` runs it in a
separate process with a timeout and a memory cap, reading ahead while the caller embeds.
Nothing here imports torch, faiss or sentence-transformers; pypdf is imported on first use.
"""

from __future__ import annotations

import codecs
import contextlib
import logging
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from qa_assistant.config import SUPPORTED_SUFFIXES
from qa_assistant.errors import DocumentError
from qa_assistant.types import PageText, ReadDocument

__all__ = [
    "SUPPORTED_SUFFIXES",
    "clean_text",
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
# A line is a running header/footer when (digits ignored) it stands among the first or last
# _EDGE_LINES lines of at least _RUNNING_SHARE of the pages and of at least _RUNNING_MIN_PAGES.
_EDGE_LINES = 4
_RUNNING_SHARE = 0.4
_RUNNING_MIN_PAGES = 3
_TITLE_MAX_CHARS = 120
_UNWRAPPED_WIDTH = 250  # a longer line was never wrapped: it is a paragraph of its own
_MIN_WRAP_WIDTH = 40  # shorter "full" lines tell nothing about where lines were wrapped
_FULL_LINE = 0.8  # a line ends its block when the next word would have fitted on it
_NEVER_WRAPPED = -1  # the width of text whose every line is a paragraph (see clean_text)

# --------------------------------------------------------------------------- cleaning

_LIGATURES = {
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\ufb05": "st",
    "\ufb06": "st",
}
_NEWLINE_CHARS = "\r\x0b\x85\u2028"
_PARAGRAPH_BREAK_CHARS = "\x0c\x1c\x1d\x1e\u2029"  # form feed, separators: a new paragraph
# Soft hyphen, zero-width space, direction marks and embeddings, word joiner, BOM.
_INVISIBLE = (
    "\u00ad\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2066\u2067\u2068\u2069\u061c\ufeff\ufffe\uffff"
)


def _char_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {ord(c): "\n" for c in _NEWLINE_CHARS}
    table.update({ord(c): "\n\n" for c in _PARAGRAPH_BREAK_CHARS})
    for code in list(range(0x00, 0x20)) + list(range(0x7F, 0xA0)):
        table.setdefault(code, None)
    table[ord("\n")] = "\n"
    table[ord("\t")] = " "
    table.update({ord(c): None for c in _INVISIBLE})
    table.update({ord(k): v for k, v in _LIGATURES.items()})
    for code in range(0x80, 0x3001):
        if unicodedata.category(chr(code)) == "Zs":
            table[code] = " "
    return table


_CHAR_TABLE = _char_table()
_SURROGATES = re.compile("[\ud800-\udfff]")
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")  # terminal colour codes
_SOFT_HYPHEN_BREAK = re.compile(r"\u00ad[^\S\n]*\n[^\S\n]*(?=\w)")
_DOT_LEADERS = re.compile(r"\.{4,}")
_SPACES = re.compile(r" {2,}")
_SEPARATOR_LINE = re.compile(r"[_=~*·.\-\u2010-\u2015\u2e3a\u2e3b ]{3,}")
_RULE_ONLY = re.compile(r"[_=~*·.\-\u2010-\u2015\u2e3a\u2e3b ]+")  # no word in it
_WORD_TOKENS = re.compile(r"\w+(?:-\w+)*")
_FIRST_WORD = re.compile(r"\w+")
_LIST_START = re.compile(r"(?:\(?\d{1,3}[.)]|\(?[a-z]{1,3}\)|\(\d{1,3}\)|[IVXLC]{1,6}\.|[A-Z]\.)\s")
_BULLET_START = re.compile(
    "(?:[\u2022\u25cf\u25aa\u25e6\u2023\u2219\u25a0\u25a1\u27a2\u25ba\uf0b7\uf0a7*\u2013-]"
    r"|#{1,6})\s"
)
_MARKDOWN_BLOCK = re.compile(r"#{1,6}\s|\|")  # a heading or a table row
_URL = re.compile(r"(?:https?://|www\.)\S*", re.IGNORECASE)
_TERMINAL = re.compile(r"[.!?:;][)\]\"'\u2019\u201d\u00bb]*$")
# Left parts that make real compounds: "anti-\ntrafficking" keeps its hyphen.
_COMPOUND_PREFIXES = frozenset(
    "anti non co self post pre multi inter intra cross counter well so ex semi mid "
    "long short full high low half quasi socio vice extra ultra pan neo pro all "
    "cyber micro macro mini one two three four five".split()
)


def clean_text(raw: str) -> str:
    """Clean extracted text: one paragraph per line, single spaces, no control characters.

    Applies Unicode NFC, expands ligatures, drops soft hyphens and control or invisible
    characters, joins words hyphenated across a line end ("train-\\ning" -> "training")
    while keeping real compounds ("anti-\\ntrafficking"), joins the lines of a paragraph
    with a space and keeps each paragraph break as a single newline. Runs in linear time.
    """
    text = _normalize_chars(raw)
    lines = _tidy_lines(text.split("\n"))
    width = _wrap_width(lines)
    if not width and any(len(line) > _UNWRAPPED_WIDTH for line in lines):
        width = _NEVER_WRAPPED  # a paragraph per line: its short lines are titles, sources
    return _join_lines(lines, _vocabulary(text), width)


def _normalize_chars(raw: str) -> str:
    text = raw.replace("\r\n", "\n").translate({ord("\r"): "\n"})
    text = _SOFT_HYPHEN_BREAK.sub("", _ANSI_ESCAPE.sub("", text))
    text = _SURROGATES.sub("", text.translate(_CHAR_TABLE))
    text = _DOT_LEADERS.sub(" \u2026 ", text)
    return unicodedata.normalize("NFC", text)


def _vocabulary(text: str) -> Counter[str]:
    """How often each word (hyphenated compounds whole) occurs, lower-cased."""
    return Counter(match.group().lower() for match in _WORD_TOKENS.finditer(text))


def _tidy_lines(raw_lines: list[str]) -> list[str]:
    """Single-spaced, stripped lines; separator rules ("_____") become blank lines."""
    lines = []
    for line in raw_lines:
        line = _SPACES.sub(" ", line).strip()
        lines.append("" if _SEPARATOR_LINE.fullmatch(line) else line)
    return lines


def _wrap_width(lines: list[str]) -> int:
    """The width (in characters) at which the lines were wrapped, or 0 if unknown.

    Read from the longer lines (90th percentile); under five lines, lines too short to be a
    page's width, or lines too long to be wrapped at all leave it unknown.
    """
    lengths = sorted(
        len(line) for line in lines if 0 < len(line) <= _UNWRAPPED_WIDTH and line[0] != "|"
    )
    if len(lengths) < 5:
        return 0
    width = lengths[int(0.9 * (len(lengths) - 1))]
    return width if width >= _MIN_WRAP_WIDTH else 0


def _join_lines(lines: list[str], vocabulary: Counter[str], width: int) -> str:
    """Join tidy lines into paragraphs, one per output line."""
    paragraphs: list[str] = []
    current = ""
    previous = ""
    for line in lines:
        if not line:
            if current:
                paragraphs.append(current)
            current = previous = ""
            continue
        if current and not _ends_block(previous, line, width):
            current = _join_pair(current, previous, line, vocabulary)
        else:
            if current:
                paragraphs.append(current)
            current = line
        previous = line
    if current:
        paragraphs.append(current)
    # Joined lines can add up to a rule ("__" + "-"): a paragraph of rule marks alone says
    # nothing and is dropped, however short, so that cleaning twice changes nothing.
    text = "\n".join(p for p in paragraphs if not _RULE_ONLY.fullmatch(p))
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def _ends_block(previous: str, line: str, width: int) -> bool:
    """Whether ``previous`` is the last line of a paragraph, heading, list item or row."""
    if max(len(previous), len(line)) > _UNWRAPPED_WIDTH or width == _NEVER_WRAPPED:
        return True  # one paragraph per line: text that was never wrapped
    if _URL.fullmatch(previous) or _URL.fullmatch(line):
        return True  # a source line stands alone
    if _BULLET_START.match(line) or _MARKDOWN_BLOCK.match(previous) or line[0] == "|":
        return True
    if previous[-1] == "-" and previous[-2:-1].isalpha() and line[0].islower():
        return False  # a word hyphenated across the line end goes on
    first_word = line.split(" ", 1)[0]
    if width and len(previous) + 1 + len(first_word) < _FULL_LINE * width:
        # Ended early, so it ends a block; unless it stops mid-phrase and the next line
        # goes on in lower case (a heading or a box set narrower than the page).
        return not (previous[-1].islower() or previous[-1] == ",") or not line[0].islower()
    return bool(_TERMINAL.search(previous)) and bool(_LIST_START.match(line))


def _join_pair(current: str, previous: str, line: str, vocabulary: Counter[str]) -> str:
    """Append ``line`` to the paragraph ``current``, whose last line is ``previous``."""
    last_token = previous.rsplit(" ", 1)[-1]
    if len(last_token) < 2 or not last_token[-2].isalnum():
        return current + " " + line
    if last_token[-1] in "/\u2013\u2014":  # "and/\nor", "2008\u2013\n2011"
        return current + line
    if last_token[-1] == "-":
        right = _FIRST_WORD.match(line)
        if right is None:
            return current + " " + line
        if last_token[-2].isalpha() and not _keeps_hyphen(last_token, right.group(), vocabulary):
            return current[:-1] + line
        return current + line
    return current + " " + line


def _keeps_hyphen(last_token: str, right: str, vocabulary: Counter[str]) -> bool:
    """Decide whether ``word-`` + ``right`` across a line end is a compound or a split word."""
    if not right[0].isalpha() or right[0].isupper():
        return True
    left_whole = last_token[:-1].lstrip("([{\"'\u2018\u201c\u00ab")
    left = left_whole.rsplit("-", 1)[-1]
    joined = vocabulary[(left_whole + right).lower()]
    hyphenated = vocabulary[f"{left_whole}-{right}".lower()]
    if joined != hyphenated:
        return hyphenated > joined
    if left.lower() in _COMPOUND_PREFIXES:
        return True
    # "Union-\nfacilitated", "UNMIK-\nbacked": a capitalised word seen elsewhere on its own.
    return left[:1].isupper() and vocabulary[left.lower()] >= 2


# --------------------------------------------------------------------- page structure

_DIGIT_RUNS = re.compile(r"\d+")


def _running_key(line: str) -> str:
    # Sorted tokens make "25-04871 2/23" and "3/23 25-04871" (even/odd pages) one key.
    return " ".join(sorted(_DIGIT_RUNS.sub("#", line).split()))


def _edge_indexes(lines: list[str]) -> list[int]:
    filled = [i for i, line in enumerate(lines) if line.strip()]
    return sorted(set(filled[:_EDGE_LINES] + filled[-_EDGE_LINES:]))


def _strip_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Drop headers and footers that recur (digits aside) at the top or bottom of pages."""
    if len(pages) < _RUNNING_MIN_PAGES:
        return pages
    counts: Counter[str] = Counter()
    for lines in pages:
        counts.update({_running_key(lines[i]) for i in _edge_indexes(lines)})
    needed = max(_RUNNING_MIN_PAGES, math.ceil(_RUNNING_SHARE * len(pages)))
    running = {key for key, count in counts.items() if count >= needed and key}
    if not running:
        return pages
    stripped = []
    for lines in pages:
        drop = {i for i in _edge_indexes(lines) if _running_key(lines[i]) in running}
        stripped.append([line for i, line in enumerate(lines) if i not in drop])
    # When nothing else is left, the recurring lines were the content (the same short page
    # repeated, or one word on image pages), and the "no extractable text" test judges it.
    return stripped if any(line for lines in stripped for line in lines) else pages


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
        and not _URL.search(line)
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
                    or _TERMINAL.search(parts[-1])
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
        if line and not _URL.fullmatch(line) and any(c.isalnum() for c in line):
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
        raise DocumentError("too large", "ran out of memory while reading it") from None
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
        if page_count == 0:
            raise DocumentError("cannot be read", "the PDF has no pages")
        raw_pages: list[str] = []
        failures: list[str] = []
        for number, page in enumerate(reader.pages, start=1):
            try:
                raw_pages.append(page.extract_text() or "")
            except FileNotDecryptedError:
                raise DocumentError("password-protected", _PASSWORD_HINT) from None
            except (MemoryError, RecursionError):
                raise
            except Exception as error:
                logger.warning("%s: no text from page %d: %s", path, number, describe_error(error))
                failures.append(describe_error(error))
                raw_pages.append("")
        if len(failures) == page_count:
            raise DocumentError("cannot be read", failures[0])
        try:
            metadata_title = reader.metadata.title if reader.metadata else None
        except Exception:
            metadata_title = None
    return _assemble_pdf(raw_pages, metadata_title, path)


def _assemble_pdf(raw_pages: list[str], metadata_title: Any, path: Path) -> ReadDocument:
    normalized = [_normalize_chars(text) for text in raw_pages]
    page_lines = _strip_running_lines([_tidy_lines(text.split("\n")) for text in normalized])
    # Vocabulary and wrap width come from the whole document, so that a page with a few
    # lines is joined like the others.
    vocabulary = _vocabulary("\n".join(normalized))
    width = _wrap_width([line for lines in page_lines for line in lines])
    texts = [_join_lines(lines, vocabulary, width) for lines in page_lines]
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
