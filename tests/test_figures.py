"""What a question asks for and which figures a sentence states: a how-many question is
answered by a count, not by the day of a date or the number of a resolution."""

from __future__ import annotations

import pytest

from qa_assistant import Assistant
from qa_assistant.countries import countries_named
from qa_assistant.figures import (
    COUNTRY,
    DATE,
    DURATION,
    FUNDER,
    LABEL,
    MONEY,
    QUANTITY,
    SHARE,
    VOTE,
    asked_for,
    compared_years,
    counted_group,
    figures,
    holds,
    years,
)
from qa_assistant.indexer import update_index
from qa_assistant.reading import read_documents_inline
from qa_assistant.sentences import figure_request
from qa_assistant.table_rows import givers, tabled_sum_for


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How many Kosovo Police officers were certified?", QUANTITY),
        ("How much did the number of cases grow?", QUANTITY),
        ("How long could the police hold a suspect?", DURATION),
        ("And how much did that fund bring in from donors?", MONEY),
        ("What was UNMIK's approved budget for 2025?", MONEY),
        ("How many donors funded the programme?", QUANTITY),  # a count, not a sum
        ("What was the voter turnout in the municipal elections?", SHARE),
        ("What share of participants were women?", SHARE),
        ("When did the convention enter into force for Zimbabwe?", DATE),
        ("In what year did the Programme Office in Dushanbe open?", DATE),
        ("Where and when will ESCAP hold its eighty-second session?", DATE),
        ("What did the Appeals Chamber conclude?", None),
        ("What was the name of the operation?", None),
        ("Where was the training held?", None),
        ("Who funded the OSCE roundtable in Dushanbe?", FUNDER),
        ("Which donors provided the voluntary contributions?", FUNDER),
        ("Which organization financed the project?", FUNDER),
        ("Who funds the OSCE project for Uzbek diplomats?", FUNDER),
        ("Who pays for the helpline?", FUNDER),
        ("Who would have to pay for a session held in Suva?", FUNDER),
        ("Which government sponsors the seminar?", FUNDER),
        ("Who organized the training?", None),
        ("Which country became the sixtieth party?", COUNTRY),
        ("Which countries voted against the decision?", COUNTRY),
        ("What countries submitted the draft resolution?", COUNTRY),
        ("In which country is the fund helping to set up an outcomes fund?", COUNTRY),
        ("Which country's delegate presided over the session?", None),  # asks for a person
        ("Which country joined the trust fund, and how much did it put in?", MONEY),
        # an approximation asks for the same figure
        ("Roughly how many pensioners have gone unpaid?", QUANTITY),
        ("Approximately how much did the course cost?", MONEY),
        ("What fraction of the population lacks safe water?", SHARE),
        ("Roughly what fraction of Haiti's power comes from the dam?", SHARE),
        ("About the report: who wrote it?", None),
        # the question word after a fronted phrase
        ("In Haiti in 1997, how long could the police hold a suspect?", DURATION),
        ("Out of all the complaints decided, in how many was the treaty breached?", QUANTITY),
        ("In how many countries did UNICEF work on child protection?", QUANTITY),
        ("Because of the cash shortage, how much was the session cut back?", QUANTITY),
        ("Across how many police regions was the course rolled out?", QUANTITY),
        ("To how many States did the Committee send reminders?", QUANTITY),
        ("What did the Ambassador say, when asked about the budget?", None),  # no date asked
        ("What did the survey show about how many staff felt safe?", None),  # not its clause
        # a vote: a tally, not a date or a count ("When …, how did the vote go?")
        ("By what vote did the Commission reject the amendments?", VOTE),
        ("When the United States proposed it, how did the vote go?", VOTE),
        ("What was the vote on the resolution that created it?", VOTE),
        ("By how many votes did the Commission schedule carisoprodol?", VOTE),
        ("What share of the vote did the party win?", SHARE),
        ("How many votes in favour did decision A receive?", QUANTITY),
        ("When was the vote held?", DATE),
        # a clause opening with "When" before the question asks for no date
        ("When staff do report racism, who do they most often go to?", None),
        ("When the Mission opened, how many staff did it have?", QUANTITY),
        # how much time, notice or longer: a length of time
        ("How much notice must members give before a committee meets?", DURATION),
        ("How much longer did he propose keeping the mission?", DURATION),
        ("How much time do States have to reply?", DURATION),
        # "What about …?" swaps a thing of the earlier question; it asks for no figure
        ("What about the official rate?", None),
        ("What was the official rate?", SHARE),
    ],
)
def test_what_a_question_asks_for(question, kind):
    assert asked_for(question) == kind


