"""The index on disk: which files an index folder holds, which generation is live, and the
tables of a generation's SQLite database.

Layout of an index folder::

    index/CURRENT          name of the live generation ("gen-000004")
    index/gen-000004/      store.sqlite + vectors.faiss: one consistent state
    index/.lock            held by the one process that is updating
    index/feedback.sqlite  thumbs up/down from the app (kept across generations)
    index/conversations.sqlite  the app's conversations, so a reload keeps them (likewise)

An update copies the live generation into a new folder, changes the copy, flushes it to disk
and only then points ``CURRENT`` at it with an atomic rename (``generations.py``). A run
killed at any moment leaves ``CURRENT`` naming the previous, complete generation; the
half-written folder is swept away by the next run. Readers open whatever ``CURRENT`` names
(``Store.open_current``) and notice a switch.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .config import SUPPORTED_SUFFIXES
from .errors import IndexMissingError, QAError
from .lexical import FTS_TOKENIZER

__all__ = [
    "CONVERSATIONS_FILE",
    "CURRENT",
    "FEEDBACK_FILE",
    "LOCK_FILE",
    "SCHEMA",
    "SCHEMA_VERSION",
    "STORE_FILE",
    "VECTORS_FILE",
    "check_index_folder",
    "connect",
    "current_generation",
    "migrate",
    "ocr_pages_of",
    "signature_columns",
]

SCHEMA_VERSION = "2"  # 2: documents and failures keep ctime_ns and inode
CURRENT = "CURRENT"
STORE_FILE = "store.sqlite"
VECTORS_FILE = "vectors.faiss"
LOCK_FILE = ".lock"
FEEDBACK_FILE = "feedback.sqlite"
CONVERSATIONS_FILE = "conversations.sqlite"

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    path TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    ctime_ns INTEGER,
    inode INTEGER,
    sha256 TEXT NOT NULL,
    pages INTEGER NOT NULL,
    passages INTEGER NOT NULL,
    year INTEGER,
    indexed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS passages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    page INTEGER NOT NULL,
    page_spans TEXT NOT NULL,
    n_tokens INTEGER NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS passages_document ON passages(document_id, ordinal);
CREATE VIRTUAL TABLE IF NOT EXISTS passages_fts USING fts5(lex, tokenize="{FTS_TOKENIZER}");
CREATE TABLE IF NOT EXISTS failures (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    ctime_ns INTEGER,
    inode INTEGER,
    error TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS glossary (
    acronym TEXT NOT NULL,
    expansion TEXT NOT NULL,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    count INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS glossary_acronym ON glossary(acronym);
CREATE TABLE IF NOT EXISTS ocr_pages (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    page INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS ocr_pages_document ON ocr_pages(document_id);
"""


def connect(path: Path, *, readonly: bool) -> sqlite3.Connection:
    """A connection to a generation's database: read-only for a reader; for the writer,
    with a rollback journal and full syncs, so a generation flushed to disk is whole."""
    if readonly:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    else:
        conn = sqlite3.connect(path, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


# Columns added since the first schema, by table; NULL in a row written before them.
_ADDED_COLUMNS = {"documents": ("ctime_ns", "inode"), "failures": ("ctime_ns", "inode")}


def migrate(conn: sqlite3.Connection) -> None:
    """Bring a writable database built by an older version up to ``SCHEMA``: columns added
    since are added, NULL in the old rows (a file's ctime and inode "unknown": it is
    hashed once, then they are kept). An index is never rebuilt for a new column."""
    for table, columns in _ADDED_COLUMNS.items():
        have = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        for column in columns:
            if column not in have:
                conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} INTEGER")


def ocr_pages_of(conn: sqlite3.Connection, document_ids: set[int]) -> dict[int, frozenset[int]]:
    """The pages read by OCR of each of these documents that has any (none in a database
    built before they were kept: an index is never rebuilt for a new table)."""
    if (
        not document_ids
        or not conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ocr_pages'"
        ).fetchone()
    ):
        return {}
    marks = ",".join("?" * len(document_ids))
    pages: dict[int, set[int]] = {}
    for document_id, page in conn.execute(
        f"SELECT document_id, page FROM ocr_pages WHERE document_id IN ({marks})",
        sorted(document_ids),
    ):
        pages.setdefault(document_id, set()).add(page)
    return {document_id: frozenset(read) for document_id, read in pages.items()}


def signature_columns(conn: sqlite3.Connection, table: str) -> str:
    """``ctime_ns, inode`` to select from ``table``, or NULLs where a read-only database of
    an older version lacks them (it is migrated when an update copies it)."""
    have = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
    return ", ".join(c if c in have else "NULL" for c in _ADDED_COLUMNS[table])


def current_generation(root: Path) -> Path | None:
    """The live generation folder of the index at ``root``, or None if there is none."""
    try:
        name = (root / CURRENT).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):  # no folder, or a file in its place
        return None
    folder = root / name
    return folder if name.startswith("gen-") and (folder / STORE_FILE).is_file() else None


# Entries looked at, at most, for a report in a folder that holds no index (the whole of a
# big tree would be slow to walk only to word an error).
_REPORT_SEARCH_LIMIT = 1000


def check_index_folder(root: Path, *, reading: bool) -> None:
    """Refuse, with the fix, an ``--index`` that cannot be an index folder: a file, or (when
    ``reading``) a folder with no index that holds reports, named in place of their index.

    A folder that does not exist, or holds neither, passes: it is an index not built yet.
    """
    if root.exists() and not root.is_dir():
        raise QAError(
            f"{root} is a file, not an index folder; pass the folder that holds the index, "
            "or a new folder to build one in, as --index."
        )
    if reading and current_generation(root) is None and _holds_reports(root):
        raise IndexMissingError(
            f"{root}/ holds reports, not an index; build one with "
            f"`qa-assistant index --documents {root} --index DIR` and pass --index DIR."
        )


def _holds_reports(folder: Path) -> bool:
    """Whether ``folder`` or a folder in it holds a file of a kind the indexer reads."""
    if not folder.is_dir():
        return False
    for seen, path in enumerate(folder.rglob("*")):
        if seen >= _REPORT_SEARCH_LIMIT:
            return False
        if path.suffix.lower() in SUPPORTED_SUFFIXES and path.is_file():
            return True
    return False
