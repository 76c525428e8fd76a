"""What the Streamlit app needs beyond the library, kept free of Streamlit so it is tested
directly: showing report text safely, checking uploads, the search scope of the filters,
the Markdown export, the original page of a citation, and index updates that run in a
background thread while every session keeps answering from the previous index.

Report text and file names are data. Nothing here lets them act as HTML or Markdown:
``passage_html`` escapes every piece before adding its own ``<mark>`` tags, and
``escape_markdown`` backslash-escapes what Markdown (and Streamlit's Markdown extras) would
read as syntax, so a report holding ``<script>`` or ``[x](javascript:…)`` shows as text.
"""

from __future__ import annotations

import hashlib
import html
import io
import logging
import os
import re
import threading
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from uuid import uuid4

from .config import SUPPORTED_SUFFIXES
from .embedding import Embedder, FakeEmbedder, SentenceTransformerEmbedder
from .errors import DocumentError, QAError
from .indexer import file_sha256, scan_documents
from .lexical import one_line
from .types import Answer, Citation, DocumentInfo, IndexReport

log = logging.getLogger(__name__)

EMBEDDER_ENV = "QA_ASSISTANT_EMBEDDER"
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
_SAFE_NAME = re.compile(r"[A-Za-z0-9._ -]+")


class UploadError(QAError):
    """An uploaded file was refused; the message says why and what to do."""


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
    """A citation card: [n], report title, file and page over the highlighted passage."""
    title = html.escape(plain(citation.title or citation.document))
    file = html.escape(plain(citation.document))
    label = "Related" if related else f"[{citation.n}]"
    spans = [] if related else citation.highlight
    return (
        '<div class="qa-card" style="line-height:1.5">'
        f"<div><strong>{label} {title}</strong></div>"
        f'<div style="opacity:0.75;font-size:0.9em">{file} · page {int(citation.page)}</div>'
        '<div class="qa-passage" style="white-space:pre-wrap;margin-top:0.4em">'
        f"{passage_html(citation.text, spans)}</div></div>"
    )


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
    """The cleaned text of physical ``page`` (1-based) of a report, as the index read it."""
    from .reading import read_document

    pages = read_document(path).pages
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


def document_path(documents_dir: Path, relative: str) -> Path:
    """The file of a report path relative to the documents folder, refusing to leave it."""
    root = Path(documents_dir).resolve()
    target = (root / relative).resolve()
    if not target.is_relative_to(root) or target == root:
        raise QAError(f"{relative!r} is not a file inside the documents folder {documents_dir}/")
    return target


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
@dataclass
class Turn:
    """One question of the conversation with its answer and the user's rating."""

    question: str
    answer: Answer
    history: tuple[str, ...] = ()
    scope: tuple[str, ...] | None = None
    rating: int | None = None
    id: str = field(default_factory=lambda: uuid4().hex[:10])


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
        lines.append(escape_markdown(one_line(answer.answer)))
        if answer.acronyms:
            lines += ["", acronyms_line(answer.acronyms)]
        if turn.rating:
            lines += ["", f"Rated: {'helpful' if turn.rating > 0 else 'not helpful'}"]
        if answer.citations:
            heading = "Sources" if answer.answered else "Related reading"
            lines += ["", f"### {heading}", ""]
        for citation in answer.citations:
            title = escape_markdown(one_line(citation.title or citation.document))
            label = f"\\[{citation.n}\\] " if answer.answered else ""
            lines.append(
                f"{label}*{title}*, {escape_markdown(citation.document)}, page {citation.page}"
            )
            lines += ["", _quoted_passage(citation), ""]
    return "\n".join(lines).rstrip() + "\n"


# ---- uploads and deletions --------------------------------------------------------------------
def safe_file_name(name: str) -> str:
    """A file name fit to store: no folders, no leading dot, letters (accents folded),
    digits, ``._-`` and spaces only, and a supported extension. Raises ``UploadError``."""
    if not name or not name.strip():
        raise UploadError("The file has no name.")
    if "/" in name or "\\" in name or "\x00" in name or name.strip() in (".", ".."):
        raise UploadError(
            f"Refused {name!r}: a file name must not contain folders ('/', '\\' or '..'). "
            "Upload the file itself and pick the folder under 'Save into'."
        )
    folded = unicodedata.normalize("NFKD", name.strip()).encode("ascii", "ignore").decode()
    if folded.startswith("."):
        raise UploadError(f"Refused {name!r}: a file name must not start with a dot.")
    if not _SAFE_NAME.fullmatch(folded) or len(folded) > 200:
        raise UploadError(
            f"Refused {name!r}: use at most 200 letters, digits, spaces, '.', '_' or '-' "
            "in file names. Rename the file and upload it again."
        )
    if not folded.lower().endswith(SUPPORTED_SUFFIXES):
        raise UploadError(
            f"Refused {name!r}: only {', '.join(SUPPORTED_SUFFIXES)} files can be added."
        )
    return folded


def _check_content(name: str, data: bytes) -> None:
    if not data:
        raise UploadError(f"Refused {name!r}: the file is empty.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadError(
            f"Refused {name!r}: it is {len(data) / 2**20:.0f} MB; the limit is "
            f"{MAX_UPLOAD_BYTES // 2**20} MB."
        )
    if name.lower().endswith(".pdf"):
        if not data.startswith(b"%PDF-"):
            raise UploadError(f"Refused {name!r}: it is not a PDF (it does not start with %PDF-).")
    elif b"\x00" in data[:65536] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UploadError(f"Refused {name!r}: it is binary data, not text.")


