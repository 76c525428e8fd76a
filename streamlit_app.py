"""Report QA Assistant: ask questions over the reports, get answers cited by report and page.

Three pages (sidebar): "Ask the reports" (the chat), "Collection & glossary" (what is in the
index, acronyms, starter questions) and "Manage reports" (upload, delete, update the index),
each a module of ``app_pages``. This script and they only wire widgets to ``qa_assistant``;
the logic lives in the library and in ``qa_assistant.app_support``, ``conversations``,
``uploads`` and ``index_updater``. Report text and file names are shown as text, never as
HTML or Markdown (see ``app_support``). Run: ``streamlit run streamlit_app.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from app_pages.chat import ask_page
from app_pages.collection import collection_page
from app_pages.common import ASK, COLLECTION, MANAGE
from app_pages.manage import manage_page
from qa_assistant import Assistant, QAError
from qa_assistant.app_support import EMBEDDER_ENV, make_embedder
from qa_assistant.config import default_documents_dir, default_index_dir
from qa_assistant.index_updater import updater_for

FILTER_KEYS = ("filter_reports", "filter_folders", "filter_years")


@st.cache_resource(show_spinner="Loading the assistant…")
def load_assistant(index_dir: str, embedder_kind: str) -> Assistant:
    """One assistant (model and index) per index folder, shared by every session."""
    return Assistant(Path(index_dir), embedder=make_embedder(embedder_kind))


def main() -> None:
    """Set up the session, pick the page, show it."""
    st.set_page_config(page_title="Report QA Assistant", page_icon=":material/description:")
    for key in FILTER_KEYS:  # keep the filters while another page is shown
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
    st.session_state.setdefault("waiting", [])  # questions asked, not yet answered
    st.session_state.setdefault("upload_round", 0)
    documents_dir, index_dir = default_documents_dir(), default_index_dir()
    try:
        assistant = load_assistant(str(index_dir.resolve()), os.environ.get(EMBEDDER_ENV, ""))
    except QAError as exc:
        st.error(str(exc))
        st.stop()
    with st.sidebar:
        st.header("Report QA Assistant")
        st.caption("Answers from the reports only, each cited by report and page.")
        page = st.radio("Go to", (ASK, COLLECTION, MANAGE), key="page")
        if updater_for(assistant.index_dir).state().running:
            st.caption(":material/sync: An index update is running.")
    try:
        {ASK: ask_page, COLLECTION: collection_page, MANAGE: manage_page}[page](
            assistant, documents_dir
        )
    except QAError as exc:
        st.error(str(exc))


main()
