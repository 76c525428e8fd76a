"""When a report was issued: its year, for the collection's listing and a question's year,
and the date on its cover, which tells apart two reports of one title.

A series report keeps its title from issue to issue: the Secretary-General's quarterly
reports on Afghanistan are all "The situation in Afghanistan and its implications for
international peace and security: Report of the Secretary-General". A reader tells them
apart by the date under the document symbol, so that is what a citation adds to a title
that another report of the collection shares ("…, 21 February 2025"). The title stored and
embedded stays the report's own: whether another report shares it is a fact of the
collection, which changes as reports come and go.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path

__all__ = ["MONTH_NAME", "document_year", "issue_date", "issue_day", "own_title", "shown_titles"]

MONTH_NAME = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December)"
)
_YEAR = re.compile(r"(?<![\d.,])(19[5-9]\d|20[0-4]\d)(?![.,]\d|\d)")  # not "1.2019"
_DATED_YEAR = re.compile(  # "23 July 2025", "July 23, 2025", "June 2024"
    rf"\b{MONTH_NAME}\s+(?:\d{{1,2}},?\s+)?(19[5-9]\d|20[0-4]\d)\b"
)
_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_FULL_DATE = re.compile(  # "21 February 2025", "February 21, 2025": a day, not a month only
    rf"(?<![\w.,])(?:{_DAY}\s+{MONTH_NAME}\s+(?:19|20)\d\d|{MONTH_NAME}\s+{_DAY},\s+(?:19|20)\d\d)\b"
)
# A UN cover dates the document right under its distribution line ("Distr.: General" /
# "21 February 2025"); other reports give the first full date on their first page.
_DISTRIBUTION_DATE = re.compile(rf"Distr\.?:?\s*\w+\s+({_FULL_DATE.pattern})")
_RANGE_GOES_ON = re.compile(rf"\s*(?:-|–|—|to|and|until)\s*(?:{_FULL_DATE.pattern})")
_COVER_CHARS = 2000  # the first page's head: a date further down dates something else


def document_year(title: str, first_page: str, name: str = "") -> int | None:
    """The report's year: the latest year its title names ("Reform, 2019–2021" is of 2021),
    else its file name ("…_training_2011.txt"), else the latest date on its first page
    ("Distr.: General 23 July 2025"), else the latest year named there. Never a year after
    this one ("the 2030 Agenda"). The first year named is often the past a report recalls
    ("asked ODIHR … in 2003"), which would file it under the wrong year."""
    this_year = time.gmtime().tm_year

    def latest(years: Iterable[str]) -> int | None:
        past = [int(year) for year in years if int(year) <= this_year]
        return max(past) if past else None

    head = first_page[:_COVER_CHARS]
    return (
        latest(_YEAR.findall(title))
        or latest(_YEAR.findall(Path(name).stem))
        or latest(_DATED_YEAR.findall(head))
        or latest(_YEAR.findall(head))
    )


def issue_date(first_page: str) -> str | None:
    """The date a report's cover gives it: the date under a UN document's distribution line,
    else the first full date (day, month and year) at the head of its first page that
    does not open a period, as written ("21 February 2025"); None when there is none."""
    head = " ".join(first_page[:_COVER_CHARS].split())
    found = _DISTRIBUTION_DATE.search(head)
    if found:
        return found.group(1)
    # The first day of a period is not the report's date ("Biennial Report (19 April
    # 2023-9 April 2025)"): its last day is.
    for match in _FULL_DATE.finditer(head):
        if not _RANGE_GOES_ON.match(head, match.end()):
            return match.group()
    return None


def issue_day(first_page: str) -> date | None:
    """``issue_date`` as a date, to order reports of one year ("21 February 2025" before
    "11 June 2025"); None when the cover gives none."""
    written = issue_date(first_page)
    for layout in ("%d %B %Y", "%B %d, %Y"):
        try:
            return datetime.strptime(written or "", layout).date()
        except ValueError:
            continue
    return None


def shown_titles(titles: Mapping[int, str], first_pages: Mapping[int, str]) -> dict[int, str]:
    """The title to show for each report (by id) that shares its title with another: the
    title and its cover date, "…: Report of the Secretary-General, 21 February 2025". A
    report whose cover gives no date, or the same date as another of its title, keeps its
    title (its file name, shown beside it, tells it apart). Reports of a title of their own
    are left out."""
    by_title: dict[str, list[int]] = {}
    for document_id, title in titles.items():
        by_title.setdefault(title, []).append(document_id)
    shown: dict[int, str] = {}
    for title, ids in by_title.items():
        if len(ids) < 2:
            continue
        dates = {i: issue_date(first_pages.get(i, "")) for i in ids}
        for document_id, written in dates.items():
            if written and list(dates.values()).count(written) == 1:
                shown[document_id] = f"{title}, {written}"
    return shown


def own_title(shown: str) -> str:
    """A shown title without the cover date ``shown_titles`` added: the words the report's
    cover sets (what the collection's listing highlights on its first page)."""
    return re.sub(rf",\s+(?:{_FULL_DATE.pattern})$", "", shown)
