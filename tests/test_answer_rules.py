"""The rules that decide whether the reports answer, and how much a follow-up leans back.

Pure functions, no model: what a near miss is ("…budget for 2026?" on a page about 2025),
and when an earlier question should pull on the new one.
"""

from __future__ import annotations

from qa_assistant.lexical import query_terms, stem_key
from qa_assistant.name_lookup import NameLookup, named_reports, ordinal_words, report_titles
from qa_assistant.pins import constraints, unmet_constraints
from qa_assistant.replies import listed_sources as _listed
from qa_assistant.retrieval import Query, RetrievalParams
from qa_assistant.sentences import (
    counted_words,
    counts_asked,
    echoes,
    is_broad,
    is_heading,
    says_something,
)
from qa_assistant.types import Citation, DocumentInfo, GlossaryEntry


def _words(question: str) -> list[str]:
    return [" ".join(c.words) for c in constraints(question)]


def test_constraints_are_the_questions_names_and_numbers():
    assert _words("What was UNMIK's approved budget for 2025?") == ["UNMIK", "2025"]
    assert _words(
        "How many field operations did the European Union Rule of Law Mission's team support?"
    ) == ["European Union Rule of Law Mission"]
    # The opening word is capitalised by grammar, not because it is a name.
    assert _words("When did the OSCE open its office?") == ["OSCE"]
    # Only the capitalised part of a compound counts.
    assert _words("Who joined the UNMIK-backed projects?") == ["UNMIK"]
    assert _words("how many trainers were certified?") == []
    assert _words("Where can I find the OMIK budget?") == ["OMIK"]  # "I" names nothing


def test_a_number_the_page_does_not_show_is_a_near_miss():
    page = "In 2025 the Fund mobilized US$10.9 million for child protection in 40 countries."
    question = "How much did the Fund mobilize for child protection in 2026?"
    assert unmet_constraints(question, page) == ["2026"]
    assert unmet_constraints(question.replace("2026", "2025"), page) == []


def test_a_number_with_separators_is_one_pin():
    question = "A kilo that costs $1,000 in Colombia sells for how much in Haiti?"
    assert _words(question) == ["1,000", "Colombia", "Haiti"]
    page = "Cocaine selling for $1,000 per kilogram in Colombia fetches $5,000 in Haiti."
    assert unmet_constraints(question, page) == []
    assert _words("Did 2.5 million people vote in 2024?") == ["2.5", "2024"]
    assert unmet_constraints("Was it 2.5 million?", "Some 2.5 million were counted.") == []


def test_a_number_that_only_names_the_source_need_only_be_in_the_report():
    question = "What share of labour income goes to women, according to the Beijing+30 review?"
    page = "Women earned just over one third (34.7 per cent) of labour income."
    assert unmet_constraints(question, page) == ["Beijing", "30"]
    in_report = {"Beijing", "30"}.__contains__  # the report's own words
    assert unmet_constraints(question, page, in_document=in_report) == []
    # a number the question asks about must still be on the page
    question = "How many women earned labour income in 2030, according to the review?"
    assert unmet_constraints(question, page, in_document={"2030"}.__contains__) == ["2030"]


def test_a_name_needs_half_its_words_on_the_page_or_in_the_report():
    page = "The EU Rule of Law Mission supported two field operations of the forensic team."
    assert unmet_constraints("What did the European Union Rule of Law Mission do?", page) == []
    assert unmet_constraints("How much did Norway contribute?", page) == ["Norway"]
    in_report = {"norway"}.__contains__
    assert (
        unmet_constraints(
            "How much did Norway contribute?",
            page,
            in_document=lambda text: in_report(text.lower()),
        )
        == []
    )


def test_a_name_needs_the_part_that_tells_it_from_its_kin():
    """Half the words of "the Special Representative for Haiti" are on a page about another
    Special Representative: the place after "for" / "in" / "to" must be there too."""
    page = (
        "Ms. Margareta Wahlström, Special Representative of the Secretary-General for "
        "Disaster Risk Reduction, spoke at table 24."
    )
    question = "Who is the Secretary-General's Special Representative for Haiti?"
    assert unmet_constraints(question, page) == [
        "Secretary General Special Representative for Haiti"
    ]
    kosovo = "The Head of the OSCE Mission in Kosovo opened the workshop in Pristina."
    assert unmet_constraints("What did the Head of the OSCE Mission to Serbia say?", kosovo)
    assert unmet_constraints("What did the Head of the OSCE Mission in Kosovo say?", kosovo) == []
    # The name in the report still counts, and a month after "in" names a time, not a place.
    in_report = lambda name: "Serbia" in name  # noqa: E731 (a report that names it)
    serbia = "What did the Head of the OSCE Mission to Serbia say?"
    assert unmet_constraints(serbia, kosovo, in_document=in_report) == []
    assert unmet_constraints("What did Kosovo in March report?", kosovo) == []


