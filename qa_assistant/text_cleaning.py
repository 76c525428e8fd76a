"""Clean extracted text: one paragraph per line, single spaces, no control characters.

``clean_text`` cleans one text (a text file, a title); ``clean_pages`` cleans the pages of a
PDF together, dropping the headers and footers that recur on them and reading the words and
the width at which lines were wrapped from the whole document. Both join words hyphenated
across a line end and keep real compounds ("anti-\\ntrafficking").
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter

from .spellings import english_word

__all__ = ["TERMINAL_PUNCTUATION", "URL_PATTERN", "clean_pages", "clean_text"]

# A line is a running header/footer when (digits ignored) it stands among the first or last
# _EDGE_LINES lines of at least _RUNNING_SHARE of the pages and of at least _RUNNING_MIN_PAGES.
_EDGE_LINES = 4
_RUNNING_SHARE = 0.4
_RUNNING_MIN_PAGES = 3
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
URL_PATTERN = re.compile(r"(?:https?://|www\.)\S*", re.IGNORECASE)
TERMINAL_PUNCTUATION = re.compile(r"[.!?:;][)\]\"'\u2019\u201d\u00bb]*$")
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
    """How often each word (hyphenated compounds whole) occurs, lower-cased. The left part
    of a word hyphenated across a line end is no word ("Finan-" of "Finan-\nciere" and
    "finan-\ncial" would make "finan" a word seen twice, and keep the hyphen)."""
    return Counter(
        match.group().lower()
        for match in _WORD_TOKENS.finditer(text)
        if not _LINE_END_HYPHEN.match(text, match.end())
    )


_LINE_END_HYPHEN = re.compile(r"-[^\S\n]*\n")


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
    if URL_PATTERN.fullmatch(previous) or URL_PATTERN.fullmatch(line):
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
    return bool(TERMINAL_PUNCTUATION.search(previous)) and bool(_LIST_START.match(line))


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
    if left[:1].isupper():
        return vocabulary[left.lower()] >= 2
    # "government-\nsupported", "resource-\nconstrained": two words of English that make
    # none together ("govern-\nment" makes one, "consider-\nable" too).
    return (
        min(len(left), len(right)) >= _COMPOUND_PART
        and english_word(left.lower())
        and english_word(right.lower())
        and not english_word((left + right).lower())
    )


_COMPOUND_PART = 4  # letters: "ever-\nyone", "any-\nway" are split words


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


def clean_pages(raw_pages: list[str]) -> list[str]:
    """Clean the pages of a document, one text per page, as ``clean_text`` cleans one text;
    but headers and footers that recur (digits aside) at the top or bottom of the pages are
    dropped, and a page's lines are joined in the light of the whole document."""
    normalized = [_normalize_chars(text) for text in raw_pages]
    page_lines = _strip_running_lines([_tidy_lines(text.split("\n")) for text in normalized])
    # Vocabulary and wrap width come from the whole document, so that a page with a few
    # lines is joined like the others.
    vocabulary = _vocabulary("\n".join(normalized))
    width = _wrap_width([line for lines in page_lines for line in lines])
    return [_join_lines(lines, vocabulary, width) for lines in page_lines]
