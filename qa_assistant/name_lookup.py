"""What a question names: a body by its acronym or its long form, a report by its title.

The assistant builds one ``NameLookup`` per index generation from the glossary and the
reports' titles. With it a question's acronyms and long forms find their other forms (the
glossary pairs searched beside the question, and an answer's acronyms spelled out), and a
question that names a report by its whole title is kept to that report.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from .countries import other_country_forms
from .glossary import acronym_forms
from .lexical import fold, query_terms, stem_key, tokenize
from .spellings import Spellings, english_word
from .types import DocumentInfo, GlossaryEntry

__all__ = ["NameLookup", "named_reports", "other_forms", "report_titles"]

# "What does that acronym stand for?", "What is this abbreviation?"
_POINTED_ACRONYM = re.compile(r"\b(?:that|this|the)\s+(?:acronym|abbreviation)\b", re.I)


def _content_stems(text: str) -> frozenset[str]:
    return frozenset(stem_key(t) for t in query_terms(text))


def _names_by_its_words(words: frozenset[str], asked: frozenset[str], least: int = 3) -> bool:
    """Whether a question names a body by all the content words of its long form (``words``),
    in any order: "the women's status commission" names the "Commission on the Status of
    Women"."""
    return len(words) >= least and words <= asked


def _words(text: str) -> str:
    """Text as its words, punctuation and case aside: how a title is matched."""
    return " ".join(tokenize(text))


def report_titles(documents: Sequence[DocumentInfo]) -> dict[str, str]:
    """Reports that a question can name by title: titles of three words or more that no
    other report shares ("Report of the Secretary-General" names none), nor holds within
    its own: a title that is only a body's name ("Commission on the Status of Women", on a
    document the Commission has before it) names the body, and its own "Report of the
    Commission on the Status of Women …" is as much that body's."""
    paths: dict[str, list[str]] = {}
    for document in documents:
        title = _words(document.title)
        if len(title.split()) >= 3:
            paths.setdefault(title, []).append(document.path)
    return {
        title: found[0]
        for title, found in paths.items()
        if len(found) == 1
        and not any(f" {title} " in f" {other} " for other in paths if other != title)
    }


_QUOTED = re.compile(r"[“\"]([^”\"]+)[”\"]")


def named_reports(question: str, titles: dict[str, str]) -> list[str]:
    """Paths of the reports whose whole title the question quotes or spells out in five
    words or more: "What are the main points of “Addressing Hate Crime in Kosovo …”?"."""
    asked = f" {_words(question)} "
    quoted = {_words(q) for q in _QUOTED.findall(question)}
    return [
        path
        for title, path in titles.items()
        if f" {title} " in asked and (title in quoted or len(title.split()) >= 5)
    ]


_ORDINAL_UNITS = "first second third fourth fifth sixth seventh eighth ninth".split()
_ORDINAL_TEENS = (
    "tenth eleventh twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth "
    "nineteenth"
).split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()


def ordinal_words(number: int) -> str:
    """1–99 as the reports write a session's number: 69 → "sixty-ninth", 40 → "fortieth"."""
    if number < 10:
        return _ORDINAL_UNITS[number - 1]
    if number < 20:
        return _ORDINAL_TEENS[number - 10]
    tens, units = divmod(number, 10)
    if not units:
        return _TENS[tens - 2][:-1] + "ieth"
    return f"{_TENS[tens - 2]}-{_ORDINAL_UNITS[units - 1]}"


# A body's session by its acronym and number, as staff write it: "CSW69", "COP29", "CND68"
# (not "COP 29" nor "WASR-10": "the OSCE 57 …" and a rifle's model are no sessions).
_SESSION = re.compile(r"(?<![\w-])([A-Z][A-Za-z]*[A-Z])([1-9]\d?)(?![\w-])")


def session_forms(question: str) -> list[tuple[str, str]]:
    """(a session as the question writes it, as the reports do): "CSW69" → "sixty-ninth
    session", and "CSW sixty-ninth session" for the search."""
    pairs = []
    for match in _SESSION.finditer(question):
        body, number = match.group(1), int(match.group(2))
        session = f"{ordinal_words(number)} session"
        pairs += [(match.group(), session), (match.group(), f"{body} {session}")]
    return pairs


def other_forms(equivalents: Sequence[tuple[str, str]]) -> list[str]:
    """The glossary forms to search beside the question's own, each once, in order."""
    return list(dict.fromkeys(other for _, other in equivalents))


