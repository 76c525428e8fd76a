"""The "Manage reports" page, for analysts: the index's status, updates and rebuilds,
uploads, deletions and the files that could not be indexed."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from qa_assistant import Assistant, QAError
from qa_assistant.app_support import escape_markdown, folders_of
from qa_assistant.index_updater import updater_for
from qa_assistant.uploads import add_upload, delete_report

from .common import files_on_disk, start_update, update_progress


def upload_section(assistant: Assistant, documents_dir: Path) -> None:
    """Add PDF/TXT/MD files, checked by name, size, content and duplicates."""
    st.subheader("Add reports")
    folders = [""] + folders_of(files_on_disk(documents_dir))
    folder = st.selectbox(
        "Save into", folders, format_func=lambda f: f or "The documents folder itself"
    )
    files = st.file_uploader(  # any type: a refused file is told why, not dropped unseen
        "PDF, TXT or MD files (up to 50 MB each)",
        accept_multiple_files=True,
        key=f"uploads-{st.session_state.upload_round}",
    )
    replace_existing = st.checkbox("Replace reports of the same name")
    index_now = st.checkbox("Update the index right after", value=True)
    if st.button("Add to the collection", disabled=not files, icon=":material/upload:"):
        messages, added = [], 0
        for file in files or []:
            try:
                stored = add_upload(
                    documents_dir,
                    file.name,
                    file.getvalue(),
                    folder=folder,
                    replace_existing=replace_existing,
                )
            except QAError as exc:
                messages.append(("error", str(exc)))
            else:
                added += 1
                messages.append(("success", f"Added {stored.relative_to(documents_dir.resolve())}"))
        if added and index_now:
            start_update(assistant, documents_dir)
        st.session_state.upload_messages = messages
        st.session_state.upload_round += 1
        st.rerun()
    for kind, text in st.session_state.pop("upload_messages", []):
        (st.error if kind == "error" else st.success)(escape_markdown(text))


def delete_section(assistant: Assistant, documents_dir: Path) -> None:
    """Delete one report file; the index drops it in the update that follows."""
    st.subheader("Delete a report")
    found = files_on_disk(documents_dir)
    if not found:
        st.caption("The documents folder holds no reports.")
        return
    chosen = st.selectbox("Report file", found, index=None, placeholder="Choose a file")
    sure = st.checkbox("Yes, delete this file from the documents folder", key="confirm_delete")
    if st.button("Delete", disabled=not (chosen and sure), icon=":material/delete:"):
        try:
            delete_report(documents_dir, chosen)
        except QAError as exc:
            st.error(str(exc))
            return
        start_update(assistant, documents_dir)
        st.session_state.upload_messages = [("success", f"Deleted {chosen}; updating the index.")]
        st.rerun()


def manage_page(assistant: Assistant, documents_dir: Path) -> None:
    """For analysts: index status and updates, uploads, deletions and failed files."""
    st.title("Manage reports")
    updater = updater_for(assistant.index_dir)
    running = updater.state().running
    st.subheader("Index")
    status = assistant.status()
    if status["exists"]:
        reports, passages, failed = st.columns(3)
        reports.metric("Reports", status["documents"])
        passages.metric("Passages", status["passages"])
        failed.metric("Files that failed", status["failed"])
        st.caption(
            escape_markdown(
                f"Model {status['model']} ({status['dim']} dimensions, {status['vector_index']} "
                f"index); last built {status['built']}; index folder {status['index']}/; "
                f"documents folder {documents_dir}/."
            )
        )
    else:
        st.info(escape_markdown(f"No index yet in {status['index']}/."))
    update, rebuild = st.columns(2)
    if update.button("Update index", type="primary", disabled=running, icon=":material/sync:"):
        start_update(assistant, documents_dir)
        st.rerun()
    if rebuild.button("Rebuild from scratch", disabled=running, icon=":material/restart_alt:"):
        start_update(assistant, documents_dir, rebuild=True)
        st.rerun()
    update_progress(updater, previous=status["exists"])
    upload_section(assistant, documents_dir)
    delete_section(assistant, documents_dir)
    st.subheader("Files that could not be indexed")
    failures = assistant.failures() if status["exists"] else []
    if failures:
        st.dataframe(
            [{"File": path, "Why": reason} for path, reason in failures],
            hide_index=True,
            width="stretch",
        )
    else:
        st.caption("None: every report file was read.")
