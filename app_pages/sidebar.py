"""The chat page's sidebar: the filters that keep questions to some reports, and the
conversation's controls: a new one, the export, and the recent conversations to go back to
(each stays at its own address too)."""

from __future__ import annotations

import time

import streamlit as st

from qa_assistant import Assistant
from qa_assistant.app_support import conversation_markdown, folders_of, resolve_scope
from qa_assistant.conversations import ConversationStore, Turn, new_conversation_id
from qa_assistant.lexical import one_line

CONVERSATION_PARAM = "conversation"  # ?conversation=<id> in the page's address
RECENT = 8  # conversations listed to go back to


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


def new_conversation() -> None:
    """Begin again under a new id; the old conversation stays at its own address."""
    st.session_state.turns = []
    st.session_state.waiting = []
    st.session_state.conversation_id = new_conversation_id()
    st.session_state.conversation_seen = 0.0  # nothing stored under the new id yet
    st.query_params[CONVERSATION_PARAM] = st.session_state.conversation_id


def open_other(conversation_id: str) -> None:
    """Go to a stored conversation: its address, which the page then opens."""
    st.query_params[CONVERSATION_PARAM] = conversation_id


def conversation_controls(assistant: Assistant, turns: list[Turn]) -> None:
    """New conversation and export, in the sidebar, then the recent conversations; shown
    after the latest answer is kept, so the export holds every answer on the page."""
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
        current = st.session_state.get("conversation_id")
        recent = ConversationStore(assistant.index_dir).recent(RECENT + 1)
        others = [c for c in recent if c.id != current][:RECENT]
        if others:
            st.caption("Recent conversations")
        for other in others:
            first = one_line(other.first_question)
            label = first if len(first) <= 48 else first[:47].rstrip() + "…"
            when = time.strftime("%d %b %H:%M", time.localtime(other.updated))
            st.button(
                label,
                key=f"open-{other.id}",
                help=f"{first} ({other.questions} question(s), last {when})",
                on_click=open_other,
                args=(other.id,),
                icon=":material/chat:",
                type="tertiary",
                width="stretch",
            )
