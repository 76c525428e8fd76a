"""The "Ask the reports" page: the chat, its filters, cited answers with related reading,
ratings, and the conversation kept under an id in the page's address, so that reloading
the page (a new browser session to Streamlit) finds it again, and two tabs at that address
share it (each question, answer and rating is stored as one turn; each run reads them, and
an idle tab looks every few seconds whether another tab wrote one)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from qa_assistant import Assistant, QAError
from qa_assistant.app_support import (
    acronyms_line,
    citation_card_html,
    escape_markdown,
    is_pdf,
    page_html,
    page_pdf,
    page_text,
    picture_note,
    sources_and_related,
)
from qa_assistant.config import SUPPORTED_KINDS
from qa_assistant.conversations import (
    Asked,
    ConversationStore,
    Turn,
    is_conversation_id,
    merge_turns,
    new_turn_id,
    shows_all,
)
from qa_assistant.index_updater import updater_for
from qa_assistant.page_image import PageImage, render_page
from qa_assistant.types import Citation
from qa_assistant.uploads import document_path

from .common import no_index, starter_questions
from .sidebar import CONVERSATION_PARAM, chat_filters, conversation_controls, new_conversation

# How often an idle chat page looks for turns another tab wrote: about 2 ms of the server's
# CPU a look-up, since .streamlit/config.toml turns off the full garbage collection that
# Streamlit runs after every run (140 ms with the model loaded).
FOLLOW_SECONDS = 2.0


@st.cache_data(max_entries=32, show_spinner="Reading the page…")
def cached_page_text(path: str, mtime_ns: int, page: int) -> str:
    """The text of one page; ``mtime_ns`` makes a changed file be read again."""
    return page_text(Path(path), page)


@st.cache_data(max_entries=32, show_spinner="Drawing the page…")
def cached_page_image(
    path: str, mtime_ns: int, page: int, sentences: tuple[str, ...], ocr: bool
) -> PageImage:
    """Page ``page`` of a PDF as a picture, ``sentences`` marked (on a page read by ``ocr``,
    where Tesseract reads them); ``mtime_ns`` makes a changed file be drawn again."""
    return render_page(Path(path), page, sentences, ocr=ocr)


# ---- the conversation across reloads and tabs -----------------------------------------------
def open_conversation(assistant: Assistant) -> None:
    """The conversation the page's address names, as stored, on every run: so a reload
    finds it (with the questions still waiting for an answer, answered now) and a second
    tab at the same address sees what this one added. Its id stays in the address; the
    browser's Back and Forward, which change the address in the same session, switch."""
    store = store_of(assistant)
    wanted = st.query_params.get(CONVERSATION_PARAM)
    if "conversation_id" not in st.session_state or (
        # Back or Forward in the browser after "New conversation": the address changed
        is_conversation_id(wanted) and wanted != st.session_state.conversation_id
    ):
        if is_conversation_id(wanted):
            st.session_state.conversation_id = wanted
            stored = store.load(wanted)
            st.session_state.turns = stored.turns
            st.session_state.waiting = stored.waiting  # asked before the reload
            st.session_state.conversation_seen = stored.as_of
        else:
            new_conversation()  # no conversation in the address: a new one
    else:
        stored = store.load(st.session_state.conversation_id)
        turns = merge_turns(stored.turns, st.session_state.turns)
        answered = {turn.id for turn in turns}
        st.session_state.turns = turns
        st.session_state.waiting = [a for a in st.session_state.waiting if a.id not in answered]
        st.session_state.conversation_seen = stored.as_of
    if st.query_params.get(CONVERSATION_PARAM) != st.session_state.conversation_id:
        st.query_params[CONVERSATION_PARAM] = st.session_state.conversation_id


def store_of(assistant: Assistant) -> ConversationStore:
    """The conversation store beside the assistant's index."""
    return ConversationStore(assistant.index_dir)


def not_saved() -> None:
    """Say that a write failed (the store logs why)."""
    st.toast("This conversation could not be saved: reloading the page would lose it.")


