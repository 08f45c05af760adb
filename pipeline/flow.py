"""The clusterlex Prefect flow: thin tasks per stage over every input PDF, one run summary."""
from __future__ import annotations

import json
import os
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
from prefect.futures import as_completed
from prefect.task_runners import ThreadPoolTaskRunner

from extractors.records import DocumentText, Mechanism

from . import process
from .models import ActDocument, ErrorRow, MechanismRow, RunInfo, StageTimes
from .outputs import write_jsonl, write_model
from .manifest import Manifest
from .workers import Limits, StageFailure, WorkerPool, call

# The CLI registers a callback here to draw its progress bar; flows take only serializable parameters.
_progress: list[Callable[[str, str], None]] = []


def set_progress(callback: Callable[[str, str], None] | None) -> None:
    _progress.clear()
    if callback is not None:
        _progress.append(callback)


def _notify(name: str, status: str) -> None:
    for cb in _progress:
        cb(name, status)


MANIFEST_NAME = "manifest.sqlite"
WARM = "extractors.nlp:get_nlp"  # what a worker loads before its first document
_POOL: WorkerPool | None = None


def run_extract(structured: process.Structured) -> list[Mechanism]:
    """The NLP stage with this process's pipeline (what a worker runs)."""
    from extractors.nlp import get_nlp

    return process.extract(structured, get_nlp())


def _stage(target: str, *args, deadline: float | None = None) -> tuple[object, float]:
    """Run a stage in a supervised worker when a pool is up, else in this process (e.g. on a Dask worker).

    Returns the result and the seconds of work it took (without queueing or transfer).
    """
    if _POOL is not None:
        return _POOL.run_timed(target, *args, deadline=deadline)
    if deadline is not None and time.monotonic() > deadline:
        raise StageFailure("timeout", "processing took longer than the per-document time limit")
    t = time.perf_counter()
    return call(target, args), time.perf_counter() - t


@dataclass(frozen=True)
class Input:
    """A discovered input file and the folder it was found under (None when named directly)."""

    path: Path
    root: Path | None = None

    def outside_root(self) -> bool:
        """A link found under a folder that points out of it is not read (it could expose any file)."""
        if self.root is None:
            return False
        try:
            self.path.resolve().relative_to(self.root.resolve())
            return False
        except ValueError:
            return True


def discover(inputs: list[str]) -> list[Input]:
    """PDF files named directly or found recursively under the given folders, in a stable order."""
    found: list[Input] = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            found.extend(Input(q, p) for q in sorted(p.rglob("*"))
                         if q.suffix.lower() == ".pdf" and (q.is_symlink() or not q.is_dir()))
        else:
            found.append(Input(p))
    seen: set[Path] = set()
    unique = []
    for inp in found:
        key = inp.path.absolute()
        if key not in seen:
            seen.add(key)
            unique.append(inp)
    return unique


def discover_inputs(inputs: list[str]) -> list[Path]:
    """The paths of `discover`."""
    return [i.path for i in discover(inputs)]


@task(name="ingest", cache_policy=NO_CACHE)
def ingest_task(path: str, engine: str, deadline: float | None) -> tuple[DocumentText, float]:
    return _stage("pipeline.process:read_text", Path(path), engine, deadline=deadline)


@task(name="structure", cache_policy=NO_CACHE)
def structure_task(doc: DocumentText, deadline: float | None) -> tuple[process.Structured, float]:
    return _stage("pipeline.process:structure", doc, deadline=deadline)


@task(name="nlp", cache_policy=NO_CACHE)
def nlp_task(structured: process.Structured, deadline: float | None) -> tuple[list[Mechanism], float]:
    return _stage("pipeline.flow:run_extract", structured, deadline=deadline)


