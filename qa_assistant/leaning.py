"""How a question asked after others leans on them: the words that point back ("those
courses", "it", "And …?"), a thing the earlier question named, named again ("the
courses"), and what marks a subject of the question's own (its names, the words it shares
with the earlier question). ``retrieval.Query`` and ``Retriever.opens_new_topic`` read a
question with these.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .lexical import fold, query_terms, stem_key
from .pins import CALENDAR, constraints

# A question that opens by pointing back ("And …?", "What about …?") is a follow-up whatever
# it names; other words refer back to something an earlier question named ("it", "those").
_OPENS_BACK = r"^\W*(?:and|but|also|so|then|what\s+about|how\s+about)\b"
_LEANS_BY_FORM = re.compile(_OPENS_BACK, re.IGNORECASE)
_POINTS_BACK = re.compile(
    _OPENS_BACK + r"|\b(?:it|its|itself|they|them|their|theirs|those|these|that|this|there|"
    r"then|he|she|his|her|him|hers|the\s+same|such)\b",
    re.IGNORECASE,
)

# A time named from now, which points back to no earlier question.
_TIME_DEIXIS = re.compile(r"\b(?:this|these)\s+(?:year|month|week|days)\b", re.IGNORECASE)

# A definite noun phrase: "the" or "each", then a lower-case word or two ("the courses",
# "the released prisoners"); words that locate rather than name are passed over.
_DEFINITE = re.compile(r"\b(?i:the|each)\s+([a-z][\w'’-]*)(?:\s+([a-z][\w'’-]*))?")
_NOT_NAMING = set(
    "first second third last next new same other following previous whole main world year "
    "time number total most".split()
)


def _names_again(question: str, history: Sequence[str]) -> bool:
    """Whether a definite noun phrase of ``question`` repeats a word of the earlier
    questions: the thing they spoke of, named again ("the courses", "each mandate")."""
    earlier = {stem_key(term) for text in history for term in query_terms(text)}
    return any(
        stem_key(term) in earlier
        for phrase in _DEFINITE.finditer(question)
        for word in phrase.groups(default="")
        for term in query_terms(word)
        if term not in _NOT_NAMING
    )


def leans_on(question: str, history: Sequence[str]) -> bool:
    """Whether ``question`` cannot stand alone after ``history``: it points back ("it",
    "those", "there", "And …?", "What about …?"), names again with "the" or "each" what an
    earlier question named ("Over what dates were the courses held?" after "… its 2019
    courses …?"), or has almost no words of its own to search with."""
    return bool(history) and (
        bool(_POINTS_BACK.search(question))
        or len(query_terms(question)) <= 1
        or _names_again(question, history)
    )


def opens_as_follow_up(question: str) -> bool:
    """Whether ``question`` opens by pointing back ("And …?", "What about …?")."""
    return bool(_LEANS_BY_FORM.search(question))


def own_names(question: str) -> list[str]:
    """The names ``question`` itself gives ("the JIU", "Haiti", "Peter Sorensen"), each as
    its capitalised words; a month or a weekday names a time, not a subject, and a code
    ("the P-5 level", "CSW69") may be written otherwise ("P5")."""
    names = (
        " ".join(w for w in pin.words if w[:1].isupper())
        for pin in constraints(question)
        if not pin.is_number and not {fold(w) for w in pin.words} <= CALENDAR
    )
    return [name for name in names if len(name) > 1 and not any(map(str.isdigit, name))]


def points_outside_itself(question: str, history: Sequence[str]) -> bool:
    """Whether what makes ``question`` lean on ``history`` may point outside it: not only
    "this year" or "these days" (a time), nor "its" or "their" after a name the question
    gives ("By what year does Tajikistan aim to get all of its energy …?")."""
    if len(query_terms(question)) <= 1 or _names_again(question, history):
        return True
    text = _TIME_DEIXIS.sub(" ", question)
    names = [m.start() for m in re.finditer(r"(?<=\w )[A-Z]\w", text)]
    return any(
        not (m.group().lower() in ("its", "their") and names and names[0] < m.start())
        for m in _POINTS_BACK.finditer(text)
    )


def shared_words(text: str, earlier: str) -> list[str]:
    """The content words of ``text``, other than numbers, that ``earlier`` has too (stems
    compared)."""
    stems = {stem_key(term) for term in query_terms(earlier)}
    return [t for t in query_terms(text) if stem_key(t) in stems and not t.isdigit()]
