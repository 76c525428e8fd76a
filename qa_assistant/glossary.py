"""Acronyms and their long forms, mined from the reports' own definitions.

Reports define an acronym once — "the Programme Office in Dushanbe (POiD)" or "UNMIK (United
Nations Interim Administration Mission in Kosovo)" — and use the short form after. Pairs
are found with the Schwartz–Hearst rule: every letter of the acronym appears, in order, in
the long form, and the first one starts a word.
"""

from __future__ import annotations

import re
from collections import Counter

# "Long Form (ACRO)" and "ACRO (Long Form)"; the acronym has 2–10 chars, 2+ capitals.
_PAREN = re.compile(r"\(([^()]{2,120})\)")
_ACRONYM = re.compile(r"^(?=(?:[^A-Z]*[A-Z]){2})[A-Za-z][A-Za-z0-9&\-.]{1,9}$")
_WORD = re.compile(r"[\w'’\-]+", re.UNICODE)
_MAX_WORDS = 12


def _is_acronym(text: str) -> bool:
    return bool(_ACRONYM.match(text)) and not text.isdigit()


def _long_form_for(acronym: str, words: list[str]) -> str | None:
    """The shortest tail of ``words`` that spells ``acronym`` (Schwartz–Hearst), or None."""
    letters = [ch.lower() for ch in acronym if ch.isalnum()]
    if len(letters) < 2:
        return None
    candidate = " ".join(words[-min(len(words), len(letters) + 5) :])
    a, c = len(letters) - 1, len(candidate) - 1
    while a >= 0:
        while c >= 0 and (
            candidate[c].lower() != letters[a] or (a == 0 and c > 0 and candidate[c - 1].isalnum())
        ):
            c -= 1
        if c < 0:
            return None
        a -= 1
        c -= 1
    start = candidate.rfind(" ", 0, c + 1) + 1
    long_form = candidate[start:].strip(" ,;:-")
    n_words = len(long_form.split())
    if n_words < 2 or n_words > min(len(letters) + 5, _MAX_WORDS):
        return None
    if long_form.lower() == acronym.lower() or not long_form[0].isalpha():
        return None
    return long_form


def find_definitions(text: str) -> Counter[tuple[str, str]]:
    """(acronym, long form) pairs defined in ``text``, with how often each occurs."""
    found: Counter[tuple[str, str]] = Counter()
    for match in _PAREN.finditer(text):
        inside = match.group(1).strip()
        before = text[max(0, match.start() - 200) : match.start()]
        before_words = _WORD.findall(before.split("\n")[-1])
        if _is_acronym(inside):  # Long Form (ACRO)
            long_form = _long_form_for(inside, before_words)
            if long_form:
                found[(inside, long_form)] += 1
            continue
        if before_words and _is_acronym(before_words[-1]):  # ACRO (Long Form)
            acronym = before_words[-1]
            inside_words = _WORD.findall(inside)
            if len(inside_words) <= _MAX_WORDS:
                long_form = _long_form_for(acronym, inside_words)
                if long_form and long_form.split()[0] == inside_words[0]:
                    found[(acronym, long_form)] += 1
    return found