@task(name="write", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
def write_task(target: str, document: ActDocument) -> str:
    write_model(Path(target), document)
    return target


@dataclass
class DocResult:
    """What processing one input gave: the output path or an error row, and stage times."""

    file: str
    sha256: str | None = None
    output: str | None = None
    error: ErrorRow | None = None
    pages: int = 0
    clauses: int = 0
    mechanisms: int = 0
    times: dict[str, float] = field(default_factory=dict)


def output_name(path: Path, sha: str, taken: dict[str, str], key: str) -> str:
    """`<stem>.json`, or `<stem>-<hash8>.json` when another input already has that stem."""
    name, n = f"{path.stem}.json", 1
    while taken.get(name, key) != key:
        name = f"{path.stem}-{sha[:8]}.json" if n == 1 else f"{path.stem}-{sha[:8]}-{n}.json"
        n += 1
    taken[name] = key
    return name


@task(name="process-document", cache_policy=NO_CACHE)
def process_document(path: str, target: str, sha: str, run_id: str, engine: str, seconds: float) -> DocResult:
    """Every stage for one input; any failure becomes one error row and no output file."""
    res = DocResult(file=path, sha256=sha)
    deadline = time.monotonic() + seconds if seconds else None
    stage = "ingest"
    _notify(path, "start")
    try:
        doc, res.times["ingest"] = ingest_task(path, engine, deadline)
        stage = "structure"
        structured, res.times["structure"] = structure_task(doc, deadline)
        stage = "nlp"
        mechanisms, res.times["nlp"] = nlp_task(structured, deadline)
        stage, t = "write", time.perf_counter()
        document = process.assemble(Path(path), sha, doc, structured, mechanisms, run_id,
                                    engine=getattr(doc, "engine", "") or engine,
                                    ocr_pages=list(getattr(doc, "ocr_pages", []) or []))
        write_task(target, document)
        res.times["write"] = time.perf_counter() - t
        res.output, res.pages = target, doc.pages
        res.clauses, res.mechanisms = len(document.clauses), len(document.mechanisms)
    except Exception as exc:  # one bad input must not stop the batch
        reason = getattr(exc, "reason", None) or ("missing" if isinstance(exc, FileNotFoundError) else "failed")
        message = str(exc) or exc.__class__.__name__
        res.error = ErrorRow(file=path, sha256=sha, reason=reason, message=message, stage=stage, run_id=run_id)
    _notify(path, "ok" if res.error is None else "error")
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


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)


@flow(name="clusterlex", log_prints=False, task_runner=ThreadPoolTaskRunner(max_workers=16))
def batch_flow(inputs: list[str], out: str = "outputs", engine: str = "auto", workers: int = 0,
               timeout: float = 300.0, memory_mb: int = 1024, force: bool = False, distributed: bool = False) -> RunInfo:
    """Process every PDF under `inputs` into `out`: acts/*.json, mechanisms.jsonl, errors.jsonl, run.json.

    Locally, `workers` supervised processes (0 = one per core) each run one document stage at a time
    under `timeout` seconds and `memory_mb` of memory per document. With `distributed`, the task runner
    (Dask) places the document tasks and each runs its stages in its worker's own process.
    """
    global _POOL
    started = datetime.now(timezone.utc)
    t0 = time.perf_counter()
    run_id = uuid.uuid4().hex
    out_dir = Path(out)
    (out_dir / "acts").mkdir(parents=True, exist_ok=True)
    for stale in [*out_dir.glob(".*.tmp"), *(out_dir / "acts").glob(".*.tmp")]:
        stale.unlink(missing_ok=True)  # left by a run that was killed mid-write
    version = process.pipeline_version()
    manifest = Manifest(out_dir / MANIFEST_NAME)
    found = discover(inputs)
    paths = [i.path for i in found]
    taken = manifest.outputs_taken()
    results: list[DocResult] = []
    jobs = []
    skipped = 0
    first_by_sha: dict[str, str] = {}

    def reject(path: Path, reason: str, message: str, sha: str | None = None) -> None:
        results.append(DocResult(file=str(path), sha256=sha, error=ErrorRow(
            file=str(path), sha256=sha, reason=reason, message=message, stage="read", run_id=run_id)))
        _notify(str(path), "error")

    for inp in found:
        path = inp.path
        key = str(path.absolute())
        if inp.outside_root():
            reject(path, "outside_input", f"a link to {path.resolve()}, outside the input folder {inp.root}; "
                   "copy the file into the folder to process it")
            continue
        try:
            sha = process.sha256_file(path)
        except OSError as exc:
            reject(path, "missing" if isinstance(exc, FileNotFoundError) else "unreadable",
                   f"cannot read the file: {exc.strerror or exc}")
            continue
        if sha in first_by_sha:
            reject(path, "duplicate", f"same content as {first_by_sha[sha]}; its results stand for both", sha)
            continue
        first_by_sha[sha] = str(path)
        if not force and manifest.is_current(key, sha, version, out_dir):
            skipped += 1
            _notify(str(path), "unchanged")
            continue
        prior = manifest.get(key)
        name = prior.output if prior and prior.output else output_name(path, sha, taken, key)
        jobs.append((key, str(path), str(out_dir / "acts" / name), sha))
    n = workers or default_workers()
    local = jobs and not distributed
    own_pool = local and _POOL is None
    if own_pool:
        _POOL = WorkerPool(min(n, len(jobs)), Limits(seconds=timeout, memory_mb=memory_mb), warm=WARM)
    try:
        futures = {process_document.submit(p, t, sha, run_id, engine, timeout): (key, t, sha)
                   for key, p, t, sha in jobs}
        for fut in as_completed(list(futures)):
            key, target, sha = futures[fut]
            res = fut.result()
            results.append(res)
            manifest.record(key, sha, version, Path(target).name if res.error is None else None,
                            "ok" if res.error is None else "failed", res.error.reason if res.error else None,
                            res.pages, res.mechanisms)
    finally:
        if own_pool and _POOL is not None:
            _POOL.close()
            _POOL = None
    current = {str(p.absolute()) for p in paths}
    missing = [p for p in manifest.known_paths() if p not in current and not Path(p).exists()]
    manifest.close()
    results.sort(key=lambda r: r.file)
    errors = [r.error for r in results if r.error is not None]
    write_jsonl(out_dir / "errors.jsonl", errors)
    mechanisms = rebuild_mechanisms(out_dir)
    times = StageTimes(**{k: round(sum(r.times.get(k, 0.0) for r in results), 3)
                          for k in ("ingest", "structure", "nlp", "write")})
    info = RunInfo(run_id=run_id, pipeline_version=process.pipeline_version(),
                   started_at=started.isoformat(timespec="seconds"),
                   finished_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                   inputs=len(paths), processed=sum(r.error is None for r in results), skipped=skipped,
                   failed=len(errors), missing=missing,
                   pages=sum(r.pages for r in results), clauses=sum(r.clauses for r in results),
                   mechanisms=mechanisms, seconds=round(time.perf_counter() - t0, 3), stage_seconds=times,
                   versions=library_versions())
    write_model(out_dir / "run.json", info)
    return info


