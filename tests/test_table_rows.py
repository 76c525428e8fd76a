"""How much a named donor gave: its row of a table of sums, not the total stated above the
table, even when the row stands in a window of the text after the table's heading."""

from __future__ import annotations

import pytest

from qa_assistant import Assistant
from qa_assistant.figures import MONEY, holds
from qa_assistant.indexer import update_index
from qa_assistant.reading import read_documents_inline
from qa_assistant.table_rows import row_for, sentence_after
from qa_assistant.types import PassageRow

HEADING = "Top Thematic Fund partners by contributions received, 2024 Sector Donor Amount (US$)\n"


def _window(ordinal: int, start: int, text: str) -> PassageRow:
    """A passage of one report: its text starts at offset ``start`` of the report's text."""
    return PassageRow(
        id=ordinal + 1,
        document_id=1,
        document="fund.pdf",
        title="Thematic Fund Report",
        ordinal=ordinal,
        start=start,
        end=start + len(text),
        page=3,
        page_spans=[(0, 3)],
        text=text,
    )


def _windows(report: str, cuts: list[tuple[int, int]]) -> list[PassageRow]:
    """Overlapping windows of ``report``, (start, end) each."""
    return [_window(n, a, report[a:b]) for n, (a, b) in enumerate(cuts)]


def test_a_long_line_of_two_rows_does_not_end_the_table():
    two_rows = (
        "Italian Committee for UNICEF – Foundation Onlus 458,837 Norwegian Committee for "
        "UNICEF 222,036\n"
    )
    assert len(two_rows) > 80
    assert holds("Korean Committee for UNICEF 177,855", MONEY, context=f"{HEADING}{two_rows}")
    # a paragraph still ends it
    paragraph = (
        "Thanks to these partners, the Fund reached children in 62 countries, as the next "
        "section describes.\n"
    )
    assert not holds("It reached 300 schools", MONEY, context=f"{HEADING}{paragraph}")


REPORT = (
    "In 2024, the Fund mobilized US$10.9 million from public and private partners.\n"
    f"{HEADING}"
    "Public\nNorway 4,678,581\nLuxembourg 715,647\nHungary 300,000\nPrivate\n"
    "Swedish Committee for UNICEF 2,710,131\nKorean Committee for UNICEF 177,855\n"
    "Luxembourg Committee for UNICEF 68,827\n"
)


def test_a_donors_row_is_found_in_the_window_a_table_runs_on_into():
    cut = REPORT.index("Hungary")
    windows = _windows(REPORT, [(0, cut + 16), (cut - 20, len(REPORT))])

    def following(passage: PassageRow, count: int) -> list[PassageRow]:
        return windows[passage.ordinal + 1 : passage.ordinal + 1 + count]

    row = row_for(["Korean Committee for UNICEF"], windows[:1], following)
    assert row is not None and row.text == "Korean Committee for UNICEF 177,855"
    assert row.passage.ordinal == 1 and row.base == 0 and HEADING in row.above
    # the Hungary row both windows hold is read from the first
    row = row_for(["Hungary"], windows[:1], following)
    assert row is not None and row.text == "Hungary 300,000" and row.passage.ordinal == 0
    # the row that names Luxembourg alone, not the Luxembourg Committee's
    row = row_for(["Luxembourg"], windows[:1], following)
    assert row is not None and row.text == "Luxembourg 715,647"
    # a name several rows write names none of them; one no row writes, none
    assert row_for(["UNICEF"], windows[:1], following) is None
    assert row_for(["Japan"], windows[:1], following) is None


def test_a_row_below_no_currency_heading_gives_no_sum():
    report = REPORT.replace(" Amount (US$)", "")
    windows = _windows(report, [(0, len(report))])
    assert row_for(["Hungary"], windows, lambda passage, count: []) is None


