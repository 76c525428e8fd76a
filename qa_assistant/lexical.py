"""Words for lexical search: accents folded, acronyms and numbers kept as tokens.

The same ``tokenize`` feeds the SQLite FTS5 index (through the ``lex`` column) and the
questions, so "Obilić" finds "Obilic", "Cap-Haïtien" finds "Cap Haitien", "119,000"
finds "119000" and "OMIK" stays one token.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# FTS5 stems English words (porter) after its unicode61 tokenizer; '.' is kept inside tokens
# so decimals like "1.4" stay whole. ``tokenize`` never leaves a stray '.' elsewhere.
FTS_TOKENIZER = "porter unicode61 remove_diacritics 2 tokenchars '.'"

_SPECIAL_LETTERS = str.maketrans(
    {
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ł": "l",
        "Ł": "L",
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ı": "i",
        "þ": "th",
        "ð": "d",
        "’": "'",
        "‘": "'",
    }
)
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)
_THOUSANDS = re.compile(r"^\d{1,3}(?:,\d{3})+$")

STOPWORDS = frozenset(
    """a about above after again against all am an and any are aren't as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your yours
    yourself yourselves also according did does many much whether per s t one two""".split()
)


# Cyrillic letters that look like Latin ones. A PDF sometimes sets one inside a Latin word
# ("Vetёvendosje" with a Cyrillic ё): the word is folded to its Latin look-alike so that it
# matches how people type it. Words wholly in Cyrillic are left alone.
# (lower case: the upper-case look-alikes В, Н, Т, М are folded before this)
_CYRILLIC_LOOKALIKES = str.maketrans("аеорсухкмтвніјѕԁӏ", "aeopcyxkmtbhijsdl")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_WORD_WITH_CYRILLIC = re.compile(r"\w*[\u0400-\u04ff]\w*")


def _latin_lookalikes(match: re.Match) -> str:
    word = match.group(0)
    if not any("a" <= ch <= "z" for ch in word):
        return word
    return word.translate(_CYRILLIC_LOOKALIKES)


def fold(text: str) -> str:
    """Lower case without accents: "Obilić" → "obilic", "Haïtien" → "haitien"."""
    text = text.translate(_SPECIAL_LETTERS)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    if _CYRILLIC.search(stripped):
        stripped = _WORD_WITH_CYRILLIC.sub(_latin_lookalikes, stripped)
    return stripped


def _normalise_number(token: str) -> str:
    if _THOUSANDS.match(token):
        return token.replace(",", "")
    return token.replace(",", ".")


def tokenize(text: str) -> list[str]:
    """Folded tokens: words (possessive 's and inner apostrophes dropped) and numbers."""
    tokens: list[str] = []
    for match in _TOKEN.finditer(fold(text)):
        token = match.group(0)
        if token[0].isdigit():
            tokens.append(_normalise_number(token))
        else:
            base = token[:-2] if token.endswith("'s") else token
            tokens.append(base.replace("'", ""))
    return tokens


_WORD = re.compile(r"[^\W\d_][\w'’-]*")


def words_in(text: str) -> list[str]:
    """The words of ``text`` as they stand, case and accents kept: runs opening with a
    letter ("Mitrovicë/Mitrovica" is two, "co-operation" one); numbers are no words."""
    return _WORD.findall(text)


def capitalised_words(text: str) -> list[str]:
    """The words of ``text`` written with a capital, as they stand: a name is shown only
    where it is written as one ("Mars", not the French month "mars")."""
    return [word for word in words_in(text) if word[0].isupper()]


def one_line(text: str) -> str:
    """``text`` on one line: each run of spaces and line breaks becomes one space."""
    return " ".join(text.split())


def lex_text(text: str) -> str:
    """What is stored in the FTS5 ``lex`` column for a passage."""
    return " ".join(tokenize(text))


def query_terms(text: str) -> list[str]:
    """Distinct content tokens of a question, in order, stopwords dropped."""
    seen: dict[str, None] = {}
    for token in tokenize(text):
        if token in STOPWORDS or (len(token) == 1 and not token.isdigit()):
            continue
        seen.setdefault(token, None)
    return list(seen)


def fts_query(terms: list[str], operator: str = "OR") -> str:
    """An FTS5 MATCH expression joining the quoted terms with ``operator`` (OR: any term,
    AND: all of them); quotes make every term literal."""
    return f" {operator} ".join(f'"{term}"' for term in terms)


_ENDINGS = ("ingly", "edly", "ing", "ed", "ly")


@lru_cache(maxsize=4096)
def stem_key(token: str) -> str:
    """A crude stem for matching question words to passage words without a stemmer.

    The plural, the endings "-ing", "-ed", "-ly" and a final "e" are dropped (Porter's
    first and last steps, simplified), then six leading characters are kept: "opened",
    "opening" and "opens", "officially" and "official", "accede" and "acceded", "cases"
    and "case", "prosecuted" and "prosecution" meet. Numbers and words of three letters
    must match exactly.
    """
    if token[0].isdigit() or len(token) <= 3:
        return token
    if token.endswith("sses"):
        token = token[:-2]
    elif token.endswith("ies") and len(token) > 4:
        token = token[:-3] + "y"
    elif token[-1] == "s" and token[-2] not in "sui" and len(token) > 4:
        token = token[:-1]
    for suffix in _ENDINGS:
        stem = token[: -len(suffix)]
        if token.endswith(suffix) and len(stem) >= 3 and any(c in "aeiouy" for c in stem):
            if stem[-1] == stem[-2] and stem[-1] not in "lsze":
                stem = stem[:-1]  # "planned" -> "plan"
            token = stem
            break
    if token[-1] == "e" and len(token) > 4:
        token = token[:-1]  # "accede" and "acceded", "agree" and "agreed" meet
    return token[:6]