def run_flow(inputs: list[str], out: str = "outputs", *, dask_address: str | None = None, **options) -> RunInfo:
    """Run the batch flow locally, or on the Dask cluster at `dask_address` (tcp://host:port)."""
    if dask_address:
        from prefect_dask import DaskTaskRunner

        runner = DaskTaskRunner(address=dask_address)
        return batch_flow.with_options(task_runner=runner)(inputs, out, distributed=True, **options)
    global _POOL
    n = options.get("workers") or default_workers()
    pending = _pending_inputs(inputs, Path(out)) if not options.get("force") else len(discover(inputs))
    if not pending:
        # nothing new or changed: the same flow body without starting Prefect's API (the run still
        # rebuilds the index, writes run.json and reports missing inputs)
        return batch_flow.fn(inputs, out, **options)
    # start the workers (and their models) now: they load while Prefect starts its API
    _POOL = WorkerPool(min(n, pending), Limits(seconds=options.get("timeout", 300.0),
                                               memory_mb=options.get("memory_mb", 1024)), warm=WARM)
    try:
        return batch_flow.with_options(task_runner=ThreadPoolTaskRunner(max_workers=n))(inputs, out, **options)
    finally:
        if _POOL is not None:
            _POOL.close()
            _POOL = None


def _pending_inputs(inputs: list[str], out: Path) -> int:
    """How many inputs the manifest does not already hold as current (a quick look before the flow)."""
    path = out / MANIFEST_NAME
    found = discover(inputs)
    if not path.exists():
        return len(found)
    manifest, version = Manifest(path), process.pipeline_version()
    try:
        pending = 0
        for inp in found:
            try:
                current = manifest.is_current(str(inp.path.absolute()), process.sha256_file(inp.path), version, out)
            except OSError:
                continue
            pending += not current
        return pending
    finally:
        manifest.close()


__all__ = ["run_flow", "batch_flow", "discover", "discover_inputs", "set_progress"]
