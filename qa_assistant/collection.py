"""Questions about the collection rather than what its reports say.

A newcomer's first questions are often about the assistant itself: "What reports do you
have?", "What can I ask?", "Which reports mention OMIK?". Searched like any other question,
they get a stray passage; they are answered here instead, from the index's own record: the
reports it holds (newest first, each cited by its first page) with starter questions, or the
reports whose text names the topic (each cited by the passage that names it best). The
assistant recognises them (``collection_question``) and calls ``overview_answer`` (with
``starter_questions``) or ``topic_answer``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .glossary import find_definitions, is_name
from .lexical import fts_query, one_line, query_terms, stem_key, tokenize
from .report_dates import own_title
from .sentences import sentence_spans
from .store import Store
from .types import Answer, Citation, DocumentInfo, GlossaryEntry, PassageRow

OVERVIEW = "overview"  # what the collection holds, and what to ask
TOPIC = "topic"  # which reports mention a topic
ACRONYM = "acronym"  # what an acronym stands for

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


# "What does OMIK stand for?", "What does the acronym VERLT mean?", "What is POiD short
# for?", "What is the full name of UNODC?"; not "What does the OSCE mean by security?"
_STANDS_FOR = re.compile(
    r"^\W*(?:and\s+)?(?:"
    r"what\s+(?:does|do|did)\s+(?:the\s+(?:acronym|abbreviation)\s+)?(?P<a>[^\s?]+)\s+"
    r"(?:stand\s+for|mean|refer\s+to)"
    r"|what(?:'s|’s|\s+is)\s+(?P<b>[^\s?]+)\s+(?:short\s+for|an?\s+(?:acronym|abbreviation)\s+for)"
    r"|what(?:'s|’s|\s+is)\s+the\s+(?:full\s+(?:name|form)|long\s+form)\s+of\s+(?:the\s+)?"
    r"(?P<c>[^\s?]+))[\s?.!]*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class CollectionQuestion:
    """What a question about the collection asks: an overview, or the reports on a topic."""

    kind: str  # OVERVIEW, TOPIC or ACRONYM
    topic: str = ""  # the topic, or the acronym asked about


def collection_question(question: str) -> CollectionQuestion | None:
    """The collection question ``question`` is, or None for a question about the content."""
    if _OVERVIEW.match(question):
        return CollectionQuestion(OVERVIEW)
    match = _TOPIC.match(question)
    if match:
        return CollectionQuestion(TOPIC, match.group("topic").strip(" \"'“”‘’"))
    match = _STANDS_FOR.match(question)
    if match:
        word = match.group("a") or match.group("b") or match.group("c")
        return CollectionQuestion(ACRONYM, word.strip("\"'“”‘’").removesuffix("'s"))
    return None


def definition_answer(
    store: Store,
    question: str,
    entry: GlossaryEntry,
    top_k: int,
    document_ids: Sequence[int] | None = None,
) -> Answer | None:
    """What ``entry``'s acronym stands for, as the glossary has it, each report that defines
    it (up to ``top_k``, those in ``document_ids`` first) cited where it does, the definition
    highlighted: the reports' own answer, not a passage that only uses the acronym. None when
    no passage holds the definition whole (it ran across two). Confidence 1."""
    defining = store.document_ids(list(entry.documents))
    if document_ids is not None:  # the reports chosen first; the meaning is the same
        defining.sort(key=lambda i: i not in document_ids)
    match = fts_query(query_terms(f"{entry.acronym} {entry.expansion}"), "AND")
    hits = store.lexical_search(match, 200, defining)
    rows = store.passages([pid for pid, _ in hits])
    pair = (entry.acronym, entry.expansion.lower())
    best: dict[int, tuple[PassageRow, float]] = {}
    for pid, score in hits:
        row = rows[pid]
        if row.document_id not in best and pair in {
            (acronym, long_form.lower()) for acronym, long_form in find_definitions(row.text)
        }:
            best[row.document_id] = (row, score)
    ordered = [best[i] for i in defining if i in best][:top_k]
    if not ordered:
        return None
    citations = []
    for n, (row, score) in enumerate(ordered, start=1):
        words = r"\s+".join(map(re.escape, entry.expansion.split()))
        found = re.search(words, row.text, re.IGNORECASE)
        at = found.start() if found else 0
        span = next((s for s in sentence_spans(row.text) if s[0] <= at < s[1]), (0, 0))
        citations.append(Citation.of(n, row, span, score))
    markers = " ".join(f"[{c.n}]" for c in citations)
    text = f"{entry.acronym} stands for “{entry.expansion}”. {markers}"
    return Answer(question, True, text, citations, {}, 1.0)


def overview_answer(
    store: Store,
    question: str,
    documents: Sequence[DocumentInfo],
    top_k: int,
    starters: Sequence[str] = (),
) -> Answer:
    """What the collection holds (``documents``, the reports asked about): how many, from
    which years, the newest ``top_k`` each cited by its first page with its title
    highlighted, then ``starters``, questions to begin with. Confidence 1: it is the
    index's own record."""
    documents = list(documents)
    if not documents:
        return Answer(question, False, "The collection holds no reports yet.", [], {}, 0.0)
    documents.sort(key=_newest_first(store))
    opening = store.opening_passages()
    shown = [d for d in documents if d.path in opening][:top_k]
    rows = store.passages([opening[d.path] for d in shown])
    citations = []
    for n, document in enumerate(shown, start=1):
        row = rows[opening[document.path]]
        title = own_title(document.title)  # its cover date stands elsewhere on the page
        a = row.text.find(title) if title else -1
        b = a + len(title)
        if a < 0:  # the title as the report gives it, else its first sentence
            a, b = sentence_spans(row.text)[0]
        citations.append(Citation.of(n, row, (a, b), 0.0))
    years = sorted({d.year for d in documents if d.year})
    span = f" from {years[0]} to {years[-1]}" if len(years) > 1 else ""
    listed = _listing([_cited_title(d.title or d.path, d.year) for d in shown], len(documents))
    pages = sum(d.pages for d in documents)
    text = (
        f"The collection holds {len(documents)} report{'s' if len(documents) != 1 else ''}"
        f"{span}, {pages:,} pages in all. Newest first: {listed}. Ask about what they say"
    )
    if starters:
        text += ", for example: " + " ".join(f"“{q}”" for q in starters)
    return Answer(question, True, text + ".", citations, {}, 1.0)


