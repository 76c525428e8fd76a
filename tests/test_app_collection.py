"""The app's pages about the collection driven by AppTest: a first start without an index,
"Collection & glossary", and "Manage reports" (status, uploads, deletion, updates while
the chat keeps answering). Fake embedder; documents and index under tmp_path (conftest.py).
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest
from helpers_app import (
    ASK,
    COLLECTION,
    MANAGE,
    POLICE_QUESTION,
    ask,
    cards,
    start_app,
    texts,
    wait_for_update,
)
from streamlit.testing.v1 import AppTest

from qa_assistant import Assistant, FakeEmbedder
from qa_assistant.index_updater import updater_for
from qa_assistant.indexer import update_index
from qa_assistant.reading import read_documents_inline


# ---- no index yet ------------------------------------------------------------------------------
def test_without_index_the_app_says_so_and_builds_it(documents_dir: Path) -> None:
    at = start_app()
    assert "no index yet" in at.info[0].value
    build = next(b for b in at.button if b.label == "Build the index now")
    build.click().run()
    wait_for_update(at)
    assert not at.exception
    assert Assistant(Path(os.environ["QA_ASSISTANT_INDEX"]), embedder=FakeEmbedder()).has_index()
    assert at.chat_input, "the chat opens once the index exists"
    assert any("Office for Democratic Institutions" in b.label for b in at.button)


def test_without_documents_it_points_to_the_manage_page(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QA_ASSISTANT_EMBEDDER", "fake")
    at = start_app()
    assert "no index yet" in at.info[0].value
    assert "Manage reports" in texts(at) and ".pdf, .txt or .md" in texts(at)
    assert not [b for b in at.button if b.label == "Build the index now"]


# ---- the collection page -----------------------------------------------------------------------
def test_collection_page_overview_glossary_and_starters(index_dir: Path) -> None:
    at = start_app()
    at.radio(key="page").set_value(COLLECTION).run()
    assert [m.value for m in at.metric][:3] == ["7", "16", "70"]
    listed = at.dataframe[0].value
    titles = listed["Title"].tolist()
    assert "Addressing Hate Crime in Kosovo: Training for Police and Prosecutors, 2024" in titles
    # the short columns first, where a long title cannot push them off the screen; newest first
    assert listed.columns.tolist() == ["Year", "Pages", "Title", "File"]
    years = [int(year) for year in listed["Year"].dropna()]
    assert years == sorted(years, reverse=True) and years
    at.text_input[0].set_value("odihr").run()
    assert at.dataframe[1].value["Acronym"].tolist() == ["ODIHR"]
    starter = next(b for b in at.button if b.key == "starter-collection-0")
    starter.click().run()
    assert at.radio(key="page").value == ASK
    assert at.chat_message[0].markdown[0].value.startswith("What does the Office")
    assert cards(at)


# ---- managing reports --------------------------------------------------------------------------
def open_manage(at: AppTest) -> AppTest:
    """Switch to the Manage reports page."""
    at.radio(key="page").set_value(MANAGE).run()
    assert not at.exception, at.exception
    return at


def upload(at: AppTest, *files: tuple[str, bytes]) -> AppTest:
    """Upload ``files`` and press "Add to the collection"."""
    at.file_uploader[0].set_value(
        [(name, data, "application/octet-stream") for name, data in files]
    )
    at.run()
    next(b for b in at.button if b.label == "Add to the collection").click().run()
    assert not at.exception, at.exception
    return at


def test_manage_page_shows_status_and_failed_files(documents_dir: Path, data_dir: Path) -> None:
    shutil.copy(data_dir / "corrupt.pdf", documents_dir / "corrupt.pdf")
    update_index(
        documents_dir,
        Path(os.environ["QA_ASSISTANT_INDEX"]),
        FakeEmbedder(),
        reader=read_documents_inline,
    )
    at = open_manage(start_app())
    assert [m.value for m in at.metric] == ["7", "70", "1"]
    assert "Model fake-hash" in texts(at)
    failures = at.dataframe[0].value
    assert failures["File"].tolist() == ["corrupt.pdf"]
    assert failures["Why"].tolist()[0].startswith("cannot be read")


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("random_bytes.pdf", None, "it is not a PDF"),
        ("../escape.txt", b"A harmless report.", "must not contain folders"),
        (".hidden.txt", b"A harmless report.", "must not start with a dot"),
        ("empty.txt", b"", "the file is empty"),
        ("photo.png", b"\x89PNG\r\n\x1a\n", "only .pdf, .txt, .md files can be added"),
    ],
)
def test_bad_uploads_are_refused_and_write_nothing(
    index_dir: Path, documents_dir: Path, data_dir: Path, name: str, data: bytes | None, reason: str
) -> None:
    before = sorted(p.relative_to(documents_dir.parent) for p in documents_dir.parent.rglob("*"))
    data = data if data is not None else (data_dir / name).read_bytes()
    at = upload(open_manage(start_app()), (name, data))
    assert reason in at.error[0].value
    after = sorted(p.relative_to(documents_dir.parent) for p in documents_dir.parent.rglob("*"))
    assert [p for p in after if "index" not in p.parts] == [
        p for p in before if "index" not in p.parts
    ]
    assert not updater_for(index_dir).state().running


def test_unreadable_pdf_upload_is_refused(index_dir: Path, documents_dir: Path, data_dir: Path):
    at = upload(open_manage(start_app()), ("corrupt.pdf", (data_dir / "corrupt.pdf").read_bytes()))
    assert "cannot be read" in at.error[0].value
    assert not (documents_dir / "corrupt.pdf").exists()
    assert not list(documents_dir.glob(".upload-*"))


def test_upload_adds_a_report_and_updates_the_index(
    index_dir: Path, documents_dir: Path, data_dir: Path
) -> None:
    notes = (data_dir / "notes.md").read_bytes()
    at = upload(open_manage(start_app()), ("Field notes.md", notes))
    assert at.success[0].value.startswith("Added Field notes.md")
    wait_for_update(at)
    assert (documents_dir / "Field notes.md").read_bytes() == notes
    assert [m.value for m in at.metric][0] == "8"
    assert "8 added" not in texts(at) and "1 added" in texts(at)
    upload(at, ("copy.md", notes))
    assert "already there as Field notes.md" in at.error[0].value


def test_delete_removes_the_report_from_the_index(index_dir: Path, documents_dir: Path) -> None:
    at = open_manage(start_app())
    at.selectbox[1].set_value("training/injection.txt").run()
    at.checkbox(key="confirm_delete").check().run()
    next(b for b in at.button if b.label == "Delete").click().run()
    wait_for_update(at)
    assert not (documents_dir / "training" / "injection.txt").exists()
    assert "1 removed" in texts(at)
    paths = [d.path for d in Assistant(index_dir, embedder=FakeEmbedder()).documents()]
    assert "training/injection.txt" not in paths


def test_an_update_refused_while_another_run_held_the_index_says_when(index_dir: Path) -> None:
    # Shown to every later session: undated, it read as if the other run were still going.
    from qa_assistant.generations import IndexLock

    at = open_manage(start_app())
    with IndexLock(index_dir):  # a command-line run holds the index
        next(b for b in at.button if b.label == "Update index").click().run()
        state = updater_for(index_dir).wait(timeout=60)
    at.run()
    started = time.strftime("%H:%M", time.localtime(state.started))
    shown = at.error[0].value.replace("\\", "")  # as Markdown shows it, escapes aside
    assert shown.startswith(f"The update started at {started} stopped: Another qa-assistant")


def test_questions_are_answered_from_the_previous_index_during_an_update(
    index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    original = Assistant.update

    def slow_update(self, documents_dir, **kwargs):
        release.wait(timeout=60)
        return original(self, documents_dir, **kwargs)

    monkeypatch.setattr(Assistant, "update", slow_update)
    at = open_manage(start_app())
    next(b for b in at.button if b.label == "Update index").click().run()
    try:
        assert updater_for(index_dir).state().running
        assert at.get("progress"), "a progress bar shows while the update runs"
        assert next(b for b in at.button if b.label == "Update index").disabled
        at.radio(key="page").set_value(ASK).run()
        assert "answers come from the previous index" in at.info[0].value
        ask(at, POLICE_QUESTION)
        assert "14 Kosovo Police officers" in at.chat_message[1].markdown[0].value
    finally:
        release.set()
    wait_for_update(at)
    assert not at.info