def kinds(sentence: str) -> list[tuple[str, str]]:
    return [(figure.text, figure.kind) for figure in figures(sentence)]


def test_days_months_and_years_are_dates_not_counts():
    assert kinds("As at 2 May 2025, there were 175 States parties.") == [
        ("2", DATE),
        ("2025", DATE),
        ("175", QUANTITY),
    ]
    assert kinds("It opened on March 3, 2008.") == [("3", DATE), ("2008", DATE)]
    assert kinds("date 2024-10-07") == [("2024", DATE), ("10", DATE), ("07", DATE)]


def test_numbers_that_name_a_document_are_labels():
    assert kinds("under resolution 1244 (1999) and article 5") == [
        ("1244", LABEL),
        ("1999", DATE),
        ("5", LABEL),
    ]


def test_the_numbers_of_a_list_of_labels_are_labels():
    # "34" and "(1)" go on the list "rules 31 (2)" starts; the vote that follows counts.
    assert kinds("Under rules 31 (2) and 34 (1), 19 voted in favour") == [
        ("31", LABEL),
        ("2", LABEL),
        ("34", LABEL),
        ("1", LABEL),
        ("19", QUANTITY),
    ]
    assert kinds("articles 5 and 6; paragraph 4) 12 staff") == [
        ("5", LABEL),
        ("6", LABEL),
        ("4", LABEL),
        ("12", QUANTITY),
    ]


def test_numbers_of_a_document_symbol_are_labels():
    assert [f.kind for f in figures("the report (S/2008/692) and decisions 2015/2")] == [
        LABEL,
        LABEL,
        LABEL,
        LABEL,
    ]


def test_a_footnote_marker_glued_to_a_word_is_no_figure():
    assert kinds("the Convention against Torture.1 It") == []


def test_an_answer_holds_the_kind_of_figure_asked_for():
    assert holds("Some 135 complaints were pending consideration.", QUANTITY)
    assert holds("Two thirds of the participants were women.", QUANTITY)
    assert holds("UNICEF mobilized US$17.5 million.", QUANTITY)
    assert not holds("As at 2 May 2025, the Committee met under resolution 1244.", QUANTITY)
    assert holds("The Convention entered into force on 1 March 2025.", DATE)
    # the question's own figure answers nothing
    assert not holds("It trained some 320 teachers and parents.", QUANTITY, exclude={"320"})
    assert holds("Of the 320 trained, 140 were women.", QUANTITY, exclude={"320"})


def test_a_share_is_a_percentage_or_a_fraction():
    assert holds("Turnout was 47.3 per cent.", SHARE)
    assert holds("Women made up 41% of participants.", SHARE)
    assert holds("Two thirds of the staff responded.", SHARE)
    assert holds("About a third of the population lacks basic drinking water.", SHARE)
    assert not holds("Results were published for 56 municipalities.", SHARE)


def test_a_sum_of_money_has_a_currency_or_millions():
    assert holds("The Fund mobilized US$17.5 million.", MONEY)
    assert holds("It cost 2,500 euros.", MONEY)
    assert holds("A budget of 42 million was approved.", MONEY)
    assert not holds("EOF supports three outcomes funds in 12 countries.", MONEY)
    assert not holds("Some 135 complaints were pending consideration.", DATE)


def test_a_funder_is_named_with_who_paid():
    assert holds("The workshop was funded by the Government of Norway.", FUNDER)
    assert holds("It ran with financial support from Germany.", FUNDER)
    assert holds("The activities were funded through contributions from Germany.", FUNDER)
    assert holds("The EU-funded project trained 40 judges.", FUNDER)
    # contributions without a contributor name nobody
    assert not holds("Two large voluntary contributions the Seminar has secured.", FUNDER)
    assert not holds("The OSCE organized the roundtable in Dushanbe.", FUNDER)


