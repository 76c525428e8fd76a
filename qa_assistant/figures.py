"""What a question asks for (a quantity, a date) and which figures a sentence holds.

"How many complaints were pending in May 2025?" wants a quantity: "135 complaints" answers
it, while the "2" of "As at 2 May 2025" is part of a date and the "1244" of "resolution
1244 (1999)" names a document. A date question ("In what year did the office open?") is
answered by a year or a day and month, not by a count. "How many of them were women?" is
answered by a count of women ("7 women and 13 men"), not by the total, and "Who funded the
workshop?" by a sentence that names a funder ("funded by the Government of Norway"), "Which
country …?" by one that names a country. A table's numbers are sums of money when its
heading states the currency ("Amount (US$)" above "Norway 4,678,581"). The reranker favours
sentences holding what is asked for, and an answer without it is no answer.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from .countries import countries_named
from .groups import ASKED_GROUP, SMALL_COUNTS, counts_group
from .report_dates import MONTH_NAME

QUANTITY = "quantity"
SHARE = "share"  # a quantity that is a percentage or a fraction
MONEY = "money"  # a quantity that is an amount of money
DATE = "date"
LABEL = "label"
FUNDER = "funder"  # who paid: "funded by …", "with financial support from …"
DURATION = "duration"  # how long: "137 years", "27.56 months", "a three-day course"
VOTE = "vote"  # how a body voted: "by 49 votes to none", "by consensus"
COUNTRY = "country"  # "Which country …?": a country named ("Nepal", "the Russian Federation")

# The question word opens the question or the clause after a fronted phrase ("In Haiti in
# 1997, how long could …?", "Out of all the complaints …, in how many did …?"), or comes
# after a preposition ("Across how many police regions …?"). "What about the official
# rate?" swaps a thing of the earlier question, and asks for no figure of its own.
_ASKS_QUANTITY = re.compile(
    r"(?:^\W*|,\s+)(?:and\s+|but\s+|so\s+)?"
    r"(?:(?:in|of|for|across|among|to|from|on|at|with|within|into|between|under|over|by)\s+)?"
    r"(?:roughly\s+|approximately\s+|about\s+|around\s+)?"
    r"(?:how\s+(?:many|much|large|long|often|big|high|low|far|old)|"
    r"by\s+how\s+much|"
    r"what\s+(?!about\b)(?:was\s+|were\s+|is\s+|are\s+)?(?:the\s+)?(?:[\w'’-]+\s+){0,3}?"
    r"(?:proportion|fraction|share|percentage|per\s*cent|number|amount|size|rate|budget|cost|"
    r"turnout|figure|value|sum|total|count|level)\b)",
    re.IGNORECASE,
)
_ASKS_DATE = re.compile(  # only at the start: ", when asked …" is no date question
    r"^\W*(?:and\s+|but\s+|so\s+)?(?:(?:where\s+and\s+)?when\b|since\s+when\b|"
    r"in\s+(?:what|which)\s+year\b|"
    r"(?:what|which)\s+(?:year|date|month|day)\b|on\s+what\s+date\b|by\s+when\b)",
    re.IGNORECASE,
)

# "When UN staff do report racism, who do they go to?": a clause that opens with "When" and
# a question after it is no question for a date.
_WHEN_CLAUSE = re.compile(
    r"^\W*when\b[^?]*?,\s+(?:who|whom|what|which|where|why|how)\b", re.IGNORECASE
)
# "How much notice …?", "How much time …?", "How much longer …?" ask for a length of time.
_TIME_AFTER_MUCH = re.compile(r"\s+(?:more\s+)?(?:time|notice|longer|warning)\b", re.IGNORECASE)

_ASKS_FUNDER = re.compile(
    r"^\W*(?:and\s+|but\s+|so\s+)?(?:"
    r"(?:who|which\s+[\w'’-]+(?:\s+[\w'’-]+)?)\s+(?:\w+\s+)?"
    r"(?:funded|funds|financed|finances|sponsored|sponsors|paid\s+for|pays\s+for|"
    r"(?:have\s+to\s+)?pay\s+for|donated|provided\s+(?:the\s+)?(?:funding|"
    r"financing|funds|money|(?:voluntary\s+)?contributions?))\b"
    r"|which\s+donors?\b|who\s+(?:was|were|is|are)\s+the\s+(?:donors?|funders?|sponsors?)\b"
    r"|where\s+did\s+(?:the\s+)?(?:funding|money|funds)\s+come\s+from\b)",
    re.IGNORECASE,
)
# "By what vote …?", "How did the vote go?", "What was the vote on …?", "By how many votes
# …?": the answer is a tally or a decision without one.
_ASKS_VOTE = re.compile(
    r"\b(?:by\s+what\s+(?:\w+\s+)?vote|how\s+did\s+the\s+vote\s+go|"
    r"what\s+was\s+the\s+(?:\w+\s+)?vote\b(?!\w)(?!\s+share)|"
    r"what\s+was\s+the\s+(?:result|outcome)\s+of\s+the\s+(?:\w+\s+)?vote|"
    r"by\s+how\s+many\s+votes)",
    re.IGNORECASE,
)
# A period from one date to another answers "How long …?": "from 10 to 14 March 2025",
# "between 5 October and 30 November 2023", "from 5 December 2024 to 4 April 2025".
_PERIOD = re.compile(
    rf"\b(?:from|between)\s+\d{{1,2}}(?:\s+{MONTH_NAME})?(?:\s+\d{{4}})?\s+(?:to|and|until)\s+"
    rf"\d{{1,2}}\s+{MONTH_NAME}\b",
    re.IGNORECASE,
)
_TALLY = re.compile(  # "48 votes to none", "by a vote of 49 to 2", "25 against to 12 in favour"
    r"(?<![\w.,/])\d{1,3}\s+(?:votes?|voted)\b|\bvote\s+of\s+\d{1,3}\b"
    r"|(?<![\w.,/])\d{1,3}\s+(?:in\s+favour|against)\b"
    r"|\bby\s+consensus\b|\bwithout\s+a\s+vote\b|\bunanimous(?:ly)?\b|\bby\s+acclamation\b",
    re.IGNORECASE,
)
# "How long …?" asks for a length of time, or of a canal or a border ("22 km").
_TIME_UNIT = (
    r"(?:years?|months?|weeks?|days?|hours?|minutes?|decades?|centur(?:y|ies)|"
    r"km|kilomet(?:re|er)s?|met(?:re|er)s?|miles?|pages?)"
)
_DURATION = re.compile(
    r"(?<![\w.,])(\d+(?:[.,]\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|"
    r"eleven|twelve|\w+teen|twenty|thirty|forty|fifty|sixty|several|few)"
    rf"(?:[\s-]+(?:and\s+a\s+half\s+|full\s+|working\s+|calendar\s+)?){_TIME_UNIT}\b",
    re.IGNORECASE,
)
# "Which country …?", "In which countries …?", "What Member States …?" (not "Which country's
# delegate …?": that asks for the delegate).
_ASKS_COUNTRY = re.compile(
    r"(?:^\W*|,\s+)(?:and\s+|but\s+|so\s+)?(?:(?:in|from|to|of|for|by|with|between|among)\s+)?"
    r"(?:which|what)\s+(?:other\s+)?(?:countr(?:y|ies)|nations?|member\s+states?)\b(?!['’])",
    re.IGNORECASE,
)
# Names a funder: "funded by the Government of Norway", "with financial support from
# Germany", "contributions from the European Union", "a donation by UNICEF", "US-funded".
_NAMES_FUNDER = re.compile(
    r"\b(?:funded|financed|sponsored|co-funded|donated|paid\s+for|(?:financial|financing|"
    r"funding|donor)\s+support|funding|financing|funds|grants?|contributions?|donations?|"
    r"support(?:ed)?)\s+(?:was\s+provided\s+)?(?:by|from|of)\s+(?:the\s+)?[A-Z]"
    r"|\b[A-Z][\w.-]*[-\s](?:funded|financed|sponsored)\b"
    r"|\bdonors?\s+(?:include|including|were|are|such\s+as)\b"
    r"|\bthanks\s+to\s+(?:the\s+)?(?:generous\s+)?(?:support|contributions?|funding)\b",
)
_SHARE_WORDS = re.compile(r"proportion|fraction|share|percentage|per\s*cent|turnout|rate")
_MONEY_ASKED = re.compile(r"budget|cost|price|salary|revenue|expenditure|dollars?|euros?|money")
_MONEY_WORDS = re.compile(
    r"\b(?:budget|costs?|fund(?:s|ed|ing)?|spen[dt]|spending|contribut\w*|donat\w*|paid|pay|"
    r"money|dollars|euros|expenditure|revenue|income|salar\w*|price|financ\w*|invest\w*|"
    r"mobili[sz]\w*|raised?|grants?|allocat\w*|appropriat\w*)\b",
    re.IGNORECASE,
)
_SHARE = re.compile(r"(\d+(?:[.,]\d+)*)\s*(?:%|per\s*cent\b|percent\b)", re.IGNORECASE)
_SHARE_IN_WORDS = re.compile(
    r"\b(?:half|one[-\s]in[-\s]\w+|(?:one|two|three|a)[-\s](?:thirds?|quarters?|fifths?)|"
    r"majority|minority)\b",
    re.IGNORECASE,
)
_MONEY = re.compile(
    r"(?:US\$|\$|€|£|USD|EUR|CHF|GBP)\s?(\d+(?:[.,]\d+)*)"
    r"|(\d+(?:[.,]\d+)*)\s*(?:million|billion|thousand)?\s*(?:dollars|euros|francs|pounds|"
    r"USD|EUR|CHF|GBP)\b"
    r"|(\d+(?:[.,]\d+)*)\s+(?:million|billion)\b",
    re.IGNORECASE,
)
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*(?![\w])")
_DAY_MONTH = re.compile(rf"^\s+{_MONTH}\b", re.IGNORECASE)
_MONTH_DAY = re.compile(rf"\b{_MONTH}\s+$", re.IGNORECASE)
# The first day of a range: "5 and 6 November", "5 to 19 January", "5-6 November".
_DAY_RANGE = re.compile(rf"^\s*(?:and|to|-|–|—)\s*\d{{1,2}}\s+{_MONTH}\b", re.IGNORECASE)
# A table's currency, stated once for a column or the whole table: "Amount (US$)",
# "(thousands of $)", "(in US$ thousands)", "(Billions of United States dollars)", "(€)", or
# a heading line that ends in its code ("Contribution EUR").
_AMOUNTS = r"(?:thousands?|millions?|billions?)"
_CURRENCY_NOTE = re.compile(
    rf"\(\s*(?:in\s+)?(?:{_AMOUNTS}\s+of\s+)?(?:US\s?\$|\$|€|£|USD|EUR|CHF|GBP|"
    r"(?:United\s+States\s+|US\s+|U\.S\.\s+)?dollars|euros|Swiss\s+francs)"
    rf"(?:\s+{_AMOUNTS})?\s*\)"
    rf"|\bin\s+{_AMOUNTS}\s+of\s+(?:United\s+States\s+|US\s+)?(?:dollars|euros)\b"
    r"|(?<=\s)(?:US\$|USD|EUR|CHF|€)[ \t]*(?=\n|$)",
    re.IGNORECASE,
)
_ROW_CHARS = 80  # a line of a table: a prose paragraph after it ends the table
# … or a longer line of names and sums, two rows run together: "Italian Committee for UNICEF
# – Foundation Onlus 458,837 Norwegian Committee for UNICEF 222,036" (no sentence ends in it).
_ROWS = re.compile(r"^[^.!?]*\d\s*$")
# A number that names rather than counts: "resolution 2719", "article 5", "page 12"; and
# one inside a document symbol or decision number ("S/2008/692", "decision 2015/2").
_NAMING_WORD = re.compile(
    r"\b(?:resolutions?|decisions?|articles?|arts?\.|paragraphs?|paras?\.|no\.|nos\.|numbers?|"
    r"pages?|pp?\.|chapters?|sections?|annex(?:es)?|tables?|figures?|fig\.|goals?|targets?|"
    r"rules?|sessions?|documents?|items?|phases?|levels?|grades?|volumes?|vol\.|class|"
    r"protocols?|conventions?|regulations?|laws?|codes?|sdg|sdgs|box|step|part|principle)"
    r"\s+$",
    re.IGNORECASE,
)
# Between two numbers of one label list: "31 (2)", "5 and 6", "6 or 7", "5-7" (not a
# comma: "under article 5, 19 States …").
_LABEL_GOES_ON = re.compile(r"\s*(?:\(|\)?\s*(?:and|or|to|-|–)\s*\(?)")
_NUMBER_WORDS = re.compile(
    rf"\b(?:{SMALL_COUNTS}|fifteen|twenty|"
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
    """What the answer must state: DATE for "When…?", "In what year…?"; SHARE for "What
    share / percentage / turnout…?"; MONEY for "How much did UNICEF spend…?", "What was the
    budget…?"; DURATION for "How long…?"; VOTE for "By what vote…?", "How did the vote
    go?"; QUANTITY for any other "How many / how much…?"; FUNDER for "Who funded…?",
    "Which donors…?"; COUNTRY for "Which country…?" (unless it asks for a figure too: "…, and
    how much did it give?"); None for other questions."""
    if _ASKS_FUNDER.search(question):
        return FUNDER
    if _ASKS_VOTE.search(question):  # "When the United States …, how did the vote go?"
        return VOTE
    if _ASKS_DATE.search(question) and not _WHEN_CLAUSE.search(question):
        return DATE
    match = _ASKS_QUANTITY.search(question)
    if not match:
        return COUNTRY if _ASKS_COUNTRY.search(question) else None
    asked = match.group().lower()
    if re.search(r"how\s+long$", asked) or (
        asked.endswith("much") and _TIME_AFTER_MUCH.match(question, match.end())
    ):
        return DURATION
    if _SHARE_WORDS.search(asked):
        return SHARE
    named = asked
    if re.search(r"(?:total|amount|sum|value|figure)$", asked):
        # "the total dollar value": the words after it say what the total is of
        named = " ".join([asked, *question[match.end() :].lower().split()[:3]])
    if not asked.rstrip().endswith("many") and (
        _MONEY_ASKED.search(named) or "much" in asked and _MONEY_WORDS.search(question)
    ):
        return MONEY
    return QUANTITY


def counted_group(question: str) -> str | None:
    """The group a how-many or what-share question counts: "women" for "How many of them
    were women?" (a total of participants does not answer it); None for other questions."""
    if asked_for(question) not in (QUANTITY, SHARE):
        return None
    match = ASKED_GROUP.search(question)
    if not match:
        return None
    return (match.group("a") or match.group("b")).lower()


def figures(sentence: str) -> list[Figure]:
    """The numbers of ``sentence``, each typed: part of a date, a label, or a quantity."""
    found = []
    iso_dates = [m.span() for m in _ISO_DATE.finditer(sentence)]
    for match in _NUMBER.finditer(sentence):
        text, before, after = match.group(), sentence[: match.start()], sentence[match.end() :]
        digits = text.replace(",", "").replace(".", "")
        in_iso_date = any(a <= match.start() < b for a, b in iso_dates)
        if before.endswith("/") or after.startswith("/") or _NAMING_WORD.search(before):
            kind = LABEL  # "S/2008/692", "resolution 2009 (2011)"
        elif (
            found
            and found[-1].kind == LABEL
            and not _YEAR.match(text)
            and _LABEL_GOES_ON.fullmatch(sentence[found[-1].end : match.start()])
        ):
            kind = LABEL  # "rules 31 (2) and 34 (1)", "articles 5 and 6"
        elif in_iso_date or _YEAR.match(text) or _DAY_MONTH.match(after) and len(digits) <= 2:
            kind = DATE
        elif (_MONTH_DAY.search(before) or _DAY_RANGE.match(after)) and len(digits) <= 2:
            kind = DATE
        else:
            kind = QUANTITY
        found.append(Figure(text, kind, match.end()))
    return found


def years(text: str) -> set[str]:
    """The years a text names: "in 2024", "2024-2025", "31 July 2024"."""
    return {f.text for f in figures(text) if f.kind == DATE and _YEAR.match(f.text)}


_COMPARED = re.compile(
    r"\b(?:than|compared\s+(?:with|to)|(?:up|down)\s+from|"
    r"versus|vs\.)\s",
    re.IGNORECASE,
)


# A year that says no more than where a period starts ("… since the programme's inception
# early in 1995") or names a thing ("the 1994 genocide against the Tutsi", "the 2030 Agenda").
_REFERENCE_YEAR = re.compile(
    r"\bsince\b[^.,;]{0,40}?\b((?:19|20)\d\d)\b"
    r"|\bthe\s+((?:19|20)\d\d)\b(?!\s*(?:[,.;:)]|and\b|to\b|-))",
    re.IGNORECASE,
)


def compared_years(text: str) -> set[str]:
    """The years a text names only to compare with: those after "than", "compared with",
    "up from" ("46.54 per cent, slightly lower than in February 2021 (48.78 per cent)"), or
    to date a start or a name ("since … 1995", "the 1994 genocide")."""
    named = {a or b for a, b in _REFERENCE_YEAR.findall(text)}
    match = _COMPARED.search(text)
    if not match:
        return named
    return named | (years(text[match.end() :]) - years(text[: match.start()]))


def holds(
    sentence: str,
    kind: str,
    exclude: Collection[str] = (),
    *,
    group: bool | str = False,
    context: str = "",
) -> bool:
    """Whether ``sentence`` states a figure of ``kind`` other than those in ``exclude``
    (the question's own numbers, and for COUNTRY its countries). A quantity may be in words
    ("two thirds", "eight"). With ``group``, the figure must count women, men, girls, boys or
    children ("41 women", "women (45 per cent)"): the group named (``counted_group``'s
    word), or its other half, or with ``True`` any of them. A FUNDER is held by a sentence
    that names who paid, a COUNTRY by one that names a country, a DURATION by a length of
    time ("137 years", "a three-day course"), a VOTE by a tally ("by 49 votes to none", "25
    against to 12 in favour") or a decision without one ("by consensus"). ``context``: the
    passage's text before the sentence, where a table states the currency of the sums its
    rows give."""
    if kind == FUNDER:
        return bool(_NAMES_FUNDER.search(sentence))
    if kind == COUNTRY:
        return bool(countries_named(sentence) - set(exclude))
    if kind == VOTE:
        return bool(_TALLY.search(sentence))
    if kind == DURATION:  # a length of time, not how often ("every three months")
        return bool(_PERIOD.search(sentence)) or any(
            m.group(1) not in exclude
            and not re.search(r"\b(?:every|each)\s+$", sentence[: m.start()], re.IGNORECASE)
            for m in _DURATION.finditer(sentence)
        )
    if group and not counts_group(sentence, group):
        return False
    if kind == SHARE:
        return any(m.group(1) not in exclude for m in _SHARE.finditer(sentence)) or bool(
            _SHARE_IN_WORDS.search(sentence)
        )
    if kind == MONEY:
        return any(
            (m.group(1) or m.group(2) or m.group(3)) not in exclude
            for m in _MONEY.finditer(sentence)
        ) or any(sum_ not in exclude for sum_ in tabled_sums(sentence, context))
    if any(f.kind == kind and f.text not in exclude for f in figures(sentence)):
        return True
    if kind == QUANTITY:
        return bool(_NUMBER_WORDS.search(sentence))
    return bool(_ISO_DATE.search(sentence))


def tabled_sums(sentence: str, context: str) -> list[str]:
    """The numbers of ``sentence`` that are sums of money because the table they stand in
    states its currency above them, in ``context`` (the text before the sentence) or the
    sentence itself: "Norway 4,678,581" below "Sector Donor Amount (US$)". pypdf gives
    each row as a line; a line longer than a row (a paragraph) between the heading and the
    number ends the table. A year or a label is never a sum."""
    text = f"{context}{sentence}"
    notes = list(_CURRENCY_NOTE.finditer(text))
    if not notes:
        return []
    sums = []
    for figure in figures(sentence):
        start = len(context) + figure.end - len(figure.text)
        note = next((n for n in reversed(notes) if n.end() <= start), None)
        if figure.kind != QUANTITY or note is None:
            continue
        heading_ends = text.find("\n", note.end())
        if heading_ends == -1 or start < heading_ends:
            sums.append(figure.text)  # on the heading's own line: "(thousands of $) 4 995"
            continue
        row_ends = text.find("\n", start)
        rows = text[heading_ends + 1 : len(text) if row_ends == -1 else row_ends]
        if all(len(row) <= _ROW_CHARS or _ROWS.match(row) for row in rows.split("\n")):
            sums.append(figure.text)
    return sums
