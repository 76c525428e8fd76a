"""Plain data passed between the stages and out to the CLI and the UI."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple


def page_at(page_spans: list[tuple[int, int]], offset: int) -> int:
    """The page on which ``offset`` stands, given ``(offset, page)`` spans from offset 0."""
    page = page_spans[0][1]
    for span_start, span_page in page_spans:
        if span_start > offset:
            break
        page = span_page
    return page


def page_of_span(page_spans: list[tuple[int, int]], start: int, end: int) -> int:
    """The page holding most of the characters ``start:end``: a sentence that begins in
    the last line of one page and runs on to the next is cited by the page it stands on."""
    best_page, best_length = page_at(page_spans, start), 0
    bounds = [*page_spans[1:], (max(end, start), None)]
    for (span_start, page), (next_start, _) in zip(page_spans, bounds, strict=True):
        length = min(end, next_start) - max(start, span_start)
        if length > best_length:
            best_page, best_length = page, length
    return best_page


@dataclass(frozen=True)
class PageText:
    """The cleaned text of one physical page (1-based ``number``)."""

    number: int
    text: str


@dataclass(frozen=True)
class ReadDocument:
    """A document as read from disk: its cleaned pages and a title; ``ocr_pages``: the
    numbers of its pages that were pictures, read by OCR (all of a scan's);
    ``unread_pictures``: those of a text PDF's pages that are pictures, left unread for want
    of Tesseract."""

    pages: list[PageText]
    title: str
    ocr_pages: tuple[int, ...] = ()
    unread_pictures: tuple[int, ...] = ()

    @property
    def ocr(self) -> bool:
        """Whether any of its pages was read by OCR."""
        return bool(self.ocr_pages)


@dataclass(frozen=True)
class Chunk:
    """A passage cut from a document before it is stored.

    ``start``/``end`` are offsets into the document text (pages joined by ``PAGE_JOIN``);
    ``page_spans`` lists ``(offset_in_text, page_number)`` pairs, the first at offset 0,
    saying on which page each part of ``text`` stands.
    """

    text: str
    start: int
    end: int
    page_spans: list[tuple[int, int]]
    n_tokens: int

    def page_at(self, offset: int) -> int:
        """The page on which character ``offset`` of ``text`` stands."""
        return page_at(self.page_spans, offset)


@dataclass(frozen=True)
class PassageRow:
    """A stored passage with what a citation needs."""

    id: int
    document_id: int
    document: str
    title: str
    ordinal: int
    start: int
    end: int
    page: int
    page_spans: list[tuple[int, int]]
    text: str
    ocr_pages: frozenset[int] = frozenset()  # its report's pages that were read by OCR

    def page_at(self, offset: int) -> int:
        """The page on which character ``offset`` of ``text`` stands."""
        return page_at(self.page_spans, offset)

    def page_of(self, start: int, end: int) -> int:
        """The page on which most of ``text[start:end]`` stands."""
        return page_of_span(self.page_spans, start, end)


@dataclass
class Citation:
    """One cited passage: where it stands and which sentences in it answer."""

    n: int
    document: str
    page: int
    text: str
    highlight: list[tuple[int, int]]
    score: float
    title: str = ""
    passage_id: int = 0
    ocr: bool = False  # its page was a picture, read by OCR: a figure may be misread

    @classmethod
    def of(cls, n: int, row: PassageRow, span: tuple[int, int], score: float) -> Citation:
        """Citation ``n`` of a stored passage, ``span`` of its text highlighted and its page
        the one on which most of that span stands."""
        page = row.page_of(*span)
        return cls(
            n, row.document, page, row.text, [span], score, row.title, row.id, page in row.ocr_pages
        )

    def to_json(self) -> dict[str, Any]:
        """The CONTRACT's citation object (plus the title)."""
        return {
            "n": self.n,
            "document": self.document,
            "page": self.page,
            "text": self.text,
            "highlight": [list(span) for span in self.highlight],
            "score": round(float(self.score), 6),
            "title": self.title,
            "ocr": self.ocr,
        }


@dataclass
class Answer:
    """The reply to one question."""

    question: str
    answered: bool
    answer: str
    citations: list[Citation]
    timings: dict[str, float] = field(default_factory=dict)
    confidence: float = 0.0  # the best sentence's score; below the threshold: not answered
    # (acronym, long form) for the acronyms the question and answer use without spelling
    # them out, in the order they appear: a newcomer's key to "OMIK" or "POiD".
    acronyms: list[tuple[str, str]] = field(default_factory=list)
    # (word as typed, word searched) for each slip of the keyboard put right ("pubkic").
    corrected: list[tuple[str, str]] = field(default_factory=list)

    def searched_for(self) -> str:
        """The line "Searched for “public” (typed “pubkic”), …" naming the words searched in
        place of slips of the keyboard, and how to search one as typed, as plain text ("" if
        none): the CLI prints it, the app and the export escape it."""
        if not self.corrected:
            return ""
        words = ", ".join(f"“{searched}” (typed “{typed}”)" for typed, searched in self.corrected)
        return f"Searched for {words}. To search a word as typed, put it in quotes."

    def to_json(self) -> dict[str, Any]:
        """The CONTRACT's ``ask --json`` object (plus confidence, acronyms and the words
        searched in the reports' spelling)."""
        return {
            "question": self.question,
            "answered": self.answered,
            "answer": self.answer,
            "citations": [c.to_json() for c in self.citations],
            "confidence": round(float(self.confidence), 4),
            "acronyms": [{"acronym": a, "expansion": e} for a, e in self.acronyms],
            "corrected": [{"from": a, "to": b} for a, b in self.corrected],
        }


@dataclass
class FailedDocument:
    """A document that could not be indexed, and why."""

    document: str
    error: str


@dataclass
class IndexReport:
    """What one ``index`` run did (the CONTRACT's ``index --json`` object)."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[FailedDocument] = field(default_factory=list)
    # renamed or moved reports, each also under ``removed`` (old path) and ``added`` (new):
    # their passages were kept, not read and embedded again
    moved: list[dict[str, str]] = field(default_factory=list)  # {"from": old, "to": new}
    # reports a build cut short (killed, interrupted) had stored before its last checkpoint:
    # this run went on from there instead of reading them again
    resumed: int = 0
    # reports an interrupted ``index --rebuild`` had stored, dropped by a plain ``index``
    # (which brings the live index up to date instead)
    dropped_rebuild: int = 0
    # added or updated reports with pages that were pictures (scans), read by OCR
    ocr: list[str] = field(default_factory=list)
    # added or updated reports with pages that are pictures, left unread: Tesseract is not
    # installed (``index --rebuild`` reads them once it is)
    unread_pictures: list[str] = field(default_factory=list)
    # the index was built before a text report's picture pages were read by OCR, and
    # Tesseract is installed: ``index --rebuild`` would read them
    before_picture_ocr: bool = False
    documents: int = 0
    passages: int = 0
    pages: int = 0
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """The CONTRACT's ``index --json`` object."""
        data = asdict(self)
        data["seconds"] = round(self.seconds, 3)
        return data


@dataclass(frozen=True)
class DocumentInfo:
    """One indexed document, as listed in status and the collection overview."""

    path: str
    title: str
    pages: int
    passages: int
    year: int | None
    size: int
    indexed_at: str


class FileSignature(NamedTuple):
    """What tells, without reading a file, that it is as it was when indexed. As in git's
    index, the change time and inode stand beside size and modification time: an edit whose
    mtime was put back (``cp -p``, ``touch -r``, ``rsync -t``, an editor or sync tool that
    keeps it) still moves the ctime, which no user call can set. ``None`` (an index built
    before these were kept) matches nothing, so such a file is hashed once."""

    size: int
    mtime_ns: int
    ctime_ns: int | None
    inode: int | None


@dataclass(frozen=True)
class StoredDocument:
    """What is needed to decide whether a file changed since it was indexed."""

    id: int
    path: str
    signature: FileSignature
    sha256: str


@dataclass(frozen=True)
class GlossaryEntry:
    """An acronym and its long form, as defined in the reports."""

    acronym: str
    expansion: str
    documents: tuple[str, ...]
    count: int
