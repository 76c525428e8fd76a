"""Reliability and security: a killed update, a read-only or full disk, odd and hostile
files, a reader that hangs, and properties of chunking that must hold for any input.

Everything runs on the fake embedder except the one CLI run over a folder of odd files,
which uses the real model as users do. The disk tests need to mount a small tmpfs (root
with CAP_SYS_ADMIN); elsewhere they skip and the monkeypatched variants still run.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers_index import (
    REPO,
    fingerprint,
    hanging_reader,
    indexed_fingerprint,
    marker_word,
    run_cli,
    state,
    stray_generations,
    text_reader,
    write_state,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa_assistant import Assistant, FakeEmbedder, QAError, update_index
from qa_assistant.chunking import chunk_document, join_pages
from qa_assistant.cli import main as cli_main
from qa_assistant.config import ChunkSettings
from qa_assistant.errors import STABLE_REASONS
from qa_assistant.index_layout import current_generation
from qa_assistant.ocr import tesseract
from qa_assistant.reader_pool import ReaderPool
from qa_assistant.reading import read_documents_inline
from qa_assistant.types import PageText
from qa_assistant.vectors import VectorIndex

HELPER = Path(__file__).with_name("helpers_index.py")
DATA = REPO / "tests" / "data"

# Two states of one documents folder: B changes 3 reports of A, keeps 2, drops 3, adds 10.
STATE_A = state("a", range(8))
STATE_B = {**state("a", range(3), version=2), **state("a", range(3, 5)), **state("b", range(10))}


def build(documents: Path, index_dir: Path, files: dict[str, str], embedder=None):
    """Make ``documents`` hold ``files`` and bring the index up to date, in-process."""
    write_state(documents, files)
    return update_index(documents, index_dir, embedder or FakeEmbedder(), reader=text_reader)


def assert_answers_from(index_dir: Path, files: dict[str, str], embedder=None) -> None:
    """The index answers, and a question about a/report_01 cites the version in ``files``."""
    answer = Assistant(index_dir, embedder=embedder or FakeEmbedder()).ask(
        f"How many staff did the {marker_word('a', 1)} office train?"
    )
    assert answer.citations, "the index gave no citations"
    assert {c.document for c in answer.citations} <= set(files)
    version = "edition 2" if "edition 2" in files["a/report_01.txt"] else "edition 1"
    top = answer.citations[0]
    assert top.document == "a/report_01.txt"
    assert version in top.text and top.text in files[top.document].replace("\f", "\n")


def generations(index_dir: Path) -> list[str]:
    return sorted(p.name for p in index_dir.glob("gen-*"))


# ------------------------------------------------------------------------ crash safety

KILL_ROUNDS = 8
KILL_SEED = 20240607


def start_writer(documents: Path, index_dir: Path, *extra: str) -> subprocess.Popen:
    """The helper script updating the index slowly; returns once it is about to start."""
    process = subprocess.Popen(
        [
            sys.executable,
            str(HELPER),
            "--documents",
            str(documents),
            "--index",
            str(index_dir),
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    line = process.stdout.readline()
    if line.strip() != "ready":
        process.kill()
        pytest.fail(f"helper did not start: {line!r} {process.stderr.read()}")
    return process


def test_sigkill_at_random_points_leaves_the_old_or_the_new_index(tmp_path):
    """A run killed anywhere (reading, embedding, a checkpoint, saving, switching) leaves an
    index that answers with exactly the old or exactly the new documents; the next run
    completes, going on from the killed run's last checkpoint or starting afresh."""
    documents, index_dir = tmp_path / "documents", tmp_path / "index"
    states = {"A": STATE_A, "B": STATE_B}
    build(documents, index_dir, STATE_A)
    live = "A"
    rng = random.Random(KILL_SEED)
    killed_mid_run = 0
    for round_number in range(KILL_ROUNDS):
        target = "B" if live == "A" else "A"
        write_state(documents, states[target])
        rebuild = ["--rebuild"] if round_number % 3 == 2 else []
        writer = start_writer(
            documents, index_dir, "--delay", "0.03", "--batch", "4", "--checkpoint", "0", *rebuild
        )
        time.sleep(rng.uniform(0.0, 1.0))
        if writer.poll() is None:
            killed_mid_run += 1
        writer.send_signal(signal.SIGKILL)
        writer.communicate()

        seen = indexed_fingerprint(index_dir)  # also checks SQLite, FTS and FAISS agree
        assert seen in (fingerprint(states[live]), fingerprint(states[target])), (
            f"round {round_number}: the index mixes the old and the new state: {sorted(seen)}"
        )
        assert_answers_from(
            index_dir, states[live if seen == fingerprint(states[live]) else target]
        )

        report = update_index(documents, index_dir, FakeEmbedder(), reader=text_reader)
        assert not report.failed
        assert indexed_fingerprint(index_dir) == fingerprint(states[target])
        assert_answers_from(index_dir, states[target])
        assert not stray_generations(index_dir), generations(index_dir)
        live = target
    assert killed_mid_run >= KILL_ROUNDS // 2, "too few kills landed while the run was going"


def test_a_copy_killed_before_its_first_checkpoint_is_swept_by_a_run_with_nothing_to_do(
    tmp_path: Path,
) -> None:
    # An analyst tester stopped the app during a rebuild: its copy stayed on disk, as large
    # as the index, since the next runs found nothing to change and wrote no generation.
    documents, index_dir = tmp_path / "documents", tmp_path / "index"
    write_state(documents, STATE_A)
    update_index(documents, index_dir, FakeEmbedder(), reader=text_reader)
    live = current_generation(index_dir)
    shutil.copytree(live, index_dir / "gen-000099")  # no checkpoint: nothing to go on from
    report = update_index(documents, index_dir, FakeEmbedder(), reader=text_reader)
    assert report.unchanged and not (report.added or report.updated)
    assert sorted(p.name for p in index_dir.glob("gen-*")) == [live.name]
    assert_answers_from(index_dir, STATE_A)


