"""The app's Streamlit-free helpers: safe display, uploads, scope, export, pages, updates."""

from __future__ import annotations

import html
import io
import re
import threading
from pathlib import Path

import pytest
from pypdf import PdfReader

from qa_assistant import Assistant, FakeEmbedder, QAError, uploads
from qa_assistant.app_support import (
    Turn,
    citation_card_html,
    conversation_markdown,
    escape_markdown,
    folders_of,
    locate,
    make_embedder,
    page_html,
    page_pdf,
    page_text,
    passage_html,
    picture_note,
    resolve_scope,
    sources_and_related,
    split_highlight,
)
from qa_assistant.embedding import SentenceTransformerEmbedder
from qa_assistant.index_updater import IndexUpdater, updater_for
from qa_assistant.page_image import PageImage
from qa_assistant.types import Answer, Citation, DocumentInfo, IndexReport
from qa_assistant.uploads import (
    UploadError,
    add_upload,
    delete_report,
    document_path,
    safe_file_name,
)

INJECTION = (
    "Read <script>alert('x')</script> and <img src=x onerror=alert(1)> then "
    "[click](javascript:alert(1)) or ![i](http://e.org/x.png) **bold** $x$ :red[hot] "
    "https://evil.example www.evil.example a@evil.example\x07\x1b[31m done."
)
UNESCAPED_SYNTAX = re.compile(r"(?<!\\)[<\[*$]|(?<!\\)\]\(|https?:|www\.")


def no_check(_path: Path) -> None:
    """A reader check that accepts everything (the real one runs in a worker process)."""
    return None


def citation(text: str = INJECTION, highlight=((5, 30),), **fields) -> Citation:
    values = {"n": 1, "document": "a/b.pdf", "page": 2, "score": 0.5, "title": "T <b>"}
    values.update(fields)
    return Citation(text=text, highlight=list(highlight), **values)


# ---- safe display -----------------------------------------------------------------------------
def test_escape_markdown_leaves_no_markdown_syntax() -> None:
    escaped = escape_markdown(INJECTION)
    assert not UNESCAPED_SYNTAX.search(escaped)
    assert "\x07" not in escaped and "\x1b" not in escaped and "[31m" not in escaped
    assert escaped.startswith("Read \\<script\\>alert\\('x'\\)")


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("# Heading", "\\# Heading"),
        ("- item\n+ item", "\\- item\n\\+ item"),
        ("12. item", "12\\. item"),
        ("===", "\\==="),
        ("> quote", "\\> quote"),
        ("a_b_c", "a\\_b\\_c"),
        ("plain words, 2024.", "plain words, 2024."),
    ],
)
def test_escape_markdown_block_syntax(text: str, escaped: str) -> None:
    assert escape_markdown(text) == escaped


def test_passage_html_escapes_every_piece_and_marks_the_sentence() -> None:
    text = "Intro <b>x</b>. The answer <script>y</script>. Tail & more."
    start = text.index("The answer")
    end = text.index(" Tail")
    shown = passage_html(text, [(start, end)])
    assert shown == (
        "Intro &lt;b&gt;x&lt;/b&gt;. <mark>The answer &lt;script&gt;y&lt;/script&gt;.</mark>"
        " Tail &amp; more."
    )


def test_split_highlight_handles_overlaps_and_out_of_range_spans() -> None:
    assert split_highlight("abcdef", [(4, 99), (1, 3), (2, 5)]) == [
        ("a", False),
        ("bc", True),
        ("de", True),
        ("f", True),
    ]
    assert split_highlight("abc", []) == [("abc", False)]


def test_citation_card_shows_title_file_page_and_escapes_them() -> None:
    card = citation_card_html(citation(document="<x>.pdf"))
    assert "<strong>[1] T &lt;b&gt;</strong>" in card
    assert "&lt;x&gt;.pdf · page 2" in card
    assert "<mark>" in card and "<script" not in card and "<img" not in card
    related = citation_card_html(citation(), related=True)
    # its number kept (an answer quoting [1] and [3] leaves [2] to find), apart from the title
    assert "[1] related reading:</span> <strong>T &lt;b&gt;</strong>" in related
    assert "<mark>" not in related


def test_page_html_marks_the_sentence_on_the_page() -> None:
    page = "First paragraph.\nThe   answering sentence <i>here</i>.\nLast."
    shown = page_html(page, "unused passage", ["The answering sentence <i>here</i>."])
    assert "<mark>The   answering sentence &lt;i&gt;here&lt;/i&gt;.</mark>" in shown
    assert "<mark>" not in page_html(page, "not on the page", ["nor this"])


