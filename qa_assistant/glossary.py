"""Acronyms and their long forms, mined from the reports' own definitions.

Reports define an acronym once — "the Programme Office in Dushanbe (POiD)" or "UNMIK (United
Nations Interim Administration Mission in Kosovo)" — and use the short form after. Pairs
are found with the Schwartz–Hearst rule: every letter of the acronym appears, in order, in
the long form, and the first one starts it. The long form is the shortest such run of words
that starts with no connector ("of", "and") and reads as a name: no figures, and most of its
words start with one of the acronym's letters; a longer run wins when more of the letters
start its words. An acronym of two parts may be given in the other order ("Representatives of
the Internal Audit Services of the United Nations system organizations (UN-RIAS)"). A
footnote's run-on text ("unicef.org/topic … 108 United Nations Population Fund (UNFPA)")
gives no pair rather than a wrong one.
"""

from __future__ import annotations

import re
from collections import Counter

# "Long Form (ACRO)" and "ACRO (Long Form)"; the acronym has 2–10 chars, 2+ capitals.
_PAREN = re.compile(r"\(([^()]{2,120})\)")
_ACRONYM = re.compile(r"^(?=(?:[^A-Z]*[A-Z]){2})[A-Za-z][A-Za-z0-9&\-.]{1,9}$")
_WORD = re.compile(r"[\w'’\-]+", re.UNICODE)
_MAX_WORDS = 12
_POSSESSIVE = re.compile(r"[’']s$")


def _is_acronym(text: str) -> bool:
    """ "OMIK", "POiD", "NGOs", "UN-Women"; not "Co-Chair" (a word with capitals)."""
    if not _ACRONYM.match(text) or text.isdigit():
        return False
    letters = [ch for ch in text if ch.isalpha()]
    capitals = sum(ch.isupper() for ch in letters)
    return 2 * capitals >= len(letters) or any(
        part.isupper() and len(part) >= 2 for part in text.split("-")
    )


# Words that join a long form's words; a long form never starts with one ("of Audit and
# Investigation Services" is "Office of Audit and Investigation Services" cut short).
_CONNECTORS = frozenset(
    "a an and at by de des du for from in la le of on or the to that via with".split()
)


def is_name(long_form: str) -> bool:
    """Whether a long form names a body: every word but the connectors in capitals
    ("Office for Democratic Institutions and Human Rights"; not "Trafficking in human
    beings", even at the start of a sentence)."""
    content = [w for w in long_form.split() if w.lower() not in _CONNECTORS]
    return bool(content) and all(w[0].isupper() for w in content)


def _spells(letters: list[str], candidate: str) -> bool:
    """Schwartz–Hearst: every letter in order, the first one starting ``candidate``."""
    if not candidate or candidate[0].lower() != letters[0]:
        return False
    c = len(candidate) - 1
    for letter in reversed(letters[1:]):
        while c > 0 and candidate[c].lower() != letter:
            c -= 1
        if c <= 0:
            return False
        c -= 1
    return True


def _plausible(letters: list[str], words: list[str]) -> bool:
    """No figures or web fragments, and most content words start with one of the letters
    (rejects "Fund via video link the African Women's … Network" for FEMNET)."""
    if any(ch.isdigit() for word in words for ch in word):
        return False
    content = [w for w in words if w.lower() not in _CONNECTORS]
    initials = set(letters)
    hits = sum(w[0].lower() in initials for w in content)
    return 2 * hits >= len(content)


def _initials_matched(letters: list[str], words: list[str]) -> int:
    """How many of the acronym's letters, in order, start a word or a hyphenated part of
    one (the longest common subsequence of the letters and the initials)."""
    initials = [part[0].lower() for word in words for part in word.split("-") if part]
    row = [0] * (len(initials) + 1)
    for letter in letters:
        previous_diagonal = 0
        for j, initial in enumerate(initials, start=1):
            above = row[j]
            if letter == initial:
                row[j] = previous_diagonal + 1
            else:
                row[j] = max(row[j], row[j - 1])
            previous_diagonal = above
    return row[-1]


