"""Questions typed in a hurry: the tuning questions with one slip of the keyboard each.

Staff type questions into a chat box, and a slip ("pubkic money", "human rgihts") takes the
word out of the lexical search and blurs it for the encoder. This benchmark copies
standalone answerable questions of a question set (the tuning set by default) and makes one
slip in each: in a word of six letters or more, in lower case, that the reports use, one
of the four slips of typing, drawn at random past the first letter (a key next to the
one meant, a letter dropped, doubled, or two swapped). It then asks both sets, on one
index and one loaded model, and prints the CONTRACT's figures side by side (the slips
searched as typed, ``correct_slips=False``, and put right, the default), with how many
slips the assistant put back to the word meant:

    .venv/bin/python -m benchmarks.typos --index DIR [--count 200] [--skip 0] [--seed 16]

``--skip`` passes over that many questions of the same draw, so a second, disjoint set can
be measured (``--skip 200``). A slip that makes another word the reports use ("countries"
→ "counties") is left in: no spelling check can find it.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import tempfile
from pathlib import Path

from qa_assistant import Assistant
from qa_assistant.embedding import SentenceTransformerEmbedder
from qa_assistant.evaluation import evaluate, load_questions
from qa_assistant.lexical import STOPWORDS
from qa_assistant.retrieval import RetrievalParams
from qa_assistant.spellings import Spellings
from qa_assistant.store import Store

HERE = Path(__file__).resolve().parent
COLUMNS = ["recall@1", "recall@5", "mrr@10", "answer_contains_gold", "answered_accuracy"]
ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def _next_keys(letter: str) -> str:
    """The keys beside ``letter`` on its own row of a QWERTY keyboard."""
    for row in ROWS:
        at = row.find(letter)
        if at >= 0:
            return row[max(at - 1, 0) : at] + row[at + 1 : at + 2]
    return ""


def slip(word: str, rng: random.Random) -> str:
    """``word`` with one slip of typing past its first letter."""
    at = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("next key", "dropped", "doubled", "swapped"))
    if kind == "next key" and _next_keys(word[at]):
        return word[:at] + rng.choice(_next_keys(word[at])) + word[at + 1 :]
    if kind == "dropped":
        return word[:at] + word[at + 1 :]
    if kind == "doubled":
        return word[:at] + word[at] + word[at:]
    swapped = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    return swapped if swapped != word else word[:at] + word[at + 1 :]


def slipped_questions(
    questions: list[dict], words: set[str], count: int, skip: int, seed: int
) -> list[tuple[dict, dict, str, str]]:
    """(question, its copy with a slip, the word, the slip) for ``count`` questions of the
    shuffled standalone answerable ones, after the first ``skip`` of them."""
    rng = random.Random(seed)
    pool = [q for q in questions if q.get("answerable", True) and not q.get("history")]
    rng.shuffle(pool)
    pairs = []
    for question in pool:
        text = question["question"]
        words_here = [
            m
            for m in re.finditer(r"(?<![\w'’-])[a-z]{6,}(?![\w'’-])", text)
            if m.group() in words and m.group() not in STOPWORDS
        ]
        if not words_here:
            continue
        match = rng.choice(words_here)
        typed = slip(match.group(), rng)
        copy = dict(question, question=text[: match.start()] + typed + text[match.end() :])
        pairs.append((question, copy, match.group(), typed))
    return pairs[skip : skip + count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--questions", type=Path, default=HERE / "tune_questions.jsonl")
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--skip", type=int, default=0)
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()

    store = Store.open_current(args.index)
    spellings = Spellings(store.word_counts, store.stand_together)
    words = set(store.word_counts())
    pairs = slipped_questions(
        load_questions(args.questions), words, args.count, args.skip, args.seed
    )
    put_back = sum(
        (typed, meant) in spellings.corrected(copy["question"])[1]
        for _, copy, meant, typed in pairs
    )
    other_word = sum(typed in words for *_, typed in pairs)
    embedder = SentenceTransformerEmbedder()
    runs = (
        ("as written", 0, True),
        ("one slip each, searched as typed", 1, False),
        ("one slip each, slips put right (default)", 1, True),
    )
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for label, index, correct in runs:
            path = Path(folder) / f"{index}.jsonl"
            path.write_text("".join(json.dumps(p[index]) + "\n" for p in pairs), "utf-8")
            retrieval = RetrievalParams(correct_slips=correct)
            assistant = Assistant(args.index, embedder=embedder, retrieval=retrieval)
            rows.append((label, evaluate(assistant, path)))
    print(f"{len(pairs)} questions of {args.questions.name} (seed {args.seed}, skip {args.skip})")
    print("| questions | " + " | ".join(COLUMNS) + " |")
    print("|---" * (len(COLUMNS) + 1) + "|")
    for label, figures in rows:
        print(f"| {label} | " + " | ".join(f"{figures[c]:.3f}" for c in COLUMNS) + " |")
    print(
        f"slips put back to the word meant: {put_back} of {len(pairs)}; "
        f"slips that made another word of the reports: {other_word}"
    )
    for _, copy, meant, typed in pairs[:5]:
        print(f"  e.g. {meant} → {typed}: {copy['question'][:90]}")


if __name__ == "__main__":
    main()
