"""Report titles: what a staff member calls a report, read from the report itself.

A PDF's title is its metadata /Title when that names it, else the title on its cover page;
a text file's is its first line. The title is shown in every citation and embedded with
each passage, so it should be the report's own name: whole, cased as a person writes it,
and told apart from its siblings. A cover is read the way a person reads it: the organ and
agenda headings of a UN cover sheet are passed over, a title set on several lines is read
whole, and a text without a title line (a saved web page that opens with its story) is
named by its first sentence, cut where a phrase ends.
"""

from __future__ import annotations

import re
from typing import Any

from qa_assistant.chunking import split_sentences
from qa_assistant.slugs import slug_title
from qa_assistant.text_cleaning import TERMINAL_PUNCTUATION, URL_PATTERN, clean_text

__all__ = ["TITLE_MAX_CHARS", "cover_title", "metadata_title", "shorten", "text_title"]

TITLE_MAX_CHARS = 120
_SENTENCE_TITLE_CHARS = 100  # a title made from a sentence is a label: shorter still

# ------------------------------------------------------------------------------ length


def shorten(text: str, limit: int = TITLE_MAX_CHARS) -> str:
    """``text`` cut at a word to at most ``limit`` characters, with "…" when cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-") + "\u2026"


# Words that open a phrase of their own: a title may end before them ("... training courses
# | in the Gorno-Badakhshan region"). "of" is not among them: "Report | of the Committee"
# leaves no title.
_PHRASE_OPENERS = frozenset(
    "in on for from with by at under among through during within across between towards "
    "toward against concerning regarding including addressed acting that which who whose "
    "and as to".split()
)
# Words a title cannot end with: they promise a phrase that the cut would drop.
_DANGLING = frozenset(
    "the a an of to and or in on for from by with at its their his her into under between "
    "among against towards through concerning regarding including acting addressed as than "
    "such that which who whose".split()
)
_BOUNDARY = re.compile(r"\s*[:;,\u2013\u2014]\s+|\s+(?=(\w+))")


def _balanced(text: str) -> bool:
    return text.count("(") == text.count(")") and text.count("\u201c") == text.count("\u201d")


def bounded(text: str, limit: int = TITLE_MAX_CHARS) -> str:
    """``text`` if it fits in ``limit`` characters; else its longest head that ends where a
    clause or phrase ends (before a comma, a colon or a word like "in", "and", "that") and
    keeps at least half the limit, so that the title reads whole ("OSCE trains teachers in
    Tajikistan on preventing violent extremism"); else cut at a word, with "…"."""
    if len(text) <= limit:
        return text
    best = ""
    for match in _BOUNDARY.finditer(text, 0, limit + 1):
        head = text[: match.start()].rstrip()
        opener = match.group(1)
        if opener is not None and opener.lower() not in _PHRASE_OPENERS:
            continue
        last_word = head.rsplit(" ", 1)[-1].lower()
        if len(head) >= limit // 2 and last_word not in _DANGLING and _balanced(head):
            best = head
    return best.rstrip(" ,;:-\u2013\u2014") if best else shorten(text, limit)


# ------------------------------------------------------------------------------ casing

_SMALL_WORDS = frozenset(
    "a an the and or but nor of on in at to for by with from as per via".split()
)
_GARBLED = re.compile(r"(?<![A-Z])[a-z]+[A-Z]")  # "forUM", "cliMate"; not "McDonald"
_WORD_TOKEN = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)?")


