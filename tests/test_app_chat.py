"""The chat page ("Ask the reports") driven by AppTest: answers with citation cards,
follow-ups, the conversation kept across reloads and tabs, filters, report text shown as
text, export and ratings. Fake embedder; documents and index under tmp_path (conftest.py).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers_app import APP, ASK, COLLECTION, POLICE_QUESTION, REPO, ask, cards, start_app, texts
from streamlit.testing.v1 import AppTest

from qa_assistant import Assistant, FakeEmbedder
from qa_assistant.app_support import conversation_markdown
from qa_assistant.conversations import is_conversation_id
from qa_assistant.index_layout import CONVERSATIONS_FILE

INJECTION_QUESTION = "What did the image tag with onerror sent by e-mail look like?"
NONSENSE_QUESTION = "What is the price of bananas in Peru?"
# HTML tags and link syntax that Markdown would act on: not preceded by a backslash.
UNESCAPED_SYNTAX = re.compile(r"(?<!\\)<(?:script|img)|(?<!\\)\]\(|(?<!\\)\[click")


# ---- asking ------------------------------------------------------------------------------------
def test_answer_with_citation_cards(index_dir: Path) -> None:
    at = ask(start_app(), POLICE_QUESTION)
    user, assistant = at.chat_message[0], at.chat_message[1]
    assert user.markdown[0].value == POLICE_QUESTION
    answer = assistant.markdown[0].value
    assert "14 Kosovo Police officers" in answer and "\\[1\\]" in answer
    first = cards(at)[0]
    assert "Addressing Hate Crime in Kosovo" in first
    assert "omik_hate_crime_training_2024.pdf · page 1" in first
    assert "<mark>" in first and "14 Kosovo Police officers" in first
    labels = [b.label for b in at.download_button]
    assert "Original page 1 (PDF)" in labels and "Whole report" in labels
    assert len(at.feedback) == 1


def test_show_page_displays_the_whole_page_with_the_sentence_marked(index_dir: Path) -> None:
    at = ask(start_app(), POLICE_QUESTION)
    at.toggle[0].set_value(True).run()
    pages = [h.value for h in at.html if 'class="qa-page"' in h.value]
    assert len(pages) == 1
    assert "<mark>From 15 to 19 January 2024" in pages[0]
    assert "Between 4 March and 26 April 2024" in pages[0]  # the rest of page 1
    # The original page comes first, drawn as printed (the sentence marked on it: see
    # test_page_image.py), with nothing to excuse; the text in the second tab.
    assert [tab.label for tab in at.tabs] == ["Original page", "Text"]
    assert len(at.get("image")) == 1
    assert not any("could not be found" in c.value for c in at.caption)


def test_a_text_file_shows_its_text_without_a_picture(index_dir: Path) -> None:
    at = ask(start_app(), INJECTION_QUESTION)
    text_file = next(i for i, card in enumerate(cards(at)) if "injection.txt" in card)
    assert "injection.txt · page" not in cards(at)[text_file]  # a text file has no pages
    assert at.toggle[text_file].label == "Show the text"
    at.toggle[text_file].set_value(True).run()
    assert not at.tabs and not at.get("image")
    assert any("a text file has no pages of its own" in c.value for c in at.caption)


def test_acronyms_the_answer_uses_are_spelled_out_below_it(index_dir: Path) -> None:
    # The answer names ODIHR without its long form and spells out TND's: only ODIHR is
    # explained. Unanswered, the question's own acronyms are.
    at = ask(start_app(), "What does the TND do?")
    captions = [c.value for c in at.chat_message[1].caption]
    assert "Acronyms: **ODIHR** Office for Democratic Institutions and Human Rights" in captions
    at = ask(at, "What is the price of bananas at OMIK?")
    assert "Acronyms: **OMIK** OSCE Mission in Kosovo" in [c.value for c in at.caption]


def test_a_slip_of_the_keyboard_is_searched_as_the_word_meant_and_said(index_dir: Path) -> None:
    at = ask(start_app(), POLICE_QUESTION.replace("trainers", "trainres"))
    captions = [c.value for c in at.chat_message[1].caption]
    said = "Searched for “trainers” \\(typed “trainres”\\). To search a word as typed, put it in"
    assert any(caption.startswith(said) for caption in captions)  # escaped Markdown
    at = ask(at, POLICE_QUESTION)
    assert not any("Searched for" in c.value for c in at.chat_message[3].caption)


def test_a_newcomer_can_ask_what_the_collection_holds(index_dir: Path) -> None:
    at = start_app()
    assert "“What reports do you have?”" in texts(at)
    ask(at, "What reports do you have?")
    answer = at.chat_message[1].markdown[0].value
    assert answer.startswith("The collection holds 7 reports") and "\\[1\\]" in answer
    assert len(cards(at)) == 5  # the newest five, each by its first page
    ask(at, "Which reports mention OMIK?")
    assert at.chat_message[3].markdown[0].value.startswith("3 reports mention “OMIK”")


def test_starter_question_buttons_on_the_empty_chat(index_dir: Path) -> None:
    at = start_app()
    next(b for b in at.button if b.key == "starter-chat-0").click().run()
    assert len(at.chat_message) == 2 and cards(at)


def test_no_answer_says_so_and_lists_related_reading(index_dir: Path) -> None:
    at = ask(start_app(), NONSENSE_QUESTION)
    assert "don't say" in at.warning[0].value
    # folded under a label that counts them, so the notice stays in sight
    assert [e.label for e in at.expander] == ["Related reading: 5 passages"]
    assert len(cards(at)) == 5 and all("related reading:</span>" in c for c in cards(at))
    assert all("<mark>" not in card for card in cards(at))


def test_follow_up_passes_the_earlier_questions(
    index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, tuple[str, ...]]] = []
    original = Assistant.ask

    def spy(self, question, **kwargs):
        calls.append((question, tuple(kwargs.get("history", ()))))
        return original(self, question, **kwargs)

    monkeypatch.setattr(Assistant, "ask", spy)
    at = ask(start_app(), POLICE_QUESTION)
    ask(at, "Where did they train?")
    assert calls == [(POLICE_QUESTION, ()), ("Where did they train?", (POLICE_QUESTION,))]
    assert len(at.chat_message) == 4
    next(b for b in at.button if b.label == "New conversation").click().run()
    assert not at.chat_message
    ask(at, "Where did they train?")
    assert calls[-1] == ("Where did they train?", ())


# ---- a reload ----------------------------------------------------------------------------------
def reload(at: AppTest) -> AppTest:
    """The page opened again at its address: a new session with the same query parameters."""
    again = AppTest.from_file(str(APP), default_timeout=60)
    again.query_params.update(at.query_params)
    again.run()
    assert not again.exception, again.exception
    return again


def test_a_reload_finds_the_conversation_and_its_follow_up_context(
    index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = ask(start_app(), POLICE_QUESTION)
    ask(at, "Where did they train?")
    at.feedback[0].set_value(1).run()
    assert is_conversation_id(at.query_params["conversation"])
    again = reload(at)
    assert again.query_params["conversation"] == at.query_params["conversation"]
    assert [m.markdown[0].value for m in again.chat_message[::2]] == [
        POLICE_QUESTION,
        "Where did they train?",
    ]
    assert "14 Kosovo Police officers" in again.chat_message[1].markdown[0].value
    assert cards(again) == cards(at)
    assert [f.value for f in again.feedback] == [1, None]
    histories: list[tuple[str, ...]] = []
    original = Assistant.ask

    def spy(self, question, **kwargs):
        histories.append(tuple(kwargs.get("history", ())))
        return original(self, question, **kwargs)

    monkeypatch.setattr(Assistant, "ask", spy)
    ask(again, "How long did it last?")
    assert histories == [(POLICE_QUESTION, "Where did they train?")]


def test_new_conversation_has_its_own_address(index_dir: Path) -> None:
    at = ask(start_app(), POLICE_QUESTION)
    first = at.query_params["conversation"]
    next(b for b in at.button if b.label == "New conversation").click().run()
    second = at.query_params["conversation"]
    assert is_conversation_id(second) and second != first
    assert not reload(at).chat_message
    at.query_params["conversation"] = first
    assert len(reload(at).chat_message) == 2, "the earlier conversation is still at its address"


def test_recent_conversations_in_the_sidebar_open_where_they_were_left(index_dir: Path) -> None:
    at = ask(start_app(), POLICE_QUESTION)
    first = at.query_params["conversation"]
    ask(at, "Where did they train?")
    next(b for b in at.button if b.label == "New conversation").click().run()
    assert not at.chat_message
    listed = [b for b in at.sidebar.button if b.key and b.key.startswith("open-")]
    assert [b.label for b in listed] == [POLICE_QUESTION[:47].rstrip() + "…"]
    listed[0].click().run()
    assert at.query_params["conversation"] == first
    assert questions(at) == [POLICE_QUESTION, "Where did they train?"]
    # the conversation on the page is not listed; the one left for it is
    ask(at, "And in 2023?")
    listed = [b for b in at.sidebar.button if b.key and b.key.startswith("open-")]
    assert [b.key for b in listed] == []  # the new conversation was left empty: nothing kept


def questions(at: AppTest) -> list[str]:
    """The questions shown in the chat, in order."""
    return [m.markdown[0].value for m in at.chat_message[::2]]


def test_two_tabs_at_one_address_keep_each_others_turns(index_dir: Path) -> None:
    tab_a = ask(start_app(), POLICE_QUESTION)
    tab_b = reload(tab_a)  # the same address opened in a second tab
    ask(tab_a, "Where did they train?")
    ask(tab_b, "How long did it last?")
    expected = [POLICE_QUESTION, "Where did they train?", "How long did it last?"]
    assert questions(tab_b) == expected, "a tab that asks sees the other tab's turns too"
    tab_a.feedback[0].set_value(1).run()  # a rating in the tab that saw two turns
    assert questions(tab_a) == expected
    again = reload(tab_a)
    assert questions(again) == expected
    assert [f.value for f in again.feedback] == [1, None, None]


def test_an_idle_tabs_look_up_does_not_walk_the_models_heap() -> None:
    """Streamlit, started where ``make run`` starts it, runs no full garbage collection
    after each run: with the model loaded that walk took 140 ms of CPU per 2-s look-up of
    each idle chat tab (14% of a core per tab), and as much per click."""
    read = "from streamlit import config; print(config.get_option('runner.postScriptGC'))"
    done = subprocess.run(
        [sys.executable, "-c", read], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False", done.stderr


def test_the_running_app_does_not_re_import_the_library_under_its_cached_assistant() -> None:
    """A changed module re-imported under the cached assistant made its errors another
    class than the page catches: "?!?" showed a traceback instead of its message."""
    read = "from streamlit import config; print(config.get_option('server.fileWatcherType'))"
    done = subprocess.run(
        [sys.executable, "-c", read], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "none", done.stderr


def test_a_reload_while_a_question_is_answered_does_not_lose_it(
    index_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    at = ask(start_app(), POLICE_QUESTION)
    store, mid_answer = index_dir / CONVERSATIONS_FILE, tmp_path / "mid-answer.sqlite"
    original = Assistant.ask

    def reload_meanwhile(self, question, **kwargs):
        shutil.copy(store, mid_answer)  # what a reload at this moment finds
        return original(self, question, **kwargs)

    monkeypatch.setattr(Assistant, "ask", reload_meanwhile)
    ask(at, "Where did they train?")
    monkeypatch.setattr(Assistant, "ask", original)
    shutil.copy(mid_answer, store)  # the answer never came: the page was reloaded
    again = reload(at)
    assert questions(again) == [POLICE_QUESTION, "Where did they train?"]
    assert len(again.chat_message) == 4, "the waiting question is answered after the reload"


def test_back_after_new_conversation_shows_the_earlier_one(index_dir: Path) -> None:
    at = ask(start_app(), POLICE_QUESTION)
    first = at.query_params["conversation"]
    next(b for b in at.button if b.label == "New conversation").click().run()
    second = at.query_params["conversation"]
    at.query_params["conversation"] = first  # Back: the same session at the earlier address
    at.run()
    assert questions(at) == [POLICE_QUESTION]
    at.query_params["conversation"] = second  # Forward
    at.run()
    assert not at.chat_message and at.query_params["conversation"] == second


def test_a_corrupt_conversation_store_or_a_bad_address_starts_empty(index_dir: Path) -> None:
    (index_dir / CONVERSATIONS_FILE).write_bytes(b"not a database" * 100)
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["conversation"] = "0" * 32
    at.run()
    assert not at.exception and not at.chat_message and at.chat_input
    ask(at, POLICE_QUESTION)
    assert len(reload(at).chat_message) == 2, "a new store is begun"
    at.query_params["conversation"] = "<script>"
    at = reload(at)
    assert not at.chat_message and is_conversation_id(at.query_params["conversation"])


# ---- filters -----------------------------------------------------------------------------------
def test_report_filter_restricts_the_search(index_dir: Path) -> None:
    at = start_app()
    at.multiselect(key="filter_reports").set_value(["pcuz_anti_trafficking_law_2020.pdf"]).run()
    ask(at, POLICE_QUESTION)
    assert "Searched 1 report(s)" in texts(at)
    assert cards(at) and all("pcuz_anti_trafficking_law_2020.pdf" in c for c in cards(at))


def test_folder_and_year_filters(index_dir: Path) -> None:
    at = start_app()
    at.multiselect(key="filter_folders").set_value(["training"]).run()
    ask(at, POLICE_QUESTION)
    assert cards(at) and all("training/injection.txt" in c for c in cards(at))
    at.multiselect(key="filter_folders").set_value([]).run()
    at.multiselect(key="filter_years").set_value([2022]).run()
    ask(at, POLICE_QUESTION)
    last = [h.value for h in at.chat_message[-1].html]
    assert last and all("bmsc_dushanbe_staff_course_2022.pdf" in c for c in last)


def test_filters_that_exclude_everything_warn(index_dir: Path) -> None:
    at = start_app()
    at.multiselect(key="filter_folders").set_value(["training"]).run()
    at.multiselect(key="filter_years").set_value([2022]).run()
    ask(at, POLICE_QUESTION)
    assert "No report matches the filters" in at.warning[0].value
    assert not at.chat_message


def test_filters_survive_a_visit_to_another_page(index_dir: Path) -> None:
    at = start_app()
    at.multiselect(key="filter_years").set_value([2022]).run()
    at.radio(key="page").set_value(COLLECTION).run()
    at.radio(key="page").set_value(ASK).run()
    assert at.multiselect(key="filter_years").value == [2022]


# ---- safety ------------------------------------------------------------------------------------
def test_report_text_with_html_and_links_is_shown_as_text(index_dir: Path) -> None:
    at = ask(start_app(), INJECTION_QUESTION)
    at.toggle[0].set_value(True).run()
    html_shown = "\n".join(h.value for h in at.html)
    assert "training/injection.txt" in html_shown
    assert "&lt;img src=x onerror=alert(1)&gt;" in html_shown
    assert "&lt;script&gt;" in html_shown  # on the page view
    assert "<script" not in html_shown and "<img" not in html_shown
    assert "\x1b" not in html_shown and "\x07" not in html_shown
    answer = at.chat_message[1].markdown[0].value
    assert "\\<img src=x onerror=alert\\(1\\)\\>" in answer
    markdown_shown = "\n".join(m.value for m in at.markdown)
    assert not UNESCAPED_SYNTAX.search(markdown_shown)


# ---- export and feedback -----------------------------------------------------------------------
def test_export_markdown_holds_the_conversation_with_citations(index_dir: Path) -> None:
    at = start_app()
    export = next(b for b in at.download_button if b.label.startswith("Export"))
    assert export.proto.disabled
    ask(at, POLICE_QUESTION)
    ask(at, INJECTION_QUESTION)
    export = next(b for b in at.download_button if b.label.startswith("Export"))
    assert not export.proto.disabled
    markdown = conversation_markdown(at.session_state.turns)
    assert f"## 1\\. {POLICE_QUESTION}" in markdown
    assert "### Sources" in markdown and "\\[1\\]" in markdown
    assert "omik\\_hate\\_crime\\_training\\_2024.pdf, page 1" in markdown
    assert "**From 15 to 19 January 2024" in markdown  # the answering sentence in bold
    assert "\\<img src=x onerror=alert\\(1\\)\\>" in markdown
    assert "\\[click\\]\\(javascript\\:alert\\(1\\)\\)" in markdown
    assert not UNESCAPED_SYNTAX.search(markdown)


def test_thumbs_are_stored_with_the_question(index_dir: Path) -> None:
    at = ask(start_app(), POLICE_QUESTION)
    ask(at, "Where did they train?")
    at.feedback[1].set_value(0).run()
    at.feedback[0].set_value(1).run()
    rows = Assistant(index_dir, embedder=FakeEmbedder()).feedback()
    assert [(r["question"], r["rating"]) for r in rows] == [
        (POLICE_QUESTION, 1),
        ("Where did they train?", -1),
    ]
    assert rows[1]["history"] == f'["{POLICE_QUESTION}"]'
    assert [t.rating for t in at.session_state.turns] == [1, -1]