def _guarded_read(path: Path) -> DocumentError | None:
    """Read ``path`` in the guarded reader process (timeout, memory cap): the error, or None."""
    from .reader_pool import ReaderPool

    with ReaderPool(timeout=60.0) as pool:
        for _, result in pool.imap([path]):
            return result if isinstance(result, DocumentError) else None
    return None


def add_upload(
    documents_dir: Path,
    name: str,
    data: bytes,
    *,
    folder: str = "",
    replace_existing: bool = False,
    check: Callable[[Path], DocumentError | None] = _guarded_read,
) -> Path:
    """Store an uploaded report in ``documents_dir/folder`` after checking its name, size,
    type (by content), that its content is not already there, and that it can be read.
    Returns the stored path; raises ``UploadError`` and writes nothing when refused."""
    file_name = safe_file_name(name)
    _check_content(name, data)
    documents_dir = Path(documents_dir)
    documents_dir.mkdir(parents=True, exist_ok=True)
    target_dir = document_path(documents_dir, folder) if folder else documents_dir.resolve()
    if not target_dir.is_dir():
        raise UploadError(f"The folder {folder!r} does not exist in {documents_dir}/.")
    target = target_dir / file_name
    relative = target.relative_to(documents_dir.resolve()).as_posix()
    digest = hashlib.sha256(data).hexdigest()
    for source in scan_documents(documents_dir):
        if file_sha256(source.path) == digest:
            raise UploadError(
                f"Refused {name!r}: the same file is already there as {source.relative}."
            )
    if target.exists() and not replace_existing:
        raise UploadError(
            f"Refused {name!r}: {relative} already exists. Tick 'Replace reports of the same "
            "name' to put the new version in its place."
        )
    temporary = target_dir / f".upload-{uuid4().hex}{target.suffix.lower()}"
    try:
        temporary.write_bytes(data)
        problem = check(temporary)
        if problem is not None:
            raise UploadError(f"Refused {name!r}: {problem.reason}.")
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return target


def delete_report(documents_dir: Path, relative: str) -> None:
    """Delete one report file from the documents folder (the next update drops it)."""
    target = document_path(documents_dir, relative)
    if not target.is_file() or not target.name.lower().endswith(SUPPORTED_SUFFIXES):
        raise QAError(f"{relative} is not a report in {documents_dir}/.")
    target.unlink()


# ---- index updates in the background ----------------------------------------------------------
@dataclass(frozen=True)
class UpdateState:
    """Where the latest update of one index stands."""

    run: int = 0  # how many updates were started; tells sessions a new one finished
    running: bool = False
    stage: str = ""
    done: int = 0
    total: int = 0
    passages: int = 0
    rebuild: bool = False
    report: IndexReport | None = None
    error: str | None = None
    started: float | None = None
    finished: float | None = None

    @property
    def fraction(self) -> float:
        """Share of the files read so far (0 to 1)."""
        return min(1.0, self.done / self.total) if self.total else 0.0

    def describe(self) -> str:
        """One line on the progress, for the progress bar."""
        if not self.running:
            return "Idle"
        if not self.total:
            return "Looking for new, changed and deleted reports…"
        embedded = f"; {self.passages} passages embedded" if self.passages else ""
        return f"Reading reports: {self.done} of {self.total}{embedded}"


class IndexUpdater:
    """Runs one update of an index at a time, in a background thread, for all sessions.

    Questions keep being answered from the previous index: the store switches to the new
    generation atomically when the update ends, and the assistant notices on its next
    question. Use ``updater_for(index_dir)`` to get the process-wide updater of an index.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state = UpdateState()
        self._thread: threading.Thread | None = None

    def state(self) -> UpdateState:
        """A snapshot of the latest update."""
        with self._lock:
            return self._state

    def start(self, assistant, documents_dir: Path, *, rebuild: bool = False) -> bool:
        """Start updating ``assistant``'s index from ``documents_dir``; False if one runs."""
        with self._lock:
            if self._state.running:
                return False
            self._state = UpdateState(
                run=self._state.run + 1, running=True, rebuild=rebuild, started=time.time()
            )
            self._thread = threading.Thread(
                target=self._run,
                args=(assistant, Path(documents_dir), rebuild),
                name="qa-index-update",
                daemon=True,
            )
            self._thread.start()
        return True

    def wait(self, timeout: float | None = None) -> UpdateState:
        """Wait for the running update to end (tests, scripts); returns the state."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return self.state()

    def _progress(self, stage: str, done: int, total: int) -> None:
        with self._lock:
            if stage == "embed":
                self._state = replace(self._state, passages=done)
            else:
                self._state = replace(self._state, stage=stage, done=done, total=total)

    def _run(self, assistant, documents_dir: Path, rebuild: bool) -> None:
        report: IndexReport | None = None
        error: str | None = None
        try:
            report = assistant.update(documents_dir, rebuild=rebuild, progress=self._progress)
        except QAError as exc:
            error = str(exc)
        except Exception as exc:  # the thread must always report back to the page
            log.exception("index update failed")
            error = f"The update failed unexpectedly: {exc}. The previous index is unchanged."
        with self._lock:
            self._state = replace(
                self._state, running=False, report=report, error=error, finished=time.time()
            )


_UPDATERS: dict[Path, IndexUpdater] = {}
_UPDATERS_LOCK = threading.Lock()


def updater_for(index_dir: Path) -> IndexUpdater:
    """The one updater of ``index_dir`` in this process, shared by every session."""
    key = Path(index_dir).resolve()
    with _UPDATERS_LOCK:
        return _UPDATERS.setdefault(key, IndexUpdater())
