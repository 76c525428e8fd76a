"""What a sentence is, to the reranker: a footnote or source line, a heading, a heading that
only repeats the question, a figure of the kind asked for (``figure_request``: what the
question asks), a count of what a how-many question counts, whether it says anything at
all, and whether a question asks for an account (several points) rather than a fact. Pure
functions of the text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .chunking import split_sentences
from .countries import countries_named
from .figures import (
    COUNTRY,
    DATE,
    DURATION,
    FUNDER,
    QUANTITY,
    VOTE,
    asked_for,
    counted_group,
    figures,
    holds,
)
from .lexical import STOPWORDS, query_terms, stem_key, tokenize

__all__ = [
    "echoes",
    "figure_bonus",
    "figure_request",
    "is_broad",
    "is_heading",
    "is_reference",
    "says_something",
    "without_source",
    "sentence_spans",
]


# Footnotes and source lists ("16 For further details, see …", "229 Ibid.", a web address,
# "(accessed December 2024)"), a figure's source line ("Source: United Nations, …") and a
# report's description of itself ("The present report is submitted pursuant to …", "This
# report covers …", "This complementary file provides …", "The present document contains …").
_REFERENCE = re.compile(
    r"^\s*\d{1,3}\s+(?:see\b|ibid|available\s+at|for\s+further|source|[A-Z][^.;]{0,80}?,\s+[“\"])"
    r"|^\W*sources?\s*:"
    r"|\bibid\b|\(accessed\b|\bavailable\s+at\b|\bOfficial\s+Records\s+of\b"
    r"|^\W*(?:the|this)\s+(?:present\s+)?(?:[a-z]+\s+)?(?:report|note|document|file)"
    r"(?:,\s+submitted\b[^,]*,)?\s+(?:is\s+submitted|outlines|covers|provides|describes|"
    r"presents|contains|updates)"
    # a UN document's asterisk note: "* Reissued for technical reasons …", "* A/80/50."
    r"|^\s*\*{1,3}\s",
    re.IGNORECASE,
)


_URL = re.compile(r"(?:https?://|www\.)\S+")
# A footnote as PDF text gives it: its bare number, then its text ("34 The High
# Commissioner observed …"); a numbered paragraph has a full stop ("34. The …").
_FOOTNOTE_START = re.compile(
    r"^\s*\d{1,3}\s+(?!(?:January|February|March|April|May|June|July|August|September|"
    r"October|November|December)\b)[A-Z“\"]"
)


_WORD = re.compile(r"[^\W\d_]{2,}")


def says_something(sentence: str) -> bool:
    """Whether a sentence has three words or more: a footnote's bare number ("43."), left
    as a sentence of its own when the note follows the text, is no point to quote."""
    return len(_WORD.findall(sentence)) >= 3


def is_reference(sentence: str) -> bool:
    """A footnote, a source reference or a report describing itself: it says where a fact
    is, rarely the fact (tuning set, footnotes by their bare number too: recall@1 0.750 →
    0.792). A web address alone makes one only when little else is said (a
    text file's source line may run into its first sentence)."""
    if _REFERENCE.search(sentence) or _FOOTNOTE_START.match(sentence):
        return True
    without = _URL.sub(" ", sentence)
    return without != sentence and len(without.split()) < 8


# A question after an account, not a fact: "What does the Mission do to fight trafficking?",
# "How does UNDP support women's participation?", "What role do private companies play…?".
_BROAD = re.compile(
    r"^\W*(?:and\s+)?(?:how\s+(?:does|do|did|can|could|is|are|has|have|will)\b.*\b(?:help\w*|"
    r"support\w*|work\w*|contribut\w*|address\w*|tackl\w*|assist\w*|promot\w*|build\w*|"
    r"strengthen\w*|prevent\w*|fight\w*|combat\w*|protect\w*|respond\w*|deal\w*|improv\w*)\b|"
    r"what\s+(?:role|steps|measures|progress|efforts|approach|kind\s+of)\b|"
    r"what\s+(?:are|were)\s+the\s+(?:main|key|major)\s+(?:points|findings|messages|"
    r"issues|conclusions|recommendations|activities)\b|"
    r"^\W*(?:summari[sz]e|give\s+(?:me\s+)?an?\s+(?:overview|summary))\b|"
    r"what\s+(?:does|do|did|is|are|has|have|was|were)\b.*\b(?:do|doing|done|say|says|said|"
    r"recommend\w*|propos\w*|plan\w*|achiev\w*)\b)",
    re.IGNORECASE,
)


def is_broad(question: str) -> bool:
    """Whether a question asks for an account (several points), not a fact or a figure."""
    return asked_for(question) is None and bool(_BROAD.search(question))


_TERMINATED = re.compile(r"""[.!?;:…]["'”’)\]]*$""")


def echoes(sentence: str, asked: set[str]) -> bool:
    """Whether a heading only repeats the question: a report's title quoted back to "What
    are the main points of “…”?" (it may add two words: "… Summary"). A full sentence that
    restates the question is kept: it answers a yes-or-no question, and on SciFact it is
    the evidence for a claim."""
    if not is_heading(sentence):
        return False
    own = {stem_key(t) for t in query_terms(sentence)}
    return bool(own) and len(own - asked) <= 2


# A line that opens with a figure and goes on to say what it counts states it, closing
# punctuation or not: "49.2 million Unintended pregnancies averted", an infographic's line.
_FIGURE_OPENING = re.compile(
    r"(?:(?i:over|more than|about|nearly|some)\s+)?[$€£]?"
    r"(?:\d{1,3}(?:,\d{3})+(?:\s*(?:%|per cent|million|billion))?"  # not "2.1 Methods"
    r"|\d+(?:\.\d+)?\s*(?:%|per cent|million|billion))\s+[^\W\d_]"
)


def is_heading(sentence: str) -> bool:
    """A title or heading (no closing punctuation) is context, rarely the answer."""
    return not _TERMINATED.search(sentence.rstrip()) and not _FIGURE_OPENING.match(sentence)


def figure_request(
    question: str, equivalents: Sequence[tuple[str, str]] = ()
) -> tuple[str | None, set[str], set[str]]:
    """What ``figure_bonus`` holds a sentence against: the kind of figure the question asks
    for (None: no figure), the figures it names itself (its numbers; for a country question
    also its countries, "the Afghan trust fund" among them, and those its acronyms name in
    ``equivalents``, the glossary pairs: "UNSMIL" names Libya), and the stems of its other
    words (what a figure should count)."""
    wanted = asked_for(question)
    question_numbers = {figure.text for figure in figures(question)}
    if wanted == COUNTRY:
        named = " ".join([question, *(f"{a}; {b}" for a, b in equivalents)])
        question_numbers |= countries_named(named, by_people=True)
    focus = {stem_key(t) for t in query_terms(question) if not t[0].isdigit()}
    return wanted, question_numbers, focus


_HOW_MANY = re.compile(r"\bhow\s+many\s+(?:of\s+(?:the|them|those|these)\s+)?(.*)", re.IGNORECASE)
_COUNT = re.compile(
    r"(?<![\w.,])(?:\d+(?:[.,]\d+)*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|"
    r"twelve|\w+teen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundreds?|"
    r"thousands?|dozens?)(?:[-\s](?:one|two|three|four|five|six|seven|eight|nine))?\b",
    re.IGNORECASE,
)


def counted_words(question: str) -> set[str]:
    """Stems of what a how-many question counts: "police officers" of "How many police
    officers and prosecutors took part …?" (its words after "how many", to the first
    function word; "and" joins a second noun); empty for other questions, and for a count
    of a group of people, which ``figures.counted_group`` checks."""
    match = _HOW_MANY.search(question)
    if not match or counted_group(question):
        return set()  # "How many of the participants were women?" counts women
    counted: set[str] = set()
    for token in tokenize(match.group(1))[:4]:
        if token == "and" and counted:
            continue
        if token in STOPWORDS or token[0].isdigit():
            break
        counted.add(stem_key(token))
    return counted


def counts_asked(sentence: str, counted: set[str], question_numbers: set[str]) -> bool:
    """Whether a number of ``sentence`` (not one of the question's own) is followed, within
    two words, by a word the question counts: "151 officers", "35 prosecutors". A year or a
    label ("In 2024 officers …", "resolution 2719 officers …") counts nothing."""
    not_counts = {f.end for f in figures(sentence) if f.kind != QUANTITY}
    for match in _COUNT.finditer(sentence):
        if match.group() in question_numbers or match.end() in not_counts:
            continue
        if _followed_by(sentence, match.end(), counted, words=2):
            return True
    return False


def _followed_by(sentence: str, end: int, stems: set[str], *, words: int) -> bool:
    """Whether one of the first ``words`` words after position ``end`` (within 40
    characters) has its stem in ``stems``: whether the number ending there counts them."""
    return any(stem_key(t) in stems for t in tokenize(sentence[end : end + 40])[:words])


def figure_bonus(sentence: str, wanted: str, question_numbers: set[str], focus: set[str]):
    """1 for a new figure of the kind asked for that counts a question word ("151
    officers"), 0.5 for any other new figure of that kind, 0 without one. A funder
    question's figure is a named funder (1), a country question's a country it does not
    name itself (1), a how-long question's a length of time, a vote question's a tally."""
    if wanted in (FUNDER, COUNTRY, DURATION, VOTE):
        return float(holds(sentence, wanted, question_numbers))
    best = 0.0
    kind = DATE if wanted == DATE else QUANTITY  # a share or a sum is a quantity too
    for figure in figures(sentence):
        if figure.kind != kind or figure.text in question_numbers:
            continue
        if _followed_by(sentence, figure.end, focus, words=3):
            return 1.0
        best = 0.5
    return best


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text``; the whole text when it has none."""
    return [(s.start, s.end) for s in split_sentences(text)] or [(0, len(text))]


# Where a question says its answer comes from ("…, according to the UN's mid-2025 world
# economic update?", "According to IOM figures cited by …, how many …?", "What does UNODC's
# report on Haiti say about …?", "… in its report on the first quarter of 2025?"): words
# that find the report, which the answering sentence seldom repeats.
_SOURCE = re.compile(
    r"(?:,\s*|\b)according\s+to\s+[^,?]+"
    r"|(?:,\s*|\b)as\s+(?:reported|stated|noted|cited)\s+(?:by|in)\s+[^,?]+"
    r"|\bin\s+(?:its|their|his|her|the)\s+(?:[\w’'-]+\s+){0,4}?(?:report|review|update|outlook)"
    r"\b[^,?]*"
    r"|^\W*what\s+(?:does|did)\s+.+?\s+(?=say\s+(?:about|on)\b)",
    re.IGNORECASE,
)


def without_source(question: str) -> tuple[str, str]:
    """(the question without the words that say where its answer comes from, those
    words): "How many …, according to UNODC?" → ("How many …?", ", according to UNODC")."""
    source = " ".join(match.group(0) for match in _SOURCE.finditer(question))
    if not source:
        return question, ""
    stripped = " ".join(_SOURCE.sub("", question).split())
    stripped = re.sub(r"^say\s+(?:about|on)\b", "What about", stripped, flags=re.IGNORECASE)
    stripped = stripped.lstrip(" ,;:").replace(" ?", "?")
    return stripped[:1].upper() + stripped[1:], source
