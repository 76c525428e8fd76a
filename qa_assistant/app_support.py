"""What the Streamlit app needs beyond the library, kept free of Streamlit so it is tested
directly: the embedder, showing report text safely, the original page of a citation, the
search scope of the filters and the Markdown export of the conversation. Uploads and
deletions are in ``uploads``, background index updates in ``index_updater``, the
conversation's turns and their store in ``conversations``.

Report text and file names are data. Nothing here lets them act as HTML or Markdown:
``passage_html`` escapes every piece before adding its own ``<mark>`` tags, and
``escape_markdown`` backslash-escapes what Markdown (and Streamlit's Markdown extras) would
read as syntax, so a report holding ``<script>`` or ``[x](javascript:…)`` shows as text.
"""

from __future__ import annotations

import html
import io
import os
import re
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from .conversations import Turn
from .embedding import Embedder, FakeEmbedder, SentenceTransformerEmbedder
from .errors import QAError
from .lexical import one_line
from .page_image import PageImage
from .types import Answer, Citation, DocumentInfo

EMBEDDER_ENV = "QA_ASSISTANT_EMBEDDER"


# ---- the embedder ---------------------------------------------------------------------------
def make_embedder(kind: str | None = None) -> Embedder:
    """``$QA_ASSISTANT_EMBEDDER`` (or ``kind``): "fake" for tests, else the real model."""
    kind = (kind if kind is not None else os.environ.get(EMBEDDER_ENV, "")).strip().lower()
    if kind == "fake":
        return FakeEmbedder()
    if kind not in ("", "model", "real"):
        raise QAError(f"{EMBEDDER_ENV} must be 'fake' or 'model' (got {kind!r})")
    return SentenceTransformerEmbedder()


# ---- showing report text as text --------------------------------------------------------------
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_MD_SPECIALS = re.compile(r"([\\`*_\[\](){}<>&|~$:@!^])")
_MD_LINE_START = re.compile(r"^(\s*)([#+=-])", re.MULTILINE)
_MD_ORDERED_ITEM = re.compile(r"^(\s*\d+)\.", re.MULTILINE)


def plain(text: str) -> str:
    """``text`` without terminal escapes and control characters (newlines and tabs kept)."""
    return _CONTROLS.sub("", _ANSI.sub("", text or ""))


def escape_markdown(text: str) -> str:
    """``text`` as Markdown that shows it literally: no links, HTML, emphasis, maths,
    Streamlit colour or icon codes, headings, lists or autolinks."""
    escaped = _MD_SPECIALS.sub(r"\\\1", plain(text))
    escaped = escaped.replace("www.", r"www\.").replace("WWW.", r"WWW\.")
    escaped = _MD_LINE_START.sub(r"\1\\\2", escaped)
    return _MD_ORDERED_ITEM.sub(r"\1\\.", escaped)