def test_a_page_picture_without_its_mark_says_why_and_where_the_mark_is() -> None:
    def drawn(marked: int, sought: int) -> PageImage:
        return PageImage(png=b"", width=1, height=1, marked=marked, sought=sought)

    scan = picture_note(citation(ocr=True), drawn(0, 1))
    assert "was read by OCR" in scan and "Text tab" in scan
    scan = picture_note(citation(ocr=True), drawn(1, 1))
    assert "marked where OCR reads it" in scan and "Check a figure" in scan
    text_layer = picture_note(citation(), drawn(0, 1))
    assert "could not be found in the page's own text layer" in text_layer
    assert "Text tab" in text_layer
    assert (
        picture_note(citation(), drawn(1, 2))
        == "1 of the 2 quoted sentences are marked on the page."
    )


def test_locate_allows_for_white_space() -> None:
    assert locate("a b\nc  d e", "c d") == (4, 8)
    assert locate("abc", "") is None
    assert locate("abc", "zzz") is None


# ---- pages of the original ------------------------------------------------------------------
def test_page_pdf_is_the_one_original_page(data_dir: Path) -> None:
    data = page_pdf(data_dir / "report_multipage.pdf", 2)
    reader = PdfReader(io.BytesIO(data))
    assert data.startswith(b"%PDF-") and len(reader.pages) == 1
    assert "Page 2 of 3" in reader.pages[0].extract_text()
    with pytest.raises(QAError, match="has 3 pages"):
        page_pdf(data_dir / "report_multipage.pdf", 4)


def test_page_text_reads_the_cleaned_page(data_dir: Path) -> None:
    text = page_text(data_dir / "report_multipage.pdf", 1)
    assert "Prishtinë" in text and "Page 1 of 3" not in text
    assert "Field notes\nThe monitoring team" in page_text(data_dir / "notes.md", 1)
    with pytest.raises(QAError, match="page 2 does not exist"):
        page_text(data_dir / "notes.md", 2)


def test_document_path_stays_inside_the_documents_folder(tmp_path: Path) -> None:
    assert document_path(tmp_path, "a/b.pdf") == (tmp_path / "a" / "b.pdf").resolve()
    for bad in ("../x.pdf", "/etc/passwd", "a/../../x.pdf", "."):
        with pytest.raises(QAError, match="not a file inside"):
            document_path(tmp_path, bad)


# ---- filters ------------------------------------------------------------------------------------
def info(path: str, year: int | None) -> DocumentInfo:
    return DocumentInfo(path, path, 1, 1, year, 1, "")


DOCUMENTS = [info("a.pdf", 2020), info("un/b.pdf", 2021), info("un/2024/c.pdf", None)]


def test_folders_of_lists_every_level() -> None:
    assert folders_of([d.path for d in DOCUMENTS]) == ["un", "un/2024"]


@pytest.mark.parametrize(
    ("reports", "folders", "years", "expected"),
    [
        ((), (), (), None),
        (("a.pdf",), (), (), ["a.pdf"]),
        ((), ("un",), (), ["un/b.pdf", "un/2024/c.pdf"]),
        (("a.pdf",), ("un/2024",), (), ["a.pdf", "un/2024/c.pdf"]),
        ((), (), (2021,), ["un/b.pdf"]),
        ((), ("un",), (2020,), []),
    ],
)
def test_resolve_scope(reports, folders, years, expected) -> None:
    assert resolve_scope(DOCUMENTS, reports, folders, years) == expected


# ---- export -------------------------------------------------------------------------------------
def test_conversation_markdown_neutralises_report_text() -> None:
    answered = Answer("Q1 <b>?", True, "Answer [1] <img src=x>.", [citation()])
    unanswered = Answer("Q2", False, "The reports don't say.", [citation(n=1, highlight=())])
    turns = [Turn("Q1 <b>?", answered, rating=1), Turn("Q2", unanswered, ("Q1 <b>?",), ("a.pdf",))]
    markdown = conversation_markdown(turns, exported_at="2026-01-01")
    assert markdown.startswith("# Conversation with the Report QA Assistant\n")
    assert "## 1\\. Q1 \\<b\\>?" in markdown and "## 2\\. Q2" in markdown
    assert "Answer \\[1\\] \\<img src=x\\>." in markdown
    assert "### Sources" in markdown and "### Related reading" in markdown
    assert "\\[1\\] *T \\<b\\>*, a/b.pdf, page 2" in markdown
    assert "*Searched only: a.pdf*" in markdown and "Rated: helpful" in markdown
    assert "> Read **\\<script\\>alert\\('x'\\)\\</scrip**t\\> and \\<img" in markdown
    body = "\n".join(line for line in markdown.splitlines() if not line.startswith("#"))
    assert not re.search(r"(?<!\\)[<\[$]|(?<!\\)\]\(|https?:|www\.", body)


