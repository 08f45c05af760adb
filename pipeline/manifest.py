"""The manifest of processed inputs (SQLite beside the outputs): what can be skipped on the next run."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS inputs (
    path TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL,
    pipeline_version TEXT NOT NULL,
    output TEXT,
    status TEXT NOT NULL,          -- ok | failed
    reason TEXT,
    pages INTEGER DEFAULT 0,
    mechanisms INTEGER DEFAULT 0,
    processed_at TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class Entry:
    path: str
    sha256: str
    pipeline_version: str
    output: str | None
    status: str


class Manifest:
    """Inputs keyed by absolute path, with the content hash and pipeline version that produced their output."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)

    def get(self, path: str) -> Entry | None:
        row = self.db.execute("SELECT path, sha256, pipeline_version, output, status FROM inputs WHERE path = ?",
                              (path,)).fetchone()
        return Entry(*row) if row else None

    def is_current(self, path: str, sha: str, version: str, out_dir: Path) -> bool:
        """True when this exact content was already processed by this pipeline version and its output is there."""
        e = self.get(path)
        return bool(e and e.status == "ok" and e.sha256 == sha and e.pipeline_version == version
                    and e.output and (out_dir / "acts" / e.output).exists())

    def record(self, path: str, sha: str, version: str, output: str | None, status: str, reason: str | None = None,
               pages: int = 0, mechanisms: int = 0) -> None:
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        self.db.execute(
            "INSERT INTO inputs (path, sha256, pipeline_version, output, status, reason, pages, mechanisms, processed_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET sha256 = excluded.sha256,"
            " pipeline_version = excluded.pipeline_version, output = COALESCE(excluded.output, inputs.output),"
            " status = excluded.status, reason = excluded.reason, pages = excluded.pages,"
            " mechanisms = excluded.mechanisms, processed_at = excluded.processed_at",
            (path, sha, version, output, status, reason, pages, mechanisms, now))

    def outputs_taken(self) -> dict[str, str]:
        """Output file name → input path, for every input that has one."""
        return {o: p for p, o in self.db.execute("SELECT path, output FROM inputs WHERE output IS NOT NULL")}

    def known_paths(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT path FROM inputs ORDER BY path")]

    def close(self) -> None:
        self.db.close()