def test_a_name_counts_only_where_it_is_written_as_one():
    # The French month "mars" is not the planet the question names.
    page = "Conférence des Nations Unies, Vienne, 26 mars–24 mai 1968, Documents officiels."
    assert unmet_constraints("What is the population of Mars?", page) == ["Mars"]
    assert unmet_constraints("What did the conference in Vienne decide?", page) == []
    assert unmet_constraints("What happened at TASHKENT?", "TASHKENT, 19 September") == []


def test_a_glossary_pair_counts_when_either_form_is_on_the_page():
    page = "UNDP supported 14 million women in 2024."
    question = "How many women did the United Nations Development Programme support in 2024?"
    assert unmet_constraints(question, page) == ["United Nations Development Programme"]
    pairs = [("United Nations Development Programme", "UNDP")]
    assert unmet_constraints(question, page, pairs) == []


def test_an_acronym_is_met_by_its_name_spelled_out_on_the_page():
    # A report that says "Commission on Narcotic Drugs" and never "CND" still answers.
    page = "The Commission on Narcotic Drugs held its sixty-eighth session from 10 to 14 March."
    assert unmet_constraints("When did the CND hold its sixty-eighth session?", page) == []
    other = "The International Law Commission held its sixty-eighth session in 2016."
    assert unmet_constraints("When did the CND hold its sixty-eighth session?", other) == ["CND"]
    page = "The Programme Office in Dushanbe trained 20 teachers."
    assert unmet_constraints("How many teachers did POiD train?", page) == []
    # a connector may give a letter ("of" in AOSIS), or be passed over ("in" in ISIL)
    page = "The Alliance of Small Island States adopted a declaration in September 2024."
    assert unmet_constraints("When did AOSIS adopt its declaration?", page) == []
    page = "The Islamic State in Iraq and the Levant claimed 12 attacks."
    assert unmet_constraints("How many attacks did ISIL claim?", page) == []
    assert unmet_constraints("How many attacks did ISIS claim?", page) == ["ISIS"]


def test_an_acronym_is_met_by_a_lower_case_word_hyphenated_names_or_a_plural():
    # a lower-case word inside the name gives its letter ("against")
    page = (
        "There were 94 States Parties to the Optional Protocol to the Convention against Torture."
    )
    assert unmet_constraints("How many parties did OPCAT have?", page) == []
    page = "There were 94 States Parties to the Optional Protocol to the Convention."
    assert unmet_constraints("How many parties did OPCAT have?", page) == ["OPCAT"]
    # the parts of a hyphenated name, broken at the end of a line or not
    page = "Construction of the Turkmenistan-Afghanistan- Pakistan-India gas pipeline began."
    assert unmet_constraints("When did work on the TAPI pipeline start?", page) == []
    # four lower-case words in a row for a plural acronym; three are too often met by chance
    page = "The travel rule requires virtual asset service providers to share information."
    assert unmet_constraints("What must VASPs share under the travel rule?", page) == []
    page = "The Office held a new regional meeting on trafficking."
    assert unmet_constraints("When did the NRM meet?", page) == ["NRM"]


def test_a_country_named_by_its_people_is_shown_by_its_name():
    page = "In Egypt, bank account ownership among women increased by 260 per cent."
    asked = "By how much did the number of Egyptian women with a bank account grow?"
    assert unmet_constraints(asked, page) == []
    page = "Haitian authorities reported 40 cases."
    assert unmet_constraints("How many cases did Haiti report?", page) == []
    page = "Australian officials reported 40 cases."
    assert unmet_constraints("How many cases did Austria report?", page) == ["Austria"]


