"""The reader: PDFs page by page, text files, cleaning, failure reasons, the guarded pool."""

from __future__ import annotations

import csv
import functools
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import types
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from qa_assistant.errors import STABLE_REASONS, DocumentError
from qa_assistant.ocr import tesseract
from qa_assistant.reader_pool import ReaderPool
from qa_assistant.reading import read_document, read_documents_inline
from qa_assistant.text_cleaning import clean_text
from qa_assistant.titles import cover_title
from qa_assistant.types import ReadDocument

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def fixture(data_dir: Path, name: str) -> Path:
    path = data_dir / name
    if not path.exists():
        pytest.skip(f"fixture tests/data/{name} is absent (scripts/make_fixtures.py makes it)")
    return path


def shared(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared material {path} is absent")
    return path


def reason_of(path: Path) -> str:
    with pytest.raises(DocumentError) as caught:
        read_document(path)
    assert caught.value.reason in STABLE_REASONS
    return caught.value.reason


# ------------------------------------------------------------------------------ fixtures


def test_multipage_report_keeps_physical_pages_and_title(data_dir: Path) -> None:
    document = read_document(fixture(data_dir, "report_multipage.pdf"))
    assert [page.number for page in document.pages] == [1, 2, 3]
    assert document.title == "Sample Mission Report"


def test_multipage_report_loses_running_header_and_footer(data_dir: Path) -> None:
    document = read_document(fixture(data_dir, "report_multipage.pdf"))
    for page in document.pages:
        assert "Page " not in page.text
        assert "(test fixture)" not in page.text
    assert document.pages[2].text.startswith("Conclusions\n")


def test_multipage_report_text(data_dir: Path) -> None:
    pages = read_document(fixture(data_dir, "report_multipage.pdf")).pages
    assert "opened in Prishtinë and ended with a field visit to Obilić," in pages[0].text
    assert unicodedata.is_normalized("NFC", pages[0].text)
    assert "a longer training course on recording standards" in pages[1].text
    assert "train-" not in pages[1].text
    # The paragraph that crosses the page break is split at the physical page.
    assert pages[0].text.endswith("in incident reports and the")
    assert pages[1].text.startswith("support that victims need")
    assert "\n" not in pages[1].text  # one paragraph: its lines are joined


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("image_only.pdf", "no extractable text (scanned?)"),
        ("password.pdf", "password-protected"),
        ("corrupt.pdf", "cannot be read"),
        ("random_bytes.pdf", "cannot be read"),
        ("empty.pdf", "empty file"),
        ("zero_pages.pdf", "cannot be read"),
    ],
)
def test_unreadable_fixture_gives_its_reason(data_dir: Path, name: str, reason: str) -> None:
    assert reason_of(fixture(data_dir, name)) == reason


def test_zero_page_pdf_says_so(data_dir: Path) -> None:
    with pytest.raises(DocumentError, match="the PDF has no pages"):
        read_document(fixture(data_dir, "zero_pages.pdf"))


def test_password_error_says_how_to_fix_it(data_dir: Path) -> None:
    with pytest.raises(DocumentError, match="remove the password"):
        read_document(fixture(data_dir, "password.pdf"))


def test_pdf_with_empty_user_password_is_read(data_dir: Path) -> None:
    document = read_document(fixture(data_dir, "empty_password.pdf"))
    assert "Ferizaj/Uroševac reached 40 police officers" in document.pages[0].text


def test_cp1252_text_is_decoded(data_dir: Path) -> None:
    document = read_document(fixture(data_dir, "latin1.txt"))
    text = document.pages[0].text
    for word in ("Prishtinë", "Graçanicë", "café", "résumé"):
        assert word in text
    assert [page.number for page in document.pages] == [1]


def test_markdown_is_one_page_titled_by_its_heading(data_dir: Path) -> None:
    document = read_document(fixture(data_dir, "notes.md"))
    assert document.title == "Field notes"
    assert len(document.pages) == 1 and document.pages[0].number == 1
    assert "pocket cards on bias indicators" in document.pages[0].text


def test_control_characters_and_colour_codes_are_dropped(data_dir: Path) -> None:
    text = read_document(fixture(data_dir, "injection.txt")).pages[0].text
    assert "\x07" not in text and "\x1b" not in text and "[31m" not in text
    assert "<script>alert('x')</script>" in text  # kept as text; presenting it is the UI's job