# State A grown by 16 reports: a build of it is killed or interrupted midway.
STATE_GROWN = {**STATE_A, **state("c", range(16))}


def counting_reader(read: list[str], stop_after: int | None = None):
    """The text reader, noting each file it reads in ``read``; with ``stop_after``, the
    user presses Ctrl-C when it comes to the next file."""

    def reader(paths):
        for path, result in text_reader(paths):
            if stop_after is not None and len(read) == stop_after:
                raise KeyboardInterrupt
            read.append(Path(path).relative_to(path.parents[1]).as_posix())
            yield path, result

    return reader


def clean_build(tmp_path: Path, files: dict[str, str]):
    """The report of a build from nothing of ``files``, never interrupted."""
    return build(tmp_path / "clean" / "documents", tmp_path / "clean" / "index", files)


def work_generation_documents(index_dir: Path) -> set[str]:
    """The documents the (one) generation being worked on holds at its last checkpoint."""
    import sqlite3

    live = current_generation(index_dir)
    (work,) = [p for p in index_dir.glob("gen-*") if p != live]
    database = sqlite3.connect(f"file:{work / 'store.sqlite'}?mode=ro", uri=True)
    try:
        return {row[0] for row in database.execute("SELECT path FROM documents")}
    finally:
        database.close()


def test_an_interrupted_build_goes_on_from_its_checkpoint(tmp_path, monkeypatch):
    """Ctrl-C midway through an update: the previous index answers meanwhile and after; the
    next run does not read again what the interrupted one had stored, and its index is the
    one a build never interrupted makes."""
    from qa_assistant import adding

    documents, index_dir = tmp_path / "documents", tmp_path / "index"
    build(documents, index_dir, STATE_A)
    before = current_generation(index_dir)
    write_state(documents, STATE_GROWN)
    monkeypatch.setattr(adding, "CHECKPOINT_SECONDS", 0.0)  # after every batch,
    monkeypatch.setattr(adding, "CHECKPOINT_COST_SHARE", float("inf"))  # whatever it costs
    monkeypatch.setattr(adding, "EMBED_BATCH_PASSAGES", 1)  # a batch: one report

    first: list[str] = []
    with pytest.raises(KeyboardInterrupt):
        update_index(documents, index_dir, FakeEmbedder(), reader=counting_reader(first, 6))
    assert current_generation(index_dir) == before
    assert_answers_from(index_dir, STATE_A)
    done = work_generation_documents(index_dir) - set(STATE_A)
    assert done == set(first) and len(done) == 6

    again: list[str] = []
    report = update_index(documents, index_dir, FakeEmbedder(), reader=counting_reader(again))
    assert not set(again) & done and sorted(again + first) == sorted(
        set(STATE_GROWN) - set(STATE_A)
    )
    assert report.resumed == 6
    assert report.added == sorted(set(STATE_GROWN) - set(STATE_A))  # as if never interrupted
    assert report.unchanged == sorted(STATE_A) and not (report.updated or report.removed)
    clean = clean_build(tmp_path, STATE_GROWN)
    assert (report.documents, report.passages) == (clean.documents, clean.passages)
    assert indexed_fingerprint(index_dir) == fingerprint(STATE_GROWN)
    assert_answers_from(index_dir, STATE_GROWN)
    assert not stray_generations(index_dir), generations(index_dir)


@pytest.mark.parametrize("damage", ["vectors cut short", "other settings"])
def test_a_checkpoint_that_does_not_fit_is_swept_and_the_build_starts_afresh(
    tmp_path, monkeypatch, damage
):
    """A leftover copy whose vectors do not load or match its passages, or that was built
    with other settings, is not continued: everything is read again, as before."""
    from qa_assistant import adding

    documents, index_dir = tmp_path / "documents", tmp_path / "index"
    write_state(documents, STATE_GROWN)
    monkeypatch.setattr(adding, "CHECKPOINT_SECONDS", 0.0)
    monkeypatch.setattr(adding, "CHECKPOINT_COST_SHARE", float("inf"))
    monkeypatch.setattr(adding, "EMBED_BATCH_PASSAGES", 1)
    with pytest.raises(KeyboardInterrupt):
        update_index(documents, index_dir, FakeEmbedder(), reader=counting_reader([], 6))
    embedder = FakeEmbedder()
    if damage == "vectors cut short":
        (vectors,) = index_dir.glob("gen-*/vectors.faiss.*")
        vectors.write_bytes(vectors.read_bytes()[:100])
    else:
        embedder = FakeEmbedder(dim=32)

    read: list[str] = []
    report = update_index(documents, index_dir, embedder, reader=counting_reader(read))
    assert sorted(read) == sorted(STATE_GROWN) and report.resumed == 0
    assert indexed_fingerprint(index_dir) == fingerprint(STATE_GROWN)
    assert generations(index_dir) == [current_generation(index_dir).name]


def wait_for_checkpoints(index_dir: Path, writer: subprocess.Popen, count: int) -> int:
    """Wait (a minute at most) until the copy ``writer`` works on has committed ``count``
    checkpoints; the number it has."""
    import sqlite3

    deadline = time.monotonic() + 60
    checkpoints = 0
    while checkpoints < count and time.monotonic() < deadline and writer.poll() is None:
        time.sleep(0.05)
        for store in index_dir.glob("gen-*/store.sqlite"):
            with contextlib.suppress(sqlite3.Error):
                database = sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=0.1)
                row = database.execute(
                    "SELECT value FROM meta WHERE key = 'work_checkpoint'"
                ).fetchone()
                database.close()
                checkpoints = max(checkpoints, int(row[0]) if row else 0)
    return checkpoints


