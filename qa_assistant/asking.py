"""What a question is asked with, and what its answer reports: the earlier questions as
a follow-up searches with them, the reports it is kept to, whether it has words to search
for at all, and citation scores that read best first.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from .collection import collection_question
from .errors import QAError
from .lexical import query_terms
from .retrieval import Query
from .store import Store
from .types import Citation


def check_searchable(question: str, history: Sequence[str]) -> None:
    """Raise QAError for a question with no words to search for ("?!?", "what is the of"),
    unless it names something in capitals ("What does WHO do?") or follows others."""
    if not history and not query_terms(question) and not _ACRONYM.search(question):
        raise QAError(
            f"The question {question!r} has no words to search the reports for. Ask about "
            "a topic, a name or a figure, e.g. 'What does OMIK do about hate crime?'."
        )


_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9]+\b")


def as_history(history: Sequence[str]) -> list[str]:
    """The earlier questions as a follow-up searches with them: a question about the
    collection counts by its topic ("Which reports mention OMIK?" as "OMIK"); an overview
    ("What reports do you have?") names nothing and is left out."""
    kept = []
    for earlier in history:
        if not earlier or not earlier.strip():
            continue
        about = collection_question(earlier)
        if about is None:
            kept.append(earlier)
        elif about.topic:
            kept.append(about.topic)
    # A follow-up of a follow-up ("How many of them were women?" after "Which countries did
    # they come from?" after "How many officers took part in the 2022 Staff Course?") leans
    # on the whole chain: the last earlier question carries those it leans on itself.
    # A question that names nothing of its own ("How many officers took part?") has its
    # subject in the one before it, even when it does not point back.
    chain, first = kept[-1:], len(kept) - 1
    while chain and first > 0 and len(chain) < CHAIN:
        earlier = Query(text=kept[first], history=[kept[first - 1]])
        if not (earlier.leans_on_history() or not earlier.own_names()):
            break
        first -= 1
        chain.insert(0, kept[first])
    return kept[:-1] + [" ".join(chain)] if chain else kept


CHAIN = 3  # earlier questions a follow-up of follow-ups may lean on


def scope_ids(store: Store, documents: Sequence[str]) -> list[int]:
    """Ids of the reports ``documents`` names: each a path as indexed, a folder of them, a
    report's file name, or a path ending in an indexed path (an absolute one). One that
    names no indexed report is refused by name: a search kept to nothing answers nothing."""
    ids: set[int] = set()
    unknown = []
    paths: list[str] | None = None
    for given in documents:
        found = store.document_ids([given])
        if not found:
            paths = paths if paths is not None else [d.path for d in store.documents()]
            name = given.replace("\\", "/")
            found = store.document_ids(
                [p for p in paths if p.rsplit("/", 1)[-1] == name or name.endswith("/" + p)]
            )
        if not found:
            unknown.append(given)
        ids.update(found)
    if unknown:
        names = ", ".join(unknown)
        raise QAError(
            f"No indexed report or folder is named {names}. Give a path as indexed, a "
            "report's file name or a folder; `qa-assistant status --list` lists the reports."
        )
    return sorted(ids)


def scores_in_rank_order(citations: list[Citation]) -> None:
    """Cap each citation's score at the one ranked above it, so ``score`` reads best first.

    The reranker's passage score orders the citations, and then the answer's rules move a
    few (the passage whose page shows the question's names and numbers first, the one the
    answer reads first cited first, a second passage from a page listed already after the
    other pages). A moved passage keeps its place and is given no higher score than the
    passage above it: no score claims more than the place it was ranked at.
    """
    floor = math.inf
    for citation in citations:
        floor = min(floor, citation.score)
        citation.score = floor
