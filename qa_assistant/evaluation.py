"""Page-level evaluation of the assistant on a question set (CONTRACT's JSON lines format)."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from .assistant import Assistant
from .errors import QAError

REQUIRED_FIELDS = ("id", "question")


def load_questions(path: Path) -> list[dict[str, Any]]:
    """Read a JSON-lines question set, naming the line of any malformed entry."""
    if not path.is_file():
        raise QAError(f"No question set at {path}. Give a JSON-lines file of questions.")
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise QAError(f"{path}:{number} is not valid JSON ({exc.msg}).") from exc
        missing = [name for name in REQUIRED_FIELDS if name not in item]
        if missing:
            raise QAError(f"{path}:{number} lacks {', '.join(missing)}.")
        questions.append(item)
    return questions


def _first_hit(citations: list[dict[str, Any]], gold: list[dict[str, Any]]) -> int | None:
    wanted = {(Path(g["document"]).name, int(g["page"])) for g in gold}
    for rank, citation in enumerate(citations, start=1):
        if (Path(citation["document"]).name, int(citation["page"])) in wanted:
            return rank
    return None


# Figures the CONTRACT names for every eval report; one with no question to count it (no
# unanswerable question, say) is null rather than missing.
_CONTRACT_FIGURES = ("recall@1", "recall@5", "mrr@10", "no_answer_accuracy", "answered_accuracy")


def _figures(rows: list[dict[str, Any]]) -> dict[str, Any]:
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    figures: dict[str, Any] = {"questions": len(rows)}
    if answerable:
        ranks = [r["rank"] for r in answerable]
        figures["recall@1"] = sum(1 for k in ranks if k is not None and k <= 1) / len(ranks)
        figures["recall@5"] = sum(1 for k in ranks if k is not None and k <= 5) / len(ranks)
        figures["mrr@10"] = sum(1 / k for k in ranks if k is not None and k <= 10) / len(ranks)
        figures["answered_accuracy"] = sum(r["answered"] for r in answerable) / len(answerable)
        with_phrase = [r for r in answerable if r["phrases"]]
        if with_phrase:
            figures["answer_contains_gold"] = sum(r["fact_in_answer"] for r in with_phrase) / len(
                with_phrase
            )
    if unanswerable:
        figures["no_answer_accuracy"] = sum(not r["answered"] for r in unanswerable) / len(
            unanswerable
        )
    return figures


def _normalise(text: str) -> str:
    return " ".join(text.replace("\u00ad", "").split()).lower()


def evaluate(assistant: Assistant, path: Path, *, top_k: int = 10) -> dict[str, Any]:
    """Ask every question (with its history) and compute the CONTRACT's figures."""
    questions = load_questions(path)
    started = time.perf_counter()
    results, rows = [], []
    for item in questions:
        asked = time.perf_counter()
        answer = assistant.ask(item["question"], history=item.get("history", []), top_k=top_k)
        seconds = time.perf_counter() - asked
        citations = [{"document": c.document, "page": c.page} for c in answer.citations]
        gold = item.get("gold", [])
        answerable = bool(item.get("answerable", bool(gold)))
        phrases = [g["phrase"] for g in gold if g.get("phrase")]
        answer_text = _normalise(answer.answer)
        rows.append(
            {
                "kind": item.get("kind", "other"),
                "answerable": answerable,
                "answered": answer.answered,
                "rank": _first_hit(citations, gold) if answerable else None,
                "phrases": phrases,
                "fact_in_answer": any(_normalise(p) in answer_text for p in phrases),
            }
        )
        results.append(
            {
                "id": item["id"],
                "answered": answer.answered,
                "seconds": round(seconds, 4),
                "answer": answer.answer,
                "citations": citations,
            }
        )
    by_kind: dict[str, list] = defaultdict(list)
    for row in rows:
        by_kind[row["kind"]].append(row)
    report = _figures(rows)
    for name in _CONTRACT_FIGURES:  # the CONTRACT's fields are always there: null if undefined
        report.setdefault(name, None)
    report["by_kind"] = {kind: _figures(group) for kind, group in sorted(by_kind.items())}
    report["seconds"] = round(time.perf_counter() - started, 3)
    report["results"] = results
    return report