def test_a_country_named_as_the_reports_do_not_name_it_is_matched_and_searched():
    lookup = NameLookup.build([], [])
    question = "At which meeting did Turkey's minister speak?"
    pairs = lookup.equivalents(question)
    assert pairs == [("Turkey", "Türkiye")]
    page = "The Minister of Family and Social Services of Türkiye made a presentation."
    assert unmet_constraints(question, page) == ["Turkey"]
    assert unmet_constraints(question, page, pairs) == []
    # and back: an older text may write "Turkey"; the reports' own name finds it
    assert lookup.equivalents("What did Türkiye pledge?") == [("Türkiye", "Turkey")]
    assert lookup.equivalents("What did Russia say?") == [("Russia", "Russian Federation")]
    # a form the other holds needs no pair; "Korea" names two countries; "UK" adds nothing
    assert lookup.equivalents("What did Moldova and Korea say?") == []
    assert lookup.equivalents("What did the United Kingdom give?") == [
        ("United Kingdom", "Great Britain")
    ]
    # "the US" is the United States; "US$" is a currency
    assert lookup.equivalents("Which tariffs did the US announce?") == [("US", "United States")]
    assert lookup.equivalents("Was it worth US$3.5 million?") == []


def test_a_people_whose_word_does_not_start_its_countrys_name_is_shown_by_the_country():
    question = "How many cooperatives did UNDP help set up in the Mexican state of Morelos?"
    page = "In the state of Morelos, Mexico, UNDP helped create 18 cooperatives of women."
    assert unmet_constraints(question, page) == []
    page = "In the state of Morelos, UNDP helped create 18 cooperatives of women."
    assert unmet_constraints(question, page) == ["Mexican"]
    page = "A statement was delivered by the Prime Minister of Thailand."
    assert unmet_constraints("What did the Thai prime minister say?", page) == []
    # … and not by another country
    assert unmet_constraints("What did the Irish minister say?", page) == ["Irish"]


def test_a_body_named_by_what_its_older_acronym_no_longer_spells_is_shown():
    question = "Which UNFPA official gave the opening remarks?"
    page = "Opening remarks by the Executive Director of the United Nations\nPopulation Fund."
    assert unmet_constraints(question, page) == []
    assert unmet_constraints(question, "Opening remarks by UN-Habitat.") == ["UNFPA"]
    page = "The Kosovo Force continued to secure the Visoki Dečani Monastery."
    assert unmet_constraints("Does KFOR still guard the monastery?", page) == []


def test_a_session_written_as_staff_write_it_is_searched_and_matched_as_the_reports_write_it():
    lookup = NameLookup.build([], [])
    question = "Who chaired the CSW69 youth dialogue?"
    pairs = lookup.equivalents(question)
    assert ("CSW69", "sixty-ninth session") in pairs
    assert ("CSW69", "CSW sixty-ninth session") in pairs  # searched with the body's acronym
    page = "At its sixty-ninth session, the Commission held a youth dialogue."
    assert unmet_constraints(question, page) == ["CSW69"]
    assert unmet_constraints(question, page, pairs) == []
    assert lookup.equivalents("What did the CND68 decide?")[0] == ("CND68", "sixty-eighth session")
    assert [ordinal_words(n) for n in (1, 12, 20, 40, 71, 99)] == [
        "first", "twelfth", "twentieth", "fortieth", "seventy-first", "ninety-ninth"
    ]  # fmt: skip
    # a number apart, a hyphenated model name or a unit of two letters is no session
    for text in ("How many of the OSCE 57 States?", "Were WASR-10 rifles seized?", "The G20?"):
        assert lookup.equivalents(text) == [], text


def test_accents_and_spelling_variants_match():
    page = "An incident at the cemetery in Obiliq/Obilić was reported in Prishtinë/Priština."
    assert unmet_constraints("What happened in Obilic and Pristina?", page) == []


def test_a_question_that_points_back_leans_on_the_earlier_one():
    params = RetrievalParams(history_weight=0.35, dependent_history_weight=1.0)
    earlier = ["How many police officers graduated from the Academy in January 2025?"]
    leaning = [
        "And how many of them were women?",
        "Where was it held?",
        "What about Prizren?",
        "Women?",
    ]
    for text in leaning:
        query = Query(text, history=earlier)
        assert query.leans_on_history(), text
        assert query.history_weight(params) == 1.0
    standalone = Query("What did UNODC do against corruption in Haiti in 2024?", history=earlier)
    assert not standalone.leans_on_history()
    assert standalone.history_weight(params) == 0.35
    assert Query("Where was it held?").history_weight(params) == 0.0  # nothing to lean on