def _letter_orders(acronym: str) -> list[list[str]]:
    """The orders in which a long form may give the acronym's letters: as written and, for
    one of two parts ("UN-RIAS"), the second part first, as "Representatives of the Internal
    Audit Services of the United Nations system organizations" gives them."""
    orders = [[ch.lower() for ch in acronym if ch.isalnum()]]
    parts = acronym.split("-")
    if len(parts) == 2 and all(parts):
        swapped = [ch.lower() for ch in parts[1] + parts[0] if ch.isalnum()]
        if swapped != orders[0]:
            orders.append(swapped)
    return orders


def _spelled_tails(
    acronym: str, orders: list[list[str]], words: list[str]
) -> list[tuple[int, int, str]]:
    """(initials matched, words, long form) for each tail of ``words`` that spells one of
    the letter ``orders`` (Schwartz–Hearst), starts at a word that is no connector, reads
    as a name (see ``_plausible``) and has at most two words besides connectors more than
    the acronym has letters."""
    most_content_words = len(orders[0]) + 2
    found = []
    for n_words in range(2, min(len(words), _MAX_WORDS) + 1):
        tail = words[-n_words:]
        if sum(word.lower() not in _CONNECTORS for word in tail) > most_content_words:
            break
        first = tail[0]
        if first.lower() in _CONNECTORS or not first[0].isalpha():
            continue
        long_form = " ".join(tail).strip(" ,;:-")
        if long_form.lower() == acronym.lower():
            continue
        for letters in orders:
            if _spells(letters, long_form) and _plausible(letters, tail):
                found.append((_initials_matched(letters, tail), n_words, long_form))
                break
    return found


def _long_form_for(acronym: str, words: list[str]) -> str | None:
    """The long form of ``acronym`` that ends ``words`` (see ``_spelled_tails``), else None.

    The shortest wins, unless a tail up to two words longer has more of the acronym's
    letters starting its words ("Counter-Terrorism Committee Executive Directorate" for
    CTED, not "Committee Executive Directorate", whose T is inside a word), or a longer one
    has every letter start a word: "Representatives of the Internal Audit Services of the
    United Nations system organizations" for UN-RIAS, not "United Nations system
    organizations", whose R-I-A-S are inside "organizations"."""
    orders = _letter_orders(acronym)
    if len(orders[0]) < 2:
        return None
    found = _spelled_tails(acronym, orders, words)
    if not found:
        return None
    shortest = min(n_words for _, n_words, _ in found)
    kept = [
        (matched, -n_words, long_form)
        for matched, n_words, long_form in found
        if n_words <= shortest + 2 or matched == len(orders[0])
    ]
    return max(kept)[2]


def _words(text: str) -> list[str]:
    """The words of ``text``, a possessive joined to its word: PDF extraction gives
    "Specialist Prosecutor ’s Office", the name is "Specialist Prosecutor’s Office"."""
    words: list[str] = []
    for word in _WORD.findall(text):
        if words and word.lower() in ("’s", "'s"):
            words[-1] += word
        else:
            words.append(word)
    return words


def acronym_forms(acronym: str) -> tuple[str, ...]:
    """The acronym and its singular or plural, by which a text may name the same thing:
    "NRMs" and "NRM", "NGO" and "NGOs" ("UNAIDS" ends in a capital S: no plural)."""
    if len(acronym) > 2 and acronym[-1] == "s" and acronym[-2].isupper():
        return acronym, acronym[:-1]
    if acronym[-1].isupper() and acronym[-1] != "S":
        return acronym, acronym + "s"
    return (acronym,)


def find_definitions(text: str) -> Counter[tuple[str, str]]:
    """(acronym, long form) pairs defined in ``text``, with how often each occurs."""
    found: Counter[tuple[str, str]] = Counter()
    for match in _PAREN.finditer(text):
        # "the Office for Democratic Institutions and Human Rights (ODIHR’s) definition"
        inside = _POSSESSIVE.sub("", match.group(1).strip())
        before = text[max(0, match.start() - 200) : match.start()]
        before_words = _words(before.split("\n")[-1])
        if _is_acronym(inside):  # Long Form (ACRO)
            long_form = _long_form_for(inside, before_words)
            if long_form:
                found[(inside, long_form)] += 1
            continue
        if before_words and _is_acronym(before_words[-1]):  # ACRO (Long Form)
            acronym = before_words[-1]
            inside_words = _words(inside)
            if len(inside_words) <= _MAX_WORDS:
                long_form = _long_form_for(acronym, inside_words)
                if long_form and long_form.split()[0] == inside_words[0]:
                    found[(acronym, long_form)] += 1
    return found
