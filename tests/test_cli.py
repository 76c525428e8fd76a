"""The command line as ../shared/CONTRACT.md fixes it, with the real bundled model on the
sample reports in documents/: JSON shapes, exit codes, one-line errors with the fix."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from helpers_index import REPO, run_cli

from qa_assistant.cli import main


@pytest.fixture(scope="module")
def sample_index(tmp_path_factory) -> tuple[Path, Path]:
    """documents/ copied to a tmp folder and indexed once with the real model."""
    root = tmp_path_factory.mktemp("cli")
    documents, index = root / "documents", root / "index"
    shutil.copytree(REPO / "documents", documents)
    result = run_cli("index", "--documents", str(documents), "--index", str(index), "--json")
    assert result.returncode == 0, result.stderr
    return documents, index


def ask_json(index: Path, question: str, capsys, *extra: str) -> dict:
    """``qa-assistant ask QUESTION --index INDEX --json [EXTRA]``: its JSON, after exit 0."""
    assert main(["ask", question, "--index", str(index), "--json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.model
def test_index_json_follows_the_contract(sample_index):
    documents, index = sample_index
    result = run_cli("index", "--documents", str(documents), "--index", str(index), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    for key in (
        "added",
        "updated",
        "removed",
        "unchanged",
        "failed",
        "documents",
        "passages",
        "seconds",
    ):
        assert key in data
    expected = sorted(p.name for p in documents.iterdir() if p.suffix in {".pdf", ".md", ".txt"})
    assert data["unchanged"] == expected  # second run: nothing to do
    assert data["documents"] == len(expected) and data["passages"] > len(expected)


@pytest.mark.model
def test_ask_json_cites_report_page_and_highlight(sample_index, capsys):
    _, index = sample_index
    code = main(
        [
            "ask",
            "How many police officers and prosecutors took part in the OMIK hate "
            "crime workshops in spring 2024?",
            "--index",
            str(index),
            "--json",
        ]
    )
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["answered"] is True and "[1]" in data["answer"]
    top = data["citations"][0]
    assert (top["document"], top["page"]) == ("omik_hate_crime_training_2024.pdf", 1)
    # the answer quotes the sentence counting what was asked ("nine two-day workshops" is no
    # answer), and the citation it marks highlights it
    count = "151 officers of the Kosovo Police and 35 prosecutors"
    marker = re.search(r"\[(\d+)\]", data["answer"].split(count, 1)[1]).group(1)
    quoted = data["citations"][int(marker) - 1]
    assert any(count in quoted["text"][a:b] for a, b in quoted["highlight"])
    assert (quoted["document"], quoted["page"]) == ("omik_hate_crime_training_2024.pdf", 1)
    for start, end in top["highlight"]:  # whole sentences of the cited passage
        sentence = top["text"][start:end]
        assert 0 <= start < end <= len(top["text"]) and sentence[0].isupper()
        assert sentence.rstrip()[-1] in ".!?" and sentence in data["answer"]
    assert [c["n"] for c in data["citations"]] == list(range(1, len(data["citations"]) + 1))


@pytest.mark.model
def test_follow_up_uses_history(sample_index, capsys):
    _, index = sample_index
    questions = [
        json.loads(line)
        for line in (REPO / "tests/data/sample_questions.jsonl").read_text().splitlines()
    ]
    followup = next(q for q in questions if q["kind"] == "followup")
    args = ["ask", followup["question"], "--index", str(index), "--json", "--top-k", "3"]
    for earlier in followup["history"]:
        args += ["--history", earlier]
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    gold = {(g["document"], g["page"]) for g in followup["gold"]}
    assert {(c["document"], c["page"]) for c in data["citations"]} & gold


@pytest.mark.model
def test_eval_reports_contract_figures_on_the_sample_questions(sample_index, capsys):
    _, index = sample_index
    assert (
        main(
            [
                "eval",
                str(REPO / "tests/data/sample_questions.jsonl"),
                "--index",
                str(index),
                "--json",
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    for key in (
        "questions",
        "recall@1",
        "recall@5",
        "mrr@10",
        "no_answer_accuracy",
        "answered_accuracy",
        "by_kind",
        "seconds",
        "results",
    ):
        assert key in data
    assert data["recall@5"] >= 0.9
    assert data["results"][0].keys() >= {"id", "answered", "seconds", "answer", "citations"}


@pytest.mark.model
def test_status_and_glossary(sample_index, capsys):
    _, index = sample_index
    assert main(["status", "--index", str(index), "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["documents"] >= 5 and status["model"] == "all-minilm-l6-v2"
    assert main(["glossary", "--index", str(index), "--json"]) == 0
    acronyms = {e["acronym"] for e in json.loads(capsys.readouterr().out)["glossary"]}
    assert {"OMIK", "POiD"} <= acronyms


@pytest.mark.model
def test_ask_draws_no_model_loading_bars_unless_verbose(sample_index):
    # transformers drew "Loading weights: 100%|…| 103/103" on stderr at every question.
    _, index = sample_index
    quiet = run_cli("ask", "Who trained police officers?", "--index", str(index))
    assert quiet.returncode == 0, quiet.stderr
    assert "Loading weights" not in quiet.stderr and "%|" not in quiet.stderr
    verbose = run_cli("ask", "Who trained police officers?", "--index", str(index), "-v")
    assert verbose.returncode == 0 and "Loading weights" in verbose.stderr


def test_ask_without_index_is_a_one_line_error_with_the_fix(tmp_path):
    result = run_cli("ask", "Who trained police?", "--index", str(tmp_path / "none"))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "qa-assistant index" in lines[0]


def test_missing_documents_folder_is_a_one_line_error(tmp_path):
    result = run_cli("index", "--documents", str(tmp_path / "nope"), "--index", str(tmp_path))
    assert result.returncode == 1 and "does not exist" in result.stderr


def test_a_folder_without_reports_says_which_files_are_read(tmp_path):
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "notes.docx").write_bytes(b"not a format the assistant reads")
    result = run_cli("index", "--documents", str(documents), "--index", str(tmp_path / "i"))
    assert result.returncode == 0, result.stderr
    assert "No reports found" in result.stderr
    assert ".pdf, .txt or .md" in result.stderr and "--documents" in result.stderr


def test_bad_usage_exits_2():
    assert run_cli("ask").returncode == 2
    assert run_cli("frobnicate").returncode == 2


def test_environment_variables_choose_the_folders(tmp_path):
    env = {**os.environ, "QA_ASSISTANT_INDEX": str(tmp_path / "i")}
    result = run_cli("status", "--json", env=env)
    assert result.returncode == 0
    assert json.loads(result.stdout)["index"] == str(tmp_path / "i")


@pytest.mark.model
def test_a_near_miss_says_the_reports_dont_say_and_still_lists_the_nearest(sample_index, capsys):
    # The sample report gives the certified trainers for 2024; asked for 2019 it has no answer.
    _, index = sample_index
    question = "How many Kosovo Police officers were certified as hate crime trainers"
    answers = {}
    for year in ("", " in 2019"):
        assert main(["ask", question + year + "?", "--index", str(index), "--json"]) == 0
        answers[year] = json.loads(capsys.readouterr().out)
    assert answers[""]["answered"] and "14 Kosovo Police officers" in answers[""]["answer"]
    near_miss = answers[" in 2019"]
    assert near_miss["answered"] is False
    assert "don't say" in near_miss["answer"] and "does not mention “2019”" in near_miss["answer"]
    assert near_miss["citations"][0]["document"] == "omik_hate_crime_training_2024.pdf"


@pytest.mark.model
def test_a_new_topic_in_a_conversation_is_not_drowned_by_the_old_one(sample_index, capsys):
    _, index = sample_index
    earlier = "How many Kosovo Police officers were certified as hate crime trainers?"
    asked = {
        "Where was it held?": "omik_hate_crime_training_2024.pdf",
        "How many community police inspectors did the OSCE Programme Office in Dushanbe "
        "train in 2023?": "poid_verlt_training_of_trainers_2023.pdf",
    }
    for question, report in asked.items():
        args = ["ask", question, "--history", earlier, "--index", str(index), "--json"]
        assert main(args) == 0
        data = json.loads(capsys.readouterr().out)
        assert data["answered"] and data["citations"][0]["document"] == report, question


@pytest.mark.model
def test_a_follow_up_after_a_question_that_names_nothing_keeps_the_first_subject(
    sample_index, capsys
):
    # The second question names nothing of its own; the third still speaks of the first's
    # hate crime training in Kosovo, not of any other course.
    _, index = sample_index
    history = ["What did the OSCE do about hate crime in Kosovo in 2024?"]
    history.append("How many officers took part?")
    extra = [arg for earlier in history for arg in ("--history", earlier)]
    data = ask_json(index, "Where was it held?", capsys, *extra)
    assert data["citations"][0]["document"] == "omik_hate_crime_training_2024.pdf"


@pytest.mark.model
def test_a_question_for_a_figure_the_reports_lack_gets_the_reports_dont_say(sample_index, capsys):
    # The Staff College is covered, its budget is not: the answer must not be a sentence
    # about the College that holds no sum of money.
    _, index = sample_index
    question = "What was the annual budget of the OSCE Border Management Staff College in 2022?"
    data = ask_json(index, question, capsys)
    assert data["answered"] is False
    assert "give no sum of money" in data["answer"]
    assert "bmsc_dushanbe_staff_course_2022.pdf" in {c["document"] for c in data["citations"]}
    # … while a figure that is there is given
    question = "How many consular officers did the PCUz train in June 2021?"
    data = ask_json(index, question, capsys)
    assert data["answered"] is True and "25 consular officers" in data["answer"]


@pytest.mark.model
def test_how_many_of_them_were_women_is_answered_by_a_count_of_women(sample_index, capsys):
    # The Staff College report counts its women participants; the hate crime training
    # report gives 14 trainers but no count of women, so the total is no answer.
    _, index = sample_index
    question = "How many of the BMSC staff course participants were women?"
    data = ask_json(index, question, capsys)
    # the sentence holding the count is read first
    assert data["answered"] is True and data["answer"].startswith("Six of the participants")
    # … and cited first: its marker is [1], and citation 1 highlights it
    first = data["citations"][0]
    (start, end), *_ = first["highlight"]
    assert data["answer"].index("[1]") < data["answer"].index("[2]")
    assert first["text"][start:end].startswith("Six of the participants")
    # … however few sources are asked for: with one, the answer is that sentence alone
    data = ask_json(index, question, capsys, "--top-k", "1")
    assert data["answered"] is True and len(data["citations"]) == 1
    assert data["answer"].startswith("Six of the participants") and "[2]" not in data["answer"]
    question = "How many of the 14 certified hate crime trainers in Kosovo were women?"
    data = ask_json(index, question, capsys)
    assert data["answered"] is False and "give no number of women" in data["answer"]
    assert data["citations"][0]["document"] == "omik_hate_crime_training_2024.pdf"


@pytest.mark.model
def test_who_funded_it_is_not_answered_by_a_sentence_naming_no_funder(sample_index, capsys):
    # The Staff College report never says who paid for the course.
    _, index = sample_index
    question = "Who funded the 2022 staff course at the Border Management Staff College?"
    data = ask_json(index, question, capsys)
    assert data["answered"] is False and "do not say who funded it" in data["answer"]
    assert "bmsc_dushanbe_staff_course_2022.pdf" in {c["document"] for c in data["citations"]}


@pytest.mark.model
def test_suggested_questions_are_answered_from_what_they_name(sample_index):
    # A newcomer's starter questions: what the bodies the reports speak of most do, then
    # the main points of the newest reports; each is answered, a report's from that report.
    from qa_assistant import Assistant

    _, index = sample_index
    assistant = Assistant(index)
    suggestions = assistant.suggested_questions(4)
    assert suggestions[0] == (
        "What does the Office for Democratic Institutions and Human Rights (ODIHR) do?"
    )
    newest = "Addressing Hate Crime in Kosovo: Training for Police and Prosecutors, 2024"
    assert suggestions[2] == f"What are the main points of “{newest}”?"
    for question in suggestions:
        answer = assistant.ask(question)
        assert answer.answered, question
    answer = assistant.ask(suggestions[2])
    assert {c.document for c in answer.citations} == {"omik_hate_crime_training_2024.pdf"}


@pytest.mark.model
def test_main_points_of_a_report_are_its_points_not_its_title(sample_index, capsys):
    _, index = sample_index
    title = "Preventing Violent Extremism at Community Level in Tajikistan, 2023"
    data = ask_json(index, f"What are the main points of “{title}”?", capsys)
    assert data["answered"] is True
    assert {c["document"] for c in data["citations"]} == {
        "poid_verlt_training_of_trainers_2023.pdf"
    }
    assert title not in data["answer"]
    points = [p.strip() for p in data["answer"].split("]") if p.strip()]
    assert len(points) >= 2  # a broad question: several points, none said twice
    assert len({p.rsplit("[", 1)[0] for p in points}) == len(points)


@pytest.mark.model
def test_who_funded_it_is_answered_by_the_sentence_naming_the_funders(sample_index, capsys):
    # The funding sentence does not repeat what was funded, so it scores below the report's
    # introduction; a sentence that names no funder must not answer instead.
    _, index = sample_index
    data = ask_json(index, "Who funded the 2023 VERLT training?", capsys)
    assert data["answered"] is True
    assert data["answer"].startswith(
        "The activities were funded through extra-budgetary contributions from Germany and Norway."
    )
    first = data["answer"].split("[", 1)[1].split("]", 1)[0]
    cited = data["citations"][int(first) - 1]
    assert cited["document"] == "poid_verlt_training_of_trainers_2023.pdf" and cited["page"] == 3


@pytest.mark.model
def test_a_report_whose_title_names_the_year_asked_about_answers(sample_index, capsys):
    # A 2023 overview of the Staff College ranks first and does not mention 2022; the
    # report titled "… Staff Course …, Autumn 2022" answers instead of "don't say".
    _, index = sample_index
    question = "How many participants attended the BMSC staff course in 2022?"
    data = ask_json(index, question, capsys)
    assert data["answered"] is True and "26 officers" in data["answer"]
    assert data["citations"][0]["document"] == "bmsc_dushanbe_staff_course_2022.pdf"


@pytest.mark.model
def test_a_date_of_another_year_does_not_answer_when_in_that_year(sample_index, capsys):
    # The best sentence says the College opened in 2009; the one giving the 2022 course's
    # dates answers "when … in 2022?", is read first and cited first.
    _, index = sample_index
    data = ask_json(index, "When did the BMSC staff course take place in 2022?", capsys)
    assert data["answered"] is True
    assert data["answer"].startswith("From 5 September to 14 October 2022")
    assert data["answer"].split(" [", 1)[1].startswith("1]")  # its marker is [1]
    # … and a question after no figure reads the sentence about its year first too
    data = ask_json(index, "What did the BMSC do in 2022?", capsys)
    assert data["answer"].startswith("From 5 September to 14 October 2022")


@pytest.mark.model
def test_ask_spells_out_the_acronyms_its_answer_uses(sample_index, capsys):
    # "ODIHR's Tolerance and Non-Discrimination Department (TND)": ODIHR is used bare, TND
    # is spelled out by the answer itself.
    _, index = sample_index
    data = ask_json(index, "What does the TND do?", capsys)
    assert data["answered"] is True and "ODIHR" in data["answer"]
    expected = {
        "acronym": "ODIHR",
        "expansion": "Office for Democratic Institutions and Human Rights",
    }
    assert data["acronyms"] == [expected]
    assert main(["ask", "What does the TND do?", "--index", str(index)]) == 0
    out = capsys.readouterr().out
    assert "Acronyms: ODIHR = Office for Democratic Institutions and Human Rights" in out


@pytest.mark.model
def test_ask_searches_a_slip_of_the_keyboard_as_the_word_meant(sample_index, capsys):
    _, index = sample_index
    meant = "How many Kosovo Police officers were certified as hate crime trainers?"
    typed = "How many Kosovo Police offciers were certified as hate crime trainers?"
    data = ask_json(index, typed, capsys)
    assert data["corrected"] == [{"from": "offciers", "to": "officers"}]
    assert data["question"] == typed  # the question stays as asked
    clean = ask_json(index, meant, capsys)
    assert clean["corrected"] == []
    assert (data["answer"], data["citations"]) == (clean["answer"], clean["citations"])
    assert main(["ask", typed, "--index", str(index)]) == 0
    said = "Searched for “officers” (typed “offciers”). To search a word as typed, put it in"
    assert capsys.readouterr().out.startswith(said)
    # … in quotes, as the CLI says
    quoted = ask_json(index, typed.replace("offciers", '"offciers"'), capsys)
    assert quoted["corrected"] == []


@pytest.mark.model
def test_a_follow_up_to_which_reports_mention_asks_about_that_topic(sample_index, capsys):
    # "it" is OMIK, the topic of the earlier question, not "reports" or "mention"
    _, index = sample_index
    data = ask_json(
        index, "What did it do in 2024?", capsys, "--history", "Which reports mention OMIK?"
    )
    assert data["answered"] is True and "OMIK" in data["answer"]
    assert data["citations"][0]["document"] == "omik_hate_crime_training_2024.pdf"


@pytest.mark.model
def test_eval_json_keeps_every_contract_figure_when_one_is_undefined(
    sample_index, tmp_path, capsys
):
    # No unanswerable question: no_answer_accuracy cannot be computed, and is null, not gone.
    _, index = sample_index
    questions = tmp_path / "answerable.jsonl"
    item = {
        "id": "a1",
        "kind": "factual",
        "history": [],
        "question": "How many Kosovo Police officers were certified as hate crime trainers?",
        "answerable": True,
        "gold": [{"document": "omik_hate_crime_training_2024.pdf", "page": 1, "phrase": "14"}],
    }
    questions.write_text(json.dumps(item) + "\n", encoding="utf-8")
    assert main(["eval", str(questions), "--index", str(index), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["no_answer_accuracy"] is None and data["recall@1"] == 1.0
    assert main(["eval", str(questions), "--index", str(index)]) == 0
    all_row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("all"))
    assert all_row.split()[6] == "-"  # the text table's no-answer column: a dash
