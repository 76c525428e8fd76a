"""The tuning set (benchmarks/tune_questions.jsonl) is sound: the CONTRACT's question format,
ids unique, and every gold phrase standing on its page as pypdf extracts it, so that a
setting chosen on it is chosen on facts the reports state."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest
from pypdf import PdfReader

QUESTIONS = Path(__file__).resolve().parent.parent / "benchmarks" / "tune_questions.jsonl"
KINDS = {"factual", "paraphrase", "acronym", "spelling", "overview", "followup", "unanswerable"}


def _questions() -> list[dict]:
    return [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines()]


def test_the_tuning_questions_keep_the_contract_format():
    questions = _questions()
    assert len({q["id"] for q in questions}) == len(questions)
    for q in questions:
        assert list(q) == ["id", "kind", "history", "question", "answerable", "gold"], q["id"]
        assert q["kind"] in KINDS, q["id"]
        assert q["answerable"] == bool(q["gold"]), q["id"]
        assert q["kind"] != "followup" or q["history"], q["id"]
        for gold in q["gold"]:
            assert gold["page"] >= 1 and gold["phrase"].strip(), q["id"]


def _collapsed(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.shared
def test_every_gold_phrase_stands_on_its_page(shared_dir):
    files = {path.name: path for path in (shared_dir / "reports").rglob("*") if path.is_file()}

    @cache
    def reader(name: str) -> PdfReader:  # parsed once per report, not once per gold page
        return PdfReader(files[name])

    @cache
    def page_text(name: str, page: int) -> str:
        path = files[name]
        if path.suffix != ".pdf":
            return _collapsed(path.read_text(encoding="utf-8"))  # a text file is page 1
        return _collapsed(reader(name).pages[page - 1].extract_text())

    missing = [
        (q["id"], gold["document"], gold["page"])
        for q in _questions()
        for gold in q["gold"]
        if gold["document"] not in files
        or _collapsed(gold["phrase"]) not in page_text(gold["document"], gold["page"])
    ]
    assert not missing
