"""Two writers at once, and questions while an update runs: one writer at a time (the
other waits or is refused with the fix), and every answer comes from one complete
generation, the previous one until the switch and the new one after it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from helpers_index import (
    REPO,
    SlowFakeEmbedder,
    fingerprint,
    indexed_fingerprint,
    make_text_reader,
    marker_word,
    run_cli,
    state,
    stray_generations,
    text_reader,
    write_state,
)

from qa_assistant import Assistant, FakeEmbedder, update_index
from qa_assistant.index_layout import LOCK_FILE

HELPER = Path(__file__).with_name("helpers_index.py")
STATE_A = state("a", range(8))
STATE_B = {**state("a", range(3), version=2), **state("a", range(3, 5)), **state("b", range(10))}


@pytest.fixture
def folders(tmp_path) -> tuple[Path, Path]:
    """Documents in state B, the index built from state A."""
    documents, index_dir = tmp_path / "documents", tmp_path / "index"
    write_state(documents, STATE_A)
    update_index(documents, index_dir, FakeEmbedder(), reader=text_reader)
    write_state(documents, STATE_B)
    return documents, index_dir


def start_slow_writer(documents: Path, index_dir: Path, *extra: str) -> subprocess.Popen:
    """The helper script updating slowly; returns once it holds the index's lock. It reads
    nothing until the file ``index_dir.parent / "go"`` exists, so it holds the lock for as
    long as the test needs."""
    writer = subprocess.Popen(
        [
            sys.executable,
            str(HELPER),
            "--documents",
            str(documents),
            "--index",
            str(index_dir),
            "--delay",
            "0.05",
            "--batch",
            "4",
            "--gate",
            str(index_dir.parent / "go"),
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and writer.poll() is None:
        try:
            if (index_dir / LOCK_FILE).read_text().strip() == str(writer.pid):
                return writer
        except FileNotFoundError:
            pass
        time.sleep(0.02)
    writer.kill()
    pytest.fail(f"the writer never took the lock: {writer.communicate()}")


def test_second_index_process_is_refused_with_a_one_line_message(folders):
    """A CLI ``index`` started while another process updates the same index exits 1 with
    one line naming the other process and what to do; the first run is not disturbed."""
    documents, index_dir = folders
    writer = start_slow_writer(documents, index_dir)
    second = run_cli(
        "index", "--documents", str(documents), "--index", str(index_dir), "--json", timeout=120
    )
    assert writer.poll() is None, "the first writer should still be running"
    (index_dir.parent / "go").touch()
    assert second.returncode == 1
    lines = second.stderr.strip().splitlines()
    assert len(lines) == 1, second.stderr
    assert f"pid {writer.pid}" in lines[0] and "Wait for it to finish" in lines[0]
    assert second.stdout == ""
    out, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, err
    assert indexed_fingerprint(index_dir) == fingerprint(STATE_B)
    assert not stray_generations(index_dir), sorted(p.name for p in index_dir.glob("gen-*"))


def test_second_index_process_with_wait_runs_after_the_first(folders):
    """With ``--wait`` the second writer waits for the lock, then finds nothing to do."""
    documents, index_dir = folders
    writer = start_slow_writer(documents, index_dir)
    second = subprocess.Popen(
        [
            sys.executable,
            str(HELPER),
            "--documents",
            str(documents),
            "--index",
            str(index_dir),
            "--wait",
            "60",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    assert second.stdout.readline().strip() == "ready"
    time.sleep(0.5)  # let it reach the lock and wait there
    (index_dir.parent / "go").touch()
    assert writer.wait(timeout=60) == 0, writer.stderr.read()
    out, err = second.communicate(timeout=60)
    assert second.returncode == 0, err
    report = json.loads(out)
    assert sorted(report["unchanged"]) == sorted(STATE_B) and not report["added"]
    assert indexed_fingerprint(index_dir) == fingerprint(STATE_B)


def consistent_with(answer, files: dict[str, str]) -> bool:
    """Every citation is a passage of a document of this state, as this state has it."""
    return all(
        c.document in files and c.text in files[c.document].replace("\f", "\n")
        for c in answer.citations
    )


def test_questions_during_an_update_come_from_the_old_or_the_new_index(folders, monkeypatch):
    """Threads ask (and list documents) in a loop while another thread updates: no errors;
    each answer is wholly from the old or wholly from the new state; once a thread has seen
    the new state it never sees the old again; after the update, answers are new."""
    from qa_assistant import adding

    documents, index_dir = folders
    monkeypatch.setattr(adding, "EMBED_BATCH_PASSAGES", 4)  # many small steps
    assistant = Assistant(index_dir, embedder=FakeEmbedder())
    questions = [
        f"How many staff did the {marker_word('a', 1)} office train?",  # changed in B
        f"What did the {marker_word('a', 6)} mission report describe?",  # gone in B
        f"What did the {marker_word('b', 2)} mission report describe?",  # new in B
    ]
    old, new = STATE_A, STATE_B
    errors: list[str] = []
    seen: dict[str, list[str]] = {}
    done = threading.Event()
    ready = threading.Barrier(4)

    def ask_in_a_loop(name: str) -> None:
        seen[name] = []
        first = True
        while first or not done.is_set():
            for question in questions:
                try:
                    answer = assistant.ask(question)
                    paths = {d.path for d in assistant.documents()}
                except Exception as exc:  # noqa: BLE001 - any error fails the test
                    errors.append(f"{name}: {type(exc).__name__}: {exc}")
                    continue
                if consistent_with(answer, old) and not consistent_with(answer, new):
                    seen[name].append("old")
                elif consistent_with(answer, new) and not consistent_with(answer, old):
                    seen[name].append("new")
                elif not (consistent_with(answer, old) and consistent_with(answer, new)):
                    errors.append(f"{name}: mixed answer {[c.document for c in answer.citations]}")
                if paths not in (set(old), set(new)):
                    errors.append(f"{name}: documents() mixed: {sorted(paths)}")
            if first:
                ready.wait(timeout=30)
                first = False

    askers = [threading.Thread(target=ask_in_a_loop, args=(f"asker{i}",)) for i in range(3)]
    for thread in askers:
        thread.start()
    ready.wait(timeout=30)  # every asker has used the old generation once
    report = update_index(
        documents, index_dir, SlowFakeEmbedder(0.05), reader=make_text_reader(0.05)
    )
    time.sleep(0.3)
    done.set()
    for thread in askers:
        thread.join(timeout=60)
    assert not errors, "\n".join(errors[:20])
    assert report.documents == len(STATE_B)
    for name, states in seen.items():
        assert "old" in states, f"{name} never saw the old index during the update"
        assert "new" in states, f"{name} never saw the new index"
        first_new = states.index("new")
        assert "old" not in states[first_new:], f"{name} went back to the old index"
    answer = assistant.ask(questions[2])
    assert answer.citations[0].document == "b/report_02.txt"
    assert consistent_with(answer, new)


def test_a_question_that_spans_the_switch_still_gets_an_answer(folders):
    """A question begun on the old generation (here: held inside the query encoder) while
    an update makes a new one live and sweeps the old one away must still be answered, from
    the old or the new state. The app asks each question in a fresh thread, so any
    question whose encoding overlaps the end of an update is in this position."""
    documents, index_dir = folders
    assistant = Assistant(index_dir, embedder=FakeEmbedder())
    assistant.ask("warm up: open the live generation")  # in the main thread
    entered, release = threading.Event(), threading.Event()
    encode_query = assistant.embedder.encode_query

    def held_encode_query(text: str):
        if threading.current_thread().name == "held-asker":
            entered.set()
            release.wait(timeout=30)
        return encode_query(text)

    assistant.embedder.encode_query = held_encode_query
    outcome: dict[str, object] = {}

    def ask() -> None:
        try:
            outcome["answer"] = assistant.ask(f"What did the {marker_word('a', 1)} office do?")
        except Exception as exc:  # noqa: BLE001 - reported below
            outcome["error"] = f"{type(exc).__name__}: {exc}"

    asker = threading.Thread(target=ask, name="held-asker")
    asker.start()
    assert entered.wait(timeout=30)
    update_index(documents, index_dir, FakeEmbedder(), reader=text_reader)
    release.set()
    asker.join(timeout=30)
    assert "error" not in outcome, outcome.get("error")
    answer = outcome["answer"]
    assert answer.citations and (
        consistent_with(answer, STATE_A) or consistent_with(answer, STATE_B)
    )


def open_descriptors() -> list[str]:
    """Targets of this process's open file descriptors."""
    targets = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            targets.append(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:
            pass
    return targets


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc/self/fd")
def test_questions_from_many_short_lived_threads_do_not_leak_connections(folders):
    """The app asks each question in a new thread; the assistant must not keep one open
    SQLite connection (file descriptor) per thread that ever asked."""
    _, index_dir = folders
    assistant = Assistant(index_dir, embedder=FakeEmbedder())
    assistant.ask("warm up")
    before = len(open_descriptors())
    for _ in range(100):
        thread = threading.Thread(target=assistant.ask, args=("staff training",))
        thread.start()
        thread.join()
    grown = len(open_descriptors()) - before
    assert grown < 10, f"{grown} more open file descriptors after 100 one-question threads"


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc/self/fd")
def test_replaced_generations_are_let_go(folders):
    """After updates, the assistant must not hold the swept generations' files open (their
    disk space is only freed when the last descriptor closes)."""
    documents, index_dir = folders
    assistant = Assistant(index_dir, embedder=FakeEmbedder())
    for number in range(4):
        assistant.ask("staff training")
        write_state(documents, STATE_B if number % 2 == 0 else STATE_A)
        update_index(documents, index_dir, FakeEmbedder(), reader=text_reader)
    assistant.ask("staff training")
    held = [t for t in open_descriptors() if "(deleted)" in t and str(index_dir) in t]
    assert not held, f"still open after being swept: {held}"