def test_a_question_naming_again_what_the_earlier_one_named_leans_on_it():
    earlier = ["In which regions of Tajikistan did the OSCE run its 2019 courses for youth?"]
    # "the courses" are the earlier question's courses
    assert Query("Over what dates were the courses held?", history=earlier).leans_on_history()
    assert Query("Who taught each course?", history=earlier).leans_on_history()
    assert Query("The courses lasted how long?", history=earlier).leans_on_history()
    # a new thing, or a word that only locates ("the first time"), leans on nothing
    for text in (
        "Over what dates were the elections held?",
        "When did the first woman mayor take office in Libya?",
        "How many of the Tajik regions border Afghanistan?",  # a name of its own after "the"
    ):
        assert not Query(text, history=earlier).leans_on_history(), text


def test_footnotes_sources_and_self_descriptions_are_references():
    from qa_assistant.sentences import is_reference

    references = [
        "16 For further details, see Financial Action Task Force, “Targeted update”, June 2024.",
        "229 Ibid (accessed December 2024).",
        "201 See UN-Women, “Women political leaders 2024”, poster, January 2024.",
        "The present report is submitted pursuant to Security Council resolution 1244 (1999).",
        "https://www.osce.org/programme-office-in-dushanbe/563",
        # a footnote as PDF text gives it: the bare number, then its text
        "34 The High Commissioner observed that firearms are also sold by security companies.",
        "108 United Nations Population Fund (UNFPA), State of World Population 2023.",
        # a document describing itself, in the words of three tuning-set answers
        "This complementary file provides 30 documents that support the evidence of the Note.",
        "The present document contains the report on the sixty-eighth session of the Commission.",
        "The present report, submitted pursuant to General Assembly resolution 48/141, contains "
        "an overview of the work of the Office.",
        # a figure's source line, quoted once as the answer to a question on growth
        "Source: United Nations, Department of Economic and Social Affairs, based on estimates "
        "and forecasts produced with the World Economic Forecasting Model.",
        # a UN cover's asterisk note, once the answer to a question on the 2025 forecast
        "* The present document updates World Economic Situation and Prospects 2025 (United "
        "Nations publication, Sales No. E.25.II.C.1), released in January 2025.",
        "** One of the overdue recommendations was closed in the first quarter of 2025.",
    ]
    answers = [
        "The main source of funding for the shelters was the Government of Norway.",
        "In 2024, 17 million women in 45 countries gained access to clean energy.",
        "The report found that one in five staff had experienced racial discrimination.",
        "34. The Mission trained 20 judges in Prishtinë.",  # a numbered paragraph
        "1 March 2025 marked the entry into force of the Convention for Zimbabwe.",
        "5 * 3 = 15 officers took part.",  # an asterisk that is no note
        # A text file's source line that runs into its first sentence still answers.
        "https://example.org/article/1 date 2024-10-07 Between 11 September and 4 October the "
        "Office trained 104 participants (63 men, 41 women) on the National Referral Mechanism.",
    ]
    assert all(is_reference(s) for s in references)
    assert not any(is_reference(s) for s in answers)


def test_the_reports_dont_say_names_what_the_closest_passages_lack():
    from qa_assistant.replies import NO_ANSWER_TEXT, no_answer_text

    assert no_answer_text() == NO_ANSWER_TEXT
    text = no_answer_text("The closest passages are on the topic but give no sum of money.")
    assert text.startswith("The reports don't say.") and "no sum of money" in text


def test_a_sentence_across_a_page_break_is_cited_by_the_page_holding_most_of_it():
    from qa_assistant.types import page_of_span

    spans = [(0, 27), (277, 28)]  # the passage's text from offset 277 is on page 28
    # "The aggregate value" ends page 27; the other 201 characters stand on page 28
    assert page_of_span(spans, 257, 478) == 28
    assert page_of_span(spans, 200, 300) == 27
    assert page_of_span(spans, 0, 100) == 27 and page_of_span(spans, 300, 400) == 28
    assert page_of_span([(0, 1), (10, 2), (20, 3)], 5, 25) == 2


