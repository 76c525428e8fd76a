"""The "Ask the reports" page: the chat, its filters, cited answers with related reading,
ratings, and the conversation kept under an id in the page's address, so that reloading
the page (a new browser session to Streamlit) finds it again."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from qa_assistant import Assistant, QAError
from qa_assistant.app_support import (
    acronyms_line,
    citation_card_html,
    conversation_markdown,
    escape_markdown,
    folders_of,
    page_html,
    page_pdf,
    page_text,
    resolve_scope,
    sources_and_related,
)
from qa_assistant.config import SUPPORTED_KINDS
from qa_assistant.conversations import (
    ConversationStore,
    Turn,
    is_conversation_id,
    new_conversation_id,
)
from qa_assistant.index_updater import updater_for
from qa_assistant.types import Citation
from qa_assistant.uploads import document_path

from .common import no_index, starter_questions

CONVERSATION_PARAM = "conversation"  # ?conversation=<id> in the page's address


@st.cache_data(max_entries=32, show_spinner="Reading the page…")
def cached_page_text(path: str, mtime_ns: int, page: int) -> str:
    """The text of one page; ``mtime_ns`` makes a changed file be read again."""
    return page_text(Path(path), page)


# ---- the conversation across reloads --------------------------------------------------------
def open_conversation(index_dir: Path) -> None:
    """Once per browser session, the conversation the page's address names (its turns as
    stored) or a new one; on every run, its id in the address, so a reload comes back."""
    if "conversation_id" not in st.session_state:
        wanted = st.query_params.get(CONVERSATION_PARAM)
        if is_conversation_id(wanted):
            st.session_state.conversation_id = wanted
            st.session_state.turns = ConversationStore(index_dir).load(wanted)
        else:
            st.session_state.conversation_id = new_conversation_id()
            st.session_state.turns = []
    if st.query_params.get(CONVERSATION_PARAM) != st.session_state.conversation_id:
        st.query_params[CONVERSATION_PARAM] = st.session_state.conversation_id


def keep_conversation(index_dir: Path) -> None:
    """Store the conversation as it stands; say so when it cannot be (the store logs why)."""
    conversation_id, turns = st.session_state.conversation_id, st.session_state.turns
    if not ConversationStore(index_dir).save(conversation_id, turns):
        st.toast("This conversation could not be saved: reloading the page would lose it.")


def new_conversation() -> None:
    """Begin again under a new id; the old conversation stays at its own address."""
    st.session_state.turns = []
    st.session_state.waiting = []
    st.session_state.conversation_id = new_conversation_id()
    st.query_params[CONVERSATION_PARAM] = st.session_state.conversation_id


# ---- the chat -------------------------------------------------------------------------------
def answer_waiting(assistant: Assistant, scope: list[str] | None) -> None:
    """Answer the questions waiting, in the order they were asked, keeping each turn (in the
    session, and in the conversation store for a reload).

    A question stays in ``st.session_state.waiting`` until its turn is kept: one typed
    while the previous one is being answered interrupts that run, and the next run answers
    both instead of dropping the first.
    """
    waiting: list[str] = st.session_state.waiting
    turns: list[Turn] = st.session_state.turns
    if waiting and scope == []:
        waiting.clear()
        st.warning("No report matches the filters in the sidebar. Widen them and ask again.")
        return
    while waiting:
        question = waiting[0]
        history = tuple(turn.question for turn in turns)
        try:
            with st.spinner("Searching the reports…"):
                answer = assistant.ask(question, history=history, documents=scope)
        except QAError as exc:
            waiting.pop(0)
            st.error(str(exc))
            continue
        turns.append(Turn(question, answer, history, tuple(scope) if scope else None))
        waiting.pop(0)  # right after keeping the turn: no interruption falls in between
        keep_conversation(assistant.index_dir)


def record_rating(assistant: Assistant, turn: Turn) -> None:
    """Store the thumbs up/down just given to ``turn``, and keep it with the conversation."""
    value = st.session_state.get(f"feedback-{turn.id}")
    turn.rating = None if value is None else (1 if value == 1 else -1)
    keep_conversation(assistant.index_dir)
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
        show, original, whole = st.columns([2, 2, 2], vertical_alignment="center")
        if path.suffix.lower() == ".pdf":
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
            mime="application/pdf" if path.suffix.lower() == ".pdf" else "text/plain",
            on_click="ignore",
            key=f"report-{key}",
            icon=":material/download:",
        )
        if show.toggle(f"Show page {citation.page}", key=f"show-{key}"):
            try:
                text = cached_page_text(str(path), path.stat().st_mtime_ns, citation.page)
            except QAError as exc:
                st.error(str(exc))
                return
            sentences = [citation.text[a:b] for a, b in citation.highlight]
            st.caption(
                escape_markdown(
                    f"Page {citation.page} of {citation.document} as the index read it; "
                    "the original layout is in the page's PDF."
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
            st.markdown("**Related reading**")
        for citation in related:
            citation_card(citation, turn, documents_dir, related=True)
        if turn.rating is not None:  # a conversation loaded again shows its ratings
            st.session_state.setdefault(f"feedback-{turn.id}", 1 if turn.rating > 0 else 0)
        st.feedback(
            "thumbs",
            key=f"feedback-{turn.id}",
            on_change=record_rating,
            args=(assistant, turn),
        )


def chat_filters(assistant: Assistant) -> list[str] | None:
    """The sidebar's filters; returns the report paths to search (or None: all)."""
    documents = assistant.documents()
    titles = {d.path: d.title for d in documents}
    with st.sidebar:
        st.subheader("Search only in")
        st.multiselect(
            "Reports",
            list(titles),
            format_func=lambda path: f"{titles[path]} ({path})",
            key="filter_reports",
            placeholder="All reports",
        )
        folders = folders_of(list(titles))
        if folders:
            st.multiselect("Folders", folders, key="filter_folders", placeholder="All folders")
        years = sorted({d.year for d in documents if d.year}, reverse=True)
        st.multiselect("Years", years, key="filter_years", placeholder="Any year")
    return resolve_scope(
        documents,
        st.session_state.get("filter_reports", []),
        st.session_state.get("filter_folders", []),
        st.session_state.get("filter_years", []),
    )


def conversation_controls(turns: list[Turn]) -> None:
    """New conversation and export, in the sidebar; shown after the latest answer is kept,
    so the export holds every answer on the page."""
    with st.sidebar:
        st.divider()
        if st.button("New conversation", icon=":material/add_comment:", width="stretch"):
            new_conversation()
            st.rerun()
        st.download_button(
            "Export conversation (Markdown)",
            data=conversation_markdown(turns),
            file_name="conversation.md",
            mime="text/markdown",
            disabled=not turns,
            on_click="ignore",
            icon=":material/download:",
            width="stretch",
        )


def ask_page(assistant: Assistant, documents_dir: Path) -> None:
    """The chat: questions, cited answers, related reading and ratings."""
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
        st.session_state.waiting.append(question)
    answer_waiting(assistant, scope)
    turns: list[Turn] = st.session_state.turns
    conversation_controls(turns)
    if not turns:
        st.write(
            "Ask in your own words; each answer quotes the sentence that answers it and cites "
            "the report and page. Follow-up questions build on the earlier ones. “What reports "
            "do you have?” and “Which reports mention …?” ask about the collection. Try one of:"
        )
        starter_questions(assistant, "chat")
    for turn in turns:
        show_turn(assistant, turn, documents_dir)
