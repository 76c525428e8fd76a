"""Report QA Assistant: offline answers over PDF reports, each cited by report and page.

Heavy libraries (torch, sentence-transformers, faiss) load on first use, so importing the
package, ``qa-assistant --help`` and the app's shell start fast.
"""

from .assistant import Assistant
from .config import ChunkSettings
from .embedding import FakeEmbedder, SentenceTransformerEmbedder
from .errors import DocumentError, IndexBusyError, IndexMismatchError, IndexMissingError, QAError
from .indexer import update_index
from .types import Answer, Citation, DocumentInfo, GlossaryEntry, IndexReport

__all__ = [
    "Answer",
    "Assistant",
    "ChunkSettings",
    "Citation",
    "DocumentError",
    "DocumentInfo",
    "FakeEmbedder",
    "GlossaryEntry",
    "IndexBusyError",
    "IndexMismatchError",
    "IndexMissingError",
    "IndexReport",
    "QAError",
    "SentenceTransformerEmbedder",
    "update_index",
]
