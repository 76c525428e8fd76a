"""The "Collection & glossary" page: what the index holds, the acronyms mined from the
reports and starter questions, for newcomers."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from qa_assistant import Assistant

from .common import no_index, starter_questions


def collection_page(assistant: Assistant, documents_dir: Path) -> None:
    """What the index holds, the acronym glossary and starter questions, for newcomers."""
    st.title("Collection & glossary")
    if not assistant.has_index():
        no_index(assistant, documents_dir)
        return
    documents = assistant.documents()
    status = assistant.status()
    years = sorted({d.year for d in documents if d.year})
    reports, pages, passages, span = st.columns(4)
    reports.metric("Reports", status["documents"])
    pages.metric("Pages", status["pages"])
    passages.metric("Passages", status["passages"])
    span.metric("Years", f"{years[0]}–{years[-1]}" if years else "unknown")
    newest = sorted(documents, key=lambda d: (-(d.year or 0), d.path))
    st.dataframe(  # the short columns first: a long title no longer pushes them off screen
        [{"Year": d.year, "Pages": d.pages, "Title": d.title, "File": d.path} for d in newest],
        hide_index=True,
        width="stretch",
        column_config={
            "Year": st.column_config.NumberColumn(width="small", format="%d"),
            "Pages": st.column_config.NumberColumn(width="small"),
            "Title": st.column_config.TextColumn(width="large"),
            "File": st.column_config.TextColumn(width="medium"),
        },
    )
    st.subheader("Starter questions")
    starter_questions(assistant, "collection")
    st.subheader("Acronyms")
    search = st.text_input("Search the glossary", placeholder="e.g. ODIHR or border").strip()
    entries = [
        e for e in assistant.glossary() if search.lower() in f"{e.acronym} {e.expansion}".lower()
    ]
    st.dataframe(
        [
            {"Acronym": e.acronym, "Stands for": e.expansion, "Reports": ", ".join(e.documents)}
            for e in entries
        ],
        hide_index=True,
        width="stretch",
    )
    if not entries:
        st.caption("No acronym matches." if search else "No acronyms defined in the reports.")
