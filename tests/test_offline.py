"""Offline: with every network connection refused, the real model still loads, indexes and
answers (nothing is fetched from a hub, nothing phones home)."""

from __future__ import annotations

import errno
import json
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from helpers_index import REPO

from qa_assistant import Assistant, update_index
from qa_assistant.reading import read_documents_inline

REPORTS = {
    "helpline.txt": (
        "Helpline annual report\n"
        "The mission opened a victims' helpline in Gjilan in 2023. "
        "The helpline received 312 calls in its first year, most about domestic violence.\n"
    ),
    "borders.md": (
        "# Border management course\n"
        "Twenty border police officers from Kyrgyzstan completed a course on risk analysis "
        "at the OSCE Border Management Staff College in Dushanbe.\n"
    ),
}


def write_reports(folder: Path) -> None:
    folder.mkdir(parents=True)
    for name, text in REPORTS.items():
        (folder / name).write_text(text, encoding="utf-8")


@pytest.fixture
def no_network(monkeypatch) -> list[tuple]:
    """Every outgoing connection and name lookup fails (and is recorded)."""
    attempts: list[tuple] = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError(errno.ENETUNREACH, "network blocked by the test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", 9))
    attempts.clear()
    return attempts


@pytest.mark.model
def test_real_model_indexes_and_answers_with_the_network_blocked(tmp_path, no_network):
    """A fresh real embedder (so its model loads under the block) indexes a tiny folder
    and answers with a citation; no connection was even attempted."""
    from qa_assistant.embedding import SentenceTransformerEmbedder

    documents, index_dir = tmp_path / "documents", tmp_path / "index"
    write_reports(documents)
    embedder = SentenceTransformerEmbedder()
    report = update_index(documents, index_dir, embedder, reader=read_documents_inline)
    assert sorted(report.added) == sorted(REPORTS) and not report.failed
    answer = Assistant(index_dir, embedder=embedder).ask(
        "How many calls did the helpline receive in its first year?"
    )
    assert answer.answered and "312" in answer.answer
    assert answer.citations[0].document == "helpline.txt"
    assert no_network == [], f"connections attempted: {no_network}"


def _can_isolate_network() -> bool:
    if shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0


@pytest.mark.model
def test_cli_indexes_and_answers_in_a_process_without_any_network(tmp_path):
    """The CLI (index, then ask) inside a network namespace that has no interfaces at all:
    a real offline machine, not a patched socket module."""
    if not _can_isolate_network():
        pytest.skip("unshare -n is not permitted here (needs root or user namespaces)")
    documents, index_dir = tmp_path / "documents", tmp_path / "index"
    write_reports(documents)
    cli = [sys.executable, "-m", "qa_assistant"]
    script = (
        f"{' '.join(cli)} index --documents {documents} --index {index_dir} --json && "
        f"{' '.join(cli)} ask 'Where did the border police officers take their course?' "
        f"--index {index_dir} --json"
    )
    result = subprocess.run(
        ["unshare", "-n", "sh", "-c", script], capture_output=True, text=True, cwd=REPO, timeout=600
    )
    assert result.returncode == 0, result.stderr
    index_json, ask_json = (json.loads(line) for line in result.stdout.splitlines())
    assert sorted(index_json["added"]) == sorted(REPORTS)
    assert ask_json["answered"] and ask_json["citations"][0]["document"] == "borders.md"
    assert "Dushanbe" in ask_json["answer"]