def test_a_length_of_time_answers_how_long():
    assert holds("It will take a further 137 years to end extreme poverty.", DURATION)
    assert holds("Cases were closed in an average of 27.56 months.", DURATION)
    assert holds("The Office ran a five-day course in Varzob.", DURATION)
    assert holds("Suspects must be brought before a judge within 48 hours.", DURATION)
    # a count or a date is no length of time, nor is the question's own number
    assert not holds("340 million women will still live in extreme poverty by 2030.", DURATION)
    assert not holds("The course in 2024 trained 20 officers.", DURATION)
    assert not holds("It lasted 48 hours.", DURATION, {"48"})
    # how often is not how long; a period from one date to another is
    assert not holds("The Secretary-General reports every three months.", DURATION)
    assert holds("The session was held from 10 to 14 March 2025.", DURATION)
    assert holds("Between 5 October and 30 November 2023, the Mission trained 40.", DURATION)
    # how often, or "a day of action", is no length; a canal's length is one
    assert not holds("A day of action was held twice a year.", DURATION)
    assert holds("The rehabilitated canals span 22 km.", DURATION)


def test_a_vote_is_a_tally_or_a_decision_without_one():
    assert holds("It decided by 48 votes to none, with two abstentions, to include it.", VOTE)
    assert holds("It was rejected by a vote of 25 against to 12 in favour.", VOTE)
    assert holds("Both decisions were adopted by consensus.", VOTE)
    assert holds("The draft was adopted without a vote.", VOTE)
    assert holds("Of the members, 19 voted in favour and 2 voted against.", VOTE)
    # that a vote was held, or how one delegation voted, is not how the vote went
    assert not holds("The delegation had voted against the amendments.", VOTE)
    assert not holds("The United States called for a vote on the draft.", VOTE)
    # nor is a period or a range ("… 2024 to 4 April", "aged 5 to 17", "from 12 to 15")
    assert not holds("It covers events from 5 December 2024 to 4 April 2025.", VOTE)
    assert not holds("The session was held from 10 to 14 March 2025.", VOTE)
    assert not holds("Children aged 5 to 17 took part.", VOTE)
    assert not holds("Cases rose from 12 to 15.", VOTE)
    assert holds("She was elected with 120 votes.", VOTE)


def test_a_count_of_women_is_not_a_total():
    assert counted_group("How many of them were women?") == "women"
    assert counted_group("What share of the trainees were girls?") == "girls"
    assert counted_group("How many young women took part?") == "women"
    assert counted_group("How many of the civilians killed were children?") == "children"
    assert counted_group("How many people attended?") is None
    # women as an attribute: the comments are counted
    assert counted_group("What share of comments about women candidates were hate speech?") is None
    assert counted_group("Who trained the women leaders?") is None  # no count asked for
    for sentence in [
        "It is composed of 20 experts (7 women and 13 men).",
        "Twenty-four participants, 11 women and 13 men, completed the course.",
        "In 2020 it assisted 389 people, of whom 211 were women.",
        "Six of the participants were women.",
        "Women made up 45 per cent of the participants.",
        "At least 45 civilians were killed (30 children and 8 women).",
    ]:
        assert holds(sentence, QUANTITY, group=True), sentence
    assert not holds("It was attended by 153 participants from 50 States.", QUANTITY, group=True)
    assert not holds("It trained some 320 teachers and parents.", QUANTITY, group=True)
    # … a count of the group asked for, or of its other half; children are not women
    reached = "It reached nearly 7,200 teachers and 143,000 children."
    assert holds(reached, QUANTITY, group=True) and holds(reached, QUANTITY, group="children")
    assert not holds(reached, QUANTITY, group="women")
    assert holds("It trained 462 officers (406 men).", QUANTITY, group="women")
    assert holds("Of the 40 pupils, 22 were girls.", QUANTITY, group="boys")
    assert not holds("Of the 40 pupils, 22 were girls.", QUANTITY, group="men")


def test_the_first_day_of_a_range_is_part_of_a_date():
    for sentence in [
        "On 5 and 6 November 2024, the consultation was held in Dakar.",
        "From 5 to 19 January 2024 the Mission trained officers.",
        "On 5-6 November 2024 it met.",
    ]:
        assert [f.kind for f in figures(sentence)] == [DATE, DATE, DATE], sentence
        assert not holds(sentence, QUANTITY), sentence
    assert [f.kind for f in figures("It trained 5 to 19 officers.")] == [QUANTITY, QUANTITY]


def test_a_dollar_value_is_a_sum_of_money_and_years_are_read():
    assert asked_for("What was the total dollar value of the annual grants?") == MONEY
    assert asked_for("What was the number of money transfers?") == QUANTITY
    assert asked_for("What was the total value of the grants?") == QUANTITY
    assert years("In the 2024-2025 budget, as at 31 July 2024, 12 posts") == {"2024", "2025"}
    assert years("It trained 2,024 officers in resolution 2024 (2023)") == {"2023"}


