"""Names a question spells otherwise than the reports do.

Folding accents makes "Obilić" meet "Obilic", but transliteration differs by more than
accents: "Otunbaeva" and "Otunbayeva", "Djakovica" and "Đakovica" (folded "dakovica"),
"Farukh" and "Farrukh". A capitalised word of the question that no passage holds is looked
up among the words the passages do hold: those within one edit (two from eight letters on),
with the same first letter, are its other spellings, searched beside it and accepted for it
on the answering page. The words of the collection are read from the lexical index on first
need, once per index generation.

Only names are looked up (written with a capital, not opening the question, not an acronym)
and only when the reports lack them: an ordinary word one edit from another ("fraction",
"fiction") would only add noise, and a name the reports use is searched as it is.

A word in lower case is a slip of the keyboard ("pubkic", "rgihts") when neither the reports
nor English know it: English is the word list that ships with pyspellchecker, in British
spelling too ("recognise", "programme", "trialled"). Such a word is put as the reports
spell its closest word before the question is searched ("public", "rights"), and the reply
says so. A real word the reports do not use ("fraction", "swapping", "outlaw") is left as
it is: the encoder knows it, and putting it "right" would change the question.
"""

from __future__ import annotations

import functools
import re
import threading
from collections import Counter
from collections.abc import Callable

from .lexical import STOPWORDS, fold, tokenize, words_in

__all__ = ["Spellings", "edit_distance", "english_word"]

SHORTEST = 5  # letters of a name looked up: shorter ones meet too many others by chance
MOST = 2  # other spellings kept for one name, the most frequent first
REMEMBERED = 4096  # names looked up whose other spellings are kept for the next question
_PLAIN = re.compile(r"[^\W\d_]+")  # a run of letters: "counter-terrorism" is two
_QUOTES = "\"'“‘«"  # a word put in quotes is searched as typed
# British spellings and the American ones the word list holds: "recognise", "labour",
# "trialled", "centre", "catalogue", "defence", "paediatric", "programme".
_AMERICAN = (
    ("is", "iz"),
    ("ys", "yz"),
    ("our", "or"),
    ("ll", "l"),
    ("tre", "ter"),
    ("ogue", "og"),
    ("ence", "ense"),
    ("ae", "e"),
    ("oe", "e"),
    ("mme", "m"),
)


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance of ``a`` and ``b`` (insertions, deletions,
    substitutions and swaps of two neighbours), or ``limit + 1`` once it must exceed
    ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        before, previous = previous, current
    return previous[-1]


class Spellings:
    """The words of one index generation, for the names a question spells another way.

    ``load`` gives, for each folded word of the passages, in how many passages it stands
    (``Store.word_counts``); it is called once, on the first question that needs it.
    ``together`` tells whether one passage holds a word of each group (``Store.
    stand_together``): a name of several words is respelled only where the reports write it
    whole. ``known`` tells whether a folded word is a word of English (``english_word``);
    ``slips`` whether ``corrected`` puts slips of the keyboard right."""

    def __init__(
        self,
        load: Callable[[], Counter[str]],
        together: Callable[[list[list[str]]], bool] | None = None,
        known: Callable[[str], bool] | None = None,
        *,
        slips: bool = True,
    ) -> None:
        self._load = load
        self._together = together
        self._known = known or english_word
        self._slips = slips
        self._lock = threading.Lock()
        self._counts: Counter[str] | None = None
        self._by_shape: dict[tuple[str, int], list[str]] = {}
        self._near: dict[str, list[str]] = {}  # a name looked up → its other spellings
        self._slipped: dict[str, str | None] = {}  # a slip looked up → the word meant

    def _words(self) -> Counter[str]:
        with self._lock:
            if self._counts is None:
                counts = self._load()
                by_shape: dict[tuple[str, int], list[str]] = {}
                for word in counts:
                    if len(word) >= SHORTEST - 1:
                        by_shape.setdefault((word[0], len(word)), []).append(word)
                self._by_shape = by_shape
                self._counts = counts
            return self._counts

    def near(self, word: str) -> list[str]:
        """The collection's words closest to the folded ``word`` (one edit; two from eight
        letters on; same first letter), most frequent first; none if it stands there."""
        counts = self._words()
        if word in counts or len(word) < SHORTEST:
            return []
        if word in self._near:
            return self._near[word]
        limit = 1 if len(word) < 8 else 2
        found: list[tuple[int, int, str]] = []
        for length in range(len(word) - limit, len(word) + limit + 1):
            for other in self._by_shape.get((word[0], length), ()):
                distance = edit_distance(word, other, limit)
                if distance <= limit:
                    found.append((distance, -counts[other], other))
        closest = min((distance for distance, _, _ in found), default=0)
        others = [other for distance, _, other in sorted(found) if distance == closest][:MOST]
        if len(self._near) < REMEMBERED:
            self._near[word] = others
        return others

    def lacks(self, word: str) -> bool:
        """Whether no passage holds the folded ``word``."""
        return word not in self._words()

    def other_spellings(self, question: str) -> list[tuple[str, str]]:
        """(the name as the question folds it, the reports' spelling) for each name of the
        question the reports lack but spell another way. A name of several words is someone
        else's when the reports hold one of its words in no spelling ("Ivana Otunbaeva"), or
        never write its words together ("Margot Wallstrom": the reports' "Marigot" is a
        town, their "Wahlström" another woman)."""
        pairs: list[tuple[str, str]] = []
        counts = self._words()
        for name in _names(question):
            tokens = [t for word in name for t in tokenize(word) if t.isalpha()]
            found = {token: self.near(token) for token in tokens}
            if len(tokens) > 1 and any(t not in counts and not found[t] for t in tokens):
                continue
            groups = [[t, *found[t]] for t in tokens]
            respelled = any(found.values())
            if respelled and len(tokens) > 1 and self._together and not self._together(groups):
                continue  # "Margot Wallstrom": "Marigot" is a town, "Wahlström" another's
            for token in tokens:
                for other in found[token]:
                    if (token, other) not in pairs:
                        pairs.append((token, other))
        return pairs

    def corrected(self, text: str) -> tuple[str, list[tuple[str, str]]]:
        """``text`` with each slip of the keyboard put as the reports spell the word, and
        (the word as written, as searched) for each: a word in lower case, of five letters
        and more, that neither the reports nor English know, and that is one slip from a
        word of the reports ("pubkic": "public"). A word put in quotes is left as typed."""
        if not self._slips:
            return text, []
        pairs: list[tuple[str, str]] = []
        parts: list[str] = []
        end = 0
        for match in _PLAIN.finditer(text):
            word = match.group()
            if len(word) < SHORTEST or not word.islower() or word in STOPWORDS:
                continue
            if match.start() and text[match.start() - 1] in _QUOTES:
                continue  # "somoni", in quotes, is searched as typed
            token = fold(word)
            if not self.lacks(token) or self._known(token):
                continue
            meant = self.slipped_from(token)
            if meant:
                parts += [text[end : match.start()], meant]
                end = match.end()
                pairs.append((word, meant))
        return "".join([*parts, text[end:]]), pairs

    def slipped_from(self, word: str) -> str | None:
        """The reports' word that the folded ``word`` is one slip of, the most frequent if
        several: a slip leaves the first letter and types a key next to the one meant, or
        another vowel ("seperate"), or drops, doubles or swaps letters. None if there is
        no such word. (Two slips would let one word pass for another: "demining" is two
        slips, a dropped "m" and an added "f", from "defining".)"""
        if word in self._slipped:
            return self._slipped[word]
        counts = self._words()
        found = _slips(word) & counts.keys()
        meant = min(found, key=lambda other: (-counts[other], other), default=None)
        if len(self._slipped) < REMEMBERED:
            self._slipped[word] = meant
        return meant


