"""Shared fixtures: every path points into tmp_path; a fake embedder for fast unit tests;
the real bundled model loaded once per session for integration tests."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from qa_assistant.embedding import FakeEmbedder

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"
SHARED = REPO.parent / "shared"


@pytest.fixture(autouse=True)
def _isolated_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the repo's own documents/ or index/ by accident."""
    monkeypatch.setenv("QA_ASSISTANT_DOCUMENTS", str(tmp_path / "documents"))
    monkeypatch.setenv("QA_ASSISTANT_INDEX", str(tmp_path / "index"))


@pytest.fixture
def data_dir() -> Path:
    """The committed test fixtures (tests/data)."""
    return DATA


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared next to the repo; tests that need it skip with a reason when it is absent."""
    if not SHARED.is_dir():
        pytest.skip(f"../shared is not present at {SHARED}: shared-material tests skipped")
    return SHARED


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    """A deterministic, instant embedder with the real interface."""
    return FakeEmbedder()


@pytest.fixture(scope="session")
def real_embedder():
    """The bundled all-MiniLM-L6-v2, loaded once per test session."""
    from qa_assistant.embedding import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder()
    embedder.warm_up()
    return embedder


def inline_reader(paths):
    """Read in-process (tests): the same results as the guarded worker pool."""
    from qa_assistant.errors import DocumentError
    from qa_assistant.reading import read_document

    for path in paths:
        try:
            yield path, read_document(path)
        except DocumentError as error:
            yield path, error


# ---- the app (AppTest) ----------------------------------------------------------------------
@pytest.fixture
def documents_dir(monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> Path:
    """The sample reports, plus injection.txt in a training/ folder, as the documents; the
    app builds its assistant with the fake embedder (``QA_ASSISTANT_EMBEDDER=fake``)."""
    monkeypatch.setenv("QA_ASSISTANT_EMBEDDER", "fake")
    folder = Path(os.environ["QA_ASSISTANT_DOCUMENTS"])
    shutil.copytree(REPO / "documents", folder)
    (folder / "training").mkdir()
    shutil.copy(data_dir / "injection.txt", folder / "training" / "injection.txt")
    return folder


@pytest.fixture
def index_dir(documents_dir: Path) -> Path:
    """An index of ``documents_dir`` built with the fake embedder."""
    from qa_assistant.indexer import update_index
    from qa_assistant.reading import read_documents_inline

    folder = Path(os.environ["QA_ASSISTANT_INDEX"])
    update_index(documents_dir, folder, FakeEmbedder(), reader=read_documents_inline)
    return folder