def test_a_broad_question_asks_for_an_account_not_a_fact():
    for question in [
        "What does the OSCE Mission in Kosovo do to fight human trafficking?",
        "How does UNDP support women's participation in elections?",
        "How has the Mission helped police deal with hate crimes?",
        "What role do private security companies play in arms trafficking?",
        "What did the conference recommend on terrorism financing?",
        "What are the main points of “Addressing Hate Crime in Kosovo”?",
        "What were the key findings of the review?",
        "Summarize the report on the Staff College.",
        "Give me an overview of the 2023 training.",
    ]:
        assert is_broad(question), question
    for question in [
        "How many officers were trained?",
        "How does that compare with the year before?",
        "What did the Appeals Chamber conclude?",
        "When did the convention take effect?",
        "Who funded the workshop?",
    ]:
        assert not is_broad(question), question


def _report(path: str, title: str) -> DocumentInfo:
    return DocumentInfo(path, title, 1, 1, None, 1, "")


def test_a_question_names_a_report_by_its_whole_title():
    titles = report_titles(
        [
            _report("kosovo.pdf", "Addressing Hate Crime in Kosovo: Training for Police, 2024"),
            _report("bmsc.pdf", "Staff Course 2022"),
            _report("a.pdf", "Report of the Secretary-General"),
            _report("b.pdf", "Report of the Secretary-General"),
        ]
    )
    asked = (
        "What are the main points of “Addressing Hate Crime in Kosovo: Training for Police, 2024”?"
    )
    assert named_reports(asked, titles) == ["kosovo.pdf"]
    # spelled out without quotes, in other case and punctuation: five words or more suffice
    asked = "main points of addressing hate crime in kosovo - training for police 2024"
    assert named_reports(asked, titles) == ["kosovo.pdf"]
    asked = "What did Addressing Hate Crime in Kosovo: Training for Police, 2024 find?"
    assert named_reports(asked, titles) == ["kosovo.pdf"]
    # a short title only when quoted; a title two reports share never
    assert named_reports("What did the Staff Course 2022 teach?", titles) == []
    assert named_reports("What did “Staff Course 2022” teach?", titles) == ["bmsc.pdf"]
    asked = "What does the “Report of the Secretary-General” say about Libya?"
    assert named_reports(asked, titles) == []
    # part of a title names nothing
    assert named_reports("How is hate crime addressed in Kosovo?", titles) == []


def test_a_body_named_in_a_question_does_not_name_the_report_titled_by_it_alone():
    titles = report_titles(
        [
            _report("csw_note.pdf", "Commission on the Status of Women"),
            _report("csw_report.pdf", "Report of the Commission on the Status of Women"),
        ]
    )
    asked = "How many meetings did the Commission on the Status of Women hold in 2025?"
    assert named_reports(asked, titles) == []  # the Commission's, not one document's
    asked = "What are the main points of the Report of the Commission on the Status of Women?"
    assert named_reports(asked, titles) == ["csw_report.pdf"]


def test_a_sentence_that_only_repeats_the_question_echoes_it():
    question = "What are the main points of “Preventing Violent Extremism in Tajikistan, 2023”?"
    asked = {stem_key(t) for t in query_terms(question)}
    assert echoes("Preventing Violent Extremism in Tajikistan, 2023", asked)
    assert echoes("Preventing Violent Extremism in Tajikistan, 2023 Purpose of this report", asked)
    assert not echoes(
        "The Office trained 24 teachers in Tajikistan to prevent violent extremism in 2023.", asked
    )
    # a full sentence restating the question answers it ("Did … ?")
    assert not echoes("Preventing violent extremism in Tajikistan continued in 2023.", asked)
    when = {stem_key(t) for t in query_terms("When did the Office open?")}
    assert not echoes("The Office opened in 2009.", when)
    # an infographic's line states its figure, though it has no full stop
    hiv = {stem_key(t) for t in query_terms("How many new HIV infections were averted?")}
    assert not echoes("422,000 New HIV infections averted*", hiv)


def test_a_line_that_opens_with_a_figure_states_it_and_is_no_heading():
    for line in [
        "49.2 million Unintended pregnancies averted*",
        "Over 200,000 Midwives empowered through training",
        "69.5% of the population was counted",
        "$4.2 million Cash advances",
    ]:
        assert not is_heading(line), line
    for line in ["2024 Annual Report", "2.1 Methodology", "1. Introduction", "65 countries"]:
        assert is_heading(line), line


