"""VectorIndex: flat and IVF both add, remove, search, filter and persist by passage id, and
the type follows the size (a small ``flat_limit`` stands in for the real one)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qa_assistant import vectors
from qa_assistant.vectors import VectorIndex, ivf_lists, ivf_probes

DIM = 32


def _clustered(n: int, seed: int = 0) -> np.ndarray:
    """Normalised vectors around 20 centres (neighbours exist, unlike a uniform sphere)."""
    rng = np.random.default_rng(seed)
    centres = np.random.default_rng(99).standard_normal((20, DIM)).astype(np.float32)
    points = centres[rng.integers(0, 20, n)] + 0.6 * rng.standard_normal((n, DIM)).astype(
        np.float32
    )
    return points / np.linalg.norm(points, axis=1, keepdims=True)


def _ids(n: int) -> np.ndarray:
    return np.arange(n, dtype=np.int64) * 3 + 11  # passage ids are neither 0-based nor dense


def _make(kind: str, n: int = 1200, limit: int = 500) -> tuple[VectorIndex, np.ndarray]:
    data = _clustered(n)
    index = VectorIndex(DIM, flat_limit=limit)
    index.add(_ids(n), data)
    if kind == "ivf":
        assert index.maybe_convert() is True
    assert index.kind == kind
    return index, data


@pytest.fixture(params=["flat", "ivf"])
def kind(request) -> str:
    return request.param


def test_search_finds_each_vector_by_its_id(kind: str) -> None:
    index, data = _make(kind)
    ids = _ids(len(data))
    for row in (0, 17, 599, 1199):
        best_id, score = index.search(data[row], 5)[0]
        assert best_id == ids[row]
        assert score == pytest.approx(1.0, abs=1e-5)
    assert len(index) == len(data)


def test_results_are_best_first_and_at_most_k(kind: str) -> None:
    index, data = _make(kind)
    hits = index.search(data[3], 10)
    assert len(hits) == 10
    scores = [score for _, score in hits]
    assert scores == sorted(scores, reverse=True)
    assert len(index.search(data[3], 5000)) <= len(index)
    assert index.search(data[3], 0) == []


def test_remove_takes_out_only_the_given_ids(kind: str) -> None:
    index, data = _make(kind)
    ids = _ids(len(data))
    gone = ids[100:150]
    assert index.remove(gone) == 50
    assert len(index) == len(data) - 50
    assert index.remove(gone) == 0  # already gone
    for row in range(100, 150, 7):
        assert all(pid not in set(gone) for pid, _ in index.search(data[row], 20))
    assert index.search(data[99], 1)[0][0] == ids[99]
    assert index.reconstruct([int(ids[99])]) is not None
    assert index.reconstruct([int(ids[100])]) is None


def test_reconstruct_gives_the_stored_vectors(kind: str) -> None:
    index, data = _make(kind)
    ids = _ids(len(data))
    got = index.reconstruct([int(ids[5]), int(ids[700])])
    np.testing.assert_allclose(got, data[[5, 700]], atol=1e-6)


@pytest.mark.parametrize("subset_exact", [True, False])
def test_filter_keeps_results_inside_allowed_ids(
    kind: str, subset_exact: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not subset_exact:  # force IVF's in-FAISS filter rather than the exact small-subset path
        monkeypatch.setattr(vectors, "_SUBSET_EXACT", 0)
    index, data = _make(kind)
    ids = _ids(len(data))
    allowed = ids[::40]  # 30 passages scattered over the collection
    hits = index.search(data[0], 10, allowed)
    assert len(hits) == 10, "a filter must not leave fewer than k results when more exist"
    assert {pid for pid, _ in hits} <= set(allowed)
    exact = sorted(allowed, key=lambda pid: -float(data[(pid - 11) // 3] @ data[0]))[:10]
    assert [pid for pid, _ in hits] == exact
    assert index.search(data[0], 10, np.array([], dtype=np.int64)) == []
    few = index.search(data[0], 10, ids[:3])
    assert {pid for pid, _ in few} == set(ids[:3])


def test_persist_and_reload_keeps_type_ids_and_results(kind: str, tmp_path: Path) -> None:
    index, data = _make(kind)
    index.remove(_ids(len(data))[:10])
    path = tmp_path / "vectors.faiss"
    index.save(path)
    loaded = VectorIndex.load(path, DIM, flat_limit=500)
    assert loaded.kind == kind
    assert len(loaded) == len(index)
    for row in (10, 500):
        assert loaded.search(data[row], 5) == index.search(data[row], 5)
    extra = _clustered(5, seed=7)
    loaded.add(np.array([5, 6, 7, 8, 9], dtype=np.int64), extra)
    assert loaded.search(extra[2], 1)[0][0] == 7
    assert loaded.remove(np.array([7], dtype=np.int64)) == 1
    with pytest.raises(ValueError, match="dimension"):
        VectorIndex.load(path, DIM + 1)


def test_missing_file_loads_as_empty_flat(tmp_path: Path) -> None:
    index = VectorIndex.load(tmp_path / "none.faiss", DIM)
    assert (index.kind, len(index)) == ("flat", 0)
    assert index.search(np.ones(DIM, np.float32), 5) == []


def test_flat_stays_flat_up_to_the_limit() -> None:
    index = VectorIndex(DIM, flat_limit=500)
    index.add(_ids(500), _clustered(500))
    assert index.wanted_kind() == "flat"
    assert index.maybe_convert() is False
    assert index.kind == "flat"


def test_crossing_the_limit_converts_to_ivf_with_every_vector() -> None:
    index, data = _make("flat", n=501, limit=500)
    assert index.wanted_kind() == "ivf"
    assert index.maybe_convert() is True
    assert index.kind == "ivf"
    assert len(index) == 501
    assert index._index.nlist == ivf_lists(501)
    assert index._index.nprobe == ivf_probes(ivf_lists(501))
    np.testing.assert_allclose(index.reconstruct([11, 11 + 3 * 500]), data[[0, 500]], atol=1e-6)
    assert index.maybe_convert() is False  # nothing more to do at this size


def test_ivf_shrinking_below_half_the_limit_goes_back_to_flat() -> None:
    index, data = _make("ivf", n=1200, limit=500)
    ids = _ids(1200)
    index.remove(ids[:900])  # 300 left: above half the limit (250) stays IVF
    assert index.maybe_convert() is False and index.kind == "ivf"
    index.remove(ids[900:1000])  # 200 left
    assert index.maybe_convert() is True
    assert index.kind == "flat"
    assert len(index) == 200
    assert index.search(data[1100], 1)[0][0] == ids[1100]


def test_ivf_retrains_when_the_collection_outgrows_its_lists() -> None:
    index, _ = _make("ivf", n=600, limit=500)
    trained = index._index.nlist
    index.add(_ids(3000)[600:], _clustered(3000, seed=3)[600:])  # 5x the trained size
    assert index.maybe_convert() is True
    assert index.kind == "ivf"
    assert index._index.nlist == ivf_lists(3000) > trained
    assert len(index) == 3000


def test_ivf_recall_at_10_against_exact_search() -> None:
    n = 4000
    data = _clustered(n, seed=1)
    flat = VectorIndex(DIM, flat_limit=n)
    flat.add(_ids(n), data)
    ivf = VectorIndex(DIM, flat_limit=n - 1)
    ivf.add(_ids(n), data)
    ivf.maybe_convert()
    queries = _clustered(100, seed=2)
    hits = sum(
        len({p for p, _ in flat.search(q, 10)} & {p for p, _ in ivf.search(q, 10)}) for q in queries
    )
    assert hits / 1000 >= 0.95


def test_flat_limit_must_be_positive() -> None:
    with pytest.raises(ValueError, match="flat_limit must be at least 1"):
        VectorIndex(DIM, flat_limit=0)


def test_store_generations_follow_the_size_through_the_save_hook(
    tmp_path: Path, fake_embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a limit of 10 vectors, updates through the store make the index IVF, keep it
    IVF while a changed document's passages are swapped, and make it flat again when most
    documents are deleted."""
    from qa_assistant.indexer import update_index
    from qa_assistant.store import Store
    from tests.conftest import inline_reader

    monkeypatch.setattr(vectors, "FLAT_LIMIT", 10)
    documents = tmp_path / "documents"
    documents.mkdir()
    for number in range(40):
        words = " ".join(f"topic{number % 7} word{number * 3 + i}" for i in range(30))
        (documents / f"doc{number:02d}.txt").write_text(f"Note {number}. {words}.\n")
    index_dir = tmp_path / "index"

    def live() -> Store:
        return Store.open_current(index_dir)

    update_index(documents, index_dir, fake_embedder, reader=inline_reader)
    store = live()
    assert store.vectors.kind == "ivf"
    query = fake_embedder.encode_query("topic3 word9")
    allowed = store.passage_ids_of(store.document_ids(["doc03.txt"]))
    hits = store.vectors.search(query, 5, allowed)
    assert hits and {pid for pid, _ in hits} <= set(allowed.tolist())
    store.close()

    (documents / "doc03.txt").write_text("Note 3 rewritten. Entirely new words here.\n")
    update_index(documents, index_dir, fake_embedder, reader=inline_reader)
    store = live()
    assert store.vectors.kind == "ivf"
    assert len(store.vectors) == store.counts()[2]
    assert not set(allowed.tolist()) & {pid for pid, _ in store.vectors.search(query, 50)}
    store.close()

    for path in sorted(documents.iterdir())[4:]:
        path.unlink()
    update_index(documents, index_dir, fake_embedder, reader=inline_reader)
    store = live()
    assert store.vectors.kind == "flat"  # 4 vectors: below half the limit
    assert len(store.vectors) == store.counts()[2] == 4
    store.close()
