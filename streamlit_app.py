"""Report QA Assistant: ask questions over the reports, get answers cited by report and page.

Three pages (sidebar): "Ask the reports" (the chat), "Collection & glossary" (what is in the
index, acronyms, starter questions) and "Manage reports" (upload, delete, update the index).
This script only wires widgets to ``qa_assistant``; the logic lives in the library and in
``qa_assistant.app_support``, ``uploads`` and ``index_updater``. Report text and file names
are shown as text, never as HTML or Markdown (see ``app_support``). Run:
``streamlit run streamlit_app.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from qa_assistant import Assistant, QAError
from qa_assistant.app_support import (
    EMBEDDER_ENV,
    Turn,
    acronyms_line,
    citation_card_html,
    conversation_markdown,
    escape_markdown,
    folders_of,
    make_embedder,
    page_html,
    page_pdf,
    page_text,
    resolve_scope,
    sources_and_related,
)
from qa_assistant.config import SUPPORTED_KINDS, default_documents_dir, default_index_dir
from qa_assistant.index_updater import IndexUpdater, UpdateState, updater_for
from qa_assistant.scanning import scan_documents
from qa_assistant.types import Citation
from qa_assistant.uploads import add_upload, delete_report, document_path

ASK, COLLECTION, MANAGE = "Ask the reports", "Collection & glossary", "Manage reports"
FILTER_KEYS = ("filter_reports", "filter_folders", "filter_years")


@st.cache_resource(show_spinner="Loading the assistant…")
def load_assistant(index_dir: str, embedder_kind: str) -> Assistant:
    """One assistant (model and index) per index folder, shared by every session."""
    return Assistant(Path(index_dir), embedder=make_embedder(embedder_kind))


@st.cache_data(max_entries=32, show_spinner="Reading the page…")
def cached_page_text(path: str, mtime_ns: int, page: int) -> str:
    """The text of one page; ``mtime_ns`` makes a changed file be read again."""
    return page_text(Path(path), page)


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
    if state.error:
        st.error(state.error)
    elif state.report is not None:
        report = state.report
        st.success(
            f"Index updated in {report.seconds:.1f} s: {len(report.added)} added, "
            f"{len(report.updated)} updated, {len(report.removed)} removed, "
            f"{len(report.unchanged)} unchanged, {len(report.failed)} failed."
        )


# ---- the chat -------------------------------------------------------------------------------
def answer_waiting(assistant: Assistant, scope: list[str] | None) -> None:
    """Answer the questions waiting, in the order they were asked, keeping each turn.

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


def record_rating(assistant: Assistant, turn: Turn) -> None:
    """Store the thumbs up/down just given to ``turn``."""
    value = st.session_state.get(f"feedback-{turn.id}")
    turn.rating = None if value is None else (1 if value == 1 else -1)
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
            st.session_state.turns = []
            st.session_state.waiting = []
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


# ---- the collection -------------------------------------------------------------------------
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
    st.dataframe(
        [{"Title": d.title, "File": d.path, "Year": d.year, "Pages": d.pages} for d in documents],
        hide_index=True,
        width="stretch",
        column_config={"Title": st.column_config.TextColumn(width="large")},
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


# ---- managing reports -----------------------------------------------------------------------
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


# ---- the app --------------------------------------------------------------------------------
def main() -> None:
    """Set up the session, pick the page, show it."""
    st.set_page_config(page_title="Report QA Assistant", page_icon=":material/description:")
    for key in FILTER_KEYS:  # keep the filters while another page is shown
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
    st.session_state.setdefault("turns", [])
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
