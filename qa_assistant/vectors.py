"""Passage vectors in FAISS, keyed by passage id (int64), saved beside the SQLite store.

Exact inner-product search (``IndexIDMap2(IndexFlatIP)``) up to ``FLAT_LIMIT`` vectors (100k:
about 10 ms a query on one core); above it an inverted-file index (``IndexIVFFlat``, nlist
≈ 4·√N, nprobe = nlist/32: recall@10 ≥ 0.99 and 2 ms at 1M on clustered vectors, see
benchmarks/RESULTS.md). Both keep passage ids, so the passages of a changed or deleted
document are removed with ``remove_ids`` and nothing else is touched — why IVF and not
HNSW, which cannot remove (and reached recall 0.86 at most on the same 1M vectors).

The index type follows the size: ``maybe_convert`` (called when a generation is saved)
turns a flat index that grew past the limit into IVF, an IVF index that shrank below half
the limit back into flat, and re-trains an IVF index whose lists were sized for a
collection a quarter of today's. Conversion rebuilds from the stored vectors (IVF-Flat keeps
them exactly), so no passage is embedded again.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import math
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

FLAT_LIMIT = 100_000
_SHRINK_FACTOR = 0.5  # IVF back to flat below this share of the limit (no flapping)
_GROWTH_FACTOR = 4  # re-train IVF once the collection is this many times its trained size
_SUBSET_EXACT = 20_000  # a filter this small is searched exactly on its own vectors
_TRAIN_POINTS_PER_LIST = 64  # k-means sample: FAISS wants ≥ 39 points per list
_SERIAL_BATCH = 1000  # FAISS spreads larger reconstruct batches over OpenMP threads


def _faiss():
    import faiss  # heavy: imported on first use

    return faiss


@contextlib.contextmanager
def _one_thread() -> Iterator[None]:
    """Run FAISS on one OpenMP thread inside the block (this thread's setting in libgomp).

    A single query gains nothing from a second thread on IVF and little on flat, and on a
    busy 2-core machine waking one costs a scheduler time slice: flat search over 100k
    vectors took 24 ms with 2 threads against 10 ms with 1 (benchmarks/RESULTS.md).
    """
    faiss = _faiss()
    previous = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(previous)


def ivf_lists(n: int) -> int:
    """Inverted lists for ``n`` vectors: about 4·√n, at least 1 and at most ``n``."""
    return max(1, min(n, round(4 * math.sqrt(n))))


def ivf_probes(nlist: int) -> int:
    """Lists searched per query: recall@10 ≥ 0.95 with margin on clustered 384-d vectors.

    On clustered vectors (benchmarks/bench_scale.py) nprobe 16 already gave 0.995 at 100k
    and 0.978 at 1M; 1/32 of the lists (40 at 100k, 125 at 1M) leaves room for real
    embeddings that cluster less cleanly, at about 2 ms a query at 1M.
    """
    return min(nlist, max(24, math.ceil(nlist / 32)))


def train_sample_size(nlist: int, n: int) -> int:
    """Vectors the IVF k-means is trained on: 64 per list, at most all of them."""
    return min(n, _TRAIN_POINTS_PER_LIST * nlist)


class VectorIndex:
    """An id-keyed FAISS index of normalised vectors (inner product = cosine).

    ``flat_limit`` (default ``FLAT_LIMIT``) is the size above which ``maybe_convert`` makes
    the index IVF; tests pass a small one.
    """

    def __init__(self, dim: int, index=None, *, flat_limit: int | None = None) -> None:
        faiss = _faiss()
        self.dim = dim
        self.flat_limit = FLAT_LIMIT if flat_limit is None else flat_limit
        if self.flat_limit < 1:
            raise ValueError(f"flat_limit must be at least 1 (got {self.flat_limit})")
        self._index = index if index is not None else faiss.IndexIDMap2(faiss.IndexFlatIP(dim))

    @classmethod
    def load(cls, path: Path, dim: int, *, flat_limit: int | None = None) -> VectorIndex:
        """Read an index written by ``save``; a missing file is an empty index."""
        if not path.exists():
            return cls(dim, flat_limit=flat_limit)
        faiss = _faiss()
        index = faiss.read_index(str(path))
        if index.d != dim:
            raise ValueError(f"vector index has dimension {index.d}, expected {dim}")
        return cls(dim, index, flat_limit=flat_limit)

    def save(self, path: Path) -> None:
        """Write the index to ``path`` (the caller makes the switch atomic)."""
        try:
            _faiss().write_index(self._index, str(path))
        except RuntimeError as exc:  # FAISS reports a failed write as RuntimeError
            code = errno.ENOSPC if "No space left" in str(exc) else errno.EIO
            raise OSError(code, os.strerror(code), str(path)) from exc

    @property
    def kind(self) -> str:
        """ "flat" or "ivf"."""
        return "ivf" if self._ivf is not None else "flat"

    @property
    def _ivf(self):
        """The IVF index, or None for a flat one."""
        faiss = _faiss()
        return self._index if isinstance(self._index, faiss.IndexIVF) else None

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Add vectors under the given passage ids."""
        if len(ids) == 0:
            return
        self._index.add_with_ids(
            np.ascontiguousarray(vectors, dtype=np.float32),
            np.ascontiguousarray(ids, dtype=np.int64),
        )

    def remove(self, ids: np.ndarray) -> int:
        """Remove vectors by passage id; returns how many were removed."""
        if len(ids) == 0:
            return 0
        faiss = _faiss()
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        # IVF's id→slot hash table only takes an explicit id list; flat takes a set.
        selector = (
            faiss.IDSelectorArray(ids) if self._ivf is not None else (faiss.IDSelectorBatch(ids))
        )
        return int(self._index.remove_ids(selector))

    def search(
        self, query: np.ndarray, k: int, allowed_ids: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """The ``k`` nearest passage ids with cosine scores, best first.

        ``allowed_ids`` restricts the search (report filters) inside FAISS, so a filter
        never leaves fewer than ``k`` results when more exist.
        """
        if len(self) == 0 or k <= 0:
            return []
        query = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        if allowed_ids is not None:
            if len(allowed_ids) == 0:
                return []
            allowed_ids = np.ascontiguousarray(allowed_ids, dtype=np.int64)
        k = min(k, len(self))
        with _one_thread():
            ivf = self._ivf
            if ivf is None:
                return self._search_flat(query, k, allowed_ids)
            if allowed_ids is None:
                return _pairs(*self._index.search(query, k))
            if len(allowed_ids) <= _SUBSET_EXACT:
                return self._search_subset(query, k, allowed_ids)
            return self._search_ivf_filtered(ivf, query, k, allowed_ids)

    def _search_flat(self, query, k, allowed_ids) -> list[tuple[int, float]]:
        faiss = _faiss()
        params = None
        if allowed_ids is not None:
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(allowed_ids))
        return _pairs(*self._index.search(query, k, params=params))

    def _search_subset(self, query, k, allowed_ids) -> list[tuple[int, float]]:
        """Exact search over the allowed vectors alone (a small filter)."""
        present, vectors = self._vectors_of(allowed_ids)
        if len(present) == 0:
            return []
        # faiss.knn, not numpy's matmul: OpenBLAS would wake its threads for one query.
        scores, rows = _faiss().knn(
            query, vectors, min(k, len(present)), metric=_faiss().METRIC_INNER_PRODUCT
        )
        return [(int(present[r]), float(s)) for r, s in zip(rows[0], scores[0], strict=True)]

    def _search_ivf_filtered(self, ivf, query, k, allowed_ids) -> list[tuple[int, float]]:
        """IVF with the filter inside FAISS; more lists for a selective filter, and all of
        them if the probed ones held fewer than ``k`` allowed vectors."""
        faiss = _faiss()
        selector = faiss.IDSelectorBatch(allowed_ids)
        share = min(1.0, len(allowed_ids) / len(self))
        nprobe = min(ivf.nlist, math.ceil(ivf.nprobe / share))
        expected = min(k, len(allowed_ids))
        while True:
            params = faiss.SearchParametersIVF(sel=selector, nprobe=nprobe)
            found = _pairs(*self._index.search(query, k, params=params))
            if len(found) >= expected or nprobe >= ivf.nlist:
                return found
            nprobe = ivf.nlist

    def _vectors_of(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(ids present, their vectors) for the given ids; absent ids are skipped."""
        try:  # few calls into FAISS; it refuses a whole batch if one id is absent
            parts = [
                self._index.reconstruct_batch(ids[start : start + _SERIAL_BATCH])
                for start in range(0, len(ids), _SERIAL_BATCH)
            ]
            return ids, np.ascontiguousarray(np.concatenate(parts), dtype=np.float32)
        except RuntimeError:
            pass
        present = []
        rows = []
        for i in ids:
            try:
                rows.append(self._index.reconstruct(int(i)))
            except RuntimeError:
                continue
            present.append(int(i))
        if not rows:
            return np.zeros(0, np.int64), np.zeros((0, self.dim), np.float32)
        return np.asarray(present, np.int64), np.stack(rows).astype(np.float32)

    def reconstruct(self, ids: list[int]) -> np.ndarray | None:
        """Stored vectors of the given ids (None where the index type cannot give them)."""
        try:
            return np.stack([self._index.reconstruct(int(i)) for i in ids]).astype(np.float32)
        except RuntimeError:
            return None

    # ---- the index type follows the size ----------------------------------------------------
    def wanted_kind(self) -> str:
        """The type this index should have at its size: "flat" or "ivf"."""
        n = len(self)
        if self.kind == "ivf":
            return "flat" if n < _SHRINK_FACTOR * self.flat_limit else "ivf"
        return "ivf" if n > self.flat_limit else "flat"

    def maybe_convert(self) -> bool:
        """Change the index type if the size asks for it; True if the index was rebuilt.

        Flat past ``flat_limit`` → IVF; IVF below half the limit → flat; IVF whose lists
        were trained for a quarter of today's vectors or fewer → IVF re-trained. Call it
        before ``save`` at the end of an update.
        """
        wanted = self.wanted_kind()
        ivf = self._ivf
        if wanted == "flat" and ivf is None:
            return False
        if wanted == "ivf" and ivf is not None and not self._outgrown(ivf):
            return False
        ids, vectors = self._contents()
        log.info("rebuilding the vector index as %s (%d vectors)", wanted, len(ids))
        self._index = _build(wanted, self.dim, ids, vectors)
        return True

    def _outgrown(self, ivf) -> bool:
        """Whether the IVF lists were sized for 1/``_GROWTH_FACTOR`` of today's vectors."""
        # nlist grows as √N, so N growing by a factor g asks for √g times the lists.
        return ivf_lists(len(self)) >= math.sqrt(_GROWTH_FACTOR) * ivf.nlist

    def _contents(self) -> tuple[np.ndarray, np.ndarray]:
        """All (ids, vectors) held, in storage order."""
        faiss = _faiss()
        ivf = self._ivf
        if ivf is None:
            ids = faiss.vector_to_array(self._index.id_map).astype(np.int64)
            vectors = self._index.index.reconstruct_n(0, len(ids))
            return ids, np.ascontiguousarray(vectors, dtype=np.float32)
        lists = ivf.invlists
        all_ids, all_vectors = [], []
        for number in range(ivf.nlist):
            size = lists.list_size(number)
            if size == 0:
                continue
            ids = faiss.rev_swig_ptr(lists.get_ids(number), size).copy()
            codes = faiss.rev_swig_ptr(lists.get_codes(number), size * lists.code_size).copy()
            all_ids.append(ids.astype(np.int64))
            all_vectors.append(codes.view(np.float32).reshape(size, self.dim))
        if not all_ids:
            return np.zeros(0, np.int64), np.zeros((0, self.dim), np.float32)
        return np.concatenate(all_ids), np.concatenate(all_vectors)


def _build(kind: str, dim: int, ids: np.ndarray, vectors: np.ndarray):
    """A new FAISS index of ``kind`` holding ``vectors`` under ``ids``."""
    faiss = _faiss()
    if kind == "flat":
        index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
    else:
        nlist = ivf_lists(len(ids))
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist, faiss.METRIC_INNER_PRODUCT)
        sample = np.random.default_rng(0).choice(
            len(ids), train_sample_size(nlist, len(ids)), replace=False
        )
        index.train(vectors[np.sort(sample)])
        index.nprobe = ivf_probes(nlist)
        # A hash table from id to slot: reconstruct by id (the retriever's missing dense
        # scores, conversions) while remove_ids stays possible.
        index.set_direct_map_type(faiss.DirectMap.Hashtable)
    if len(ids):
        index.add_with_ids(vectors, ids)
    return index


def _pairs(scores: np.ndarray, ids: np.ndarray) -> list[tuple[int, float]]:
    return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]
