"""Questions asked in a conversation that has moved on: each standalone tuning question asked
after an unrelated one.

In the chat every question is asked with the ones before it, and staff change the subject:
"What are the recommendations of the JIU on racism?" right after a question on the
Commission on the Status of Women. This benchmark pairs each standalone question of a
question set (the tuning set by default) with the first answerable standalone question
``--offset`` places further on that is answered from other reports, asks it with that
question as its history, and prints the CONTRACT's figures beside those of the same
questions asked alone: with every earlier question pulling on the new one
(``new_subjects=False``, as before session 19), and as the assistant reads a new subject
(the default). Run it on one index and one loaded model:

    .venv/bin/python -m benchmarks.topic_switch --index DIR [--offset 97]

Real follow-ups are measured by the tuning set itself (``benchmarks.tune``): its 208
questions with an earlier one must not be read as new subjects.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from qa_assistant import Assistant
from qa_assistant.embedding import SentenceTransformerEmbedder
from qa_assistant.evaluation import evaluate, load_questions
from qa_assistant.retrieval import Query, RetrievalParams, Retriever
from qa_assistant.store import Store

HERE = Path(__file__).resolve().parent
COLUMNS = ["recall@1", "recall@5", "mrr@10", "answer_contains_gold", "answered_accuracy"]


def switched_questions(questions: list[dict], offset: int) -> list[dict]:
    """Each standalone question, with the first answerable standalone question ``offset``
    or more places on (round the set) that no report of its gold answers, as its history."""
    alone = [q for q in questions if not q.get("history")]
    switched = []
    for i, question in enumerate(alone):
        reports = {gold["document"] for gold in question["gold"]}
        for step in range(offset, offset + len(alone)):
            earlier = alone[(i + step) % len(alone)]
            if earlier["answerable"] and not reports & {g["document"] for g in earlier["gold"]}:
                switched.append({**question, "history": [earlier["question"]]})
                break
    return switched


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--questions", type=Path, default=HERE / "tune_questions.jsonl")
    parser.add_argument("--offset", type=int, default=97)
    args = parser.parse_args()

    questions = load_questions(args.questions)
    switched = switched_questions(questions, args.offset)
    alone = [{**q, "history": []} for q in switched]
    embedder = SentenceTransformerEmbedder()
    store = Store.open_current(args.index)
    no_new_subjects = RetrievalParams(new_subjects=False)
    with tempfile.TemporaryDirectory() as folder:
        rows = []
        for label, rows_of, retrieval in (
            ("asked alone", alone, RetrievalParams()),
            ("after another, every earlier question pulling", switched, no_new_subjects),
            ("after another, a new subject seen (default)", switched, RetrievalParams()),
        ):
            path = Path(folder) / f"{len(rows)}.jsonl"
            path.write_text("".join(json.dumps(q) + "\n" for q in rows_of), "utf-8")
            assistant = Assistant(args.index, embedder=embedder, retrieval=retrieval)
            rows.append((label, evaluate(assistant, path)))
    # Glossary expansions left out: the count is the rule's own, close to what ask() reads.
    retriever = Retriever(store, embedder)
    seen = sum(
        retriever.opens_new_topic(Query(text=q["question"], history=q["history"])) for q in switched
    )
    print(f"{len(switched)} standalone questions of {args.questions.name} (offset {args.offset})")
    print("| questions | " + " | ".join(COLUMNS) + ' | "don\'t say" |')
    print("|---" * (len(COLUMNS) + 2) + "|")
    for label, figures in rows:
        cells = [f"{figures[c]:.3f}" for c in COLUMNS]
        cells.append(f"{figures.get('no_answer_accuracy') or float('nan'):.3f}")
        print(f"| {label} | " + " | ".join(cells) + " |")
    print(f"read as a new subject: {seen} of {len(switched)}")
    store.close()


if __name__ == "__main__":
    main()