def test_a_year_after_than_or_up_from_is_named_to_compare_with():
    assert compared_years("46.54 per cent, lower than in February 2021 (48.78 per cent).") == {
        "2021"
    }
    assert compared_years("17 million in 2024, up from 14 million in 2023.") == {"2023"}
    assert compared_years("In 2024 it rose from 2023 levels.") == set()  # no marker
    assert compared_years("More in 2024 than in 2024.") == set()  # its own year too
    # … or to date where a period starts, or a thing it names
    started = "It noted better prison conditions since the programme's inception early in 1995."
    assert compared_years(started) == {"1995"}
    assert compared_years("It served survivors of the 1994 genocide against the Tutsi.") == {"1994"}
    assert compared_years("In 2024, 94 new partnerships were set up.") == set()
    assert compared_years("Between 2023 and 2024, it doubled.") == set()


def test_a_country_question_is_answered_by_a_sentence_naming_a_country():
    for sentence in [
        "The draft resolution was submitted by Azerbaijan, Belarus and Türkiye.",
        "Against: Belarus, Russian Federation",
        "The Guard Unit is generously provided by the Government of Nepal.",
        "The Commission elected Italy as Chair.",
        "Turkey and Viet Nam abstained.",
        "It was signed by Côte d’Ivoire.",  # a curly apostrophe
        "Cote d'Ivoire joined in 2019.",  # no accent
        "The Federated States of Micronesia had submitted a written request.",
        "The Mission patrolled the whole territory of Kosovo.",
    ]:
        assert holds(sentence, COUNTRY), sentence
    assert not holds("The Commission elected its Chair by acclamation.", COUNTRY)
    assert not holds("The European Union and the OSCE organized it.", COUNTRY)
    assert not holds("Roast turkey was served with china plates.", COUNTRY)  # no capital


def test_the_country_a_question_names_itself_answers_nothing():
    question = "Which country newly gave money to the UN's special Afghan trust fund?"
    own = countries_named(question, by_people=True)
    assert own == {"Afghanistan"}
    assert not holds("The Special Trust Fund for Afghanistan received more.", COUNTRY, own)
    assert holds("The Republic of Korea joined as the fourteenth contributor.", COUNTRY, own)
    # … nor one its acronyms name: "UNSMIL" is the United Nations Support Mission in Libya
    question = "Which country provides the guard unit that protects the UNSMIL compound?"
    pair = ("UNSMIL", "United Nations Support Mission in Libya")
    _, own, _ = figure_request(question, [pair])
    assert "Libya" in own and not holds("UNSMIL in Libya met twice.", COUNTRY, own)
    assert holds("The unit is provided by the Government of Nepal.", COUNTRY, own)
    assert countries_named("the Ukrainian and Kosovar delegations", by_people=True) == {
        "Ukraine",
        "Kosovo",
    }
    # a country's name is read in its common forms, each as the reports name it
    assert countries_named("Russia, the UK and the United States of America") == {
        "Russian Federation",
        "United Kingdom",
        "United States",
    }
    assert countries_named("Guinea-Bissau, but not the Dominican Republic") == {
        "Guinea-Bissau",
        "Dominican Republic",
    }


TABLE = (
    "Top Global Education Thematic Fund partners by contributions received, 2024 "
    "Sector Donor Amount (US$)\nPublic\n"
)


def test_a_number_in_a_table_is_a_sum_when_the_table_states_its_currency():
    assert holds("Norway 4,678,581", MONEY, context=TABLE)
    assert holds("Sida – Sweden 3,399,709", MONEY, context=f"{TABLE}Norway 4,678,581\n")
    # without the heading, the same row is a number, not a sum
    assert not holds("Norway 4,678,581", MONEY)
    assert not holds("Norway 4,678,581", MONEY, context="Top donors by contributions\nPublic\n")
    for heading in [
        "Budget allocation (thousands of $)\n",
        "Expenditure by region (in US$ thousands)\n",
        "Contributions (€)\n",
        "Table 3 (Millions of United States dollars)\n",
        "Donor Contribution EUR\n",
    ]:
        assert holds("Norway 4,678", MONEY, context=heading), heading
    # a number on the heading's own line, after the currency
    assert holds("Budget allocation (thousands of $) 4 995 5 738", MONEY)


