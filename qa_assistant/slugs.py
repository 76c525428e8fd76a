"""A saved web page's headline, read back from its address.

A news page saved as text often keeps its address and its first paragraph but not its
headline. The address's last part usually spells the headline in lower case
(".../osce-and-tajikistan-s-academy-of-public-administration-organize-training-of-trainers
-on-preventing-violent-extremism-and-terrorism"); each word is given back the case the page
itself writes it in ("OSCE", "Tajikistan's", "anti-trafficking").
"""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import unquote, urlsplit

from qa_assistant.text_cleaning import URL_PATTERN

# Four words at least: "kosovo", "82352" or "news-item" name no headline.
MIN_WORDS = 4
_EXTENSION = re.compile(r"\.(?:s?html?|php|aspx?|jsp)$", re.IGNORECASE)
_PAGE_WORD = re.compile(r"[^\W_]+")  # the address splits "Tajikistan’s" and "co-operation" too
_SEPARATOR = re.compile(r"[ \-\u2010\u2011'\u2019]")  # what may stand between a run's words
# Left parts a headline hyphenates ("anti-trafficking") when the page does not show the word.
_PREFIXES = frozenset("anti non co self multi inter cross counter socio cyber".split())


def slug_words(url: str) -> list[str]:
    """The words of the last part of ``url``'s path, lower case, when it spells a headline
    of ``MIN_WORDS`` words or more; a trailing page number is dropped ("…-victim-1135573")."""
    if not re.match(r"[a-z][a-z0-9+.-]*://", url, re.IGNORECASE):
        url = f"http://{url}"
    segments = [s for s in unquote(urlsplit(url).path).split("/") if s]
    if not segments:
        return []
    words = re.split(r"[-_+]+", _EXTENSION.sub("", segments[-1]).lower())
    while words and words[-1].isdigit():
        words.pop()
    letters = [w for w in words if w.isalpha()]
    return words if len(letters) >= MIN_WORDS and all(w.isalnum() for w in words) else []


def slug_title(url: str, page: str) -> str:
    """The headline ``url`` spells, cased as ``page`` writes it ("" when it spells none).

    The longest runs of its words that ``page`` holds in a row take the page's own form,
    separators and all ("Academy of Public Administration", "Tajikistan’s", "co-operation");
    the form the page uses most, a capitalised one on a tie. A word on its own keeps the
    capitals the page writes it in ("OSCE"), is lower case if the page ever writes it so,
    else takes the page's form; "anti trafficking" is joined as "anti-trafficking"."""
    words = slug_words(url)
    if not words:
        return ""
    page = URL_PATTERN.sub(" ", page)  # not the address itself
    found = list(_PAGE_WORD.finditer(page))
    lower = [m.group().lower() for m in found]
    where: dict[str, list[int]] = {}
    for j, token in enumerate(lower):
        where.setdefault(token, []).append(j)
    out: list[str] = []
    i = 0
    while i < len(words):
        forms: Counter[str] = Counter()
        longest = 1
        for j in where.get(words[i], ()):
            n = 1
            while (
                i + n < len(words)
                and j + n < len(lower)
                and lower[j + n] == words[i + n]
                and _SEPARATOR.fullmatch(page[found[j + n - 1].end() : found[j + n].start()])
            ):
                n += 1
            if n > longest:
                longest, forms = n, Counter()
            if n == longest:
                forms[page[found[j].start() : found[j + n - 1].end()]] += 1
        if longest > 1:
            out.append(max(forms, key=lambda form: (forms[form], sum(map(str.isupper, form)))))
        elif words[i] == "s" and out:
            out[-1] += "\u2019s" if page.count("\u2019") >= page.count("'") else "'s"
        elif words[i] in _PREFIXES and i + 1 < len(words):
            following = Counter(found[j].group() for j in where.get(words[i + 1], ()))
            out.append(f"{words[i]}-{_cased(words[i + 1], following)}")
            longest = 2
        else:
            out.append(_cased(words[i], forms))  # a run of one: the word's every form
        i += longest
    title = " ".join(out)
    return title[:1].upper() + title[1:]


def _cased(word: str, seen: Counter[str]) -> str:
    """``word`` as the page writes it on its own."""
    if not seen:
        return word
    upper = [form for form in seen if form.isupper() and len(form) > 1]
    if upper:
        return max(upper, key=seen.__getitem__)
    if word in seen:
        return word
    return seen.most_common(1)[0][0]
