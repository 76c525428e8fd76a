"""Questions about the collection rather than what its reports say.

A newcomer's first questions are often about the assistant itself: "What reports do you
have?", "What can I ask?", "Which reports mention OMIK?". Searched like any other question,
they get a stray passage; they are answered here instead, from the index's own record: the
reports it holds (newest first, each cited by its first page) with starter questions, or the
reports whose text names the topic (each cited by the passage that names it best).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OVERVIEW = "overview"  # what the collection holds, and what to ask
TOPIC = "topic"  # which reports mention a topic

_REPORTS = r"(?:reports?|documents?|publications?)"
_ABOUT = (
    r"(?:about|on|mention(?:s|ing)?|name(?:s|d)?|cover(?:s|ing)?|discuss(?:es|ing)?|"
    r"deal(?:s|ing)?\s+with|talk(?:s|ing)?\s+about|refer(?:s|ring)?\s+to|"
    r"relat(?:e|es|ing)\s+to|concern(?:s|ing)?)"
)
# "Which reports are about Kosovo?", "What documents mention ODIHR?", "List the reports on
# border management", "Which reports do you have on trafficking?"
_TOPIC = re.compile(
    r"^\W*(?:and\s+|so\s+)?"
    r"(?:(?:which|what)\s+(?:of\s+the\s+)?|(?:list|show(?:\s+me)?|find)\s+(?:all\s+)?(?:the\s+)?)"
    rf"{_REPORTS}\s+(?:(?:are|is|were|was|that|do\s+you\s+have|have\s+you\s+got|"
    rf"in\s+(?:the|this|your)\s+(?:collection|index))\s+)?{_ABOUT}\s+(?P<topic>.+?)[\s?.!]*$",
    re.IGNORECASE,
)
_OVERVIEW = re.compile(
    rf"^\W*(?:(?:which|what)\s+{_REPORTS}\s+(?:do\s+you\s+have|are\s+(?:there|indexed|"
    r"available|loaded|in\s+(?:the\s+)?(?:collection|index)))"
    r"|what(?:'s|’s|\s+is)\s+in\s+(?:the|this|your)\s+(?:collection|index)"
    r"|what\s+(?:does|do)\s+(?:the|this|your)\s+(?:collection|index|reports)\s+"
    r"(?:hold|contain|cover|include)"
    r"|what\s+can\s+(?:i|we)\s+ask(?:\s+you)?|what\s+can\s+you\s+(?:do|answer|tell\s+me)"
    r"|how\s+do\s+(?:i|we)\s+use\s+(?:this|you|the\s+assistant)"
    r"|(?:hello|hi|hey|help|good\s+(?:morning|afternoon|evening))(?:\s+there)?)"
    r"[\s?.!]*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class CollectionQuestion:
    """What a question about the collection asks: an overview, or the reports on a topic."""

    kind: str  # OVERVIEW or TOPIC
    topic: str = ""


def collection_question(question: str) -> CollectionQuestion | None:
    """The collection question ``question`` is, or None for a question about the content."""
    if _OVERVIEW.match(question):
        return CollectionQuestion(OVERVIEW)
    match = _TOPIC.match(question)
    if match:
        return CollectionQuestion(TOPIC, match.group("topic").strip(" \"'“”‘’"))
    return None