def split_highlight(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, highlighted) parts by the character ``spans``."""
    parts: list[tuple[str, bool]] = []
    position = 0
    for start, end in sorted((max(0, a), min(len(text), b)) for a, b in spans):
        if end <= position:
            continue
        start = max(start, position)
        if start > position:
            parts.append((text[position:start], False))
        parts.append((text[start:end], True))
        position = end
    if position < len(text):
        parts.append((text[position:], False))
    return parts


def passage_html(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """The passage as HTML: every piece escaped, the answering sentence(s) in ``<mark>``."""
    pieces = []
    for piece, marked in split_highlight(text, spans):
        escaped = html.escape(plain(piece), quote=True)
        pieces.append(f"<mark>{escaped}</mark>" if marked else escaped)
    return "".join(pieces)


def citation_card_html(citation: Citation, *, related: bool = False) -> str:
    """A citation card: [n], report title, file and page (and whether OCR read it) over the
    highlighted passage. A related card keeps its number, so an answer quoting [1] and [3]
    leaves no [2] to look for, and says "related reading" apart from the title."""
    title = html.escape(plain(citation.title or citation.document))
    file = html.escape(plain(citation.document))
    heading = f"<strong>[{citation.n}] {title}</strong>"
    if related:
        heading = (
            f'<span style="opacity:0.75">[{citation.n}] related reading:</span> '
            f"<strong>{title}</strong>"
        )
    spans = [] if related else citation.highlight
    # a text file has no pages of its own: its "page 1" is the whole file
    where = f" · page {int(citation.page)}" if is_pdf(citation.document) else ""
    ocr = " · read by OCR: check a figure against the original page" if citation.ocr else ""
    return (
        '<div class="qa-card" style="line-height:1.5">'
        f"<div>{heading}</div>"
        f'<div style="opacity:0.75;font-size:0.9em">{file}{where}{ocr}</div>'
        '<div class="qa-passage" style="white-space:pre-wrap;margin-top:0.4em">'
        f"{passage_html(citation.text, spans)}</div></div>"
    )


def is_pdf(path: str) -> bool:
    """Whether a report is a PDF, which has pages (a text file is one page)."""
    return path.lower().endswith(".pdf")


def page_html(page_text: str, passage: str, sentences: Sequence[str]) -> str:
    """A whole page, escaped, with the answering sentence(s) (or else the passage) marked."""
    spans = [span for s in sentences if (span := locate(page_text, s))]
    if not spans and (span := locate(page_text, passage)):
        spans = [span]
    body = passage_html(page_text, spans)
    return (
        '<div class="qa-page" style="white-space:pre-wrap;line-height:1.5;padding:0.6em;'
        f'border-left:3px solid rgba(128,128,128,0.4)">{body}</div>'
    )


def locate(haystack: str, needle: str) -> tuple[int, int] | None:
    """Where ``needle`` stands in ``haystack``, allowing for different white space."""
    needle = needle.strip()
    if not needle:
        return None
    found = haystack.find(needle)
    if found >= 0:
        return found, found + len(needle)
    words = needle.split()[:80]
    match = re.search(r"\s+".join(map(re.escape, words)), haystack)
    return (match.start(), match.end()) if match else None


# ---- the original page ------------------------------------------------------------------------
def page_text(path: Path, page: int) -> str:
    """The cleaned text of physical ``page`` (1-based) of a report, as the index read it
    (a picture of text read by OCR, if it is one: that page only)."""
    from .reading import read_document

    pages = read_document(path, page=page).pages
    if not 1 <= page <= len(pages):
        raise QAError(f"{path.name} has {len(pages)} pages; page {page} does not exist")
    return pages[page - 1].text


def page_pdf(path: Path, page: int) -> bytes:
    """Physical ``page`` (1-based) of a PDF as a one-page PDF: the original page, as printed."""
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(path)
    if not 1 <= page <= len(reader.pages):
        raise QAError(f"{path.name} has {len(reader.pages)} pages; page {page} does not exist")
    writer = PdfWriter()
    writer.add_page(reader.pages[page - 1])
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def picture_note(citation: Citation, picture: PageImage) -> str:
    """Why the answering sentence is not (all) marked on the page's picture."""
    if citation.ocr and picture.marked:
        return (
            "This page, or a picture on it, was read by OCR: the answering sentence is marked "
            "where OCR reads it. Check a figure against the page."
        )
    if citation.ocr:
        return (
            "This page, or a picture on it, was read by OCR, and the answering sentence could "
            "not be found on it again: it is marked in the Text tab."
        )
    if picture.marked == 0:
        return (
            "The answering sentence could not be found in the page's own text layer (it may "
            "run on from the page before); it is marked in the Text tab."
        )
    return f"{picture.marked} of the {picture.sought} quoted sentences are marked on the page."


# ---- the search scope of the filters ----------------------------------------------------------
def folders_of(paths: Sequence[str]) -> list[str]:
    """Every folder (and parent folder) that holds one of the report ``paths``."""
    folders: set[str] = set()
    for path in paths:
        parts = path.split("/")[:-1]
        folders.update("/".join(parts[: i + 1]) for i in range(len(parts)))
    return sorted(folders)


