"""Incremental indexing, the store's generations and the answer pipeline, on the fake
embedder (fast): what analysts and staff rely on, independent of the PDF reader."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from qa_assistant import Assistant, FakeEmbedder, IndexMismatchError, update_index
from qa_assistant.answer import AnswerParams
from qa_assistant.config import ChunkSettings
from qa_assistant.errors import DocumentError, IndexBusyError, IndexMissingError, QAError
from qa_assistant.generations import IndexLock
from qa_assistant.index_layout import current_generation
from qa_assistant.store import Store
from qa_assistant.types import PageText, ReadDocument

REPORTS = {
    "kosovo/omik_training.txt": (
        "OMIK training report\n"
        "The OSCE Mission in Kosovo (OMIK) trained 45 police officers on hate crimes in "
        "Obilić in March 2024. The training covered bias indicators and victim support."
    ),
    "tajikistan/poid_pve.txt": (
        "POiD youth programme\n"
        "The OSCE Programme Office in Dushanbe (POiD) held a Training of Trainers on "
        "preventing violent extremism for 20 teachers from Khujand."
    ),
    "uzbekistan/pcuz_law.txt": (
        "PCUz anti-trafficking support\n"
        "The Project Co-ordinator in Uzbekistan supported the 2020 law on combating "
        "trafficking in human beings, which created a national referral mechanism."
    ),
}


def _counting_reader(read: list[str]):
    """The test reader, noting the name of each file it reads in ``read``."""

    def reader(paths):
        for path, result in text_reader(paths):
            read.append(Path(path).name)
            yield path, result

    return reader


def text_reader(paths):
    """A minimal reader for .txt files (the real one is tested in test_reading.py)."""
    for path in paths:
        text = Path(path).read_text(encoding="utf-8")
        if "UNREADABLE" in text:
            yield path, DocumentError("cannot be read", "test file marked unreadable")
        else:
            yield path, ReadDocument([PageText(1, text)], text.splitlines()[0])


def write_reports(folder: Path, reports: dict[str, str] = REPORTS) -> None:
    for relative, text in reports.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    documents, index = tmp_path / "documents", tmp_path / "index"
    write_reports(documents)
    return documents, index


def index(documents: Path, index_dir: Path, **kwargs):
    return update_index(documents, index_dir, FakeEmbedder(), reader=text_reader, **kwargs)


def ask_over(
    folders, reports: dict[str, str], question: str, answering: AnswerParams | None = None, **kwargs
):
    """``question`` asked, with the fake embedder, of the fixture's reports and ``reports``
    (``answering``: other answer settings than the defaults)."""
    documents, index_dir = folders
    write_reports(documents, reports)
    index(documents, index_dir)
    assistant = Assistant(index_dir, embedder=FakeEmbedder(), answering=answering)
    return assistant.ask(question, **kwargs)


def test_first_run_adds_every_report(folders):
    documents, index_dir = folders
    report = index(documents, index_dir)
    assert report.added == sorted(REPORTS)
    assert report.documents == 3 and report.passages >= 3 and not report.failed
    assert current_generation(index_dir) is not None


def test_a_report_edited_while_it_is_read_is_read_again_on_the_next_run(folders):
    documents, index_dir = folders
    edited = documents / "kosovo/omik_training.txt"

    def reader_meanwhile_edited(paths):
        for path, result in text_reader(paths):
            if Path(path) == edited:  # saved again between its reading and its hashing
                edited.write_text("OMIK training report\nThe workshop moved to Gjilan.\n")
            yield path, result

    update_index(documents, index_dir, FakeEmbedder(), reader=reader_meanwhile_edited)
    # the stored text is the old one: the next run must not take it for the new file's
    report = index(documents, index_dir)
    assert report.updated == ["kosovo/omik_training.txt"]
    answer = Assistant(index_dir, embedder=FakeEmbedder()).ask("Where did the workshop move?")
    assert "Gjilan" in answer.citations[0].text
    assert index(documents, index_dir).unchanged == sorted(REPORTS)  # and then it rests


def test_progress_counts_reports_done_and_passages_as_they_are_embedded(folders, monkeypatch):
    # Reading runs ahead; embedding is most of the time. A count of files read stood still
    # at "3/5" for most of a run while their passages were embedded.
    from qa_assistant import adding

    monkeypatch.setattr(adding, "EMBED_PROGRESS_PASSAGES", 1)
    documents, index_dir = folders
    calls: list[tuple[str, int, int]] = []
    report = index(documents, index_dir, progress=lambda *call: calls.append(call))
    embedded = [done for stage, done, _ in calls if stage == "embed"]
    assert embedded == list(range(1, report.passages + 1))  # one step per passage here
    reports_done = [(i, done) for i, (stage, done, _) in enumerate(calls) if stage == "read"]
    assert reports_done[-1][1] == 3 and all(total == 3 for s, _, total in calls if s == "read")
    # one batch: no report counts as done before its passages are embedded
    assert reports_done[0][0] > max(i for i, call in enumerate(calls) if call[0] == "embed")


def test_unchanged_rerun_touches_nothing(folders):
    documents, index_dir = folders
    index(documents, index_dir)
    generation = current_generation(index_dir)
    report = index(documents, index_dir)
    assert report.unchanged == sorted(REPORTS)
    assert not (report.added or report.updated or report.removed)
    assert current_generation(index_dir) == generation  # no new generation written


def test_touched_but_identical_file_is_not_reread(folders):
    documents, index_dir = folders
    index(documents, index_dir)
    path = documents / "kosovo/omik_training.txt"
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    seen: list[Path] = []

    def spying_reader(paths):
        paths = list(paths)
        seen.extend(paths)
        yield from text_reader(paths)

    report = update_index(documents, index_dir, FakeEmbedder(), reader=spying_reader)
    assert seen == [] and "kosovo/omik_training.txt" in report.unchanged


def test_an_edit_whose_mtime_was_put_back_is_read_again(folders):
    # cp -p, touch -r, rsync -t and some editors put the old mtime back on an edited file;
    # a same-size edit then looks unchanged by size and mtime, but its ctime moved.
    documents, index_dir = folders
    index(documents, index_dir)
    path = documents / "kosovo/omik_training.txt"
    before = path.stat()
    edited = REPORTS["kosovo/omik_training.txt"].replace("45 police", "91 police")
    path.write_text(edited, encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)

    report = index(documents, index_dir)
    assert report.updated == ["kosovo/omik_training.txt"]
    answer = Assistant(index_dir, embedder=FakeEmbedder()).ask(
        "How many police officers did OMIK train on hate crimes?"
    )
    assert answer.citations[0].document == "kosovo/omik_training.txt"
    assert "91 police officers" in answer.citations[0].text
    assert "45 police" not in answer.citations[0].text


def spy_on_hashing(monkeypatch) -> list[str]:
    """The names of the files the indexer hashes from now on."""
    from qa_assistant import adding, changes, scanning

    hashed: list[str] = []

    def file_sha256(path):
        hashed.append(Path(path).name)
        return scanning.file_sha256(path)

    for module in (changes, adding):
        monkeypatch.setattr(module, "file_sha256", file_sha256)
    return hashed


def test_an_unchanged_file_is_neither_hashed_nor_read(folders, monkeypatch):
    documents, index_dir = folders
    index(documents, index_dir)
    hashed = spy_on_hashing(monkeypatch)
    report = update_index(documents, index_dir, FakeEmbedder(), reader=lambda paths: iter(()))
    assert report.unchanged == sorted(REPORTS) and hashed == []


def test_an_index_built_before_ctime_was_kept_opens_and_is_migrated(folders, monkeypatch):
    # An index of the first schema has no ctime_ns and inode columns: it still answers,
    # and an update hashes each file once (nothing is read again) and keeps them from then.
    import sqlite3

    documents, index_dir = folders
    write_reports(documents, {"broken.txt": "UNREADABLE"})
    index(documents, index_dir)
    database = sqlite3.connect(current_generation(index_dir) / "store.sqlite")
    for table in ("documents", "failures"):
        for column in ("ctime_ns", "inode"):
            database.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    database.commit()
    database.close()
    assert Assistant(index_dir, embedder=FakeEmbedder()).ask("Who trained police?").citations

    hashed = spy_on_hashing(monkeypatch)
    read: list[str] = []
    counting_reader = _counting_reader(read)

    report = update_index(documents, index_dir, FakeEmbedder(), reader=counting_reader)
    assert report.unchanged == sorted(REPORTS) and not (report.added or report.updated)
    assert sorted(hashed) == sorted(Path(p).name for p in REPORTS)
    assert read == ["broken.txt"]  # a failure remembered without a ctime is tried once more
    hashed.clear(), read.clear()
    report = update_index(documents, index_dir, FakeEmbedder(), reader=counting_reader)
    assert report.unchanged == sorted(REPORTS) and hashed == [] and read == []
    assert [f.document for f in report.failed] == ["broken.txt"]


def test_changed_added_and_deleted_files(folders):
    documents, index_dir = folders
    index(documents, index_dir)
    (documents / "kosovo/omik_training.txt").write_text(
        "OMIK training report\nThe Kosovo Police Academy hosted 60 prosecutors in Pristina.",
        encoding="utf-8",
    )
    (documents / "uzbekistan/pcuz_law.txt").unlink()
    write_reports(documents, {"odihr/methodology.txt": "ODIHR\nHate crime data methodology."})
    report = index(documents, index_dir)
    assert report.updated == ["kosovo/omik_training.txt"]
    assert report.removed == ["uzbekistan/pcuz_law.txt"]
    assert report.added == ["odihr/methodology.txt"]
    assert report.unchanged == ["tajikistan/poid_pve.txt"]

    assistant = Assistant(index_dir, embedder=FakeEmbedder())
    paths = {d.path for d in assistant.documents()}
    assert paths == {"kosovo/omik_training.txt", "tajikistan/poid_pve.txt", "odihr/methodology.txt"}
    answer = assistant.ask("How many prosecutors did the Kosovo Police Academy host?", top_k=5)
    cited = {c.document for c in answer.citations}
    assert "uzbekistan/pcuz_law.txt" not in cited
    assert answer.citations[0].document == "kosovo/omik_training.txt"
    assert "60 prosecutors" in answer.answer


def test_unreadable_file_is_reported_and_the_rest_indexed(folders):
    documents, index_dir = folders
    write_reports(documents, {"broken.txt": "UNREADABLE"})
    report = index(documents, index_dir)
    assert [(f.document, f.error) for f in report.failed] == [
        ("broken.txt", "cannot be read: test file marked unreadable")
    ]
    assert report.documents == 3
    again = index(documents, index_dir)  # unchanged failures are reported, not re-read
    assert [f.document for f in again.failed] == ["broken.txt"]


def test_rebuild_starts_over(folders):
    documents, index_dir = folders
    index(documents, index_dir)
    report = index(documents, index_dir, rebuild=True)
    assert report.added == sorted(REPORTS) and not report.unchanged


def test_index_built_with_other_settings_is_refused_with_the_fix(folders):
    documents, index_dir = folders
    index(documents, index_dir)
    with pytest.raises(IndexMismatchError, match="qa-assistant index --rebuild"):
        update_index(documents, index_dir, FakeEmbedder(dim=32), reader=text_reader)
    with pytest.raises(IndexMismatchError, match="--rebuild"):
        Assistant(index_dir, embedder=FakeEmbedder(), chunking=ChunkSettings(100, 10)).ask("x")


def test_missing_index_says_how_to_build_one(tmp_path):
    with pytest.raises(IndexMissingError, match="qa-assistant index"):
        Assistant(tmp_path / "none", embedder=FakeEmbedder()).ask("Who trained police?")


def test_second_writer_is_refused_while_the_first_holds_the_lock(folders):
    documents, index_dir = folders
    with IndexLock(index_dir):
        with pytest.raises(IndexBusyError, match="Wait for it to finish"):
            index(documents, index_dir)
        # given up after --wait: says it waited, so the user knows the option was taken
        with pytest.raises(IndexBusyError, match=r"index/ \(waited 0.3 s\)\. Wait for it"):
            index(documents, index_dir, wait_seconds=0.3)


def test_failed_update_leaves_the_previous_index_answering(folders):
    documents, index_dir = folders
    index(documents, index_dir)
    before = current_generation(index_dir)
    write_reports(documents, {"new.txt": "New report\nA new report about border management."})

    def exploding_reader(paths):
        raise RuntimeError("disk went away")
        yield  # pragma: no cover

    with pytest.raises(RuntimeError):
        update_index(documents, index_dir, FakeEmbedder(), reader=exploding_reader)
    assert current_generation(index_dir) == before
    assert sorted(p.name for p in index_dir.glob("gen-*")) == [before.name]
    answer = Assistant(index_dir, embedder=FakeEmbedder()).ask("Who trained police officers?")
    assert answer.citations


def test_filters_restrict_answers_to_chosen_reports_or_folders(folders):
    documents, index_dir = folders
    index(documents, index_dir)
    assistant = Assistant(index_dir, embedder=FakeEmbedder())
    answer = assistant.ask("training", documents=["tajikistan"], top_k=5)
    assert answer.citations and {c.document for c in answer.citations} == {
        "tajikistan/poid_pve.txt"
    }


def test_glossary_links_acronyms_and_long_forms(folders):
    documents, index_dir = folders
    index(documents, index_dir)
    assistant = Assistant(index_dir, embedder=FakeEmbedder())
    glossary = {e.acronym: e.expansion for e in assistant.glossary()}
    assert glossary["POiD"] == "Programme Office in Dushanbe"
    assert "Programme Office in Dushanbe" in assistant.expansions("What does POiD do?")
    assert "OMIK" in assistant.expansions("What did the OSCE Mission in Kosovo do?")
    # a name given by its words in another order and spelling still finds the acronym
    assert "POiD" in assistant.expansions("What did the Dushanbe programme office do?")
    assert "POiD" not in assistant.expansions("What did the office in Dushanbe do?")


def test_glossary_gives_the_fuller_spelling_when_two_reports_differ(tmp_path):
    documents, index_dir = tmp_path / "documents", tmp_path / "index"
    documents.mkdir()
    # one report drops a letter of the name, the other spells it in full: one definition
    # each, so neither is more frequent; the glossary must not follow SQLite's row order
    (documents / "a.txt").write_text(
        "The Office for Democratic Institution and Human Rights (ODIHR) trained monitors.",
        encoding="utf-8",
    )
    (documents / "b.txt").write_text(
        "Monitors used the Office for Democratic Institutions and Human Rights (ODIHR’s) "
        "definition of a hate crime.",
        encoding="utf-8",
    )
    index(documents, index_dir)
    glossary = {e.acronym: e for e in Assistant(index_dir, embedder=FakeEmbedder()).glossary()}
    assert glossary["ODIHR"].expansion == "Office for Democratic Institutions and Human Rights"
    assert glossary["ODIHR"].documents == ("b.txt",)


def test_citation_names_the_page_of_the_answering_sentence(tmp_path):
    documents, index_dir = tmp_path / "documents", tmp_path / "index"
    documents.mkdir()
    (documents / "report.txt").write_text("x", encoding="utf-8")

    def two_page_reader(paths):
        for path in paths:
            yield (
                path,
                ReadDocument(
                    [
                        PageText(1, "The mission opened an office in Gjilan. Staff began work"),
                        PageText(
                            2, "in spring. The helpline received 312 calls in its first year."
                        ),
                    ],
                    "Two-page report",
                ),
            )

    update_index(documents, index_dir, FakeEmbedder(), reader=two_page_reader)
    answer = Assistant(index_dir, embedder=FakeEmbedder()).ask(
        "How many calls did the helpline receive in its first year?"
    )
    top = answer.citations[0]
    start, end = top.highlight[0]
    assert "312 calls" in top.text[start:end]
    assert top.page == 2


def test_large_collection_switches_to_ivf_and_still_answers_and_deletes(folders, monkeypatch):
    """Past the flat limit the store saves an IVF index; answers and deletes keep working."""
    from qa_assistant import vectors

    monkeypatch.setattr(vectors, "FLAT_LIMIT", 2)
    documents, index_dir = folders
    index(documents, index_dir)
    assistant = Assistant(index_dir, embedder=FakeEmbedder())
    assert assistant.status()["vector_index"] == "ivf"
    answer = assistant.ask("How many teachers from Khujand joined the Training of Trainers?")
    assert answer.citations[0].document == "tajikistan/poid_pve.txt"
    (documents / "tajikistan/poid_pve.txt").unlink()
    index(documents, index_dir)
    cited = {c.document for c in assistant.ask("Training of Trainers in Khujand").citations}
    assert "tajikistan/poid_pve.txt" not in cited


def test_a_latin_name_set_with_a_cyrillic_letter_is_found_by_its_latin_spelling(folders):
    # Some PDFs set a Cyrillic "ё" inside a Latin word ("Vetёvendosje"); people type "e".
    documents, index_dir = folders
    write_reports(
        documents,
        {
            "kosovo/elections.txt": "Kosovo elections\nVet\u0451vendosje won 42 per cent "
            "of the vote in the February 2025 Assembly elections."
        },
    )
    index(documents, index_dir)
    assistant = Assistant(index_dir, embedder=FakeEmbedder())
    answer = assistant.ask("What share of the vote did Vetevendosje win in 2025?", top_k=3)
    assert answer.citations[0].document == "kosovo/elections.txt"
    assert answer.answered and "42 per cent" in answer.answer


def test_a_passage_is_embedded_under_its_reports_title(folders):
    # "UNFPA's investigation office" must also find a passage that only says "OAIS" in a
    # report titled for UNFPA: the passage's vector is that of the title and the passage.
    from qa_assistant.adding import passage_input
    from qa_assistant.store import Store

    documents, index_dir = folders
    long_report = "UNFPA audit report\n" + " ".join(
        f"In quarter {n} OAIS registered {n * 7} new matters." for n in range(1, 120)
    )
    write_reports(documents, {"unfpa/audit.txt": long_report})
    index(documents, index_dir)
    store = Store.open_current(index_dir)
    try:
        rows = store.passages(list(range(1, 100)))
        assert rows
        embedder = FakeEmbedder()
        titled = 0
        for passage_id, row in rows.items():
            stored = store.vectors.reconstruct([passage_id])[0]
            expected = embedder.encode([passage_input(row.title, row.text)])[0]
            assert stored == pytest.approx(expected, abs=1e-6)
            if not row.text.startswith(row.title):  # a passage opening with it is left as is
                titled += 1
                assert stored != pytest.approx(embedder.encode([row.text])[0], abs=1e-6)
        assert titled  # the passages after each report's first
    finally:
        store.close()


def test_an_answer_quotes_a_sentence_broken_across_lines_as_one_line(folders):
    # PDF text keeps its line breaks inside sentences; the quoted answer reads as prose.
    report = (
        "Audit report\nThe aggregate value\nof substantiated losses amounted to $2,613,691 in "
        "2024, the Office said.\nThe Office also ran training for staff in 12 field offices, "
        "with more planned for the year ahead."
    )
    question = "What was the aggregate value of substantiated losses?"
    answer = ask_over(folders, {"kosovo/fraud.txt": report}, question, top_k=3)
    assert answer.citations[0].document == "kosovo/fraud.txt"
    assert answer.answered and "The aggregate value of substantiated losses" in answer.answer
    assert "\n" not in answer.answer


def test_a_follow_up_keeps_to_what_the_earlier_question_pinned(folders):
    # "those courses" are the 2019 ones the earlier question asked about, not the 2025 ones
    # of a report that matches the follow-up's own words better.
    reports = {
        "tajikistan/youth_2019.txt": "Youth courses\nIn 2019 the Office trained 320 young "
        "people on preventing violent extremism.\nThe sessions took place in 12 towns of Sughd "
        "and Khatlon.",
        "tajikistan/trainers_2025.txt": "Trainer courses\nIn how many districts were the "
        "courses held? The 2025 training courses were held in 3 districts near Dushanbe.",
    }
    earlier = "How many young people did the Office train in 2019 on preventing extremism?"
    question = "In how many districts were those courses held?"
    answer = ask_over(folders, reports, question, history=[earlier], top_k=3)
    assert answer.citations[0].document == "tajikistan/youth_2019.txt"


def test_a_follow_up_is_not_answered_with_the_earlier_answer_again(folders):
    # The user has read when Zimbabwe acceded; the follow-up's answer is the new fact alone.
    report = (
        "Migrant workers committee\nZimbabwe deposited its instrument of accession as the "
        "sixtieth State party to the convention on 5 November 2024. The convention took effect "
        "for Zimbabwe on 1 March 2025, three months later."
    )
    earlier = "Which country became the sixtieth State party to the convention?"
    question = "When did the convention take effect for that country?"
    answer = ask_over(folders, {"un/migrant_workers.txt": report}, question, history=[earlier])
    assert answer.answered and answer.answer.startswith("The convention took effect")
    assert "deposited" not in answer.answer


def test_an_answer_does_not_quote_another_years_report_beside_it(folders):
    # Asked about 2024, the answer may add a second sentence, but not one from the 2019
    # report that happens to score nearly as well.
    reports = {
        "tajikistan/nrm_2024.txt": "Referral mechanism training 2024\nIn 2024 the Office "
        "trained officials on the national referral mechanism for trafficking victims.",
        "tajikistan/thb_2019.txt": "Trafficking training 2019\nIn 2019 the Office trained 30 "
        "investigation officers on the referral of trafficking victims.",
    }
    question = (
        "How many officials did the Office train on the referral mechanism for trafficking "
        "victims in 2024?"
    )
    answer = ask_over(folders, reports, question, top_k=3)
    assert answer.citations[0].document == "tajikistan/nrm_2024.txt"
    assert "30 investigation officers" not in answer.answer


def test_a_broad_question_is_answered_with_points_from_several_passages(folders):
    reports = {
        "kosovo/thb_monitoring.txt": "Anti-trafficking monitoring\nThe Mission monitors how "
        "the courts handle trafficking cases and advises them on victims' rights.",
        "kosovo/thb_training.txt": "Anti-trafficking training\nThe Mission trains police and "
        "customs officers to identify victims of trafficking at the border.",
        "kosovo/thb_schools.txt": "Anti-trafficking in schools\nThe Mission holds sessions on "
        "trafficking for teachers so that pupils learn the warning signs.",
    }
    answer = ask_over(folders, reports, "How does the Mission help victims of trafficking?")
    markers = re.findall(r"\[(\d+)\]", answer.answer)
    cited = {answer.citations[int(n) - 1].document for n in markers}
    assert answer.answered and len(cited) >= 2, answer.answer


def test_a_passage_stating_the_count_asked_for_is_reranked_with_the_best_five(folders):
    # Eight reports scatter the question's words over short sentences and so lead the
    # fused ranking; the annual summary, below them, states the count in one sentence.
    reports = {
        f"un/office_{n}.txt": f"Report {n}\nThe investigation office met in 2024. The office "
        "talked of new staff. Investigation of matters went on. New office rules for 2024 "
        "came. The office kept a register."
        for n in range(8)
    }
    reports["un/annual.txt"] = (
        "Annual summary\nParagraph 1 covers audit planning, risk reviews and advisory "
        "services. In 2024, 366 new matters were registered by the investigation office."
    )
    question = "How many new matters did the investigation office register in 2024?"

    def ask(answering: AnswerParams):
        answer = ask_over(folders, reports, question, answering, top_k=10)
        return [c.document for c in answer.citations].index("un/annual.txt") + 1, answer

    rank, answer = ask(AnswerParams(figure_reach=0))
    assert rank == 9 and not answer.answered  # "the closest passages … give no number"
    rank, answer = ask(AnswerParams())  # the default reaches it
    assert rank == 1 and answer.answered and "366 new matters" in answer.answer


def test_a_sentence_stating_the_figure_asked_for_is_embedded_first(folders):
    # The encoder reads a few sentences per question; the others are judged by their
    # passage's similarity. A figure question's count must be among those read, even
    # when other sentences hold more of the question's words.
    class Recording(FakeEmbedder):
        def __init__(self):
            super().__init__()
            self.encoded: list[str] = []

        def encode(self, texts, *, batch_size=32):
            self.encoded.extend(texts)
            return super().encode(texts, batch_size=batch_size)

    reports = {
        "un/staff.txt": "Staffing of the Mission office\n"
        + " ".join(
            f"The office in {town} reviewed its staff rules."
            for town in ("Peja", "Prizren", "Gjilan", "Mitrovica", "Ferizaj", "Gjakova")
        )
        + " It counted 234 staff."
    }
    documents, index_dir = folders
    write_reports(documents, reports)
    index(documents, index_dir)
    question = "How many staff did the Mission office have in 2024?"

    def encoded(answering: AnswerParams) -> list[str]:
        embedder = Recording()
        Assistant(index_dir, embedder=embedder, answering=answering).ask(question)
        return embedder.encoded

    assert "It counted 234 staff." in encoded(AnswerParams(max_sentences=3))
    assert "It counted 234 staff." not in encoded(
        AnswerParams(max_sentences=3, figure_embed_priority=0)  # by term coverage alone
    )


def test_a_follow_up_finds_what_it_swaps_in_on_the_next_page(folders):
    # The earlier question pulls its own answer first; the year the follow-up asks about
    # instead stands in the next passage, which answers.
    reports = {
        "un/care_2024.txt": "Care services for older persons, 2024\nIn 2024, 66 per cent of "
        "States reported strengthening care services for older persons.",
        "un/care_trend.txt": "Trends since the last review\nThat share of States stood at 46 "
        "per cent in 2019.",
    }
    earlier = "What share of States reported strengthening care services for older persons in 2024?"
    question = "What was that share in 2019?"
    # (the report's own year, 2019, would let it answer too: not counted here)
    only_first = AnswerParams(followup_constraint_depth=1, report_year=False)
    only_first = ask_over(folders, reports, question, only_first, history=[earlier])
    assert not only_first.answered and "2019" in only_first.answer  # the first lacks it
    answer = ask_over(folders, reports, question, history=[earlier])
    assert answer.answered and "46 per cent in 2019" in answer.answer
    assert answer.citations[0].document == "un/care_trend.txt"


def test_a_count_for_another_year_does_not_answer(folders):
    reports = {
        "un/children.txt": "Children and armed conflict, 2023-2024\nIn 2024, 16,500 "
        "children received reintegration support."
    }
    asked = "How many children received reintegration support in {}?"
    assert ask_over(folders, reports, asked.format(2024)).answered
    declined = ask_over(folders, reports, asked.format(2023))  # 2023 is on the page
    assert not declined.answered
    assert "speak of 2024, not of 2023" in declined.answer  # says why
    other_years = AnswerParams(check_year=False)
    assert ask_over(folders, reports, asked.format(2023), other_years).answered  # the rule


def test_the_next_sentence_naming_the_year_does_not_lend_it_to_another_years_figure(folders):
    # The sentence after the 2024 count names 2023 in passing: joined to it, the quote
    # would name 2023 and pass for its answer.
    reports = {
        "un/partners.txt": "Partnerships and resources, 2024\nIn 2024, the Fund established "
        "94 new partnerships with the private sector. Between 2023 and 2024, the Fund "
        "doubled its contributions from foundations."
    }
    asked = "How many new partnerships with the private sector did the Fund establish in {}?"
    answered = ask_over(folders, reports, asked.format(2024))
    assert answered.answered and "94 new partnerships" in answered.answer
    declined = ask_over(folders, reports, asked.format(2023))
    assert not declined.answered and "not of 2023" in declined.answer


def test_a_year_named_only_to_compare_with_is_no_other_year(folders):
    reports = {
        "un/kosovo_elections.txt": "Elections in Kosovo, 2025\nThe early parliamentary "
        "elections were held on 9 February 2025. The voter turnout was reported to be 46.54 "
        "per cent, slightly lower than in the elections of February 2021 (48.78 per cent)."
    }
    asked = "What was the voter turnout in Kosovo in 2025?"
    answer = ask_over(folders, reports, asked)
    assert answer.answered and "46.54 per cent" in answer.answer
    strict = AnswerParams(compared_years_pass=False)  # 2021 read as the year it is about
    assert not ask_over(folders, reports, asked, strict).answered
    # a count stated only for another year still does not answer
    declined = ask_over(folders, reports, "What was the voter turnout in Kosovo in 2024?")
    assert not declined.answered


def test_starter_questions_name_the_bodies_mentioned_most(folders):
    reports = {
        "un/health.txt": "Health advice\nThe World Health Organization (WHO) advised. "
        "Officers who trained, who taught and who led were counted. The Trafficking in human "
        "beings (THB) unit, THB cases and THB victims were reviewed. Those who attended "
        "praised it. Who else came, who knows.",
    }
    ask_over(folders, reports, "What does WHO do?")  # indexes the reports
    suggestions = Assistant(folders[1], embedder=FakeEmbedder()).suggested_questions(8)
    bodies = [s for s in suggestions if s.startswith("What does")]
    # WHO and THB are mentioned more often than OMIK and POiD, but "who" as a word is no
    # mention of WHO, and THB is a thing, not a body (its long form is in lower case)
    assert bodies == [
        "What does the OSCE Mission in Kosovo (OMIK) do?",
        "What does the Programme Office in Dushanbe (POiD) do?",
    ]
    assert "What are the main points of “Health advice”?" in suggestions


def test_a_report_has_a_name_only_where_it_is_written_as_one(folders):
    documents, index_dir = folders
    report = "Conférence des Nations Unies, Vienne, 26 mars–24 mai 1968. Mars Hall hosted it."
    write_reports(documents, {"fr/traites.txt": report, "fr/mois.txt": "Le 21 mars 1986."})
    index(documents, index_dir)
    store = Store.open_current(index_dir)
    (traites,), (mois,) = (
        store.document_ids(["fr/traites.txt"]),
        store.document_ids(["fr/mois.txt"]),
    )
    assert store.document_has(traites, "Mars") and store.document_has(traites, "Vienne")
    assert not store.document_has(mois, "Mars")  # the month, in lower case
    assert store.document_has(mois, "mars")  # a word asked in lower case matches as before


@pytest.mark.parametrize("question", ["?!?", "what is the of and to it"])
def test_a_question_with_no_words_to_search_for_says_so(folders, question):
    with pytest.raises(QAError, match="has no words to search the reports for"):
        ask_over(folders, {}, question)
    # a follow-up leans on the earlier question's words
    assert ask_over(folders, {}, "And then?", history=["What does OMIK do?"]) is not None


def test_a_name_the_first_page_lacks_is_looked_for_on_the_next(folders):
    # The first passage holds the question's words, the name only in lower case (as a
    # name it is not there); the second names him.
    reports = {
        "osce/mission.txt": "The OSCE Mission in Kosovo position paper\nThe position of the "
        "OSCE Mission in Kosovo on eduart caka streets: the eduart caka position is held.",
        "osce/networks.txt": "Monitoring networks\nEduart Caka is Senior Police Monitoring "
        "Officer at the OSCE Mission in Kosovo.",
    }
    asked = "What is Eduart Caka's position at the OSCE Mission in Kosovo?"
    shallow = ask_over(folders, reports, asked, AnswerParams(name_depth=1))
    assert shallow.citations[0].document == "osce/mission.txt"
    assert not shallow.answered and "Eduart Caka" in shallow.answer
    answer = ask_over(folders, reports, asked)
    assert answer.answered and "Senior Police Monitoring Officer" in answer.answer
    assert answer.citations[0].document == "osce/networks.txt"


def test_a_starter_question_is_not_about_who_wrote_nearly_every_report(tmp_path):
    documents, index_dir = tmp_path / "docs", tmp_path / "index"
    body = "The Organization for Field Testing (OFT) wrote this. OFT, OFT and OFT again."
    reports = {f"r{n}.txt": f"Report {n}\n{body} It covers topic {n}." for n in range(4)}
    reports["r0.txt"] += " The Mission in Nowhere (MIN) trained 40 officers."
    write_reports(documents, reports)
    index(documents, index_dir)
    suggestions = Assistant(index_dir, embedder=FakeEmbedder()).suggested_questions(2)
    assert suggestions[0] == "What does the Mission in Nowhere (MIN) do?"
    assert not any("(OFT)" in s for s in suggestions)  # named in all four reports


def test_a_follow_up_of_a_follow_up_leans_on_the_whole_chain(folders, monkeypatch):
    reports = {
        "osce/course.txt": "Staff Course, autumn 2022\nThe autumn 2022 Staff Course brought "
        "together 26 officers from 11 participating States. Six of the participants were women.",
        "osce/hotline.txt": "Hotline\nCallers come from many countries: in 2020 the hotline "
        "assisted 389 people from 14 countries, of whom 211 were women.",
    }
    history = [
        "How many officers took part in the autumn 2022 Staff Course?",
        "Which countries did they come from?",
    ]
    asked = "How many of them were women?"
    monkeypatch.setattr("qa_assistant.asking.CHAIN", 1)  # the last question only
    alone = ask_over(folders, reports, asked, history=history)
    assert alone.citations[0].document == "osce/hotline.txt"
    monkeypatch.undo()
    answer = ask_over(folders, reports, asked, history=history)
    assert answer.answered and "Six of the participants were women" in answer.answer
    assert answer.citations[0].document == "osce/course.txt"


def test_a_renamed_or_moved_report_keeps_its_passages_and_is_not_read_again(folders):
    documents, index_dir = folders
    write_reports(documents)
    index(documents, index_dir)
    (documents / "archive").mkdir()
    (documents / "kosovo/omik_training.txt").rename(documents / "archive/omik_2024.txt")
    # a copy of a report still in place is a new report, not a move
    (documents / "pve_copy.txt").write_text(REPORTS["tajikistan/poid_pve.txt"], "utf-8")
    read: list[str] = []
    counting_reader = _counting_reader(read)

    report = update_index(documents, index_dir, FakeEmbedder(), reader=counting_reader)
    assert report.moved == [{"from": "kosovo/omik_training.txt", "to": "archive/omik_2024.txt"}]
    assert "archive/omik_2024.txt" in report.added and "kosovo/omik_training.txt" in report.removed
    assert read == ["pve_copy.txt"]  # the moved report was not read
    answer = Assistant(index_dir, embedder=FakeEmbedder()).ask(
        "How many police officers did OMIK train?"
    )
    assert answer.citations[0].document == "archive/omik_2024.txt"
    assert index(documents, index_dir).added == []  # and it is unchanged next time
