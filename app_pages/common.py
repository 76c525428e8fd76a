"""What the app's pages share: the page names, the index's build and update progress, and
the starter-question buttons."""

from __future__ import annotations

import time
from pathlib import Path

import streamlit as st

from qa_assistant import Assistant
from qa_assistant.app_support import escape_markdown
from qa_assistant.config import SUPPORTED_KINDS
from qa_assistant.index_updater import IndexUpdater, UpdateState, updater_for
from qa_assistant.ocr import UNREAD_FIX
from qa_assistant.scanning import scan_documents

ASK, COLLECTION, MANAGE = "Ask the reports", "Collection & glossary", "Manage reports"


def files_on_disk(documents_dir: Path) -> list[str]:
    """Report files in the documents folder (relative paths); none when it is missing."""
    return [f.relative for f in scan_documents(documents_dir)] if documents_dir.is_dir() else []


# ---- index updates --------------------------------------------------------------------------
def start_update(assistant: Assistant, documents_dir: Path, *, rebuild: bool = False) -> None:
    """Start a background update, or say that one is already running."""
    if not updater_for(assistant.index_dir).start(assistant, documents_dir, rebuild=rebuild):
        st.toast("An index update is already running.")


def update_progress(updater: IndexUpdater, *, previous: bool = True) -> None:
    """The running update's progress bar, refreshed every second; the page reloads at the end.
    ``previous``: whether an earlier index answers questions meanwhile."""
    begun = updater.state()

    @st.fragment(run_every=1.0 if begun.running else None)
    def progress() -> None:
        state = updater.state()
        if state.running:
            st.progress(state.fraction, text=state.describe())
            if previous:
                st.caption("Questions are answered from the previous index until it ends.")
            else:
                st.caption("Questions can be asked once the index is built.")
        elif begun.running:
            st.rerun()
        else:
            last_update_result(state)

    progress()


def last_update_result(state: UpdateState) -> None:
    """What the latest update did, or why it failed."""
    if state.error:  # dated: "another run is updating" may have ended since
        at = state.started or state.finished
        when = time.strftime("%H:%M", time.localtime(at)) if at else ""
        st.error(
            escape_markdown(
                f"The update started at {when} stopped: {state.error}" if when else state.error
            )
        )
    elif state.report is not None:
        report = state.report
        # what OCR read, and what it could read once installed or after a rebuild
        notes = (
            f" {len(report.ocr)} with scanned pages, read by OCR ({', '.join(report.ocr)}): "
            "check a quote from them against the page."
            if report.ocr
            else ""
        )
        if report.unread_pictures:
            notes += (
                f" {len(report.unread_pictures)} with pages that are pictures, left unread "
                f"({', '.join(report.unread_pictures)}): to have them read, {UNREAD_FIX} "
                "(Rebuild from scratch)."
            )
        if report.before_picture_ocr:
            notes += (
                " The index was built before pictures in text reports (infographics, scanned "
                "annexes) were read by OCR: rebuild it from scratch to read them."
            )
        st.success(
            escape_markdown(
                f"Index updated in {report.seconds:.1f} s: {len(report.added)} added, "
                f"{len(report.updated)} updated, {len(report.removed)} removed, "
                f"{len(report.unchanged)} unchanged, {len(report.failed)} failed.{notes}"
            )
        )


def no_index(assistant: Assistant, documents_dir: Path) -> None:
    """Say there is no index yet and offer to build it from the documents folder."""
    found = files_on_disk(documents_dir)
    st.info(
        escape_markdown(
            f"There is no index yet in {assistant.index_dir}/, so there is nothing to answer "
            f"from. {len(found)} report file(s) wait in {documents_dir}/."
        ),
        icon=":material/info:",
    )
    if found:
        running = updater_for(assistant.index_dir).state().running
        if st.button("Build the index now", type="primary", disabled=running):
            start_update(assistant, documents_dir)
            st.rerun()
    else:
        st.write(f"Add reports ({SUPPORTED_KINDS} files) on the **Manage reports** page first.")
    update_progress(updater_for(assistant.index_dir), previous=False)


# ---- starter questions ----------------------------------------------------------------------
def queue_question(question: str) -> None:
    """Ask ``question`` on the chat page (starter-question buttons)."""
    st.session_state.pending_question = question
    st.session_state.page = ASK


def starter_questions(assistant: Assistant, where: str) -> None:
    """Buttons that ask the suggested starter questions."""
    for number, question in enumerate(assistant.suggested_questions(4)):
        st.button(
            escape_markdown(question),
            key=f"starter-{where}-{number}",
            on_click=queue_question,
            args=(question,),
            icon=":material/help:",
        )