def resolve_scope(
    documents: Sequence[DocumentInfo],
    reports: Sequence[str] = (),
    folders: Sequence[str] = (),
    years: Sequence[int] = (),
) -> list[str] | None:
    """Report paths the filters allow: None when nothing is filtered (search everything),
    ``[]`` when the filters exclude every report. Reports and folders add up; years narrow."""
    if not (reports or folders or years):
        return None
    chosen = list(documents)
    if reports or folders:
        prefixes = tuple(f"{folder.rstrip('/')}/" for folder in folders)
        chosen = [d for d in chosen if d.path in reports or d.path.startswith(prefixes)]
    if years:
        chosen = [d for d in chosen if d.year in set(years)]
    return [d.path for d in chosen]


# ---- the conversation and its export ----------------------------------------------------------
_MARKER = re.compile(r"\[(\d+)\]")


def sources_and_related(answer: Answer) -> tuple[list[Citation], list[Citation]]:
    """The citations the answer quotes (its [n] markers), then the others: related reading
    only, so no highlighted sentence seems to back an answer it is not part of. All are
    related reading when the reports don't answer."""
    if not answer.answered:
        return [], list(answer.citations)
    quoted = {int(n) for n in _MARKER.findall(answer.answer)}
    sources = [c for c in answer.citations if c.n in quoted]
    return sources, [c for c in answer.citations if c.n not in quoted]


def _quoted_passage(citation: Citation) -> str:
    pieces = []
    for piece, marked in split_highlight(citation.text, citation.highlight):
        piece = re.sub(r"\s+", " ", piece)
        core = piece.strip()
        if marked and core:  # "**" must touch the words to make them bold
            lead, trail = piece[: len(piece) - len(piece.lstrip())], piece[len(piece.rstrip()) :]
            pieces.append(f"{lead}**{escape_markdown(core)}**{trail}")
        else:
            pieces.append(escape_markdown(piece))
    return "> " + "".join(pieces).strip()


def acronyms_line(acronyms: Sequence[tuple[str, str]]) -> str:
    """The line "Acronyms: **OMIK** OSCE Mission in Kosovo · …" in Markdown, text escaped."""
    return "Acronyms: " + " · ".join(
        f"**{escape_markdown(acronym)}** {escape_markdown(long_form)}"
        for acronym, long_form in acronyms
    )


def conversation_markdown(turns: Sequence[Turn], *, exported_at: str | None = None) -> str:
    """The conversation as Markdown with its citations; report text is escaped, so links
    and HTML in the reports stay text."""
    stamp = exported_at or time.strftime("%Y-%m-%d %H:%M", time.localtime())
    lines = [
        "# Conversation with the Report QA Assistant",
        "",
        f"Exported {escape_markdown(stamp)}; {len(turns)} question(s).",
    ]
    for number, turn in enumerate(turns, start=1):
        answer = turn.answer
        lines += ["", f"## {number}\\. {escape_markdown(one_line(turn.question))}", ""]
        if turn.scope is not None:
            searched = ", ".join(escape_markdown(p) for p in turn.scope) or "nothing"
            lines += [f"*Searched only: {searched}*", ""]
        if answer.corrected:
            lines += [f"*{escape_markdown(answer.searched_for())}*", ""]
        lines.append(escape_markdown(one_line(answer.answer)))
        if answer.acronyms:
            lines += ["", acronyms_line(answer.acronyms)]
        if turn.rating:
            lines += ["", f"Rated: {'helpful' if turn.rating > 0 else 'not helpful'}"]
        sources, related = sources_and_related(answer)
        for heading, cited in (("Sources", sources), ("Related reading", related)):
            if cited:
                lines += ["", f"### {heading}", ""]
            for citation in cited:
                title = escape_markdown(one_line(citation.title or citation.document))
                label = f"\\[{citation.n}\\] " if heading == "Sources" else ""
                where = f"{escape_markdown(citation.document)}, page {citation.page}"
                lines.append(f"{label}*{title}*, {where}")
                shown = citation if label else replace(citation, highlight=[])
                lines += ["", _quoted_passage(shown), ""]
    return "\n".join(lines).rstrip() + "\n"