@st.fragment(run_every=FOLLOW_SECONDS)
def follow_other_tabs(assistant: Assistant) -> None:
    """Show another tab's new answers and ratings within seconds, not on this tab's next
    click: every few seconds, look up the turns written since this tab read the conversation
    (no answer is read) and draw the page again only when this tab does not show one of
    them. Its own writes and another tab's waiting question draw nothing; while this tab
    answers, the look-up waits for the answer's run to end (Streamlit queues it)."""
    if st.session_state.get("waiting"):
        return  # a question of this tab is still to be answered: its run draws the page
    seen = st.session_state.get("conversation_seen", 0.0)
    changes = store_of(assistant).changed_since(st.session_state.conversation_id, seen)
    if not changes:
        return
    st.session_state.conversation_seen = changes[-1].written
    if not shows_all(st.session_state.turns, changes):
        st.rerun(scope="app")  # the page's run reads the conversation and draws it


# ---- the chat -------------------------------------------------------------------------------
def ask_question(assistant: Assistant, question: str) -> None:
    """Queue ``question`` for an answer and store it at once, so that a reload before it is
    answered finds it."""
    asked = Asked(new_turn_id(), question)
    st.session_state.waiting.append(asked)
    if not store_of(assistant).ask(st.session_state.conversation_id, asked):
        not_saved()


def answer_waiting(assistant: Assistant, scope: list[str] | None) -> None:
    """Answer the questions waiting, in the order they were asked, keeping each turn (in the
    session, and in the conversation store in its question's place).

    A question stays in ``st.session_state.waiting`` until its turn is kept: one typed
    while the previous one is being answered interrupts that run, and the next run answers
    both instead of dropping the first.
    """
    waiting: list[Asked] = st.session_state.waiting
    turns: list[Turn] = st.session_state.turns
    store, conversation_id = store_of(assistant), st.session_state.conversation_id
    if waiting and scope == []:
        for asked in waiting:
            store.forget(conversation_id, asked)
        waiting.clear()
        st.warning("No report matches the filters in the sidebar. Widen them and ask again.")
        return
    while waiting:
        asked = waiting[0]
        history = tuple(turn.question for turn in turns)
        try:
            with st.spinner("Searching the reports…"):
                answer = assistant.ask(asked.question, history=history, documents=scope)
        except QAError as exc:
            store.forget(conversation_id, asked)
            waiting.pop(0)
            st.error(str(exc))
            continue
        turn = Turn(asked.question, answer, history, tuple(scope) if scope else None, id=asked.id)
        turns.append(turn)
        waiting.pop(0)  # right after keeping the turn: no interruption falls in between
        if not store.answer(conversation_id, turn):
            not_saved()


def record_rating(assistant: Assistant, turn: Turn) -> None:
    """Store the thumbs up/down just given to ``turn``, with the conversation (that turn's
    rating only) and in the feedback."""
    value = st.session_state.get(f"feedback-{turn.id}")
    turn.rating = None if value is None else (1 if value == 1 else -1)
    if not store_of(assistant).rate(st.session_state.conversation_id, turn):
        not_saved()
    if turn.rating is not None:
        assistant.record_feedback(turn.answer, turn.rating, turn.history)
        st.toast("Thank you: your rating was saved.")


def citation_card(citation: Citation, turn: Turn, documents_dir: Path, related: bool) -> None:
    """A source: title, file, page and highlighted passage, the page's text on demand and
    the original page (PDF) and report to open."""
    with st.container(border=True):
        st.html(citation_card_html(citation, related=related))
        try:
            path = document_path(documents_dir, citation.document)
        except QAError:
            return
        if not path.is_file():
            st.caption("This report is no longer in the documents folder.")
            return
        key = f"{turn.id}-{citation.n}"
        pdf = is_pdf(citation.document)
        show, original, whole = st.columns([2, 2, 2], vertical_alignment="center")
        if pdf:
            original.download_button(
                f"Original page {citation.page} (PDF)",
                data=lambda p=path, n=citation.page: page_pdf(p, n),
                file_name=f"{path.stem}-page-{citation.page}.pdf",
                mime="application/pdf",
                on_click="ignore",
                key=f"page-pdf-{key}",
                icon=":material/picture_as_pdf:",
            )
        whole.download_button(
            "Whole report",
            data=lambda p=path: p.read_bytes(),
            file_name=path.name,
            mime="application/pdf" if pdf else "text/plain",
            on_click="ignore",
            key=f"report-{key}",
            icon=":material/download:",
        )
        label = f"Show page {citation.page}" if pdf else "Show the text"
        if show.toggle(label, key=f"show-{key}"):
            show_page(citation, path)


