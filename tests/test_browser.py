"""The app in a real browser: Debian's Chromium driven by Playwright, the real model.

Starts ``streamlit run streamlit_app.py`` on a free port over a copy of the sample reports
(indexed first with the CLI), asks a question, waits for a citation card naming the report
and page, opens the page view and the original page (a one-page PDF download), asks a
follow-up, reloads the page and checks that the conversation is still shown, visits the
collection page, then on "Manage reports" uploads a new small report through the file
uploader, waits for the background index update, goes back to the chat, opens the same
address in a second tab and starts typing there, asks about the new report in the first tab
and checks that a citation card names the uploaded file, in the first tab and, with no
click, in the second, whose half-typed question stays. Screenshots of each step go to
test-output/ (repo-relative, git-ignored).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
OUTPUT = REPO / "test-output"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
QUESTION = "How many Kosovo Police officers were certified as hate crime trainers?"
FOLLOW_UP = "Where was that training held?"
UPLOAD_NAME = "legal_aid_gjilan_2025.md"
UPLOAD_TEXT = (
    "# Legal aid desk in Gjilan/Gnjilane\n\n"
    "The OSCE Mission opened a legal aid desk in Gjilan/Gnjilane on 3 March 2025 that served "
    "412 clients in its first month. Most clients asked about property rights and civil "
    "registration documents.\n"
)
UPLOAD_QUESTION = "How many clients did the legal aid desk in Gjilan serve in its first month?"
UPDATE_TIMEOUT_MS = 120_000
SECOND_TAB_TIMEOUT_MS = 15_000  # the other tab looks every 2 s; then its page is redrawn
DRAFT = "And in which month"
TIMEOUT_MS = 60_000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, server: subprocess.Popen, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"streamlit exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"streamlit did not answer on {url} within {seconds:.0f} s")


@pytest.fixture
def app_url(tmp_path: Path) -> Iterator[str]:
    """The app served over an indexed copy of documents/ (real model); stopped afterwards."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (make browser-deps)")
    pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    documents, index = tmp_path / "documents", tmp_path / "index"
    shutil.copytree(REPO / "documents", documents)
    env = {k: v for k, v in os.environ.items() if k != "QA_ASSISTANT_EMBEDDER"}
    env.update(QA_ASSISTANT_DOCUMENTS=str(documents), QA_ASSISTANT_INDEX=str(index))
    subprocess.run(
        [sys.executable, "-m", "qa_assistant", "index", "--documents", str(documents)]
        + ["--index", str(index), "--no-progress"],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    port = _free_port()
    log = (tmp_path / "streamlit.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "streamlit_app.py"]
        + ["--server.headless", "true", "--server.port", str(port)]
        + ["--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, server)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
        shutil.copy(tmp_path / "streamlit.log", OUTPUT / "browser-streamlit.log")


def _ask(page, question: str, answers: int) -> None:
    """Type ``question`` in the chat box, send it and wait for answer number ``answers``."""
    box = page.get_by_placeholder("Ask a question about the reports")
    box.fill(question)
    box.press("Enter")
    page.locator('[data-testid="stChatMessage"]').nth(2 * answers - 1).wait_for(timeout=TIMEOUT_MS)
    page.get_by_text("Searching the reports…").wait_for(state="detached", timeout=TIMEOUT_MS)


def test_new_user_journey(app_url: str, tmp_path: Path) -> None:
    """Ask, open the cited page, follow up, reload, upload a report, update the index, ask
    about it."""
    from playwright.sync_api import expect, sync_playwright

    OUTPUT.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 2200}, accept_downloads=True)
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(app_url)
            expect(page.get_by_role("heading", name="Ask the reports")).to_be_visible()

            _ask(page, QUESTION, answers=1)
            card = page.locator(".qa-card").filter(
                has_text="omik_hate_crime_training_2024.pdf · page 1"
            )
            expect(card.first).to_be_visible()
            expect(card.first.locator("mark")).to_contain_text("14 Kosovo Police officers")

            page.get_by_text("Show page 1").first.click()
            # The original page, drawn as printed with the sentence marked, then its text.
            picture = page.locator('[data-testid="stImage"] img').first
            expect(picture).to_be_visible()
            page.wait_for_function(
                "img => img.complete && img.naturalWidth > 800", arg=picture.element_handle()
            )
            picture.scroll_into_view_if_needed()
            page.screenshot(path=str(OUTPUT / "browser-page.png"))
            page.get_by_role("tab", name="Text").first.click()
            page_view = page.locator(".qa-page").first
            expect(page_view).to_contain_text("Between 4 March and 26 April 2024")
            expect(page_view.locator("mark")).to_contain_text("14 Kosovo Police officers")

            with page.expect_download() as download:
                page.get_by_role("button", name="Original page 1 (PDF)").first.click()
            original = Path(download.value.path()).read_bytes()
            assert original.startswith(b"%PDF-")
            assert download.value.suggested_filename == "omik_hate_crime_training_2024-page-1.pdf"

            page.screenshot(path=str(OUTPUT / "browser-answer.png"))

            _ask(page, FOLLOW_UP, answers=2)
            messages = page.locator('[data-testid="stChatMessage"]')
            expect(messages).to_have_count(4)
            expect(messages.nth(3).locator(".qa-card").first).to_be_visible()
            messages.nth(2).scroll_into_view_if_needed()
            page.screenshot(path=str(OUTPUT / "browser-follow-up.png"))

            # A reload (F5) is a new Streamlit session: the address names the conversation.
            assert "conversation=" in page.url
            page.reload()
            expect(page.get_by_role("heading", name="Ask the reports")).to_be_visible()
            expect(messages).to_have_count(4)
            expect(messages.nth(2)).to_contain_text(FOLLOW_UP)
            card = (
                messages.nth(1)
                .locator(".qa-card")
                .filter(has_text="omik_hate_crime_training_2024.pdf · page 1")
            )
            expect(card.first.locator("mark")).to_contain_text("14 Kosovo Police officers")
            page.screenshot(path=str(OUTPUT / "browser-reloaded.png"))

            page.get_by_text("Collection & glossary").click()
            expect(page.get_by_role("heading", name="Acronyms")).to_be_visible()
            expect(messages).to_have_count(0)
            page.screenshot(path=str(OUTPUT / "browser-collection.png"))

            page.get_by_text("Manage reports", exact=True).click()
            expect(
                page.get_by_role("heading", name="Files that could not be indexed")
            ).to_be_visible()
            expect(page.get_by_role("heading", name="Acronyms")).to_have_count(0)
            page.screenshot(path=str(OUTPUT / "browser-manage.png"))

            # A new report through the file uploader; the index updates right after (default).
            upload = tmp_path / UPLOAD_NAME
            upload.write_text(UPLOAD_TEXT, encoding="utf-8")
            uploader = page.locator('[data-testid="stFileUploader"]')
            uploader.locator('input[type="file"]').set_input_files(str(upload))
            remove = uploader.get_by_role("button", name=f"Remove {UPLOAD_NAME}")
            expect(remove).to_be_visible(timeout=TIMEOUT_MS)  # the shown name is shortened
            expect(page.get_by_label("Update the index right after")).to_be_checked()
            add = page.get_by_role("button", name="Add to the collection")
            expect(add).to_be_enabled(timeout=TIMEOUT_MS)
            add.click()
            expect(page.get_by_text(f"Added {UPLOAD_NAME}")).to_be_visible(timeout=TIMEOUT_MS)
            expect(page.get_by_text("Index updated in")).to_be_visible(timeout=UPDATE_TIMEOUT_MS)
            expect(page.get_by_text("1 added")).to_be_visible()
            page.screenshot(path=str(OUTPUT / "browser-uploaded.png"))

            page.get_by_text("Ask the reports", exact=True).click()
            expect(page.get_by_role("heading", name="Ask the reports")).to_be_visible(
                timeout=TIMEOUT_MS
            )
            # The conversation is kept across pages. Wait until all of it is drawn again:
            # counting while Streamlit is still re-rendering gives a partial count.
            expect(messages).to_have_count(4)

            # A second tab at the same address, where a question is being typed.
            tab = browser.new_page(viewport={"width": 1280, "height": 2200})
            tab.goto(page.url)
            tab_messages = tab.locator('[data-testid="stChatMessage"]')
            expect(tab_messages).to_have_count(4, timeout=TIMEOUT_MS)
            tab_box = tab.get_by_placeholder("Ask a question about the reports")
            tab_box.fill(DRAFT)

            page.bring_to_front()
            _ask(page, UPLOAD_QUESTION, answers=3)
            expect(messages).to_have_count(6)
            answer = messages.nth(5)
            card = answer.locator(".qa-card").filter(has_text=UPLOAD_NAME)
            expect(card.first).to_be_visible(timeout=TIMEOUT_MS)
            expect(card.first.locator("mark")).to_contain_text("412 clients")
            answer.scroll_into_view_if_needed()
            page.screenshot(path=str(OUTPUT / "browser-upload.png"))

            # The second tab shows the new turn by itself, and the typing there goes on.
            expect(tab_messages).to_have_count(6, timeout=SECOND_TAB_TIMEOUT_MS)
            expect(tab_messages.nth(4)).to_contain_text(UPLOAD_QUESTION)
            card = tab_messages.nth(5).locator(".qa-card").filter(has_text=UPLOAD_NAME)
            expect(card.first.locator("mark")).to_contain_text("412 clients")
            expect(tab_box).to_have_value(DRAFT)
            tab_messages.nth(5).scroll_into_view_if_needed()
            tab.screenshot(path=str(OUTPUT / "browser-second-tab.png"))
        finally:
            browser.close()
