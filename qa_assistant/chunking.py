"""Cut a document into sentence-aware passages that fit the encoder's window.

Pages are joined into one document text with ``PAGE_JOIN``; every passage is a slice of that
text (``start``/``end``) and carries ``page_spans`` so a citation can name the page on which
any sentence of it stands, also when a paragraph runs across a page break.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .config import ChunkSettings
from .types import Chunk, PageText

PAGE_JOIN = "\n"

TokenCounter = Callable[[Sequence[str]], list[int]]

_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof st no nos art arts para paras fig figs vol vols p pp e.g i.e etc
    al jan feb mar apr jun jul aug sep sept oct nov dec gen lt col maj sgt capt rev hon
    amb est approx dept inc ltd co corp u.s u.n u.k vs cf ch sec""".split()
)
# A sentence ends at . ! ? (plus closing quotes/brackets) followed by space and a capital,
# digit, quote or bracket; or at a line break after such a mark or before a capital letter.
_BOUNDARY = re.compile(r"""[.!?…]["'”’)\]]*\s+(?=["“‘(\[]?[A-Z0-9À-ÖØ-Þ])|\n+""")
_LAST_WORD = re.compile(r"(\S+)$")
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Sentence:
    """A sentence as a half-open span ``[start, end)`` of the document text."""

    start: int
    end: int


def join_pages(pages: Sequence[PageText]) -> tuple[str, list[int], list[int]]:
    """The document text, the offset at which each page starts, and the page numbers."""
    starts: list[int] = []
    numbers: list[int] = []
    parts: list[str] = []
    offset = 0
    for page in pages:
        starts.append(offset)
        numbers.append(page.number)
        parts.append(page.text)
        offset += len(page.text) + len(PAGE_JOIN)
    return PAGE_JOIN.join(parts), starts, numbers


_ABBREVIATION_WINDOW = 32  # longer than any word in _ABBREVIATIONS


def _is_abbreviation(text: str, end: int) -> bool:
    """Whether the period just before ``end`` closes an abbreviation, not a sentence."""
    # Look back a few characters, not to the start of the document: searching from 0 for
    # every period made sentence splitting quadratic in the document's length.
    start = max(0, end - _ABBREVIATION_WINDOW)
    match = _LAST_WORD.search(text, start, end)
    if not match or (match.start() == start > 0 and not text[start - 1].isspace()):
        return False
    word = match.group(1).rstrip(".").lstrip("(\"'“‘").lower()
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def split_sentences(text: str) -> list[Sentence]:
    """Sentence spans of ``text``, trimmed of surrounding whitespace; none is empty.

    A line break ends a sentence unless the next line starts in lower case (a sentence
    that runs on across a line or a page); a web address alone on its line and a date field
    opening a line are sentences of their own.
    """
    sentences: list[Sentence] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        is_newline = match.group(0).startswith("\n")
        if is_newline:
            following = text[match.end() : match.end() + 1]
            if following and following.islower():
                continue
        elif text[match.start()] == "." and _is_abbreviation(text, match.start() + 1):
            continue
        split_at = match.start() if is_newline else match.start() + len(match.group(0).rstrip())
        _append_trimmed(sentences, text, start, split_at)
        start = match.end()
    _append_trimmed(sentences, text, start, len(text))
    breaks = sorted({cut for m in _FIELD.finditer(text) for cut in m.span()})
    return _split_at(sentences, text, breaks) if breaks else sentences


# A line holding only a web address, and a date field opening a line ("date 2024-10-07 …"
# in text saved from a web page) end a sentence even when lower case follows: the source
# line is not part of the first sentence of the report.
_FIELD = re.compile(
    r"(?m)^[ \t]*(?:(?:https?://|www\.)\S+(?=[ \t]*\n)"
    r"|(?:[A-Za-z]+:?[ \t]+)?\d{4}-\d{2}-\d{2}(?=[ \t]+\S))"
)


def _split_at(sentences: list[Sentence], text: str, breaks: list[int]) -> list[Sentence]:
    """``sentences`` further cut at each offset of ``breaks`` that falls inside one."""
    out: list[Sentence] = []
    for sentence in sentences:
        start = sentence.start
        for cut in breaks:
            if start < cut < sentence.end:
                _append_trimmed(out, text, start, cut)
                start = cut
        _append_trimmed(out, text, start, sentence.end)
    return out