def _cited(*places: tuple[str, int]) -> list[Citation]:
    return [
        Citation(n=n, document=document, page=page, text="", highlight=[], score=0.0, passage_id=n)
        for n, (document, page) in enumerate(places, start=1)
    ]


def _places(citations: list[Citation]) -> list[tuple[int, str, int, int]]:
    return [(c.n, c.document, c.page, c.passage_id) for c in citations]


def test_a_second_passage_on_a_cited_page_follows_the_other_pages():
    citations = _cited(("a.pdf", 6), ("a.pdf", 6), ("b.pdf", 73), ("a.pdf", 4), ("a.pdf", 6))
    listed = _listed(citations, quoted=[1], top_k=4, one_per_page=True)
    # Numbered anew; the page-6 repeats come last, and the fourth place goes to one of them.
    assert _places(listed) == [
        (1, "a.pdf", 6, 1),
        (2, "b.pdf", 73, 3),
        (3, "a.pdf", 4, 4),
        (4, "a.pdf", 6, 2),
    ]


def test_a_quoted_passage_keeps_its_place_and_a_text_file_has_no_pages():
    citations = _cited(("a.pdf", 6), ("a.pdf", 6), ("b.pdf", 73))
    assert [c.passage_id for c in _listed(citations, [1, 2], 3, True)] == [1, 2, 3]
    texts = _cited(("notes.txt", 1), ("notes.txt", 1), ("b.pdf", 73))
    assert [c.passage_id for c in _listed(texts, [1], 3, True)] == [1, 2, 3]
    off = _cited(("a.pdf", 6), ("a.pdf", 6), ("b.pdf", 73))
    assert [c.passage_id for c in _listed(off, [1], 2, False)] == [1, 2]


def test_the_passage_of_the_sentence_read_first_is_cited_first():
    # The best sentence lacked the figure asked for; the third passage's states it and is
    # read first, so that passage becomes [1] and the best one [2].
    citations = _cited(("a.pdf", 5), ("a.pdf", 1), ("a.pdf", 14), ("a.pdf", 3))
    listed = _listed(citations, [3, 1], 4, True)
    assert [(c.n, c.page) for c in listed] == [(1, 14), (2, 5), (3, 1), (4, 3)]


def test_a_second_window_highlighting_the_same_sentence_follows_the_others():
    # Two overlapping windows of a text file both hold the sentence that answers best.
    citations = _cited(("notes.md", 1), ("notes.md", 1), ("notes.md", 1), ("b.pdf", 2))
    texts = ["Intro. It trained 75 officers.", "It trained 75 officers. Then.", "Other.", "Page."]
    spans = [(7, 30), (0, 23), (0, 6), (0, 5)]
    for citation, text, span in zip(citations, texts, spans, strict=True):
        citation.text, citation.highlight = text, [span]
    assert [c.passage_id for c in _listed(citations, [1], 4, True)] == [1, 3, 4, 2]


def test_a_how_many_question_counts_the_words_right_after_how_many():
    question = "How many police officers and prosecutors took part in the workshops?"
    assert counted_words(question) == {stem_key(w) for w in ("police", "officers", "prosecutors")}
    question = "How many of the new matters were closed?"
    assert counted_words(question) == {stem_key("new"), stem_key("matters")}
    assert counted_words("How many of them were women?") == set()  # figures.counted_group
    assert counted_words("What did the workshops cover?") == set()


def test_a_sentence_counts_what_was_asked_when_a_number_comes_right_before_it():
    counted = counted_words("How many police officers and prosecutors took part?")
    sentence = "The cycle reached 186 participants: 151 officers and 35 prosecutors."
    assert counts_asked(sentence, counted, set())
    assert counts_asked("Some forty-two prosecutors attended.", counted, set())
    assert not counts_asked("It ran a cycle of nine two-day workshops.", counted, set())
    assert not counts_asked("Police officers attended 12 sessions.", counted, set())
    # the question's own number is not an answer
    question = "How many officers were trained in 2024?"
    assert not counts_asked("In 2024 officers were trained.", counted_words(question), {"2024"})
    # nor is a year or a label the question does not name: they count nothing
    counted = counted_words("How many officers were trained?")
    assert not counts_asked("In 2023 officers were trained.", counted, set())
    assert not counts_asked("Under resolution 2719 officers were trained.", counted, set())
    assert counts_asked("In 2023, 40 officers were trained.", counted, set())