def _is_upper_text(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 6 and all(c.isupper() for c in letters)


def _garbled(text: str) -> bool:
    """Whether a word's capitals stand where no writer puts them: a PDF's fonts set some
    letters as small capitals, and "United nations leadership forUM" comes out."""
    return any(
        _GARBLED.match(word) and not re.match(r"(?:Mc|Mac|O')[A-Z]", word)
        for word in text.split()
        if len(word) >= 4
    )


def _title_case(text: str, acronyms: frozenset[str]) -> str:
    """Title Case: small words lower (but the first and after a colon), an acronym the
    report writes in capitals kept ("UN"), every other word capitalised."""
    out: list[str] = []
    position = 0
    first = True
    for match in _WORD_TOKEN.finditer(text):
        between = text[position : match.start()]
        first = first or ":" in between
        word = match.group()
        if word.upper() in acronyms:
            word = word.upper()
        elif word.lower() in _SMALL_WORDS and not first:
            word = word.lower()
        else:
            word = word[:1].upper() + word[1:].lower()
        out += [between, word]
        position = match.end()
        first = False
    out.append(text[position:])
    return "".join(out)


def _recased(title: str, page: str) -> str:
    """A title in capitals, or in garbled case, in Title Case; a title cased by its writer
    as it is. Each colon-separated part is judged alone ("THE SITUATION IN HAITI: Report
    of the Secretary-General")."""
    acronyms = frozenset(
        word
        for line in page.split("\n")
        if not _is_upper_text(line)
        for word in re.findall(r"\b[A-Z]{2,}\b", line)
    )
    if _garbled(title):
        return _title_case(title.lower(), acronyms)
    parts = title.split(": ")
    return ": ".join(
        _title_case(part, acronyms) if _is_upper_text(part) else part for part in parts
    )


# ------------------------------------------------------------------------------ metadata

_FILE_NAME = re.compile(
    r".*\.(?:pdf|docx?|rtf|odt|indd|qxd|txt|pptx?|xlsx?|tex|dvi|ps|html?)", re.IGNORECASE
)
_PLACEHOLDER_TITLES = frozenset(
    {"untitled", "title", "document", "none", "null", "unknown", "microsoft word", "slide"}
)
# A title that names only the kind of document says nothing of which one it is.
_GENERIC_TITLE = re.compile(
    r"(?:(?:annual|biennial|final|progress|interim|information|meeting|summary)\s+)?"
    r"(?:report|note|letter|brief|review|summary|document|presentation|publication)s?",
    re.IGNORECASE,
)


def metadata_title(value: Any, stem: str) -> str:
    """The PDF's /Title when it names the document (not a file name, a placeholder or a
    bare kind of document such as "ANNUAL REPORT")."""
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError:
            value = value.decode("cp1252", errors="replace")
    if not isinstance(value, str):
        return ""
    title = clean_text(value).replace("\n", " ")
    title = re.sub(r"^Microsoft (?:Word|PowerPoint|Excel) - ", "", title)
    title = re.sub(r"\.(?:docx?|pptx?|xlsx?|rtf|odt|pdf)$", "", title, flags=re.IGNORECASE)
    words = title.split()
    simple = title.lower().rstrip("0123456789 ")
    if (
        not any(c.isalpha() for c in title)
        or simple in _PLACEHOLDER_TITLES
        or _GENERIC_TITLE.fullmatch(title.strip())
        or _FILE_NAME.fullmatch(title)
        or re.sub(r"[\W_]+", "", title.lower()) in re.sub(r"[\W_]+", "", stem.lower())
        or (len(words) < 2 and title.isascii())
        or any("/" in word and any(c.isdigit() for c in word) for word in words)
    ):
        return ""
    return bounded(_recased(title, "") if _garbled(title) else title)


# ------------------------------------------------------------------------------ covers

_TITLE_WORD = re.compile(r"\W*[^\W\d_]{2,}(?:[-'\u2019][^\W\d_]+)*\W*")

# Cover-sheet lines of UN documents that name the organ or the session, not the report.
_COVER_BOILERPLATE = re.compile(
    r"(?:provisional agenda|agenda item|item \d|distr\b|original:|general assembly|"
    r"security council|economic and social council|executive board|[\w-]+ session\b)",
    re.IGNORECASE,
)
# "Agenda item 36", "Item 72 (b) of the provisional agenda*": the line after it names the
# agenda item ("The situation in Afghanistan"), which many reports share; the report's own
# title follows it.
_AGENDA_ITEM = re.compile(r"(?:agenda item \d|item \d.*\bagenda\b)", re.IGNORECASE)
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
# "2 to 5 June 2025, New York", "New York, 10–21 March 2025": when and where, not what.
_DATE_LINE = re.compile(
    rf"(?:[A-Z][\w .]{{0,30}},\s*)?"  # a place first: "New York, "
    rf"\(?\d{{1,2}}(?:\s*(?:to|and|-|\u2013)\s*\d{{1,2}})?\s+(?:{_MONTHS})\b",
    re.I,
)
_COVER_LINE_CHARS = 60  # a cover sets its title large: a line of it holds a few words
_COVER_TITLE_LINES = 6
_BODY_LINE_CHARS = 100  # a longer line that ends a sentence is the report's text
_SECTION_HEADING = re.compile(
    r"(?:(?:[IVXLC]{1,5}|\d{1,2}|[A-Z])\.\s|"
    r"(?:summary|contents|table of contents|introduction|abstract|foreword|preface)\b)",
    re.IGNORECASE,
)
_REPORT_KIND = re.compile(r"(?:annual |biennial |final )?(?:report|note|letter)\b", re.IGNORECASE)
_FOOTNOTE_MARKS = re.compile(r"\*+$")
_SENTENCE_STOP = re.compile(r"[.!][)\"'\u2019\u201d]*$")


def _is_title_line(line: str) -> bool:
    tokens = line.split()
    words = [t for t in tokens if _TITLE_WORD.fullmatch(t)]
    return (
        len(words) >= 3
        and len(words) >= 0.6 * len(tokens)
        and not URL_PATTERN.search(line)
        and not any("/" in t and any(c.isdigit() for c in t) for t in tokens)
        and not _DATE_LINE.match(line)
    )


def _is_sentence(line: str) -> bool:
    """Whether a line ends as a sentence does (a title ends without a full stop)."""
    return bool(_SENTENCE_STOP.search(line))


def _ends_mid_phrase(text: str) -> bool:
    """Whether a cover line stops where no title stops: on "of the", a comma, a hyphen."""
    last = text.rsplit(" ", 1)[-1]
    return last.lower() in _DANGLING or text.endswith((",", "-", "\u2013", "&"))


def _joins(previous: str, following: str) -> str | None:
    """How ``following`` carries on the title block that ends with ``previous``: the text
    to append, or None where the block ends."""
    if not following:
        return None
    if _ends_mid_phrase(previous):
        return f" {following}"  # "... from the President of the / Security Council acting"
    if following[:1].islower():
        return f" {following}"  # "... of the UNDP / gender equality strategy in 2024"
    if TERMINAL_PUNCTUATION.search(previous) or _SECTION_HEADING.match(following):
        return None
    if _REPORT_KIND.match(following) and not _is_sentence(following):
        return f": {following}"  # "Support Mission in Libya / Report of the Secretary-General"
    if (
        len(previous) > _COVER_LINE_CHARS
        or len(following) > _COVER_LINE_CHARS
        or _COVER_BOILERPLATE.match(following)
        or not following[:1].isalpha()
    ):
        return None
    if _is_upper_text(previous) != _is_upper_text(following):
        return f": {following}"  # "UNITED NATIONS POPULATION FUND / Progress in ..."
    return f" {following}"


def _block(lines: list[str], start: int, item_name: bool = False) -> tuple[str, int]:
    """The title block that starts at ``lines[start]``, and the index after it. The name
    of an agenda item is one line, carried on only where it stops mid-phrase."""
    text = lines[start]
    end = start + 1
    while end < len(lines) and end < start + _COVER_TITLE_LINES:
        joined = _joins(lines[end - 1], lines[end])
        if joined is None or (item_name and joined.startswith(":")):
            break
        if item_name and not (_ends_mid_phrase(lines[end - 1]) or lines[end][:1].islower()):
            break
        text += joined
        end += 1
    return text, end


_SESSION = re.compile(r"[\w-]+ session\b", re.IGNORECASE)


def _names_organ(line: str, following: list[str]) -> bool:
    """Whether ``line`` names the body that meets in the session the next line names
    ("Commission on the Status of Women / Sixty-ninth session"); a report of that body
    says so ("Report of the Committee against Torture / Eightieth session")."""
    return bool(following) and bool(_SESSION.match(following[0])) and not _REPORT_KIND.match(line)


def _is_title_case(line: str) -> bool:
    words = [w for w in line.split() if len(w) >= 4 and w[:1].isalpha()]
    return bool(words) and all(w[:1].isupper() for w in words)


def cover_title(page: str) -> str:
    """The title on a cover page (the first page's cleaned text), or "".

    Organ and session lines, and the name of the agenda item, are passed over; the lines
    that carry a title on are read with it ("Spotlight on the / Global Education / Thematic
    Fund 2024"; "United Nations Support Mission in Libya / Report of the Secretary-General",
    joined with a colon). Where the page opens with its text, a heading set in Title Case
    further down names it ("Outcomes Funds for Education"), else its first sentence does.
    """
    lines = [_FOOTNOTE_MARKS.sub("", line).rstrip() for line in page.split("\n")]
    item_name = fallback = first_sentence = ""
    in_body = False
    i = 0
    while i < len(lines):
        line = lines[i]
        if _is_sentence(line):
            first_sentence = first_sentence or (line if _is_title_line(line) else "")
            in_body = in_body or len(line) > _BODY_LINE_CHARS
            i += 1
            continue
        if _AGENDA_ITEM.match(line) and i + 1 < len(lines):
            name, i = _block(lines, i + 1, item_name=True)
            item_name = name if _is_title_line(name) else ""
            fallback = fallback or item_name
            continue
        if _COVER_BOILERPLATE.match(line) or _names_organ(line, lines[i + 1 : i + 2]):
            # "Executive Board of the / United Nations Development / Programme ...": a
            # heading that stops mid-phrase goes on over the lines that carry it on.
            i = _block(lines, i)[1] if _ends_mid_phrase(line) else i + 1
            continue
        if not _is_title_line(line):
            i += 1
            continue
        title, i = _block(lines, i)
        if item_name and _REPORT_KIND.match(title) and len(title) <= _COVER_LINE_CHARS:
            return bounded(_recased(f"{item_name}: {title}", page))  # the item names it
        item_name = ""
        if in_body and (fallback or not (_is_title_case(line) or _is_upper_text(line))):
            continue
        if in_body and (len(line) > _COVER_LINE_CHARS or _SECTION_HEADING.match(line)):
            continue
        return bounded(_recased(title, page))
    if fallback:
        return bounded(_recased(fallback, page))
    return sentence_title(first_sentence) if first_sentence else ""


# ------------------------------------------------------------------------------ sentences

# "Between 11 September and 4 October 2024, ": when the story happened, not what it is.
_DATE_LEAD = re.compile(
    rf"(?:on|in|between|from|during|since|until|by|at the end of)\s[^,]{{0,60}}?"
    rf"\b(?:\d{{4}}|{_MONTHS})\b[^,]{{0,30}},\s+",
    re.IGNORECASE,
)
# "The Office, in co-operation with the Academy of ..., concluded": who helped, set apart.
_PARTNER_ASIDE = re.compile(
    r",?\s+(?:in co-?operation|in partnership|together|jointly)\s+with\s[^,]{0,150},\s+(?=[a-z])",
    re.IGNORECASE,
)


def sentence_title(text: str) -> str:
    """A title made from a text's first sentence, for a text that has no title line: the
    sentence without a leading date ("Between ... 2024, ") or a partner set apart by
    commas, ending where a phrase ends within ``_SENTENCE_TITLE_CHARS``."""
    spans = split_sentences(text)  # the chunker's splitter: it knows the abbreviations
    sentence = text[spans[0].start : spans[0].end].rstrip(".!?") if spans else text
    lead = _DATE_LEAD.match(sentence)
    if lead and sentence[lead.end() :][:1].isalpha():
        rest = sentence[lead.end() :]
        sentence = rest[:1].upper() + rest[1:]
    sentence = _PARTNER_ASIDE.sub(" ", sentence, count=1)
    return bounded(sentence.strip(), _SENTENCE_TITLE_CHARS)


# ------------------------------------------------------------------------------ text files

_DATE_FIELD = re.compile(r"^(?:[A-Za-z]+:?\s+)?\d{4}-\d{2}-\d{2}\s+")


def text_title(text: str, markdown: bool) -> str:
    """The first line of a text file that is not a web address ('#' stripped for Markdown),
    without a leading date field ("date 2024-10-07 …" of a saved web page). A first line
    that is a paragraph, not a title, is named by the headline its address above spells,
    else by its first sentence."""
    address = ""
    for raw_line in text.splitlines():
        line = _DATE_FIELD.sub("", clean_text(raw_line), count=1)
        if markdown:
            if line.startswith("<!--"):  # an HTML comment is a note to editors, not a title
                continue
            line = line.lstrip("#").strip()
        if URL_PATTERN.fullmatch(line):
            address = line
        elif line and any(c.isalnum() for c in line):
            if _is_sentence(line) and len(line) > _BODY_LINE_CHARS:
                return bounded(slug_title(address, text)) or sentence_title(line)
            return bounded(line)
    return ""