def starter_questions(store: Store, limit: int) -> list[str]:
    """Up to ``limit`` questions to begin with. Half ask what a body does: the named bodies
    (a long form in capitals, not "Trafficking in human beings") that most passages mention
    (an acronym that is also a common word, "WHO", is not counted), save one that more
    than two thirds of the reports name: that is who wrote them ("the United Nations (UN)" in
    UN reports), no topic to begin with. The others ask for the main points of the newest
    reports, by title."""
    bodies = []
    for entry in store.glossary():
        tokens = query_terms(entry.acronym)  # "WHO" would be counted as every "who"
        if is_name(entry.expansion) and len(tokens) == 1:
            bodies.append((-store.passage_frequency(tokens[0]), entry.acronym, entry))
    reports = store.counts()[0]
    suggestions = []
    for *_, entry in sorted(bodies):
        if len(suggestions) >= max(1, limit // 2):
            break
        naming = _reports_naming(store, (entry.acronym, entry.expansion), 100_000)
        if 3 * len(naming) <= 2 * reports:
            suggestions.append(f"What does the {entry.expansion} ({entry.acronym}) do?")
    newest = sorted(store.documents(), key=_newest_first(store))
    for document in newest:
        if len(suggestions) >= limit:
            break
        suggestions.append(f"What are the main points of “{document.title}”?")
    return suggestions[:limit]


def _reports_naming(
    store: Store, forms: Sequence[str], limit: int, document_ids: Sequence[int] | None = None
) -> dict[int, list[tuple[float, int]]]:
    """The reports whose passages name one of ``forms`` (every word of it in one passage),
    by id, each with its naming passages as (best lexical score, passage id); ``limit``:
    passages looked at per form."""
    hits: dict[int, float] = {}
    for form in forms:
        match = fts_query(query_terms(form), "AND")
        for pid, score in store.lexical_search(match, limit, document_ids):
            hits[pid] = max(score, hits.get(pid, 0.0))
    per_document: dict[int, list[tuple[float, int]]] = {}
    for pid, document_id in store.documents_of(list(hits)).items():
        per_document.setdefault(document_id, []).append((hits[pid], pid))
    return per_document


def topic_answer(
    store: Store,
    question: str,
    topic: str,
    forms: Sequence[str],
    top_k: int,
    document_ids: Sequence[int] | None = None,
) -> Answer | None:
    """The reports whose text names ``topic`` in one of its ``forms`` (every word of it in
    one passage: "OMIK" or "OSCE Mission in Kosovo"), those naming it most often first, the
    first ``top_k`` each cited where it names it best; None when no report names it.
    ``document_ids``: the reports to look in (None: all). Confidence 1."""
    per_document = _reports_naming(store, forms, 5000, document_ids)
    if not per_document:
        return None
    hits = {pid: score for found in per_document.values() for score, pid in found}
    ranked = sorted(per_document.values(), key=lambda found: (-len(found), -max(found)[0]))
    best = [max(found)[1] for found in ranked[:top_k]]
    rows = store.passages(best)
    wanted = {stem_key(t) for form in forms for t in query_terms(form)}

    def naming(row: PassageRow, span: tuple[int, int]) -> int:
        return len(wanted & {stem_key(t) for t in tokenize(row.text[span[0] : span[1]])})

    citations = []
    for n, pid in enumerate(best, start=1):
        row = rows[pid]
        # the first sentence naming it most
        span = max(sentence_spans(row.text), key=lambda span: naming(row, span))
        citations.append(Citation.of(n, row, span, hits[pid]))
    years = {d.path: d.year for d in store.documents([rows[pid].document_id for pid in best])}
    listed = _listing(
        [_cited_title(c.title or c.document, years.get(c.document)) for c in citations],
        len(ranked),
    )
    verb = "reports mention" if len(ranked) != 1 else "report mentions"
    text = f"{len(ranked)} {verb} “{topic}”: {listed}."
    return Answer(question, True, text, citations, {}, 1.0)


def _newest_first(store: Store) -> Callable[[DocumentInfo], tuple[int, int, str]]:
    """The order of the collection's listing: by year, newest first, and within a year by
    the date on the cover (reports without one after those with one), then by path."""
    issued = store.issued()

    def key(document: DocumentInfo) -> tuple[int, int, str]:
        day = issued.get(document.path)
        return (-(document.year or 0), -(day.toordinal() if day else 0), document.path)

    return key


def _listing(titles: list[str], total: int) -> str:
    """“A” [1]; “B” [2]; and 3 more: the cited reports, numbered, and how many are left."""
    listed = "; ".join(f"{title} [{n}]" for n, title in enumerate(titles, start=1))
    more = total - len(titles)
    return f"{listed}; and {more} more" if more > 0 else listed


def _cited_title(title: str, year: int | None) -> str:
    """“Title” (year), the year left out when the title gives it."""
    shown = f"“{one_line(title)}”"
    return f"{shown} ({year})" if year and str(year) not in title else shown