def _append_trimmed(sentences: list[Sentence], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        sentences.append(Sentence(start, end))


def _split_long(
    text: str, sentence: Sentence, tokens: int, limit: int, count: TokenCounter
) -> list[tuple[Sentence, int]]:
    """Cut a sentence longer than the window at word boundaries into pieces that fit."""
    if tokens <= limit:
        return [(sentence, tokens)]
    words = list(_WORD.finditer(text, sentence.start, sentence.end))
    word_tokens = count([m.group(0) for m in words])
    pieces: list[tuple[Sentence, int]] = []
    piece_start, piece_tokens = words[0].start(), 0
    previous_end = words[0].start()
    for word, n in zip(words, word_tokens, strict=True):
        if previous_end > piece_start and (piece_tokens + n > limit or n > limit):
            pieces.append((Sentence(piece_start, previous_end), piece_tokens))
            piece_start, piece_tokens = word.start(), 0
        if n > limit:  # a single "word" beyond the window (a URL, a table row): cut it hard
            pieces.extend(_cut_word(text, word.start(), word.end(), limit, count))
            piece_start, piece_tokens = word.end(), 0
        else:
            piece_tokens += n
        previous_end = word.end()
    if previous_end > piece_start:  # keeps words the tokenizer counts as 0 tokens too
        pieces.append((Sentence(piece_start, previous_end), piece_tokens))
    return pieces


def _cut_word(
    text: str, start: int, end: int, limit: int, count: TokenCounter
) -> list[tuple[Sentence, int]]:
    """Cut one over-long word into the longest pieces that fit, measured by the counter.

    Tokens are not spread evenly over characters, so each cut is found by bisection.
    """
    pieces: list[tuple[Sentence, int]] = []
    cut = start
    while cut < end:
        low, high = cut + 1, end  # the longest end in [low, high] whose piece fits
        while low < high:
            middle = (low + high + 1) // 2
            if count([text[cut:middle]])[0] <= limit:
                low = middle
            else:
                high = middle - 1
        pieces.append((Sentence(cut, low), count([text[cut:low]])[0]))
        cut = low
    return pieces


def _page_spans(start: int, end: int, page_starts: list[int], numbers: list[int]):
    first = bisect.bisect_right(page_starts, start) - 1
    spans = [(0, numbers[first])]
    for index in range(first + 1, len(page_starts)):
        if page_starts[index] >= end:
            break
        spans.append((page_starts[index] - start, numbers[index]))
    return spans


def chunk_document(
    pages: Sequence[PageText], count_tokens: TokenCounter, settings: ChunkSettings
) -> list[Chunk]:
    """Passages of whole sentences, each at most ``settings.max_tokens`` word pieces.

    Consecutive passages share trailing sentences worth up to ``overlap_tokens``.
    """
    text, page_starts, numbers = join_pages(pages)
    sentences = split_sentences(text)
    if not sentences:
        return []
    counts = count_tokens([text[s.start : s.end] for s in sentences])
    units: list[tuple[Sentence, int]] = []
    for sentence, tokens in zip(sentences, counts, strict=True):
        units.extend(_split_long(text, sentence, tokens, settings.max_tokens, count_tokens))

    chunks: list[Chunk] = []
    first = 0
    while first < len(units):
        last, total = first, 0
        while last < len(units) and (total == 0 or total + units[last][1] <= settings.max_tokens):
            total += units[last][1]
            last += 1
        start, end = units[first][0].start, units[last - 1][0].end
        chunks.append(
            Chunk(
                text=text[start:end],
                start=start,
                end=end,
                page_spans=_page_spans(start, end, page_starts, numbers),
                n_tokens=total,
            )
        )
        if last >= len(units):
            break
        # Step back over trailing sentences that fit the overlap, but always move forward.
        next_first, overlap = last, 0
        while (
            next_first - 1 > first and overlap + units[next_first - 1][1] <= settings.overlap_tokens
        ):
            next_first -= 1
            overlap += units[next_first][1]
        first = next_first
    return chunks
