"""The parts of a reply around its quotes: the sources it lists, and what it says when the
reports do not answer.

Sources are listed one per page first (a second passage of a page already listed follows
the others unless the answer quotes it), the passage read first cited first. "The reports
don't say" names, when it is known, what the closest passages lack.
"""

from __future__ import annotations

from collections.abc import Sequence, Set

from .config import PAGED_SUFFIXES
from .figures import (
    COUNTRY,
    DATE,
    DURATION,
    FUNDER,
    MONEY,
    QUANTITY,
    SHARE,
    VOTE,
    compared_years,
    years,
)
from .lexical import one_line
from .types import Citation

__all__ = ["NO_ANSWER_TEXT", "listed_sources", "no_answer_text", "what_is_missing"]

NO_ANSWER_TEXT = (
    "The reports don't say. Nothing in the indexed reports answers this question; the "
    "closest passages are listed below as related reading."
)
_WHAT_IS_ASKED = {
    QUANTITY: "give no number",
    SHARE: "give no percentage or share",
    MONEY: "give no sum of money",
    DATE: "give no date",
    FUNDER: "do not say who funded it",
    DURATION: "give no length of time",
    VOTE: "do not give the vote",
    COUNTRY: "name no country",
}


def what_is_missing(
    wanted: str, group: str | None = None, stating: str = "", asked_years: Set[str] = ()
) -> str:
    """What the closest passages lack for a question asking for ``wanted`` ("give no sum of
    money"), of ``group`` ("give no number of women"); or, when ``stating``, the sentence read
    first, states such a figure for other years than those asked about, which ("speak of
    2024, not of 2023": the year may be a reference point, "since 1995", so no more is said)."""
    other = years(stating) - set(asked_years) - compared_years(stating) if asked_years else set()
    if other:
        return f"speak of {' and '.join(sorted(other))}, not of {' and '.join(sorted(asked_years))}"
    return f"give no number of {group}" if group else _WHAT_IS_ASKED[wanted]


def no_answer_text(reason: str = "") -> str:
    """The "reports don't say" reply; with ``reason``, why the closest passages fall short
    ("The closest passages are on the topic but give no sum of money.")."""
    if not reason:
        return NO_ANSWER_TEXT
    return f"The reports don't say. {reason} They are listed below as related reading."


def listed_sources(
    citations: list[Citation], quoted: Sequence[int], top_k: int, one_per_page: bool
) -> list[Citation]:
    """The first ``top_k`` citations, numbered anew; ``quoted``: the n of the passages the
    answer quotes, in the order it reads them. The first one read is cited first; the others
    keep their order, ahead of any repeat (one beyond ``top_k`` is not listed, and the
    caller drops its quote). With ``one_per_page``, a passage on a page listed already
    follows the other pages unless the answer quotes it, and so does one whose highlighted
    sentence is listed already (two windows of a text file that share it). A text file has
    no pages: each of its passages is a place of its own."""
    if quoted and quoted[0] != 1:
        citations = [citations[quoted[0] - 1]] + [
            c for n, c in enumerate(citations, start=1) if n != quoted[0]
        ]
    first, later, seen = [], [], set()
    for citation in citations:
        paged = citation.document.lower().endswith(PAGED_SUFFIXES)
        page = (citation.document, citation.page if paged else -citation.passage_id)
        places = {page}
        if citation.highlight:
            a, b = citation.highlight[0]
            places.add((citation.document, one_line(citation.text[a:b])))
        repeat = one_per_page and bool(seen & places) and citation.n not in quoted
        (later if repeat else first).append(citation)
        seen |= places
    listed = (first + later)[:top_k]
    for n, citation in enumerate(listed, start=1):
        citation.n = n
    return listed