def test_only_the_citations_an_answer_quotes_are_its_sources() -> None:
    # Sources [2] and [3] were listed beside an answer that quotes [1] and [3] only: [2]'s
    # highlighted sentence must not seem to back it.
    cited = [citation(n=n, text=f"Passage {n} says this.", highlight=((0, 9),)) for n in (1, 2, 3)]
    answer = Answer("Q", True, "First point. [1] Third point. [3]", cited)
    sources, related = sources_and_related(answer)
    assert [c.n for c in sources] == [1, 3] and [c.n for c in related] == [2]
    markdown = conversation_markdown([Turn("Q", answer)], exported_at="x")
    sources_at, related_at = markdown.index("### Sources"), markdown.index("### Related")
    assert sources_at < markdown.index("\\[3\\] *T") < related_at
    assert "> **Passage 1** says this." in markdown and "> Passage 2 says this." in markdown
    unanswered = Answer("Q", False, "The reports don't say.", cited)
    assert sources_and_related(unanswered) == ([], cited)


def test_acronyms_of_an_answer_are_exported_with_it() -> None:
    acronyms = [("OMIK", "OSCE Mission in Kosovo"), ("A*B", "<b>Bold</b> [x](y)")]
    answer = Answer("What did OMIK do?", True, "OMIK trained 40 officers. [1]", [citation()])
    answer.acronyms = acronyms
    markdown = conversation_markdown([Turn("What did OMIK do?", answer)], exported_at="x")
    assert "Acronyms: **OMIK** OSCE Mission in Kosovo · " in markdown
    assert "**A\\*B** \\<b\\>Bold\\</b\\> \\[x\\]\\(y\\)" in markdown
    plain_answer = Answer("Q", True, "A [1]", [citation()])
    assert "Acronyms" not in conversation_markdown([Turn("Q", plain_answer)], exported_at="x")


def test_the_words_searched_in_place_of_slips_are_exported_with_the_answer() -> None:
    answer = Answer("What did OMIK trian?", True, "OMIK trained 40 officers. [1]", [citation()])
    answer.corrected = [("trian", "train")]
    markdown = conversation_markdown([Turn(answer.question, answer)], exported_at="x")
    assert "*Searched for “train” \\(typed “trian”\\). To search a word as typed" in markdown
    plain_answer = Answer("Q", True, "A [1]", [citation()])
    assert "Searched for" not in conversation_markdown([Turn("Q", plain_answer)], exported_at="x")


# ---- uploads ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("../x.pdf", "must not contain folders"),
        ("a/b.pdf", "must not contain folders"),
        ("a\\b.pdf", "must not contain folders"),
        ("..", "must not contain folders"),
        (".env.txt", "must not start with a dot"),
        ("", "has no name"),
        ("a|b.pdf", "letters, digits"),
        ("x" * 201 + ".pdf", "at most 200"),
        ("report.exe", "only .pdf, .txt, .md"),
        ("report.pdf.exe", "only .pdf, .txt, .md"),
    ],
)
def test_safe_file_name_refuses(name: str, message: str) -> None:
    with pytest.raises(UploadError, match=re.escape(message)):
        safe_file_name(name)


def test_safe_file_name_keeps_good_names_and_folds_accents() -> None:
    assert safe_file_name("OSCE report 2024_v2-final.PDF") == "OSCE report 2024_v2-final.PDF"
    assert safe_file_name("Prishtinë café.txt") == "Prishtine cafe.txt"


