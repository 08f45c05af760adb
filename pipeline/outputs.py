"""Atomic writers for every output file: a temporary file in the same folder, fsync, then rename."""
from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel

from .models import SCHEMAS


def atomic_write_text(path: Path, text: str) -> None:
    """Write `text` to `path` so that readers see the old file or the new one, never a torn one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def model_json(model: BaseModel) -> str:
    """Pretty JSON of a model, UTF-8 text kept readable: the same text as
    `json.dumps(model.model_dump(mode="json"), ensure_ascii=False, indent=2)`, made by pydantic's own
    serializer (Python's json module pretty-prints in pure Python, which was most of writing a long act)."""
    return model.model_dump_json(indent=2) + "\n"


def write_model(path: Path, model: BaseModel) -> None:
    atomic_write_text(path, model_json(model))


def write_jsonl(path: Path, rows: Iterable[BaseModel]) -> int:
    """Replace `path` with one JSON line per row; returns the number of rows."""
    lines = [json.dumps(r.model_dump(mode="json"), ensure_ascii=False) for r in rows]
    atomic_write_text(path, "".join(line + "\n" for line in lines))
    return len(lines)


def schema_texts() -> dict[str, str]:
    """The published JSON Schemas, generated from the models."""
    return {name: json.dumps(model.model_json_schema(), ensure_ascii=False, indent=2) + "\n"
            for name, model in SCHEMAS.items()}


def write_schemas(folder: Path) -> list[Path]:
    written = []
    for name, text in schema_texts().items():
        target = Path(folder) / name
        atomic_write_text(target, text)
        written.append(target)
    return written