@dataclass(frozen=True)
class NameLookup:
    """The glossary and the report titles of one index generation, keyed for questions."""

    acronyms: dict[str, GlossaryEntry]  # folded acronym → entry
    long_forms: dict[str, GlossaryEntry]  # folded long form → entry
    name_words: dict[str, frozenset[str]]  # folded long form → its content words' stems
    titles: dict[str, str]  # a report's folded title (one report's only) → its path
    spellings: Spellings | None = None  # the passages' words, for names spelled otherwise

    @classmethod
    def build(
        cls,
        glossary: Sequence[GlossaryEntry],
        documents: Sequence[DocumentInfo],
        spellings: Spellings | None = None,
    ) -> NameLookup:
        """The lookup of an index's glossary entries and indexed reports. An acronym is
        also known by its plural or singular ("NRM" finds the "NRMs" a report defines),
        unless a report defines that form itself."""
        acronyms = {fold(e.acronym): e for e in glossary}
        for entry in glossary:
            for form in acronym_forms(entry.acronym)[1:]:
                acronyms.setdefault(fold(form), entry)
        return cls(
            acronyms=acronyms,
            long_forms={fold(e.expansion): e for e in glossary},
            name_words={fold(e.expansion): _content_stems(e.expansion) for e in glossary},
            titles=report_titles(documents),
            spellings=spellings,
        )

    def acronyms_of(self, text: str) -> Iterator[tuple[str, GlossaryEntry]]:
        """(word, glossary entry) for each glossary acronym a text uses, as it stands there:
        "OMIK's" and "(POiD)," are OMIK and POiD; "who" is not WHO (two capitals at least).
        In a text typed without a capital ("what does odihr do?") an acronym is any word
        of the glossary's that English does not know: "odihr", not "who"."""
        uncapitalised = not any(ch.isupper() for ch in text)
        for word in text.replace("’", "'").split():
            word = word.strip(".,;:!?()[]\"'“”‘").removesuffix("'s")
            entry = self.acronyms.get(fold(word))
            if entry and (
                sum(ch.isupper() for ch in word) >= 2
                or (uncapitalised and not english_word(fold(word)))
            ):
                yield word, entry

    def with_pointed_acronym(self, question: str, history: Sequence[str]) -> str:
        """``question`` with "that acronym" put as the acronym it points back to: the last
        glossary acronym the nearest earlier question names. "What does that acronym stand
        for?" after "How many police officers took part in the OMIK workshops?" is asked
        as "What does OMIK stand for?"; a question that names an acronym itself, or follows
        none that does, is left as it is."""
        match = _POINTED_ACRONYM.search(question)
        if match is None or any(self.acronyms_of(question)):
            return question
        for earlier in reversed(history):
            if named := [word for word, _ in self.acronyms_of(earlier)]:
                return question[: match.start()] + named[-1] + question[match.end() :]
        return question

    def equivalents(self, question: str) -> list[tuple[str, str]]:
        """(form in the question, the glossary's other form) for its acronyms and long forms,
        and (form, other form) for a country it names as the reports may not ("Turkey") and
        for a name the reports spell another way ("Otunbaeva": "otunbayeva")."""
        found = [(word, entry.expansion) for word, entry in self.acronyms_of(question)]
        folded = fold(question)
        asked = _content_stems(question)
        for long_form, entry in self.long_forms.items():
            if len(long_form) > 8 and long_form in folded:
                found.append((entry.expansion, entry.acronym))
            elif _names_by_its_words(self.name_words[long_form], asked):
                # "the European economic commission" for the Economic Commission for Europe
                found.append((entry.expansion, entry.acronym))
        found += other_country_forms(question)  # "Turkey" for "Türkiye", and back
        found += session_forms(question)  # "CSW69": its sixty-ninth session
        if self.spellings is not None:
            found += self.spellings.other_spellings(question)
        return found

    def corrected(self, text: str) -> tuple[str, list[tuple[str, str]]]:
        """``text`` with its slips of the keyboard put right, and (as written, as searched)
        for each (``Spellings.corrected``)."""
        if self.spellings is None:
            return text, []
        return self.spellings.corrected(text)

    def respelled(self, equivalents: Sequence[tuple[str, str]]) -> frozenset[str]:
        """The names of a question's ``equivalents`` (folded words) that no passage holds,
        each given as the reports spell it."""
        if self.spellings is None:
            return frozenset()
        return frozenset(
            form
            for form, _ in equivalents
            if tokenize(form) == [form] and self.spellings.lacks(form)
        )

    def acronyms_in(self, text: str, spelled: str) -> list[tuple[str, str]]:
        """(acronym, long form) for each glossary acronym in ``text``, in order, once; not
        those whose long form ``spelled`` (the answer) already gives."""
        found: dict[str, str] = {}
        folded = fold(spelled)
        for _, entry in self.acronyms_of(text):
            if entry.acronym not in found and fold(entry.expansion) not in folded:
                found[entry.acronym] = entry.expansion
        return list(found.items())

    def named_reports(self, question: str) -> list[str]:
        """Paths of the reports the question names by their whole title (``named_reports``)."""
        return named_reports(question, self.titles)
