"""Counts of a group of people: "How many of them were women?" is answered by "7 women and
13 men" or "406 men" (the other half tells the rest), not by a total of participants nor
by a count of children; "How many of the civilians killed were children?" by "30 children".
"""

from __future__ import annotations

import re

__all__ = ["ASKED_GROUP", "SMALL_COUNTS", "counts_group"]

SMALL_COUNTS = r"two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"  # in words
# "How many of them were women?", "How many young women…?": the count asked for is of a
# group of people ("comments about women candidates" counts comments, not women).
_PEOPLE = r"women|men|girls|boys|children"
ASKED_GROUP = re.compile(
    rf"\bhow\s+many\s+(?:of\s+(?:them|those|the\s+\w+)\s+)?(?:[\w-]+\s+)?(?P<a>{_PEOPLE})\b"
    rf"|\b(?:were|are|was|is|being)\s+(?P<b>{_PEOPLE}|female|male)\b",
    re.IGNORECASE,
)


def _group_figure(people: str) -> re.Pattern[str]:
    """A count of ``people`` (a regex of words): "41 women", "women (45 per cent)"."""
    return re.compile(
        rf"(?:\d[\d.,]*|\b(?:one|{SMALL_COUNTS}|half|majority|none)\b)"
        rf"(?:\s*(?:%|per\s*cent|percent))?\W*(?:\w+\W+){{0,4}}?(?:{people})\b"
        rf"|\b(?:{people})\W{{0,3}}(?:\w+\W+){{0,2}}?\(?\d",
        re.IGNORECASE,
    )


_ANY_GROUP = _group_figure(rf"{_PEOPLE}|females?|males?")
_GENDER = _group_figure(r"women|woman|men|man|females?|males?")
_GIRLS_BOYS = _group_figure(r"girls?|boys?")
_BY_GROUP = {
    "women": _GENDER,
    "men": _GENDER,
    "female": _GENDER,
    "male": _GENDER,
    "girls": _GIRLS_BOYS,
    "boys": _GIRLS_BOYS,
    "children": _group_figure(r"children|child|girls?|boys?|minors?|juveniles?"),
}


def counts_group(sentence: str, group: bool | str) -> bool:
    """Whether ``sentence`` counts the ``group`` a question asks about (``counted_group``'s
    word), or its other half; with ``True``, any group of people."""
    return _BY_GROUP.get(str(group), _ANY_GROUP).search(sentence) is not None