def test_a_footnotes_bare_number_is_no_point_to_quote():
    assert not says_something("43.")
    assert not says_something("Ibid., p. 4.")
    assert says_something("Feedback forms were returned by 172 of the 186 participants.")


def test_an_acronym_is_known_by_its_singular_or_plural_too():
    def entry(acronym: str, expansion: str) -> GlossaryEntry:
        return GlossaryEntry(acronym, expansion, ("a.txt",), 1)

    lookup = NameLookup.build(
        [
            entry("NRMs", "National Referral Mechanisms"),
            entry("NGO", "non-governmental organization"),
            entry("NGOs", "non-governmental organizations (as a report defines them)"),
        ],
        [],
    )
    asked = "How many women took part in the NRM trainings?"
    assert lookup.equivalents(asked) == [("NRM", "National Referral Mechanisms")]
    # a form a report defines itself keeps its own entry
    assert lookup.equivalents("Which NGOs took part?")[0][1].endswith("defines them)")


def test_a_question_typed_without_capitals_still_names_its_acronyms():
    lookup = NameLookup.build(
        [
            GlossaryEntry("ODIHR", "Office for Democratic Institutions and Human Rights", (), 3),
            GlossaryEntry("WHO", "World Health Organization", (), 9),
        ],
        [],
    )
    odihr = ("odihr", "Office for Democratic Institutions and Human Rights")
    assert lookup.equivalents("what does odihr do?") == [odihr]
    assert lookup.equivalents("what did the who and odihr's staff say?") == [odihr]  # English
    # with a capital anywhere, the question writes its acronyms in capitals
    assert lookup.equivalents("What does odihr do?") == []


def test_a_bare_paragraph_number_is_never_the_quoted_sentence():
    # "1." left as a sentence of its own takes its passage's score; the answer quotes the
    # best sentence that says something instead.
    from qa_assistant.rerank import Scored
    from qa_assistant.retrieval import Candidate
    from qa_assistant.types import PassageRow

    text = "I. Introduction 1. The Mission trained 40 judges in 2024. It met twice."
    spans = [(0, 15), (16, 18), (19, 57), (58, len(text))]
    row = PassageRow(1, 1, "a.pdf", "A report", 0, 0, len(text), 1, [(0, 1)], text)
    scored = Scored(Candidate(1, row=row), spans, [0.3, 0.6, 0.5, 0.4])
    assert scored.sentence(scored.best) == "1."
    assert scored.sentence(scored.quoted) == "The Mission trained 40 judges in 2024."


def test_a_weak_match_on_a_name_alone_is_a_near_miss():
    """ "What is the capital of Peru?" on a table row that names Peru: none of the question's
    own words is there, and the match is weak, so the reports don't say. A strong match may
    answer in other words (a paraphrase); a word that asks for a property ("stand for")
    is not one the page must show."""
    from types import SimpleNamespace

    from qa_assistant.answer_params import AnswerParams
    from qa_assistant.rerank import Scored, unmet_pins, unmet_subject
    from qa_assistant.retrieval import Candidate
    from qa_assistant.types import PassageRow

    text = "Peru Initial 1 January 2007 - 14 August 2013 Twenty-second (2015)"
    row = PassageRow(1, 1, "a.pdf", "A report", 0, 0, len(text), 1, [(0, len(text))], text)
    store = SimpleNamespace(page_context=lambda *_: "", document_has=lambda *_: False)
    retriever = SimpleNamespace(store=store)
    params = AnswerParams()
    question = "What is the capital of Peru?"

    def unmet(score: float, subject: bool = True) -> list[str]:
        item = Scored(Candidate(1, row=row), [(0, len(text))], [score])
        return unmet_pins(question, item, retriever, [], params, subject=subject)

    assert unmet(0.47) == ["capital"]
    assert unmet(0.47, subject=False) == []  # a follow-up leans on its earlier question
    assert unmet(params.subject_words_below + 0.1) == []
    assert unmet_subject("When did Peru submit its initial report?", text) == []
    assert unmet_subject("What does VERLT stand for?", "… (VERLT) concluded …") == []