def test_unsupported_type_names_the_supported_ones(tmp_path: Path) -> None:
    path = tmp_path / "report.docx"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(DocumentError, match=r"\.pdf, \.txt, \.md") as caught:
        read_document(path)
    assert caught.value.reason == "unsupported file type"


def test_missing_file_cannot_be_read(tmp_path: Path) -> None:
    assert reason_of(tmp_path / "gone.pdf") == "cannot be read"


# -------------------------------------------------------------------------- text files


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_text_title_skips_a_source_url(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", b"https://www.osce.org/kosovo/1\nOSCE trains police\nBody.\n")
    document = read_document(path)
    assert document.title == "OSCE trains police"


def test_utf8_bom_and_crlf(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", "\ufeffTitle line\r\n\r\nSecond para.\r\n".encode())
    document = read_document(path)
    assert document.title == "Title line"
    assert document.pages[0].text == "Title line\nSecond para."


def test_utf16_with_bom_is_text(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", "Prishtinë report".encode("utf-16"))
    assert read_document(path).pages[0].text == "Prishtinë report"


def test_nul_bytes_mean_binary(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="binary file, not text"):
        read_document(write(tmp_path, "a.txt", b"abc\x00\x01\x02def"))


def test_bytes_neither_utf8_nor_cp1252_are_refused(tmp_path: Path) -> None:
    # 0x81 is undefined in cp1252, and the lone 0xE9 is not UTF-8.
    with pytest.raises(DocumentError, match="not UTF-8 text; save it as UTF-8"):
        read_document(write(tmp_path, "a.txt", b"caf\xe9 \x81 menu"))


def test_white_space_only_text_is_empty(tmp_path: Path) -> None:
    assert reason_of(write(tmp_path, "a.md", b" \n\t\n")) == "empty file"


def test_markdown_title_without_hashes(tmp_path: Path) -> None:
    path = write(tmp_path, "a.md", b"\n## Annual review 2024\n\nText.\n")
    assert read_document(path).title == "Annual review 2024"


def test_reader_module_imports_no_heavy_libraries() -> None:
    code = (
        "import sys, qa_assistant.reading; "
        "print([m for m in ('torch', 'faiss', 'sentence_transformers', 'pypdf') "
        "if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------- clean_text


def test_ligatures_are_expanded() -> None:
    assert clean_text("e\ufb03cient of\ufb01ce \ufb02ow sta\ufb00 \ufb04 \ufb05 \ufb06") == (
        "efficient office flow staff ffl st st"
    )


def test_soft_hyphens_are_removed() -> None:
    assert clean_text("imple\u00admentation") == "implementation"
    assert clean_text("imple\u00ad\nmentation of it") == "implementation of it"


def test_line_end_hyphenation_is_joined() -> None:
    assert clean_text("a long train-\ning course") == "a long training course"
    # Two words that make one English word are joined, however long each part.
    assert clean_text("consider-\nable sums, every-\nthing") == "considerable sums, everything"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("the anti-\ntrafficking unit", "the anti-trafficking unit"),
        ("a non-\ngovernmental body", "a non-governmental body"),
        ("a self-\nemployed worker", "a self-employed worker"),
        ("in post-\nconflict areas", "in post-conflict areas"),
        ("the so-\ncalled route", "the so-called route"),
        ("a cross-\nborder case", "a cross-border case"),
        ("the Secretary-\nGeneral said", "the Secretary-General said"),
        ("from 2008-\n2011 on", "from 2008-2011 on"),
        ("a non-\nAlbanian school", "a non-Albanian school"),
        # Two English words that make none together: a compound, not a split word.
        ("a government-\nsupported return", "a government-supported return"),
        ("in resource-\nconstrained settings", "in resource-constrained settings"),
    ],
)
def test_compounds_keep_their_hyphen(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


def test_the_text_itself_decides_between_joining_and_keeping() -> None:
    # "cooperation" written solid elsewhere: the split "co-/operation" is joined ...
    assert "with cooperation" in clean_text("Good cooperation.\n\nwith co-\noperation")
    # ... and written with a hyphen elsewhere, it keeps the hyphen.
    assert "with co-operation" in clean_text("Good co-operation.\n\nwith co-\noperation")
    # A compound seen elsewhere keeps its hyphen even after an ordinary word.
    text = "the European Union-facilitated dialogue.\n\nthe Union-\nfacilitated talks"
    assert "the Union-facilitated talks" in clean_text(text)
    # The left part of a split word is no word of its own: "Finan-" twice does not make
    # "Finan" a capitalised word seen elsewhere.
    text = "the Mission Civile Finan-\nciere\n\nthe finan-\ncial year"
    assert "Mission Civile Financiere" in clean_text(text)


def test_nfc_and_white_space() -> None:
    assert clean_text("Obili\u0107 Obilic\u0301") == "Obilić Obilić"
    assert clean_text("  a \t b\u00a0\u2009c  ") == "a b c"


def test_control_and_invisible_characters_are_removed() -> None:
    assert clean_text("a\x00b\x07c\u200bd\ufeffe\x1b[1mf\x1b[0m") == "abcdef"


def test_paragraphs_are_single_newlines() -> None:
    raw = "First line of a\nparagraph.\n\n\n \nSecond\r\nparagraph.\x0cThird."
    assert clean_text(raw) == "First line of a paragraph.\nSecond paragraph.\nThird."


def test_list_items_and_long_lines_stay_apart() -> None:
    assert clean_text("Steps:\n\u2022 one\n\u2022 two") == "Steps:\n\u2022 one\n\u2022 two"
    long_lines = "A" * 300 + ".\n" + "B" * 300 + "."
    assert clean_text(long_lines).count("\n") == 1


def test_wrapped_paragraph_ends_where_a_line_ends_early() -> None:
    wrapped = (
        "1. The present report is submitted pursuant to Security Council resolution 1244\n"
        "(1999), by which the Council established the United Nations Interim Administration\n"
        "Mission in Kosovo (UNMIK) and requested the Secretary-General to report at regular\n"
        "intervals on the implementation of its mandate.\n"
        "2. The priorities of the Mission remain to promote security, stability and respect\n"
        "for human rights in Kosovo and in the region. In pursuit of its goals, UNMIK\n"
        "continues its engagement with Pristina.\n"
        "Key political developments\n"
        "3. After a protracted period of stalemate in the European Union-facilitated\n"
        "dialogue, Belgrade and Pristina agreed to the terms of reference.\n"
    )
    paragraphs = clean_text(wrapped).split("\n")
    assert [p[:3] for p in paragraphs] == ["1. ", "2. ", "Key", "3. "]
    assert "resolution 1244 (1999), by which" in paragraphs[0]


def test_dot_leaders_are_shortened() -> None:
    assert clean_text("Introduction ........................ 3") == "Introduction \u2026 3"


def test_clean_text_is_linear_on_hostile_input() -> None:
    started = time.perf_counter()
    clean_text("a-" * 200_000 + "\n" + "-\n" * 100_000 + "." * 100_000 + " " * 100_000)
    assert time.perf_counter() - started < 5


# ---------------------------------------------------------------------- property tests

LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
single_lines = st.text(
    alphabet=st.characters(blacklist_characters=LINE_BREAKS, blacklist_categories=("Cs",))
    | st.sampled_from(list("ﬁﬂ\u00ad\u0301 -.\x07\x1b[")),
    max_size=200,
)
texts = st.lists(
    st.characters(blacklist_categories=("Cs",))
    | st.sampled_from(list("ﬁ\u00ad\u0301  \n\n-./_|#•\x07\x1b[") + ["-\n", " \n\n"])
    | st.sampled_from(["train", "ing", "anti", "co", "operation", "Union", "1. ", "x" * 60]),
    max_size=80,
).map("".join)


def squash(text: str) -> str:
    return "".join(text.split()).replace("-", "")


@given(single_lines)
def test_clean_text_is_idempotent_on_one_line(raw: str) -> None:
    once = clean_text(raw)
    assert clean_text(once) == once


@given(texts)
@example(".\r\r=")  # two one-mark paragraphs that a second pass joined into a rule
def test_clean_text_output_is_clean_and_stable(raw: str) -> None:
    once = clean_text(raw)
    assert once == once.strip()
    assert "  " not in once and "\n\n" not in once
    assert all(line == line.strip() for line in once.split("\n"))
    assert not any(unicodedata.category(c) == "Cc" and c != "\n" for c in once)
    assert unicodedata.is_normalized("NFC", once)
    # A second pass can only join paragraphs whose blank line it no longer sees.
    twice = clean_text(once)
    assert squash(twice) == squash(once)
    assert clean_text(twice) == twice or squash(clean_text(twice)) == squash(twice)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    data=st.one_of(
        st.binary(max_size=3000),
        st.binary(max_size=3000).map(lambda b: b"%PDF-1.4\n" + b),
        st.text(max_size=500).map(lambda t: t.encode("utf-8", "surrogatepass")),
    ),
    suffix=st.sampled_from([".pdf", ".txt", ".md"]),
)
def test_read_document_raises_only_document_error(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"file{suffix}"
        path.write_bytes(data)
        try:
            document = read_document(path)
        except DocumentError as error:
            assert error.reason in STABLE_REASONS
        else:
            assert isinstance(document, ReadDocument) and document.pages
            assert [page.number for page in document.pages] == list(
                range(1, len(document.pages) + 1)
            )


# ------------------------------------------------------------------------- ReaderPool
# Readers for the pool are top-level functions so that the spawned worker can import them.


def sleepy_reader(path: Path) -> ReadDocument:
    if path.name.startswith("hang"):
        time.sleep(3600)
    return read_document(path)


def greedy_reader(path: Path) -> ReadDocument:
    if path.name.startswith("greedy"):
        hoard = bytearray(8 * 1024**3)  # over any cap the test sets
        return ReadDocument(pages=[], title=str(len(hoard)))
    if path.name.startswith("crash"):
        os.kill(os.getpid(), signal.SIGKILL)
    return read_document(path)


def failing_reader(path: Path) -> ReadDocument:
    raise ValueError(f"no reader for {path.name}")


@pytest.fixture
def text_files(tmp_path: Path) -> list[Path]:
    paths = []
    for i in range(6):
        path = tmp_path / f"report_{i}.txt"
        path.write_text(f"Report number {i}\nIt has one paragraph.\n", encoding="utf-8")
        paths.append(path)
    return paths


def titles(results: list[tuple[Path, ReadDocument | DocumentError]]) -> list[str]:
    return [r.title if isinstance(r, ReadDocument) else r.reason for _, r in results]


def test_pool_keeps_input_order_and_matches_inline(text_files: list[Path], data_dir: Path) -> None:
    paths = [*text_files[:3], fixture(data_dir, "password.pdf"), *text_files[3:]]
    with ReaderPool(prefetch=2) as pool:
        pooled = list(pool.imap(paths))
    inline = list(read_documents_inline(paths))
    assert [path for path, _ in pooled] == paths
    assert titles(pooled) == titles(inline)
    assert titles(pooled)[3] == "password-protected"
    assert pooled[0][1] == inline[0][1]


def test_pool_times_out_a_hanging_file_and_goes_on(text_files: list[Path], tmp_path: Path) -> None:
    hang = write(tmp_path, "hang.txt", b"never read")
    with ReaderPool(timeout=5.0, reader=sleepy_reader) as pool:
        started = time.monotonic()
        results = list(pool.imap([text_files[0], hang, *text_files[1:3]]))
    assert titles(results) == ["Report number 0", "timed out", "Report number 1", "Report number 2"]
    assert "split it into smaller files" in str(results[1][1])
    assert time.monotonic() - started < 30


def test_files_read_while_the_caller_was_busy_are_not_timed_out(text_files: list[Path]) -> None:
    results = []
    with ReaderPool(timeout=2.0, prefetch=3) as pool:
        for item in pool.imap(text_files[:4]):
            results.append(item)
            time.sleep(3.0)  # the caller embeds for longer than the timeout
    assert titles(results) == [f"Report number {i}" for i in range(4)]


def test_pool_reports_memory_hogs_and_crashes_as_too_large(
    text_files: list[Path], tmp_path: Path
) -> None:
    greedy = write(tmp_path, "greedy.txt", b"x")
    crash = write(tmp_path, "crash.txt", b"x")
    paths = [greedy, text_files[0], crash, text_files[1]]
    with ReaderPool(memory_limit=1024**3, reader=greedy_reader, prefetch=3) as pool:
        results = list(pool.imap(paths))
    assert titles(results) == ["too large", "Report number 0", "too large", "Report number 1"]
    assert "killed by signal 9" in str(results[2][1])
    assert str(results[2][1]).endswith("split it into smaller files and add those")


def test_pool_turns_other_exceptions_into_cannot_be_read(text_files: list[Path]) -> None:
    with ReaderPool(reader=failing_reader) as pool:
        results = list(pool.imap(text_files[:2]))
    assert titles(results) == ["cannot be read", "cannot be read"]
    assert "ValueError: no reader for report_0.txt" in str(results[0][1])


def test_pool_can_be_left_early_and_used_again(text_files: list[Path]) -> None:
    with ReaderPool(prefetch=3) as pool:
        for _path, _result in pool.imap(text_files):
            break
        assert titles(list(pool.imap(text_files[4:]))) == ["Report number 4", "Report number 5"]
        assert list(pool.imap([])) == []


def test_pool_does_not_run_the_parents_main_script_again(
    text_files: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Under Streamlit, __main__ is the app script: a reader process must not run the app.
    marker = tmp_path / "app-ran"
    script = tmp_path / "app_script.py"
    script.write_text(f"open({str(marker)!r}, 'a').write('ran')\n", encoding="utf-8")
    app = types.ModuleType("__main__")
    app.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", app)
    with ReaderPool() as pool:
        results = list(pool.imap(text_files[:2]))
    assert titles(results) == ["Report number 0", "Report number 1"]
    assert not marker.exists()
    assert sys.modules["__main__"] is app


@pytest.mark.parametrize(
    "arguments",
    [{"timeout": 0}, {"prefetch": 0}, {"memory_limit": -1}],
)
def test_pool_validates_its_arguments(arguments: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="must be"):
        ReaderPool(**arguments)


def test_inline_reader_yields_errors_instead_of_raising(tmp_path: Path) -> None:
    good = write(tmp_path, "good.md", b"# Good\n")
    bad = write(tmp_path, "bad.docx", b"x")
    assert titles(list(read_documents_inline([good, bad]))) == ["Good", "unsupported file type"]
    assert titles(list(read_documents_inline([good], reader=failing_reader))) == ["cannot be read"]


# ------------------------------------------------------------------ shared material

# What each odd PDF in ../shared/tricky-pdfs must give: None = readable.
TRICKY_EXPECTED: dict[str, str | None] = {
    "pypdf_AutoCad_Diagram.pdf": None,
    "pypdf_Sample_Td-matrix.pdf": None,
    "pypdf_Seige_of_Vicksburg_Sample_OCR.pdf": None,
    "pypdf_bytes.pdf": None,
    "pypdf_crazyones-encrypted-256.pdf": "password-protected",
    # A scan too (a patent office's), encrypted with an empty password: read by OCR.
    "pypdf_encrypted_doc_no_id.pdf": None if tesseract() else "no extractable text (scanned?)",
    "pypdf_indirect-rotation.pdf": None,
    "pypdf_issue-297_broken-xref.pdf": None,
    "pypdf_missing_info.pdf": None,
    "pypdf_multilang.pdf": None,
    "pypdf_r2-empty-password.pdf": None,
    "pypdf_r6-user-password.pdf": None,  # decrypt('') gives the owner view: readable
    "pypdf_side-by-side-subfig.pdf": None,
    "sf_005_libreoffice-writer-password.pdf": "password-protected",
    "sf_007_imagemagick-CCITTFaxDecode.pdf": "no extractable text (scanned?)",
    "sf_007_imagemagick-images.pdf": "no extractable text (scanned?)",
    "sf_009_GeoTopo-komprimiert.pdf": None,
    "sf_010_pdflatex-forms.pdf": None,
    "sf_011_google-doc-document.pdf": None,
    "sf_015_habibi-rotated.pdf": None,
    "sf_015_habibi.pdf": None,
    "sf_017_unreadablemetadata.pdf": "cannot be read",
    "sf_021_crazyones-pdfa.pdf": None,
    "sf_025_with-attachment.pdf": None,
    "sf_026_multicolumn.pdf": None,
    # Read by OCR where Tesseract is installed (test_the_un_scan_is_read_by_ocr).
    "un_A_45_696_Add.1_scanned_tiff2pdf.pdf": None
    if tesseract()
    else "no extractable text (scanned?)",
    "un_E_CN.4_149_1948_ocr_noise.pdf": None,
}


def tricky_manifest() -> dict[str, dict[str, str]]:
    manifest = SHARED / "tricky-pdfs" / "MANIFEST.tsv"
    if not manifest.exists():
        return {}
    with manifest.open(encoding="utf-8", newline="") as handle:
        return {row["file"]: row for row in csv.DictReader(handle, delimiter="\t")}


@pytest.mark.shared
def test_every_tricky_pdf_has_an_expectation() -> None:
    manifest = tricky_manifest()
    if not manifest:
        pytest.skip(f"{SHARED / 'tricky-pdfs'} is absent")
    assert set(manifest) == set(TRICKY_EXPECTED)


@functools.cache
def read_tricky(path: Path) -> ReadDocument:
    """A tricky PDF read once for the tests that look at it (OCR takes 39 s on the UN scan)."""
    return read_document(path)


@pytest.mark.shared
@pytest.mark.parametrize("name", sorted(TRICKY_EXPECTED))
def test_tricky_pdf(name: str) -> None:
    path = shared("tricky-pdfs", name)
    expected = TRICKY_EXPECTED[name]
    if expected is not None:
        assert reason_of(path) == expected
        return
    document = read_tricky(path)
    assert document.title and document.pages
    pages = tricky_manifest().get(name, {}).get("pages")
    if pages:
        assert len(document.pages) == int(pages)
    assert any(page.text for page in document.pages)


@pytest.mark.shared
def test_the_un_scan_is_read_by_ocr() -> None:
    path = shared("tricky-pdfs", "un_A_45_696_Add.1_scanned_tiff2pdf.pdf")
    if tesseract() is None:
        pytest.skip("Tesseract is not installed (make ocr-deps installs it)")
    document = read_tricky(path)
    assert document.ocr and len(document.pages) == 22
    assert "\nGeneral Assembly\n" in document.pages[0].text  # not the emblem's "(gs"
    text = " ".join(" ".join(page.text.split()) for page in document.pages)
    assert "The Second World Climate Conference was convened in Geneva, Switzerland" in text


@pytest.mark.shared
def test_un_report_running_headers_are_gone() -> None:
    document = read_document(shared("reports", "un", "S_2025_200.en.pdf"))
    assert len(document.pages) == 23
    assert document.title == (
        "United Nations Interim Administration Mission in Kosovo: Report of the Secretary-General"
    )
    for page in document.pages[1:]:
        lines = page.text.split("\n")
        assert not any(line.startswith(("S/2025/200", "25-04871")) for line in lines)
        assert not any(line.endswith("25-04871") for line in lines)
    assert document.pages[1].text.startswith("in Kosovo by the Kosovo authorities")


@pytest.mark.shared
def test_osce_text_title_is_not_its_url() -> None:
    path = shared("reports", "osce", "omik_anti_trafficking_sop_training_2011.txt")
    document = read_document(path)
    assert document.title == "OSCE Mission conducts anti-trafficking training in Kosovo"


@pytest.mark.shared
def test_gold_phrases_stand_on_their_gold_pages() -> None:
    """Every gold phrase of the dev questions is found on its page of the cleaned text."""
    questions = shared("eval", "dev.jsonl")
    files = {path.name: path for path in (SHARED / "reports").glob("*/*.txt")}
    # PDFs of up to 25 pages keep the suite fast; the longer ones pass too when run by hand.
    with (SHARED / "reports" / "MANIFEST.tsv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if int(row["pages"]) <= 25:
                files[Path(row["file"]).name] = SHARED / "reports" / row["file"]
    cache: dict[str, ReadDocument] = {}
    missing = []
    for line in questions.read_text(encoding="utf-8").splitlines():
        for gold in json.loads(line)["gold"]:
            name = gold["document"]
            if name not in files:
                continue
            if name not in cache:
                cache[name] = read_document(files[name])
            page_text = " ".join(cache[name].pages[gold["page"] - 1].text.split())
            if " ".join(gold["phrase"].split()) not in page_text:
                missing.append((name, gold["page"], gold["phrase"]))
    assert cache, "no gold document found"
    assert missing == []


def test_markdown_title_skips_a_leading_html_comment(tmp_path: Path) -> None:
    path = tmp_path / "overview.md"
    path.write_text("<!-- note for editors -->\n\n# Field Operations Overview\n\nText here.\n")
    assert read_document(path).title == "Field Operations Overview"


def test_markdown_is_read_as_the_text_a_reader_sees(tmp_path: Path) -> None:
    # indexed as typed, the markup stood in passages and answers ("## Kosovo", "**142**")
    path = tmp_path / "overview.md"
    path.write_text(
        "<!-- note for editors:\nnot part of the report -->\n# Overview 2023\n\n## Kosovo\n\n"
        "The Mission trained **142** police officers, *with* [ODIHR](https://www.osce.org/odihr)"
        " and the `NRM` team.\n\n* Obiliq_Obilić language classes\n\n> 64 learners\n\n"
        "Figures: 5 * 3 = 15; file_name_here.\n",
        encoding="utf-8",
    )
    text = read_document(path).pages[0].text
    assert text.split("\n") == [
        "Overview 2023",
        "Kosovo",
        "The Mission trained 142 police officers, with ODIHR and the NRM team.",
        "- Obiliq_Obilić language classes",
        "64 learners",
        "Figures: 5 * 3 = 15; file_name_here.",
    ]


def test_saved_web_page_keeps_source_title_and_text_apart(tmp_path: Path) -> None:
    # A page saved as text: a source line, a title, then one paragraph per (long) line.
    body = "The OSCE Mission trained 20 judges in Prishtinë on hate crime cases. " * 5
    path = tmp_path / "saved.txt"
    path.write_text(
        "https://www.osce.org/kosovo/12345\nOSCE Mission trains judges\n" + body + "\n",
        encoding="utf-8",
    )
    read = read_document(path)
    assert read.pages[0].text.split("\n")[:2] == [
        "https://www.osce.org/kosovo/12345",
        "OSCE Mission trains judges",
    ]
    assert read.title == "OSCE Mission trains judges"


def test_text_title_skips_a_date_field(tmp_path: Path) -> None:
    path = tmp_path / "dated.txt"
    path.write_text(
        "https://example.org/a\n date 2024-10-07 Between 11 September and 4 "
        "October the Office held five courses.\n",
        encoding="utf-8",
    )
    assert read_document(path).title.startswith("Between 11 September")


def test_a_saved_page_without_its_headline_is_named_by_its_address(tmp_path: Path) -> None:
    """A news page saved without its headline: the address spells it, and each word takes
    the case the page writes it in."""
    path = tmp_path / "saved.txt"
    path.write_text(
        "https://news.example.org/article/863435139/osce-and-tajikistan-s-academy-of-public-"
        "administration-organize-anti-trafficking-course-for-co-operation-officers\n"
        " date 2025-11-01 The OSCE Programme Office in Dushanbe, together with Tajikistan’s "
        "Academy of Public Administration, held a four-day course on human trafficking for "
        "officers in charge of co-operation between ministries in Varzob.\n",
        encoding="utf-8",
    )
    assert read_document(path).title == (
        "OSCE and Tajikistan’s Academy of Public Administration organize anti-trafficking "
        "course for co-operation officers"
    )
    # An address that spells no headline ("…/kosovo/82352") leaves the first sentence.
    path.write_text(
        "https://www.osce.org/kosovo/82352\n"
        + "The Mission held a series of ten regional training sessions for police. " * 3,
        encoding="utf-8",
    )
    assert read_document(path).title.startswith("The Mission held a series of ten")


def test_a_cover_title_set_on_several_lines_is_joined() -> None:
    cover = "United Nations\nSpotlight on the\nGlobal Education\nThematic Fund 2024\n© UNICEF/2024"
    assert cover_title(cover) == "Spotlight on the Global Education Thematic Fund 2024"
    cover = (
        "United Nations S/2025/223\nSecurity Council\nDistr.: General\n"
        "United Nations Support Mission in Libya\nReport of the Secretary-General\n"
        "I. Introduction\nThe present report covers developments."
    )
    assert cover_title(cover) == (
        "United Nations Support Mission in Libya: Report of the Secretary-General"
    )


def test_a_cover_line_that_stops_mid_phrase_is_carried_on() -> None:
    # The next line opens like an organ heading ("Security Council"), yet "of the" must go on.
    cover = (
        "Security Council\nDistr.: General\n"
        "Letter dated 9 May 2025 from the Chair of the\n"
        "Security Council Committee on sanctions\n"
        "I have the honour to transmit the report of the Committee on its work in 2024."
    )
    assert cover_title(cover) == (
        "Letter dated 9 May 2025 from the Chair of the Security Council Committee on sanctions"
    )
    cover = "Annual report of the Administrator on the work of the\nfund in 2024\nSummary"
    assert (
        cover_title(cover) == "Annual report of the Administrator on the work of the fund in 2024"
    )


def test_a_long_title_ends_where_a_phrase_ends() -> None:
    title = (
        "OSCE trains local government representatives, teachers and parents in Tajikistan "
        "on preventing violent extremism among youth"
    )
    assert cover_title(title) == (
        "OSCE trains local government representatives, teachers and parents in Tajikistan "
        "on preventing violent extremism"
    )


def test_a_title_in_capitals_or_in_garbled_case_is_title_cased() -> None:
    cover = "Meeting report\nUnited nations leadership forUM\non cliMate change\n22 septeMber 2009"
    assert cover_title(cover) == "United Nations Leadership Forum on Climate Change"
    cover = (
        "MEASURES TO END RACISM IN THE UN SYSTEM\n"
        "The review looks at how the UN system organizations have upheld their rules."
    )
    assert cover_title(cover) == "Measures to End Racism in the UN System"


def test_a_cover_naming_the_organ_the_session_and_the_agenda_item_is_titled_by_the_report() -> None:
    board = (
        "United Nations DP/2025/1\nExecutive Board of the\nUnited Nations Development\n"
        "Programme and the United Nations\nPopulation Fund\nDistr.: General\n"
        "Annual session 2025\n2 to 5 June 2025, New York\nItem 10 of the provisional agenda\n"
    )
    assert cover_title(board + "Gender equality\nAnnual report on gender equality in 2024") == (
        "Annual report on gender equality in 2024"
    )
    assert cover_title(board + "Audit\nReport on audit and investigation in 2024") == (
        "Report on audit and investigation in 2024"
    )
    # A report the agenda item names alone is titled by the item.
    cover = "Agenda item 44\nThe situation in Haiti\nReport of the Secretary-General\nSummary"
    assert cover_title(cover) == "The situation in Haiti: Report of the Secretary-General"
    cover = (
        "Commission on the Status of Women\nSixty-ninth session\nNew York, 10–21 March 2025\n"
        "Review of the Beijing Declaration\nReport of the Secretary-General"
    )
    assert (
        cover_title(cover) == "Review of the Beijing Declaration: Report of the Secretary-General"
    )


def test_a_pdf_titled_only_by_its_kind_is_titled_by_its_cover(tmp_path: Path) -> None:
    from qa_assistant.reading import _assemble_pdf
    from qa_assistant.text_cleaning import clean_pages

    # Set large with space between the lines, as a cover is.
    cover = "ECONOMIC COMMISSION FOR\nASIA\n\nANNUAL REPORT\n\n27 April 2024\n\nUNITED NATIONS"
    body = "The Commission met in Bangkok and adopted its programme of work. " * 10
    texts = clean_pages([cover, body])
    document = _assemble_pdf(texts, "ANNUAL REPORT", tmp_path / "E_2025_39.pdf")
    assert document.title == "Economic Commission for Asia: Annual Report"


def test_a_page_that_opens_with_its_text_is_titled_by_its_heading() -> None:
    page = (
        "Outcomes funds differ from more common forms of contracts used for the delivery "
        "of social services, as they pay only if outcomes are achieved.\n"
        "Outcomes funds are a valuable model for partnerships in the education sector.\n"
        "INFORMATION BRIEF\nOutcomes Funds for Education"
    )
    assert cover_title(page) == "Outcomes Funds for Education"


def test_a_web_text_without_a_title_line_is_named_by_its_first_sentence(tmp_path: Path) -> None:
    path = tmp_path / "news.txt"
    path.write_text(
        "https://example.org/a\n date 2024-10-07 Between 11 September and 4 October 2024, "
        "the Programme Office in Dushanbe conducted a series of five training courses in the "
        "Gorno-Badakhshan Autonomous Region, Sughd and Khatlon. The courses went well.\n",
        encoding="utf-8",
    )
    assert read_document(path).title == (
        "The Programme Office in Dushanbe conducted a series of five training courses"
    )
    path.write_text(
        "The Office in Dushanbe in co-operation with the Academy of Public Administration "
        "under the President, concluded a four-day course on preventing violent extremism "
        "in Varzob district on 28 October 2025. It brought together 20 educators.\n",
        encoding="utf-8",
    )
    assert read_document(path).title == (
        "The Office in Dushanbe concluded a four-day course on preventing violent extremism"
    )