def show_page(citation: Citation, path: Path) -> None:
    """The cited page: for a PDF, the original page with the answering sentence marked on
    it, and its text as the index read it in a second tab; for a text file, the text."""
    sentences = tuple(citation.text[a:b] for a, b in citation.highlight)
    mtime_ns = path.stat().st_mtime_ns
    pdf = is_pdf(citation.document)
    if pdf:
        picture_tab, text_area = st.tabs(["Original page", "Text"])
        with picture_tab:
            try:
                picture = cached_page_image(
                    str(path), mtime_ns, citation.page, sentences, citation.ocr
                )
            except QAError as exc:
                st.warning(escape_markdown(f"{exc}. Its text is in the Text tab."))
            else:
                if citation.ocr or picture.marked < picture.sought:
                    st.caption(picture_note(citation, picture))
                st.image(picture.png, width="stretch", output_format="PNG")
    else:
        text_area = st.container()
    with text_area:
        try:
            text = cached_page_text(str(path), mtime_ns, citation.page)
        except QAError as exc:
            st.error(str(exc))
            return
        st.caption(
            escape_markdown(
                f"Page {citation.page} of {citation.document} as the index read it; "
                + (
                    "the original layout is in the Original page tab."
                    if pdf
                    else "a text file has no pages of its own."
                )
            )
        )
        st.html(page_html(text, citation.text, sentences))


def show_turn(assistant: Assistant, turn: Turn, documents_dir: Path) -> None:
    """One question and its answer with citation cards and a rating."""
    with st.chat_message("user"):
        st.markdown(escape_markdown(turn.question))
    answer = turn.answer
    with st.chat_message("assistant"):
        if turn.scope is not None:
            st.caption(f"Searched {len(turn.scope)} report(s) chosen in the filters.")
        if answer.corrected:
            st.caption(escape_markdown(answer.searched_for()))
        if answer.answered:
            st.markdown(escape_markdown(answer.answer))
        if answer.acronyms:
            st.caption(acronyms_line(answer.acronyms))
        if not answer.answered:
            st.warning(escape_markdown(answer.answer), icon=":material/search_off:")
        sources, related = sources_and_related(answer)
        for citation in sources:
            citation_card(citation, turn, documents_dir, related=False)
        if related:
            # Folded: a declined answer's notice stays in sight, not under five passages.
            label = f"Related reading: {len(related)} passage{'s' * (len(related) > 1)}"
            with st.expander(label, expanded=False):
                for citation in related:
                    citation_card(citation, turn, documents_dir, related=True)
        shown = None if turn.rating is None else (1 if turn.rating > 0 else 0)
        if st.session_state.get(f"feedback-{turn.id}") != shown:
            # The stored rating: after a reload, or as given in another tab.
            st.session_state[f"feedback-{turn.id}"] = shown
        st.feedback(
            "thumbs",
            key=f"feedback-{turn.id}",
            on_change=record_rating,
            args=(assistant, turn),
        )


def ask_page(assistant: Assistant, documents_dir: Path) -> None:
    """The chat: questions, cited answers, related reading and ratings."""
    open_conversation(assistant)  # the turns: kept, or found again after a reload
    st.title("Ask the reports")
    if not assistant.has_index():
        no_index(assistant, documents_dir)
        return
    if updater_for(assistant.index_dir).state().running:
        st.info("The index is being updated; answers come from the previous index meanwhile.")
    if not assistant.status()["documents"]:
        index_dir = escape_markdown(str(assistant.index_dir))
        folder = escape_markdown(str(documents_dir))
        st.info(
            f"The index in {index_dir}/ holds no reports yet, so there is nothing to answer "
            f"from. Add reports ({SUPPORTED_KINDS} files) on the **Manage reports** page, or "
            f"put them in {folder}/ and update the index there.",
            icon=":material/info:",
        )
        return
    scope = chat_filters(assistant)
    question = st.chat_input("Ask a question about the reports")
    question = question or st.session_state.pop("pending_question", None)
    if question:
        ask_question(assistant, question)
    answer_waiting(assistant, scope)
    turns: list[Turn] = st.session_state.turns
    conversation_controls(assistant, turns)
    if not turns:
        st.write(
            "Ask in your own words; each answer quotes the sentence that answers it and cites "
            "the report and page. Follow-up questions build on the earlier ones. “What reports "
            "do you have?” and “Which reports mention …?” ask about the collection. Try one of:"
        )
        starter_questions(assistant, "chat")
    for turn in turns:
        show_turn(assistant, turn, documents_dir)
    follow_other_tabs(assistant)