def test_a_killed_first_build_goes_on_from_its_checkpoint(tmp_path):
    """SIGKILL (or a power cut) during a first build that has committed checkpoints: there
    is no index yet, and the next run reads only what the killed one had not stored."""
    documents, index_dir = tmp_path / "documents", tmp_path / "index"
    write_state(documents, STATE_GROWN)
    writer = start_writer(
        documents, index_dir, "--delay", "0.05", "--batch", "1", "--checkpoint", "0"
    )
    checkpoints = wait_for_checkpoints(index_dir, writer, 4)
    writer.send_signal(signal.SIGKILL)
    writer.communicate()
    assert checkpoints >= 4, "the writer made no checkpoints in time"
    assert current_generation(index_dir) is None
    done = work_generation_documents(index_dir)
    assert len(done) >= 3

    read: list[str] = []
    report = update_index(documents, index_dir, FakeEmbedder(), reader=counting_reader(read))
    assert not set(read) & done and sorted([*read, *done]) == sorted(STATE_GROWN)
    assert report.resumed == len(done) and report.added == sorted(STATE_GROWN)
    clean = clean_build(tmp_path, STATE_GROWN)
    assert (report.documents, report.passages) == (clean.documents, clean.passages)
    assert indexed_fingerprint(index_dir) == fingerprint(STATE_GROWN)
    assert_answers_from(index_dir, STATE_GROWN)
    assert generations(index_dir) == [current_generation(index_dir).name]


def test_a_checkpoint_comes_every_30_seconds_though_no_batch_is_full(tmp_path, monkeypatch):
    """Large PDFs fill a batch of passages only every few minutes: a build interrupted after
    a while keeps all it did but the last 30 s (and one report), not nothing at all."""
    from qa_assistant import adding

    documents, index_dir = tmp_path / "documents", tmp_path / "index"
    write_state(documents, STATE_GROWN)
    clock = [0.0]
    monkeypatch.setattr(adding, "_clock", lambda: clock[0])
    assert adding.EMBED_BATCH_PASSAGES > 2 * len(STATE_GROWN)  # never a full batch here
    read: list[str] = []
    counting = counting_reader(read, stop_after=7)

    def slow_reader(paths):  # each report takes 20 s to read
        for item in counting(paths):
            clock[0] += 20.0
            yield item

    with pytest.raises(KeyboardInterrupt):
        update_index(documents, index_dir, FakeEmbedder(), reader=slow_reader)
    done = work_generation_documents(index_dir)
    # interrupted at 140 s: what was read by 110 s (30 s before) is saved
    assert set(read[:5]) <= done <= set(read), (read, done)

    again: list[str] = []
    report = update_index(documents, index_dir, FakeEmbedder(), reader=counting_reader(again))
    assert report.resumed == len(done) and not set(again) & done
    assert indexed_fingerprint(index_dir) == fingerprint(STATE_GROWN)


def interrupt_after(monkeypatch, stored: int) -> None:
    """Checkpoint after every report; Ctrl-C comes as report ``stored`` + 1 is stored."""
    from qa_assistant import adding

    monkeypatch.setattr(adding, "CHECKPOINT_SECONDS", 0.0)
    monkeypatch.setattr(adding, "CHECKPOINT_COST_SHARE", float("inf"))
    monkeypatch.setattr(adding, "EMBED_BATCH_PASSAGES", 1)
    store, calls = adding._store_document, []

    def store_then_stop(*args, **kwargs):
        calls.append(1)
        if len(calls) > stored:
            raise KeyboardInterrupt
        return store(*args, **kwargs)

    monkeypatch.setattr(adding, "_store_document", store_then_stop)


def test_resumed_counts_only_the_reports_whose_work_is_kept(tmp_path, monkeypatch):
    """A report the interrupted run had stored but that was deleted or edited since is not
    counted as resumed: its work was not reused."""
    documents, index_dir = tmp_path / "documents", tmp_path / "index"
    build(documents, index_dir, STATE_A)
    write_state(documents, STATE_GROWN)
    with monkeypatch.context() as patch:
        interrupt_after(patch, 6)
        with pytest.raises(KeyboardInterrupt):
            update_index(documents, index_dir, FakeEmbedder(), reader=text_reader)
    done = sorted(work_generation_documents(index_dir) - set(STATE_A))
    assert len(done) == 6
    files = {path: text for path, text in STATE_GROWN.items() if path != done[0]}
    files[done[1]] += "\nAn added closing sentence."
    write_state(documents, files)

    report = update_index(documents, index_dir, FakeEmbedder(), reader=text_reader)
    assert report.resumed == 4 and report.to_json()["resumed"] == 4
    assert indexed_fingerprint(index_dir) == fingerprint(files)


def test_a_plain_index_after_an_interrupted_rebuild_drops_its_copy(tmp_path, monkeypatch):
    """``index --rebuild`` interrupted, then plain ``index`` with nothing changed: the
    rebuild's copy is not left on disk, and the report says it was dropped."""
    documents, index_dir = tmp_path / "documents", tmp_path / "index"
    build(documents, index_dir, STATE_A)
    live = current_generation(index_dir)
    with monkeypatch.context() as patch:
        interrupt_after(patch, 3)
        with pytest.raises(KeyboardInterrupt) as stopped:
            update_index(documents, index_dir, FakeEmbedder(), rebuild=True, reader=text_reader)
    assert (stopped.value.saved, stopped.value.rebuild) == (3, True)
    assert len(generations(index_dir)) == 2

    report = update_index(documents, index_dir, FakeEmbedder(), reader=text_reader)
    assert report.dropped_rebuild == 3 and report.to_json()["dropped_rebuild"] == 3
    assert generations(index_dir) == [live.name] == [current_generation(index_dir).name]
    assert report.unchanged == sorted(STATE_A) and report.resumed == 0


def fake_cli(monkeypatch) -> None:
    """``qa-assistant`` run in this process with the fake embedder."""
    from qa_assistant import cli

    monkeypatch.setattr(
        cli, "_assistant", lambda args: Assistant(args.index, embedder=FakeEmbedder())
    )


