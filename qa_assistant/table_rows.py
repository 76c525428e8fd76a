"""Who gave how much: the row of a table of sums that names the giver a question asks about.

A report lists its donors in a table whose heading states the currency ("Sector Donor
Amount (US$)"), a row a line ("Hungary 300,000"). "How much did Hungary contribute to the
Fund?" is answered by Hungary's row, not by the sentence above the table that gives the
Fund's total ("the Fund mobilized US$10.9 million"), which does not name Hungary. Passages
are overlapping windows of a report's text, so a long table runs on into the windows after
the one holding its heading; those rank low (a row holds few of the question's words), so
they are read here, each with the heading above it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .figures import tabled_sum_for
from .sentences import sentence_spans
from .types import PassageRow

__all__ = ["TableRow", "row_for"]

_RUNS_ON = 2  # windows after a passage that its table may run on into
_SUM_AT_END = re.compile(r"[\s\d.,]+$")


@dataclass(frozen=True)
class TableRow:
    """A row that gives a sum: its passage, its span in the passage's text, the report's
    text above the passage back to where the table's passage starts ("" when the row stands
    in that passage), and the number of that passage in the list searched."""

    passage: PassageRow
    span: tuple[int, int]
    above: str
    base: int

    @property
    def text(self) -> str:
        """The row as the passage writes it."""
        return self.passage.text[slice(*self.span)]


def _rows(
    base: int, passage: PassageRow, following: Sequence[PassageRow]
) -> list[tuple[TableRow, str]]:
    """Every sentence of ``passage`` and of the windows ``following`` it, each with the
    text before it back to the start of ``passage`` (where a table's heading may stand). A
    window's sentences that the window before it holds whole are left out."""
    rows = [
        (TableRow(passage, span, "", base), passage.text[: span[0]])
        for span in sentence_spans(passage.text)
    ]
    text, end = passage.text, passage.end  # the report's text from passage.start, so far
    for window in following:
        if window.start > end or window.document_id != passage.document_id:
            break  # a gap: the windows do not join
        above = text[: window.start - passage.start]
        for a, b in sentence_spans(window.text):
            if window.start + b > end:
                rows.append((TableRow(window, (a, b), above, base), above + window.text[:a]))
        text, end = above + window.text, window.end
    return rows


def row_for(
    names: Sequence[str],
    passages: Sequence[PassageRow],
    following: Callable[[PassageRow, int], list[PassageRow]],
) -> TableRow | None:
    """The row that gives a sum of money for one of ``names`` ("Hungary 300,000" for
    "Hungary") in a table of the first of ``passages`` (best first) that has one; the table
    may run on into the windows after the passage (``following``: the store's
    ``passages_after``). A name that several rows of the table write ("UNICEF" in every
    "… Committee for UNICEF") says whose sum it is of none of them."""
    if not names:
        return None
    for base, passage in enumerate(passages):
        rows = _rows(base, passage, following(passage, _RUNS_ON))
        for name in names:
            giving = [row for row, before in rows if tabled_sum_for(row.text, before, [name])]
            if len(giving) > 1:  # "Luxembourg 715,647", not "Luxembourg Committee for UNICEF"
                giving = [row for row in giving if _label(row.text) == name.casefold()]
            if len(giving) == 1:
                return giving[0]
    return None


def _label(row: str) -> str:
    """What a row of one name and one sum names: "luxembourg" for "Luxembourg 715,647"."""
    return " ".join(_SUM_AT_END.sub("", row).split()).casefold()
