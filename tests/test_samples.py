"""The sample reports in documents/: gold phrases of the sample questions, and reproducibility."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = ROOT / "documents"
QUESTIONS = ROOT / "tests" / "data" / "sample_questions.jsonl"

sys.path.insert(0, str(ROOT / "scripts"))
make_samples = importlib.import_module("make_samples")
minipdf = importlib.import_module("minipdf")


def _questions() -> list[dict]:
    lines = QUESTIONS.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _gold_entries() -> list[tuple[str, dict]]:
    return [(q["id"], gold) for q in _questions() for gold in q["gold"]]


def test_question_set_shape() -> None:
    questions = _questions()
    assert 12 <= len(questions) <= 15
    assert len({q["id"] for q in questions}) == len(questions)
    kinds = [q["kind"] for q in questions]
    for kind in ("acronym", "spelling", "followup", "unanswerable"):
        assert kinds.count(kind) >= 2, kind
    for q in questions:
        assert q["answerable"] == bool(q["gold"]), q["id"]
        assert bool(q["history"]) == (q["kind"] == "followup"), q["id"]


@pytest.mark.parametrize(("qid", "gold"), _gold_entries(), ids=[q for q, _ in _gold_entries()])
def test_gold_phrase_is_on_its_page(qid: str, gold: dict) -> None:
    document = DOCUMENTS / gold["document"]
    if document.suffix == ".pdf":
        text = PdfReader(document).pages[gold["page"] - 1].extract_text()
    else:
        assert gold["page"] == 1, "text and Markdown files have a single page"
        text = document.read_text(encoding="utf-8")
    phrase = " ".join(gold["phrase"].split())
    assert any(phrase in variant for variant in make_samples.normalised_variants(text)), qid


def test_samples_regenerate_byte_identical(tmp_path: Path) -> None:
    written = make_samples.build_samples(tmp_path)
    assert len(written) >= 6
    for path in written:
        assert path.read_bytes() == (DOCUMENTS / path.name).read_bytes(), path.name


def test_every_sample_pdf_has_running_header_and_footer() -> None:
    for path in sorted(DOCUMENTS.glob("*.pdf")):
        reader = PdfReader(path)
        assert 2 <= len(reader.pages) <= 4, path.name
        assert reader.metadata.title
        first_lines = {page.extract_text().splitlines()[0] for page in reader.pages}
        assert len(first_lines) == 1, path.name  # the same header on every page
        for number, page in enumerate(reader.pages, start=1):
            assert page.extract_text().endswith(f"Page {number} of {len(reader.pages)}")


def test_extra_letters_round_trip(tmp_path: Path) -> None:
    letters = "ëéçšžöüŠŽ" + minipdf.SUPPORTED_EXTRA_CHARS
    path = tmp_path / "letters.pdf"
    minipdf.write_pdf(path, [f"Obilić Prishtinë {letters}"], title=f"Title {letters}")
    reader = PdfReader(path)
    assert reader.pages[0].extract_text() == f"Obilić Prishtinë {letters}"
    assert reader.metadata.title == f"Title {letters}"
