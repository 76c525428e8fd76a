"""Acronym definitions mined from report text: the pairs a newcomer reads on the glossary
page and that widen a question ("OAIS" also finds "Office of Audit and Investigation
Services")."""

from __future__ import annotations

import pytest

from qa_assistant.glossary import acronym_forms, find_definitions


def pairs(text: str) -> dict[str, str]:
    return {acronym: long_form for acronym, long_form in find_definitions(text)}


@pytest.mark.parametrize(
    ("text", "acronym", "long_form"),
    [
        ("the Programme Office in Dushanbe (POiD) held", "POiD", "Programme Office in Dushanbe"),
        (
            "UNMIK (United Nations Interim Administration Mission in Kosovo) reported",
            "UNMIK",
            "United Nations Interim Administration Mission in Kosovo",
        ),
        # the O is "Office", not the nearer "of"
        (
            "the Office of Audit and Investigation Services (OAIS) registered",
            "OAIS",
            "Office of Audit and Investigation Services",
        ),
        (
            "the Office of the United Nations High Commissioner for Human Rights (OHCHR) said",
            "OHCHR",
            "Office of the United Nations High Commissioner for Human Rights",
        ),
        ("non-governmental organizations (NGOs) and", "NGOs", "non-governmental organizations"),
        # the T starts "Terrorism", not the nearer run whose T is inside "Committee"
        (
            "with the Counter-Terrorism Committee Executive Directorate (CTED) in",
            "CTED",
            "Counter-Terrorism Committee Executive Directorate",
        ),
        (
            "with UN-Women (United Nations Entity for Gender Equality and the Empowerment of "
            "Women) and",
            "UN-Women",
            "United Nations Entity for Gender Equality and the Empowerment of Women",
        ),
        # "RIAS" from Representatives/Internal/Audit/Services, "UN" from the United Nations
        # after them: not the nearer "United Nations system organizations", which spells
        # R-I-A-S inside "organizations"
        (
            "adopted by the Representatives of the Internal Audit Services of the United "
            "Nations system organizations (UN-RIAS). 11.",
            "UN-RIAS",
            "Representatives of the Internal Audit Services of the United Nations system "
            "organizations",
        ),
    ],
)
def test_definitions_are_found_whole(text, acronym, long_form):
    assert pairs(text)[acronym] == long_form


@pytest.mark.parametrize(
    ("text", "acronym", "long_form"),
    [
        # PDF extraction puts a space before the possessive; the name has none
        (
            "the Specialist Chambers (SC) and the Specialist Prosecutor ’s Office (SPO) reached",
            "SPO",
            "Specialist Prosecutor’s Office",
        ),
        ("the Children 's Fund (CF) said", "CF", "Children's Fund"),
        # an acronym first given in the possessive still defines its name
        (
            "according to the Office for Democratic Institutions and Human Rights (ODIHR’s) "
            "definition",
            "ODIHR",
            "Office for Democratic Institutions and Human Rights",
        ),
        # real compounds keep their hyphens
        (
            "the Organisation for Economic Co-operation and Development (OECD) and cooperation",
            "OECD",
            "Organisation for Economic Co-operation and Development",
        ),
    ],
)
def test_long_forms_are_stored_as_the_name_is_written(text, acronym, long_form):
    assert pairs(text)[acronym] == long_form


@pytest.mark.parametrize(
    ("text", "acronym"),
    [
        # a footnote's web address runs into the definition: no pair rather than a wrong one
        (
            "www.unicef.org/topic/maternal-health/delivery-care. 108 United Nations Population "
            "Fund (UNFPA), State of World Population",
            "UNFPA",
        ),
        # letters found, but the words are not a name for them
        (
            "the Fund via video link the African Women's Development Communication Network "
            "(FEMNET) spoke",
            "FEMNET",
        ),
        ("held in South Africa (II) in", "II"),
        ("the Co-Chair (Co-Chair Ms Nilüfer Oral) opened", "Co-Chair"),
    ],
)
def test_no_pair_from_text_that_does_not_define_the_acronym(text, acronym):
    assert acronym not in pairs(text)


@pytest.mark.parametrize(
    ("acronym", "forms"),
    [
        ("NRMs", ("NRMs", "NRM")),
        ("NRM", ("NRM", "NRMs")),
        ("MoUs", ("MoUs", "MoU")),
        ("UNAIDS", ("UNAIDS",)),
        ("PCUz", ("PCUz",)),
    ],
)
def test_a_plural_acronym_is_also_known_by_its_singular(acronym, forms):
    assert acronym_forms(acronym) == forms
