"""A saved web page's headline read back from its address (qa_assistant.slugs)."""

from __future__ import annotations

from qa_assistant.slugs import slug_title, slug_words


def test_the_last_part_of_an_address_spells_the_headline():
    address = "https://www.miragenews.com/osce-aids-kosovo-police-in-hate-crime-1135573/"
    assert slug_words(address) == ["osce", "aids", "kosovo", "police", "in", "hate", "crime"]
    assert slug_words("www.example.org/news/un_mission_opens_office.html") == [
        "un", "mission", "opens", "office"
    ]  # fmt: skip


def test_an_address_that_spells_no_headline_gives_none():
    assert slug_words("https://www.osce.org/kosovo/82352") == []
    assert slug_words("https://example.org/news-item") == []
    assert slug_words("https://example.org/") == []
    assert slug_title("https://example.org/a/b", "Some text.") == ""


def test_the_headline_takes_the_pages_own_case():
    page = (
        "The UNICEF office and the Ministry of Education of Ecuador trained teachers in Quito. "
        "The teachers learned to spot early signs of dropout."
    )
    url = "https://example.org/unicef-and-ministry-of-education-of-ecuador-train-teachers"
    assert slug_title(url, page) == "UNICEF and Ministry of Education of Ecuador train teachers"
    # A word the page never writes stays as the address has it, the first capitalised.
    assert slug_title("https://example.org/new-school-year-begins-soon", page) == (
        "New school year begins soon"
    )
