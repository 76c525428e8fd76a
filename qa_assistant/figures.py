"""What a question asks for (a quantity, a date) and which figures a sentence holds.

"How many complaints were pending in May 2025?" wants a quantity: "135 complaints" answers
it, while the "2" of "As at 2 May 2025" is part of a date and the "1244" of "resolution
1244 (1999)" names a document. A date question ("In what year did the office open?") is
answered by a year or a day and month, not by a count. The reranker favours sentences
holding a figure of the kind asked for, and an answer without one is no answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

QUANTITY = "quantity"
DATE = "date"
LABEL = "label"

_ASKS_QUANTITY = re.compile(
    r"^\W*(?:and\s+|but\s+|so\s+)?(?:how\s+(?:many|much|large|long|often|big|high|low|far|old)|"
    r"by\s+how\s+much|"
    r"what\s+(?:was\s+|were\s+|is\s+|are\s+)?(?:the\s+)?(?:[\w'’-]+\s+){0,3}?"
    r"(?:proportion|share|percentage|per\s*cent|number|amount|size|rate|budget|cost|"
    r"turnout|figure|value|sum|total|count|level)\b)",
    re.IGNORECASE,
)
_ASKS_DATE = re.compile(
    r"^\W*(?:and\s+|but\s+|so\s+)?(?:when\b|since\s+when\b|in\s+(?:what|which)\s+year\b|"
    r"(?:what|which)\s+(?:year|date|month|day)\b|on\s+what\s+date\b|by\s+when\b)",
    re.IGNORECASE,
)

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*(?![\w])")
_DAY_MONTH = re.compile(rf"^\s+{_MONTH}\b", re.IGNORECASE)
_MONTH_DAY = re.compile(rf"\b{_MONTH}\s+$", re.IGNORECASE)
# A number that names rather than counts: "resolution 2719", "article 5", "page 12".
_NAMING_WORD = re.compile(
    r"\b(?:resolutions?|decisions?|articles?|arts?\.|paragraphs?|paras?\.|no\.|nos\.|numbers?|"
    r"pages?|pp?\.|chapters?|sections?|annex(?:es)?|tables?|figures?|fig\.|goals?|targets?|"
    r"rules?|sessions?|documents?|items?|phases?|levels?|grades?|volumes?|vol\.|class|"
    r"protocols?|conventions?|regulations?|laws?|codes?|sdg|sdgs|box|step|part|principle)"
    r"\s+$",
    re.IGNORECASE,
)
_NUMBER_WORDS = re.compile(
    r"\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|"
    r"thirty|forty|fifty|hundreds?|thousands?|millions?|billions?|dozens?|half|"
    r"one[-\s](?:third|quarter|fifth)|two[-\s]thirds|three[-\s]quarters|majority|"
    r"doubled|tripled|none)\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"^(?:1[89]|20)\d\d$")
_ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


@dataclass(frozen=True)
class Figure:
    """A number in a sentence: its text, its kind and where it ends."""

    text: str
    kind: str  # QUANTITY, DATE or LABEL
    end: int


def asked_for(question: str) -> str | None:
    """QUANTITY for "How many…?", "What was the budget…?"; DATE for "When…?", "In what
    year…?"; None for any other question."""
    if _ASKS_DATE.search(question):
        return DATE
    if _ASKS_QUANTITY.search(question):
        return QUANTITY
    return None


def figures(sentence: str) -> list[Figure]:
    """The numbers of ``sentence``, each typed: part of a date, a label, or a quantity."""
    found = []
    iso_dates = [m.span() for m in _ISO_DATE.finditer(sentence)]
    for match in _NUMBER.finditer(sentence):
        text, before, after = match.group(), sentence[: match.start()], sentence[match.end() :]
        digits = text.replace(",", "").replace(".", "")
        in_iso_date = any(a <= match.start() < b for a, b in iso_dates)
        if in_iso_date or _YEAR.match(text) or _DAY_MONTH.match(after) and len(digits) <= 2:
            kind = DATE
        elif _MONTH_DAY.search(before) and len(digits) <= 2:
            kind = DATE
        elif _NAMING_WORD.search(before):
            kind = LABEL
        else:
            kind = QUANTITY
        found.append(Figure(text, kind, match.end()))
    return found


def holds(sentence: str, kind: str) -> bool:
    """Whether ``sentence`` states a figure of ``kind`` (a quantity may be in words)."""
    if any(figure.kind == kind for figure in figures(sentence)):
        return True
    if kind == QUANTITY:
        return bool(_NUMBER_WORDS.search(sentence))
    return bool(_ISO_DATE.search(sentence))
