"""A report's year, its cover date, and the titles shown for reports that share one."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from qa_assistant import Assistant, FakeEmbedder, update_index
from qa_assistant.answer import AnswerParams
from qa_assistant.report_dates import (
    document_year,
    issue_date,
    issue_day,
    own_title,
    shown_titles,
)
from qa_assistant.store import Store

SERIES = "The situation in Afghanistan: Report of the Secretary-General"


@pytest.mark.parametrize(
    ("title", "first_page", "name", "year"),
    [
        # The latest year of the title: a report on 2019–2021 is of 2021.
        ("Supporting Uzbekistan's Anti-Trafficking Reform, 2019–2021", "In 2008 …", "", 2021),
        # Else the file name's year.
        ("OSCE Mission conducts training", "Kosovo's 2008 strategy …", "osce/sop_2011.txt", 2011),
        # Else the latest date on the first page, not the first year it recalls.
        ("Report", "States asked ODIHR in 2003. Distr.: General 23 July 2025 …", "a.pdf", 2025),
        ("Report", "TASHKENT, 19 September 2013 – the plan for 2015 …", "b.txt", 2013),
        # Else the latest year named there, never a year still to come.
        ("Note", "asked in 2003; Decision 9/09 of 2009; the 2023 figures; Agenda 2040", "", 2023),
        ("Note", "revision 1.2019, 2,019 people, page 2019.5", "c.pdf", None),
    ],
)
def test_a_report_is_filed_under_the_year_it_is_of(title, first_page, name, year):
    assert document_year(title, first_page, name) == year


@pytest.mark.parametrize(
    ("first_page", "date"),
    [
        # A UN cover: the date under the distribution line, not the symbol's numbers or
        # the date the report speaks of.
        (
            "United Nations A/79/797-S/2025/109\nGeneral Assembly\nDistr.: General\n"
            "21 February 2025\nOriginal: English\nreport on events of 3 January 2025",
            "21 February 2025",
        ),
        # Else the first full date at the head of the first page, as written.
        ("Workshops concluded on 19 October 2012 in Ferizaj/Uroševac.", "19 October 2012"),
        ("WASHINGTON, March 5, 2024 — The office", "March 5, 2024"),
        # A month and year is no date of issue; nor is a date far down the page.
        ("Annual report, June 2024. The Mission …", None),
        ("x " * 1200 + "on 2 May 2025", None),
        # a period's first day is not the report's date; its last day is
        ("Biennial Report (19 April 2023-9 April 2025) of the Commission", "9 April 2025"),
        ("Meeting of 01 May 2025, Vienna", "01 May 2025"),
    ],
)
def test_the_date_a_cover_gives_a_report(first_page, date):
    assert issue_date(first_page) == date


def test_a_cover_date_orders_reports_of_one_year():
    assert issue_day("Distr.: General 21 February 2025") == date(2025, 2, 21)
    assert issue_day("WASHINGTON, March 5, 2024 — The office") == date(2024, 3, 5)
    assert issue_day("Annual report, June 2024.") is None


def test_reports_of_one_title_are_shown_with_their_cover_dates():
    titles = {1: SERIES, 2: SERIES, 3: "Annual report", 4: "Hate crimes", 5: "Hate crimes"}
    first_pages = {
        1: "Distr.: General 21 February 2025",
        2: "Distr.: General 11 June 2025",
        3: "Distr.: General 1 May 2025",
        4: "Concluded on 19 October 2012.",
        5: "No date here.",
    }
    assert shown_titles(titles, first_pages) == {
        1: f"{SERIES}, 21 February 2025",
        2: f"{SERIES}, 11 June 2025",
        # A title of its own is left as it is; of two news items, the one without a date
        # keeps its title and its file name tells it apart.
        4: "Hate crimes, 19 October 2012",
    }
    # Two covers of the same date tell nothing apart: both keep their title.
    assert shown_titles({1: SERIES, 2: SERIES}, {1: "21 May 2025", 2: "21 May 2025"}) == {}


def test_a_shown_title_is_the_cover_title_and_its_date():
    assert own_title(f"{SERIES}, 21 February 2025") == SERIES
    assert own_title("Hate crimes, 19 October 2012") == "Hate crimes"
    assert own_title(SERIES) == SERIES


def _reader(paths):
    """Text files, pages split on form feeds; the first line is the title."""
    from qa_assistant.types import PageText, ReadDocument

    for path in paths:
        text = Path(path).read_text(encoding="utf-8")
        pages = [PageText(n, page) for n, page in enumerate(text.split("\f"), start=1)]
        yield path, ReadDocument(pages, text.splitlines()[0])


def test_citations_and_listings_tell_two_reports_of_one_title_apart(tmp_path):
    documents, index_dir = tmp_path / "documents", tmp_path / "index"
    documents.mkdir()
    for name, cover, paid in [("feb.txt", "21 February 2025", 170), ("jun.txt", "11 June 2025", 9)]:
        (documents / name).write_text(
            f"{SERIES}\nDistr.: General {cover}\nSome {paid} civil service retirees were paid.",
            encoding="utf-8",
        )
    (documents / "other.txt").write_text("Budget note\nThe budget rose in 2024.", "utf-8")
    update_index(documents, index_dir, FakeEmbedder(), reader=_reader)

    assistant = Assistant(index_dir, embedder=FakeEmbedder())
    listed = {d.path: d.title for d in assistant.documents()}
    assert listed == {
        "feb.txt": f"{SERIES}, 21 February 2025",
        "jun.txt": f"{SERIES}, 11 June 2025",
        "other.txt": "Budget note",
    }
    answer = assistant.ask("How many civil service retirees were paid?")
    cited = {c.document: c.title for c in answer.citations}
    assert cited["feb.txt"].endswith("21 February 2025")
    assert cited["jun.txt"].endswith("11 June 2025")

    # When one of them goes, the other's title is its own again.
    (documents / "jun.txt").unlink()
    update_index(documents, index_dir, FakeEmbedder(), reader=_reader)
    store = Store.open_current(index_dir)
    assert {d.path: d.title for d in store.documents()}["feb.txt"] == SERIES


def test_a_question_naming_a_report_of_a_series_is_answered_from_it(tmp_path):
    # A suggested question quotes the shown title, cover date and all; the date names the
    # report, it is not a figure the answering page must show.
    documents, index_dir = tmp_path / "documents", tmp_path / "index"
    documents.mkdir()
    for name, cover, paid in [("feb.txt", "21 February 2025", 170), ("jun.txt", "11 June 2025", 9)]:
        (documents / name).write_text(
            f"{SERIES}\nDistr.: General {cover}\n\f"
            + "The Mission met officials in every province. " * 40
            + f"\f\fApproximately {paid},000 civil service retirees have not been paid.",
            encoding="utf-8",
        )
    update_index(documents, index_dir, FakeEmbedder(), reader=_reader)
    # The fake encoder's scores are noise: no threshold, so only the checks decide.
    loose = AnswerParams(answer_threshold=0.0)
    assistant = Assistant(index_dir, embedder=FakeEmbedder(), answering=loose)
    answer = assistant.ask(f"How many retirees were unpaid, per “{SERIES}, 21 February 2025”?")
    assert answer.answered, answer.answer
    assert {c.document for c in answer.citations} == {"feb.txt"}
    assert answer.citations[0].page == 4 and "170,000" in answer.answer
    # … also with the report chosen in the filters, and typed in lower case
    typed = f"How many retirees were unpaid, per “{SERIES.lower()}, 21 february 2025”?"
    kept = assistant.ask(typed, documents=["feb.txt"])
    assert kept.answered and "170,000" in kept.answer, kept.answer
    store = Store.open_current(index_dir)
    assert store.undated(typed, store.document_ids(["feb.txt"])) == (
        f"How many retirees were unpaid, per “{SERIES.lower()}”?"
    )
