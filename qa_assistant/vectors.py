"""Passage vectors in FAISS, keyed by passage id (int64), saved beside the SQLite store.

Exact inner-product search (``IndexIDMap2(IndexFlatIP)``) up to ``FLAT_LIMIT`` vectors; an
IVF index above, where exact search gets slow. Both keep ids, so passages of a changed or
deleted document are removed with ``remove_ids`` and nothing else is touched.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

FLAT_LIMIT = 200_000


def _faiss():
    import faiss  # heavy: imported on first use

    return faiss


class VectorIndex:
    """An id-keyed FAISS index of normalised vectors (inner product = cosine)."""

    def __init__(self, dim: int, index=None) -> None:
        faiss = _faiss()
        self.dim = dim
        self._index = index if index is not None else faiss.IndexIDMap2(faiss.IndexFlatIP(dim))

    @classmethod
    def load(cls, path: Path, dim: int) -> VectorIndex:
        """Read an index written by ``save``; a missing file is an empty index."""
        if not path.exists():
            return cls(dim)
        faiss = _faiss()
        index = faiss.read_index(str(path))
        if index.d != dim:
            raise ValueError(f"vector index has dimension {index.d}, expected {dim}")
        return cls(dim, index)

    def save(self, path: Path) -> None:
        """Write the index to ``path`` (the caller makes the switch atomic)."""
        _faiss().write_index(self._index, str(path))

    @property
    def kind(self) -> str:
        """ "flat" or "ivf"."""
        return "ivf" if "IVF" in type(self._index).__name__ else "flat"

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
        selector = _faiss().IDSelectorBatch(np.ascontiguousarray(ids, dtype=np.int64))
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
        faiss = _faiss()
        params = None
        if allowed_ids is not None:
            if len(allowed_ids) == 0:
                return []
            selector = faiss.IDSelectorBatch(np.ascontiguousarray(allowed_ids, dtype=np.int64))
            params = faiss.SearchParameters(sel=selector)
        scores, ids = self._index.search(
            np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32),
            min(k, len(self)),
            params=params,
        )
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def reconstruct(self, ids: list[int]) -> np.ndarray | None:
        """Stored vectors of the given ids (None where the index type cannot give them)."""
        try:
            return np.stack([self._index.reconstruct(int(i)) for i in ids]).astype(np.float32)
        except RuntimeError:
            return None