@pytest.mark.parametrize(
    ("rebuild", "stored", "said"),
    [
        ([], 0, "Nothing was saved yet: the next qa-assistant index starts over."),
        ([], 4, "4 reports are saved: run qa-assistant index again to go on from there."),
        (["--rebuild"], 4, "saved: run qa-assistant index --rebuild again to go on from there."),
    ],
)
def test_an_interrupted_index_says_what_was_saved_and_how_to_go_on(
    tmp_path, monkeypatch, capsys, rebuild, stored, said
):
    """The one line after Ctrl-C says what is true: whether anything was saved, and the
    command that goes on from it (a rebuild's copy is continued by a rebuild only)."""
    documents, index_dir = tmp_path / "documents", tmp_path / "index"
    build(documents, index_dir, STATE_A)
    write_state(documents, STATE_GROWN)
    fake_cli(monkeypatch)
    where = ["--documents", str(documents), "--index", str(index_dir)]
    with monkeypatch.context() as patch:
        interrupt_after(patch, stored)
        assert cli_main(["index", *where, *rebuild]) == 1
    error = capsys.readouterr().err.strip()
    assert error.startswith("error: interrupted; the previous index is unchanged.")
    assert error.endswith(said) and "\n" not in error

    assert cli_main(["index", *where, *rebuild, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["resumed"] == stored


def test_sigterm_stops_index_as_ctrl_c_does(tmp_path):
    """SIGTERM (``timeout``, systemd, a scheduler) stops ``qa-assistant index`` with the
    interrupted line and exit 1; the previous index answers and the next run goes on."""
    documents, index_dir = tmp_path / "documents", tmp_path / "index"
    build(documents, index_dir, STATE_A)
    write_state(documents, STATE_GROWN)
    writer = start_writer(
        documents, index_dir, "--cli", "--delay", "0.1", "--batch", "1", "--checkpoint", "0"
    )
    assert wait_for_checkpoints(index_dir, writer, 3) >= 3, "no checkpoints in time"
    writer.send_signal(signal.SIGTERM)
    out, err = writer.communicate(timeout=60)
    assert writer.returncode == 1, (writer.returncode, err)
    (line,) = err.strip().splitlines()
    assert line.startswith("error: interrupted; the previous index is unchanged."), line
    assert "run qa-assistant index again to go on from there" in line
    assert indexed_fingerprint(index_dir) == fingerprint(STATE_A)
    saved = len(work_generation_documents(index_dir) - set(STATE_A))
    assert f"{saved} report" in line

    report = update_index(documents, index_dir, FakeEmbedder(), reader=text_reader)
    assert report.resumed == saved and indexed_fingerprint(index_dir) == fingerprint(STATE_GROWN)


def test_run_killed_between_switch_and_sweep_is_the_new_index_and_cleaned_up_later(
    tmp_path,
):
    """Killed just after CURRENT names the new generation, before the sweep: the index is
    the new one and answers; the next runs complete, and once one of them writes a new
    generation, no copy beyond the live one and its predecessor is left on disk."""
    documents, index_dir = tmp_path / "documents", tmp_path / "index"
    build(documents, index_dir, STATE_A)
    write_state(documents, STATE_B)
    writer = start_writer(documents, index_dir, "--hang-after-switch")
    assert writer.stdout.readline().strip() == "switched", writer.stderr.read()
    writer.send_signal(signal.SIGKILL)
    writer.communicate()
    assert indexed_fingerprint(index_dir) == fingerprint(STATE_B)
    assert_answers_from(index_dir, STATE_B)
    report = update_index(documents, index_dir, FakeEmbedder(), reader=text_reader)
    assert sorted(report.unchanged) == sorted(STATE_B)
    assert not stray_generations(index_dir), generations(index_dir)
    build(documents, index_dir, STATE_A)
    assert_answers_from(index_dir, STATE_A)
    assert not stray_generations(index_dir), generations(index_dir)


# ------------------------------------------------------- read-only folder and full disk


def fail_with(code: int):
    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    return fail


@pytest.fixture
def indexed(tmp_path) -> tuple[Path, Path]:
    """Documents in state B on disk, the index still holding state A."""
    documents, index_dir = tmp_path / "documents", tmp_path / "index"
    build(documents, index_dir, STATE_A)
    write_state(documents, STATE_B)
    return documents, index_dir


def assert_old_index_intact(index_dir: Path, before: Path) -> None:
    assert current_generation(index_dir) == before
    assert generations(index_dir) == [before.name]
    assert indexed_fingerprint(index_dir) == fingerprint(STATE_A)
    assert_answers_from(index_dir, STATE_A)


def test_read_only_index_folder_is_a_clear_error_and_the_old_index_answers(indexed, monkeypatch):
    """Simulated, since tests run as root where chmod 0o555 blocks nothing: every
    ``os.open`` for writing under the index folder (the lock file comes first) fails with
    EROFS, as on a read-only mount. The real mount is tested below where possible."""
    documents, index_dir = indexed
    before = current_generation(index_dir)
    real_open = os.open

    def read_only_open(path, flags, *args, **kwargs):
        writing = flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)
        if writing and Path(path).resolve().is_relative_to(index_dir.resolve()):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", read_only_open)
    with pytest.raises(QAError, match="Read-only file system") as caught:
        update_index(documents, index_dir, FakeEmbedder(), reader=text_reader)
    monkeypatch.undo()
    assert "make the folder writable" in str(caught.value)
    assert "previous index is unchanged" in str(caught.value)
    assert_old_index_intact(index_dir, before)


def test_new_generation_folder_that_cannot_be_made_is_a_clear_error(indexed, monkeypatch):
    """The lock file is writable but the new generation folder cannot be created (EROFS
    from ``mkdir``): a QAError, the old generation stays live."""
    documents, index_dir = indexed
    before = current_generation(index_dir)
    real_mkdir = Path.mkdir

    def mkdir(self, *args, **kwargs):
        if self.name.startswith("gen-"):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", mkdir)
    with pytest.raises(QAError, match="Read-only file system.*make the folder writable"):
        update_index(documents, index_dir, FakeEmbedder(), reader=text_reader)
    monkeypatch.undo()
    assert_old_index_intact(index_dir, before)


@pytest.mark.parametrize("where", ["saving vectors", "writing CURRENT"])
def test_full_disk_is_a_clear_error_and_the_old_index_answers(indexed, monkeypatch, where):
    """Simulated ENOSPC (OSError) while the vectors are saved or CURRENT is written."""
    from qa_assistant import generations

    documents, index_dir = indexed
    before = current_generation(index_dir)
    if where == "saving vectors":
        monkeypatch.setattr(VectorIndex, "save", fail_with(errno.ENOSPC))
    else:
        monkeypatch.setattr(generations, "open", fail_with(errno.ENOSPC), raising=False)
    with pytest.raises(QAError, match="No space left on device") as caught:
        update_index(documents, index_dir, FakeEmbedder(), reader=text_reader)
    monkeypatch.undo()
    assert "Free disk space" in str(caught.value)
    assert_old_index_intact(index_dir, before)
    report = update_index(documents, index_dir, FakeEmbedder(), reader=text_reader)
    assert report.documents == len(STATE_B)
    assert_answers_from(index_dir, STATE_B)


@pytest.fixture
def small_disk(tmp_path):
    """A 4 MiB tmpfs mounted at tmp_path/disk (skips where mounting is not allowed)."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command: the real full/read-only disk tests need one")
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        pytest.skip(
            f"cannot mount a small tmpfs (needs root with CAP_SYS_ADMIN): {result.stderr.strip()}"
        )
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)


def fill_disk(folder: Path, leave_bytes: int) -> Path:
    """Fill the file system of ``folder`` up, leaving about ``leave_bytes`` free."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, bytes(65536))
    except OSError as exc:
        assert exc.errno == errno.ENOSPC
    finally:
        os.close(fd)
    os.truncate(filler, max(0, filler.stat().st_size - leave_bytes))
    return filler


def _stage(exc: BaseException) -> str:
    """Where in the library an exception (or the error it wraps) was raised."""
    inner = exc.__cause__ or exc
    frames = []
    traceback = inner.__traceback__
    while traceback is not None:
        code = traceback.tb_frame.f_code
        if "qa_assistant" in code.co_filename:
            frames.append(f"{Path(code.co_filename).stem}.{code.co_name}")
        traceback = traceback.tb_next
    return frames[-1] if frames else "?"


def test_really_full_disk_is_a_clear_error_at_every_stage(tmp_path, small_disk):
    """A real ENOSPC on a small tmpfs, with the free space stepped from nothing to what the
    update needs, so the failure lands in copying SQLite, copying the vectors, committing,
    saving FAISS or writing CURRENT. Every outcome is a finished update or a QAError naming
    the fix; the live index answers with the old or the new state; no half-written
    generation is left filling the disk; and once there is room the update completes."""
    documents, index_dir = tmp_path / "documents", small_disk
    embedder = FakeEmbedder(dim=1024)  # vectors as large as the SQLite part: both fail
    big_state = {**STATE_A, **state("c", range(30))}

    def update():
        return update_index(documents, index_dir, embedder, reader=text_reader)

    build(documents, index_dir, STATE_A, embedder)
    write_state(documents, big_state)
    update()
    needed = sum(f.stat().st_size for f in current_generation(index_dir).iterdir()) + 65536
    problems = []
    stages = set()
    for step in range(26):
        free = needed * step // 24
        write_state(documents, STATE_A)  # back to the old state, with room to spare
        update()
        write_state(documents, big_state)
        filler = fill_disk(index_dir, free)
        label = f"{free // 1024} KiB free"
        try:
            update()
            outcome = "done"
        except QAError as exc:
            outcome = "QAError"
            stages.add(_stage(exc))
            if "No space left on device" not in str(exc) and "disk is full" not in str(exc):
                problems.append(f"{label}: unclear message from {_stage(exc)}: {exc}")
            elif "Free disk space" not in str(exc):
                problems.append(f"{label}: no fix in the message: {exc}")
        except Exception as exc:  # noqa: BLE001 - the point is to see what escapes
            outcome = "raw"
            stages.add(_stage(exc))
            problems.append(f"{label}: {type(exc).__name__} from {_stage(exc)}: {exc}")
        seen = indexed_fingerprint(index_dir)
        if seen not in (fingerprint(STATE_A), fingerprint(big_state)):
            problems.append(f"{label}: mixed state after {outcome}")
        assert_answers_from(
            index_dir, STATE_A if seen == fingerprint(STATE_A) else big_state, embedder
        )
        if stray_generations(index_dir):
            problems.append(f"{label}: {outcome}, left {generations(index_dir)} on the disk")
        filler.unlink()
        if outcome == "done":
            break
    assert outcome == "done", "the update never fitted: make the disk bigger"
    assert len(stages) >= 2, f"the failures landed in too few places: {stages}"
    assert not problems, "\n".join(problems)


def test_really_read_only_mount_is_a_clear_error_and_the_old_index_answers(tmp_path, small_disk):
    """The index on a tmpfs remounted read-only (chmod does not stop root; a mount does)."""
    documents, index_dir = tmp_path / "documents", small_disk
    build(documents, index_dir, STATE_A)
    before = current_generation(index_dir)
    write_state(documents, STATE_B)
    subprocess.run(["mount", "-o", "remount,ro", str(index_dir)], check=True)
    try:
        with pytest.raises(QAError, match="Read-only file system.*make the folder writable"):
            update_index(documents, index_dir, FakeEmbedder(), reader=text_reader)
        assert_old_index_intact(index_dir, before)
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(index_dir)], check=True)
    update_index(documents, index_dir, FakeEmbedder(), reader=text_reader)
    assert_answers_from(index_dir, STATE_B)