def files_under(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("x.pdf", b"not a pdf at all", "not a PDF"),
        ("x.pdf", b"", "the file is empty"),
        ("x.txt", b"text\x00\x01 binary", "binary data"),
    ],
)
def test_add_upload_checks_content(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    with pytest.raises(UploadError, match=message):
        add_upload(tmp_path, name, data, check=no_check)
    assert files_under(tmp_path) == []


def test_add_upload_refuses_too_large_files(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 10)
    with pytest.raises(UploadError, match="the limit is"):
        add_upload(tmp_path, "x.txt", b"eleven char", check=no_check)


def test_add_upload_stores_and_refuses_duplicates(tmp_path: Path) -> None:
    stored = add_upload(tmp_path, "a.txt", b"A report.", check=no_check)
    assert stored == (tmp_path / "a.txt").resolve() and stored.read_bytes() == b"A report."
    with pytest.raises(UploadError, match="already there as a.txt"):
        add_upload(tmp_path, "b.txt", b"A report.", check=no_check)
    with pytest.raises(UploadError, match="a.txt already exists"):
        add_upload(tmp_path, "a.txt", b"A new version.", check=no_check)
    add_upload(tmp_path, "a.txt", b"A new version.", replace_existing=True, check=no_check)
    assert (tmp_path / "a.txt").read_bytes() == b"A new version."
    assert files_under(tmp_path) == ["a.txt"]


def test_add_upload_into_a_folder_but_never_out(tmp_path: Path) -> None:
    (tmp_path / "un").mkdir()
    assert add_upload(tmp_path, "a.md", b"# A", folder="un", check=no_check).parent.name == "un"
    with pytest.raises(QAError, match="not a file inside"):
        add_upload(tmp_path, "b.md", b"# B", folder="../", check=no_check)
    with pytest.raises(UploadError, match="does not exist"):
        add_upload(tmp_path, "b.md", b"# B", folder="missing", check=no_check)


def test_add_upload_refuses_what_the_reader_cannot_read(tmp_path: Path, data_dir: Path) -> None:
    documents = tmp_path / "documents"
    for name, reason in [
        ("corrupt.pdf", "cannot be read"),
        ("password.pdf", "password-protected"),
        ("image_only.pdf", "no extractable text"),
    ]:
        with pytest.raises(UploadError, match=reason):
            add_upload(documents, name, (data_dir / name).read_bytes())
    assert files_under(documents) == []
    add_upload(documents, "multi.pdf", (data_dir / "report_multipage.pdf").read_bytes())
    assert files_under(documents) == ["multi.pdf"]


def test_delete_report(tmp_path: Path) -> None:
    (tmp_path / "un").mkdir()
    (tmp_path / "un" / "a.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path.parent / "outside.txt").write_text("keep")
    for bad in ("../outside.txt", "un", "missing.pdf"):
        with pytest.raises(QAError):
            delete_report(tmp_path, bad)
    delete_report(tmp_path, "un/a.pdf")
    assert files_under(tmp_path) == ["un"]
    assert (tmp_path.parent / "outside.txt").exists()


# ---- the embedder -------------------------------------------------------------------------------
def test_make_embedder(monkeypatch) -> None:
    monkeypatch.setenv("QA_ASSISTANT_EMBEDDER", "fake")
    assert isinstance(make_embedder(), FakeEmbedder)
    assert isinstance(make_embedder("model"), SentenceTransformerEmbedder)
    with pytest.raises(QAError, match="must be 'fake' or 'model'"):
        make_embedder("gpt")


# ---- background updates ----------------------------------------------------------------------
class _SlowAssistant:
    """Stands in for Assistant.update: reports progress, then waits to be released."""

    def __init__(self, error: Exception | None = None) -> None:
        self.release = threading.Event()
        self.error = error

    def update(self, documents_dir, *, rebuild=False, progress=None):
        progress("read", 1, 4)
        progress("embed", 30, 30)
        self.release.wait(timeout=30)
        if self.error:
            raise self.error
        return IndexReport(added=["a.pdf"], documents=1)


def test_updater_runs_one_update_at_a_time_and_reports_progress(tmp_path: Path) -> None:
    updater = IndexUpdater()
    slow = _SlowAssistant()
    assert updater.start(slow, tmp_path)
    assert not updater.start(slow, tmp_path), "a second update waits for the first"
    state = updater.state()
    assert state.running and state.run == 1
    for _ in range(100):
        if updater.state().passages:
            break
        threading.Event().wait(0.01)
    state = updater.state()
    assert (
        state.fraction == 0.25
        and state.describe() == "Indexing reports: 1 of 4 done; 30 passages embedded"
    )
    slow.release.set()
    state = updater.wait(timeout=10)
    assert not state.running and state.report.added == ["a.pdf"] and state.error is None


def test_updater_reports_errors(tmp_path: Path) -> None:
    for error, message in [
        (QAError("Another update runs."), "Another update runs."),
        (RuntimeError("boom"), "failed unexpectedly: boom"),
    ]:
        updater = IndexUpdater()
        slow = _SlowAssistant(error)
        slow.release.set()
        updater.start(slow, tmp_path)
        state = updater.wait(timeout=10)
        assert message in state.error and state.report is None and not state.running


def test_updater_for_is_one_per_index(tmp_path: Path) -> None:
    assert updater_for(tmp_path / "i") is updater_for(tmp_path / "x" / ".." / "i")
    assert updater_for(tmp_path / "i") is not updater_for(tmp_path / "j")


def test_updater_builds_a_real_index(tmp_path: Path) -> None:
    documents = tmp_path / "docs"
    documents.mkdir()
    (documents / "a.txt").write_text("The Mission trained 14 police officers in Vushtrri.")
    assistant = Assistant(tmp_path / "index", embedder=FakeEmbedder())
    updater = IndexUpdater()
    updater.start(assistant, documents)
    state = updater.wait(timeout=60)
    assert state.error is None and state.report.added == ["a.txt"]
    assert assistant.ask("How many police officers were trained?").answered


def test_escaped_text_round_trips_through_html_unescape() -> None:
    text = "A <b>&amp;</b> \"quoted\" 'text'"
    assert html.unescape(passage_html(text, [])) == text