def test_years_labels_and_prose_below_a_currency_heading_are_no_sums():
    assert not holds("Annual report 2024", MONEY, context=TABLE)  # a year
    assert not holds("See table 12", MONEY, context=TABLE)  # a label
    assert not holds("Norway 4,678,581", MONEY, exclude={"4,678,581"}, context=TABLE)
    # a paragraph after the table ends it: its numbers are no sums
    paragraph = (
        "Thanks to these partners, the Fund reached children in many countries, as the "
        "following section describes in detail.\n"
    )
    assert not holds(
        "It reached 300 schools.", MONEY, context=f"{TABLE}Norway 4,678,581\n{paragraph}"
    )
    # a currency stated after the number does not reach back to it
    assert not holds("Norway 4,678,581", MONEY, context="") and not holds(
        "Norway 4,678,581 Amount (US$)", MONEY
    )


def test_a_table_row_gives_the_sum_for_the_name_it_opens_with():
    # "How much did Norway contribute …?" is answered by Norway's row, not Sweden's
    rows = f"{TABLE}Norway 4,678,581\n"
    assert tabled_sum_for("Norway 4,678,581", TABLE, ["Norway"])
    assert not tabled_sum_for("Sida – Sweden 3,399,709", rows, ["Norway"])
    assert tabled_sum_for(
        "Swedish Committee for UNICEF 2,710,131", rows, ["Swedish Committee for UNICEF"]
    )
    # a name only in the heading, or a row without a currency above it, gives no sum for it
    assert not tabled_sum_for("Sida – Sweden 3,399,709", rows, ["Global Education"])
    assert not tabled_sum_for("Norway 4,678,581", "Donors\n", ["Norway"])


FUND_REPORT = """Thematic Fund Spotlight Report 2024

In 2024, Norway reaffirmed its position as the leading public partner of the Thematic Fund, \
delivering flexible support to quality education in fragile contexts.

Top Thematic Fund partners by contributions received, 2024
Donor Amount (US$)
Norway 4,678,581
Sweden 3,399,709
Luxembourg 715,647

The draft resolution on school safety was submitted at the second meeting of the Board.
"""


@pytest.fixture(scope="module")
def fund_assistant(tmp_path_factory, real_embedder) -> Assistant:
    """A report whose donors' sums stand in a table, indexed with the real model."""
    root = tmp_path_factory.mktemp("fund")
    (root / "documents").mkdir()
    (root / "documents" / "thematic_fund_2024.txt").write_text(FUND_REPORT, encoding="utf-8")
    update_index(root / "documents", root / "index", real_embedder, reader=read_documents_inline)
    return Assistant(root / "index", embedder=real_embedder)


@pytest.mark.model
def test_a_sum_in_a_table_answers_how_much_the_donor_gave(fund_assistant):
    answer = fund_assistant.ask("How much did Norway contribute to the Thematic Fund in 2024?")
    assert answer.answered and answer.answer.startswith("Norway 4,678,581 [1]")
    assert "Sweden" not in answer.answer


@pytest.mark.model
def test_which_country_is_answered_only_by_a_sentence_naming_one(fund_assistant: Assistant):
    answer = fund_assistant.ask("Which country submitted the draft resolution on school safety?")
    assert not answer.answered and "name no country" in answer.answer
    answer = fund_assistant.ask("Which country is the leading public partner of the Thematic Fund?")
    assert answer.answered and answer.answer.startswith("In 2024, Norway reaffirmed")


def test_a_donors_row_is_the_one_that_ends_with_its_name():
    heading = "Sector Donor Amount (US$)\n"
    assert tabled_sum_for("Sida – Sweden 3,399,709", heading, ["Sweden"])
    assert tabled_sum_for("Norway 4,678,581", heading, ["the Government of Norway"])
    # a National Committee's row is the Committee's, not its country's
    assert not tabled_sum_for("Japan Committee for UNICEF 878,493", heading, ["Japan"])
    assert tabled_sum_for(
        "Japan Committee for UNICEF 878,493", heading, ["Japan Committee for UNICEF"]
    )


def test_the_giver_of_a_how_much_question_is_its_subject():
    names = ["Hungary", "Global Child Protection Thematic Fund"]
    asked = "How much did Hungary contribute to the Global Child Protection Thematic Fund?"
    assert givers(asked, names) == ["Hungary"]
    committee = "How much did the Korean Committee for UNICEF give to the Fund?"
    assert givers(committee, ["Korean Committee for UNICEF", "Fund"]) == [
        "Korean Committee for UNICEF"
    ]
    # no giver named that way: every name may be the one asked about
    assert givers("How much did the Fund raise from Hungary?", names) == names