DONORS_REPORT = """Global Child Protection Thematic Fund Spotlight Report 2024

Financial results

Over the past three decades, the world has seen a steady strengthening of child protection, \
from increased birth registration to stronger social services. These achievements are the \
result of sustained investments by partners who chose to build national systems.

In 2024, the Global Child Protection Thematic Fund mobilized US$10.9 million in flexible, \
catalytic funding from committed public and private partners. UNICEF extends sincere thanks \
to the Governments of Sweden, Spain and Hungary, and to the National Committees that \
contributed to the Fund.

Top Global Child Protection Thematic Fund partners by contributions received, 2024 Sector \
Donor Amount (US$)
Public
Sweden 7,710,100
Spain 809,061
Hungary 300,000
Luxembourg 215,647
Private
Swedish Committee for UNICEF 390,034
Dutch Committee for UNICEF 305,540
Spanish Committee for UNICEF 264,852
Finnish Committee for UNICEF 249,683
Italian Committee for UNICEF 158,837
Norwegian Committee for UNICEF 122,036
Korean Committee for UNICEF 97,855
United States Fund for UNICEF 66,282
German Committee for UNICEF 42,632
Danish Foundation for UNICEF 32,995
Luxembourg Committee for UNICEF 18,827
French Committee for UNICEF 10,333
Portuguese Committee for UNICEF 7,694
Note: Numbers may not add up due to rounding.

Why flexible funding matters

Protecting children's rights is not a short-term project: it is a long-term commitment. \
Flexible, multi-year funding lets country offices strengthen protection systems where the \
need is greatest, respond early and build a safer future for every child.
"""


@pytest.fixture(scope="module")
def donors_assistant(tmp_path_factory, real_embedder) -> Assistant:
    """A report whose donors' table runs across windows, indexed with the real model."""
    root = tmp_path_factory.mktemp("donors")
    (root / "documents").mkdir()
    (root / "documents" / "child_protection_2024.txt").write_text(DONORS_REPORT, "utf-8")
    update_index(root / "documents", root / "index", real_embedder, reader=read_documents_inline)
    return Assistant(root / "index", embedder=real_embedder)


@pytest.mark.model
@pytest.mark.parametrize(
    ("donor", "row"),
    [
        ("Hungary", "Hungary 300,000"),
        ("Luxembourg", "Luxembourg 215,647"),
        ("the Korean Committee for UNICEF", "Korean Committee for UNICEF 97,855"),
    ],
)
def test_how_much_a_donor_gave_is_read_from_its_row(donors_assistant, donor, row):
    question = f"How much did {donor} contribute to the Global Child Protection Thematic Fund?"
    answer = donors_assistant.ask(question)
    # the donor's row first, not the Fund's total; the table's heading is no point
    assert answer.answered and answer.answer.startswith(f"{row} [1]"), answer.answer
    assert "Amount (US$)" not in answer.answer
    cited = answer.citations[0]
    assert row in [cited.text[a:b] for a, b in cited.highlight]


@pytest.mark.model
def test_the_funds_total_still_answers_how_much_it_mobilized(donors_assistant):
    answer = donors_assistant.ask(
        "How much did the Global Child Protection Thematic Fund mobilize?"
    )
    assert answer.answered and answer.answer.startswith("In 2024, the Global Child Protection")
    assert "US$10.9 million" in answer.answer


def test_the_sentence_after_the_last_of_a_window_is_read_from_the_next_window():
    report = (
        "In rural Mali, companies have created schemes to provide low cost electricity. "
        "More than 40,000 people have benefited from low cost electricity. "
        "A large company is investing in the ports."
    )
    cut = report.index("More")
    # windows that meet at a sentence, and windows that overlap by one sentence
    for cuts in ([(0, cut), (cut, len(report))], [(0, cut), (cut - 40, len(report))]):
        first, second = _windows(report, cuts)
        after = sentence_after(first, len(first.text.rstrip()), lambda p, n, s=second: [s])
        assert after is not None and after.passage is second
        assert after.text == "More than 40,000 people have benefited from low cost electricity."
    # not the passage's last sentence, or no window after it: nothing
    first, second = _windows(report, [(0, len(report)), (cut, len(report))])
    assert sentence_after(first, cut - 1, lambda p, n: [second]) is None
    assert sentence_after(second, len(second.text), lambda p, n: []) is None
