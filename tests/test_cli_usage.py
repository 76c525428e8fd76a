"""The command line's edges, as ../shared/CONTRACT.md fixes them: bad usage exits 2 naming
the flag, a wrong --index or --document is one line with the fix (exit 1), a closed pipe is
no traceback, progress bars show on a terminal of unknown size, citation scores read best
first. In-process, on the fake embedder (fast)."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from helpers_index import REPO, marker_word, state, text_reader, write_state

from qa_assistant import FakeEmbedder, adding, update_index
from qa_assistant import assistant as assistant_module
from qa_assistant.cli import main

FILES = {**state("a", range(2)), **state("b", range(2))}  # a/report_00.txt, …, b/report_01.txt


@pytest.fixture
def fake_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """The CLI on the fake embedder and an in-process reader; a documents folder with
    reports in a/ and b/, indexed. Returns (documents, index)."""
    monkeypatch.setattr(assistant_module, "SentenceTransformerEmbedder", FakeEmbedder)
    monkeypatch.setattr(adding, "_default_reader", text_reader)
    documents, index = tmp_path / "documents", tmp_path / "index"
    write_state(documents, FILES)
    update_index(documents, index, FakeEmbedder(), reader=text_reader)
    return documents, index


def one_line_error(capsys) -> str:
    """The one line a user-facing error prints on stderr."""
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def usage_error(argv: list[str], capsys) -> str:
    """stderr of a command argparse refuses, after checking it exits 2."""
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    return capsys.readouterr().err


# ---- 1. a closed pipe -------------------------------------------------------------------


@pytest.mark.parametrize("as_json", [True, False])
def test_a_reader_that_stops_reading_gets_no_traceback(fake_cli, monkeypatch, as_json):
    # `qa-assistant ask … | head -1`: head exits once it has its line.
    _, index = fake_cli
    read_end, write_end = os.pipe()
    os.close(read_end)
    closed_pipe = open(write_end, "w", encoding="utf-8")  # noqa: SIM115 (closed below)
    monkeypatch.setattr(sys, "stdout", closed_pipe)
    try:
        args = ["ask", f"What did {marker_word('a', 1)} train?", "--index", str(index)]
        assert main(args + (["--json"] if as_json else [])) == 0
    finally:
        closed_pipe.close()  # stdout now writes to devnull: closing it raises nothing


def test_a_closed_pipe_in_a_real_process_leaves_stderr_empty(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "qa_assistant", "status", "--json", "--index", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
    )
    process.stdout.close()  # before the process has written anything
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == 0
    assert stderr == ""


# ---- 2. --document ------------------------------------------------------------------------


def test_an_unknown_document_is_named_with_how_to_list_the_reports(fake_cli, capsys):
    _, index = fake_cli
    argv = ["ask", "What did they train?", "--index", str(index)]
    assert main([*argv, "--document", "nonexistent.pdf", "--document", "a"]) == 1
    error = one_line_error(capsys)
    assert "is named nonexistent.pdf." in error  # … and not the folder a/, which is known
    assert "qa-assistant status --list" in error


@pytest.mark.parametrize(
    ("given", "kept_to"),
    [
        ("b/report_01.txt", {"b/report_01.txt"}),  # its path as indexed
        ("report_01.txt", {"a/report_01.txt", "b/report_01.txt"}),  # its file name
        ("/reports/b/report_01.txt", {"b/report_01.txt"}),  # a path ending in it
        ("b", {"b/report_00.txt", "b/report_01.txt"}),  # its folder
    ],
)
def test_a_document_is_found_by_path_file_name_or_folder(fake_cli, capsys, given, kept_to):
    _, index = fake_cli
    question = f"What did {marker_word('a', 0)} and {marker_word('b', 1)} train?"
    argv = ["ask", question, "--index", str(index), "--json", "--document", given]
    assert main(argv) == 0
    cited = {c["document"] for c in json.loads(capsys.readouterr().out)["citations"]}
    assert cited and cited <= kept_to


def test_status_list_names_the_indexed_reports(fake_cli, capsys):
    _, index = fake_cli
    assert main(["status", "--list", "--json", "--index", str(index)]) == 0
    assert json.loads(capsys.readouterr().out)["paths"] == sorted(FILES)
    assert main(["status", "--list", "--index", str(index)]) == 0
    assert "  a/report_00.txt" in capsys.readouterr().out.splitlines()


# ---- 3. bad usage -------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_top_k_below_one_is_bad_usage_naming_the_flag(capsys, value):
    error = usage_error(["ask", "Who trained police?", "--top-k", value], capsys)
    assert "usage: qa-assistant ask" in error and "argument --top-k" in error
    error = usage_error(["eval", "questions.jsonl", "--top-k", value], capsys)
    assert "usage: qa-assistant eval" in error and "argument --top-k" in error


@pytest.mark.parametrize("value", ["-1", "nan", "soon"])
def test_a_negative_wait_is_bad_usage(capsys, value):
    error = usage_error(["index", "--wait", value], capsys)
    assert "argument --wait" in error


def test_an_unknown_flag_shows_the_sub_commands_usage(capsys):
    error = usage_error(["index", "--bogus"], capsys)
    assert "usage: qa-assistant index" in error and "unrecognized arguments: --bogus" in error
    error = usage_error(["ask", "question", "surplus"], capsys)
    assert "usage: qa-assistant ask" in error and "surplus" in error


# ---- 4-6. what --index names --------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [["status"], ["ask", "hi"], ["glossary"], ["index", "--documents", "DOCS"]],
    ids=["status", "ask", "glossary", "index"],
)
def test_a_file_given_as_index_is_one_line_with_the_fix(fake_cli, tmp_path, capsys, argv):
    documents, _ = fake_cli
    a_file = tmp_path / "f"
    a_file.write_text("hi\n", encoding="utf-8")
    argv = [str(documents) if arg == "DOCS" else arg for arg in argv]
    assert main([*argv, "--index", str(a_file)]) == 1
    error = one_line_error(capsys)
    assert f"{a_file} is a file, not an index folder" in error and "--index" in error


def test_status_of_a_folder_with_no_index_yet_says_so_and_exits_0(tmp_path, capsys):
    # CONTRACT: status tells what the index holds; "no index yet" is that answer, not an
    # error (ask and glossary, which need one, exit 1).
    missing = tmp_path / "nonexistent" / "idx"
    assert main(["status", "--json", "--index", str(missing)]) == 0
    assert json.loads(capsys.readouterr().out)["exists"] is False
    assert main(["status", "--index", str(missing)]) == 0
    assert f"No index in {missing}/ yet" in capsys.readouterr().out
    assert main(["glossary", "--index", str(missing)]) == 1
    assert "qa-assistant index" in one_line_error(capsys)


@pytest.mark.parametrize("command", [["ask", "Who trained police?"], ["status"], ["glossary"]])
def test_a_folder_of_reports_given_as_index_says_to_build_one_from_it(fake_cli, capsys, command):
    documents, _ = fake_cli
    assert main([*command, "--index", str(documents)]) == 1
    error = one_line_error(capsys)
    assert f"{documents}/ holds reports, not an index" in error
    assert f"qa-assistant index --documents {documents} --index DIR" in error


# ---- 8. progress on a terminal ------------------------------------------------------------


def test_index_progress_shows_on_a_terminal_that_reports_no_size(fake_cli, monkeypatch):
    # A pseudo-terminal whose size was never set (`script -qc …`, CI) reports 0 × 0; tqdm
    # then drew bars 0 columns wide, on no row: nothing at all.
    documents, _ = fake_cli
    controller, terminal = pty.openpty()
    assert os.get_terminal_size(terminal) == (0, 0)
    drawn = bytearray()

    def drain() -> None:
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the terminal side was closed
                return
            if not chunk:
                return
            drawn.extend(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    stderr = open(terminal, "w", encoding="utf-8")  # noqa: SIM115 (closed below)
    monkeypatch.setattr(sys, "stderr", stderr)
    try:
        index = documents.parent / "fresh-index"
        assert main(["index", "--documents", str(documents), "--index", str(index)]) == 0
    finally:
        stderr.close()
        reader.join(timeout=10)
        os.close(controller)
    shown = drawn.decode("utf-8", "replace")
    assert "indexing reports" in shown and "4/4" in shown
    assert "embedding passages" in shown and "passages" in shown


# ---- 9. scores best first -----------------------------------------------------------------


def test_citation_scores_never_rise_down_the_list(fake_cli, monkeypatch, capsys):
    # The answer's rules move a passage up or down after the reranker scored it (the page
    # that shows the question's names, the sentence read first, one citation per page).
    _, index = fake_cli
    compose = assistant_module.compose_answer

    def compose_and_move(*args, **kwargs):
        answered, text, citations, confidence = compose(*args, **kwargs)
        citations[-1].score = citations[0].score + 0.5  # a passage moved below better ones
        return answered, text, citations, confidence

    monkeypatch.setattr(assistant_module, "compose_answer", compose_and_move)
    question = f"What did {marker_word('a', 1)} train?"
    assert main(["ask", question, "--index", str(index), "--json", "--top-k", "3"]) == 0
    data = json.loads(capsys.readouterr().out)
    scores = [citation["score"] for citation in data["citations"]]
    assert len(scores) == 3 and scores == sorted(scores, reverse=True)
