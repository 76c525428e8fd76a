"""Helpers for the tests that drive the Streamlit app with AppTest (test_app_chat.py and
test_app_collection.py): the app is started with the fake embedder over documents and an
index under tmp_path (the fixtures ``documents_dir`` and ``index_dir`` in conftest.py).
"""

from __future__ import annotations

import os
from pathlib import Path

from streamlit.testing.v1 import AppTest

from qa_assistant.index_updater import updater_for

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "streamlit_app.py"
ASK, COLLECTION, MANAGE = "Ask the reports", "Collection & glossary", "Manage reports"
POLICE_QUESTION = "How many Kosovo Police officers were certified as hate crime trainers?"


def start_app() -> AppTest:
    """The app after its first run."""
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception, at.exception
    return at


def ask(at: AppTest, question: str) -> AppTest:
    """Type ``question`` into the chat box and send it."""
    at.chat_input[0].set_value(question).run()
    assert not at.exception, at.exception
    return at


def cards(at: AppTest) -> list[str]:
    """The HTML of the citation cards on the page."""
    return [h.value for h in at.html if 'class="qa-card"' in h.value]


def texts(at: AppTest) -> str:
    """Every Markdown, caption, alert and HTML text on the page, joined."""
    parts = [e.value for e in (*at.markdown, *at.caption, *at.html)]
    parts += [e.value for e in (*at.info, *at.warning, *at.error, *at.success)]
    return "\n".join(parts)


def wait_for_update(at: AppTest) -> AppTest:
    """Let the background update finish, then run the app again."""
    state = updater_for(Path(os.environ["QA_ASSISTANT_INDEX"])).wait(timeout=120)
    assert not state.running and state.error is None, state
    return at.run()