# ------------------------------------------------------------------------- odd files


def read_manifest(folder: Path) -> dict[str, dict[str, str]]:
    lines = (folder / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    return {
        row[0]: dict(zip(header, row, strict=False))
        for row in (line.split("\t") for line in lines[1:] if line.strip())
    }


def expected_reason(entry: dict[str, str]) -> str | None:
    """The reason MANIFEST.tsv implies for a tricky PDF, or None where it may be indexed."""
    result = entry["pypdf_result"]
    if result.startswith("FileNotDecryptedError"):
        return "password-protected"
    if result.startswith("PdfReadError"):
        return "cannot be read"
    if entry["text_chars"] == "0" and tesseract() is None:
        return "no extractable text (scanned?)"  # with Tesseract, read by OCR or reported
    return None


@pytest.mark.shared
def test_every_tricky_pdf_is_indexed_or_reported_with_its_reason(shared_dir, tmp_path):
    """Each file of ../shared/tricky-pdfs is either indexed or in ``report.failed`` with the
    reason its MANIFEST implies; files with real text are indexed; the run goes through
    the guarded reader process, as the CLI does."""
    folder = shared_dir / "tricky-pdfs"
    if not (folder / "MANIFEST.tsv").is_file():
        pytest.skip(f"{folder} has no MANIFEST.tsv")
    manifest = read_manifest(folder)
    index_dir = tmp_path / "index"
    report = update_index(folder, index_dir, FakeEmbedder())
    failed = {f.document: f.error for f in report.failed}
    assert sorted([*report.added, *failed]) == sorted(manifest)
    assert not set(report.added) & set(failed)
    for name, entry in manifest.items():
        reason = expected_reason(entry)
        if reason is not None:
            assert name in failed and failed[name].startswith(reason), (name, failed.get(name))
        elif int(entry["text_chars"] or 0) >= 500:
            assert name in report.added, (name, failed.get(name))
        elif entry["text_chars"] == "0" and name in failed:
            assert failed[name].startswith("no extractable text (scanned?)"), failed[name]
    if tesseract() is not None:  # the UN's scan of 1990 is text once read by OCR
        assert "un_A_45_696_Add.1_scanned_tiff2pdf.pdf" in report.ocr
    for name, error in failed.items():
        assert error.startswith(STABLE_REASONS), (name, error)
    answer = Assistant(index_dir, embedder=FakeEmbedder()).ask("What is the Zen of Python?")
    assert answer.citations


def make_odd_folder(folder: Path) -> dict[str, str | None]:
    """A folder of odd files; returns name → expected failure reason (None: indexed)."""
    folder.mkdir(parents=True)
    expected: dict[str, str | None] = {}
    fixtures = {
        "corrupt.pdf": "cannot be read",
        "random_bytes.pdf": "cannot be read",
        "empty.pdf": "empty file",
        "zero_pages.pdf": "cannot be read",
        "password.pdf": "password-protected",
        "image_only.pdf": "no extractable text (scanned?)",
        "latin1.txt": None,
        "injection.txt": None,
        "notes.md": None,
        "report_multipage.pdf": None,
    }
    for name, reason in fixtures.items():
        if (DATA / name).is_file():
            shutil.copyfile(DATA / name, folder / name)
            expected[name] = reason
    rng = random.Random(7)
    made = {
        "random_bytes_generated.pdf": (
            bytes(rng.randrange(256) for _ in range(2048)),
            "cannot be read",
        ),
        "binary.txt": (bytes(rng.randrange(256) for _ in range(2048)), "cannot be read"),
        "empty.txt": (b"", "empty file"),
        "blank.md": (b" \n\t\n  \n", "empty file"),
        "cp1252.txt": ("Café résumé in Prishtinë — naïve façade.".encode("cp1252"), None),
        "%PDF-only.pdf": (b"%PDF-1.7\n", "cannot be read"),
    }
    if (DATA / "report_multipage.pdf").is_file():
        whole = (DATA / "report_multipage.pdf").read_bytes()
        made["truncated.pdf"] = (whole[: len(whole) // 2], None)  # may be recovered or not
    for name, (content, reason) in made.items():
        (folder / name).write_bytes(content)
        expected[name] = reason
    return expected


@pytest.mark.model
def test_cli_indexes_a_folder_of_odd_files_with_clear_reasons_and_exit_0(tmp_path):
    """One real CLI run (real model) over random bytes named .pdf, empty files, a 0-page
    PDF, non-UTF-8 text, a protected and an image-only PDF: exit code 0, every file either
    indexed or failed with a stable reason, nothing crashes."""
    documents, index_dir = tmp_path / "odd", tmp_path / "index"
    expected = make_odd_folder(documents)
    result = run_cli(
        "index", "--documents", str(documents), "--index", str(index_dir), "--json", timeout=600
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    report = json.loads(result.stdout)
    failed = {f["document"]: f["error"] for f in report["failed"]}
    assert sorted([*report["added"], *failed]) == sorted(expected)
    for name, reason in expected.items():
        if name == "truncated.pdf":
            continue
        if reason is None:
            assert name in report["added"], (name, failed.get(name))
        else:
            assert name in failed and failed[name].startswith(reason), (name, failed.get(name))
    for name, error in failed.items():
        assert error.startswith(STABLE_REASONS), (name, error)


@pytest.mark.parametrize(
    ("name", "reason"), [("hang.txt", "timed out"), ("crash.txt", "too large")]
)
def test_a_file_that_hangs_or_kills_the_reader_cannot_stop_the_run(tmp_path, name, reason):
    """The guarded reader: a file whose reading never ends (or kills the reader process)
    is reported with its reason after the timeout, and the files after it are indexed."""
    documents, index_dir = tmp_path / "documents", tmp_path / "index"
    files = {
        **state("a", range(2)),
        name: "Report\nThe reader never finishes this one.",
        "z_last.txt": "Last report\nThe last report is about border management.",
    }
    write_state(documents, files)
    started = time.monotonic()
    with ReaderPool(timeout=5.0, reader=hanging_reader) as pool:
        report = update_index(documents, index_dir, FakeEmbedder(), reader=pool.imap)
    assert time.monotonic() - started < 30
    assert [(f.document, f.error.split(":")[0]) for f in report.failed] == [(name, reason)]
    assert sorted(report.added) == sorted(set(files) - {name})
    answer = Assistant(index_dir, embedder=FakeEmbedder()).ask("border management last report")
    assert answer.citations[0].document == "z_last.txt"


# ------------------------------------------------------------ properties of chunking

_WORDS = st.sampled_from(
    [
        "the",
        "Mission",
        "OSCE",
        "report",
        "e.g.",
        "Dr.",
        "No.",
        "3.5",
        "2024",
        "Prishtinë",
        "café",
        "anti-trafficking",
        "U.S.",
        "(OMIK)",
        "“quoted”",
        "x",
        "A",
        "naïve",
        "—",
    ]
)
_SEPARATORS = st.sampled_from(
    [" ", " ", " ", ". ", "! ", "? ", ".\n", "\n", "\n\n", "  ", "\t", ", ", "; ", " - "]
)
_LONG_WORDS = st.text(alphabet="abcXYZ0123456789/.-_,:%", min_size=20, max_size=400)
_PIECES = st.one_of(
    _WORDS, _WORDS, _WORDS, _SEPARATORS, _SEPARATORS, _LONG_WORDS, st.text(max_size=12)
)
_PAGE_TEXT = st.lists(_PIECES, max_size=120).map("".join)
_PAGES = st.lists(_PAGE_TEXT, min_size=0, max_size=5)
_SETTINGS = st.integers(16, 64).flatmap(
    lambda top: st.builds(ChunkSettings, st.just(top), st.integers(0, top - 1))
)


@functools.cache
def _model_token_counter():
    """The bundled model's tokenizer (loaded without torch), as real indexes count."""
    from qa_assistant.embedding import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder().count_tokens


def _cut(texts: list[str], count_tokens, chunk_settings: ChunkSettings):
    pages = [PageText(number, text) for number, text in zip((1, 2, 5, 6, 9), texts, strict=False)]
    document, starts, _ = join_pages(pages)
    return pages, starts, document, chunk_document(pages, count_tokens, chunk_settings)


def _check_slices_pages_and_coverage(texts, count_tokens, chunk_settings) -> None:
    pages, starts, document, chunks = _cut(texts, count_tokens, chunk_settings)

    def page_of(offset: int) -> int:
        for page, start in zip(pages, starts, strict=True):
            if start <= offset < start + len(page.text):
                return page.number
        raise AssertionError(f"offset {offset} lies between pages")

    covered = bytearray(len(document))
    previous_start = -1
    for chunk in chunks:
        assert chunk.text == document[chunk.start : chunk.end]
        assert chunk.start > previous_start, "passages must move forward"
        previous_start = chunk.start
        for offset, character in enumerate(chunk.text):
            if not character.isspace():
                assert chunk.page_at(offset) == page_of(chunk.start + offset), offset
        covered[chunk.start : chunk.end] = b"\1" * (chunk.end - chunk.start)
    lost = [i for i, c in enumerate(document) if not c.isspace() and not covered[i]]
    assert not lost, f"characters outside every passage: {[document[i] for i in lost][:20]}"


def _check_token_limit(texts, count_tokens, chunk_settings) -> None:
    for chunk in _cut(texts, count_tokens, chunk_settings)[3]:
        tokens = count_tokens([chunk.text])[0]
        assert tokens <= chunk_settings.max_tokens, (
            f"{tokens} tokens > max_tokens {chunk_settings.max_tokens}: {chunk.text!r}"
        )


COUNTERS = {
    "fake counter": lambda: FakeEmbedder().count_tokens,
    "model tokenizer": lambda: _model_token_counter(),
}


@pytest.mark.parametrize("counter", COUNTERS)
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=_PAGES, chunk_settings=_SETTINGS)
def test_passages_are_slices_on_the_right_pages_and_lose_no_text(counter, texts, chunk_settings):
    """Any text, any settings: each passage is ``document_text[start:end]``; ``page_at``
    names, for every character, the page whose text holds it; passages move forward; every
    non-space character of the document lies in some passage."""
    _check_slices_pages_and_coverage(texts, COUNTERS[counter](), chunk_settings)


@pytest.mark.parametrize("counter", COUNTERS)
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=_PAGES, chunk_settings=_SETTINGS)
def test_no_passage_exceeds_max_tokens_by_the_counter(counter, texts, chunk_settings):
    """A passage longer than the encoder's window is silently truncated when embedded, so
    none may exceed ``max_tokens`` as the counter counts it."""
    _check_token_limit(texts, COUNTERS[counter](), chunk_settings)


# ------------------------------------------------------ the reader on arbitrary bytes

_SAMPLE_PDF = DATA / "report_multipage.pdf"


def _mutated_pdf(data: st.DataObject) -> bytes:
    """A real PDF, truncated and with some bytes overwritten."""
    original = bytearray(_SAMPLE_PDF.read_bytes())
    cut = data.draw(st.integers(0, len(original)), label="length")
    mutated = original[:cut]
    for _ in range(data.draw(st.integers(0, 8), label="changes")):
        if not mutated:
            break
        position = data.draw(st.integers(0, len(mutated) - 1))
        mutated[position] = data.draw(st.integers(0, 255))
    return bytes(mutated)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_reader_raises_only_document_error_on_a_damaged_real_pdf(data, tmp_path_factory):
    """A real PDF truncated anywhere and with bytes overwritten: the reader returns a
    document or raises ``DocumentError`` with a stable reason, never anything else.
    (Random bytes, ``%PDF-`` plus random bytes and random text under every suffix are
    covered by tests/test_reading.py::test_read_document_raises_only_document_error; this
    adds damage to a real file's structure: xref, streams, trailer.)"""
    from qa_assistant.errors import DocumentError
    from qa_assistant.reading import read_document

    if not _SAMPLE_PDF.is_file():
        pytest.skip(f"{_SAMPLE_PDF} is missing")
    path = tmp_path_factory.mktemp("damaged") / "report.pdf"
    path.write_bytes(_mutated_pdf(data))
    try:
        document = read_document(path)
    except DocumentError as error:
        assert error.reason in STABLE_REASONS, error.reason
    else:
        assert document.pages and any(page.text.strip() for page in document.pages)


# ------------------------------------------------------------------------ injection

HOSTILE_NAMES = [
    "<img src=x onerror=alert(1)>.txt",
    "[click](javascript:alert(1)).md",
    "**bold** & <b>co.txt",
    "bell\x07 and \x1b[31mred\x1b[0m.txt",
    "x\\..\\..\\windows.txt",
]
HOSTILE_TEXT = (
    "Hostile report {marker}\n"
    "The {marker} workshop said <script>alert('x')</script> and [click](javascript:alert(1)) "
    "and <img src=x onerror=alert(1)> on **bold** terms.\n"
)


@pytest.fixture
def hostile_index(tmp_path) -> tuple[Path, Path]:
    documents, index_dir = tmp_path / "documents", tmp_path / "index"
    documents.mkdir()
    for n, name in enumerate(HOSTILE_NAMES):
        (documents / name).write_text(
            HOSTILE_TEXT.format(marker=marker_word("z", n)), encoding="utf-8"
        )
    (documents / "<svg onload=alert(1)>.pdf").write_bytes(b"not a pdf <script>")
    update_index(documents, index_dir, FakeEmbedder(), reader=read_documents_inline)
    return documents, index_dir


def test_hostile_text_and_file_names_come_back_as_plain_data(hostile_index):
    """The library neither escapes nor interprets HTML, script, Markdown or control
    characters in file names and report text: it returns them exactly, as data, for the
    CLI and the UI to present safely (the UI's escaping is tested with the app)."""
    _, index_dir = hostile_index
    assistant = Assistant(index_dir, embedder=FakeEmbedder())
    assert sorted(d.path for d in assistant.documents()) == sorted(HOSTILE_NAMES)
    assert [path for path, _ in assistant.failures()] == ["<svg onload=alert(1)>.pdf"]
    for n, name in enumerate(HOSTILE_NAMES):
        answer = assistant.ask(f"What did the {marker_word('z', n)} workshop say?")
        top = answer.citations[0]
        assert top.document == name
        assert "<script>alert('x')</script>" in top.text
        if name.endswith(".md"):  # a Markdown link is read as its words, not its address
            assert "said <script>alert('x')</script> and click and <img" in top.text
        else:
            assert "[click](javascript:alert(1))" in top.text
        assert "&lt;" not in top.text and "&lt;" not in answer.answer
        assert json.loads(json.dumps(answer.to_json())) == answer.to_json()


_NAME_PARTS = st.sampled_from(
    ["..", ".", "/", "\\", "a", "un", "%2e%2e", "\x00", "~", " ", "report", "/etc", "..\\"]
)


@settings(max_examples=200, deadline=None)
@given(
    name=st.lists(_NAME_PARTS, max_size=6).map("".join),
    suffix=st.sampled_from([".txt", ".md", ".pdf", ""]),
    folder=st.lists(_NAME_PARTS.filter(lambda part: part != "\x00"), max_size=6).map("".join),
)
def test_uploads_never_land_outside_the_documents_folder(name, suffix, folder):
    """Any uploaded file name and target folder (``..``, absolute paths, backslashes, NUL,
    a symlinked folder pointing outside): ``add_upload`` refuses it or stores the file
    inside documents/, and writes nothing anywhere else. (The app's own tests cover the
    named cases; this is the property over all combinations.)"""
    import tempfile

    from qa_assistant.uploads import add_upload

    with tempfile.TemporaryDirectory() as root:
        documents = Path(root) / "documents"
        (documents / "un").mkdir(parents=True)
        outside = Path(root) / "outside"
        outside.mkdir()
        (documents / "link").symlink_to(outside, target_is_directory=True)
        data = b"%PDF-1.4 test" if suffix == ".pdf" else b"A report about training."
        try:
            stored = add_upload(
                documents, name + suffix, data, folder=folder, check=lambda path: None
            )
        except QAError:
            stored = None
        if stored is not None:
            assert stored.resolve().is_relative_to(documents.resolve())
        written = [p for p in Path(root).rglob("*") if p.is_file()]
        assert all(p.resolve().is_relative_to(documents.resolve()) for p in written), written
        assert not any(outside.iterdir())


def test_a_symlinked_folder_pointing_outside_is_refused_as_an_upload_target(tmp_path):
    from qa_assistant.uploads import add_upload

    documents, outside = tmp_path / "documents", tmp_path / "outside"
    documents.mkdir()
    outside.mkdir()
    (documents / "link").symlink_to(outside, target_is_directory=True)
    with pytest.raises(QAError, match="not a file inside"):
        add_upload(documents, "a.txt", b"A report.", folder="link", check=lambda path: None)
    assert not any(outside.iterdir())


def test_cli_does_not_send_terminal_escapes_from_file_names(hostile_index, capsys, monkeypatch):
    """The human (non-JSON) CLI output prints file names; control characters in them
    (ESC, BEL) must not reach the terminal, where they could recolour, retitle or rewrite
    the screen. JSON output escapes them by itself."""
    from qa_assistant import assistant as assistant_module

    _, index_dir = hostile_index
    monkeypatch.setattr(assistant_module, "SentenceTransformerEmbedder", FakeEmbedder)
    assert (
        cli_main(
            ["ask", f"What did the {marker_word('z', 3)} workshop say?", "--index", str(index_dir)]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "red" in printed  # the file name is shown...
    assert "\x1b" not in printed and "\x07" not in printed  # ...without its control codes


def test_an_interrupted_first_build_does_not_speak_of_a_previous_index(
    tmp_path, monkeypatch, capsys
):
    """Ctrl-C during the very first build: there is no previous index to keep, and the line
    says so instead of promising one."""
    documents, index_dir = tmp_path / "documents", tmp_path / "index"
    write_state(documents, STATE_A)
    fake_cli(monkeypatch)
    with monkeypatch.context() as patch:
        interrupt_after(patch, 0)
        assert cli_main(["index", "--documents", str(documents), "--index", str(index_dir)]) == 1
    error = capsys.readouterr().err.strip()
    assert error.startswith("error: interrupted; there is no index yet."), error
    assert error.endswith("Nothing was saved yet: the next qa-assistant index starts over.")
