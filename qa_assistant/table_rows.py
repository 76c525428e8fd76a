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
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from .figures import tabled_sums
from .sentences import sentence_spans
from .types import PassageRow

__all__ = ["TableRow", "givers", "names_written", "row_for", "tabled_sum_for"]

_RUNS_ON = 2  # windows after a passage that its table may run on into
_SUM_AT_END = re.compile(r"[\s\d.,]+$")


@dataclass(frozen=True)
class TableRow:
    """A row that gives a sum (or a sentence read from the next window, ``sentence_after``):
    its passage, its span in the passage's text, the report's text above the passage back to
    where the table's passage starts ("" when the row stands in that passage), and the
    number of that passage in the list searched."""

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


def tabled_sum_for(sentence: str, context: str, names: Collection[str]) -> bool:
    """Whether ``sentence`` is a table row that gives a sum of money (``tabled_sums``) for
    one of ``names``, written before the sum on its line: "Norway 4,678,581" for "Norway",
    "Swedish Committee for UNICEF 2,710,131" for "Swedish Committee for UNICEF"."""
    short = [_STATE_OF.sub("", name) for name in names]
    for figure in tabled_sums(sentence, context):
        line = sentence[: sentence.find(figure)].rsplit("\n", 1)[-1]
        # The row's name ends where its sum begins: "Sida – Sweden" is Sweden's, "Japan
        # Committee for UNICEF" is the Committee's, not Japan's.
        if names_written(line, short, at_end=True):
            return True
    return False


# "the Government of Norway" gives as "Norway" in a table of donors.
_STATE_OF = re.compile(r"^(?:the\s+)?(?:Government|Kingdom|Republic|State)\s+of\s+(?:the\s+)?")
# "How much did Hungary contribute …?": the giver is the subject between "did" and the verb.
_GIVER = re.compile(
    r"\bhow\s+much\s+(?:money\s+)?(?:did|does|do|has|have|had|will|would)\s+(?P<giver>.+?)\s+"
    r"(?:contribute|give|donate|pledge|provide|pay|grant|allocate|commit)\b",
    re.IGNORECASE,
)


def givers(question: str, names: Collection[str]) -> list[str]:
    """The names of ``names`` that a how-much question asks about as the giver ("Hungary"
    in "How much did Hungary contribute to the Fund?"; not the Fund); all of them when the
    question names no giver that way."""
    match = _GIVER.search(question)
    if not match:
        return list(names)
    return [name for name in names if name in match.group("giver")]


def names_written(text: str, names: Collection[str], *, at_end: bool = False) -> list[str]:
    """The ``names`` that ``text`` writes out, word for word ("Korean Committee for UNICEF",
    not "Swedish Committee for UNICEF"; "Norway", not "Norwegian"); with ``at_end``, only
    where it ends the text."""
    found = []
    end = r"\W*$" if at_end else r"(?!\w)"
    for name in names:
        words = r"\W+".join(re.escape(w) for w in name.split())
        if re.search(rf"(?<!\w){words}{end}", text):
            found.append(name)
    return found


def sentence_after(
    passage: PassageRow, end: int, following: Callable[[PassageRow, int], list[PassageRow]]
) -> TableRow | None:
    """The sentence after the one that ends ``passage`` at ``end``, read from the next window
    of its report (``following``: the store's ``passages_after``): "More than 40,000 people
    have benefited …" after "… schemes to provide low cost electricity", where the window
    ends between them. None when ``end`` is not the passage's last sentence."""
    if passage.text[end:].strip():
        return None
    after = following(passage, 1)
    if not after:
        return None
    window = after[0]
    start = passage.start + end - window.start  # where that sentence ends, in the next window
    return next(
        (TableRow(window, (a, b), "", 0) for a, b in sentence_spans(window.text) if a >= start),
        None,
    )
