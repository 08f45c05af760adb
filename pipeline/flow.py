"""The clusterlex Prefect flow: thin tasks per stage over every input PDF, one run summary."""
from __future__ import annotations

import json
import platform
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NONE as NO_CACHE

from extractors.records import DocumentText, Mechanism

from . import process
from .models import ActDocument, ErrorRow, MechanismRow, RunInfo, StageTimes
from .outputs import atomic_write_text, write_jsonl, write_model

# The CLI registers a callback here to draw its progress bar; flows take only serializable parameters.
_progress: list[Callable[[str, str], None]] = []


def set_progress(callback: Callable[[str, str], None] | None) -> None:
    _progress.clear()
    if callback is not None:
        _progress.append(callback)


def _notify(name: str, status: str) -> None:
    for cb in _progress:
        cb(name, status)


_NLP = None


def get_nlp():
    """The spaCy pipeline, built once per worker process."""
    global _NLP
    if _NLP is None:
        from extractors.nlp import build_nlp

        _NLP = build_nlp()
    return _NLP


def discover_inputs(inputs: list[str]) -> list[Path]:
    """PDF files named directly or found recursively under the given folders, in a stable order."""
    found: list[Path] = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            found.extend(sorted(q for q in p.rglob("*") if q.suffix.lower() == ".pdf" and not q.is_dir()))
        else:
            found.append(p)
    seen: set[Path] = set()
    unique = []
    for p in found:
        key = p.absolute()
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


@task(name="ingest", cache_policy=NO_CACHE)
def ingest_task(path: str, engine: str = "auto") -> DocumentText:
    return process.read_text(Path(path), engine=engine)


@task(name="structure", cache_policy=NO_CACHE)
def structure_task(doc: DocumentText) -> process.Structured:
    return process.structure(doc)


@task(name="nlp", cache_policy=NO_CACHE)
def nlp_task(structured: process.Structured) -> list[Mechanism]:
    return process.extract(structured, get_nlp())


@task(name="write", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
def write_task(target: str, document: ActDocument) -> str:
    write_model(Path(target), document)
    return target


@dataclass
class DocResult:
    """What processing one input gave: the output path or an error row, and stage times."""

    file: str
    output: str | None = None
    error: ErrorRow | None = None
    pages: int = 0
    clauses: int = 0
    mechanisms: int = 0
    times: dict[str, float] = field(default_factory=dict)


def output_name(path: Path, sha: str, taken: set[str]) -> str:
    """`<stem>.json`, or `<stem>-<hash8>.json` when another input already has that stem."""
    name = f"{path.stem}.json"
    if name in taken:
        name = f"{path.stem}-{sha[:8]}.json"
    taken.add(name)
    return name


def process_one(path: Path, out: Path, run_id: str, engine: str, taken: set[str]) -> DocResult:
    """Every stage for one input; any failure becomes one error row and no output file."""
    res = DocResult(file=str(path))
    sha = None
    stage = "read"
    try:
        sha = process.sha256_file(path)
        t = time.perf_counter()
        stage = "ingest"
        doc = ingest_task(str(path), engine)
        res.times["ingest"] = time.perf_counter() - t
        t = time.perf_counter()
        stage = "structure"
        structured = structure_task(doc)
        res.times["structure"] = time.perf_counter() - t
        t = time.perf_counter()
        stage = "nlp"
        mechanisms = nlp_task(structured)
        res.times["nlp"] = time.perf_counter() - t
        t = time.perf_counter()
        stage = "write"
        document = process.assemble(path, sha, doc, structured, mechanisms, run_id,
                                     engine=getattr(doc, "engine", "") or engine,
                                     ocr_pages=list(getattr(doc, "ocr_pages", []) or []))
        target = out / "acts" / output_name(path, sha, taken)
        write_task(str(target), document)
        res.times["write"] = time.perf_counter() - t
        res.output, res.pages = str(target), doc.pages
        res.clauses, res.mechanisms = len(document.clauses), len(document.mechanisms)
    except Exception as exc:  # one bad input must not stop the batch
        reason = getattr(exc, "reason", None) or ("missing" if isinstance(exc, FileNotFoundError) else "failed")
        message = str(exc) or exc.__class__.__name__
        res.error = ErrorRow(file=str(path), sha256=sha, reason=reason, message=message, stage=stage, run_id=run_id)
    return res


def rebuild_mechanisms(out: Path) -> int:
    """`mechanisms.jsonl` as the union of the current per-document files, rewritten atomically."""
    rows = []
    for p in sorted((out / "acts").glob("*.json")):
        data = json.loads(p.read_text(encoding="utf-8"))
        act = data.get("act") or {}
        clauses = {c["id"]: c for c in data.get("clauses", [])}
        for m in data.get("mechanisms", []):
            rows.append(MechanismRow(**m, doc_id=data["doc_id"], file=data["source"]["file"],
                                     act_country=act.get("country"), act_type=act.get("type"),
                                     act_number=act.get("number"), act_date=act.get("date"),
                                     page_start=(clauses.get(m["clause_id"]) or {}).get("page_start")))
    return write_jsonl(out / "mechanisms.jsonl", rows)


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for pkg in ("clusterlex", "pdfplumber", "pypdfium2", "natasha", "slovnet", "spacy", "pymorphy3", "prefect",
                "pydantic"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            pass
    return versions


@flow(name="clusterlex", log_prints=False)
def run_flow(inputs: list[str], out: str = "outputs", engine: str = "auto") -> RunInfo:
    """Process every PDF under `inputs` into `out`: acts/*.json, mechanisms.jsonl, errors.jsonl, run.json."""
    started = datetime.now(timezone.utc)
    t0 = time.perf_counter()
    run_id = uuid.uuid4().hex
    out_dir = Path(out)
    (out_dir / "acts").mkdir(parents=True, exist_ok=True)
    paths = discover_inputs(inputs)
    taken: set[str] = set()
    results: list[DocResult] = []
    for path in paths:
        _notify(str(path), "start")
        res = process_one(path, out_dir, run_id, engine, taken)
        results.append(res)
        _notify(str(path), "ok" if res.error is None else "error")
    errors = [r.error for r in results if r.error is not None]
    write_jsonl(out_dir / "errors.jsonl", errors)
    mechanisms = rebuild_mechanisms(out_dir)
    times = StageTimes(**{k: round(sum(r.times.get(k, 0.0) for r in results), 3)
                          for k in ("ingest", "structure", "nlp", "write")})
    info = RunInfo(run_id=run_id, pipeline_version=process.pipeline_version(),
                   started_at=started.isoformat(timespec="seconds"),
                   finished_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                   inputs=len(paths), processed=sum(r.error is None for r in results), failed=len(errors),
                   pages=sum(r.pages for r in results), clauses=sum(r.clauses for r in results),
                   mechanisms=mechanisms, seconds=round(time.perf_counter() - t0, 3), stage_seconds=times,
                   versions=library_versions())
    write_model(out_dir / "run.json", info)
    return info


__all__ = ["run_flow", "discover_inputs", "set_progress", "get_nlp", "atomic_write_text"]
