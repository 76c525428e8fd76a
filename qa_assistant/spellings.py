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
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

from .lexical import tokenize, words_in

__all__ = ["Spellings", "edit_distance"]

SHORTEST = 5  # letters of a name looked up: shorter ones meet too many others by chance
MOST = 2  # other spellings kept for one name, the most frequent first
REMEMBERED = 4096  # names looked up whose other spellings are kept for the next question


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
    whole."""

    def __init__(
        self,
        load: Callable[[], Counter[str]],
        together: Callable[[list[list[str]]], bool] | None = None,
    ) -> None:
        self._load = load
        self._together = together
        self._lock = threading.Lock()
        self._counts: Counter[str] | None = None
        self._by_shape: dict[tuple[str, int], list[str]] = {}
        self._near: dict[str, list[str]] = {}  # a name looked up → its other spellings

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
