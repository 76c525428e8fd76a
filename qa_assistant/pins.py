"""The names and numbers a question pins its answer to, and whether a page shows them.

"What was the budget for 2026?" on a page about 2025 is a near miss: the reports cover
the topic, not the fact, and the answer is "the reports don't say". A question's pins are
its numbers and its runs of capitalised words ("Norway's contribution", "the European Union
Rule of Law Mission"); an acronym counts as shown when its glossary pair is there or its
words are spelled out ("CND" by "Commission on Narcotic Drugs").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .countries import PEOPLES
from .lexical import capitalised_words, fold, stem_key, tokenize, words_in
from .sentences import without_source

# A question's own names and figures: numbers, and runs of capitalised words (with "of",
# "the", "for"… inside) that do not open the question: "in 2026", "Norway's contribution",
# "the European Union Rule of Law Mission".
# A number keeps its separators ("$1,000", "2.5 million"): split, "000" was a pin no page shows.
_WORD = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*(?![\w])|[\w'’]+(?:[-/][\w'’]+)*")
_CONNECTORS = {"of", "the", "for", "and", "on", "in", "de", "la", "du", "des", "to"}
# The last part of a name, after one of these, is what tells it from its kin: "the Special
# Representative for Haiti" is not the one "for Disaster Risk Reduction", "the OSCE Mission
# to Serbia" not the one "in Kosovo".
_TAIL_CONNECTORS = {"for", "in", "to", "of", "on"}
# A month or a weekday names a time, not a subject ("Malta in March").
CALENDAR = set(
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday".split()
)


@dataclass(frozen=True)
class Constraint:
    """A name (its capitalised words) or a number the answering page must show."""

    words: tuple[str, ...]
    is_number: bool = False


def constraints(question: str) -> list[Constraint]:
    """The names and numbers a question pins its answer to (its opening word excluded)."""
    found: list[Constraint] = []
    run: list[str] = []
    pending: list[str] = []  # connectors seen inside a run, kept if another name word follows

    def close() -> None:
        if run:
            found.append(Constraint(tuple(run)))
        run.clear()
        pending.clear()

    for match in _WORD.finditer(question):
        word = re.sub(r"['’]s?$", "", match.group())
        before = question[: match.start()].rstrip()
        opening = not before or before[-1] in ".?!:"
        if re.fullmatch(r"\d+(?:[.,]\d+)*", word):
            close()
            found.append(Constraint((word,), is_number=True))
            continue
        parts = [p for p in re.split(r"[-/]", word) if p[:1].isupper()]
        if word == "I":
            parts = []  # the pronoun names nothing
        if parts and not opening:
            run.extend(pending)
            pending.clear()
            run.extend(parts)
        elif run and word.lower() in _CONNECTORS:
            pending.append(word)
        else:
            close()
    close()
    return found


def unmet_constraints(
    question: str,
    page: str,
    equivalents: Sequence[tuple[str, str]] = (),
    in_document: Callable[[str], bool] | None = None,
) -> list[str]:
    """The question's names and numbers missing where the answer stands.

    A question pinned to "2026" or "Norway" that lands on a page naming neither is a near
    miss: the reports cover the topic, not the fact. A number must be on the answering
    ``page`` (its text, the report's title and year); a name must have at least half of its
    capitalised words on the page, or, when ``in_document`` is given, in the report. Matching
    is on folded, crudely stemmed tokens; a glossary pair counts when either form is there.
    """
    present = {stem_key(token) for token in tokenize(page)}
    # A name is shown where it is written as one: "Mars", not the French month "mars".
    capitalised = {stem_key(token) for token in tokenize(" ".join(capitalised_words(page)))}

    def on_page(text: str) -> bool:
        tokens = tokenize(text)
        return bool(tokens) and all(stem_key(token) in present for token in tokens)

    covered: set[str] = set()
    for form, other in equivalents:
        if on_page(form) or on_page(other) or (in_document and in_document(other)):
            covered |= {stem_key(token) for token in tokenize(form)}
    for word in capitalised_words(question):  # "Mexican" is shown by "Mexico"
        country = PEOPLES.get(word)
        if country and on_page(country):
            covered |= {stem_key(token) for token in tokenize(word)}
    # A number that only names the source ("…, according to the Beijing+30 review?") need
    # only be in the report, as its names need.
    stripped, source = without_source(question)
    source_only = {c.words for c in constraints(source) if c.is_number} - {
        c.words for c in constraints(stripped) if c.is_number
    }
    missing = []
    for constraint in constraints(question):
        names = [w for w in constraint.words if w[:1].isupper() or constraint.is_number]
        tokens = [stem_key(t) for word in names for t in tokenize(word)]
        if not tokens:
            continue
        shown = present if constraint.is_number else capitalised
        kin = set() if constraint.is_number else capitalised
        found = _count_shown(tokens, shown, covered, kin)
        if constraint.is_number:
            met = found == len(tokens) or (
                constraint.words in source_only
                and in_document is not None
                and in_document(constraint.words[0])
            )
        else:
            tail = [stem_key(t) for word in _tail(constraint.words) for t in tokenize(word)]
            met = (
                (
                    2 * found >= len(tokens)
                    and 2 * _count_shown(tail, shown, covered, kin) >= len(tail)
                )
                or (len(names) == 1 and _spelled_out(names[0], page))
                or (len(names) == 1 and _known_name(names[0], page))
                or (in_document is not None and in_document(" ".join(names)))
            )
        if not met:
            missing.append(" ".join(constraint.words))
    return missing


def _count_shown(tokens: Sequence[str], shown: set[str], covered: set[str], kin: set[str]) -> int:
    """How many of a pin's ``tokens`` are ``shown`` or ``covered`` (by a glossary pair), or
    kin to one of ``kin`` ("Haitian")."""
    return sum(t in shown or t in covered or _kin(t, kin) for t in tokens)


def _tail(words: Sequence[str]) -> list[str]:
    """The capitalised words of a name after its last connector of ``_TAIL_CONNECTORS``
    ("Haiti" of "Special Representative for Haiti"); none when that part names a time or
    nothing stands before it."""
    for k in range(len(words) - 1, 0, -1):
        if words[k].lower() in _TAIL_CONNECTORS:
            head = [w for w in words[:k] if w[:1].isupper()]
            tail = [w for w in words[k + 1 :] if w[:1].isupper()]
            if head and not {fold(w) for w in tail} <= CALENDAR:
                return tail
            return []
    return []


# Bodies whose acronym its name does not spell, as their reports may name them instead: an
# older name's letters ("UNFPA", the United Nations Fund for Population Activities), another
# language's, or a short form. Used only to accept a page, not to search: searching with the
# name pulled title pages and lists of bodies (README, session 9).
KNOWN_NAMES: dict[str, tuple[str, ...]] = {
    "EULEX": ("European Union Rule of Law Mission",),
    "KFOR": ("Kosovo Force",),
    "OHCHR": ("High Commissioner for Human Rights",),
    "UNFPA": ("United Nations Population Fund", "UN Population Fund"),
    "UNHCR": ("High Commissioner for Refugees", "UN Refugee Agency"),
    "UNICEF": ("United Nations Children's Fund", "UN Children's Fund"),
}


def _known_name(acronym: str, text: str) -> bool:
    """Whether ``text`` names the body ``acronym`` stands for by a name of ``KNOWN_NAMES``."""
    names = KNOWN_NAMES.get(acronym, ())
    folded = " ".join(fold(text).split()) if names else ""
    return any(fold(name) in folded for name in names)


_ACRONYM = re.compile(r"[A-Z][A-Za-z]*[A-Z][A-Za-z]*")


def _spelled_out(acronym: str, text: str) -> bool:
    """Whether ``text`` spells out ``acronym`` in full, for a report that never uses it:
    capitalised words whose initials are its letters, connectors allowed between them
    ("CND" → "Commission on Narcotic Drugs", "POiD" → "Programme Office in Dushanbe") or
    giving a letter themselves ("AOSIS" → "Alliance of Small Island States"), a lower-case
    word too inside them ("OPCAT" → "Optional Protocol to the Convention against Torture"),
    the parts of a hyphenated name ("TAPI" → "Turkmenistan-Afghanistan-Pakistan-India");
    or, for four capitals and more, as many lower-case words in a row ("VASPs" → "virtual
    asset service providers"; three are too often met by chance: "new regional meeting")."""
    if not _ACRONYM.fullmatch(acronym) or len(acronym) > 10:
        return False
    if re.fullmatch(r"[A-Z]{3,}s", acronym):
        acronym = acronym[:-1]  # a plural: "VASPs", "NGOs"
    letters = acronym.lower()
    words = [part for word in words_in(text) for part in word.split("-") if part]

    def spells(matched: int, j: int) -> bool:  # letters[matched:] from words[j:]
        if matched == len(letters):
            return words[j - 1][0].isupper() or acronym[-1].islower()
        if j == len(words):
            return False
        current = words[j]
        connector = current.lower() in _CONNECTORS
        inside = 0 < matched < len(letters) - 1  # "against" of "Convention against Torture"
        gives = current[0].lower() == letters[matched] and (
            current[0].isupper() or acronym[matched].islower() or connector or inside
        )
        # A connector may give its letter ("of" in AOSIS) or be passed over ("in" in ISIL).
        return (gives and spells(matched + 1, j + 1)) or (
            connector and matched > 0 and spells(matched, j + 1)
        )

    n = len(letters)
    return any(word[0] == acronym[0] and spells(0, start) for start, word in enumerate(words)) or (
        acronym.isupper()
        and n >= 4
        and any(
            "".join(w[0] for w in words[k : k + n]) == letters
            and all(w.islower() and w not in _CONNECTORS for w in words[k : k + n])
            for k in range(len(words) - n + 1)
        )
    )


def _kin(stem: str, stems: set[str]) -> bool:
    """Whether a name's stem is the start of one of ``stems``, or the other way round, five
    letters at least: "Egyptian" and "Egypt", "Haitian" and "Haiti", "Tajik" and
    "Tajikistan" name one country."""
    return len(stem) >= 5 and any(
        len(other) >= 5 and (other.startswith(stem) or stem.startswith(other)) for other in stems
    )