def _keyboard() -> dict[str, str]:
    """Each letter's neighbours on a QWERTY keyboard (its row and the rows above and below)."""
    rows = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
    shift = (0.0, 0.25, 0.75)  # how far each row is set right of the top row, in keys
    place = {ch: (r, i + shift[r]) for r, row in enumerate(rows) for i, ch in enumerate(row)}
    return {
        ch: "".join(
            other
            for other, (r2, x2) in place.items()
            if other != ch and abs(r - r2) <= 1 and abs(x - x2) <= (1.0 if r == r2 else 0.75)
        )
        for ch, (r, x) in place.items()
    }


_NEIGHBOURS = _keyboard()
_VOWELS = "aeiouy"


def _slips(word: str) -> set[str]:
    """The words ``word`` could be one slip of the keyboard away from (first letter kept)."""
    found: set[str] = set()
    for i in range(1, len(word) + 1):
        head, tail = word[:i], word[i:]
        found.update(head + ch + tail for ch in "abcdefghijklmnopqrstuvwxyz")  # dropped
        if tail:
            found.add(head + tail[1:])  # doubled or struck by mistake
            typed = tail[0]
            meant = _NEIGHBOURS.get(typed, "") + (_VOWELS if typed in _VOWELS else "")
            found.update(head + ch + tail[1:] for ch in meant if ch != typed)
        if len(tail) > 1:
            found.add(head + tail[1] + tail[0] + tail[2:])  # swapped
    found.discard(word)
    return found


@functools.cache
def _english() -> frozenset[str]:
    from spellchecker import SpellChecker

    return frozenset(SpellChecker(language="en", distance=1).word_frequency.keys())


def english_word(word: str) -> bool:
    """Whether the folded ``word`` is a word of English, in American or British spelling
    (pyspellchecker's list, read on first use)."""
    words = _english()
    if word in words:
        return True
    american = word
    for british, spelled in _AMERICAN:
        if british in word:
            american = american.replace(british, spelled)
            if word.replace(british, spelled) in words:
                return True
    return american in words


def _names(question: str) -> list[list[str]]:
    """The question's runs of capitalised words, each a name: not the opening word (a
    capital of grammar), nor an acronym (the glossary's business)."""
    runs: list[list[str]] = [[]]
    for position, word in enumerate(words_in(question)):
        named = word[0].isupper() and sum(ch.isupper() for ch in word) < 2
        if named and position > 0:
            runs[-1].append(word)
        elif runs[-1]:
            runs.append([])
    return [run for run in runs if run]
